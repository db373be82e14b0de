"""Messages waiting to be delivered (email, SMS, in-app).

Written in the same transaction as the change that caused them, delivered
later by the outbox worker; the unique key makes a second write of the same
reminder a no-op, whichever process writes it.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import enum_type, utcnow_naive

CHANNELS = {"email": "邮件", "sms": "短信", "inapp": "站内消息"}
OUTBOX_STATES = {"pending": "待发送", "sent": "已发送", "failed": "发送失败"}


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        sa.Index("ix_outbox_pending", "send_after", sqlite_where=sa.text("status = 'pending'"),
                 postgresql_where=sa.text("status = 'pending'")),
    )
    scope_column = "unit_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: (object, recipient, channel, kind, day): writing it twice is a no-op
    key: Mapped[str] = mapped_column(sa.String(200), nullable=False, unique=True)
    channel: Mapped[str] = mapped_column(enum_type(CHANNELS, "outbox_channel"), nullable=False)
    #: an email address, a phone number, or an in-app inbox: ``office`` or ``unit:<id>``
    recipient: Mapped[str] = mapped_column(sa.String(254), nullable=False)
    subject: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    object_type: Mapped[str | None] = mapped_column(sa.String(30))
    object_id: Mapped[int | None] = mapped_column(sa.Integer)
    unit_id: Mapped[int | None] = mapped_column(sa.Integer, index=True)
    status: Mapped[str] = mapped_column(enum_type(OUTBOX_STATES, "outbox_status"), nullable=False, default="pending")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow_naive)
    #: not before this UTC time (quiet hours for SMS)
    send_after: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow_naive)
    attempts: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
