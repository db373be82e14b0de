"""Filing deadlines for the reminder sweep, and the filings ladder falling on working days."""
from __future__ import annotations

from datetime import date, datetime

import chinese_calendar
import pytest

from pufa_flow import clock
from pufa_flow.services import filing_deadlines, filings
from pufa_flow.services.calendar import today

PDF = b"%PDF-1.4 x"


@pytest.fixture
def year(make_unit, make_user, office_user):
    from pufa_flow.extensions import db
    from pufa_flow.models import Contact

    unit, other = make_unit("区司法局"), make_unit("区教育局")
    unit.contacts = [Contact(role="liaison", name="李联络", email="li@example.cn")]
    db.session.commit()
    user = make_user("unit", unit=unit)
    with clock.frozen(datetime(2026, 1, 5, 2)):
        types = {ft.code: ft for ft in filings.install_defaults(2026, actor=office_user)}
    return unit, other, user, types


def test_open_deadlines_are_what_each_unit_still_owes(year):
    unit, other, user, types = year
    filings.file_filing(types["plan"].id, {}, actor=user, files=[(PDF, "计划.pdf")])
    open_ = filing_deadlines.open_filing_deadlines(date(2026, 3, 1))
    pairs = {(d.unit_id, d.filing_type_id) for d in open_}
    assert (unit.id, types["plan"].id) not in pairs
    assert (other.id, types["plan"].id) in pairs and (unit.id, types["info"].id) in pairs
    mine = next(d for d in open_ if d.unit_id == unit.id and d.filing_type_id == types["duty_list"].id)
    assert mine.recipients == (("inapp", f"unit:{unit.id}"), ("email", "li@example.cn"))
    assert mine.due == date(2026, 3, 31) and mine.deadline == date(2026, 3, 31)
    assert mine.label == "区司法局·普法责任清单（2026年）" and mine.key == f"filing:{types['duty_list'].id}:{unit.id}"


def test_the_ladder_is_10_5_1_working_days_before_then_weekly():
    assert filing_deadlines.FILING_LADDER_DEFAULTS == {"before_workdays": (10, 5, 1), "then_every_workdays": 5}
    offsets = sorted(r.offset for r in filing_deadlines.FILING_LADDER.rungs)
    assert offsets == [-10, -5, -1, 5]
    assert [r.every for r in filing_deadlines.FILING_LADDER.rungs if r.offset > 0] == [5]


def test_reminders_for_a_deadline_fall_on_working_days(app):
    """Due Friday 2026-10-09, after the National Day holidays (10-01..07), with make-up working
    days on Sunday 09-20 and Saturday 10-10 and the Mid-Autumn holiday on 09-25."""
    with clock.frozen(datetime(2026, 9, 1, 2)):
        assert today() == date(2026, 9, 1)
        days = filing_deadlines.reminder_days(date(2026, 10, 9), through=date(2026, 10, 31))
    assert all(chinese_calendar.is_workday(d) for d in days)
    # 1 working day before 10-09 is 10-08; 5 before skips the holidays to 09-24;
    # 10 before counts the make-up Sunday 09-20 and lands on 09-18
    assert days[:3] == [date(2026, 9, 18), date(2026, 9, 24), date(2026, 10, 8)]
    # then every 5 working days (a week), counting the make-up Saturday 10-10
    assert days[3:] == [date(2026, 10, 15), date(2026, 10, 22), date(2026, 10, 29)]


def test_cli_adds_defaults_and_lists_what_is_owed(app, runner, make_unit, monkeypatch):
    from pufa_flow.cli import main

    monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)
    make_unit("区司法局")
    first = runner.invoke(main, ["filings", "defaults", "--year", "2026"])
    assert first.exit_code == 0 and "已添加 5 个默认报备事项" in first.output, first.output
    assert "默认报备事项均已存在" in runner.invoke(main, ["filings", "defaults", "--year", "2026"]).output
    owed = runner.invoke(main, ["filings", "owed", "--on", "2026-04-01"])
    assert owed.exit_code == 0
    assert "区司法局·年度普法工作计划（2026年）\t2026-03-31（已逾期）\tunit:" in owed.output
    assert "共 5 项尚未报送" in owed.output
    assert runner.invoke(main, ["filings", "defaults", "--year", "1999"]).exit_code != 0
