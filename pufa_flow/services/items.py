"""Queries over rectification items shared by the API and the pages."""
from __future__ import annotations

import sqlalchemy as sa

from ..converters import MAX_ID
from ..models import RectificationItem
from ..models.scoping import scoped_select
from .calendar import overdue_filter, today
from .validation import choices_text, parse_int, shown

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off"}


def _flag(args, name: str) -> bool:
    value = args.get(name, "").strip().lower()
    if value and value not in TRUE | FALSE:
        raise ValueError(f"{name} 不正确：{shown(value)}（可选：true、false）")
    return value in TRUE


def filtered_items(user, args) -> sa.Select:
    """Items this user may see, filtered by unit_id, status, overdue, open; ValueError (Chinese) on bad filters."""
    stmt = scoped_select(RectificationItem, user)
    if raw := args.get("unit_id", "").strip():
        unit_id = parse_int(raw, minimum=1, maximum=MAX_ID)
        if unit_id is None:
            raise ValueError(f"unit_id 不正确：{shown(raw)}（应为单位编号，1 到 {MAX_ID} 之间的整数）")
        stmt = stmt.where(RectificationItem.unit_id == unit_id)
    if status := args.get("status", "").strip():
        states = RectificationItem.workflow.definition.states
        if status not in states:
            raise ValueError(f"status 不正确：{shown(status)}（可选：{choices_text(states)}）")
        stmt = stmt.where(RectificationItem.status == status)
    if _flag(args, "overdue"):
        stmt = stmt.where(overdue_filter(today()))
    if _flag(args, "open"):
        stmt = stmt.where(RectificationItem.status.in_(RectificationItem.workflow.definition.open_states))
    return stmt.order_by(RectificationItem.due_date, RectificationItem.id)
