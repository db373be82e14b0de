"""The sweep chases filing deadlines (issue 13 item 4) and evaluators' and panel members'
pending work (issue 9 item 2) with their own ladders, under a frozen clock."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import chinese_calendar
import pytest
import sqlalchemy as sa
from tests.helpers import IN_SELF_ASSESSMENT, assign, fill_self_assessment, new_cycle
from tests.reminders_support import add_contacts, local, rows

from pufa_flow import clock
from pufa_flow.extensions import db
from pufa_flow.models import Contact, OutboxMessage, ReminderSchedule, UnitAssessment
from pufa_flow.services import filings, panel, self_assessment, workflow
from pufa_flow.services.reminders import inbox, sweep
from pufa_flow.services.reminders.evaluators import pending

PDF = b"%PDF-1.4 x"


def _daily(start: date, end: date, hour: int = 10):
    day = start
    while day <= end:
        yield local(day.year, day.month, day.day, hour)
        day += timedelta(days=1)


@pytest.fixture
def plan_due_after_national_day(make_unit, make_user, office_user):
    """Two units owe a 年度普法工作计划 due Friday 2026-10-09, right after the National Day holidays."""
    a, b = make_unit("区司法局"), make_unit("区教育局")
    add_contacts(a, leader=False, principal=False)
    db.session.add(Contact(unit_id=b.id, role="liaison", name="赵云", phone="13600136000", email="zhaoyun@example.cn"))
    db.session.commit()
    with clock.frozen(local(2026, 9, 1, 9)):
        ft = filings.create_type({"year": 2026, "code": "plan", "name": "年度普法工作计划",
                                  "kind": "single", "due_date": "2026-10-09"}, actor=office_user)
    db.session.commit()
    return ft, a, b, make_user("unit", unit=a)


def test_a_filing_deadline_is_chased_on_working_days_until_filed(app, plan_due_after_national_day):
    ft, a, b, a_user = plan_due_after_national_day
    row = db.session.scalars(sa.select(ReminderSchedule).where(ReminderSchedule.object_type == "filing_type")).one()
    assert (row.object_id, row.ladder, row.anchor) == (ft.id, "filing", date(2026, 10, 9))
    for at in _daily(date(2026, 9, 1), date(2026, 10, 11)):
        sweep(at)
    # unit A files on Monday 10-12, one working day late (10-10 was a make-up working Saturday)
    with clock.frozen(local(2026, 10, 12, 9, 30)):
        filings.file_filing(ft.id, {}, actor=a_user, files=[(PDF, "计划.pdf")])
        db.session.commit()
    for at in _daily(date(2026, 10, 12), date(2026, 10, 23)):
        sweep(at)

    def days(unit):
        return [(m.kind, m.local_day) for m in rows(OutboxMessage.channel == "email",
                                                    OutboxMessage.unit_id == unit.id)]
    expected = [("filing.before_10", date(2026, 9, 18)),  # counts the make-up Sunday 09-20
                ("filing.before_5", date(2026, 9, 24)),   # skips Mid-Autumn (09-25) and National Day
                ("filing.before_1", date(2026, 10, 8))]
    assert days(a) == expected  # filed: nothing after 10-12
    assert days(b) == expected + [("filing.overdue", date(2026, 10, 15)), ("filing.overdue", date(2026, 10, 22))]
    sent = rows(OutboxMessage.object_type == "filing_type")
    assert all(chinese_calendar.is_workday(m.local_day) for m in sent)
    assert not [m for m in sent if date(2026, 10, 1) <= m.local_day <= date(2026, 10, 7)]
    # the liaison by email, SMS and the unit's inbox, with words a person reads
    last = rows(OutboxMessage.unit_id == b.id, OutboxMessage.local_day == date(2026, 10, 22))
    assert {m.channel for m in last} == {"email", "sms", "in_app"}
    email = next(m for m in last if m.channel == "email")
    assert email.recipient == "zhaoyun@example.cn" and email.subject == "【普法考评】报备逾期未报送：年度普法工作计划"
    assert "报送时限为2026年10月9日" in email.body and f"/filings/units/{b.id}/2026" in email.link
    assert next(m for m in last if m.channel == "sms").template == "filing_overdue"
    # a second sweep on the same day sends nothing twice
    assert sweep(local(2026, 10, 22, 15)).queued == 0


def test_a_dry_run_lists_the_filing_reminders_and_writes_nothing(app, plan_due_after_national_day):
    ft, a, b, _ = plan_due_after_national_day
    report = sweep(local(2026, 9, 18, 10), dry_run=True)
    assert report.queued == 4  # two units × (email + inbox) at before_10
    assert any("区司法局·年度普法工作计划（2026年） filing.before_10 → 联络员 王敏 电子邮件" in line
               for line in report.lines)
    assert rows() == []


def test_moving_the_due_date_moves_the_chase(app, plan_due_after_national_day, office_user):
    ft, *_ = plan_due_after_national_day
    filings.update_type(ft, {"name": ft.name, "kind": "single", "due_date": "2026-11-30"}, actor=office_user)
    db.session.commit()
    row = db.session.scalars(sa.select(ReminderSchedule).where(ReminderSchedule.object_type == "filing_type")).one()
    assert row.anchor == date(2026, 11, 30)
    sweep(local(2026, 9, 18, 10))
    assert rows() == []  # the old date's before_10 is gone


# -- evaluators and panel members -------------------------------------------------------
@pytest.fixture
def review(make_unit, make_user, office_user):
    with clock.frozen(IN_SELF_ASSESSMENT):
        units = [make_unit(n, has_enforcement_power=True) for n in ("部门甲", "部门乙")]
        unit_users = [make_user("unit", u) for u in units]
        cycle = new_cycle(office_user, units)
        workflow.fire(cycle, "start", actor=office_user)
        assessments = {a.unit_id: a for a in db.session.scalars(sa.select(UnitAssessment))}
        for unit, user in zip(units, unit_users):
            fill_self_assessment(assessments[unit.id], user, entries=())
            self_assessment.submit(assessments[unit.id], actor=user)
            workflow.fire(assessments[unit.id], "accept", actor=office_user)
        workflow.fire(cycle, "begin_field_research", actor=office_user)
        p1, ev = make_user("panel", username="p1"), make_user("evaluator", username="e1")
        assign(p1, cycle, units)
        assign(ev, cycle, units[:1])
        db.session.commit()
    return {"cycle": cycle, "units": units, "p1": p1, "ev": ev,
            "a": [assessments[u.id] for u in units], "office": office_user}


def test_pending_review_work_is_chased_by_the_acceptance_due_date_until_done(app, review):
    p1, ev, (a1, a2) = review["p1"], review["ev"], review["a"]
    cycle = review["cycle"]
    row = db.session.scalars(sa.select(ReminderSchedule).where(ReminderSchedule.object_type == "cycle")).one()
    assert (row.ladder, row.anchor) == ("cycle_review", date(2026, 12, 25))
    assert pending(cycle.id) == {(p1.id, "panel"): ["部门甲", "部门乙"], (ev.id, "evaluator"): ["部门甲"]}
    for at in _daily(date(2026, 12, 1), date(2026, 12, 22)):
        sweep(at)
    # the evaluator records the field visit on 12-22; the panel member submits 部门甲 only
    with clock.frozen(local(2026, 12, 22, 11)):
        panel.save_findings(a1, {"findings": [{"title": "档案不全", "body": "未见2025年度普法台账"}]}, actor=ev)
        panel.save_sheet(a1, {"entries": []}, actor=p1)
        panel.submit_sheet(a1, actor=p1)
        db.session.commit()
    assert pending(cycle.id) == {(p1.id, "panel"): ["部门乙"]}
    for at in _daily(date(2026, 12, 23), date(2026, 12, 29)):
        sweep(at)

    def days(user):
        return [(m.kind, m.local_day) for m in rows(OutboxMessage.recipient == f"user:{user.id}")]
    assert days(ev) == [("cycle_review.before_5", date(2026, 12, 18))]
    assert days(p1) == [("cycle_review.before_5", date(2026, 12, 18)), ("cycle_review.before_2", date(2026, 12, 23)),
                        ("cycle_review.before_1", date(2026, 12, 24)), ("cycle_review.overdue", date(2026, 12, 28)),
                        ("cycle_review.overdue", date(2026, 12, 29))]
    last = rows(OutboxMessage.recipient == f"user:{p1.id}")[-1]
    assert "1 个单位尚未提交评议得分表（部门乙）" in last.body and last.channel == "in_app"
    first = rows(OutboxMessage.recipient == f"user:{p1.id}")[0]
    assert "2 个单位" in first.body
    # they read it in their own inbox
    assert inbox.groups(p1) == [f"user:{p1.id}"]


def test_the_review_chase_ends_when_the_cycle_moves_on(app, review):
    cycle, office = review["cycle"], review["office"]
    with clock.frozen(IN_SELF_ASSESSMENT):
        workflow.fire(cycle, "begin_acceptance", actor=office)
    assert db.session.scalars(sa.select(ReminderSchedule).where(ReminderSchedule.object_type == "cycle")).one()
    for a in review["a"]:
        for p in (review["p1"],):
            with clock.frozen(local(2026, 12, 1, 10)):
                panel.save_sheet(a, {"entries": []}, actor=p)
                panel.submit_sheet(a, actor=p)
    with clock.frozen(local(2026, 12, 1, 10)):
        panel.save_findings(review["a"][0], {"findings": []}, actor=review["ev"])
        db.session.commit()
    assert pending(cycle.id) == {}
    sweep(local(2026, 12, 28, 10))
    assert rows(OutboxMessage.object_type == "cycle") == []


def test_the_sweep_leaves_other_deadlines_alone(app, plan_due_after_national_day):
    """The main sweep does not take a filing type's row for a vanished item and drop it."""
    sweep(local(2026, 9, 18, 10))
    assert db.session.scalars(sa.select(ReminderSchedule).where(ReminderSchedule.object_type == "filing_type")).one()


def test_a_panel_member_reads_the_reminder_in_the_inbox(app, review, login, client):
    from pufa_flow.services.reminders import deliver

    p1 = review["p1"]
    sweep(local(2026, 12, 18, 10))
    deliver(local(2026, 12, 18, 10, 1))
    login(p1)
    page = client.get("/inbox/").get_data(as_text=True)
    assert "【普法考评】评估工作提醒：2026年度普法责任制考评" in page and "前往办理" in page
    assert 'class="unread-count"' in page
