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

    @declared_attr
    def status(cls) -> Mapped[str]:
        wf = cls.workflow
        return mapped_column(
            enum_type(wf.states, f"{wf.name}_status"), nullable=False,
            default=wf.definition.initial, index=True,
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
