"""Legal exactness of the enforcement loop (issue 11): conclusion by outcome (DOMAIN.md section 5, Art. 35),
resumption of a 终本 case (执恢), rulings, the amount in an answer, answers returned for correction."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from cases import services
from cases.models import Attachment, Case, Delivery, Measure, Notice, NoticeEvent
from tests.conftest import case_ruling, final_ready, pdf_bytes

API = "/api/v1/"


def _ack_answer(users, notice, outcome="done", amount="8000.00", **kwargs):
    liaison = users[f"liaison-{notice.unit.code}"]
    services.notice_acknowledge(actor=liaison, notice=notice)
    return services.notice_answer(actor=liaison, notice=notice, outcome=outcome, result_amount=amount,
                                  detail="" if outcome == "done" else "部分", **kwargs)


@pytest.fixture
def held(users, make_case, issue):
    """A case with a freeze answered (a measure), an open seizure request, an open query, an answered query."""
    case = make_case()
    freeze = issue(case, "bank-icbc", "freeze", subject="冻结账户6222")
    _ack_answer(users, freeze)
    seize = issue(case, "natres", "seize", subject="查封不动产")
    query = issue(case, "police", "query", subject="查询车辆")
    answered_query = issue(case, "bank-abc", "query", subject="查询存款")
    _ack_answer(users, answered_query, amount=None)
    return case, {"freeze": freeze, "seize": seize, "query": query, "answered_query": answered_query}


# ---------------------------------------------------------------- 终本 keeps, 执行完毕 releases

def test_final_no_property_over_the_api_releases_nothing_and_keeps_every_measure(api, held,
                                                                                 django_capture_on_commit_callbacks):
    case, n = held
    measure = Measure.objects.get(notice=n["freeze"])
    last_delivery = Delivery.objects.order_by("-pk").values_list("pk", flat=True).first()
    with django_capture_on_commit_callbacks(execute=True):
        response = api("clerk").post(f"{API}cases/{case.pk}/conclude/",
                                     {"outcome": "final_no_property", **final_ready(case)}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["release_notices"] == []
    assert body["cancelled_notices"] == [n["query"].pk]
    assert body["kept_measures"] == [measure.pk]
    assert not Notice.objects.filter(case=case, kind="release").exists()
    measure.refresh_from_db()
    assert measure.status == "active" and measure.release_notice_id is None
    assert Notice.objects.get(pk=n["seize"].pk).status == "delivered"  # the open measure request stays
    assert Notice.objects.get(pk=n["query"].pk).status == "cancelled"
    assert Notice.objects.get(pk=n["answered_query"].pk).status == "closed"
    sent = Delivery.objects.filter(pk__gt=last_delivery)
    assert {(d.notice_id, d.purpose) for d in sent} == {(n["query"].pk, "cancel")}


@pytest.mark.parametrize("outcome", ["completed", "terminated"])
def test_completed_and_terminated_release_with_their_ground_and_ruling(api, held, outcome):
    case, n = held
    upload = SimpleUploadedFile("解除裁定.pdf", pdf_bytes("release"), "application/pdf")
    response = api("clerk").post(f"{API}cases/{case.pk}/conclude/", {"outcome": outcome, "ruling": upload,
                                                                     "note": "已履行"}, format="multipart")
    assert response.status_code == 200, response.content
    body = response.json()
    releases = Notice.objects.filter(case=case, kind="release").order_by("id")
    assert sorted(body["release_notices"]) == sorted(r.pk for r in releases)
    assert {r.original_id for r in releases} == {n["freeze"].pk, n["seize"].pk}
    # The ruling the ending is made by, the releases citing it: a release ruling for a debt performed, the
    # termination ruling (which releases, 查封扣押冻结规定 Art. 28) for a termination.
    title = {"completed": "解除查封、扣押、冻结裁定书", "terminated": "终结执行裁定书"}[outcome]
    ruling = Attachment.objects.get(case=case, title=title)
    assert ruling.ruling_seq == 2  # after the enforcement ruling
    for release in releases:
        assert release.release_ground == outcome
        assert release.ruling_id == ruling.pk
        assert release.action_label in ("解除冻结", "解除查封/扣押")
    assert body["kept_measures"] == []
    assert sorted(body["cancelled_notices"]) == sorted([n["seize"].pk, n["query"].pk])


def test_a_bad_release_ruling_refuses_the_conclusion_and_changes_nothing(api, held):
    case, _n = held
    counts = (Notice.objects.count(), Attachment.objects.count(), NoticeEvent.objects.count())
    upload = SimpleUploadedFile("解除.exe", b"MZ not a pdf", "application/octet-stream")
    response = api("clerk").post(f"{API}cases/{case.pk}/conclude/", {"outcome": "completed", "ruling": upload},
                                 format="multipart")
    assert response.status_code == 400 and "file" in response.json() or "ruling" in response.json()
    assert (Notice.objects.count(), Attachment.objects.count(), NoticeEvent.objects.count()) == counts
    assert Case.objects.get(pk=case.pk).status == "open"


def test_conclusion_page_previews_keep_for_final_and_release_otherwise(browser_client, held):
    case, n = held
    with translation.override("zh-hans"):
        page = browser_client("clerk").get(f"/cases/{case.pk}/conclude/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    html = page.content.decode()
    rows = {notice_key: html.split(notice.number, 1)[1].split("</tr>", 1)[0] for notice_key, notice in n.items()}
    assert "解除冻结" in rows["freeze"] and "保留" in rows["freeze"]
    assert "保留" in rows["seize"]
    assert "保留" not in rows["query"] and "撤回" in rows["query"]
    assert "保留" not in rows["answered_query"]


def test_conclusion_page_is_404_for_another_unit_and_403_for_a_liaison_of_the_case(browser_client, held):
    case, _n = held
    assert browser_client("liaison-tax").get(f"/cases/{case.pk}/conclude/").status_code == 404
    assert browser_client("liaison-bank-icbc").get(f"/cases/{case.pk}/conclude/").status_code == 403
    assert browser_client("liaison-tax").post(f"/cases/{case.pk}/conclude/", {"outcome": "completed", "note": "已全部履行"}).status_code == 404
    assert Case.objects.get(pk=case.pk).status == "open"


def test_a_final_case_still_renews_its_measures(users, held):
    case, n = held
    services.case_conclude(actor=users["clerk"], case=case, outcome="final_no_property", **final_ready(case))
    from cases import measures

    measure = Measure.objects.get(notice=n["freeze"])
    renewal = measures.measure_renew(actor=users["clerk"], measure=measure)
    assert renewal.kind == "renewal" and renewal.unit.code == "bank-icbc"


# ---------------------------------------------------------------- 执恢

def test_resume_moves_the_active_measures_and_both_case_pages_show_them(api, users, held, browser_client):
    case, n = held
    services.case_conclude(actor=users["clerk"], case=case, outcome="final_no_property", **final_ready(case))
    response = api("clerk").post(f"{API}cases/{case.pk}/resume/", {"number": "(2026)鄂1022执恢88号"},
                                 format="json")
    assert response.status_code == 201, response.content
    new = Case.objects.get(pk=response.json()["id"])
    assert new.number == "（2026）鄂1022执恢88号" and new.case_type == "执恢" and new.resumed_from_id == case.pk
    assert response.json()["resumed_from"] == case.pk and response.json()["resumptions"] == []
    # The old case lists its resumption (API and page alike).
    old = api("clerk").get(f"{API}cases/{case.pk}/").json()
    assert old["resumptions"] == [new.pk] and old["parties"] and old["categories"] == []
    assert new.pk in {c["id"] for c in api("clerk").get(f"{API}cases/").json()["results"]}
    assert sorted(p.name for p in new.parties.all()) == sorted(p.name for p in case.parties.all())
    measure = Measure.objects.get(notice=n["freeze"])
    assert measure.case_id == new.pk and measure.status == "active"
    for pk in (case.pk, new.pk):
        page = browser_client("clerk").get(f"/cases/{pk}/").content.decode()
        assert "冻结账户6222" in page or measure.asset in page
    old_page = browser_client("clerk").get(f"/cases/{case.pk}/").content.decode()
    assert f'<dt>已恢复为</dt><dd><a href="/cases/{new.pk}/">{new.number}</a>' in old_page
    assert f"/cases/{case.pk}/resume/" not in old_page  # resumed once: the button is gone
    # Concluding the resumed case as performed releases the moved measure from the new case.
    result = services.case_conclude(actor=users["clerk"], case=new, outcome="completed", note="已全部履行")
    release = Notice.objects.get(kind="release", original=n["freeze"])
    assert release.case_id == new.pk and release in result.release_notices
    measure.refresh_from_db()
    assert measure.release_notice_id == release.pk


@pytest.mark.parametrize("number, field", [("(2026)鄂1022执89号", "number"), ("乱码", "number")])
def test_resume_needs_an_enforcement_resumption_number(api, users, held, number, field):
    case, _n = held
    services.case_conclude(actor=users["clerk"], case=case, outcome="final_no_property", **final_ready(case))
    count = Case.objects.count()
    response = api("clerk").post(f"{API}cases/{case.pk}/resume/", {"number": number}, format="json")
    assert response.status_code == 400 and field in response.json()
    assert Case.objects.count() == count


def test_only_a_final_case_can_be_resumed_and_only_once(api, users, held):
    case, _n = held
    client = api("clerk")
    assert client.post(f"{API}cases/{case.pk}/resume/", {"number": "(2026)鄂1022执恢90号"},
                       format="json").status_code == 409
    services.case_conclude(actor=users["clerk"], case=case, outcome="final_no_property", **final_ready(case))
    assert client.post(f"{API}cases/{case.pk}/resume/", {"number": "(2026)鄂1022执恢90号"},
                       format="json").status_code == 201
    assert client.post(f"{API}cases/{case.pk}/resume/", {"number": "(2026)鄂1022执恢91号"},
                       format="json").status_code == 409
    assert api("liaison-bank-icbc").post(f"{API}cases/{case.pk}/resume/", {"number": "(2026)鄂1022执恢92号"},
                                         format="json").status_code == 403
    assert api("liaison-tax").post(f"{API}cases/{case.pk}/resume/", {"number": "(2026)鄂1022执恢93号"},
                                   format="json").status_code == 404


# ---------------------------------------------------------------- rulings

def test_rulings_are_added_numbered_and_listed(api, make_case):
    case = make_case()
    client = api("clerk")
    first = client.post(f"{API}cases/{case.pk}/rulings/", {"file": SimpleUploadedFile("a.pdf", pdf_bytes()),
                                                           "title": "执行裁定书"}, format="multipart")
    assert first.status_code == 201, first.content
    assert first.json()["title"] == "执行裁定书"
    assert first.json()["number"] == f"{case.number}之一"
    second = client.post(f"{API}cases/{case.pk}/rulings/", {"file": SimpleUploadedFile("b.pdf", pdf_bytes())},
                         format="multipart")
    assert second.json()["number"] == f"{case.number}之二"
    listed = client.get(f"{API}cases/{case.pk}/rulings/").json()
    assert [r["id"] for r in listed] == [first.json()["id"], second.json()["id"]]


@pytest.mark.parametrize("upload", [
    SimpleUploadedFile("ruling.pdf", b"not a pdf at all", "application/pdf"),
    SimpleUploadedFile("ruling.exe", b"MZ\x90\x00", "application/octet-stream"),
])
def test_a_non_pdf_ruling_is_400_and_nothing_is_stored(api, make_case, upload):
    case = make_case()
    count = Attachment.objects.count()
    response = api("clerk").post(f"{API}cases/{case.pk}/rulings/", {"file": upload}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()
    assert Attachment.objects.count() == count


def test_an_oversized_ruling_is_400(api, make_case, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    case = make_case()
    big = SimpleUploadedFile("big.pdf", pdf_bytes() + b"%" * 2048, "application/pdf")
    response = api("clerk").post(f"{API}cases/{case.pk}/rulings/", {"file": big}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()
    assert not Attachment.objects.filter(case=case).exists()


def test_rulings_are_the_courts_other_units_get_403_or_404(api, make_case, issue):
    case = make_case()
    issue(case, "police", "query", subject="查询")
    upload = SimpleUploadedFile("a.pdf", pdf_bytes())
    assert api("liaison-police").post(f"{API}cases/{case.pk}/rulings/", {"file": upload},
                                      format="multipart").status_code == 403
    assert api("liaison-police").get(f"{API}cases/{case.pk}/rulings/").status_code == 404
    assert api("liaison-tax").get(f"{API}cases/{case.pk}/rulings/").status_code == 404


@pytest.mark.parametrize("action, unit", [("freeze", "bank-icbc"), ("seize", "natres"), ("deduct", "tax"),
                                          ("transfer", "natres")])
def test_a_measure_notice_without_a_ruling_is_400_and_nothing_is_issued(api, make_case, action, unit):
    case = make_case()
    count = Notice.objects.count()
    response = api("clerk").post(f"{API}notices/", {"case": case.pk, "unit": unit, "action": action,
                                                    "subject": "冻结存款"}, format="json")
    assert response.status_code == 400 and "ruling" in response.json()
    assert Notice.objects.count() == count


def test_a_notice_references_a_ruling_of_its_case_by_id(api, make_case):
    case, other = make_case(), make_case()
    ruling, foreign = case_ruling(case), case_ruling(other)
    client = api("clerk")
    body = {"case": case.pk, "unit": "bank-icbc", "action": "freeze", "subject": "冻结存款"}
    assert client.post(f"{API}notices/", {**body, "ruling": foreign.pk}, format="json").status_code == 400
    assert client.post(f"{API}notices/", {**body, "ruling": 2**70}, format="json").status_code == 400
    created = client.post(f"{API}notices/", {**body, "ruling": ruling.pk}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["ruling"] == ruling.pk
    debtor = case.parties.get(role="debtor")
    assert created.json()["party"] == debtor.pk  # the case's only debtor, by default


def test_a_notice_names_the_debtor_it_concerns(api, make_case):
    case = make_case(debtors=2)
    first, second = case.parties.filter(role="debtor").order_by("id")
    client = api("clerk")
    body = {"case": case.pk, "unit": "police", "action": "query", "subject": "查询车辆"}
    assert client.post(f"{API}notices/", body, format="json").json()["party"] is None  # two debtors: both
    assert client.post(f"{API}notices/", {**body, "party": second.pk}, format="json").json()["party"] == second.pk
    stranger = make_case().parties.get(role="debtor")
    response = client.post(f"{API}notices/", {**body, "party": stranger.pk}, format="json")
    assert response.status_code == 400 and "party" in response.json()
    applicant = case.parties.get(role="applicant")
    assert client.post(f"{API}notices/", {**body, "party": applicant.pk}, format="json").status_code == 400
    assert first.pk != second.pk


# ---------------------------------------------------------------- answers: the amount, and 退回补正

@pytest.mark.parametrize("action, unit, outcome", [("freeze", "bank-icbc", "done"), ("freeze", "bank-icbc", "partial"),
                                                   ("deduct", "tax", "done")])
def test_an_executed_freeze_or_deduction_must_say_the_amount(api, users, make_case, issue, action, unit, outcome):
    case = make_case()
    notice = issue(case, unit, action, subject="账户6222")
    services.notice_acknowledge(actor=users[f"liaison-{unit}"], notice=notice)
    client = api(f"liaison-{unit}")
    response = client.post(f"{API}notices/{notice.pk}/answer/", {"outcome": outcome, "detail": "已办理"},
                           format="json")
    assert response.status_code == 400 and "result_amount" in response.json()
    notice.refresh_from_db()
    assert notice.status == "acknowledged" and notice.outcome == ""
    assert not Measure.objects.filter(notice=notice).exists()
    ok = client.post(f"{API}notices/{notice.pk}/answer/", {"outcome": outcome, "detail": "已办理",
                                                           "result_amount": "1234.50"}, format="json")
    assert ok.status_code == 200, ok.content
    assert ok.json()["result_amount"] == "1234.50"


def test_an_unable_freeze_needs_no_amount(api, users, make_case, issue):
    case = make_case()
    notice = issue(case, "bank-icbc", "freeze")
    services.notice_acknowledge(actor=users["liaison-bank-icbc"], notice=notice)
    response = api("liaison-bank-icbc").post(f"{API}notices/{notice.pk}/answer/",
                                             {"outcome": "unable", "detail": "无账户"}, format="json")
    assert response.status_code == 200, response.content


def test_the_answer_form_refuses_a_freeze_without_amount(browser_client, users, make_case, issue):
    case = make_case()
    notice = issue(case, "bank-icbc", "freeze")
    services.notice_acknowledge(actor=users["liaison-bank-icbc"], notice=notice)
    page = browser_client("liaison-bank-icbc")
    response = page.post(f"/notices/{notice.pk}/answer/", {"outcome": "done", "detail": ""}, follow=True)
    assert response.status_code == 200
    notice.refresh_from_db()
    assert notice.status == "acknowledged"
    page.post(f"/notices/{notice.pk}/answer/", {"outcome": "done", "result_amount": "300.00",
                                                "asset": "6222020200001234567"})
    notice.refresh_from_db()
    assert notice.status == "answered"
    assert Measure.objects.get(notice=notice).asset == "6222020200001234567"


def test_the_clerk_returns_an_answer_for_correction(api, users, make_case, issue, django_capture_on_commit_callbacks):
    case = make_case()
    notice = issue(case, "bank-icbc", "freeze")
    _ack_answer(users, notice, amount="100.00")
    due = Notice.objects.get(pk=notice.pk).due_at
    assert Measure.objects.filter(notice=notice).exists()
    assert api("liaison-bank-icbc").post(f"{API}notices/{notice.pk}/return/", {"reason": "x"},
                                         format="json").status_code == 403
    assert api("liaison-tax").post(f"{API}notices/{notice.pk}/return/", {"reason": "x"},
                                   format="json").status_code == 404
    assert api("clerk").post(f"{API}notices/{notice.pk}/return/", {"reason": " "},
                             format="json").status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = api("clerk").post(f"{API}notices/{notice.pk}/return/", {"reason": "未写明冻结账户"},
                                     format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "acknowledged" and body["outcome"] == ""
    event = NoticeEvent.objects.filter(notice=notice, transition="return").get()
    assert (event.from_status, event.to_status, event.note, event.actor) == (
        "answered", "acknowledged", "未写明冻结账户", users["clerk"])
    assert Delivery.objects.filter(notice=notice, purpose__startswith="return", channel="inbox").exists()
    assert not Measure.objects.filter(notice=notice).exists()
    notice.refresh_from_db()
    assert notice.due_at == due  # the answer clock goes on running
    # Returned twice is refused (not answered any more); answered again, it can be returned again.
    assert api("clerk").post(f"{API}notices/{notice.pk}/return/", {"reason": "再"}, format="json").status_code == 409
    again = api("liaison-bank-icbc").post(f"{API}notices/{notice.pk}/answer/", {
        "outcome": "done", "result_amount": "100.00", "asset": "6222账户"}, format="json")
    assert again.status_code == 200, again.content
    assert Measure.objects.get(notice=notice).asset == "6222账户"


def test_an_answer_with_a_release_under_way_cannot_be_returned(api, users, make_case, issue):
    case = make_case()
    notice = issue(case, "bank-icbc", "freeze")
    _ack_answer(users, notice)
    services.case_conclude(actor=users["clerk"], case=case, outcome="completed", note="已全部履行")
    notice.refresh_from_db()
    assert notice.status == "closed"
    assert api("clerk").post(f"{API}notices/{notice.pk}/return/", {"reason": "补正"},
                             format="json").status_code == 409
