"""Group robots: 企业微信 (WeCom) and 钉钉 (DingTalk) webhooks, markdown text.

The message's recipient is the robot's webhook URL (one per unit's work
group, or the office's); a 钉钉 robot with 加签 also carries its secret. The
platforms answer HTTP 200 with {"errcode": 0} on success; a non-zero errcode
is a refusal unless it is rate limiting.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping

from notifications.channels.base import (
    DINGTALK, WECOM, DeliveryError, DeliveryResult, Message, Provider, register,
)

#: "too many messages" answers: the robot accepts 20 a minute
RATE_LIMITED = {45009, 45033, 130101, 660026}


def markdown(message: Message) -> str:
    parts = [f"### {message.subject}"] if message.subject else []
    if message.text:
        parts.append(message.text)
    if message.link:
        parts.append(f"[查看详情]({message.link})")
    return "\n\n".join(parts)


def dingtalk_sign(secret: str, timestamp_ms: str) -> str:
    """钉钉 加签: base64(HMAC-SHA256(key=secret, "timestamp\\nsecret")), URL-encoded by the caller."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


class RobotWebhook(Provider):
    def __init__(self, timeout: float = 10.0, clock: Callable[[], float] = time.time):
        self.timeout, self.clock = timeout, clock

    def url_for(self, message: Message) -> str:
        return message.recipient

    def payload(self, message: Message) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    def send(self, message: Message) -> DeliveryResult:
        if not message.recipient.startswith(("https://", "http://")):
            raise DeliveryError(f"群机器人地址不正确：{message.recipient}", retryable=False, provider=self.name)
        body = json.dumps(self.payload(message), ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(self.url_for(message), data=body, method="POST",
                                         headers={"Content-Type": "application/json; charset=utf-8"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - configured URL
                answer = response.read()
        except urllib.error.HTTPError as exc:
            exc.close()  # it holds the response
            raise DeliveryError(f"群机器人返回 HTTP {exc.code}", retryable=exc.code == 429 or exc.code >= 500,
                                provider=self.name, code=str(exc.code)) from exc
        except (urllib.error.URLError, OSError) as exc:
            raise DeliveryError(f"无法连接群机器人：{getattr(exc, 'reason', exc)}", retryable=True,
                                provider=self.name) from exc
        except socket.timeout as exc:  # pragma: no cover - an OSError on 3.10+
            raise DeliveryError("群机器人超时", retryable=True, provider=self.name) from exc
        try:
            data = json.loads(answer or b"{}")
        except ValueError:
            raise DeliveryError("群机器人的回答不是 JSON", retryable=True, provider=self.name) from None
        code = data.get("errcode", 0) if isinstance(data, dict) else 0
        if code:
            raise DeliveryError(f"群机器人拒绝：{code} {data.get('errmsg', '')}", retryable=code in RATE_LIMITED,
                                provider=self.name, code=str(code))
        return DeliveryResult(provider_message_id=None, provider=self.name)


class WeComRobot(RobotWebhook):
    channel = WECOM
    name = "wecom"

    def payload(self, message: Message) -> dict:
        return {"msgtype": "markdown", "markdown": {"content": markdown(message)}}


class DingTalkRobot(RobotWebhook):
    channel = DINGTALK
    name = "dingtalk"

    def url_for(self, message: Message) -> str:
        if not message.secret:
            return message.recipient
        timestamp = str(int(self.clock() * 1000))
        query = urllib.parse.urlencode({"timestamp": timestamp, "sign": dingtalk_sign(message.secret, timestamp)})
        return message.recipient + ("&" if "?" in message.recipient else "?") + query

    def payload(self, message: Message) -> dict:
        return {"msgtype": "markdown", "markdown": {"title": message.subject or "提醒", "text": markdown(message)}}


@register(WECOM, "webhook")
def _wecom_factory(config: Mapping[str, str]) -> WeComRobot:
    return WeComRobot()


@register(DINGTALK, "webhook")
def _dingtalk_factory(config: Mapping[str, str]) -> DingTalkRobot:
    return DingTalkRobot()
