"""What a unit writes in its 自评 workspace, beside the assessment's state.

One row per assessment, created on the first save. It is kept apart from
``unit_assessments`` so a draft save does not bump the assessment's version
(the office's open accept/return form stays valid) and the state row stays
narrow for the board's counts.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow_naive


class SelfAssessment(db.Model):
    __tablename__ = "self_assessments"
    #: the row policy reads this by the unit it belongs to
    scope_column = "unit_id"

    assessment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("unit_assessments.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="RESTRICT"), nullable=False, index=True)
    #: score-sheet entries [{"rule_id", "count", "tier", "note", "evidence": [attachment ids]}]; None: never saved
    entries: Mapped[list | None] = mapped_column(sa.JSON)
    #: the unit's choice on each deduction its filing record suggests (services/record_suggestions.py):
    #: [{"rule_id", "suggested", "chosen", "note"}], one per suggested rule the unit changed; None: never saved
    record_choices: Mapped[list | None] = mapped_column(sa.JSON)
    #: checklist answers [{"item", "answer", "note"}] (counties, 附件1)
    answers: Mapped[list | None] = mapped_column(sa.JSON)
    #: the 自评报告 written in the page (an uploaded file is an attachment of owner_type self_report)
    report_text: Mapped[str | None] = mapped_column(sa.Text)
    #: 问题清单 [{"title", "body"}]
    problems: Mapped[list | None] = mapped_column(sa.JSON)
    #: 典型创新案例 [{"title", "background", "practice", "lessons"}]
    cases: Mapped[list | None] = mapped_column(sa.JSON)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow_naive,
                                                 onupdate=utcnow_naive)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    #: bumped by every save: two people saving the same workspace cannot both win
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    assessment = relationship("UnitAssessment", back_populates="workspace")

    __mapper_args__ = {"version_id_col": version}


def scored_entries(entries: list | None) -> list[dict]:
    """The part of saved entries the scoring reads (evidence ids stay out of it)."""
    return [{k: e.get(k) for k in ("rule_id", "count", "tier", "note") if e.get(k) is not None}
            for e in (entries or [])]


def computed_self_score(assessment):
    """The total of the unit's saved 自测得分表, or None (checklist frameworks, nothing saved)."""
    from ..frameworks import ScoreSheetInvalid, compute

    row = assessment.cycle.framework_for(assessment.unit.kind)
    ws = assessment.workspace
    if row is None or row.kind != "score_sheet" or ws is None or ws.entries is None:
        return None
    try:
        sheet = compute(row.framework, scored_entries(ws.entries),
                        has_enforcement_power=assessment.unit.has_enforcement_power)
    except ScoreSheetInvalid:
        return None
    return sheet.total.quantize(Decimal("0.01"))
