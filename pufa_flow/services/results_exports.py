"""A cycle's results as workbooks: the full ranking, and each panel member's score sheets.

The ranking is what the office reviews before it confirms the grades: rank,
unit, kind, self score, every panel member's total, the final score, the
grade and why a score or grade departs from the rule. The panel workbook has
one worksheet per member, a row per unit and a column per indicator, the
numbers compute() gives for their entries (the ones on the page). Both read
through the row policy: a panel member gets only their own sheets.
"""
from __future__ import annotations

import io
from collections import defaultdict

import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ..extensions import db
from ..models import UNIT_KINDS, AuditEvent, PanelScore, UnitAssessment, User
from ..models.cycles import GRADES
from ..models.scoping import visible
from . import panel

BOLD = Font(bold=True)
#: the audit actions whose comment explains a departure from the rule, newest wins, in this order
REASON_ACTIONS = ("panel.final_score",)


def _number(d):
    return None if d is None else float(d)


def _members(sheets) -> list[User]:
    ids = sorted({s.user_id for s in sheets})
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))} if ids else {}
    return [users[i] for i in ids]


def _name(user: User) -> str:
    return user.display_name or user.username


def _reasons(assessment_ids) -> dict[int, str]:
    """Per assessment: the reasons the office gave for a designated score or an adjusted grade."""
    if not assessment_ids:
        return {}
    rows = db.session.execute(
        sa.select(AuditEvent.object_id, AuditEvent.action, AuditEvent.comment, AuditEvent.data)
        .where(AuditEvent.object_type == "assessment", AuditEvent.object_id.in_(assessment_ids),
               AuditEvent.action.in_(REASON_ACTIONS))
        .order_by(AuditEvent.id)).all()
    out: dict[int, dict[str, str]] = defaultdict(dict)
    for object_id, action, comment, data in rows:
        if action == "panel.final_score":
            if (data or {}).get("basis") == "designated" and comment:
                out[object_id][action] = f"指定得分：{comment}"
            else:
                out[object_id].pop(action, None)
        elif comment:
            out[object_id][action] = comment
    return {k: "；".join(v.values()) for k, v in out.items() if v}


def _sheets_of(cycle, user):
    return list(db.session.scalars(visible(PanelScore, user).where(PanelScore.cycle_id == cycle.id)
                                   .order_by(PanelScore.user_id, PanelScore.unit_id)))


def _widths(ws, widths) -> None:
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w


WHY = {"quota": "超出优秀名额，按良好", "quota_tie": "与名额边界同分，按良好"}


def _why(row) -> str:
    """Why the unit's grade is not simply its score's threshold grade, or its score not the panel mean."""
    parts = []
    if row.adjustment is not None:
        parts.append(f"等次调整（规则等次：{GRADES[row.adjustment.proposed]}）：{row.adjustment.reason}")
    elif row.why in WHY:
        parts.append(WHY[row.why])
    return "；".join(parts)


def ranking_xlsx(cycle, user) -> bytes:
    """考评结果排名: one row per unit, in results.ranking()'s order and ranks, grades as confirming gives them."""
    from .results import ranking

    allowed = set(db.session.scalars(visible(UnitAssessment, user).with_only_columns(UnitAssessment.id)
                                     .where(UnitAssessment.cycle_id == cycle.id)))
    rows = [r for r in ranking(cycle) if r.assessment.id in allowed]
    sheets = [s for s in _sheets_of(cycle, user) if s.status == "submitted"]
    members = _members(sheets)
    by = {(s.assessment_id, s.user_id): s.total for s in sheets}
    reasons = _reasons([r.assessment.id for r in rows])
    wb = Workbook()
    ws = wb.active
    ws.title = "考评结果排名"
    ws.append(["名次", "单位", "单位类别", "自评得分", *[f"评议：{_name(m)}" for m in members], "最终得分", "等次",
               "调整理由"])
    for cell in ws[1]:
        cell.font = BOLD
    for r in rows:
        a = r.assessment
        why = "；".join(x for x in (reasons.get(a.id, ""), _why(r)) if x)
        ws.append([r.rank, a.unit.name, UNIT_KINDS.get(a.unit.kind, a.unit.kind), _number(a.self_score),
                   *[_number(by.get((a.id, m.id))) for m in members], _number(a.review_score),
                   r.grade_label, why])
    ws.freeze_panes = "C2"
    _widths(ws, [6, 20, 12, 10, *[14] * len(members), 10, 8, 48])
    return _save(wb)


def panel_sheets_xlsx(cycle, user) -> bytes:
    """评议得分表: a worksheet per panel member, a row per unit, a column per indicator."""
    sheets = _sheets_of(cycle, user)
    members = _members(sheets)
    assessments = {a.id: a for a in db.session.scalars(
        sa.select(UnitAssessment).where(UnitAssessment.id.in_({s.assessment_id for s in sheets})))} if sheets else {}
    wb = Workbook()
    wb.remove(wb.active)
    if not members:
        ws = wb.create_sheet("评议得分表")
        ws.append(["尚无评议得分表"])
        return _save(wb)
    used: set[str] = set()
    for member in members:
        title = _sheet_title(_name(member), used)
        ws = wb.create_sheet(title)
        own = sorted((s for s in sheets if s.user_id == member.id),
                     key=lambda s: assessments[s.assessment_id].unit.name)
        computed = [(s, panel.computed(assessments[s.assessment_id], s.entries)) for s in own]
        columns = []  # (number, title, max) in the framework's order, across the units' frameworks
        for _, c in computed:
            for ind in panel.indicators(c):
                if ind.number not in {n for n, _, _ in columns}:
                    columns.append((ind.number, ind.title, ind.max_points))
        ws.append([f"{cycle.name} 评议得分表（评议团成员：{_name(member)}）"])
        ws["A1"].font = BOLD
        ws.append(["单位", *[f"{n}. {t}（{_number(m):g}分）" for n, t, m in columns], "合计", "状态"])
        for cell in ws[2]:
            cell.font = BOLD
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for s, c in computed:
            scores = {i.number: i.score for i in panel.indicators(c)}
            ws.append([assessments[s.assessment_id].unit.name, *[_number(scores.get(n)) for n, _, _ in columns],
                       _number(s.total), s.status_label])
        ws.freeze_panes = "B3"
        _widths(ws, [20, *[12] * len(columns), 10, 8])
    return _save(wb)


def _sheet_title(name: str, used: set[str]) -> str:
    base = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:28] or "评议"
    title, n = base, 2
    while title in used:
        title, n = f"{base}{n}", n + 1
    used.add(title)
    return title


def _save(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
