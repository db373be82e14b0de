"""The next-reminder table kept in step with each object's state and deadline.

``replan(obj)`` is called in the transaction of every change that can move a
deadline or end the chase: each transition (``workflow.fire``), the issue of
a notice, and whoever else moves a deadline. It is cheap and idempotent.

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
from ...models import RectificationItem, ReminderSchedule
from . import recipients
from .context import aware, local_day, naive_utc, policy, workdays


def wanted(obj) -> dict[str, date]:
    """ladder → anchor date, for an object's current state."""
    if isinstance(obj, RectificationItem):
        if not obj.is_open or obj.due_date is None:
            return {}
        if obj.status == "submitted":
            return {"rectification_unverified": local_day(obj.submitted_at or utcnow())}
        return {"rectification": obj.due_date}
    return {}


def replan(obj, *, now: datetime | None = None, calendar=None) -> None:
    """Make ``obj``'s next-reminder rows match its state; flushes nothing else."""
    if not isinstance(obj, RectificationItem):
        return  # only rectification items have ladders so far
    now = aware(now or utcnow())
    want = wanted(obj)
    object_type = obj.object_type
    rows = {r.ladder: r for r in db.session.scalars(sa.select(ReminderSchedule).where(
        ReminderSchedule.object_type == object_type, ReminderSchedule.object_id == obj.id))}
    for ladder, row in rows.items():
        if ladder not in want:
            db.session.delete(row)
    if not want:
        return
    calendar = calendar or workdays()
    pol = policy()
    roles = recipients.audience(obj.unit)
    for ladder, anchor in want.items():
        row = rows.get(ladder)
        if row is not None and row.anchor == anchor:
            continue  # same deadline: the sweep keeps moving it
        nxt = next_due(anchor, pol.ladder(ladder), calendar, after=now, audience=roles)
        if row is None:
            row = ReminderSchedule(object_type=object_type, object_id=obj.id, ladder=ladder,
                                   unit_id=getattr(obj, "unit_id", None))
            db.session.add(row)
        row.anchor = anchor
        row.next_at = naive_utc(nxt) if nxt else None
        row.swept_at = naive_utc(now)
    db.session.flush()


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
