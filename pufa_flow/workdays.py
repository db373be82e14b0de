"""Working days: statutory holidays and 调休 make-up days.

chinesecalendar knows the years the State Council has published; the office's
override table (passed in as a mapping) wins over it, because next year's
holidays are announced each November and the package lags. Beyond the
package's range, Monday to Friday are working days unless overridden.

A deadline (时限) that falls on a non-working day moves to the next working
day, so an item is overdue once the last working day before today has passed
its deadline. That one rule is used in Python (``is_overdue``) and in SQL
(``overdue_cutoff``) so lists, counts and badges always agree.
"""
from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import date, timedelta

import chinese_calendar

from notifications.calendar import walk_workdays

ONE_DAY = timedelta(days=1)
MAX_SCAN = 60  # no holiday run in China is longer than this


def package_years() -> range:
    """The years whose holidays the installed chinesecalendar release knows."""
    days = chinese_calendar.holidays
    return range(min(days).year, max(days).year + 1)


@functools.lru_cache(maxsize=None)
def _package_is_workday(day: date) -> bool:
    """The package's answer, remembered for the process: it validates each date at
    length (min/max over all its holidays, ~30 µs a call), and a fresh calendar is
    built for every request and every reminder re-plan. Bounded by the days asked
    about: a few thousand."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a covered year beyond the package: the office's overrides hold it all
        return day.weekday() < 5


class WorkdayCalendar:
    """``covered_years``: years the office has declared complete in its overrides.

    A day outside the package's years and the covered ones is answered by the
    weekday rule, and its year is remembered in ``uncovered_years`` so that the
    page that asked can warn that its dates may be wrong.
    """

    def __init__(self, overrides: Mapping[date, bool] | None = None, covered_years=()):
        self._overrides = dict(overrides or {})
        self._covered = set(package_years()) | set(covered_years)
        self.uncovered_years: set[int] = set()
        #: (start, end) → workdays_between: a list of items shares a few deadlines and one today
        self._between: dict[tuple[date, date], int] = {}

    def is_workday(self, day: date) -> bool:
        if day in self._overrides:
            return self._overrides[day]
        if day.year not in self._covered:  # before the cache: every asker must learn of the year
            self.uncovered_years.add(day.year)
            return day.weekday() < 5
        return _package_is_workday(day)

    def next_workday_on_or_after(self, day: date) -> date:
        for _ in range(MAX_SCAN):
            if self.is_workday(day):
                return day
            day += ONE_DAY
        raise ValueError(f"{MAX_SCAN} 天内没有工作日，请检查节假日调整表")

    def previous_workday_before(self, day: date) -> date:
        day -= ONE_DAY
        for _ in range(MAX_SCAN):
            if self.is_workday(day):
                return day
            day -= ONE_DAY
        raise ValueError(f"{MAX_SCAN} 天内没有工作日，请检查节假日调整表")

    def add_workdays(self, day: date, count: int) -> date:
        return walk_workdays(self.is_workday, day, count)

    def effective_deadline(self, due: date) -> date:
        return self.next_workday_on_or_after(due)

    def overdue_cutoff(self, today: date) -> date:
        """Items due on or before this date are overdue today."""
        return self.previous_workday_before(today)

    def is_overdue(self, due: date | None, is_open: bool, today: date) -> bool:
        return bool(due and is_open and self.effective_deadline(due) < today)

    def days_overdue(self, due: date | None, is_open: bool, today: date) -> int:
        if not self.is_overdue(due, is_open, today):
            return 0
        return (today - self.effective_deadline(due)).days

    def workdays_between(self, start: date, end: date) -> int:
        """Working days d with start < d <= end (0 when end <= start). Remembered for the calendar's life
        (its days do not change: a changed override table makes a new calendar)."""
        if (start, end) in self._between:
            return self._between[start, end]
        count, day = 0, start
        while day < end:
            day += ONE_DAY
            if self.is_workday(day):
                count += 1
        self._between[start, end] = count
        return count

    def working_days_overdue(self, due: date | None, is_open: bool, today: date) -> int:
        """How late an open item is, in working days: the working days after its effective
        deadline up to today; at least 1 once it is overdue (a deadline on Friday is
        1 working day late on Saturday, 1 on Monday, 2 on Tuesday)."""
        if not self.is_overdue(due, is_open, today):
            return 0
        return max(1, self.workdays_between(self.effective_deadline(due), today))

    def overdue_by_at_least(self, workdays: int, today: date) -> date:
        """The latest due date whose item is at least ``workdays`` working days overdue today.

        working_days_overdue falls as the due date moves later, so "due on or before
        this date" is the SQL form of "overdue by ``workdays`` or more".
        """
        day = self.overdue_cutoff(today)
        while day > today - timedelta(days=3 * 366):
            if self.working_days_overdue(day, True, today) >= workdays:
                return day
            day -= ONE_DAY
        return day
