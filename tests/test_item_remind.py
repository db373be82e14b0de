"""The office's bulk 催办 queues real reminders (outbox rows, delivered by ``deliver``), once a day per item,
and the message sent when a notice is issued opens the 整改通知书, not one of its items."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from reminders_support import add_contacts, issue_item, local, recorders, rows

from pufa_flow import clock
from pufa_flow.extensions import db
from pufa_flow.models import AuditEvent, OutboxMessage
from pufa_flow.services import items as item_service, notices
from pufa_flow.services.reminders import deliver


@pytest.fixture
def world(app, make_unit, make_user, office_user):
    unit, other = make_unit("区司法局"), make_unit("区教育局")
    add_contacts(unit, principal=False)  # liaison 王敏 and leader 李强, email and mobile each
    first = issue_item(office_user, unit, date(2026, 11, 6), local(2026, 11, 2, 10))
    second = issue_item(office_user, unit, date(2026, 11, 20), local(2026, 11, 2, 10))
    theirs = issue_item(office_user, other, date(2026, 11, 20), local(2026, 11, 2, 10))  # no contacts: inbox only
    return {"unit": unit, "first": first, "second": second, "theirs": theirs, "office": office_user,
            "unit_user": make_user("unit", unit), "channels": recorders(app)}


def remind_rows():
    return rows(OutboxMessage.kind == "manual.remind")


def test_bulk_remind_queues_outbox_rows_that_deliver_sends_once_a_day(world):
    office, first, second, theirs = world["office"], world["first"], world["second"], world["theirs"]
    with clock.frozen(local(2026, 11, 10, 9)):
        result = item_service.bulk([first.id, second.id, theirs.id], "remind", actor=office, comment="周五前报送")
    assert result.reminded == [first.id, second.id, theirs.id] and result.repeated == []
    queued = remind_rows()
    mine = {(r.channel, r.recipient) for r in queued if r.object_id == first.id}
    assert mine == {("in_app", f"unit:{world['unit'].id}"), ("email", "wangmin@example.cn"),
                    ("sms", "13800138000"), ("email", "liqiang@example.cn"), ("sms", "13900139000")}
    assert {(r.channel, r.recipient) for r in queued if r.object_id == theirs.id} == {
        ("in_app", f"unit:{theirs.unit_id}")}
    assert result.messages == len(queued) == 11
    overdue = next(r for r in queued if r.object_id == first.id and r.channel == "email")
    assert "已逾期 2 个工作日" in overdue.body and "周五前报送" in overdue.body and overdue.link.endswith(
        f"/items/{first.id}")
    assert next(r for r in queued if r.object_id == first.id and r.channel == "sms").template == "rectification_overdue"
    audits = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "item.remind")).all()
    assert sorted(a.object_id for a in audits) == sorted([first.id, second.id, theirs.id])

    # the same day again: nothing new, nothing audited, and the result says so
    with clock.frozen(local(2026, 11, 10, 15)):
        again = item_service.bulk([first.id, theirs.id], "remind", actor=office)
    assert again.reminded == [] and again.repeated == [first.id, theirs.id] and again.messages == 0
    assert "今天已催办过，未重复发送" in again.message
    assert len(remind_rows()) == 11
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "item.remind")) == 3

    deliver(local(2026, 11, 10, 16))
    assert {r.status for r in remind_rows()} == {"sent"}
    sent = world["channels"]
    assert {m.recipient for m in sent["email"].sent} >= {"wangmin@example.cn", "liqiang@example.cn"}
    assert len(sent["sms"].sent) == 4 and len(sent["in_app"].sent) == 3

    # the next day it may be sent again
    with clock.frozen(local(2026, 11, 11, 9)):
        assert item_service.bulk([first.id], "remind", actor=office).reminded == [first.id]
    assert len(remind_rows()) == 16


def test_remind_of_a_closed_item_adds_nothing(world):
    office, first, second = world["office"], world["first"], world["second"]
    with clock.frozen(local(2026, 11, 10, 9)):
        item_service.fire_item(second, "cancel", actor=office, comment="重复事项")
        with pytest.raises(item_service.BulkRefused) as refused:
            item_service.bulk([first.id, second.id], "remind", actor=office)
    assert [(r["item_id"], r["status"]) for r in refused.value.refusals] == [(second.id, 422)]
    assert f"整改事项#{second.id}已" in refused.value.message and "无需催办" in refused.value.message
    assert remind_rows() == []


def test_bulk_remind_through_the_page(world, client, login):
    login(world["office"])
    with clock.frozen(local(2026, 11, 10, 9)):
        page = client.post("/items/bulk", data={"action": "remind", "ids": [world["first"].id]},
                           follow_redirects=True).get_data(as_text=True)
        assert "已向 1 条整改事项的责任单位发出催办（5 条消息）" in page
        page = client.post("/items/bulk", data={"action": "remind", "ids": [world["first"].id]},
                           follow_redirects=True).get_data(as_text=True)
    assert "1 条事项今天已催办过，未重复发送" in page
    assert len(remind_rows()) == 5


def test_the_message_of_an_issued_notice_opens_the_notice(world, client, login, app):
    with clock.frozen(local(2026, 11, 3, 10)):
        notice = notices.create_notice({
            "unit_id": world["unit"].id, "source": "inspection", "title": "关于区司法局的整改通知书",
            "items": [{"problem": "档案不全", "due_date": "2026-11-30"},
                      {"problem": "清单未公示", "due_date": "2026-11-30"}]}, actor=world["office"])
    messages = rows(OutboxMessage.object_type == "notice")
    assert messages and all(m.object_id == notice.id and m.link.endswith(f"/notices/{notice.id}")
                            for m in messages)
    deliver(local(2026, 11, 3, 11))
    login(world["unit_user"])
    inbox = client.get("/inbox/").get_data(as_text=True)
    assert f'href="/notices/{notice.id}">查看整改通知书</a>' in inbox
    assert f'/items/{notice.items[0].id}"' not in inbox
