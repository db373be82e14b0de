"""The working-day calendar the reminder engine is given.

The engine never decides what a working day is: the app passes its calendar
service (chinesecalendar plus the office's overrides). ``ChineseCalendarWorkdays``
is a small stand-alone adapter with the same two methods, so tests and the
demo can run the engine without the app.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Protocol, runtime_checkable

import chinese_calendar

ONE_DAY = timedelta(days=1)
MAX_SCAN = 60  # no holiday run in China is longer than this


@runtime_checkable
class Workdays(Protocol):
    def is_workday(self, day: date) -> bool: ...

    def add_workdays(self, day: date, count: int) -> date: ...


class ChineseCalendarWorkdays:
    """chinesecalendar's statutory holidays and 调休 days, overrides first;
    Monday to Friday beyond the years the package knows."""

    def __init__(self, overrides: Mapping[date, bool] | None = None):
        self._overrides = dict(overrides or {})

    def is_workday(self, day: date) -> bool:
        if day in self._overrides:
            return self._overrides[day]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            return day.weekday() < 5

    def add_workdays(self, day: date, count: int) -> date:
        step = ONE_DAY if count >= 0 else -ONE_DAY
        remaining = abs(count)
        while remaining:
            day += step
            if self.is_workday(day):
                remaining -= 1
        return day


def next_workday_on_or_after(calendar: Workdays, day: date) -> date:
    for _ in range(MAX_SCAN):
        if calendar.is_workday(day):
            return day
        day += ONE_DAY
    raise ValueError(f"{MAX_SCAN} 天内没有工作日，请检查节假日调整表")
