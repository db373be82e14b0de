"""Paginated lists for pages (every list page uses this)."""
from __future__ import annotations

from flask import current_app, request

from ..extensions import db


def paginate(stmt):
    try:
        page = max(int(request.args.get("page", 1)), 1)
    except ValueError:
        page = 1
    return db.paginate(stmt, page=page, per_page=current_app.config["PUFA_PAGE_SIZE"], error_out=False)
