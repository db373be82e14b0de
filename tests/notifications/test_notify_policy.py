"""The reminder ladders over a real holiday: National Day 2026 with its 调休.

chinesecalendar 1.11's 2026: 9-25..27 中秋 and 10-01..07 国庆 are off; Sunday
9-20 and Saturday 10-10 are make-up working days. Frozen clocks are plain
datetime arguments: the planner reads no clock of its own.
"""
from __future__ import annotations

import copy
import json
from datetime import date, datetime, time, timedelta

import pytest

from notifications.calendar import ChineseCalendarWorkdays
from notifications.policy import (
    DEFAULT_LADDERS, DEFAULT_POLICY, SHANGHAI, Digest, Ladder, Policy, PolicyError, QuietHours, Rung, due,
    is_digest_time, next_allowed_time, next_due, plan,
)

CAL = ChineseCalendarWorkdays()
RECT = DEFAULT_LADDERS["rectification"]


def at(y, m, d, hh=9, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


def days(plans, recipient="liaison", channel="email"):
    return [(p.day, p.kind.split(".", 1)[1]) for p in plans if p.recipient == recipient and p.channel == channel]


def test_calendar_facts_the_tests_rely_on():
    assert not CAL.is_workday(date(2026, 10, 1)) and not CAL.is_workday(date(2026, 10, 7))
    assert CAL.is_workday(date(2026, 10, 10))  # Saturday, 调休 make-up day
    assert CAL.is_workday(date(2026, 9, 20))  # Sunday, make-up day
    assert not CAL.is_workday(date(2026, 10, 11))


def test_rectification_before_deadline_skips_the_holiday_and_lands_on_the_make_up_saturday():
    # due Monday 10-12: 1 working day before is the make-up Saturday 10-10
    plans = plan(date(2026, 10, 12), RECT, CAL, through=date(2026, 10, 12))
    assert days(plans) == [
        (date(2026, 9, 29), "before_5"),  # 10-10, 10-09, 10-08, back over the holiday: 9-30, 9-29
        (date(2026, 10, 9), "before_2"),
        (date(2026, 10, 10), "before_1"),
        (date(2026, 10, 12), "due"),
    ]
    assert all(p.at.time() == time(9, 0) and p.at.tzinfo is SHANGHAI for p in plans)
    assert not any(CAL.is_workday(p.day) is False for p in plans)


def test_rectification_overdue_and_escalation_across_national_day():
    plans = plan(date(2026, 9, 30), RECT, CAL, through=date(2026, 10, 23))
    overdue = [d for d, k in days(plans) if k == "overdue"]
    assert overdue == [date(2026, 10, 9), date(2026, 10, 12), date(2026, 10, 14), date(2026, 10, 16),
                       date(2026, 10, 20), date(2026, 10, 22)]
    # 3 working days overdue: 10-08, 10-09, 10-10 (make-up Saturday) → the 分管领导
    assert days(plans, "leader")[0] == (date(2026, 10, 10), "escalate_leader")
    # 10 working days overdue → 主要负责人 and the office
    assert days(plans, "principal")[0] == (date(2026, 10, 20), "escalate_principal")
    assert days(plans, "office", "sms")[0][0] == date(2026, 10, 20)
    assert {p.channel for p in plans} == {"email", "sms", "in_app"}
    for p in plans:
        assert CAL.is_workday(p.day), p


def test_deadline_on_a_holiday_counts_from_the_next_working_day():
    plans = plan(date(2026, 10, 3), RECT, CAL, through=date(2026, 10, 8))
    assert (date(2026, 10, 8), "due") in days(plans)


def test_sunday_make_up_day_gets_a_reminder():
    plans = plan(date(2026, 9, 22), RECT, CAL, through=date(2026, 9, 22))
    assert (date(2026, 9, 20), "before_2") in days(plans)


def test_audience_drops_roles_the_unit_does_not_have():
    plans = plan(date(2026, 9, 30), RECT, CAL, audience={"liaison", "office"}, through=date(2026, 10, 23))
    assert {p.recipient for p in plans} == {"liaison", "office"}


def test_filing_ladder_ten_five_one_then_weekly():
    plans = plan(date(2026, 10, 16), DEFAULT_LADDERS["filing"], CAL, through=date(2026, 11, 6))
    assert days(plans) == [
        (date(2026, 9, 28), "before_10"),  # 10 working days back over the holiday
        (date(2026, 10, 10), "before_5"),  # the make-up Saturday
        (date(2026, 10, 15), "before_1"),
        (date(2026, 10, 23), "overdue"),
        (date(2026, 10, 30), "overdue"),
        (date(2026, 11, 6), "overdue"),
    ]


def test_cycle_phase_daily_after_the_due_date():
    plans = plan(date(2026, 9, 30), DEFAULT_LADDERS["cycle_phase"], CAL, through=date(2026, 10, 12))
    after = [d for d, k in days(plans) if k == "overdue"]
    assert after == [date(2026, 10, 8), date(2026, 10, 9), date(2026, 10, 10), date(2026, 10, 12)]


def test_next_due_moves_over_the_holiday():
    # due 10-12: rungs on 9-29, 10-09, 10-10 and 10-12; after 9-29's went, the next is 10-09 09:00
    assert next_due(date(2026, 10, 12), RECT, CAL, after=at(2026, 9, 29, 9, 0)) == at(2026, 10, 9)
    assert next_due(date(2026, 10, 12), RECT, CAL, after=at(2026, 9, 29, 8, 59)) == at(2026, 9, 29)
    assert next_due(date(2026, 10, 12), RECT, CAL, after=at(2026, 10, 1, 12)) == at(2026, 10, 9)
    # overdue: the ladder repeats, so there is always a next one
    assert next_due(date(2026, 9, 30), RECT, CAL, after=at(2026, 10, 9, 10)) == at(2026, 10, 10)
    # a ladder without repeats ends
    once = Ladder("x", "x", (Rung("due", 0, ("liaison",), ("email",)),))
    assert next_due(date(2026, 10, 12), once, CAL, after=at(2026, 10, 12, 10)) is None
    # the audience matters: no leader on file → the leader's rung is not a next time
    assert next_due(date(2026, 9, 30), RECT, CAL, after=at(2026, 10, 9, 10), audience={"liaison"}) \
        == at(2026, 10, 12)


def test_due_after_two_days_down_sends_the_latest_once():
    # scheduler last swept 10-07 (holiday); by 10-10 10:00 the rungs of 10-08 and 10-10 both passed
    items = due(date(2026, 10, 12), RECT, CAL, now=at(2026, 10, 10, 10), since=at(2026, 10, 7))
    assert {(p.recipient, p.channel) for p in items} == {("liaison", c) for c in ("email", "sms", "in_app")}
    assert {p.kind for p in items} == {"rectification.before_1"}
    assert due(date(2026, 10, 12), RECT, CAL, now=at(2026, 10, 10, 10), since=at(2026, 10, 10, 9)) == []
    assert due(date(2026, 10, 12), RECT, CAL, now=at(2026, 10, 10, 8, 59), since=at(2026, 10, 9, 10)) == []


@pytest.mark.parametrize("when,expected", [
    (at(2026, 9, 30, 22, 0), at(2026, 10, 8, 8, 0)),   # eve of National Day: waits out the holiday
    (at(2026, 10, 9, 22, 0), at(2026, 10, 10, 8, 0)),  # Friday night → the make-up Saturday
    (at(2026, 10, 10, 21, 0), at(2026, 10, 12, 8, 0)),  # 21:00 is already quiet; Sunday is off
    (at(2026, 10, 12, 7, 59), at(2026, 10, 12, 8, 0)),
    (at(2026, 10, 12, 8, 0), at(2026, 10, 12, 8, 0)),
    (at(2026, 10, 12, 20, 59), at(2026, 10, 12, 20, 59)),
    (at(2026, 10, 4, 12, 0), at(2026, 10, 8, 8, 0)),   # midday on a holiday
    (at(2026, 10, 11, 3, 0), at(2026, 10, 12, 8, 0)),
])
def test_sms_quiet_hours(when, expected):
    assert next_allowed_time(when, CAL) == expected
    assert next_allowed_time(when, CAL, channel="email") == when


def test_quiet_hours_accept_utc_input():
    utc = at(2026, 9, 30, 22).astimezone(tz=None).astimezone(SHANGHAI).astimezone(__import__("datetime").timezone.utc)
    assert next_allowed_time(utc, CAL) == at(2026, 10, 8, 8)


def test_digest_only_on_working_days_after_08_30():
    assert is_digest_time(at(2026, 10, 10, 8, 30), CAL)
    assert not is_digest_time(at(2026, 10, 10, 8, 29), CAL)
    assert not is_digest_time(at(2026, 10, 11, 8, 30), CAL)
    assert not is_digest_time(at(2026, 10, 2, 9), CAL)


def test_policy_round_trips_through_json():
    data = json.loads(json.dumps(DEFAULT_POLICY.to_dict(), ensure_ascii=False))
    again = Policy.from_dict(data)
    assert again == DEFAULT_POLICY
    assert data["ladders"]["rectification"]["rungs"][4] == {
        "key": "overdue", "offset": 2, "recipients": ["liaison"], "channels": ["email", "sms", "in_app"], "every": 2}
    assert data["quiet_hours"] == {"start": "21:00", "end": "08:00", "channels": ["sms"]}
    assert data["digest"]["at"] == "08:30"


def test_edited_policy_changes_the_plan():
    data = DEFAULT_POLICY.to_dict()
    data["ladders"]["rectification"]["send_at"] = "10:30"
    data["ladders"]["rectification"]["rungs"] = [{"key": "due", "offset": 0, "recipients": ["liaison"],
                                                 "channels": ["wecom"]}]
    policy = Policy.from_dict(data)
    [p] = plan(date(2026, 10, 12), policy.ladder("rectification"), CAL)
    assert (p.at, p.channel, p.kind) == (at(2026, 10, 12, 10, 30), "wecom", "rectification.due")


def test_invalid_policy_lists_every_mistake_in_chinese():
    data = copy.deepcopy(DEFAULT_POLICY.to_dict())
    rungs = data["ladders"]["rectification"]["rungs"]
    rungs[0]["recipients"] = ["liaison", "mayor"]
    rungs[1]["channels"] = ["fax"]
    rungs[2]["offset"] = "soon"
    rungs[3]["key"] = rungs[4]["key"]
    rungs[4]["every"] = -1
    data["ladders"]["filing"]["send_at"] = "25:00"
    data["ladders"]["filing"]["anchor"] = "tomorrow"
    data["ladders"]["empty"] = {"rungs": []}
    data["quiet_hours"]["start"] = "07:00"
    with pytest.raises(PolicyError) as caught:
        Policy.from_dict(data)
    errors = caught.value.errors
    joined = "\n".join(errors)
    for fragment in ("接收人不正确：mayor", "渠道不正确：fax", "工作日偏移应为", "标识重复：overdue", "重复间隔应为",
                     "发送时间格式不正确：25:00", "起算日不正确：tomorrow", "“empty”至少需要一级提醒", "免打扰时段应跨越午夜"):
        assert fragment in joined, (fragment, errors)
    assert len(errors) == 9
    with pytest.raises(PolicyError, match="至少需要一条提醒阶梯"):
        Policy.from_dict({"ladders": {}})
    with pytest.raises(PolicyError):
        Policy.from_dict([])


def test_defaults_cover_every_kind_and_digest():
    assert set(DEFAULT_LADDERS) == {"rectification", "rectification_unverified", "cycle_phase", "cycle_review",
                                    "filing"}
    assert DEFAULT_POLICY.digest == Digest(time(8, 30), ("office",), ("email", "in_app"))
    assert DEFAULT_POLICY.quiet == QuietHours()
    unverified = plan(date(2026, 9, 30), DEFAULT_LADDERS["rectification_unverified"], CAL,
                      through=date(2026, 10, 12))
    assert sorted({p.day for p in unverified}) == [date(2026, 10, 10)]  # 3 working days after submission
    assert {p.recipient for p in unverified} == {"office"}
    assert timedelta(0) == unverified[0].at.utcoffset() - timedelta(hours=8)


def test_sweep_deadline_queues_with_quiet_hours_and_says_when_to_look_again():
    from notifications.policy import sweep_deadline

    # the scheduler was down; it sweeps at 22:00 on the make-up Saturday, the day's reminder still due
    result = sweep_deadline(date(2026, 10, 12), RECT, CAL, now=at(2026, 10, 10, 22), since=at(2026, 10, 9, 9))
    by_channel = {q.planned.channel: q for q in result.queue}
    assert set(by_channel) == {"email", "sms", "in_app"}
    assert by_channel["sms"].not_before == at(2026, 10, 12, 8, 0)  # Sunday is off: Monday 08:00
    assert by_channel["email"].not_before == at(2026, 10, 10, 22)
    assert by_channel["sms"].unique_key("item:7") == ("item:7", "liaison", "sms", "rectification.before_1",
                                                      date(2026, 10, 10))
    assert result.next_at == at(2026, 10, 12)
    # swept again a minute later: nothing new, same next time
    again = sweep_deadline(date(2026, 10, 12), RECT, CAL, now=at(2026, 10, 10, 22, 1), since=at(2026, 10, 10, 22))
    assert again.queue == [] and again.next_at == at(2026, 10, 12)


@pytest.mark.parametrize("kind", sorted(DEFAULT_LADDERS))
def test_jumping_ahead_agrees_with_the_full_plan(kind):
    """due() and next_due() skip straight to ``since``; the full plan, filtered by hand, must agree."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    ladder = DEFAULT_LADDERS[kind]

    @settings(max_examples=60, deadline=None)
    @given(anchor=st.dates(min_value=date(2025, 6, 1), max_value=date(2026, 12, 31)),
           now_offset=st.integers(-30 * 24, 200 * 24), gap=st.integers(1, 24 * 20))
    def check(anchor, now_offset, gap):
        now = at(anchor.year, anchor.month, anchor.day, 9, 30) + timedelta(hours=now_offset)
        since = now - timedelta(hours=gap)
        full = plan(anchor, ladder, CAL, through=now.date() + timedelta(days=60))
        window = [p for p in full if since < p.at <= now]
        expected = {}
        for p in window:
            expected[(p.recipient, p.channel)] = p
        assert set(due(anchor, ladder, CAL, now=now, since=since)) == set(expected.values())
        later = [p.at for p in full if p.at > now]
        if later:  # within the 60 days planned by hand
            assert next_due(anchor, ladder, CAL, after=now) == min(later)

    check()
