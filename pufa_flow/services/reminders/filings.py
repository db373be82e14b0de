"""Filing deadlines (报备, issue 13 item 4) chased by their own ladder.

One next-reminder row per filing type (``object_type = "filing_type"``,
ladder ``"filing"``: 10, 5 and 1 working days before the due date, then
every 5 working days): every unit that must file a type shares its due date,
so one row says when the type's ladder next has something to send. When the
sweep reaches it, the units that still owe the type (no filing, 待报送, 退回修改;
a stream below its target) are asked for in one query, and each unit's
联络员 is reminded through the planner (``notifications.policy``); a unit that
has filed gets nothing more. The row lives while someone may still owe the
type (a filing sent back after everyone filed is chased at the next rung);
it is deleted once nobody owes and the type's year is over.

Outbox rows name the type (``object_type = "filing_type"``) and the unit
(``unit_id``); their unique key holds the unit's address, so two units never
collide and a second sweep inserts nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app
from markupsafe import escape
from sqlalchemy.orm import selectinload

from notifications.calendar import next_workday_on_or_after
from notifications.channels.sms import short
from notifications.policy import CHANNELS, ROLES, PlannedReminder, sweep_deadline

from ...clock import format_date_cn, utcnow
from ...extensions import db
from ...models import Filing, FilingType, ReminderSchedule, Unit
from ...models.outbox import outbox_key
from . import recipients
from .context import aware, local_day, naive_utc, policy, workdays
from .messages import stage_label
from .schedule import advance, keep_row

OBJECT_TYPE = "filing_type"
LADDER = "filing"


def replan_type(ft: FilingType, *, now: datetime | None = None, calendar=None) -> None:
    """Keep the type's next-reminder row on its due date (created, or moved when the date changes)."""
    keep_row(OBJECT_TYPE, ft.id, LADDER, ft.due_date, now=aware(now or utcnow()), calendar=calendar)
    db.session.flush()


def owing_units(ft: FilingType) -> list[Unit]:
    """The active units ``ft`` requires that have not filed it (enough times, for a stream)."""
    filed_states = Filing.workflow.definition.groups["filed"]
    needed = ft.target if ft.is_stream else 1
    filed = dict(db.session.execute(
        sa.select(Filing.unit_id, sa.func.count()).where(Filing.filing_type_id == ft.id,
                                                         Filing.status.in_(filed_states))
        .group_by(Filing.unit_id)).all())
    units = db.session.scalars(sa.select(Unit).where(Unit.is_active.is_(True)).order_by(Unit.id)
                               .options(selectinload(Unit.contacts))).unique()
    return [u for u in units if ft.requires(u) and filed.get(u.id, 0) < needed]


def words(ft: FilingType, unit: Unit, planned: PlannedReminder, deadline: date) -> dict:
    overdue = planned.offset > 0
    base = current_app.config.get("PUFA_BASE_URL", "")
    link = f"{base}/filings/units/{unit.id}/{ft.year}"
    stage = stage_label(planned.offset)
    what = f"{ft.name}（{ft.year}年）"
    subject = f"【普法考评】报备{'逾期未报送' if overdue else '提醒'}：{short(ft.name)}"
    text = (f"{unit.name}：\n{what}的报送时限为{format_date_cn(deadline)}，"
            f"{'已逾期，请尽快报送' if overdue else '请按时报送'}（{stage}）。\n"
            + (f"本年度须报送 {ft.target} 条。\n" if ft.is_stream else "")
            + f"请登录系统报送：{link}\n")
    html = (f"<p>{escape(unit.name)}：</p><p>{escape(what)}的报送时限为{escape(format_date_cn(deadline))}，"
            f"{'已逾期，请尽快报送' if overdue else '请按时报送'}（{escape(stage)}）。</p>"
            + (f"<p>本年度须报送 {ft.target} 条。</p>" if ft.is_stream else "")
            + f'<p><a href="{escape(link)}">登录系统报送</a></p>')
    return {"subject": subject[:200], "body": text, "html": html,
            "template": "filing_overdue" if overdue else "filing_due",
            "variables": {"unit": short(unit.name), "item": short(ft.name),
                          "date": f"{deadline.month}月{deadline.day}日"},
            "link": link}


@dataclass
class Chased:
    outbox: list[dict]
    lines: list[tuple[str, str]]
    #: how many units still owe the type
    owing: int = 0


def chase(row: ReminderSchedule, ft: FilingType, *, now: datetime, calendar, prefs_for=recipients.preferences,
          ) -> Chased:
    """What one type's row queues at ``now``: each owing unit's share of the ladder."""
    pol = policy()
    ladder = pol.ladder(LADDER)
    now_naive = naive_utc(now)
    since = aware(row.swept_at) if row.swept_at else None
    units = owing_units(ft)
    prefs = prefs_for(u.id for u in units)
    deadline = next_workday_on_or_after(calendar, ft.due_date)
    out = Chased([], [], owing=len(units))
    for unit in units:
        result = sweep_deadline(ft.due_date, ladder, calendar, now=now, since=since,
                                audience=recipients.audience(unit), quiet=pol.quiet)
        for queued in result.queue:
            p = queued.planned
            message = None
            for a in recipients.addresses(unit, p.recipient, p.channel, prefs):
                message = message or words(ft, unit, p, deadline)
                key = outbox_key(OBJECT_TYPE, ft.id, unit.id, p.kind, p.day.isoformat(), a.channel, a.address)
                out.outbox.append({
                    "key": key, "channel": a.channel, "recipient": a.address, "recipient_role": a.role,
                    "recipient_name": a.name[:50], "kind": p.kind, "local_day": p.day,
                    "object_type": OBJECT_TYPE, "object_id": ft.id, "unit_id": unit.id,
                    "status": "held" if a.held else "pending", "created_at": now_naive,
                    "send_after": naive_utc(queued.not_before), "attempts": 0,
                    "subject": message["subject"], "body": message["body"],
                    "html": message["html"] if a.channel == "email" else None,
                    "template": message["template"] if a.channel == "sms" else None,
                    "variables": message["variables"] if a.channel == "sms" else None,
                    "link": message["link"],
                })
                out.lines.append((out.outbox[-1]["key"],
                                  f"{p.at.strftime('%Y-%m-%d %H:%M')} {unit.name}·{ft.name}（{ft.year}年） {p.kind} → "
                                  f"{ROLES.get(a.role, a.role)} {a.name} {CHANNELS.get(a.channel, a.channel)} "
                                  f"{a.address}" + ("（并入次日汇总）" if a.held else "")))
    return out


def sweep(now: datetime, report, *, dry_run: bool = False) -> None:
    """The filing types whose rows are due at ``now`` → outbox rows; adds to the sweep's ``report``."""
    from .sweep import due_schedules, enqueue_rows

    now = aware(now)
    now_naive = naive_utc(now)
    calendar = workdays()
    dialect = db.session.get_bind().dialect.name
    rows = due_schedules(OBJECT_TYPE, now_naive, dialect=dialect, dry_run=dry_run)
    this_year = local_day(now).year
    for row in rows:
        report.looked_at += 1
        ft = db.session.get(FilingType, row.object_id)
        if ft is None:
            report.dropped += 1
            if not dry_run:
                db.session.delete(row)
            continue
        chased = chase(row, ft, now=now, calendar=calendar)
        enqueue_rows(chased.outbox, chased.lines, report, dialect=dialect, dry_run=dry_run)
        if dry_run:
            continue
        if not chased.outbox and ft.year < this_year and not chased.owing:
            report.dropped += 1
            db.session.delete(row)  # the year is over and nobody owes it: the chase ends
            continue
        advance(row, calendar, now=now)
    if not dry_run:
        db.session.commit()
