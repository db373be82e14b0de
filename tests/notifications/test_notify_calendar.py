"""The working-day index agrees with a day-by-day walk, wherever it starts."""
from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from notifications.calendar import ChineseCalendarWorkdays, WorkdayIndex, next_workday_on_or_after

WALK = ChineseCalendarWorkdays()
DAYS = st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31))


@settings(max_examples=300, deadline=None)
@given(first=DAYS, probes=st.lists(st.tuples(DAYS, st.integers(-600, 600)), min_size=1, max_size=5))
def test_index_matches_the_walk(first, probes):
    index = WorkdayIndex(WALK)
    assert index.is_workday(first) == WALK.is_workday(first)  # the index grows from wherever it is first asked
    for day, count in probes:
        assert index.add_workdays(day, count) == WALK.add_workdays(day, count), (day, count)
        assert index.is_workday(day) == WALK.is_workday(day)


@settings(max_examples=100, deadline=None)
@given(a=DAYS, span=st.integers(0, 400))
def test_workdays_between_counts_the_half_open_range(a, span):
    b = a + timedelta(days=span)
    expected = sum(WALK.is_workday(a + timedelta(days=i)) for i in range(span))
    assert WorkdayIndex(WALK).workdays_between(a, b) == expected
    assert WorkdayIndex(WALK).workdays_between(b, a) == 0


def test_overrides_win_and_beyond_the_package_is_monday_to_friday():
    cal = ChineseCalendarWorkdays({date(2027, 1, 4): False, date(2027, 1, 9): True})
    index = WorkdayIndex(cal)
    assert not index.is_workday(date(2027, 1, 4)) and index.is_workday(date(2027, 1, 9))
    assert index.is_workday(date(2027, 3, 3)) and not index.is_workday(date(2027, 3, 6))
    assert next_workday_on_or_after(index, date(2026, 10, 1)) == date(2026, 10, 8)
