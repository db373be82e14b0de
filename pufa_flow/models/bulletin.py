"""What the office writes into a cycle's 考评情况通报 (seed 000): the method, 主要成效, 存在问题, 下一步工作.

The counts sentence and the annex come from the grades; only these texts are
typed. One row per cycle, versioned so two offices editing at once conflict
instead of overwriting each other.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import utcnow_naive

#: the office's sections, in the bulletin's order: field -> heading
BULLETIN_SECTIONS = {"achievements": "取得的工作成效", "problems": "存在的问题", "next_steps": "下一步工作措施"}


class CycleBulletin(db.Model):
    __tablename__ = "cycle_bulletins"

    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"), primary_key=True)
    #: the opening's method before the counts ("…于10月9日至13日，采取各单位自查、实地察看…等方式，")
    method: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    #: 取得的工作成效; paragraphs separated by line breaks
    achievements: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    #: 存在的问题
    problems: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    #: 下一步工作措施
    next_steps: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    #: who saved it last
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow_naive,
                                                 onupdate=utcnow_naive)
    #: optimistic lock: a stale form is refused
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}
