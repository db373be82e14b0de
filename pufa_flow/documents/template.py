"""The base .docx every document starts from: page, grid, styles, theme and fonts of GB/T 9704-2012.

``scripts/make_document_template.py`` calls ``build_template`` and writes
``base.docx`` next to this file; the file is committed so a reviewer can open
it in Word or WPS, and regenerated whenever this module changes (a test
compares the shipped file's styles with a fresh build).

Starts from python-docx's own default document and takes out what would let
Chinese text fall back to a Japanese or Latin font: every style keeps only
explicit fonts in all four ``w:rFonts`` slots, the defaults name 仿宋_GB2312
and zh-CN, the theme's East Asian fonts are 宋体/仿宋_GB2312 with the Japanese
supplemental fonts removed, and the font table gives each 公文 font its
fallback (方正小标宋简体 → 宋体) as ``w:altName``.
"""
from __future__ import annotations

import io
import math
import re
import zipfile
from dataclasses import dataclass

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from . import fonts
from .ooxml import set_rfonts

# -- page geometry (GB/T 9704-2012 5.2) ---------------------------------------
PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
MARGIN_TOP_MM, MARGIN_BOTTOM_MM, MARGIN_LEFT_MM, MARGIN_RIGHT_MM = 37, 35, 28, 26
TYPE_AREA_WIDTH_MM = PAGE_WIDTH_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM      # 156
TYPE_AREA_HEIGHT_MM = PAGE_HEIGHT_MM - MARGIN_TOP_MM - MARGIN_BOTTOM_MM    # 225
LINES_PER_PAGE, CHARS_PER_LINE = 22, 28
#: 225 mm ÷ 22 lines = 28.98 pt; Word stores line pitch in twentieths of a point (579 = 28.95 pt)
LINE_PITCH_TWIPS = int(TYPE_AREA_HEIGHT_MM / 25.4 * 72 * 20 / LINES_PER_PAGE)
LINE_PITCH = Pt(LINE_PITCH_TWIPS / 20)
#: 28 characters of 16 pt in 156 mm need a pitch of 15.79 pt: 3号 styles are condensed by 0.25 pt (in
#: twentieths of a point). Character spacing rather than a docGrid of type linesAndChars: Word and WPS
#: honour both, but LibreOffice lays a character grid out at two cells a character.
CHAR_CONDENSE_TWIPS = -math.ceil((16 - TYPE_AREA_WIDTH_MM / 25.4 * 72 / CHARS_PER_LINE) * 20)
#: the page number's 一字线 sits 7 mm under the type area; the footer's baseline distance follows from that
FOOTER_DISTANCE_MM = MARGIN_BOTTOM_MM - 7 - 5
HEADER_DISTANCE_MM = 15


@dataclass(frozen=True)
class StyleSpec:
    name: str
    font: str
    size: Pt = fonts.SIZE_3
    bold: bool = False
    align: int | None = WD_ALIGN_PARAGRAPH.JUSTIFY
    first_line_chars: int = 0
    outline: int | None = None
    color: str | None = None
    line: Pt | None = LINE_PITCH
    keep_next: bool = False


TITLE = "GW Title"
ORGAN_MARK = "GW Organ Mark"
DOC_NUMBER = "GW Doc Number"
ADDRESSEE = "GW Addressee"
BODY = "GW Body"
HEADING = {1: "GW Heading 1", 2: "GW Heading 2", 3: "GW Heading 3", 4: "GW Heading 4"}
ANNEX_LABEL = "GW Annex Label"
SIGNATURE = "GW Signature"
IMPRINT = "GW Imprint"
TABLE_TEXT = "GW Table Text"
PAGE_NUMBER = "GW Page Number"

STYLES = [
    StyleSpec(TITLE, fonts.XIAOBIAOSONG, fonts.SIZE_2, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, outline=0),
    StyleSpec(ORGAN_MARK, fonts.XIAOBIAOSONG, Pt(36), align=WD_ALIGN_PARAGRAPH.CENTER, color=fonts.RED, line=None),
    StyleSpec(DOC_NUMBER, fonts.FANGSONG, align=WD_ALIGN_PARAGRAPH.CENTER),
    StyleSpec(ADDRESSEE, fonts.FANGSONG),
    StyleSpec(BODY, fonts.FANGSONG, first_line_chars=2),
    StyleSpec(HEADING[1], fonts.HEITI, first_line_chars=2, outline=1, keep_next=True),
    StyleSpec(HEADING[2], fonts.KAITI, first_line_chars=2, outline=2, keep_next=True),
    StyleSpec(HEADING[3], fonts.FANGSONG, first_line_chars=2, outline=3),
    StyleSpec(HEADING[4], fonts.FANGSONG, first_line_chars=2, outline=4),
    StyleSpec(ANNEX_LABEL, fonts.HEITI, align=WD_ALIGN_PARAGRAPH.LEFT),
    StyleSpec(SIGNATURE, fonts.FANGSONG, align=WD_ALIGN_PARAGRAPH.RIGHT),
    StyleSpec(IMPRINT, fonts.FANGSONG, fonts.SIZE_4, align=WD_ALIGN_PARAGRAPH.LEFT, line=None),
    StyleSpec(TABLE_TEXT, fonts.FANGSONG, fonts.SIZE_XIAO4, align=WD_ALIGN_PARAGRAPH.CENTER, line=None),
    StyleSpec(PAGE_NUMBER, fonts.SONGTI, fonts.SIZE_4, align=None, line=None),
]
#: python-docx's default styles that stay (everything else is removed so no style can carry a theme font)
KEPT_STYLES = {"Normal", "Default Paragraph Font", "Normal Table", "No List", "Table Grid", "Header", "Footer"}


def _tidy_styles(doc) -> None:
    styles_el = doc.styles.element
    for style in list(styles_el.findall(qn("w:style"))):
        name_el = style.find(qn("w:name"))
        if name_el is None or name_el.get(qn("w:val")) not in KEPT_STYLES:
            styles_el.remove(style)
    # docDefaults: explicit fonts in every slot, zh-CN, 3号
    rpr_default = styles_el.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        rpr_default.append(rpr)
    for child in list(rpr):
        rpr.remove(child)
    set_rfonts(rpr, fonts.FANGSONG)
    sz = OxmlElement("w:sz")
    sz.set(qn("w:val"), "32")
    szcs = OxmlElement("w:szCs")
    szcs.set(qn("w:val"), "32")
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    lang.set(qn("w:bidi"), "ar-SA")
    rpr.extend([sz, szcs, lang])
    ppr_default = styles_el.find(qn("w:docDefaults")).find(qn("w:pPrDefault"))
    if ppr_default is not None:
        styles_el.find(qn("w:docDefaults")).remove(ppr_default)


#: CT_RPr child order for the elements set here
_RPR_ORDER = ["rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline",
              "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing",
              "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText",
              "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath"]


def _condense(rpr) -> None:
    spacing = rpr.find(qn("w:spacing"))
    if spacing is None:
        spacing = OxmlElement("w:spacing")
        rpr.append(spacing)
    spacing.set(qn("w:val"), str(CHAR_CONDENSE_TWIPS))
    rank = {qn(f"w:{t}"): i for i, t in enumerate(_RPR_ORDER)}
    for child in sorted(list(rpr), key=lambda el: rank.get(el.tag, 999)):
        rpr.append(child)


def _apply(style, spec: StyleSpec) -> None:
    style.font.size = spec.size
    style.font.bold = spec.bold
    if spec.color:
        style.font.color.rgb = RGBColor.from_string(spec.color)
    rpr = style.element.get_or_add_rPr()
    set_rfonts(rpr, spec.font)
    if spec.size == fonts.SIZE_3:
        _condense(rpr)
    pf = style.paragraph_format
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    if spec.line is not None:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = spec.line
    else:
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
        # off the document grid, or a 10.5 pt table line would still take a 28.95 pt grid line
        snap = OxmlElement("w:snapToGrid")
        snap.set(qn("w:val"), "0")
        style.element.get_or_add_pPr().append(snap)
    if spec.align is not None:
        pf.alignment = spec.align
    pf.keep_with_next = spec.keep_next
    pf.widow_control = True
    ppr = style.element.get_or_add_pPr()
    if spec.first_line_chars:
        ind = ppr.find(qn("w:ind"))
        if ind is None:
            ind = OxmlElement("w:ind")
            ppr.append(ind)
        ind.set(qn("w:firstLineChars"), str(spec.first_line_chars * 100))
        ind.set(qn("w:firstLine"), str(int(spec.size.pt * 20 * spec.first_line_chars)))
    if spec.outline is not None:
        lvl = OxmlElement("w:outlineLvl")
        lvl.set(qn("w:val"), str(spec.outline - 1 if spec.outline else 0))
        ppr.append(lvl)
    _reorder_ppr(ppr)


#: CT_PPrBase child order (ECMA-376 17.3.1.26), so Word accepts the style
_PPR_ORDER = ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
              "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
              "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
              "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
              "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
              "sectPr", "pPrChange"]


def _reorder_ppr(ppr) -> None:
    rank = {qn(f"w:{t}"): i for i, t in enumerate(_PPR_ORDER)}
    children = sorted(list(ppr), key=lambda el: rank.get(el.tag, 999))
    for child in children:
        ppr.append(child)


def _page(doc) -> None:
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
    section.top_margin, section.bottom_margin = Mm(MARGIN_TOP_MM), Mm(MARGIN_BOTTOM_MM)
    section.left_margin, section.right_margin = Mm(MARGIN_LEFT_MM), Mm(MARGIN_RIGHT_MM)
    section.header_distance, section.footer_distance = Mm(HEADER_DISTANCE_MM), Mm(FOOTER_DISTANCE_MM)
    section.gutter = Mm(0)
    sect_pr = section._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect_pr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))
    doc.settings.odd_and_even_pages_header_footer = True
    # page numbers: "— N —" in 4号 宋体, odd pages right and even pages left, each 空一字
    from .ooxml import append_runs, page_field_runs

    for footer, align, side in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right"),
                                (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left")):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        p.style = doc.styles[PAGE_NUMBER]
        p.alignment = align
        indent = Pt(14)
        if side == "right":
            p.paragraph_format.right_indent = indent
        else:
            p.paragraph_format.left_indent = indent
        append_runs(p._p, "— ", fonts.SONGTI, 14)
        page_field_runs(p._p, fonts.SONGTI, 14)
        append_runs(p._p, " —", fonts.SONGTI, 14)
    for header in (section.header, section.even_page_header):
        header.is_linked_to_previous = False


def _settings(doc) -> None:
    settings = doc.settings.element
    lang = settings.find(qn("w:themeFontLang"))
    if lang is None:
        lang = OxmlElement("w:themeFontLang")
        settings.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


def _drop_thumbnail(doc) -> None:
    pkg_rels = doc.part.package.rels
    for rid, rel in list(pkg_rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            del pkg_rels[rid]


_THEME_EA = {"majorFont": fonts.SONGTI, "minorFont": fonts.FANGSONG}


def _theme_xml(xml: str) -> str:
    """East Asian theme fonts Chinese, the per-script supplemental list reduced to Simplified Chinese."""
    for block, face in _THEME_EA.items():
        def fix(match, face=face):
            body = match.group(2)
            body = re.sub(r'<a:ea typeface="[^"]*"/>', f'<a:ea typeface="{face}"/>', body)
            body = re.sub(r'\s*<a:font script="[^"]*" typeface="[^"]*"/>', "", body)
            body = body.replace(f'<a:ea typeface="{face}"/>',
                                f'<a:ea typeface="{face}"/><a:font script="Hans" typeface="{face}"/>', 1)
            return match.group(1) + body + match.group(3)
        xml = re.sub(rf"(<a:{block}>)(.*?)(</a:{block}>)", fix, xml, flags=re.S)
    return xml


def _font_table_xml(xml: str) -> str:
    """Declare the 公文 fonts as GB2312 (charset 86) with the fallback Word uses when one is missing."""
    entries = []
    for name in (fonts.FANGSONG, fonts.KAITI, fonts.HEITI, fonts.XIAOBIAOSONG, fonts.SONGTI):
        if f'w:name="{name}"' in xml:
            continue
        alt = fonts.ALT_NAMES.get(name)
        alt_el = f'<w:altName w:val="{alt}"/>' if alt else ""
        entries.append(f'<w:font w:name="{name}">{alt_el}<w:charset w:val="86"/>'
                       f'<w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>')
    return xml.replace("</w:fonts>", "".join(entries) + "</w:fonts>")


def _rewrite_parts(data: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "word/theme/theme1.xml":
                body = _theme_xml(body.decode("utf-8")).encode("utf-8")
            elif info.filename == "word/fontTable.xml":
                body = _font_table_xml(body.decode("utf-8")).encode("utf-8")
            elif info.filename in ("docProps/thumbnail.jpeg", "word/stylesWithEffects.xml"):
                continue
            elif info.filename == "word/_rels/document.xml.rels":
                body = re.sub(rb'<Relationship [^>]*stylesWithEffects[^>]*/>', b"", body)
            elif info.filename == "[Content_Types].xml":
                body = re.sub(rb'<Override [^>]*stylesWithEffects[^>]*/>', b"", body)
            fixed = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, body)
    return out.getvalue()


def build_template() -> bytes:
    doc = Document()
    _tidy_styles(doc)
    normal = doc.styles["Normal"]
    _apply(normal, StyleSpec("Normal", fonts.FANGSONG))
    for kept in ("Header", "Footer"):
        if kept not in [s.name for s in doc.styles]:
            doc.styles.add_style(kept, WD_STYLE_TYPE.PARAGRAPH).base_style = normal
        _apply(doc.styles[kept], StyleSpec(kept, fonts.FANGSONG, fonts.SIZE_4, align=None, line=None))
    for char_or_table in ("Default Paragraph Font", "Table Grid", "Normal Table"):
        set_rfonts(doc.styles[char_or_table].element.get_or_add_rPr(), fonts.FANGSONG)
    for spec in STYLES:
        style = doc.styles.add_style(spec.name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.quick_style = True
        _apply(style, spec)
    _page(doc)
    _settings(doc)
    _drop_thumbnail(doc)
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    doc.core_properties.author = "pufa-flow"
    doc.core_properties.title = "公文模板（GB/T 9704-2012）"
    doc.core_properties.language = "zh-CN"
    buf = io.BytesIO()
    doc.save(buf)
    return _rewrite_parts(buf.getvalue())
