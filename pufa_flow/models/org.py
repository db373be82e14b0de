"""Responsible units (责任单位) and their contacts."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import Timestamps, enum_type

UNIT_KINDS = {
    "city_department": "市（区）直部门",
    "county": "县（市、区）",
    "town": "乡镇（街道）",
    "other": "其他",
}

CONTACT_ROLES = {
    "principal": "主要负责人",
    "leader": "分管领导",
    "liaison": "联络员",
}


class Unit(Timestamps, db.Model):
    __tablename__ = "units"
    __table_args__ = (
        # One name per parent; coalesce makes top-level units (no parent) collide too.
        sa.Index("uq_units_parent_name", sa.func.coalesce(sa.text("parent_id"), 0), "name", unique=True),
    )
    #: the column per-unit scoping compares with the user's unit
    scope_column = "id"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: official short name, e.g. 区司法局
    name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    #: one of UNIT_KINDS
    kind: Mapped[str] = mapped_column(enum_type(UNIT_KINDS, "unit_kind"), nullable=False)
    #: the unit above this one (a town's county), if any
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    #: 执法权限: some deduction rules do not apply to units without it
    has_enforcement_power: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    #: inactive units stay for history but take no part in new cycles
    is_active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)

    parent = relationship("Unit", remote_side=[id], lazy="joined", innerjoin=False)
    contacts = relationship(
        "Contact", back_populates="unit", cascade="all, delete-orphan", order_by="Contact.id"
    )

    @property
    def kind_label(self) -> str:
        return UNIT_KINDS.get(self.kind, self.kind)

    def __str__(self) -> str:
        return self.name


class Contact(Timestamps, db.Model):
    __tablename__ = "contacts"
    scope_column = "unit_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the unit this person speaks for
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="CASCADE"), nullable=False, index=True)
    #: 主要负责人 / 分管领导 / 联络员
    role: Mapped[str] = mapped_column(enum_type(CONTACT_ROLES, "contact_role"), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(50), nullable=False)
    #: mobile (11 digits) or landline with area code; reminders by SMS need a mobile
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    email: Mapped[str | None] = mapped_column(sa.String(254))

    unit = relationship("Unit", back_populates="contacts")

    @property
    def role_label(self) -> str:
        return CONTACT_ROLES.get(self.role, self.role)
