"""`pufa-flow demo`: load the demonstration data set."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..cli import fails_cleanly, main


@main.command("demo")
@click.option("--if-empty", is_flag=True, help="数据库中已有单位时不做任何事")
@with_appcontext
@fails_cleanly
def demo_command(if_empty: bool):
    """载入演示数据：君山区36个责任单位、2023年度考评结果、本年度考评与整改通知书。"""
    from ..services import demo

    if demo.is_loaded():
        if if_empty:
            click.echo("数据库中已有数据，跳过演示数据。")
            return
        raise click.ClickException("数据库中已有单位，演示数据只能载入空数据库（可加 --if-empty 跳过）")
    counts = demo.load()
    click.echo(f"已载入演示数据：{counts['units']} 个单位，{counts['users']} 个账户（密码 {demo.DEMO_PASSWORD}）")
