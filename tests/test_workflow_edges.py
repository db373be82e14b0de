"""Edges of ``workflow.fire`` and ``history`` found by mutants that survived."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from helpers import new_notice

from pufa_flow.errors import Conflict, ValidationFailed
from pufa_flow.extensions import db
from pufa_flow.models import AuditEvent, RectificationItem
from pufa_flow.services import workflow


@pytest.fixture
def two_items(make_unit, make_user, office_user):
    unit = make_unit("区司法局")
    unit_user = make_user("unit", unit)
    items = new_notice(office_user, unit, n_items=2).items
    return items, unit_user, office_user


def test_a_row_changed_behind_the_session_is_a_conflict_naming_the_object(app, backend, two_items):
    """Another writer bumped the version after we read it: the versioned UPDATE matches no row."""
    if backend == "postgresql":
        pytest.skip("PostgreSQL re-reads the row under FOR UPDATE, so the write is never stale there")
    (item, _), unit_user, _ = two_items
    label = item.workflow_label
    with db.engine.begin() as other:  # a second connection: the session's copy of the item is now stale
        other.execute(sa.update(RectificationItem.__table__).where(RectificationItem.__table__.c.id == item.id)
                      .values(version=RectificationItem.__table__.c.version + 1))
    with pytest.raises(Conflict) as info:
        workflow.fire(item, "acknowledge", actor=unit_user)
    assert info.value.details["reason"] == "stale"
    assert info.value.message == f"{label}已被他人修改，请刷新后重试"
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.trigger == "acknowledge")) == 0


def test_history_is_one_objects_moves_in_order(two_items):
    (first, second), unit_user, office = two_items
    workflow.fire(second, "acknowledge", actor=unit_user)
    workflow.fire(first, "acknowledge", actor=unit_user)
    workflow.fire(second, "submit", actor=unit_user, data={"measures": "已整改"})
    workflow.fire(first, "cancel", actor=office, comment="重复下发")
    assert [(e.object_type, e.object_id, e.trigger) for e in workflow.history(first)] == [
        ("item", first.id, "acknowledge"), ("item", first.id, "cancel")]
    assert [e.trigger for e in workflow.history(second)] == ["acknowledge", "submit"]


def test_a_role_that_may_not_fire_is_refused_for_its_role_before_its_input_is_checked(two_items):
    """The office pressing the unit's "submit" without measures: 403 for the role, not 422 for the field."""
    from workflows import TransitionRefused

    (item, _), unit_user, office = two_items
    workflow.fire(item, "acknowledge", actor=unit_user)
    with pytest.raises(TransitionRefused) as info:
        workflow.fire(item, "submit", actor=office, data={})
    assert info.value.reason == "forbidden_role"
    assert item.status == "in_progress"


def test_a_phase_change_recounts_under_its_locks_what_a_page_counted_before(make_unit, make_user, office_user):
    """The cycle's buttons cached its assessment counts; another writer then submitted the last
    assessment. Firing must count again (what the locks now protect), not trust the page's cache."""
    from helpers import new_cycle

    from pufa_flow.models import Cycle, UnitAssessment

    unit = make_unit()
    cycle = new_cycle(office_user, [unit])
    workflow.fire(cycle, "start", actor=office_user)
    assert "begin_field_research" not in cycle.allowed_triggers("office")  # counted: one unit not submitted
    table = UnitAssessment.__table__
    with db.engine.begin() as other:  # the unit submits through another connection meanwhile
        other.execute(sa.update(table).where(table.c.cycle_id == cycle.id)
                      .values(status="submitted", version=table.c.version + 1))
    workflow.fire(cycle, "begin_field_research", actor=office_user)
    db.session.expire_all()
    assert db.session.get(Cycle, cycle.id).status == "field_research"


def test_the_audit_row_carries_the_unit_and_what_the_trigger_carried(two_items):
    """The audit log is filtered by unit, and an extension's requested date is part of what was decided."""
    (item, _), unit_user, office = two_items
    workflow.fire(item, "acknowledge", actor=unit_user)
    new = item.due_date.replace(year=item.due_date.year + 1).isoformat()
    workflow.fire(item, "request_extension", actor=unit_user, comment="需上级审批", data={"new_due_date": new})
    rows = workflow.history(item)
    assert [r.unit_id for r in rows] == [item.unit_id, item.unit_id]
    assert rows[-1].data["new_due_date"] == new and rows[-1].comment == "需上级审批"


@pytest.mark.parametrize("junk", ["x" * (workflow.MAX_TRIGGER + 1), 7, None, ["acknowledge"]])
def test_a_junk_trigger_is_a_422_on_the_field_not_echoed(two_items, junk):
    (item, _), unit_user, _ = two_items
    with pytest.raises(ValidationFailed) as info:
        workflow.fire(item, junk, actor=unit_user)
    assert list(info.value.fields) == ["trigger"] and "x" * 10 not in info.value.message
    assert item.status == "issued" and workflow.history(item) == []


def test_a_trigger_of_the_longest_allowed_length_is_refused_as_unknown_naming_the_allowed_ones(two_items):
    from workflows import TransitionRefused

    (item, _), unit_user, _ = two_items
    with pytest.raises(TransitionRefused) as info:
        workflow.fire(item, "x" * workflow.MAX_TRIGGER, actor=unit_user)
    assert "acknowledge" in info.value.allowed


def test_a_comment_is_kept_trimmed_on_several_lines_and_a_blank_one_is_no_comment(two_items):
    (item, _), unit_user, office = two_items
    workflow.fire(item, "acknowledge", actor=unit_user, comment="  已收到，\n正在整改  ")
    workflow.fire(item, "submit", actor=unit_user, comment="   ", data={"measures": "已整改"})
    assert [e.comment for e in workflow.history(item)] == ["已收到，\n正在整改", None]


def test_a_comment_too_long_for_the_audit_log_is_a_422_naming_the_field(two_items):
    from pufa_flow.services.validation import MAX_LEN

    (item, _), unit_user, _ = two_items
    too_long = "说" * (MAX_LEN["comment"] + 1)
    with pytest.raises(ValidationFailed) as info:
        workflow.fire(item, "acknowledge", actor=unit_user, comment=too_long)
    assert info.value.fields == {"comment": f"说明不能超过{MAX_LEN['comment']}个字符（现有{len(too_long)}个）"}
    assert item.status == "issued" and workflow.history(item) == []
    workflow.fire(item, "acknowledge", actor=unit_user, comment=too_long[:-1])  # the limit itself is fine


def test_an_expected_version_that_moved_on_is_a_conflict_naming_the_object(two_items):
    (item, _), unit_user, _ = two_items
    with pytest.raises(Conflict) as info:
        workflow.fire(item, "acknowledge", actor=unit_user, expected_version=item.version - 1)
    assert info.value.message == f"{item.workflow_label}已被他人修改，请刷新后重试"
    assert info.value.details == {"reason": "stale"} and workflow.history(item) == []
    workflow.fire(item, "acknowledge", actor=unit_user, expected_version=item.version)
    assert item.status == "in_progress"


def test_a_step_that_keeps_the_reminder_plan_does_not_read_the_reminder_rows(two_items):
    """Acknowledging keeps the item chased against its deadline: its rows already match, so the
    transition neither reads nor writes them; submitting changes the ladder, so it does."""
    (item, _), unit_user, _ = two_items
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)
    sa.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        workflow.fire(item, "acknowledge", actor=unit_user)
        acknowledging = [s for s in statements if "reminder_schedules" in s]
        statements.clear()
        workflow.fire(item, "submit", actor=unit_user, data={"measures": "已整改"})
        submitting = [s for s in statements if "reminder_schedules" in s]
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", seen)
    assert acknowledging == []
    assert submitting


def test_the_audit_row_says_who_moved_what_from_where_to_where(two_items):
    (item, _), unit_user, _ = two_items
    workflow.fire(item, "acknowledge", actor=unit_user, comment="已收到")
    (row,) = workflow.history(item)
    assert (row.action, row.object_type, row.object_id, row.trigger, row.from_state, row.to_state) == (
        "transition", "item", item.id, "acknowledge", "issued", "in_progress")
    assert (row.actor_id, row.actor_label, row.comment) == (unit_user.id, unit_user.label, "已收到")
    assert row.data == {"forced": False, "changes": {}}


def test_a_transition_stamps_its_effects_the_audit_row_and_the_reminder_plan_with_one_instant(two_items):
    """Not frozen: the real clock, read once per transition (reading it again would differ)."""
    from pufa_flow.models import ReminderSchedule

    (item, _), unit_user, _ = two_items
    workflow.fire(item, "acknowledge", actor=unit_user)
    workflow.fire(item, "submit", actor=unit_user, data={"measures": "已整改"})
    db.session.expire_all()
    item = db.session.get(RectificationItem, item.id)
    audit_row = workflow.history(item)[-1]
    plan = db.session.scalars(sa.select(ReminderSchedule).where(
        ReminderSchedule.object_type == "item", ReminderSchedule.object_id == item.id)).one()
    assert plan.ladder == "rectification_unverified"
    assert item.submitted_at == audit_row.created_at == plan.swept_at
