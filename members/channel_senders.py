"""How one message leaves for one channel: a DingTalk or WeCom robot, an SMS provider's SDK, e-mail.

Why not apprise: its DingTalk and WeCom plugins build the robot's URL from the token themselves
(``oapi.dingtalk.com``, ``qyapi.weixin.qq.com``), so neither 政务钉钉's own host nor a local fake robot can
be the target, and they answer a bool, where the outbox wants the robot's own error (``errcode`` 130101 is
"too fast", 310000 a bad signature) in its log. A robot is one signed JSON POST; that is written here.
SMS goes through the providers' official SDKs (Alibaba Cloud ``alibabacloud_dysmsapi20170525``,
Tencent Cloud ``tencentcloud-sdk-python-sms``), which sign the API calls.
"""
import base64
import hashlib
import hmac
import json
import time
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.mail import send_mail

WECOM_MARKDOWN_MAX_BYTES = 4096


class ChannelError(Exception):
    """The channel refused or could not be reached; the message is retried later."""


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's custom robot signature: Base64(HMAC-SHA256(secret, "{timestamp}\\n{secret}")),
    URL-encoded into the query string."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def dingtalk_url(target: str, secret: str, timestamp_ms: int | None = None) -> str:
    if not secret:
        return target
    timestamp_ms = timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)
    query = urllib.parse.urlencode({"timestamp": timestamp_ms, "sign": dingtalk_sign(secret, timestamp_ms)})
    return f"{target}{'&' if '?' in target else '?'}{query}"


def clip_utf8(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` bytes of UTF-8 without splitting a character."""
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode(errors="ignore") + "…"


def _post_json(url: str, payload: dict) -> dict:
    body = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=settings.CHANNEL_TIMEOUT_SECONDS) as response:  # noqa: S310
            answer = response.read(65536)
    except OSError as exc:
        raise ChannelError(f"unreachable: {exc}") from exc
    try:
        data = json.loads(answer or b"{}")
    except ValueError as exc:
        raise ChannelError(f"not JSON: {answer[:200]!r}") from exc
    # Both robots answer 200 with errcode 0 on success and a non-zero errcode otherwise.
    if data.get("errcode", 0) != 0:
        raise ChannelError(f"errcode {data.get('errcode')}: {data.get('errmsg', '')}"[:500])
    return data


def send_dingtalk(channel, title: str, body: str) -> None:
    _post_json(dingtalk_url(channel.target, channel.secret),
               {"msgtype": "markdown", "markdown": {"title": title, "text": body}})


def send_wecom(channel, title: str, body: str) -> None:
    _post_json(channel.target, {"msgtype": "markdown",
                                "markdown": {"content": clip_utf8(body, WECOM_MARKDOWN_MAX_BYTES)}})


def send_email(channel, title: str, body: str) -> None:
    send_mail(title, body, settings.DEFAULT_FROM_EMAIL, [channel.target])


def sms_params(title: str, due: str) -> dict:
    # Template variables are short in both clouds (Alibaba: 35 characters a variable).
    return {"title": title[:35], "due": due[:35]}


def send_sms(channel, purpose: str, params: dict) -> None:
    template = settings.SMS_TEMPLATES.get(purpose) or settings.SMS_TEMPLATES.get("default")
    if not settings.SMS_PROVIDER or not template or not settings.SMS_SIGN_NAME:
        raise ChannelError("SMS is not configured (SMS_PROVIDER, SMS_SIGN_NAME, SMS_TEMPLATES)")
    if settings.SMS_PROVIDER == "aliyun":
        _send_aliyun(channel.target, template, params)
    elif settings.SMS_PROVIDER == "tencent":
        _send_tencent(channel.target, template, params)
    else:
        raise ChannelError(f"unknown SMS_PROVIDER {settings.SMS_PROVIDER!r}")


def _endpoint():
    """``SMS_ENDPOINT`` as (host[:port], scheme): a local fake in the tests, empty in production."""
    value = settings.SMS_ENDPOINT
    if not value:
        return None, "https"
    parsed = urllib.parse.urlsplit(value if "://" in value else f"https://{value}")
    return parsed.netloc, parsed.scheme


def _send_aliyun(phone: str, template: str, params: dict) -> None:
    from alibabacloud_dysmsapi20170525 import models as sms_models
    from alibabacloud_dysmsapi20170525.client import Client
    from alibabacloud_tea_openapi import models as api_models

    host, scheme = _endpoint()
    config = api_models.Config(access_key_id=settings.SMS_ACCESS_KEY_ID,
                               access_key_secret=settings.SMS_ACCESS_KEY_SECRET,
                               endpoint=host or "dysmsapi.aliyuncs.com", protocol=scheme,
                               read_timeout=int(settings.CHANNEL_TIMEOUT_SECONDS * 1000),
                               connect_timeout=int(settings.CHANNEL_TIMEOUT_SECONDS * 1000))
    request = sms_models.SendSmsRequest(phone_numbers=phone, sign_name=settings.SMS_SIGN_NAME,
                                        template_code=template,
                                        template_param=json.dumps(params, ensure_ascii=False))
    try:
        answer = Client(config).send_sms(request)
    except Exception as exc:  # the SDK's own errors (TeaException, network): retried later
        raise ChannelError(f"aliyun: {exc}"[:500]) from exc
    if (answer.body.code or "") != "OK":
        raise ChannelError(f"aliyun {answer.body.code}: {answer.body.message}"[:500])


def _send_tencent(phone: str, template: str, params: dict) -> None:
    from tencentcloud.common import credential
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile
    from tencentcloud.sms.v20210111 import models, sms_client

    host, scheme = _endpoint()
    http = HttpProfile(endpoint=host or "sms.tencentcloudapi.com", protocol=scheme,
                       reqTimeout=int(settings.CHANNEL_TIMEOUT_SECONDS))
    client = sms_client.SmsClient(credential.Credential(settings.SMS_ACCESS_KEY_ID, settings.SMS_ACCESS_KEY_SECRET),
                                  "ap-guangzhou", ClientProfile(httpProfile=http))
    request = models.SendSmsRequest()
    request.PhoneNumberSet = [f"+86{phone}"]
    request.SmsSdkAppId = settings.SMS_SDK_APP_ID
    request.SignName = settings.SMS_SIGN_NAME
    request.TemplateId = template
    request.TemplateParamSet = [params["title"], params["due"]]
    try:
        answer = client.SendSms(request)
    except Exception as exc:
        raise ChannelError(f"tencent: {exc}"[:500]) from exc
    status = answer.SendStatusSet[0] if answer.SendStatusSet else None
    if status is None or status.Code != "Ok":
        raise ChannelError(f"tencent {getattr(status, 'Code', '?')}: {getattr(status, 'Message', '')}"[:500])
