"""What every reminder job needs from the app: the policy, the calendar, the clock's zone."""
from __future__ import annotations

from datetime import date, datetime, timezone

from notifications.calendar import WorkdayIndex
from notifications.policy import DEFAULT_POLICY, SHANGHAI, Policy

from ..calendar import calendar as app_calendar


def policy() -> Policy:
    """The ladders in force: the office's (the reminder policy page), else the shipped defaults."""
    if not _has_app():
        return DEFAULT_POLICY
    from .settings import stored

    return stored()


def _has_app() -> bool:
    from flask import has_app_context

    return has_app_context()


def workdays() -> WorkdayIndex:
    """The app's calendar (chinesecalendar + the office's overrides) as the
    planner's index: read afresh for each job, so it sees the latest overrides."""
    from flask import g, has_app_context

    if not has_app_context():
        return WorkdayIndex(app_calendar())
    cached = g.pop("workday_calendar", None)  # the request's own copy is left as it was
    try:
        return WorkdayIndex(app_calendar())
    finally:
        g.pop("workday_calendar", None)
        if cached is not None:
            g.workday_calendar = cached


def aware(value: datetime) -> datetime:
    """Naive values are UTC by the app's convention."""
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def naive_utc(value: datetime) -> datetime:
    return aware(value).astimezone(timezone.utc).replace(tzinfo=None)


def local_day(value: datetime) -> date:
    return aware(value).astimezone(SHANGHAI).date()
