"""Firing triggers through the service and the API, on a real database."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa
from helpers import IN_SELF_ASSESSMENT, assign, fill_self_assessment, new_cycle, new_notice, walk_item

from pufa_flow import clock

from pufa_flow import clock
from pufa_flow.errors import Conflict, ValidationFailed
from pufa_flow.extensions import db
from pufa_flow.models import AuditEvent, Contact, OutboxMessage, RectificationItem, UnitAssessment
from pufa_flow.models.stateful import StateChangeOutsideWorkflow
from pufa_flow.services import notices, workflow
from workflows import ITEM, TransitionRefused


@pytest.fixture
def setup(make_unit, make_user, office_user):
    unit = make_unit("区司法局")
    db.session.add(Contact(unit_id=unit.id, role="liaison", name="王敏", phone="13800138000",
                           email="wangmin@example.cn"))
    db.session.commit()
    return {"unit": unit, "unit_user": make_user("unit", unit), "office": office_user}


def count(model, *where):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def post(client, headers, path, **body):
    return client.post(path, json=body, headers=headers)


def test_item_lifecycle_over_http_writes_audit_and_outbox(client, setup, token_for):
    notice = new_notice(setup["office"], setup["unit"], n_items=1)
    item_id = notice.items[0].id
    unit_h, office_h = token_for(setup["unit_user"]), token_for(setup["office"])
    url = f"/api/v1/items/{item_id}/transitions"

    r = client.get(f"/api/v1/items/{item_id}", headers=unit_h)
    assert r.json["status"] == "issued" and r.json["allowed_triggers"] == ["acknowledge"]
    assert r.json["status_label"] == "已下发" and r.json["is_overdue"] is False

    assert post(client, unit_h, url, trigger="acknowledge").json["status"] == "in_progress"
    r = post(client, unit_h, url, trigger="submit", measures="已补齐普法档案")
    assert r.status_code == 200 and r.json["status"] == "submitted" and r.json["measures"] == "已补齐普法档案"
    assert r.json["allowed_triggers"] == []  # the unit waits for the office now
    r = post(client, office_h, url, trigger="send_back", comment="缺少佐证材料")
    assert r.json["status"] == "in_progress"
    post(client, unit_h, url, trigger="submit", measures="补充了照片和会议记录")
    r = post(client, office_h, url, trigger="verify")
    assert r.json["status"] == "closed" and r.json["status_label"] == "已销号"

    history = client.get(f"/api/v1/items/{item_id}/history", headers=unit_h).json["items"]
    assert [(h["trigger"], h["from"], h["to"]) for h in history] == [
        ("acknowledge", "issued", "in_progress"), ("submit", "in_progress", "submitted"),
        ("send_back", "submitted", "in_progress"), ("submit", "in_progress", "submitted"),
        ("verify", "submitted", "closed")]
    assert history[2]["comment"] == "缺少佐证材料"
    # issuing the notice, send_back and verify told the unit (liaison email + unit inbox);
    # the submits told the office inbox
    to_liaison = count(OutboxMessage, OutboxMessage.recipient == "wangmin@example.cn")
    to_unit_inbox = count(OutboxMessage, OutboxMessage.recipient == f"unit:{setup['unit'].id}")
    to_office = count(OutboxMessage, OutboxMessage.recipient == "office", OutboxMessage.channel == "in_app")
    assert (to_liaison, to_unit_inbox, to_office) == (3, 3, 2)
    sent_back = db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.channel == "email", OutboxMessage.subject.not_like("%整改通知书%"))
        .order_by(OutboxMessage.id)).first()
    assert "退回整改" in sent_back.subject and "缺少佐证材料" in sent_back.body
    assert db.session.get(RectificationItem, item_id).closed_at is not None


@pytest.mark.parametrize("who,trigger,body,status,reason", [
    ("office", "acknowledge", {}, 403, "forbidden_role"),
    ("unit", "verify", {}, 409, "wrong_state"),
    ("unit", "fly", {}, 409, "unknown_trigger"),
    ("office", "cancel", {}, 422, "comment_required"),
])
def test_refusals_carry_the_envelope_and_change_nothing(client, setup, token_for, who, trigger, body, status, reason):
    item = new_notice(setup["office"], setup["unit"], n_items=1).items[0]
    headers = token_for(setup["unit_user"] if who == "unit" else setup["office"])
    audit_before = count(AuditEvent)
    r = post(client, headers, f"/api/v1/items/{item.id}/transitions", trigger=trigger, **body)
    assert r.status_code == status
    err = r.json["error"]
    assert err["code"] == "transition_refused" and err["details"]["reason"] == reason
    assert err["details"]["state"] == "issued"
    assert "已下发" in err["message"]
    db.session.expire_all()
    assert db.session.get(RectificationItem, item.id).status == "issued"
    assert count(AuditEvent) == audit_before


def test_guard_failure_names_the_rule_and_force_needs_a_reason(client, setup, token_for):
    cycle = new_cycle(setup["office"], [])  # no units: `start` is guarded
    headers = token_for(setup["office"])
    url = f"/api/v1/cycles/{cycle.id}/transitions"
    r = post(client, headers, url, trigger="start")
    assert r.status_code == 409 and r.json["error"]["details"]["reason"] == "guard_failed"
    assert "已纳入考评单位" in r.json["error"]["details"]["failed_guards"]
    assert post(client, headers, url, trigger="start", force=True).status_code == 422
    r = post(client, headers, url, trigger="start", force=True, comment="先启动，单位名单随后补录")
    assert r.status_code == 200 and r.json["status"] == "self_assessment"
    row = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.trigger == "start")).one()
    assert row.data["forced"] is True and row.comment == "先启动，单位名单随后补录"


def test_full_cycle_with_assessments(client, setup, token_for, make_user):
    office, unit_user = setup["office"], setup["unit_user"]
    cycle = new_cycle(office, [setup["unit"]])
    oh, uh = token_for(office), token_for(unit_user)
    panel = make_user("panel")
    assign(panel, cycle, [setup["unit"]])
    panel_h = token_for(panel)
    curl = f"/api/v1/cycles/{cycle.id}/transitions"
    assert post(client, oh, curl, trigger="start").json["status"] == "self_assessment"
    a = client.get(f"/api/v1/cycles/{cycle.id}/assessments", headers=uh).json["items"][0]
    aurl = f"/api/v1/assessments/{a['id']}/transitions"
    assert post(client, oh, curl, trigger="begin_field_research").status_code == 409  # not submitted yet
    # the score is computed from the saved sheet (10 - 2 for n23-03-c), never typed
    assert post(client, uh, aurl, trigger="submit", self_score=92.5).status_code == 422
    with clock.frozen(IN_SELF_ASSESSMENT):
        fill_self_assessment(db.session.get(UnitAssessment, a["id"]), unit_user)
        assert post(client, uh, aurl, trigger="submit").json["self_score"] == "98.00"
    assert post(client, oh, curl, trigger="begin_field_research").json["status"] == "field_research"
    assert post(client, oh, aurl, trigger="accept").json["status"] == "accepted"
    assert post(client, oh, curl, trigger="begin_acceptance").json["status"] == "acceptance"
    # scores, grades, publishing and archiving have their own services: the generic API refuses them,
    # and a typed review score never reaches the assessment
    for headers, url, body in ((panel_h, aurl, {"trigger": "finalize_score", "review_score": 96}),
                               (oh, aurl, {"trigger": "finalize_score"}),
                               (panel_h, aurl, {"trigger": "assign_grade", "grade": "优秀"}),
                               (oh, curl, {"trigger": "publish_results"}), (oh, curl, {"trigger": "archive"})):
        r = post(client, headers, url, **body)
        assert r.status_code in (409, 422), r.json
    assert db.session.get(UnitAssessment, a["id"]).review_score is None
    r = client.post(f"/api/v1/assessments/{a['id']}/final-score", headers=oh, json={"score": 96, "reason": "书面评分"})
    assert r.json["status"] == "scored", r.json
    assert client.post(f"/api/v1/cycles/{cycle.id}/publish", headers=oh).status_code == 409  # ungraded unit
    r = client.post(f"/api/v1/cycles/{cycle.id}/grades/confirm", headers=oh)
    assert r.json["items"][0]["grade"] == "excellent", r.json
    assert client.post(f"/api/v1/cycles/{cycle.id}/publish", headers=oh).json["status"] == "results"
    assert client.post(f"/api/v1/cycles/{cycle.id}/archive", headers=oh).json["status"] == "archived"
    assert client.get(aurl.replace("/transitions", ""), headers=oh).json["status"] == "closed"


@pytest.mark.parametrize("trigger,data,field", [
    ("assign_grade", {"grade": "特等"}, "grade"),
    ("assign_grade", {}, "grade"),
    ("finalize_score", {"review_score": 130}, "review_score"),
    ("finalize_score", {"review_score": "九十"}, "review_score"),
    ("accept", {"grade": "excellent"}, "grade"),  # a field this trigger does not take
])
def test_bad_inputs_are_422_and_leave_no_trace(setup, trigger, data, field):
    cycle = new_cycle(setup["office"], [setup["unit"]])
    workflow.fire(cycle, "start", actor=setup["office"])
    a = db.session.scalars(sa.select(UnitAssessment)).one()
    workflow.fire(a, "submit", actor=setup["unit_user"])
    if trigger != "accept":
        workflow.fire(a, "accept", actor=setup["office"])
    if trigger == "assign_grade":
        workflow.fire(a, "finalize_score", actor=setup["office"], data={"review_score": 90})
    before = (a.status, a.version, count(AuditEvent))
    with pytest.raises(ValidationFailed) as info:
        workflow.fire(a, trigger, actor=setup["office"], data=data)
    assert field in info.value.fields
    db.session.expire_all()
    a = db.session.get(UnitAssessment, a.id)
    assert (a.status, a.version, count(AuditEvent)) == before


def test_extension_moves_the_deadline_and_audits_old_and_new(setup):
    item = new_notice(setup["office"], setup["unit"], n_items=1).items[0]
    old = item.due_date
    walk_item(item, setup["unit_user"], setup["office"], "in_progress")
    new = old + timedelta(days=20)
    with pytest.raises(ValidationFailed):
        workflow.fire(item, "request_extension", actor=setup["unit_user"], comment="需要更多时间",
                      data={"new_due_date": old.isoformat()})
    workflow.fire(item, "request_extension", actor=setup["unit_user"], comment="材料需上级审批",
                  data={"new_due_date": new.isoformat()})
    assert item.requested_due_date == new and item.due_date == old
    workflow.fire(item, "approve_extension", actor=setup["office"])
    assert item.due_date == new and item.requested_due_date is None
    row = workflow.history(item)[-1]
    assert row.data["changes"]["due_date"] == [old.isoformat(), new.isoformat()]


def test_an_effect_that_raises_rolls_back_state_audit_and_outbox(setup, monkeypatch):
    item = new_notice(setup["office"], setup["unit"], n_items=1).items[0]
    walk_item(item, setup["unit_user"], setup["office"], "submitted")
    before = (count(AuditEvent), count(OutboxMessage))

    def boom(self, event):
        raise RuntimeError("effect failed")
    monkeypatch.setattr(RectificationItem, "apply_closure", boom)
    with pytest.raises(RuntimeError, match="effect failed"):
        workflow.fire(item, "verify", actor=setup["office"])
    db.session.expire_all()
    fresh = db.session.get(RectificationItem, item.id)
    assert fresh.status == "submitted" and fresh.closed_at is None
    assert (count(AuditEvent), count(OutboxMessage)) == before


def test_stale_version_is_a_conflict(client, setup, token_for):
    item = new_notice(setup["office"], setup["unit"], n_items=1).items[0]
    r = post(client, token_for(setup["unit_user"]), f"/api/v1/items/{item.id}/transitions",
             trigger="acknowledge", version=item.version + 5)
    assert r.status_code == 409 and r.json["error"]["details"]["reason"] == "stale"
    with pytest.raises(Conflict):
        workflow.fire(item, "acknowledge", actor=setup["unit_user"], expected_version=item.version + 1)


def test_writing_a_state_column_outside_the_workflow_is_refused(setup):
    item = new_notice(setup["office"], setup["unit"], n_items=1).items[0]
    item.status = "closed"
    with pytest.raises(StateChangeOutsideWorkflow):
        db.session.commit()
    db.session.rollback()
    notice = new_notice(setup["office"], setup["unit"], n_items=1)
    db.session.add(RectificationItem(notice_id=notice.id, unit_id=setup["unit"].id, seq=9, problem="x",
                                     due_date=date.today(), status="closed"))
    with pytest.raises(StateChangeOutsideWorkflow):
        db.session.commit()
    db.session.rollback()


EVE = date(2026, 9, 30)          # Wednesday, the last working day before National Day
IN_HOLIDAY = date(2026, 10, 3)   # a Saturday inside the holiday: the deadline moves to Thursday 8 October
BACK = date(2026, 10, 8)         # the first working day back
NEXT = date(2026, 10, 9)         # the working day after


@pytest.mark.parametrize("today, expected", [
    (EVE, {}),
    (date(2026, 10, 1), {EVE: 1}),            # overdue the day after, holiday or not
    (BACK, {EVE: 8}),                         # due in the holiday: not overdue on the day back
    (NEXT, {EVE: 9, IN_HOLIDAY: 1, BACK: 1}),
])
def test_overdue_is_computed_the_same_in_python_and_sql(client, setup, token_for, today, expected):
    """Deadlines one working day apart around a holiday: only the moved-deadline rule gives these answers."""
    dues = [EVE, IN_HOLIDAY, BACK, NEXT]
    items = [{"problem": f"问题{d}", "requirement": "要求", "due_date": d.isoformat(), "category": "archives"}
             for d in dues]
    with clock.frozen(datetime(2026, 9, 1, 4)):
        notice = notices.create_notice({"unit_id": setup["unit"].id, "source": "inspection", "title": "整改通知书",
                                        "items": items}, actor=setup["office"])
    by_due = {i.due_date: i.id for i in notice.items}
    headers = token_for(setup["office"])
    with clock.frozen(datetime(today.year, today.month, today.day, 4)):  # noon in Shanghai
        listed = client.get("/api/v1/items?overdue=1", headers=headers).json["items"]  # SQL
        each = {d: client.get(f"/api/v1/items/{by_due[d]}", headers=headers).json for d in dues}  # Python
    assert {i["id"]: i["days_overdue"] for i in listed} == {by_due[d]: n for d, n in expected.items()}
    assert {d: (e["is_overdue"], e["days_overdue"]) for d, e in each.items()} == {
        d: (d in expected, expected.get(d, 0)) for d in dues}


def test_an_unknown_status_filter_is_a_400(client, setup, token_for):
    assert client.get("/api/v1/items?status=bogus", headers=token_for(setup["office"])).status_code == 400


def test_replaying_the_audit_log_reproduces_the_state(setup):
    item = new_notice(setup["office"], setup["unit"], n_items=1).items[0]
    walk_item(item, setup["unit_user"], setup["office"], "closed")
    steps = [(e.trigger, e.from_state, e.to_state) for e in workflow.history(item) if e.trigger]
    assert ITEM.replay(steps) == item.status == "closed"


def test_refused_transition_via_service_raises_domain_error(setup):
    item = new_notice(setup["office"], setup["unit"], n_items=1).items[0]
    with pytest.raises(TransitionRefused) as info:
        workflow.fire(item, "verify", actor=setup["office"])
    assert info.value.allowed == ["cancel"]


def test_a_transition_leaves_the_object_clean_and_current(setup):
    item = new_notice(setup["office"], setup["unit"], n_items=1).items[0]
    version = item.version
    workflow.fire(item, "acknowledge", actor=setup["unit_user"])
    assert item not in db.session.dirty and not sa.inspect(item).modified
    assert (item.status, item.version) == ("in_progress", version + 1)
    db.session.expire_all()
    fresh = db.session.get(RectificationItem, item.id)
    assert (fresh.status, fresh.version) == ("in_progress", version + 1)
