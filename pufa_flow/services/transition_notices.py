"""Who hears about a state change, written as outbox rows in its transaction.

The unit hears when the office decides on its work; the office hears when a
unit hands something in. Delivery (email, SMS, in-app) is the outbox worker's
job; nothing here does I/O. The key makes a retried write a no-op.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from ..extensions import db
from ..models import OutboxMessage
from ..models.base import utcnow_naive

#: (object_type, trigger) -> who is told: "unit" or "office"
AUDIENCE = {
    ("item", "send_back"): "unit",
    ("item", "verify"): "unit",
    ("item", "approve_extension"): "unit",
    ("item", "deny_extension"): "unit",
    ("item", "cancel"): "unit",
    ("item", "submit"): "office",
    ("item", "request_extension"): "office",
    ("assessment", "return_for_revision"): "unit",
    ("assessment", "accept"): "unit",
    ("assessment", "assign_grade"): "unit",
    ("assessment", "submit"): "office",
}


def _recipients(obj, audience: str) -> list[tuple[str, str]]:
    """(channel, recipient): in-app to a group inbox (``office`` or ``unit:<id>``,
    resolved to people when read, so a new colleague sees it too), email to
    the unit's liaisons."""
    if audience == "office":
        return [("inapp", "office")]
    with db.session.no_autoflush:  # the pending state change is flushed once, at commit
        contacts = obj.unit.contacts  # loaded once per unit in this session
    emails = [("email", c.email) for c in contacts if c.role == "liaison" and c.email]
    return [("inapp", f"unit:{obj.unit_id}")] + emails


_INSERT = sa.insert(OutboxMessage.__table__)


def enqueue(obj, event, *, new_version: int) -> int:
    audience = AUDIENCE.get((obj.object_type, event.trigger))
    if audience is None:
        return 0
    wf = obj.workflow
    subject = f"【普法考评】{wf.object_label(obj)}：{wf.trigger_label(event.trigger)}"
    # Straight from the Jinja environment: a message needs no request context processors.
    body = current_app.jinja_env.get_template("messages/transition.txt").render(
        obj=obj, event=event, workflow=wf, source_label=wf.state_label(event.source),
        dest_label=wf.state_label(event.dest), trigger_label=wf.trigger_label(event.trigger))
    now = utcnow_naive()
    rows = [
        {"key": f"transition:{obj.object_type}:{obj.id}:v{new_version}:{channel}:{recipient}",
         "channel": channel, "recipient": recipient, "subject": subject, "body": body,
         "object_type": obj.object_type, "object_id": obj.id, "unit_id": getattr(obj, "unit_id", None),
         "status": "pending", "created_at": now, "send_after": now, "attempts": 0}
        for channel, recipient in _recipients(obj, audience)
    ]
    db.session.execute(_INSERT, rows)
    return len(rows)
