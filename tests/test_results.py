"""评分定等 and 结果运用 (services/results.py): grades by rule and quota, adjustments with a reason,
confirmation in one transaction, 评估意见, publish_results (in-app notices + 整改通知书, all or
nothing), commendations, the 通报批评 list, and archive (read-only afterwards).

The world: five units in 评估验收 with final scores designated through the
acceptance service: 甲 95, 乙 92, 丙 92, 丁 85, 戊(a county) 55.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa
from helpers import IN_SELF_ASSESSMENT, assign, new_cycle

from pufa_flow import clock
from pufa_flow.errors import Conflict, ValidationFailed
from pufa_flow.extensions import db
from pufa_flow.models import (AuditEvent, Commendation, Cycle, EvaluationOpinion, GradeAdjustment, Notice,
                              OutboxMessage, UnitAssessment)
from pufa_flow.services import notices, panel, results, workflow

SCORES = {"甲": 95, "乙": 92, "丙": 92, "丁": 85, "戊": 55}
#: 2026-11-30 10:00 in Shanghai: inside PHASE_DATES' acceptance phase
IN_ACCEPTANCE = datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc)


def count(model, *where):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


@pytest.fixture
def world(make_unit, make_user, office_user):
    with clock.frozen(IN_SELF_ASSESSMENT):
        units = {n: make_unit(f"单位{n}", kind="county" if n == "戊" else "city_department") for n in SCORES}
        users = {n: make_user("unit", u) for n, u in units.items()}
        cycle = new_cycle(office_user, list(units.values()))
        workflow.fire(cycle, "start", actor=office_user)
        by = {a.unit_id: a for a in db.session.scalars(sa.select(UnitAssessment))}
        a = {n: by[u.id] for n, u in units.items()}
        for n in SCORES:
            workflow.fire(a[n], "submit", actor=users[n])
            workflow.fire(a[n], "accept", actor=office_user)
        workflow.fire(cycle, "begin_field_research", actor=office_user)
        workflow.fire(cycle, "begin_acceptance", actor=office_user)
    with clock.frozen(IN_ACCEPTANCE):
        for n, score in SCORES.items():
            panel.finalize(a[n], actor=office_user, score=score, reason="测试：书面评分")
    return {"cycle": cycle, "a": a, "units": units, "users": users, "office": office_user}


def grades_of(cycle):
    return {r.assessment.unit.name[-1]: r.grade for r in results.ranking(cycle)}


# -- rules and the ranking ------------------------------------------------------------
def test_default_thresholds_propose_grades_in_score_order(world):
    rows = results.ranking(world["cycle"])
    assert [r.assessment.unit.name for r in rows] == ["单位甲", "单位乙", "单位丙", "单位丁", "单位戊"]
    assert [r.rank for r in rows] == [1, 2, 2, 4, 5]  # ties share a rank
    assert grades_of(world["cycle"]) == {"甲": "excellent", "乙": "excellent", "丙": "excellent", "丁": "good",
                                         "戊": "fail"}


def test_thresholds_out_of_order_are_refused_and_nothing_saved(world):
    with pytest.raises(ValidationFailed) as info:
        results.save_rules(world["cycle"], {"excellent_min": 80, "good_min": 85, "pass_min": 60},
                           actor=world["office"])
    assert "从高到低" in info.value.fields["thresholds"]
    with pytest.raises(ValidationFailed):
        results.save_rules(world["cycle"], {"excellent_min": 90, "good_min": 90, "pass_min": 60},
                           actor=world["office"])
    assert count(AuditEvent, AuditEvent.action == "results.rules") == 0
    results.save_rules(world["cycle"], {"excellent_min": 93, "good_min": 80, "pass_min": 50}, actor=world["office"])
    assert grades_of(world["cycle"]) == {"甲": "excellent", "乙": "good", "丙": "good", "丁": "good", "戊": "pass"}


@pytest.mark.parametrize("quota,kind,message", [
    (0, "count", "0 个"), (6, "count", "多于参评单位"), (10, "percent", "0 个"), (101, "percent", "100%"),
])
def test_a_quota_that_cannot_be_met_is_refused(world, quota, kind, message):
    with pytest.raises(ValidationFailed) as info:
        results.save_rules(world["cycle"], {"excellent_quota": quota, "quota_kind": kind}, actor=world["office"])
    assert message in info.value.fields["excellent_quota"]
    assert results.rules(world["cycle"]).excellent_quota is None


def test_quota_keeps_the_best_and_drops_ties_at_the_boundary_together(world):
    cycle, office = world["cycle"], world["office"]
    results.save_rules(cycle, {"excellent_quota": 1, "quota_kind": "count"}, actor=office)
    rows = {r.assessment.unit.name[-1]: r for r in results.ranking(cycle)}
    assert (rows["甲"].grade, rows["乙"].grade, rows["乙"].why) == ("excellent", "good", "quota")
    # two places: 甲 and one of the tied 92s would fit, but ties drop together (never unequal grades)
    results.save_rules(cycle, {"excellent_quota": 2, "quota_kind": "count"}, actor=office)
    assert grades_of(cycle) == {"甲": "excellent", "乙": "good", "丙": "good", "丁": "good", "戊": "fail"}
    assert {r.why for r in results.ranking(cycle) if r.assessment.unit.name in ("单位乙", "单位丙")} == {"quota_tie"}
    # 60% of 5 = 3: all three fit
    results.save_rules(cycle, {"excellent_quota": 60, "quota_kind": "percent"}, actor=office)
    assert [g for g in grades_of(cycle).values()].count("excellent") == 3


def test_propose_is_pure_and_drops_over_quota_to_good():
    t = {"excellent": Decimal(90), "good": Decimal(80), "pass": Decimal(60)}
    out = results.propose({1: Decimal(99), 2: Decimal(97), 3: Decimal(91), 4: Decimal(70)}, t, 2)
    assert out == {1: ("excellent", "threshold"), 2: ("excellent", "threshold"), 3: ("good", "quota"),
                   4: ("pass", "threshold")}


# -- adjusting and confirming -----------------------------------------------------------
def test_an_adjustment_needs_a_reason_is_audited_and_shown(world):
    cycle, office, a = world["cycle"], world["office"], world["a"]
    with pytest.raises(ValidationFailed) as info:
        results.adjust_grade(a["丁"], {"grade": "excellent", "reason": "  "}, actor=office)
    assert "reason" in info.value.fields and count(GradeAdjustment) == 0
    results.adjust_grade(a["戊"], {"grade": "pass", "reason": "实地调研中整改已见成效"}, actor=office)
    row = next(r for r in results.ranking(cycle) if r.assessment.id == a["戊"].id)
    assert (row.proposed, row.grade, row.adjustment.reason) == ("fail", "pass", "实地调研中整改已见成效")
    ev = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "results.grade_adjust")).one()
    assert ev.comment == "实地调研中整改已见成效" and ev.data["to"] == "pass"
    # back to the rule's grade clears the adjustment (also audited)
    results.adjust_grade(a["戊"], {"grade": "fail", "reason": "按规则"}, actor=office)
    assert count(GradeAdjustment) == 0


def test_an_adjustment_beyond_the_quota_is_refused(world):
    cycle, office, a = world["cycle"], world["office"], world["a"]
    results.save_rules(cycle, {"excellent_quota": 2, "quota_kind": "count"}, actor=office)
    results.adjust_grade(a["乙"], {"grade": "excellent", "reason": "评议团一致认可"}, actor=office)
    with pytest.raises(ValidationFailed) as info:
        results.adjust_grade(a["丙"], {"grade": "excellent", "reason": "也想优秀"}, actor=office)
    assert "名额已满" in info.value.fields["grade"]


def test_confirm_grades_fires_assign_grade_for_every_unit_or_none(world, monkeypatch):
    cycle, office, a = world["cycle"], world["office"], world["a"]
    results.adjust_grade(a["戊"], {"grade": "pass", "reason": "整改及时"}, actor=office)
    real = workflow.fire
    calls = []

    def failing(obj, trigger, **kw):
        calls.append(trigger)
        if len(calls) == 4:
            raise Conflict("模拟第四个单位失败")
        return real(obj, trigger, **kw)
    monkeypatch.setattr(results.workflow, "fire", failing)
    with pytest.raises(Conflict):
        results.confirm_grades(cycle, actor=office)
    db.session.expire_all()
    assert count(UnitAssessment, UnitAssessment.status == "graded") == 0
    assert results.rules(cycle).grades_confirmed_at is None
    monkeypatch.setattr(results.workflow, "fire", real)
    assert results.confirm_grades(cycle, actor=office) == 5
    db.session.expire_all()
    graded = {x.unit.name[-1]: x.grade for x in db.session.scalars(sa.select(UnitAssessment))}
    assert graded == {"甲": "excellent", "乙": "excellent", "丙": "excellent", "丁": "good", "戊": "pass"}
    ev = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.trigger == "assign_grade",
                                                        AuditEvent.object_id == a["戊"].id)).one()
    assert ev.comment == "整改及时"
    with pytest.raises(Conflict):
        results.confirm_grades(cycle, actor=office)  # once


def test_confirm_is_refused_while_a_unit_has_no_final_score(make_unit, make_user, office_user):
    with clock.frozen(IN_SELF_ASSESSMENT):
        unit = make_unit("未评分单位")
        user = make_user("unit", unit)
        cycle = new_cycle(office_user, [unit])
        workflow.fire(cycle, "start", actor=office_user)
        a = db.session.scalars(sa.select(UnitAssessment)).one()
        workflow.fire(a, "submit", actor=user)
        workflow.fire(a, "accept", actor=office_user)
        workflow.fire(cycle, "begin_field_research", actor=office_user)
        workflow.fire(cycle, "begin_acceptance", actor=office_user)
    with pytest.raises(Conflict) as info:
        results.confirm_grades(cycle, actor=office_user)
    assert "未确认最终得分" in info.value.message and "未评分单位" in info.value.message
    with pytest.raises(Conflict) as info:
        results.publish_results(cycle, actor=office_user)
    assert "未定等" in info.value.message


# -- opinions and publishing ---------------------------------------------------------------
PROBLEMS = [{"problem": "普法责任清单未公示", "requirement": "在门户网站公示责任清单", "category": "planning"},
            {"problem": "档案不全", "requirement": "补齐2026年普法台账", "category": "archives"}]


def test_opinion_problems_are_checked_and_nothing_half_saved(world):
    a, office = world["a"]["丁"], world["office"]
    with pytest.raises(ValidationFailed) as info:
        results.save_opinion(a, {"text": "总体较好", "problems": [PROBLEMS[0], {"problem": "缺要求"}]}, actor=office)
    assert "problems.1.requirement" in info.value.fields
    assert count(EvaluationOpinion) == 0
    results.save_opinion(a, {"text": "总体较好", "problems": PROBLEMS}, actor=office)
    assert results.opinion(a).problems[1]["category"] == "archives"


def _confirmed(world):
    results.save_opinion(world["a"]["丁"], {"text": "总体较好，仍有不足", "problems": PROBLEMS}, actor=world["office"])
    results.save_opinion(world["a"]["甲"], {"text": "工作扎实", "problems": []}, actor=world["office"])
    results.confirm_grades(world["cycle"], actor=world["office"])


def test_publish_notifies_every_unit_and_issues_one_notice_per_unit_with_problems(world):
    cycle, office = world["cycle"], world["office"]
    with clock.frozen(IN_ACCEPTANCE):
        _confirmed(world)
        out = results.publish_results(cycle, actor=office)
    db.session.expire_all()
    assert db.session.get(Cycle, cycle.id).status == "results"
    notice = db.session.scalars(sa.select(Notice)).one()
    assert out["notices"] == [notice.id]
    assert (notice.source, notice.cycle_id, notice.unit_id, notice.status) == (
        "evaluation", cycle.id, world["units"]["丁"].id, "issued")
    items = notice.items
    assert [i.problem for i in items] == ["普法责任清单未公示", "档案不全"]
    # 20 working days from Monday 2026-11-30
    assert {i.due_workdays for i in items} == {20} and items[0].due_date == date(2026, 12, 28)
    msgs = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "results.published")).all()
    assert sorted(m.recipient for m in msgs) == sorted(f"unit:{u.id}" for u in world["units"].values())
    ding = next(m for m in msgs if m.unit_id == world["units"]["丁"].id)
    assert "85.00" in ding.body and "良好" in ding.body and "总体较好" in ding.body and notice.doc_number in ding.body
    assert results.opinion(world["a"]["丁"]).notice_id == notice.id
    with pytest.raises(Conflict) as info:
        results.publish_results(cycle, actor=office)
    assert "不能重复发布" in info.value.message
    with pytest.raises(Conflict):
        results.save_opinion(world["a"]["丁"], {"text": "改", "problems": []}, actor=office)


def test_publish_failing_midway_leaves_nothing(world, monkeypatch):
    cycle, office = world["cycle"], world["office"]
    with clock.frozen(IN_ACCEPTANCE):
        _confirmed(world)
        before = (count(Notice), count(OutboxMessage), count(AuditEvent))

        real = results.workflow.fire

        def boom(obj, trigger, **kwargs):
            if trigger == "publish_results":  # the last step, after the notice was issued and the messages written
                assert count(Notice) == before[0] + 1
                raise RuntimeError("模拟发布失败")
            return real(obj, trigger, **kwargs)
        monkeypatch.setattr(results.workflow, "fire", boom)
        with pytest.raises(RuntimeError):
            results.publish_results(cycle, actor=office)
    db.session.rollback()
    db.session.expire_all()
    assert (count(Notice), count(OutboxMessage), count(AuditEvent)) == before
    assert db.session.get(Cycle, cycle.id).status == "acceptance"
    assert results.opinion(world["a"]["丁"]).notice_id is None


# -- commendations, 通报批评, archive ---------------------------------------------------------------
def test_commendations_check_kind_person_and_county(world):
    cycle, office, units = world["cycle"], world["office"], world["units"]
    with pytest.raises(ValidationFailed) as info:
        results.add_commendation(cycle, {"kind": "model_county", "unit_id": units["甲"].id}, actor=office)
    assert "县（市、区）" in info.value.fields["unit_id"]
    with pytest.raises(ValidationFailed) as info:
        results.add_commendation(cycle, {"kind": "individual", "unit_id": units["甲"].id}, actor=office)
    assert {"person_name", "post"} <= set(info.value.fields)
    results.add_commendation(cycle, {"kind": "model_county", "unit_id": units["戊"].id}, actor=office)
    results.add_commendation(cycle, {"kind": "collective", "unit_id": units["甲"].id}, actor=office)
    results.add_commendation(cycle, {"kind": "individual", "unit_id": units["甲"].id, "person_name": "王芳",
                                     "post": "法规科科长"}, actor=office)
    assert [(c.kind, c.person_name) for c in results.commendations(cycle)] == [
        ("collective", ""), ("individual", "王芳"), ("model_county", "")]


def test_criticism_lists_units_with_overdue_items_from_this_cycles_notices(world):
    cycle, office = world["cycle"], world["office"]
    with clock.frozen(IN_ACCEPTANCE):
        _confirmed(world)
        results.publish_results(cycle, actor=office)
        # an inspection notice of another unit, overdue too, is not this cycle's
        notices.create_notice({"unit_id": world["units"]["甲"].id, "source": "inspection", "title": "督查整改",
                               "items": [{"problem": "p", "requirement": "r", "due_date": "2026-12-01"}]},
                              actor=office)
    assert results.criticism_list(cycle, date(2026, 12, 28)) == []  # due that day: not yet late
    rows = results.criticism_list(cycle, date(2026, 12, 30))
    assert [(r.unit.name, r.overdue, r.max_working_days) for r in rows] == [("单位丁", 2, 2)]


def test_archive_makes_the_cycle_read_only(world, make_user):
    cycle, office, a = world["cycle"], world["office"], world["a"]
    with clock.frozen(IN_ACCEPTANCE):
        _confirmed(world)
        results.publish_results(cycle, actor=office)
    results.add_commendation(cycle, {"kind": "collective", "unit_id": world["units"]["甲"].id}, actor=office)
    assert results.archive(cycle, actor=office) == 5
    db.session.expire_all()
    cycle = db.session.get(Cycle, cycle.id)
    assert cycle.status == "archived"
    assert count(UnitAssessment, UnitAssessment.status == "closed") == 5
    c = results.commendations(cycle)[0]
    evaluator = make_user("evaluator")
    assign(evaluator, cycle, [world["units"]["甲"]])
    writes = [
        lambda: results.save_rules(cycle, {"excellent_min": 95}, actor=office),
        lambda: results.adjust_grade(a["甲"], {"grade": "good", "reason": "x"}, actor=office),
        lambda: results.save_opinion(a["甲"], {"text": "改", "problems": []}, actor=office),
        lambda: results.add_commendation(cycle, {"kind": "collective", "unit_id": world["units"]["乙"].id},
                                         actor=office),
        lambda: results.delete_commendation(c, actor=office),
        lambda: results.publish_results(cycle, actor=office),
        lambda: results.archive(cycle, actor=office),
        lambda: panel.finalize(a["甲"], actor=office, score=90, reason="x"),
        lambda: panel.save_findings(a["甲"], {"findings": []}, actor=evaluator),
    ]
    before = count(AuditEvent)
    for write in writes:
        with pytest.raises(Conflict) as info:
            write()
        assert "已归档" in info.value.message, info.value.message
    from pufa_flow.services import cycles
    with pytest.raises(Conflict) as info:
        cycles.update_cycle(cycle, {"name": "改名"}, actor=office)
    assert "已归档" in info.value.message
    assert count(AuditEvent) == before and count(Commendation) == 1


def test_the_generic_transition_service_cannot_type_a_review_score(client, world, token_for):
    a, office = world["a"]["甲"], world["office"]
    h = token_for(office)
    r = client.post(f"/api/v1/cycles/{world['cycle'].id}/transitions", headers=h, json={"trigger": "publish_results"})
    assert r.status_code in (409, 422)
    assert db.session.get(Cycle, world["cycle"].id).status == "acceptance"
    doc = client.get("/api/v1/openapi.json").json
    body = doc["components"]["schemas"]["AssessmentTransitionInput"]["properties"]
    assert "review_score" not in body and "grade" not in body
    assert "finalize_score" not in body["trigger"]["enum"]
    assert a.status == "scored"
