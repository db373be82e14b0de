"""Outbox keys stay within their column and as unique as what they name.

A liaison's address may be 254 characters (RFC 5321); the key column holds
200. Before outbox_key, a transition's key carried the raw address: on
PostgreSQL the INSERT failed and took the transition with it.
"""
from __future__ import annotations

import sqlalchemy as sa

from pufa_flow.extensions import db
from pufa_flow.models import Contact, OutboxMessage
from pufa_flow.models.outbox import KEY_LEN, outbox_key
from pufa_flow.services import workflow
from tests.helpers import new_notice

LONG_LOCAL = "l" * 64


def _long_address(tag: str) -> str:
    """A valid 254-character address; `tag` differs only near its end."""
    domain = ".".join(["d" * 60, "e" * 60, "f" * 60, "gg" + tag, "cn"])
    address = f"{LONG_LOCAL}@{domain}"
    assert len(address) == 254, len(address)
    return address


def test_a_short_key_is_the_tuple_as_text():
    assert outbox_key("transition", "item", 7, "v3", "email", "a@b.cn") == "transition:item:7:v3:email:a@b.cn"


def test_long_keys_fit_and_stay_distinct():
    one = outbox_key("transition", "item", 7, "v3", "email", _long_address("a"))
    two = outbox_key("transition", "item", 7, "v3", "email", _long_address("b"))
    assert len(one) == len(two) == KEY_LEN
    assert one != two  # cutting at 200 would have made them equal
    assert one.startswith("transition:item:7:v3:email:" + LONG_LOCAL)
    assert one == outbox_key("transition", "item", 7, "v3", "email", _long_address("a"))  # stable: a retry is a no-op


def test_a_transition_mails_a_liaison_with_the_longest_address(app, make_unit, make_user, office_user):
    unit = make_unit()
    addresses = [_long_address("a"), _long_address("b")]
    for i, address in enumerate(addresses):
        db.session.add(Contact(unit_id=unit.id, role="liaison", name=f"联络员{i}", email=address))
    db.session.commit()
    unit_user = make_user("unit", unit=unit)
    notice = new_notice(office_user, unit, n_items=1)
    item = notice.items[0]
    workflow.fire(item, "acknowledge", actor=unit_user)
    workflow.fire(item, "submit", actor=unit_user, data={"measures": "已建立档案"})
    workflow.fire(item, "send_back", actor=office_user, comment="请补充佐证材料")  # the unit hears
    mails = db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.channel == "email", OutboxMessage.kind.like("transition.send_back.%"))).all()
    assert sorted(m.recipient for m in mails) == sorted(addresses)
    assert all(len(m.key) <= KEY_LEN for m in mails)
    assert item.status == "in_progress"
