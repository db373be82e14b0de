"""Every refusal of a cycle's inputs: its creation (name, year, phases, units)
and the values its assessments' triggers carry (scores, grade). Each names
its field in Chinese and writes nothing."""
from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa
from helpers import PHASE_DATES, new_cycle, new_notice, walk_item

from pufa_flow import clock
from pufa_flow.errors import ValidationFailed
from pufa_flow.extensions import db
from pufa_flow.models import AuditEvent, Cycle, CyclePhase, UnitAssessment
from pufa_flow.services import cycles, workflow


def counts():
    db.session.expire_all()
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(m))
                 for m in (Cycle, CyclePhase, UnitAssessment, AuditEvent))


def phases(**changes):
    out = {k: dict(v) for k, v in PHASE_DATES.items()}
    for key, value in changes.items():
        out[key] = value
    return out


CASES = [
    # (data changes, field, words of the message)
    ({"name": None}, "name", "周期名称不能为空"),
    ({"name": "   "}, "name", "周期名称不能为空"),
    ({"name": 2026}, "name", "周期名称必须是文本"),
    ({"name": "年" * 101}, "name", "不能超过100个字符"),
    ({"name": "考评<script>"}, "name", "不允许的字符"),
    ({"year": "二〇二六"}, "year", "年度"),
    ({"year": None}, "year", "年度"),
    ({"year": 1999}, "year", "年度应在 2000 到 2100 之间"),
    ({"year": 2101}, "year", "年度应在 2000 到 2100 之间"),
    ({"phases": ["self_assessment"]}, "phases", "阶段只能是"),
    ({"phases": {"holiday": {}}}, "phases", "阶段只能是"),
    ({"phases": phases(self_assessment="2026-10-15")}, "phases.self_assessment", "自评阶段应包含 start 与 due"),
    ({"phases": phases(self_assessment={"start": "2026-13-01", "due": "2026-11-05"})},
     "phases.self_assessment.start", "自评开始日期"),
    ({"phases": phases(field_research={"start": "2026-11-06", "due": "十一月"})},
     "phases.field_research.due", "实地调研截止日期"),
    ({"phases": phases(acceptance={"start": "2026-12-25", "due": "2026-11-26"})},
     "phases.acceptance", "评估验收阶段的开始日期晚于截止日期"),
    ({"phases": phases(results={"start": "2026-11-01", "due": "2027-01-25"})},
     "phases.results.start", "结果运用阶段不能早于上一阶段开始"),
    ({"unit_ids": "1,2"}, "unit_ids", "unit_ids 应为单位编号（1 到 2147483647 的整数）列表"),
    ({"unit_ids": [1, "2"]}, "unit_ids", "unit_ids 应为单位编号（1 到 2147483647 的整数）列表"),
    ({"unit_ids": [True]}, "unit_ids", "unit_ids 应为单位编号（1 到 2147483647 的整数）列表"),
    ({"unit_ids": "DUPLICATE"}, "unit_ids", "不能重复"),
    ({"unit_ids": list(range(1, 10_002))}, "unit_ids", "不超过 10000 个"),
    ({"unit_ids": [424242]}, "unit_ids", "单位不存在或已停用：424242"),
    ({"unit_ids": "INACTIVE"}, "unit_ids", "单位不存在或已停用"),
]


@pytest.mark.parametrize("changes, field, words", CASES, ids=[f"{c[1]}-{i}" for i, c in enumerate(CASES)])
def test_creating_a_cycle_refuses_bad_input_by_field(make_unit, office_user, changes, field, words):
    unit, stopped = make_unit(), make_unit("已撤销单位", is_active=False)
    special = {"DUPLICATE": [unit.id, unit.id], "INACTIVE": [unit.id, stopped.id]}
    changes = {k: special.get(v, v) if isinstance(v, str) else v for k, v in changes.items()}
    data = {"name": "2026年度普法责任制考评", "year": 2026, "phases": PHASE_DATES, "unit_ids": [unit.id], **changes}
    before = counts()
    with pytest.raises(ValidationFailed) as info:
        cycles.create_cycle(data, actor=office_user)
    assert field in info.value.fields and words in info.value.fields[field], info.value.fields
    assert counts() == before


def test_a_cycle_without_phase_dates_or_units_is_a_draft_that_cannot_start(make_unit, office_user):
    """Not refused at creation (dates and units may come later): the start guard says what is missing."""
    cycle = cycles.create_cycle({"name": "草拟中的考评", "year": 2026}, actor=office_user)
    assert [p.starts_on for p in cycle.phases] == [None] * 4
    assert cycle.allowed_triggers("office") == []


def test_the_api_answers_a_bad_cycle_with_the_422_envelope(client, office_user, token_for):
    headers = token_for(office_user)
    before = counts()
    r = client.post("/api/v1/cycles", headers=headers,
                    json={"name": "", "year": 1999, "phases": {"holiday": {}}, "unit_ids": [424242]})
    assert r.status_code == 422
    fields = r.json["error"]["details"]["fields"]
    assert set(fields) >= {"name", "year", "phases", "unit_ids"}  # every bad field at once
    assert counts() == before


# -- what an assessment's triggers carry -------------------------------------------------------
@pytest.fixture
def assessment(make_unit, make_user, office_user):
    unit = make_unit()
    unit_user = make_user("unit", unit)
    cycle = new_cycle(office_user, [unit])
    workflow.fire(cycle, "start", actor=office_user)
    return db.session.scalars(sa.select(UnitAssessment)).one(), unit_user


@pytest.mark.parametrize("value", ["92", 115, "九十二", None])
def test_a_typed_self_score_is_refused(assessment, value):
    """Issue 11: the 自测得分 is computed from the saved 自测得分表 at submit, never typed."""
    a, unit_user = assessment
    before = (a.status, a.version, a.self_score, counts())
    with pytest.raises(ValidationFailed) as info:
        workflow.fire(a, "submit", actor=unit_user, data={"self_score": value})
    assert info.value.fields == {"self_score": "该操作不接受此字段"}
    db.session.expire_all()
    a = db.session.get(UnitAssessment, a.id)
    assert (a.status, a.version, a.self_score, counts()) == before


@pytest.fixture
def accepted(assessment, office_user):
    """An assessment submitted and accepted: the office may now type the 评议得分."""
    a, unit_user = assessment
    workflow.fire(a, "submit", actor=unit_user)
    workflow.fire(a, "accept", actor=office_user)
    return a, office_user


@pytest.mark.parametrize("value, words", [
    ("九十二", "评议得分必须是数字"), ("-1", "评议得分应在 0 到 115 之间"), (115.01, "应在 0 到 115 之间"),
])
def test_a_bad_review_score_is_refused(accepted, value, words):
    a, office_user = accepted
    before = (a.status, a.version, counts())
    with pytest.raises(ValidationFailed) as info:
        workflow.fire(a, "finalize_score", actor=office_user, data={"review_score": value})
    assert words in info.value.fields["review_score"]
    db.session.expire_all()
    a = db.session.get(UnitAssessment, a.id)
    assert (a.status, a.version, a.review_score, counts()) == (*before[:2], None, before[2])


@pytest.mark.parametrize("value, kept", [("115", "115.00"), (0, "0.00"), ("92.5", "92.50")])
def test_the_score_bounds_are_inclusive_and_kept_to_the_cent(accepted, value, kept):
    a, office_user = accepted
    workflow.fire(a, "finalize_score", actor=office_user, data={"review_score": value})
    assert (a.status, str(a.review_score)) == ("scored", kept)


# -- what an item's triggers carry ------------------------------------------------------------
def test_an_extension_must_be_later_than_the_deadline_and_not_in_the_past(make_unit, make_user, office_user):
    unit = make_unit()
    unit_user = make_user("unit", unit)
    with clock.frozen(datetime(2026, 11, 2, 4)):
        item = new_notice(office_user, unit, n_items=1, due=date(2026, 11, 10)).items[0]
        walk_item(item, unit_user, office_user, "in_progress")
    with clock.frozen(datetime(2026, 11, 20, 4)):  # the deadline has passed
        for new, words in [("2026-11-10", "应晚于当前时限 2026-11-10"), ("2026-11-19", "不能早于今天"),
                           ("不是日期", "延期后的时限"), (None, "延期后的时限")]:
            with pytest.raises(ValidationFailed) as info:
                workflow.fire(item, "request_extension", actor=unit_user, comment="需要更多时间",
                              data={"new_due_date": new})
            assert words in info.value.fields["new_due_date"], (new, info.value.fields)
        workflow.fire(item, "request_extension", actor=unit_user, comment="需要更多时间",
                      data={"new_due_date": "2026-11-20"})  # today is allowed
    assert item.requested_due_date == date(2026, 11, 20)


def test_measures_are_text_of_bounded_length(make_unit, make_user, office_user):
    unit = make_unit()
    unit_user = make_user("unit", unit)
    item = walk_item(new_notice(office_user, unit, n_items=1).items[0], unit_user, office_user, "in_progress")
    for value, words in [("", "整改措施不能为空"), ("措" * 5001, "不能超过5000个字符"), (["a"], "必须是文本")]:
        with pytest.raises(ValidationFailed) as info:
            workflow.fire(item, "submit", actor=unit_user, data={"measures": value})
        assert words in info.value.fields["measures"]
    assert item.status == "in_progress"
