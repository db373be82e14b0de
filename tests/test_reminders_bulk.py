"""reminders.bulk: rows in one statement store exactly what an ordinary INSERT stores
(on SQLite, both of its forms: the JSON document and the ordinary statements)."""
from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from pufa_flow.extensions import db
from pufa_flow.models import OutboxMessage, ReminderSchedule
from pufa_flow.services.reminders import bulk
from pufa_flow.services.reminders.sweep import OUTBOX_COLUMNS

OUTBOX = OutboxMessage.__table__


@pytest.fixture(autouse=True, params=["ordinary", "json"])
def form(request, app, monkeypatch):
    """PostgreSQL always unpacks a JSON document; SQLite is run both ways."""
    if request.param == "json" and db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL has one form")
    monkeypatch.setattr(bulk, "JSON_ON_SQLITE", request.param == "json")
    return request.param


def _row(n: int, **changes) -> dict:
    row = {"key": f"item:{n}:rectification.before_5:2026-11-13:sms:1380000000{n}", "channel": "sms",
           "recipient": f"1380000000{n}", "recipient_role": "liaison", "recipient_name": "联络员“张三”",
           "kind": "rectification.before_5", "local_day": date(2026, 11, 13), "object_type": "item",
           "object_id": n, "unit_id": 7, "status": "pending", "created_at": datetime(2026, 11, 13, 1, 5),
           "send_after": datetime(2026, 11, 13, 1, 5, 0, 123456), "attempts": 0,
           "subject": "【普法考评】整改事项提醒：档案\\不全", "body": "第一行\n第二行 'quoted' \"双引号\" \t",
           "html": None, "template": "rectification_due",
           "variables": {"unit": "区司法局", "item": "普法档案不全", "date": "11月20日"}, "link": None}
    row.update(changes)
    return row


def _stored(where) -> dict:
    """A row as the database has it, read back through the table's types, and as raw SQL values."""
    typed = db.session.execute(sa.select(OUTBOX).where(where)).mappings().one()
    raw = db.session.execute(sa.text("SELECT local_day, created_at, send_after, variables, html "
                                     "FROM outbox_messages WHERE id = :id"), {"id": typed["id"]}).one()
    return {**{k: v for k, v in typed.items() if k != "id"},
            "raw": tuple(str(v) if v is not None else None for v in raw)}


def test_rows_stored_as_an_ordinary_insert_stores_them(app):
    db.session.execute(sa.insert(OUTBOX), [_row(1), _row(3, variables=None, channel="email", html="<p>x</p>")])
    inserted = bulk.insert_ignoring_duplicates(OUTBOX, OUTBOX_COLUMNS, [_row(2), _row(4, variables=None,
                                                                        channel="email", html="<p>x</p>")], "key")
    assert sorted(inserted) == sorted([_row(2)["key"], _row(4)["key"]])
    ordinary, one_statement = _stored(OUTBOX.c.object_id == 1), _stored(OUTBOX.c.object_id == 2)
    for row in (ordinary, one_statement):
        row.pop("key"), row.pop("recipient"), row.pop("object_id")
    assert one_statement == ordinary
    assert _stored(OUTBOX.c.object_id == 4)["raw"][3:] == _stored(OUTBOX.c.object_id == 3)["raw"][3:]


def test_rows_that_exist_already_are_skipped_and_not_returned(app):
    assert len(bulk.insert_ignoring_duplicates(OUTBOX, OUTBOX_COLUMNS, [_row(1), _row(2)], "key")) == 2
    # the same key again, and the same reminder (object, recipient, channel, kind, day) under another key
    again = [_row(1), _row(2, key="another-key"), _row(3)]
    assert bulk.insert_ignoring_duplicates(OUTBOX, OUTBOX_COLUMNS, again, "key") == [_row(3)["key"]]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OUTBOX)) == 3
    assert bulk.insert_ignoring_duplicates(OUTBOX, OUTBOX_COLUMNS, [], "key") == []


def test_an_enum_value_outside_the_list_is_refused_before_the_database(app):
    with pytest.raises((LookupError, sa.exc.StatementError), match="pigeon"):
        bulk.insert_ignoring_duplicates(OUTBOX, OUTBOX_COLUMNS, [_row(1, channel="pigeon")], "key")


def test_update_by_id_sets_each_rows_own_value_and_the_shared_ones(app):
    table = ReminderSchedule.__table__
    start = datetime(2026, 11, 1, 2, 0)
    db.session.execute(sa.insert(table), [
        {"id": i, "object_type": "item", "object_id": i, "ladder": "rectification", "anchor": date(2026, 11, 20),
         "next_at": start, "swept_at": None, "updated_at": start} for i in (1, 2, 3)])
    swept = datetime(2026, 11, 13, 1, 5, 0, 250000)
    bulk.update_by_id(table, ("next_at",), [{"id": 1, "next_at": datetime(2026, 11, 16, 1, 0)},
                                            {"id": 3, "next_at": None}],
                      same={"swept_at": swept, "updated_at": swept})
    got = {r.id: (r.next_at, r.swept_at) for r in db.session.execute(sa.select(table))}
    assert got == {1: (datetime(2026, 11, 16, 1, 0), swept), 2: (start, None), 3: (None, swept)}
    # the stored text is the type's own (SQLite compares dates as text: the next_at index must order them)
    due = db.session.scalars(sa.select(table.c.id).where(table.c.next_at <= datetime(2026, 11, 15))).all()
    assert due == [2]
