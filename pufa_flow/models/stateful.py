"""Binding of the workflow machines (workflows/) to tables.

A stateful table keeps its state in ``status`` (CHECK-constrained to the
machine's states) and a ``version`` column that SQLAlchemy bumps on every
UPDATE, so two writers of one row cannot both win. Nothing here fires a
trigger: that is services.workflow's job, inside a transaction.
"""
from __future__ import annotations

from typing import ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from workflows import Workflow

from .base import enum_type


class Stateful:
    workflow: ClassVar[Workflow]
    #: the object_type used in the audit log and the API
    object_type: ClassVar[str]
    #: many-to-one relationships whose rows this object's guards read (or
    #: whose guards read this object's state): fire locks them FOR SHARE
    guarded_by: ClassVar[tuple[str, ...]] = ()
    #: False where a composite index already leads with status
    status_index: ClassVar[bool] = True

    @declared_attr
    def status(cls) -> Mapped[str]:
        wf = cls.workflow
        return mapped_column(
            enum_type(wf.states, f"{wf.name}_status"), nullable=False,
            default=wf.definition.initial, index=cls.status_index,
        )

    @declared_attr
    def version(cls) -> Mapped[int]:
        return mapped_column(sa.Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.version}

    @property
    def status_label(self) -> str:
        return self.workflow.state_label(self.status)

    @property
    def is_open(self) -> bool:
        return self.status in self.workflow.definition.open_states

    def allowed_triggers(self, role: str) -> list[str]:
        return self.workflow.allowed_triggers(self, role)

    @property
    def workflow_label(self) -> str:
        return f"{self.workflow.definition.label}#{self.id}"


# -- the guard: state columns change only while a trigger is being fired ------
import contextvars  # noqa: E402
from contextlib import contextmanager  # noqa: E402

from sqlalchemy import event, inspect  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

_firing: contextvars.ContextVar[frozenset[int]] = contextvars.ContextVar(
    "pufa_flow_firing", default=frozenset())


class StateChangeOutsideWorkflow(RuntimeError):
    """A state column was written without firing a trigger: a defect, never a user error."""


@contextmanager
def firing(obj):
    """Opened by services.workflow.fire only: ``obj``'s state may change, no other's."""
    token = _firing.set(_firing.get() | {id(obj)})
    try:
        yield
    finally:
        _firing.reset(token)


@event.listens_for(Session, "before_flush")
def _refuse_unfired_state_changes(session, flush_context, instances):
    allowed = _firing.get()
    for obj in session.dirty:
        if isinstance(obj, Stateful) and id(obj) not in allowed and inspect(obj).attrs.status.history.has_changes():
            raise StateChangeOutsideWorkflow(f"{obj.workflow_label} 的状态只能通过流程操作改变")
    for obj in session.new:
        if isinstance(obj, Stateful) and obj.status not in (None, obj.workflow.definition.initial):
            raise StateChangeOutsideWorkflow(f"新建的{obj.workflow.definition.label}必须处于初始状态")
