"""The delivery engine: back-off, a batch through the registry, quiet hours."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from notifications.calendar import ChineseCalendarWorkdays
from notifications.channels import EMAIL, SMS, DeliveryError, DeliveryResult, Message, Provider, ProviderRegistry
from notifications.channels.email import SmtpEmail
from notifications.delivery import DEFERRED, FAILED, RETRY, SENT, Outgoing, RetryPolicy, deliver_batch
from notifications.policy import SHANGHAI
from notify_servers import SmtpServer

NOW = datetime(2026, 10, 12, 10, 0, tzinfo=SHANGHAI)
CAL = ChineseCalendarWorkdays()


def test_back_off_schedule_and_giving_up():
    policy = RetryPolicy()
    assert [policy.next_attempt(n, NOW) - NOW for n in range(1, 7)] == [
        timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1), timedelta(hours=3),
        timedelta(hours=6)]
    assert policy.next_attempt(7, NOW) is None
    short = RetryPolicy(delays=(timedelta(seconds=30),), max_attempts=3)
    assert short.next_attempt(2, NOW) == NOW + timedelta(seconds=30)  # the last delay repeats
    assert short.next_attempt(3, NOW) is None
    with pytest.raises(ValueError):
        policy.next_attempt(0, NOW)


class Scripted(Provider):
    channel, name = SMS, "scripted"

    def __init__(self, answers):
        self.answers, self.sent = list(answers), []

    def send(self, message):
        self.sent.append(message)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return DeliveryResult(answer, self.name)


def item(key, channel=SMS, attempts=0):
    return Outgoing(key, channel, Message(recipient="13800138000", template="t", text=f"m{key}"), attempts)


def test_outcomes_per_item_in_order():
    provider = Scripted(["id-1", DeliveryError("busy", retryable=True), DeliveryError("bad number", retryable=False),
                         DeliveryError("busy", retryable=True)])
    registry = ProviderRegistry({SMS: provider})
    out = deliver_batch([item(1), item(2), item(3), item(4, attempts=6), item(5, channel="fax")], registry, now=NOW)
    assert [(o.key, o.status, o.attempt) for o in out] == [(1, SENT, 1), (2, RETRY, 1), (3, FAILED, 1),
                                                           (4, FAILED, 7), (5, FAILED, 1)]
    assert out[0].provider_message_id == "id-1" and out[0].provider == "scripted"
    assert out[1].next_attempt_at == NOW + timedelta(minutes=1) and out[1].retryable
    assert out[2].next_attempt_at is None and out[2].error == "bad number"
    assert out[3].retryable and out[3].next_attempt_at is None  # retryable, but out of attempts
    assert "没有配置“fax”渠道" in out[4].error
    assert all(o.started_at <= o.finished_at for o in out)


def test_a_crashing_provider_loses_nothing():
    class Broken(Provider):
        channel, name = SMS, "broken"

        def send_many(self, messages):
            raise RuntimeError("bug")

    out = deliver_batch([item(1), item(2)], ProviderRegistry({SMS: Broken()}), now=NOW)
    assert [o.status for o in out] == [RETRY, RETRY] and "RuntimeError: bug" in out[0].error


def test_sms_waits_out_quiet_hours_email_does_not():
    provider = Scripted(["id-1"])
    registry = ProviderRegistry({SMS: provider, EMAIL: Scripted(["mail-1"])})
    night = datetime(2026, 9, 30, 22, 0, tzinfo=SHANGHAI)
    out = deliver_batch([item(1), item(2, channel=EMAIL)], registry, now=night, calendar=CAL)
    assert out[0].status == DEFERRED and out[0].next_attempt_at == datetime(2026, 10, 8, 8, 0, tzinfo=SHANGHAI)
    assert out[0].attempt == 0 and not out[0].attempted
    assert out[1].status == SENT
    assert provider.sent == []
    morning = datetime(2026, 10, 8, 8, 0, tzinfo=SHANGHAI).astimezone(timezone.utc)
    assert deliver_batch([item(1)], registry, now=morning, calendar=CAL)[0].status == SENT


def test_mail_server_down_then_back_delivers_once():
    server = SmtpServer()  # not started yet
    smtp = SmtpEmail("127.0.0.1", server.port, sender="pufa@example.gov.cn", timeout=2)
    registry = ProviderRegistry({EMAIL: smtp})
    batch = [Outgoing(i, EMAIL, Message(recipient=f"u{i}@example.cn", subject="提醒", text="t", key=f"o{i}"))
             for i in range(3)]

    first = deliver_batch(batch, registry, now=NOW)
    assert [o.status for o in first] == [RETRY] * 3 and all(o.retryable for o in first)

    server.start()
    try:
        # the app re-claims the rows at next_attempt_at with the attempt count it recorded
        again = [Outgoing(o.key, EMAIL, b.message, o.attempt) for o, b in zip(first, batch)]
        second = deliver_batch(again, registry, now=first[0].next_attempt_at)
        assert [(o.status, o.attempt) for o in second] == [(SENT, 2)] * 3
        assert len(server.handler.envelopes) == 3
        assert sorted(e.rcpt_tos[0] for e in server.handler.envelopes) == ["u0@example.cn", "u1@example.cn",
                                                                           "u2@example.cn"]
    finally:
        server.stop()
