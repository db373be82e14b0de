"""The inbox, the delivery log with resend, the status page, the item's timeline."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from reminders_support import add_contacts, issue_item, local, recorders, rows

from notifications.channels import DeliveryError
from pufa_flow.extensions import db
from pufa_flow.models import AuditEvent, InboxRead, OutboxMessage
from pufa_flow.services.reminders import deliver, sweep


@pytest.fixture
def world(app, make_unit, make_user, office_user):
    unit, other = make_unit("区司法局"), make_unit("区教育局")
    add_contacts(unit, principal=False)
    add_contacts(other, leader=False, principal=False)
    item = issue_item(office_user, unit, date(2026, 11, 20), local(2026, 11, 2, 10))
    issue_item(office_user, other, date(2026, 11, 20), local(2026, 11, 2, 10))
    recorders(app, sms=[None, DeliveryError("网关拒绝：boom", retryable=False)])
    sweep(local(2026, 11, 13, 9, 5))
    deliver(local(2026, 11, 13, 9, 6))
    return {"unit": unit, "item": item, "unit_user": make_user("unit", unit),
            "other_user": make_user("unit", other), "office": office_user}


def test_inbox_count_list_and_mark_read(client, login, world):
    login(world["unit_user"])
    page = client.get("/items/").get_data(as_text=True)
    assert 'aria-label="未读消息">1</span>' in page
    inbox = client.get("/inbox/").get_data(as_text=True)
    assert "整改事项提醒" in inbox and "区教育局" not in inbox
    mine = rows(OutboxMessage.channel == "in_app", OutboxMessage.recipient == f"unit:{world['unit'].id}")[0]
    theirs = rows(OutboxMessage.channel == "in_app", OutboxMessage.recipient != f"unit:{world['unit'].id}")[0]
    assert client.post(f"/inbox/{theirs.id}/read").status_code == 404
    assert client.post(f"/inbox/{mine.id}/read").status_code == 302
    assert "未读消息" not in client.get("/items/").get_data(as_text=True)


def test_a_leader_has_no_inbox_to_mark(client, login, token_for, make_user, world):
    """The inbox serves the office and units; a 领导 (viewer) is refused and nothing is written."""
    viewer = make_user("viewer")
    unread = sa.select(sa.func.count()).select_from(InboxRead)
    before = db.session.scalar(unread)
    message = rows(OutboxMessage.channel == "in_app")[0]
    assert client.post(f"/api/v1/inbox/{message.id}/read", headers=token_for(viewer)).status_code == 403
    login(viewer)
    assert client.post(f"/inbox/{message.id}/read").status_code == 403
    assert client.post("/inbox/read-all").status_code == 403
    assert db.session.scalar(unread) == before


def test_delivery_log_filters_and_resend(client, login, world):
    login(world["office"])
    failed = rows(OutboxMessage.status == "failed")
    assert len(failed) == 1 and failed[0].channel == "sms"
    page = client.get("/reminders/log?status=failed").get_data(as_text=True)
    assert f"#{failed[0].id}" in page and "重新发送" in page and "boom" in page
    assert f"#{failed[0].id}<" not in client.get("/reminders/log?status=sent").get_data(as_text=True)
    page = client.get("/reminders/log?channel=email&recipient=王敏").get_data(as_text=True)
    assert page.count("wangmin@example.cn") == 2 and "13800138000" not in page  # both units' liaisons are 王敏
    bad = client.get("/reminders/log?date_from=昨天&channel=fax")
    assert bad.status_code == 200 and "渠道不正确" in bad.get_data(as_text=True)
    r = client.post(f"/reminders/log/{failed[0].id}/resend")
    assert r.status_code == 302
    db.session.refresh(failed[0])
    assert failed[0].status == "pending"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "outbox.resend")) == 1
    assert client.post("/reminders/log/999999/resend").status_code == 404
    status = client.get("/reminders/status").get_data(as_text=True)
    assert "最近一次提醒扫描" in status and "待发送队列" in status and "1 条" in status


def test_log_and_status_are_the_offices(client, login, world):
    login(world["unit_user"])
    assert client.get("/reminders/log").status_code == 403
    assert client.get("/reminders/status").status_code == 403
    failed = rows(OutboxMessage.status == "failed")[0]
    assert client.post(f"/reminders/log/{failed.id}/resend").status_code == 403


def test_item_page_shows_the_plan_beside_what_was_sent(client, login, world):
    login(world["unit_user"])
    page = client.get(f"/items/{world['item'].id}").get_data(as_text=True)
    assert "提醒计划" in page and "计划发送" in page and "实际发送" in page
    assert "2026-11-19 09:00" in page  # one working day before
    assert "rectification.before_5" in page  # what went
    assert "主要负责人（未登记联系人）" in page


def test_api_twins(client, token_for, world):
    unit_h, office_h = token_for(world["unit_user"]), token_for(world["office"])
    body = client.get("/api/v1/inbox", headers=unit_h).get_json()
    assert body["total"] == 1 and body["items"][0]["read"] is False
    message_id = body["items"][0]["id"]
    assert client.post(f"/api/v1/inbox/{message_id}/read", headers=unit_h).get_json() == {"marked": 1}
    assert client.get("/api/v1/inbox", headers=unit_h).get_json()["items"][0]["read"] is True
    other = token_for(world["other_user"])
    assert client.post(f"/api/v1/inbox/{message_id}/read", headers=other).status_code == 404
    assert client.get("/api/v1/outbox", headers=unit_h).status_code == 403
    failed = client.get("/api/v1/outbox?status=failed", headers=office_h).get_json()
    assert failed["total"] == 1 and failed["items"][0]["channel"] == "sms"
    assert client.get("/api/v1/outbox?status=lost", headers=office_h).status_code == 400
    resent = client.post(f"/api/v1/outbox/{failed['items'][0]['id']}/resend", headers=office_h)
    assert resent.status_code == 200 and resent.get_json()["status"] == "pending"
    again = client.post(f"/api/v1/outbox/{failed['items'][0]['id']}/resend", headers=office_h)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "conflict"
    timeline = client.get(f"/api/v1/items/{world['item'].id}/reminders", headers=unit_h).get_json()
    assert timeline["planned"] and timeline["sent"]
    assert client.get(f"/api/v1/items/{world['item'].id}/reminders", headers=other).status_code == 404
    assert client.get("/api/v1/reminders/status", headers=office_h).get_json()["queued"] == 1


def test_preferences_turn_channels_off_and_hold_for_the_digest(app, client, login, world):
    from pufa_flow.models import Contact
    from pufa_flow.services.reminders import digest

    unit = world["unit"]
    liaison = db.session.scalar(sa.select(Contact).where(Contact.unit_id == unit.id, Contact.role == "liaison"))
    login(world["unit_user"])
    page = client.get(f"/units/{unit.id}/reminder-preferences").get_data(as_text=True)
    assert "王敏" in page and "每日汇总" in page
    r = client.post(f"/units/{unit.id}/reminder-preferences",
                    data={f"email_{liaison.id}": "1", f"mode_{liaison.id}": "digest"})
    assert r.status_code == 302
    assert client.post(f"/units/{unit.id}/reminder-preferences",
                       data={f"mode_{liaison.id}": "weekly"}).status_code == 200  # re-shown with the error
    other_unit = world["other_user"].unit_id
    assert client.get(f"/units/{other_unit}/reminder-preferences").status_code == 404
    # the next reminder (before_2, Wed 18 Nov): no SMS to the liaison, the email held for the digest
    sweep(local(2026, 11, 18, 9, 5))
    new = rows(OutboxMessage.kind == "rectification.before_2", OutboxMessage.recipient_role == "liaison",
               OutboxMessage.unit_id == unit.id)
    assert {(m.channel, m.status) for m in new} == {("email", "held"), ("in_app", "pending")}
    assert "并入次日汇总" not in page
    timeline = client.get(f"/items/{world['item'].id}").get_data(as_text=True)
    assert "2026-11-19 08:30" in timeline  # the held email's real time
    assert digest(local(2026, 11, 19, 8, 30)) >= 1
    held = rows(OutboxMessage.kind == "rectification.before_2", OutboxMessage.channel == "email",
                OutboxMessage.unit_id == unit.id)[0]
    folded = rows(OutboxMessage.kind == "digest.recipient")
    assert held.status == "sent" and len(folded) == 1 and folded[0].recipient == "wangmin@example.cn"
    assert held.subject in folded[0].body
    assert digest(local(2026, 11, 19, 9, 0)) == 0  # once a day
