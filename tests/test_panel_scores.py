"""评议 and 评估验收: panel sheets computed like the self-score sheet, their mean as the final score.

The world: two city departments with 执法权限, both submitted and accepted;
the cycle in 评估验收. Panel member P1 scores both, P2 only 部门甲; the
evaluator of team one visits 部门甲 only.

Every total below is worked out by hand from 附件2's rules (see
test_self_assessment_scores.py for the rule texts):
  n23-03-c late filing: −2 → 98;  n23-04-a count 2: −2 → 98;
  n23-11-a count 1: −4 → 96;  n23-06-c + n23-06-d: −5 → 95.
"""
from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
from helpers import IN_SELF_ASSESSMENT, assign, fill_self_assessment, new_cycle

from pufa_flow import clock
from pufa_flow.errors import Conflict, Forbidden, NotFound, ValidationFailed
from pufa_flow.extensions import db
from pufa_flow.models import AuditEvent, PanelScore, UnitAssessment
from pufa_flow.models.scoping import visible
from pufa_flow.services import panel, self_assessment, workflow


@pytest.fixture
def world(make_unit, make_user, office_user):
    with clock.frozen(IN_SELF_ASSESSMENT):
        units = [make_unit(n, has_enforcement_power=True) for n in ("部门甲", "部门乙")]
        unit_users = [make_user("unit", u) for u in units]
        cycle = new_cycle(office_user, units)
        workflow.fire(cycle, "start", actor=office_user)
        assessments = {a.unit_id: a for a in db.session.scalars(sa.select(UnitAssessment))}
        a1, a2 = assessments[units[0].id], assessments[units[1].id]
        # 部门甲 reports late filing only (98), 部门乙 the default sheet of the helper
        fill_self_assessment(a1, unit_users[0], entries=({"rule_id": "n23-03-c"},))
        self_assessment.submit(a1, actor=unit_users[0])
        fill_self_assessment(a2, unit_users[1], entries=())
        self_assessment.submit(a2, actor=unit_users[1])
        for a in (a1, a2):
            workflow.fire(a, "accept", actor=office_user)
        workflow.fire(cycle, "begin_field_research", actor=office_user)
        p1, p2 = make_user("panel", username="p1"), make_user("panel", username="p2")
        evaluator, other_evaluator = make_user("evaluator", username="e1"), make_user("evaluator", username="e2")
        assign(p1, cycle, units)
        assign(p2, cycle, units[:1])
        assign(evaluator, cycle, units[:1])
        assign(other_evaluator, cycle, units[1:])
        yield {"cycle": cycle, "a1": a1, "a2": a2, "office": office_user, "p1": p1, "p2": p2,
               "evaluator": evaluator, "other_evaluator": other_evaluator, "unit_users": unit_users}


def _acceptance(world):
    with clock.frozen(IN_SELF_ASSESSMENT):
        workflow.fire(world["cycle"], "begin_acceptance", actor=world["office"])


def test_a_panel_sheet_is_computed_like_the_self_score_sheet(world):
    a1, p1 = world["a1"], world["p1"]
    row = panel.save_sheet(a1, {"entries": [{"rule_id": "n23-04-a", "count": 2},
                                            {"rule_id": "n23-11-a", "count": 1, "note": "案例不全"}]}, actor=p1)
    # 100 − 2 (two 工作信息 missing) − 4 (one case missing) = 94
    assert row.total == Decimal("94.00") and row.status == "draft"
    same = self_assessment.sheet(a1, row.entries)
    assert same.total == Decimal("94")


def test_a_total_cannot_be_typed_and_a_bad_entry_saves_nothing(world):
    a1, p1 = world["a1"], world["p1"]
    with pytest.raises(ValidationFailed):
        panel.save_sheet(a1, {"entries": [], "total": 100}, actor=p1)
    with pytest.raises(ValidationFailed):
        panel.save_sheet(a1, {"entries": [{"rule_id": "n23-04-a", "score": 3}]}, actor=p1)
    with pytest.raises(ValidationFailed):
        panel.save_sheet(a1, {"entries": [{"rule_id": "n23-03-c"}, {"rule_id": "no-such-rule"}]}, actor=p1)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PanelScore)) == 0


def test_only_assigned_panel_members_score_and_see_only_their_own_sheet(world):
    a1, a2, p1, p2 = world["a1"], world["a2"], world["p1"], world["p2"]
    with pytest.raises(NotFound):
        panel.save_sheet(a2, {"entries": []}, actor=p2)  # 部门乙 is not P2's
    with pytest.raises(NotFound):
        panel.save_sheet(a2, {"entries": []}, actor=world["evaluator"])  # another team's unit
    with pytest.raises(Forbidden):
        panel.save_sheet(a1, {"entries": []}, actor=world["evaluator"])  # assigned, but not a panel member
    with pytest.raises(Forbidden):
        panel.save_sheet(a1, {"entries": []}, actor=world["unit_users"][0])
    panel.save_sheet(a1, {"entries": []}, actor=p1)
    panel.save_sheet(a1, {"entries": [{"rule_id": "n23-03-c"}]}, actor=p2)
    assert [s.user_id for s in db.session.scalars(visible(PanelScore, p1))] == [p1.id]
    assert [s.user_id for s in db.session.scalars(visible(PanelScore, p2))] == [p2.id]
    assert db.session.scalars(visible(PanelScore, world["evaluator"])).all() == []
    assert len(db.session.scalars(visible(PanelScore, world["office"])).all()) == 2
    assert db.session.scalars(visible(PanelScore, world["unit_users"][0])).all() == []


def test_submitted_sheets_are_final_and_the_mean_is_of_submitted_ones(world):
    a1, p1, p2 = world["a1"], world["p1"], world["p2"]
    panel.save_sheet(a1, {"entries": [{"rule_id": "n23-06-c"}, {"rule_id": "n23-06-d"}]}, actor=p1)  # 95
    panel.save_sheet(a1, {"entries": [{"rule_id": "n23-11-a", "count": 1}]}, actor=p2)  # 96, draft
    panel.submit_sheet(a1, actor=p1)
    assert panel.panel_mean(a1) == Decimal("95.00")
    with pytest.raises(Conflict):
        panel.save_sheet(a1, {"entries": []}, actor=p1)
    panel.submit_sheet(a1, actor=p2)
    # (95 + 96) / 2 = 95.5
    assert panel.panel_mean(a1) == Decimal("95.50")


def test_the_mean_rounds_half_up_to_cents():
    # (98 + 96 + 95) / 3 = 96.333… → 96.33;  (98 + 95.5 + 95) / 3 = 96.1666… → 96.17
    assert panel.mean([Decimal(98), Decimal(96), Decimal(95)]) == Decimal("96.33")
    assert panel.mean([Decimal(98), Decimal("95.5"), Decimal(95)]) == Decimal("96.17")
    assert panel.mean([]) is None


def test_the_final_score_is_the_mean_fired_through_the_workflow_and_audited(world):
    a1, p1, p2, office = world["a1"], world["p1"], world["p2"], world["office"]
    panel.save_sheet(a1, {"entries": [{"rule_id": "n23-04-a", "count": 2}]}, actor=p1)  # 98
    panel.save_sheet(a1, {"entries": [{"rule_id": "n23-11-a", "count": 1}]}, actor=p2)  # 96
    panel.submit_sheet(a1, actor=p1)
    panel.submit_sheet(a1, actor=p2)
    with pytest.raises(Conflict):  # still 实地调研
        panel.finalize(a1, actor=office)
    _acceptance(world)
    with pytest.raises(Forbidden):
        panel.finalize(a1, actor=p1)
    panel.finalize(a1, actor=office)
    db.session.refresh(a1)
    assert a1.status == "scored" and a1.review_score == Decimal("97.00")
    transition = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.object_id == a1.id, AuditEvent.trigger == "finalize_score")).one()
    assert transition.data["changes"]["review_score"] == [None, "97.00"]
    assert panel.final_basis(a1) == {"basis": "panel_mean", "reason": None}
    rows, totals = panel.comparison(a1)
    # self: 98 (late filing, indicator 3 = 8); panel mean: indicator 3 = 10, 4 = (3 + 5) / 2 = 4, 11 = (8 + 4) / 2 = 6
    by = {r.number: r for r in rows}
    assert (by[3].self_score, by[3].panel_score, by[3].difference) == (Decimal(8), Decimal("10.00"), Decimal("2.00"))
    assert (by[4].panel_score, by[4].difference) == (Decimal("4.00"), Decimal("-1.00"))
    assert by[11].panel_score == Decimal("6.00")
    assert totals["self"] == Decimal("98.00") and totals["final"] == Decimal("97.00")
    assert totals["difference"] == Decimal("-1.00")
    with pytest.raises(Conflict):  # scored: no more sheets
        panel.save_sheet(a1, {"entries": []}, actor=p1)


def test_the_office_may_designate_a_score_with_a_reason(world):
    a2, office = world["a2"], world["office"]
    _acceptance(world)
    with pytest.raises(ValidationFailed) as no_sheets:
        panel.finalize(a2, actor=office)
    assert "还没有评议团成员提交" in no_sheets.value.fields["score"]
    with pytest.raises(ValidationFailed) as no_reason:
        panel.finalize(a2, actor=office, score="88")
    assert "reason" in no_reason.value.fields
    for bad in ("abc", "116", "-1", "NaN"):
        with pytest.raises(ValidationFailed):
            panel.finalize(a2, actor=office, score=bad, reason="评议团未能到场")
    db.session.refresh(a2)
    assert a2.review_score is None and a2.status == "accepted"
    panel.finalize(a2, actor=office, score="88.5", reason="评议团未能到场，由普法办按调研情况评定")
    db.session.refresh(a2)
    assert a2.review_score == Decimal("88.50") and a2.status == "scored"
    assert panel.final_basis(a2)["basis"] == "designated"


def test_evaluators_write_findings_and_reports_only_for_their_team(world):
    a1, a2, ev = world["a1"], world["a2"], world["evaluator"]
    saved = panel.save_findings(a1, {"findings": [{"title": "台账不全", "body": "2025年普法台账缺三个月"}]}, actor=ev)
    assert saved == [{"title": "台账不全", "body": "2025年普法台账缺三个月"}]
    assert panel.findings(a1) == saved
    with pytest.raises(NotFound):
        panel.save_findings(a2, {"findings": []}, actor=ev)
    with pytest.raises(ValidationFailed):
        panel.save_findings(a1, {"findings": [{"title": " "}]}, actor=ev)
    assert panel.findings(a1) == saved
    with pytest.raises(ValidationFailed):
        panel.upload_report(a1, _file("报告.exe"), actor=ev)
    row = panel.upload_report(a1, _file("第一组评估报告.pdf"), actor=ev)
    assert [f.id for f in panel.reports(a1)] == [row.id]
    with pytest.raises(NotFound):
        panel.upload_report(a2, _file("报告.pdf"), actor=ev)


def _file(name):
    import io

    from werkzeug.datastructures import FileStorage

    return FileStorage(io.BytesIO(b"%PDF-1.4 test"), filename=name)


def test_worklists_hold_only_the_assigned_units(world):
    p1, p2, ev = world["p1"], world["p2"], world["evaluator"]
    assert [i.assessment.id for i in panel.worklist(p1)] == [world["a1"].id, world["a2"].id]
    assert [i.assessment.id for i in panel.worklist(p2)] == [world["a1"].id]
    assert [i.assessment.id for i in panel.worklist(ev)] == [world["a1"].id]
    assert panel.worklist(world["office"]) == []
    panel.save_sheet(world["a1"], {"entries": []}, actor=p1)
    panel.submit_sheet(world["a1"], actor=p1)
    assert panel.progress(panel.worklist(p1)) == {"assigned": 2, "submitted": 1, "draft": 0}
