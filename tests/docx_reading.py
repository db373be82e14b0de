"""Reading generated .docx files back for the document tests (python-docx plus a little XPath)."""
from __future__ import annotations

import io
import zipfile

from docx import Document
from docx.oxml.ns import qn

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def open_docx(data: bytes):
    return Document(io.BytesIO(data))


def part_xml(data: bytes, name: str) -> str:
    return zipfile.ZipFile(io.BytesIO(data)).read(name).decode("utf-8")


def body_texts(doc) -> list[str]:
    """Every paragraph of the body in reading order, tables included (cell by cell), empty ones skipped."""
    out = []
    for p in doc.element.body.iter(qn("w:p")):
        text = "".join(t.text or "" for t in p.iter(qn("w:t")))
        if text:
            out.append(text)
    return out


def paragraph_with(doc, text: str):
    for p in doc.paragraphs:
        if text in p.text:
            return p
    raise AssertionError(f"no paragraph contains {text!r}")


def east_asia(rpr) -> str | None:
    fonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


def run_fonts(p) -> set[str | None]:
    return {east_asia(r._r.find(qn("w:rPr"))) for r in p.runs if r.text}


def runs_without_east_asia(doc) -> list[str]:
    """Runs with text whose own properties do not name an East Asian font, in body, headers and footers."""
    parts = [doc.element.body]
    for section in doc.sections:
        for hf in (section.footer, section.even_page_footer, section.header, section.even_page_header):
            parts.append(hf._element)
    missing = []
    for part in parts:
        for r in part.iter(qn("w:r")):
            has_text = any((t.text or "") for t in r.iter(qn("w:t"))) or r.find(qn("w:br")) is not None
            if has_text and not east_asia(r.find(qn("w:rPr"))):
                missing.append("".join(t.text or "" for t in r.iter(qn("w:t"))))
    return missing


def style_font(doc, style_name: str) -> tuple[str | None, float | None]:
    style = doc.styles[style_name]
    rpr = style.element.find(qn("w:rPr"))
    return east_asia(rpr), (style.font.size.pt if style.font.size else None)
