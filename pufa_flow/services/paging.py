"""Pages of long lists: the page's ids first, then the rows (a "deferred join").

``ORDER BY due_date, id LIMIT 50`` over 50,000 matching items sorts 50,000
whole rows (with their unit joined) to keep 50; sorting the (due_date, id)
pairs the index already holds and then loading 50 rows by id costs a
fraction. The rows are loaded by id alone, with the eager loads the caller
names (``load``): repeating the list's WHERE beside ``id IN (…)`` let SQLite
walk the WHERE's index range (every overdue item) instead of the 50 keys.
The count is ``SELECT count(*)`` with the list's WHERE and no eager loads.
The result is Flask-SQLAlchemy's Pagination, as before.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import orm


class DeferredJoinPagination(SelectPagination):
    def _query_items(self) -> list:
        select = self._query_args["select"]
        session = self._query_args["session"]
        model = select.column_descriptions[0]["entity"]
        ids = session.scalars(select.with_only_columns(model.id).options(orm.lazyload("*"))
                              .limit(self.per_page).offset(self._query_offset)).all()
        if not ids:
            return []
        load = self._query_args.get("load", ())
        rows = {obj.id: obj for obj in session.scalars(sa.select(model).where(model.id.in_(ids)).options(*load))}
        return [rows[i] for i in ids if i in rows]

    def _query_count(self) -> int:
        select = self._query_args["select"]
        session = self._query_args["session"]
        return session.scalar(select.with_only_columns(sa.func.count(), maintain_column_froms=True)
                              .options(orm.lazyload("*")).order_by(None))


def paginate_deferred(session, stmt, *, page: int, per_page: int, count: bool = True, load=()):
    """Like ``db.paginate(stmt, ...)`` for a single-entity SELECT with an ``id`` column, error_out off.

    ``load``: loader options for the page's rows (e.g. ``selectinload``), which are loaded by id alone.
    """
    return DeferredJoinPagination(select=stmt, session=session, page=page, per_page=per_page,
                                  max_per_page=None, error_out=False, count=count, load=tuple(load))
