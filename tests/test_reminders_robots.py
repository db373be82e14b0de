"""Work-group robots (企业微信 / 钉钉): stored per unit and for the office, validated,
the secret never shown back, and used by the robot channels when a ladder names them."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from reminders_support import add_contacts, issue_item, local, recorders, rows

from notifications.policy import DEFAULT_POLICY
from pufa_flow.extensions import db
from pufa_flow.models import AuditEvent, OutboxMessage, RobotHook
from pufa_flow.services.reminders import deliver, robots, settings, sweep

WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
DING = "https://oapi.dingtalk.com/robot/send?access_token=abc123def456"
SECRET = "SEC" + "a1b2c3d4e5" * 6


@pytest.fixture
def unit(make_unit):
    return make_unit("区司法局")


def test_a_unit_sets_its_robots_on_its_page_and_the_secret_is_masked(client, login, unit, make_unit, make_user):
    other = make_unit("区教育局")
    login(make_user("unit", unit))
    page = client.get(f"/units/{unit.id}/robots").get_data(as_text=True)
    assert "工作群机器人 · 区司法局" in page and "未设置" in page
    r = client.post(f"/units/{unit.id}/robots", data={"wecom.url": WECOM, "dingtalk.url": DING,
                                                      "dingtalk.secret": SECRET})
    assert r.status_code == 302
    hooks = robots.hooks(unit)
    assert hooks["wecom"].url == WECOM and hooks["dingtalk"].secret == SECRET
    page = client.get(f"/units/{unit.id}/robots").get_data(as_text=True)
    assert SECRET not in page and "SEC…" + SECRET[-4:] in page
    # a blank secret keeps the stored one; the audit row holds the masked one only
    client.post(f"/units/{unit.id}/robots", data={"wecom.url": WECOM, "dingtalk.url": DING, "dingtalk.secret": ""})
    assert robots.hooks(unit)["dingtalk"].secret == SECRET
    audits = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "reminders.robots")).all()
    assert audits and all(SECRET not in str(a.data) for a in audits)
    # nonsense: http, another host, no token, a bad secret; nothing half-saved
    for data, message in [({"wecom.url": WECOM.replace("https", "http")}, "须以 https:// 开头"),
                          ({"wecom.url": "https://evil.example.com/cgi-bin/webhook/send?key=1"}, "qyapi.weixin.qq.com 上"),
                          ({"dingtalk.url": "https://oapi.dingtalk.com/robot/send"}, "access_token"),
                          ({"dingtalk.url": DING, "dingtalk.secret": "hunter2"}, "SEC 开头")]:
        r = client.post(f"/units/{unit.id}/robots", data={"wecom.url": WECOM, "dingtalk.url": DING, **data})
        assert r.status_code == 200 and message in r.get_data(as_text=True), message
    assert robots.hooks(unit)["wecom"].url == WECOM
    assert client.get(f"/units/{other.id}/robots").status_code == 404
    assert client.get("/reminders/robots").status_code == 403  # the office's own: the office only
    # a blank URL removes the robot
    client.post(f"/units/{unit.id}/robots", data={"wecom.url": "", "dingtalk.url": DING})
    assert set(robots.hooks(unit)) == {"dingtalk"}


def test_a_ladder_with_robot_channels_reaches_the_units_and_the_offices_groups(app, client, login, unit,
                                                                              office_user):
    add_contacts(unit)
    edited = DEFAULT_POLICY.to_dict()
    edited["ladders"]["rectification"]["rungs"][0]["channels"] = ["wecom", "dingtalk"]  # before_5
    edited["ladders"]["rectification"]["rungs"][0]["recipients"] = ["liaison", "office"]
    settings.save(edited, actor=office_user)
    robots.save(unit, {"wecom": {"url": WECOM}, "dingtalk": {"url": DING, "secret": SECRET}}, actor=office_user)
    office_ding = DING.replace("abc123", "office")
    login(office_user)
    assert client.post("/reminders/robots", data={"dingtalk.url": office_ding}).status_code == 302
    issue_item(office_user, unit, date(2026, 11, 20), local(2026, 11, 2, 10))
    sweep(local(2026, 11, 13, 9, 5))
    assert {(m.channel, m.recipient) for m in rows()} == {("wecom", WECOM), ("dingtalk", DING),
                                                          ("dingtalk", office_ding)}
    sent = recorders(app)
    deliver(local(2026, 11, 13, 9, 6))
    by_url = {m.recipient: m for m in sent["dingtalk"].sent}
    assert by_url[DING].secret == SECRET and by_url[office_ding].secret is None  # signed where the group signs
    assert sent["wecom"].sent[0].recipient == WECOM and "普法档案不全" in sent["wecom"].sent[0].text
    assert all(SECRET not in (m.body + m.recipient) for m in rows(OutboxMessage.channel == "dingtalk"))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RobotHook)) == 3
