"""SMS backends and group robots against local fake servers and stub SDK clients."""
from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import urllib.parse

import pytest

from notifications.channels import (
    DINGTALK, SMS, WECOM, ConfigError, DeliveryError, Message, build_registry,
)
from notifications.channels.robots import DingTalkRobot, WeComRobot, dingtalk_sign
from notifications.channels.sms import (
    AliyunSms, ConsoleSms, HttpGatewaySms, TencentSms, Template, gateway_signature, parse_templates,
)
from notify_servers import free_port

SMS_MSG = Message(recipient="13800138000", template="rectification_due",
                  variables={"unit": "区司法局", "date": "10月12日"}, text="整改事项即将到期", key="outbox-7",
                  link="http://pufa.example/i/7")
SECRET = "gateway-secret"


# -- the HTTP gateway -------------------------------------------------------------------
def gateway(url, timeout=0.5):
    return HttpGatewaySms.from_config({"PUFA_SMS_HTTP_URL": url + "/sms", "PUFA_SMS_HTTP_SECRET": SECRET,
                                       "PUFA_SMS_HTTP_TIMEOUT": str(timeout)})


def verify(request) -> dict:
    h = request["headers"]
    expected = gateway_signature(SECRET, h["X-Pufa-Timestamp"], h["X-Pufa-Nonce"], request["body"])
    assert hmac.compare_digest(h["X-Pufa-Signature"], expected)
    return json.loads(request["body"])


def test_gateway_500_then_timeout_then_success(fake_http):
    fake_http.script = [500, ("sleep", 1.0), (200, {"id": "gw-123"})]
    sms = gateway(fake_http.url, timeout=0.3)
    outcomes = []
    for _ in range(3):
        try:
            outcomes.append(sms.send(SMS_MSG))
        except DeliveryError as exc:
            outcomes.append(exc)
    first, second, third = outcomes
    assert isinstance(first, DeliveryError) and first.retryable and first.code == "500"
    assert isinstance(second, DeliveryError) and second.retryable and second.code == "timeout"
    assert not isinstance(third, DeliveryError) and third.provider_message_id == "gw-123"
    assert len(fake_http.requests) == 3
    bodies = [verify(r) for r in fake_http.requests]
    assert bodies[0] == {"phone": "13800138000", "template": "rectification_due",
                         "variables": {"unit": "区司法局", "date": "10月12日"}, "text": "整改事项即将到期",
                         "request_id": "outbox-7"}
    assert len({r["headers"]["X-Pufa-Nonce"] for r in fake_http.requests}) == 3
    assert fake_http.requests[0]["path"] == "/sms"


@pytest.mark.parametrize("status,retryable", [(400, False), (401, False), (429, True), (503, True)])
def test_gateway_status_classification(fake_http, status, retryable):
    fake_http.script = [status]
    with pytest.raises(DeliveryError) as caught:
        gateway(fake_http.url).send(SMS_MSG)
    assert caught.value.retryable is retryable


def test_gateway_down_is_retryable():
    with pytest.raises(DeliveryError) as caught:
        gateway(f"http://127.0.0.1:{free_port()}").send(SMS_MSG)
    assert caught.value.retryable and caught.value.code == "connection"


def test_gateway_signature_detects_tampering():
    sig = gateway_signature(SECRET, "1700000000", "n1", b'{"a":1}')
    assert sig != gateway_signature(SECRET, "1700000000", "n1", b'{"a":2}')
    assert sig != gateway_signature(SECRET, "1700000001", "n1", b'{"a":1}')
    assert sig == hmac.new(SECRET.encode(), b'1700000000\nn1\n{"a":1}', hashlib.sha256).hexdigest()


def test_gateway_maps_template_keys_when_configured(fake_http):
    sms = HttpGatewaySms(fake_http.url, SECRET, templates=parse_templates('{"rectification_due": "GOV-0042"}'))
    sms.send(SMS_MSG)
    assert verify(fake_http.requests[0])["template"] == "GOV-0042"
    with pytest.raises(DeliveryError, match="预先报备的模板") as caught:
        sms.send(Message(recipient="13800138000", text="free text"))
    assert not caught.value.retryable


# -- console ----------------------------------------------------------------------------------
def test_console_prints_the_message():
    stream = io.StringIO()
    result = ConsoleSms(stream).send(SMS_MSG)
    line = stream.getvalue()
    assert "13800138000" in line and "rectification_due" in line and "unit=区司法局" in line
    assert "http://pufa.example/i/7" in line and result.provider_message_id == "console-outbox-7"


# -- Aliyun and Tencent: our mapping, with stub clients ------------------------------------------
class StubAliyun:
    def __init__(self, answers):
        self.answers, self.calls = list(answers), []

    def send_sms(self, **kw):
        self.calls.append(kw)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


class SdkError(Exception):
    def __init__(self, message, code=None):
        super().__init__(message)
        self.code = code


TEMPLATES = {"rectification_due": Template("SMS_480001", ("unit", "date"))}


def test_aliyun_request_mapping_and_answers():
    stub = StubAliyun([("OK", "OK", "biz-1"), ("isv.BUSINESS_LIMIT_CONTROL", "触发流控", None),
                       ("isv.MOBILE_NUMBER_ILLEGAL", "号码格式错误", None), SdkError("network down"),
                       SdkError("bad sign", code="isv.SMS_SIGNATURE_ILLEGAL")])
    sms = AliyunSms(stub, "普法办", TEMPLATES)
    assert sms.send(SMS_MSG).provider_message_id == "biz-1"
    assert stub.calls[0] == {"phone_numbers": "13800138000", "sign_name": "普法办", "template_code": "SMS_480001",
                             "template_param": json.dumps({"unit": "区司法局", "date": "10月12日"}, ensure_ascii=False)}
    expected = [True, False, True, False]
    for retry in expected:
        with pytest.raises(DeliveryError) as caught:
            sms.send(SMS_MSG)
        assert caught.value.retryable is retry, caught.value


def test_tencent_request_mapping_and_answers():
    stub = StubAliyun([("Ok", "send success", "serial-9"), ("LimitExceeded.PhoneNumberDailyLimit", "超限", None),
                       ("FailedOperation.TemplateIncorrectOrUnapproved", "模板未审核", None),
                       SdkError("InternalError", code="InternalError.Timeout")])
    sms = TencentSms(stub, "1400000000", "普法办", {"rectification_due": Template("1234567", ("date", "unit"))})
    assert sms.send(SMS_MSG).provider_message_id == "serial-9"
    assert stub.calls[0] == {"app_id": "1400000000", "sign_name": "普法办", "template_id": "1234567",
                             "params": ["10月12日", "区司法局"], "phone": "+8613800138000"}
    for retry in (True, False, True):
        with pytest.raises(DeliveryError) as caught:
            sms.send(SMS_MSG)
        assert caught.value.retryable is retry, caught.value


def test_missing_template_or_variable_is_permanent():
    sms = AliyunSms(StubAliyun([]), "普法办", TEMPLATES)
    with pytest.raises(DeliveryError, match="模板未配置") as caught:
        sms.send(Message(recipient="1", template="unknown"))
    assert not caught.value.retryable
    with pytest.raises(DeliveryError, match="缺少变量：date"):
        sms.send(Message(recipient="1", template="rectification_due", variables={"unit": "x"}))


def test_cloud_backends_say_which_settings_are_missing():
    with pytest.raises(ConfigError, match="PUFA_SMS_ALIYUN_ACCESS_KEY_ID"):
        build_registry({"PUFA_SMS_BACKEND": "aliyun"})
    with pytest.raises(ConfigError, match="PUFA_SMS_TENCENT_SECRET_ID"):
        build_registry({"PUFA_SMS_BACKEND": "tencent"})
    with pytest.raises(ConfigError, match="PUFA_SMS_BACKEND"):
        build_registry({"PUFA_SMS_BACKEND": "pigeon"})
    with pytest.raises(ConfigError, match="PUFA_SMS_TEMPLATES"):
        parse_templates("{not json")


def test_aliyun_sdk_client_builds_when_installed():
    pytest.importorskip("alibabacloud_dysmsapi20170525", reason="Aliyun SDK not installed (extra pufa-flow[aliyun])")
    registry = build_registry({"PUFA_SMS_BACKEND": "aliyun", "PUFA_SMS_ALIYUN_ACCESS_KEY_ID": "id",
                               "PUFA_SMS_ALIYUN_ACCESS_KEY_SECRET": "secret", "PUFA_SMS_SIGN_NAME": "普法办"})
    assert isinstance(registry.get(SMS), AliyunSms)


def test_tencent_sdk_client_builds_when_installed():
    pytest.importorskip("tencentcloud.sms.v20210111", reason="Tencent SDK not installed (extra pufa-flow[tencent])")
    registry = build_registry({"PUFA_SMS_BACKEND": "tencent", "PUFA_SMS_TENCENT_SECRET_ID": "id",
                               "PUFA_SMS_TENCENT_SECRET_KEY": "key", "PUFA_SMS_TENCENT_APP_ID": "1400000000",
                               "PUFA_SMS_SIGN_NAME": "普法办"})
    assert isinstance(registry.get(SMS), TencentSms)


def test_registry_defaults_to_console_sms_and_both_robots():
    registry = build_registry({})
    assert isinstance(registry.get(SMS), ConsoleSms)
    assert isinstance(registry.get(WECOM), WeComRobot) and isinstance(registry.get(DINGTALK), DingTalkRobot)


# -- group robots -----------------------------------------------------------------------------
ROBOT_MSG = Message(recipient="", subject="整改提醒", text="区司法局有 **2** 项整改逾期", link="http://pufa.example/i/7")


def test_dingtalk_signs_as_the_platform_documents(fake_http):
    secret = "SEC0123456789abcdef"
    robot = DingTalkRobot(clock=lambda: 1_790_000_000.123)
    robot.send(Message(**{**ROBOT_MSG.__dict__, "recipient": fake_http.url + "/robot/send?access_token=tok",
                          "secret": secret}))
    [request] = fake_http.requests
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(request["path"]).query)
    timestamp = query["timestamp"][0]
    assert timestamp == "1790000000123" and query["access_token"] == ["tok"]
    # the fake server checks the signature the way 钉钉 does
    expected = base64.b64encode(hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(),
                                         hashlib.sha256).digest()).decode()
    assert query["sign"] == [expected] == [dingtalk_sign(secret, timestamp)]
    body = json.loads(request["body"])
    assert body["msgtype"] == "markdown" and body["markdown"]["title"] == "整改提醒"
    assert "**2**" in body["markdown"]["text"] and "[查看详情](http://pufa.example/i/7)" in body["markdown"]["text"]


def test_dingtalk_without_secret_sends_the_url_unchanged(fake_http):
    DingTalkRobot().send(Message(**{**ROBOT_MSG.__dict__, "recipient": fake_http.url + "/robot/send?access_token=t"}))
    assert fake_http.requests[0]["path"] == "/robot/send?access_token=t"


def test_wecom_markdown_and_errcodes(fake_http):
    url = fake_http.url + "/cgi-bin/webhook/send?key=abc"
    fake_http.script = [(200, {"errcode": 0, "errmsg": "ok"}), (200, {"errcode": 45009, "errmsg": "freq"}),
                        (200, {"errcode": 93000, "errmsg": "invalid webhook url"}), 502]
    robot = WeComRobot()
    msg = Message(**{**ROBOT_MSG.__dict__, "recipient": url})
    robot.send(msg)
    body = json.loads(fake_http.requests[0]["body"])
    assert body == {"msgtype": "markdown", "markdown": {
        "content": "### 整改提醒\n\n区司法局有 **2** 项整改逾期\n\n[查看详情](http://pufa.example/i/7)"}}
    for retry in (True, False, True):
        with pytest.raises(DeliveryError) as caught:
            robot.send(msg)
        assert caught.value.retryable is retry


def test_robot_refuses_a_non_url_recipient():
    with pytest.raises(DeliveryError, match="群机器人地址不正确") as caught:
        WeComRobot().send(Message(recipient="not a url"))
    assert not caught.value.retryable


def test_long_variables_are_cut_to_what_platforms_accept(fake_http):
    long_name = "某某市某某区人民政府办公室法治建设工作领导小组办公室联络组综合科室第一党支部"
    stub = StubAliyun([("OK", "OK", "b")])
    AliyunSms(stub, "普法办", TEMPLATES).send(Message(recipient="1", template="rectification_due",
                                                    variables={"unit": long_name, "date": "10月12日"}))
    unit = json.loads(stub.calls[0]["template_param"])["unit"]
    assert len(unit) == 35 and unit.endswith("…") and long_name.startswith(unit[:-1])
    gateway(fake_http.url).send(Message(recipient="1", template="t", variables={"unit": long_name}))
    assert len(verify(fake_http.requests[0])["variables"]["unit"]) == 35


def test_aliyun_sdk_adapter_against_a_local_fake(fake_http):
    pytest.importorskip("alibabacloud_dysmsapi20170525", reason="Aliyun SDK not installed (extra pufa-flow[aliyun])")
    from notifications.channels.sms import AliyunSdkClient

    fake_http.default = (200, {"Code": "OK", "BizId": "biz-9", "Message": "OK", "RequestId": "r-1"})
    client = AliyunSdkClient("id", "secret", fake_http.url.removeprefix("http://"), protocol="http")
    result = AliyunSms(client, "普法办", TEMPLATES).send(SMS_MSG)
    assert result.provider_message_id == "biz-9"
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(fake_http.requests[0]["path"]).query)
    assert query["PhoneNumbers"] == ["13800138000"] and query["TemplateCode"] == ["SMS_480001"]
    assert query["SignName"] == ["普法办"]
    assert json.loads(query["TemplateParam"][0]) == {"unit": "区司法局", "date": "10月12日"}


def test_tencent_sdk_adapter_against_a_local_fake(fake_http):
    pytest.importorskip("tencentcloud.sms.v20210111", reason="Tencent SDK not installed (extra pufa-flow[tencent])")
    from notifications.channels.sms import TencentSdkClient

    fake_http.default = (200, {"Response": {"RequestId": "r-1", "SendStatusSet": [{
        "SerialNo": "serial-1", "PhoneNumber": "+8613800138000", "Fee": 1, "SessionContext": "", "Code": "Ok",
        "Message": "send success", "IsoCode": "CN"}]}})
    client = TencentSdkClient("id", "key", "ap-guangzhou", fake_http.url.removeprefix("http://"), protocol="http")
    sms = TencentSms(client, "1400000000", "普法办", {"rectification_due": Template("1234567", ("unit", "date"))})
    assert sms.send(SMS_MSG).provider_message_id == "serial-1"
    body = json.loads(fake_http.requests[0]["body"])
    assert body == {"PhoneNumberSet": ["+8613800138000"], "SmsSdkAppId": "1400000000", "TemplateId": "1234567",
                    "SignName": "普法办", "TemplateParamSet": ["区司法局", "10月12日"]}
    assert fake_http.requests[0]["headers"]["X-TC-Action"] == "SendSms"
