"""`pufa-flow demo`: the command the README's run step depends on.

The demo is built on the application clock frozen at each step's date, so
its histories tell the same story as its notices and deadlines.
"""
from __future__ import annotations

import functools
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from pufa_flow import clock
from pufa_flow.cli import main
from pufa_flow.extensions import db
from pufa_flow.models import AuditEvent, Cycle, Notice, RectificationItem, Unit, UnitAssessment, User

NOW = datetime(2026, 11, 21, 4, 0)  # 12:00 in Shanghai


@pytest.fixture
def cli(runner, monkeypatch):
    monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)
    return functools.partial(runner.invoke, main)


def _audit(object_type, object_id, trigger):
    return db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.object_type == object_type, AuditEvent.object_id == object_id,
        AuditEvent.trigger == trigger)).one()


def test_demo_loads_a_history_dated_step_by_step(app, cli):
    with clock.frozen(NOW):
        result = cli(["demo"])
    assert result.exit_code == 0, result.output
    assert "已载入演示数据：36 个单位，42 个账户" in result.output
    count = lambda m, *w: db.session.scalar(sa.select(sa.func.count()).select_from(m).where(*w))  # noqa: E731
    assert (count(Unit), count(User), count(Cycle), count(UnitAssessment)) == (36, 42, 2, 72)

    old, current = db.session.scalars(sa.select(Cycle).order_by(Cycle.year)).all()
    assert (old.status, current.status) == ("archived", "self_assessment")
    # 09:00 in Shanghai is 01:00 UTC, on the day each step was planned
    assert _audit("cycle", old.id, "begin_field_research").created_at == datetime(2023, 11, 6, 1, 0)
    assert _audit("cycle", old.id, "publish_results").created_at == datetime(2023, 12, 27, 1, 0)
    # this year's cycle comes from the 003 template: 自评 from 2026-10-16 (a Friday), due 2026-11-05
    assert _audit("cycle", current.id, "start").created_at == datetime(2026, 10, 16, 1, 0)
    assert current.phase("self_assessment").due_on == date(2026, 11, 5)
    states = dict(db.session.execute(sa.select(UnitAssessment.status, sa.func.count())
                                     .where(UnitAssessment.cycle_id == current.id)
                                     .group_by(UnitAssessment.status)).all())
    assert states["returned"] == 1 and states["pending"] == 8 and states["submitted"] >= 10 and states["accepted"] >= 5
    with clock.frozen(NOW):
        late = sorted(a.unit.name for a in current.assessments if a.is_late(date(2026, 11, 21)))
    assert late == ["区总工会", "区科协"]
    returned = db.session.scalars(sa.select(UnitAssessment).where(UnitAssessment.cycle_id == current.id,
                                                                  UnitAssessment.status == "returned")).one()
    assert "佐证材料" in _audit("assessment", returned.id, "return_for_revision").comment
    # submitted units' scores are computed from their sheets, within 75…100
    scores = [a.self_score for a in current.assessments if a.status in ("submitted", "accepted")]
    assert scores and all(75 <= s <= 100 for s in scores)
    assert all(a.workspace.problems and 3 <= len(a.workspace.problems) <= 5
               for a in current.assessments if a.status == "submitted")
    # the sheets were saved with the filing record's deductions: a unit opening its sheet has nothing to explain
    from pufa_flow.services import record_suggestions

    with clock.frozen(NOW):
        lines = [line for a in current.assessments if a.workspace is not None
                 for line in record_suggestions.lines(a)]
    assert lines and all(line.chosen == line.suggested for line in lines)
    graded = db.session.scalars(sa.select(UnitAssessment).where(UnitAssessment.cycle_id == old.id)).all()
    assert {a.graded_at.date() for a in graded} == {date(2023, 12, 18)}

    # notices: 区科协's was issued 60 days ago; its items were acknowledged two days later
    notice = db.session.scalars(sa.select(Notice).join(Unit).where(Unit.name == "区科协", Notice.cycle_id.is_(None))).one()
    assert notice.issued_at.date() == date(2026, 9, 22)
    item = db.session.scalars(sa.select(RectificationItem).where(
        RectificationItem.notice_id == notice.id, RectificationItem.status == "submitted")).one()
    ack, sub = _audit("item", item.id, "acknowledge"), _audit("item", item.id, "submit")
    assert ack.created_at.date() == date(2026, 9, 24) and sub.created_at.date() == date(2026, 10, 4)
    assert item.submitted_at == sub.created_at

    # nothing happened after "now", and each object's history runs forward in time
    rows = db.session.execute(sa.select(AuditEvent.object_type, AuditEvent.object_id, AuditEvent.created_at)
                              .order_by(AuditEvent.id)).all()
    assert max(r.created_at for r in rows) <= NOW
    last: dict = {}
    for r in rows:
        key = (r.object_type, r.object_id)
        assert r.created_at >= last.get(key, r.created_at), key
        last[key] = r.created_at


def test_demo_refuses_a_loaded_database_unless_asked_to_skip(app, cli, make_unit):
    make_unit()
    refused = cli(["demo"])
    assert refused.exit_code != 0 and "演示数据只能载入空数据库" in refused.output
    skipped = cli(["demo", "--if-empty"])
    assert skipped.exit_code == 0 and "跳过演示数据" in skipped.output


def test_demo_inspection_has_items_on_every_path(app, cli):
    """The 督查 of the demo (modelled on 002): every state, overdue by days and by weeks,
    extensions pending, approved with another date and denied, evidence on closed items."""
    from pufa_flow.models import Attachment, Inspection, ItemExtension
    from pufa_flow.services.calendar import item_working_days_overdue

    with clock.frozen(NOW):
        assert cli(["demo"]).exit_code == 0
        inspection = db.session.scalars(sa.select(Inspection)).one()
        items = [i for n in inspection.notices for i in n.items]
        assert {n.status for n in inspection.notices} == {"issued"}
        assert all(n.doc_number for n in inspection.notices)
        assert set(RectificationItem.workflow.states) <= {i.status for i in items} | {"extension_requested"}
        ages = [item_working_days_overdue(i) for i in items if i.status != "submitted"]
        assert any(1 <= a <= 5 for a in ages) and any(a > 20 for a in ages)
    rulings = {e.status: e for e in db.session.scalars(sa.select(ItemExtension))}
    assert set(rulings) == {"pending", "approved", "denied"}
    approved = rulings["approved"]
    assert approved.decided_due_date != approved.requested_due_date and approved.item.due_date == approved.decided_due_date
    closed = [i for i in items if i.status == "closed"]
    assert closed and all(db.session.scalar(sa.select(sa.func.count()).select_from(Attachment).where(
        Attachment.owner_type == "item", Attachment.owner_id == i.id)) == 2 for i in closed)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "item.reassign")) == 1


#: seed 000's annex, as published (优秀 18, 良好 14, 合格 4), in its order
ANNEX_000 = {
    "优秀": ["团区委", "区财政局", "区人社局", "区司法局", "区卫健局", "区审计局", "区应急局", "区统计局", "区水利局",
           "公安分局", "区教育局", "区检察院", "区林业局", "区妇联", "区法院", "区农业农村局", "区市场监管局",
           "区自然资源局"],
    "良好": ["区残联", "区信访局", "区发改局", "区文旅广体局", "区保密局", "区医保局", "区科工局", "区交通运输局",
           "区民政局", "区住建局", "区城管局", "区退役军人事务局", "区税务局", "区商粮局"],
    "合格": ["区科协", "区生态环境局", "区总工会", "区行政审批局"],
}


def test_the_archived_2023_cycle_reproduces_000_from_panel_sheets(app, cli):
    """Grades 18/14/4 with 000's units, reached through panel sheets (2–3 members, totals computed), the
    cycle's rules (quota 50 %), opinions whose problems became items in several states, commendations."""
    from pufa_flow.models import Commendation, EvaluationOpinion, PanelScore
    from pufa_flow.models.cycles import GRADES
    from pufa_flow.services import panel, results

    with clock.frozen(NOW):
        assert cli(["demo"]).exit_code == 0
    old = db.session.scalars(sa.select(Cycle).where(Cycle.year == 2023)).one()
    assert old.status == "archived"
    rows = results.ranking(old)
    by_grade: dict[str, list[str]] = {}
    for r in rows:
        by_grade.setdefault(GRADES[r.assessment.grade], []).append(r.assessment.unit.name)
    assert by_grade == ANNEX_000  # the same units per grade, and in 000's order by final score
    assert [r.rank for r in rows] == list(range(1, 37))
    assert all(r.adjustment is None and r.why == "threshold" for r in rows)
    assert results.quota_limit(results.rules(old), 36) == 18

    for r in rows:
        a = r.assessment
        sheets = panel.sheets(a)
        assert len(sheets) in (2, 3) and all(s.status == "submitted" for s in sheets)
        # each total is what compute() gives for the member's entries; the final is their mean
        assert all(panel.computed(a, s.entries).total == s.total for s in sheets)
        assert a.review_score == panel.mean(s.total for s in sheets)
        assert a.status == "closed"
    assert len({s.user_id for s in db.session.scalars(sa.select(PanelScore))}) == 3

    problems = sum(len(o.problems) for o in db.session.scalars(
        sa.select(EvaluationOpinion).where(EvaluationOpinion.cycle_id == old.id)))
    items = db.session.scalars(sa.select(RectificationItem).join(Notice)
                               .where(Notice.cycle_id == old.id, Notice.source == "evaluation")).all()
    assert problems and len(items) == problems
    assert {"closed", "in_progress", "submitted", "issued"} <= {i.status for i in items}
    kinds = [c.kind for c in db.session.scalars(sa.select(Commendation).where(Commendation.cycle_id == old.id))]
    assert kinds.count("collective") == 5 and kinds.count("individual") == 3
