"""POST /api/v1/items/bulk: the list page's bulk actions (验收销号、催办、统一延期) for programs (issue 10).

The same service as the page (services.items.bulk): office only, one transaction each. An item that
cannot take the action makes the whole request a refusal naming every such item, and nothing is
written — no state, no audit row, no outbox row, no extension record.
"""
from __future__ import annotations

import json
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from pufa_flow import clock
from pufa_flow.converters import MAX_ID
from pufa_flow.extensions import db
from pufa_flow.models import AuditEvent, ItemExtension, OutboxMessage, RectificationItem, ReminderSchedule
from pufa_flow.services import items as item_service, notices, workflow
from test_openapi import validator_for

URL = "/api/v1/items/bulk"
NOON = datetime(2026, 11, 10, 4, 0)  # Tuesday 10 Nov 2026, 12:00 in Shanghai


def issue(office, unit, n: int, due: str = "2026-11-30"):
    with clock.frozen(datetime(2026, 11, 2, 4, 0)):
        notice = notices.create_notice({"unit_id": unit.id, "source": "inspection", "title": "整改通知书",
                                        "items": [{"problem": f"问题{k}", "due_date": due} for k in range(n)]},
                                       actor=office)
    return list(notice.items)


def submit(item, unit_user):
    workflow.fire(item, "acknowledge", actor=unit_user)
    workflow.fire(item, "submit", actor=unit_user, data={"measures": "已整改"})


@pytest.fixture
def world(app, make_unit, make_user, office_user):
    a, b = make_unit("区司法局"), make_unit("区财政局")
    ua, ub = make_user("unit", a), make_user("unit", b)
    mine = issue(office_user, a, 4)
    theirs = issue(office_user, b, 2)
    with clock.frozen(datetime(2026, 11, 3, 4, 0)):
        for item in mine[:3]:
            submit(item, ua)
        submit(theirs[0], ub)
    return {"a": a, "b": b, "ua": ua, "ub": ub, "office": office_user, "submitted": mine[:3], "issued": mine[3],
            "theirs": theirs}


@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").get_json()


def post(client, headers, body, *, raw: bytes | None = None):
    with clock.frozen(NOON):
        if raw is not None:
            return client.post(URL, data=raw, headers={**headers, "Content-Type": "application/json"})
        return client.post(URL, json=body, headers=headers)


def conforms(spec, response) -> list[str]:
    validator = validator_for(spec, URL, "post", str(response.status_code))
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(response.get_json())]


def written() -> dict:
    """Everything a bulk action writes, to compare before and after."""
    db.session.expire_all()
    table = RectificationItem.__table__
    return {"items": [tuple(r) for r in db.session.execute(sa.select(table).order_by(table.c.id))],
            "audit": db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)),
            "outbox": db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)),
            "extensions": db.session.scalar(sa.select(sa.func.count()).select_from(ItemExtension)),
            "schedules": [tuple(r) for r in db.session.execute(
                sa.select(ReminderSchedule.__table__).order_by(ReminderSchedule.id))]}


def status_of(item_id: int) -> str:
    db.session.expire_all()
    return db.session.get(RectificationItem, item_id).status


# -- the three actions ------------------------------------------------------------------------
def test_verify_closes_the_selection_and_audits_each(world, client, token_for, spec):
    first, second, _ = world["submitted"]
    response = post(client, token_for(world["office"]),
                    {"action": "verify", "item_ids": [second.id, first.id, second.id], "comment": "材料齐全"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"action": "verify", "count": 2, "item_ids": [second.id, first.id],
                                   "reminded": [], "repeated": [], "messages": 0,
                                   "message": "已对 2 条整改事项验收销号"}
    assert not conforms(spec, response)
    assert status_of(first.id) == status_of(second.id) == "closed"
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.trigger == "verify")).all()
    assert sorted((e.object_id, e.actor_id, e.comment) for e in events) == sorted(
        [(first.id, world["office"].id, "材料齐全"), (second.id, world["office"].id, "材料齐全")])


def test_remind_queues_messages_once_a_day(world, client, token_for, spec):
    issued, theirs = world["issued"], world["theirs"][1]
    headers = token_for(world["office"])
    response = post(client, headers, {"action": "remind", "item_ids": [issued.id, theirs.id], "comment": None})
    body = response.get_json()
    assert response.status_code == 200, body
    assert not conforms(spec, response)
    assert body["reminded"] == [issued.id, theirs.id] and body["repeated"] == [] and body["messages"] == 2
    assert body["message"] == "已向 2 条整改事项的责任单位发出催办（2 条消息）"  # no contacts: each unit's inbox
    queued = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "manual.remind")).all()
    assert sorted(m.object_id for m in queued) == sorted([issued.id, theirs.id])
    again = post(client, headers, {"action": "remind", "item_ids": [issued.id]}).get_json()
    assert again["reminded"] == [] and again["repeated"] == [issued.id] and again["messages"] == 0
    assert "今天已催办过，未重复发送" in again["message"]
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "item.remind")) == 2


def test_extend_moves_deadlines_as_approved_extensions(world, client, token_for, spec):
    issued, theirs = world["issued"], world["theirs"][1]
    response = post(client, token_for(world["office"]), {"action": "extend", "item_ids": [issued.id, theirs.id],
                                                         "new_due_date": "2026-12-31", "comment": "汛期顺延"})
    assert response.status_code == 200, response.get_json()
    assert not conforms(spec, response)
    assert response.get_json()["message"] == "已对 2 条整改事项统一延期"
    db.session.expire_all()
    for item_id in (issued.id, theirs.id):
        item = db.session.get(RectificationItem, item_id)
        assert item.due_date == date(2026, 12, 31)
        (ext,) = item.extensions
        assert (ext.status, ext.old_due_date, ext.decided_by_id, ext.reason) == (
            "approved", date(2026, 11, 30), world["office"].id, "汛期顺延")


# -- all or nothing -----------------------------------------------------------------------------
@pytest.mark.parametrize("action,extra,bad", [
    ("verify", {}, "issued"),                                   # wrong state: 409 transition_refused
    ("remind", {}, "closed"),                                   # nothing to chase: 422
    ("extend", {"new_due_date": "2026-12-31"}, "closed"),       # closed: 422
    ("extend", {"new_due_date": "2026-12-10"}, "later"),        # not later than its deadline: 422
    ("verify", {}, "unknown"),                                  # no such item: 404
])
def test_a_failure_mid_selection_writes_nothing(world, client, token_for, spec, action, extra, bad):
    first, second, third = world["submitted"]
    if bad == "closed":
        workflow.fire(second, "verify", actor=world["office"])
        bad_id = second.id
    elif bad == "later":
        with clock.frozen(NOON):
            item_service.extend(second, date(2026, 12, 20), None, actor=world["office"])
        bad_id = second.id
    elif bad == "unknown":
        bad_id = MAX_ID
    else:
        bad_id = world["issued"].id
    selection = [first.id, bad_id, third.id] if bad != "issued" else [first.id, bad_id, second.id, third.id]
    headers = token_for(world["office"])
    before = written()
    response = post(client, headers, {"action": action, "item_ids": selection, **extra})
    body = response.get_json()
    expected = {"issued": 409, "closed": 422, "later": 422, "unknown": 404}[bad]
    assert response.status_code == expected, body
    assert not conforms(spec, response)
    assert body["error"]["code"] == "bulk_refused"
    (refusal,) = body["error"]["details"]["refused"]
    assert refusal["item_id"] == bad_id and refusal["status"] == expected and f"#{bad_id}" in refusal["message"]
    assert f"#{bad_id}" in body["error"]["message"]
    assert written() == before


def test_a_refusal_names_every_item_and_takes_the_gravest_status(world, client, token_for, spec):
    first, second, _ = world["submitted"]
    issued, theirs = world["issued"], world["theirs"]
    headers = token_for(world["office"])
    before = written()
    response = post(client, headers,
                    {"action": "verify", "item_ids": [first.id, issued.id, 999_999, theirs[1].id, second.id]})
    body = response.get_json()
    assert response.status_code == 404 and not conforms(spec, response)
    refused = {r["item_id"]: (r["status"], r["code"], r["reason"]) for r in body["error"]["details"]["refused"]}
    assert refused == {issued.id: (409, "transition_refused", "wrong_state"), 999_999: (404, "not_found", None),
                       theirs[1].id: (409, "transition_refused", "wrong_state")}
    assert body["error"]["message"].startswith("3 条整改事项不能验收销号：")
    assert "整改事项#999999不存在" in body["error"]["message"]
    assert written() == before
    # the same selection without the unknown id: a conflict with the items' states
    response = post(client, headers, {"action": "verify", "item_ids": [first.id, issued.id]})
    assert response.status_code == 409 and response.get_json()["error"]["details"]["refused"][0]["item_id"] == issued.id


def test_the_single_item_api_agrees_on_each_refusal(world, client, token_for):
    """Each refused item answers in the bulk as it does on its own (status; 404 for an unknown id)."""
    headers = token_for(world["office"])
    issued = world["issued"]
    alone = client.post(f"/api/v1/items/{issued.id}/transitions", json={"trigger": "verify"}, headers=headers)
    bulk = post(client, headers, {"action": "verify", "item_ids": [issued.id]})
    assert alone.status_code == bulk.status_code == 409
    assert bulk.get_json()["error"]["details"]["refused"][0]["message"] == alone.get_json()["error"]["message"]
    assert client.get("/api/v1/items/999999", headers=headers).status_code == 404
    assert post(client, headers, {"action": "remind", "item_ids": [999_999]}).status_code == 404


# -- who may -----------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["unit", "viewer", "evaluator", "panel"])
def test_only_the_office_may_act_on_any_items_in_any_state(world, client, token_for, make_user, role):
    user = world["ua"] if role == "unit" else make_user(role)
    every = [i.id for i in world["submitted"]] + [world["issued"].id] + [i.id for i in world["theirs"]]
    workflow.fire(world["submitted"][2], "verify", actor=world["office"])  # a closed one too
    headers = token_for(user)
    before = written()
    for action, extra in (("verify", {}), ("remind", {}), ("extend", {"new_due_date": "2026-12-31"})):
        for ids in ([world["submitted"][0].id], [world["theirs"][0].id], every, [999_999]):
            response = post(client, headers, {"action": action, "item_ids": ids, **extra})
            assert response.status_code == 403, (role, action, ids, response.get_json())
            assert set(response.get_json()) == {"error"} and "区财政局" not in response.get_data(as_text=True)
    # the page's form too
    from test_isolation import _session_client

    page = _session_client(client.application, user).post("/items/bulk", data={"action": "verify", "ids": every})
    assert page.status_code == 403
    assert written() == before


def test_the_service_itself_refuses_other_roles(world):
    with pytest.raises(item_service.Forbidden):
        item_service.bulk([world["issued"].id], "remind", actor=world["ua"])


@pytest.mark.parametrize("item_ids,action", [([1], ["verify"]), ([1], {"a": 1}), ([1], None), ("12", "verify"),
                                             ({1: 1}, "verify"), ([{"id": 1}], "remind")])
def test_the_service_refuses_odd_inputs_plainly(world, item_ids, action):
    """Whatever a face passes (the page's strings, a program's JSON), a user's mistake, never a TypeError."""
    with pytest.raises(item_service.ValidationFailed):
        item_service.bulk(item_ids, action, actor=world["office"])


def test_without_a_token_401(client):
    assert client.post(URL, json={"action": "verify", "item_ids": [1]}).status_code == 401


# -- what the request may be -------------------------------------------------------------------
BAD_BODIES = [
    ({"action": "verify"}, 422, "item_ids"),
    ({"action": "verify", "item_ids": []}, 422, "item_ids"),
    ({"action": "verify", "item_ids": "1,2"}, 422, "item_ids"),
    ({"action": "verify", "item_ids": {"1": 2}}, 422, "item_ids"),
    ({"action": "verify", "item_ids": ["5"]}, 422, "item_ids"),
    ({"action": "verify", "item_ids": [True]}, 422, "item_ids"),
    ({"action": "verify", "item_ids": [1.5]}, 422, "item_ids"),
    ({"action": "verify", "item_ids": [None]}, 422, "item_ids"),
    ({"action": "verify", "item_ids": [[1]]}, 422, "item_ids"),
    ({"action": "verify", "item_ids": [0]}, 422, "item_ids"),
    ({"action": "verify", "item_ids": [-3]}, 422, "item_ids"),
    ({"action": "verify", "item_ids": [MAX_ID + 1]}, 422, "item_ids"),
    ({"action": "verify", "item_ids": [2**63]}, 422, "item_ids"),
    ({"action": "verify", "item_ids": [10**40]}, 422, "item_ids"),
    ({"action": "verify", "item_ids": list(range(1, item_service.MAX_BULK + 2))}, 422, "item_ids"),
    ({"action": "verify", "item_ids": ["x"] * 50_000}, 422, "item_ids"),
    ({"item_ids": [1]}, 422, "action"),
    ({"action": "delete", "item_ids": [1]}, 422, "action"),
    ({"action": 1, "item_ids": [1]}, 422, "action"),
    ({"action": ["verify"], "item_ids": [1]}, 422, "action"),
    ({"action": "verify", "item_ids": [1], "due_date": "2026-12-31"}, 422, "due_date"),
    ({"action": "verify", "item_ids": [1], "reason": "x"}, 422, "reason"),
    ({"action": "verify", "item_ids": [1], "new_due_date": "2026-12-31"}, 422, "new_due_date"),
    ({"action": "extend", "item_ids": [1]}, 422, "new_due_date"),
    ({"action": "extend", "item_ids": [1], "new_due_date": None}, 422, "new_due_date"),
    ({"action": "extend", "item_ids": [1], "new_due_date": "2026-13-01"}, 422, "new_due_date"),
    ({"action": "extend", "item_ids": [1], "new_due_date": "20261231"}, 422, "new_due_date"),
    ({"action": "extend", "item_ids": [1], "new_due_date": 20261231}, 422, "new_due_date"),
    ({"action": "extend", "item_ids": [1], "new_due_date": "0001-01-01"}, 422, "new_due_date"),
    ({"action": "remind", "item_ids": [1], "comment": 5}, 422, "comment"),
    ({"action": "remind", "item_ids": [1], "comment": "长" * 2001}, 422, "comment"),
    ({"action": "remind", "item_ids": [1], "comment": "a\x00b"}, 422, None),
]


@pytest.mark.parametrize("body,status,field", BAD_BODIES,
                         ids=[f"{n}-{f}" for n, (_, _, f) in enumerate(BAD_BODIES)])
def test_bad_bodies_are_refused_plainly_before_anything_is_done(world, client, token_for, spec, body, status, field):
    headers = token_for(world["office"])
    before = written()
    response = post(client, headers, body)
    assert response.status_code == status, response.get_json()
    assert not conforms(spec, response)
    if field:
        assert field in response.get_json()["error"]["details"]["fields"]
    assert written() == before


@pytest.mark.parametrize("raw", [b"", b"[1, 2]", b'"verify"', b"{", b'{"action": "verify", "item_ids": [1e400]}',
                                 b'{"action": "verify", "item_ids": [NaN]}', b"[" * 100 + b"]" * 100])
def test_malformed_json_is_a_400(world, client, token_for, spec, raw):
    response = post(client, token_for(world["office"]), None, raw=raw)
    assert response.status_code == 400 and not conforms(spec, response)


def test_ids_as_big_as_the_database_holds_are_just_unknown(world, client, token_for):
    response = post(client, token_for(world["office"]), {"action": "verify", "item_ids": [MAX_ID]})
    assert response.status_code == 404
    assert response.get_json()["error"]["details"]["refused"] == [
        {"item_id": MAX_ID, "status": 404, "code": "not_found", "reason": None,
         "message": f"整改事项#{MAX_ID}不存在"}]


def test_a_full_selection_of_the_most_items_is_taken(world, client, token_for):
    """MAX_BULK ids of which most do not exist: one refusal listing them all (loaded in chunks), no 500."""
    ids = [world["issued"].id] + list(range(MAX_ID - item_service.MAX_BULK + 2, MAX_ID + 1))
    response = post(client, token_for(world["office"]), {"action": "remind", "item_ids": ids})
    body = response.get_json()
    assert response.status_code == 404
    assert len(body["error"]["details"]["refused"]) == item_service.MAX_BULK - 1
    assert body["error"]["message"].endswith(f"另有 {item_service.MAX_BULK - 11} 条")


# -- the document --------------------------------------------------------------------------
def test_the_schemas_state_what_the_server_enforces(spec):
    schemas = spec["components"]["schemas"]
    variants = {v["properties"]["action"]["const"]: v for v in schemas["ItemBulkInput"]["oneOf"]}
    assert set(variants) == set(item_service.BULK_ACTIONS)
    for action, variant in variants.items():
        assert variant["additionalProperties"] is False
        ids = variant["properties"]["item_ids"]
        assert (ids["minItems"], ids["maxItems"]) == (1, item_service.MAX_BULK)
        assert ids["items"] == {"type": "integer", "minimum": 1, "maximum": MAX_ID}
        assert variant["properties"]["comment"]["maxLength"] == 2000
        assert ("new_due_date" in variant["required"]) == (action == "extend")
        assert ("new_due_date" in variant["properties"]) == (action == "extend")
    assert variants["extend"]["properties"]["new_due_date"]["pattern"] == "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
    op = spec["paths"][URL]["post"]
    assert set(op["responses"]) == {"200", "400", "401", "403", "404", "409", "422"}
    assert op["responses"]["409"]["content"]["application/json"]["schema"]["anyOf"][0] == {
        "$ref": "#/components/schemas/ItemBulkRefused"}


def test_the_result_and_refusal_schemas_are_exact(world, client, token_for, spec):
    headers = token_for(world["office"])
    ok = post(client, headers, {"action": "verify", "item_ids": [world["submitted"][0].id]}).get_json()
    refused = post(client, headers, {"action": "verify", "item_ids": [world["issued"].id]})
    ok_validator = validator_for(spec, URL, "post", "200")
    assert not list(ok_validator.iter_errors(ok))
    assert list(ok_validator.iter_errors({k: v for k, v in ok.items() if k != "repeated"}))
    assert list(ok_validator.iter_errors({**ok, "extra": 1}))
    body = refused.get_json()
    assert not list(validator_for(spec, URL, "post", "409").iter_errors(body))
    schemas = spec["components"]["schemas"]
    from jsonschema import Draft202012Validator

    narrow = Draft202012Validator(schemas["ItemBulkRefused"])
    assert not list(narrow.iter_errors(body))
    broken = json.loads(json.dumps(body))
    del broken["error"]["details"]["refused"][0]["reason"]
    assert list(narrow.iter_errors(broken))


# -- the page shares the service ----------------------------------------------------------------
def test_the_page_names_the_refused_items_and_changes_nothing(world, client, login):
    first = world["submitted"][0]
    issued = world["issued"]
    login(world["office"])
    before = written()
    page = client.post("/items/bulk", data={"action": "verify", "ids": [first.id, issued.id]}, follow_redirects=True)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"1 条整改事项不能验收销号：整改事项#{issued.id} 当前状态为「已下发」" in text and "（未作任何修改）" in text
    assert written() == before
