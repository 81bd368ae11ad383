"""Issued documents (issue 14): frozen at issue, e-sealed (PAdES), verifiable by anyone holding one."""
import io
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from cases import services
from documents import seal
from documents import services as docs
from documents.models import DocumentKind, IssuedDocument

COURT = "湖北省公安县人民法院"


@pytest.fixture(scope="session")
def test_ca(tmp_path_factory):
    """A throwaway CA and court certificate for the session (never a committed key)."""
    directory = tmp_path_factory.mktemp("seal")
    ca, p12 = seal.make_ca(Path(directory), court_name=COURT, passphrase="test-pass", key_size=2048)
    return ca, p12


@pytest.fixture(autouse=True)
def _sealing(settings, test_ca):
    ca, p12 = test_ca
    settings.DOCUMENTS_SEAL_ON_ISSUE = True
    settings.SEAL_PKCS12 = str(p12)
    settings.SEAL_PASSPHRASE = "test-pass"
    settings.SEAL_TRUST_ROOTS = [str(ca)]
    settings.SEAL_TSA_URL = ""


@pytest.fixture
def freeze(make_case, issue):
    case = make_case()
    return issue(case, "bank-icbc", "freeze", asset_kind="deposit", account="6222020000000000001", amount="5000")


def _get(client, url) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content


def _pyhanko_status(pdf: bytes, ca_path):
    from asn1crypto import pem, x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    _t, _h, der = pem.unarmor(Path(ca_path).read_bytes())
    context = ValidationContext(trust_roots=[x509.Certificate.load(der)])
    signature = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0]
    return signature, validate_pdf_signature(signature, context)


def _flip(pdf: bytes) -> bytes:
    data = bytearray(pdf)
    data[len(data) // 3] ^= 0x01
    return bytes(data)


def test_issuing_registers_one_sealed_document(freeze, users):
    rows = list(IssuedDocument.objects.filter(notice=freeze))
    assert len(rows) == 1
    doc = rows[0]
    assert doc.kind == DocumentKind.NOTICE and doc.status == "stored" and doc.sealed
    assert len(doc.sha256) == 64 and doc.size > 1000 and len(doc.code) == 12
    assert doc.issued_by == users["clerk"] and doc.unit_id == freeze.unit_id and doc.number == freeze.number
    assert doc.signer == COURT
    with pytest.raises(PermissionDenied):
        doc.sha256 = "0" * 64
        doc.save()
    with pytest.raises(PermissionDenied):
        doc.delete()


def test_the_download_is_frozen_at_issue(freeze, browser_client):
    bank = browser_client("liaison-bank-icbc")
    before = _get(bank, f"/notices/{freeze.pk}/document.pdf")
    case = freeze.case
    case.title = "改过的案名"
    case.save()
    party = freeze.party or case.parties.filter(role="debtor").first()
    party.name = "改过的姓名"
    party.save()
    after = _get(bank, f"/notices/{freeze.pk}/document.pdf")
    assert before == after
    doc = IssuedDocument.objects.get(notice=freeze)
    import hashlib

    assert hashlib.sha256(after).hexdigest() == doc.sha256


def test_the_pdf_validates_with_pyhanko_against_the_ca(freeze, browser_client, test_ca):
    pdf = _get(browser_client("liaison-bank-icbc"), f"/notices/{freeze.pk}/document.pdf")
    signature, status = _pyhanko_status(pdf, test_ca[0])
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert str(signature.sig_object["/SubFilter"]) == "/ETSI.CAdES.detached"  # PAdES
    assert "协助执行通知书" in str(signature.sig_object["/Reason"]) and freeze.number in str(signature.sig_object["/Reason"])
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE


def test_one_byte_changed_fails_the_seal_and_the_register(freeze, browser_client, test_ca):
    pdf = _get(browser_client("liaison-bank-icbc"), f"/notices/{freeze.pk}/document.pdf")
    _signature, status = _pyhanko_status(_flip(pdf), test_ca[0])
    assert not (status.intact and status.valid)
    result = docs.verify(pdf=_flip(pdf))
    assert result["signature_valid"] is False
    assert result["registered"] is True and result["identical"] is False  # found by the code it names
    intact = docs.verify(pdf=pdf)
    assert intact["signature_valid"] and intact["registered"] and intact["identical"]
    assert intact["standing"] == "有效" and intact["signer"] == COURT


def test_verify_page_by_upload_and_by_code(freeze, browser_client, client):
    pdf = _get(browser_client("liaison-bank-icbc"), f"/notices/{freeze.pk}/document.pdf")
    doc = IssuedDocument.objects.get(notice=freeze)
    response = client.post("/verify/", {"file": SimpleUploadedFile("n.pdf", pdf, "application/pdf")})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-signature="valid"' in html and 'data-registered="yes"' in html and 'data-identical="yes"' in html
    assert "有效" in html and freeze.number in html
    assert freeze.party is None or freeze.party.id_number not in html  # no personal identifier
    response = client.post("/verify/", {"file": SimpleUploadedFile("n.pdf", _flip(pdf), "application/pdf")})
    assert 'data-signature="invalid"' in response.content.decode()
    assert 'data-identical="no"' in response.content.decode()
    page = client.get(f"/verify/{doc.code}/").content.decode()
    assert 'data-registered="yes"' in page and doc.display_code in page
    assert 'data-registered="no"' in client.get("/verify/ZZZZZZZZZZZZ/").content.decode()


def test_verify_api_for_a_unit_system(freeze, browser_client, api):
    pdf = _get(browser_client("liaison-bank-icbc"), f"/notices/{freeze.pk}/document.pdf")
    response = api("liaison-bank-icbc").post("/api/v1/documents/verify/",
                                             {"file": SimpleUploadedFile("n.pdf", pdf, "application/pdf")},
                                             format="multipart")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["signature_valid"] and body["registered"] and body["identical"]
    assert body["signer"] == COURT and body["signed_at"] and body["standing"] == "有效"
    doc = IssuedDocument.objects.get(notice=freeze)
    by_code = api("clerk").post("/api/v1/documents/verify/", {"code": doc.display_code}, format="json").json()
    assert by_code["registered"] and by_code["signature_valid"] and not by_code["identical"]
    assert api().post("/api/v1/documents/verify/", {"code": doc.code}).status_code == 401


def test_a_unit_system_token_verifies(freeze, browser_client):
    from rest_framework.test import APIClient

    from members.integration import token_create

    pdf = _get(browser_client("liaison-bank-icbc"), f"/notices/{freeze.pk}/document.pdf")
    key = token_create(unit=freeze.unit, name="core banking")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"UnitToken {key}")
    response = client.post("/api/v1/documents/verify/", {"file": SimpleUploadedFile("n.pdf", pdf)},
                           format="multipart")
    assert response.status_code == 200 and response.json()["signature_valid"]


def test_a_superseded_document_says_so(freeze, users, client):
    old = IssuedDocument.objects.get(notice=freeze)
    new = docs.supersede(old, actor=users["clerk"], reason="更正笔误")
    docs.seal_document(new.pk)
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.superseded_at is not None and new.is_stored and new.supersedes_id == old.pk
    page = client.get(f"/verify/{old.code}/").content.decode()
    assert 'data-standing="superseded"' in page and "已被更正文书" in page and new.display_code in page
    assert docs.verify(code=new.code)["standing"] == "有效"


def test_a_released_measure_shows_its_standing(make_case, issue, users, client, django_capture_on_commit_callbacks):
    case = make_case()
    notice = issue(case, "bank-icbc", "freeze")
    liaison = users["liaison-bank-icbc"]
    with django_capture_on_commit_callbacks(execute=True):
        services.notice_acknowledge(actor=liaison, notice=notice)
        services.notice_answer(actor=liaison, notice=notice, outcome="done", detail="已冻结", result_amount="5000")
    with django_capture_on_commit_callbacks(execute=True):
        releases = services.case_conclude(actor=users["clerk"], case=case, outcome="completed", note="已全部履行").release_notices
    assert releases
    release_doc = IssuedDocument.objects.get(notice=releases[0], kind=DocumentKind.RELEASE)
    assert release_doc.is_stored and release_doc.sealed
    doc = IssuedDocument.objects.get(notice=notice, kind=DocumentKind.NOTICE)
    result = docs.verify(code=doc.code)
    assert result["standing_code"] == "released" and releases[0].number in result["standing"]
    assert "解除" in result["standing"]
    assert "已被编号为" in client.get(f"/verify/{doc.code}/").content.decode()


def test_another_unit_cannot_download_the_stored_file(freeze, browser_client, users):
    doc = IssuedDocument.objects.get(notice=freeze)
    other = browser_client("liaison-bank-abc")
    assert other.get(f"/notices/{freeze.pk}/document.pdf").status_code == 404
    assert other.get(f"/documents/{doc.code}/file.pdf").status_code == 404
    assert browser_client("liaison-bank-icbc").get(f"/documents/{doc.code}/file.pdf").status_code == 200


def test_the_court_reads_masked_and_the_sealed_copy_only_audited(freeze, browser_client, users):
    from members.models import AccessLog

    doc = IssuedDocument.objects.get(notice=freeze)
    clerk = browser_client("clerk")
    live = _get(clerk, f"/notices/{freeze.pk}/document.pdf")
    with doc.file.open("rb") as handle:
        assert live != handle.read()  # the court's reading is the masked rendering, not the unit's copy
    sealed = _get(clerk, f"/documents/{doc.code}/file.pdf?reason=核对")
    assert docs.verify(pdf=sealed)["identical"]
    assert AccessLog.objects.filter(user=users["clerk"], what="sealed_document").exists()
    assert browser_client("office").get(f"/documents/{doc.code}/file.pdf").status_code == 404


def test_acknowledging_produces_the_proof_of_service(freeze, users, browser_client,
                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.notice_acknowledge(actor=users["liaison-bank-icbc"], notice=freeze)
    receipt = IssuedDocument.objects.get(notice=freeze, kind=DocumentKind.RECEIPT)
    assert receipt.is_stored and receipt.sealed and receipt.title == "送达回证"
    page = browser_client("clerk").get(f"/cases/{freeze.case_id}/").content.decode()
    assert "送达回证" in page and receipt.display_code in page
    pdf = _get(browser_client("clerk"), f"/documents/{receipt.code}/file.pdf")
    assert docs.verify(pdf=pdf)["signature_valid"]


def test_unsigned_when_no_key(settings, make_case, issue, browser_client, client):
    settings.SEAL_PKCS12 = ""
    settings.DEBUG = False  # no demo key either
    notice = issue(make_case(), "bank-icbc", "freeze")
    doc = IssuedDocument.objects.get(notice=notice)
    assert doc.is_stored and not doc.sealed and doc.sha256
    pdf = _get(browser_client("liaison-bank-icbc"), f"/notices/{notice.pk}/document.pdf")
    result = docs.verify(pdf=pdf)
    assert result["registered"] and result["identical"] and not result["signature_valid"] and not result["sealed"]
    html = client.post("/verify/", {"file": SimpleUploadedFile("n.pdf", pdf)}).content.decode()
    assert 'data-signature="none"' in html


def test_minutes_issue_stores_the_minutes_and_each_excerpt(users, browser_client,
                                                           django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from conferences import services as conf
    from conferences.models import Minutes

    item = conf.agenda_item_propose(actor=users["office"], title="多单位协作事项", reason="multi_unit",
                                    units=("police", "bank-icbc"))
    conf.agenda_item_approve(actor=users["convener"], item=item, comment="同意上会")
    with django_capture_on_commit_callbacks(execute=True):
        meeting = conf.meeting_create(actor=users["office"], title="联席会议", kind="regular",
                                      starts_at=timezone.now() - timedelta(hours=2), agenda_items=[item])
    conf.minutes_draft(actor=users["office"], meeting=meeting, summary="会议听取了工作汇报。", decisions=[
        {"text": "公安局协助查找被执行人下落。", "unit": "police", "due_at": "2026-12-31"}])
    with django_capture_on_commit_callbacks(execute=True):
        minutes = conf.minutes_issue(actor=users["convener"], minutes=Minutes.objects.get(meeting=meeting))
    rows = IssuedDocument.objects.filter(minutes=minutes)
    assert rows.filter(kind=DocumentKind.MINUTES).count() == 1
    assert rows.filter(kind=DocumentKind.EXCERPT).count() == meeting.invitations.count() >= 2
    assert all(r.is_stored and r.sealed for r in rows)
    excerpt = rows.get(kind=DocumentKind.EXCERPT, unit__code="police")
    pdf = _get(browser_client("liaison-police"), f"/conferences/meetings/{meeting.pk}/minutes.pdf")
    with excerpt.file.open("rb") as handle:
        assert pdf == handle.read()
    assert docs.verify(pdf=pdf)["signature_valid"]


@pytest.mark.usefixtures("rate_window")
def test_the_public_verify_page_is_rate_limited(settings, client, db):
    settings.PUBLIC_RATE_LIMITS = {**settings.PUBLIC_RATE_LIMITS, "verify": "3/min"}
    codes = [client.get("/verify/ZZZZZZZZZZZZ/").status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[-1] == 429


def test_a_document_left_pending_is_sealed_when_its_unit_downloads_it(settings, make_case, issue, browser_client):
    settings.DOCUMENTS_SEAL_ON_ISSUE = False  # e.g. seeded data, or the task was lost
    notice = issue(make_case(), "bank-icbc", "freeze")
    doc = IssuedDocument.objects.get(notice=notice)
    assert doc.status == "pending"
    settings.DOCUMENTS_SEAL_ON_ISSUE = True
    pdf = _get(browser_client("liaison-bank-icbc"), f"/notices/{notice.pk}/document.pdf")
    doc.refresh_from_db()
    assert doc.is_stored and docs.verify(pdf=pdf)["identical"]
    assert _get(browser_client("liaison-bank-icbc"), f"/notices/{notice.pk}/document.pdf") == pdf


def test_the_sweep_seals_what_is_pending(settings, make_case, issue):
    from django.core.management import call_command

    settings.DOCUMENTS_SEAL_ON_ISSUE = False
    notice = issue(make_case(), "bank-icbc", "freeze")
    call_command("seal_pending")
    assert IssuedDocument.objects.get(notice=notice).sealed
