"""Figures for the home page: aggregates in SQL, scoped to the user."""
from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..models import Cycle, RectificationItem, Unit, UnitAssessment
from ..models.scoping import scope
from .calendar import overdue_filter, today


def _count(model, user, *where) -> int:
    stmt = scope(sa.select(sa.func.count()).select_from(model), model, user).where(*where)
    return db.session.scalar(stmt)


def summary(user) -> dict:
    open_states = RectificationItem.workflow.definition.open_states
    return {
        "units": _count(Unit, user, Unit.is_active.is_(True)),
        "active_cycles": _count(Cycle, user, Cycle.status.notin_(["draft", "archived"])),
        "assessments_open": _count(UnitAssessment, user, UnitAssessment.status.notin_(["closed"])),
        "items_open": _count(RectificationItem, user, RectificationItem.status.in_(open_states)),
        "items_overdue": _count(RectificationItem, user, overdue_filter(today())),
        "items_submitted": _count(RectificationItem, user, RectificationItem.status == "submitted"),
    }
