"""The 公文 building blocks on top of base.docx: 版头, 发文字号, title, 主送, body, 附件, 署名, 版记, tables.

Paragraphs are written as lxml elements against the template's styles, and
every run names its font in all four ``w:rFonts`` slots (see ooxml.py), so a
document looks the same in Word, WPS and LibreOffice whatever their defaults.
Positions follow GB/T 9704-2012 clause 7 (e.g. 发文字号 two lines under the
版头, the title two lines under the red line); distances the standard gives in
lines are counted in the template's line pitch.
"""
from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from docx import Document
from docx.oxml.ns import qn
from lxml import etree

from . import fonts, template
from .ooxml import XML_SPACE, append_runs, border, rpr_element, twips
from .text import balance_title, clean, cn_number, date_cn, lines, width

TEMPLATE_PATH = Path(__file__).with_name("base.docx")
#: 156 mm of 22 pt characters
TITLE_CHARS_PER_LINE = int(template.TYPE_AREA_WIDTH_MM / 25.4 * 72 // 22)
CHAR_TWIPS = 320          # one 3号 character (16 pt) in twentieths of a point
LINE = template.LINE_PITCH_TWIPS
#: see Gongwen.imprint: LibreOffice floats a table only if it is narrower than the text area by > 283 twips
IMPRINT_NARROWER_TWIPS = 290
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@lru_cache(maxsize=1)
def template_bytes() -> bytes:
    return TEMPLATE_PATH.read_bytes()


@dataclass(frozen=True)
class Column:
    title: str
    width_mm: float
    align: str = "center"   # center | left | both


@dataclass(frozen=True)
class Cell:
    """A table cell with more than text: bold, spanning columns, or merged down (vmerge "restart"/"continue")."""
    text: str = ""
    bold: bool = False
    align: str | None = None
    span: int = 1
    vmerge: str | None = None


_HEADING_STYLE_FONT = {1: fonts.HEITI, 2: fonts.KAITI, 3: fonts.FANGSONG, 4: fonts.FANGSONG}


def heading_number(level: int, n: int) -> str:
    """一、 / （一） / 1. / （1）: the four numbering forms of GB/T 9704-2012 7.3.3."""
    if level == 1:
        return f"{cn_number(n)}、"
    if level == 2:
        return f"（{cn_number(n)}）"
    if level == 3:
        return f"{n}."
    return f"（{n}）"


class Gongwen:
    """One document being written; call the blocks in reading order, then ``to_bytes``."""

    def __init__(self):
        self.doc = Document(io.BytesIO(template_bytes()))
        self.body = self.doc.element.body
        self._sect = self.body.find(qn("w:sectPr"))
        self._ids = {s.name: s.style_id for s in self.doc.styles}

    # -- paragraphs -------------------------------------------------------
    def paragraph(self, style: str, text: str = "", *, font: str | None = None, size: float | None = None,
                  bold: bool = False, color: str | None = None, align: str | None = None,
                  before_lines: float = 0, before_pt: float = 0, page_break: bool = False,
                  ind: dict | None = None, keep_next: bool | None = None):
        """``keep_next``: None follows the style; False overrides a style that keeps with the next paragraph."""
        p = etree.Element(qn("w:p"))
        ppr = etree.SubElement(p, qn("w:pPr"))
        etree.SubElement(ppr, qn("w:pStyle")).set(qn("w:val"), self._ids[style])
        if keep_next is not None:
            el = etree.SubElement(ppr, qn("w:keepNext"))
            if not keep_next:
                el.set(qn("w:val"), "0")
        if page_break:
            etree.SubElement(ppr, qn("w:pageBreakBefore"))
        if before_lines or before_pt:
            sp = etree.SubElement(ppr, qn("w:spacing"))
            sp.set(qn("w:before"), str(int(before_lines * LINE + before_pt * 20)))
        if ind:
            el = etree.SubElement(ppr, qn("w:ind"))
            for k, v in ind.items():
                el.set(qn(f"w:{k}"), str(int(v)))
        if align:
            etree.SubElement(ppr, qn("w:jc")).set(qn("w:val"), align)
        if text:
            self.runs(p, text, font or self._font(style), size, bold, color)
        self._sect.addprevious(p)
        return p

    def runs(self, p, text: str, font: str, size: float | None = None, bold: bool = False,
             color: str | None = None) -> None:
        """Text into ``p``; a newline becomes a line break inside the paragraph."""
        for i, part in enumerate(clean(text).split("\n")):
            if i:
                br_run = etree.SubElement(p, qn("w:r"))
                br_run.append(rpr_element(font, size, bold, color))
                etree.SubElement(br_run, qn("w:br"))
            if part:
                append_runs(p, part, font, size, bold, color)

    def _font(self, style: str) -> str:
        for spec in template.STYLES:
            if spec.name == style:
                return spec.font
        return fonts.FANGSONG

    def blank(self, style: str = template.BODY):
        return self.paragraph(style)

    # -- the parts of a 公文 -------------------------------------------------
    def organ_mark(self, name: str) -> None:
        """版头: the issuing organ's name in red 小标宋, as large as fits one line, 35 mm under the type area's top."""
        name = clean(name).strip()
        size = max(22.0, min(42.0, 150 * 72 / 25.4 / max(width(name), 1) * 0.98))
        self.paragraph(template.ORGAN_MARK, name, size=round(size), color=fonts.RED,
                       before_pt=35 / 25.4 * 72 - size)

    def doc_number(self, number: str = "") -> None:
        """发文字号 two lines under the 版头, and 4 mm under it the red separator as wide as the type area."""
        p = self.paragraph(template.DOC_NUMBER, number, before_lines=2 if number else 1)
        ppr = p.find(qn("w:pPr"))
        bdr = etree.Element(qn("w:pBdr"))
        bdr.append(border("bottom", sz=18, color=fonts.RED, space=11))
        ppr.find(qn("w:pStyle")).addnext(bdr)

    def title(self, text: str, *, before_lines: float = 2, font: str | None = None) -> None:
        """2号 title, centred; over one line it is broken into lines of balanced length."""
        self.paragraph(template.TITLE, balance_title(text, TITLE_CHARS_PER_LINE) or "（无标题）", font=font,
                       before_lines=before_lines)

    def addressee(self, text: str) -> None:
        """主送 one line under the title, flush left, ending in a full-width colon."""
        text = clean(text).strip()
        if text and not text.endswith(("：", ":")):
            text += "："
        self.paragraph(template.ADDRESSEE, text, before_lines=1)

    def body_text(self, text: str) -> None:
        """One or more body paragraphs (a blank line in the text starts a new one)."""
        for para in lines(text):
            self.paragraph(template.BODY, para)

    def heading(self, level: int, n: int | None, text: str) -> None:
        number = heading_number(level, n) if n is not None else ""
        self.paragraph(template.HEADING[level], number + clean(text).strip(), keep_next=True if level <= 2 else None)

    def run_in(self, level: int, n: int | None, heading: str, text: str) -> None:
        """A level-2/3 heading followed by its text in the same paragraph, as 000 writes "（一）…。按照…"."""
        heading = clean(heading).strip()
        if heading and heading[-1] not in "。：；！？":
            heading += "。"
        paras = lines(text)
        # a run-in heading carries its text: it need not stay with the next paragraph as a bare heading does
        p = self.paragraph(template.HEADING[level], (heading_number(level, n) if n is not None else "") + heading,
                           keep_next=False if paras else None)
        if paras:
            append_runs(p, paras[0], fonts.FANGSONG)
            for para in paras[1:]:
                self.paragraph(template.BODY, para)

    def attachment_note(self, names: Sequence[str]) -> None:
        """附件说明: 附件：1.名称 under the body; wrapped lines align with the first character of the name."""
        names = [clean(n).strip() for n in names if clean(n).strip()]
        if not names:
            return
        self.blank()
        if len(names) == 1:
            self.paragraph(template.ADDRESSEE, f"附件：{names[0]}",
                           ind={"left": 5 * CHAR_TWIPS, "hanging": 3 * CHAR_TWIPS})
            return
        for i, name in enumerate(names, 1):
            num = f"{i}."
            w = width(num)
            if i == 1:
                self.paragraph(template.ADDRESSEE, f"附件：{num}{name}",
                               ind={"left": (5 + w) * CHAR_TWIPS, "hanging": (3 + w) * CHAR_TWIPS})
            else:
                self.paragraph(template.ADDRESSEE, f"{num}{name}",
                               ind={"left": (5 + w) * CHAR_TWIPS, "hanging": w * CHAR_TWIPS})

    def signature(self, organ: str, on: date | None) -> None:
        """署名 and 成文日期 without a seal (7.3.5.2): 署名 右空二字; the date starts two characters further right,
        or, when the date is the longer, the date 右空二字 and the 署名 moves left."""
        organ = clean(organ).strip()
        when = date_cn(on)
        ow, dw = width(organ), width(when)
        line = template.CHARS_PER_LINE
        organ_right, date_right = 2.0, ow - dw
        if date_right < 2:
            date_right = 2.0
            organ_right = dw + 2 + 2 - ow
        if organ_right + ow > line:   # a 署名 longer than a line wraps: both simply 右空二字
            organ_right, date_right = (2.0, 2.0) if ow + 2 > line else (line - ow, 2.0)
        date_right = min(date_right, line - dw)
        self.blank()
        if organ:
            self.paragraph(template.SIGNATURE, organ, ind={"right": max(organ_right, 0) * CHAR_TWIPS})
        if when:
            self.paragraph(template.SIGNATURE, when, ind={"right": max(date_right, 0) * CHAR_TWIPS})

    def annex(self, label: str, title: str) -> None:
        """附件 page: a new page, "附件1" at top left in 黑体, the annex title centred on the third line."""
        self.paragraph(template.ANNEX_LABEL, label, page_break=True)
        self.title(title, before_lines=1)
        self.blank()

    def imprint(self, copy_to: Sequence[str], printer: str, print_date: date | None) -> None:
        """版记 at the foot of the last page: 抄送, then 印发机关 and 印发日期, between full-width rules.

        A floating table positioned from the top of the type area
        (``w:tblpY``) so that its bottom is the type area's bottom: its rows
        have exact heights computed from their line counts, which makes the
        offset known. (``tblpYSpec="bottom"`` would say the same more simply,
        but LibreOffice ignores it.) First and last rules thick (0.35 mm),
        the one between thin (0.25 mm); text inset one character.

        The table is 5 mm narrower than the type area (2.6 mm each side):
        LibreOffice (7.4) turns a floating table as wide as the text area back
        into an inline one, which would put the 版记 under the date instead of
        at the foot.
        """
        copy_to = [clean(c).strip() for c in copy_to if clean(c).strip()]
        rows: list[tuple[str, str | None]] = []
        if copy_to:
            rows.append(("抄送：" + "，".join(copy_to) + "。", None))
        rows.append((clean(printer).strip(), f"{date_cn(print_date)}印发" if print_date else ""))
        full = twips(template.TYPE_AREA_WIDTH_MM) - IMPRINT_NARROWER_TWIPS
        per_line = int((template.TYPE_AREA_WIDTH_MM / 25.4 * 72 - 2 * 14 - 12) // 14)
        line_twips, pad_twips = 400, 160
        heights = []
        for left, right in rows:
            w = width(left) + (width(right) + 2 if right else 0)
            heights.append(max(1, math.ceil(w / per_line)) * line_twips + pad_twips)
        tbl = etree.Element(qn("w:tbl"))
        tpr = etree.SubElement(tbl, qn("w:tblPr"))
        etree.SubElement(tpr, qn("w:tblStyle")).set(qn("w:val"), self._ids["Table Grid"])
        pos = etree.SubElement(tpr, qn("w:tblpPr"))
        for key, val in (("leftFromText", 0), ("rightFromText", 0), ("topFromText", 0), ("bottomFromText", 0),
                         ("vertAnchor", "margin"), ("horzAnchor", "margin"), ("tblpXSpec", "center"),
                         ("tblpY", twips(template.TYPE_AREA_HEIGHT_MM) - sum(heights))):
            pos.set(qn(f"w:{key}"), str(val))
        etree.SubElement(tpr, qn("w:tblOverlap")).set(qn("w:val"), "never")
        tw = etree.SubElement(tpr, qn("w:tblW"))
        tw.set(qn("w:w"), str(full))
        tw.set(qn("w:type"), "dxa")
        borders = etree.SubElement(tpr, qn("w:tblBorders"))
        borders.append(border("top", sz=8))
        borders.append(border("left", val="nil"))
        borders.append(border("bottom", sz=8))
        borders.append(border("right", val="nil"))
        borders.append(border("insideH", sz=6))
        borders.append(border("insideV", val="nil"))
        etree.SubElement(tpr, qn("w:tblLayout")).set(qn("w:type"), "fixed")
        mar = etree.SubElement(tpr, qn("w:tblCellMar"))
        for side in ("left", "right"):
            m = etree.SubElement(mar, qn(f"w:{side}"))
            m.set(qn("w:w"), "0")
            m.set(qn("w:type"), "dxa")
        grid = etree.SubElement(tbl, qn("w:tblGrid"))
        etree.SubElement(grid, qn("w:gridCol")).set(qn("w:w"), str(full))
        for (left, right), height in zip(rows, heights):
            tr = etree.SubElement(tbl, qn("w:tr"))
            trpr = etree.SubElement(tr, qn("w:trPr"))
            etree.SubElement(trpr, qn("w:cantSplit"))
            h = etree.SubElement(trpr, qn("w:trHeight"))
            h.set(qn("w:val"), str(height))
            h.set(qn("w:hRule"), "exact")
            tc = etree.SubElement(tr, qn("w:tc"))
            tcpr = etree.SubElement(tc, qn("w:tcPr"))
            w = etree.SubElement(tcpr, qn("w:tcW"))
            w.set(qn("w:w"), str(full))
            w.set(qn("w:type"), "dxa")
            etree.SubElement(tcpr, qn("w:vAlign")).set(qn("w:val"), "center")
            p = etree.SubElement(tc, qn("w:p"))
            ppr = etree.SubElement(p, qn("w:pPr"))
            etree.SubElement(ppr, qn("w:pStyle")).set(qn("w:val"), self._ids[template.IMPRINT])
            if right:
                tabs = etree.SubElement(ppr, qn("w:tabs"))
                tab = etree.SubElement(tabs, qn("w:tab"))
                tab.set(qn("w:val"), "right")
                tab.set(qn("w:pos"), str(full - 2 * 280))
            ind = etree.SubElement(ppr, qn("w:ind"))
            ind.set(qn("w:left"), "280")
            ind.set(qn("w:right"), "280")
            append_runs(p, left + ("\t" + right if right else ""), fonts.FANGSONG, 14)
        self._sect.addprevious(tbl)
        # a table cannot end the body: Word needs a paragraph after it
        self.paragraph(template.IMPRINT)

    # -- tables --------------------------------------------------------------
    def table(self, columns: Sequence[Column], rows: Iterable[Sequence], *, size: float = 12,
              header: bool = True) -> etree._Element:
        """A bordered table with fixed column widths (mm) and a header row repeated on every page.

        ``rows`` yields sequences of str or Cell; a row that is one Cell with
        ``span`` = len(columns) is a group row (e.g. a unit's name over its items).
        """
        tbl = etree.Element(qn("w:tbl"))
        tpr = etree.SubElement(tbl, qn("w:tblPr"))
        etree.SubElement(tpr, qn("w:tblStyle")).set(qn("w:val"), self._ids["Table Grid"])
        widths = [twips(c.width_mm) for c in columns]
        tw = etree.SubElement(tpr, qn("w:tblW"))
        tw.set(qn("w:w"), str(sum(widths)))
        tw.set(qn("w:type"), "dxa")
        etree.SubElement(tpr, qn("w:jc")).set(qn("w:val"), "center")
        borders = etree.SubElement(tpr, qn("w:tblBorders"))
        for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
            borders.append(border(side, sz=4))
        etree.SubElement(tpr, qn("w:tblLayout")).set(qn("w:type"), "fixed")
        mar = etree.SubElement(tpr, qn("w:tblCellMar"))
        for side in ("left", "right"):
            m = etree.SubElement(mar, qn(f"w:{side}"))
            m.set(qn("w:w"), "85")
            m.set(qn("w:type"), "dxa")
        look = etree.SubElement(tpr, qn("w:tblLook"))
        look.set(qn("w:val"), "04A0")
        grid = etree.SubElement(tbl, qn("w:tblGrid"))
        for w in widths:
            etree.SubElement(grid, qn("w:gridCol")).set(qn("w:w"), str(w))
        proto = _CellPrototypes(self._ids[template.TABLE_TEXT], size)
        if header:
            tr = etree.SubElement(tbl, qn("w:tr"))
            trpr = etree.SubElement(tr, qn("w:trPr"))
            etree.SubElement(trpr, qn("w:cantSplit"))
            etree.SubElement(trpr, qn("w:tblHeader"))
            for col, w in zip(columns, widths):
                proto.cell(tr, Cell(col.title, bold=True, align="center"), w, fonts.HEITI)
        n = len(columns)
        for row in rows:
            tr = etree.SubElement(tbl, qn("w:tr"))
            i = 0
            for value in row:
                cell = value if isinstance(value, Cell) else Cell("" if value is None else str(value))
                span = max(1, min(cell.span, n - i))
                w = sum(widths[i:i + span])
                align = cell.align or (columns[i].align if i < n else "center")
                proto.cell(tr, Cell(cell.text, cell.bold, align, span, cell.vmerge), w, fonts.FANGSONG)
                i += span
            while i < n:  # short rows are padded: every row must cover the grid
                proto.cell(tr, Cell(""), widths[i], fonts.FANGSONG)
                i += 1
        self._sect.addprevious(tbl)
        return tbl

    # -- output ---------------------------------------------------------------
    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        self.doc.save(buf)
        return buf.getvalue()


_TC, _P, _R, _T = qn("w:tc"), qn("w:p"), qn("w:r"), qn("w:t")


class _CellPrototypes:
    """Builds cells fast: cell, paragraph and run properties are made once per variant and copied.

    (A 督办通报 of 10,000 items is 50,000 cells; building each property
    element afresh took most of its time.)
    """

    def __init__(self, style_id: str, size: float):
        self.style_id = style_id
        self.size = size
        self._rpr: dict = {}
        self._tcpr: dict = {}
        self._ppr: dict = {}

    def rpr(self, font: str, bold: bool):
        key = (font, bold)
        if key not in self._rpr:
            self._rpr[key] = rpr_element(font, self.size, bold)
        return self._rpr[key]

    def tcpr(self, width_twips: int, span: int, vmerge: str | None):
        key = (width_twips, span, vmerge)
        if key not in self._tcpr:
            tcpr = etree.Element(qn("w:tcPr"))
            w = etree.SubElement(tcpr, qn("w:tcW"))
            w.set(qn("w:w"), str(width_twips))
            w.set(qn("w:type"), "dxa")
            if span > 1:
                etree.SubElement(tcpr, qn("w:gridSpan")).set(qn("w:val"), str(span))
            if vmerge:
                vm = etree.SubElement(tcpr, qn("w:vMerge"))
                if vmerge == "restart":
                    vm.set(qn("w:val"), "restart")
            etree.SubElement(tcpr, qn("w:vAlign")).set(qn("w:val"), "center")
            self._tcpr[key] = tcpr
        return self._tcpr[key]

    def ppr(self, align: str):
        if align not in self._ppr:
            ppr = etree.Element(qn("w:pPr"))
            etree.SubElement(ppr, qn("w:pStyle")).set(qn("w:val"), self.style_id)
            etree.SubElement(ppr, qn("w:jc")).set(qn("w:val"), align)
            self._ppr[align] = ppr
        return self._ppr[align]

    def cell(self, tr, cell: Cell, width_twips: int, font: str) -> None:
        tc = etree.SubElement(tr, _TC)
        tc.append(self.tcpr(width_twips, cell.span, cell.vmerge).__copy__())
        paras = lines(cell.text) if cell.vmerge != "continue" else []
        ppr = self.ppr(cell.align or "center")
        for text in paras or [""]:
            p = etree.SubElement(tc, _P)
            p.append(ppr.__copy__())
            if not text:
                continue
            if _plain(text):
                r = etree.SubElement(p, _R)
                r.append(self.rpr(font, cell.bold).__copy__())
                t = etree.SubElement(r, _T)
                t.text = text
                t.set(XML_SPACE, "preserve")
            else:
                append_runs(p, text, font, self.size, cell.bold)


def _plain(text: str) -> bool:
    """Text that needs no font fallback and no tab handling (the common case, kept fast)."""
    from .text import fits_gb2312
    return "\t" not in text and fits_gb2312(text)
