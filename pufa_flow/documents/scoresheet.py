"""自测得分表 (a unit scores itself) and 评议得分表 (the panel scores a unit): the indicator table of 附件2.

Per indicator: 分值, the adjustments applied with their reasons, 得分; per
category a 小计; a 合计 row; signature lines under the table. Scores are
computed here unless given: 分值 plus the adjustments (negative = 扣分) kept
within 0…分值; a 加分项 category starts from 0.
"""
from __future__ import annotations

from decimal import Decimal

from . import template
from .builder import Cell, Column, Gongwen
from .model import Indicator, ScoreCategory, ScoreSheetData
from .text import clean

COLUMNS = [Column("项目", 20), Column("评分内容", 48, "both"), Column("分值", 14),
           Column("评议标准", 36, "both"), Column("扣（加）分及原因", 24, "both"), Column("得分", 14)]
SELF_SIGNATURES = ("填表人", "单位负责人（签字）", "填报日期")
PANEL_SIGNATURES = ("评议人（签字）", "评议组组长（签字）", "评议日期")


def points_text(value) -> str:
    if value is None:
        return ""
    d = Decimal(str(value)).normalize()
    return format(d, "f")


def indicator_score(ind: Indicator, bonus: bool) -> Decimal:
    if ind.score is not None:
        return Decimal(str(ind.score))
    base = Decimal(0) if bonus else Decimal(str(ind.points))
    total = base + sum((Decimal(str(a.points)) for a in ind.adjustments), Decimal(0))
    return max(Decimal(0), min(Decimal(str(ind.points)), total))


def category_score(cat: ScoreCategory) -> Decimal:
    total = sum((indicator_score(i, cat.bonus) for i in cat.indicators), Decimal(0))
    return min(total, Decimal(str(cat.points))) if cat.points is not None else total


def total_score(data: ScoreSheetData) -> Decimal:
    return sum((category_score(c) for c in data.categories), Decimal(0))


def _adjustments_text(ind: Indicator) -> str:
    out = []
    for a in ind.adjustments:
        p = Decimal(str(a.points))
        verb = "扣" if p < 0 else "加"
        out.append(f"{verb}{points_text(abs(p))}分：{clean(a.reason).strip() or '（未说明原因）'}")
    return "\n".join(out)


def _rows(data: ScoreSheetData):
    seq = 0
    for cat in data.categories:
        label = f"{clean(cat.name).strip()}\n（{points_text(cat.points)}分）"
        indicators = list(cat.indicators)
        if not indicators:
            yield [Cell(label), Cell("（无指标）", span=5)]
        for k, ind in enumerate(indicators):
            seq += 1
            yield [Cell(label, vmerge="restart" if k == 0 else "continue"),
                   f"{seq}.{clean(ind.content).strip()}", f"{points_text(ind.points)}分",
                   clean(ind.standard), _adjustments_text(ind), points_text(indicator_score(ind, cat.bonus))]
        adj = sum((Decimal(str(a.points)) for i in indicators for a in i.adjustments), Decimal(0))
        yield [Cell(f"{clean(cat.name).strip()}小计", bold=True, span=2), f"{points_text(cat.points)}分", "",
               (("加" if adj > 0 else "扣") + f"{points_text(abs(adj))}分") if adj else "",
               Cell(points_text(category_score(cat)), bold=True)]
    yield [Cell("合计", bold=True, span=2),
           f"{points_text(sum((Decimal(str(c.points)) for c in data.categories if not c.bonus), Decimal(0)))}分",
           "", "", Cell(points_text(total_score(data)), bold=True)]


def _sheet(data: ScoreSheetData, default_signatures) -> bytes:
    g = Gongwen()
    g.title(data.title, before_lines=0)
    g.paragraph(template.ADDRESSEE, f"单位：{clean(data.unit_name).strip()}", before_lines=0.5)
    g.table(COLUMNS, _rows(data), size=10.5)
    if data.note:
        g.paragraph(template.ADDRESSEE, f"说明：{clean(data.note).strip()}", size=12)
    g.blank()
    for label in data.signatures or default_signatures:
        g.paragraph(template.ADDRESSEE, f"{clean(label).strip()}：" + "\u3000" * 10,
                    ind={"left": 14 * 320})
    return g.to_bytes()


def self_score_sheet(data: ScoreSheetData) -> bytes:
    """自测得分表: signed by who filled it in and the unit's head."""
    return _sheet(data, SELF_SIGNATURES)


def panel_score_sheet(data: ScoreSheetData) -> bytes:
    """评议得分表: signed by the panel member and the panel's head."""
    return _sheet(data, PANEL_SIGNATURES)
