"""Rectification notices (整改通知书) and their items (整改事项)."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflows import ITEM, NOTICE

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


inspection_units = sa.Table(
    "inspection_units", db.metadata,
    sa.Column("inspection_id", sa.ForeignKey("inspections.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("unit_id", sa.ForeignKey("units.id", ondelete="RESTRICT"), primary_key=True, index=True),
)


class Inspection(Timestamps, db.Model):
    """督查: one round of checks by named bodies over named units; the source of its notices."""

    __tablename__ = "inspections"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    starts_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    ends_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    #: 督查组成单位, e.g. 县委依法治县办、县委政法委、县委督查室
    bodies: Mapped[str] = mapped_column(sa.String(500), nullable=False, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    units = relationship("Unit", secondary=inspection_units, order_by="Unit.id")
    notices = relationship("Notice", back_populates="inspection", order_by="Notice.id")


class Notice(Stateful, Timestamps, db.Model):
    __tablename__ = "notices"
    __table_args__ = (sa.UniqueConstraint("doc_year", "doc_seq"),)
    workflow = NOTICE
    object_type = "notice"
    scope_column = "unit_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="RESTRICT"), nullable=False, index=True)
    #: the cycle whose evaluation produced it, if any
    cycle_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cycles.id", ondelete="SET NULL"), index=True)
    #: the inspection (督查) that produced it, if any
    inspection_id: Mapped[int | None] = mapped_column(sa.ForeignKey("inspections.id", ondelete="SET NULL"),
                                                      index=True)
    source: Mapped[str] = mapped_column(enum_type(NOTICE_SOURCES, "notice_source"), nullable=False)
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    #: 文号 〔doc_year〕doc_seq号, given when issued
    doc_year: Mapped[int | None] = mapped_column(sa.Integer)
    doc_seq: Mapped[int | None] = mapped_column(sa.Integer)
    #: None until issued
    issued_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    #: the items while drafting (problem, requirement, category, responsible, due_date | due_workdays);
    #: they become rows when the notice is issued, so no clock runs on a draft
    draft_items: Mapped[list | None] = mapped_column(sa.JSON)

    unit = relationship("Unit", lazy="joined")
    inspection = relationship("Inspection", back_populates="notices")
    items = relationship(
        "RectificationItem", back_populates="notice", order_by="RectificationItem.seq",
        cascade="all, delete-orphan",
    )

    @property
    def source_label(self) -> str:
        return NOTICE_SOURCES.get(self.source, self.source)

    @property
    def doc_number(self) -> str:
        """〔2026〕3号 (without the issuer's prefix), or "" before issue."""
        return f"〔{self.doc_year}〕{self.doc_seq}号" if self.doc_seq else ""

    @property
    def workflow_label(self) -> str:
        return f"整改通知书#{self.id}"

    @property
    def item_count(self) -> int:
        return len(self.items) if self.status == "issued" else len(self.draft_items or [])

    # -- effects: write columns only ----------------------------------------
    def apply_issue(self, event) -> None:
        """Number it and turn the drafted items into items whose clocks start now.

        The due dates arrive resolved (working days counted from the issue
        date by the service's cleaner), one per drafted item, in order.
        """
        self.doc_year = event.data["doc_year"]
        self.doc_seq = event.data["doc_seq"]
        self.issued_at = event.data.get("issued_at") or event.at
        for seq, (draft, due) in enumerate(zip(self.draft_items or [], event.data["due_dates"]), start=1):
            self.items.append(RectificationItem(
                unit_id=self.unit_id, seq=seq, category=draft.get("category") or "other",
                problem=draft["problem"], requirement=draft.get("requirement") or "",
                responsible_person=draft.get("responsible") or "",
                due_workdays=draft.get("due_workdays"), due_date=date.fromisoformat(due)))
        self.draft_items = None


class RectificationItem(Stateful, Timestamps, db.Model):
    __tablename__ = "rectification_items"
    __table_args__ = (
        sa.UniqueConstraint("notice_id", "seq"),
        # the board's indexes: every column its scans read, so they read the index, not the table
        sa.Index("ix_items_unit_status_due", "unit_id", "status", "due_date"),  # by unit, in unit order
        sa.Index("ix_items_status_due_cover", "status", "due_date", "unit_id", "category", "notice_id"),
        sa.Index("ix_items_trend", "created_at", "closed_at", "updated_at", "status", "due_date"),  # the 12 weeks
        sa.Index("ix_items_notice_status_due", "notice_id", "status", "due_date"),  # per inspection, from its notices
        # closed on time / late; the notice and unit at its end make the board's overdue items per
        # notice an index-only range scan
        sa.Index("ix_items_status_due_closed", "status", "due_date", "closed_at", "notice_id", "unit_id"),
        sa.Index("ix_items_status_category_due", "status", "category", "due_date"),  # the totals, in index order
    )
    workflow = ITEM
    status_index = False  # ix_items_status_due_cover leads with status
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
    #: 责任人 named in the notice
    responsible_person: Mapped[str] = mapped_column(sa.String(50), nullable=False, default="")
    #: set when the deadline was given as "N working days from issue" (due_date holds the result)
    due_workdays: Mapped[int | None] = mapped_column(sa.Integer)
    #: the unit's account of what it did (整改措施)
    measures: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    notice = relationship("Notice", back_populates="items")
    unit = relationship("Unit", lazy="joined")
    extensions = relationship("ItemExtension", back_populates="item", order_by="ItemExtension.id",
                              cascade="all, delete-orphan")
    notes = relationship("ItemNote", order_by="ItemNote.id", cascade="all, delete-orphan")

    @property
    def category_label(self) -> str:
        return ITEM_CATEGORIES.get(self.category, self.category)

    @property
    def workflow_label(self) -> str:
        return f"整改事项#{self.id}"

    # -- effects: write columns only ----------------------------------------
    def apply_submission(self, event) -> None:
        self.submitted_at = event.at

    @property
    def pending_extension(self):
        return next((e for e in reversed(self.extensions) if e.status == "pending"), None)

    def apply_extension_request(self, event) -> None:
        self.requested_due_date = event.data["new_due_date"]
        self.extensions.append(ItemExtension(
            unit_id=self.unit_id, requested_due_date=self.requested_due_date, reason=event.comment or "",
            old_due_date=self.due_date, requested_at=event.at))

    def apply_extension_approval(self, event) -> None:
        """The office may approve another date than the one asked for."""
        new = event.data.get("approved_due_date") or self.requested_due_date
        if (pending := self.pending_extension) is not None:
            pending.status, pending.decided_due_date, pending.decided_at = "approved", new, event.at
            pending.decision_comment = event.comment or ""
        self.due_date = new
        self.requested_due_date = None

    def apply_extension_denial(self, event) -> None:
        if (pending := self.pending_extension) is not None:
            pending.status, pending.decided_at = "denied", event.at
            pending.decision_comment = event.comment or ""
        self.requested_due_date = None

    def apply_closure(self, event) -> None:
        self.closed_at = event.at


EXTENSION_STATUSES = {"pending": "待审批", "approved": "已批准", "denied": "已驳回"}


class ItemExtension(db.Model):
    """One request for more time and the office's ruling on it (延期记录)."""

    __tablename__ = "item_extensions"
    scope_column = "unit_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("rectification_items.id", ondelete="CASCADE"),
                                         nullable=False, index=True)
    #: the item's unit, for the row policy
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="RESTRICT"), nullable=False, index=True)
    old_due_date: Mapped[date] = mapped_column(sa.Date, nullable=False)
    requested_due_date: Mapped[date] = mapped_column(sa.Date, nullable=False)
    reason: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    requested_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow_naive)
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(enum_type(EXTENSION_STATUSES, "extension_status"), nullable=False,
                                        default="pending")
    #: the date the office approved (may differ from the one requested)
    decided_due_date: Mapped[date | None] = mapped_column(sa.Date)
    decision_comment: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    item = relationship("RectificationItem", back_populates="extensions")
    requested_by = relationship("User", foreign_keys=[requested_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    @property
    def status_label(self) -> str:
        return EXTENSION_STATUSES.get(self.status, self.status)


class ItemNote(db.Model):
    """A progress note (整改进展) the unit adds while working an item."""

    __tablename__ = "item_notes"
    scope_column = "unit_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("rectification_items.id", ondelete="CASCADE"),
                                         nullable=False, index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="RESTRICT"), nullable=False, index=True)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow_naive)

    author = relationship("User")


class OverdueDay(db.Model):
    """The board's trend figures at the end of one past day (open, overdue), kept so the 12-week trend
    reads its past weeks instead of re-counting every item each time.

    Written the first time a board needs a day that is over (idempotent: one row per day); only today's
    figure is counted live. A change to the working-day calendar deletes the rows (their cutoffs moved).
    """
    __tablename__ = "overdue_days"
    __table_args__ = (sa.CheckConstraint("open >= 0 AND overdue >= 0 AND overdue <= open",
                                         name="figures_counted"),)

    #: the local (Asia/Shanghai) date whose end the figures describe
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True, autoincrement=False)
    #: items issued and not yet closed or cancelled at the end of the day
    open: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    #: of those, the ones past their deadline on that day (the day's working-day cutoff)
    overdue: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    #: when the figures were counted (UTC)
    computed_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow_naive)


class ClosedDay(db.Model):
    """How many items were closed (销号) on time and late up to the end of one past day, kept so the
    board judges only the closings since then (today's, as a rule) instead of every closed item.

    The row of the latest day is the one read; the next board after a day ends adds that day's
    closings to it in a new row. Closed is final, so what was counted never changes, except when the
    working-day calendar does (deadlines move): that deletes the rows, and the next board counts again.
    """
    __tablename__ = "closed_days"
    __table_args__ = (sa.CheckConstraint("on_time >= 0 AND late >= 0", name="figures_counted"),)

    #: the local (Asia/Shanghai) date through whose end the closings are counted
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True, autoincrement=False)
    #: items closed by then on or before their effective deadline
    on_time: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    #: items closed by then after it
    late: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    #: when the figures were counted (UTC)
    computed_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow_naive)
