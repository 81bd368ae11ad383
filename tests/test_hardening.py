"""Inputs that cannot hurt (the outside probe's findings 6, 8, 9, 10, 11, 14 and 15): decompression bombs
and active PDFs refused within a bounded time, control characters stripped and tolerated by the exporters,
no live formulas in exports, ids beyond 64 bits and deep JSON answered 400, the webhook's delivery id
signed, and the example env file's placeholder secret key refused at start."""
import functools
import hmac
import io
import json
import os
import struct
import subprocess
import sys
import threading
import time
import zlib
from datetime import timedelta
from hashlib import sha256
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.request import Request, urlopen

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfWriter

from cases import services
from cases.models import Attachment, Measure, Notice
from conferences import services as conf_services
from conferences.documents import minutes_content
from conferences.models import Invitation, Meeting, Minutes
from linkage.numerals import chinese_numeral
from linkage.text import safe_cell, strip_controls
from linkage.uploads import validate_pdf, validate_pdf_batch
from members.integration import sign, verify
from members.models import Unit

from .conftest import pdf_bytes

API = "/api/v1/"
ROOT = Path(settings.BASE_DIR)
MiB = 1024 * 1024


# ---------------------------------------------------------------- PDFs made here, no fixture files

def _raw_pdf(objects: list[bytes]) -> bytes:
    """A classic-xref PDF of the given object bodies (1 is the catalog)."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def _stream(extra: bytes, data: bytes) -> bytes:
    return b"<< /Length %d %s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


_PAGE_TREE = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
              b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>"]


@functools.cache
def content_bomb(size: int = 70 * MiB) -> bytes:
    """One page whose content stream is ``size`` zero bytes, deflated (about 70 KB for 70 MiB)."""
    return _raw_pdf([*_PAGE_TREE, _stream(b"/Filter /FlateDecode", zlib.compress(b"\0" * size, 9))])


@functools.cache
def object_stream_bomb(size: int = 70 * MiB) -> bytes:
    """The catalog and page tree inside an object stream padded to ``size`` (what took pypdf 6 s)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"]
    header, body = b"", b""
    for number, obj in enumerate(objects, start=1):
        header += b"%d %d " % (number, len(body))
        body += obj + b"\n"
    packed = zlib.compress(header + body + b" " * size, 9)
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    at_stream = out.tell()
    out.write(b"4 0 obj\n" + _stream(b"/Type /ObjStm /N 3 /First %d /Filter /FlateDecode" % len(header), packed)
              + b"\nendobj\n")
    at_xref = out.tell()
    rows = (bytes([0]) + struct.pack(">I", 0) + b"\xff\xff"
            + b"".join(bytes([2]) + struct.pack(">I", 4) + struct.pack(">H", i) for i in range(3))
            + bytes([1]) + struct.pack(">I", at_stream) + b"\0\0"
            + bytes([1]) + struct.pack(">I", at_xref) + b"\0\0")
    out.write(b"5 0 obj\n" + _stream(b"/Type /XRef /Size 6 /W [1 4 2] /Root 1 0 R", rows) + b"\nendobj\n")
    out.write(b"startxref\n%d\n%%%%EOF\n" % at_xref)
    return out.getvalue()


def _written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_javascript() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer._root_object[NameObject("/OpenAction")] = DictionaryObject({  # noqa: SLF001
        NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1);")})
    return _written(writer)


def pdf_with_embedded_file() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_attachment("payload.exe", b"MZ\x90\x00")
    return _written(writer)


def pdf_with_hidden_javascript() -> bytes:
    """The JavaScript action spelled with #xx escapes, which a plain byte search does not see."""
    return _raw_pdf([b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>", _PAGE_TREE[1],
                     b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
                     b"<< /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>"])


def _upload(content: bytes, name: str = "ruling.pdf"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _stored_files() -> list[Path]:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


# ---------------------------------------------------------------- 6 and 11: the PDF check

@pytest.mark.parametrize("bomb", [content_bomb, object_stream_bomb], ids=["content-stream", "object-stream"])
def test_a_decompression_bomb_ruling_is_refused_quickly_and_nothing_stored(api, make_case, bomb):
    case = make_case()
    content = bomb()
    assert len(content) < 100 * 1024
    before, files = Attachment.objects.count(), _stored_files()
    started = time.monotonic()
    response = api("clerk").post(f"{API}cases/{case.pk}/rulings/", {"file": _upload(content)}, format="multipart")
    elapsed = time.monotonic() - started
    assert response.status_code == 400, response.content
    assert "压缩炸弹" in " ".join(response.json()["file"])  # decompression bomb, as the clerk reads it
    assert elapsed < 2, elapsed
    assert Attachment.objects.count() == before and _stored_files() == files


def test_a_bomb_attached_to_a_new_notice_is_refused_with_the_notice(api, make_case):
    case = make_case()
    files = _stored_files()
    before = (Notice.objects.count(), Attachment.objects.count())
    started = time.monotonic()
    response = api("clerk").post(f"{API}notices/", {"case": case.pk, "unit": "natres", "action": "seize",
                                                    "subject": "查封不动产", "ruling": _upload(content_bomb())},
                                 format="multipart")
    assert time.monotonic() - started < 2
    assert response.status_code == 400 and "ruling" in response.json(), response.content
    assert (Notice.objects.count(), Attachment.objects.count()) == before and _stored_files() == files


@pytest.mark.parametrize("make", [pdf_with_javascript, pdf_with_embedded_file, pdf_with_hidden_javascript],
                         ids=["javascript", "embedded-file", "escaped-javascript"])
def test_active_pdfs_are_refused(api, make_case, make):
    case = make_case()
    files = _stored_files()
    response = api("clerk").post(f"{API}cases/{case.pk}/rulings/", {"file": _upload(make())}, format="multipart")
    assert response.status_code == 400, response.content
    assert "JavaScript" in " ".join(response.json()["file"])
    assert not case.attachments.filter(original_name="ruling.pdf").exists() and _stored_files() == files


def test_the_check_is_bounded_in_pages_and_keeps_ordinary_pdfs(settings):
    writer = PdfWriter()
    for _ in range(4):
        writer.add_blank_page(width=595, height=842)
    four = _written(writer)
    settings.PDF_MAX_PAGES = 3
    with pytest.raises(ValidationError) as refused:
        validate_pdf(_upload(four))
    assert refused.value.code == "too_many_pages"
    settings.PDF_MAX_PAGES = 500
    assert validate_pdf(_upload(four)) == sha256(four).hexdigest()
    # A stream that inflates a lot but within the budget is an ordinary PDF (a big scanned page).
    assert validate_pdf(_upload(content_bomb(20 * MiB)))


def test_the_time_budget_refuses_rather_than_runs_on(settings):
    settings.PDF_CHECK_SECONDS = 0
    with pytest.raises(ValidationError) as refused:
        validate_pdf(_upload(pdf_bytes()))
    assert refused.value.code == "too_complex"


def test_an_exe_named_pdf_is_stored_as_uuid_pdf_and_keeps_its_name_as_label(api, make_case, browser_client):
    case = make_case()
    response = api("clerk").post(f"{API}cases/{case.pk}/rulings/",
                                 {"file": _upload(pdf_bytes(), name="裁定书.exe")}, format="multipart")
    assert response.status_code == 201, response.content
    stored = case.attachments.get()
    assert stored.original_name == "裁定书.exe"
    name = Path(stored.file.name).name
    assert name.endswith(".pdf") and len(name) == 36 and all(c in "0123456789abcdef" for c in name[:32])
    download = browser_client("clerk").get(f"/attachments/{stored.pk}/")
    if download.status_code == 200:  # the download is named .pdf whatever the label says
        assert ".exe" not in download["Content-Disposition"].split("filename")[-1].rsplit(".", 1)[-1]
        assert download["Content-Type"] == "application/pdf"


# ---------------------------------------------------------------- 6: several files in one answer

@pytest.fixture
def acknowledged(users, make_case, issue):
    notice = issue(make_case(), "bank-icbc", "freeze")
    services.notice_acknowledge(actor=users["liaison-bank-icbc"], notice=notice)
    return notice


def _answer(api, notice, files, **extra):
    body = {"outcome": "done", "result_amount": "1000.00", "attachments": files, **extra}
    return api("liaison-bank-icbc").post(f"{API}notices/{notice.pk}/answer/", body, format="multipart")


def test_six_attachments_in_one_answer_are_refused_before_any_is_opened(api, acknowledged):
    files = [_upload(pdf_bytes(f"回执{i}"), name=f"a{i}.pdf") for i in range(6)]
    response = _answer(api, acknowledged, files)
    assert response.status_code == 400, response.content
    assert "At most 5 files" in " ".join(response.json()["attachments"]) or "5" in str(response.json())
    acknowledged.refresh_from_db()
    assert acknowledged.status == "acknowledged" and not acknowledged.answer_attachments.exists()


def test_five_bombs_in_one_answer_are_refused_within_the_batch_budget(api, acknowledged):
    before = _stored_files()
    started = time.monotonic()
    response = _answer(api, acknowledged, [_upload(content_bomb(), name=f"b{i}.pdf") for i in range(5)])
    assert time.monotonic() - started < 5
    assert response.status_code == 400 and len(response.json()["attachments"]) == 5, response.content
    assert _stored_files() == before


def test_five_good_attachments_are_stored(api, acknowledged):
    response = _answer(api, acknowledged, [_upload(pdf_bytes(f"回执{i}"), name=f"a{i}.pdf") for i in range(5)])
    assert response.status_code == 200, response.content
    assert acknowledged.answer_attachments.count() == 5


def test_the_batch_total_size_is_capped(settings):
    content = pdf_bytes()
    settings.UPLOAD_MAX_BYTES = len(content)
    with pytest.raises(ValidationError) as refused:
        validate_pdf_batch([_upload(content) for _ in range(4)])  # 4 × the limit > 3 × the limit
    assert refused.value.error_list[0].code == "batch_too_large"
    assert len(validate_pdf_batch([_upload(content) for _ in range(3)])) == 3


# ---------------------------------------------------------------- 8 and 9: controls and formulas

def test_strip_controls_and_safe_cell():
    assert strip_controls("a\x00b\x07c\x1bd\x7fe\tf\r\ng\rh") == "abcde\tf\ng\nh"
    assert strip_controls(None) is None and strip_controls(5) == 5
    for dangerous in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x","y")'):
        assert safe_cell(dangerous).startswith("'"), dangerous
    assert safe_cell("工行账户6222") == "工行账户6222" and safe_cell(12) == 12 and safe_cell(None) is None


def _sheet_rows(response):
    assert response.status_code == 200, response.content[:500]
    sheet = load_workbook(io.BytesIO(response.content)).active
    return sheet


def test_control_characters_in_a_measure_asset_are_stripped_and_the_export_answers(api, acknowledged,
                                                                                   browser_client):
    response = api("liaison-bank-icbc").post(f"{API}notices/{acknowledged.pk}/answer/", {
        "outcome": "done", "result_amount": "1000.00",
        "measure": {"asset": "工行\x00账户\x0b6222\x1b0202\x07"}}, format="json")
    assert response.status_code == 200, response.content
    measure = Measure.objects.get(notice=acknowledged)
    assert measure.asset == "工行账户62220202"
    # A row stored before input was cleaned must not make the export answer 500.
    Measure.objects.filter(pk=measure.pk).update(asset="旧\x01数据\x08")
    sheet = _sheet_rows(browser_client("clerk").get(f"/measures/?case={acknowledged.case_id}&format=xlsx"))
    assert sheet.cell(row=3, column=4)  # row 1: title, row 2: header.value == "旧数据"


def test_a_formula_in_an_asset_is_exported_as_text(api, acknowledged, browser_client):
    formula = '=HYPERLINK("http://evil.example/","点击查看")'
    response = api("liaison-bank-icbc").post(f"{API}notices/{acknowledged.pk}/answer/", {
        "outcome": "done", "result_amount": "1000.00", "measure": {"asset": formula}}, format="json")
    assert response.status_code == 200, response.content
    sheet = _sheet_rows(browser_client("clerk").get(f"/measures/?case={acknowledged.case_id}&format=xlsx"))
    cell = sheet.cell(row=3, column=4)  # row 1: title, row 2: header
    assert cell.data_type == "s" and not str(cell.value).startswith("=")
    assert cell.value == "'" + formula
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


@pytest.fixture
def meeting(users, django_capture_on_commit_callbacks):
    item = conf_services.agenda_item_propose(actor=users["office"], title="多单位协作事项", reason="multi_unit",
                                             units=("police", "tax"), cases=())
    conf_services.agenda_item_approve(actor=users["convener"], item=item, comment="同意")
    with django_capture_on_commit_callbacks(execute=True):
        return conf_services.meeting_create(actor=users["office"], title="2026年第一次联席会议", kind="regular",
                                            starts_at=timezone.now() + timedelta(days=3),
                                            place="县法院第一会议室", agenda_items=[item])


def _issue_minutes(users, meeting, decisions, django_capture_on_commit_callbacks,
                   summary="会议听取了工作汇报。"):
    minutes = conf_services.minutes_draft(actor=users["office"], meeting=meeting, summary=summary,
                                          decisions=decisions)
    from conferences.models import Meeting  # the meeting has been held: minutes are issued after it

    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        return conf_services.minutes_issue(actor=users["convener"], minutes=minutes)


def test_control_characters_in_attendance_and_minutes_are_stripped_and_documents_answer(
        api, browser_client, users, meeting, django_capture_on_commit_callbacks):
    response = api("liaison-police").post(f"{API}meetings/{meeting.pk}/attendance/",
                                          {"attendees": "张警官\x0b（副局长）\x1b"}, format="json")
    assert response.status_code == 200, response.content
    assert Invitation.objects.get(meeting=meeting, unit__code="police").attendees == "张警官（副局长）"
    page = browser_client("liaison-tax").post(f"/conferences/meetings/{meeting.pk}/attendance/",
                                              {"attendees": "赵科长\x07"})
    assert page.status_code == 302
    assert Invitation.objects.get(meeting=meeting, unit__code="tax").attendees == "赵科长"
    drafted = api("office").post(f"{API}meetings/{meeting.pk}/minutes/", {
        "summary": "会议\x0c听取了\r\n工作汇报。",
        "decisions": [{"text": "公安局\x00负责", "unit": "police"}]},
        format="json")
    assert drafted.status_code == 201, drafted.content
    minutes = Minutes.objects.get(meeting=meeting)
    assert minutes.summary == "会议听取了\n工作汇报。" and minutes.decisions.get().text == "公安局负责"
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(hours=1))  # held
    with django_capture_on_commit_callbacks(execute=True):
        assert api("convener").post(f"{API}meetings/{meeting.pk}/minutes/issue/").status_code == 200
    # Issued minutes that hold control characters from before (they can no longer be edited) still render.
    Invitation.objects.filter(meeting=meeting, unit__code="police").update(attendees="张\x01警官")
    Minutes.objects.filter(pk=minutes.pk).update(summary="旧\x02纪要")
    minutes.decisions.update(text="旧\x1f决定")
    for kind in ("docx", "pdf"):
        document = api("office").get(f"{API}meetings/{meeting.pk}/minutes.{kind}")
        assert document.status_code == 200, kind
    content = minutes_content(Minutes.objects.get(pk=minutes.pk))
    assert "张警官" in content["attendance"] and content["summary"] == ["旧纪要"]
    assert content["decisions"][0].startswith("一、旧决定")


def test_minutes_with_120_decisions_render(api, users, meeting, django_capture_on_commit_callbacks):
    assert [chinese_numeral(n) for n in (1, 10, 11, 20, 99, 100, 101, 110, 120)] == [
        "一", "十", "十一", "二十", "九十九", "一百", "一百零一", "一百一十", "一百二十"]
    decisions = [{"text": f"第{n}项议定事项"} for n in range(1, 121)]
    minutes = _issue_minutes(users, meeting, decisions, django_capture_on_commit_callbacks)
    assert minutes_content(minutes)["decisions"][-1].startswith("一百二十、")
    docx = api("office").get(f"{API}meetings/{meeting.pk}/minutes.docx")
    assert docx.status_code == 200
    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "一百零一、第101项议定事项" in text and "一百二十、第120项议定事项" in text
    assert api("office").get(f"{API}meetings/{meeting.pk}/minutes.pdf").status_code == 200


# ---------------------------------------------------------------- 10: ids and JSON that 500ed

@pytest.mark.parametrize("value", ["abc", str(2**70), "0", "-1", "1.5", "²", "１", "9" * 5000],
                         ids=["text", "2^70", "zero", "negative", "decimal", "superscript", "fullwidth", "5000-digits"])
def test_action_items_filtered_by_a_meeting_no_row_can_have_answer_an_empty_list(api, value):
    response = api("office").get(f"{API}action-items/", {"meeting": value})
    assert response.status_code in (200, 400), response.content
    if response.status_code == 200:
        assert response.json()["results"] == []


@pytest.mark.parametrize("value", [2**70, 2**63, 0, -3, "abc", 1.5, True, None, [1]])
def test_id_lists_refuse_what_no_row_can_have(api, make_case, issue, value):
    agenda = api("office").post(f"{API}agenda-items/", {"title": "事项", "reason": "other", "cases": [value]},
                                format="json")
    assert agenda.status_code == 400 and "cases" in agenda.json(), agenda.content
    meeting = api("office").post(f"{API}meetings/", {"title": "会", "kind": "regular", "starts_at": "2026-12-01",
                                                     "agenda_items": [value]}, format="json")
    assert meeting.status_code == 400 and "agenda_items" in meeting.json(), meeting.content
    report = api("clerk").post(f"{API}noncooperation-reports/", {
        "unit": "bank-icbc", "kind": "passive", "detail": "逾期未协助", "notices": [value]}, format="json")
    assert report.status_code == 400 and "notices" in report.json(), report.content


def test_an_id_list_is_bounded_in_length(api):
    response = api("office").post(f"{API}agenda-items/", {"title": "事项", "reason": "other",
                                                          "cases": list(range(1, 1002))}, format="json")
    assert response.status_code == 400 and "cases" in response.json()


def test_single_ids_beyond_64_bits_are_400(api):
    credit = api("clerk").post(f"{API}credit-entries/", {"case": 2**70, "party": 2**70}, format="json")
    assert credit.status_code in (400, 403), credit.content
    if credit.status_code == 400:
        assert "case" in credit.json()


@pytest.mark.parametrize("depth", [33, 5000, 100_000])
def test_deeply_nested_json_is_400(api, depth):
    body = "[" * depth + "]" * depth
    response = api("office").post(f"{API}agenda-items/", body, content_type="application/json")
    assert response.status_code == 400, response.content[:200]
    nested = '{"title": "事项", "reason": "other", "description": ' + '{"a": ' * depth + "1" + "}" * depth + "}"
    response = api("office").post(f"{API}agenda-items/", nested, content_type="application/json")
    assert response.status_code == 400


def test_ordinary_nesting_still_parses(api):
    response = api("office").post(f"{API}agenda-items/", json.dumps({"title": "事项", "reason": "other",
                                                                     "units": ["police"]}),
                                  content_type="application/json")
    assert response.status_code == 201, response.content


def test_free_text_has_a_length_limit(api):
    response = api("office").post(f"{API}agenda-items/", {"title": "事项", "reason": "other",
                                                          "description": "长" * 5001}, format="json")
    assert response.status_code == 400 and "description" in response.json()


# ---------------------------------------------------------------- 14: the delivery id is signed

def test_the_signature_covers_the_delivery_id():
    body, now = b'{"event": "issue"}', int(time.time())
    signature = sign("k", now, body, delivery=4711)
    assert verify("k", str(now), body, signature, delivery="4711")
    assert not verify("k", str(now), body, signature, delivery="4712")
    assert not verify("k", str(now), body, signature)  # without the id it does not match either


class _Capture:
    def __init__(self):
        self.requests = []
        capture = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                capture.requests.append((dict(self.headers), self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/linkage"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_the_portal_signs_the_delivery_id_it_sends(make_case, issue):
    capture = _Capture()
    try:
        Unit.objects.filter(code="bank-icbc").update(webhook_url=capture.url, webhook_secret="s3cret")
        issue(make_case(), "bank-icbc", "freeze")
        headers, body = capture.requests[0]
    finally:
        capture.close()
    ts, signature, delivery = (headers["X-Linkage-Timestamp"], headers["X-Linkage-Signature"],
                               headers["X-Linkage-Delivery"])
    assert verify("s3cret", ts, body, signature, delivery=delivery)
    assert not verify("s3cret", ts, body, signature, delivery=str(int(delivery) + 1))
    assert json.loads(body)["delivery"] == int(delivery)


def _example():
    import importlib.util

    spec = importlib.util.spec_from_file_location("unit_system", ROOT / "docs" / "examples" / "unit_system.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_example_receiver_refuses_a_replay():
    example = _example()
    seen = example.SeenDeliveries()
    server = example.make_server(0, "example-secret", "http://127.0.0.1:9/api/v1", "token", seen=seen)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/linkage"

    def post(delivery, ts, signed_delivery=None):
        body = json.dumps({"event": "cancel", "delivery": 1, "notice": {"id": 1, "status": "cancelled"}}).encode()
        message = f"{ts}.{signed_delivery if signed_delivery is not None else delivery}.".encode() + body
        signature = hmac.new(b"example-secret", message, "sha256").hexdigest()
        request = Request(url, data=body, method="POST", headers={
            "X-Linkage-Timestamp": str(ts), "X-Linkage-Signature": signature, "X-Linkage-Delivery": delivery,
            "Content-Type": "application/json"})
        try:
            with urlopen(request, timeout=5) as response:
                return response.status
        except Exception as exc:  # HTTPError carries the status
            return getattr(exc, "code", None)

    try:
        now = int(time.time())
        assert post("1", now) == 204 and "1" in seen
        assert post("1", now) == 204 and len(seen._seen) == 1  # the same delivery again: acted on once
        # A captured request replayed under a new delivery id: the signature no longer matches.
        assert post("2", now, signed_delivery="1") == 401 and "2" not in seen
        assert post("3", now - 301) == 401  # outside the replay window
        assert post("", now) == 401  # no delivery id to act on once
    finally:
        server.shutdown()
        server.server_close()


# ---------------------------------------------------------------- 15: the placeholder secret key

def _example_secret() -> str:
    for line in (ROOT / "deploy" / "linkage.env.example").read_text().splitlines():
        if line.startswith("DJANGO_SECRET_KEY="):
            return line.split("=", 1)[1]
    raise AssertionError("no DJANGO_SECRET_KEY in deploy/linkage.env.example")


@pytest.mark.parametrize("key", ["placeholder", "short", "repetitive"])
def test_production_settings_refuse_the_placeholder_or_a_weak_secret_key(key):
    value = {"placeholder": _example_secret(), "short": "s3cr3t-but-only-thirty-characters",
             "repetitive": "ab" * 30}[key]
    env = {**os.environ, "DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": value,
           "DJANGO_ALLOWED_HOSTS": "linkage.example.gov.cn"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run([sys.executable, "-c", "import django, os; os.environ.setdefault("
                             "'DJANGO_SETTINGS_MODULE', 'linkage.settings'); django.setup()"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    if key == "repetitive":  # 60 characters but only two distinct ones
        assert len(set(value)) < 5
    assert result.returncode != 0, result.stdout + result.stderr
    assert "ImproperlyConfigured" in result.stderr and "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.parametrize("path", ["notices", "cases", "meetings", "action-items", "agenda-items", "measures",
                                  "noncooperation-reports", "credit-entries"])
def test_object_ids_beyond_64_bits_in_the_path_are_404(api, path):
    for pk in (2**70, "9" * 30, "abc"):
        response = api("clerk").get(f"{API}{path}/{pk}/")
        assert response.status_code == 404, (path, pk, response.status_code)


def test_deeply_nested_json_to_the_token_endpoint_is_400(api):
    body = "[" * 5000 + "]" * 5000
    assert api().post(f"{API}auth/token/", body, content_type="application/json").status_code == 400


def test_a_case_with_too_many_parties_is_refused_and_nothing_created(api):
    """Finding 7: 10,000 parties were accepted; a case holds at most 50."""
    from cases.models import Case
    from tests.conftest import make_resident_id

    parties = [{"role": "debtor", "name": f"被执行人{i}", "id_number": make_resident_id(i)} for i in range(51)]
    count = Case.objects.count()
    response = api("clerk").post("/api/v1/cases/", {"number": "(2026)鄂1022执8899号", "title": "多当事人",
                                                    "amount": "1.00", "parties": parties}, format="json")
    assert response.status_code == 400 and "parties" in response.json()
    assert Case.objects.count() == count
