"""Queries over rectification items shared by the API and the pages."""
from __future__ import annotations

import sqlalchemy as sa

from ..models import RectificationItem
from ..models.scoping import scoped_select
from .calendar import overdue_filter, today

TRUE = {"1", "true", "yes", "on"}


def filtered_items(user, args) -> sa.Select:
    """Items this user may see, filtered by unit_id, status, overdue, open; ValueError on bad filters."""
    stmt = scoped_select(RectificationItem, user)
    if unit_id := args.get("unit_id", "").strip():
        if not unit_id.isdigit():
            raise ValueError("unit_id 必须是整数")
        stmt = stmt.where(RectificationItem.unit_id == int(unit_id))
    if status := args.get("status", "").strip():
        if status not in RectificationItem.workflow.states:
            raise ValueError(f"status 不正确：{status}")
        stmt = stmt.where(RectificationItem.status == status)
    if args.get("overdue", "").lower() in TRUE:
        stmt = stmt.where(overdue_filter(today()))
    if args.get("open", "").lower() in TRUE:
        stmt = stmt.where(RectificationItem.status.in_(RectificationItem.workflow.definition.open_states))
    return stmt.order_by(RectificationItem.due_date, RectificationItem.id)
