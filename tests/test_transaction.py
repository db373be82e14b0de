"""What the database refuses becomes a 409 with a reason; nothing is half-written.

Also the one check ``fire`` makes before anything else: a unit user never
acts on another unit's object, even if a caller forgot the scoping.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from helpers import new_notice
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from pufa_flow.errors import Conflict, NotFound
from pufa_flow.extensions import db
from pufa_flow.models import AuditEvent, Unit
from pufa_flow.services import workflow
from pufa_flow.services.transaction import transaction


def _units():
    return db.session.scalar(sa.select(sa.func.count()).select_from(Unit))


@pytest.mark.parametrize("exc, reason", [
    (StaleDataError("UPDATE … 0 were matched"), "stale"),
    (IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed")), "integrity"),
    (OperationalError("UPDATE", {}, Exception("database is locked")), "locked"),
    (OperationalError("SELECT", {}, Exception("could not serialize access")), "locked"),
    (OperationalError("SELECT", {}, Exception("deadlock detected")), "locked"),
])
@pytest.mark.parametrize("nested", [False, True])
def test_database_refusals_become_conflicts_and_roll_back(app, exc, reason, nested):
    before = _units()
    with pytest.raises(Conflict) as info:
        with transaction():
            db.session.add(Unit(name="新单位", kind="county"))
            db.session.flush()
            if nested:
                with transaction():
                    raise exc
            raise exc
    assert info.value.status == 409 and info.value.details["reason"] == reason
    assert _units() == before


def test_other_operational_errors_pass_through(app):
    error = OperationalError("SELECT", {}, Exception("no such table: nowhere"))
    with pytest.raises(OperationalError):
        with transaction():
            raise error


def test_a_unit_user_cannot_fire_on_another_units_object(make_unit, make_user, office_user):
    mine, theirs = make_unit("甲单位"), make_unit("乙单位")
    me = make_user("unit", mine)
    item = new_notice(office_user, theirs, n_items=1).items[0]
    with pytest.raises(NotFound):
        workflow.fire(item, "acknowledge", actor=me)
    db.session.expire_all()
    assert item.status == "issued"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.trigger == "acknowledge")) == 0


def test_a_unit_user_firing_on_a_cycle(make_unit, make_user, office_user):
    """Outside the cycles it takes part in (or a draft) the cycle does not exist for it; in its own
    cycle the policy lets it read, and the workflow refuses the office's trigger by role."""
    from helpers import new_cycle
    from workflows import TransitionRefused

    from pufa_flow.models import Cycle

    mine, theirs = make_unit("甲单位"), make_unit("乙单位")
    me = make_user("unit", mine)
    own, other, draft = (new_cycle(office_user, [mine], name="甲的考评"), new_cycle(office_user, [theirs], name="乙的考评"),
                         new_cycle(office_user, [mine], name="草拟的考评"))
    for cycle in (own, other):
        workflow.fire(cycle, "start", actor=office_user)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    for cycle, trigger in ((other, "begin_field_research"), (draft, "start")):
        with pytest.raises(NotFound):
            workflow.fire(cycle, trigger, actor=me, force=True, comment="越权")
    with pytest.raises(TransitionRefused) as info:
        workflow.fire(own, "begin_field_research", actor=me, force=True, comment="越权")
    assert info.value.reason == "forbidden_role"
    db.session.expire_all()
    assert [db.session.get(Cycle, c.id).status for c in (own, other, draft)] == [
        "self_assessment", "self_assessment", "draft"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == before
