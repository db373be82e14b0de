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
