"""The unit import writes all its rows or none, even when the WRITE fails.

Checking refuses bad rows before anything is written; this is the other half:
rows that pass every check, and a failure injected in the middle of writing
them (a database refusal on a unit of the third level of parents, after two
levels went in, or on a contact). Nothing may be left: no unit, no contact,
no audit row.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from pufa_flow.extensions import db
from pufa_flow.models import AuditEvent, Contact, Unit
from pufa_flow.services.imports import import_units

HEADER = "单位名称,单位类别,上级单位,执法权限,联络员,联络员电话,联络员邮箱"
#: three levels of parents (each refers to the next row), then independent units with contacts
ROWS = ["城关镇,乡镇（街道）,某某县司法局,否,王五,13800138002,wangwu@example.cn",
        "某某县司法局,市直部门,某某县,是,,,",
        "某某县,县区,,是,张三,13800138000,zs@example.cn"] + \
       [f"单位{i},市直部门,,否,联络员{i},1380013{i:04d},u{i}@example.cn" for i in range(40)]
DATA = ("\n".join([HEADER, *ROWS]) + "\n").encode("utf-8-sig")


def _counts():
    db.session.expire_all()
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in (Unit, Contact, AuditEvent))


class InjectedFailure(RuntimeError):
    pass


@pytest.fixture
def fail_on(app):
    """Make the database write of one named row (a unit, or a contact by name) raise."""
    listeners = []

    def arm(model, name):
        def refuse(mapper, connection, target):
            if target.name == name:
                raise InjectedFailure(f"写入“{name}”时失败")
        sa.event.listen(model, "before_insert", refuse)
        listeners.append((model, refuse))
    yield arm
    for model, refuse in listeners:
        sa.event.remove(model, "before_insert", refuse)


def test_the_rows_are_good_and_import_when_nothing_fails(app):
    before = _counts()
    report = import_units("名册.csv", DATA)
    assert report.ok and report.created == 43
    assert _counts() == (before[0] + 43, before[1] + 42, before[2] + 1)
    town = db.session.scalars(sa.select(Unit).where(Unit.name == "城关镇")).one()
    assert town.parent.parent.name == "某某县"  # three levels: the write goes level by level


@pytest.mark.parametrize("model, name", [
    (Unit, "城关镇"),       # the deepest level, written after its parents were flushed
    (Unit, "单位39"),       # the last of many in one level
    (Contact, "联络员20"),  # a contact, after its unit
])
def test_a_failure_in_the_middle_of_writing_leaves_nothing(app, make_unit, fail_on, model, name):
    make_unit("已有单位")
    before = _counts()
    fail_on(model, name)
    with pytest.raises(InjectedFailure):
        import_units("名册.csv", DATA)
    assert _counts() == before
    assert db.session.scalars(sa.select(Unit.name).order_by(Unit.id)).all() == ["已有单位"]
