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
from ..models.outbox import outbox_key
from ..clock import to_local, utcnow_naive

def recipients(obj, audience: str) -> list[tuple[str, str, str]]:
    """(channel, recipient): in-app to a group inbox (``office`` or ``unit:<id>``,
    resolved to people when read, so a new colleague sees it too), email to
    the unit's liaisons."""
    if audience == "office":
        return [("in_app", "office", "office")]
    with db.session.no_autoflush:  # the pending state change is flushed once, at commit
        contacts = obj.unit.contacts  # loaded once per unit in this session
    emails = [("email", c.email, "liaison") for c in contacts if c.role == "liaison" and c.email]
    return [("in_app", f"unit:{obj.unit_id}", "unit")] + emails


_INSERT = sa.insert(OutboxMessage.__table__)
#: where a message about an object sends its reader: an issued notice opens the 整改通知书 (all its items)
PAGES = {"item": "/items/{id}", "notice": "/notices/{id}", "assessment": "/cycles/assessments/{id}"}


def object_link(obj) -> str | None:
    page = PAGES.get(obj.object_type)
    return f"{current_app.config.get('PUFA_BASE_URL', '')}{page.format(id=obj.id)}" if page else None


def enqueue(obj, event, *, new_version: int) -> int:
    audience = obj.workflow.transition(event.trigger).audience
    if not audience:
        return 0
    wf = obj.workflow
    subject = f"【普法考评】{wf.object_label(obj)}：{wf.trigger_label(event.trigger)}"
    # Straight from the Jinja environment: a message needs no request context processors.
    body = current_app.jinja_env.get_template("messages/transition.txt").render(
        obj=obj, event=event, workflow=wf, source_label=wf.state_label(event.source),
        dest_label=wf.state_label(event.dest), trigger_label=wf.trigger_label(event.trigger))
    now = event.at or utcnow_naive()
    kind = f"transition.{event.trigger}.v{new_version}"
    day = to_local(now).date()
    link = object_link(obj)
    rows = [
        {"key": outbox_key("transition", obj.object_type, obj.id, f"v{new_version}", channel, recipient),
         "channel": channel, "recipient": recipient, "recipient_role": role, "recipient_name": "",
         "kind": kind, "local_day": day, "subject": subject, "body": body,
         "object_type": obj.object_type, "object_id": obj.id, "unit_id": getattr(obj, "unit_id", None),
         "status": "pending", "created_at": now, "send_after": now, "attempts": 0, "link": link}
        for name in audience for channel, recipient, role in recipients(obj, name)
    ]
    db.session.connection().execute(_INSERT, rows)
    return len(rows)
