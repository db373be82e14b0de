"""fire inside a caller's unit of work: many triggers, one commit, all or nothing.

Also: what effects write through relationships is flushed like any other
change (foreign keys filled in), and the clock every effect reads is the one
``clock.frozen`` sets.
"""
from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa
from helpers import new_notice, walk_item

from pufa_flow import clock
from pufa_flow.extensions import db
from pufa_flow.models import AuditEvent, OutboxMessage, RectificationItem
from pufa_flow.models.stateful import StateChangeOutsideWorkflow
from pufa_flow.services import workflow
from pufa_flow.services.transaction import TransactionDoomed, in_transaction, transaction
from workflows import TransitionRefused


def _count(model, *where):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _items(office, unit, n):
    """n items over notices of at most 200 (the notice's limit)."""
    return [i for k in range(0, n, 200) for i in new_notice(office, unit, n_items=min(200, n - k)).items]


@pytest.fixture
def world(make_unit, make_user, office_user):
    unit = make_unit()
    return unit, make_user("unit", unit), office_user


def test_effect_writes_a_relationship_and_a_child_row(world, make_unit, monkeypatch):
    unit, unit_user, office = world
    other = make_unit("另一单位")
    item = walk_item(new_notice(office, unit, n_items=1).items[0], unit_user, office, "submitted")
    notice_id = item.notice_id

    def apply_closure(self, event):
        # a relationship set, and a child appended to the parent's collection
        self.unit = other
        self.notice.items.append(RectificationItem(
            unit=other, seq=99, problem="衍生问题", requirement="", due_date=self.due_date))

    monkeypatch.setattr(RectificationItem, "apply_closure", apply_closure)
    workflow.fire(item, "verify", actor=office)
    db.session.expire_all()
    assert db.session.get(RectificationItem, item.id).unit_id == other.id
    child = db.session.scalars(sa.select(RectificationItem).where(RectificationItem.seq == 99)).one()
    assert (child.notice_id, child.unit_id, child.status) == (notice_id, other.id, "issued")


def test_many_transitions_are_one_commit(world):
    unit, unit_user, office = world
    items = _items(office, unit, 1000)
    commits = []
    sa.event.listen(db.session, "after_commit", lambda s: commits.append(1))
    with transaction():
        for item in items:
            workflow.fire(item, "acknowledge", actor=unit_user)
        assert in_transaction()
    assert len(commits) == 1 and not in_transaction()
    assert _count(RectificationItem, RectificationItem.status == "in_progress") == 1000
    assert _count(AuditEvent, AuditEvent.trigger == "acknowledge") == 1000


def test_a_failure_at_700_leaves_nothing(world):
    unit, unit_user, office = world
    items = _items(office, unit, 1000)
    for item in items:  # submitted: verify writes an outbox row each, so all three kinds are at stake
        walk_item(item, unit_user, office, "submitted")
    ids = [i.id for i in items]
    before = (_count(AuditEvent), _count(OutboxMessage))
    with pytest.raises(TransitionRefused):
        with transaction():
            for n, item in enumerate(items, start=1):
                workflow.fire(item, "verify", actor=office if n != 700 else unit_user)
    db.session.expire_all()
    assert _count(RectificationItem, RectificationItem.id.in_(ids), RectificationItem.status != "submitted") == 0
    assert (_count(AuditEvent), _count(OutboxMessage)) == before


def test_a_swallowed_inner_failure_dooms_the_unit_of_work(world):
    unit, unit_user, office = world
    a, b = new_notice(office, unit, n_items=2).items
    with pytest.raises(TransactionDoomed):
        with transaction():
            workflow.fire(a, "acknowledge", actor=unit_user)
            try:
                workflow.fire(b, "verify", actor=office)  # wrong state
            except TransitionRefused:
                pass
    db.session.expire_all()
    assert {a.status, b.status} == {"issued"}
    assert _count(AuditEvent, AuditEvent.trigger == "acknowledge") == 0


def test_a_single_fire_still_commits_on_its_own(world):
    unit, unit_user, office = world
    (item,) = new_notice(office, unit, n_items=1).items
    workflow.fire(item, "acknowledge", actor=unit_user)
    db.session.rollback()  # nothing pending: the fire committed
    assert db.session.get(RectificationItem, item.id).status == "in_progress"


def test_firing_one_object_does_not_license_another_state_write(world):
    unit, unit_user, office = world
    a, b = new_notice(office, unit, n_items=2).items
    b.status = "closed"  # a direct write, flushed by a's fire
    with pytest.raises(StateChangeOutsideWorkflow):
        workflow.fire(a, "acknowledge", actor=unit_user)


def test_effects_and_audit_take_the_frozen_clock(world):
    unit, unit_user, office = world
    (item,) = new_notice(office, unit, n_items=1).items
    workflow.fire(item, "acknowledge", actor=unit_user)
    at = datetime(2026, 9, 3, 2, 30)
    with clock.frozen(at):
        workflow.fire(item, "submit", actor=unit_user, data={"measures": "已整改"})
    db.session.expire_all()
    row = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.trigger == "submit")).one()
    # the submit's messages (issuing the notice told the unit earlier, at the real time)
    outbox = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.subject.not_like("%整改通知书%"))).all()
    assert item.submitted_at == at and item.updated_at == at and row.created_at == at
    assert outbox and {m.created_at for m in outbox} == {at}
    assert clock.utcnow_naive() != at  # thawed when the block ends
