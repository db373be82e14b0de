"""Row policies: the one place that decides which rows a user may read or write.

One rule per (model, role). Lists, object lookups, downloads, exports and
``workflow.fire`` all ask here, so a role's view of the data cannot differ
between a page, the API and a file:

* ``office``: every row, read and write;
* ``viewer`` (leaders): every row, read only; never writes, never fires;
* ``unit``: rows of its own unit (the model's ``scope_column``); cycles only
  those it takes part in (it has an assessment), never a draft;
* ``evaluator`` and ``panel``: rows of the units assigned to them in a cycle
  (``cycle_assignments``); on a model that names its cycle
  (``cycle_column``), only the pairs assigned; cycles they are assigned in.

Models without a ``scope_column`` (phases, calendar overrides) are shared
reference data every signed-in role reads. Asking for a row outside one's
policy is a 404, exactly as if it did not exist: no hint that it does.
"""
from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from ..errors import Forbidden, NotFound
from ..extensions import db
from .assignments import CycleAssignment
from .cycles import Cycle, UnitAssessment

#: roles that read but never write
READ_ONLY_ROLES = frozenset({"viewer"})
#: roles whose view is narrowed to the units assigned to them
ASSIGNED_ROLES = frozenset({"evaluator", "panel"})

#: a rule: the WHERE clause narrowing ``model`` for ``user`` (None = every row)
Rule = Callable[[type, object], "sa.ColumnElement[bool] | None"]


def assigned_pairs(user) -> sa.Select:
    """(cycle_id, unit_id) pairs this evaluator or panel member examines.

    The only place the policy reads assignments: issue 12's teams may fill
    ``cycle_assignments`` or replace this subquery.
    """
    return sa.select(CycleAssignment.cycle_id, CycleAssignment.unit_id).where(
        CycleAssignment.user_id == user.id)


def _every_row(model, user):
    return None


def _unit_column(model):
    name = getattr(model, "scope_column", None)
    return getattr(model, name) if name else None


def _own_unit(model, user):
    column = _unit_column(model)
    if column is None:
        return None
    return column == user.unit_id if user.unit_id is not None else sa.false()


def _assigned_units(model, user):
    column = _unit_column(model)
    if column is None:
        return None
    pairs = assigned_pairs(user).subquery()
    cycle_name = getattr(model, "cycle_column", None)
    where = [pairs.c.unit_id == column]
    if cycle_name:
        where.append(pairs.c.cycle_id == getattr(model, cycle_name))
    return sa.exists().where(*where)


def _unit_cycles(model, user):
    takes_part = sa.exists().where(UnitAssessment.cycle_id == Cycle.id,
                                   UnitAssessment.unit_id == user.unit_id)
    return sa.and_(Cycle.status != Cycle.workflow.definition.initial, takes_part)


def _assigned_cycles(model, user):
    pairs = assigned_pairs(user).subquery()
    return sa.exists().where(pairs.c.cycle_id == Cycle.id)


def _own_panel_sheets(model, user):
    """A panel member reads only the sheets they wrote, on units still assigned to them."""
    return sa.and_(model.user_id == user.id, _assigned_units(model, user))


def _nothing(model, user):
    return sa.false()


#: rules by role, for every model that names a scope column
DEFAULT_RULES: dict[str, Rule] = {
    "office": _every_row, "viewer": _every_row,
    "unit": _own_unit, "evaluator": _assigned_units, "panel": _assigned_units,
}
#: (model, role) rules that differ from the role's default
RULES: dict[tuple[type, str], Rule] = {
    (Cycle, "unit"): _unit_cycles,
    (Cycle, "evaluator"): _assigned_cycles,
    (Cycle, "panel"): _assigned_cycles,
}


def _panel_rules() -> None:
    """Panel score sheets: each member their own; evaluators and units none (the office and viewers read all)."""
    from .panel import PanelScore

    RULES[(PanelScore, "panel")] = _own_panel_sheets
    RULES[(PanelScore, "evaluator")] = _nothing
    RULES[(PanelScore, "unit")] = _nothing


_panel_rules()


def rule_for(model, user) -> Rule:
    role = getattr(user, "role", None)
    rule = RULES.get((model, role)) or DEFAULT_RULES.get(role)
    if rule is None:  # an unknown role sees nothing rather than everything
        return lambda model, user: sa.false()
    return rule


def scope(stmt: sa.Select, model, user) -> sa.Select:
    """``stmt`` narrowed to the rows of ``model`` this user may read."""
    where = rule_for(model, user)(model, user)
    return stmt if where is None else stmt.where(where)


def visible(model, user) -> sa.Select:
    """SELECT of the rows of ``model`` this user may read."""
    return scope(sa.select(model), model, user)


scoped_select = visible  # the name the views used before the policy had roles


def get_visible(model, object_id, user, *, for_update: bool = False):
    """The object if this user may read it, else NotFound (never Forbidden)."""
    try:
        object_id = int(object_id)
    except (TypeError, ValueError):
        raise NotFound("未找到该记录") from None
    stmt = visible(model, user).where(model.id == object_id)
    if for_update:  # OF the model: PostgreSQL refuses to lock the nullable side of an eager outer join
        stmt = stmt.with_for_update(of=model)
    obj = db.session.scalars(stmt).unique().one_or_none()
    if obj is None:
        raise NotFound("未找到该记录")
    return obj


def can_read(user, obj) -> bool:
    """Whether ``obj`` (already loaded) is within the user's policy; no query for office/viewer/unit rows."""
    model = type(obj)
    if getattr(user, "role", None) == "unit" and (model, "unit") not in RULES:
        # the unit's default rule (_own_unit), compared on the loaded row: no clause built
        name = getattr(model, "scope_column", None)
        return name is None or getattr(obj, name) == user.unit_id
    where = rule_for(model, user)(model, user)
    if where is None:
        return True
    stmt = sa.select(sa.literal(1)).select_from(model).where(model.id == obj.id, where)
    return db.session.scalar(stmt) is not None


def can_write(user, obj) -> bool:
    """Whether the user may change ``obj`` at all (which change is the workflow's role check)."""
    return getattr(user, "role", None) not in READ_ONLY_ROLES and can_read(user, obj)


def check_write(user, obj) -> None:
    """NotFound outside the policy (as if absent), Forbidden for a read-only role."""
    if not can_read(user, obj):
        raise NotFound("未找到该记录")
    if getattr(user, "role", None) in READ_ONLY_ROLES:
        raise Forbidden("当前角色只能查阅，不能修改")


def can_see_unit(user, unit_id: int | None) -> bool:
    role = getattr(user, "role", None)
    if role == "unit":
        return unit_id == user.unit_id
    if role in ASSIGNED_ROLES:
        stmt = assigned_pairs(user).where(CycleAssignment.unit_id == unit_id).limit(1)
        return db.session.execute(stmt).first() is not None
    return role in DEFAULT_RULES
