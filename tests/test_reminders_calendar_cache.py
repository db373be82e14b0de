"""The reminder planner's working-day index is remembered between re-plans (every
transition re-plans), but never used once the calendar it was built from changed:
it is keyed on the override and year rows read back on every call, so a holiday
entered through the service, or written by another process, counts at once."""
from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa
from reminders_support import add_contacts, issue_item, local

from pufa_flow.clock import frozen
from pufa_flow.extensions import db
from pufa_flow.models import ReminderSchedule, WorkdayOverride
from pufa_flow.services import holidays, workflow
from pufa_flow.services.reminders.context import forget_workdays, workdays

FRI = date(2026, 11, 13)  # an ordinary Friday in chinesecalendar's years


@pytest.fixture(autouse=True)
def _clean_cache():
    forget_workdays()
    yield
    forget_workdays()


def test_the_index_is_reused_while_the_calendar_is_unchanged(app):
    first = workdays()
    assert first.is_workday(FRI)
    assert workdays() is first


def test_a_holiday_entered_through_the_service_is_seen_at_once(app, office_user):
    before = workdays()
    assert before.is_workday(FRI)
    holidays.set_range(FRI, FRI, "holiday", "测试通知", actor=office_user)
    after = workdays()
    assert after is not before and not after.is_workday(FRI)
    holidays.clear_range(FRI, FRI, actor=office_user)
    assert workdays().is_workday(FRI)


def test_a_make_up_day_flipped_in_place_is_seen(app, office_user):
    """Same row, same count: only its is_workday changes (a key on counts would miss it)."""
    holidays.set_range(FRI, FRI, "holiday", "测试通知", actor=office_user)
    assert not workdays().is_workday(FRI)
    holidays.set_range(FRI, FRI, "workday", "更正", actor=office_user)
    assert workdays().is_workday(FRI)


def test_a_confirmed_year_builds_a_new_index(app, office_user):
    holidays.set_range(date(2027, 1, 1), date(2027, 1, 3), "holiday", "测试通知", actor=office_user)
    before = workdays()
    holidays.confirm_year(2027, "测试通知", actor=office_user)
    assert workdays() is not before
    holidays.withdraw_year(2027, actor=office_user)
    assert not workdays().is_workday(date(2027, 1, 1))


def test_a_row_written_outside_the_service_is_seen(app):
    """Another process (a CLI import, another worker) writes the table: no in-process signal."""
    assert workdays().is_workday(FRI)
    db.session.execute(sa.insert(WorkdayOverride.__table__).values(
        day=FRI, is_workday=False, note="另一进程", created_at=datetime(2026, 11, 1),
        updated_at=datetime(2026, 11, 1)))
    db.session.commit()
    assert not workdays().is_workday(FRI)


def test_a_transition_after_a_holiday_change_plans_on_the_new_calendar(app, make_unit, office_user, make_user):
    """Due Fri 20 Nov, issued 2 Nov: the first reminder is Fri 13 Nov 09:00 (01:00 UTC), or
    Thu 12 Nov once the 13th is a day off (test_reminders_sweep). The index is built at
    issue, the 13th becomes a day off without any re-plan, and the extension's re-plan
    must use the new calendar."""
    unit = make_unit("区司法局")
    add_contacts(unit)
    unit_user = make_user("unit", unit)
    item = issue_item(office_user, unit, date(2026, 11, 16), local(2026, 11, 2, 10))
    assert workdays().is_workday(FRI)  # the remembered index, with the 13th a working day
    db.session.add(WorkdayOverride(day=FRI, is_workday=False, note="测试"))
    db.session.commit()
    with frozen(local(2026, 11, 3, 10)):
        workflow.fire(item, "acknowledge", actor=unit_user)
        workflow.fire(item, "request_extension", actor=unit_user, comment="材料较多",
                      data={"new_due_date": "2026-11-20"})
        workflow.fire(item, "approve_extension", actor=office_user)
    row = db.session.scalar(sa.select(ReminderSchedule))
    assert row.anchor == date(2026, 11, 20)
    assert row.next_at == datetime(2026, 11, 12, 1, 0)
