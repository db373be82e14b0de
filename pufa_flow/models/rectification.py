"""Rectification notices (整改通知书) and their items (整改事项)."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflows import ITEM

from ..extensions import db
from .base import Timestamps, enum_type, utcnow_naive
from .stateful import Stateful

NOTICE_SOURCES = {
    "inspection": "督查检查",
    "evaluation": "考评评估",
    "other": "其他",
}

ITEM_CATEGORIES = {
    "organisation": "组织领导",
    "planning": "计划与责任清单",
    "internal": "系统内普法",
    "public": "面向社会普法",
    "archives": "档案资料",
    "enforcement": "执法普法",
    "other": "其他",
}


class Notice(Timestamps, db.Model):
    __tablename__ = "notices"
    scope_column = "unit_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="RESTRICT"), nullable=False, index=True)
    #: the cycle whose evaluation produced it, if any
    cycle_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cycles.id", ondelete="SET NULL"), index=True)
    source: Mapped[str] = mapped_column(enum_type(NOTICE_SOURCES, "notice_source"), nullable=False)
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    issued_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow_naive)
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    unit = relationship("Unit", lazy="joined")
    items = relationship(
        "RectificationItem", back_populates="notice", order_by="RectificationItem.seq",
        cascade="all, delete-orphan",
    )

    @property
    def source_label(self) -> str:
        return NOTICE_SOURCES.get(self.source, self.source)


class RectificationItem(Stateful, Timestamps, db.Model):
    __tablename__ = "rectification_items"
    __table_args__ = (
        sa.UniqueConstraint("notice_id", "seq"),
        sa.Index("ix_items_unit_status", "unit_id", "status"),
        sa.Index("ix_items_status_due", "status", "due_date"),
    )
    workflow = ITEM
    status_index = False  # ix_items_status_due leads with status
    object_type = "item"
    scope_column = "unit_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(sa.ForeignKey("notices.id", ondelete="CASCADE"), nullable=False)
    #: copied from the notice so scoping and overdue lists need no join
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="RESTRICT"), nullable=False)
    #: 1, 2, 3… within the notice
    seq: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    category: Mapped[str] = mapped_column(enum_type(ITEM_CATEGORIES, "item_category"), nullable=False, default="other")
    #: the problem found (问题)
    problem: Mapped[str] = mapped_column(sa.Text, nullable=False)
    #: what must be done (整改要求)
    requirement: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    #: 时限: a calendar date in Asia/Shanghai; a non-working day moves to the next working day
    due_date: Mapped[date] = mapped_column(sa.Date, nullable=False)
    #: the date asked for in a pending extension request
    requested_due_date: Mapped[date | None] = mapped_column(sa.Date)
    #: the unit's account of what it did (整改措施)
    measures: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    notice = relationship("Notice", back_populates="items")
    unit = relationship("Unit", lazy="joined")

    @property
    def category_label(self) -> str:
        return ITEM_CATEGORIES.get(self.category, self.category)

    @property
    def workflow_label(self) -> str:
        return f"整改事项#{self.id}"

    # -- effects: write columns only ----------------------------------------
    def apply_submission(self, event) -> None:
        self.submitted_at = event.at

    def apply_extension_request(self, event) -> None:
        self.requested_due_date = event.data["new_due_date"]

    def apply_extension_approval(self, event) -> None:
        self.due_date = self.requested_due_date
        self.requested_due_date = None

    def apply_extension_denial(self, event) -> None:
        self.requested_due_date = None

    def apply_closure(self, event) -> None:
        self.closed_at = event.at
