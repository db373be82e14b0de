"""`pufa-flow attachments …`: housekeeping of the upload folder."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..cli import fails_cleanly, main


@main.group("attachments")
def attachments_group():
    """附件存储的维护命令。"""


@attachments_group.command("clean-orphans")
@click.option("--older-than-hours", type=click.FloatRange(min=0), default=24, show_default=True,
              help="只清理早于这么多小时写入的文件（更新的可能属于尚未提交的上传）")
@click.option("--dry-run", is_flag=True, help="只列出，不删除")
@with_appcontext
@fails_cleanly
def clean_orphans_command(older_than_hours: float, dry_run: bool):
    """删除上传目录中没有附件记录的文件（上传后事务回滚留下的孤儿文件）。"""
    from ..services.attachments import clean_orphans

    names = clean_orphans(older_than_hours=older_than_hours, dry_run=dry_run)
    for name in names:
        click.echo(name)
    verb = "将删除" if dry_run else "已删除"
    click.echo(f"{verb} {len(names)} 个孤儿文件")
