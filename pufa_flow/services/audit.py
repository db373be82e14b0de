"""Writing audit rows; always inside the caller's transaction.

Rows are appended with a plain INSERT on the session's connection (its
transaction, its rollback), not as ORM objects: nothing reads them back
within the operation, and skipping the unit of work for them halves a
transition's cost.
"""
from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..models import AuditEvent
from ..models.base import utcnow_naive


def actor_label(actor) -> str:
    if actor is None:
        return "系统"
    return getattr(actor, "label", None) or str(actor)


_INSERT = sa.insert(AuditEvent.__table__)


def record(action: str, object_type: str, object_id: int | None, *, actor=None,
           unit_id: int | None = None, comment: str | None = None, data: dict | None = None,
           trigger: str | None = None, from_state: str | None = None,
           to_state: str | None = None, at=None) -> None:
    db.session.connection().execute(_INSERT, {
        "created_at": at or utcnow_naive(), "action": action, "object_type": object_type,
        "object_id": object_id, "actor_id": getattr(actor, "id", None), "actor_label": actor_label(actor),
        "unit_id": unit_id, "comment": comment, "data": data or {}, "trigger": trigger,
        "from_state": from_state, "to_state": to_state,
    })
