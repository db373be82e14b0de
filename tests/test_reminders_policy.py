"""The office edits the reminder policy (page and API): validated, audited, stored, re-planned."""
from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa
from reminders_support import add_contacts, issue_item, local

from notifications.policy import DEFAULT_POLICY
from pufa_flow.extensions import db
from pufa_flow.models import AuditEvent, ReminderPolicySetting, ReminderSchedule
from pufa_flow.services.reminders import settings, sweep
from pufa_flow.services.reminders.context import policy


@pytest.fixture
def unit(make_unit):
    return make_unit("区司法局")


def _next_at():
    db.session.expire_all()
    return db.session.scalar(sa.select(ReminderSchedule.next_at).where(ReminderSchedule.ladder == "rectification"))


def _form(pol=DEFAULT_POLICY, **changes) -> dict:
    """The page's fields for ``pol``, with ``changes`` on top."""
    data = {"quiet.start": "21:00", "quiet.end": "08:00", "quiet.channels": ["sms"], "digest.at": "08:30"}
    for kind, ladder in pol.ladders.items():
        data[f"{kind}.label"], data[f"{kind}.send_at"] = ladder.label, ladder.send_at.strftime("%H:%M")
        for i, r in enumerate(ladder.rungs):
            p = f"{kind}.{i}."
            data.update({p + "key": r.key, p + "side": "on" if r.offset == 0 else ("after" if r.offset > 0 else "before"),
                         p + "days": str(abs(r.offset)), p + "every": str(r.every or ""),
                         p + "recipients": list(r.recipients), p + "channels": list(r.channels)})
    data.update(changes)
    return data


def test_the_office_edits_a_ladder_on_the_page_and_pending_reminders_move(app, client, login, unit, office_user):
    add_contacts(unit)
    issue_item(office_user, unit, date(2026, 11, 20), local(2026, 11, 2, 10))  # due Fri 20 Nov
    assert _next_at() == datetime(2026, 11, 13, 1, 0)  # before_5: Fri 13 Nov 09:00
    login(office_user)
    page = client.get("/reminders/policy").get_data(as_text=True)
    assert "整改事项时限" in page and "默认规则" in page and "截止前 5 个工作日：联络员（电子邮件、短信、站内消息）" in page
    assert "当前使用<strong>默认规则</strong>" in page
    r = client.post("/reminders/policy", data=_form(**{"rectification.0.days": "8", "rectification.send_at": "10:00"}))
    assert r.status_code == 302
    assert _next_at() == datetime(2026, 11, 10, 2, 0)  # 8 working days before: Tue 10 Nov, 10:00
    assert policy().ladder("rectification").rungs[0].offset == -8
    audit = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "reminders.policy"))
    assert audit and "rectification" in audit.data["changes"]
    report = sweep(local(2026, 11, 10, 10, 5))
    assert report.queued == 3 and all("rectification.before_5" in line for line in report.lines)
    assert "普法办修改后的规则" in client.get("/reminders/policy").get_data(as_text=True)

    # a rung added in the blank row, one deleted
    n = len(DEFAULT_POLICY.ladder("rectification").rungs)
    client.post("/reminders/policy", data=_form(**{
        f"rectification.{n}.key": "before_10", f"rectification.{n}.side": "before", f"rectification.{n}.days": "10",
        f"rectification.{n}.recipients": ["liaison"], f"rectification.{n}.channels": ["email"],
        "rectification.1.delete": "1"}))
    keys = [r.key for r in policy().ladder("rectification").rungs]
    assert "before_10" in keys and "before_2" not in keys

    # back to the issue's defaults
    r = client.post("/reminders/policy", data={"restore": "1"})
    assert r.status_code == 302 and settings.is_default() and policy() == DEFAULT_POLICY
    assert _next_at() is not None
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "reminders.policy_restore"))


def test_nonsense_is_refused_in_chinese_and_nothing_is_saved(client, login, office_user, make_user, unit):
    login(office_user)
    for changes, message in [
        ({"rectification.0.days": "五"}, "工作日偏移应为"),
        ({"rectification.send_at": "23:30"}, "在免打扰时段内"),
        ({"rectification.send_at": "9点"}, "格式不正确"),
        ({"quiet.start": "07:00", "quiet.end": "08:00"}, "免打扰时段应跨越午夜"),
        ({"rectification.4.every": "0", "rectification.4.days": "2", "rectification.0.days": "2",
          "rectification.0.side": "after"}, "完全相同"),
        ({"rectification.0.recipients": []}, "接收人不能为空"),
        ({"rectification.0.key": "前五天"}, "标识"),
    ]:
        r = client.post("/reminders/policy", data=_form(**changes))
        assert r.status_code == 200 and "提醒规则未保存" in (body := r.get_data(as_text=True)), changes
        assert message in body, (changes, body[body.find("提醒规则未保存"):][:400])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReminderPolicySetting)) == 0
    client.post("/logout")
    login(make_user("unit", unit))
    assert client.get("/reminders/policy").status_code == 403
    assert client.post("/reminders/policy", data={"restore": "1"}).status_code == 403


def test_policy_api_get_put_and_refusals(client, office_user, make_user, unit, token_for):
    office_h = token_for(office_user)
    body = client.get("/api/v1/reminders/policy", headers=office_h).get_json()
    assert body["is_default"] is True and body["policy"] == body["defaults"] == DEFAULT_POLICY.to_dict()
    edited = DEFAULT_POLICY.to_dict()
    edited["quiet_hours"]["start"] = "20:00"
    edited["ladders"]["cycle_phase"]["rungs"][0]["offset"] = -7
    r = client.put("/api/v1/reminders/policy", headers=office_h, json=edited)
    assert r.status_code == 200 and r.get_json()["is_default"] is False
    assert r.get_json()["policy"]["ladders"]["cycle_phase"]["rungs"][0]["offset"] == -7
    db.session.expire_all()
    settings.forget()
    assert policy().quiet.start.hour == 20

    bad = DEFAULT_POLICY.to_dict()
    bad["ladders"]["rectification"]["rungs"][0]["recipients"] = ["evaluator"]
    bad["ladders"]["rectification"]["anchor"] = "submitted"
    r = client.put("/api/v1/reminders/policy", headers=office_h, json=bad)
    assert r.status_code == 422
    message = r.get_json()["error"]["message"]
    assert "不能发给评委会成员" in message and "起算日不能改变" in message
    missing = DEFAULT_POLICY.to_dict()
    del missing["ladders"]["filing"]
    missing["ladders"]["nonsense"] = missing["ladders"]["rectification"]
    message = client.put("/api/v1/reminders/policy", headers=office_h, json=missing).get_json()["error"]["message"]
    assert "缺少提醒阶梯：年度报备时限" in message and "没有这种提醒阶梯：nonsense" in message
    assert client.put("/api/v1/reminders/policy", headers=office_h, json=[1]).status_code == 400
    assert client.put("/api/v1/reminders/policy", headers=token_for(make_user("unit", unit)),
                      json=edited).status_code == 403
    # the defaults submitted whole: a restore
    r = client.put("/api/v1/reminders/policy", headers=office_h, json=DEFAULT_POLICY.to_dict())
    assert r.get_json()["is_default"] is True
