"""Firing a trigger: the only way any state column changes.

One call, one transaction: lock the row (PostgreSQL) or rely on the version
column (both), check and set the inputs, fire through the class-level
machine, write the audit row and any outbox rows, commit. If anything raises,
nothing changed. Two writers of one object: the loser gets a Conflict (stale
version) or a TransitionRefused (the state moved on), never a silent
overwrite.
"""
from __future__ import annotations

import functools
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from workflows import TransitionEvent

from ..errors import stale_object_conflict
from ..extensions import db
from ..models import AuditEvent
from ..models.base import utcnow_naive
from ..models.scoping import check_write
from ..models.stateful import firing
from . import audit, transition_notices
from .transaction import transaction
from .transition_inputs import clean_inputs

#: columns whose before/after values go into the audit row
WATCHED = {
    "cycle": (),
    "assessment": ("self_score", "review_score", "grade"),
    "item": ("due_date", "requested_due_date", "measures"),
}


def _jsonable(value):
    if isinstance(value, (date, Decimal)):
        return str(value)
    return value


def _lock(obj):
    """Serialise writers on PostgreSQL; SQLite relies on the version check alone."""
    if db.session.get_bind().dialect.name != "postgresql":
        return obj
    model = type(obj)
    stmt = (sa.select(model).where(model.id == obj.id).with_for_update(of=model)
            .execution_options(populate_existing=True))
    return db.session.scalars(stmt).unique().one()


@functools.lru_cache(maxsize=64)
def _update_statement(table: sa.Table, keys: tuple[str, ...]) -> sa.Update:
    """One statement per (table, changed columns), built once and reused."""
    values = {k: sa.bindparam(f"v_{k}", type_=table.c[k].type) for k in keys}
    return (table.update()
            .where(table.c.id == sa.bindparam("w_id"), table.c.version == sa.bindparam("w_version"))
            .values(values))


def _write_state(obj) -> None:
    """The versioned UPDATE of what the trigger and its effects changed.

    Written as one statement rather than through the unit of work (which cost
    as much as the rest of a transition): ``WHERE id AND version`` is the same
    check SQLAlchemy's version column makes, and a row that moved on under us
    is the same Conflict. The values are then marked committed on the object;
    a rollback expires them as usual.
    """
    state = sa.inspect(obj)
    obj.updated_at, obj.version = utcnow_naive(), obj.version + 1
    keys = tuple(sorted(k for k in state.committed_state if k in state.mapper.columns))
    params = {f"v_{k}": state.dict[k] for k in keys}
    params.update(w_id=obj.id, w_version=state.committed_state["version"])
    result = db.session.execute(_update_statement(state.mapper.local_table, keys), params)
    if result.rowcount != 1:
        raise stale_object_conflict(obj.workflow_label)
    # What a flush does after its UPDATE: the values are now the committed
    # ones and the object is clean, so the commit has nothing left to flush.
    state._commit_all(state.dict, db.session.identity_map)


def _structurally_possible(obj, trigger: str, role: str) -> bool:
    wf = obj.workflow
    if trigger not in wf.triggers:
        return False
    t = wf.transition(trigger)
    return obj.status in t.sources and role in t.roles


def fire(obj, trigger: str, *, actor, comment: str | None = None, force: bool = False,
         data: dict | None = None, expected_version: int | None = None) -> TransitionEvent:
    check_write(actor, obj)  # the row policy: NotFound outside it, Forbidden for read-only roles
    with firing(), transaction():
        obj = _lock(obj)
        if expected_version is not None and obj.version != expected_version:
            raise stale_object_conflict(obj.workflow_label)
        columns, engine_data = ({}, {})
        if _structurally_possible(obj, trigger, actor.role):
            columns, engine_data = clean_inputs(obj, trigger, data or {})
        watched = WATCHED[obj.object_type]
        before = {k: getattr(obj, k) for k in watched}
        for key, value in columns.items():
            setattr(obj, key, value)
        with db.session.no_autoflush:
            event = obj.workflow.fire(obj, trigger, role=actor.role, comment=comment, force=force,
                                      **engine_data)
            changes = {k: [_jsonable(before[k]), _jsonable(getattr(obj, k))]
                       for k in watched if before[k] != getattr(obj, k)}
            _write_state(obj)
        audit.record(
            "transition", obj.object_type, obj.id, actor=actor, unit_id=getattr(obj, "unit_id", None),
            trigger=trigger, from_state=event.source, to_state=event.dest, comment=event.comment,
            data={"forced": event.forced, "changes": changes,
                  **{k: _jsonable(v) for k, v in engine_data.items()}},
        )
        # The version this transition created names it uniquely for the outbox keys.
        transition_notices.enqueue(obj, event, new_version=obj.version)
    return event


def guarded_transitions(obj, role: str, allowed: list[str]) -> list:
    """Transitions this role could force now: right state and role, only a guard in the way."""
    wf = obj.workflow
    if role not in wf.definition.forcible_by:
        return []
    return [t for t in wf.definition.transitions
            if obj.status in t.sources and role in t.roles and t.trigger not in allowed]


def history(obj) -> list[AuditEvent]:
    stmt = (sa.select(AuditEvent)
            .where(AuditEvent.object_type == obj.object_type, AuditEvent.object_id == obj.id)
            .order_by(AuditEvent.id))
    return list(db.session.scalars(stmt))
