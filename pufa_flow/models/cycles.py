"""Assessment cycles (考评周期), their phase dates, and each unit's assessment."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, object_session, relationship

from workflows import ASSESSMENT, CYCLE

from ..extensions import db
from .base import Timestamps, enum_type
from .stateful import Stateful

#: the four working phases, in order; a phase id is also the cycle state id
PHASES = {
    "self_assessment": "自评",
    "field_research": "实地调研",
    "acceptance": "评估验收",
    "results": "结果运用",
}

GRADES = {"excellent": "优秀", "good": "良好", "pass": "合格", "fail": "不合格"}
#: cycle states in which the units may read their results (publish_results moves the cycle there)
RESULTS_PUBLISHED = frozenset({"results", "archived"})
GRADE_BY_LABEL = {label: gid for gid, label in GRADES.items()}
_GROUPS = ASSESSMENT.definition.groups
#: session.info key of the cached guard counts (see Cycle.assessment_counts)
GUARD_COUNTS = "pufa_cycle_guard_counts"


def forget_guard_counts(session, *args) -> None:
    session.info.pop(GUARD_COUNTS, None)


for _name in ("after_flush", "after_commit", "after_rollback", "after_soft_rollback"):
    sa.event.listen(Session, _name, forget_guard_counts)


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
    #: this cycle's own copies of the indicator frameworks, one per unit kind
    frameworks = relationship("FrameworkVersion", back_populates="cycle", cascade="all, delete-orphan",
                              order_by="FrameworkVersion.id")

    def framework_for(self, unit_kind: str):
        """The framework row used for units of this kind (departments' table for kinds without their own)."""
        from .frameworks import shipped

        by_kind = {f.unit_kind: f for f in self.frameworks}
        return by_kind.get(unit_kind) or by_kind.get("city_department") or shipped(unit_kind)

    @property
    def self_assessment_due(self) -> date | None:
        phase = self.phase("self_assessment")
        return phase.due_on if phase else None

    def phase(self, phase_id: str) -> "CyclePhase | None":
        return next((p for p in self.phases if p.phase == phase_id), None)

    # -- guards: side-effect-free, fed by one grouped count per page -------
    def assessment_counts(self) -> dict[str, int]:
        """{status: number of this cycle's assessments}.

        Read for every cycle in the session at once (one grouped query), so a
        list of cycles with its buttons costs the same whatever its length.
        The counts live until the session next flushes, commits or rolls back,
        and ``fire`` forgets them once it holds its locks.
        """
        session = object_session(self)
        cache = session.info.setdefault(GUARD_COUNTS, {})
        if self.id not in cache:
            ids = {o.id for o in list(session.identity_map.values())
                   if isinstance(o, Cycle) and o.id is not None and o.id not in cache} | {self.id}
            counts: dict[int, dict[str, int]] = {i: {} for i in ids}
            rows = session.execute(
                sa.select(UnitAssessment.cycle_id, UnitAssessment.status, sa.func.count())
                .where(UnitAssessment.cycle_id.in_(sorted(ids)))
                .group_by(UnitAssessment.cycle_id, UnitAssessment.status))
            for cycle_id, status, n in rows:
                counts[cycle_id][status] = n
            cache.update(counts)
        return cache[self.id]

    def _count(self, statuses=None, *, exclude=False) -> int:
        counts = self.assessment_counts()
        if statuses is None:
            return sum(counts.values())
        return sum(n for status, n in counts.items() if (status in statuses) != exclude)

    def guard_has_units(self) -> bool:
        return self._count() > 0

    def guard_has_phase_dates(self) -> bool:
        dated = {p.phase for p in self.phases if p.starts_on and p.due_on}
        return dated >= set(PHASES)

    def guard_all_submitted(self) -> bool:
        return self._count(_GROUPS["awaiting_submission"]) == 0

    def guard_none_pending(self) -> bool:
        return self._count(_GROUPS["awaiting_acceptance"]) == 0

    def guard_all_graded(self) -> bool:
        return self._count(_GROUPS["graded"], exclude=True) == 0

    def guard_all_closed(self) -> bool:
        return self._count(_GROUPS["closed"], exclude=True) == 0

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
    # the unique constraint leads with cycle_id, so cycle_id needs no index of its own;
    # (cycle_id, status) serves the cycle guards' grouped counts
    __table_args__ = (sa.UniqueConstraint("cycle_id", "unit_id"),
                      sa.Index("ix_unit_assessments_cycle_status", "cycle_id", "status"))
    workflow = ASSESSMENT
    object_type = "assessment"
    scope_column = "unit_id"
    # the cycle's phase guards count assessments; this one's guards read the cycle
    guarded_by = ("cycle",)
    #: evaluators and the panel see an assessment only if assigned this (cycle, unit)
    cycle_column = "cycle_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"), nullable=False)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="RESTRICT"), nullable=False, index=True)
    #: the unit's own total from its 自测得分表
    self_score: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))
    #: the panel's total (评议得分)
    review_score: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))
    #: one of GRADES once graded
    grade: Mapped[str | None] = mapped_column(enum_type(GRADES, "grade"))
    submitted_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    #: the unit's own 自评 deadline when the office extended it (else the phase's due date)
    extended_due_on: Mapped[date | None] = mapped_column(sa.Date)
    #: why the office extended it
    extension_reason: Mapped[str | None] = mapped_column(sa.String(500))
    graded_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    cycle = relationship("Cycle", back_populates="assessments", lazy="joined")
    unit = relationship("Unit", lazy="joined")
    workspace = relationship("SelfAssessment", back_populates="assessment", uselist=False,
                             cascade="all, delete-orphan", lazy="select")

    @property
    def due_on(self) -> date | None:
        """The last day this unit may submit its 自评 (Asia/Shanghai)."""
        return self.extended_due_on or self.cycle.self_assessment_due

    def is_late(self, today: date) -> bool:
        due = self.due_on
        return due is not None and today > due and self.status in _GROUPS["awaiting_submission"]

    @property
    def grade_label(self) -> str:
        return GRADES.get(self.grade or "", "")

    def result_visible_to(self, user) -> bool:
        """A unit learns its reviewed score and grade when the office publishes the results
        (the cycle reaches 结果运用), not while the office is still weighing them."""
        return getattr(user, "role", None) != "unit" or self.cycle.status in RESULTS_PUBLISHED

    @property
    def workflow_label(self) -> str:
        return f"{self.unit.name}的单位考评#{self.id}" if self.unit else super().workflow_label

    # -- guards -------------------------------------------------------------
    def guard_cycle_open(self) -> bool:
        return self.cycle.status in PHASES

    def guard_cycle_in_self_assessment(self) -> bool:
        return self.cycle.status == "self_assessment"

    def guard_has_review_score(self) -> bool:
        return self.review_score is not None

    # -- effects: write columns only ----------------------------------------
    def apply_self_score(self, event) -> None:
        """The total the unit's saved score sheet computes to (never typed)."""
        from .self_assessment import computed_self_score

        self.submitted_at = event.at
        self.self_score = computed_self_score(self)

    def apply_score(self, event) -> None:
        pass  # the score itself is an input the service sets before firing

    def apply_grade(self, event) -> None:
        self.graded_at = event.at
