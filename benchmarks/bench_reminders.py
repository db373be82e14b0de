"""``sweep(now)`` over a province's open items, against a bare SQL query.

* ``reminders.sweep``: 1,000,000 open rectification items (100,000 at
  --scale small), each with its row in the next-reminder table; about 20,000
  (one in fifty) have a reminder due now. The sweep loads the due ones with
  their units and contacts, plans their ladders on the working-day calendar,
  renders the messages and inserts the outbox rows (email, SMS, in-app: three
  per due item), in batches of 1,000.
* ``reminders.bare_select`` (the baseline): ``SELECT * FROM reminder_schedules
  WHERE next_at <= :now`` fetched whole: the least any sweep must do.
* ``reminders.bare_write`` (the second, honest baseline): the least writing
  the issue's rules require, in plain SQL and one transaction: an ``INSERT …
  SELECT`` of the same outbox rows (three per due item: the liaison's email,
  mobile and the unit's inbox, with the unique key, ON CONFLICT DO NOTHING;
  no message texts) and the ``UPDATE`` of the due rows' ``next_at``. The sweep
  does this plus planning, recipients and the texts; its ratio to this is
  what the sweep itself costs over the writes it cannot avoid.
* ``reminders.sweep_memory``: peak Python memory of one sweep (tracemalloc),
  in MB, in ``extra``; target under 200 MB and independent of the number of
  open items (the sweep reads the due rows only, a batch at a time).

The database is built once per backend (untimed); between repeats the outbox
is emptied and the due rows are put back, so every run does the same work.
"""
from __future__ import annotations

import gc
import time
import tracemalloc
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa

from .context import settle

NAME = "reminders"
SH_NOW = datetime(2026, 11, 13, 1, 5, tzinfo=timezone.utc)  # 09:05 in Shanghai, a Friday
DUE_ANCHOR = date(2026, 11, 20)  # five working days later: before_5 is due now
FAR_ANCHOR = date(2027, 6, 30)
PREVIOUS = datetime(2026, 11, 12, 2, 0)  # the previous sweep, naive UTC
DUE_AT = datetime(2026, 11, 13, 1, 0)
FAR_AT = datetime(2027, 6, 22, 1, 0)
UNITS = 5000
CHUNK = 50_000


def _build(db, n_items: int, every: int, log) -> int:
    from pufa_flow.models import Contact, Notice, RectificationItem, ReminderSchedule, Unit

    now = datetime(2026, 11, 1, 2, 0)
    db.session.execute(sa.insert(Unit.__table__), [
        {"id": u, "name": f"单位{u}", "kind": "city_department", "has_enforcement_power": False, "is_active": True,
         "created_at": now, "updated_at": now} for u in range(1, UNITS + 1)])
    db.session.execute(sa.insert(Contact.__table__), [
        {"unit_id": u, "role": "liaison", "name": f"联络员{u}", "phone": f"138{u:08d}",
         "email": f"liaison{u}@unit.gov.cn", "created_at": now, "updated_at": now} for u in range(1, UNITS + 1)])
    db.session.execute(sa.insert(Notice.__table__), [
        {"id": u, "unit_id": u, "source": "inspection", "title": f"整改通知书{u}", "issued_at": now,
         "created_at": now, "updated_at": now} for u in range(1, UNITS + 1)])
    db.session.commit()
    due = 0
    for start in range(0, n_items, CHUNK):
        ids = range(start + 1, min(start + CHUNK, n_items) + 1)
        items, schedules = [], []
        for i in ids:
            unit = (i - 1) % UNITS + 1
            is_due = i % every == 0
            due += is_due
            anchor = DUE_ANCHOR if is_due else FAR_ANCHOR
            items.append({"id": i, "notice_id": unit, "unit_id": unit, "seq": (i - 1) // UNITS + 1,
                          "category": "archives", "problem": f"普法档案不全（第 {i} 项）", "requirement": "补齐",
                          "due_date": anchor, "measures": "", "status": "in_progress", "version": 2,
                          "created_at": now, "updated_at": now})
            schedules.append({"object_type": "item", "object_id": i, "ladder": "rectification", "unit_id": unit,
                              "anchor": anchor, "next_at": DUE_AT if is_due else FAR_AT, "swept_at": PREVIOUS,
                              "updated_at": now})
        db.session.execute(sa.insert(RectificationItem.__table__), items)
        db.session.execute(sa.insert(ReminderSchedule.__table__), schedules)
        db.session.commit()
        log(f"reminders: {ids[-1]:,} items written")
    settle(db)
    return due


DUE_KIND = "rectification.before_5"  # the rung due at SH_NOW for DUE_ANCHOR
NEXT_AT = datetime(2026, 11, 16, 1, 0)  # where the bare write moves the due rows (any later time)


def _bare_write(db, now_naive: datetime) -> int:
    """The baseline's statements: outbox rows formed in SQL, the due rows moved on; one commit."""
    day = SH_NOW.astimezone(timezone(timedelta(hours=8))).date()
    address = "CASE ch.channel WHEN 'email' THEN c.email WHEN 'sms' THEN c.phone ELSE 'unit:' || s.unit_id END"
    channels = ("(SELECT 'email' AS channel UNION ALL SELECT 'sms' UNION ALL SELECT 'in_app')")
    # the sweep's key: item:<id>:<kind>:<day>:<channel>:<address>
    key = " || ".join(["'item:'", "CAST(s.object_id AS VARCHAR(12))", "':'", ":kind", "':'", ":day_text", "':'",
                       "ch.channel", "':'", address])
    params = {"now": now_naive, "day": day, "kind": DUE_KIND, "next": NEXT_AT}
    insert = sa.text(
        "INSERT INTO outbox_messages (key, channel, recipient, recipient_role, recipient_name, kind, local_day, "
        "object_type, object_id, unit_id, status, created_at, send_after, attempts, subject, body) "
        f"SELECT {key}, "
        f"ch.channel, {address}, c.role, c.name, :kind, :day, 'item', s.object_id, s.unit_id, 'pending', :now, :now, "
        "0, '', '' "
        f"FROM reminder_schedules s JOIN contacts c ON c.unit_id = s.unit_id AND c.role = 'liaison' "
        f"CROSS JOIN {channels} ch "
        "WHERE s.next_at <= :now AND s.object_type = 'item' "
        "ON CONFLICT DO NOTHING").bindparams(sa.bindparam("day", type_=sa.Date), sa.bindparam("now", type_=sa.DateTime))
    update = sa.text("UPDATE reminder_schedules SET next_at = :next, swept_at = :now "
                     "WHERE next_at <= :now AND object_type = 'item'").bindparams(
        sa.bindparam("next", type_=sa.DateTime), sa.bindparam("now", type_=sa.DateTime))
    with db.engine.begin() as conn:
        written = conn.execute(insert, {**params, "day_text": day.isoformat()}).rowcount
        conn.execute(update, params)
    return written


def _reset(db) -> None:
    from pufa_flow.models import OutboxMessage, ReminderRun, ReminderSchedule

    db.session.execute(sa.delete(OutboxMessage))
    db.session.execute(sa.delete(ReminderRun))
    db.session.execute(sa.update(ReminderSchedule).where(ReminderSchedule.anchor == DUE_ANCHOR)
                       .values(next_at=DUE_AT, swept_at=PREVIOUS))
    db.session.commit()
    db.session.expunge_all()


def run(ctx):
    from pufa_flow.extensions import db
    from pufa_flow.models import ReminderSchedule
    from pufa_flow.services.reminders import sweep

    from .context import Result

    n_items = ctx.size(1_000_000, 100_000)
    every = 50
    results = []
    for backend in ctx.available_backends():
        with ctx.database(backend, fast_commit=True, PUFA_OFFICE_EMAIL="") as app:
            due = _build(db, n_items, every, ctx.log)
            bare = sa.select(ReminderSchedule.__table__).where(ReminderSchedule.next_at <= DUE_AT + timedelta(minutes=5))
            sweep_times, bare_times, write_times, queued, written = [], [], [], 0, 0
            naive_now = SH_NOW.replace(tzinfo=None)
            _reset(db)
            _bare_write(db, naive_now)
            _reset(db)
            sweep(SH_NOW)  # warm-up: imports, templates, the calendar, the page cache
            for i in range(ctx.repeat):
                _reset(db)
                gc.collect()
                started = time.perf_counter()
                with db.engine.connect() as conn:
                    found = len(conn.execute(bare).all())
                bare_times.append(time.perf_counter() - started)
                gc.collect()
                started = time.perf_counter()
                written = _bare_write(db, naive_now)
                write_times.append(time.perf_counter() - started)
                _reset(db)
                gc.collect()
                started = time.perf_counter()
                report = sweep(SH_NOW)
                sweep_times.append(time.perf_counter() - started)
                queued = report.queued
                if found != due or report.looked_at != due or written != queued:
                    raise RuntimeError(f"expected {due} due rows, bare found {found}, sweep {report.looked_at}; "
                                       f"sweep queued {queued} outbox rows, the bare write {written}")
                ctx.log(f"reminders.sweep [{backend}] run {i + 1}: {sweep_times[-1]:.2f} s "
                        f"({queued:,} rows queued), bare select {bare_times[-1]:.3f} s, "
                        f"bare write {write_times[-1]:.3f} s")
            _reset(db)
            gc.collect()
            tracemalloc.start()
            sweep(SH_NOW)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            peak_mb = peak / 2 ** 20
            ctx.log(f"reminders.sweep [{backend}] peak traced memory {peak_mb:.1f} MB")
        ratio = (sum(sweep_times) / len(sweep_times)) / (sum(bare_times) / len(bare_times))
        write_ratio = (sum(sweep_times) / len(sweep_times)) / (sum(write_times) / len(write_times))
        sweep_result = Result(
            name="reminders.sweep", backend=backend, n=due, times=sweep_times, unit="due deadlines",
            baseline="reminders.bare_select",
            note=f"{n_items:,} open items, {due:,} due, {queued:,} outbox rows written",
            extra={"peak_memory_mb": round(peak_mb, 1), "open_items": n_items, "outbox_rows": queued,
                   "time_ratio_to_bare_select": round(ratio, 1), "time_ratio_to_bare_write": round(write_ratio, 2),
                   "summary": f"peak {peak_mb:.0f} MB (<200: {'yes' if peak_mb < 200 else 'NO'}); "
                              f"{ratio:.1f}× the bare select (≤3: {'yes' if ratio <= 3 else 'NO'}); "
                              f"{write_ratio:.2f}× the bare write"})
        print(f"bench_reminders [{backend}]: sweep {min(sweep_times):.2f} s for {due:,} due of {n_items:,} open, "
              f"bare select {min(bare_times):.3f} s, bare write {min(write_times):.3f} s, peak {peak_mb:.0f} MB",
              flush=True)
        results += [sweep_result,
                    Result(name="reminders.bare_select", backend=backend, n=due, times=bare_times,
                           unit="due deadlines", note="SELECT * FROM reminder_schedules WHERE next_at <= :now"),
                    Result(name="reminders.bare_write", backend=backend, n=due, times=write_times,
                           unit="due deadlines",
                           note=f"INSERT … SELECT of the {written:,} outbox rows (unique key, no texts) "
                                "+ UPDATE of the due rows' next_at, one transaction")]
    return results
