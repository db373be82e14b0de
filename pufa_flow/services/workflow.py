"""Firing a trigger: the only way any state column changes.

``fire`` runs inside the caller's unit of work when there is one (a
``transaction()`` block: many triggers, one commit, all or nothing) and is
its own transaction otherwise. Either way: lock the row, and the rows its
guards read, on PostgreSQL; rely on the version column on both; check and set
the inputs, fire through the class-level machine, flush, write the audit row
and any outbox rows. If anything raises, nothing changed. Two writers of one
object: the loser gets a Conflict (stale version) or a TransitionRefused (the
state moved on), never a silent overwrite.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import MANYTOONE, lazyload
from sqlalchemy.orm.exc import StaleDataError

from workflows import TransitionEvent

from ..clock import utcnow_naive
from ..errors import Conflict, ValidationFailed, stale_object_conflict
from ..extensions import db
from ..models import AuditEvent
from ..models.cycles import forget_guard_counts
from ..models.scoping import check_write
from ..models.stateful import firing
from . import audit, reminders, transition_notices
from .reminders.schedule import plan_key
from .transaction import transaction
from .transition_inputs import clean_inputs
from .validation import MAX_LEN, clean_text


#: longer than any trigger id of any workflow
MAX_TRIGGER = 50


def _jsonable(value):
    if isinstance(value, (date, Decimal)):
        return str(value)
    return value


def _lock(obj):
    """Serialise writers on PostgreSQL; SQLite relies on the version check alone.

    The object's row is taken FOR UPDATE, and the parents its guards read
    (``Stateful.guarded_by``) FOR SHARE: a child's transition and its
    parent's (which counts the children under FOR UPDATE) then run one after
    the other, so "all units submitted" is never true and false at once.
    Parents first, always, so two such writers cannot deadlock.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return obj
    for name in type(obj).guarded_by:
        rel = sa.inspect(type(obj)).relationships[name]
        parent = rel.mapper.class_
        (fk,) = [c.key for c in rel.local_columns]
        # fetched, not only executed: populate_existing refreshes the rows it returns
        db.session.scalars(sa.select(parent).where(parent.id == getattr(obj, fk))
                           .with_for_update(read=True, of=parent)
                           .execution_options(populate_existing=True)).unique().all()
    model = type(obj)
    # Its own row read afresh, its relationships left to load on first use instead
    # of joined here (an item joins its unit, and a unit read again drops its loaded
    # contacts, which the outbox would then query on every transition). Many-to-one
    # neighbours already loaded are held meanwhile and found again in the session.
    state = sa.inspect(obj)
    loaded = [r.key for r in state.mapper.relationships
              if r.direction is MANYTOONE and r.key not in state.unloaded]
    held = [getattr(obj, key) for key in loaded]  # noqa: F841 - kept in the identity map
    stmt = (sa.select(model).where(model.id == obj.id).with_for_update(of=model)
            .options(lazyload("*")).execution_options(populate_existing=True))
    obj = db.session.scalars(stmt).one()
    for key in loaded:
        getattr(obj, key)  # by primary key from the identity map: no query
    return obj


def _write_state(obj) -> None:
    """The versioned UPDATE of what the trigger and its effects changed: a flush.

    The version column makes it ``UPDATE … WHERE id = ? AND version = ?``; a
    row that moved on under us raises StaleDataError, which is a Conflict.
    Whatever the effects added or linked (children, relationships) is flushed
    with it, foreign keys filled in by the unit of work.
    """
    label = obj.workflow_label  # read now: after a failed flush the session is unusable
    try:
        db.session.flush()
    except StaleDataError:
        raise stale_object_conflict(label) from None


def _structurally_possible(obj, trigger: str, role: str) -> bool:
    wf = obj.workflow
    if trigger not in wf.triggers:
        return False
    t = wf.transition(trigger)
    return obj.status in t.sources and role in t.roles


def fire(obj, trigger: str, *, actor, comment: str | None = None, force: bool = False,
         data: dict | None = None, expected_version: int | None = None) -> TransitionEvent:
    """Fire ``trigger`` on ``obj`` as ``actor``; commits unless inside a ``transaction()``.

    ``data``: the inputs the transition declares (``Transition.inputs``);
    ``expected_version``: refuse with a Conflict if the object changed since
    the caller read it. Raises TransitionRefused, ValidationFailed, Conflict,
    NotFound; on any of them nothing of this call (nor of the enclosing unit
    of work) is written.
    """
    check_write(actor, obj)  # the row policy: NotFound outside it, Forbidden for read-only roles
    if not isinstance(trigger, str) or len(trigger) > MAX_TRIGGER:
        # an unknown trigger is refused (409) naming the allowed ones; one this long is junk, not echoed
        raise ValidationFailed({"trigger": f"trigger 应为不超过{MAX_TRIGGER}个字符的操作代码"})
    comment = _clean_comment(comment)
    with transaction(), firing(obj):
        obj = _lock(obj)
        forget_guard_counts(db.session)  # guards read what the locks now protect
        if expected_version is not None and obj.version != expected_version:
            raise stale_object_conflict(obj.workflow_label)
        columns, engine_data = ({}, {})
        if _structurally_possible(obj, trigger, actor.role):
            columns, engine_data = clean_inputs(obj, trigger, data or {})
        watched = obj.workflow.definition.watched
        before = {k: getattr(obj, k) for k in watched}
        planned = plan_key(obj)
        for key, value in columns.items():
            setattr(obj, key, value)
        now = utcnow_naive()
        with db.session.no_autoflush:
            event = obj.workflow.fire(obj, trigger, role=actor.role, comment=comment, force=force,
                                      at=now, **engine_data)
            changes = {k: [_jsonable(before[k]), _jsonable(getattr(obj, k))]
                       for k in watched if before[k] != getattr(obj, k)}
        _write_state(obj)  # first: a writer that lost the race stops here, with a Conflict
        # its next reminder moves with it: ended, re-anchored (extension), or another ladder;
        # an item's or assessment's rows only when what they are planned from changed
        # (else they already match: no read of its rows, no calendar)
        if planned is None or plan_key(obj) != planned:
            reminders.replan(obj, now=now)
        audit.record(
            "transition", obj.object_type, obj.id, actor=actor, unit_id=getattr(obj, "unit_id", None),
            trigger=trigger, from_state=event.source, to_state=event.dest, comment=event.comment,
            data={"forced": event.forced, "changes": changes,
                  **{k: _jsonable(v) for k, v in engine_data.items()}},
            at=now,
        )
        # The version this transition created names it uniquely for the outbox keys.
        transition_notices.enqueue(obj, event, new_version=obj.version)
    return event


def refuse_dedicated(obj, trigger) -> None:
    """The generic transition form and API refuse a step that has its own page and service.

    Those steps compute what they write (a final score from the panel sheets,
    grades from the cycle's rules, notices from the opinions): typing it into
    the generic form would bypass that, so they are a 409 naming the place.
    """
    wf = obj.workflow
    if isinstance(trigger, str) and trigger in wf.triggers and (place := wf.transition(trigger).dedicated):
        raise Conflict(f"「{wf.trigger_label(trigger)}」不能在通用操作中执行，请到{place}办理",
                       details={"reason": "dedicated", "trigger": trigger})


def dedicated_triggers(obj) -> set[str]:
    return {t.trigger for t in obj.workflow.definition.transitions if t.dedicated}


def _clean_comment(comment):
    """The comment bounded like every free text (it is kept in the audit log forever)."""
    if comment is None:
        return None
    errors: dict[str, str] = {}
    comment = clean_text(comment, "comment", "说明", errors, max_len=MAX_LEN["comment"],
                         required=False, multiline=True)
    if errors:
        raise ValidationFailed(errors)
    return comment


def guarded_transitions(obj, role: str, allowed: list[str]) -> list:
    """Transitions this role could force now: right state and role, only a guard in the way."""
    wf = obj.workflow
    if role not in wf.definition.forcible_by:
        return []
    return [t for t in wf.definition.transitions
            if obj.status in t.sources and role in t.roles and t.trigger not in allowed and not t.dedicated]


def history(obj) -> list[AuditEvent]:
    stmt = (sa.select(AuditEvent)
            .where(AuditEvent.object_type == obj.object_type, AuditEvent.object_id == obj.id)
            .order_by(AuditEvent.id))
    return list(db.session.scalars(stmt))
