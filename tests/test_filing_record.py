"""The filing record speaks at scoring time: the 附件2 rules it settles, with counts and evidence."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from pufa_flow import clock
from pufa_flow.frameworks.registry import get_framework
from pufa_flow.services import filing_record, filings, workflow

PDF = b"%PDF-1.4 x"


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 2)


@pytest.fixture
def year(make_unit, make_user, office_user):
    unit = make_unit("区司法局")
    user = make_user("unit", unit=unit)
    with clock.frozen(at(date(2026, 1, 5))):
        types = {ft.code: ft for ft in filings.install_defaults(2026, actor=office_user)}
    return unit, user, types, office_user


def _file(ft, user, day, **data):
    with clock.frozen(at(day)):
        return filings.file_filing(ft.id, data, actor=user, files=[(PDF, "材料.pdf")])


def _rules(unit, on):
    return {s.rule_id: s for s in filing_record.suggested_deductions(unit.id, 2026, on=on)}


def test_the_rule_ids_are_附件2s_and_say_what_the_issue_quotes():
    fw = get_framework(filing_record.FRAMEWORK_ID)
    texts = {rid: fw.rule(rid)[1].text for rid in (
        filing_record.RULE_NO_PLAN, filing_record.RULE_NO_DUTY_LIST, filing_record.RULE_NOT_FILED_IN_TIME,
        filing_record.RULE_INFO_SHORTFALL, filing_record.RULE_NO_LIAISON)}
    assert texts["n23-03-a"].startswith("未制定普法工作计划的，扣4分")
    assert texts["n23-03-b"].startswith("未建立普法责任清单并公示的，扣4分")
    assert texts["n23-03-c"].startswith("未及时报备的，扣2分")
    assert texts["n23-04-a"].startswith("每少报送1条工作信息扣1分")
    assert texts["n23-02-b"].startswith("联络员未明确")


def test_nothing_is_missing_before_the_deadline(year):
    unit, *_ = year
    assert set(_rules(unit, date(2026, 3, 31))) == {"n23-04-a"}  # the stream counts from day one
    assert _rules(unit, date(2026, 3, 31))["n23-04-a"].count == 5


def test_no_plan_no_list_no_liaison_after_the_deadline(year):
    unit, *_ = year
    rules = _rules(unit, date(2026, 4, 1))
    assert set(rules) == {"n23-03-a", "n23-03-b", "n23-02-b", "n23-04-a"}
    assert "未报送" in rules["n23-03-a"].evidence and rules["n23-03-a"].links[0][1] == f"/filings/units/{unit.id}/2026"


def test_plan_late_list_on_time_three_infos_of_five(year):
    unit, user, types, office = year
    plan = _file(types["plan"], user, date(2026, 4, 2))  # 2 working days late
    _file(types["duty_list"], user, date(2026, 3, 20), url="https://www.example.gov.cn/qingdan")
    filings.file_filing(types["contacts"].id, {"people": [{"role": "liaison", "name": "李联络"}]}, actor=user)
    for i in range(3):
        _file(types["info"], user, date(2026, 5, 10), title=f"信息{i}", item_date="2026-05-08")
    rules = _rules(unit, date(2026, 11, 1))
    assert set(rules) == {"n23-03-c", "n23-04-a"}
    late = rules["n23-03-c"]
    assert late.count == 1 and "逾期 2 个工作日" in late.evidence and "年度普法工作计划" in late.evidence
    assert late.links == ((f"年度普法工作计划（已报送）", f"/filings/{plan.id}"),)
    assert rules["n23-04-a"].count == 2 and "报送工作信息 3 条" in rules["n23-04-a"].evidence


def test_a_returned_plan_not_filed_again_counts_as_no_plan(year):
    unit, user, types, office = year
    plan = _file(types["plan"], user, date(2026, 3, 2))
    workflow.fire(plan, "return_for_revision", actor=office, comment="内容不全")
    rules = _rules(unit, date(2026, 4, 1))
    assert "退回修改后未重新报送" in rules["n23-03-a"].evidence
    assert rules["n23-03-a"].links[0][1] == f"/filings/{plan.id}"


def test_a_unit_not_required_to_file_is_not_marked_down(year, make_unit, office_user):
    unit, *_ = year
    town = make_unit("某镇", kind="town")
    filings.update_type(filings.types_of_year(2026)[0], {"name": "年度普法工作计划", "due_date": "2026-03-31",
                                                         "unit_kinds": ["town"]}, actor=office_user)
    assert "n23-03-a" not in _rules(unit, date(2026, 4, 1))
    assert "n23-03-a" in {s.rule_id for s in filing_record.suggested_deductions(town.id, 2026, on=date(2026, 4, 1))}
