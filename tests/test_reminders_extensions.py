"""A deadline that moves moves its reminders: a unit's extended 自评 date, and one
rule (``schedule.wanted``) for what the sweep and every re-plan chase."""
from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa
from reminders_support import add_contacts, local, rows

from pufa_flow.clock import frozen
from pufa_flow.extensions import db
from pufa_flow.models import OutboxMessage, RectificationItem, ReminderSchedule, UnitAssessment
from pufa_flow.services import cycles, workflow
from pufa_flow.services.reminders import schedule, sweep

#: PHASE_DATES' 自评 phase ends Thu 5 Nov 2026; the extension moves one unit to Thu 12 Nov,
#: whose before_5 is Thu 5 Nov (09:00 in Shanghai = 01:00 UTC)
EXTENDED = date(2026, 11, 12)


@pytest.fixture
def two_units(make_unit):
    late, other = make_unit("区财政局"), make_unit("区教育局")
    add_contacts(late, leader=False, principal=False)
    add_contacts(other, leader=False, principal=False)
    return late, other


def _assessment(unit) -> UnitAssessment:
    return db.session.scalar(sa.select(UnitAssessment).where(UnitAssessment.unit_id == unit.id))


def _schedule(assessment) -> ReminderSchedule:
    return db.session.scalar(sa.select(ReminderSchedule).where(ReminderSchedule.object_type == "assessment",
                                                               ReminderSchedule.object_id == assessment.id))


def test_an_extended_self_assessment_is_chased_on_its_own_date(app, office_user, two_units):
    from helpers import new_cycle

    late, other = two_units
    with frozen(local(2026, 10, 15, 10)):
        cycle = new_cycle(office_user, [late, other])
        workflow.fire(cycle, "start", actor=office_user)
    with frozen(local(2026, 10, 20, 10)):
        cycles.extend_deadline(_assessment(late), EXTENDED.isoformat(), "机构调整", actor=office_user)
    assert schedule.wanted(_assessment(late)) == {"cycle_phase": EXTENDED}
    row = _schedule(_assessment(late))
    assert row.anchor == EXTENDED and row.next_at == datetime(2026, 11, 5, 1, 0)
    assert _schedule(_assessment(other)).anchor == date(2026, 11, 5)

    # the phase's before_5 (Thu 29 Oct): only the unit without an extension
    report = sweep(local(2026, 10, 29, 9, 30))
    assert report.queued == 3 and {m.unit_id for m in rows()} == {other.id}
    # Thu 5 Nov: the phase's last days for the other unit (before_1, caught up), five working
    # days ahead for the extended one
    sweep(local(2026, 11, 5, 9, 30))
    theirs = rows(OutboxMessage.unit_id == late.id, OutboxMessage.channel == "email")
    assert [m.kind for m in theirs] == ["cycle_phase.before_5"]
    assert "2026年11月12日" in theirs[0].body
    assert {m.kind for m in rows(OutboxMessage.unit_id == other.id)} == {"cycle_phase.before_5",
                                                                         "cycle_phase.before_1"}
    # Mon 9 Nov: overdue for the other unit only
    sweep(local(2026, 11, 9, 9, 30))
    assert not rows(OutboxMessage.unit_id == late.id, OutboxMessage.kind == "cycle_phase.overdue")
    assert rows(OutboxMessage.unit_id == other.id, OutboxMessage.kind == "cycle_phase.overdue")


def test_an_extension_given_in_draft_counts_when_the_cycle_starts_and_moves(app, office_user, two_units):
    """The set-based re-plan of a whole cycle (start, a phase edit) keeps each unit's own date."""
    from helpers import PHASE_DATES, new_cycle

    late, other = two_units
    with frozen(local(2026, 10, 10, 10)):
        cycle = new_cycle(office_user, [late, other])
        cycles.extend_deadline(_assessment(late), EXTENDED.isoformat(), "机构调整", actor=office_user)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ReminderSchedule)) == 0  # a draft
    with frozen(local(2026, 10, 15, 10)):
        workflow.fire(cycle, "start", actor=office_user)
    assert _schedule(_assessment(late)).anchor == EXTENDED
    assert _schedule(_assessment(other)).anchor == date(2026, 11, 5)
    moved = {**PHASE_DATES, "self_assessment": {"start": "2026-10-15", "due": "2026-11-06"}}
    with frozen(local(2026, 10, 20, 10)):
        cycles.update_cycle(cycle, {"name": cycle.name, "phases": moved}, actor=office_user)
    assert _schedule(_assessment(late)).anchor == EXTENDED
    assert _schedule(_assessment(other)).anchor == date(2026, 11, 6)


def test_the_sweep_chases_an_item_by_the_rule_every_replan_follows(app):
    """``schedule.wanted`` on a light item (the sweep's columns) and on the model agree, in every state."""
    sweep_module = __import__("pufa_flow.services.reminders.sweep", fromlist=["_live"])
    states = RectificationItem.workflow.definition.states
    submitted = datetime(2026, 11, 3, 2, 0)
    for status in states:
        for due in (date(2026, 11, 20), None):
            model = RectificationItem(status=status, due_date=due, submitted_at=submitted)
            light = sweep_module.LightItem(1, 1, None, "问题", status, due, submitted)
            expected = schedule.wanted(model)
            assert schedule.wanted(light) == expected, status
            for ladder in ("rectification", "rectification_unverified", "cycle_phase"):
                assert sweep_module._live(light, ladder) == expected.get(ladder), (status, due, ladder)
    open_ = RectificationItem(status="in_progress", due_date=date(2026, 11, 20))
    assert schedule.wanted(open_) == {"rectification": date(2026, 11, 20)}
    done = RectificationItem(status="submitted", due_date=date(2026, 11, 20), submitted_at=submitted)
    assert schedule.wanted(done) == {"rectification_unverified": date(2026, 11, 3)}


def test_a_row_left_on_an_old_ladder_is_dropped_not_sent(app, make_unit, office_user, make_user):
    """A submitted item whose row still says "rectification" (the unit's ladder) is not chased on it."""
    from reminders_support import issue_item

    unit = make_unit("区司法局")
    add_contacts(unit)
    item = issue_item(office_user, unit, date(2026, 11, 20), local(2026, 11, 2, 10))
    with frozen(local(2026, 11, 3, 10)):
        workflow.fire(item, "acknowledge", actor=make_user("unit", unit))
    db.session.execute(sa.update(ReminderSchedule).values(ladder="rectification", next_at=datetime(2026, 11, 4)))
    db.session.execute(sa.update(RectificationItem).values(status="submitted",
                                                           submitted_at=datetime(2026, 11, 3, 2)))
    db.session.commit()
    report = sweep(local(2026, 11, 13, 9, 30))
    assert report.queued == 0 and report.dropped == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReminderSchedule)) == 0


def test_a_row_planned_on_an_old_date_is_chased_on_the_rules_date(app, office_user, two_units):
    """An extension written before re-plans followed it (or by any path that skipped the re-plan):
    the sweep chases on ``schedule.wanted``'s date, not the row's, and corrects the row."""
    from helpers import new_cycle

    late, other = two_units
    with frozen(local(2026, 10, 15, 10)):
        cycle = new_cycle(office_user, [late, other])
        workflow.fire(cycle, "start", actor=office_user)
    db.session.execute(sa.update(UnitAssessment).where(UnitAssessment.unit_id == late.id)
                       .values(extended_due_on=EXTENDED))
    db.session.commit()
    assert _schedule(_assessment(late)).anchor == date(2026, 11, 5)  # stale

    report = sweep(local(2026, 10, 29, 9, 30))  # the old date's before_5
    assert {m.unit_id for m in rows()} == {other.id} and report.queued == 3
    db.session.expire_all()
    row = _schedule(_assessment(late))
    assert row.anchor == EXTENDED and row.next_at == datetime(2026, 11, 5, 1, 0)
    sweep(local(2026, 11, 5, 9, 30))
    theirs = rows(OutboxMessage.unit_id == late.id, OutboxMessage.channel == "email")
    assert [m.kind for m in theirs] == ["cycle_phase.before_5"] and "2026年11月12日" in theirs[0].body
