"""PostgreSQL's row locks in ``workflow.fire``, observed from a second connection.

``fire`` takes the object's row FOR UPDATE and the parents its guards read
FOR SHARE, and reads both again under the lock. What that means for a writer:

* a row another writer changed since the session read it is read again, so
  the transition goes ahead on the current row (no stale-version Conflict);
* a child's guard sees its parent as committed, not as the session cached it;
* a child's transition waits while its parent's own transition holds the
  parent, and then sees what that transition decided;
* two children of one parent do not wait for each other (they share it).

SQLite has one writer at a time and nothing to lock: these run on PostgreSQL
only (the SQLite counterpart of the first is in test_workflow_edges.py).
Written for mutants of ``_lock`` that survived the SQLite-only mutation run.
"""
from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa
from helpers import new_cycle, new_notice

from pufa_flow.extensions import db
from pufa_flow.models import Cycle, RectificationItem, UnitAssessment, User
from pufa_flow.services import workflow
from workflows import TransitionRefused

CYCLES = Cycle.__table__


@pytest.fixture(autouse=True)
def postgresql_only(backend):
    if backend != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite has one writer at a time")


@pytest.fixture
def submitted(make_unit, make_user, office_user):
    """A cycle in 自评 with two units: one has submitted, the other not yet."""
    first, second = make_unit(), make_unit()
    cycle = new_cycle(office_user, [first, second])
    workflow.fire(cycle, "start", actor=office_user)
    by_unit = {a.unit_id: a for a in cycle.assessments}
    workflow.fire(by_unit[first.id], "submit", actor=make_user("unit", first))
    return cycle, by_unit[first.id], by_unit[second.id], make_user("unit", second)


def fire_elsewhere(app, model, obj_id, trigger, actor_id, **kwargs) -> tuple[threading.Thread, dict]:
    """``fire`` in a thread with its own session and connection; the outcome lands in the dict."""
    outcome: dict = {}

    def run():
        with app.app_context():
            try:
                obj = db.session.get(model, obj_id)
                outcome["event"] = workflow.fire(obj, trigger, actor=db.session.get(User, actor_id), **kwargs)
            except Exception as exc:  # noqa: BLE001 - the test looks at what it was
                outcome["error"] = exc
            finally:
                db.session.remove()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def waiting_on_a_lock(thread, timeout: float = 15) -> bool:
    """True once some backend of this database waits on a row lock; False if the thread ends first."""
    deadline = time.monotonic() + timeout
    with db.engine.connect() as probe:
        while thread.is_alive() and time.monotonic() < deadline:
            if probe.execute(sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'")).scalar():
                return True
            probe.rollback()  # a new snapshot for the next look
            time.sleep(0.05)
    return False


def test_a_row_another_writer_changed_is_read_again_under_its_lock(make_unit, make_user, office_user):
    unit = make_unit()
    unit_user = make_user("unit", unit)
    item, neighbour = new_notice(office_user, unit, n_items=2).items
    table = RectificationItem.__table__
    with db.engine.begin() as other:  # another writer saved the item after this session read it
        other.execute(sa.update(table).where(table.c.id == item.id).values(version=table.c.version + 1))
    workflow.fire(item, "acknowledge", actor=unit_user)
    db.session.expire_all()
    assert db.session.get(RectificationItem, item.id).status == "in_progress"
    assert db.session.get(RectificationItem, neighbour.id).status == "issued"
    assert [e.trigger for e in workflow.history(item)] == ["acknowledge"]


def test_a_childs_guard_reads_its_parent_as_committed_not_as_cached(submitted, office_user):
    cycle, done, _, _ = submitted
    assert done.cycle.status == "self_assessment"  # what this session holds
    with db.engine.begin() as other:  # the cycle moved on through another connection meanwhile
        other.execute(sa.update(CYCLES).where(CYCLES.c.id == cycle.id)
                      .values(status="field_research", version=CYCLES.c.version + 1))
    with pytest.raises(TransitionRefused) as info:
        workflow.fire(done, "return_for_revision", actor=office_user, comment="请补充材料")
    assert info.value.reason == "guard_failed"
    db.session.expire_all()
    assert db.session.get(UnitAssessment, done.id).status == "submitted"


def test_a_child_waits_for_its_parents_transition_and_then_sees_its_outcome(app, submitted, office_user):
    cycle, done, _, _ = submitted
    with db.engine.connect() as other:
        # the cycle's own transition in progress: it holds the cycle as fire does
        other.execute(sa.select(CYCLES.c.id).where(CYCLES.c.id == cycle.id).with_for_update())
        thread, outcome = fire_elsewhere(app, UnitAssessment, done.id, "return_for_revision", office_user.id,
                                         comment="请补充材料")
        waited = waiting_on_a_lock(thread)
        other.execute(sa.update(CYCLES).where(CYCLES.c.id == cycle.id)
                      .values(status="field_research", version=CYCLES.c.version + 1))
        other.commit()
    thread.join(timeout=30)
    assert waited, f"the assessment's transition did not wait for its cycle: {outcome}"
    assert isinstance(outcome.get("error"), TransitionRefused), outcome
    assert outcome["error"].reason == "guard_failed"


def test_two_children_of_one_parent_do_not_wait_for_each_other(app, submitted):
    cycle, _, pending, unit_user = submitted
    with db.engine.connect() as other:
        # a sibling's transition in progress: it holds the cycle FOR SHARE
        other.execute(sa.select(CYCLES.c.id).where(CYCLES.c.id == cycle.id).with_for_update(read=True))
        thread, outcome = fire_elsewhere(app, UnitAssessment, pending.id, "submit", unit_user.id)
        waited = waiting_on_a_lock(thread)
        other.rollback()
    thread.join(timeout=30)
    assert not waited, "a child's transition waited for a sibling's share of their parent"
    assert "event" in outcome, outcome
    db.session.expire_all()
    assert db.session.get(UnitAssessment, pending.id).status == "submitted"
