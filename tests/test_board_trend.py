"""The board's 12-week trend (one GROUP BY of week buckets) against a hand count: items created, closed and
cancelled in different weeks, and the overdue line moving with each week's working-day cutoff."""
from __future__ import annotations

from datetime import date, datetime

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
