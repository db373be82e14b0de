"""`pufa-flow filings …`: the year's filing types and what is still owed, for operators."""
from __future__ import annotations

from datetime import date

import click
from flask.cli import with_appcontext

from ..cli import fails_cleanly, main


@main.group("filings")
def filings_group():
    """年度报备：添加默认报备事项，列出尚未报送的事项。"""


@filings_group.command("defaults")
@click.option("--year", type=click.IntRange(2000, 2100), required=True, help="年度")
@with_appcontext
@fails_cleanly
def defaults_command(year: int):
    """添加某年度尚未设置的默认报备事项（计划、责任清单、联络员、履职报告、工作信息）。"""
    from ..services import filings

    created = filings.install_defaults(year, actor=None)
    for ft in created:
        click.echo(f"{ft.name}\t时限 {ft.due_date.isoformat()}")
    click.echo(f"已添加 {len(created)} 个默认报备事项" if created else "默认报备事项均已存在")


@filings_group.command("owed")
@click.option("--on", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="日期（默认今天）")
@with_appcontext
def owed_command(on):
    """列出尚未报送的报备事项：单位、事项、时限（顺延后）与提醒对象。"""
    from ..services.calendar import today
    from ..services.filing_deadlines import open_filing_deadlines

    day: date = on.date() if on else today()
    rows = open_filing_deadlines(day)
    for d in rows:
        overdue = "（已逾期）" if d.deadline < day else ""
        recipients = ",".join(r for _, r in d.recipients)
        click.echo(f"{d.label}\t{d.deadline.isoformat()}{overdue}\t{recipients}")
    click.echo(f"共 {len(rows)} 项尚未报送")
