"""The append-only audit log: who did what to which object, and when."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import utcnow_naive


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (
        sa.Index("ix_audit_object", "object_type", "object_id", "id"),
        sa.Index("ix_audit_created", "created_at"),
    )
    scope_column = "unit_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow_naive)
    #: who acted; empty for the system (scheduler, CLI without a user)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: the actor's name at the time, kept when the account goes
    actor_label: Mapped[str] = mapped_column(sa.String(100), nullable=False, default="系统")
    #: e.g. unit.create, user.login_failed, transition
    action: Mapped[str] = mapped_column(sa.String(50), nullable=False)
    #: cycle, assessment, item, unit, user, notice…
    object_type: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    object_id: Mapped[int | None] = mapped_column(sa.Integer)
    #: the unit the object belongs to, so a unit can be shown its own history
    unit_id: Mapped[int | None] = mapped_column(sa.Integer, index=True)
    trigger: Mapped[str | None] = mapped_column(sa.String(40))
    from_state: Mapped[str | None] = mapped_column(sa.String(32))
    to_state: Mapped[str | None] = mapped_column(sa.String(32))
    comment: Mapped[str | None] = mapped_column(sa.Text)
    #: anything else worth keeping: old/new deadline, changed fields, forced=true…
    data: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)


class AuditLogIsAppendOnly(RuntimeError):
    pass


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse_changes(mapper, connection, target):
    raise AuditLogIsAppendOnly("审计日志只能追加，不能修改或删除")
