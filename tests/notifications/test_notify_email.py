"""Email over a real SMTP server on loopback (aiosmtpd)."""
from __future__ import annotations

import email
import email.policy
import smtplib

import pytest

from notifications.channels import EMAIL, ConfigError, DeliveryError, Message, build_registry
from notifications.channels.email import SmtpEmail, address
from notify_servers import SmtpServer, free_port


def provider(port, **kw):
    return SmtpEmail.from_config({"PUFA_SMTP_HOST": "127.0.0.1", "PUFA_SMTP_PORT": str(port),
                                  "PUFA_SMTP_SECURITY": "none", "PUFA_MAIL_FROM": "pufa@example.gov.cn", **kw})


MSG = Message(recipient="liaison@example.cn", subject="【整改提醒】区司法局：整改事项还有 2 个工作日到期",
              text="您单位的整改事项“档案不全”将于 2026年10月12日 到期。", html="<p>您单位的整改事项<b>档案不全</b>将到期。</p>",
              link="http://pufa.example/items/7", key="outbox-42")


def parsed(envelope):
    return email.message_from_bytes(envelope.original_content, policy=email.policy.default)


def test_mail_arrives_with_chinese_subject_both_parts_link_and_message_id(smtp_server):
    result = provider(smtp_server.port).send(MSG)

    [envelope] = smtp_server.handler.envelopes
    assert envelope.mail_from == "pufa@example.gov.cn" and envelope.rcpt_tos == ["liaison@example.cn"]
    raw = envelope.original_content.decode("ascii")  # on the wire: 7-bit, the subject RFC 2047 encoded
    assert "Subject: =?utf-8?" in raw
    mail = parsed(envelope)
    assert mail["Subject"] == MSG.subject
    assert mail["Message-ID"] == result.provider_message_id and "outbox-42" in result.provider_message_id
    assert mail["Message-ID"].endswith("@example.gov.cn>")
    assert mail.get_content_type() == "multipart/alternative"
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "档案不全" in text and "http://pufa.example/items/7" in text
    assert "<b>档案不全</b>" in html and 'href="http://pufa.example/items/7"' in html
    assert result.provider == "smtp"


def test_server_down_is_retryable():
    port = free_port()  # nothing listens there
    with pytest.raises(DeliveryError) as caught:
        provider(port).send(MSG)
    assert caught.value.retryable and "无法连接邮件服务器" in str(caught.value)


def test_refused_mailbox_is_permanent(smtp_server):
    smtp_server.handler.refuse.add("gone@example.cn")
    out = provider(smtp_server.port).send_many([Message(recipient="gone@example.cn", subject="x", text="x"), MSG])
    assert isinstance(out[0], DeliveryError) and not out[0].retryable and out[0].code == "550"
    assert not isinstance(out[1], DeliveryError)  # the batch goes on after a refusal
    assert len(smtp_server.handler.envelopes) == 1


def test_batch_shares_one_connection(smtp_server):
    messages = [Message(recipient=f"u{i}@example.cn", subject=f"提醒 {i}", text="正文") for i in range(20)]
    out = provider(smtp_server.port).send_many(messages)
    assert all(not isinstance(o, DeliveryError) for o in out)
    assert len(smtp_server.handler.envelopes) == 20
    assert len(smtp_server.handler.sessions) == 1
    assert len({o.provider_message_id for o in out}) == 20


def test_batch_against_a_dead_server_fails_fast_and_retryably():
    out = provider(free_port()).send_many([MSG] * 50)
    assert len(out) == 50 and all(isinstance(o, DeliveryError) and o.retryable for o in out)


def test_batch_reconnects_once_when_the_server_drops_the_connection(smtp_server, monkeypatch):
    p = provider(smtp_server.port)
    real = smtplib.SMTP.sendmail
    calls = {"n": 0}

    def flaky(self, *a, **kw):
        calls["n"] += 1
        if calls["n"] == 2:
            self.close()
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return real(self, *a, **kw)

    monkeypatch.setattr(smtplib.SMTP, "sendmail", flaky)
    out = p.send_many([Message(recipient=f"u{i}@example.cn", subject="s", text="t") for i in range(3)])
    assert all(not isinstance(o, DeliveryError) for o in out)
    assert len(smtp_server.handler.envelopes) == 3 and len(smtp_server.handler.sessions) == 2


def test_login_is_used_when_a_user_is_configured():
    from aiosmtpd.smtp import AuthResult

    seen = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        seen.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"right", handled=False)

    server = SmtpServer()
    from aiosmtpd.controller import Controller

    server.controller = Controller(server.handler, hostname="127.0.0.1", port=server.port,
                                   authenticator=authenticator, auth_require_tls=False,
                                   auth_exclude_mechanism=["LOGIN"])
    server.controller.start()
    try:
        provider(server.port, PUFA_SMTP_USER="pufa", PUFA_SMTP_PASSWORD="right").send(MSG)
        with pytest.raises(DeliveryError) as caught:
            provider(server.port, PUFA_SMTP_USER="pufa", PUFA_SMTP_PASSWORD="wrong").send(MSG)
        assert caught.value.code == "535" and not caught.value.retryable
    finally:
        server.stop()
    assert seen == [(b"pufa", b"right"), (b"pufa", b"wrong")]
    assert len(server.handler.envelopes) == 1


@pytest.mark.parametrize("config,fragment", [
    ({}, "PUFA_SMTP_HOST"),
    ({"PUFA_SMTP_HOST": "h", "PUFA_MAIL_FROM": "x@y.cn", "PUFA_SMTP_SECURITY": "tls"}, "PUFA_SMTP_SECURITY"),
    ({"PUFA_SMTP_HOST": "h", "PUFA_MAIL_FROM": "x@y.cn", "PUFA_SMTP_PORT": "abc"}, "PUFA_SMTP_PORT"),
    ({"PUFA_SMTP_HOST": "h", "PUFA_MAIL_FROM": "nobody"}, "PUFA_MAIL_FROM"),
])
def test_bad_settings_name_the_setting(config, fragment):
    with pytest.raises(ConfigError, match=fragment):
        SmtpEmail.from_config(config)


def test_default_ports_by_security():
    base = {"PUFA_SMTP_HOST": "h", "PUFA_MAIL_FROM": "普法办 <pufa@example.gov.cn>"}
    assert SmtpEmail.from_config({**base, "PUFA_SMTP_SECURITY": "ssl"}).port == 465
    assert SmtpEmail.from_config({**base, "PUFA_SMTP_SECURITY": "STARTTLS"}).port == 587
    assert SmtpEmail.from_config(base).port == 25


def test_registry_builds_email_only_when_configured():
    assert EMAIL not in build_registry({})
    assert isinstance(build_registry({"PUFA_SMTP_HOST": "h", "PUFA_MAIL_FROM": "a@b.cn"}).get(EMAIL), SmtpEmail)


def test_display_name_is_encoded(smtp_server):
    p = provider(smtp_server.port, PUFA_MAIL_FROM=address("普法办", "pufa@example.gov.cn"))
    p.send(MSG)
    mail = parsed(smtp_server.handler.envelopes[0])
    assert mail["From"].addresses[0].display_name == "普法办"


def test_a_server_that_keeps_dropping_is_retried_once_per_batch_not_forever(smtp_server, monkeypatch):
    calls = {"n": 0}
    real = smtplib.SMTP.sendmail

    def always_drops(self, *a, **kw):
        calls["n"] += 1
        if calls["n"] > 10:  # a safety net: a loop that retries without end would get through here
            return real(self, *a, **kw)
        self.close()
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(smtplib.SMTP, "sendmail", always_drops)
    out = provider(smtp_server.port).send_many([Message(recipient=f"u{i}@example.cn", subject="s", text="t")
                                                for i in range(3)])
    assert all(isinstance(o, DeliveryError) and o.retryable for o in out)
    assert calls["n"] == 4  # first message: the send and one reconnect; then one try each


def test_link_is_escaped_in_html(smtp_server):
    provider(smtp_server.port).send(Message(recipient="a@example.cn", subject="s", text="t", html="<p>x</p>",
                                            link='http://pufa.example/i?a=1&b="2"'))
    html = parsed(smtp_server.handler.envelopes[0]).get_body(("html",)).get_content()
    assert 'href="http://pufa.example/i?a=1&amp;b=&quot;2&quot;"' in html
