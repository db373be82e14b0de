"""Column helpers shared by the tables.

Enumerations are stored as short English ids with a CHECK constraint (the
database refuses what the code would refuse); their Chinese labels live next
to the ids in one dict, so code, API and pages share one vocabulary.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import utcnow_naive

__all__ = ["utcnow_naive", "enum_type", "Timestamps"]


def enum_type(values, name: str) -> sa.Enum:
    return sa.Enum(
        *values, name=name, native_enum=False, create_constraint=True, length=32,
        validate_strings=True,
    )


class Timestamps:
    #: when the row was created (UTC)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow_naive, nullable=False)
    #: when the row last changed (UTC)
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime, default=utcnow_naive, onupdate=utcnow_naive, nullable=False
    )
