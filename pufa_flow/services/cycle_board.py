"""The office's cycle board: where the cycle stands, who is late, and what holds the next phase.

Counts are one grouped query; "late" is SQL too (the unit's own deadline,
extended or not, before today), so the numbers link to lists that show
exactly the rows counted.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from ..extensions import db
from ..models import PHASES, Cycle, UnitAssessment

AWAITING = UnitAssessment.workflow.definition.groups["awaiting_submission"]
#: the states the board always shows, in the order work moves
BOARD_STATES = ("pending", "submitted", "returned", "accepted")


def late_filter(cycle: Cycle, today: date):
    due = cycle.self_assessment_due
    own_due = sa.func.coalesce(UnitAssessment.extended_due_on, due) if due else UnitAssessment.extended_due_on
    return sa.and_(UnitAssessment.status.in_(AWAITING), own_due.is_not(None), own_due < today)


def late_count(base, cycle: Cycle, today: date) -> int:
    sub = base.where(late_filter(cycle, today)).subquery()
    return db.session.scalar(sa.select(sa.func.count()).select_from(sub))


@dataclass(frozen=True)
class Step:
    phase: str
    label: str
    starts_on: date | None
    due_on: date | None
    state: str  # done / current / future
    today_here: bool


def timeline(cycle: Cycle, today: date) -> list[Step]:
    order = list(PHASES)
    current = order.index(cycle.status) if cycle.status in order else (len(order) if cycle.status == "archived" else -1)
    out = []
    for i, p in enumerate(cycle.phases):
        state = "done" if i < current else "current" if i == current else "future"
        here = bool(p.starts_on and p.due_on and p.starts_on <= today <= p.due_on)
        out.append(Step(p.phase, p.label, p.starts_on, p.due_on, state, here))
    return out


def blockers(cycle: Cycle, counts: dict[str, int]) -> list[str]:
    """What stands between the cycle and its next phase, in plain words (empty: nothing)."""
    groups = UnitAssessment.workflow.definition.groups
    total = sum(counts.values())

    def n(states):
        return sum(counts.get(s, 0) for s in states)

    if cycle.status == "draft":
        out = [] if total else ["尚未纳入参评单位"]
        undated = [p.label for p in cycle.phases if not (p.starts_on and p.due_on)]
        if undated or len(cycle.phases) < len(PHASES):
            out.append(f"{'、'.join(undated) or '部分'}阶段的日期尚未填写")
        return out
    if cycle.status == "self_assessment":
        waiting = n(groups["awaiting_submission"])
        if not waiting:
            return []
        detail = "、".join(f"{label}{counts[s]}个" for s, label in (("pending", "待自评"), ("returned", "退回修改"))
                          if counts.get(s))
        return [f"还有{waiting}个单位未提交自评材料（{detail}）"]
    if cycle.status == "field_research":
        pending = n(groups["awaiting_acceptance"])
        return [f"还有{pending}个单位的自评材料待受理"] if pending else []
    if cycle.status == "acceptance":
        left = total - n(groups["graded"])
        return [f"还有{left}个单位尚未定等"] if left else []
    if cycle.status == "results":
        left = total - n(groups["closed"])
        return [f"还有{left}个单位的考评尚未归档"] if left else []
    return []
