"""The board's 12-week trend (one GROUP BY of week buckets) against a hand count: items created, closed and
cancelled in different weeks, and the overdue line moving with each week's working-day cutoff."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from pufa_flow import clock
from pufa_flow.services import board, notices, workflow


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 4, 0)  # 12:00 in Shanghai


def issue(office, unit, on: date, dues):
    with clock.frozen(noon(on)):
        return notices.create_notice({"unit_id": unit.id, "source": "inspection", "title": "整改通知书",
                                      "items": [{"problem": f"问题{k}", "due_date": d} for k, d in enumerate(dues)]},
                                     actor=office).items


def test_trend_matches_a_hand_count(app, make_unit, make_user, office_user):
    unit = make_unit("区司法局")
    ua = make_user("unit", unit=unit)
    a, b, c = issue(office_user, unit, date(2026, 11, 2), ["2026-11-06"] * 3)
    with clock.frozen(noon(date(2026, 11, 9))):
        workflow.fire(c, "cancel", actor=office_user, comment="重复事项")
    with clock.frozen(noon(date(2026, 11, 12))):
        workflow.fire(a, "acknowledge", actor=ua)
        workflow.fire(a, "submit", actor=ua, data={"measures": "已整改"})
        workflow.fire(a, "verify", actor=office_user)
    issue(office_user, unit, date(2026, 11, 10), ["2026-11-30"])
    with app.test_request_context():
        got = [(w["week_end"], w["open"], w["overdue"]) for w in board.trend(office_user, date(2026, 11, 20), 4)]
    # week ending 30 Oct: nothing yet; 6 Nov: three open, due that Friday (not late yet);
    # 13 Nov: C cancelled, A closed, B late, the new one open; 20 Nov: the same
    assert got == [("2026-10-30", 0, 0), ("2026-11-06", 3, 0), ("2026-11-13", 2, 1), ("2026-11-20", 2, 1)]


# -- the kept past days (overdue_days): read, not recounted; today live; recounted when the calendar changes --
def kept(app):
    from pufa_flow.extensions import db
    from pufa_flow.models import OverdueDay

    return {r.day: (r.open, r.overdue) for r in db.session.scalars(sa.select(OverdueDay))}


def points(user, weeks, on=None):
    return [(w["week_end"], w["open"], w["overdue"]) for w in board.trend(user, on, weeks)]


def three_due_friday(office, unit):
    return issue(office, unit, date(2026, 11, 2), ["2026-11-06"] * 3)  # Mon 2 Nov, due Fri 6 Nov


def test_past_days_are_kept_and_read_while_today_follows_each_transition(app, make_unit, make_user, office_user):
    from pufa_flow.extensions import db
    from pufa_flow.models import OverdueDay

    unit = make_unit("区司法局")
    ua = make_user("unit", unit=unit)
    a, _, _ = three_due_friday(office_user, unit)
    with clock.frozen(noon(date(2026, 11, 20))), app.test_request_context():
        # 6 Nov: due that day, not late; 13 Nov: late (cutoff 12 Nov); 20 Nov (today): late
        assert points(office_user, 3) == [("2026-11-06", 3, 0), ("2026-11-13", 3, 3), ("2026-11-20", 3, 3)]
        assert kept(app) == {date(2026, 11, 6): (3, 0), date(2026, 11, 13): (3, 3)}  # not today: it is not over
        workflow.fire(a, "acknowledge", actor=ua)
        workflow.fire(a, "submit", actor=ua, data={"measures": "已整改"})
        workflow.fire(a, "verify", actor=office_user)
        assert points(office_user, 3) == [("2026-11-06", 3, 0), ("2026-11-13", 3, 3), ("2026-11-20", 2, 2)]
        # the past weeks are read from the kept rows, not counted again
        db.session.execute(sa.update(OverdueDay).where(OverdueDay.day == date(2026, 11, 6)).values(open=7))
        assert points(office_user, 3)[0] == ("2026-11-06", 7, 0)


def test_a_day_is_kept_only_once_it_is_over(app, make_unit, make_user, office_user):
    """Across a day boundary: today's figure is never kept; the next day counts it with what happened late."""
    unit = make_unit("区司法局")
    ua = make_user("unit", unit=unit)
    a, _, _ = three_due_friday(office_user, unit)
    with clock.frozen(noon(date(2026, 11, 13))), app.test_request_context():
        assert points(office_user, 2) == [("2026-11-06", 3, 0), ("2026-11-13", 3, 3)]
        assert set(kept(app)) == {date(2026, 11, 6)}
    with clock.frozen(datetime(2026, 11, 13, 15, 30)), app.test_request_context():  # 23:30 in Shanghai
        workflow.fire(a, "acknowledge", actor=ua)
        workflow.fire(a, "submit", actor=ua, data={"measures": "已整改"})
        workflow.fire(a, "verify", actor=office_user)
    with clock.frozen(noon(date(2026, 11, 14))), app.test_request_context():
        assert points(office_user, 2) == [("2026-11-07", 3, 3), ("2026-11-14", 2, 2)]  # late from Saturday
        assert points(office_user, 2, date(2026, 11, 13)) == [("2026-11-06", 3, 0), ("2026-11-13", 2, 2)]
        assert kept(app)[date(2026, 11, 13)] == (2, 2)


def test_a_calendar_change_recounts_the_kept_days(app, make_unit, office_user):
    from pufa_flow.services import holidays

    three_due_friday(office_user, make_unit("区司法局"))
    with clock.frozen(noon(date(2026, 11, 20))), app.test_request_context():
        assert points(office_user, 2) == [("2026-11-13", 3, 3), ("2026-11-20", 3, 3)]
        # 6–12 Nov made days off: the deadline moves to Fri 13 Nov, so on 13 Nov nothing was late yet
        holidays.set_range(date(2026, 11, 6), date(2026, 11, 12), "holiday", "测试", actor=office_user)
        assert kept(app) == {}
        assert points(office_user, 2) == [("2026-11-13", 3, 0), ("2026-11-20", 3, 3)]
        holidays.clear_range(date(2026, 11, 6), date(2026, 11, 12), actor=office_user)
        assert points(office_user, 2) == [("2026-11-13", 3, 3), ("2026-11-20", 3, 3)]


def test_a_later_extension_does_not_rewrite_a_past_week(app, make_unit, office_user):
    """A past week shows what was late then: moving a deadline later changes today's figure only."""
    from pufa_flow.services import items as item_service

    a, _, _ = three_due_friday(office_user, make_unit("区司法局"))
    with clock.frozen(noon(date(2026, 11, 20))), app.test_request_context():
        assert points(office_user, 2) == [("2026-11-13", 3, 3), ("2026-11-20", 3, 3)]
        item_service.extend(a, date(2026, 12, 31), "统一延期", actor=office_user)
        assert points(office_user, 2) == [("2026-11-13", 3, 3), ("2026-11-20", 3, 2)]


def test_a_unit_counts_its_own_items_and_keeps_nothing(app, make_unit, make_user, office_user):
    unit, other = make_unit("区司法局"), make_unit("区教育局")
    ua = make_user("unit", unit=unit)
    three_due_friday(office_user, unit)
    issue(office_user, other, date(2026, 11, 2), ["2026-11-06"])
    with clock.frozen(noon(date(2026, 11, 20))), app.test_request_context():
        assert points(office_user, 2) == [("2026-11-13", 4, 4), ("2026-11-20", 4, 4)]
        assert points(ua, 2) == [("2026-11-13", 3, 3), ("2026-11-20", 3, 3)]
        assert set(kept(app)) == {date(2026, 11, 13)}


def test_keeping_a_day_twice_keeps_the_first(app):
    """Two requests that both found the day missing: the second insert is skipped, not an error."""
    with app.test_request_context():
        board._keep({date(2026, 11, 13): (3, 1)})
        board._keep({date(2026, 11, 13): (5, 2)})
        assert kept(app) == {date(2026, 11, 13): (3, 1)}


def test_closed_on_time_or_late_at_the_local_midnight(app, make_unit, make_user, office_user):
    """Closed at 23:30 on the deadline (Shanghai) is on time; at 00:30 the next day, late (both backends
    judge the local closing day, SQLite through each due date's late-from moment, PostgreSQL by grouping)."""
    unit = make_unit("区司法局")
    ua = make_user("unit", unit=unit)
    first, second = issue(office_user, unit, date(2026, 11, 2), ["2026-11-06"] * 2)  # due Friday 6 Nov
    for item, at in ((first, datetime(2026, 11, 6, 15, 30)), (second, datetime(2026, 11, 6, 16, 30))):
        with clock.frozen(at):  # 23:30 and 00:30 in Shanghai
            workflow.fire(item, "acknowledge", actor=ua)
            workflow.fire(item, "submit", actor=ua, data={"measures": "已整改"})
            workflow.fire(item, "verify", actor=office_user)
    with app.test_request_context():
        assert board.closed_split(office_user) == (1, 1)


def test_todays_point_in_the_figures_is_the_live_count(app, make_unit, make_user, office_user):
    """``figures`` takes today's trend point from its totals pass: it must equal counting the day itself,
    items waiting for the office's verification included in the overdue line."""
    unit = make_unit("区司法局")
    ua = make_user("unit", unit=unit)
    a, b, c = three_due_friday(office_user, unit)
    issue(office_user, unit, date(2026, 11, 10), ["2026-12-30"])  # open, not due
    with clock.frozen(noon(date(2026, 11, 20))), app.test_request_context():
        workflow.fire(a, "acknowledge", actor=ua)
        workflow.fire(a, "submit", actor=ua, data={"measures": "已整改"})  # late, the office's turn
        workflow.fire(b, "cancel", actor=office_user, comment="重复事项")
        for user in (office_user, ua):
            got = board.figures(user)["trend"][-1]
            assert (got["week_end"], got["open"], got["overdue"]) == ("2026-11-20", 3, 2)
            assert board._count_day(date(2026, 11, 20), user) == (3, 2)


# -- closed on time / late: the closings up to yesterday kept in closed_days, today's judged live --
def closed_kept(app):
    from pufa_flow.extensions import db
    from pufa_flow.models import ClosedDay

    return {r.day: (r.on_time, r.late) for r in db.session.scalars(sa.select(ClosedDay))}


def close(item, ua, office, at: datetime):
    with clock.frozen(at):
        workflow.fire(item, "acknowledge", actor=ua)
        workflow.fire(item, "submit", actor=ua, data={"measures": "已整改"})
        workflow.fire(item, "verify", actor=office)


def test_closings_up_to_yesterday_are_kept_and_today_is_judged_live(app, make_unit, make_user, office_user):
    from pufa_flow.extensions import db
    from pufa_flow.models import ClosedDay

    unit = make_unit("区司法局")
    ua = make_user("unit", unit=unit)
    a, b, c = three_due_friday(office_user, unit)  # due Fri 6 Nov
    close(a, ua, office_user, noon(date(2026, 11, 5)))  # on time
    close(b, ua, office_user, noon(date(2026, 11, 10)))  # late
    with clock.frozen(noon(date(2026, 11, 20))), app.test_request_context():
        assert board.closed_split(office_user) == (1, 1)
        assert closed_kept(app) == {date(2026, 11, 19): (1, 1)}
        # the kept row is read, not recounted
        db.session.execute(sa.update(ClosedDay).values(on_time=7))
        assert board.closed_split(office_user) == (7, 1)
        db.session.execute(sa.update(ClosedDay).values(on_time=1))
    close(c, ua, office_user, noon(date(2026, 11, 20)))  # late, today: live
    with clock.frozen(noon(date(2026, 11, 20)) + timedelta(hours=1)), app.test_request_context():
        assert board.closed_split(office_user) == (1, 2)
        assert closed_kept(app) == {date(2026, 11, 19): (1, 1)}
    with clock.frozen(noon(date(2026, 11, 23))), app.test_request_context():
        # the next board after 20 Nov ended adds its closing to a new row
        assert board.closed_split(office_user) == (1, 2)
        assert closed_kept(app) == {date(2026, 11, 19): (1, 1), date(2026, 11, 22): (1, 2)}
        assert board.totals(office_user)["closed_late"] == 2


def test_a_calendar_change_recounts_the_closings(app, make_unit, make_user, office_user):
    from pufa_flow.services import holidays

    unit = make_unit("区司法局")
    ua = make_user("unit", unit=unit)
    a, _, _ = three_due_friday(office_user, unit)  # due Fri 6 Nov
    close(a, ua, office_user, noon(date(2026, 11, 9)))  # Monday: late
    with clock.frozen(noon(date(2026, 11, 20))), app.test_request_context():
        assert board.closed_split(office_user) == (0, 1)
        # 6 Nov made a day off: the deadline moves to Monday 9 Nov, so the closing was on time
        holidays.set_range(date(2026, 11, 6), date(2026, 11, 6), "holiday", "测试", actor=office_user)
        assert closed_kept(app) == {}
        assert board.closed_split(office_user) == (1, 0)


def test_a_unit_judges_its_own_closings_and_keeps_nothing(app, make_unit, make_user, office_user):
    unit, other = make_unit("区司法局"), make_unit("区教育局")
    ua, uo = make_user("unit", unit=unit), make_user("unit", unit=other)
    (a,) = issue(office_user, unit, date(2026, 11, 2), ["2026-11-06"])
    (b,) = issue(office_user, other, date(2026, 11, 2), ["2026-11-06"])
    close(a, ua, office_user, noon(date(2026, 11, 5)))
    close(b, uo, office_user, noon(date(2026, 11, 10)))
    with clock.frozen(noon(date(2026, 11, 20))), app.test_request_context():
        assert board.closed_split(ua) == (1, 0)
        assert closed_kept(app) == {}
        assert board.closed_split(office_user) == (1, 1)


def test_a_clock_set_back_judges_every_closing(app, make_unit, make_user, office_user):
    """A kept row later than yesterday (the clock went back) is not used: nothing is counted twice."""
    unit = make_unit("区司法局")
    ua = make_user("unit", unit=unit)
    a, b, _ = three_due_friday(office_user, unit)
    close(a, ua, office_user, noon(date(2026, 11, 5)))
    with clock.frozen(noon(date(2026, 11, 20))), app.test_request_context():
        assert board.closed_split(office_user) == (1, 0)
    close(b, ua, office_user, noon(date(2026, 11, 10)))
    with clock.frozen(noon(date(2026, 11, 12))), app.test_request_context():
        assert board.closed_split(office_user) == (1, 1)
