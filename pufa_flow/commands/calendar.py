"""`pufa-flow calendar …`: the working-day calendar for operators."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from ..cli import fails_cleanly, main


@main.group("calendar")
def calendar_group():
    """工作日历：年份覆盖情况、导入国务院节假日安排。"""


@calendar_group.command("coverage")
@click.option("--year", type=click.IntRange(2000, 2100), default=None, help="关注的年份（默认今年）")
@with_appcontext
def coverage_command(year: int | None):
    """列出各年份的节假日安排是否已覆盖；未覆盖的年份按周一至周五计算工作日。"""
    from ..services import holidays
    from ..services.calendar import today

    for row in holidays.coverage(year or today().year):
        state = {"package": "已覆盖（系统内置）", "office": f"已覆盖（普法办录入：{row.note}）"}.get(
            row.source, "未覆盖：按周一至周五计算")
        click.echo(f"{row.year}\t{state}\t录入 {row.override_count} 天")


@calendar_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--confirm-year", type=click.IntRange(2000, 2100), default=None,
              help="导入后确认该年份已完整录入")
@click.option("--source", default="", help="确认年份时的依据（通知名称）")
@click.option("--dry-run", is_flag=True, help="只检查，不写入")
@with_appcontext
@fails_cleanly
def import_command(path: Path, confirm_year: int | None, source: str, dry_run: bool):
    """从 .xlsx 或 .csv 导入放假和调休安排（表头：开始日期、结束日期、类型、依据）。"""
    from ..services import holidays

    report = holidays.import_ranges(path.name, path.read_bytes(), actor=None, dry_run=dry_run)
    for error in report.errors:
        where = f"第 {error.row} 行" if error.row else "整个文件"
        click.echo(f"{where} {error.column}：{error.message}", err=True)
    if not report.ok:
        raise click.ClickException(report.summary())
    click.echo(report.summary())
    if confirm_year and not dry_run:
        holidays.confirm_year(confirm_year, source, actor=None)
        click.echo(f"已确认 {confirm_year} 年的安排录入完整")
