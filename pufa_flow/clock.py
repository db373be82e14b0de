"""The one place that says what time it is.

Timestamps are stored in UTC (naive columns hold UTC); people see
Asia/Shanghai. Nothing else in the application asks the operating system for
the time: column defaults, audit rows, outbox rows, effects and "today" all
come from here, so freezing this clock (``frozen``) moves the whole
application to another moment at once (tests, and the demo, which builds a
history that happened over several months).
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Asia/Shanghai"

# Process-wide on purpose: a frozen test or demo step must be seen by every
# thread it starts (race tests run writers in threads).
_lock = threading.Lock()
_frozen: list[datetime] = []


def utcnow() -> datetime:
    """Now, aware, in UTC (the frozen moment while ``frozen`` is open)."""
    if _frozen:
        return _frozen[-1]
    return datetime.now(timezone.utc)


def utcnow_naive() -> datetime:
    """What the naive DateTime columns hold: UTC wall time without tzinfo."""
    return utcnow().replace(tzinfo=None)


@contextmanager
def frozen(at: datetime) -> Iterator[datetime]:
    """Stop the clock at ``at`` (naive means UTC) until the block ends; blocks nest."""
    moment = as_utc(at)
    with _lock:
        _frozen.append(moment)
    try:
        yield moment
    finally:
        with _lock:
            _frozen.remove(moment)


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
