"""Who hears about a state change, written as outbox rows in its transaction.

The unit hears when the office decides on its work; the office hears when a
unit hands something in. Delivery (email, SMS, in-app) is the outbox worker's
job; nothing here does I/O. The key makes a retried write a no-op.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import render_template

from ..extensions import db
from ..models import OutboxMessage, User

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
    """(channel, recipient) pairs: liaison email and unit users in-app, or office users in-app."""
    if audience == "office":
        ids = db.session.scalars(sa.select(User.id).where(User.role == "office", User.is_active_account))
        return [("inapp", str(i)) for i in ids]
    pairs = [("email", c.email) for c in obj.unit.contacts if c.role == "liaison" and c.email]
    ids = db.session.scalars(sa.select(User.id).where(User.unit_id == obj.unit_id, User.is_active_account))
    return pairs + [("inapp", str(i)) for i in ids]


def enqueue(obj, event, *, new_version: int) -> int:
    audience = AUDIENCE.get((obj.object_type, event.trigger))
    if audience is None:
        return 0
    wf = obj.workflow
    subject = f"【普法考评】{wf.object_label(obj)}:{wf.trigger_label(event.trigger)}"
    body = render_template("messages/transition.txt", obj=obj, event=event, workflow=wf,
                           source_label=wf.state_label(event.source), dest_label=wf.state_label(event.dest),
                           trigger_label=wf.trigger_label(event.trigger))
    rows = [
        OutboxMessage(key=f"transition:{obj.object_type}:{obj.id}:v{new_version}:{channel}:{recipient}", channel=channel,
                      recipient=recipient, subject=subject, body=body, object_type=obj.object_type,
                      object_id=obj.id, unit_id=getattr(obj, "unit_id", None))
        for channel, recipient in _recipients(obj, audience)
    ]
    db.session.add_all(rows)
    return len(rows)
