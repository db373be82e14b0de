"""What every reminder job needs from the app: the policy, the calendar, the clock's zone."""
from __future__ import annotations

import threading
from datetime import date, datetime, timezone

import sqlalchemy as sa
from notifications.calendar import WorkdayIndex
from notifications.policy import DEFAULT_POLICY, SHANGHAI, Policy

from ...extensions import db
from ...models import WorkdayOverride, WorkdayYear
from ...workdays import WorkdayCalendar


def policy() -> Policy:
    """The ladders in force: the office's (the reminder policy page), else the shipped defaults."""
    if not _has_app():
        return DEFAULT_POLICY
    from .settings import stored

    return stored()


def _has_app() -> bool:
    from flask import has_app_context

    return has_app_context()


#: the last index built, per thread (an index fills itself in as it is asked: not
#: for two threads at once), with the calendar rows it was built from
_last = threading.local()

_overrides, _years = WorkdayOverride.__table__, WorkdayYear.__table__
#: both tables in one round trip: (day, is_workday, None) rows, then (None, None, year) rows
_CALENDAR_ROWS = sa.union_all(
    sa.select(_overrides.c.day, _overrides.c.is_workday, sa.null().label("year")),
    sa.select(sa.null(), sa.null(), _years.c.year))


def workdays() -> WorkdayIndex:
    """The app's calendar (chinesecalendar + the office's overrides) as the
    planner's index, as the database has it now: its two small tables are read
    afresh on every call (so a holiday entered by another process, or earlier in
    this transaction, counts at once), but the index, whose working days cost
    a scan of hundreds of days to list, is built again only when what was read
    differs from what the last one was built from. Every re-plan of every
    transition asks for it."""
    overrides, years = {}, set()
    for day, is_workday, year in db.session.connection().execute(_CALENDAR_ROWS):
        if year is None:
            overrides[day] = bool(is_workday)
        else:
            years.add(year)
    covered = frozenset(years)
    last = getattr(_last, "entry", None)
    if last is not None and last[0] == overrides and last[1] == covered:
        return last[2]
    index = WorkdayIndex(WorkdayCalendar(overrides, covered))
    _last.entry = (overrides, covered, index)
    return index


def forget_workdays() -> None:
    """Drop this thread's remembered index (tests that count its builds)."""
    _last.__dict__.pop("entry", None)


def aware(value: datetime) -> datetime:
    """Naive values are UTC by the app's convention."""
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def naive_utc(value: datetime) -> datetime:
    return aware(value).astimezone(timezone.utc).replace(tzinfo=None)


def local_day(value: datetime) -> date:
    return aware(value).astimezone(SHANGHAI).date()
