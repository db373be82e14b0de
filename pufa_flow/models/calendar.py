"""The office's corrections to the statutory working-day calendar."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import Timestamps, utcnow_naive


class WorkdayOverride(Timestamps, db.Model):
    __tablename__ = "workday_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, nullable=False, unique=True)
    #: true: a working day (调休上班); false: a day off
    is_workday: Mapped[bool] = mapped_column(sa.Boolean, nullable=False)
    note: Mapped[str] = mapped_column(sa.String(100), nullable=False, default="")


class WorkdayYear(db.Model):
    """A year whose holidays and 调休 days the office has entered in full.

    chinesecalendar only knows the years published before its release; once the
    State Council's notice for a new year is entered, the office confirms the
    year here and pages stop warning that their dates may be wrong.
    """
    __tablename__ = "workday_years"

    year: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    #: the notice the arrangement comes from, e.g. 国务院办公厅关于2027年部分节假日安排的通知
    source: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow_naive, nullable=False)
