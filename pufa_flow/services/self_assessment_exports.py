"""A unit's 自测得分表 and 问题清单 as Word files, and a cycle's self scores as a workbook.

The Word files go through the documents builders (附件2's table, 附件4's
format): this module only maps the saved workspace and the computed sheet onto
their plain dataclasses, so the numbers in the file are the ones the page shows.
"""
from __future__ import annotations

import io
from decimal import Decimal

from sqlalchemy.orm import selectinload
from openpyxl import Workbook
from openpyxl.styles import Font

from ..documents import (Adjustment, Indicator, Problem, ProblemListData, ScoreCategory, ScoreSheetData,
                         problem_list, self_score_sheet)
from ..documents.builder import Cell, Column, Gongwen
from ..extensions import db
from ..models import Unit, UnitAssessment
from ..models.scoping import visible
from . import self_assessment as sa_service

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _standard(ind) -> str:
    return "\n".join(r.text for r in ind.rules)


def score_sheet_data(a: UnitAssessment) -> ScoreSheetData:
    row = sa_service.framework_row(a)
    if row.kind != "score_sheet":
        from ..errors import NotFound
        raise NotFound(f"{a.unit.name}使用检查清单，没有自测得分表")
    fw = row.framework
    computed = sa_service.sheet(a)
    scores = {i.number: i for c in computed.categories for i in c.indicators}
    scores.update({i.number: i for i in computed.bonus_indicators})
    categories = []
    for c in fw.categories:
        indicators = []
        for ind in c.indicators:
            s = scores[ind.number]
            sign = Decimal(1) if ind.is_bonus else Decimal(-1)
            adjustments = tuple(Adjustment(sign * r.amount, r.text + (f"（{r.note}）" if r.note else ""))
                                for r in s.applied)
            indicators.append(Indicator(ind.content, ind.max_points, _standard(ind), adjustments, s.score))
        categories.append(ScoreCategory(c.name, c.max_points, tuple(indicators), c.is_bonus))
    note = ""
    if computed.bonus_capped:
        note = f"加分项合计{computed.bonus_raw}分，按上限计{computed.bonus}分。"
    return ScoreSheetData(unit_name=a.unit.name, categories=tuple(categories), note=note,
                          title=f"{a.unit.name}{a.cycle.year}年度“谁执法谁普法”履职报告自测得分表")


CHECKLIST_COLUMNS = [Column("序号", 12), Column("重点内容", 90, "both"), Column("完成情况", 20),
                     Column("说明", 34, "both")]


def checklist_docx(a: UnitAssessment) -> bytes:
    """A county's 附件1 self-check: each item, its answer and note, under its part."""
    fw = sa_service.framework_row(a).framework
    answers = {x["item"]: x for x in sa_service.workspace(a).answers or []}
    g = Gongwen()
    g.title(f"{a.unit.name}“八五”普法规划中期评估重点内容自查表", before_lines=0)

    def rows():
        part = None
        for item in fw.items:
            if item.part != part:
                part = item.part
                yield [Cell(part, bold=True, span=4, align="left")]
            x = answers.get(item.number, {})
            yield [str(item.number), item.text, sa_service.ANSWERS.get(x.get("answer"), "未填"), x.get("note", "")]
    g.table(CHECKLIST_COLUMNS, rows(), size=10.5)
    return g.to_bytes()


def score_sheet_docx(a: UnitAssessment) -> bytes:
    """自测得分表; a county assessed with 附件1's checklist gets its 自查表 instead."""
    if sa_service.framework_row(a).kind == "checklist":
        return checklist_docx(a)
    return self_score_sheet(score_sheet_data(a))


def problem_list_docx(a: UnitAssessment) -> bytes:
    ws = sa_service.workspace(a)
    problems = tuple(Problem(p["title"], p.get("body", "")) for p in ws.problems or [])
    return problem_list(ProblemListData(unit_name=a.unit.name, problems=problems))


def self_scores_xlsx(cycle, user) -> bytes:
    """One row per unit the user may see: state, total, the four categories and the bonus."""
    stmt = (visible(UnitAssessment, user).where(UnitAssessment.cycle_id == cycle.id)
            .join(Unit, Unit.id == UnitAssessment.unit_id).order_by(Unit.name)
            .options(selectinload(UnitAssessment.workspace)))  # one query for every workspace, not one per row
    assessments = list(db.session.scalars(stmt).unique())
    wb = Workbook()
    sheet = wb.active
    sheet.title = "自测得分"
    dept = cycle.framework_for("city_department").framework
    cats = [c for c in dept.categories if not c.is_bonus]
    header = ["单位", "单位类别", "状态", "截止日期", "提交时间", *[f"{c.name}（{c.max_points}分）" for c in cats],
              "加分项", "自测总分", "问题数"]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for a in assessments:
        ws = sa_service.workspace(a)
        row = [a.unit.name, a.unit.kind_label, a.status_label, a.due_on.isoformat() if a.due_on else "",
               a.submitted_at.strftime("%Y-%m-%d %H:%M") if a.submitted_at else ""]
        computed = sa_service.sheet(a) if ws.entries is not None else None
        if computed is not None:
            by_key = {c.key: c.score for c in computed.categories}
            row += [float(by_key.get(c.key, 0)) for c in cats] + [float(computed.bonus), float(computed.total)]
        else:
            row += [None] * len(cats) + [None, None]
        row.append(len(ws.problems or []))
        sheet.append(row)
    sheet.column_dimensions["A"].width = 24
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
