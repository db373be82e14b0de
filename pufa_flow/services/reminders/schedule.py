"""The next-reminder table kept in step with each object's state and deadline.

``replan(obj)`` is called in the transaction of every change that can move a
deadline or end the chase: each transition (``workflow.fire``), the issue of
a notice (its transition re-plans each of its new items), and whoever else
moves a deadline. It is cheap and idempotent.

A unit's self-assessment (自评) is chased while the cycle is in its
自评 phase and the unit has not handed it in (pending, or returned to it):
"cycle_phase", on the phase's due date, or on the unit's own date once the
office extended it (``extended_due_on``; ``cycles.extend_deadline`` re-plans). A cycle's transition re-plans all
its assessments at once (set-based: a province has thousands).

A rectification item is chased on its deadline while the unit works on it
("rectification"); once submitted, the office is chased to verify it
("rectification_unverified", counted from the day of submission); closed or
cancelled, its rows are deleted and nothing more is sent. An extension
changes the anchor: the ladder is planned again from the new deadline,
without sending again what went before.
"""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from notifications.policy import next_due

from ...clock import utcnow
from ...extensions import db
from ...models import Cycle, Notice, RectificationItem, ReminderSchedule, UnitAssessment
from . import recipients
from .context import aware, local_day, naive_utc, policy, workdays


#: assessments the unit still owes the office
AWAITING_SUBMISSION = ("pending", "returned")


def self_assessment_due(cycle) -> date | None:
    """The 自评 phase's due date while the cycle is in that phase."""
    if cycle is None or cycle.status != "self_assessment":
        return None
    phase = next((p for p in cycle.phases if p.phase == "self_assessment"), None)
    return phase.due_on if phase else None


#: an item is chased in these states (the others are closed or cancelled)
ITEM_OPEN = frozenset(RectificationItem.workflow.definition.open_states)


def wanted(obj) -> dict[str, date]:
    """ladder → anchor date, for an object's current state: the one rule of who is chased
    on what date. ``obj`` is a model row, or any object with the same columns and its
    ``object_type`` (the sweep's light items)."""
    object_type = getattr(obj, "object_type", None)
    if object_type == "assessment":
        due = assessment_due(self_assessment_due(obj.cycle), obj.extended_due_on)
        return {"cycle_phase": due} if due and obj.status in AWAITING_SUBMISSION else {}
    if object_type == "item":
        if obj.status not in ITEM_OPEN or obj.due_date is None:
            return {}
        if obj.status == "submitted":
            return {"rectification_unverified": local_day(obj.submitted_at or utcnow())}
        return {"rectification": obj.due_date}
    return {}


def keep_row(object_type: str, object_id: int, ladder: str, anchor: date | None, *, now: datetime,
             calendar=None) -> None:
    """The one next-reminder row of a chase kept on ``anchor`` (a filing type's, a cycle's review work):
    created, moved when the date changes, left alone when it has not; ``anchor`` None deletes it."""
    row = db.session.scalars(sa.select(ReminderSchedule).where(
        ReminderSchedule.object_type == object_type, ReminderSchedule.object_id == object_id,
        ReminderSchedule.ladder == ladder)).one_or_none()
    if anchor is None:
        if row is not None:
            db.session.delete(row)
        return
    if row is not None and row.anchor == anchor:
        return
    if row is None:
        row = ReminderSchedule(object_type=object_type, object_id=object_id, ladder=ladder, unit_id=None)
        db.session.add(row)
    row.anchor = anchor
    advance(row, calendar or workdays(), now=now)


def advance(row: ReminderSchedule, calendar, *, now: datetime) -> None:
    """Move the row to its ladder's next rung after ``now`` (none left: no next_at), swept at ``now``."""
    nxt = next_due(row.anchor, policy().ladder(row.ladder), calendar, after=now)
    row.next_at = naive_utc(nxt) if nxt else None
    row.swept_at = naive_utc(now)


def assessment_due(phase_due: date | None, extended_due_on: date | None) -> date | None:
    """A unit's 自评 deadline while the phase runs: its approved extension, else the phase's date."""
    if phase_due is None:
        return None  # not in the 自评 phase: nothing to chase, extended or not
    return extended_due_on or phase_due


def replan(obj, *, now: datetime | None = None, calendar=None) -> None:
    """Make ``obj``'s next-reminder rows match its state; flushes nothing else."""
    if isinstance(obj, Cycle):
        from . import evaluators  # the cycle's review work has its own row (evaluators.py)

        evaluators.replan(obj, now=now, calendar=calendar)
        return replan_cycle(obj, now=now, calendar=calendar)
    if isinstance(obj, Notice):
        # issuing creates the items (their clocks start then); a draft has none to chase
        if obj.status == "issued":
            db.session.flush()
            for item in obj.items:
                replan(item, now=now, calendar=calendar)
        return
    if not isinstance(obj, (RectificationItem, UnitAssessment)):
        return
    _replan_one(obj, now=now, calendar=calendar)


def plan_key(obj):
    """What an item's or an assessment's rows are planned from (ladder → anchor), to
    compare before and after a transition: the same means the rows already match,
    and the re-plan can be skipped. None for the objects re-planned every time."""
    return wanted(obj) if isinstance(obj, (RectificationItem, UnitAssessment)) else None


#: built once: a transition re-plans on every call. Plain statements on the
#: session's connection (its transaction): the rows carry no relationships, and
#: nothing in a transition reads them back, so the unit of work has nothing to add
_rows = ReminderSchedule.__table__
_ROWS_OF = (sa.select(_rows.c.id, _rows.c.ladder, _rows.c.anchor)
            .where(_rows.c.object_type == sa.bindparam("object_type"),
                   _rows.c.object_id == sa.bindparam("object_id")))
_UPDATE = (sa.update(_rows).where(_rows.c.id == sa.bindparam("row_id"))
           .values(ladder=sa.bindparam("ladder"), unit_id=sa.bindparam("unit_id"),
                   anchor=sa.bindparam("anchor"), next_at=sa.bindparam("next_at"),
                   swept_at=sa.bindparam("swept_at")))
_INSERT = sa.insert(_rows)
_DELETE = sa.delete(_rows).where(_rows.c.id == sa.bindparam("row_id"))


def _replan_one(obj, *, now, calendar) -> None:
    session = db.session()
    # anything pending first (a row of this table added by the caller, the object's
    # own change): the statements below go past the unit of work
    session.flush()
    conn = session.connection()
    now = aware(now or utcnow())
    want = wanted(obj)
    object_type = obj.object_type
    rows = {ladder: (row_id, anchor) for row_id, ladder, anchor
            in conn.execute(_ROWS_OF, {"object_type": object_type, "object_id": obj.id})}
    # rows of ladders no longer wanted: reused for a newly wanted ladder (one UPDATE
    # instead of a DELETE and an INSERT: every field is set again below), else deleted
    spare = [row_id for ladder, (row_id, _) in rows.items() if ladder not in want]
    changed = {ladder: anchor for ladder, anchor in want.items()
               if ladder not in rows or rows[ladder][1] != anchor}
    updates, inserts = [], []
    if changed:
        calendar = calendar or workdays()
        pol = policy()
        roles = recipients.audience(obj.unit)
        unit_id = getattr(obj, "unit_id", None)
        stamp = naive_utc(now)
        for ladder, anchor in changed.items():
            nxt = next_due(anchor, pol.ladder(ladder), calendar, after=now, audience=roles)
            values = {"ladder": ladder, "unit_id": unit_id, "anchor": anchor,
                      "next_at": naive_utc(nxt) if nxt else None, "swept_at": stamp}
            row_id = rows[ladder][0] if ladder in rows else (spare.pop() if spare else None)
            if row_id is None:
                inserts.append({"object_type": object_type, "object_id": obj.id, **values})
            else:
                updates.append({"row_id": row_id, **values})
    if updates:
        conn.execute(_UPDATE, updates)
    if inserts:
        conn.execute(_INSERT, inserts)
    if spare:
        conn.execute(_DELETE, [{"row_id": row_id} for row_id in spare])
    _forget_loaded(session, [u["row_id"] for u in updates], spare)


def _forget_loaded(session, updated, deleted) -> None:
    """Rows someone in this session loaded as objects (a page, a test) are read again
    when next used (updated) or leave the session (deleted): never stale."""
    for row_id in (*updated, *deleted):
        loaded = session.identity_map.get(session.identity_key(ReminderSchedule, row_id))
        if loaded is None:
            continue
        if row_id in deleted:
            session.expunge(loaded)
        else:
            session.expire(loaded)


def replan_cycle(cycle, *, now: datetime | None = None, calendar=None) -> None:
    """All of a cycle's assessments at once: three statements, whatever the number of units."""
    now = aware(now or utcnow())
    ids = sa.select(UnitAssessment.id).where(UnitAssessment.cycle_id == cycle.id)
    db.session.execute(sa.delete(ReminderSchedule).where(
        ReminderSchedule.object_type == "assessment", ReminderSchedule.object_id.in_(ids)),
        execution_options={"synchronize_session": False})
    due = self_assessment_due(cycle)
    if due is None:
        return
    rows = db.session.execute(sa.select(UnitAssessment.id, UnitAssessment.unit_id, UnitAssessment.extended_due_on)
                              .where(UnitAssessment.cycle_id == cycle.id,
                                     UnitAssessment.status.in_(AWAITING_SUBMISSION))).all()
    if not rows:
        return
    # every role: the sweep checks who is on file when it gets there; one plan per
    # anchor (the phase's date, and each extended unit's own)
    calendar = calendar or workdays()
    ladder = policy().ladder("cycle_phase")
    plans: dict[date, datetime | None] = {}
    stamp = naive_utc(now)
    values = []
    for a_id, unit_id, extended in rows:
        anchor = assessment_due(due, extended)
        if anchor not in plans:
            nxt = next_due(anchor, ladder, calendar, after=now)
            plans[anchor] = naive_utc(nxt) if nxt else None
        if plans[anchor] is not None:
            values.append({"object_type": "assessment", "object_id": a_id, "ladder": "cycle_phase",
                           "unit_id": unit_id, "anchor": anchor, "next_at": plans[anchor], "swept_at": stamp,
                           "updated_at": stamp})
    if values:
        db.session.execute(sa.insert(ReminderSchedule.__table__), values)


def replan_all(*, now: datetime | None = None, batch: int = 1000) -> int:
    """Recompute every open deadline's next reminder time: after the working-day
    calendar changed (the office entered next year's holidays), a day that
    became a holiday or a make-up working day moves the reminders around it.
    Anchors stay; what was already sent stays sent (the outbox keys). Returns
    the rows looked at; commits a batch at a time."""
    now = aware(now or utcnow())
    calendar = workdays()
    pol = policy()
    done, last_id = 0, 0
    while True:
        rows = list(db.session.scalars(sa.select(ReminderSchedule).where(ReminderSchedule.id > last_id)
                                       .order_by(ReminderSchedule.id).limit(batch)))
        if not rows:
            return done
        for row in rows:
            # from the last sweep, so nothing due but not yet swept is skipped; every
            # role, so a contact added later is not skipped either (the sweep checks who exists)
            nxt = next_due(row.anchor, pol.ladder(row.ladder), calendar,
                           after=aware(row.swept_at) if row.swept_at else now)
            row.next_at = naive_utc(nxt) if nxt else None
        last_id = rows[-1].id
        done += len(rows)
        db.session.commit()
