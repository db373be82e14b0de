"""The office's delivery log and the scheduler's status, as queries."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import CHANNELS_OUTBOX, OUTBOX_STATES, OutboxMessage, ReminderRun, ReminderSchedule
from ..validation import clean_date

FILTERS = ("status", "channel", "recipient", "date_from", "date_to", "object_id")


def filtered(args) -> tuple[sa.Select, dict, dict]:
    """(statement, the values as typed, errors in Chinese) for the log's filters."""
    values = {k: (args.get(k) or "").strip() for k in FILTERS}
    errors: dict[str, str] = {}
    stmt = sa.select(OutboxMessage)
    if values["status"]:
        if values["status"] not in OUTBOX_STATES:
            errors["status"] = f"状态不正确：{values['status']}"
        else:
            stmt = stmt.where(OutboxMessage.status == values["status"])
    if values["channel"]:
        if values["channel"] not in CHANNELS_OUTBOX:
            errors["channel"] = f"渠道不正确：{values['channel']}"
        else:
            stmt = stmt.where(OutboxMessage.channel == values["channel"])
    if values["recipient"]:
        like = f"%{values['recipient'][:100]}%"
        stmt = stmt.where(sa.or_(OutboxMessage.recipient.like(like), OutboxMessage.recipient_name.like(like)))
    if values["object_id"]:
        if values["object_id"].isdigit():
            stmt = stmt.where(OutboxMessage.object_id == int(values["object_id"]))
        else:
            errors["object_id"] = "事项编号必须是整数"
    day_from = clean_date(values["date_from"], "date_from", "开始日期", errors, required=False)
    day_to = clean_date(values["date_to"], "date_to", "结束日期", errors, required=False)
    if day_from:
        stmt = stmt.where(OutboxMessage.local_day >= day_from)
    if day_to:
        stmt = stmt.where(OutboxMessage.local_day <= day_to)
    # the attempt log of a page's rows in one more query, not one per row
    return stmt.options(selectinload(OutboxMessage.attempt_log)).order_by(OutboxMessage.id.desc()), values, errors


def failed_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.status == "failed")) or 0


def status() -> dict:
    """Last runs, queue length and failures, for the office's status page and API."""
    def last(job):
        return db.session.scalar(sa.select(ReminderRun).where(ReminderRun.job == job)
                                 .order_by(ReminderRun.id.desc()).limit(1))
    counts = dict(db.session.execute(sa.select(OutboxMessage.status, sa.func.count())
                                     .group_by(OutboxMessage.status)).all())
    return {
        "last_sweep": last("sweep"), "last_delivery": last("deliver"), "last_digest": last("digest"),
        "queued": counts.get("pending", 0) + counts.get("sending", 0),
        "sending": counts.get("sending", 0), "failed": counts.get("failed", 0), "sent": counts.get("sent", 0),
        "open_deadlines": db.session.scalar(sa.select(sa.func.count()).select_from(ReminderSchedule)),
        "next_at": db.session.scalar(sa.select(sa.func.min(ReminderSchedule.next_at))),
        "recent_failures": list(db.session.scalars(sa.select(OutboxMessage).where(
            OutboxMessage.status == "failed").order_by(OutboxMessage.id.desc()).limit(10))),
    }


__all__ = ["filtered", "status"]
