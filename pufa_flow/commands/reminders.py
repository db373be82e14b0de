"""`pufa-flow reminders …` and `pufa-flow scheduler`: the sweep, the delivery
and the scheduler process, with a chosen clock for operators and tests."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext

from ..cli import fails_cleanly, main

SH = ZoneInfo("Asia/Shanghai")


class IsoTime(click.ParamType):
    """An ISO time; without an offset it is Asia/Shanghai (the office's clock)."""

    name = "ISO"

    def convert(self, value, param, ctx):
        if isinstance(value, datetime):
            return value
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            self.fail(f"时间格式不正确：{value}（应为 ISO 格式，如 2026-10-09T22:00 或 2026-10-09T14:00+00:00）",
                      param, ctx)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=SH)


def _now(value: datetime | None) -> datetime:
    from ..clock import utcnow

    return value or utcnow()


@main.group("reminders")
def reminders_group():
    """提醒：扫描到期提醒、投递消息、预览整改事项的提醒计划。"""


@reminders_group.command("run")
@click.option("--now", type=IsoTime(), default=None, help="按这个时间扫描（不带时区即北京时间）；省略为当前时间")
@click.option("--dry-run", is_flag=True, help="只列出将要加入发送队列的提醒，不写入")
@with_appcontext
@fails_cleanly
def run_command(now, dry_run):
    """扫描到期的提醒，写入发送队列；每条一行，最后是条数。"""
    from ..services.reminders import sweep

    report = sweep(_now(now), dry_run=dry_run)
    for line in report.lines:
        click.echo(line)
    click.echo(f"{'将加入' if dry_run else '已加入'}发送队列 {report.queued} 条"
               f"（查看了 {report.looked_at} 个到期时限）")


@reminders_group.command("deliver")
@click.option("--now", type=IsoTime(), default=None, help="按这个时间投递（不带时区即北京时间）；省略为当前时间")
@with_appcontext
@fails_cleanly
def deliver_command(now):
    """发送队列中已到发送时间的消息，记录每次尝试。"""
    from ..services.reminders import deliver

    report = deliver(_now(now))
    for line in report.lines:
        click.echo(line)
    click.echo(f"已发送 {report.sent} 条，待重试 {report.retried} 条，失败 {report.failed} 条，"
               f"免打扰顺延 {report.deferred} 条" + (f"，接管中断的投递 {report.reclaimed} 条" if report.reclaimed else ""))


@reminders_group.command("preview")
@click.argument("item_id", type=int)
@click.option("--now", type=IsoTime(), default=None, help="以这个时间为“现在”")
@with_appcontext
@fails_cleanly
def preview_command(item_id, now):
    """打印整改事项的提醒计划（何时、发给谁、经哪个渠道）和已发送的消息。"""
    from ..extensions import db
    from ..models import RectificationItem
    from ..services.reminders import preview

    item = db.session.get(RectificationItem, item_id)
    if item is None:
        raise click.ClickException(f"整改事项不存在：{item_id}")
    timeline = preview(item, now=_now(now))
    click.echo(f"整改事项#{item.id}（{item.unit.name}）{item.status_label}，时限 {item.due_date.isoformat()}")
    if not timeline.planned:
        click.echo("没有计划中的提醒（事项已办结、已撤销，或没有联系人）")
    for line in timeline.planned:
        mark = "已过" if line.when == "past" else "计划"
        click.echo(f"{mark} {line.at.strftime('%Y-%m-%d %H:%M')} {line.stage} → {line.role_label} {line.name} "
                   f"{line.channel_label} {line.address}")
    for role in timeline.unreachable:
        click.echo(f"无法送达：{role}")
    for m in timeline.sent:
        click.echo(f"已入队 #{m.id} {m.local_day.isoformat()} {m.kind} → {m.recipient} {m.channel_label} {m.status_label}")
    click.echo(f"计划 {len(timeline.planned)} 条，已入队 {len(timeline.sent)} 条")


@reminders_group.command("digest")
@click.option("--now", type=IsoTime(), default=None)
@click.option("--force", is_flag=True, help="非工作日或未到汇总时间也生成")
@with_appcontext
@fails_cleanly
def digest_command(now, force):
    """生成普法办当天的每日汇总（每天每个渠道至多一份）。"""
    from ..services.reminders import digest

    click.echo(f"已加入发送队列 {digest(_now(now), force=force)} 条")


class _AppWorkdays:
    """The app's calendar for the scheduler's digest guard, read fresh each time."""

    def __init__(self, app):
        self.app = app

    def is_workday(self, day):
        from ..services.calendar import calendar

        with self.app.app_context():
            return calendar().is_workday(day)

    def add_workdays(self, day, count):
        from ..services.calendar import calendar

        with self.app.app_context():
            return calendar().add_workdays(day, count)


def app_job(app, name: str, func):
    """A scheduler job: its own app context and session; an error is logged, never kills the process."""
    log = logging.getLogger("pufa_flow.scheduler")

    def run(now):
        from ..extensions import db

        with app.app_context():
            try:
                result = func(now)
                text, busy = _summary(result)
                # quiet minutes stay out of the terminal; work done is one line
                log.log(logging.INFO if busy else logging.DEBUG, "%s %s：%s", name,
                        now.strftime("%Y-%m-%d %H:%M:%S"), text)
            except Exception:  # noqa: BLE001 - the next run tries again
                log.exception("%s 失败", name)
                db.session.rollback()
            finally:
                db.session.remove()
    return run


def _summary(result) -> tuple[str, bool]:
    if hasattr(result, "queued"):
        return f"入队 {result.queued} 条", bool(result.queued)
    if hasattr(result, "sent"):
        return (f"发送 {result.sent}，重试 {result.retried}，失败 {result.failed}，顺延 {result.deferred}",
                bool(result.sent or result.retried or result.failed or result.deferred or result.reclaimed))
    return f"{result}", bool(result)


@main.command("scheduler")
@click.option("--sweep-minutes", type=click.FloatRange(min=0.01), default=5, show_default=True,
              help="提醒扫描间隔（分钟）")
@click.option("--deliver-seconds", type=click.FloatRange(min=1), default=60, show_default=True,
              help="消息投递间隔（秒）")
@with_appcontext
def scheduler_command(sweep_minutes, deliver_seconds):
    """运行提醒调度进程（APScheduler，Asia/Shanghai）：定时扫描、投递、工作日 08:30 每日汇总。

    同一时间只有一个副本工作：SQLite 用文件锁，PostgreSQL 用咨询锁；第二个副本等待，
    前一个退出后接管。SIGTERM 时等待正在进行的投递完成后退出。"""
    from notifications.scheduler import serve

    from ..services.reminders import deliver, digest, sweep

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # one line per job run is ours
    app = current_app._get_current_object()
    code = serve(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config["PUFA_SCHEDULER_LOCK_DIR"],
        sweep=app_job(app, "提醒扫描", sweep), deliver=app_job(app, "消息投递", deliver),
        digest=app_job(app, "每日汇总", digest), calendar=_AppWorkdays(app),
        sweep_every=timedelta(minutes=sweep_minutes), deliver_every=timedelta(seconds=deliver_seconds))
    raise SystemExit(code)
