"""The calendar as the application applies it: package + the office's overrides,
on the application clock, at the exact boundary of the overdue rule.

Dates are chosen so that a wrong rule fails: an item due on a working day is
not overdue that day and is overdue on the next working day; an override that
turns the due day into a day off moves the deadline (and only the service
that reads the override table knows).
"""
from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa
from flask import g
from helpers import new_notice

from pufa_flow import clock
from pufa_flow.extensions import db
from pufa_flow.models import RectificationItem, WorkdayOverride
from pufa_flow.services import calendar

FRIDAY = date(2026, 11, 20)      # a working day in the package
MONDAY = date(2026, 11, 23)      # the next working day


def _noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 4, 0)  # 12:00 in Shanghai


@pytest.fixture
def item(make_unit, office_user):
    with clock.frozen(_noon(date(2026, 11, 2))):
        return new_notice(office_user, make_unit(), n_items=1, due=FRIDAY).items[0]


def _overdue_ids(on: date) -> list[int]:
    return list(db.session.scalars(sa.select(RectificationItem.id).where(calendar.overdue_filter(on))))


def test_due_today_is_not_overdue_and_the_next_working_day_it_is(item):
    assert not calendar.item_is_overdue(item, FRIDAY) and _overdue_ids(FRIDAY) == []
    assert calendar.item_days_overdue(item, date(2026, 11, 21)) == 1  # the day after, a Saturday
    assert calendar.item_is_overdue(item, MONDAY) and _overdue_ids(MONDAY) == [item.id]
    assert calendar.item_days_overdue(item, MONDAY) == 3


def test_the_office_override_moves_the_deadline(item):
    db.session.add(WorkdayOverride(day=FRIDAY, is_workday=False, note="临时调整"))
    db.session.commit()
    # Friday is now a day off: the deadline is Monday, so Monday is not overdue, Tuesday is
    assert not calendar.item_is_overdue(item, MONDAY) and _overdue_ids(MONDAY) == []
    assert calendar.item_is_overdue(item, date(2026, 11, 24)) and _overdue_ids(date(2026, 11, 24)) == [item.id]


def test_today_comes_from_the_application_clock(app, item, client, office_user, token_for):
    headers = token_for(office_user)
    with clock.frozen(_noon(FRIDAY)):
        assert calendar.today() == FRIDAY
        assert client.get("/api/v1/items?overdue=1", headers=headers).json["items"] == []
    with clock.frozen(_noon(MONDAY)):
        listed = client.get("/api/v1/items?overdue=1", headers=headers).json["items"]
        assert [(i["id"], i["days_overdue"]) for i in listed] == [(item.id, 3)]
    with clock.frozen(datetime(2026, 11, 22, 16, 30)):  # 00:30 on Monday in Shanghai, still Sunday in UTC
        assert calendar.today() == MONDAY


def test_an_override_can_make_a_saturday_a_working_day(make_unit, office_user):
    saturday = date(2026, 11, 21)
    with clock.frozen(_noon(date(2026, 11, 2))):
        item = new_notice(office_user, make_unit(), n_items=1, due=saturday).items[0]
    assert not calendar.item_is_overdue(item, MONDAY)  # deadline moves to Monday
    db.session.add(WorkdayOverride(day=saturday, is_workday=True, note="调休上班"))
    db.session.commit()
    g.pop("workday_calendar", None)  # read once per request; this test is one long "request"
    assert calendar.item_days_overdue(item, MONDAY) == 2 and _overdue_ids(MONDAY) == [item.id]


def test_closed_items_are_never_overdue(item, office_user):
    from pufa_flow.services import workflow
    with clock.frozen(_noon(MONDAY)):
        workflow.fire(item, "cancel", actor=office_user, comment="已在另一份通知书中下发")
    assert not calendar.item_is_overdue(item, MONDAY) and _overdue_ids(MONDAY) == []
