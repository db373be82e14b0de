"""Edges of the row policy that the route walks do not reach (each found by a
mutant that survived): shared reference data, a unit user without a unit, a
caller with no role, the message of a refusal, and the locking lookup."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from flask_login import AnonymousUserMixin
from helpers import new_notice

from pufa_flow.errors import NotFound
from pufa_flow.extensions import db
from pufa_flow.models import Attachment, RectificationItem, User, WorkdayOverride
from pufa_flow.models.scoping import can_read, can_write, get_visible, visible
from pufa_flow.services import attachments
from pufa_flow.services.transaction import transaction


def test_models_without_a_scope_column_are_shared_reference_data(make_unit, make_user):
    db.session.add(WorkdayOverride(day=date(2026, 11, 20), is_workday=False, note="临时调整"))
    db.session.commit()
    unit_user = make_user("unit", make_unit())
    assert [o.note for o in db.session.scalars(visible(WorkdayOverride, unit_user))] == ["临时调整"]
    assert [o.note for o in db.session.scalars(visible(WorkdayOverride, make_user("evaluator")))] == ["临时调整"]


def test_a_unit_user_without_a_unit_sees_nothing_not_the_office_files(app, make_unit):
    """The office's own files have no unit (NULL): ``unit_id == NULL`` must not become ``IS NULL``."""
    stored = attachments.store_upload(b"%PDF-1.4 office", "普法办文件.pdf", unit_id=None, uploader=None)
    with transaction():
        attachments.link(stored, "notice", 1)
    orphaned = User(username="ghost", role="unit", unit_id=None, display_name="")  # never saved: the CHECK forbids it
    assert db.session.scalars(visible(Attachment, orphaned)).all() == []


def test_a_caller_without_a_role_reads_and_writes_nothing(make_unit, office_user):
    item = new_notice(office_user, make_unit(), n_items=1).items[0]
    nobody = AnonymousUserMixin()
    assert not can_read(nobody, item) and not can_write(nobody, item)
    assert db.session.scalars(visible(RectificationItem, nobody)).all() == []


def test_a_refused_lookup_says_not_found_in_chinese(client, make_unit, make_user, office_user, token_for):
    item = new_notice(office_user, make_unit("乙单位"), n_items=1).items[0]
    stranger = make_user("unit", make_unit("甲单位"))
    for bad in (item.id, "abc", None):
        with pytest.raises(NotFound) as info:
            get_visible(RectificationItem, bad, stranger)
        assert info.value.message == "未找到该记录"
    r = client.get(f"/api/v1/items/{item.id}", headers=token_for(stranger))
    assert r.status_code == 404 and r.json["error"]["message"] == "未找到该记录"


def test_the_locking_lookup_returns_the_row(make_unit, make_user, office_user):
    unit = make_unit()
    item = new_notice(office_user, unit, n_items=1).items[0]
    assert get_visible(RectificationItem, item.id, make_user("unit", unit), for_update=True) is item
    with pytest.raises(NotFound):
        get_visible(RectificationItem, item.id, make_user("unit", make_unit()), for_update=True)


def test_a_unit_reading_an_item_already_loaded_asks_the_database_nothing(make_unit, make_user, office_user):
    """``can_read`` decides a unit's own rows from the loaded object: pages check it per row,
    so a query here would be one per row listed."""
    unit = make_unit()
    item = new_notice(office_user, unit, n_items=1).items[0]
    own, stranger = make_user("unit", unit), make_user("unit", make_unit())
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)
    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        verdicts = (can_read(own, item), can_read(stranger, item), can_write(own, item))
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert verdicts == (True, False, True)
    assert statements == []


def test_who_may_see_a_unit(make_unit, make_user, office_user):
    """``can_see_unit`` (filings ask it before reading a unit's deadlines): the unit itself, the
    evaluators and panel members assigned to it, the office and the leaders; nobody else."""
    from helpers import assign, new_cycle

    from pufa_flow.models.scoping import can_see_unit

    own, other = make_unit(), make_unit()
    cycle = new_cycle(office_user, [own, other])
    evaluator, panel = make_user("evaluator"), make_user("panel")
    assign(evaluator, cycle, [own])
    unit_user = make_user("unit", own)
    assert (can_see_unit(unit_user, own.id), can_see_unit(unit_user, other.id)) == (True, False)
    assert (can_see_unit(evaluator, own.id), can_see_unit(evaluator, other.id)) == (True, False)
    assert (can_see_unit(panel, own.id), can_see_unit(panel, other.id)) == (False, False)
    assert can_see_unit(office_user, other.id) is True and can_see_unit(make_user("viewer"), other.id) is True
    assert can_see_unit(AnonymousUserMixin(), own.id) is False


def test_a_refused_write_says_why_in_chinese(make_unit, make_user, office_user):
    from pufa_flow.errors import Forbidden
    from pufa_flow.models.scoping import check_write

    unit = make_unit()
    item = new_notice(office_user, unit, n_items=1).items[0]
    with pytest.raises(Forbidden) as info:
        check_write(make_user("viewer"), item)
    assert info.value.message == "当前角色只能查阅，不能修改"
    with pytest.raises(NotFound) as info:
        check_write(make_user("unit", make_unit()), item)
    assert info.value.message == "未找到该记录"
    assert check_write(make_user("unit", unit), item) is None and check_write(office_user, item) is None


def test_an_object_already_loaded_is_judged_by_its_models_own_rule(make_unit, make_user, office_user):
    """``can_read`` on a cycle or a panel sheet uses the rules for cycles and sheets, not the role's
    default (a cycle has no unit column: the default would let every unit read every cycle)."""
    from helpers import assign, new_cycle

    from pufa_flow.models import PanelScore
    from pufa_flow.services import workflow

    part, other = make_unit(), make_unit()
    taking_part = new_cycle(office_user, [part])
    workflow.fire(taking_part, "start", actor=office_user)
    draft = new_cycle(office_user, [part], name="2027年度普法责任制考评", year=2027)
    elsewhere = new_cycle(office_user, [other], name="2025年度普法责任制考评", year=2025)
    workflow.fire(elsewhere, "start", actor=office_user)
    unit_user, evaluator, member = make_user("unit", part), make_user("evaluator"), make_user("panel")
    assign(evaluator, taking_part, [part])
    assign(member, taking_part, [part])
    assert [can_read(unit_user, c) for c in (taking_part, draft, elsewhere)] == [True, False, False]
    assert [can_read(evaluator, c) for c in (taking_part, draft, elsewhere)] == [True, False, False]
    sheet = PanelScore(assessment_id=taking_part.assessments.one().id, user_id=member.id, unit_id=part.id,
                       cycle_id=taking_part.id, total=0)
    db.session.add(sheet)
    db.session.commit()
    colleague = make_user("panel")  # on the same panel: writes their own sheet, reads no one else's
    assign(colleague, taking_part, [part])
    assert [can_read(u, sheet) for u in (member, colleague, unit_user, evaluator, office_user)] == [
        True, False, False, False, True]


def test_an_assignment_in_one_cycle_shows_that_cycles_assessment_not_the_units_others(make_unit, make_user,
                                                                                         office_user):
    """Evaluators examine (cycle, unit) pairs: assigned to a unit this year, they do not read its
    assessment of another year, nor another unit's assessment of this year."""
    from helpers import assign, new_cycle

    from pufa_flow.models import UnitAssessment

    unit, neighbour = make_unit(), make_unit()
    this_year = new_cycle(office_user, [unit, neighbour])
    last_year = new_cycle(office_user, [unit], name="2025年度普法责任制考评", year=2025)
    evaluator = make_user("evaluator")
    assign(evaluator, this_year, [unit])
    seen = db.session.scalars(visible(UnitAssessment, evaluator)).all()
    assert [(a.cycle_id, a.unit_id) for a in seen] == [(this_year.id, unit.id)]
    assert last_year.assessments.one() not in seen


def test_a_plain_lookup_does_not_wait_for_a_writer_and_the_locking_one_does(backend, make_unit, make_user,
                                                                              office_user):
    """Pages read with ``get_visible``; only a writer asks for the row lock (``for_update``)."""
    if backend != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite has one writer at a time")
    from sqlalchemy.exc import OperationalError

    unit = make_unit()
    item = new_notice(office_user, unit, n_items=1).items[0]
    unit_user = make_user("unit", unit)
    table = RectificationItem.__table__
    with db.engine.connect() as other:
        other.execute(sa.select(table.c.id).where(table.c.id == item.id).with_for_update())  # a writer at work
        db.session.execute(sa.text("SET LOCAL lock_timeout = '1s'"))
        assert get_visible(RectificationItem, item.id, unit_user) is item
        with pytest.raises(OperationalError, match="lock timeout"):
            get_visible(RectificationItem, item.id, unit_user, for_update=True)
        db.session.rollback()
        other.rollback()


def test_a_panel_member_taken_off_a_unit_no_longer_reads_their_sheet_on_it(make_unit, make_user, office_user):
    from helpers import assign, new_cycle

    from pufa_flow.models import CycleAssignment, PanelScore

    unit = make_unit()
    cycle = new_cycle(office_user, [unit])
    member = make_user("panel")
    assign(member, cycle, [unit])
    sheet = PanelScore(assessment_id=cycle.assessments.one().id, user_id=member.id, unit_id=unit.id,
                       cycle_id=cycle.id, total=0)
    db.session.add(sheet)
    db.session.commit()
    assert db.session.scalars(visible(PanelScore, member)).all() == [sheet]
    db.session.execute(sa.delete(CycleAssignment).where(CycleAssignment.user_id == member.id))
    db.session.commit()
    assert db.session.scalars(visible(PanelScore, member)).all() == []
    assert not can_read(member, sheet)
