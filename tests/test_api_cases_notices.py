"""What users do through the REST API under /api/v1/ for units, cases and assistance notices (API.md).

Every write that is refused is checked twice: the HTTP answer, and that nothing was written (row counts
before and after). Delivery of new notices runs on commit; the Django test client never commits, so the
calls that issue notices run inside ``django_capture_on_commit_callbacks(execute=True)``, as the conftest
``issue`` fixture does.
"""
import hashlib
import itertools
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases import services
from cases.deadlines import end_of_day
from cases.models import Attachment, Case, CaseCategory, Delivery, Notice, NoticeEvent, Party
from linkage.identity import resident_id_check_char
from members.models import ActionType, Unit

from .conftest import PASSWORD, case_ruling, make_resident_id, make_uscc, pdf_bytes

API = "/api/v1/"
MASKED_ID = re.compile(r"^[0-9A-Z]{4}\*{10}[0-9A-Z]{4}$")

# DOMAIN.md section 3: unit code → the action codes its row lists (no code listed → no action).
EXPECTED_ACTIONS = {
    "plc": set(),
    "discipline": set(),
    "organization": set(),
    "publicity": {"publicize"},
    "court": set(),
    "procuratorate": {"refer_crime"},
    "police": {"query", "seize", "locate", "restrict", "dispatch", "refer_crime"},
    "ndrc": {"publicize"},
    "gov_office": {"coordinate"},
    "finance": {"query", "restrict", "coordinate"},
    "civilization": {"restrict"},
    "justice": {"query", "restrict", "mediate"},
    "natres": {"query", "seize", "transfer", "restrict"},
    "civil": {"query", "restrict", "relief"},
    "agri": {"query", "restrict"},
    "pboc": {"query"},
    "tax": {"query", "deduct"},
    "market": {"query", "freeze", "transfer", "publicize", "restrict"},
    "hrss": {"query", "freeze", "deduct", "restrict"},
    "fund": {"query", "freeze", "deduct", "restrict"},
    "regulator": {"restrict"},
    "armed_forces": set(),
}
BANK_ACTIONS = {"query", "freeze", "deduct", "restrict"}
INSURANCE_ACTIONS = {"query", "freeze", "deduct", "restrict", "relief"}

# Case serials for cases created through the API; far above the conftest ``make_case`` serials.
_api_serial = itertools.count(700001)


# ------------------------------------------------------------------------------------------ helpers

def snapshot() -> dict:
    """Row counts of everything a case or notice write may touch."""
    return {model.__name__: model.objects.count()
            for model in (Case, Party, CaseCategory, Notice, NoticeEvent, Attachment, Delivery)}


def case_body(**overrides) -> dict:
    n = next(_api_serial)
    body = {
        "number": f"(2026)鄂1022执{n}号",
        "title": f"接口测试案件{n}",
        "amount": "125000.00",
        "parties": [
            {"role": "applicant", "name": "张三", "id_number": make_resident_id(n % 1000)},
            {"role": "debtor", "name": "李四", "id_number": make_resident_id((n + 1) % 1000)},
        ],
    }
    body.update(overrides)
    return body


def results(response) -> list[dict]:
    body = response.json()
    assert "results" in body and "next" in body, body
    return body["results"]


def ids(response) -> list[int]:
    return [row["id"] for row in results(response)]


def assert_field_errors(response, *fields):
    """400 with a non-empty list of messages under exactly ``fields``."""
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == set(fields), body
    for field in fields:
        assert isinstance(body[field], list) and body[field], body
        assert _messages(body[field]), body


def _messages(errors) -> list[str]:
    """Every message in a DRF error structure (lists of strings, or per-item dicts for nested lists)."""
    if isinstance(errors, str):
        return [errors] if errors.strip() else []
    if isinstance(errors, dict):
        return [m for value in errors.values() for m in _messages(value)]
    return [m for item in errors for m in _messages(item)]


def assert_detail(response, status_code):
    assert response.status_code == status_code, response.content
    assert response["Content-Type"].startswith("application/json")
    detail = response.json()["detail"]
    assert isinstance(detail, str) and detail.strip()
    return detail


def notice_url(notice, action=None) -> str:
    pk = notice if isinstance(notice, int) else notice.pk
    return f"{API}notices/{pk}/" + (f"{action}/" if action else "")


def events_of(notice) -> list[NoticeEvent]:
    return list(NoticeEvent.objects.filter(notice_id=notice.pk).order_by("at", "id"))


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """``with commit(): ...`` runs the on-commit callbacks (delivery) registered inside, as a commit would."""

    def _commit():
        return django_capture_on_commit_callbacks(execute=True)

    return _commit


@pytest.fixture
def police_notice(make_case, issue):
    """A delivered police query notice on a fresh case."""
    return issue(make_case(), "police", "query", subject="查询被执行人名下车辆")


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries), response


# ------------------------------------------------------------------------------------------ auth

def test_token_for_good_password_authenticates_api_calls(db):
    client = APIClient()
    response = client.post(f"{API}auth/token/", {"username": "clerk", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert token == Token.objects.get(user__username="clerk").key

    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(f"{API}units/").status_code == 200


def test_token_refused_for_wrong_password(db):
    before = Token.objects.count()
    response = APIClient().post(f"{API}auth/token/", {"username": "clerk", "password": "wrong-" + PASSWORD},
                                format="json")
    assert response.status_code == 400
    assert "token" not in response.json()
    assert response.json()  # says why
    assert Token.objects.count() == before
    assert not Token.objects.filter(user__username="clerk").exists()


def test_token_refused_for_unknown_user(db):
    response = APIClient().post(f"{API}auth/token/", {"username": "nobody", "password": PASSWORD}, format="json")
    assert response.status_code == 400
    assert "token" not in response.json()


# ------------------------------------------------------------------------------------------ units

def test_units_list_every_member_unit_with_its_actions(api):
    response = api("liaison-tax").get(f"{API}units/")
    assert response.status_code == 200
    rows = response.json()
    assert isinstance(rows, list)
    by_code = {row["code"]: row for row in rows}
    for row in rows:
        assert {"id", "code", "name", "kind", "actions"} <= set(row)
        assert isinstance(row["id"], int) and row["name"]

    for code, actions in EXPECTED_ACTIONS.items():
        assert code in by_code, f"unit {code} missing"
        assert set(by_code[code]["actions"]) == actions, code
        assert len(by_code[code]["actions"]) == len(actions), code  # no duplicates

    banks = [code for code in by_code if code.startswith("bank-")]
    assert len(banks) >= 2
    for code in banks:
        assert set(by_code[code]["actions"]) == BANK_ACTIONS, code
    insurers = [code for code in by_code if code.startswith("insurance-")]
    assert len(insurers) >= 1
    for code in insurers:
        assert set(by_code[code]["actions"]) == INSURANCE_ACTIONS, code


def test_unit_detail_by_code(api):
    response = api("clerk").get(f"{API}units/police/")
    assert response.status_code == 200
    assert response.json()["code"] == "police"
    assert set(response.json()["actions"]) == EXPECTED_ACTIONS["police"]


# ------------------------------------------------------------------------------------------ anonymous

def test_anonymous_calls_get_401_or_403_json_never_a_redirect(api, police_notice):
    case_id = police_notice.case_id
    calls = [
        ("get", API),
        ("get", f"{API}units/"),
        ("get", f"{API}units/police/"),
        ("get", f"{API}cases/"),
        ("post", f"{API}cases/"),
        ("get", f"{API}cases/{case_id}/"),
        ("post", f"{API}cases/{case_id}/conclude/"),
        ("get", f"{API}notices/"),
        ("post", f"{API}notices/"),
        ("get", notice_url(police_notice)),
        ("post", notice_url(police_notice, "acknowledge")),
        ("post", notice_url(police_notice, "answer")),
        ("post", notice_url(police_notice, "close")),
        ("post", notice_url(police_notice, "cancel")),
    ]
    bodies = {
        f"{API}cases/": case_body(),
        f"{API}cases/{case_id}/conclude/": {"outcome": "completed", "note": "已全部履行"},
        f"{API}notices/": {"case": case_id, "unit": "police", "action": "query", "subject": "x"},
        notice_url(police_notice, "answer"): {"outcome": "done"},
    }
    before = snapshot()
    anonymous = api()
    for method, url in calls:
        kwargs = {"format": "json", "data": bodies.get(url, {})} if method == "post" else {}
        response = getattr(anonymous, method)(url, **kwargs)
        assert response.status_code in (401, 403), (method, url, response.status_code)
        assert "Location" not in response, (method, url)
        assert response["Content-Type"].startswith("application/json"), (method, url)
        assert response.json().get("detail"), (method, url)
    assert snapshot() == before
    police_notice.refresh_from_db()
    assert police_notice.status == "delivered"
    assert Case.objects.get(pk=case_id).status == "open"


def test_anonymous_gets_401_with_token_challenge(api):
    response = api().get(f"{API}notices/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")


def test_bad_token_is_refused_with_json(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0000000000000000000000000000000000000000")
    response = client.get(f"{API}cases/")
    assert_detail(response, 401)


# ------------------------------------------------------------------------------------------ POST cases/

def test_clerk_registers_a_case(api, users):
    body = case_body(categories=["migrant_wages"], listed_supervision=True, responsible_leader="王院长")
    before = snapshot()
    response = api("clerk").post(f"{API}cases/", body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "open"
    assert data["number"] == body["number"].replace("(", "（").replace(")", "）")  # stored with （）
    assert data["title"] == body["title"]
    assert data["amount"] == "125000.00"
    assert data["categories"] == ["migrant_wages"]
    assert data["listed_supervision"] is True
    assert {p["role"] for p in data["parties"]} == {"applicant", "debtor"}
    for party in data["parties"]:
        assert MASKED_ID.match(party["id_number"]), party
    for party in body["parties"]:
        assert party["id_number"] not in response.content.decode()

    case = Case.objects.get(pk=data["id"])
    assert case.created_by == users["clerk"]
    assert case.amount == Decimal("125000.00")
    assert sorted(case.parties.values_list("id_number", flat=True)) == sorted(
        p["id_number"] for p in body["parties"])
    after = snapshot()
    assert after["Case"] == before["Case"] + 1
    assert after["Party"] == before["Party"] + 2


def test_case_number_with_fullwidth_brackets_is_normalised(api):
    n = next(_api_serial)
    response = api("clerk").post(f"{API}cases/", case_body(number=f"（2026）鄂1022执恢{n}号"), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["number"] == f"（2026）鄂1022执恢{n}号"


def test_organisation_debtor_with_valid_credit_code_is_accepted(api):
    body = case_body()
    body["parties"][1] = {"role": "debtor", "kind": "organization", "name": "某某建设有限公司",
                          "id_number": make_uscc(next(_api_serial)), "legal_representative": "王五"}
    response = api("clerk").post(f"{API}cases/", body, format="json")
    assert response.status_code == 201, response.content
    debtor = next(p for p in response.json()["parties"] if p["role"] == "debtor")
    assert debtor["kind"] == "organization"
    # An organisation's credit code is public information (失信规定 Art. 6): shown in full.
    assert debtor["id_number"] == body["parties"][1]["id_number"]
    assert Party.objects.get(pk=debtor["id"]).id_number == body["parties"][1]["id_number"]


def _bad_check_char(value: str) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    return value[:17] + next(c for c in alphabet if c != value[17])


@pytest.mark.parametrize("change, field", [
    ("number_format", "number"),
    ("number_type", "number"),
    ("number_missing_hao", "number"),
    ("resident_check_char", "parties"),
    ("resident_short", "parties"),
    ("resident_birth_date", "parties"),
    ("organisation_credit_code", "parties"),
    ("organisation_given_resident_id", "parties"),
    ("no_debtor", "parties"),
    ("no_parties", "parties"),
    ("applicant_only_bad_role", "parties"),
])
def test_bad_case_refused_with_field_errors_and_nothing_written(api, change, field):
    body = case_body()
    debtor = body["parties"][1]
    if change == "number_format":
        body["number"] = "2026鄂1022执1号"
    elif change == "number_type":
        body["number"] = "(2026)鄂1022民1号"
    elif change == "number_missing_hao":
        body["number"] = "(2026)鄂1022执1"
    elif change == "resident_check_char":
        debtor["id_number"] = _bad_check_char(debtor["id_number"])
    elif change == "resident_short":
        debtor["id_number"] = debtor["id_number"][:17]
    elif change == "resident_birth_date":
        first17 = "42102219901301001"  # month 13
        debtor["id_number"] = first17 + resident_id_check_char(first17)
    elif change == "organisation_credit_code":
        debtor.update(kind="organization", name="某某公司", id_number=_bad_check_char(make_uscc(77)))
    elif change == "organisation_given_resident_id":
        debtor.update(kind="organization", name="某某公司", id_number=make_resident_id(5))
    elif change == "no_debtor":
        body["parties"] = [body["parties"][0]]
    elif change == "no_parties":
        body["parties"] = []
    elif change == "applicant_only_bad_role":
        debtor["role"] = "witness"
    before = snapshot()
    response = api("clerk").post(f"{API}cases/", body, format="json")
    assert_field_errors(response, field)
    assert snapshot() == before
    assert not Case.objects.filter(title=body["title"]).exists()


def test_bad_number_and_bad_id_reported_together(api):
    body = case_body(number="(2026)鄂1022执号")
    body["parties"][1]["id_number"] = _bad_check_char(body["parties"][1]["id_number"])
    before = snapshot()
    response = api("clerk").post(f"{API}cases/", body, format="json")
    assert_field_errors(response, "number", "parties")
    assert snapshot() == before


def test_duplicate_case_number_refused_and_nothing_written(api):
    body = case_body()
    clerk = api("clerk")
    assert clerk.post(f"{API}cases/", body, format="json").status_code == 201
    stored = body["number"].replace("(", "（").replace(")", "）")
    again = case_body(number=stored)
    before = snapshot()
    response = clerk.post(f"{API}cases/", again, format="json")
    assert_field_errors(response, "number")
    assert stored in response.json()["number"][0]
    assert snapshot() == before
    assert Case.objects.filter(number=stored).count() == 1


@pytest.mark.parametrize("username", ["office", "convener", "liaison-police", "leader-police", "assessor"])
def test_only_the_clerk_registers_cases(api, username):
    before = snapshot()
    response = api(username).post(f"{API}cases/", case_body(), format="json")
    assert_detail(response, 403)
    assert snapshot() == before


# ------------------------------------------------------------------------------------------ GET cases/

@pytest.mark.parametrize("username", ["clerk", "office", "convener"])
def test_court_roles_see_every_case(api, make_case, issue, username):
    with_notice = make_case()
    issue(with_notice, "police", "query")
    without_notice = make_case()
    client = api(username)
    listed = ids(client.get(f"{API}cases/"))
    assert with_notice.pk in listed and without_notice.pk in listed
    for case in (with_notice, without_notice):
        response = client.get(f"{API}cases/{case.pk}/")
        assert response.status_code == 200
        assert response.json()["number"] == case.number


def test_liaison_sees_only_cases_with_a_notice_to_their_unit(api, make_case, issue):
    police_case = make_case()
    issue(police_case, "police", "query")
    tax_case = make_case()
    issue(tax_case, "tax", "query")
    bare_case = make_case()

    police = api("liaison-police")
    listed = ids(police.get(f"{API}cases/"))
    assert listed == [police_case.pk]
    assert police.get(f"{API}cases/{police_case.pk}/").status_code == 200
    for other in (tax_case, bare_case):
        response = police.get(f"{API}cases/{other.pk}/")
        assert_detail(response, 404)

    tax = api("liaison-tax")
    assert ids(tax.get(f"{API}cases/")) == [tax_case.pk]
    assert_detail(tax.get(f"{API}cases/{police_case.pk}/"), 404)


def test_unit_leader_sees_their_units_cases_and_assessor_none(api, make_case, issue):
    police_case = make_case()
    issue(police_case, "police", "locate", subject="查找被执行人下落")
    other = make_case()
    issue(other, "bank-icbc", "freeze")
    assert ids(api("leader-police").get(f"{API}cases/")) == [police_case.pk]
    assert_detail(api("leader-police").get(f"{API}cases/{other.pk}/"), 404)
    assert ids(api("assessor").get(f"{API}cases/")) == []


@pytest.mark.parametrize("username", ["clerk", "office", "liaison-police"])
def test_identifiers_are_masked_in_case_responses(api, make_case, issue, username):
    case = make_case(debtors=2)
    issue(case, "police", "query")
    full_ids = list(case.parties.values_list("id_number", flat=True))
    assert len(full_ids) == 3
    client = api(username)
    for response in (client.get(f"{API}cases/{case.pk}/"), client.get(f"{API}cases/")):
        assert response.status_code == 200
        text = response.content.decode()
        for full in full_ids:
            assert full not in text
    detail = client.get(f"{API}cases/{case.pk}/").json()
    masked = {p["id_number"] for p in detail["parties"]}
    assert masked == {full[:4] + "*" * 10 + full[-4:] for full in full_ids}
    assert all(MASKED_ID.match(m) for m in masked)
    assert {p["role"] for p in detail["parties"]} == {"applicant", "debtor"}
    assert all({"id", "role", "name", "id_number"} <= set(p) for p in detail["parties"])


def test_case_list_filters_by_status(api, make_case, users):
    open_case = make_case()
    done = make_case()
    services.case_conclude(actor=users["clerk"], case=done, outcome="completed", note="已全部履行")
    client = api("clerk")
    open_ids = ids(client.get(f"{API}cases/?status=open"))
    concluded_ids = ids(client.get(f"{API}cases/?status=concluded"))
    assert open_case.pk in open_ids and done.pk not in open_ids
    assert done.pk in concluded_ids and open_case.pk not in concluded_ids


# ------------------------------------------------------------------------------------------ POST notices/

@pytest.mark.dates
def test_clerk_issues_a_notice_delivered_at_once(api, make_case, users, commit):
    case = make_case()
    due_day = timezone.localdate() + timedelta(days=30)
    body = {"case": case.pk, "unit": "bank-icbc", "action": "freeze", "subject": "冻结被执行人在本行的存款",
            "due_at": due_day.isoformat(), "ruling": case_ruling(case).pk}
    before = snapshot()
    with commit():
        response = api("clerk").post(f"{API}notices/", body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["kind"] == "assist"
    assert data["status"] in ("issued", "delivered")
    assert data["case"]["id"] == case.pk and data["case"]["number"] == case.number
    assert data["unit"]["code"] == "bank-icbc"
    assert data["action"] == "freeze"
    assert data["subject"] == body["subject"]
    assert data["number"] == f"{case.number}-001"
    assert parse_datetime(data["due_at"]) == end_of_day(due_day)

    notice = Notice.objects.get(pk=data["id"])
    assert notice.status == "delivered"
    assert notice.delivered_at is not None
    assert notice.issued_by == users["clerk"]
    after = snapshot()
    assert after["Notice"] == before["Notice"] + 1

    detail = api("clerk").get(notice_url(notice))
    assert detail.status_code == 200
    assert detail.json()["status"] == "delivered"
    events = [(e["transition"], e["from_status"], e["to_status"], e["actor"]) for e in detail.json()["events"]]
    assert events == [("issue", "", "issued", "clerk"), ("deliver", "issued", "delivered", None)]


@pytest.mark.dates
def test_notice_due_at_accepts_a_datetime(api, make_case, commit):
    case = make_case()
    due = (timezone.now() + timedelta(days=10)).replace(microsecond=0)
    with commit():
        response = api("clerk").post(f"{API}notices/", {"case": case.pk, "unit": "police", "action": "query",
                                                         "subject": "查询车辆", "due_at": due.isoformat()},
                                     format="json")
    assert response.status_code == 201, response.content
    assert parse_datetime(response.json()["due_at"]) == due


@pytest.mark.parametrize("unit, action, field", [
    ("tax", "freeze", "unit"),          # tax offers query and deduct only
    ("police", "freeze", "unit"),
    ("armed_forces", "query", "unit"),  # offers nothing
    ("court", "query", "unit"),
    ("police", "teleport", "action"),
    ("no-such-unit", "query", "unit"),
])
def test_notice_refused_when_the_unit_does_not_offer_the_action(api, make_case, commit, unit, action, field):
    case = make_case()
    ruling = case_ruling(case)
    before = snapshot()
    with commit():
        response = api("clerk").post(f"{API}notices/", {"case": case.pk, "unit": unit, "action": action,
                                                         "subject": "冻结存款", "ruling": ruling.pk}, format="json")
    assert_field_errors(response, field)
    assert snapshot() == before
    assert not Notice.objects.filter(case=case).exists()


def test_notice_refused_for_a_concluded_case(api, make_case, users, commit):
    case = make_case()
    services.case_conclude(actor=users["clerk"], case=case, outcome="terminated")
    before = snapshot()
    with commit():
        response = api("clerk").post(f"{API}notices/", {"case": case.pk, "unit": "police", "action": "query",
                                                         "subject": "查询车辆"}, format="json")
    assert_field_errors(response, "case")
    assert snapshot() == before


@pytest.mark.parametrize("body_change, field", [
    ({"case": 987654321}, "case"),
    ({"subject": "   "}, "subject"),
    ({"due_at": "2020-01-01"}, "due_at"),
    ({"due_at": "next week"}, "due_at"),
])
def test_notice_with_bad_fields_refused_and_nothing_written(api, make_case, commit, body_change, field):
    case = make_case()
    body = {"case": case.pk, "unit": "police", "action": "query", "subject": "查询车辆", **body_change}
    before = snapshot()
    with commit():
        response = api("clerk").post(f"{API}notices/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert snapshot() == before


def test_notice_with_a_ruling_pdf_stores_it(api, make_case, users, commit, settings):
    case = make_case()
    content = pdf_bytes("执行裁定书")
    upload = SimpleUploadedFile("ruling.pdf", content, content_type="application/pdf")
    before = snapshot()
    with commit():
        response = api("clerk").post(f"{API}notices/", {"case": case.pk, "unit": "natres", "action": "seize",
                                                         "subject": "查封不动产", "ruling": upload},
                                     format="multipart")
    assert response.status_code == 201, response.content
    notice = Notice.objects.get(pk=response.json()["id"])
    assert notice.ruling_id is not None
    ruling = notice.ruling
    assert ruling.purpose == "ruling"
    assert ruling.case_id == case.pk
    assert ruling.original_name == "ruling.pdf"
    assert ruling.size == len(content)
    assert ruling.sha256 == hashlib.sha256(content).hexdigest()
    assert ruling.uploaded_by == users["clerk"]
    with ruling.file.open("rb") as stored:
        assert stored.read() == content
    after = snapshot()
    assert after["Attachment"] == before["Attachment"] + 1
    assert after["Notice"] == before["Notice"] + 1


def test_ruling_is_stored_under_the_private_media_root(api, make_case, commit, settings):
    """The conftest points PRIVATE_MEDIA_ROOT at a temporary directory: uploads must land there, not in
    the checkout's private_media/ (settings say rulings live under PRIVATE_MEDIA_ROOT)."""
    case = make_case()
    upload = SimpleUploadedFile("ruling.pdf", pdf_bytes(), content_type="application/pdf")
    with commit():
        response = api("clerk").post(f"{API}notices/", {"case": case.pk, "unit": "natres", "action": "seize",
                                                         "subject": "查封不动产", "ruling": upload},
                                     format="multipart")
    assert response.status_code == 201, response.content
    stored = Path(Notice.objects.get(pk=response.json()["id"]).ruling.file.path)
    assert stored.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT)), stored


@pytest.mark.parametrize("name, content, limit", [
    ("ruling.pdf", b"this is plain text dressed up as a PDF", None),
    ("ruling.txt", b"hello", None),
    ("ruling.pdf", b"%PDF-1.7\n garbage that is not a real PDF body", None),
    ("ruling.pdf", None, 200),  # a real PDF over a small limit
])
def test_bad_or_oversized_ruling_refused_and_nothing_written(api, make_case, commit, settings, name, content,
                                                             limit):
    if limit is not None:
        settings.UPLOAD_MAX_BYTES = limit
        content = pdf_bytes("执行裁定书" * 20)
        assert len(content) > limit
    case = make_case()
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    before = snapshot()
    with commit():
        response = api("clerk").post(f"{API}notices/", {"case": case.pk, "unit": "natres", "action": "seize",
                                                         "subject": "查封不动产", "ruling": upload},
                                     format="multipart")
    assert_field_errors(response, "ruling")
    assert snapshot() == before


@pytest.mark.parametrize("username", ["office", "convener", "liaison-police", "leader-police"])
def test_only_the_clerk_issues_notices(api, make_case, issue, commit, username):
    case = make_case()
    issue(case, "police", "query")  # the police liaison and leader can see this case
    before = snapshot()
    with commit():
        response = api(username).post(f"{API}notices/", {"case": case.pk, "unit": "police", "action": "seize",
                                                          "subject": "扣押车辆"}, format="json")
    assert_detail(response, 403)
    assert snapshot() == before


def test_liaison_issuing_a_notice_on_a_case_they_cannot_see_gets_403(api, make_case, commit):
    """Issuing notices is the clerk's: a liaison is refused for their role, whatever case id they send."""
    case = make_case()
    before = snapshot()
    with commit():
        response = api("liaison-police").post(f"{API}notices/", {"case": case.pk, "unit": "police",
                                                                  "action": "query", "subject": "查询车辆"},
                                              format="json")
    assert_detail(response, 403)
    assert snapshot() == before


# ------------------------------------------------------------------------------------------ GET notices/

@pytest.fixture
def notice_set(make_case, issue, users):
    """Two cases with notices to police, bank-icbc and tax; one police notice acknowledged."""
    a, b = make_case(), make_case()
    notices = {
        "a_police": issue(a, "police", "query", subject="查询车辆"),
        "a_bank": issue(a, "bank-icbc", "freeze"),
        "a_tax": issue(a, "tax", "query", subject="查询退税"),
        "b_police": issue(b, "police", "restrict", subject="限制出境"),
    }
    services.notice_acknowledge(actor=users["liaison-police"], notice=notices["b_police"])
    return a, b, notices


def test_notice_list_scoped_by_unit(api, notice_set):
    a, b, notices = notice_set
    clerk_ids = set(ids(api("clerk").get(f"{API}notices/")))
    assert {n.pk for n in notices.values()} <= clerk_ids
    assert set(ids(api("office").get(f"{API}notices/"))) == clerk_ids

    police = api("liaison-police").get(f"{API}notices/")
    assert set(ids(police)) == {notices["a_police"].pk, notices["b_police"].pk}
    assert {row["unit"]["code"] for row in results(police)} == {"police"}
    assert set(ids(api("leader-police").get(f"{API}notices/"))) == {notices["a_police"].pk,
                                                                      notices["b_police"].pk}
    assert ids(api("liaison-bank-icbc").get(f"{API}notices/")) == [notices["a_bank"].pk]
    assert ids(api("liaison-fund").get(f"{API}notices/")) == []
    assert ids(api("assessor").get(f"{API}notices/")) == []


def test_notice_list_rows_carry_the_contract_fields(api, notice_set):
    a, b, notices = notice_set
    row = next(r for r in results(api("clerk").get(f"{API}notices/?case={a.pk}"))
               if r["id"] == notices["a_bank"].pk)
    assert row["kind"] == "assist"
    assert row["status"] == "delivered"
    assert row["case"] == {"id": a.pk, "number": a.number}
    assert row["unit"]["code"] == "bank-icbc"
    assert row["action"] == "freeze"
    assert row["subject"] == notices["a_bank"].subject
    assert parse_datetime(row["due_at"]) == notices["a_bank"].due_at


def test_notice_list_filters(api, notice_set):
    a, b, notices = notice_set
    clerk = api("clerk")
    assert set(ids(clerk.get(f"{API}notices/?case={a.pk}"))) == {
        notices["a_police"].pk, notices["a_bank"].pk, notices["a_tax"].pk}
    assert set(ids(clerk.get(f"{API}notices/?unit=police&case={a.pk}"))) == {notices["a_police"].pk}
    acknowledged = clerk.get(f"{API}notices/?status=acknowledged")
    assert notices["b_police"].pk in ids(acknowledged)
    assert {row["status"] for row in results(acknowledged)} == {"acknowledged"}
    assert set(ids(clerk.get(f"{API}notices/?status=delivered&case={a.pk}"))) == {
        notices["a_police"].pk, notices["a_bank"].pk, notices["a_tax"].pk}
    assert set(ids(clerk.get(f"{API}notices/?kind=assist&case={b.pk}"))) == {notices["b_police"].pk}
    assert ids(clerk.get(f"{API}notices/?kind=release&case={b.pk}")) == []

    police = api("liaison-police")
    assert ids(police.get(f"{API}notices/?unit=tax")) == []  # a filter never widens the scope
    assert ids(police.get(f"{API}notices/?status=acknowledged")) == [notices["b_police"].pk]
    assert ids(police.get(f"{API}notices/?case={a.pk}")) == [notices["a_police"].pk]


def test_notice_list_kind_filter_finds_release_notices(api, notice_set, users):
    a, b, notices = notice_set
    releases = services.case_conclude(actor=users["clerk"], case=b, outcome="completed", note="已全部履行").release_notices
    assert len(releases) == 1  # b_police is an open restrict notice
    rows = results(api("clerk").get(f"{API}notices/?kind=release&case={b.pk}"))
    assert [row["id"] for row in rows] == [releases[0].pk]
    assert rows[0]["kind"] == "release" and rows[0]["original"] == notices["b_police"].pk
    assert ids(api("liaison-police").get(f"{API}notices/?kind=release")) == [releases[0].pk]


def test_notice_list_rejects_an_unknown_status_filter(api, notice_set):
    response = api("clerk").get(f"{API}notices/?status=lost")
    assert response.status_code == 400
    assert "status" in response.json()


def test_notice_list_pages_with_next_links(api, notice_set):
    a, b, notices = notice_set
    clerk = api("clerk")
    first = clerk.get(f"{API}notices/?case={a.pk}&page_size=2")
    assert len(results(first)) == 2
    assert first.json()["next"]
    second = clerk.get(first.json()["next"])
    assert second.status_code == 200
    assert second.json()["next"] is None
    seen = ids(first) + ids(second)
    assert seen == sorted({notices["a_police"].pk, notices["a_bank"].pk, notices["a_tax"].pk}, reverse=True)
    last = clerk.get(f"{API}notices/?case={a.pk}")
    assert last.json()["next"] is None


def test_notice_detail_with_events(api, notice_set):
    a, b, notices = notice_set
    for username in ("clerk", "liaison-police", "leader-police"):
        response = api(username).get(notice_url(notices["b_police"]))
        assert response.status_code == 200, username
        data = response.json()
        assert data["id"] == notices["b_police"].pk
        assert data["kind"] == "assist" and data["status"] == "acknowledged"
        assert data["case"]["id"] == b.pk and data["unit"]["code"] == "police" and data["action"] == "restrict"
        assert [(e["transition"], e["from_status"], e["to_status"], e["actor"]) for e in data["events"]] == [
            ("issue", "", "issued", "clerk"),
            ("deliver", "issued", "delivered", None),
            ("acknowledge", "delivered", "acknowledged", "liaison-police"),
        ]
        assert all(e["at"] for e in data["events"])


@pytest.mark.parametrize("action, body", [
    (None, None),
    ("acknowledge", {}),
    ("answer", {"outcome": "done", "detail": "已冻结"}),
    ("close", {}),
    ("cancel", {}),
])
def test_other_units_liaison_gets_404(api, notice_set, action, body):
    a, b, notices = notice_set
    target = notices["a_bank"]
    before = snapshot()
    client = api("liaison-police")
    if action is None:
        response = client.get(notice_url(target))
    else:
        response = client.post(notice_url(target, action), body, format="json")
    assert_detail(response, 404)
    assert snapshot() == before
    target.refresh_from_db()
    assert target.status == "delivered"


def test_missing_notice_is_404(api):
    assert_detail(api("clerk").get(notice_url(987654321)), 404)


# ------------------------------------------------------------------------------------------ acknowledge

def test_target_liaison_acknowledges_once(api, police_notice, users):
    client = api("liaison-police")
    response = client.post(notice_url(police_notice, "acknowledge"), {"note": "已签收"}, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["id"] == police_notice.pk
    assert data["status"] == "acknowledged"
    assert data["acknowledged_at"]
    assert data["events"][-1]["transition"] == "acknowledge"
    assert data["events"][-1]["actor"] == "liaison-police"
    assert data["events"][-1]["note"] == "已签收"

    events = events_of(police_notice)
    before = len(events)
    again = client.post(notice_url(police_notice, "acknowledge"), {}, format="json")
    detail = assert_detail(again, 409)
    assert detail != "The object's state does not allow this."  # says which state it is in
    assert len(events_of(police_notice)) == before
    police_notice.refresh_from_db()
    assert police_notice.status == "acknowledged"


@pytest.mark.parametrize("username", ["clerk", "office", "leader-police"])
def test_only_the_liaison_acknowledges(api, police_notice, username):
    before = len(events_of(police_notice))
    response = api(username).post(notice_url(police_notice, "acknowledge"), {}, format="json")
    assert_detail(response, 403)
    police_notice.refresh_from_db()
    assert police_notice.status == "delivered"
    assert len(events_of(police_notice)) == before


def test_unit_leader_reads_but_cannot_answer(api, police_notice, users):
    leader = api("leader-police")
    assert leader.get(notice_url(police_notice)).status_code == 200
    assert police_notice.pk in ids(leader.get(f"{API}notices/"))
    services.notice_acknowledge(actor=users["liaison-police"], notice=police_notice)
    response = leader.post(notice_url(police_notice, "answer"), {"outcome": "done", "detail": "x"}, format="json")
    assert_detail(response, 403)
    police_notice.refresh_from_db()
    assert police_notice.status == "acknowledged"


# ------------------------------------------------------------------------------------------ answer

def test_answer_before_acknowledge_is_409(api, police_notice):
    before = snapshot()
    response = api("liaison-police").post(notice_url(police_notice, "answer"),
                                          {"outcome": "done", "detail": "查询完毕"}, format="json")
    assert_detail(response, 409)
    assert snapshot() == before
    police_notice.refresh_from_db()
    assert police_notice.status == "delivered"


@pytest.mark.parametrize("outcome, detail", [
    ("done", ""),
    ("done", "查询到车辆一辆"),
    ("partial", "冻结部分存款，余额不足"),
    ("unable", "被执行人名下无车辆"),
])
def test_liaison_answers(api, police_notice, users, outcome, detail):
    services.notice_acknowledge(actor=users["liaison-police"], notice=police_notice)
    before = len(events_of(police_notice))
    response = api("liaison-police").post(notice_url(police_notice, "answer"),
                                          {"outcome": outcome, "detail": detail}, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "answered"
    assert data["outcome"] == outcome
    assert data["answer_detail"] == detail
    assert data["answered_at"]
    events = events_of(police_notice)
    assert len(events) == before + 1
    assert (events[-1].transition, events[-1].from_status, events[-1].to_status, events[-1].actor) == (
        "answer", "acknowledged", "answered", users["liaison-police"])


@pytest.mark.parametrize("body, field", [
    ({"outcome": "partial"}, "detail"),
    ({"outcome": "partial", "detail": "   "}, "detail"),
    ({"outcome": "unable", "detail": ""}, "detail"),
    ({"outcome": "maybe", "detail": "x"}, "outcome"),
    ({"outcome": "", "detail": "x"}, "outcome"),
    ({"outcome": "done", "result_amount": "12.345"}, "result_amount"),
    ({"outcome": "done", "result_amount": "lots"}, "result_amount"),
    ({"outcome": "done", "result_amount": "-5.00"}, "result_amount"),
])
def test_bad_answer_refused_and_nothing_written(api, police_notice, users, body, field):
    services.notice_acknowledge(actor=users["liaison-police"], notice=police_notice)
    before = snapshot()
    response = api("liaison-police").post(notice_url(police_notice, "answer"), body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert snapshot() == before
    police_notice.refresh_from_db()
    assert police_notice.status == "acknowledged"
    assert police_notice.outcome == "" and police_notice.result_amount is None


@pytest.mark.parametrize("amount", ["1234567.89", "0.10", "50000", "99999999.99"])
def test_answer_amount_kept_as_exact_decimal(api, make_case, issue, users, amount):
    notice = issue(make_case(), "bank-icbc", "freeze")
    services.notice_acknowledge(actor=users["liaison-bank-icbc"], notice=notice)
    response = api("liaison-bank-icbc").post(notice_url(notice, "answer"),
                                             {"outcome": "partial", "detail": "冻结部分存款",
                                              "result_amount": amount}, format="json")
    assert response.status_code == 200, response.content
    expected = Decimal(amount).quantize(Decimal("0.01"))
    assert response.json()["result_amount"] == str(expected)  # a string, never a JSON float
    notice.refresh_from_db()
    assert isinstance(notice.result_amount, Decimal)
    assert notice.result_amount == expected
    assert str(notice.result_amount) == str(expected)
    assert api("clerk").get(notice_url(notice)).json()["result_amount"] == str(expected)


def test_largest_accepted_answer_amount_survives_exactly(api, make_case, issue, users):
    """15 digits (max_digits=15, exact on SQLite too) come back unchanged; 16 are refused with 400."""
    amount = "1234567890123.45"
    notice = issue(make_case(), "bank-icbc", "freeze")
    services.notice_acknowledge(actor=users["liaison-bank-icbc"], notice=notice)
    client = api("liaison-bank-icbc")
    too_long = client.post(notice_url(notice, "answer"),
                           {"outcome": "done", "detail": "已扣划", "result_amount": "12345678901234.56"},
                           format="json")
    assert too_long.status_code == 400 and "result_amount" in too_long.json()
    notice.refresh_from_db()
    assert notice.status == "acknowledged" and notice.result_amount is None
    response = client.post(notice_url(notice, "answer"),
                           {"outcome": "done", "detail": "已扣划", "result_amount": amount}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["result_amount"] == amount
    notice.refresh_from_db()
    assert notice.result_amount == Decimal(amount)


# ------------------------------------------------------------------------------------------ close and cancel

def _answered(notice, users, outcome="done"):
    liaison = users[f"liaison-{notice.unit.code}"]
    services.notice_acknowledge(actor=liaison, notice=notice)
    return services.notice_answer(actor=liaison, notice=notice, outcome=outcome, detail="办理完毕")


def test_clerk_closes_an_answered_notice(api, police_notice, users):
    _answered(police_notice, users)
    before = len(events_of(police_notice))
    response = api("clerk").post(notice_url(police_notice, "close"), {"note": "已核实"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "closed"
    assert response.json()["closed_at"]
    events = events_of(police_notice)
    assert len(events) == before + 1
    last = events[-1]
    assert (last.transition, last.from_status, last.to_status, last.actor, last.note) == (
        "close", "answered", "closed", users["clerk"], "已核实")


@pytest.mark.parametrize("state", ["delivered", "acknowledged", "closed", "cancelled"])
def test_close_only_from_answered(api, police_notice, users, state):
    if state == "acknowledged":
        services.notice_acknowledge(actor=users["liaison-police"], notice=police_notice)
    elif state == "closed":
        _answered(police_notice, users)
        services.notice_close(actor=users["clerk"], notice=police_notice)
    elif state == "cancelled":
        services.notice_cancel(actor=users["clerk"], notice=police_notice)
    before = snapshot()
    response = api("clerk").post(notice_url(police_notice, "close"), {}, format="json")
    assert_detail(response, 409)
    assert snapshot() == before
    police_notice.refresh_from_db()
    assert police_notice.status == state


@pytest.mark.parametrize("username", ["office", "liaison-police", "leader-police"])
def test_only_the_clerk_closes(api, police_notice, users, username):
    _answered(police_notice, users)
    before = snapshot()
    assert_detail(api(username).post(notice_url(police_notice, "close"), {}, format="json"), 403)
    assert snapshot() == before
    police_notice.refresh_from_db()
    assert police_notice.status == "answered"


@pytest.mark.parametrize("state", ["issued", "delivered", "acknowledged"])
def test_clerk_cancels_an_open_notice(api, make_case, users, issue, commit, state):
    case = make_case()
    if state == "issued":  # no delivery ran yet
        notice = services.notice_issue(actor=users["clerk"], case=case, unit=Unit.objects.get(code="police"),
                                       action=ActionType.objects.get(code="query"), subject="查询车辆")
    else:
        notice = issue(case, "police", "query", subject="查询车辆")
        if state == "acknowledged":
            services.notice_acknowledge(actor=users["liaison-police"], notice=notice)
    notice.refresh_from_db()
    assert notice.status == state
    before = len(events_of(notice))
    with commit():
        response = api("clerk").post(notice_url(notice, "cancel"), {"note": "申请人撤回"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"
    assert response.json()["cancelled_at"]
    events = events_of(notice)
    assert len(events) == before + 1
    last = events[-1]
    assert (last.transition, last.from_status, last.to_status, last.actor, last.note) == (
        "cancel", state, "cancelled", users["clerk"], "申请人撤回")
    notice.refresh_from_db()
    assert notice.status == "cancelled"
    assert Delivery.objects.filter(notice=notice, purpose="cancel", channel="inbox").exists()


@pytest.mark.parametrize("state", ["answered", "closed", "cancelled"])
def test_cancel_only_from_open_states(api, police_notice, users, commit, state):
    if state in ("answered", "closed"):
        _answered(police_notice, users)
        if state == "closed":
            services.notice_close(actor=users["clerk"], notice=police_notice)
    else:
        services.notice_cancel(actor=users["clerk"], notice=police_notice)
    before = snapshot()
    with commit():
        response = api("clerk").post(notice_url(police_notice, "cancel"), {}, format="json")
    assert_detail(response, 409)
    assert snapshot() == before
    police_notice.refresh_from_db()
    assert police_notice.status == state


@pytest.mark.parametrize("username", ["office", "liaison-police", "leader-police"])
def test_only_the_clerk_cancels(api, police_notice, username):
    before = snapshot()
    assert_detail(api(username).post(notice_url(police_notice, "cancel"), {}, format="json"), 403)
    assert snapshot() == before
    police_notice.refresh_from_db()
    assert police_notice.status == "delivered"


def test_full_lifecycle_writes_one_event_per_transition(api, make_case, users, commit):
    case = make_case()
    with commit():
        created = api("clerk").post(f"{API}notices/", {"case": case.pk, "unit": "fund", "action": "freeze",
                                                        "subject": "冻结公积金", "ruling": case_ruling(case).pk},
                                    format="json")
    assert created.status_code == 201
    notice = Notice.objects.get(pk=created.json()["id"])
    steps = [
        ("liaison-fund", "acknowledge", {}, "acknowledged"),
        ("liaison-fund", "answer", {"outcome": "done", "detail": "已冻结", "result_amount": "8800.50"}, "answered"),
        ("clerk", "close", {}, "closed"),
    ]
    for username, action, body, target in steps:
        before = NoticeEvent.objects.filter(notice=notice).count()
        response = api(username).post(notice_url(notice, action), body, format="json")
        assert response.status_code == 200, (action, response.content)
        assert response.json()["status"] == target
        assert NoticeEvent.objects.filter(notice=notice).count() == before + 1
    trail = [(e.transition, e.from_status, e.to_status, e.actor.username if e.actor else None)
             for e in events_of(notice)]
    assert trail == [
        ("issue", "", "issued", "clerk"),
        ("deliver", "issued", "delivered", None),
        ("acknowledge", "delivered", "acknowledged", "liaison-fund"),
        ("answer", "acknowledged", "answered", "liaison-fund"),
        ("close", "answered", "closed", "clerk"),
    ]


# ------------------------------------------------------------------------------------------ conclude

def test_clerk_concludes_a_case_with_release_fan_out(api, make_case, issue, users, commit):
    case = make_case()
    freeze = issue(case, "bank-icbc", "freeze")                                   # open measure
    query = issue(case, "police", "query", subject="查询车辆")                   # open, no measure
    seized = _answered(issue(case, "natres", "seize", subject="查封房产"), users)  # executed measure
    unable = _answered(issue(case, "police", "restrict", subject="限制出境"), users, outcome="unable")
    unable.refresh_from_db()
    assert unable.status == "answered"

    with commit():
        response = api("clerk").post(f"{API}cases/{case.pk}/conclude/", {"outcome": "completed", "note": "已全部履行"}, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["id"] == case.pk
    assert data["status"] == "concluded"
    assert data["outcome"] == "completed"
    assert data["concluded_at"]

    releases = Notice.objects.filter(case=case, kind="release")
    assert sorted(data["release_notices"]) == sorted(releases.values_list("id", flat=True))
    assert {(r.original_id, r.unit.code, r.action.code) for r in releases} == {
        (freeze.pk, "bank-icbc", "freeze"), (seized.pk, "natres", "seize")}
    for release in releases:
        assert release.status == "delivered"
    for notice, status in ((freeze, "cancelled"), (query, "cancelled"), (seized, "closed"), (unable, "closed")):
        notice.refresh_from_db()
        assert notice.status == status, notice
        last = events_of(notice)[-1]
        assert (last.from_status, last.to_status, last.actor) == (
            "answered" if status == "closed" else "delivered", status, users["clerk"])
    case.refresh_from_db()
    assert case.status == "concluded" and case.concluded_by == users["clerk"]

    listed = results(api("liaison-bank-icbc").get(f"{API}notices/?kind=release"))
    assert [row["id"] for row in listed] == [releases.get(unit__code="bank-icbc").pk]


def test_concluding_twice_is_409(api, make_case, issue, commit):
    case = make_case()
    issue(case, "bank-icbc", "freeze")
    clerk = api("clerk")
    with commit():
        assert clerk.post(f"{API}cases/{case.pk}/conclude/", {"outcome": "terminated"},
                          format="json").status_code == 200
    before = snapshot()
    with commit():
        again = clerk.post(f"{API}cases/{case.pk}/conclude/", {"outcome": "completed", "note": "已全部履行"}, format="json")
    assert_detail(again, 409)
    assert snapshot() == before
    case.refresh_from_db()
    assert case.outcome == "terminated"


@pytest.mark.parametrize("body", [{"outcome": "paid"}, {"outcome": ""}, {}])
def test_conclude_with_a_bad_outcome_is_400(api, make_case, issue, commit, body):
    case = make_case()
    notice = issue(case, "bank-icbc", "freeze")
    before = snapshot()
    with commit():
        response = api("clerk").post(f"{API}cases/{case.pk}/conclude/", body, format="json")
    assert response.status_code == 400, response.content
    assert "outcome" in response.json()
    assert snapshot() == before
    case.refresh_from_db()
    notice.refresh_from_db()
    assert case.status == "open" and notice.status == "delivered"


@pytest.mark.parametrize("username, status_code", [
    ("office", 403), ("convener", 403), ("liaison-bank-icbc", 403), ("liaison-tax", 404),
])
def test_only_the_clerk_concludes(api, make_case, issue, commit, username, status_code):
    case = make_case()
    issue(case, "bank-icbc", "freeze")
    before = snapshot()
    with commit():
        response = api(username).post(f"{API}cases/{case.pk}/conclude/", {"outcome": "completed", "note": "已全部履行"}, format="json")
    assert_detail(response, status_code)
    assert snapshot() == before
    case.refresh_from_db()
    assert case.status == "open"


# ------------------------------------------------------------------------------------------ query counts

def _issue_many(make_case, issue, cases: int, per_case: int):
    for _ in range(cases):
        case = make_case(debtors=2, categories=["finance", "livelihood"])
        for i in range(per_case):
            unit, action = [("police", "query"), ("bank-icbc", "freeze"), ("police", "restrict")][i % 3]
            issue(case, unit, action, subject=f"事项{i}")


def test_notice_list_query_count_does_not_grow_with_rows(api, make_case, issue):
    clerk, police = api("clerk"), api("liaison-police")
    _issue_many(make_case, issue, cases=1, per_case=3)
    for client in (clerk, police):  # warm caches (content types) before measuring
        client.get(f"{API}notices/")
    few_clerk, r1 = count_queries(clerk, f"{API}notices/")
    few_police, r2 = count_queries(police, f"{API}notices/")
    assert len(results(r1)) == 3 and len(results(r2)) == 2

    _issue_many(make_case, issue, cases=9, per_case=3)
    many_clerk, r3 = count_queries(clerk, f"{API}notices/")
    many_police, r4 = count_queries(police, f"{API}notices/")
    assert len(results(r3)) == 30 and len(results(r4)) == 20
    assert many_clerk == few_clerk
    assert many_police == few_police


def test_case_list_query_count_does_not_grow_with_rows(api, make_case, issue):
    clerk, police = api("clerk"), api("liaison-police")
    _issue_many(make_case, issue, cases=3, per_case=1)
    for client in (clerk, police):
        client.get(f"{API}cases/")
    few_clerk, r1 = count_queries(clerk, f"{API}cases/")
    few_police, r2 = count_queries(police, f"{API}cases/")
    assert len(results(r1)) == 3 and len(results(r2)) == 3

    _issue_many(make_case, issue, cases=27, per_case=1)
    many_clerk, r3 = count_queries(clerk, f"{API}cases/")
    many_police, r4 = count_queries(police, f"{API}cases/")
    assert len(results(r3)) == 30 and len(results(r4)) == 30
    assert all(len(row["parties"]) == 3 and len(row["categories"]) == 2 for row in results(r3))
    assert many_clerk == few_clerk
    assert many_police == few_police


def test_notice_detail_query_count_does_not_grow_with_events(api, make_case, issue, users):
    clerk = api("clerk")
    short = issue(make_case(), "police", "query")
    long = issue(make_case(), "police", "query")
    _answered(long, users)
    clerk.get(notice_url(short))
    n_short, _r = count_queries(clerk, notice_url(short))
    n_long, r = count_queries(clerk, notice_url(long))
    assert len(r.json()["events"]) == 4
    assert n_long == n_short


# ------------------------------------------------------------------------------------------ schema and docs

def test_schema_and_docs_served_to_a_signed_in_user(api, browser_client):
    client = api("liaison-police")
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    assert "openapi" in text
    for path in ("/api/v1/notices/", "/api/v1/cases/", "/api/v1/units/", "acknowledge"):
        assert path in text
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert "swagger" in docs.content.decode().lower()

    session = browser_client("clerk")
    assert session.get("/api/schema/").status_code == 200
    assert session.get("/api/docs/").status_code == 200


@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/"])
def test_schema_and_docs_refused_to_anonymous(api, browser_client, url):
    for client in (api(), browser_client()):
        response = client.get(url)
        assert response.status_code in (401, 403), (url, response.status_code)
        assert "Location" not in response
        assert "openapi:" not in response.content.decode()


@pytest.mark.parametrize("url", ["/api/v1/notices/?case=99999999999999999999", "/api/v1/measures/?case=-1",
                                 "/api/v1/measures/?party=1e400", "/api/v1/notices/?case=abc"])
def test_filters_refuse_ids_no_row_can_have(api, url):
    """Found by schemathesis: a huge id in a filter overflowed SQLite's integer (a 500)."""
    assert api("clerk").get(url).status_code == 400
