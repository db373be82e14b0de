"""The working-day calendar as the application sees it: package + overrides."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app, g, has_app_context

from ..clock import local_today
from ..extensions import db
from ..models import RectificationItem, WorkdayOverride, WorkdayYear
from ..workdays import WorkdayCalendar


def calendar() -> WorkdayCalendar:
    """One calendar per request: the override table is read once."""
    if has_app_context() and "workday_calendar" in g:
        return g.workday_calendar
    rows = db.session.execute(sa.select(WorkdayOverride.day, WorkdayOverride.is_workday)).all()
    covered = db.session.scalars(sa.select(WorkdayYear.year)).all()
    cal = WorkdayCalendar({day: is_workday for day, is_workday in rows}, covered)
    if has_app_context():
        g.workday_calendar = cal
    return cal


def forget_per_request() -> None:
    """A request starts with a fresh calendar, even inside an app context kept open (tests, CLI)."""
    g.pop("workday_calendar", None)


def uncovered_years() -> list[int]:
    """Years this request computed dates in without knowing their holidays."""
    cal = g.get("workday_calendar") if has_app_context() else None
    return sorted(cal.uncovered_years) if cal is not None else []


def today(now: datetime | None = None) -> date:
    return local_today(now, current_app.config["PUFA_TIMEZONE"])


def overdue_filter(on: date):
    """SQL for 'open and past its deadline', the same rule as item_is_overdue."""
    cutoff = calendar().overdue_cutoff(on)
    return sa.and_(
        RectificationItem.status.in_(RectificationItem.workflow.definition.open_states),
        RectificationItem.due_date <= cutoff,
    )


def item_is_overdue(item: RectificationItem, on: date | None = None) -> bool:
    return calendar().is_overdue(item.due_date, item.is_open, on or today())


def item_days_overdue(item: RectificationItem, on: date | None = None) -> int:
    return calendar().days_overdue(item.due_date, item.is_open, on or today())


def item_working_days_overdue(item: RectificationItem, on: date | None = None) -> int:
    """The age shown everywhere: working days past the effective deadline (0 when not overdue)."""
    return calendar().working_days_overdue(item.due_date, item.is_open, on or today())


def item_waiting_working_days(item: RectificationItem, on: date | None = None) -> int:
    """How long a submitted item has waited for the office's verification, in working days."""
    if item.status != "submitted" or item.submitted_at is None:
        return 0
    from ..clock import to_local

    submitted_on = to_local(item.submitted_at, current_app.config["PUFA_TIMEZONE"]).date()
    return calendar().workdays_between(submitted_on, on or today())
