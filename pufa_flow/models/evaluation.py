"""实地调研 and 评议: the sample of units visited, the teams that visit them, the panel.

Who examines which unit is kept in the records here (teams, their units and
members; the panel's assignments) and mirrored into ``cycle_assignments``,
the one table the row policy reads; services/evaluation.py keeps the two in
step inside the same transaction.
"""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import enum_type, utcnow_naive

AFFILIATIONS = {"npc": "人大代表", "cppcc": "政协委员", "lawyer": "律师", "media": "媒体", "other": "其他"}


class SampleDraw(db.Model):
    """One draw of the 实地调研 sample; the latest draw of a cycle is its sample.

    Everything needed to repeat it is kept: the seed, the quotas per unit
    kind, the units forced in and out, and the population it drew from.
    """
    __tablename__ = "sample_draws"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"), nullable=False, index=True)
    seed: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    #: {unit kind: number to draw}, forced-in units counted in
    quotas: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    forced_in: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    forced_out: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    #: the sampled unit ids, sorted
    unit_ids: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    drawn_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    drawn_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow_naive)

    drawn_by = relationship("User")


class EvaluationTeam(db.Model):
    """A 调研评估小组: a leader and members (evaluators) who visit their units."""
    __tablename__ = "evaluation_teams"
    __table_args__ = (sa.UniqueConstraint("cycle_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"), nullable=False)
    #: e.g. 第一调研评估小组
    name: Mapped[str] = mapped_column(sa.String(50), nullable=False)
    leader_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow_naive)

    leader = relationship("User", foreign_keys=[leader_id])
    members = relationship("TeamMember", cascade="all, delete-orphan", order_by="TeamMember.user_id")
    units = relationship("TeamUnit", cascade="all, delete-orphan", order_by="TeamUnit.unit_id")

    @property
    def member_ids(self) -> list[int]:
        return [m.user_id for m in self.members]

    @property
    def unit_ids(self) -> list[int]:
        return [u.unit_id for u in self.units]


class TeamMember(db.Model):
    __tablename__ = "evaluation_team_members"

    team_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation_teams.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)

    user = relationship("User")


class TeamUnit(db.Model):
    """A sampled unit visited by a team; a unit has one team per cycle."""
    __tablename__ = "evaluation_team_units"
    __table_args__ = (sa.UniqueConstraint("cycle_id", "unit_id"),)

    team_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation_teams.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="CASCADE"), primary_key=True)
    #: repeated from the team so that "one team per unit in a cycle" is a constraint
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"), nullable=False)
    #: the planned visit (实地调研) date
    visit_on: Mapped[date | None] = mapped_column(sa.Date)

    unit = relationship("Unit")


class PanelProfile(db.Model):
    """What a 评议团 member is: the affiliation shown beside their scores."""
    __tablename__ = "panel_profiles"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    affiliation: Mapped[str] = mapped_column(enum_type(AFFILIATIONS, "panel_affiliation"), nullable=False)
    #: e.g. 区人大常委会 / 某律师事务所
    organisation: Mapped[str] = mapped_column(sa.String(100), nullable=False, default="")

    user = relationship("User")

    @property
    def affiliation_label(self) -> str:
        return AFFILIATIONS[self.affiliation]
