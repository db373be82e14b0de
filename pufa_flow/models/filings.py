"""Yearly filings (报备): what the office asks every unit to hand in, and what each handed in.

``FilingType`` is the office's list for a year (普法工作计划 due in Q1, 普法责任
清单, 联络员…), with the units that must file it; ``Filing`` is one unit's
filing of one type, on the filing workflow. A single-shot type has one filing
per unit (``seq`` 1), replaced only by sending it back (退回修改) and filing
again; a counted stream (工作信息) has one filing per item (``seq`` 1, 2, 3…),
and its yearly target is a count.
"""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflows import FILING

from ..extensions import db
from .base import Timestamps, enum_type
from .stateful import Stateful

FILING_KINDS = {
    "single": "一次性报备",
    "stream": "计数报送",
}

#: the shipped types' stable codes; the scoring record reads them (services/filing_record.py)
FILING_CODES = {
    "plan": "年度普法工作计划",
    "duty_list": "普法责任清单",
    "contacts": "普法领导小组与联络员",
    "report": "年度履职报告",
    "info": "工作信息",
}


class FilingType(Timestamps, db.Model):
    """Reference data of a year: every signed-in role reads it; only the office writes."""

    __tablename__ = "filing_types"
    __table_args__ = (
        sa.UniqueConstraint("year", "name", name="uq_filing_types_year_name"),
        sa.UniqueConstraint("year", "code", name="uq_filing_types_year_code"),
        sa.CheckConstraint("target IS NULL OR target >= 1", name="target_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(sa.Integer, nullable=False, index=True)
    #: one of FILING_CODES for the shipped types, None for a type the office adds
    code: Mapped[str | None] = mapped_column(sa.String(32))
    name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    kind: Mapped[str] = mapped_column(enum_type(FILING_KINDS, "filing_kind"), nullable=False, default="single")
    #: 报送时限, a calendar date in Asia/Shanghai; a non-working day moves to the next working day
    due_date: Mapped[date] = mapped_column(sa.Date, nullable=False)
    #: a stream's yearly count (工作信息: 5); None for a single-shot type
    target: Mapped[int | None] = mapped_column(sa.Integer)
    #: the thing is 公示 on the web: the filing must give its public URL
    requires_url: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    #: the filing names people (领导小组, 联络员); the unit's contacts update from it
    names_people: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    #: unit kinds (UNIT_KINDS ids) that must file; with ``units`` empty and this empty: every active unit
    unit_kinds: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    description: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)

    #: units named by hand (besides those of ``unit_kinds``)
    required_units = relationship("FilingTypeUnit", cascade="all, delete-orphan", lazy="selectin")

    @property
    def kind_label(self) -> str:
        return FILING_KINDS.get(self.kind, self.kind)

    @property
    def is_stream(self) -> bool:
        return self.kind == "stream"

    @property
    def hand_picked_unit_ids(self) -> set[int]:
        return {r.unit_id for r in self.required_units}

    def requires(self, unit) -> bool:
        """Whether ``unit`` must file this type: named by hand, of a listed kind, or (neither given) active."""
        picked = self.hand_picked_unit_ids
        if not picked and not self.unit_kinds:
            return bool(unit.is_active)
        return unit.id in picked or (unit.kind in (self.unit_kinds or ()) and bool(unit.is_active))

    def __str__(self) -> str:
        return self.name


class FilingTypeUnit(db.Model):
    """A unit the office named by hand as having to file a type."""

    __tablename__ = "filing_type_units"
    scope_column = "unit_id"

    filing_type_id: Mapped[int] = mapped_column(sa.ForeignKey("filing_types.id", ondelete="CASCADE"),
                                                primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="CASCADE"), primary_key=True,
                                         index=True)


class Filing(Stateful, Timestamps, db.Model):
    __tablename__ = "filings"
    __table_args__ = (
        sa.UniqueConstraint("filing_type_id", "unit_id", "seq"),
        sa.Index("ix_filings_unit_year", "unit_id", "year"),
        sa.CheckConstraint("seq >= 1", name="seq_positive"),
    )
    workflow = FILING
    object_type = "filing"
    scope_column = "unit_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    filing_type_id: Mapped[int] = mapped_column(sa.ForeignKey("filing_types.id", ondelete="RESTRICT"),
                                                nullable=False, index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="RESTRICT"), nullable=False)
    #: copied from the type so a unit's year is one indexed query
    year: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    #: 1 for a single-shot type; the item's number in a stream
    seq: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
    #: a stream item's title (工作信息标题); the type's name otherwise
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    #: a stream item's own date (the day the 信息 was published or sent)
    item_date: Mapped[date | None] = mapped_column(sa.Date)
    #: where the thing is published (公示网址)
    url: Mapped[str | None] = mapped_column(sa.String(500))
    note: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    #: people named (领导小组组长、联络员…): [{"role", "name", "phone", "email"}]
    people: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    first_submitted_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    received_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    returned_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    #: the office's reason for the last 退回修改
    return_reason: Mapped[str | None] = mapped_column(sa.Text)
    #: working days the first submission came after the due date: 0 on time, None not yet filed
    late_workdays: Mapped[int | None] = mapped_column(sa.Integer)

    filing_type = relationship("FilingType", lazy="joined")
    unit = relationship("Unit", lazy="joined")

    @property
    def workflow_label(self) -> str:
        return f"报备事项#{self.id}"

    @property
    def is_late(self) -> bool:
        return bool(self.late_workdays)

    @property
    def is_filed(self) -> bool:
        return self.status in FILING.definition.groups["filed"]

    # -- effects: write columns only ----------------------------------------
    def apply_submission(self, event) -> None:
        self.submitted_at = event.at
        if self.first_submitted_at is None:
            self.first_submitted_at = event.at
            self.late_workdays = event.data.get("late_workdays", 0)

    def apply_receipt(self, event) -> None:
        self.received_at = event.at

    def apply_return(self, event) -> None:
        self.returned_at = event.at
        self.return_reason = event.comment
