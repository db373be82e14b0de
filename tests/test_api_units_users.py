"""/api/v1/units, /api/v1/users and /api/v1/auth/token.

Every error is the one envelope {"error": {"code", "message"[, "details"]}},
and a refused request leaves the database exactly as it was.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from pufa_flow.extensions import db
from pufa_flow.models import ApiToken, AuditEvent, Contact, Unit, User


# -- helpers -------------------------------------------------------------------------
def assert_envelope(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert isinstance(body, dict) and set(body) == {"error"}, body
    error = body["error"]
    assert set(error) <= {"code", "message", "details"} and {"code", "message"} <= set(error), error
    assert isinstance(error["code"], str) and isinstance(error["message"], str) and error["message"]
    if "details" in error:
        assert isinstance(error["details"], dict)
    if code is not None:
        assert error["code"] == code, error
    return error


def assert_fields(response, *fields: str) -> dict:
    error = assert_envelope(response, 422, "validation_failed")
    found = error["details"]["fields"]
    for field in fields:
        assert field in found, (field, found)
        assert isinstance(found[field], str) and found[field], found
    return found


def counts() -> dict:
    db.session.expire_all()
    return {model.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (Unit, Contact, User, AuditEvent)}


@pytest.fixture
def unchanged(app):
    """with unchanged(): ... asserts the block left every counted table as it found it."""
    from contextlib import contextmanager

    @contextmanager
    def check():
        before = counts()
        yield
        assert counts() == before

    return check


@pytest.fixture
def office(office_user, token_for):
    return token_for(office_user)


@pytest.fixture
def api(client):
    class Api:
        def get(self, url, headers=None):
            return client.get(url, headers=headers or {})

        def post(self, url, body, headers):
            return client.post(url, json=body, headers=headers)

        def patch(self, url, body, headers):
            return client.patch(url, json=body, headers=headers)
    return Api()


def _unit(**fields) -> dict:
    return {"name": "区司法局", "kind": "county", **fields}


# -- units: the happy path ---------------------------------------------------------------
def test_unit_create_read_update_list(api, office):
    response = api.post("/api/v1/units", _unit(contacts=[
        {"role": "liaison", "name": "张三", "phone": "13800138000", "email": "zs@example.org"}]), office)
    assert response.status_code == 201, response.get_json()
    unit = response.get_json()
    assert unit["name"] == "区司法局" and unit["kind_label"] == "县（市、区）"
    assert unit["contacts"][0]["phone"] == "13800138000"

    assert api.get(f"/api/v1/units/{unit['id']}", office).get_json() == unit

    response = api.patch(f"/api/v1/units/{unit['id']}", {"name": "区司法局（新）", "has_enforcement_power": True}, office)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["name"] == "区司法局（新）"
    assert response.get_json()["has_enforcement_power"] is True
    assert db.session.get(Unit, unit["id"]).name == "区司法局（新）"

    town = api.post("/api/v1/units", {"name": "某镇", "kind": "乡镇（街道）", "parent_id": unit["id"]}, office)
    assert town.status_code == 201 and town.get_json()["kind"] == "town"

    listing = api.get("/api/v1/units?per_page=1&page=2", office).get_json()
    assert listing["total"] == 2 and listing["page"] == 2 and listing["per_page"] == 1
    assert [u["id"] for u in listing["items"]] == [town.get_json()["id"]]


def test_json_is_utf8_not_escaped(api, office):
    response = api.post("/api/v1/units", _unit(), office)
    assert "区司法局".encode() in response.data
    assert response.mimetype == "application/json"


def test_unit_user_reads_own_unit(api, make_unit, make_user, token_for):
    unit = make_unit("本单位")
    headers = token_for(make_user("unit", unit=unit))
    assert api.get(f"/api/v1/units/{unit.id}", headers).get_json()["name"] == "本单位"
    assert api.get("/api/v1/units", headers).get_json()["total"] == 1


def test_unknown_unit_is_404_envelope(api, office):
    assert_envelope(api.get("/api/v1/units/999999", office), 404, "not_found")
    assert_envelope(api.patch("/api/v1/units/999999", {"name": "x"}, office), 404, "not_found")


def test_unknown_api_path_and_method_use_the_envelope(api, office, client):
    assert_envelope(api.get("/api/v1/no-such-thing", office), 404)
    assert_envelope(client.delete("/api/v1/units", headers=office), 405, "method_not_allowed")


# -- units: refusals -----------------------------------------------------------------------
@pytest.mark.parametrize("role", ["unit", "evaluator", "panel", "viewer"])
def test_unit_writes_are_office_only(api, make_unit, make_user, token_for, unchanged, role):
    unit = make_unit("某单位")
    headers = token_for(make_user(role, unit=unit if role == "unit" else None))
    with unchanged():
        assert_envelope(api.post("/api/v1/units", _unit(), headers), 403, "forbidden")
        assert_envelope(api.patch(f"/api/v1/units/{unit.id}", {"name": "改名"}, headers), 403, "forbidden")
    assert db.session.get(Unit, unit.id).name == "某单位"


@pytest.mark.parametrize("headers", [
    {}, {"Authorization": "Bearer pf_not-a-token"}, {"Authorization": "Bearer "},
    {"Authorization": "Token pf_x"}, {"Authorization": "bearer pf_x"},
], ids=["none", "unknown", "empty", "wrong-scheme", "lowercase"])
def test_units_need_a_valid_token(api, headers, unchanged):
    with unchanged():
        assert_envelope(api.get("/api/v1/units", headers), 401, "unauthorized")
        assert_envelope(api.post("/api/v1/units", _unit(), headers), 401, "unauthorized")


def test_revoked_and_expired_tokens_are_refused(api, office_user, token_for):
    from datetime import timedelta

    from pufa_flow.models.base import utcnow_naive

    for change in ({"revoked": True}, {"expires_at": utcnow_naive() - timedelta(minutes=1)}):
        headers = token_for(office_user)
        assert api.get("/api/v1/units", headers).status_code == 200
        row = db.session.scalars(sa.select(ApiToken).order_by(ApiToken.id.desc())).first()
        for key, value in change.items():
            setattr(row, key, value)
        db.session.commit()
        assert_envelope(api.get("/api/v1/units", headers), 401, "unauthorized")


def test_inactive_users_token_is_refused(api, make_user, token_for):
    user = make_user("office")
    headers = token_for(user)
    user.is_active_account = False
    db.session.commit()
    assert_envelope(api.get("/api/v1/units", headers), 401, "unauthorized")


@pytest.mark.parametrize("body, content_type", [
    ("name=x&kind=county", "application/x-www-form-urlencoded"),
    ("not json", "application/json"),
    ('["a list"]', "application/json"),
    ('"a string"', "application/json"),
    ("", "application/json"),
    ('{"name": "x", "kind": "county"}', "text/plain"),
], ids=["form", "broken-json", "list", "string", "empty", "text-plain"])
def test_non_json_body_is_400(client, office, unchanged, body, content_type):
    with unchanged():
        for method, url in (("POST", "/api/v1/units"), ("POST", "/api/v1/users")):
            response = client.open(url, method=method, data=body, headers={**office, "Content-Type": content_type})
            assert_envelope(response, 400, "bad_request")


def test_non_json_patch_is_400(client, office, make_unit, unchanged):
    unit = make_unit("某单位")
    with unchanged():
        response = client.patch(f"/api/v1/units/{unit.id}", data="x", headers={**office, "Content-Type": "text/plain"})
        assert_envelope(response, 400, "bad_request")


BAD_UNITS = {
    "unknown-kind": ({"name": "某单位", "kind": "province"}, "kind"),
    "missing-kind": ({"name": "某单位"}, "kind"),
    "missing-name": ({"kind": "county"}, "name"),
    "blank-name": ({"name": "   ", "kind": "county"}, "name"),
    "long-name": ({"name": "长" * 101, "kind": "county"}, "name"),
    "name-not-text": ({"name": 123, "kind": "county"}, "name"),
    "sql-in-name": ({"name": "x'); DROP TABLE units;--", "kind": "county"}, "name"),
    "html-in-name": ({"name": "<script>alert(1)</script>", "kind": "county"}, "name"),
    "control-char": ({"name": "某\x00单位", "kind": "county"}, "name"),
    "bad-parent": ({"name": "某单位", "kind": "town", "parent_id": 999999}, "parent_id"),
    "parent-not-int": ({"name": "某单位", "kind": "town", "parent_id": "abc"}, "parent_id"),
    "parent-bool": ({"name": "某单位", "kind": "town", "parent_id": True}, "parent_id"),
    "bad-bool": ({"name": "某单位", "kind": "county", "has_enforcement_power": "maybe"}, "has_enforcement_power"),
    "bad-phone": ({"name": "某单位", "kind": "county",
                   "contacts": [{"role": "liaison", "name": "张三", "phone": "12345"}]}, "contacts[0].phone"),
    "letters-phone": ({"name": "某单位", "kind": "county",
                       "contacts": [{"role": "liaison", "name": "张三", "phone": "1380013800a"}]}, "contacts[0].phone"),
    "bad-email": ({"name": "某单位", "kind": "county",
                   "contacts": [{"role": "liaison", "name": "张三", "email": "not-an-email"}]}, "contacts[0].email"),
    "bad-contact-role": ({"name": "某单位", "kind": "county",
                          "contacts": [{"role": "boss", "name": "张三"}]}, "contacts[0].role"),
    "html-contact": ({"name": "某单位", "kind": "county",
                      "contacts": [{"role": "liaison", "name": "<b>张三</b>"}]}, "contacts[0].name"),
    "contacts-not-list": ({"name": "某单位", "kind": "county", "contacts": "张三"}, "contacts"),
}


@pytest.mark.parametrize("body, field", BAD_UNITS.values(), ids=BAD_UNITS.keys())
def test_bad_unit_is_422_and_changes_nothing(api, office, unchanged, body, field):
    with unchanged():
        assert_fields(api.post("/api/v1/units", body, office), field)


def test_several_bad_fields_are_all_named(api, office, unchanged):
    with unchanged():
        fields = assert_fields(api.post("/api/v1/units", {"name": "<x>", "kind": "nope", "parent_id": "z"}, office),
                               "name", "kind", "parent_id")
    assert len(fields) == 3


def test_duplicate_unit_name_at_top_level(api, office, unchanged):
    assert api.post("/api/v1/units", _unit(), office).status_code == 201
    with unchanged():
        assert_fields(api.post("/api/v1/units", _unit(), office), "name")
        assert_fields(api.post("/api/v1/units", _unit(kind="other", name=" 区司法局 "), office), "name")


def test_duplicate_unit_name_under_one_parent(api, office, unchanged):
    county_a = api.post("/api/v1/units", _unit(name="甲县"), office).get_json()["id"]
    county_b = api.post("/api/v1/units", _unit(name="乙县"), office).get_json()["id"]
    assert api.post("/api/v1/units", {"name": "城关镇", "kind": "town", "parent_id": county_a}, office).status_code == 201
    with unchanged():
        assert_fields(api.post("/api/v1/units", {"name": "城关镇", "kind": "town", "parent_id": county_a}, office), "name")
    # the same name under another parent, or at top level, is fine
    assert api.post("/api/v1/units", {"name": "城关镇", "kind": "town", "parent_id": county_b}, office).status_code == 201
    assert api.post("/api/v1/units", {"name": "城关镇", "kind": "other"}, office).status_code == 201


def test_bad_unit_patch_is_422_and_changes_nothing(api, office, unchanged):
    parent = api.post("/api/v1/units", _unit(name="甲县"), office).get_json()
    child = api.post("/api/v1/units", {"name": "城关镇", "kind": "town", "parent_id": parent["id"]}, office).get_json()
    api.post("/api/v1/units", {"name": "西关镇", "kind": "town", "parent_id": parent["id"]}, office)
    before = {u.id: (u.name, u.kind, u.parent_id) for u in db.session.scalars(sa.select(Unit))}
    cases = [
        ({"name": "西关镇"}, "name"),                      # clashes with a sibling
        ({"parent_id": child["id"]}, "parent_id"),          # itself
        ({"kind": "planet"}, "kind"),
        ({"name": "a;b"}, "name"),
        ({"parent_id": 999999}, "parent_id"),
    ]
    with unchanged():
        for body, field in cases:
            assert_fields(api.patch(f"/api/v1/units/{child['id']}", body, office), field)
        # a cycle: the county under its own town
        assert_fields(api.patch(f"/api/v1/units/{parent['id']}", {"parent_id": child["id"]}, office), "parent_id")
    db.session.expire_all()
    assert {u.id: (u.name, u.kind, u.parent_id) for u in db.session.scalars(sa.select(Unit))} == before


# -- users ------------------------------------------------------------------------------------
def test_user_create_read_update_list(api, office, make_unit):
    unit = make_unit("某单位")
    response = api.post("/api/v1/users", {"username": "liaison1", "password": "Passw0rd!", "role": "unit",
                                          "unit_id": unit.id, "display_name": "李四"}, office)
    assert response.status_code == 201, response.get_json()
    user = response.get_json()
    assert user["role"] == "unit" and user["unit_id"] == unit.id and user["is_active"] is True
    assert not any("password" in key for key in user)

    assert api.get(f"/api/v1/users/{user['id']}", office).get_json() == user
    response = api.patch(f"/api/v1/users/{user['id']}", {"display_name": "李四四", "is_active": False}, office)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["display_name"] == "李四四" and response.get_json()["is_active"] is False

    listing = api.get("/api/v1/users", office).get_json()
    assert {u["username"] for u in listing["items"]} == {"office", "liaison1"}

    stored = db.session.get(User, user["id"])
    assert stored.password_hash.startswith("scrypt:") and stored.check_password("Passw0rd!")


def test_user_password_change_takes_effect(api, office, client):
    user_id = api.post("/api/v1/users", {"username": "viewer1", "password": "Passw0rd1", "role": "viewer"},
                       office).get_json()["id"]
    assert api.patch(f"/api/v1/users/{user_id}", {"password": "NewPassw0rd"}, office).status_code == 200
    assert_envelope(client.post("/api/v1/auth/token", json={"username": "viewer1", "password": "Passw0rd1"}), 401)
    assert client.post("/api/v1/auth/token", json={"username": "viewer1", "password": "NewPassw0rd"}).status_code == 201


@pytest.mark.parametrize("role", ["unit", "evaluator", "panel", "viewer"])
def test_user_writes_are_office_only(api, make_unit, make_user, token_for, unchanged, role):
    unit = make_unit("某单位")
    me = make_user(role, unit=unit if role == "unit" else None)
    headers = token_for(me)
    with unchanged():
        assert_envelope(api.post("/api/v1/users", {"username": "x1", "password": "Passw0rd1", "role": "office"},
                                 headers), 403, "forbidden")
        assert_envelope(api.patch(f"/api/v1/users/{me.id}", {"role": "office", "unit_id": None}, headers),
                        403, "forbidden")
    db.session.expire_all()
    assert db.session.get(User, me.id).role == role


BAD_USERS = {
    "unit-without-unit": ({"username": "u1", "password": "Passw0rd1", "role": "unit"}, "unit_id"),
    "office-with-unit": ({"username": "u1", "password": "Passw0rd1", "role": "office", "unit_id": "UNIT"}, "unit_id"),
    "missing-unit": ({"username": "u1", "password": "Passw0rd1", "role": "unit", "unit_id": 999999}, "unit_id"),
    "short-password": ({"username": "u1", "password": "Ab1", "role": "viewer"}, "password"),
    "digits-password": ({"username": "u1", "password": "12345678", "role": "viewer"}, "password"),
    "letters-password": ({"username": "u1", "password": "abcdefgh", "role": "viewer"}, "password"),
    "no-password": ({"username": "u1", "role": "viewer"}, "password"),
    "password-not-text": ({"username": "u1", "password": 12345678, "role": "viewer"}, "password"),
    "unknown-role": ({"username": "u1", "password": "Passw0rd1", "role": "root"}, "role"),
    "no-username": ({"password": "Passw0rd1", "role": "viewer"}, "username"),
    "bad-username": ({"username": "a b'", "password": "Passw0rd1", "role": "viewer"}, "username"),
    "long-username": ({"username": "a" * 51, "password": "Passw0rd1", "role": "viewer"}, "username"),
    "html-display-name": ({"username": "u1", "password": "Passw0rd1", "role": "viewer",
                           "display_name": "<img src=x>"}, "display_name"),
    "duplicate-username": ({"username": "office", "password": "Passw0rd1", "role": "viewer"}, "username"),
}


@pytest.mark.parametrize("body, field", BAD_USERS.values(), ids=BAD_USERS.keys())
def test_bad_user_is_422_and_changes_nothing(api, office, make_unit, unchanged, body, field):
    unit = make_unit("某单位")
    body = {k: (unit.id if v == "UNIT" else v) for k, v in body.items()}
    with unchanged():
        assert_fields(api.post("/api/v1/users", body, office), field)


def test_bad_user_patch_is_422_and_changes_nothing(api, office, make_unit, make_user, unchanged):
    unit = make_unit("某单位")
    member = make_user("unit", unit=unit, username="member")
    with unchanged():
        assert_fields(api.patch(f"/api/v1/users/{member.id}", {"role": "office", "unit_id": unit.id}, office),
                      "unit_id")
        assert_fields(api.patch(f"/api/v1/users/{member.id}", {"unit_id": None}, office), "unit_id")
        assert_fields(api.patch(f"/api/v1/users/{member.id}", {"password": "short"}, office), "password")
        assert_fields(api.patch(f"/api/v1/users/{member.id}", {"is_active": "perhaps"}, office), "is_active")
    db.session.expire_all()
    again = db.session.get(User, member.id)
    assert (again.role, again.unit_id, again.is_active_account) == ("unit", unit.id, True)
    assert again.check_password("Secret123")


def test_unknown_user_is_404_envelope(api, office):
    assert_envelope(api.get("/api/v1/users/999999", office), 404, "not_found")
    assert_envelope(api.patch("/api/v1/users/999999", {"display_name": "x"}, office), 404, "not_found")


# -- /auth/token ---------------------------------------------------------------------------------
def test_token_happy_path(client, office_user):
    response = client.post("/api/v1/auth/token", json={"username": "office", "password": "Secret123"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["token_type"] == "Bearer" and body["token"].startswith("pf_")
    listing = client.get("/api/v1/users", headers={"Authorization": f"Bearer {body['token']}"})
    assert listing.status_code == 200 and listing.get_json()["items"][0]["username"] == "office"
    # only the hash is stored
    assert body["token"] not in {row.token_hash for row in db.session.scalars(sa.select(ApiToken))}


@pytest.mark.parametrize("credentials", [
    {"username": "office", "password": "wrong-password"},
    {"username": "nobody", "password": "Secret123"},
    {"username": "OFFICE", "password": "Secret123"},
], ids=["wrong-password", "unknown-user", "other-case"])
def test_token_wrong_credentials_is_401(client, office_user, credentials):
    error = assert_envelope(client.post("/api/v1/auth/token", json=credentials), 401, "unauthorized")
    assert error["message"] == "用户名或密码错误"


def test_token_needs_fields_and_json(client, office_user):
    assert_fields(client.post("/api/v1/auth/token", json={"username": "office"}), "password")
    assert_fields(client.post("/api/v1/auth/token", json={"username": 1, "password": ["x"]}), "username", "password")
    assert_envelope(client.post("/api/v1/auth/token", data="username=office&password=Secret123"), 400, "bad_request")


def test_token_lockout_after_five_failures(client, office_user):
    for attempt in range(1, 6):
        error = assert_envelope(client.post("/api/v1/auth/token", json={"username": "office", "password": "nope"}),
                                401, "unauthorized")
    assert "锁定" in error["message"]
    # the lockout is in the database, not in this process
    db.session.expire_all()
    user = db.session.scalar(sa.select(User).where(User.username == "office"))
    assert user.locked_until is not None
    from pufa_flow.models.base import utcnow_naive

    assert user.locked_until > utcnow_naive()
    # the right password does not get through while locked
    error = assert_envelope(client.post("/api/v1/auth/token", json={"username": "office", "password": "Secret123"}),
                            401, "unauthorized")
    assert "锁定" in error["message"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_token_lockout_expires(client, office_user, app):
    from datetime import timedelta

    from pufa_flow.models.base import utcnow_naive

    for _ in range(5):
        client.post("/api/v1/auth/token", json={"username": "office", "password": "nope"})
    user = db.session.scalar(sa.select(User).where(User.username == "office"))
    user.locked_until = utcnow_naive() - timedelta(seconds=1)
    db.session.commit()
    assert client.post("/api/v1/auth/token", json={"username": "office", "password": "Secret123"}).status_code == 201


def test_success_resets_the_failure_count(client, office_user):
    for _ in range(4):
        client.post("/api/v1/auth/token", json={"username": "office", "password": "nope"})
    assert client.post("/api/v1/auth/token", json={"username": "office", "password": "Secret123"}).status_code == 201
    for _ in range(4):
        error = assert_envelope(client.post("/api/v1/auth/token", json={"username": "office", "password": "nope"}), 401)
        assert "锁定" not in error["message"]


def test_failed_logins_are_audited(client, office_user):
    client.post("/api/v1/auth/token", json={"username": "office", "password": "nope"})
    client.post("/api/v1/auth/token", json={"username": "nobody", "password": "nope"})
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.action == "user.login_failed")).all()
    assert len(actions) == 2
