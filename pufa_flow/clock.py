"""The one place that says what time it is.

Timestamps are stored in UTC (naive columns hold UTC); people see
Asia/Shanghai. Tests and the CLI pass an explicit ``now`` instead of
patching: every function that cares about time takes one.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Asia/Shanghai"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def local_zone(name: str | None = None) -> ZoneInfo:
    return ZoneInfo(name or DEFAULT_TZ)


def as_utc(value: datetime) -> datetime:
    """Naive values from the database are UTC by convention."""
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def to_local(value: datetime, zone: str | None = None) -> datetime:
    return as_utc(value).astimezone(local_zone(zone))


def local_today(now: datetime | None = None, zone: str | None = None) -> date:
    return to_local(now or utcnow(), zone).date()


def format_local(value: datetime | None, zone: str | None = None) -> str:
    if value is None:
        return ""
    return to_local(value, zone).strftime("%Y-%m-%d %H:%M")


def format_date_cn(value: date | None) -> str:
    if value is None:
        return ""
    return f"{value.year}年{value.month}月{value.day}日"
