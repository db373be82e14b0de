"""Indicator frameworks kept in the database: the library and each cycle's own copies.

A library row (``cycle_id`` empty) is a published version, seeded from the
registry or copied by the office to prepare next year's table. Creating a
cycle copies the framework of each unit kind into rows of that cycle, so a
later edit of the library never changes a score already computed. A cycle's
copy may be edited while the cycle is a draft and is frozen from the moment
it starts (``frozen_reason``).
"""
from __future__ import annotations

from functools import cached_property

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..frameworks import Framework
from ..frameworks.serial import from_dict
from .base import Timestamps, enum_type
from .org import UNIT_KINDS

FRAMEWORK_KINDS = {"score_sheet": "评分表", "checklist": "检查清单"}
#: which shipped framework a unit kind is assessed with (003: departments 附件2, counties 附件1)
DEFAULT_BY_KIND = {"city_department": "nanchang-2023", "county": "nanchang-county-checklist-2023",
                   "town": "nanchang-2023", "other": "nanchang-2023"}


class FrameworkVersion(Timestamps, db.Model):
    __tablename__ = "frameworks"
    __table_args__ = (sa.UniqueConstraint("cycle_id", "unit_kind"),
                      sa.Index("ix_frameworks_code_version", "code", "version"))

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the framework's id in the registry, e.g. nanchang-2023; copies keep it
    code: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    #: the published version, e.g. 2023; an office copy gets a new one
    version: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    kind: Mapped[str] = mapped_column(enum_type(FRAMEWORK_KINDS, "framework_kind"), nullable=False)
    #: the whole table as frameworks.serial.to_dict wrote it
    definition: Mapped[dict] = mapped_column(sa.JSON, nullable=False)
    #: the cycle this copy belongs to; empty for the library
    cycle_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"))
    #: the unit kind a cycle's copy is used for
    unit_kind: Mapped[str | None] = mapped_column(enum_type(UNIT_KINDS, "framework_unit_kind"))
    #: the row this one was copied from
    based_on_id: Mapped[int | None] = mapped_column(sa.ForeignKey("frameworks.id", ondelete="SET NULL"))

    cycle = relationship("Cycle", back_populates="frameworks")

    @cached_property
    def framework(self) -> Framework:
        return from_dict(self.definition)

    @property
    def kind_label(self) -> str:
        return FRAMEWORK_KINDS[self.kind]

    @property
    def frozen_reason(self) -> str | None:
        """Why this framework may not be edited now, or None."""
        if self.id is None:
            return "随系统发布的指标体系不能直接修改，请先写入指标体系库（pufa-flow frameworks seed）再复制为新版本"
        if self.cycle is not None and self.cycle.status != "draft":
            return f"指标体系已被考评周期“{self.cycle.name}”使用且该周期已启动，不能再修改；如需调整，请复制为新版本用于新的周期"
        if self.cycle is None and self.used_by_started_cycle():
            return "该版本已被已启动的考评周期使用，不能再修改；请复制为新版本后修改"
        return None

    def used_by_started_cycle(self) -> bool:
        from .cycles import Cycle

        stmt = (sa.select(sa.literal(1)).select_from(FrameworkVersion).join(Cycle, Cycle.id == FrameworkVersion.cycle_id)
                .where(FrameworkVersion.based_on_id == self.id, Cycle.status != "draft").limit(1))
        return db.session.scalar(stmt) is not None

    def __str__(self) -> str:
        return f"{self.name}（{self.version}）"


def shipped(unit_kind: str, cycle=None) -> FrameworkVersion:
    """The registry's default for a unit kind as an unsaved row: what a cycle created
    before frameworks were copied into cycles is scored against."""
    from ..frameworks.registry import get_framework
    from ..frameworks.serial import to_dict

    fw = get_framework(DEFAULT_BY_KIND.get(unit_kind, DEFAULT_BY_KIND["city_department"]))
    return FrameworkVersion(code=fw.id, version=fw.version, name=fw.name, kind=fw.kind,
                            definition=to_dict(fw), unit_kind=unit_kind)
