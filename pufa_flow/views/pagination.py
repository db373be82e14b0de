"""Paginated lists for pages (every list page uses this)."""
from __future__ import annotations

from flask import current_app, flash, request

from ..extensions import db
from ..services.validation import parse_int, shown

#: the deepest page a link can ask for; beyond it an offset overflows PostgreSQL's BIGINT
MAX_PAGE = 100_000


def paginate(stmt, *, deferred: bool = False, load=()):
    """deferred: the page's ids first, then its rows with the ``load`` options (services/paging; long
    single-model lists)."""
    raw = request.args.get("page", "1")
    page = parse_int(raw, minimum=1, maximum=MAX_PAGE)
    if page is None:
        flash(f"页码不正确：{shown(raw)}（应为 1 到 {MAX_PAGE} 之间的整数），已显示第 1 页", "error")
        page = 1
    if deferred:
        from ..services.paging import paginate_deferred

        return paginate_deferred(db.session, stmt, page=page, per_page=current_app.config["PUFA_PAGE_SIZE"],
                                 load=load)
    return db.paginate(stmt, page=page, per_page=current_app.config["PUFA_PAGE_SIZE"], error_out=False)
