"""Documents an office would not redo (issue 12, section 4): the Excel shape of every export
(``linkage.excel``) and the minutes in the GB/T 9704-2012 纪要 layout, fonts named and embedded.

The minutes here are built from plain stand-in objects (an excerpt, so no work-report annex is read), so
the layout rules are checked without a database; tests/test_conferences.py renders real issued minutes.
"""
import datetime as dt
import io
import re
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from linkage.excel import cell_value, display_width, workbook_bytes, workbook_response

SH = ZoneInfo("Asia/Shanghai")


def _sheet(content):
    return load_workbook(io.BytesIO(content)).worksheets[0]


def test_a_sheet_has_a_title_row_a_frozen_header_and_fitted_widths():
    content = workbook_bytes([{"title": "执行措施台账（2026年12月1日导出）", "name": "措施",
                               "headers": ["案号", "金额（元）", "起始日", "签收时间", "续行次数"],
                               "rows": [["（2026）鄂1022执1号", Decimal("1234.5"), dt.date(2026, 1, 2),
                                         dt.datetime(2026, 1, 2, 9, 30, 15, 123456, tzinfo=dt.UTC), 2]],
                               "column_types": ["text", "amount", "date", "datetime", "int"]}])
    sheet = _sheet(content)
    assert sheet.title == "措施"
    assert sheet["A1"].value.startswith("执行措施台账") and sheet["A1"].font.bold
    assert "A1:E1" in {str(r) for r in sheet.merged_cells.ranges}
    assert [c.value for c in sheet[2]] == ["案号", "金额（元）", "起始日", "签收时间", "续行次数"]
    assert sheet.freeze_panes == "A3"
    amount, day, at = sheet["B3"], sheet["C3"], sheet["D3"]
    assert amount.value == 1234.5 and amount.number_format == "#,##0.00"
    assert day.value == dt.datetime(2026, 1, 2) and day.number_format == "yyyy-mm-dd"
    # local time (Asia/Shanghai), to the minute: no microseconds, no time zone
    assert at.value == dt.datetime(2026, 1, 2, 17, 30) and at.number_format == "yyyy-mm-dd hh:mm"
    assert sheet["E3"].value == 2
    assert sheet.column_dimensions["A"].width >= display_width("（2026）鄂1022执1号")


def test_cells_are_safe_and_typed():
    assert cell_value("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert cell_value("旧\x01数据") == "旧数据"
    assert cell_value(None, "amount") is None and cell_value("", "date") is None
    assert cell_value(Decimal("10"), "amount") == 10.0
    assert cell_value(True, "int") == 1
    assert display_width("公安局") == 6 and display_width("abc") == 3


def test_the_response_has_a_chinese_file_name_and_an_ascii_fallback():
    response = workbook_response("案件", ["案号"], [["1"]], "执行案件.xlsx", fallback="cases.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and 'filename="cases.xlsx"' in disposition
    assert "filename*=UTF-8''%E6%89%A7%E8%A1%8C%E6%A1%88%E4%BB%B6.xlsx" in disposition


# ---------------------------------------------------------------- minutes

class _All(list):
    def all(self):
        return self


def _unit(code, name, kind="government"):
    return SimpleNamespace(pk=hash(code) % 10_000, code=code, name=name, kind=kind)


def _minutes(*, issued_at=None, starts_at=None):
    police, tax, sasac = _unit("police", "县公安局"), _unit("tax", "县税务局"), _unit("sasac", "县国资局", "other")
    starts_at = starts_at or dt.datetime(2026, 11, 20, 9, 0, tzinfo=SH)
    invitations = _All([
        SimpleNamespace(unit=police, status="confirmed", attendees="张三 副局长"),
        SimpleNamespace(unit=tax, status="invited", attendees=""),
        SimpleNamespace(unit=sasac, status="confirmed", attendees="李四"),
    ])
    meeting = SimpleNamespace(title="2026年第一次联席会议", starts_at=starts_at, place="县法院", kind="regular",
                              invitations=invitations)
    decisions = _All([SimpleNamespace(unit_id=police.pk, unit=police, due_at=None, text="公安局查找被执行人下落"),
                      SimpleNamespace(unit_id=None, unit=None, due_at=None, text="各单位加强协作")])
    return SimpleNamespace(meeting=meeting, decisions=decisions, number="公执联纪〔2026〕1号",
                           is_issued=issued_at is not None, issued_at=issued_at, summary="会议听取了汇报。"), police


@pytest.fixture
def minutes():
    return _minutes(issued_at=dt.datetime(2026, 11, 21, 10, 0, tzinfo=SH))


def test_attendance_reads_present_on_leave_and_observing(minutes):
    from conferences.documents import minutes_content

    record, police = minutes
    doc = minutes_content(record, unit=police)
    assert doc["rolls"] == [("出席", "县公安局（张三 副局长）"), ("请假", "县税务局"), ("列席", "县国资局（李四）")]
    assert doc["copy_to"] == "县公安局。"
    assert doc["printed_by"] == "公安县执行工作联动协调机制联席会议办公室"
    assert doc["printed_on"] == "2026年11月21日印发" and doc["date"] == "2026年11月21日"


def test_the_minutes_are_never_dated_before_the_meeting():
    from conferences.documents import minutes_date

    draft, _unit = _minutes(starts_at=dt.datetime(2099, 1, 5, 9, 0, tzinfo=SH))
    assert minutes_date(draft) == dt.date(2099, 1, 5)  # a draft previewed before the meeting
    issued, _unit = _minutes(issued_at=dt.datetime(2026, 11, 25, 8, 0, tzinfo=SH))
    assert minutes_date(issued) == dt.date(2026, 11, 25)


def test_docx_names_the_official_fonts_as_east_asian_fonts(minutes):
    from docx import Document
    from docx.oxml.ns import qn

    from conferences.documents import render_minutes_docx

    record, police = minutes
    doc = Document(io.BytesIO(render_minutes_docx(record, unit=police)))
    paragraphs = doc.paragraphs

    def east_asian(p):
        return p.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia"))

    mark = paragraphs[0]
    assert mark.text == "公安县执行工作联动协调机制联席会议纪要" and east_asian(mark) == "方正小标宋简体"
    assert mark.runs[0].font.color.rgb == mark.runs[0].font.color.rgb.from_string("C00000")
    assert round(mark.paragraph_format.space_before.mm) == 35  # 35 mm under the top of the text block
    body = next(p for p in paragraphs if p.text.startswith("一、"))
    assert east_asian(body) == "仿宋_GB2312" and body.runs[0].font.name == "Times New Roman"
    present = next(p for p in paragraphs if p.text.startswith("出席："))
    assert east_asian(present) == "黑体" and present.runs[1]._element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert [p.text[:3] for p in paragraphs if p.text[:3] in ("出席：", "请假：", "列席：")] == ["出席：", "请假：", "列席："]
    copy_to, printed = paragraphs[-2], paragraphs[-1]
    assert copy_to.text == "抄送：县公安局。"
    assert printed.text == "公安县执行工作联动协调机制联席会议办公室\t2026年11月21日印发"
    for p in (copy_to, printed):
        assert 'w:yAlign="bottom"' in p._p.xml


def _pdf_text_and_fonts(data):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    fonts = set()
    for page in reader.pages:
        for ref in page["/Resources"].get_object().get("/Font", {}).values():
            fonts.add(str(ref.get_object()["/BaseFont"]))
    return reader, fonts


def test_pdf_puts_the_imprint_at_the_bottom_of_the_last_page(minutes):
    from conferences.documents import render_minutes_pdf

    record, police = minutes
    reader, fonts = _pdf_text_and_fonts(render_minutes_pdf(record, unit=police))
    last = reader.pages[-1]
    ys = {}

    def visit(text, cm, tm, font, size):
        if text.strip():
            ys.setdefault(text.strip()[:2], tm[5])

    last.extract_text(visitor_text=visit)
    compact = re.sub(r"\s+", "", last.extract_text())
    assert "抄送：县公安局。" in compact and compact.index("办公室2026年11月21日印发") >= 0
    everything = re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))
    assert "未确认出席" not in everything and "请假：" in everything and "列席：" in everything
    # the imprint is in the bottom part of the page (the text block ends 35 mm above the bottom edge)
    bottom = min(y for y in ys.values())
    assert bottom < 200, ys  # points from the bottom edge: under the lower quarter of an A4 page
    assert any("CJK" in f for f in fonts)


def test_pdf_embeds_a_font_file_the_court_installs(minutes, settings, tmp_path):
    """DOCUMENT_FONT_BODY names a font file (here a copy of a free font standing in for 仿宋_GB2312)."""
    import shutil
    import subprocess

    from conferences.documents import render_minutes_pdf

    found = subprocess.run(["fc-match", "-f", "%{file}", "Noto Sans CJK SC"], capture_output=True, text=True)
    source = found.stdout.strip()
    if not source.endswith((".otf", ".ttf", ".ttc")):
        pytest.skip("no single-face CJK font file to stand in for the licensed one")
    installed = tmp_path / f"licensed{source[-4:]}"
    shutil.copy(source, installed)
    settings.DOCUMENT_FONT_BODY = str(installed)
    record, police = minutes
    _reader, fonts = _pdf_text_and_fonts(render_minutes_pdf(record, unit=police))
    assert any("Sans" in f for f in fonts), fonts  # the body now comes from the installed file


# ---------------------------------------------------------------- the exports of the portal's own tables

def _rows(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Disposition"].startswith("attachment;")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet.freeze_panes == "A3"
    return sheet, list(sheet.iter_rows(min_row=3, values_only=True))


@pytest.mark.django_db
def test_the_inbox_is_searched_filtered_and_exported_as_shown(browser_client, make_case, issue):
    first, second = make_case(), make_case()
    a = issue(first, "bank-icbc", "freeze")
    b = issue(second, "bank-icbc", "query", subject="查询存款")
    client = browser_client("liaison-bank-icbc")

    def shown(query):
        page = client.get(f"/inbox/?tab=all&{query}")
        assert page.status_code == 200
        return {n.pk for n in page.context["notices"]}

    assert shown("") == {a.pk, b.pk}
    assert shown(f"q={first.number}") == {a.pk}
    debtor = first.parties.get(role="debtor").name
    assert shown(f"q={debtor}") == {a.pk}  # by party name
    assert shown("action=query") == {b.pk}
    assert shown("status=cancelled") == set()
    today = a.issued_at.astimezone(SH).date()
    assert shown(f"since={today}&until={today}") == {a.pk, b.pk}
    assert shown(f"until={today - dt.timedelta(days=1)}") == set()
    page = client.get(f"/inbox/?tab=all&q={first.number}").content.decode()
    assert "format=xlsx" in page and 'role="search"' in page
    sheet, rows = _rows(client.get(f"/inbox/?tab=all&q={first.number}&format=xlsx"))
    assert [r[0] for r in rows] == [a.number] and rows[0][1] == first.number
    assert isinstance(rows[0][6], dt.datetime) and rows[0][6].microsecond == 0  # a date, to the minute
    assert "filename*=UTF-8''" in client.get("/inbox/?format=xlsx")["Content-Disposition"]
    # another unit's notices are not in its export
    _sheet, other = _rows(browser_client("liaison-police").get("/inbox/?tab=all&format=xlsx"))
    assert other == []


@pytest.mark.django_db
def test_the_case_list_and_the_board_export_what_they_show(browser_client, make_case):
    case = make_case(amount="1234.50")
    client = browser_client("clerk")
    sheet, rows = _rows(client.get(f"/cases/?q={case.number}&format=xlsx"))
    assert [r[0] for r in rows] == [case.number]
    assert rows[0][3] == 1234.5 and sheet.cell(row=3, column=4).number_format == "#,##0.00"
    assert "*" in rows[0][2]  # debtors with their ID masked
    assert "format=xlsx" in client.get("/cases/").content.decode()
    _sheet, _rows_board = _rows(browser_client("office").get("/conferences/board/?format=xlsx"))
    assert browser_client("liaison-police").get("/conferences/board/?format=xlsx").status_code == 404


@pytest.mark.django_db
def test_a_form_error_shows_beside_its_field_on_the_notice_page(browser_client, make_case, issue, users):
    from cases import services

    notice = issue(make_case(), "police", "query")
    services.notice_acknowledge(actor=users["liaison-police"], notice=notice)
    response = browser_client("liaison-police").post(f"/notices/{notice.pk}/answer/", {"outcome": "nonsense"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="answer"' in html and html.count('class="error" role="alert"') >= 1
    notice.refresh_from_db()
    assert notice.status == "acknowledged"


@pytest.mark.django_db
def test_the_case_page_shows_each_open_notices_deadlines(browser_client, make_case, issue):
    case = make_case()
    notice = issue(case, "police", "query")
    html = browser_client("clerk").get(f"/cases/{case.pk}/").content.decode()
    local = notice.due_at.astimezone(SH).strftime("%Y-%m-%d %H:%M")
    assert 'class="deadlines"' in html and local in html


@pytest.mark.django_db
def test_the_case_form_adds_and_removes_parties_with_buttons(browser_client):
    html = browser_client("clerk").get("/cases/new/").content.decode()
    assert html.count("data-party-row>") >= 3 and "data-add-party" in html and "data-remove-party" in html
    assert 'id="id_form-TOTAL_FORMS"' in html and 'value="3"' in html  # applicant, debtor, one blank
    assert 'id="party-template"' in html


@pytest.mark.django_db
def test_the_email_link_is_absolute_and_the_subject_has_number_and_deadline(settings, make_case, issue):
    from django.core import mail

    settings.SITE_URL = "https://linkage.example.invalid"
    notice = issue(make_case(), "bank-icbc", "freeze")
    sent = [m for m in mail.outbox if notice.number in m.subject]
    assert sent, [m.subject for m in mail.outbox]
    message = sent[0]
    assert notice.due_at.astimezone(SH).strftime("%Y-%m-%d %H:%M") in message.subject
    assert f"https://linkage.example.invalid/notices/{notice.pk}/" in message.body
    debtor = notice.case.parties.get(role="debtor")
    assert debtor.id_number not in message.body and debtor.masked_id in message.body
