"""Filings pages: the office sets the year, a unit files and refiles, the board and its .xlsx agree."""
from __future__ import annotations

import io
import re
from datetime import date, datetime

import openpyxl
import pytest

from pufa_flow import clock
from pufa_flow.extensions import db
from pufa_flow.models import Filing
from pufa_flow.services import filings

PDF = b"%PDF-1.4 test"


@pytest.fixture
def year_set(make_unit, make_user, office_user):
    unit, other = make_unit("区司法局"), make_unit("区教育局")
    with clock.frozen(datetime(2026, 1, 5, 2)):
        types = {ft.code: ft for ft in filings.install_defaults(2026, actor=office_user)}
    return {"unit": unit, "other": other, "user": make_user("unit", unit=unit),
            "other_user": make_user("unit", unit=other), "types": types}


def test_office_defines_a_type_on_the_page_and_bad_dates_are_refused(client, login, office_user):
    login(office_user)
    page = client.get("/filings/types/2026")
    assert page.status_code == 200 and "尚未设置报备事项" in page.get_data(as_text=True)
    client.post("/filings/types/2026/defaults")
    text = client.get("/filings/types/2026").get_data(as_text=True)
    assert "年度普法工作计划" in text and "2026年3月31日" in text and "全年 5 条" in text
    bad = client.post("/filings/types/2026", data={"name": "跨年事项", "due_date": "2027-02-01"},
                      follow_redirects=True)
    assert "报送时限应在 2026 年内" in bad.get_data(as_text=True)
    ok = client.post("/filings/types/2026", data={"name": "普法宣传月总结", "due_date": "2026-06-30",
                                                 "unit_kinds": ["town"]}, follow_redirects=True)
    assert "已新增报备事项：普法宣传月总结" in ok.get_data(as_text=True)
    assert "<script>" not in ok.get_data(as_text=True)


def test_unit_files_late_is_returned_and_refiles_and_the_board_shows_it(app, client, login, year_set, office_user):
    plan = year_set["types"]["plan"]
    login(year_set["user"])
    with clock.frozen(datetime(2026, 4, 2, 2)):  # two working days after 3-31
        r = client.post(f"/filings/types/{plan.id}/file", data={
            "note": "计划", "files": (io.BytesIO(PDF), "2026年普法工作计划.pdf")},
            content_type="multipart/form-data", follow_redirects=True)
    text = r.get_data(as_text=True)
    assert "已报送：年度普法工作计划，逾期 2 个工作日" in text
    filing = db.session.query(Filing).one()
    again = client.post(f"/filings/types/{plan.id}/file", data={"files": (io.BytesIO(PDF), "b.pdf")},
                        content_type="multipart/form-data", follow_redirects=True)
    assert "退回修改后重新报送" in again.get_data(as_text=True)

    client.post("/logout")
    login(office_user)
    r = client.post(f"/transitions/filing/{filing.id}", data={"trigger": "return_for_revision",
                                                              "comment": "未写明责任分工", "version": filing.version},
                    follow_redirects=True)
    assert "现为「退回修改」" in r.get_data(as_text=True), re.findall(r'class="flash[^"]*">([^<]*)', r.get_data(as_text=True))
    with clock.frozen(datetime(2026, 4, 20, 2)):
        board = client.get("/filings/board/2026").get_data(as_text=True)
    assert 'data-unit="区司法局" data-type="plan" data-state="returned"' in board
    assert 'data-unit="区教育局" data-type="plan" data-state="missing"' in board
    assert f'href="/filings/{filing.id}"' in board

    client.post("/logout")
    login(year_set["user"])
    page = client.get(f"/filings/units/{year_set['unit'].id}/2026").get_data(as_text=True)
    assert "已被退回修改" in page and "未写明责任分工" in page and "重新报送" in page
    client.post(f"/filings/types/{plan.id}/file", data={"files": (io.BytesIO(PDF), "修改稿.pdf")},
                content_type="multipart/form-data")
    db.session.refresh(filing)
    assert filing.status == "submitted" and filing.late_workdays == 2

    client.post("/logout")
    login(office_user)
    with clock.frozen(datetime(2026, 4, 20, 2)):
        board = client.get("/filings/board/2026").get_data(as_text=True)
        xlsx = client.get("/filings/board/2026/export.xlsx")
    assert 'data-unit="区司法局" data-type="plan" data-state="late"' in board
    with clock.frozen(datetime(2026, 4, 20, 2)):
        missing = client.get(f"/filings/board/2026?type={plan.id}&state=missing").get_data(as_text=True)
    assert 'data-unit="区教育局"' in missing and 'data-unit="区司法局"' not in missing
    assert f"/filings/board/2026?type={plan.id}&amp;state=missing" in board  # the count links to its units
    wb = openpyxl.load_workbook(io.BytesIO(xlsx.data))
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    rows = {r[0]: r for r in ws.iter_rows(min_row=3, values_only=True)}
    col = header.index("年度普法工作计划")
    assert rows["区司法局"][col] == "逾期2个工作日" and rows["区教育局"][col] == "逾期未报"
    counts = {r[0]: r for r in wb["分类统计"].iter_rows(min_row=2, values_only=True)}
    assert counts["年度普法工作计划"][1:5] == (0, 1, 0, 1)  # on time, late, returned, missing


def test_another_units_pages_and_filings_are_404(client, login, year_set):
    plan = year_set["types"]["plan"]
    filing = filings.file_filing(plan.id, {}, actor=year_set["other_user"], files=[(PDF, "x.pdf")])
    login(year_set["user"])
    assert client.get(f"/filings/units/{year_set['other'].id}/2026").status_code == 404
    assert client.get(f"/filings/{filing.id}").status_code == 404
    assert client.get("/filings/board/2026").status_code == 403
    assert client.get("/filings/").headers["Location"].endswith(f"/filings/units/{year_set['unit'].id}/{date.today().year}")


def test_diagrams_page_draws_the_filing_machine(client, login, office_user):
    login(office_user)
    text = client.get("/workflows/").get_data(as_text=True)
    assert "title: 报备事项" in text and "已接收" in text  # only the filing machine has 已接收
