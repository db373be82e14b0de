"""What the 评议团 and the 调研评估小组 write about one unit: panel score sheets and field findings.

A panel member's sheet is the same 自测得分表 the unit filled (same framework
copy, same entries, same compute()), kept per (assessment, panel member) so
the unit's final score can be their mean. Both tables name their unit and
cycle, so the row policy narrows them like the assessment itself; panel
sheets are further narrowed to their author (scoping.RULES).
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import enum_type, utcnow_naive

PANEL_SHEET_STATES = {"draft": "草稿", "submitted": "已提交"}


class PanelScore(db.Model):
    __tablename__ = "panel_scores"
    __table_args__ = (sa.UniqueConstraint("assessment_id", "user_id"),)
    scope_column = "unit_id"
    cycle_column = "cycle_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("unit_assessments.id", ondelete="CASCADE"),
                                               nullable=False)
    #: repeated from the assessment for the row policy
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="RESTRICT"), nullable=False, index=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"), nullable=False)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), nullable=False, index=True)
    #: [{"rule_id", "count", "tier", "note"}], the self-score sheet's format
    entries: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    #: what the entries compute to when last saved (never typed)
    total: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2), nullable=False)
    status: Mapped[str] = mapped_column(enum_type(PANEL_SHEET_STATES, "panel_sheet_status"), nullable=False,
                                        default="draft")
    submitted_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow_naive,
                                                 onupdate=utcnow_naive)

    user = relationship("User")

    @property
    def status_label(self) -> str:
        return PANEL_SHEET_STATES[self.status]


class FieldFindings(db.Model):
    """The 调研评估小组's problems found on site at one unit: [{"title", "body"}]."""
    __tablename__ = "field_findings"
    scope_column = "unit_id"
    cycle_column = "cycle_id"

    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("unit_assessments.id", ondelete="CASCADE"),
                                               primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="RESTRICT"), nullable=False, index=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"), nullable=False)
    findings: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow_naive,
                                                 onupdate=utcnow_naive)
