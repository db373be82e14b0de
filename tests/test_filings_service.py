"""Yearly filings: the office's types, a unit filing, returned and filed again, late in working days."""
from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from pufa_flow import clock
from pufa_flow.errors import Conflict, NotFound, ValidationFailed
from pufa_flow.extensions import db
from pufa_flow.models import AuditEvent, Contact, Filing
from pufa_flow.services import filings, workflow
from workflows import TransitionRefused

PDF = b"%PDF-1.4 plan"


def at(day: date, hour: int = 2) -> datetime:
    """10:00 in Shanghai on ``day``."""
    return datetime(day.year, day.month, day.day, hour, 0)


@pytest.fixture
def setup(make_unit, make_user, office_user):
    unit = make_unit("区司法局")
    other = make_unit("区教育局")
    town = make_unit("某镇", kind="town")
    user = make_user("unit", unit=unit)
    other_user = make_user("unit", unit=other)
    with clock.frozen(at(date(2026, 1, 5))):
        types = {ft.code: ft for ft in filings.install_defaults(2026, actor=office_user)}
    return {"unit": unit, "other": other, "town": town, "user": user, "other_user": other_user,
            "office": office_user, "types": types}


def test_defaults_install_once_with_their_dates(setup):
    types = setup["types"]
    assert set(types) == {"plan", "duty_list", "contacts", "report", "info"}
    assert types["plan"].due_date == date(2026, 3, 31)
    assert types["info"].kind == "stream" and types["info"].target == 5
    assert types["duty_list"].requires_url and types["contacts"].names_people
    assert filings.install_defaults(2026, actor=setup["office"]) == []
    assert len(filings.types_of_year(2026)) == 5


def test_plan_filed_late_counts_working_days_and_is_audited(setup):
    plan = setup["types"]["plan"]  # 2026-03-31 is a Tuesday
    with clock.frozen(at(date(2026, 4, 3))):  # Friday 4/3: Wed, Thu, Fri -> 3 working days late
        f = filings.file_filing(plan.id, {}, actor=setup["user"], files=[(PDF, "2026年普法工作计划.pdf")])
    assert f.status == "submitted" and f.late_workdays == 3 and f.is_late
    assert [a.original_name for a in filings.files_of(f)] == ["2026年普法工作计划.pdf"]
    audit = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.object_type == "filing")).all()
    assert [(a.trigger, a.from_state, a.to_state) for a in audit] == [("submit", "pending", "submitted")]


def test_on_the_due_day_is_on_time_and_a_weekend_after_it_is_one_day_late(setup, office_user):
    ft = filings.create_type({"year": 2026, "name": "专项报备", "due_date": "2026-06-12"}, actor=office_user)  # Fri
    assert filings.late_workdays(ft, date(2026, 6, 12)) == 0
    assert filings.late_workdays(ft, date(2026, 6, 13)) == 1  # Saturday counts from Monday
    assert filings.late_workdays(ft, date(2026, 6, 16)) == 2
    # 2026-10-01..07 are the National Day holidays: due 10-03 (Sat) moves to 10-08
    holiday = filings.create_type({"year": 2026, "name": "国庆后报备", "due_date": "2026-10-03"}, actor=office_user)
    assert filings.deadline_of(holiday) == date(2026, 10, 8)
    assert filings.late_workdays(holiday, date(2026, 10, 8)) == 0


def test_returned_then_filed_again_keeps_the_first_date(setup):
    plan = setup["types"]["plan"]
    with clock.frozen(at(date(2026, 3, 20))):
        f = filings.file_filing(plan.id, {"note": "初稿"}, actor=setup["user"], files=[(PDF, "计划.pdf")])
    with pytest.raises(TransitionRefused, match="理由"):
        workflow.fire(f, "return_for_revision", actor=setup["office"], comment="  ")
    with clock.frozen(at(date(2026, 3, 23))):
        workflow.fire(f, "return_for_revision", actor=setup["office"], comment="缺少责任分工")
    assert (f.status, f.return_reason) == ("returned", "缺少责任分工")
    with clock.frozen(at(date(2026, 4, 10))):
        again = filings.file_filing(plan.id, {"note": "修改稿"}, actor=setup["user"], files=[(PDF, "计划2.pdf")])
    assert again.id == f.id and again.status == "submitted"
    assert again.late_workdays == 0  # filed in time; the revision came later
    assert again.first_submitted_at.date() == date(2026, 3, 20)
    workflow.fire(again, "receive", actor=setup["office"])
    assert again.status == "received"


def test_a_single_shot_type_is_not_filed_twice(setup):
    plan = setup["types"]["plan"]
    filings.file_filing(plan.id, {}, actor=setup["user"], files=[(PDF, "计划.pdf")])
    with pytest.raises(Conflict, match="退回修改"):
        filings.file_filing(plan.id, {}, actor=setup["user"], files=[(PDF, "计划.pdf")])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Filing)) == 1


def test_bad_input_is_refused_with_a_reason(setup, office_user):
    types, user = setup["types"], setup["user"]
    with pytest.raises(NotFound):  # another unit's
        filings.file_filing(types["plan"].id, {"unit_id": setup["other"].id}, actor=user, files=[(PDF, "a.pdf")])
    narrow = filings.create_type({"year": 2026, "name": "乡镇专项", "due_date": "2026-06-30",
                                  "unit_kinds": ["town"]}, actor=office_user)
    with pytest.raises(ValidationFailed, match="无须报送"):
        filings.file_filing(narrow.id, {}, actor=user, files=[(PDF, "a.pdf")])
    with pytest.raises(ValidationFailed, match="应在 2026 年内"):
        filings.create_type({"year": 2026, "name": "跨年", "due_date": "2027-01-10"}, actor=office_user)
    with pytest.raises(ValidationFailed, match="不支持的文件类型"):
        filings.file_filing(types["plan"].id, {}, actor=user, files=[(b"MZ\x90\x00", "计划.exe")])
    with pytest.raises(ValidationFailed, match="公示网址"):
        filings.file_filing(types["duty_list"].id, {"url": "javascript:alert(1)"}, actor=user,
                            files=[(PDF, "清单.pdf")])
    with pytest.raises(ValidationFailed, match="上传报备材料"):
        filings.file_filing(types["report"].id, {}, actor=user)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Filing)) == 0


def test_contacts_filing_updates_the_units_contacts(setup):
    unit = setup["unit"]
    people = [{"role": "principal", "name": "王局长", "phone": "13800138001"},
              {"role": "liaison", "name": "李联络", "phone": "13800138002", "email": "li@example.cn"},
              {"role": "member", "name": "张成员"}]
    filings.file_filing(setup["types"]["contacts"].id, {"people": people}, actor=setup["user"])
    contacts = db.session.scalars(sa.select(Contact).where(Contact.unit_id == unit.id)).all()
    assert {(c.role, c.name) for c in contacts} == {("principal", "王局长"), ("liaison", "李联络")}
    with pytest.raises(ValidationFailed, match="联络员"):
        filings.file_filing(setup["types"]["contacts"].id, {"people": [people[0]]}, actor=setup["other_user"])


def test_stream_items_are_numbered_and_counted_on_the_board(setup):
    info = setup["types"]["info"]
    with clock.frozen(at(date(2026, 6, 1))):
        for i in range(3):
            filings.file_filing(info.id, {"title": f"信息{i}", "item_date": "2026-05-2%d" % i,
                                          "url": "https://example.cn/news/%d" % i}, actor=setup["user"])
        with pytest.raises(ValidationFailed, match="信息标题"):
            filings.file_filing(info.id, {"item_date": "2026-05-20", "url": "https://e.cn/"}, actor=setup["user"])
        board = filings.board(2026, user=setup["office"])
    seqs = sorted(f.seq for f in filings.unit_filings(setup["unit"].id, 2026))
    assert seqs == [1, 2, 3]
    row = dict((u.name, cells) for u, cells in board.rows)["区司法局"]
    cell = [c for c in row if c.filing_type.id == info.id][0]
    assert (cell.state, cell.label) == ("due", "3/5")
