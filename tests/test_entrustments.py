"""Entrusted tasks between courts (事项委托, 民事诉讼法 Art. 240): the round trip through the API, the clocks,
the release through the entrusted court when the entrusting case ends, and the refusals."""
from datetime import timedelta

import pytest

from cases import services
from cases.models import Case, Entrustment, Measure, Notice
from members.models import ActionType, Court, Unit
from tests.conftest import case_ruling

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(api, make_case, django_capture_on_commit_callbacks):
    case = make_case()
    with django_capture_on_commit_callbacks(execute=True):
        response = api("clerk").post("/api/v1/entrustments/", {
            "case": case.pk, "court": "鄂1024", "action": "freeze",
            "subject": "冻结被执行人在江陵农商行账户存款"}, format="json")
    assert response.status_code == 201, response.content
    return case, Entrustment.objects.get(pk=response.json()["id"])


def test_round_trip_a_to_b_and_back(api, users, sent, django_capture_on_commit_callbacks):
    case, entrustment = sent
    body = api("clerk").get(f"/api/v1/entrustments/{entrustment.pk}/").json()
    assert body["status"] == "sent" and body["court"] == "鄂1024" and body["from_court"] == "鄂1022"
    assert entrustment.number.endswith("之委1号") and entrustment.letter is not None
    assert entrustment.report_due_on - entrustment.start_due_on == timedelta(days=15)
    # B's clerk sees it and registers it as a 执协 case of B.
    listed = api("clerk-2").get("/api/v1/entrustments/").json()
    listed = listed["results"] if isinstance(listed, dict) else listed
    assert [e["id"] for e in listed] == [entrustment.pk]
    refused = api("clerk-2").post(f"/api/v1/entrustments/{entrustment.pk}/accept/",
                                  {"number": "（2026）鄂1022执协1号"}, format="json")
    assert refused.status_code == 400 and "鄂1024" in refused.content.decode()
    accepted = api("clerk-2").post(f"/api/v1/entrustments/{entrustment.pk}/accept/",
                                   {"number": "（2026）鄂1024执协1号"}, format="json")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "accepted" and accepted.json()["assist_case"] == "（2026）鄂1024执协1号"
    assist = Case.objects.get(number="（2026）鄂1024执协1号")
    assert assist.court.code == "鄂1024" and assist.parties.count() == case.parties.count()
    # B issues its own freeze to its own bank; the bank answers; A's case page shows the measure.
    with django_capture_on_commit_callbacks(execute=True):
        notice = services.notice_issue(actor=users["clerk-2"], case=assist, unit=Unit.objects.get(code="2-bank-icbc"),
                                       action=ActionType.objects.get(code="freeze"), subject="冻结存款",
                                       ruling=case_ruling(assist))
    services.notice_acknowledge(actor=users["liaison-2-bank-icbc"], notice=notice)
    answered = api("liaison-2-bank-icbc").post(f"/api/v1/notices/{notice.pk}/answer/", {
        "outcome": "done", "detail": "已冻结", "result_amount": "50000.00"}, format="json")
    assert answered.status_code == 200, answered.content
    assert Measure.objects.filter(case=assist, status="active").count() == 1
    page = api("clerk").get(f"/api/v1/cases/{case.pk}/")
    assert page.status_code == 200
    from django.test import Client

    browser = Client()
    browser.force_login(users["clerk"])
    html = browser.get(f"/cases/{case.pk}/").content.decode()
    assert entrustment.number in html and "2-bank-icbc" not in html and "江陵" in html and "50,000.00" in html
    # B reports; A concludes (执行完毕 releases): B is asked to release, B's clerk confirms, B's bank is told.
    assert api("clerk-2").post(f"/api/v1/entrustments/{entrustment.pk}/report/", {"detail": "已冻结50000元"},
                               format="json").json()["status"] == "done"
    with django_capture_on_commit_callbacks(execute=True):
        services.case_conclude(actor=users["clerk"], case=case, outcome="completed", note="已全部履行")
    entrustment.refresh_from_db()
    assert entrustment.release_requested_at is not None and entrustment.status == "done"
    assert not Notice.objects.filter(case=assist, kind="release").exists()  # A never writes to B's units
    with django_capture_on_commit_callbacks(execute=True):
        released = api("clerk-2").post(f"/api/v1/entrustments/{entrustment.pk}/release/", format="json")
    assert released.status_code == 200, released.content
    assert released.json()["status"] == "released"
    release = Notice.objects.get(case=assist, kind="release")
    assert release.unit.code == "2-bank-icbc"


def test_other_courts_and_units_get_404(api, sent):
    _case, entrustment = sent
    Court.objects.get_or_create(code="鄂1081", defaults={"name": "湖北省石首市人民法院"})
    for who in ("liaison-bank-icbc", "liaison-2-bank-icbc"):
        assert api(who).get(f"/api/v1/entrustments/{entrustment.pk}/").status_code == 404
        assert api(who).post(f"/api/v1/entrustments/{entrustment.pk}/accept/",
                             {"number": "（2026）鄂1024执协9号"}, format="json").status_code == 404
    # The entrusting clerk cannot accept on B's behalf; B cannot withdraw A's task.
    assert api("clerk").post(f"/api/v1/entrustments/{entrustment.pk}/accept/",
                             {"number": "（2026）鄂1024执协9号"}, format="json").status_code == 403
    assert api("clerk-2").post(f"/api/v1/entrustments/{entrustment.pk}/withdraw/", {"reason": "x"},
                               format="json").status_code == 403
    entrustment.refresh_from_db()
    assert entrustment.status == "sent" and entrustment.assist_case is None


def test_bad_input_changes_nothing(api, make_case):
    case = make_case()
    for body, field in [({"court": "鄂1022"}, "court"), ({"court": "鄂9999"}, "court"), ({"action": "fly"}, "action"),
                        ({"subject": ""}, "subject")]:
        payload = {"case": case.pk, "court": "鄂1024", "action": "investigate", "subject": "查询财产", **body}
        response = api("clerk").post("/api/v1/entrustments/", payload, format="json")
        assert response.status_code == 400 and field in response.json(), (body, response.content)
    assert not Entrustment.objects.exists()
    # Another court's case is absent for the clerk of B.
    assert api("clerk-2").post("/api/v1/entrustments/", {"case": case.pk, "court": "鄂1022", "action": "investigate",
                                                         "subject": "x"}, format="json").status_code == 404


def test_return_and_withdraw(api, sent):
    _case, entrustment = sent
    assert api("clerk-2").post(f"/api/v1/entrustments/{entrustment.pk}/return/", {"ground": "refuse"},
                               format="json").status_code == 400
    returned = api("clerk-2").post(f"/api/v1/entrustments/{entrustment.pk}/return/",
                                   {"ground": "not_here", "reason": "被执行人在本县无财产登记"}, format="json")
    assert returned.json()["status"] == "returned"
    again = api("clerk").post(f"/api/v1/entrustments/{entrustment.pk}/withdraw/", {"reason": "改为委托他院"},
                              format="json")
    assert again.status_code == 409


def test_pages_for_both_courts(browser_client, sent):
    _case, entrustment = sent
    for who in ("clerk", "clerk-2"):
        page = browser_client(who).get("/entrustments/")
        assert page.status_code == 200 and entrustment.number in page.content.decode()
        assert browser_client(who).get(f"/entrustments/{entrustment.pk}/").status_code == 200
    assert browser_client("liaison-2-bank-icbc").get(f"/entrustments/{entrustment.pk}/").status_code == 404
    page = browser_client("clerk-2").post(f"/entrustments/{entrustment.pk}/",
                                          {"step": "accept", "number": "（2026）鄂1024执协7号"})
    assert page.status_code == 302
    entrustment.refresh_from_db()
    assert entrustment.status == "accepted"


def test_the_letter_is_a_sealed_letter_both_courts_read(sent, browser_client):
    from documents.services import document_html, seal_document

    _case, entrustment = sent
    html = document_html(entrustment.letter, sealing=False)
    for words in ("委托执行函", entrustment.number, "湖北省江陵县人民法院：", "第二百四十条", "十五日内", "三十日内",
                  "湖北省公安县人民法院"):
        assert words in html, words
    assert seal_document(entrustment.letter.pk)
    entrustment.letter.refresh_from_db()
    assert entrustment.letter.is_stored
    url = f"/documents/{entrustment.letter.code}/file.pdf"
    for who in ("clerk", "clerk-2"):
        response = browser_client(who).get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    for who in ("liaison-2-bank-icbc", "liaison-bank-icbc"):
        assert browser_client(who).get(url).status_code == 404


def test_where_b_agreed_the_release_needs_no_confirmation(api, users, make_case, django_capture_on_commit_callbacks):
    """``auto_release``: A's conclusion sends B's release notices in the same transaction, as B's clerk."""
    case = make_case()
    with django_capture_on_commit_callbacks(execute=True):
        created = api("clerk").post("/api/v1/entrustments/", {
            "case": case.pk, "court": "鄂1024", "action": "freeze", "subject": "冻结存款", "auto_release": True},
            format="json")
    entrustment = Entrustment.objects.get(pk=created.json()["id"])
    assert entrustment.auto_release
    api("clerk-2").post(f"/api/v1/entrustments/{entrustment.pk}/accept/", {"number": "（2026）鄂1024执协2号"},
                        format="json")
    assist = Case.objects.get(number="（2026）鄂1024执协2号")
    with django_capture_on_commit_callbacks(execute=True):
        notice = services.notice_issue(actor=users["clerk-2"], case=assist, unit=Unit.objects.get(code="2-bank-icbc"),
                                       action=ActionType.objects.get(code="freeze"), subject="冻结存款",
                                       ruling=case_ruling(assist))
    services.notice_acknowledge(actor=users["liaison-2-bank-icbc"], notice=notice)
    services.notice_answer(actor=users["liaison-2-bank-icbc"], notice=notice, outcome="done", detail="已冻结",
                           result_amount="1000.00")
    with django_capture_on_commit_callbacks(execute=True):
        services.case_conclude(actor=users["clerk"], case=case, outcome="completed", note="已全部履行")
    entrustment.refresh_from_db()
    assert entrustment.status == "released"  # accepted → withdrawn by the conclusion → released at once
    release = Notice.objects.get(case=assist, kind="release")
    assert release.unit.code == "2-bank-icbc" and release.issued_by.court.code == "鄂1024"


def test_a_final_no_property_conclusion_keeps_what_b_holds(users, sent):
    """终本 keeps the measures (Art. 35 releases on 执行完毕 and termination only): B is not asked."""
    from cases.entrustments import on_case_concluded

    case, entrustment = sent
    on_case_concluded(case, measures="keep", actor=users["clerk"])
    entrustment.refresh_from_db()
    assert entrustment.status == "sent" and entrustment.release_requested_at is None


def test_an_identifier_typed_into_the_task_is_masked(api, make_case, browser_client):
    from tests.conftest import make_resident_id

    case = make_case()
    full = make_resident_id(77)
    created = api("clerk").post("/api/v1/entrustments/", {
        "case": case.pk, "court": "鄂1024", "action": "investigate", "subject": f"调查身份证号{full}名下财产"},
        format="json")
    assert created.status_code == 201 and full not in created.content.decode()
    pk = created.json()["id"]
    for who in ("clerk", "clerk-2"):
        assert full not in api(who).get(f"/api/v1/entrustments/{pk}/").content.decode()
        assert full not in browser_client(who).get(f"/entrustments/{pk}/").content.decode()
