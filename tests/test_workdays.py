"""The working-day calendar and the one overdue rule."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pufa_flow.workdays import WorkdayCalendar

CAL = WorkdayCalendar()


def test_statutory_holidays_and_make_up_days_2026():
    assert not CAL.is_workday(date(2026, 10, 1))      # 国庆节
    assert not CAL.is_workday(date(2026, 9, 25))      # 中秋节 (a Friday)
    assert CAL.is_workday(date(2026, 10, 10))         # 调休: a Saturday worked
    assert CAL.is_workday(date(2026, 9, 20))          # 调休: a Sunday worked
    assert CAL.is_workday(date(2026, 11, 20))         # an ordinary Friday
    assert not CAL.is_workday(date(2026, 11, 21))     # an ordinary Saturday


def test_office_overrides_win_over_the_package():
    national_day, friday = date(2026, 10, 1), date(2026, 11, 20)
    cal = WorkdayCalendar({national_day: True, friday: False})
    assert cal.is_workday(national_day) and not cal.is_workday(friday)
    assert cal.effective_deadline(friday) == date(2026, 11, 23)  # moved past the override and the weekend


def test_beyond_the_package_monday_to_friday_work_unless_overridden():
    friday, saturday = date(2100, 1, 1), date(2100, 1, 2)  # far beyond any chinesecalendar release
    assert CAL.is_workday(friday) and not CAL.is_workday(saturday)
    cal = WorkdayCalendar({friday: False, saturday: True})
    assert not cal.is_workday(friday) and cal.is_workday(saturday)


def test_a_deadline_on_a_day_off_moves_to_the_next_working_day():
    assert CAL.effective_deadline(date(2026, 10, 1)) == date(2026, 10, 8)
    assert not CAL.is_overdue(date(2026, 10, 3), True, date(2026, 10, 8))   # due in the holiday, today is day 1 back
    assert CAL.is_overdue(date(2026, 10, 3), True, date(2026, 10, 9))
    assert CAL.days_overdue(date(2026, 10, 3), True, date(2026, 10, 9)) == 1
    assert not CAL.is_overdue(date(2026, 10, 3), False, date(2026, 12, 1))  # closed items are never overdue


def test_add_workdays_skips_holidays():
    assert CAL.add_workdays(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert CAL.add_workdays(date(2026, 10, 8), -1) == date(2026, 9, 30)


def test_a_calendar_with_no_working_day_says_so():
    cal = WorkdayCalendar({date(2030, 1, 1) + timedelta(days=i): False for i in range(100)})
    with pytest.raises(ValueError, match="工作日"):
        cal.next_workday_on_or_after(date(2030, 1, 1))


@given(due=st.dates(date(2025, 1, 1), date(2027, 6, 30)), today=st.dates(date(2025, 1, 1), date(2027, 6, 30)))
def test_the_sql_cutoff_and_the_python_rule_agree(due, today):
    """Lists filter with `due_date <= overdue_cutoff(today)`; badges use is_overdue: same answer."""
    assert (due <= CAL.overdue_cutoff(today)) == CAL.is_overdue(due, True, today)


def test_not_overdue_means_zero_days_overdue():
    assert CAL.days_overdue(date(2026, 10, 3), True, date(2026, 10, 8)) == 0   # due in the holiday, day 1 back
    assert CAL.days_overdue(date(2026, 11, 20), True, date(2026, 11, 20)) == 0  # due today


def test_a_calendar_without_working_days_says_so_instead_of_looping():
    start = date(2026, 11, 2)
    cal = WorkdayCalendar({start + timedelta(days=d): False for d in range(-70, 70)})
    for scan in (cal.next_workday_on_or_after, cal.previous_workday_before):
        with pytest.raises(ValueError, match="天内没有工作日，请检查节假日调整表"):
            scan(start)


def test_workdays_between_is_remembered_per_calendar_not_across_calendars():
    """Each calendar remembers its own answers (a list asks the same span per item); another calendar,
    with an override inside the span, answers for its own days."""
    plain = WorkdayCalendar()
    with_day_off = WorkdayCalendar({date(2026, 11, 11): False})
    assert plain.workdays_between(date(2026, 11, 6), date(2026, 11, 13)) == 5  # Mon 9 – Fri 13
    assert plain.workdays_between(date(2026, 11, 6), date(2026, 11, 13)) == 5
    assert with_day_off.workdays_between(date(2026, 11, 6), date(2026, 11, 13)) == 4
    assert with_day_off.working_days_overdue(date(2026, 11, 6), True, date(2026, 11, 13)) == 4
