"""Writing audit rows; always inside the caller's transaction."""
from __future__ import annotations

from ..extensions import db
from ..models import AuditEvent


def actor_label(actor) -> str:
    if actor is None:
        return "系统"
    return getattr(actor, "label", None) or str(actor)


def record(action: str, object_type: str, object_id: int | None, *, actor=None,
           unit_id: int | None = None, comment: str | None = None, data: dict | None = None,
           trigger: str | None = None, from_state: str | None = None,
           to_state: str | None = None) -> AuditEvent:
    event = AuditEvent(
        action=action, object_type=object_type, object_id=object_id,
        actor_id=getattr(actor, "id", None), actor_label=actor_label(actor),
        unit_id=unit_id, comment=comment, data=data or {}, trigger=trigger,
        from_state=from_state, to_state=to_state,
    )
    db.session.add(event)
    return event
