"""Email over SMTP (smtplib): text and HTML parts, Chinese subjects, a Message-ID.

``send_many`` keeps one connection for a whole batch (a government relay
that rate-limits connections is the usual bottleneck), reconnecting once if
the server drops it mid-batch.
"""
from __future__ import annotations

import smtplib
from html import escape
import socket
import ssl
from collections.abc import Iterable, Mapping
from email.header import Header
from email.headerregistry import Address
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import formataddr, formatdate, make_msgid, parseaddr

from notifications.channels.base import (
    EMAIL, ConfigError, DeliveryError, DeliveryResult, Message, Provider, register,
)

SECURITY = ("none", "starttls", "ssl")
WIRE = compat32.clone(linesep="\r\n")  # SMTP wants CRLF; sendmail() fixes only str
DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}


def _classify(exc: BaseException) -> DeliveryError:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        retry = any(400 <= c < 500 for c in codes)
        return DeliveryError(f"收件人被拒绝：{exc.recipients}", retryable=retry, provider="smtp",
                             code=str(codes[0]) if codes else None)
    if isinstance(exc, smtplib.SMTPResponseException):
        detail = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        return DeliveryError(f"SMTP {exc.smtp_code}：{detail}", retryable=not 500 <= exc.smtp_code < 600,
                             provider="smtp", code=str(exc.smtp_code))
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return DeliveryError(f"SMTP 服务器不支持：{exc}", retryable=False, provider="smtp")
    # connection refused, reset, timed out, dropped: the server may be back later
    return DeliveryError(f"无法连接邮件服务器：{exc.__class__.__name__}: {exc}", retryable=True, provider="smtp")


class SmtpEmail(Provider):
    channel = EMAIL
    name = "smtp"

    def __init__(self, host: str, port: int | None = None, security: str = "none", user: str | None = None,
                 password: str | None = None, sender: str = "", timeout: float = 10.0,
                 ssl_context: ssl.SSLContext | None = None):
        if security not in SECURITY:
            raise ConfigError(f"PUFA_SMTP_SECURITY 应为 {' / '.join(SECURITY)}：{security}")
        if not sender or "@" not in parseaddr(sender)[1]:
            raise ConfigError(f"PUFA_MAIL_FROM 应为一个邮箱地址：{sender!r}")
        self.host, self.security = host, security
        self.port = int(port or DEFAULT_PORTS[security])
        self.user, self.password, self.sender, self.timeout = user, password, sender, timeout
        self.ssl_context = ssl_context
        name, self._envelope_from = parseaddr(sender)
        self._domain = self._envelope_from.rsplit("@", 1)[1]
        self._from_header = formataddr((name, self._envelope_from), charset="utf-8")

    @classmethod
    def from_config(cls, config: Mapping[str, str]) -> SmtpEmail:
        host = config.get("PUFA_SMTP_HOST")
        if not host:
            raise ConfigError("未设置 PUFA_SMTP_HOST（邮件服务器地址）")
        port = config.get("PUFA_SMTP_PORT")
        try:
            port = int(port) if port not in (None, "") else None
        except ValueError:
            raise ConfigError(f"PUFA_SMTP_PORT 应为端口号：{port}") from None
        return cls(host=host, port=port, security=(config.get("PUFA_SMTP_SECURITY") or "none").lower(),
                   user=config.get("PUFA_SMTP_USER") or None, password=config.get("PUFA_SMTP_PASSWORD") or None,
                   sender=config.get("PUFA_MAIL_FROM", ""))

    # -- building ------------------------------------------------------------
    def build(self, message: Message) -> MIMEBase:
        """The MIME message. The compat32 classes, not ``EmailMessage``: the
        modern header registry costs milliseconds a message, which is the
        whole budget at 200 messages a second; RFC 2047 is done by ``Header``."""
        text = message.text
        if message.link and message.link not in text:
            text = f"{text}\n\n查看详情：{message.link}"
        # base64 bodies (utf-8's default): Chinese text passes relays that are not 8-bit clean
        plain = MIMEText(text, "plain", "utf-8")
        if message.html:
            html = message.html
            if message.link and message.link not in html:
                html += f'<p><a href="{escape(message.link)}">查看详情</a></p>'
            mail: MIMEBase = MIMEMultipart("alternative")
            mail.attach(plain)
            mail.attach(MIMEText(html, "html", "utf-8"))
        else:
            mail = plain
        mail["Subject"] = Header(message.subject, "utf-8") if not message.subject.isascii() else message.subject
        mail["From"] = self._from_header
        mail["To"] = message.recipient
        mail["Date"] = formatdate(localtime=False)
        mail["Message-ID"] = make_msgid(idstring=message.key, domain=self._domain) if message.key \
            else make_msgid(domain=self._domain)
        return mail

    # -- sending -------------------------------------------------------------
    def connect(self) -> smtplib.SMTP:
        if self.security == "ssl":
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                    context=self.ssl_context or ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.security == "starttls":
                smtp.starttls(context=self.ssl_context or ssl.create_default_context())
            if self.user:
                smtp.login(self.user, self.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _send_on(self, smtp: smtplib.SMTP, message: Message) -> DeliveryResult:
        mail = self.build(message)
        refused = smtp.sendmail(self._envelope_from, [message.recipient], mail.as_bytes(policy=WIRE))
        if refused:  # only some recipients refused; we send to one, so this is that one
            raise smtplib.SMTPRecipientsRefused(refused)
        return DeliveryResult(provider_message_id=mail["Message-ID"], provider=self.name)

    def send(self, message: Message) -> DeliveryResult:
        outcome = self.send_many([message])[0]
        if isinstance(outcome, DeliveryError):
            raise outcome
        return outcome

    def send_many(self, messages: Iterable[Message]) -> list[DeliveryResult | DeliveryError]:
        """One connection for the batch; if the server cannot be reached, every
        remaining message gets that (retryable) error without another attempt."""
        out: list[DeliveryResult | DeliveryError] = []
        smtp: smtplib.SMTP | None = None
        unreachable: DeliveryError | None = None
        reconnected = False
        try:
            for message in messages:
                if unreachable is not None:
                    out.append(unreachable)
                    continue
                while True:
                    if smtp is None:
                        try:
                            smtp = self.connect()
                        except (OSError, smtplib.SMTPException) as exc:
                            unreachable = _classify(exc)
                            out.append(unreachable)
                            break
                    try:
                        out.append(self._send_on(smtp, message))
                        break
                    except (smtplib.SMTPServerDisconnected, ConnectionError, socket.timeout) as exc:
                        _quit(smtp)
                        smtp = None
                        if reconnected:
                            out.append(_classify(exc))
                            break
                        reconnected = True  # once per batch: the server dropped an idle connection
                    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as exc:
                        out.append(_classify(exc))
                        try:
                            smtp.rset()
                        except (OSError, smtplib.SMTPException):
                            _quit(smtp)
                            smtp = None
                        break
                    except (OSError, smtplib.SMTPException) as exc:
                        out.append(_classify(exc))
                        _quit(smtp)
                        smtp = None
                        break
        finally:
            _quit(smtp)
        return out


def _quit(smtp: smtplib.SMTP | None) -> None:
    if smtp is None:
        return
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


@register(EMAIL, "smtp")
def _smtp_factory(config: Mapping[str, str]) -> SmtpEmail:
    return SmtpEmail.from_config(config)


def address(name: str, email: str) -> str:
    """"张三 <zs@example.cn>" with the name encoded for the header."""
    return str(Address(display_name=name, addr_spec=email))
