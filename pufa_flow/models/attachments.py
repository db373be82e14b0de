"""Uploaded files (附件): one table for every feature that takes files.

The bytes live in the upload folder under a random name; this row holds
what the user knows the file by and what it belongs to. ``owner_type`` /
``owner_id`` name the object it is attached to (an assessment's
self-assessment report, an item's evidence, a team report…), so a new
feature attaches files without a new table.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow_naive


class Attachment(db.Model):
    __tablename__ = "attachments"
    __table_args__ = (sa.Index("ix_attachments_owner", "owner_type", "owner_id"),)
    #: the row policy reads attachments by their owning unit
    scope_column = "unit_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: random name of the file in PUFA_UPLOAD_FOLDER (never derived from user input)
    stored_name: Mapped[str] = mapped_column(sa.String(64), nullable=False, unique=True)
    #: the name the user uploaded, e.g. 2023年度自评报告.pdf
    original_name: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    size: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    #: detected from the bytes, not from the name
    content_type: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    sha256: Mapped[str] = mapped_column(sa.String(64), nullable=False, index=True)
    uploader_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    #: the unit whose material this is; None for the office's own files
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    #: what it is attached to: an object_type of the audit vocabulary and its id
    owner_type: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    owner_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow_naive)

    uploader = relationship("User")
