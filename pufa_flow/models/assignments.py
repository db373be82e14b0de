"""Which units an evaluator or panel member examines in a cycle.

The row policy asks only "which (cycle, unit) pairs is this user assigned
to?" (``scoping.assigned_pairs``). Evaluation teams and panel assignments
(issue 12) fill this table from their own records, or replace that one
subquery; the policy's callers do not change.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import enum_type, utcnow_naive

ASSIGNMENT_ROLES = {"evaluator": "评委会成员", "panel": "评议团成员"}


class CycleAssignment(db.Model):
    __tablename__ = "cycle_assignments"
    __table_args__ = (
        sa.UniqueConstraint("cycle_id", "unit_id", "user_id"),
        sa.Index("ix_cycle_assignments_user_cycle", "user_id", "cycle_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"), nullable=False)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="CASCADE"), nullable=False, index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    #: the capacity the user examines the unit in (one of ASSIGNMENT_ROLES)
    role: Mapped[str] = mapped_column(enum_type(ASSIGNMENT_ROLES, "assignment_role"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow_naive)

    user = relationship("User")
    unit = relationship("Unit")
