"""`pufa-flow frameworks …`: the indicator framework library."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..cli import fails_cleanly, main


@main.group("frameworks")
def frameworks_group():
    """评议指标体系库。"""


@frameworks_group.command("seed")
@with_appcontext
@fails_cleanly
def seed_command():
    """把随系统发布的指标体系（003附件2、附件1）写入指标体系库；已有的版本不重复写入。"""
    from ..services import frameworks

    added = frameworks.seed()
    if added:
        click.echo("已写入：" + "、".join(f"{r.name}（{r.version}）" for r in added))
    else:
        click.echo("指标体系库已是最新，无需写入。")


@frameworks_group.command("list")
@with_appcontext
def list_command():
    """列出指标体系库中的各版本。"""
    from ..services import frameworks

    for row in frameworks.library():
        state = "冻结" if row.frozen_reason else "可编辑"
        click.echo(f"{row.id}\t{row.code}\t{row.version}\t{row.kind_label}\t{state}\t{row.name}")
