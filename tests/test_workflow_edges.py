"""Edges of ``workflow.fire`` and ``history`` found by mutants that survived."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from helpers import new_notice

from pufa_flow.errors import Conflict
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
