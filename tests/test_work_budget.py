"""Expensive endpoints bounded by work, not only by requests (issue 29, items 1 and 8): a per-client budget
of CPU seconds per minute and one expensive request in flight per client (``linkage.workbudget``), one
PDF inspection budget per request (``linkage.uploads.inspection_budget``), and HTML/PDF polyglots refused.

What a user sees: a 429 with ``Retry-After`` and a message that says why (the page for a browser, DRF's
``detail`` for the API), and, once ``Retry-After`` has passed, the service again; a refused request
changes nothing. The endpoints: the anonymous ``/verify/`` page, ``POST /api/v1/documents/verify/``, a
unit's answer with attachments (page and API), the bulk credit check.

No real timings (docs/testing.md): the CPU and wall clocks of ``linkage.workbudget`` are replaced by fakes,
the busy mark is held by hand, and the object budget is set small; a refusal "at once" is shown by what was
not done (no CPU read, the view's service never called, pypdf never opened). The figures under load are
the bench's (``bench/abuse_bench.py``). Pages and API answers are asked for in English (the messages'
source text); one test reads the 429 page in the portal's own language."""
import io
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.utils import translation
from pypdf import PdfReader
from rest_framework.test import APIClient

from cases import services
from credit.models import CreditCheck
from linkage import uploads, workbudget
from linkage.uploads import inspection_budget, validate_pdf, validate_pdf_batch

from .conftest import make_resident_id, pdf_bytes

API = "/api/v1/"
VERIFY_API = f"{API}documents/verify/"
UNKNOWN_CODE = "ZZZZZZZZZZZZ"
BANK = "liaison-bank-icbc"
SPENT = "You have used the server work allowed per minute for checking files"
BUSY = "Another request of yours that takes the server much work is still running"
POLYGLOT = "holds something other than the PDF before its start or after its end"
TOO_COMPLEX = "is too complex to check in time"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.domain)</script></body></html>\n"


@pytest.fixture(autouse=True)
def _english(settings):
    """Pages, API answers and ``validate_pdf`` called here speak English (a request without
    Accept-Language gets ``LANGUAGE_CODE``)."""
    settings.LANGUAGE_CODE = "en"


def _upload(content: bytes, name: str = "ruling.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, "application/pdf")


class FakeClocks:
    """``cpu_time`` advances ``step`` CPU seconds at each reading (so each budgeted block costs ``step``);
    ``wall_time`` stands still until ``advance``."""

    def __init__(self, step: float):
        self.step, self.cpu, self.wall, self.cpu_readings = step, 0.0, 1_000_000.0, 0

    def cpu_time(self) -> float:
        self.cpu_readings += 1
        self.cpu += self.step  # read at a block's start and at its end: the block cost ``step``
        return self.cpu

    def wall_time(self) -> float:
        return self.wall

    def advance(self, seconds: float) -> None:
        self.wall += seconds


@pytest.fixture
def clocks(monkeypatch):
    def install(step: float) -> FakeClocks:
        fake = FakeClocks(step)
        monkeypatch.setattr(workbudget, "cpu_time", fake.cpu_time)
        monkeypatch.setattr(workbudget, "wall_time", fake.wall_time)
        return fake

    return install


def _verify_page(client: Client):
    return client.post("/verify/", {"code": UNKNOWN_CODE})


def _verify_api(client):
    """``client``: an APIClient (token), or the Django test client (session)."""
    if isinstance(client, APIClient):
        return client.post(VERIFY_API, {"code": UNKNOWN_CODE}, format="json")
    return client.post(VERIFY_API, {"code": UNKNOWN_CODE}, content_type="application/json")


def _busy_key(ident: str) -> str:
    """The key of the client's first (and by default only) busy mark."""
    return f"workbudget:busy:{ident}:0"


def _user_ident(users, username: str) -> str:
    return f"user:{users[username].pk}"


def _stored_files(settings) -> list[Path]:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


# ---------------------------------------------------------------- the CPU budget

def test_the_verify_page_refuses_with_429_once_the_cpu_allowance_is_spent(db, settings, clocks):
    settings.WORK_BUDGET_ANONYMOUS_CPU_SECONDS_PER_MINUTE = 2
    fake = clocks(step=1.5)
    client = Client(REMOTE_ADDR="10.0.0.1")
    assert _verify_page(client).status_code == 200  # owes 1.5 s of 2
    assert _verify_page(client).status_code == 200  # began owing 1.5 < 2; now owes 3.0
    refused = _verify_page(client)
    page = refused.content.decode()
    assert refused.status_code == 429
    # It may start again once it owes less than 2 s: 1 s of debt at 2 s per 60 s of wall clock, + 1.
    assert refused["Retry-After"] == "31"
    assert "Too many requests" in page and SPENT in page and "try again in 31 seconds" in page
    assert workbudget.owed("addr:10.0.0.1", False) == pytest.approx(3.0)  # the refusal cost nothing
    fake.advance(30)
    assert _verify_page(client).status_code == 429  # a second early: still refused
    fake.advance(1)  # Retry-After has passed
    assert _verify_page(client).status_code == 200


@pytest.mark.parametrize("auth", ["token", "session"])
def test_the_verify_api_refuses_with_429_once_the_cpu_allowance_is_spent(auth, settings, clocks, api,
                                                                         browser_client):
    settings.WORK_BUDGET_CPU_SECONDS_PER_MINUTE = 5
    fake = clocks(step=3)
    client = api("clerk") if auth == "token" else browser_client("clerk")
    assert _verify_api(client).status_code == 200  # owes 3 s of 5
    assert _verify_api(client).status_code == 200  # began owing 3 < 5; now owes 6
    refused = _verify_api(client)
    assert refused.status_code == 429, refused.content
    # 1 s over the allowance at 5 s per 60 s: 12 s, + 1.
    assert refused["Retry-After"] == "13"
    detail = refused.json()["detail"]
    assert SPENT in detail and "try again in 13 seconds" in detail
    fake.advance(12)
    assert _verify_api(client).status_code == 429
    fake.advance(1)
    response = _verify_api(client)
    assert response.status_code == 200 and response.json()["registered"] is False


def test_the_429_page_speaks_the_portals_language(db, settings, clocks):
    settings.LANGUAGE_CODE = "zh-hans"
    settings.WORK_BUDGET_ANONYMOUS_CPU_SECONDS_PER_MINUTE = 1
    clocks(step=2)
    client = Client(REMOTE_ADDR="10.0.0.11")
    assert _verify_page(client).status_code == 200
    refused = _verify_page(client)
    with translation.override("zh-hans"):
        expected = workbudget.WorkRefused(busy=False, wait=int(refused["Retry-After"])).message
    assert refused.status_code == 429 and expected in refused.content.decode()
    assert SPENT not in refused.content.decode()  # translated, not the source text


def test_a_get_of_the_verify_page_costs_no_budget(db, settings, clocks):
    settings.WORK_BUDGET_ANONYMOUS_CPU_SECONDS_PER_MINUTE = 1
    fake = clocks(step=5)
    client = Client(REMOTE_ADDR="10.0.0.2")
    assert _verify_page(client).status_code == 200
    assert _verify_page(client).status_code == 429
    readings = fake.cpu_readings
    assert client.get("/verify/").status_code == 200  # the form, while the budget is spent
    assert fake.cpu_readings == readings


def test_addresses_and_users_have_budgets_of_their_own(db, settings, clocks, api, users):
    settings.WORK_BUDGET_ANONYMOUS_CPU_SECONDS_PER_MINUTE = 1
    settings.WORK_BUDGET_CPU_SECONDS_PER_MINUTE = 1
    clocks(step=2)
    first, second = Client(REMOTE_ADDR="10.0.0.1"), Client(REMOTE_ADDR="10.0.0.2")
    assert _verify_page(first).status_code == 200
    assert _verify_page(first).status_code == 429
    assert _verify_page(second).status_code == 200  # another address
    clerk, bank = api("clerk"), api(BANK)
    assert _verify_api(clerk).status_code == 200
    refused = _verify_api(clerk)
    assert refused.status_code == 429 and SPENT in refused.json()["detail"], refused.content
    response = _verify_api(bank)  # another user: its own budget, whole
    assert response.status_code == 200, response.content
    assert workbudget.owed(_user_ident(users, "clerk"), True) == pytest.approx(2)
    assert workbudget.owed(_user_ident(users, BANK), True) == pytest.approx(2)
    # A signed-in user is counted as the user, not as the address it shares with anonymous visitors.
    assert workbudget.owed("addr:127.0.0.1", False) == 0


def test_a_signed_in_user_has_the_larger_allowance(db, settings, clocks, api):
    settings.WORK_BUDGET_ANONYMOUS_CPU_SECONDS_PER_MINUTE = 1
    settings.WORK_BUDGET_CPU_SECONDS_PER_MINUTE = 5
    clocks(step=2)
    clerk = api("clerk")
    assert [_verify_api(clerk).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_no_budget_when_the_setting_is_zero(db, settings, clocks):
    settings.WORK_BUDGET_ANONYMOUS_CPU_SECONDS_PER_MINUTE = 0
    clocks(step=100)
    client = Client(REMOTE_ADDR="10.0.0.3")
    assert [_verify_page(client).status_code for _ in range(3)] == [200, 200, 200]
    assert workbudget.owed("addr:10.0.0.3", False) == 0


# ---------------------------------------------------------------- one in flight per client

@pytest.fixture
def verify_calls(monkeypatch):
    """The calls of ``documents.services.verify``: whether a request got as far as the work."""
    from documents import services as documents

    calls = []
    real = documents.verify

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(documents, "verify", spy)
    return calls


def test_a_second_page_request_while_one_is_in_flight_is_refused_at_once(db, clocks, verify_calls):
    fake = clocks(step=1)
    assert cache.add(_busy_key("addr:10.0.0.1"), "held by a request in flight", 60)
    refused = Client(REMOTE_ADDR="10.0.0.1").post("/verify/", {"file": _upload(pdf_bytes())})
    assert refused.status_code == 429 and refused["Retry-After"] == "1"
    assert BUSY in refused.content.decode()
    # Refused before any work: the file not checked, no CPU measured or charged, the other's mark kept.
    assert verify_calls == [] and fake.cpu_readings == 0
    assert workbudget.owed("addr:10.0.0.1", False) == 0
    assert cache.get(_busy_key("addr:10.0.0.1")) == "held by a request in flight"
    # Another address is served meanwhile.
    assert Client(REMOTE_ADDR="10.0.0.9").post("/verify/", {"file": _upload(pdf_bytes())}).status_code == 200
    assert len(verify_calls) == 1


def test_a_second_api_request_while_one_is_in_flight_is_refused_at_once(api, users, clocks, verify_calls):
    fake = clocks(step=1)
    key = _busy_key(_user_ident(users, "clerk"))
    assert cache.add(key, "held", 60)
    refused = api("clerk").post(VERIFY_API, {"file": _upload(pdf_bytes())}, format="multipart")
    assert refused.status_code == 429 and refused["Retry-After"] == "1", refused.content
    assert BUSY in refused.json()["detail"]
    assert verify_calls == [] and fake.cpu_readings == 0 and cache.get(key) == "held"
    assert workbudget.owed(_user_ident(users, "clerk"), True) == 0
    other = api(BANK).post(VERIFY_API, {"file": _upload(pdf_bytes())}, format="multipart")
    assert other.status_code == 200, other.content


def test_the_busy_mark_is_released_when_a_request_ends_even_when_the_view_raised(db, settings, clocks,
                                                                               monkeypatch):
    from documents import services as documents

    settings.WORK_BUDGET_ANONYMOUS_CPU_SECONDS_PER_MINUTE = 10  # the budget is not what this is about
    fake = clocks(step=1)
    real, failing = documents.verify, [False]

    def verify(**kwargs):
        if failing[0]:
            raise RuntimeError("the database went away")
        return real(**kwargs)

    monkeypatch.setattr(documents, "verify", verify)
    key = _busy_key("addr:10.0.0.12")
    client = Client(REMOTE_ADDR="10.0.0.12")
    assert _verify_page(client).status_code == 200
    assert cache.get(key) is None
    failing[0] = True
    with pytest.raises(RuntimeError):
        _verify_page(client)
    assert cache.get(key) is None  # released
    assert workbudget.owed("addr:10.0.0.12", False) == pytest.approx(2)  # and the failed work was charged
    failing[0] = False
    assert _verify_page(client).status_code == 200  # not locked out by the failure
    assert fake.cpu_readings == 6 and cache.get(key) is None


def test_the_busy_mark_is_released_after_an_api_error(api, users):
    key = _busy_key(_user_ident(users, "clerk"))
    clerk = api("clerk")
    bad = clerk.post(VERIFY_API, {}, format="json")  # neither a file nor a code: 400 from inside the budget
    assert bad.status_code == 400 and "file" in bad.json(), bad.content
    assert cache.get(key) is None
    assert _verify_api(clerk).status_code == 200


def test_the_busy_mark_is_held_for_the_block_and_released_after_it(db):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().post("/verify/", REMOTE_ADDR="10.0.0.4")
    request.user = AnonymousUser()
    key = _busy_key("addr:10.0.0.4")
    with workbudget.work_budget(request):
        assert cache.get(key) is not None
        with pytest.raises(workbudget.WorkRefused) as refused, workbudget.work_budget(request):
            pass
        assert refused.value.busy and refused.value.status_code == 429 and refused.value.wait == 1
        assert cache.get(key) is not None  # the refused one did not release the mark of the one in flight
    assert cache.get(key) is None
    with pytest.raises(ZeroDivisionError), workbudget.work_budget(request):
        1 / 0  # noqa: B018
    assert cache.get(key) is None


def test_more_slots_when_the_setting_allows(db, settings):
    from django.contrib.auth.models import AnonymousUser

    settings.WORK_BUDGET_CONCURRENT = 2
    request = RequestFactory().post("/verify/", REMOTE_ADDR="10.0.0.5")
    request.user = AnonymousUser()
    with workbudget.work_budget(request), workbudget.work_budget(request):
        with pytest.raises(workbudget.WorkRefused) as refused, workbudget.work_budget(request):
            pass
        assert refused.value.busy
    assert cache.get(_busy_key("addr:10.0.0.5")) is None


def test_the_bulk_check_is_refused_while_another_expensive_request_runs(browser_client, users):
    cache.add(_busy_key(_user_ident(users, BANK)), "held", 60)
    upload = SimpleUploadedFile("list.csv", f"证件号码\r\n{make_resident_id(1)}\r\n".encode(), "text/csv")
    refused = browser_client(BANK).post("/credit/check/", {"file": upload, "reason": "贷款审查"})
    assert refused.status_code == 429 and refused["Retry-After"] == "1"
    assert BUSY in refused.content.decode()
    assert not CreditCheck.objects.exists()


# ---------------------------------------------------------------- answers with attachments

@pytest.fixture
def acknowledged(users, make_case, issue):
    notice = issue(make_case(), "bank-icbc", "freeze")
    services.notice_acknowledge(actor=users[BANK], notice=notice)
    return notice


def _answer(api, notice, files):
    body = {"outcome": "done", "result_amount": "1000.00", "attachments": files}
    return api(BANK).post(f"{API}notices/{notice.pk}/answer/", body, format="multipart")


def _answer_page(browser_client, notice, upload=None, **kwargs):
    body = {"outcome": "done", "result_amount": "1000.00"}
    if upload is not None:
        body["attachment"] = upload
    return browser_client(BANK).post(f"/notices/{notice.pk}/answer/", body, **kwargs)


def _unchanged(notice, settings, files_before) -> None:
    notice.refresh_from_db()
    assert notice.status == "acknowledged" and notice.answered_at is None
    assert not notice.answer_attachments.exists()
    assert _stored_files(settings) == files_before


def _spend(users, username: str) -> None:
    workbudget.charge(_user_ident(users, username), True, 600)


@pytest.mark.parametrize("why", ["busy", "spent"])
def test_a_refused_answer_page_with_an_attachment_changes_nothing(why, acknowledged, users, browser_client,
                                                                  settings, clocks):
    clocks(step=1)
    if why == "busy":
        cache.add(_busy_key(_user_ident(users, BANK)), "held", 60)
    else:
        _spend(users, BANK)
    files_before = _stored_files(settings)
    response = _answer_page(browser_client, acknowledged, _upload(pdf_bytes("回执")))
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    assert (BUSY if why == "busy" else SPENT) in response.content.decode()
    _unchanged(acknowledged, settings, files_before)


def test_a_refused_api_answer_with_attachments_changes_nothing(api, acknowledged, users, settings, clocks):
    clocks(step=1)
    _spend(users, BANK)
    files_before = _stored_files(settings)
    refused = _answer(api, acknowledged, [_upload(pdf_bytes())])
    assert refused.status_code == 429 and SPENT in refused.json()["detail"], refused.content
    _unchanged(acknowledged, settings, files_before)


def test_an_answer_with_attachments_is_charged_to_the_unit_user(api, acknowledged, users, clocks):
    clocks(step=1)
    response = _answer(api, acknowledged, [_upload(pdf_bytes())])
    assert response.status_code == 200, response.content
    assert acknowledged.answer_attachments.count() == 1
    assert workbudget.owed(_user_ident(users, BANK), True) == pytest.approx(1)
    assert cache.get(_busy_key(_user_ident(users, BANK))) is None


def test_an_answer_page_without_files_is_not_subject_to_the_budget(acknowledged, users, browser_client, clocks):
    fake = clocks(step=1)
    cache.add(_busy_key(_user_ident(users, BANK)), "held", 60)
    _spend(users, BANK)
    response = _answer_page(browser_client, acknowledged)
    assert response.status_code == 302
    acknowledged.refresh_from_db()
    assert acknowledged.status == "answered" and acknowledged.answered_at is not None
    assert fake.cpu_readings == 0


def test_an_api_answer_without_files_is_not_subject_to_the_budget(api, acknowledged, users, clocks):
    clocks(step=1)
    cache.add(_busy_key(_user_ident(users, BANK)), "held", 60)
    _spend(users, BANK)
    response = _answer(api, acknowledged, [])
    assert response.status_code == 200, response.content
    acknowledged.refresh_from_db()
    assert acknowledged.status == "answered"


# ---------------------------------------------------------------- polyglots

@pytest.mark.parametrize("make", [lambda pdf: HTML + pdf, lambda pdf: pdf + HTML,
                                  lambda pdf: b"\n" + HTML + pdf, lambda pdf: pdf.rstrip() + b" <html>\n"],
                         ids=["html-before", "html-after", "html-after-a-newline-before", "tag-after-eof"])
def test_html_pdf_polyglots_are_refused(make):
    with pytest.raises(ValidationError) as refused:
        validate_pdf(_upload(make(pdf_bytes())))
    assert refused.value.code == "polyglot"
    assert POLYGLOT in refused.value.messages[0]


@pytest.mark.parametrize("make", [lambda pdf: HTML + pdf, lambda pdf: pdf + b"PK\x03\x04" + HTML],
                         ids=["html-before-pdf", "bytes-after-eof"])
def test_a_polyglot_answer_is_refused_and_stores_nothing(make, api, acknowledged, settings):
    files_before = _stored_files(settings)
    response = _answer(api, acknowledged, [_upload(make(pdf_bytes()), name="回执.pdf")])
    assert response.status_code == 400, response.content
    errors = response.json()["attachments"]
    assert len(errors) == 1 and POLYGLOT in errors[0] and "回执.pdf" in errors[0]
    _unchanged(acknowledged, settings, files_before)


def test_a_polyglot_on_the_answer_page_is_refused_and_stores_nothing(acknowledged, browser_client, settings):
    files_before = _stored_files(settings)
    response = _answer_page(browser_client, acknowledged, _upload(HTML + pdf_bytes(), name="回执.pdf"),
                            follow=True)
    assert response.status_code == 200 and POLYGLOT in response.content.decode()
    _unchanged(acknowledged, settings, files_before)


def test_whitespace_around_a_pdf_is_no_polyglot_and_no_eof_is_damage():
    pdf = pdf_bytes()
    assert validate_pdf(_upload(b" \r\n\t" + pdf + b"\r\n\x00\x00 \n"))
    cut = pdf[:pdf.rindex(b"%%EOF")]
    with pytest.raises(ValidationError) as refused:
        validate_pdf(_upload(cut + HTML))
    assert refused.value.code == "bad_pdf"


def test_a_polyglot_ruling_is_refused_by_the_api_and_stores_nothing(api, make_case):
    case = make_case()
    response = api("clerk").post(f"{API}cases/{case.pk}/rulings/", {"file": _upload(pdf_bytes() + HTML)},
                                 format="multipart")
    assert response.status_code == 400, response.content
    assert POLYGLOT in " ".join(response.json()["file"])
    assert not case.attachments.exists()


def test_a_polyglot_is_refused_by_verification(db, api):
    page = Client(REMOTE_ADDR="10.0.0.6").post("/verify/", {"file": _upload(HTML + pdf_bytes())})
    html = page.content.decode()
    assert page.status_code == 200 and 'id="verdict"' not in html and POLYGLOT in html
    response = api("clerk").post(VERIFY_API, {"file": _upload(pdf_bytes() + HTML)}, format="multipart")
    assert response.status_code == 400 and POLYGLOT in " ".join(response.json()["file"]), response.content


# ---------------------------------------------------------------- ordinary PDFs, too many objects, one budget

def test_a_normal_pdf_is_still_accepted(db, api):
    pdf = pdf_bytes()
    assert validate_pdf(_upload(pdf))
    page = Client(REMOTE_ADDR="10.0.0.7").post("/verify/", {"file": _upload(pdf)})
    assert page.status_code == 200 and 'data-registered="no"' in page.content.decode()
    response = api("clerk").post(VERIFY_API, {"file": _upload(pdf)}, format="multipart")
    assert response.status_code == 200 and response.json()["registered"] is False, response.content


def _many_objects(count: int, body: bytes | None = None) -> bytes:
    """One page and ``count`` small unreferenced objects (the bench's 90,000-object attack, in small)."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    bodies = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
              b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"]
    bodies += [body or b"<< /K [1 0 R] /T (%d) >>" % i for i in range(count)]
    offsets = []
    for number, text in enumerate(bodies, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + text + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(bodies) + 1, xref))
    return out.getvalue()


@pytest.fixture
def pypdf_opened(monkeypatch):
    """How many times pypdf's reader was opened on an upload (a refusal on the raw count opens none)."""
    opened = []
    real = uploads.PdfReader

    def spy(*args, **kwargs):
        opened.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(uploads, "PdfReader", spy)
    return opened


def test_too_many_objects_are_refused_before_parsing(settings, pypdf_opened):
    settings.PDF_MAX_OBJECTS = 500
    assert validate_pdf(_upload(_many_objects(400)))
    assert len(pypdf_opened) == 1
    with pytest.raises(ValidationError) as refused:
        validate_pdf(_upload(_many_objects(600)))
    assert refused.value.code == "too_complex" and TOO_COMPLEX in refused.value.messages[0]
    assert len(pypdf_opened) == 1  # the second file never reached pypdf


def test_an_answer_declaring_more_objects_than_the_limit_is_refused_unparsed(api, acknowledged, settings,
                                                                           pypdf_opened):
    """At the default ``PDF_MAX_OBJECTS`` (20,000): a file of under a megabyte, its page tree and 20,000
    tiny objects."""
    assert not hasattr(settings, "PDF_MAX_OBJECTS") or settings.PDF_MAX_OBJECTS == uploads.PDF_MAX_OBJECTS
    content = _many_objects(uploads.PDF_MAX_OBJECTS, body=b"null")  # + the page tree's 3
    assert len(content) < settings.UPLOAD_MAX_BYTES
    files_before = _stored_files(settings)
    response = _answer(api, acknowledged, [_upload(content, name="big.pdf")])
    assert response.status_code == 400, response.content
    assert TOO_COMPLEX in response.json()["attachments"][0]
    assert pypdf_opened == []
    _unchanged(acknowledged, settings, files_before)


def test_a_too_complex_file_is_still_looked_up_by_its_hash_at_verify(db, settings):
    settings.PDF_MAX_OBJECTS = 50
    page = Client(REMOTE_ADDR="10.0.0.8").post("/verify/", {"file": _upload(_many_objects(100))})
    assert page.status_code == 200 and 'data-registered="no"' in page.content.decode()


def _objects(content: bytes) -> int:
    reader = PdfReader(io.BytesIO(content))
    return sum(len(t) for t in reader.xref.values()) + len(reader.xref_objStm)


def test_two_files_of_one_answer_share_one_inspection_budget(api, acknowledged, settings):
    first, second = pdf_bytes("回执一"), pdf_bytes("回执二")
    per_file = _objects(first)
    assert _objects(second) == per_file
    settings.PDF_MAX_OBJECTS = 2 * per_file - 1  # each file alone is within it, the two together are not
    assert validate_pdf(_upload(first)) and validate_pdf(_upload(second))
    files_before = _stored_files(settings)
    response = _answer(api, acknowledged, [_upload(first, name="a1.pdf"), _upload(second, name="a2.pdf")])
    assert response.status_code == 400, response.content
    errors = response.json()["attachments"]
    assert len(errors) == 1 and "a2.pdf" in errors[0] and TOO_COMPLEX in errors[0], errors
    _unchanged(acknowledged, settings, files_before)
    # Either alone fits.
    response = _answer(api, acknowledged, [_upload(first, name="a1.pdf")])
    assert response.status_code == 200, response.content
    assert acknowledged.answer_attachments.count() == 1


def test_one_request_one_budget_of_objects_and_time(settings):
    content = pdf_bytes()
    per_file = _objects(content)
    with inspection_budget() as budget:
        validate_pdf(_upload(content))
        deadline = budget.deadline
        assert budget.objects == per_file
        assert len(validate_pdf_batch([_upload(content), _upload(content)])) == 2  # the same budget
        assert budget.objects == 3 * per_file and budget.deadline == deadline
    settings.PDF_MAX_OBJECTS = 2 * per_file
    with pytest.raises(ValidationError) as refused:
        validate_pdf_batch([_upload(content) for _ in range(3)])
    assert [e.code for e in refused.value.error_list] == ["too_complex"]
    assert validate_pdf(_upload(content))  # outside a request's budget: a call of its own


# ---------------------------------------------------------------- a sealed document still verifies

@pytest.fixture
def sealing(settings, tmp_path):
    from documents import seal

    ca, p12 = seal.make_ca(Path(tmp_path), court_name="湖北省公安县人民法院", passphrase="test-pass", key_size=2048)
    settings.DOCUMENTS_SEAL_ON_ISSUE = True
    settings.SEAL_PKCS12, settings.SEAL_PASSPHRASE = str(p12), "test-pass"
    settings.SEAL_TRUST_ROOTS, settings.SEAL_TSA_URL = [str(ca)], ""


def test_a_sealed_document_is_no_polyglot_and_verifies_within_the_budget(sealing, make_case, issue,
                                                                          browser_client, api):
    notice = issue(make_case(), "bank-icbc", "freeze", asset_kind="deposit", account="6222020000000000001",
                   amount="5000")
    pdf = browser_client(BANK).get(f"/notices/{notice.pk}/document.pdf").content
    assert validate_pdf(_upload(pdf))
    page = Client(REMOTE_ADDR="10.0.0.10").post("/verify/", {"file": _upload(pdf)}).content.decode()
    assert 'data-signature="valid"' in page and 'data-identical="yes"' in page
    body = api(BANK).post(VERIFY_API, {"file": _upload(pdf)}, format="multipart").json()
    assert body["signature_valid"] and body["identical"]


def test_the_server_wide_cap_waits_for_a_slot_then_refuses_and_changes_nothing(db, settings, monkeypatch):
    """Many clients each within their budget: at most WORK_BUDGET_SERVER_CONCURRENT expensive requests run
    at once in the deployment; another waits up to WORK_BUDGET_SERVER_WAIT_SECONDS, then gets 429."""
    from django.core.cache import cache
    from django.test import RequestFactory

    from linkage import workbudget

    settings.WORK_BUDGET_SERVER_CONCURRENT = 1
    settings.WORK_BUDGET_SERVER_WAIT_SECONDS = 0.2
    slept = []
    monkeypatch.setattr(workbudget, "sleep", slept.append)
    request = RequestFactory().post("/verify/", REMOTE_ADDR="10.0.0.77")
    assert cache.add("workbudget:server:0", "another client's request", 60)
    ran = []
    with pytest.raises(workbudget.WorkRefused) as refused:
        with workbudget.work_budget(request, "verify"):
            ran.append(True)
    assert ran == [] and refused.value.wait >= 1
    assert "busy" in refused.value.message
    assert sum(slept) >= 0.2  # it waited for a slot before refusing
    # The client's own mark was released: once the server slot frees, it is served.
    cache.delete("workbudget:server:0")
    with workbudget.work_budget(request, "verify"):
        ran.append(True)
    assert ran == [True] and cache.get("workbudget:server:0") is None
