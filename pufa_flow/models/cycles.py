"""Assessment cycles (考评周期), their phase dates, and each unit's assessment."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from workflows import ASSESSMENT, CYCLE

from ..extensions import db
from .base import Timestamps, enum_type, utcnow_naive
from .stateful import Stateful

#: the four working phases, in order; a phase id is also the cycle state id
PHASES = {
    "self_assessment": "自评",
    "field_research": "实地调研",
    "acceptance": "评估验收",
    "results": "结果运用",
}

GRADES = {"excellent": "优秀", "good": "良好", "pass": "合格", "fail": "不合格"}
GRADE_BY_LABEL = {label: gid for gid, label in GRADES.items()}


class Cycle(Stateful, Timestamps, db.Model):
    __tablename__ = "cycles"
    workflow = CYCLE
    object_type = "cycle"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: e.g. 2023年度普法责任制考评
    name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    year: Mapped[int] = mapped_column(sa.Integer, nullable=False, index=True)

    phases = relationship(
        "CyclePhase", back_populates="cycle", cascade="all, delete-orphan",
        order_by="CyclePhase.position", lazy="selectin",
    )
    assessments = relationship("UnitAssessment", back_populates="cycle", lazy="dynamic")

    def phase(self, phase_id: str) -> "CyclePhase | None":
        return next((p for p in self.phases if p.phase == phase_id), None)

    # -- guards: side-effect-free, one aggregate query each -----------------
    def _count(self, *where) -> int:
        stmt = sa.select(sa.func.count()).select_from(UnitAssessment).where(
            UnitAssessment.cycle_id == self.id, *where
        )
        return object_session(self).scalar(stmt)

    def guard_has_units(self) -> bool:
        return self._count() > 0

    def guard_has_phase_dates(self) -> bool:
        dated = {p.phase for p in self.phases if p.starts_on and p.due_on}
        return dated >= set(PHASES)

    def guard_all_submitted(self) -> bool:
        return self._count(UnitAssessment.status.in_(["pending", "returned"])) == 0

    def guard_none_pending(self) -> bool:
        return self._count(UnitAssessment.status.in_(["pending", "submitted", "returned"])) == 0

    def guard_all_graded(self) -> bool:
        return self._count(UnitAssessment.status.notin_(["graded", "closed"])) == 0

    def guard_all_closed(self) -> bool:
        return self._count(UnitAssessment.status != "closed") == 0

    def __str__(self) -> str:
        return self.name


class CyclePhase(db.Model):
    __tablename__ = "cycle_phases"
    __table_args__ = (sa.UniqueConstraint("cycle_id", "phase"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"), nullable=False)
    phase: Mapped[str] = mapped_column(enum_type(PHASES, "cycle_phase"), nullable=False)
    #: 1..4, the order of the phases
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    #: calendar dates in Asia/Shanghai
    starts_on: Mapped[date | None] = mapped_column(sa.Date)
    due_on: Mapped[date | None] = mapped_column(sa.Date)

    cycle = relationship("Cycle", back_populates="phases")

    @property
    def label(self) -> str:
        return PHASES[self.phase]


class UnitAssessment(Stateful, Timestamps, db.Model):
    __tablename__ = "unit_assessments"
    __table_args__ = (sa.UniqueConstraint("cycle_id", "unit_id"),)
    workflow = ASSESSMENT
    object_type = "assessment"
    scope_column = "unit_id"
    #: evaluators and the panel see an assessment only if assigned this (cycle, unit)
    cycle_column = "cycle_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"), nullable=False, index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="RESTRICT"), nullable=False, index=True)
    #: the unit's own total from its 自测得分表
    self_score: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))
    #: the panel's total (评议得分)
    review_score: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))
    #: one of GRADES once graded
    grade: Mapped[str | None] = mapped_column(enum_type(GRADES, "grade"))
    submitted_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    graded_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    cycle = relationship("Cycle", back_populates="assessments", lazy="joined")
    unit = relationship("Unit", lazy="joined")

    @property
    def grade_label(self) -> str:
        return GRADES.get(self.grade or "", "")

    @property
    def workflow_label(self) -> str:
        return f"{self.unit.name}的单位考评#{self.id}" if self.unit else super().workflow_label

    # -- guards -------------------------------------------------------------
    def guard_cycle_open(self) -> bool:
        return self.cycle.status in PHASES

    def guard_has_review_score(self) -> bool:
        return self.review_score is not None

    # -- effects: write columns only ----------------------------------------
    def apply_score(self, event) -> None:
        pass  # the score itself is an input the service sets before firing

    def apply_grade(self, event) -> None:
        self.graded_at = utcnow_naive()
