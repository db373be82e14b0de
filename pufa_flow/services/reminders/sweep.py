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
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from notifications.calendar import next_workday_on_or_after
from notifications.policy import CHANNELS, ROLES, sweep_deadline

from ...extensions import db
from ...clock import utcnow_naive
from ...models import (Contact, OutboxMessage, RectificationItem, ReminderRun, ReminderSchedule, Unit,
                       UnitAssessment)
from ...models.outbox import outbox_key
from .. import upsert
from . import bulk, messages, recipients
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


SCHEDULES = ReminderSchedule.__table__


def _insert(dialect: str):
    # (the digest's rows) pages of 100: psycopg parses each distinct statement text
    # anew when it is long, and a 1,000-row page costs it more than the insert itself
    return upsert.insert(OutboxMessage.__table__).on_conflict_do_nothing() \
        .execution_options(insertmanyvalues_page_size=100)


#: the columns a reminder's outbox row is written with (the sweep, the filing and review chases)
OUTBOX_COLUMNS = ("key", "channel", "recipient", "recipient_role", "recipient_name", "kind", "local_day",
                  "object_type", "object_id", "unit_id", "status", "created_at", "send_after", "attempts",
                  "subject", "body", "html", "template", "variables", "link")


def enqueue_rows(outbox: list[dict], lines: list[tuple[str, str]], report, *, dialect: str, dry_run: bool) -> None:
    """Outbox rows in (or, on a dry run, only counted); the report gets the lines of the rows
    that went in: a row whose key exists already (sent earlier today) inserts nothing."""
    if dry_run:
        report.lines.extend(line for _, line in lines)
        report.queued += len(outbox)
        return
    if outbox:
        inserted = set(bulk.insert_ignoring_duplicates(OutboxMessage.__table__, OUTBOX_COLUMNS, outbox, "key"))
        report.lines.extend(line for key, line in lines if key in inserted)
        report.queued += len(inserted)


def due_schedules(object_type: str, now_naive: datetime, *, dialect: str, dry_run: bool,
                  ladder: str | None = None) -> list[ReminderSchedule]:
    """One kind's due next-reminder rows, locked against a second sweeper on PostgreSQL
    (a chase with few rows: filing types, cycles)."""
    stmt = sa.select(ReminderSchedule).where(ReminderSchedule.object_type == object_type,
                                             ReminderSchedule.next_at <= now_naive)
    if ladder is not None:
        stmt = stmt.where(ReminderSchedule.ladder == ladder)
    stmt = stmt.order_by(ReminderSchedule.next_at, ReminderSchedule.id)
    if dialect == "postgresql" and not dry_run:
        stmt = stmt.with_for_update(skip_locked=True)
    return list(db.session.scalars(stmt))


def _due_rows(now_naive: datetime, after: tuple | None, dialect: str, dry_run: bool) -> list:
    """The next batch of due schedule rows, as plain rows (no ORM objects)."""
    t = SCHEDULES.c
    stmt = sa.select(t.id, t.object_type, t.object_id, t.ladder, t.anchor, t.next_at, t.swept_at) \
        .where(t.next_at <= now_naive, t.object_type.in_(set(MODELS) | set(KINDS)))  # the others: CHASES
    if after is not None:
        stmt = stmt.where(sa.tuple_(t.next_at, t.id) > sa.tuple_(*after))
    stmt = stmt.order_by(t.next_at, t.id).limit(BATCH)
    if dialect == "postgresql" and not dry_run:
        stmt = stmt.with_for_update(skip_locked=True)
    return db.session.execute(stmt).all()


# -- the objects a ladder chases ------------------------------------------------
# Each kind of object with reminders (``reminder_schedules.object_type``) says
# how to load a batch of its objects and whether one is still chased by a
# ladder. A new kind registers a ``Kind``; one that only names its model in
# MODELS is loaded through the ORM and asked ``schedule.wanted``.
@dataclass(frozen=True)
class Kind:
    #: ids → {id: object}; each object has .id, .unit_id, .unit (with .contacts),
    #: .object_type, and what messages.words needs
    load: Callable[[list[int], dict], dict]
    #: (object, ladder) → the anchor it is chased on now, or None: no longer chased
    live: Callable[[object, str], date | None]


@dataclass(frozen=True)
class LightContact:
    id: int
    role: str
    name: str
    email: str | None
    phone: str | None


@dataclass(frozen=True)
class LightUnit:
    id: int
    name: str
    contacts: tuple[LightContact, ...]


@dataclass(frozen=True)
class LightItem:
    """The columns of a rectification item that its reminders need (messages, recipients)."""

    id: int
    unit_id: int
    unit: LightUnit | None
    problem: str
    status: str
    due_date: date | None
    submitted_at: datetime | None
    object_type: str = "item"


def _units(unit_ids, cache: dict) -> None:
    """Fill ``cache`` (unit id → LightUnit) for these units: two queries for the missing ones."""
    missing = sorted({u for u in unit_ids if u is not None and u not in cache})
    if not missing:
        return
    units, contacts = Unit.__table__.c, Contact.__table__.c
    people: dict[int, list[LightContact]] = {}
    for row in db.session.execute(sa.select(contacts.unit_id, contacts.id, contacts.role, contacts.name,
                                            contacts.email, contacts.phone)
                                  .where(contacts.unit_id.in_(missing)).order_by(contacts.id)):
        people.setdefault(row[0], []).append(LightContact(*row[1:]))
    for unit_id, name in db.session.execute(sa.select(units.id, units.name).where(units.id.in_(missing))):
        cache[unit_id] = LightUnit(unit_id, name, tuple(people.get(unit_id, ())))


def _load_items(ids: list[int], units: dict) -> dict:
    t = RectificationItem.__table__.c
    rows = db.session.execute(sa.select(t.id, t.unit_id, t.problem, t.status, t.due_date, t.submitted_at)
                              .where(t.id.in_(ids))).all()
    _units((r.unit_id for r in rows), units)
    return {r.id: LightItem(r.id, r.unit_id, units.get(r.unit_id), r.problem, r.status, r.due_date,
                            r.submitted_at) for r in rows}


MODELS = {"item": RectificationItem, "assessment": UnitAssessment}


def _load_orm(object_type: str) -> Callable[[list[int], dict], dict]:
    def load(ids: list[int], units: dict) -> dict:
        model = MODELS[object_type]
        stmt = (sa.select(model).where(model.id.in_(ids))
                .options(selectinload(model.unit).selectinload(Unit.contacts)))
        return {obj.id: obj for obj in db.session.scalars(stmt).unique()}
    return load


def _live(obj, ladder: str) -> date | None:
    """The date this ladder chases the object on, None if it no longer does:
    ``schedule.wanted``, the rule every re-plan follows (a light item has the
    columns it reads)."""
    return wanted(obj).get(ladder)


KINDS: dict[str, Kind] = {"item": Kind(_load_items, _live)}


def kind(object_type: str) -> Kind:
    found = KINDS.get(object_type)
    if found is None and object_type in MODELS:
        found = KINDS[object_type] = Kind(_load_orm(object_type), _live)
    return found


def _objects(rows, units: dict) -> dict[tuple[str, int], object]:
    """The batch's objects with their units and contacts, a query or three per kind."""
    by_type: dict[str, list[int]] = {}
    for r in rows:
        by_type.setdefault(r.object_type, []).append(r.object_id)
    out = {}
    for object_type, ids in by_type.items():
        k = kind(object_type)
        if k is not None:
            out.update({(object_type, i): obj for i, obj in k.load(ids, units).items()})
    return out


def _label(obj) -> str:
    return f"整改事项#{obj.id}" if obj.object_type == "item" else f"{obj.unit.name}自评#{obj.id}"


def sweep(now: datetime, *, dry_run: bool = False) -> SweepReport:
    """Queue what is due at ``now`` (aware, or naive UTC); with ``dry_run`` write nothing.

    Set-based: per batch one query for the due rows, a few for their objects,
    one INSERT of the outbox rows and one UPDATE moving ``next_at`` (``bulk``:
    the rows as one JSON parameter). The planner is asked once per distinct
    (ladder, deadline, last sweep, roles on file): a notice's items share their
    deadline.
    """
    started = time.monotonic()
    now = aware(now)
    now_naive = naive_utc(now)
    report = SweepReport(now, dry_run)
    calendar = workdays()
    pol = policy()
    dialect = db.session.get_bind().dialect.name
    units: dict[int, LightUnit] = {}  # bounded by the number of units, not of items
    plans: dict[tuple, tuple] = {}
    audiences: dict[int, frozenset] = {}  # unit id → the roles on file, per sweep (like ``units``)
    after = None
    while True:
        rows = _due_rows(now_naive, after, dialect, dry_run)
        if not rows:
            break
        after = (rows[-1].next_at, rows[-1].id)
        objects = _objects(rows, units)
        prefs = recipients.preferences(obj.unit_id for obj in objects.values())
        robots = recipients.robot_urls(obj.unit_id for obj in objects.values())
        outbox: list[dict] = []
        lines: list[tuple[str, str]] = []  # (key, line)
        moves: list[dict] = []
        dropped: list[int] = []
        for row in rows:
            report.looked_at += 1
            item = objects.get((row.object_type, row.object_id))
            anchor = kind(row.object_type).live(item, row.ladder) if item is not None else None
            if anchor is None:
                dropped.append(row.id)  # closed, submitted, the phase moved on
                continue
            # a row planned on another date than the rule's (a deadline moved without a
            # re-plan, a row from before a fix) is chased on the rule's date from now on
            audience = audiences.get(item.unit_id)
            if audience is None:
                audience = audiences[item.unit_id] = frozenset(recipients.audience(item.unit))
            plan_key = (row.ladder, anchor, row.swept_at, audience)
            planned = plans.get(plan_key)
            if planned is None:
                ladder = pol.ladder(row.ladder)
                result = sweep_deadline(anchor, ladder, calendar, now=now,
                                        since=aware(row.swept_at) if row.swept_at else None,
                                        audience=audience, quiet=pol.quiet)
                # what every object of this plan shares: the rungs due, their send times and line parts
                queue = [(q.planned, naive_utc(q.not_before), q.planned.at.strftime('%Y-%m-%d %H:%M'),
                          f"（{q.not_before.strftime('%m-%d %H:%M')} 后发送）"
                          if q.not_before > q.planned.at and q.not_before > now else "")
                         for q in result.queue]
                planned = plans[plan_key] = (ladder, queue, next_workday_on_or_after(calendar, anchor),
                                             naive_utc(result.next_at) if result.next_at else None)
            ladder, queue, deadline, next_at = planned
            words_cache: dict[tuple, dict] = {}
            for p, send_after, at_text, later in queue:
                addresses = recipients.addresses(item.unit, p.recipient, p.channel, prefs, robots)
                if not addresses:
                    continue
                words = words_cache.get((p.kind, p.offset))
                if words is None:  # one rendering per item and rung, whatever the channel
                    words = words_cache[(p.kind, p.offset)] = messages.words(item, p, ladder.label, deadline)
                head = f"{at_text} {_label(item)} {p.kind} → "
                for a in addresses:
                    key = outbox_key(row.object_type, item.id, p.kind, p.day.isoformat(), a.channel, a.address)
                    outbox.append({
                        "key": key, "channel": a.channel, "recipient": a.address, "recipient_role": a.role,
                        "recipient_name": a.name[:50], "kind": p.kind, "local_day": p.day,
                        "object_type": row.object_type, "object_id": item.id, "unit_id": item.unit_id,
                        "status": "held" if a.held else "pending", "created_at": now_naive,
                        "send_after": send_after, "attempts": 0, "subject": words["subject"],
                        "body": words["body"],
                        "html": words["html"] if a.channel == "email" else None,
                        "template": words["template"] if a.channel == "sms" else None,
                        "variables": words["variables"] if a.channel == "sms" else None,
                        "link": words["link"],
                    })
                    lines.append((key, f"{head}{ROLES.get(a.role, a.role)} {a.name} "
                                       f"{CHANNELS.get(a.channel, a.channel)} {a.address}{later}"
                                       + ("（并入次日汇总）" if a.held else "")))
            moves.append({"id": row.id, "next_at": next_at, "anchor": anchor})
        enqueue_rows(outbox, lines, report, dialect=dialect, dry_run=dry_run)
        if dry_run:
            report.dropped += len(dropped)
            continue
        bulk.update_by_id(SCHEDULES, ("next_at", "anchor"), moves,
                          same={"swept_at": now_naive, "updated_at": utcnow_naive()})
        if dropped:
            db.session.execute(sa.delete(SCHEDULES).where(SCHEDULES.c.id.in_(dropped)))
            report.dropped += len(dropped)
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
