"""Reminder channels (issue 31 §1, API.md "Channels"): DingTalk and WeCom robots, SMS through the providers'
SDKs and e-mail, through an outbox of their own; tried against fake robots and a fake SMS endpoint on the
loopback interface, which check the signature, the body and the rate."""
import base64
import hashlib
import hmac
import json
import re
import threading
import urllib.parse
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from cases import delivery
from members import channels
from members.models import Channel, ChannelMessage, Unit

from .conftest import case_ruling

SECRET = "SECtest0123456789abcdef"
IDENTIFIER = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])|(?<![0-9])[0-9]{12,19}(?![0-9])")


class FakeRobot:
    """A chat robot on 127.0.0.1: records each POST; checks DingTalk's signature when given a secret;
    answers ``errcode`` (0 = accepted)."""

    def __init__(self, secret=""):
        self.secret, self.errcode, self.received = secret, 0, []
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
                entry = {"path": self.path, "query": query, "body": body, "json": None, "signed": None}
                try:
                    entry["json"] = json.loads(body)
                except ValueError:
                    pass
                if robot.secret:
                    digest = hmac.new(robot.secret.encode(), f"{query.get('timestamp')}\n{robot.secret}".encode(),
                                      hashlib.sha256).digest()
                    entry["signed"] = query.get("sign") == base64.b64encode(digest).decode()
                robot.received.append(entry)
                answer = json.dumps({"errcode": robot.errcode, "errmsg": "ok" if not robot.errcode else "sign not match"})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(answer.encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/robot/send?access_token=tok123456"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """``with commit(): ...`` runs the block's on-commit work (the wake of the senders), as a commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def robot(settings):
    settings.DEBUG = True  # API.md: with DEBUG on, loopback targets are accepted (fake robots)
    made = []

    def _make(secret=""):
        made.append(FakeRobot(secret))
        return made[-1]

    yield _make
    for r in made:
        r.close()


def _channel(users, unit_code, kind, target, secret=""):
    return channels.channel_add(actor=users["office"], unit=Unit.objects.get(code=unit_code), kind=kind,
                                target=target, secret=secret)


# ---------------------------------------------------------------- a new notice reaches the group's robot


def test_a_new_notice_reaches_a_signed_dingtalk_robot_before_the_request_answers(api, users, make_case, robot,
                                                                                 commit):
    fake = robot(SECRET)
    _channel(users, "bank-icbc", "dingtalk", fake.url, SECRET)
    case = make_case(debtors=1)
    debtor = case.parties.get(role="debtor")
    with commit():
        response = api("clerk").post("/api/v1/notices/", {"case": case.pk, "unit": "bank-icbc", "action": "freeze",
                                                          "subject": f"冻结{debtor.name}（{debtor.id_number}）名下存款",
                                                          "ruling": case_ruling(case).pk}, format="json")
    assert response.status_code == 201, response.json()
    number = response.json()["number"]
    assert len(fake.received) == 1
    sent = fake.received[0]
    assert sent["signed"] is True and sent["query"]["timestamp"].isdigit()
    assert sent["json"]["msgtype"] == "markdown"
    text = sent["json"]["markdown"]["text"]
    assert number in text and case.number in text and "冻结" in text
    assert f"/notices/{response.json()['id']}/" in text  # the link to act on it
    # A group chat is read by many: no debtor's name, no identifier-shaped string.
    assert debtor.name not in text and not IDENTIFIER.search(text)
    row = ChannelMessage.objects.get()
    assert row.status == "sent" and row.sent_at is not None and row.channel.last_sent_at is not None


def test_a_wrong_secret_fails_and_is_retried_not_lost(users, make_case, issue, robot):
    fake = robot("SECthe-robots-real-secret")
    fake.errcode = 310000  # DingTalk: sign not match
    channel = _channel(users, "bank-icbc", "dingtalk", fake.url, "SECa-wrong-secret")
    issue(make_case(), "bank-icbc", "freeze")
    row = ChannelMessage.objects.get()
    assert row.status == "pending" and row.attempts == 1 and "310000" in row.last_error
    assert row.next_attempt_at > timezone.now()
    channel.refresh_from_db()
    assert channel.failures == 1 and not channel.failing
    # The secret is put right in the group's robot: the sweep after the backoff sends it.
    fake.errcode = 0
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert channels.sweep() == 1
    row.refresh_from_db()
    channel.refresh_from_db()
    assert row.status == "sent" and channel.failures == 0


def test_a_channel_failing_three_times_is_shown_to_the_office(users, make_case, issue, robot, browser_client):
    fake = robot()
    fake.errcode = 93000  # WeCom: the robot's key is wrong
    _channel(users, "bank-icbc", "wecom", fake.url)
    case = make_case()
    issue(case, "bank-icbc", "freeze")
    issue(case, "bank-icbc", "query")
    now = timezone.now()
    with time_machine.travel(now + timedelta(minutes=2)):
        channels.sweep()
    channel = Channel.objects.get()
    assert channel.failures >= 3 and channel.failing
    assert ChannelMessage.objects.filter(status="pending").count() == 2  # kept, to be retried
    html = browser_client("office").get("/channels/").content.decode()
    assert "连续失败" in html and "93000" in html


def test_wecom_markdown_is_cut_to_4096_bytes(users, robot):
    fake = robot()
    channel = _channel(users, "bank-icbc", "wecom", fake.url)
    ChannelMessage.objects.create(channel=channel, key="long", purpose="digest", title="长消息", body="执" * 3000)
    channels.deliver_channel(channel.pk)
    content = fake.received[0]["json"]["markdown"]["content"]
    assert len(content.encode()) <= 4096 and content.startswith("执执执")
    assert fake.received[0]["json"]["msgtype"] == "markdown"


def test_a_robot_gets_at_most_20_messages_a_minute(users, robot):
    fake = robot(SECRET)
    channel = _channel(users, "bank-icbc", "dingtalk", fake.url, SECRET)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for n in range(25):
            ChannelMessage.objects.create(channel=channel, key=f"m{n}", purpose="notice", title=f"第{n}条",
                                          body=f"第{n}条")
        assert channels.deliver_channel(channel.pk) == 20
        assert channels.deliver_channel(channel.pk) == 0  # the minute is full
        waiting = ChannelMessage.objects.filter(status="pending")
        assert waiting.count() == 5
        assert all(m.next_attempt_at == start + timedelta(minutes=1) for m in waiting)
    assert len(fake.received) == 20
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        assert channels.sweep() == 5
    assert len(fake.received) == 25 and all(r["signed"] for r in fake.received)
    # Sent in the order queued (the urgent ones first, none here).
    assert [r["json"]["markdown"]["title"] for r in fake.received][:3] == ["第0条", "第1条", "第2条"]


def test_an_urgent_dispatch_goes_before_what_waits(users, make_case, issue, robot):
    fake = robot()
    channel = _channel(users, "police", "wecom", fake.url)
    for n in range(3):
        ChannelMessage.objects.create(channel=channel, key=f"old{n}", purpose="digest", title=f"待办{n}", body="x",
                                      next_attempt_at=timezone.now() + timedelta(hours=1))
    ChannelMessage.objects.filter(channel=channel).update(next_attempt_at=None)
    ChannelMessage.objects.create(channel=channel, key="dispatch", purpose="notice", title="出警", body="出警",
                                  urgent=True)
    channels.deliver_channel(channel.pk)
    assert fake.received[0]["json"]["markdown"]["content"] == "出警"


def test_posting_twice_with_one_key_is_one_message(users, robot, django_capture_on_commit_callbacks):
    fake = robot()
    _channel(users, "bank-icbc", "wecom", fake.url)
    unit = Unit.objects.get(code="bank-icbc")
    with django_capture_on_commit_callbacks(execute=True):
        for _n in range(2):
            channels.post(unit_ids=[unit.pk], key="meeting-1-invitation", purpose="meeting", title="会议通知",
                          lines=["- 时间"])
    assert ChannelMessage.objects.count() == 1 and len(fake.received) == 1


def test_a_switched_off_channel_gets_nothing(users, make_case, issue, robot):
    fake = robot()
    channel = _channel(users, "bank-icbc", "wecom", fake.url)
    channels.channel_set_active(actor=users["office"], channel=channel, active=False)
    issue(make_case(), "bank-icbc", "freeze")
    assert fake.received == [] and ChannelMessage.objects.count() == 0


# ---------------------------------------------------------------- what goes out


def test_the_morning_digest_is_one_message_per_unit_a_day(users, make_case, issue, robot, commit):
    fake = robot()
    _channel(users, "bank-icbc", "wecom", fake.url)
    case = make_case()
    issued = [issue(case, "bank-icbc", "freeze"), issue(case, "bank-icbc", "query")]
    fake.received.clear()
    morning = max(n.due_at for n in issued) - timedelta(hours=30)
    with time_machine.travel(morning, tick=False), commit():
        assert delivery.post_digests() == 1
        assert delivery.post_digests() == 0  # the same day again: nothing
    assert len(fake.received) == 1
    content = fake.received[0]["json"]["markdown"]["content"]
    for notice in issued:
        assert notice.number in content
    assert not IDENTIFIER.search(content)


def test_overdue_reminders_go_by_digest_not_one_by_one(users, make_case, issue, robot):
    fake = robot()
    _channel(users, "bank-icbc", "wecom", fake.url)
    notice = issue(make_case(), "bank-icbc", "freeze")
    fake.received.clear()
    with time_machine.travel(notice.due_at + timedelta(days=1), tick=False):
        delivery.queue_reminders()
    assert fake.received == []  # the e-mail reminder is queued; the group hears it in the digest
    assert not ChannelMessage.objects.filter(purpose="digest").exists()


def test_a_meeting_invitation_reaches_the_invited_units_group(users, robot, django_capture_on_commit_callbacks):
    from conferences import services as conference

    fake, other = robot(), robot()
    _channel(users, "police", "wecom", fake.url)
    _channel(users, "bank-icbc", "wecom", other.url)  # not on the agenda: not invited, not told
    police = Unit.objects.get(code="police")
    item = conference.agenda_item_propose(actor=users["office"], title="查找被执行人下落", reason="other",
                                          units=[police.code])
    conference.agenda_item_approve(actor=users["convener"], item=item)
    with django_capture_on_commit_callbacks(execute=True):
        conference.meeting_create(actor=users["office"], title="专题联席会议", kind="special",
                                  starts_at=timezone.now() + timedelta(days=7), place="二楼会议室",
                                  agenda_items=[item])
    assert len(fake.received) == 1 and other.received == []
    content = fake.received[0]["json"]["markdown"]["content"]
    assert "专题联席会议" in content and "二楼会议室" in content and "/meetings/" in content


def test_a_clerk_hears_of_a_measure_about_to_lapse_on_their_own_channel(users, make_case, issue, robot, commit):
    """Measures about to lapse go to the clerk who registered the case (issue 31), on their own channel."""
    from cases.measures import measures_sweep

    from .test_measures import EXPIRY, _executed, _set_expiry

    fake = robot()
    channels.channel_add(actor=users["admin"], unit=users["clerk"].unit, kind="wecom", target=fake.url,
                         user=users["clerk"])
    _channel(users, "bank-icbc", "wecom", robot().url)  # the bank's group: not told of the clerk's clock
    measure = _executed(users, issue, make_case(), "bank-icbc", "freeze", amount="50000.00",
                        measure={"asset": "工行账户6222020200001234567"})
    _set_expiry(measure, EXPIRY)
    with commit():
        measures_sweep(today=EXPIRY - timedelta(days=4))
    mine = ChannelMessage.objects.filter(channel__user=users["clerk"])
    assert [m.purpose for m in mine] == ["lapse"]
    content = fake.received[-1]["json"]["markdown"]["content"]
    assert EXPIRY.isoformat() in content and measure.case.number in content
    assert "6222020200001234567" not in content and not IDENTIFIER.search(content)


# ---------------------------------------------------------------- SMS through the provider's SDK


class FakeSms:
    """An SMS API on 127.0.0.1 answering success in the shape of Alibaba Cloud's or Tencent Cloud's API."""

    def __init__(self, provider="aliyun"):
        self.received = []
        fake = self
        answers = {"aliyun": {"Code": "OK", "Message": "OK", "BizId": "1", "RequestId": "r"},
                   "tencent": {"Response": {"RequestId": "r", "SendStatusSet": [
                       {"Code": "Ok", "Message": "send success", "SerialNo": "1", "PhoneNumber": "+8613800001234",
                        "Fee": 1, "SessionContext": "", "IsoCode": "CN"}]}}}

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                fake.received.append({"path": self.path, "body": self.rfile.read(length).decode(),
                                      "headers": dict(self.headers)})
                body = json.dumps(answers[provider]).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET = _answer  # noqa: N815

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_sms_goes_through_alibaba_clouds_sdk_with_the_approved_template(users, make_case, issue, settings):
    fake = FakeSms()
    try:
        settings.SMS_PROVIDER, settings.SMS_ENDPOINT = "aliyun", f"http://127.0.0.1:{fake.server.server_port}"
        settings.SMS_ACCESS_KEY_ID, settings.SMS_ACCESS_KEY_SECRET = "LTAItest", "secret"
        settings.SMS_SIGN_NAME, settings.SMS_TEMPLATES = "某县法院", {"notice": "SMS_4711", "default": "SMS_4700"}
        _channel(users, "bank-icbc", "sms", "138 0000 1234")
        notice = issue(make_case(), "bank-icbc", "freeze")
        row = ChannelMessage.objects.get()
        assert row.status == "sent", row.last_error
        request = fake.received[0]
        sent = urllib.parse.unquote_plus(request["path"] + " " + request["body"])
        # The SDK names the API in its signed headers (ACS3-HMAC-SHA256) and the message in the query.
        headers = {k.lower(): v for k, v in request["headers"].items()}
        assert headers.get("x-acs-action") == "SendSms" and "ACS3-HMAC-SHA256" in headers.get("authorization", "")
        assert "PhoneNumbers=13800001234" in sent and "TemplateCode=SMS_4711" in sent and "某县法院" in sent
        assert notice.number in sent and notice.subject not in sent
    finally:
        fake.close()


def test_sms_goes_through_tencent_clouds_sdk_too(users, make_case, issue, settings):
    fake = FakeSms("tencent")
    try:
        settings.SMS_PROVIDER, settings.SMS_ENDPOINT = "tencent", f"http://127.0.0.1:{fake.server.server_port}"
        settings.SMS_ACCESS_KEY_ID, settings.SMS_ACCESS_KEY_SECRET = "AKIDtest", "secret"
        settings.SMS_SIGN_NAME, settings.SMS_SDK_APP_ID = "某县法院", "1400000000"
        settings.SMS_TEMPLATES = {"default": "123456"}
        _channel(users, "bank-icbc", "sms", "13800001234")
        issue(make_case(), "bank-icbc", "freeze")
        row = ChannelMessage.objects.get()
        assert row.status == "sent", row.last_error
        request = json.loads(fake.received[0]["body"])
        headers = {k.lower(): v for k, v in fake.received[0]["headers"].items()}
        assert headers.get("x-tc-action") == "SendSms" and "TC3-HMAC-SHA256" in headers.get("authorization", "")
        assert request["PhoneNumberSet"] == ["+8613800001234"] and request["TemplateId"] == "123456"
        assert request["SignName"] == "某县法院" and request["SmsSdkAppId"] == "1400000000"
    finally:
        fake.close()


def test_sms_without_a_provider_fails_in_words_and_is_kept(users, make_case, issue, settings):
    settings.SMS_PROVIDER = ""
    _channel(users, "bank-icbc", "sms", "13800001234")
    issue(make_case(), "bank-icbc", "freeze")
    row = ChannelMessage.objects.get()
    assert row.status == "pending" and "not configured" in row.last_error


# ---------------------------------------------------------------- the API (office, admin)


def test_the_office_adds_a_channel_and_the_secret_never_comes_back(api, robot, commit):
    fake = robot(SECRET)
    response = api("office").post("/api/v1/channels/", {"unit": "bank-icbc", "kind": "dingtalk",
                                                        "target": fake.url, "secret": SECRET}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["has_secret"] is True and SECRET not in json.dumps(body) and "tok123456" not in body["target"]
    listed = api("office").get("/api/v1/channels/").json()
    assert SECRET not in json.dumps(listed) and listed[0]["last_message"] is None
    with commit():
        tested = api("office").post(f"/api/v1/channels/{body['id']}/test/")
    assert tested.status_code == 200 and tested.json()["status"] == "sent"
    assert fake.received[-1]["signed"] is True
    assert api("office").get("/api/v1/channels/").json()[0]["last_message"]["status"] == "sent"


@pytest.mark.parametrize("username", ["clerk", "convener", "liaison-bank-icbc", "leader-police", "assessor"])
def test_only_the_office_and_admins_manage_channels(api, username):
    assert api(username).get("/api/v1/channels/").status_code == 403
    response = api(username).post("/api/v1/channels/", {"unit": "bank-icbc", "kind": "sms", "target": "13800001234"},
                                  format="json")
    assert response.status_code == 403 and not Channel.objects.exists()


def test_admin_manages_channels_too(api):
    response = api("admin").post("/api/v1/channels/", {"unit": "police", "kind": "email",
                                                       "target": "duty@police.example.cn"}, format="json")
    assert response.status_code == 201


@pytest.mark.parametrize(("kind", "target", "field"), [
    ("dingtalk", "not a url", "target"),
    ("wecom", "ftp://example.cn/x", "target"),
    ("sms", "12345", "target"),
    ("sms", "1380000123456", "target"),
    ("email", "nobody@", "target"),
    ("fax", "0712-1234567", "kind"),
])
def test_a_bad_target_is_a_clear_400_and_changes_nothing(api, kind, target, field):
    response = api("office").post("/api/v1/channels/", {"unit": "bank-icbc", "kind": kind, "target": target},
                                  format="json")
    assert response.status_code == 400 and field in response.json()
    assert not Channel.objects.exists()


def test_a_secret_on_a_robot_that_does_not_sign_is_refused(api):
    response = api("office").post("/api/v1/channels/", {"unit": "bank-icbc", "kind": "wecom", "secret": "x",
                                                        "target": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"},
                                  format="json")
    assert response.status_code == 400 and "secret" in response.json()


def test_in_production_a_robot_must_be_https(api, settings):
    settings.DEBUG = False
    response = api("office").post("/api/v1/channels/", {"unit": "bank-icbc", "kind": "wecom",
                                                        "target": "http://qyapi.weixin.qq.com/x?key=k"}, format="json")
    assert response.status_code == 400


def test_the_channel_list_costs_the_same_queries_for_one_or_many(api, users, django_assert_max_num_queries):
    client = api("office")
    _channel(users, "bank-icbc", "email", "a@example.cn")
    client.get("/api/v1/channels/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get("/api/v1/channels/")
    for n in range(8):
        channel = _channel(users, "police", "email", f"p{n}@example.cn")
        ChannelMessage.objects.create(channel=channel, key="k", purpose="test", title="t", body="b")
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/api/v1/channels/").json()) == 9
    assert len(many) == len(one)


# ---------------------------------------------------------------- the office's page


def test_the_office_page_adds_tests_and_switches_off(browser_client, robot):
    fake = robot()
    client = browser_client("office")
    page = client.get("/channels/")
    assert page.status_code == 200 and "添加" in page.content.decode()
    response = client.post("/channels/", {"unit": "bank-icbc", "kind": "wecom", "target": fake.url})
    assert response.status_code == 302
    channel = Channel.objects.get()
    response = client.post("/channels/", {"action": "test", "channel": channel.pk}, follow=True)
    assert "测试消息已发送" in response.content.decode() and len(fake.received) == 1
    log = client.get(f"/channels/{channel.pk}/")
    assert log.status_code == 200 and "测试消息" in log.content.decode()
    client.post("/channels/", {"action": "off", "channel": channel.pk})
    channel.refresh_from_db()
    assert channel.active is False


def test_the_office_page_says_what_is_wrong_with_a_target(browser_client):
    response = browser_client("office").post("/channels/", {"unit": "bank-icbc", "kind": "sms", "target": "110"})
    assert response.status_code == 200 and "11" in response.content.decode()
    assert not Channel.objects.exists()


@pytest.mark.parametrize("username", ["clerk", "convener", "liaison-bank-icbc", "leader-police", "assessor"])
def test_the_channel_pages_are_404_for_everyone_else(browser_client, users, username):
    channel = _channel(users, "bank-icbc", "email", "a@example.cn")
    client = browser_client(username)
    assert client.get("/channels/").status_code == 404
    assert client.get(f"/channels/{channel.pk}/").status_code == 404
    assert client.post("/channels/", {"action": "test", "channel": channel.pk}).status_code == 404
    assert not ChannelMessage.objects.exists()


def test_an_email_channel_gets_plain_text(users, make_case, issue):
    _channel(users, "bank-icbc", "email", "group@bank.example.cn")
    mail.outbox.clear()
    issue(make_case(), "bank-icbc", "freeze")
    sent = [m for m in mail.outbox if m.to == ["group@bank.example.cn"]]
    assert len(sent) == 1 and "###" not in sent[0].body and "http" in sent[0].body


def test_posting_a_batch_of_notices_costs_the_same_queries_as_one(users, make_case, issue, robot):
    """A clerk's batch (one action to every bank) queues its group messages in a constant number of queries,
    not a few per notice."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for code in ("bank-icbc", "bank-abc", "bank-ccb", "bank-boc"):
        _channel(users, code, "wecom", robot().url)
    case = make_case()
    few = [issue(case, "bank-icbc", "query").pk]
    many = [issue(case, code, "query").pk for code in ("bank-icbc", "bank-abc", "bank-ccb", "bank-boc") * 2]
    ChannelMessage.objects.all().delete()
    with CaptureQueriesContext(connection) as one:
        assert delivery.post_to_channels(few, purpose="issue-again") == 1
    with CaptureQueriesContext(connection) as eight:
        assert delivery.post_to_channels(many, purpose="issue-again") == 8
    assert len(eight) == len(one)
