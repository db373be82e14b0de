"""The working-day calendar the reminder engine is given.

The engine never decides what a working day is: the app passes its calendar
service (chinesecalendar plus the office's overrides). ``ChineseCalendarWorkdays``
is a small stand-alone adapter with the same two methods, so tests and the
demo can run the engine without the app.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping
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
        # chinesecalendar checks the date's range against all its holidays on
        # every call (~20 µs); a sweep asks about the same few hundred days
        self._known: dict[date, bool] = {}

    def is_workday(self, day: date) -> bool:
        known = self._known.get(day)
        if known is not None:
            return known
        if day in self._overrides:
            answer = self._overrides[day]
        else:
            try:
                answer = chinese_calendar.is_workday(day)
            except NotImplementedError:
                answer = day.weekday() < 5
        self._known[day] = answer
        return answer

    def add_workdays(self, day: date, count: int) -> date:
        return walk_workdays(self.is_workday, day, count)


def walk_workdays(is_workday: Callable[[date], bool], day: date, count: int) -> date:
    """``count`` working days after ``day`` (before it when negative), a day at a
    time: the one walk, for any calendar that answers ``is_workday`` (the app's too)."""
    step = ONE_DAY if count >= 0 else -ONE_DAY
    remaining = abs(count)
    while remaining:
        day += step
        if is_workday(day):
            remaining -= 1
    return day


class WorkdayIndex:
    """Another calendar's working days as a sorted list, filled a year at a time.

    ``add_workdays`` becomes a bisect instead of a day-by-day walk, and the
    number of working days between two dates a subtraction: a deadline
    months overdue costs the planner microseconds. Wrap the app's calendar
    service once per sweep (a fresh index sees the office's latest overrides).
    """

    CHUNK = timedelta(days=366)

    def __init__(self, calendar: Workdays):
        self._calendar = calendar
        self._lo: date | None = None  # first day covered
        self._hi: date | None = None  # last day covered
        self._days: list[date] = []

    def _scan(self, lo: date, hi: date) -> list[date]:
        out, day = [], lo
        while day <= hi:
            if self._calendar.is_workday(day):
                out.append(day)
            day += ONE_DAY
        return out

    def _cover(self, lo: date, hi: date) -> None:
        if self._lo is None:
            self._lo, self._hi = lo - ONE_DAY * 31, hi + ONE_DAY * 31
            self._days = self._scan(self._lo, self._hi)
            return
        if lo < self._lo:
            new_lo = min(lo, self._lo - self.CHUNK)
            self._days[:0] = self._scan(new_lo, self._lo - ONE_DAY)
            self._lo = new_lo
        if hi > self._hi:
            new_hi = max(hi, self._hi + self.CHUNK)
            self._days.extend(self._scan(self._hi + ONE_DAY, new_hi))
            self._hi = new_hi

    def is_workday(self, day: date) -> bool:
        self._cover(day, day)
        i = bisect_left(self._days, day)
        return i < len(self._days) and self._days[i] == day

    def add_workdays(self, day: date, count: int) -> date:
        if count == 0:
            return day
        self._cover(day, day)
        while True:
            if count > 0:
                i = bisect_right(self._days, day) + count - 1
                if i < len(self._days):
                    return self._days[i]
                self._cover(day, self._hi + self.CHUNK)
            else:
                i = bisect_left(self._days, day) + count
                if i >= 0:
                    return self._days[i]
                self._cover(self._lo - self.CHUNK, day)

    def workdays_between(self, first: date, last: date) -> int:
        """Working days in [first, last)."""
        if last <= first:
            return 0
        self._cover(first, last)
        return bisect_left(self._days, last) - bisect_left(self._days, first)


def index_of(calendar: Workdays) -> WorkdayIndex:
    return calendar if isinstance(calendar, WorkdayIndex) else WorkdayIndex(calendar)


def next_workday_on_or_after(calendar: Workdays, day: date) -> date:
    for _ in range(MAX_SCAN):
        if calendar.is_workday(day):
            return day
        day += ONE_DAY
    raise ValueError(f"{MAX_SCAN} 天内没有工作日，请检查节假日调整表")
