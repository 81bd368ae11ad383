"""Objections (异议) and requests for more time (延期申请): the clerk decides; the clocks stop meanwhile."""
from datetime import time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases import services
from cases.deadlines import end_of_day
from cases.models import Notice, NoticeRequest
from linkage.statemachine import InvalidTransition

pytestmark = pytest.mark.dates  # every test here also runs at 23:30 and 00:30 Asia/Shanghai (conftest)


@pytest.fixture
def notice(make_case, issue):
    return issue(make_case(), "bank-icbc", "freeze")


def _late(notice):
    past = timezone.now() - timedelta(days=2)
    Notice.objects.filter(pk=notice.pk).update(ack_due_at=past, due_at=past)
    notice.refresh_from_db()
    return notice


def test_objection_stops_the_clocks_and_a_granted_objection_cancels(notice, users):
    notice = _late(notice)
    assert Notice.objects.ack_overdue().filter(pk=notice.pk).exists()
    filed = services.notice_request_file(actor=users["liaison-bank-icbc"], notice=notice, kind="objection",
                                         grounds="该账户已被他院冻结，且非被执行人所有")
    notice.refresh_from_db()
    assert notice.paused_since is not None
    assert not Notice.objects.overdue().filter(pk=notice.pk).exists()
    assert not notice.ack_overdue() and not notice.answer_overdue()
    services.notice_request_decide(actor=users["clerk"], request=filed, grant=True, note="异议成立")
    notice.refresh_from_db()
    filed.refresh_from_db()
    assert filed.status == "granted" and filed.decided_by == users["clerk"]
    assert notice.status == "cancelled" and notice.paused_since is None
    assert list(notice.events.values_list("transition", flat=True))[-3:] == [
        "request_objection", "decide_objection", "cancel"]


def test_refused_objection_restarts_the_clocks_shifted_by_the_pause(notice, users):
    filed = services.notice_request_file(actor=users["liaison-bank-icbc"], notice=notice, kind="objection",
                                         grounds="理由")
    pause = timedelta(hours=5)
    Notice.objects.filter(pk=notice.pk).update(paused_since=timezone.now() - pause)
    before = Notice.objects.get(pk=notice.pk)
    services.notice_request_decide(actor=users["clerk"], request=filed, grant=False, note="异议不成立")
    after = Notice.objects.get(pk=notice.pk)
    assert after.status == before.status and after.paused_since is None
    # Both clocks still ran (the notice awaits its acknowledgement): each moves by the pause, to the end of
    # that local day (cases.deadlines.end_of_day), and the event says from what to what.
    for field in ("ack_due_at", "due_at"):
        old, new = getattr(before, field), getattr(after, field)
        assert new == end_of_day(timezone.localtime(old + pause).date()) or \
            new == end_of_day(timezone.localtime(old + pause + timedelta(seconds=30)).date())
        assert new - old >= pause and timezone.localtime(new).time() == time(23, 59, 59)
    note = after.events.get(transition="decide_objection").note
    assert "due_at" in note and "→" in note


def test_granted_extension_sets_the_new_deadline(notice, users):
    wanted = (timezone.localdate() + timedelta(days=60)).isoformat()
    filed = services.notice_request_file(actor=users["liaison-bank-icbc"], notice=notice, kind="extension",
                                         grounds="需调取历史流水", requested_due_at=wanted)
    services.notice_request_decide(actor=users["clerk"], request=filed, grant=True)
    notice.refresh_from_db()
    assert timezone.localtime(notice.due_at).date().isoformat() == wanted
    assert notice.paused_since is None


@pytest.mark.parametrize("body, field", [
    ({"kind": "extension", "grounds": "x"}, "requested_due_at"),
    ({"kind": "extension", "grounds": "x", "requested_due_at": "2020-01-01"}, "requested_due_at"),
    ({"kind": "extension", "grounds": "x", "requested_due_at": "garbage"}, "requested_due_at"),
    ({"kind": "objection", "grounds": "  "}, "grounds"),
    ({"kind": "complaint", "grounds": "x"}, "kind"),
])
def test_bad_requests_are_refused_and_change_nothing(notice, users, body, field):
    with pytest.raises(ValidationError) as exc:
        services.notice_request_file(actor=users["liaison-bank-icbc"], notice=notice, **body)
    assert field in exc.value.message_dict
    assert not NoticeRequest.objects.filter(notice=notice).exists()
    assert Notice.objects.get(pk=notice.pk).paused_since is None


def test_extension_must_be_asked_before_the_deadline(notice, users):
    notice = _late(notice)
    with pytest.raises(ValidationError) as exc:
        services.notice_request_file(actor=users["liaison-bank-icbc"], notice=notice, kind="extension",
                                     grounds="x", requested_due_at="2099-01-01")
    assert "kind" in exc.value.message_dict


def test_one_pending_request_at_a_time_and_decided_once(notice, users):
    filed = services.notice_request_file(actor=users["liaison-bank-icbc"], notice=notice, kind="objection",
                                         grounds="x")
    with pytest.raises(InvalidTransition):
        services.notice_request_file(actor=users["liaison-bank-icbc"], notice=notice, kind="objection",
                                     grounds="y")
    services.notice_request_decide(actor=users["clerk"], request=filed, grant=False)
    with pytest.raises(InvalidTransition):
        services.notice_request_decide(actor=users["clerk"], request=filed, grant=True)


def test_roles(notice, users):
    with pytest.raises(PermissionDenied):
        services.notice_request_file(actor=users["clerk"], notice=notice, kind="objection", grounds="x")
    with pytest.raises(PermissionDenied):
        services.notice_request_file(actor=users["liaison-bank-abc"], notice=notice, kind="objection",
                                     grounds="x")
    filed = services.notice_request_file(actor=users["liaison-bank-icbc"], notice=notice, kind="objection",
                                         grounds="x")
    with pytest.raises(PermissionDenied):
        services.notice_request_decide(actor=users["liaison-bank-icbc"], request=filed, grant=True)


def test_api_file_and_decide_and_other_unit_404(api, notice):
    url = f"/api/v1/notices/{notice.pk}/requests/"
    assert api("liaison-bank-abc").post(url, {"kind": "objection", "grounds": "x"}, format="json").status_code == 404
    response = api("liaison-bank-icbc").post(url, {"kind": "objection", "grounds": "账户不存在"}, format="json")
    assert response.status_code == 201 and response.json()["status"] == "pending"
    rid = response.json()["id"]
    again = api("liaison-bank-icbc").post(url, {"kind": "objection", "grounds": "x"}, format="json")
    assert again.status_code == 409
    detail = api("clerk").get(f"/api/v1/notices/{notice.pk}/").json()
    assert detail["paused_since"] and detail["requests"][0]["id"] == rid
    decide = f"/api/v1/notices/{notice.pk}/requests/{rid}/decide/"
    assert api("liaison-bank-icbc").post(decide, {"grant": True}, format="json").status_code == 403
    response = api("clerk").post(decide, {"grant": True, "note": "成立"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"


def test_pages_file_and_decide(browser_client, notice):
    liaison = browser_client("liaison-bank-icbc")
    page = liaison.get(f"/notices/{notice.pk}/").content.decode()
    assert f"/notices/{notice.pk}/requests/" in page
    liaison.post(f"/notices/{notice.pk}/requests/", {"kind": "extension", "grounds": "需更多时间",
                                                    "requested_due_at": "2099-06-30"})
    filed = NoticeRequest.objects.get(notice=notice)
    assert filed.kind == "extension" and filed.status == "pending"
    assert browser_client("liaison-bank-abc").post(
        f"/notices/{notice.pk}/requests/{filed.pk}/grant/").status_code == 404
    clerk = browser_client("clerk")
    assert f"/notices/{notice.pk}/requests/{filed.pk}/grant/" in clerk.get(f"/notices/{notice.pk}/").content.decode()
    clerk.post(f"/notices/{notice.pk}/requests/{filed.pk}/grant/", {"note": "同意"})
    notice.refresh_from_db()
    assert timezone.localtime(notice.due_at).date().isoformat() == "2099-06-30"
