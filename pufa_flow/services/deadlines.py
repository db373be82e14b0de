"""A unit's deadlines: its open items by deadline (overdue first) and the ICS feed of them.

The feed is read by calendar apps (WPS, Outlook, phones) that cannot sign
in, so its URL carries a token: an HMAC of the unit id under the app's
secret key. Anyone with the URL sees that unit's deadlines, nothing else;
changing the secret key revokes every feed URL.
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, url_for

from ..extensions import db
from ..models import RectificationItem, Unit
from .calendar import calendar, item_working_days_overdue, today

NEXT_STEP = {
    "issued": "签收，并制定整改措施",
    "in_progress": "落实整改，上传佐证材料后提交验收",
    "extension_requested": "等待普法办审批延期申请",
    "submitted": "等待普法办验收",
}


def feed_token(unit_id: int) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"ics-feed:{unit_id}".encode(), hashlib.sha256).hexdigest()[:32]


def token_is_valid(unit_id: int, token: str) -> bool:
    # bytes: compare_digest refuses a str with non-ASCII characters (a TypeError, not a 404)
    return hmac.compare_digest(feed_token(unit_id).encode(), (token or "").encode("utf-8", "replace"))


def feed_url(unit_id: int | None) -> str | None:
    if unit_id is None:
        return None
    return url_for("feeds.unit_ics_feed", unit_id=unit_id, token=feed_token(unit_id), _external=True)


def open_items(unit_id: int) -> list[RectificationItem]:
    open_states = RectificationItem.workflow.definition.open_states
    return list(db.session.scalars(
        sa.select(RectificationItem).where(RectificationItem.unit_id == unit_id,
                                           RectificationItem.status.in_(open_states))
        .order_by(RectificationItem.due_date, RectificationItem.id)))


def unit_deadlines(user) -> list[dict]:
    """Overdue first (most late first), then by deadline; each with what to do next."""
    if user.unit_id is None:
        return []
    on = today()
    rows = [{"item": i, "overdue": item_working_days_overdue(i, on), "next": NEXT_STEP.get(i.status, "")}
            for i in open_items(user.unit_id)]
    rows.sort(key=lambda r: (r["overdue"] == 0, -r["overdue"], r["item"].due_date, r["item"].id))
    return rows


def unit_ics(unit: Unit) -> bytes:
    """One all-day event per open item on its (effective) deadline, with a reminder 3 days before."""
    from icalendar import Alarm, Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//pufa-flow//整改时限//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{unit.name}整改时限")
    cal.add("x-wr-timezone", current_app.config["PUFA_TIMEZONE"])
    stamp = datetime.utcnow().replace(microsecond=0)
    work = calendar()
    for item in open_items(unit.id):
        due = work.effective_deadline(item.due_date)
        event = Event()
        event.add("uid", f"item-{item.id}@pufa-flow")
        event.add("dtstamp", stamp)
        event.add("dtstart", due)
        event.add("dtend", due + timedelta(days=1))
        event.add("summary", f"整改时限：{item.problem[:40]}")
        event.add("description", f"{item.notice.doc_number} 第{item.seq}条\n整改要求：{item.requirement}\n"
                                 f"状态：{item.status_label}\n下一步：{NEXT_STEP.get(item.status, '')}")
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", "整改时限将到")
        alarm.add("trigger", timedelta(days=-3))
        event.add_component(alarm)
        cal.add_component(event)
    return cal.to_ical()
