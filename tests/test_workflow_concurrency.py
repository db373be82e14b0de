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
