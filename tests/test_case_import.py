"""Cases from the court's case system (issue 31 §5): the export uploaded, its columns mapped once, every
row checked before anything is written, then each case registered by the service of a case typed in the
browser; idempotent by case number, bounded, audited; the same through ``POST /api/v1/cases/import/``."""
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from cases import imports
from cases.models import Case, CaseEvent, CaseImportBatch, CaseImportMapping, Party

from .conftest import make_resident_id, make_uscc

pytestmark = pytest.mark.django_db
PAGE = "/cases/import/"
API = "/api/v1/cases/import/"
HEADERS = ["案号", "案由", "执行标的金额（元）", "立案日期", "申请执行人", "申请执行人证件号码", "被执行人",
           "被执行人证件号码"]


def number(n: int) -> str:
    return f"（2026）鄂1022执{n}号"


def good_row(n: int, **overrides) -> list:
    row = {"number": number(n), "title": f"借款合同纠纷{n}", "amount": 125000.5, "filed_on": "2026-01-05",
           "applicant": f"申请人{n}", "applicant_id": make_resident_id(n), "debtor": f"某某公司{n}",
           "debtor_id": make_uscc(n)}
    row.update(overrides)
    return list(row.values())


def xlsx(rows, headers=HEADERS, title_rows=()) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    for row in [*title_rows, headers, *rows]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("export.xlsx", out.getvalue(),
                              content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def csv_file(text: str, encoding="utf-8", name="export.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def upload(page, file):
    return page.post(PAGE, {"step": "upload", "file": file})


def suggested() -> dict:
    return imports.suggest_mapping(HEADERS)


def map_columns(page, response, mapping=None):
    return page.post(PAGE, {"step": "map", "token": response.context["token"], **(mapping or suggested())})


def confirm(page, response):
    return page.post(PAGE, {"step": "confirm", "token": response.context["token"]})


def results(response) -> list[tuple[int, str]]:
    return [(r["row"], r["status"]) for r in response.context["rows"]]


def errors_of(response, row: int) -> str:
    found = next(r for r in response.context["rows"] if r["row"] == row)
    return " ".join(f"{label}{text}" for label, text in found["errors"])


@pytest.fixture
def clerk(browser_client):
    return browser_client("clerk")


def test_the_mapping_is_suggested_from_common_chinese_headers():
    assert suggested() == {"number": "案号", "title": "案由", "amount": "执行标的金额（元）", "filed_on": "立案日期",
                           "applicant_name": "申请执行人", "applicant_id": "申请执行人证件号码",
                           "debtor_name": "被执行人", "debtor_id": "被执行人证件号码"}


def test_a_bare_id_column_after_a_party_is_that_partys_and_repeated_headers_stay_apart(clerk):
    headers = ["案号", "案由", "标的金额", "申请执行人", "证件号码", "被执行人", "证件号码", "", "证件号码"]
    row = [number(9011), "案件", "5000", "甲", make_resident_id(9011), "乙公司", make_uscc(9011), "x", "y"]
    first = upload(clerk, xlsx([row], headers=headers))
    table = imports.kept_table(actor=first.wsgi_request.user, token=first.context["token"])
    assert table.headers[4] == "申请执行人证件号码" and table.headers[6] == "被执行人证件号码"
    assert len(set(table.headers)) == len(headers)
    assert first.context["form"].initial["debtor_id"] == "被执行人证件号码"
    preview = map_columns(clerk, first, first.context["form"].initial)
    assert results(preview) == [(2, "created")]


def test_the_preview_shows_every_rows_errors_in_chinese_and_writes_nothing(clerk, make_case):
    registered = make_case(number(9006))
    valid = make_resident_id(9003)
    wrong_check = valid[:-1] + ("0" if valid[-1] != "0" else "1")  # a resident ID with a wrong check character
    before = (Case.objects.count(), Party.objects.count(), CaseEvent.objects.count())
    file = xlsx([good_row(9001),
                 good_row(9002, number="2026鄂1022执9002"),  # not a case number
                 good_row(9003, debtor_id=wrong_check),
                 good_row(9004, amount="十二万元"),
                 good_row(9005, title=""),
                 good_row(9006)])  # registered already
    first = upload(clerk, file)
    assert first.status_code == 200
    assert first.templates[0].name == "cases/case_import_mapping.html"  # the first file: the columns are asked
    page = first.content.decode()
    assert '<option value="案号" selected>' in page and "执行标的金额（元）" in page
    preview = map_columns(clerk, first)
    assert preview.status_code == 200, preview.content.decode()[:2000]
    assert results(preview) == [(2, "created"), (3, "error"), (4, "error"), (5, "error"), (6, "error"),
                                (7, "exists")]
    assert "案号" in errors_of(preview, 3)
    assert "校验" in errors_of(preview, 4) and "被执行人" in errors_of(preview, 4)
    assert "十二万元" in errors_of(preview, 5) and "金额" in errors_of(preview, 5)
    assert "案由" in errors_of(preview, 6)
    body = preview.content.decode()
    assert "已登记" in body and "登记 1 件案件" in body
    assert (Case.objects.count(), Party.objects.count(), CaseEvent.objects.count()) == before
    assert not CaseImportBatch.objects.exists()
    assert CaseImportMapping.objects.get().mapping == suggested()
    assert next(r for r in preview.context["rows"] if r["row"] == 7)["id"] == registered.pk


def test_confirm_registers_the_cases_with_their_parties_and_events_then_a_second_import_changes_nothing(
        clerk, users):
    rows = [good_row(9101), good_row(9102, filed_on="", debtor_id=make_resident_id(9102)), good_row(9103)]
    preview = map_columns(clerk, upload(clerk, xlsx(rows)))
    assert results(preview) == [(2, "created"), (3, "created"), (4, "created")]
    done = confirm(clerk, preview)
    assert done.status_code == 200 and results(done) == [(2, "created"), (3, "created"), (4, "created")]
    case = Case.objects.get(number=number(9101))
    assert case.title == "借款合同纠纷9101" and str(case.amount) == "125000.50"
    assert case.filed_on.isoformat() == "2026-01-05" and case.created_by == users["clerk"]
    parties = {p.role: p for p in case.parties.all()}
    assert parties["applicant"].kind == "person" and parties["applicant"].id_number == make_resident_id(9101)
    assert parties["debtor"].kind == "organization" and parties["debtor"].id_number == make_uscc(9101)
    assert Case.objects.get(number=number(9102)).parties.get(role="debtor").kind == "person"
    assert list(case.events.values_list("transition", flat=True)) == ["register"]  # as a case typed in
    batch = CaseImportBatch.objects.get()
    assert (batch.created_by, batch.source, batch.rows, batch.created, batch.existing, batch.errors) == (
        users["clerk"], "file", 3, 3, 0, 0)
    assert batch.filename == "export.xlsx" and len(batch.sha256) == 64
    assert sorted(batch.case_ids) == sorted(Case.objects.filter(number__in=[number(n) for n in (9101, 9102, 9103)])
                                            .values_list("id", flat=True))
    # The confirmed preview is gone: confirming it again is refused, and changes nothing.
    assert confirm(clerk, preview).status_code == 400

    # The same file again: the kept mapping is used at once (no question), every row reads "exists".
    cases, events = Case.objects.count(), CaseEvent.objects.count()
    again = upload(clerk, xlsx(rows))
    assert again.templates[0].name == "cases/case_import_preview.html"
    assert results(again) == [(2, "exists"), (3, "exists"), (4, "exists")]
    assert 'value="confirm"' not in again.content.decode()  # nothing to register: no button to
    done = confirm(clerk, again)
    assert results(done) == [(2, "exists"), (3, "exists"), (4, "exists")]
    assert "已登记" in done.content.decode()
    assert (Case.objects.count(), CaseEvent.objects.count()) == (cases, events)
    assert CaseImportBatch.objects.first().existing == 3 and CaseImportBatch.objects.first().created == 0
    assert CaseImportMapping.objects.count() == 1


def test_a_csv_export_with_a_title_row_in_gb18030_is_read(clerk):
    text = ("执行案件清单\r\n" + ",".join(HEADERS) + "\r\n"
            f"{number(9201)},买卖合同纠纷,\"125,000.00元\",2026/1/5,张三,{make_resident_id(9201)},"
            f"李四,{make_resident_id(9202)}\r\n")
    first = upload(clerk, csv_file(text, "gb18030"))
    preview = map_columns(clerk, first)
    assert results(preview) == [(3, "created")]
    confirm(clerk, preview)
    case = Case.objects.get(number=number(9201))
    assert str(case.amount) == "125000.00" and case.filed_on.isoformat() == "2026-01-05"


def test_a_changed_mapping_is_kept_and_reused(clerk):
    headers = ["执行案号", "案件名称", "标的额", "申请人", "申请人证件号码", "被执行人姓名", "证件号"]
    file = xlsx([[number(9301), "案件", 5000, "甲", make_resident_id(9301), "乙", make_resident_id(9302)]],
                headers=headers)
    first = upload(clerk, file)
    # A bare 证件号 after the debtor's column is read as the debtor's.
    mapping = {"number": "执行案号", "title": "案件名称", "amount": "标的额", "applicant_name": "申请人",
               "applicant_id": "申请人证件号码", "debtor_name": "被执行人姓名", "debtor_id": "被执行人姓名证件号"}
    assert first.context["form"].initial == mapping
    missing = map_columns(clerk, first, {**mapping, "debtor_id": ""})
    assert missing.status_code == 400 and not CaseImportMapping.objects.exists()
    assert results(map_columns(clerk, first, mapping)) == [(2, "created")]
    assert CaseImportMapping.objects.get().mapping == mapping
    second = upload(clerk, xlsx([[number(9302), "案件", 5000, "甲", make_resident_id(9301), "乙",
                                  make_resident_id(9302)]], headers=headers))
    assert second.templates[0].name == "cases/case_import_preview.html"  # no question the second time
    assert results(second) == [(2, "created")]
    remap = clerk.post(PAGE, {"step": "remap", "token": second.context["token"]})
    assert remap.status_code == 200 and remap.context["form"].initial == mapping


@pytest.mark.parametrize("make_file, words", [
    (lambda: xlsx([good_row(9400 + n) for n in range(imports.MAX_ROWS + 1)]), str(imports.MAX_ROWS)),
    (lambda: csv_file(",".join(HEADERS) + "\r\n" + "\r\n".join(
        f"{number(9400 + n)},t,1,,a,{make_resident_id(n)},b,{make_resident_id(n + 1)}"
        for n in range(imports.MAX_ROWS + 1))), str(imports.MAX_ROWS)),
    (lambda: SimpleUploadedFile("export.xlsx", b"PK" + b"\0" * imports.MAX_BYTES), "2 MB"),
    (lambda: SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n"), "CSV"),
    (lambda: SimpleUploadedFile("export.xlsx", b"PK\x03\x04 not a workbook"), "Excel"),
    (lambda: csv_file(",".join(HEADERS) + "\r\n"), "表头"),
])
def test_a_file_out_of_bounds_or_not_a_spreadsheet_is_refused_and_nothing_changes(clerk, make_file, words):
    cases = Case.objects.count()
    response = upload(clerk, make_file())
    assert response.status_code == 400
    assert words in response.content.decode()
    assert 'role="alert"' in response.content.decode()
    assert Case.objects.count() == cases and not CaseImportBatch.objects.exists()
    assert not CaseImportMapping.objects.exists()


def test_a_preview_is_the_clerks_own_and_expires(clerk, browser_client, users):
    first = upload(clerk, xlsx([good_row(9501)]))
    preview = map_columns(clerk, first)
    other_clerk = users["clerk"].__class__.objects.create(username="clerk-other")
    other_clerk.groups.set(users["clerk"].groups.all())
    other = browser_client("clerk-other")
    assert confirm(other, preview).status_code == 400
    assert clerk.post(PAGE, {"step": "confirm", "token": "not a token!"}).status_code == 400
    assert not Case.objects.filter(number=number(9501)).exists()


@pytest.mark.parametrize("username", ["office", "liaison-police", "president", "convener", "assessor"])
def test_other_roles_get_403_on_the_page_and_the_api(browser_client, api, username):
    assert browser_client(username).get(PAGE).status_code == 403
    assert browser_client(username).post(PAGE, {"step": "upload", "file": xlsx([good_row(9601)])}).status_code == 403
    response = api(username).post(API, {"rows": [_api_row(9601)]}, format="json")
    assert response.status_code == 403
    assert not Case.objects.filter(number=number(9601)).exists()


def test_anonymous_is_sent_to_sign_in_and_the_api_answers_401(client, api):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = api().post(API, {"rows": [_api_row(9602)]}, format="json")
    assert response.status_code in (401, 403) and response["Content-Type"].startswith("application/json")


def test_the_case_list_links_to_the_import_for_clerks_only(browser_client):
    assert PAGE in browser_client("clerk").get("/cases/").content.decode()
    assert PAGE not in browser_client("office").get("/cases/").content.decode()


# ---------------------------------------------------------------- the API

def _api_row(n: int, **overrides) -> dict:
    row = {"number": number(n), "title": f"案件{n}", "amount": "5000.00",
           "parties": [{"role": "applicant", "name": f"甲{n}", "id_number": make_resident_id(n)},
                       {"role": "debtor", "kind": "organization", "name": f"乙公司{n}", "id_number": make_uscc(n)}]}
    row.update(overrides)
    return row


def test_api_results_one_per_row_in_order_and_a_second_call_reads_exists(api, make_case, users):
    registered = make_case(number(9701))
    rows = [_api_row(9702), _api_row(9701), _api_row(9703, number="9703号"),
            _api_row(9704, parties=[{"role": "debtor", "name": "丙", "id_number": "123"}]),
            _api_row(9705, amount="一万"), "not a row", _api_row(9706, filed_on="2026-01-02")]
    response = api("clerk").post(API, {"rows": rows}, format="json")
    assert response.status_code == 200, response.content
    got = response.json()["results"]
    assert [(r["row"], r["status"]) for r in got] == [(1, "created"), (2, "exists"), (3, "error"), (4, "error"),
                                                     (5, "error"), (6, "error"), (7, "created")]
    assert got[1]["id"] == registered.pk and "number" in got[2]["errors"] and "parties" in got[3]["errors"]
    assert "amount" in got[4]["errors"]
    created = Case.objects.get(pk=got[0]["id"])
    assert created.number == number(9702) and created.parties.count() == 2
    assert created.events.get().transition == "register"
    assert Case.objects.get(pk=got[6]["id"]).filed_on.isoformat() == "2026-01-02"
    batch = CaseImportBatch.objects.get()
    assert (batch.source, batch.rows, batch.created, batch.existing, batch.errors) == ("api", 7, 2, 1, 4)

    again = api("clerk").post(API, {"rows": rows}, format="json").json()["results"]
    assert [r["status"] for r in again] == ["exists", "exists", "error", "error", "error", "error", "exists"]
    assert again[0]["id"] == got[0]["id"]
    assert Case.objects.filter(number__in=[number(9702), number(9706)]).count() == 2


def test_api_dry_run_writes_nothing(api):
    before = (Case.objects.count(), CaseEvent.objects.count())
    rows = [_api_row(9801), _api_row(9802, title="")]
    response = api("clerk").post(API, {"rows": rows, "dry_run": True}, format="json")
    assert response.status_code == 200
    got = response.json()["results"]
    assert [(r["row"], r["status"]) for r in got] == [(1, "created"), (2, "error")]
    assert "id" not in got[0] and "title" in got[1]["errors"]
    assert (Case.objects.count(), CaseEvent.objects.count()) == before
    assert not CaseImportBatch.objects.exists()


def test_api_refuses_more_rows_than_the_cap_whole(api):
    response = api("clerk").post(API, {"rows": [_api_row(9900)] * (imports.MAX_ROWS + 1)}, format="json")
    assert response.status_code == 400 and "rows" in response.json()
    assert not Case.objects.filter(number=number(9900)).exists()


def test_the_schema_describes_the_import(api):
    schema = api("clerk").get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/cases/import/"]["post"]
    assert "CaseImportInput" in str(operation["requestBody"]) and "CaseImportOutput" in str(operation["responses"])


def _queries(api_client, rows, dry_run) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = api_client.post(API, {"rows": rows, "dry_run": dry_run}, format="json")
    assert response.status_code == 200
    return len(captured)


def test_the_import_costs_a_constant_number_of_queries_a_row(api, django_assert_max_num_queries):
    """A dry run: one look-up for the registered numbers, then one per row (the service's check). An
    import: the same look-up, then per row the service's look-up, its three inserts and its savepoint
    (a constant a row; case_create writes each case on its own, as in the browser)."""
    client = api("clerk")
    client.post(API, {"rows": [_api_row(10000)], "dry_run": True}, format="json")  # warm (token, perms)
    n = 20
    rows = [_api_row(10001 + i) for i in range(n)]
    with django_assert_max_num_queries(8 + n):
        client.post(API, {"rows": rows, "dry_run": True}, format="json")
    small, large = _queries(client, rows[:5], False), _queries(client, [_api_row(10101 + i) for i in range(n)],
                                                                False)
    assert (large - small) <= 7 * (n - 5)
    with django_assert_max_num_queries(12 + 7 * n):
        client.post(API, {"rows": [_api_row(10201 + i) for i in range(n)]}, format="json")
    exists = _queries(client, rows[:5] + [_api_row(10101 + i) for i in range(n)], False)
    assert exists <= 12  # every row registered: the one look-up, no query a row


# ---------------------------------------------------------------- the shared reader (moved, not copied)

def test_the_credit_bulk_check_still_reads_its_files_through_the_shared_reader(browser_client):
    page = browser_client("liaison-bank-icbc")
    text = "证件号码\r\n" + f"{make_resident_id(1)}\r\n"
    response = page.post("/credit/check/", {"file": csv_file(text, name="list.csv"), "reason": "贷款审查"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    from credit import services as credit

    too_many = "证件号码\r\n" + "".join(f"{make_resident_id(n)}\r\n" for n in range(credit.BULK_MAX_ROWS + 2))
    response = page.post("/credit/check/", {"file": csv_file(too_many), "reason": "贷款审查"})
    assert response.status_code == 400 and str(credit.BULK_MAX_ROWS) in response.content.decode()
