"""Accounts (issue 7): sessions and tokens that end, token pages/API/CLI, the last
office account, the office's user pages (edit, reset, unlock, deactivate)."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from pufa_flow.extensions import db
from pufa_flow.models import ApiToken, AuditEvent, User
from pufa_flow.models.base import utcnow_naive
from pufa_flow.services.auth import issue_token

PASSWORD = "Secret123"
NEW_PASSWORD = "Newpass456"


@pytest.fixture(autouse=True)
def one_request_one_user(app):
    """The test app context outlives requests, and flask-login keeps the user it
    loaded in ``g``: forget it per request, as a server's fresh context would."""
    from flask import g

    def forget_loaded_user():
        g.pop("_login_user", None)
        g.pop("stale_session", None)

    # the app is shared by the whole run and has served requests: Flask refuses
    # @before_request now, so the hook goes in and comes out by hand
    hooks = app.before_request_funcs.setdefault(None, [])
    hooks.append(forget_loaded_user)
    yield
    hooks.remove(forget_loaded_user)


def signed_in(app, user, password=PASSWORD):
    client = app.test_client()
    response = client.post("/login", data={"username": user.username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def copy_of(app, client):
    """Another browser holding the same session cookie (a copied or stolen cookie)."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def assert_session_ended(client):
    response = client.get("/home")
    assert response.status_code == 401
    assert "登录已失效" in response.get_data(as_text=True)


def actions():
    return db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()


# -- sessions end -------------------------------------------------------------------
def test_a_copied_cookie_works_until_sign_out_then_gets_401(app, office_user):
    client = signed_in(app, office_user)
    stolen = copy_of(app, client)
    assert stolen.get("/home").status_code == 200
    client.post("/logout")
    assert_session_ended(stolen)
    assert client.get("/home").status_code == 302  # the signed-out browser: plain redirect to sign-in
    assert "user.logout" in actions()


def test_a_stale_session_can_sign_in_again_from_the_401_page(app, office_user):
    client = signed_in(app, office_user)
    stolen = copy_of(app, client)
    client.post("/logout")
    html = stolen.get("/units/").get_data(as_text=True)
    assert 'action="/login?next=' in html
    response = stolen.post("/login?next=/units/", data={"username": "office", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/units/"


def test_own_password_change_ends_other_sessions_and_tokens_but_keeps_this_one(app, make_user):
    user = make_user("viewer", username="reader")
    token = issue_token(user, name="test")
    client = signed_in(app, user)
    elsewhere = signed_in(app, user)
    assert app.test_client().get("/api/v1/units", headers=bearer(token)).status_code == 200

    response = client.post("/account/password", data={"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                                                      "confirm_password": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get("/home").status_code == 200          # this browser goes on
    assert_session_ended(elsewhere)                          # the other one ends
    assert app.test_client().get("/api/v1/units", headers=bearer(token)).status_code == 401
    assert app.test_client().post("/login", data={"username": "reader", "password": PASSWORD}).status_code == 401
    signed_in(app, user, NEW_PASSWORD)
    assert "user.password_change" in actions()


@pytest.mark.parametrize("data, field_message", [
    ({"current_password": "wrong", "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}, "当前密码不正确"),
    ({"current_password": PASSWORD, "new_password": "short1", "confirm_password": "short1"}, "密码至少8位"),
    ({"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": "Other789x"}, "两次输入"),
    ({"current_password": PASSWORD, "new_password": PASSWORD, "confirm_password": PASSWORD}, "不能与当前密码相同"),
], ids=["wrong-current", "weak", "mismatch", "same"])
def test_password_change_refusals_say_why_and_change_nothing(app, office_user, data, field_message):
    client = signed_in(app, office_user)
    response = client.post("/account/password", data=data)
    assert response.status_code == 422
    assert field_message in response.get_data(as_text=True)
    assert client.get("/home").status_code == 200
    signed_in(app, office_user, PASSWORD)


def test_office_reset_ends_the_users_sessions_and_tokens(app, office_user, make_user):
    user = make_user("viewer", username="reader")
    token = issue_token(user, name="test")
    theirs = signed_in(app, user)
    office = signed_in(app, office_user)
    assert office.post(f"/users/{user.id}/password", data={"password": NEW_PASSWORD}).status_code == 302
    assert_session_ended(theirs)
    assert app.test_client().get("/api/v1/units", headers=bearer(token)).status_code == 401
    signed_in(app, user, NEW_PASSWORD)
    assert "user.password_reset" in actions()


def test_office_reset_refuses_a_weak_password(app, office_user, make_user):
    user = make_user("viewer", username="reader")
    office = signed_in(app, office_user)
    response = office.post(f"/users/{user.id}/password", data={"password": "12345678"}, follow_redirects=True)
    assert "密码需同时包含字母和数字" in response.get_data(as_text=True)
    signed_in(app, user, PASSWORD)


def test_deactivation_ends_sessions_and_tokens_and_reactivation_does_not_revive_them(app, office_user, make_user):
    user = make_user("viewer", username="reader")
    token = issue_token(user, name="test")
    theirs = signed_in(app, user)
    kept = copy_of(app, theirs)
    office = signed_in(app, office_user)
    assert office.post(f"/users/{user.id}/active").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).is_active_account is False
    assert_session_ended(theirs)
    assert app.test_client().get("/api/v1/units", headers=bearer(token)).status_code == 401
    response = app.test_client().post("/login", data={"username": "reader", "password": PASSWORD})
    assert response.status_code == 401 and "已停用" in response.get_data(as_text=True)

    office.post(f"/users/{user.id}/active")  # reactivate
    assert app.test_client().get("/api/v1/units", headers=bearer(token)).status_code == 401
    assert_session_ended(kept)
    signed_in(app, user)


def test_api_deactivation_revokes_tokens(app, office_user, make_user, token_for):
    user = make_user("viewer", username="reader")
    token = issue_token(user, name="test")
    response = app.test_client().patch(f"/api/v1/users/{user.id}", json={"is_active": False},
                                       headers=token_for(office_user))
    assert response.status_code == 200
    assert app.test_client().get("/api/v1/units", headers=bearer(token)).status_code == 401
    assert db.session.scalar(sa.select(ApiToken.revoked_at).where(ApiToken.user_id == user.id)) is not None


# -- tokens: life, page, API, CLI ------------------------------------------------------
def test_tokens_live_30_days_by_default(app, office_user):
    issue_token(office_user, name="x")
    expires = db.session.scalar(sa.select(ApiToken.expires_at))
    assert timedelta(days=29, hours=23) < expires - utcnow_naive() <= timedelta(days=30)
    response = app.test_client().post("/api/v1/auth/token", json={"username": "office", "password": PASSWORD})
    token_row = db.session.scalars(sa.select(ApiToken).order_by(ApiToken.id.desc())).first()
    assert response.status_code == 201
    assert token_row.expires_at - utcnow_naive() <= timedelta(days=30)


def test_token_page_issues_once_and_revokes(app, make_user):
    user = make_user("viewer", username="reader")
    client = signed_in(app, user)
    html = client.post("/account/tokens", data={"name": "数据对接", "days": "7"}).get_data(as_text=True)
    import re

    token = re.search(r'id="new-token">(pf_[^<]+)<', html).group(1)
    assert app.test_client().get("/api/v1/units", headers=bearer(token)).status_code == 200
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == user.id))
    assert row.name == "数据对接" and row.expires_at - utcnow_naive() <= timedelta(days=7)
    listing = client.get("/account/tokens").get_data(as_text=True)
    assert "数据对接" in listing and token not in listing  # shown once only

    assert client.post(f"/account/tokens/{row.id}/revoke").status_code == 302
    assert app.test_client().get("/api/v1/units", headers=bearer(token)).status_code == 401
    assert "已撤销" in client.get("/account/tokens").get_data(as_text=True)
    assert "token.revoke" in actions()


def test_token_page_cannot_revoke_someone_elses_token(app, office_user, make_user):
    user = make_user("viewer", username="reader")
    issue_token(office_user, name="office's")
    other = db.session.scalar(sa.select(ApiToken.id))
    client = signed_in(app, user)
    assert client.post(f"/account/tokens/{other}/revoke").status_code == 404
    assert db.session.scalar(sa.select(ApiToken.revoked).where(ApiToken.id == other)) is False


def test_api_lists_and_revokes_own_tokens(app, office_user, make_user):
    token = issue_token(office_user, name="main")
    second = issue_token(office_user, name="second")
    reader = make_user("viewer", username="reader")
    issue_token(reader, name="readers")
    client = app.test_client()
    body = client.get("/api/v1/auth/tokens", headers=bearer(token)).get_json()
    assert [t["name"] for t in body["items"]] == ["second", "main"]
    assert all(t["active"] and t["expires_at"].endswith("Z") for t in body["items"])
    second_id = body["items"][0]["id"]
    response = client.delete(f"/api/v1/auth/tokens/{second_id}", headers=bearer(token))
    assert response.status_code == 200 and response.get_json()["revoked"] is True
    assert client.get("/api/v1/auth/tokens", headers=bearer(second)).status_code == 401
    readers = db.session.scalar(sa.select(ApiToken.id).where(ApiToken.user_id == reader.id))
    assert client.delete(f"/api/v1/auth/tokens/{readers}", headers=bearer(token)).status_code == 404
    # a token may revoke itself; then it is done
    main_id = body["items"][1]["id"]
    assert client.delete(f"/api/v1/auth/tokens/{main_id}", headers=bearer(token)).status_code == 200
    assert client.get("/api/v1/auth/tokens", headers=bearer(token)).status_code == 401


def test_cli_lists_and_revokes_tokens(app, runner, office_user, monkeypatch):
    import functools

    from pufa_flow.cli import main

    monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)
    runner = type("Runner", (), {"invoke": staticmethod(functools.partial(runner.invoke, main))})
    result = runner.invoke(args=["create-token", "office"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    listing = runner.invoke(args=["tokens", "list", "office"])
    assert listing.exit_code == 0 and "cli" in listing.output and "有效" in listing.output
    token_id = int(listing.output.split("\t")[0])
    result = runner.invoke(args=["tokens", "revoke", str(token_id)])
    assert result.exit_code == 0, result.output
    assert app.test_client().get("/api/v1/units", headers=bearer(token)).status_code == 401
    assert "已撤销" in runner.invoke(args=["tokens", "list", "office"]).output

    again = runner.invoke(args=["create-token", "office", "--days", "7"]).output.strip()
    client = signed_in(app, office_user)
    result = runner.invoke(args=["tokens", "revoke", "--all", "office"])
    assert result.exit_code == 0 and "1 个令牌" in result.output
    assert app.test_client().get("/api/v1/units", headers=bearer(again)).status_code == 401
    assert_session_ended(client)
    assert runner.invoke(args=["tokens", "revoke", "999"]).exit_code == 1
    assert runner.invoke(args=["tokens", "revoke"]).exit_code == 2
    assert runner.invoke(args=["create-token", "office", "--days", "1000"]).exit_code == 2


# -- the last office account ----------------------------------------------------------------
def test_the_last_office_account_cannot_demote_or_deactivate_itself(app, office_user, token_for):
    headers = token_for(office_user)
    client = app.test_client()
    for change in ({"role": "viewer"}, {"is_active": False}):
        response = client.patch(f"/api/v1/users/{office_user.id}", json=change, headers=headers)
        assert response.status_code == 409, response.get_json()
        assert "最后一个" in response.get_json()["error"]["message"]
    db.session.expire_all()
    user = db.session.get(User, office_user.id)
    assert user.role == "office" and user.is_active_account

    page = signed_in(app, office_user)
    response = page.post(f"/users/{office_user.id}/active", follow_redirects=True)
    assert "最后一个" in response.get_data(as_text=True)
    response = page.post(f"/users/{office_user.id}/edit", data={"display_name": "x", "role": "viewer",
                                                               "unit_id": "", "is_active": "y"})
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(User, office_user.id).role == "office"


def test_with_a_second_office_account_one_may_step_down(app, office_user, make_user, token_for):
    make_user("office", username="office2")
    response = app.test_client().patch(f"/api/v1/users/{office_user.id}", json={"role": "viewer"},
                                       headers=token_for(office_user))
    assert response.status_code == 200


def test_an_inactive_office_account_does_not_count(app, office_user, make_user, token_for):
    other = make_user("office", username="office2")
    other.is_active_account = False
    db.session.commit()
    response = app.test_client().patch(f"/api/v1/users/{office_user.id}", json={"is_active": False},
                                       headers=token_for(office_user))
    assert response.status_code == 409


# -- the office's user pages ------------------------------------------------------------------
def test_office_edits_a_user_and_it_is_audited(app, office_user, make_unit, make_user):
    unit = make_unit("区司法局")
    user = make_user("viewer", username="reader")
    client = signed_in(app, office_user)
    page = client.get(f"/users/{user.id}/edit").get_data(as_text=True)
    assert 'selected value="viewer"' in page and 'value="y"' in page and "checked" in page
    response = client.post(f"/users/{user.id}/edit", data={"display_name": "李联络", "role": "unit",
                                                           "unit_id": str(unit.id), "is_active": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert (user.display_name, user.role, user.unit_id) == ("李联络", "unit", unit.id)
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "user.update")).all()[-1]
    assert event.data["role"] == ["viewer", "unit"]
    # a unit user without a unit is refused with the reason
    response = client.post(f"/users/{user.id}/edit", data={"display_name": "李联络", "role": "unit",
                                                           "unit_id": "", "is_active": "y"})
    assert response.status_code == 422 and "必须指定所属单位" in response.get_data(as_text=True)


def test_office_unlocks_a_locked_account(app, office_user, make_user):
    user = make_user("viewer", username="reader")
    for _ in range(5):
        app.test_client().post("/login", data={"username": "reader", "password": "wrong"})
    response = app.test_client().post("/login", data={"username": "reader", "password": PASSWORD})
    assert response.status_code == 401 and "锁定" in response.get_data(as_text=True)
    client = signed_in(app, office_user)
    page = client.get(f"/users/{user.id}/edit").get_data(as_text=True)
    assert "已锁定至" in page and "解除锁定" in page
    assert client.post(f"/users/{user.id}/unlock").status_code == 302
    signed_in(app, user)
    assert "user.unlock" in actions()


@pytest.mark.parametrize("path", ["/users/{id}/edit", "/users/{id}/password", "/users/{id}/unlock",
                                  "/users/{id}/active"])
def test_only_the_office_manages_users(app, make_user, path):
    reader = make_user("viewer", username="reader")
    client = signed_in(app, reader)
    assert client.post(path.format(id=reader.id)).status_code == 403


# -- the same jobs in the API and the CLI ------------------------------------------------------------
def test_api_password_change_revokes_every_token(app, make_user):
    user = make_user("viewer", username="reader")
    token = issue_token(user, name="t")
    client = app.test_client()
    response = client.post("/api/v1/auth/password", headers=bearer(token),
                           json={"current_password": "wrong", "new_password": NEW_PASSWORD})
    assert response.status_code == 422 and "current_password" in response.get_json()["error"]["details"]["fields"]
    response = client.post("/api/v1/auth/password", headers=bearer(token),
                           json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert response.status_code == 200
    assert client.get("/api/v1/units", headers=bearer(token)).status_code == 401
    signed_in(app, user, NEW_PASSWORD)


def test_api_office_unlocks_and_resets(app, office_user, make_user, token_for):
    user = make_user("viewer", username="reader")
    theirs = issue_token(user, name="t")
    user.locked_until = utcnow_naive() + timedelta(minutes=10)
    db.session.commit()
    headers = token_for(office_user)
    client = app.test_client()
    assert client.post(f"/api/v1/users/{user.id}/unlock", headers=headers).status_code == 200
    assert client.post(f"/api/v1/users/{user.id}/password", headers=headers,
                       json={"password": "short"}).status_code == 422
    assert client.post(f"/api/v1/users/{user.id}/password", headers=headers,
                       json={"password": NEW_PASSWORD}).status_code == 200
    assert client.get("/api/v1/units", headers=bearer(theirs)).status_code == 401
    signed_in(app, user, NEW_PASSWORD)
    assert client.post(f"/api/v1/users/{user.id}/unlock", headers=bearer(issue_token(user, name="x"))).status_code == 403


def test_cli_unlocks_and_resets(app, runner, office_user, monkeypatch):
    import functools

    from pufa_flow.cli import main

    monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)
    invoke = functools.partial(runner.invoke, main)
    office_user.locked_until = utcnow_naive() + timedelta(minutes=10)
    db.session.commit()
    assert invoke(["unlock-user", "office"]).exit_code == 0
    result = invoke(["reset-password", "office", "--password", NEW_PASSWORD])
    assert result.exit_code == 0, result.output
    signed_in(app, office_user, NEW_PASSWORD)
    assert invoke(["reset-password", "office", "--password", "weak"]).exit_code == 1
    assert invoke(["unlock-user", "nobody"]).exit_code == 1
    assert {"user.unlock", "user.password_reset"} <= set(actions())


def test_a_huge_password_is_refused_not_hashed(app, office_user, make_user):
    user = make_user("viewer", username="reader")
    client = signed_in(app, user)
    long = client.post("/account/password", data={"current_password": PASSWORD, "new_password": "a1" * 100,
                                                  "confirm_password": "a1" * 100})
    assert long.status_code == 422 and "不能超过128位" in long.get_data(as_text=True)
    # far beyond any field's limit, the request guard refuses it before any view (or hash) runs
    huge = client.post("/account/password", data={"current_password": PASSWORD, "new_password": "a1" * 100_000,
                                                  "confirm_password": "a1" * 100_000})
    assert huge.status_code == 400


def test_a_session_from_before_epochs_lasts_until_the_first_bump(app, office_user):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(office_user.id)  # what sessions held before this release
        session["_fresh"] = True
    assert client.get("/home").status_code == 200
    signed_in(app, office_user).post("/logout")
    assert_session_ended(client)


def test_a_tokens_last_use_is_kept_at_most_once_a_minute_and_shown(app, office_user):
    from datetime import datetime, timezone

    from pufa_flow import clock

    start = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)
    with clock.frozen(start):
        token = issue_token(office_user, name="script")
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.name == "script"))
    client = app.test_client()

    def last_used():
        db.session.expire_all()
        return db.session.get(ApiToken, row.id).last_used_at

    assert last_used() is None
    with clock.frozen(start + timedelta(minutes=5)):
        assert client.get("/api/v1/units", headers=bearer(token)).status_code == 200
    first = last_used()
    assert first == datetime(2026, 3, 2, 1, 5)
    updated_at = db.session.get(ApiToken, row.id).updated_at
    with clock.frozen(start + timedelta(minutes=5, seconds=59)):
        assert client.get("/api/v1/units", headers=bearer(token)).status_code == 200
    assert last_used() == first  # within the minute: no write
    with clock.frozen(start + timedelta(minutes=6, seconds=1)):
        assert client.get("/api/v1/units", headers=bearer(token)).status_code == 200
        listed = client.get("/api/v1/auth/tokens", headers=bearer(token)).get_json()
    assert last_used() == datetime(2026, 3, 2, 1, 6, 1)
    assert db.session.get(ApiToken, row.id).updated_at == updated_at  # the row's own change time stays
    assert [t["last_used_at"] for t in listed["items"] if t["id"] == row.id] == ["2026-03-02T01:06:01Z"]

    # the page says it in Beijing time; a token never used says so
    issue_token(office_user, name="spare")
    page = signed_in(app, office_user).get("/account/tokens").get_data(as_text=True)
    assert "最近使用" in page and "2026-03-02 09:06" in page and "从未使用" in page
