"""The benchmark data generator works, on both backends (functional, never timed).

The benchmarks themselves run with ``python -m benchmarks``; this only keeps
their data path honest: the same ``datagen.generate`` the timed run uses, at
20 units, through the ``app`` fixture's session.
"""
from __future__ import annotations

import sys
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `pytest` (not `python -m pytest`) does not put the root on the path
    sys.path.insert(0, str(ROOT))

from benchmarks import datagen  # noqa: E402
from pufa_flow.extensions import db  # noqa: E402
from pufa_flow.models import Contact, Notice, RectificationItem, Unit, User  # noqa: E402
from pufa_flow.services.validation import MOBILE, clean_email  # noqa: E402


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_generate_writes_a_small_province(app):
    counts = datagen.generate(db.session, units=20, seed=1)
    db.session.commit()

    assert counts["units"] == count(Unit) == 20
    assert counts["contacts"] == count(Contact) == 60
    assert counts["unit_users"] == count(User, User.role == "unit") == 2
    assert count(User, User.role == "office") == 1
    assert count(Unit, Unit.kind == "city_department") == counts["city_departments"] >= 1
    assert count(Unit, Unit.kind == "county") == counts["counties"] >= 1
    # every town hangs under a county; top-level units have no parent
    towns = db.session.scalars(sa.select(Unit).where(Unit.kind == "town")).all()
    assert len(towns) == counts["towns"] > 0
    assert all(t.parent is not None and t.parent.kind == "county" for t in towns)
    # three contacts per unit, one per role, with valid numbers and addresses
    for unit in db.session.scalars(sa.select(Unit)):
        assert sorted(c.role for c in unit.contacts) == ["leader", "liaison", "principal"]
        for c in unit.contacts:
            assert MOBILE.match(c.phone), c.phone
            errors: dict = {}
            assert clean_email(c.email, "email", errors) and not errors, c.email
            assert c.name and all("\u4e00" <= ch <= "\u9fff" for ch in c.name)
    # the generated users can sign in with the documented password
    user = db.session.scalars(sa.select(User).where(User.role == "unit")).first()
    assert user.check_password(datagen.BENCH_PASSWORD)


def test_generate_is_deterministic():
    a, b = datagen.plan(50, seed=7), datagen.plan(50, seed=7)
    assert a.units == b.units and a.contacts == b.contacts and a.users == b.users
    assert datagen.plan(50, seed=8).contacts != a.contacts


def test_generate_items_for_later_benchmarks(app):
    datagen.generate(db.session, units=20, seed=1)
    counts = datagen.generate_items(db.session, items=12, per_notice=5)
    db.session.commit()

    assert counts == {"notices": 3, "items": 12}
    assert count(Notice) == 3
    assert count(RectificationItem, RectificationItem.status == "issued") == 12
    unit_user_units = set(db.session.scalars(sa.select(User.unit_id).where(User.role == "unit")))
    assert set(db.session.scalars(sa.select(RectificationItem.unit_id))) <= unit_user_units
