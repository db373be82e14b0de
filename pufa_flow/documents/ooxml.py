"""Low-level OOXML the python-docx API does not reach: fonts in all slots, fields, borders, fast tables.

Tables of thousands of rows (a province's bulletin, a 督办通报 of 10,000
items) are built here with lxml directly: python-docx's ``add_row`` copies
and re-reads the grid per row and would take minutes.
"""
from __future__ import annotations

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree

from . import fonts
from .text import clean, font_segments

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_RFONT_SLOTS = ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs")
_THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def _child(parent, tag: str, first: bool = False):
    el = parent.find(qn(tag))
    if el is None:
        el = OxmlElement(tag)
        if first:
            parent.insert(0, el)
        else:
            parent.append(el)
    return el


def set_rfonts(rpr, name: str) -> None:
    """The same font in all four slots, theme references removed, hint East Asian."""
    rfonts = _child(rpr, "w:rFonts", first=True)
    for attr in _THEME_ATTRS:
        rfonts.attrib.pop(qn(attr), None)
    for slot in _RFONT_SLOTS:
        rfonts.set(qn(slot), name)
    rfonts.set(qn("w:hint"), "eastAsia")


def fallback_font(segment: str) -> str:
    return fonts.FALLBACK_SUPPLEMENTARY if any(ord(c) > 0xFFFF for c in segment) else fonts.FALLBACK_BMP


def rpr_element(font: str, size_pt: float | None = None, bold: bool = False, color: str | None = None):
    """A fresh <w:rPr>; order of children as the schema wants (rFonts, b, color, sz, szCs)."""
    rpr = etree.Element(qn("w:rPr"))
    rfonts = etree.SubElement(rpr, qn("w:rFonts"))
    for slot in _RFONT_SLOTS:
        rfonts.set(qn(slot), font)
    rfonts.set(qn("w:hint"), "eastAsia")
    if bold:
        etree.SubElement(rpr, qn("w:b"))
        etree.SubElement(rpr, qn("w:bCs"))
    if color:
        etree.SubElement(rpr, qn("w:color")).set(qn("w:val"), color)
    if size_pt:
        half = str(int(round(size_pt * 2)))
        etree.SubElement(rpr, qn("w:sz")).set(qn("w:val"), half)
        etree.SubElement(rpr, qn("w:szCs")).set(qn("w:val"), half)
    return rpr


def append_runs(p, text: str, font: str, size_pt: float | None = None, bold: bool = False,
                color: str | None = None) -> None:
    """Runs for ``text`` in ``font``; characters outside GB2312 get a fallback font in their own run."""
    text = clean(text)
    for segment, in_gb2312 in font_segments(text):
        r = etree.SubElement(p, qn("w:r"))
        r.append(rpr_element(font if in_gb2312 else fallback_font(segment), size_pt, bold, color))
        parts = segment.split("\t")
        for i, part in enumerate(parts):
            if i:
                etree.SubElement(r, qn("w:tab"))
            if part:
                t = etree.SubElement(r, qn("w:t"))
                t.text = part
                t.set(XML_SPACE, "preserve")


def page_field_runs(p, font: str, size_pt: float) -> None:
    """A PAGE field as begin/instrText/separate/result/end, which Word, WPS and LibreOffice all update."""
    def run():
        r = etree.SubElement(p, qn("w:r"))
        r.append(rpr_element(font, size_pt))
        return r

    etree.SubElement(run(), qn("w:fldChar")).set(qn("w:fldCharType"), "begin")
    instr = etree.SubElement(run(), qn("w:instrText"))
    instr.text = " PAGE "
    instr.set(XML_SPACE, "preserve")
    etree.SubElement(run(), qn("w:fldChar")).set(qn("w:fldCharType"), "separate")
    etree.SubElement(run(), qn("w:t")).text = "1"
    etree.SubElement(run(), qn("w:fldChar")).set(qn("w:fldCharType"), "end")


def border(side: str, val: str = "single", sz: int = 4, color: str = "000000", space: int = 0):
    el = OxmlElement(f"w:{side}")
    el.set(qn("w:val"), val)
    el.set(qn("w:sz"), str(sz))
    el.set(qn("w:space"), str(space))
    el.set(qn("w:color"), color)
    return el


def paragraph_border(p, side: str, **kwargs) -> None:
    ppr = p.get_or_add_pPr()
    bdr = ppr.find(qn("w:pBdr"))
    if bdr is None:
        bdr = OxmlElement("w:pBdr")
        # pBdr comes after pStyle/keepNext/keepLines/pageBreakBefore/framePr/widowControl/numPr/suppressLineNumbers
        anchor = None
        for tag in ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
                    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
                    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
                    "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
                    "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange"):
            anchor = ppr.find(qn(tag))
            if anchor is not None:
                break
        if anchor is not None:
            anchor.addprevious(bdr)
        else:
            ppr.append(bdr)
    bdr.append(border(side, **kwargs))


def twips(mm: float) -> int:
    return int(round(mm / 25.4 * 1440))
