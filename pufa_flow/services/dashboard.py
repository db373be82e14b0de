"""Figures for the home page: aggregates in SQL, scoped to the user."""
from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..models import PHASES, Cycle, RectificationItem, Unit, UnitAssessment
from ..models.scoping import scope
from .calendar import overdue_filter, today
from .items import filtered_items


def _count(model, user, *where) -> int:
    stmt = scope(sa.select(sa.func.count()).select_from(model), model, user).where(*where)
    return db.session.scalar(stmt)


def summary(user) -> dict:
    open_states = RectificationItem.workflow.definition.open_states
    return {
        "units": _count(Unit, user, Unit.is_active.is_(True)),
        "active_cycles": _count(Cycle, user, Cycle.status.in_(list(PHASES))),  # a phase is a state
        "assessments_open": _count(UnitAssessment, user, UnitAssessment.status.in_(
            sorted(UnitAssessment.workflow.definition.open_states))),
        "items_open": _count(RectificationItem, user, RectificationItem.status.in_(open_states)),
        # as the overdue list counts them: submitted items wait for the office and are shown apart
        "items_overdue": _count(RectificationItem, user, overdue_filter(today()),
                                RectificationItem.status != "submitted"),
        "items_submitted": _count(RectificationItem, user, RectificationItem.status == "submitted"),
    }


def open_items(user, limit: int = 10) -> list[RectificationItem]:
    """The nearest deadlines first: what a unit must do next."""
    return list(db.session.scalars(filtered_items(user, {"open": "1"}).limit(limit)))


def oldest_overdue(user, limit: int = 10) -> list[RectificationItem]:
    return list(db.session.scalars(filtered_items(user, {"overdue": "1"}).limit(limit)))


def overdue_by_unit(user, limit: int = 10) -> list[tuple[int, str, int]]:
    """(unit id, name, overdue items), most first: one GROUP BY, not a loop."""
    n = sa.func.count(RectificationItem.id).label("n")
    stmt = (scope(sa.select(Unit.id, Unit.name, n).join(RectificationItem, RectificationItem.unit_id == Unit.id),
                  RectificationItem, user)
            .where(overdue_filter(today()), RectificationItem.status != "submitted").group_by(Unit.id, Unit.name).order_by(n.desc(), Unit.name).limit(limit))
    return [tuple(row) for row in db.session.execute(stmt)]


def current_assessments(user) -> list[UnitAssessment]:
    stmt = (scope(sa.select(UnitAssessment), UnitAssessment, user).join(Cycle, Cycle.id == UnitAssessment.cycle_id)
            .where(Cycle.status.notin_(["draft", "archived"])).order_by(Cycle.year.desc(), UnitAssessment.id).limit(20))
    return list(db.session.scalars(stmt))
