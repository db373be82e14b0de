"""Every list page and list endpoint runs a fixed number of queries, however long the list.

One world grows from 2 to 10 rows of everything at once: units (with contacts
and users), notices with items (some overdue), assessments in a started cycle,
cycles, the history of one item and of one cycle, the audit log. Each list is
requested as every role that may see it; the count must not move.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import g
from helpers import assign, new_cycle, new_notice, walk_item

from pufa_flow.extensions import db
from pufa_flow.models import Contact, Cycle, Notice, RectificationItem, Unit, UnitAssessment, User
from pufa_flow.services import calendar, workflow


@pytest.fixture
def count_queries(app):
    counter = {"n": 0}

    def on_execute(*args):
        counter["n"] += 1
    sa.event.listen(db.engine, "before_cursor_execute", on_execute)
    yield counter
    sa.event.remove(db.engine, "before_cursor_execute", on_execute)


def _queries_for(client, url, headers, counter) -> int:
    db.session.remove()  # the client shares the test's session: start from a new one, as a request does
    g.pop("workday_calendar", None)  # and its app context, where a request caches the calendar
    g.pop("_login_user", None)  # and the signed-in user
    counter["n"] = 0
    response = client.get(url, headers=headers or {})
    assert response.status_code == 200, (url, response.status_code)
    return counter["n"]


class Growing:
    """The world that grows; ``home`` is the unit whose user is the ``unit`` role."""

    def __init__(self, make_unit, make_user, office):
        self.make_unit, self.make_user, self.office = make_unit, make_user, office
        self.home = make_unit("区司法局")
        self.users = {"office": office, "viewer": make_user("viewer"), "unit": make_user("unit", self.home),
                      "evaluator": make_user("evaluator"), "panel": make_user("panel")}
        self.cycle = new_cycle(office, [self.home], name="2026年度考评")
        workflow.fire(self.cycle, "start", actor=office)
        self.extra_cycles = 0
        self.notice = new_notice(office, self.home, n_items=1)
        self.item = walk_item(self.notice.items[0], self.users["unit"], office, "in_progress")
        assign(self.users["evaluator"], self.cycle, [self.home])
        assign(self.users["panel"], self.cycle, [self.home])
        self.ids = {"cycle": self.cycle.id, "unit": self.home.id, "notice": self.notice.id,
                    "item": self.item.id, "assessment": self.cycle.assessments.first().id}

    def grow(self, n: int) -> None:
        db.session.expunge_all()  # the counted requests shared this session: read everything afresh
        self.office, self.users = (db.session.get(User, self.office.id),
                                   {r: db.session.get(User, u.id) for r, u in self.users.items()})
        self.cycle = db.session.get(Cycle, self.ids["cycle"])
        self.item = db.session.get(RectificationItem, self.ids["item"])
        self.notice = db.session.get(Notice, self.ids["notice"])
        self.home = db.session.get(Unit, self.ids["unit"])
        office, unit_user = self.office, self.users["unit"]
        past = calendar.today() - timedelta(days=20)
        for _ in range(n):
            # another unit, with a contact, a user, a notice of two items (one overdue), an assessment
            unit = self.make_unit()
            db.session.add(Contact(unit_id=unit.id, role="liaison", name="张敏", phone="13800138000"))
            self.make_user("unit", unit)
            notice = new_notice(office, unit, n_items=2)
            db.session.execute(sa.update(RectificationItem).where(RectificationItem.id == notice.items[0].id)
                               .values(due_date=past))
            db.session.add(UnitAssessment(cycle_id=self.cycle.id, unit_id=unit.id))
            db.session.commit()
            assign(self.users["evaluator"], self.cycle, [unit])
            assign(self.users["panel"], self.cycle, [unit])
            # the home unit: one more contact, user, notice (overdue) and item in the home notice
            db.session.add(Contact(unit_id=self.home.id, role="liaison", name="李华", phone="13900139000"))
            self.make_user("unit", self.home)
            mine = new_notice(office, self.home, n_items=1)
            walk_item(mine.items[0], unit_user, office, "in_progress")
            db.session.execute(sa.update(RectificationItem).where(RectificationItem.id == mine.items[0].id)
                               .values(due_date=past))
            db.session.add(RectificationItem(notice_id=self.notice.id, unit_id=self.home.id,
                                             seq=100 + self._next(), problem="补充问题", requirement="补充要求",
                                             category="archives", due_date=past))
            db.session.commit()
            # one more move in the history of the home item and of the cycle, and one more cycle
            workflow.fire(self.item, "submit", actor=unit_user, data={"measures": "已整改"})
            workflow.fire(self.item, "send_back", actor=office, comment="材料不全")
            self.extra_cycles += 1
            other = new_cycle(office, [self.home], name=f"第{self.extra_cycles}轮专项考评")
            if self.extra_cycles % 2:
                workflow.fire(other, "start", actor=office)
            assign(self.users["evaluator"], other, [self.home])
            assign(self.users["panel"], other, [self.home])

    _seq = 0

    def _next(self) -> int:
        Growing._seq += 1
        return Growing._seq


ALL = ("office", "viewer", "unit", "evaluator", "panel")
NOT_UNIT = ("office", "viewer", "evaluator", "panel")
#: (url, roles that may read it); {x} is an id of the growing world
LISTS = [
    ("/home", ALL),
    ("/units/", ALL), ("/api/v1/units", ALL),
    ("/units/{unit}", ALL),                        # its contacts
    ("/users/", ("office",)), ("/api/v1/users", ("office",)),
    ("/notices/", ALL), ("/api/v1/notices", ALL),
    ("/notices/{notice}", ALL), ("/api/v1/notices/{notice}", ALL),   # its items
    ("/items/", ALL), ("/api/v1/items", ALL), ("/items/?overdue=1", ALL), ("/api/v1/items?overdue=1", ALL),
    ("/cycles/", ALL), ("/api/v1/cycles", ALL),
    ("/cycles/{cycle}", NOT_UNIT), ("/api/v1/cycles/{cycle}/assessments", NOT_UNIT),  # its assessments
    ("/history/item/{item}", ALL), ("/api/v1/items/{item}/history", ALL),
    ("/history/cycle/{cycle}", ALL), ("/api/v1/cycles/{cycle}/history", ALL),
    ("/audit/", ("office",)),
]


@pytest.mark.parametrize("role", ALL)
def test_lists_do_not_query_per_row(client, token_for, make_unit, make_user, office_user, count_queries, role):
    """One growing world per role; every list it may read is counted at 2 rows and at 10."""
    from test_isolation import _session_client

    world = Growing(make_unit, make_user, office_user)
    user = world.users[role]
    headers = token_for(user)
    page_client = _session_client(client.application, user)
    urls = [url.format(**world.ids) for url, roles in LISTS if role in roles]

    def counts() -> dict[str, int]:
        return {url: _queries_for(client if url.startswith("/api/") else page_client, url,
                                  headers if url.startswith("/api/") else None, count_queries)
                for url in urls}
    # a token's first use in a minute writes its last_used_at: one fixed query, not one per row;
    # the clock stands still, so a slow run does not write it again between the two counts
    from pufa_flow import clock

    with clock.frozen(clock.utcnow()):
        assert client.get("/api/v1/auth/tokens", headers=headers).status_code == 200
        world.grow(2)
        few = counts()
        world.grow(8)
        many = counts()
    grew = [f"{url}: {few[url]} queries for 2 rows, {many[url]} for 10" for url in urls if many[url] != few[url]]
    assert not grew, f"as {role}:\n  " + "\n  ".join(grew)


def test_the_growing_world_really_grows(client, token_for, make_unit, make_user, office_user):
    """Control: the lists above are longer after the growth, so an equal count means no per-row query."""
    world = Growing(make_unit, make_user, office_user)
    headers = token_for(office_user)
    world.grow(2)
    sizes = lambda: (len(client.get("/api/v1/units", headers=headers).json["items"]),  # noqa: E731
                     len(client.get("/api/v1/items?overdue=1", headers=headers).json["items"]),
                     len(client.get(f"/api/v1/items/{world.item.id}/history", headers=headers).json["items"]),
                     len(client.get(f"/api/v1/cycles/{world.cycle.id}/assessments", headers=headers).json["items"]),
                     len(client.get("/api/v1/cycles", headers=headers).json["items"]))
    before = sizes()
    world.grow(8)
    after = sizes()
    assert all(a > b for a, b in zip(after, before)), (before, after)


# -- the bulk actions (POST /api/v1/items/bulk, the page's /items/bulk): per item, a fixed cost ----------
def _bulk_queries(client, headers, counter, body) -> int:
    db.session.remove()
    g.pop("workday_calendar", None)
    counter["n"] = 0
    response = client.post("/api/v1/items/bulk", json=body, headers=headers)
    assert response.status_code in (200, 404), response.get_json()
    return counter["n"]


@pytest.mark.parametrize("action", ["verify", "remind", "extend", "unknown ids"])
def test_bulk_actions_cost_the_same_per_item(client, token_for, make_unit, make_user, office_user, count_queries,
                                             action):
    """The selection is loaded in one query, not one per item; each item then costs the same few
    writes (verify no more than verifying it alone through the API), and unknown ids cost nothing each."""
    unit = make_unit("区司法局")
    unit_user = make_user("unit", unit)
    headers = token_for(office_user)
    assert client.get("/api/v1/auth/tokens", headers=headers).status_code == 200  # the token's first use

    def selection(n: int) -> list[int]:
        items = new_notice(office_user, unit, n_items=n).items
        if action == "verify":
            return [walk_item(i, unit_user, office_user, "submitted").id for i in items]
        if action == "unknown ids":
            return list(range(2**31 - n, 2**31))
        return [i.id for i in items]

    extra = {"new_due_date": "2099-12-31"} if action == "extend" else {}
    body = {"action": "remind" if action == "unknown ids" else action, **extra}
    counts = {n: _bulk_queries(client, headers, count_queries, {**body, "item_ids": selection(n)}) for n in (2, 4, 10)}
    per_item = (counts[4] - counts[2]) / 2
    assert counts[10] - counts[4] == 6 * per_item, f"{action}: not a fixed cost per item: {counts}"
    if action == "unknown ids":
        assert per_item == 0, counts
    elif action == "remind":
        assert per_item <= 1, counts  # its audit row; the outbox rows are one insert
    elif action == "verify":
        alone = walk_item(new_notice(office_user, unit, n_items=1).items[0], unit_user, office_user, "submitted")
        db.session.remove()
        count_queries["n"] = 0
        assert client.post(f"/api/v1/items/{alone.id}/transitions", json={"trigger": "verify"},
                           headers=headers).status_code == 200
        assert per_item <= count_queries["n"], (counts, count_queries["n"])
