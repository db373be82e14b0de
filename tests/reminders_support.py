"""Shared set-up for the reminder tests: a unit with its three contacts, an item
issued under a frozen clock, and channels that record what they were given."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from notifications.channels import DeliveryError, DeliveryResult, Provider, ProviderRegistry
from pufa_flow.clock import frozen
from pufa_flow.extensions import db
from pufa_flow.models import Contact, OutboxMessage
from pufa_flow.services import notices

SH = ZoneInfo("Asia/Shanghai")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def add_contacts(unit, *, leader=True, principal=True):
    db.session.add(Contact(unit_id=unit.id, role="liaison", name="王敏", phone="13800138000",
                           email="wangmin@example.cn"))
    if leader:
        db.session.add(Contact(unit_id=unit.id, role="leader", name="李强", phone="13900139000",
                               email="liqiang@example.cn"))
    if principal:
        db.session.add(Contact(unit_id=unit.id, role="principal", name="张华", phone="13700137000",
                               email="zhanghua@example.cn"))
    db.session.commit()
    db.session.expire(unit, ["contacts"])


def issue_item(office, unit, due: date, at: datetime):
    with frozen(at):
        notice = notices.create_notice({
            "unit_id": unit.id, "source": "inspection", "title": "整改通知书",
            "issued_on": at.astimezone(SH).date().isoformat(),
            "items": [{"problem": "普法档案不全", "requirement": "补齐", "due_date": due.isoformat()}]},
            actor=office)
    # issuing also told the unit (the notice's transition message); these tests count reminders only
    db.session.execute(sa.delete(OutboxMessage).where(OutboxMessage.object_type == "notice"))
    db.session.commit()
    return notice.items[0]


def rows(*where) -> list[OutboxMessage]:
    return list(db.session.scalars(sa.select(OutboxMessage).where(*where).order_by(OutboxMessage.id)))


class Recorder(Provider):
    """Accepts everything (or what ``script`` says, one answer per call) and keeps it."""

    def __init__(self, channel: str, script=None):
        self.channel = self.name = channel
        self.sent = []
        self.script = list(script or [])

    def send(self, message):
        if self.script:
            answer = self.script.pop(0)
            if isinstance(answer, Exception):
                raise answer
        self.sent.append(message)
        return DeliveryResult(provider_message_id=f"{self.channel}-{len(self.sent)}", provider=self.name)


def recorders(app, **scripts) -> dict[str, Recorder]:
    found = {c: Recorder(c, scripts.get(c)) for c in ("email", "sms", "in_app", "wecom", "dingtalk")}
    app.extensions["pufa_channels"] = ProviderRegistry(found)
    return found


def refusal(retryable=True):
    return DeliveryError("服务器暂不可用", retryable=retryable, provider="test")
