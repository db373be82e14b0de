"""`pufa-flow documents render DIR`: every document from sample data, as .docx, PDF and PNG pages, to look at."""
from __future__ import annotations

import subprocess
from pathlib import Path

import click

from ..cli import main


@main.group("documents")
def documents_group():
    """公文格式文档（整改通知书、考评情况通报等）。"""


@documents_group.command("render")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--dpi", default=60, show_default=True, help="PNG 分辨率")
def render_command(directory: Path, dpi: int):
    """用示例数据生成每种文档（.docx），装有 LibreOffice 与 pdftoppm 时再转为 PDF 和逐页 PNG。"""
    from ..documents.render import render

    try:
        result = render(directory, dpi=dpi)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        raise click.ClickException(f"转换失败：{exc}") from None
    click.echo(f"已生成 {len(result.docx)} 个 .docx、{len(result.pdf)} 个 PDF、{len(result.png)} 张 PNG：{directory}")
    if result.missing:
        click.echo("未安装 " + "、".join(result.missing) + "，只生成了能生成的部分"
                   "（Debian：apt-get install libreoffice-writer-nogui poppler-utils fonts-noto-cjk）", err=True)
