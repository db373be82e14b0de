"""Two writers, one object: exactly one wins, the other gets a clear conflict.

Each thread has its own application context, hence its own session and its
own database connection: on PostgreSQL the loser waits on the row lock and
then finds the state moved on; on SQLite the versioned UPDATE finds nothing to
update (or the write lock is busy). Either way a domain error, never a silent
overwrite.
"""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from helpers import new_notice, walk_item

from pufa_flow.errors import Conflict
from pufa_flow.extensions import db
from pufa_flow.models import AuditEvent, RectificationItem, User
from pufa_flow.services import workflow
from workflows import TransitionRefused


def race(app, item_id: int, moves: list[tuple[str, int, str | None]]) -> list:
    barrier = threading.Barrier(len(moves))
    results: list = [None] * len(moves)

    def worker(i, trigger, actor_id, comment):
        with app.app_context():
            try:
                actor = db.session.get(User, actor_id)
                obj = db.session.get(RectificationItem, item_id)
                barrier.wait(timeout=10)
                workflow.fire(obj, trigger, actor=actor, comment=comment)
                results[i] = "ok"
            except (Conflict, TransitionRefused) as exc:
                results[i] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i, *m)) for i, m in enumerate(moves)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


@pytest.fixture
def submitted_item(make_unit, make_user, office_user):
    unit = make_unit()
    unit_user = make_user("unit", unit)
    item = new_notice(office_user, unit, n_items=1).items[0]
    walk_item(item, unit_user, office_user, "submitted")
    return item.id, office_user.id, unit_user.id


def test_verify_and_send_back_at_once_exactly_one_wins(app, submitted_item):
    item_id, office_id, _ = submitted_item
    results = race(app, item_id, [("verify", office_id, None), ("send_back", office_id, "材料不全")])
    assert results.count("ok") == 1, results
    loser = next(r for r in results if r != "ok")
    assert isinstance(loser, (Conflict, TransitionRefused))
    assert loser.message  # a sentence a person can read
    db.session.expire_all()
    item = db.session.get(RectificationItem, item_id)
    moves = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.object_id == item_id, AuditEvent.trigger.in_(["verify", "send_back"]))).all()
    assert len(moves) == 1 and item.status == moves[0].to_state


def test_many_writers_one_audit_row(app, submitted_item):
    item_id, office_id, _ = submitted_item
    results = race(app, item_id, [("verify", office_id, None)] * 6)
    assert results.count("ok") == 1, results
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.object_id == item_id, AuditEvent.trigger == "verify")) == 1
    assert db.session.get(RectificationItem, item_id).status == "closed"


def test_acknowledge_twice_at_once_one_winner(app, make_unit, make_user, office_user):
    """acknowledge writes no outbox row, so only the versioned UPDATE (or the
    row lock) can stop the second writer: drop ``version`` from the WHERE and
    both succeed with two audit rows."""
    unit = make_unit()
    unit_user = make_user("unit", unit)
    item_id = new_notice(office_user, unit, n_items=1).items[0].id
    results = race(app, item_id, [("acknowledge", unit_user.id, None)] * 2)
    assert results.count("ok") == 1, results
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.object_id == item_id, AuditEvent.trigger == "acknowledge")) == 1


def test_phase_change_and_return_for_revision_exclude_each_other(app, backend, make_unit, make_user,
                                                                  office_user, monkeypatch):
    """The cycle may leave self-assessment only when every unit has submitted;
    an assessment may be returned only while the cycle is in self-assessment.
    Raced (each guard pauses after reading, so the other writer runs inside
    the window), exactly one wins: the assessment's transition holds its cycle
    FOR SHARE, the cycle's holds itself FOR UPDATE."""
    if backend != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite has one writer at a time")
    import time

    from helpers import new_cycle

    from pufa_flow.models import Cycle, UnitAssessment

    unit = make_unit()
    unit_user = make_user("unit", unit)
    cycle = new_cycle(office_user, [unit])
    workflow.fire(cycle, "start", actor=office_user)
    assessment = cycle.assessments.one()
    workflow.fire(assessment, "submit", actor=unit_user)
    cycle_id, assessment_id, office_id = cycle.id, assessment.id, office_user.id

    def slow(guard):
        def wrapper(self):
            held = guard(self)
            time.sleep(0.4)
            return held
        return wrapper

    monkeypatch.setattr(Cycle, "guard_all_submitted", slow(Cycle.guard_all_submitted))
    monkeypatch.setattr(UnitAssessment, "guard_cycle_in_self_assessment",
                        slow(UnitAssessment.guard_cycle_in_self_assessment))
    barrier = threading.Barrier(2)
    results: dict = {}

    def worker(model, obj_id, trigger, comment):
        with app.app_context():
            try:
                actor = db.session.get(User, office_id)
                obj = db.session.get(model, obj_id)
                barrier.wait(timeout=10)
                workflow.fire(obj, trigger, actor=actor, comment=comment)
                results[trigger] = "ok"
            except (Conflict, TransitionRefused) as exc:
                results[trigger] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(Cycle, cycle_id, "begin_field_research", None)),
               threading.Thread(target=worker, args=(UnitAssessment, assessment_id,
                                                     "return_for_revision", "请补充材料"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert list(results.values()).count("ok") == 1, results
    db.session.expire_all()
    cycle, assessment = db.session.get(Cycle, cycle_id), db.session.get(UnitAssessment, assessment_id)
    assert (cycle.status, assessment.status) in {("field_research", "submitted"), ("self_assessment", "returned")}
