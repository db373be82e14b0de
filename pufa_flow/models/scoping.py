"""Per-unit isolation: the one place that narrows unit-owned data to a user.

Every model that belongs to a unit names its ``scope_column``. A ``unit``
user sees only rows whose scope column is their unit; every other role sees
all rows (evaluators and the panel read across units until team assignment
narrows them). Asking for an object outside one's scope is a 404, exactly as
if it did not exist: no hint that it does.
"""
from __future__ import annotations

import sqlalchemy as sa

from ..errors import NotFound
from ..extensions import db


def is_unit_scoped(user) -> bool:
    return getattr(user, "role", None) == "unit"


def scope(stmt: sa.Select, model, user) -> sa.Select:
    column_name = getattr(model, "scope_column", None)
    if column_name is None or not is_unit_scoped(user):
        return stmt
    return stmt.where(getattr(model, column_name) == user.unit_id)


def scoped_select(model, user) -> sa.Select:
    return scope(sa.select(model), model, user)


def get_visible(model, object_id, user, *, for_update: bool = False):
    """The object if this user may see it, else NotFound (never Forbidden)."""
    try:
        object_id = int(object_id)
    except (TypeError, ValueError):
        raise NotFound("未找到该记录") from None
    stmt = scoped_select(model, user).where(model.id == object_id)
    if for_update:
        stmt = stmt.with_for_update()
    obj = db.session.scalars(stmt).unique().one_or_none()
    if obj is None:
        raise NotFound("未找到该记录")
    return obj


def can_see_unit(user, unit_id: int | None) -> bool:
    return not is_unit_scoped(user) or unit_id == user.unit_id
