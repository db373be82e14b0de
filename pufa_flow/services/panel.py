"""评议 and 评估验收: panel score sheets, the teams' findings and reports, and a unit's final score.

A panel member scores a unit on the very framework copy and entry format the
unit used for its 自测得分表, through the same compute(): the total is never
typed. Sheets are drafts until submitted; the final score is the mean of the
submitted sheets (or a score the office designates, with its reason), set on
the assessment by firing ``finalize_score`` — the one way a review score is
written. Outside one's assignment everything here is a 404.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from ..clock import utcnow_naive
from ..errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..extensions import db
from ..frameworks import ScoreSheet, ScoreSheetInvalid, compute
from ..models import Attachment, CycleAssignment, FieldFindings, PanelScore, TeamUnit, UnitAssessment
from ..models.scoping import can_read
from ..models.self_assessment import scored_entries
from . import attachments, audit, workflow
from .self_assessment import _body_list, framework_row, sheet
from .transaction import transaction
from .transition_inputs import MAX_SCORE

SCORING_CYCLE_STATES = ("field_research", "acceptance")
#: the assessment state in which it waits for its review score
AWAITING_SCORE = "accepted"
ENTRY_KEYS = {"rule_id", "count", "tier", "note"}
MAX_NOTE = 2000
MAX_FINDINGS = 30
REPORT_OWNER = "evaluation_report"
REPORT_EXTENSIONS = {"doc", "docx", "wps", "pdf", "ofd"}
CENT = Decimal("0.01")


# -- who may do what ------------------------------------------------------------
def _assigned_as(actor, a: UnitAssessment, role: str) -> bool:
    stmt = sa.select(CycleAssignment.id).where(
        CycleAssignment.cycle_id == a.cycle_id, CycleAssignment.unit_id == a.unit_id,
        CycleAssignment.user_id == actor.id, CycleAssignment.role == role).limit(1)
    return db.session.execute(stmt).first() is not None


def check_panel_member(actor, a: UnitAssessment) -> None:
    """Only a panel member assigned this unit has a sheet on it; anyone else outside the policy: 404."""
    if not can_read(actor, a):
        raise NotFound("未找到该记录")
    if getattr(actor, "role", None) != "panel":
        raise Forbidden("评议得分表只能由分配到该单位的评议团成员填写")
    if not _assigned_as(actor, a, "panel"):
        raise NotFound("未找到该记录")


def check_evaluator(actor, a: UnitAssessment) -> None:
    """Only the team that visits the unit writes its findings and report."""
    if not can_read(actor, a):
        raise NotFound("未找到该记录")
    if getattr(actor, "role", None) != "evaluator":
        raise Forbidden("调研发现的问题和评估报告由负责该单位的调研评估小组填报")
    if not _assigned_as(actor, a, "evaluator"):
        raise NotFound("未找到该记录")


def _check_not_archived(a: UnitAssessment) -> None:
    from .results import check_not_archived

    check_not_archived(a.cycle)


def _check_scoring_open(a: UnitAssessment) -> None:
    _check_not_archived(a)
    if a.cycle.status not in SCORING_CYCLE_STATES:
        raise Conflict(f"考评周期当前处于「{a.cycle.status_label}」，不在实地调研或评估验收阶段，不能评分")
    if a.status != AWAITING_SCORE:
        raise Conflict(f"该单位的考评状态为「{a.status_label}」，只有已受理、尚未确认评分的单位可以评分",
                       details={"reason": "not_open"})


def _check_field_open(a: UnitAssessment) -> None:
    _check_not_archived(a)
    if a.cycle.status not in SCORING_CYCLE_STATES:
        raise Conflict(f"考评周期当前处于「{a.cycle.status_label}」，不在实地调研或评估验收阶段，不能修改")


# -- panel sheets -----------------------------------------------------------------
def own_sheet(a: UnitAssessment, actor) -> PanelScore | None:
    return db.session.scalars(sa.select(PanelScore).where(
        PanelScore.assessment_id == a.id, PanelScore.user_id == actor.id)).one_or_none()


def computed(a: UnitAssessment, entries: list) -> ScoreSheet:
    row = framework_row(a)
    if row.kind != "score_sheet":
        raise Conflict("该单位使用检查清单（县区重点内容自查表），没有评议得分表")
    return compute(row.framework, scored_entries(entries), has_enforcement_power=a.unit.has_enforcement_power)


def _clean_entries(a: UnitAssessment, body) -> tuple[list[dict], ScoreSheet]:
    entries = _body_list(body, "entries", "entries", 500)
    errors: dict[str, str] = {}
    cleaned = []
    for i, e in enumerate(entries):
        if not isinstance(e, dict):
            errors[f"entries.{i}"] = "格式不正确"
        elif extra := sorted(set(e) - ENTRY_KEYS):
            errors[f"entries.{i}"] = ("得分由系统按扣分规则计算，不能直接填写"
                                      if set(extra) & {"score", "points", "amount", "total"}
                                      else f"不接受字段：{'、'.join(extra)}")
        elif e.get("note") is not None and (not isinstance(e["note"], str) or len(e["note"]) > MAX_NOTE):
            errors[f"entries.{i}"] = f"说明须为不超过{MAX_NOTE}字的文字"
        else:
            cleaned.append({k: v for k, v in e.items() if v is not None and v != ""})
    if errors:
        raise ValidationFailed(errors, "；".join(f"第{int(k.split('.')[1]) + 1}项：{m}" for k, m in errors.items()))
    try:
        result = computed(a, cleaned)
    except ScoreSheetInvalid as exc:
        raise ValidationFailed({f"entries.{i}": m for i, m in exc.errors.items()}, str(exc)) from None
    return cleaned, result


def save_sheet(a: UnitAssessment, body, *, actor) -> PanelScore:
    """PUT panel-score: the member's draft, refused whole on any bad entry or once submitted."""
    check_panel_member(actor, a)
    _check_scoring_open(a)
    cleaned, result = _clean_entries(a, body)
    with transaction():
        row = own_sheet(a, actor)
        if row is not None and row.status == "submitted":
            raise Conflict("评议得分表已提交，不能再修改", details={"reason": "submitted"})
        if row is None:
            row = PanelScore(assessment_id=a.id, unit_id=a.unit_id, cycle_id=a.cycle_id, user_id=actor.id)
            db.session.add(row)
        row.entries = cleaned
        row.total = result.total.quantize(CENT)
        row.status = "draft"  # panel_sheet: its own draft/submitted, not a workflow state
        db.session.flush()
        audit.record("panel.sheet", "assessment", a.id, actor=actor, unit_id=a.unit_id,
                     data={"entries": len(cleaned), "total": str(row.total)})
    return row


def submit_sheet(a: UnitAssessment, *, actor) -> PanelScore:
    check_panel_member(actor, a)
    _check_scoring_open(a)
    with transaction():
        row = own_sheet(a, actor)
        if row is None:
            raise ValidationFailed({"entries": "请先保存评议得分表"}, "请先保存评议得分表再提交")
        if row.status == "submitted":
            raise Conflict("评议得分表已提交", details={"reason": "submitted"})
        row.status = "submitted"  # panel_sheet: its own draft/submitted, not a workflow state
        row.submitted_at = utcnow_naive()
        db.session.flush()
        audit.record("panel.sheet_submit", "assessment", a.id, actor=actor, unit_id=a.unit_id,
                     data={"total": str(row.total)})
    return row


def sheets(a: UnitAssessment) -> list[PanelScore]:
    """Every panel sheet of the unit (the office's view), by member."""
    return list(db.session.scalars(sa.select(PanelScore).where(PanelScore.assessment_id == a.id)
                                   .order_by(PanelScore.user_id)))


def mean(values) -> Decimal | None:
    values = list(values)
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(CENT, rounding=ROUND_HALF_UP)


def panel_mean(a: UnitAssessment) -> Decimal | None:
    return mean(s.total for s in sheets(a) if s.status == "submitted")


# -- the final score ---------------------------------------------------------------
def finalize(a: UnitAssessment, *, actor, score=None, reason: str | None = None,
             expected_version: int | None = None):
    """确认评分: the mean of the submitted sheets, or the office's designated score with a reason."""
    if not can_read(actor, a):
        raise NotFound("未找到该记录")
    if getattr(actor, "role", None) != "office":
        raise Forbidden("最终得分由普法办确认")
    _check_not_archived(a)
    if a.cycle.status != "acceptance":
        raise Conflict(f"考评周期当前处于「{a.cycle.status_label}」，评估验收阶段才能确认得分")
    reason = reason.strip() if isinstance(reason, str) else None
    submitted = [s for s in sheets(a) if s.status == "submitted"]
    if score is not None and score != "":
        try:
            designated = Decimal(str(score))
        except ArithmeticError:
            raise ValidationFailed({"score": "指定得分应为数字"}) from None
        if not designated.is_finite() or not Decimal(0) <= designated <= MAX_SCORE:
            raise ValidationFailed({"score": f"指定得分应在 0 到 {MAX_SCORE} 之间"})
        if not reason:
            raise ValidationFailed({"reason": "指定得分须写明理由"})
        final, basis = designated.quantize(CENT, rounding=ROUND_HALF_UP), "designated"
    else:
        if not submitted:
            raise ValidationFailed({"score": "还没有评议团成员提交评分表；请等待提交，或指定得分并写明理由"})
        final, basis = mean(s.total for s in submitted), "panel_mean"
    with transaction():
        event = workflow.fire(a, "finalize_score", actor=actor, comment=reason or None,
                              data={"review_score": str(final)}, expected_version=expected_version)
        audit.record("panel.final_score", "assessment", a.id, actor=actor, unit_id=a.unit_id, comment=reason or None,
                     data={"basis": basis, "score": str(final), "sheets": [s.id for s in submitted],
                           "panel_mean": str(mean(s.total for s in submitted)) if submitted else None})
    return event


def final_basis(a: UnitAssessment) -> dict | None:
    """How the review score was set (the last 确认评分 audit): {"basis", "reason"}."""
    from ..models import AuditEvent

    ev = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.object_type == "assessment", AuditEvent.object_id == a.id,
        AuditEvent.action == "panel.final_score").order_by(AuditEvent.id.desc()).limit(1)).first()
    return {"basis": ev.data.get("basis"), "reason": ev.comment} if ev else None


@dataclass(frozen=True)
class IndicatorRow:
    number: int
    title: str
    max_points: Decimal
    is_bonus: bool
    self_score: Decimal | None
    panel_score: Decimal | None  # mean of the submitted sheets
    difference: Decimal | None  # panel − self


def comparison(a: UnitAssessment) -> tuple[list[IndicatorRow], dict]:
    """Per indicator: the self score, the panel mean, and their difference; and the totals."""
    row = framework_row(a)
    if row.kind != "score_sheet":
        return [], {"self": a.self_score, "panel": None, "final": a.review_score, "difference": None}
    own = sheet(a)
    submitted = [computed(a, s.entries) for s in sheets(a) if s.status == "submitted"]
    per: dict[int, list[Decimal]] = defaultdict(list)
    for s in submitted:
        for i in indicators(s):
            per[i.number].append(i.score)
    rows = []
    for i in indicators(own):
        p = mean(per[i.number])
        rows.append(IndicatorRow(i.number, i.title, i.max_points, i.is_bonus, i.score, p,
                                 None if p is None else p - i.score))
    self_total = a.self_score if a.self_score is not None else own.total.quantize(CENT)
    final = a.review_score if a.review_score is not None else mean(s.total for s in submitted)
    return rows, {"self": self_total, "panel": mean(s.total for s in submitted), "final": final,
                  "difference": None if final is None else final - self_total}


def indicators(s: ScoreSheet):
    """Every indicator of a computed sheet, scored categories first, then the bonus ones."""
    return [i for c in s.categories for i in c.indicators] + list(s.bonus_indicators)


# -- the teams: findings and reports ------------------------------------------------------
def findings(a: UnitAssessment) -> list[dict]:
    row = db.session.get(FieldFindings, a.id)
    return list(row.findings) if row else []


def save_findings(a: UnitAssessment, body, *, actor) -> list[dict]:
    check_evaluator(actor, a)
    _check_field_open(a)
    items = _body_list(body, "findings", "发现的问题", MAX_FINDINGS)
    errors, cleaned = {}, []
    for i, p in enumerate(items):
        if not isinstance(p, dict) or set(p) - {"title", "body"}:
            errors[f"findings.{i}"] = "每个问题应包含 title 和 body"
            continue
        title, text = p.get("title"), p.get("body") or ""
        if not isinstance(title, str) or not title.strip() or len(title) > 200:
            errors[f"findings.{i}.title"] = f"第{i + 1}个问题的名称不能为空，且不超过200字"
        elif not isinstance(text, str) or len(text) > 5000:
            errors[f"findings.{i}.body"] = f"第{i + 1}个问题的内容须为不超过5000字的文字"
        else:
            cleaned.append({"title": title.strip(), "body": text.strip()})
    if errors:
        raise ValidationFailed(errors, "；".join(errors.values()))
    with transaction():
        row = db.session.get(FieldFindings, a.id)
        if row is None:
            row = FieldFindings(assessment_id=a.id, unit_id=a.unit_id, cycle_id=a.cycle_id)
            db.session.add(row)
        row.findings = cleaned
        row.updated_by_id = actor.id
        db.session.flush()
        audit.record("evaluation.findings", "assessment", a.id, actor=actor, unit_id=a.unit_id,
                     data={"findings": len(cleaned)})
    return cleaned


def reports(a: UnitAssessment) -> list[Attachment]:
    return list(db.session.scalars(attachments.attachments_of(REPORT_OWNER, a.id)))


def upload_report(a: UnitAssessment, file, *, actor) -> Attachment:
    """The team's 评估报告 on this unit (Word/PDF); checked before anything is written."""
    check_evaluator(actor, a)
    _check_field_open(a)
    name = getattr(file, "filename", None) or ""
    if name.rsplit(".", 1)[-1].lower() not in REPORT_EXTENSIONS:
        raise ValidationFailed({"file": "评估报告只接受 Word、WPS、PDF 或 OFD 文件"},
                               "评估报告只接受 Word（.doc/.docx）、WPS、PDF 或 OFD 文件")
    stored = attachments.store_upload(file, unit_id=a.unit_id, uploader=actor)
    with transaction():
        row = attachments.link(stored, REPORT_OWNER, a.id)
        audit.record("evaluation.report", "assessment", a.id, actor=actor, unit_id=a.unit_id,
                     data={"attachment": row.id, "name": row.original_name})
    return row


# -- worklists ---------------------------------------------------------------------
@dataclass(frozen=True)
class WorkItem:
    assessment: UnitAssessment
    visit_on: object
    sheet: PanelScore | None


def worklist(user) -> list[WorkItem]:
    """The user's assigned units, newest cycle first, with the visit date and (panel) their sheet."""
    role = getattr(user, "role", None)
    if role not in ("evaluator", "panel"):
        return []
    stmt = (sa.select(UnitAssessment, TeamUnit.visit_on)
            .join(CycleAssignment, sa.and_(CycleAssignment.cycle_id == UnitAssessment.cycle_id,
                                           CycleAssignment.unit_id == UnitAssessment.unit_id))
            .outerjoin(TeamUnit, sa.and_(TeamUnit.cycle_id == UnitAssessment.cycle_id,
                                         TeamUnit.unit_id == UnitAssessment.unit_id))
            .where(CycleAssignment.user_id == user.id, CycleAssignment.role == role)
            .order_by(UnitAssessment.cycle_id.desc(), UnitAssessment.unit_id))
    rows = db.session.execute(stmt).unique().all()
    own = {}
    if role == "panel":
        own = {s.assessment_id: s for s in db.session.scalars(
            sa.select(PanelScore).where(PanelScore.user_id == user.id))}
    return [WorkItem(a, visit_on, own.get(a.id)) for a, visit_on in rows]


def progress(items: list[WorkItem]) -> dict:
    return {"assigned": len(items), "submitted": sum(1 for i in items if i.sheet and i.sheet.status == "submitted"),
            "draft": sum(1 for i in items if i.sheet and i.sheet.status == "draft")}
