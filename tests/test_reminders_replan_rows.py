"""An item's next-reminder rows are written with plain statements by every
re-plan (each transition that moves its plan): the session never keeps a stale
copy of one, a row the caller added but did not flush yet is found (not
duplicated), and a transition that fails leaves them as they were."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from reminders_support import add_contacts, issue_item, local

from pufa_flow.clock import frozen
from pufa_flow.errors import ValidationFailed
from pufa_flow.extensions import db
from pufa_flow.models import ReminderSchedule
from pufa_flow.services import reminders, workflow
from pufa_flow.services.transaction import TransactionDoomed, transaction


@pytest.fixture
def item_and_users(make_unit, make_user, office_user):
    unit = make_unit("区司法局")
    add_contacts(unit)
    unit_user = make_user("unit", unit)
    item = issue_item(office_user, unit, date(2026, 11, 30), local(2026, 11, 2, 10))
    return item, unit_user, office_user


def _rows(item) -> list[tuple[str, date]]:
    return db.session.execute(sa.select(ReminderSchedule.ladder, ReminderSchedule.anchor).where(
        ReminderSchedule.object_type == "item", ReminderSchedule.object_id == item.id)).all()


def test_a_loaded_row_is_read_again_after_a_transition_moves_it(app, item_and_users):
    item, unit_user, office = item_and_users
    row = db.session.scalars(sa.select(ReminderSchedule).where(ReminderSchedule.object_id == item.id)).one()
    assert (row.ladder, row.anchor) == ("rectification", date(2026, 11, 30))
    with frozen(local(2026, 11, 3, 10)):
        workflow.fire(item, "acknowledge", actor=unit_user)
        workflow.fire(item, "submit", actor=unit_user, data={"measures": "已整改"})
    # the same object (identity map), with what the database now holds
    again = db.session.get(ReminderSchedule, row.id)
    assert again is row
    assert (row.ladder, row.anchor) == ("rectification_unverified", date(2026, 11, 3))


def test_a_loaded_row_leaves_the_session_when_the_chase_ends(app, item_and_users):
    item, unit_user, office = item_and_users
    row = db.session.scalars(sa.select(ReminderSchedule).where(ReminderSchedule.object_id == item.id)).one()
    row_id = row.id
    with frozen(local(2026, 11, 3, 10)):
        workflow.fire(item, "acknowledge", actor=unit_user)
        workflow.fire(item, "submit", actor=unit_user, data={"measures": "已整改"})
        workflow.fire(item, "verify", actor=office)
    assert row not in db.session
    assert db.session.get(ReminderSchedule, row_id) is None
    assert _rows(item) == []


def test_a_row_added_but_not_flushed_is_reused_not_duplicated(app, item_and_users):
    item, unit_user, office = item_and_users
    db.session.execute(sa.delete(ReminderSchedule))
    db.session.commit()
    with frozen(local(2026, 11, 3, 10)):
        with transaction():
            db.session.add(ReminderSchedule(object_type="item", object_id=item.id, ladder="legacy",
                                            unit_id=item.unit_id, anchor=date(2026, 1, 1)))
            reminders.replan(item)
    assert _rows(item) == [("rectification", date(2026, 11, 30))]


def test_a_failed_unit_of_work_leaves_the_rows_as_they_were(app, item_and_users):
    item, unit_user, office = item_and_users
    before = _rows(item)
    with frozen(local(2026, 11, 3, 10)), pytest.raises(TransactionDoomed):
        with transaction():
            workflow.fire(item, "acknowledge", actor=unit_user)
            workflow.fire(item, "submit", actor=unit_user, data={"measures": "已整改"})  # re-plans
            assert _rows(item) == [("rectification_unverified", date(2026, 11, 3))]
            with pytest.raises(ValidationFailed):
                workflow.fire(item, "send_back", actor=office, data={"bogus": 1})
    assert _rows(item) == before


def test_a_transition_runs_only_its_own_statements(app, item_and_users):
    """Submitting an item: its versioned UPDATE, its reminder row read and moved, the
    calendar read for the new plan, the audit row and the outbox rows; on PostgreSQL
    the lock's read of the item first. Nothing else: the unit, its contacts (the
    outbox's recipients) and the actor stay as the session has them."""
    item, unit_user, office = item_and_users
    with frozen(local(2026, 11, 3, 10)):
        workflow.fire(item, "acknowledge", actor=unit_user)
        seen = []

        def on_execute(conn, cursor, statement, *args):
            seen.append(" ".join(statement.split()[:3]))
        sa.event.listen(db.engine, "before_cursor_execute", on_execute)
        try:
            workflow.fire(item, "submit", actor=unit_user, data={"measures": "已整改"})
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", on_execute)
    tables = [s for s in seen if not s.startswith(("BEGIN", "COMMIT", "RELEASE", "SAVEPOINT"))]
    locks = []
    if db.engine.dialect.name == "postgresql":
        # the item re-read FOR UPDATE, alone: its unit and the unit's contacts are not read again
        locks = ["SELECT rectification_items.id, rectification_items.notice_id,"]
    assert sorted(tables) == sorted(locks + [
        "UPDATE rectification_items SET",
        "SELECT reminder_schedules.id, reminder_schedules.ladder,",
        "SELECT workday_overrides.day, workday_overrides.is_workday,",
        "UPDATE reminder_schedules SET",
        "INSERT INTO audit_events",
        "INSERT INTO outbox_messages",
    ]), seen
