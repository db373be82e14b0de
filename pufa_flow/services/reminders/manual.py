"""The office's 催办 on a selection of items: outbox rows now, to each item's unit.

One row per item / recipient / channel / kind / local day (the outbox's
unique key): the unit's in-app inbox, and the email and mobile of its
联络员 and 分管领导 as their preferences allow (a contact on a daily digest
gets the row held for the morning, as the sweep does). Inserted with ON
CONFLICT DO NOTHING, so a second 催办 the same day adds nothing and the
caller can say so. The caller's transaction commits the rows with its audit
rows; ``deliver`` sends them like any other.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from notifications.channels.sms import short

from ...clock import format_date_cn, to_local, utcnow
from ...extensions import db
from ...models import OutboxMessage, Unit
from ...models.outbox import outbox_key
from ..calendar import calendar, item_working_days_overdue
from ..transition_notices import object_link
from . import bulk, recipients
from .context import naive_utc
from .sweep import OUTBOX_COLUMNS

KIND = "manual.remind"
#: who hears an office 催办: the unit's inbox, its liaisons and its leaders in charge
ROLES = ("liaison", "leader")
CHANNELS = ("in_app", "email", "sms")


@dataclass
class RemindResult:
    #: item id → outbox rows newly queued for it (0: already reminded today)
    queued: dict[int, int] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(self.queued.values())

    @property
    def reminded(self) -> list[int]:
        return [i for i, n in self.queued.items() if n]

    @property
    def repeated(self) -> list[int]:
        return [i for i, n in self.queued.items() if not n]


def _words(item, comment: str | None) -> dict:
    deadline = calendar().effective_deadline(item.due_date)
    late = item_working_days_overdue(item)
    stage = f"已逾期 {late} 个工作日" if late else f"整改时限为 {format_date_cn(deadline)}"
    link = object_link(item)
    unit = item.unit.name if item.unit else ""
    body = (f"{unit}：普法办催办整改事项“{item.problem if len(item.problem) <= 60 else item.problem[:59] + '…'}”（{stage}），请抓紧整改并在系统中报送整改情况。"
            + (f"\n普法办留言：{comment}" if comment else "") + f"\n查看详情：{link}")
    return {"subject": f"【普法考评】普法办催办：{short(item.problem)}", "body": body, "link": link,
            "template": "rectification_overdue" if late else "rectification_due",
            "variables": {"unit": short(unit), "item": short(item.problem),
                          "date": f"{deadline.month}月{deadline.day}日"}}


def remind(items, *, comment: str | None = None, now: datetime | None = None) -> RemindResult:
    """Queue a 催办 for each item (open, already checked by the caller); rows already there today are skipped."""
    now = now or utcnow()
    now_naive = naive_utc(now)
    day = to_local(now, current_app.config["PUFA_TIMEZONE"]).date()
    prefs = recipients.preferences(item.unit_id for item in items)
    # the units' contacts in one query, not one per unit as each item's recipients are listed
    db.session.scalars(sa.select(Unit).where(Unit.id.in_({item.unit_id for item in items}))
                       .options(selectinload(Unit.contacts))).all()
    result = RemindResult({item.id: 0 for item in items})
    rows = []
    for item in items:
        words = _words(item, comment)
        seen = set()
        for role in ROLES:
            for channel in CHANNELS:
                for a in recipients.addresses(item.unit, role, channel, prefs):
                    if (a.channel, a.address) in seen:  # the unit's inbox once, whoever else hears
                        continue
                    seen.add((a.channel, a.address))
                    rows.append({
                        "key": outbox_key("item", item.id, KIND, day.isoformat(), a.channel, a.address),
                        "channel": a.channel, "recipient": a.address,
                        "recipient_role": "unit" if a.channel == "in_app" else a.role,
                        "recipient_name": a.name[:50], "kind": KIND, "local_day": day,
                        "object_type": "item", "object_id": item.id, "unit_id": item.unit_id,
                        "status": "held" if a.held else "pending", "created_at": now_naive,
                        "send_after": now_naive, "attempts": 0, "subject": words["subject"], "body": words["body"],
                        "html": None, "template": words["template"] if a.channel == "sms" else None,
                        "variables": words["variables"] if a.channel == "sms" else None, "link": words["link"]})
    for object_id in bulk.insert_ignoring_duplicates(OutboxMessage.__table__, OUTBOX_COLUMNS, rows, "object_id"):
        result.queued[object_id] += 1
    return result

