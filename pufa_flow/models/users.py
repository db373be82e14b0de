"""People who sign in, and the API tokens they hold."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from workflows.definitions import ROLES  # the one vocabulary of roles, re-exported

from ..extensions import db
from .base import Timestamps, enum_type


class User(UserMixin, Timestamps, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint(
            "(role = 'unit') = (unit_id IS NOT NULL)", name="unit_role_has_unit"
        ),
    )
    scope_column = "unit_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(50), nullable=False, unique=True)
    #: name shown on pages and in the audit log
    display_name: Mapped[str] = mapped_column(sa.String(50), nullable=False, default="")
    #: Werkzeug's default hash (scrypt)
    password_hash: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    role: Mapped[str] = mapped_column(enum_type(ROLES, "user_role"), nullable=False)
    #: the unit a `unit` user works for; empty for every other role
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    is_active_account: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    #: consecutive failed sign-ins; reset by a successful one
    failed_logins: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    #: sign-in refused until this UTC time after too many failures
    locked_until: Mapped[datetime | None] = mapped_column(sa.DateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    #: bumped by a sign-out, a password change or a deactivation: a session
    #: cookie carries the epoch it was signed in under and is refused after a bump
    session_epoch: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, server_default="0")

    unit = relationship("Unit", lazy="joined")

    def get_id(self) -> str:  # flask-login: the session names the user and its epoch
        return f"{self.id}:{self.session_epoch or 0}"

    @property
    def is_active(self) -> bool:  # flask-login
        return self.is_active_account

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    @property
    def label(self) -> str:
        return self.display_name or self.username

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class ApiToken(Timestamps, db.Model):
    """A bearer token; only its SHA-256 is stored, the token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False, unique=True)
    #: where it came from, e.g. "cli" or "api"
    name: Mapped[str] = mapped_column(sa.String(50), nullable=False, default="")
    expires_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    revoked: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    #: when and why it stopped working before its expiry (user, password change, deactivation)
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    user = relationship("User", lazy="joined")
