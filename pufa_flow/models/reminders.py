"""Each open deadline's next reminder time, in a table of its own.

Not a column of the item: a sweep writes here on every run, and writing the
item's row would bump its version and make someone's open form conflict.
One row per (object, ladder); the sweep reads only the rows whose
``next_at`` has come (an index range scan), never every open item.
"""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import enum_type, utcnow_naive

PREFERENCE_MODES = {"immediate": "即时发送", "digest": "每日汇总"}


class ReminderSchedule(db.Model):
    __tablename__ = "reminder_schedules"
    __table_args__ = (
        sa.UniqueConstraint("object_type", "object_id", "ladder"),
    )
    scope_column = "unit_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    object_type: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    object_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    #: the ladder of notifications.policy: "rectification", "rectification_unverified"…
    ladder: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    unit_id: Mapped[int | None] = mapped_column(sa.Integer)
    #: the date the ladder counts from (the deadline, or the day of submission)
    anchor: Mapped[date] = mapped_column(sa.Date, nullable=False)
    #: the next planned send time (UTC); NULL: nothing left to chase
    next_at: Mapped[datetime | None] = mapped_column(sa.DateTime, index=True)
    #: the last sweep that looked at it (UTC): the start of the next sweep's window
    swept_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow_naive,
                                                 onupdate=utcnow_naive)


class ReminderRun(db.Model):
    """The last runs of the sweep, the delivery and the digest, for the office's status page."""

    __tablename__ = "reminder_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: sweep / deliver / digest
    job: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    #: the job's logical "now" (UTC) and the wall time it took
    ran_for: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False)
    finished_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow_naive)
    seconds: Mapped[float] = mapped_column(sa.Float, nullable=False, default=0.0)
    #: rows queued / sent, failures
    count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    failures: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    __table_args__ = (sa.Index("ix_reminder_runs_job_id", "job", "id"),)


class ReminderPreference(db.Model):
    """A contact's choice: which of their channels to use, and at once or in a daily digest."""

    __tablename__ = "reminder_preferences"
    scope_column = "unit_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(sa.ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False,
                                            unique=True)
    #: copied from the contact, for the row policy
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="CASCADE"), nullable=False, index=True)
    email: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    sms: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    #: "immediate" or "digest" (email and SMS held until 08:30 on the next working day, in one message)
    mode: Mapped[str] = mapped_column(enum_type(PREFERENCE_MODES, "reminder_mode"), nullable=False,
                                      default="immediate")
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow_naive,
                                                 onupdate=utcnow_naive)


class ReminderPolicySetting(db.Model):
    """The office's edited reminder policy (``notifications.policy.Policy.to_dict``); one row, or
    none while the shipped defaults are in force."""

    __tablename__ = "reminder_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    data: Mapped[dict] = mapped_column(sa.JSON, nullable=False)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow_naive,
                                                 onupdate=utcnow_naive)


ROBOT_PLATFORMS = {"wecom": "企业微信群机器人", "dingtalk": "钉钉群机器人"}


class RobotHook(db.Model):
    """A work group's robot webhook (企业微信 / 钉钉): a unit's, or the office's (``unit_id`` NULL)."""

    __tablename__ = "robot_hooks"
    __table_args__ = (sa.UniqueConstraint("unit_id", "platform"),)
    scope_column = "unit_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(enum_type(ROBOT_PLATFORMS, "robot_platform"), nullable=False)
    url: Mapped[str] = mapped_column(sa.String(500), nullable=False)
    #: 钉钉 加签 secret; never shown back in full
    secret: Mapped[str | None] = mapped_column(sa.String(200))
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow_naive,
                                                 onupdate=utcnow_naive)
