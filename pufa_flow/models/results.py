"""评分定等 and 结果运用: the cycle's grading rules, grade adjustments, 评估意见, commendations.

* ``GradingRules``: one row per cycle (the cycle's settings for its results):
  the grade thresholds, the optional 优秀 quota, the default rectification
  deadline in working days, and when the grades were confirmed and the
  results published. A cycle without a row uses the defaults (DEFAULT_*).
* ``GradeAdjustment``: the office's change of one unit's rule-proposed grade,
  with its mandatory reason, kept after confirmation so the reason stays shown.
* ``EvaluationOpinion``: the office's 评估意见 on one unit: text plus problems,
  each of which becomes a rectification item when the results are published
  (``notice_id`` then names the 整改通知书).
* ``Commendation``: 先进集体 / 先进个人 / 示范县 recommendation of a cycle.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import enum_type, utcnow_naive
from .cycles import GRADES

#: the grade thresholds when the cycle sets none (优秀 ≥ 90, 良好 ≥ 80, 合格 ≥ 60, else 不合格)
DEFAULT_THRESHOLDS = {"excellent": Decimal("90"), "good": Decimal("80"), "pass": Decimal("60")}
#: 整改时限 of an opinion's problems when the cycle sets none: working days from publication
DEFAULT_RECTIFICATION_WORKDAYS = 20
QUOTA_KINDS = {"count": "个", "percent": "%"}
COMMENDATION_KINDS = {"collective": "先进集体", "individual": "先进个人", "model_county": "示范县推荐"}


class GradingRules(db.Model):
    """A cycle's grading rules and result milestones (one row per cycle, created on first save)."""
    __tablename__ = "cycle_grading_rules"
    __table_args__ = (
        sa.CheckConstraint("excellent_min > good_min AND good_min > pass_min AND pass_min >= 0",
                           name="thresholds_in_order"),
        sa.CheckConstraint("(excellent_quota IS NULL) = (quota_kind IS NULL)", name="quota_with_kind"),
    )

    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"), primary_key=True)
    #: the lowest final score of each grade
    excellent_min: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2), nullable=False, default=Decimal("90"))
    good_min: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2), nullable=False, default=Decimal("80"))
    pass_min: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2), nullable=False, default=Decimal("60"))
    #: at most this many 优秀 (a number of units, or a percentage of the cycle's units); None = no quota
    excellent_quota: Mapped[int | None] = mapped_column(sa.Integer)
    #: one of QUOTA_KINDS when there is a quota
    quota_kind: Mapped[str | None] = mapped_column(enum_type(QUOTA_KINDS, "quota_kind"))
    #: default 整改时限 of the opinions' problems, in working days from publication
    rectification_workdays: Mapped[int] = mapped_column(sa.Integer, nullable=False,
                                                        default=DEFAULT_RECTIFICATION_WORKDAYS)
    #: when the office confirmed the grades (every unit's assign_grade fired)
    grades_confirmed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    #: when publish_results ran
    published_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow_naive,
                                                 onupdate=utcnow_naive)

    @property
    def thresholds(self) -> dict[str, Decimal]:
        return {"excellent": self.excellent_min, "good": self.good_min, "pass": self.pass_min}


class GradeAdjustment(db.Model):
    """The office's grade for one unit instead of the rule's, and why."""
    __tablename__ = "grade_adjustments"
    scope_column = "unit_id"
    cycle_column = "cycle_id"

    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("unit_assessments.id", ondelete="CASCADE"),
                                               primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="RESTRICT"), nullable=False, index=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"), nullable=False, index=True)
    #: the grade the rule proposed when adjusted (shown beside the new one)
    proposed: Mapped[str] = mapped_column(enum_type(GRADES, "proposed_grade"), nullable=False)
    grade: Mapped[str] = mapped_column(enum_type(GRADES, "grade"), nullable=False)
    reason: Mapped[str] = mapped_column(sa.String(2000), nullable=False)
    adjusted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    adjusted_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow_naive)

    adjusted_by = relationship("User")


class EvaluationOpinion(db.Model):
    """评估意见 on one unit: text and problems [{"problem", "requirement", "category"}]."""
    __tablename__ = "evaluation_opinions"
    scope_column = "unit_id"
    cycle_column = "cycle_id"

    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("unit_assessments.id", ondelete="CASCADE"),
                                               primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="RESTRICT"), nullable=False, index=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"), nullable=False, index=True)
    text: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    problems: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    #: the 整改通知书 its problems became when the results were published
    notice_id: Mapped[int | None] = mapped_column(sa.ForeignKey("notices.id", ondelete="SET NULL"))
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow_naive,
                                                 onupdate=utcnow_naive)

    notice = relationship("Notice")


class Commendation(db.Model):
    """先进集体 (a unit), 先进个人 (a unit's person and post), or a 示范县 recommendation (a county)."""
    __tablename__ = "commendations"
    __table_args__ = (
        sa.CheckConstraint("kind = 'individual' OR person_name = ''", name="person_only_individual"),
        sa.CheckConstraint("kind <> 'individual' OR person_name <> ''", name="individual_has_person"),
    )
    scope_column = "unit_id"
    cycle_column = "cycle_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(enum_type(COMMENDATION_KINDS, "commendation_kind"), nullable=False)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="RESTRICT"), nullable=False, index=True)
    #: 先进个人 only
    person_name: Mapped[str] = mapped_column(sa.String(50), nullable=False, default="")
    post: Mapped[str] = mapped_column(sa.String(100), nullable=False, default="")
    note: Mapped[str] = mapped_column(sa.String(500), nullable=False, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow_naive)

    unit = relationship("Unit", lazy="joined")

    @property
    def kind_label(self) -> str:
        return COMMENDATION_KINDS[self.kind]
