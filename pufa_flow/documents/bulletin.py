"""考评情况通报 in the shape of the 2023 君山区 bulletin (seed 000).

The opening sentence carries the counts ("对36个普法责任单位进行了督查考评，
有18个单位评为优秀等次…"), the office's sections follow, then 署名 and date,
and the annex lists the units of each grade four to a row under a heading
with the count ("…优秀等次单位（18个）"). A grade with no unit keeps its
heading, with "（无）", so the annex never hides a grade.
"""
from __future__ import annotations

from . import parts
from .builder import Cell, Column, Gongwen
from .model import BulletinData
from .template import TYPE_AREA_WIDTH_MM
from .text import clean

ANNEX_COLUMNS = 4


def opening(data: BulletinData) -> str:
    total = sum(len(g.units) for g in data.grades)
    counted = "，".join(f"有{len(g.units)}个单位评为{clean(g.grade)}等次" for g in data.grades if g.units)
    intro = clean(data.intro).strip()
    return (f"{intro}对{total}个{clean(data.subject)}进行了督查考评"
            + (f"，{counted}（见附件）" if counted else "")
            + "，现将考评情况通报如下：")


def annex_rows(units, columns: int = ANNEX_COLUMNS):
    units = [clean(u).strip() for u in units]
    for i in range(0, len(units), columns):
        yield units[i:i + columns]


def bulletin(data: BulletinData) -> bytes:
    g = Gongwen()
    parts.head(g, data.issuer, data.title, data.addressee)
    g.body_text(opening(data))
    for n, section in enumerate(data.sections, 1):
        g.heading(1, n, section.heading)
        g.body_text(section.text)
        for m, sub in enumerate(section.subsections, 1):
            g.run_in(2, m, sub.heading, sub.text)
    annex_title = data.annex_title or f"{clean(data.title)}考评结果"
    g.attachment_note([annex_title])
    parts.sign(g, data.issuer)
    g.annex("附件", annex_title)
    col = TYPE_AREA_WIDTH_MM / ANNEX_COLUMNS
    for n, group in enumerate(data.grades, 1):
        g.heading(1, n, f"{clean(data.annex_group_label)}{clean(group.grade)}等次单位（{len(group.units)}个）")
        rows = list(annex_rows(group.units)) or [[Cell("（无）", span=ANNEX_COLUMNS)]]
        g.table([Column("", col)] * ANNEX_COLUMNS, rows, size=14, header=False)
        g.blank()
    parts.imprint(g, data.issuer)
    return g.to_bytes()
