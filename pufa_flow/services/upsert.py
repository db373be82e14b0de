"""The database's own INSERT construct, for ``ON CONFLICT DO NOTHING``.

SQLite and PostgreSQL spell the conflict clause alike, but SQLAlchemy keeps it
on each dialect's ``insert``: this picks the one of the session's database.
"""
from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db


def insert(table):
    """``insert(table)`` of the session's dialect (SQLite or PostgreSQL)."""
    module = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return module.insert(table)
