"""sweep(now) and deliver(now) on a real database, under a frozen clock."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa
from reminders_support import SH, add_contacts, issue_item, local, recorders, rows

from pufa_flow.clock import frozen
from pufa_flow.extensions import db
from pufa_flow.models import OutboxAttempt, OutboxMessage, ReminderSchedule
from pufa_flow.services import reminders
from pufa_flow.services.reminders import deliver, sweep


@pytest.fixture
def unit(make_unit):
    unit = make_unit("区司法局")
    add_contacts(unit)
    return unit


def _hourly(start, end):
    at = start
    while at <= end:
        yield at
        at += timedelta(hours=1)


def test_national_day_2026_reminders_skip_the_holiday_and_use_the_make_up_day(app, unit, office_user):
    """Due Mon 12 Oct 2026: 5/2/1 working days before are 29 Sep, 9 Oct and Sat 10 Oct (调休上班)."""
    item = issue_item(office_user, unit, date(2026, 10, 12), local(2026, 9, 25, 10))
    for at in _hourly(local(2026, 9, 25, 11), local(2026, 10, 13, 8)):
        sweep(at)
    email = rows(OutboxMessage.channel == "email", OutboxMessage.object_id == item.id,
                 OutboxMessage.recipient == "wangmin@example.cn")
    assert [(m.kind, m.local_day) for m in email] == [
        ("rectification.before_5", date(2026, 9, 29)),
        ("rectification.before_2", date(2026, 10, 9)),
        ("rectification.before_1", date(2026, 10, 10)),
        ("rectification.due", date(2026, 10, 12)),
    ]
    # nothing during the holiday, nothing to the leader before the deadline
    assert not rows(OutboxMessage.local_day.between(date(2026, 10, 1), date(2026, 10, 7)))
    assert not rows(OutboxMessage.recipient_role == "leader")
    # created when planned: 09:00 Shanghai = 01:00 UTC
    assert email[2].created_at == local(2026, 10, 10, 9).astimezone(SH).replace(tzinfo=None) - timedelta(hours=8)


def test_sms_at_night_waits_until_eight_on_the_next_working_day(app, unit, office_user):
    item = issue_item(office_user, unit, date(2026, 10, 12), local(2026, 10, 9, 8))
    channels = recorders(app)
    report = sweep(local(2026, 10, 9, 22))  # the scheduler was down since 08:00: before_2 is late
    assert report.queued == 3 and all("before_2" in line for line in report.lines)
    sms = rows(OutboxMessage.channel == "sms")[0]
    assert sms.send_after == local(2026, 10, 10, 8).astimezone(SH).replace(tzinfo=None) - timedelta(hours=8)
    deliver(local(2026, 10, 9, 22, 5))
    assert len(channels["email"].sent) == 1 and channels["sms"].sent == []
    deliver(local(2026, 10, 10, 7, 59))
    assert channels["sms"].sent == []
    deliver(local(2026, 10, 10, 8, 0))
    assert [m.recipient for m in channels["sms"].sent] == ["13800138000"]
    assert rows(OutboxMessage.status != "sent") == []
    del item


def test_two_days_down_sends_what_fell_due_once(app, unit, office_user):
    """Overdue item, scheduler down from Tue to Thu: each recipient and channel gets one reminder."""
    item = issue_item(office_user, unit, date(2026, 11, 2), local(2026, 10, 26, 10))
    sweep(local(2026, 11, 9, 8))   # Monday, before 09:00
    before = len(rows())
    sweep(local(2026, 11, 12, 10))  # Thursday: 10, 11, 12 Nov all fell due meanwhile
    new = rows(OutboxMessage.id > 0)[before:]
    per = {}
    for m in new:
        per.setdefault((m.recipient_role, m.recipient, m.channel), []).append(m.kind)
    assert per and all(len(kinds) == 1 for kinds in per.values()), per
    # and running it again, or a second process, adds nothing
    assert sweep(local(2026, 11, 12, 10)).queued == 0
    assert sweep(local(2026, 11, 12, 10, 30)).queued == 0
    del item


def test_closed_items_get_nothing_and_extensions_replan(app, unit, office_user, make_user):
    from pufa_flow.services import workflow

    unit_user = make_user("unit", unit)
    item = issue_item(office_user, unit, date(2026, 11, 20), local(2026, 11, 2, 10))
    row = db.session.scalar(sa.select(ReminderSchedule))
    assert row.ladder == "rectification" and row.next_at is not None
    with frozen(local(2026, 11, 3, 10)):
        workflow.fire(item, "acknowledge", actor=unit_user)
        workflow.fire(item, "request_extension", actor=unit_user, comment="材料较多",
                      data={"new_due_date": "2026-12-18"})
        workflow.fire(item, "approve_extension", actor=office_user)
    row = db.session.scalar(sa.select(ReminderSchedule))
    assert row.anchor == date(2026, 12, 18)
    assert sweep(local(2026, 11, 20, 10)).queued == 0  # the old deadline's reminders are gone
    assert reminders.preview(item, now=local(2026, 11, 20, 10)).planned[0].at.date() == date(2026, 12, 11)
    with frozen(local(2026, 12, 1, 10)):
        workflow.fire(item, "submit", actor=unit_user, data={"measures": "已补齐"})
    assert db.session.scalar(sa.select(ReminderSchedule.ladder)) == "rectification_unverified"
    with frozen(local(2026, 12, 2, 10)):
        workflow.fire(item, "verify", actor=office_user)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReminderSchedule)) == 0
    assert sweep(local(2026, 12, 31, 10)).queued == 0


def test_escalation_reaches_the_leader_then_the_principal_and_the_office(app, unit, office_user):
    app.config["PUFA_OFFICE_EMAIL"] = "pufaban@example.cn"
    issue_item(office_user, unit, date(2026, 11, 2), local(2026, 10, 26, 10))
    for day in range(2, 18):
        sweep(local(2026, 11, day, 10))
    roles = {(m.recipient_role, m.kind) for m in rows()}
    assert ("leader", "rectification.escalate_leader") in roles
    assert ("principal", "rectification.escalate_principal") in roles
    assert ("office", "rectification.escalate_principal") in roles
    first_leader = min(m.local_day for m in rows(OutboxMessage.recipient_role == "leader"))
    assert first_leader == date(2026, 11, 5)  # 3 working days after Mon 2 Nov


def test_delivery_retries_then_fails_with_every_attempt_logged(app, unit, office_user):
    from reminders_support import refusal

    issue_item(office_user, unit, date(2026, 11, 20), local(2026, 11, 2, 10))
    channels = recorders(app, email=[refusal(), refusal(), None], sms=[refusal(retryable=False)])
    sweep(local(2026, 11, 13, 9, 5))
    now = local(2026, 11, 13, 9, 10)
    report = deliver(now)
    assert (report.sent, report.retried, report.failed) == (1, 1, 1)  # in-app, email, sms
    deliver(now + timedelta(minutes=2))   # the first retry is due after one minute
    deliver(now + timedelta(minutes=10))  # the second after five more
    mail = rows(OutboxMessage.channel == "email")[0]
    assert mail.status == "sent" and mail.attempts == 3 and len(channels["email"].sent) == 1
    log = db.session.scalars(sa.select(OutboxAttempt).where(OutboxAttempt.message_id == mail.id)
                             .order_by(OutboxAttempt.id)).all()
    assert [a.status for a in log] == ["retry", "retry", "sent"] and log[-1].provider_message_id == "email-1"
    sms = rows(OutboxMessage.channel == "sms")[0]
    assert sms.status == "failed" and "不可用" in sms.last_error


def test_an_expired_lease_is_delivered_again_and_logged(app, unit, office_user):
    """A worker died after claiming: the next delivery after the lease takes the rows over."""
    issue_item(office_user, unit, date(2026, 11, 20), local(2026, 11, 2, 10))
    channels = recorders(app)
    sweep(local(2026, 11, 13, 9, 5))
    now = local(2026, 11, 13, 9, 10)
    db.session.execute(sa.update(OutboxMessage).values(
        status="sending", claimed_by="dead", lease_until=(now + timedelta(minutes=10)).astimezone(SH)
        .replace(tzinfo=None) - timedelta(hours=8)))
    db.session.commit()
    assert deliver(now + timedelta(minutes=5)).sent == 0  # still leased
    report = deliver(now + timedelta(minutes=11))
    assert report.reclaimed == 3 and report.sent == 3
    assert sum(len(c.sent) for c in channels.values()) == 3
    log = db.session.scalars(sa.select(OutboxAttempt.status).order_by(OutboxAttempt.id)).all()
    assert log.count("expired") == 3 and log.count("sent") == 3


def test_a_calendar_change_replans_pending_reminders(app, unit, office_user):
    """The office makes Fri 13 Nov 2026 a day off: before_5 moves to Thu 12 Nov."""
    from pufa_flow.models import WorkdayOverride
    from pufa_flow.services.reminders import replan_all

    issue_item(office_user, unit, date(2026, 11, 20), local(2026, 11, 2, 10))
    row = db.session.scalar(sa.select(ReminderSchedule))
    assert row.next_at == datetime(2026, 11, 13, 1, 0)
    db.session.add(WorkdayOverride(day=date(2026, 11, 13), is_workday=False, note="测试"))
    db.session.commit()
    assert replan_all(now=local(2026, 11, 3, 10)) == 1
    db.session.refresh(row)
    assert row.next_at == datetime(2026, 11, 12, 1, 0)
    sweep(local(2026, 11, 12, 9, 5))
    assert {m.local_day for m in rows()} == {date(2026, 11, 12)}


def test_units_that_have_not_submitted_their_self_assessment_are_chased(app, unit, office_user, make_unit,
                                                                         make_user):
    """自评 due Thu 5 Nov 2026: 5 working days before is Thu 29 Oct; once submitted, nothing more."""
    from helpers import new_cycle

    from pufa_flow.models import UnitAssessment
    from pufa_flow.services import workflow

    other = make_unit("区教育局")
    add_contacts(other, leader=False, principal=False)
    with frozen(local(2026, 10, 15, 10)):
        cycle = new_cycle(office_user, [unit, other])
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ReminderSchedule)) == 0  # a draft
        workflow.fire(cycle, "start", actor=office_user)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReminderSchedule)) == 2
    report = sweep(local(2026, 10, 29, 9, 30))
    assert report.queued == 6 and all("自评" in line and "cycle_phase.before_5" in line for line in report.lines)
    mail = rows(OutboxMessage.channel == "email")[0]
    assert "自评材料报送提醒" in mail.subject and "2026年11月5日" in mail.body and "/cycles/assessments/" in mail.link
    theirs = db.session.scalar(sa.select(UnitAssessment).where(UnitAssessment.unit_id == other.id))
    with frozen(local(2026, 10, 30, 10)):
        workflow.fire(theirs, "submit", actor=make_user("unit", other))
    sweep(local(2026, 11, 4, 9, 30))  # before_1: only the unit that has not submitted
    assert {m.unit_id for m in rows(OutboxMessage.kind == "cycle_phase.before_1")} == {unit.id}
    sweep(local(2026, 11, 9, 9, 30))  # overdue, every working day
    assert {m.unit_id for m in rows(OutboxMessage.kind == "cycle_phase.overdue")} == {unit.id}


def test_a_phase_due_date_edit_replans_the_units_reminders(app, unit, office_user):
    """自评 due Thu 5 Nov, moved to Thu 12 Nov on the cycle's page: before_5 falls on 5 Nov, not 29 Oct."""
    from helpers import PHASE_DATES, new_cycle

    from pufa_flow.services import cycles, workflow

    with frozen(local(2026, 10, 15, 10)):
        cycle = new_cycle(office_user, [unit])
        workflow.fire(cycle, "start", actor=office_user)
    assert db.session.scalar(sa.select(ReminderSchedule.anchor)) == date(2026, 11, 5)
    moved = {**PHASE_DATES, "self_assessment": {"start": "2026-10-15", "due": "2026-11-12"}}
    with frozen(local(2026, 10, 20, 10)):
        cycles.update_cycle(cycle, {"name": cycle.name, "phases": moved}, actor=office_user)
    row = db.session.scalar(sa.select(ReminderSchedule))
    assert row.anchor == date(2026, 11, 12) and row.next_at == datetime(2026, 11, 5, 1, 0)
    assert sweep(local(2026, 10, 29, 9, 30)).queued == 0  # the old before_5 day
    report = sweep(local(2026, 11, 5, 9, 30))
    assert report.queued == 3 and all("cycle_phase.before_5" in line for line in report.lines)
    assert "2026年11月12日" in rows(OutboxMessage.channel == "email")[0].body
    # a name-only edit leaves the rows alone
    with frozen(local(2026, 11, 5, 10)):
        cycles.update_cycle(cycle, {"name": "改名", "phases": moved}, actor=office_user)
    assert db.session.scalar(sa.select(ReminderSchedule.swept_at)) == datetime(2026, 11, 5, 1, 30)
