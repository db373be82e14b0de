"""The office keeps the working-day calendar: coverage, entering a new year, the warning.

2027 is the year that matters: chinesecalendar 1.11 stops at 2026, and 003's
结果运用 phase ends in January 2027. New Year's Day 2027 is a Friday, so a
deadline "one working day after 2026-12-31" is 2027-01-01 on the weekday rule
and 2027-01-04 once the office has entered the holiday: the tests read that
difference, which a calendar that ignored the office's entries would not show.
"""
from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from pufa_flow.extensions import db
from pufa_flow.models import AuditEvent, WorkdayOverride, WorkdayYear
from pufa_flow.services import holidays
from pufa_flow.services.calendar import calendar

NEW_YEAR = date(2027, 1, 1)
NOTICE = "国务院办公厅关于2027年部分节假日安排的通知"
WARNING = "系统尚未录入"


def _fresh():
    """Drop the request's cached calendar, as a new request would."""
    from flask import g

    g.pop("workday_calendar", None)
    return calendar()


def _override_days() -> dict[date, bool]:
    return dict(db.session.execute(sa.select(WorkdayOverride.day, WorkdayOverride.is_workday)).all())


def _audit(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


@pytest.fixture
def changes(monkeypatch):
    """Each committed change re-plans the reminders once: the calls, counted."""
    from pufa_flow.services import reminders

    seen = []
    monkeypatch.setattr(reminders, "replan_all", lambda **kw: seen.append(True))
    return seen


# -- the service ---------------------------------------------------------------
def test_an_entered_holiday_moves_a_deadline_across_new_year(app, office_user, changes):
    assert _fresh().add_workdays(date(2026, 12, 31), 1) == NEW_YEAR
    assert holidays.set_range(NEW_YEAR, date(2027, 1, 3), "holiday", NOTICE, actor=office_user) == 3
    assert _fresh().add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert _override_days() == {date(2027, 1, d): False for d in (1, 2, 3)}
    [event] = _audit("calendar.set")
    assert event.actor_id == office_user.id
    assert event.data == {"start": "2027-01-01", "end": "2027-01-03", "kind": "holiday", "note": NOTICE, "days": 3}
    assert changes == [True]


def test_a_make_up_day_overrides_a_weekend_and_an_entry_can_be_cleared(app, office_user, changes):
    saturday = date(2027, 2, 20)
    assert not _fresh().is_workday(saturday)
    holidays.set_range(saturday, saturday, "workday", NOTICE, actor=office_user)
    assert _fresh().is_workday(saturday)
    assert holidays.clear_range(saturday, saturday, actor=office_user) == 1
    assert not _fresh().is_workday(saturday)
    assert [e.data["days"] for e in _audit("calendar.clear")] == [1]
    assert changes == [True, True]


def test_entering_again_overwrites_instead_of_duplicating(app, office_user):
    holidays.set_range(NEW_YEAR, NEW_YEAR, "holiday", "第一次", actor=office_user)
    holidays.set_range(NEW_YEAR, NEW_YEAR, "workday", "更正", actor=office_user)
    rows = db.session.scalars(sa.select(WorkdayOverride)).all()
    assert [(r.day, r.is_workday, r.note) for r in rows] == [(NEW_YEAR, True, "更正")]


@pytest.mark.parametrize(("start", "end", "kind", "note", "field"), [
    (date(2027, 1, 3), date(2027, 1, 1), "holiday", NOTICE, "end"),           # backwards
    (date(2027, 1, 1), date(2027, 2, 1), "holiday", NOTICE, "end"),           # 32 days
    (date(2027, 1, 1), date(2027, 1, 1), "vacation", NOTICE, "kind"),
    (date(2027, 1, 1), date(2027, 1, 1), "holiday", "   ", "note"),
    (date(2027, 1, 1), date(2027, 1, 1), "holiday", "通" * 101, "note"),
    (date(1999, 12, 31), date(1999, 12, 31), "holiday", NOTICE, "start"),
])
def test_bad_ranges_are_refused_and_write_nothing(app, office_user, changes, start, end, kind, note, field):
    from pufa_flow.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as caught:
        holidays.set_range(start, end, kind, note, actor=office_user)
    assert field in caught.value.fields
    assert _override_days() == {} and _audit("calendar.set") == [] and changes == []


def test_a_range_of_exactly_the_limit_is_accepted(app, office_user):
    days = holidays.set_range(date(2027, 1, 1), date(2027, 1, 31), "holiday", NOTICE, actor=office_user)
    assert days == holidays.MAX_SPAN_DAYS == 31


def test_coverage_knows_the_package_years_and_the_confirmed_ones(app, office_user):
    by_year = {c.year: c for c in holidays.coverage(2027)}
    assert by_year[2026].source == "package" and by_year[2026].covered
    assert by_year[2027].source == "" and not by_year[2027].covered
    with pytest.raises(Exception, match="还没有录入"):
        holidays.confirm_year(2027, NOTICE, actor=office_user)
    holidays.set_range(NEW_YEAR, date(2027, 1, 3), "holiday", NOTICE, actor=office_user)
    holidays.confirm_year(2027, NOTICE, actor=office_user)
    by_year = {c.year: c for c in holidays.coverage(2027)}
    assert (by_year[2027].source, by_year[2027].note, by_year[2027].override_count) == ("office", NOTICE, 3)
    assert db.session.get(WorkdayYear, 2027).confirmed_by_id == office_user.id
    holidays.withdraw_year(2027, actor=office_user)
    assert not {c.year: c for c in holidays.coverage(2027)}[2027].covered
    assert [len(_audit(a)) for a in ("calendar.confirm", "calendar.withdraw")] == [1, 1]


def test_a_confirmed_year_stops_counting_as_uncovered(app, office_user):
    cal = _fresh()
    cal.is_workday(date(2027, 3, 3))
    assert cal.uncovered_years == {2027}
    holidays.set_range(NEW_YEAR, NEW_YEAR, "holiday", NOTICE, actor=office_user)
    holidays.confirm_year(2027, NOTICE, actor=office_user)
    cal = _fresh()
    cal.is_workday(date(2027, 3, 3))
    cal.is_workday(date(2026, 3, 3))
    assert cal.uncovered_years == set()


# -- importing a sheet -----------------------------------------------------------
def _csv(*lines: str) -> bytes:
    return ("\n".join(("开始日期,结束日期,类型,依据",) + lines) + "\n").encode("utf-8")


def test_import_applies_every_range_in_one_go(app, office_user, changes):
    report = holidays.import_ranges("2027.csv", _csv(
        f"2027-01-01,2027-01-03,放假,{NOTICE}", f"2027-02-20,,上班,{NOTICE}"), actor=office_user)
    assert report.ok and report.applied and report.days == 4
    assert _override_days() == {date(2027, 1, 1): False, date(2027, 1, 2): False, date(2027, 1, 3): False,
                                date(2027, 2, 20): True}
    assert [e.data for e in _audit("calendar.import")] == [{"filename": "2027.csv", "ranges": 2, "days": 4}]
    assert changes == [True]


def test_import_with_one_bad_row_writes_nothing_and_names_the_rows(app, office_user, changes):
    report = holidays.import_ranges("2027.csv", _csv(
        f"2027-01-01,2027-01-03,放假,{NOTICE}", f"20270220,,上班,{NOTICE}", f"2027-02-21,,调班,{NOTICE}",
        "2027-02-22,,上班,"), actor=office_user)
    assert not report.ok and not report.applied
    assert [(e.row, e.column) for e in report.errors] == [(3, "开始日期"), (4, "类型"), (5, "依据")]
    assert "YYYY-MM-DD" in report.errors[0].message
    assert _override_days() == {} and changes == []


def test_import_dry_run_checks_without_writing(app, office_user):
    report = holidays.import_ranges("2027.csv", _csv(f"2027-01-01,2027-01-03,放假,{NOTICE}"),
                                    actor=office_user, dry_run=True)
    assert report.ok and not report.applied and "检查通过" in report.summary()
    assert _override_days() == {}


def test_import_refuses_a_file_without_the_columns_or_rows(app, office_user):
    no_header = holidays.import_ranges("x.csv", "日期,说明\n2027-01-01,元旦\n".encode(), actor=office_user)
    assert "开始日期" in no_header.errors[0].message
    empty = holidays.import_ranges("x.csv", "开始日期,结束日期,类型,依据\n".encode(), actor=office_user)
    assert not empty.ok
    renamed = holidays.import_ranges("x.xlsx", b"not a workbook", actor=office_user)
    assert not renamed.ok and _override_days() == {}


def test_the_downloadable_template_imports_as_it_is(app, office_user):
    data = holidays.template_workbook()
    assert [c.value for c in load_workbook(io.BytesIO(data)).active[1]] == list(holidays.IMPORT_COLUMNS)
    report = holidays.import_ranges("模板.xlsx", data, actor=office_user)
    assert report.ok and report.days == 4


def test_an_xlsx_with_real_dates_imports(app, office_user):
    book = Workbook()
    book.active.append(list(holidays.IMPORT_COLUMNS))
    book.active.append([date(2027, 10, 1), date(2027, 10, 7), "放假", NOTICE])
    buffer = io.BytesIO()
    book.save(buffer)
    assert holidays.import_ranges("国庆.xlsx", buffer.getvalue(), actor=office_user).days == 7


# -- the page --------------------------------------------------------------------
def test_the_page_shows_coverage_and_warns_for_an_unknown_year(app, client, login, office_user):
    login(office_user)
    page = client.get("/calendar/?year=2027").get_data(as_text=True)
    assert "2027 年" in page and "未覆盖" in page and WARNING in page
    assert client.get("/calendar/?year=2026").get_data(as_text=True).count(WARNING) == 0


def test_the_office_enters_a_range_and_confirms_the_year_on_the_page(app, client, login, office_user):
    login(office_user)
    response = client.post("/calendar/ranges", data={
        "start": "2027-01-01", "end": "2027-01-03", "kind": "holiday", "note": NOTICE, "year": "2027"})
    assert response.status_code == 302 and response.location.endswith("/calendar/?year=2027")
    assert len(_override_days()) == 3
    page = client.get("/calendar/?year=2027").get_data(as_text=True)
    assert "2027-01-01 至 2027-01-03" in page and "确认已完整录入" in page
    client.post("/calendar/years/2027/confirm", data={"source": NOTICE, "year": "2027"})
    page = client.get("/calendar/?year=2027").get_data(as_text=True)
    assert f"普法办录入：{NOTICE}" in page and WARNING not in page


def test_a_bad_range_on_the_page_says_why_and_keeps_what_was_typed(app, client, login, office_user):
    login(office_user)
    response = client.post("/calendar/ranges", data={
        "start": "2027-01-05", "end": "2027-01-01", "kind": "holiday", "note": NOTICE, "year": "2027"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "结束日期不能早于开始日期" in page
    assert 'value="2027-01-05"' in page and NOTICE in page
    assert client.post("/calendar/ranges", data={
        "start": "2027-1-5", "end": "2027-01-06", "kind": "holiday", "note": NOTICE}).status_code == 422
    assert _override_days() == {}


def test_the_page_imports_a_sheet_and_reports_bad_rows(app, client, login, office_user):
    login(office_user)
    bad = client.post("/calendar/import?year=2027", data={"file": (io.BytesIO(_csv("2027-13-01,,放假,x")), "a.csv")},
                      content_type="multipart/form-data")
    assert bad.status_code == 422 and "第 2 行" in bad.get_data(as_text=True)
    checked = client.post("/calendar/import?year=2027", content_type="multipart/form-data", data={
        "file": (io.BytesIO(_csv(f"2027-01-01,2027-01-03,放假,{NOTICE}")), "a.csv"), "check_only": "1"})
    assert checked.status_code == 200 and "检查通过" in checked.get_data(as_text=True) and _override_days() == {}
    done = client.post("/calendar/import?year=2027", content_type="multipart/form-data", data={
        "file": (io.BytesIO(_csv(f"2027-01-01,2027-01-03,放假,{NOTICE}")), "a.csv")})
    assert done.status_code == 302 and len(_override_days()) == 3
    assert client.get("/calendar/template.xlsx").data[:2] == b"PK"


def test_other_roles_read_the_calendar_but_cannot_change_it(app, client, login, make_user, make_unit):
    unit_user = make_user("unit", unit=make_unit())
    login(unit_user)
    page = client.get("/calendar/?year=2027").get_data(as_text=True)
    assert "请联系普法办录入" in page and "录入一段放假或调休" not in page
    assert client.post("/calendar/ranges", data={
        "start": "2027-01-01", "end": "2027-01-01", "kind": "holiday", "note": NOTICE}).status_code == 403
    assert client.post("/calendar/years/2027/confirm", data={"source": NOTICE}).status_code == 403
    assert _override_days() == {}


def test_a_page_whose_dates_are_all_known_shows_no_warning(app, client, login, office_user):
    login(office_user)
    assert WARNING not in client.get("/units/").get_data(as_text=True)


def test_the_calendar_form_needs_its_csrf_token(app, backend, tmp_path, office_user):
    import re

    from tests.conftest import PASSWORD, make_test_app

    # "sqlite" only names the default; the URI below is the test database, whichever it is
    csrf_app = make_test_app("sqlite", tmp_path, WTF_CSRF_ENABLED=True,
                             SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    client = csrf_app.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"',
                      client.get("/login").get_data(as_text=True))
    signed_in = client.post("/login", data={"username": office_user.username, "password": PASSWORD,
                                            "csrf_token": token.group(1) or token.group(2)})
    assert signed_in.status_code == 302
    response = client.post("/calendar/ranges", data={
        "start": "2027-01-01", "end": "2027-01-01", "kind": "holiday", "note": NOTICE})
    assert response.status_code == 400 and _override_days() == {}
    with csrf_app.app_context():
        db.session.remove()
        db.engine.dispose()


# -- the API and the CLI ---------------------------------------------------------
def test_the_api_reads_and_writes_the_calendar(app, client, office_user, make_user, make_unit, token_for):
    office = token_for(office_user)
    unit = token_for(make_user("unit", unit=make_unit()))
    body = {"start": "2027-01-01", "end": "2027-01-03", "kind": "holiday", "note": NOTICE}
    assert client.post("/api/v1/calendar/ranges", json=body, headers=unit).status_code == 403
    assert client.post("/api/v1/calendar/ranges", json=body, headers=office).get_json() == {"days": 3}
    read = client.get("/api/v1/calendar?year=2027", headers=unit).get_json()
    assert read["days"][0] == {"date": "2027-01-01", "is_workday": False, "note": NOTICE}
    assert {c["year"]: c["covered"] for c in read["coverage"]}[2027] is False
    confirmed = client.put("/api/v1/calendar/years/2027", json={"source": NOTICE}, headers=office).get_json()
    assert {c["year"]: c["source"] for c in confirmed["coverage"]}[2027] == "office"
    withdrawn = client.delete("/api/v1/calendar/years/2027", headers=office).get_json()
    assert {c["year"]: c["source"] for c in withdrawn["coverage"]}[2027] == ""
    assert client.post("/api/v1/calendar/ranges/clear", json={"start": "2027-01-01", "end": "2027-01-03"},
                       headers=office).get_json() == {"days": 3}


@pytest.mark.parametrize("bad", [
    {"start": "20270101", "end": "2027-01-01", "kind": "holiday", "note": NOTICE},
    {"start": "2027-W01-5", "end": "2027-01-01", "kind": "holiday", "note": NOTICE},
    {"start": "２０２７-01-01", "end": "2027-01-01", "kind": "holiday", "note": NOTICE},
    {"start": 20270101, "end": "2027-01-01", "kind": "holiday", "note": NOTICE},
    {"start": "2027-01-01", "end": "2027-01-01", "kind": ["holiday"], "note": NOTICE},
    {"start": "2027-01-01", "end": "2027-01-01", "kind": "holiday", "note": {"x": 1}},
])
def test_the_api_refuses_odd_input_with_its_envelope(app, client, office_user, token_for, bad):
    response = client.post("/api/v1/calendar/ranges", json=bad, headers=token_for(office_user))
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "validation_failed"
    assert _override_days() == {}


def test_the_api_refuses_a_year_out_of_range(app, client, office_user, token_for):
    headers = token_for(office_user)
    assert client.get("/api/v1/calendar?year=²", headers=headers).status_code == 422
    assert client.get("/api/v1/calendar?year=99999", headers=headers).status_code == 422
    assert client.put("/api/v1/calendar/years/99999", json={"source": NOTICE}, headers=headers).status_code == 422


def test_the_cli_imports_and_reports_coverage(app, runner, tmp_path, monkeypatch):
    import functools

    from pufa_flow.cli import main

    monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)
    invoke = functools.partial(runner.invoke, main)
    sheet = tmp_path / "2027.csv"
    sheet.write_bytes(_csv(f"2027-01-01,2027-01-03,放假,{NOTICE}"))
    result = invoke(args=["calendar", "import", str(sheet), "--confirm-year", "2027", "--source", NOTICE])
    assert result.exit_code == 0, result.output
    assert "共 3 天" in result.output
    coverage = invoke(args=["calendar", "coverage", "--year", "2027"]).output
    assert f"2027\t已覆盖（普法办录入：{NOTICE}）\t录入 3 天" in coverage
    bad = tmp_path / "bad.csv"
    bad.write_bytes(_csv("2027-02-30,,放假,x"))
    failed = invoke(args=["calendar", "import", str(bad)])
    assert failed.exit_code == 1 and "第 2 行" in failed.output


def test_entering_a_holiday_moves_a_pending_reminder(app, office_user, make_unit):
    """Item due Wed 2027-01-06; its first reminder is 5 working days before. On the weekday
    rule that is Wed 2026-12-30 (01-01 counts); with New Year entered it is Tue 12-29."""
    from datetime import datetime

    from helpers import new_notice

    from pufa_flow import clock
    from pufa_flow.models import Contact, ReminderSchedule

    unit = make_unit()
    db.session.add(Contact(unit_id=unit.id, role="liaison", name="李联络", phone="13800000000"))
    db.session.commit()
    with clock.frozen(datetime(2026, 12, 20, 2, 0)):
        item = new_notice(office_user, unit, n_items=1, due=date(2027, 1, 6)).items[0]
        db.session.commit()

        def next_day() -> date:
            row = db.session.scalar(sa.select(ReminderSchedule).where(
                ReminderSchedule.object_type == "item", ReminderSchedule.object_id == item.id))
            db.session.refresh(row)
            return clock.to_local(row.next_at).date()
        before = next_day()
        holidays.set_range(NEW_YEAR, date(2027, 1, 3), "holiday", NOTICE, actor=office_user)
        assert (before, next_day()) == (date(2026, 12, 30), date(2026, 12, 29))
