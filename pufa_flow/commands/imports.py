"""`pufa-flow import-units FILE`: the same import as the page, from the shell."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from ..cli import fails_cleanly, main


@main.command("import-units")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="只检查，不写入数据库")
@with_appcontext
@fails_cleanly
def import_units_command(file: Path, dry_run: bool):
    """从 .xlsx 或 .csv 导入单位及联系人；有任何一行出错则全部不导入，退出码 1。"""
    from flask import current_app

    from ..services.imports import DEFAULT_MAX_BYTES, import_units

    limit = current_app.config.get("MAX_CONTENT_LENGTH") or DEFAULT_MAX_BYTES
    if file.stat().st_size > limit:
        raise click.ClickException(f"文件过大：不能超过 {limit // (1024 * 1024)} MB，未导入任何单位")
    report = import_units(file.name, file.read_bytes(), actor=None, dry_run=dry_run)
    if not report.ok:
        for error in report.errors:
            where = f"第 {error.row} 行" if error.row else "整个文件"
            column = f" [{error.column}]" if error.column else ""
            click.echo(f"{where}{column}:{error.message}", err=True)
        raise click.ClickException(report.summary())
    click.echo(report.summary())
