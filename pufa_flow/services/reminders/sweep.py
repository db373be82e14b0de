"""``sweep(now)``: the next-reminder rows whose time has come → outbox rows.

Reads only ``reminder_schedules`` rows with ``next_at <= now`` (an index
range, in batches by (next_at, id)), loads their objects a batch at a time,
asks the planner what fell due since the row's last sweep, and inserts
outbox rows with ON CONFLICT DO NOTHING on the reminder's unique key: a
second sweep, in this process or another, inserts nothing new. Each batch
commits on its own; the row's ``next_at`` moves on in the same commit as its
outbox rows. PostgreSQL claims the batch FOR UPDATE SKIP LOCKED, so two
sweeps at once split the work instead of waiting on each other.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload

from notifications.calendar import next_workday_on_or_after
from notifications.policy import CHANNELS, ROLES, sweep_deadline

from ...extensions import db
from ...models import OutboxMessage, RectificationItem, ReminderRun, ReminderSchedule, Unit, UnitAssessment
from . import messages, recipients
from .schedule import wanted
from .context import aware, naive_utc, policy, workdays

BATCH = 1000


@dataclass
class SweepReport:
    now: datetime
    dry_run: bool
    #: one line per outbox row queued (or that would be)
    lines: list[str] = field(default_factory=list)
    queued: int = 0
    #: rows of the next-reminder table looked at
    looked_at: int = 0
    #: rows dropped (their object closed or gone)
    dropped: int = 0


def _insert(dialect: str):
    module = postgresql if dialect == "postgresql" else sqlite
    # pages of 100 rows: psycopg parses each distinct statement text, and a
    # 1,000-row page (20,000 parameters) costs it more than the insert itself
    return module.insert(OutboxMessage.__table__).on_conflict_do_nothing() \
        .execution_options(insertmanyvalues_page_size=100)


def _due_rows(now_naive: datetime, after: tuple | None, dialect: str, dry_run: bool) -> list[ReminderSchedule]:
    stmt = sa.select(ReminderSchedule).where(ReminderSchedule.next_at <= now_naive,
                                             ReminderSchedule.object_type.in_(MODELS))  # the others: CHASES
    if after is not None:
        stmt = stmt.where(sa.tuple_(ReminderSchedule.next_at, ReminderSchedule.id) > sa.tuple_(*after))
    stmt = stmt.order_by(ReminderSchedule.next_at, ReminderSchedule.id).limit(BATCH)
    if dialect == "postgresql" and not dry_run:
        stmt = stmt.with_for_update(skip_locked=True)
    return list(db.session.scalars(stmt))


MODELS = {"item": RectificationItem, "assessment": UnitAssessment}


def _objects(rows: list[ReminderSchedule]) -> dict[tuple[str, int], object]:
    """The batch's objects with their units and contacts, one query per kind."""
    out = {}
    for object_type, model in MODELS.items():
        ids = [r.object_id for r in rows if r.object_type == object_type]
        if ids:
            stmt = (sa.select(model).where(model.id.in_(ids))
                    .options(selectinload(model.unit).selectinload(Unit.contacts)))
            out.update({(object_type, obj.id): obj for obj in db.session.scalars(stmt).unique()})
    return out


def _label(obj) -> str:
    return f"整改事项#{obj.id}" if obj.object_type == "item" else f"{obj.unit.name}自评#{obj.id}"


def sweep(now: datetime, *, dry_run: bool = False) -> SweepReport:
    """Queue what is due at ``now`` (aware, or naive UTC); with ``dry_run`` write nothing."""
    started = time.monotonic()
    now = aware(now)
    now_naive = naive_utc(now)
    report = SweepReport(now, dry_run)
    calendar = workdays()
    pol = policy()
    dialect = db.session.get_bind().dialect.name
    after = None
    while True:
        rows = _due_rows(now_naive, after, dialect, dry_run)
        if not rows:
            break
        after = (rows[-1].next_at, rows[-1].id)
        objects = _objects(rows)
        prefs = recipients.preferences(obj.unit_id for obj in objects.values())
        outbox: list[dict] = []
        words_cache: dict[tuple, dict] = {}
        lines: list[tuple[str, str]] = []  # (key, line)
        for row in rows:
            report.looked_at += 1
            item = objects.get((row.object_type, row.object_id))
            if item is None or row.ladder not in wanted(item):  # closed, submitted, the phase moved on
                report.dropped += 1
                if not dry_run:
                    db.session.delete(row)
                continue
            ladder = pol.ladder(row.ladder)
            result = sweep_deadline(row.anchor, ladder, calendar, now=now,
                                    since=aware(row.swept_at) if row.swept_at else None,
                                    audience=recipients.audience(item.unit), quiet=pol.quiet)
            deadline = next_workday_on_or_after(calendar, row.anchor)
            for queued in result.queue:
                p = queued.planned
                addresses = recipients.addresses(item.unit, p.recipient, p.channel, prefs)
                if not addresses:
                    continue
                words = words_cache.get((item.id, p.kind, p.offset))
                if words is None:  # one rendering per item and rung, whatever the channel
                    words = words_cache[(item.id, p.kind, p.offset)] = messages.words(item, p, ladder.label,
                                                                                       deadline)
                for a in addresses:
                    key = f"{row.object_type}:{item.id}:{p.kind}:{p.day.isoformat()}:{a.channel}:{a.address}"
                    outbox.append({
                        "key": key[:200], "channel": a.channel, "recipient": a.address, "recipient_role": a.role,
                        "recipient_name": a.name[:50], "kind": p.kind, "local_day": p.day,
                        "object_type": row.object_type, "object_id": item.id, "unit_id": item.unit_id,
                        "status": "held" if a.held else "pending", "created_at": now_naive, "send_after": naive_utc(queued.not_before),
                        "attempts": 0, "subject": words["subject"], "body": words["body"],
                        "html": words["html"] if a.channel == "email" else None,
                        "template": words["template"] if a.channel == "sms" else None,
                        "variables": words["variables"] if a.channel == "sms" else None,
                        "link": words["link"],
                    })
                    lines.append((outbox[-1]["key"],
                        f"{p.at.strftime('%Y-%m-%d %H:%M')} {_label(item)} {p.kind} → "
                        f"{ROLES.get(a.role, a.role)} {a.name} {CHANNELS.get(a.channel, a.channel)} {a.address}"
                        + (f"（{queued.not_before.strftime('%m-%d %H:%M')} 后发送）"
                           if queued.not_before > p.at and queued.not_before > now else "")
                        + ("（并入次日汇总）" if a.held else "")))
            if not dry_run:
                row.next_at = naive_utc(result.next_at) if result.next_at else None
                row.swept_at = now_naive
        if dry_run:
            report.lines.extend(line for _, line in lines)
            report.queued += len(outbox)
            continue
        if outbox:
            inserted = set(db.session.scalars(_insert(dialect).returning(OutboxMessage.key), outbox))
            report.lines.extend(line for key, line in lines if key in inserted)
            report.queued += len(inserted)
        db.session.commit()
    for chase in chases():
        chase(now, report, dry_run=dry_run)
    if not dry_run:
        record_run("sweep", now_naive, started, report.queued)
    return report


def chases():
    """Deadlines with their own rows and their own sweep (filing types, a cycle's review work)."""
    from . import evaluators, filings

    return (filings.sweep, evaluators.sweep)


def record_run(job: str, now_naive: datetime, started: float, count: int, failures: int = 0) -> None:
    """Remember the run for the status page; a week of them is kept."""
    db.session.execute(sa.delete(ReminderRun).where(ReminderRun.job == job,
                                                    ReminderRun.finished_at < now_naive - timedelta(days=7)))
    db.session.add(ReminderRun(job=job, ran_for=now_naive, seconds=time.monotonic() - started,
                               count=count, failures=failures, finished_at=now_naive))
    db.session.commit()
