"""Messages waiting to be delivered, every attempt to deliver them, and the
in-app inbox's read marks.

Rows are written in the same transaction as the change (or the sweep) that
caused them. A reminder is unique on (object, recipient, channel, kind, local
day): a second sweep, or a second process, inserts nothing new. Delivery
moves a row pending → sending (claimed with a lease) → sent, or back to
pending with a later ``send_after`` after a retryable failure, or failed;
every attempt leaves a row in ``outbox_attempts``. A recipient who asked for
a daily digest gets rows ``held`` until the morning digest folds them into one
message (and marks them sent, naming it).
"""
from __future__ import annotations

import hashlib
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import enum_type, utcnow_naive

#: the engine's channel names (notifications.policy.CHANNELS)
CHANNELS = {"email": "邮件", "sms": "短信", "in_app": "站内消息", "wecom": "企业微信群", "dingtalk": "钉钉群"}
OUTBOX_STATES = {"pending": "待发送", "sending": "发送中", "sent": "已发送", "failed": "发送失败",
                 "held": "待汇总"}
#: the length of ``OutboxMessage.key``
KEY_LEN = 200


def outbox_key(*parts) -> str:
    """The unique tuple as text, at most KEY_LEN characters.

    An address can be 254 characters and a webhook longer: cutting such a key
    short could make two recipients' keys equal, and the second message would
    be dropped as a duplicate. A long key keeps its head for the reader and
    ends with the SHA-256 of the whole, so it stays as unique as the tuple.
    """
    key = ":".join(str(p) for p in parts)
    if len(key) <= KEY_LEN:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"{key[:KEY_LEN - len(digest) - 1]}#{digest}"


ATTEMPT_STATUSES = {"sent": "成功", "retry": "失败待重试", "failed": "失败", "deferred": "免打扰顺延",
                    "expired": "租约过期"}


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        sa.Index("ix_outbox_pending", "send_after", sqlite_where=sa.text("status = 'pending'"),
                 postgresql_where=sa.text("status = 'pending'")),
        sa.Index("ix_outbox_sending", "lease_until", sqlite_where=sa.text("status = 'sending'"),
                 postgresql_where=sa.text("status = 'sending'")),
        sa.UniqueConstraint("object_type", "object_id", "recipient", "channel", "kind", "local_day",
                            name="uq_outbox_messages_reminder"),
    )
    scope_column = "unit_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the unique tuple as text (also the Message-ID / gateway request id)
    key: Mapped[str] = mapped_column(sa.String(KEY_LEN), nullable=False, unique=True)
    channel: Mapped[str] = mapped_column(enum_type(CHANNELS, "outbox_channel"), nullable=False)
    #: an email address, a phone number, a robot webhook, or an in-app inbox: ``office`` or ``unit:<id>``
    recipient: Mapped[str] = mapped_column(sa.String(254), nullable=False)
    #: who that is: a contact role (liaison, leader, principal), ``office`` or ``unit``
    recipient_role: Mapped[str] = mapped_column(sa.String(20), nullable=False, default="")
    #: the person's name, for the delivery log
    recipient_name: Mapped[str] = mapped_column(sa.String(50), nullable=False, default="")
    #: "rectification.before_5", "transition.verify.v3", "digest"…
    kind: Mapped[str] = mapped_column(sa.String(80), nullable=False, default="")
    #: the Asia/Shanghai day it belongs to (part of the unique key)
    local_day: Mapped[date] = mapped_column(sa.Date, nullable=False)
    subject: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    html: Mapped[str | None] = mapped_column(sa.Text)
    #: SMS template key and variables (JSON), the item's link
    template: Mapped[str | None] = mapped_column(sa.String(50))
    variables: Mapped[dict | None] = mapped_column(sa.JSON)
    link: Mapped[str | None] = mapped_column(sa.String(300))
    object_type: Mapped[str | None] = mapped_column(sa.String(30))
    object_id: Mapped[int | None] = mapped_column(sa.Integer)
    unit_id: Mapped[int | None] = mapped_column(sa.Integer, index=True)
    status: Mapped[str] = mapped_column(enum_type(OUTBOX_STATES, "outbox_status"), nullable=False, default="pending")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow_naive)
    #: not before this UTC time (quiet hours for SMS, the next retry)
    send_after: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow_naive)
    #: while ``sending``: another worker may reclaim the row after this UTC time
    lease_until: Mapped[datetime | None] = mapped_column(sa.DateTime)
    #: the claim that holds it (a random token per delivery batch)
    claimed_by: Mapped[str | None] = mapped_column(sa.String(40))
    attempts: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    provider_message_id: Mapped[str | None] = mapped_column(sa.String(200))
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    attempt_log = relationship("OutboxAttempt", order_by="OutboxAttempt.id", viewonly=True)

    @property
    def channel_label(self) -> str:
        return CHANNELS.get(self.channel, self.channel)

    @property
    def status_label(self) -> str:
        return OUTBOX_STATES.get(self.status, self.status)


class OutboxAttempt(db.Model):
    """One try at sending one message (or a deferral, or a lease that ran out)."""

    __tablename__ = "outbox_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(sa.ForeignKey("outbox_messages.id", ondelete="CASCADE"),
                                            nullable=False, index=True)
    #: 1 for the first attempt
    attempt: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    status: Mapped[str] = mapped_column(enum_type(ATTEMPT_STATUSES, "outbox_attempt_status"), nullable=False)
    started_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False)
    finished_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False)
    provider: Mapped[str] = mapped_column(sa.String(50), nullable=False, default="")
    provider_message_id: Mapped[str | None] = mapped_column(sa.String(200))
    error: Mapped[str | None] = mapped_column(sa.Text)

    @property
    def status_label(self) -> str:
        return ATTEMPT_STATUSES.get(self.status, self.status)


class InboxRead(db.Model):
    """A user has read an in-app message (the inbox itself is the sent in-app outbox rows)."""

    __tablename__ = "inbox_reads"
    __table_args__ = (sa.UniqueConstraint("user_id", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    message_id: Mapped[int] = mapped_column(sa.ForeignKey("outbox_messages.id", ondelete="CASCADE"),
                                            nullable=False, index=True)
    read_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow_naive)
