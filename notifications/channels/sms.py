"""SMS backends chosen by PUFA_SMS_BACKEND: console, aliyun, tencent, http.

SMS platforms in China only send pre-approved templates: a message carries a
template key (ours, e.g. "rectification_due") and short variables; the
settings map our key to the platform's template code
(PUFA_SMS_TEMPLATES, JSON: {"rectification_due": "SMS_123456"}; Tencent, whose
parameters are positional, also takes {"rectification_due": {"id": "1234567",
"params": ["item", "date"]}}). The cloud SDKs are optional extras, imported
only when their backend is built.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import socket
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TextIO

from notifications.channels.base import (
    SMS, ConfigError, DeliveryError, DeliveryResult, Message, Provider, register,
)

log = logging.getLogger(__name__)
BACKENDS = ("console", "aliyun", "tencent", "http")


@dataclass(frozen=True)
class Template:
    code: str
    #: positional order of variables, for platforms that number them
    params: tuple[str, ...] | None = None


def parse_templates(raw: str | Mapping | None) -> dict[str, Template]:
    if raw in (None, ""):
        return {}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise ConfigError(f"PUFA_SMS_TEMPLATES 不是有效的 JSON：{exc}") from None
    if not isinstance(raw, Mapping):
        raise ConfigError("PUFA_SMS_TEMPLATES 应为 JSON 对象：{模板键: 平台模板编号}")
    out = {}
    for key, value in raw.items():
        if isinstance(value, str):
            out[key] = Template(value)
        elif isinstance(value, Mapping) and isinstance(value.get("id"), str):
            params = value.get("params")
            out[key] = Template(value["id"], tuple(params) if params is not None else None)
        else:
            raise ConfigError(f"PUFA_SMS_TEMPLATES 中“{key}”的值应为模板编号或 {{\"id\": …, \"params\": […]}}")
    return out


def _require(config: Mapping[str, str], *names: str) -> list[str]:
    missing = [n for n in names if not config.get(n)]
    if missing:
        raise ConfigError(f"短信后端缺少设置：{'、'.join(missing)}")
    return [config[n] for n in names]


class TemplatedSms(Provider):
    channel = SMS

    def __init__(self, templates: Mapping[str, Template]):
        self.templates = dict(templates)

    def template_for(self, message: Message) -> Template:
        if not message.template:
            raise DeliveryError("短信必须使用预先报备的模板", retryable=False, provider=self.name)
        try:
            return self.templates[message.template]
        except KeyError:
            raise DeliveryError(f"短信模板未配置：{message.template}（见 PUFA_SMS_TEMPLATES）",
                                retryable=False, provider=self.name) from None

    def ordered_params(self, template: Template, message: Message) -> list[str]:
        names = template.params if template.params is not None else tuple(message.variables)
        missing = [n for n in names if n not in message.variables]
        if missing:
            raise DeliveryError(f"短信模板 {message.template} 缺少变量：{'、'.join(missing)}",
                                retryable=False, provider=self.name)
        return [short(message.variables[n]) for n in names]


#: the platforms refuse longer template variables (Aliyun: 35 characters)
MAX_VARIABLE_LENGTH = 35


def short(value) -> str:
    """A template variable cut to what the platforms accept, marked with "…"."""
    text = str(value)
    return text if len(text) <= MAX_VARIABLE_LENGTH else text[:MAX_VARIABLE_LENGTH - 1] + "…"


# -- console -------------------------------------------------------------------------
class ConsoleSms(Provider):
    """For the demo: the text goes to the log and a stream, nothing leaves the machine."""

    channel = SMS
    name = "console"

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream
        self._count = 0

    def send(self, message: Message) -> DeliveryResult:
        self._count += 1
        ident = f"console-{message.key or self._count}"
        variables = "，".join(f"{k}={v}" for k, v in message.variables.items())
        line = f"[短信] 至 {message.recipient}（模板 {message.template or '无'}：{variables}）{message.text}"
        if message.link:
            line += f" {message.link}"
        log.info("%s", line)
        print(line, file=self.stream or sys.stdout, flush=True)
        return DeliveryResult(provider_message_id=ident, provider=self.name)


@register(SMS, "console")
def _console_factory(config: Mapping[str, str]) -> ConsoleSms:
    return ConsoleSms()


# -- Aliyun (alibabacloud_dysmsapi20170525) -------------------------------------------
#: Aliyun answer codes worth another try later (flow control, platform busy)
ALIYUN_RETRYABLE = {"isv.BUSINESS_LIMIT_CONTROL", "isp.SYSTEM_ERROR", "isp.RAM_PERMISSION_DENY",
                    "isv.DAY_LIMIT_CONTROL", "Throttling.User", "SignatureNonceUsed", "ServiceUnavailable"}


class AliyunSms(TemplatedSms):
    name = "aliyun"

    def __init__(self, client, sign_name: str, templates: Mapping[str, Template]):
        """``client.send_sms(phone_numbers, sign_name, template_code, template_param) -> (code, message, biz_id)``:
        the SDK adapter below in production, a stub in tests."""
        super().__init__(templates)
        self.client, self.sign_name = client, sign_name

    @classmethod
    def from_config(cls, config: Mapping[str, str]) -> AliyunSms:
        key_id, key_secret, sign = _require(config, "PUFA_SMS_ALIYUN_ACCESS_KEY_ID",
                                            "PUFA_SMS_ALIYUN_ACCESS_KEY_SECRET", "PUFA_SMS_SIGN_NAME")
        client = AliyunSdkClient(key_id, key_secret, config.get("PUFA_SMS_ALIYUN_ENDPOINT") or "dysmsapi.aliyuncs.com")
        return cls(client, sign, parse_templates(config.get("PUFA_SMS_TEMPLATES")))

    def send(self, message: Message) -> DeliveryResult:
        template = self.template_for(message)
        names = template.params if template.params is not None else tuple(message.variables)
        params = dict(zip(names, self.ordered_params(template, message)))
        try:
            code, text, biz_id = self.client.send_sms(
                phone_numbers=message.recipient, sign_name=self.sign_name, template_code=template.code,
                template_param=json.dumps(params, ensure_ascii=False))
        except DeliveryError:
            raise
        except Exception as exc:  # noqa: BLE001 - the SDK raises its own and the network's errors
            code = getattr(exc, "code", None)
            retry = code is None or code in ALIYUN_RETRYABLE or str(code).startswith(("isp.", "Throttling"))
            raise DeliveryError(f"阿里云短信发送失败：{exc}", retryable=retry, provider=self.name,
                                code=code) from exc
        if code != "OK":
            raise DeliveryError(f"阿里云短信发送失败：{code} {text}", retryable=code in ALIYUN_RETRYABLE,
                                provider=self.name, code=code)
        return DeliveryResult(provider_message_id=biz_id, provider=self.name)


class AliyunSdkClient:
    """The thin layer over Aliyun's official SDK (``pip install pufa-flow[aliyun]``)."""

    def __init__(self, access_key_id: str, access_key_secret: str, endpoint: str, protocol: str = "https"):
        try:
            from alibabacloud_dysmsapi20170525.client import Client
            from alibabacloud_tea_openapi import models as open_api_models
        except ImportError as exc:
            raise ConfigError("阿里云短信需要安装：pip install 'pufa-flow[aliyun]'") from exc
        config = open_api_models.Config(access_key_id=access_key_id, access_key_secret=access_key_secret)
        config.endpoint = endpoint
        config.protocol = protocol
        self._client = Client(config)

    def send_sms(self, *, phone_numbers: str, sign_name: str, template_code: str, template_param: str):
        from alibabacloud_dysmsapi20170525 import models as sms_models
        from alibabacloud_tea_util import models as util_models

        request = sms_models.SendSmsRequest(phone_numbers=phone_numbers, sign_name=sign_name,
                                            template_code=template_code, template_param=template_param)
        runtime = util_models.RuntimeOptions(connect_timeout=5000, read_timeout=10000)
        body = self._client.send_sms_with_options(request, runtime).body
        return body.code, body.message, body.biz_id


@register(SMS, "aliyun")
def _aliyun_factory(config: Mapping[str, str]) -> AliyunSms:
    return AliyunSms.from_config(config)


# -- Tencent Cloud (tencentcloud-sdk-python-sms) --------------------------------------
def _tencent_retryable(code: str | None) -> bool:
    return code is None or str(code).startswith(("LimitExceeded", "InternalError", "RequestLimitExceeded",
                                                 "ClientNetworkError", "ServerNetworkError"))


class TencentSms(TemplatedSms):
    name = "tencent"

    def __init__(self, client, app_id: str, sign_name: str, templates: Mapping[str, Template]):
        """``client.send_sms(app_id, sign_name, template_id, params, phone) -> (code, message, serial_no)``."""
        super().__init__(templates)
        self.client, self.app_id, self.sign_name = client, app_id, sign_name

    @classmethod
    def from_config(cls, config: Mapping[str, str]) -> TencentSms:
        secret_id, secret_key, app_id, sign = _require(
            config, "PUFA_SMS_TENCENT_SECRET_ID", "PUFA_SMS_TENCENT_SECRET_KEY", "PUFA_SMS_TENCENT_APP_ID",
            "PUFA_SMS_SIGN_NAME")
        client = TencentSdkClient(secret_id, secret_key, config.get("PUFA_SMS_TENCENT_REGION") or "ap-guangzhou",
                                  config.get("PUFA_SMS_TENCENT_ENDPOINT") or None)
        return cls(client, app_id, sign, parse_templates(config.get("PUFA_SMS_TEMPLATES")))

    def send(self, message: Message) -> DeliveryResult:
        template = self.template_for(message)
        params = self.ordered_params(template, message)
        phone = message.recipient if message.recipient.startswith("+") else f"+86{message.recipient}"
        try:
            code, text, serial = self.client.send_sms(app_id=self.app_id, sign_name=self.sign_name,
                                                      template_id=template.code, params=params, phone=phone)
        except DeliveryError:
            raise
        except Exception as exc:  # noqa: BLE001 - TencentCloudSDKException or the network's
            code = getattr(exc, "code", None)
            raise DeliveryError(f"腾讯云短信发送失败：{exc}", retryable=_tencent_retryable(code),
                                provider=self.name, code=code) from exc
        if code != "Ok":
            raise DeliveryError(f"腾讯云短信发送失败：{code} {text}", retryable=_tencent_retryable(code)
                                and code is not None, provider=self.name, code=code)
        return DeliveryResult(provider_message_id=serial, provider=self.name)


class TencentSdkClient:
    """The thin layer over Tencent Cloud's official SDK (``pip install pufa-flow[tencent]``)."""

    def __init__(self, secret_id: str, secret_key: str, region: str, endpoint: str | None = None,
                 protocol: str = "https"):
        try:
            from tencentcloud.common import credential
            from tencentcloud.common.profile.client_profile import ClientProfile
            from tencentcloud.common.profile.http_profile import HttpProfile
            from tencentcloud.sms.v20210111 import sms_client
        except ImportError as exc:
            raise ConfigError("腾讯云短信需要安装：pip install 'pufa-flow[tencent]'") from exc
        http = HttpProfile(protocol=protocol, endpoint=endpoint) if endpoint else HttpProfile(protocol=protocol)
        self._client = sms_client.SmsClient(credential.Credential(secret_id, secret_key), region,
                                            ClientProfile(httpProfile=http))

    def send_sms(self, *, app_id: str, sign_name: str, template_id: str, params: list[str], phone: str):
        from tencentcloud.sms.v20210111 import models

        request = models.SendSmsRequest()
        request.SmsSdkAppId = app_id
        request.SignName = sign_name
        request.TemplateId = template_id
        request.TemplateParamSet = params
        request.PhoneNumberSet = [phone]
        status = self._client.SendSms(request).SendStatusSet[0]
        return status.Code, status.Message, status.SerialNo


@register(SMS, "tencent")
def _tencent_factory(config: Mapping[str, str]) -> TencentSms:
    return TencentSms.from_config(config)


# -- a generic HTTP gateway (provincial government SMS platforms) ---------------------
def gateway_signature(secret: str, timestamp: str, nonce: str, body: bytes) -> str:
    """hex HMAC-SHA256 over "timestamp\\nnonce\\nbody": what the gateway checks."""
    payload = timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body
    return hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


class HttpGatewaySms(TemplatedSms):
    """JSON POST {"phone", "template", "variables", "text", "request_id"} signed with
    headers X-Pufa-Timestamp (Unix seconds), X-Pufa-Nonce and X-Pufa-Signature.
    2xx is sent (the answer's "id" or "message_id" recorded); 429, 5xx, a
    timeout or a refused connection are retryable; other 4xx are not."""

    name = "http"

    def __init__(self, url: str, secret: str, timeout: float = 10.0, templates: Mapping[str, Template] | None = None,
                 clock: Callable[[], float] = time.time):
        super().__init__(templates or {})
        self.url, self.secret, self.timeout, self.clock = url, secret, timeout, clock

    @classmethod
    def from_config(cls, config: Mapping[str, str]) -> HttpGatewaySms:
        url, secret = _require(config, "PUFA_SMS_HTTP_URL", "PUFA_SMS_HTTP_SECRET")
        try:
            timeout = float(config.get("PUFA_SMS_HTTP_TIMEOUT") or 10)
        except ValueError:
            raise ConfigError(f"PUFA_SMS_HTTP_TIMEOUT 应为秒数：{config.get('PUFA_SMS_HTTP_TIMEOUT')}") from None
        return cls(url, secret, timeout, parse_templates(config.get("PUFA_SMS_TEMPLATES")))

    def template_for(self, message: Message) -> Template:
        # the gateway may keep its own template table: an unmapped key goes as is
        if message.template and message.template not in self.templates:
            return Template(message.template)
        return super().template_for(message)

    def send(self, message: Message) -> DeliveryResult:
        template = self.template_for(message)
        body = json.dumps({
            "phone": message.recipient, "template": template.code,
            "variables": {k: short(v) for k, v in message.variables.items()},
            "text": message.text, "request_id": message.key or secrets.token_hex(8),
        }, ensure_ascii=False).encode("utf-8")
        timestamp, nonce = str(int(self.clock())), secrets.token_hex(16)
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8",
            "X-Pufa-Timestamp": timestamp, "X-Pufa-Nonce": nonce,
            "X-Pufa-Signature": gateway_signature(self.secret, timestamp, nonce, body),
        })
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - configured URL
                answer = response.read()
        except urllib.error.HTTPError as exc:
            exc.close()  # it holds the response
            retry = exc.code == 429 or exc.code >= 500
            raise DeliveryError(f"短信网关返回 HTTP {exc.code}", retryable=retry, provider=self.name,
                                code=str(exc.code)) from exc
        except (TimeoutError, socket.timeout) as exc:
            raise DeliveryError(f"短信网关超时（{self.timeout:g} 秒）", retryable=True, provider=self.name,
                                code="timeout") from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            timed_out = isinstance(reason, (TimeoutError, socket.timeout))
            raise DeliveryError(f"无法连接短信网关：{reason}", retryable=True, provider=self.name,
                                code="timeout" if timed_out else "connection") from exc
        try:
            data = json.loads(answer or b"{}")
        except ValueError:
            data = {}
        ident = data.get("id") or data.get("message_id") if isinstance(data, dict) else None
        return DeliveryResult(provider_message_id=str(ident) if ident else None, provider=self.name)


@register(SMS, "http")
def _http_factory(config: Mapping[str, str]) -> HttpGatewaySms:
    return HttpGatewaySms.from_config(config)
