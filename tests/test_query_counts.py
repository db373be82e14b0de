"""List pages and endpoints run a fixed number of queries, however long the page."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import g
from helpers import new_notice

from pufa_flow.extensions import db
from pufa_flow.models import Contact


@pytest.fixture
def count_queries(app):
    counter = {"n": 0}

    def on_execute(*args):
        counter["n"] += 1
    sa.event.listen(db.engine, "before_cursor_execute", on_execute)
    yield counter
    sa.event.remove(db.engine, "before_cursor_execute", on_execute)


def _queries_for(client, url, headers, counter) -> int:
    db.session.expunge_all()  # the client shares the test's session: start from an empty identity map
    g.pop("workday_calendar", None)  # and its app context, where a request caches the calendar
    counter["n"] = 0
    assert client.get(url, headers=headers or {}).status_code == 200
    return counter["n"]


@pytest.mark.parametrize("url,api", [("/units/", False), ("/api/v1/units", True), ("/notices/", False),
                                     ("/api/v1/notices", True), ("/items/", False), ("/api/v1/items", True)])
def test_lists_do_not_query_per_row(client, login, token_for, office_user, make_unit, count_queries, url, api):
    def grow(n):
        for _ in range(n):
            unit = make_unit()
            db.session.add(Contact(unit_id=unit.id, role="liaison", name="张敏", phone="13800138000"))
            db.session.commit()
            new_notice(office_user, unit, n_items=2)
    headers = token_for(office_user) if api else None
    if not api:
        login(office_user)
    grow(2)
    few = _queries_for(client, url, headers, count_queries)
    grow(8)
    many = _queries_for(client, url, headers, count_queries)
    assert many == few, f"{url}: {few} queries for 2 units, {many} for 10"


@pytest.mark.parametrize("url,api", [("/cycles/", False), ("/api/v1/cycles", True)])
def test_cycle_lists_do_not_count_assessments_per_row(client, login, token_for, office_user, make_unit,
                                                      count_queries, url, api):
    """Each cycle's buttons depend on guards that count its assessments: one grouped count per page."""
    from helpers import new_cycle

    from pufa_flow.services import workflow
    units = [make_unit() for _ in range(2)]

    def grow(n):
        for k in range(n):
            cycle = new_cycle(office_user, units, name=f"第{k}轮考评")
            if k % 2:
                workflow.fire(cycle, "start", actor=office_user)
    headers = token_for(office_user) if api else None
    if not api:
        login(office_user)
    grow(2)
    few = _queries_for(client, url, headers, count_queries)
    grow(8)
    many = _queries_for(client, url, headers, count_queries)
    assert many == few, f"{url}: {few} queries for 2 cycles, {many} for 10"
