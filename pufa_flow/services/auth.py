"""Sign-in with a lockout kept in the database, and bearer tokens."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from ..clock import format_local
from ..errors import NotFound, Unauthorized, ValidationFailed
from ..extensions import db
from ..models import ApiToken, User
from ..models.base import utcnow_naive
from . import audit
from .transaction import transaction

TOKEN_PREFIX = "pf_"
BAD_CREDENTIALS = "用户名或密码错误"


def _lockout_settings() -> tuple[int, int]:
    cfg = current_app.config
    return cfg["PUFA_LOCKOUT_THRESHOLD"], cfg["PUFA_LOCKOUT_MINUTES"]


def authenticate(username: str, password: str, *, now: datetime | None = None) -> User:
    """The user, or Unauthorized with a Chinese reason. Every failure is audited.

    Parallel attempts cannot outrun the lockout: each attempt first reserves
    one try with a single ``UPDATE … RETURNING`` (refused while locked), so at
    most the threshold's number of passwords are ever checked before the lock,
    however many requests arrive at once; and a success is itself a
    conditional UPDATE that fails when a parallel attempt locked the account
    meanwhile.
    """
    now = now or utcnow_naive()
    username = (username or "").strip()
    user = db.session.scalar(sa.select(User).where(User.username == username)) if username else None
    if user is None:
        with transaction():
            audit.record("user.login_failed", "user", None, data={"username": username[:50]})
        raise Unauthorized(BAD_CREDENTIALS)
    threshold, minutes = _lockout_settings()
    with transaction():
        attempt = db.session.scalar(
            sa.update(User.__table__).where(User.__table__.c.id == user.id, _not_locked(now))
            .values(failed_logins=User.__table__.c.failed_logins + 1)
            .returning(User.__table__.c.failed_logins))
    db.session.expire(user, ["failed_logins", "locked_until"])
    if attempt is None:
        raise Unauthorized(_locked_message(user.id))
    if attempt > threshold:  # a parallel attempt used the last try: lock without checking
        _lock(user, now, minutes)
        raise Unauthorized(_locked_message(user.id))
    if not user.check_password(password or ""):
        _register_failure(user, now, locked=attempt >= threshold)
    if not user.is_active_account:
        raise Unauthorized("该账户已停用，请联系普法办")
    with transaction():
        accepted = db.session.scalar(
            sa.update(User.__table__).where(User.__table__.c.id == user.id, _not_locked(now))
            .values(failed_logins=0, last_login_at=now).returning(User.__table__.c.id))
        if accepted is not None:
            audit.record("user.login", "user", user.id, actor=user, unit_id=user.unit_id)
    if accepted is None:
        raise Unauthorized(_locked_message(user.id))
    db.session.refresh(user)
    return user


def _not_locked(now: datetime):
    column = User.__table__.c.locked_until
    return sa.or_(column.is_(None), column <= now)


def _locked_message(user_id: int) -> str:
    until = db.session.scalar(sa.select(User.__table__.c.locked_until).where(User.__table__.c.id == user_id))
    when = format_local(until) if until else "稍后"
    return f"登录失败次数过多，账户已锁定至 {when}，请稍后再试或联系普法办"


def _lock(user: User, now: datetime, minutes: int) -> None:
    with transaction():
        db.session.execute(
            sa.update(User.__table__).where(User.__table__.c.id == user.id)
            .values(locked_until=now + timedelta(minutes=minutes), failed_logins=0))
    db.session.expire(user, ["failed_logins", "locked_until"])


def _register_failure(user: User, now: datetime, *, locked: bool) -> None:
    threshold, minutes = _lockout_settings()
    if locked:
        _lock(user, now, minutes)
    with transaction():
        audit.record("user.locked" if locked else "user.login_failed", "user", user.id,
                     unit_id=user.unit_id, data={"username": user.username})
    if locked:
        raise Unauthorized(f"密码连续错误{threshold}次，账户已锁定{minutes}分钟")
    raise Unauthorized(BAD_CREDENTIALS)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


#: a token's default life; an operator may ask for another (``create-token --days``)
DEFAULT_TOKEN_DAYS = 30
MAX_TOKEN_DAYS = 366


def issue_token(user: User, *, name: str, actor=None, days: int | None = DEFAULT_TOKEN_DAYS) -> str:
    """A new bearer token for ``user``; only its hash is kept, so this is the one time it is seen."""
    if days is not None and not 1 <= days <= MAX_TOKEN_DAYS:
        raise ValidationFailed({"days": f"有效天数须在 1 到 {MAX_TOKEN_DAYS} 之间"})
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = utcnow_naive() + timedelta(days=days) if days else None
    with transaction():
        row = ApiToken(user_id=user.id, token_hash=_hash(token), name=name[:50], expires_at=expires)
        db.session.add(row)
        db.session.flush()
        audit.record("token.issue", "user", user.id, actor=actor or user, unit_id=user.unit_id,
                     data={"token_id": row.id, "name": name[:50]})
    return token


def user_for_token(token: str) -> User | None:
    if not token or not token.startswith(TOKEN_PREFIX):
        return None
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == _hash(token)))
    now = utcnow_naive()
    if row is None or row.revoked or (row.expires_at and row.expires_at < now):
        return None
    if not row.user.is_active_account:
        return None
    _note_use(row, now)
    return row.user


#: a token's last use is written at most this often: a script's thousand calls are one write
LAST_USED_EVERY = timedelta(minutes=1)


def _note_use(row: ApiToken, now) -> None:
    """Keep when the token was last used, at most once a minute, without touching its version or
    updated_at: one guarded UPDATE, so two concurrent requests write it once."""
    if row.last_used_at is not None and now - row.last_used_at < LAST_USED_EVERY:
        return
    with transaction():
        db.session.execute(
            sa.update(ApiToken).where(ApiToken.id == row.id,
                                      sa.or_(ApiToken.last_used_at.is_(None),
                                             ApiToken.last_used_at <= now - LAST_USED_EVERY))
            .values(last_used_at=now, updated_at=ApiToken.updated_at)  # a use is not a change
            .execution_options(synchronize_session=False))
    db.session.expire(row, ["last_used_at"])


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens, newest first (revoked and expired ones too, marked so on the page)."""
    return list(db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.id.desc())))


def revoke_token(token_id, *, actor, owner: User | None = None) -> ApiToken:
    """Revoke one token: the owner's own, or (``owner`` None) any token, for the office and the CLI.

    A token of someone else is NotFound, as if it did not exist.
    """
    try:
        token_id = int(token_id)
    except (TypeError, ValueError):
        raise NotFound("未找到该令牌") from None
    stmt = sa.select(ApiToken).where(ApiToken.id == token_id)
    if owner is not None:
        stmt = stmt.where(ApiToken.user_id == owner.id)
    row = db.session.scalar(stmt)
    if row is None:
        raise NotFound("未找到该令牌")
    if row.revoked:
        return row
    with transaction():
        row.revoked = True
        row.revoked_at = utcnow_naive()
        audit.record("token.revoke", "user", row.user_id, actor=actor, unit_id=row.user.unit_id,
                     data={"token_id": row.id, "name": row.name})
    return row


def end_sessions_and_tokens(user: User, *, tokens: bool = True) -> int:
    """Every session cookie of ``user`` stops working (the epoch moves on) and, with
    ``tokens``, every API token is revoked. Runs inside the caller's transaction.

    Returns the number of tokens revoked.
    """
    table = User.__table__
    db.session.execute(sa.update(table).where(table.c.id == user.id)
                       .values(session_epoch=table.c.session_epoch + 1))
    db.session.expire(user, ["session_epoch"])
    revoked = 0
    if tokens:
        tokens_table = ApiToken.__table__
        revoked = db.session.execute(
            sa.update(tokens_table).where(tokens_table.c.user_id == user.id, tokens_table.c.revoked.is_(False))
            .values(revoked=True, revoked_at=utcnow_naive())).rowcount
    return revoked


def sign_out(user: User) -> None:
    """End this user's sessions everywhere: a copied or stolen cookie stops working too."""
    with transaction():
        end_sessions_and_tokens(user, tokens=False)
        audit.record("user.logout", "user", user.id, actor=user, unit_id=user.unit_id)


def session_is_current(user: User, epoch: str) -> bool:
    """A session id without an epoch (signed before epochs existed) counts as epoch 0:
    it works until the account's first sign-out, password change or deactivation."""
    epoch = epoch or "0"
    return epoch.isdigit() and len(epoch) < 12 and int(epoch) == (user.session_epoch or 0)
