"""Every document, generated from the sample data, as .docx, PDF and PNG pages — for a person to look at.

Uses LibreOffice (``soffice --headless --convert-to pdf``) and poppler's
``pdftoppm`` when they are installed (Debian: libreoffice-writer-nogui,
poppler-utils, and a CJK font such as fonts-noto-cjk). Without them only the
.docx files are written, and the result says what is missing.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import samples
from .appendices import innovation_case, problem_list
from .bulletin import bulletin
from .notice import rectification_notice
from .overdue import overdue_bulletin
from .scoresheet import panel_score_sheet, self_score_sheet


def sample_documents() -> dict[str, bytes]:
    """file stem → .docx bytes, one per document kind."""
    return {
        "整改通知书": rectification_notice(samples.notice()),
        "考评情况通报": bulletin(samples.bulletin()),
        "自测得分表": self_score_sheet(samples.score_sheet()),
        "评议得分表": panel_score_sheet(samples.score_sheet(kind="评议得分表")),
        "问题清单": problem_list(samples.problem_list()),
        "典型创新案例": innovation_case(samples.case()),
        "督办通报": overdue_bulletin(samples.overdue()),
    }


@dataclass
class RenderResult:
    docx: list[Path] = field(default_factory=list)
    pdf: list[Path] = field(default_factory=list)
    png: list[Path] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


#: what each 公文 font looks like in the preview when it is not installed (it rarely is on Linux):
#: 仿宋/宋体/小标宋 as a serif, 黑体 as a sans; the .docx itself still names the 公文 fonts
PREVIEW_ALIASES = {
    "仿宋_GB2312": "Noto Serif CJK SC", "仿宋": "Noto Serif CJK SC", "宋体": "Noto Serif CJK SC",
    "方正小标宋简体": "Noto Serif CJK SC", "楷体_GB2312": "Noto Serif CJK SC", "楷体": "Noto Serif CJK SC",
    "黑体": "Noto Sans CJK SC", "SimSun-ExtB": "Noto Serif CJK SC",
}


def _fontconfig(directory: Path) -> Path:
    aliases = "".join(
        f"<alias binding=\"same\"><family>{face}</family><prefer><family>{alt}</family></prefer></alias>"
        for face, alt in PREVIEW_ALIASES.items())
    path = directory / "fonts.conf"
    path.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                    '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
                    f"{aliases}</fontconfig>", encoding="utf-8")
    return path


def tools() -> dict[str, str | None]:
    return {"soffice": shutil.which("soffice") or shutil.which("libreoffice"), "pdftoppm": shutil.which("pdftoppm")}


def render(out_dir: Path, documents: dict[str, bytes] | None = None, dpi: int = 60,
           timeout: int = 240) -> RenderResult:
    out_dir.mkdir(parents=True, exist_ok=True)
    result = RenderResult()
    for stem, data in (documents or sample_documents()).items():
        path = out_dir / f"{stem}.docx"
        path.write_bytes(data)
        result.docx.append(path)
    found = tools()
    if not found["soffice"]:
        result.missing.append("LibreOffice（soffice）")
        return result
    with tempfile.TemporaryDirectory() as profile:
        env = {**os.environ, "FONTCONFIG_FILE": str(_fontconfig(Path(profile)))}
        subprocess.run([found["soffice"], f"-env:UserInstallation=file://{profile}/lo", "--headless",
                        "--convert-to", "pdf", "--outdir", str(out_dir), *map(str, result.docx)],
                       check=True, timeout=timeout, capture_output=True, env=env)
    result.pdf = [p.with_suffix(".pdf") for p in result.docx if p.with_suffix(".pdf").exists()]
    if not found["pdftoppm"]:
        result.missing.append("pdftoppm（poppler-utils）")
        return result
    for pdf in result.pdf:
        subprocess.run([found["pdftoppm"], "-png", "-r", str(dpi), str(pdf), str(pdf.with_suffix(""))],
                       check=True, timeout=timeout, capture_output=True)
        result.png.extend(sorted(out_dir.glob(f"{pdf.stem}-*.png")))
    return result
