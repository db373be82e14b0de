"""The in-app inbox: sent in-app outbox rows addressed to a group inbox the
user reads (the office's, or the user's unit's), with per-user read marks.
A colleague who joins later sees the unit's earlier messages too."""
from __future__ import annotations

import sqlalchemy as sa

from ...errors import NotFound
from ...extensions import db
from ...models import InboxRead, OutboxMessage
from ..transaction import transaction


#: the roles that have an inbox (the office's, or their unit's); marking read is theirs alone
INBOX_ROLES = ("office", "unit", "evaluator", "panel")


def groups(user) -> list[str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    if user.role == "office":
        return ["office"]
    if user.role == "unit" and user.unit_id:
        return [f"unit:{user.unit_id}"]
    if user.role in ("evaluator", "panel"):
        return [f"user:{user.id}"]  # their pending review work (reminders/evaluators.py)
    return []


def messages(user) -> sa.Select:
    """The user's inbox, newest first."""
    return (sa.select(OutboxMessage)
            .where(OutboxMessage.channel == "in_app", OutboxMessage.status == "sent",
                   OutboxMessage.recipient.in_(groups(user)))
            .order_by(OutboxMessage.id.desc()))


def read_ids(user, ids) -> set[int]:
    ids = list(ids)
    if not ids:
        return set()
    return set(db.session.scalars(sa.select(InboxRead.message_id).where(
        InboxRead.user_id == user.id, InboxRead.message_id.in_(ids))))


def unread_count(user) -> int:
    names = groups(user)
    if not names:
        return 0
    read = sa.exists().where(InboxRead.message_id == OutboxMessage.id, InboxRead.user_id == user.id)
    return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(
        OutboxMessage.channel == "in_app", OutboxMessage.status == "sent",
        OutboxMessage.recipient.in_(names), ~read)) or 0


def mark_read(user, message_id: int | None = None) -> int:
    """Mark one message (or, without an id, the whole inbox) read; another inbox's message is 404."""
    with transaction():
        stmt = sa.select(OutboxMessage.id).where(
            OutboxMessage.channel == "in_app", OutboxMessage.status == "sent",
            OutboxMessage.recipient.in_(groups(user)),
            ~sa.exists().where(InboxRead.message_id == OutboxMessage.id, InboxRead.user_id == user.id))
        if message_id is not None:
            visible = db.session.scalar(sa.select(OutboxMessage.id).where(
                OutboxMessage.id == message_id, OutboxMessage.channel == "in_app",
                OutboxMessage.status == "sent", OutboxMessage.recipient.in_(groups(user))))
            if visible is None:
                raise NotFound("消息不存在")
            stmt = stmt.where(OutboxMessage.id == message_id)
        ids = list(db.session.scalars(stmt))
        if ids:
            db.session.execute(sa.insert(InboxRead.__table__),
                               [{"user_id": user.id, "message_id": i} for i in ids])
    return len(ids)
