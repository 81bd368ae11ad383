"""Issue 31's D-items on documents and exports (a new user's findings in the demo month):

* D6  a release states what it releases (the measure's held amount), never the first notice's request;
* D7  the seal place keeps clear of the 附 line, a title is never broken;
* D15 an excerpt's "（摘录）" stays on one line (PDF and DOCX);
* D16 the DOCX annex table's columns are as wide as what they hold; 小标宋 is never bold;
* D17 the notice's body and its table show the concerned person's ID by one rule; the officer's phone;
* D18 a unit reads its own answer (the account it froze) in full, everyone else masked;
* D23 a push letter's reply slip asks what a push needs, not an amount frozen;
* every Excel export: borders, a filter on the header, landscape fitted to the page width.
"""
import io
import re
import subprocess
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from cases import disclosure, services
from cases.documents import notice_context, render_notice_html
from cases.models import Measure, Notice
from linkage.identity import mask_identifier
from members.models import ActionType, Unit

from .conftest import make_resident_id

PIXEL = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")
REQUESTED = Decimal("193564.28")
HELD = Decimal("58320.00")
ACCOUNT = "6222020000000000001"


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _pdf_text(content: bytes, tmp_path, layout=False, name="doc.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(content)
    args = ["pdftotext"] + (["-layout"] if layout else []) + [str(path), "-"]
    return subprocess.run(args, check=True, capture_output=True).stdout.decode()


def _notice_pdf(client, notice) -> bytes:
    response = client.get(f"/notices/{notice.pk}/document.pdf")
    assert response.status_code == 200, response.status_code
    return response.content


def _answer(users, notice, *, outcome="done", detail="", amount=None, **kwargs):
    liaison = users[f"liaison-{notice.unit.code}"]
    services.notice_acknowledge(actor=liaison, notice=notice)
    return services.notice_answer(actor=liaison, notice=Notice.objects.get(pk=notice.pk), outcome=outcome,
                                  detail=detail, result_amount=amount, **kwargs)


@pytest.fixture
def partly_frozen(make_case, issue, users):
    """A freeze that asked for 193,564.28 and held 58,320.00 (the bank answered partly done)."""
    case = make_case(amount=str(REQUESTED))
    notice = issue(case, "bank-icbc", "freeze", subject="冻结被执行人在你行开立的账户存款", asset_kind="deposit",
                   account=ACCOUNT, amount=REQUESTED, party=case.parties.filter(role="debtor").first())
    _answer(users, notice, outcome="partial", detail="账户余额不足，已冻结现有余额。", amount=HELD)
    return Notice.objects.get(pk=notice.pk)


# ---------------------------------------------------------------- D6: what a release releases

def test_a_release_states_the_amount_held_not_the_amount_asked_for(partly_frozen, users, browser_client,
                                                                   tmp_path):
    from cases.measures import measure_release

    measure = Measure.objects.get(notice=partly_frozen)
    assert measure.amount == HELD
    release = measure_release(actor=users["clerk"], measure=measure, ground="debt_paid")
    text = _flat(_pdf_text(_notice_pdf(browser_client("liaison-bank-icbc"), release), tmp_path))
    assert "协助执行通知书" in text and "解除冻结" in text
    assert f"{ACCOUNT}；解除金额：人民币58,320.00元" in text
    assert "原冻结金额：人民币58,320.00元" in text
    assert "193,564.28" not in text
    # the notice page and the API say the same
    page = browser_client("liaison-bank-icbc").get(f"/notices/{release.pk}/").content.decode()
    assert "58,320.00" in page and "193,564.28" not in page
    assert disclosure.structured_for(users["clerk"], release)["amount"] == HELD


def test_a_partial_release_states_its_own_part(partly_frozen, users):
    from cases.measures import measure_release

    measure = Measure.objects.get(notice=partly_frozen)
    release = measure_release(actor=users["clerk"], measure=measure, amount="8320.00")
    context = notice_context(release, release.unit)
    assert context["structured"]["amount_text"] == "8,320.00"  # the part released
    assert context["measure_amount"] == "58,320.00"  # of what is held


def test_a_renewal_continues_what_is_held(partly_frozen, users):
    measure = Measure.objects.get(notice=partly_frozen)
    now = timezone.now()
    seq = partly_frozen.case.notices.count() + 1
    renewal = Notice.objects.create(
        case=partly_frozen.case, unit=partly_frozen.unit, action=partly_frozen.action, kind="renewal",
        original=partly_frozen, party=partly_frozen.party, seq=seq, number=f"{partly_frozen.case.number}-{seq:03d}",
        subject=f"续行冻结：{measure.asset}", issued_by=users["clerk"], issued_at=now,
        ack_due_at=now + timedelta(days=1), due_at=now + timedelta(days=3))
    context = notice_context(renewal, renewal.unit)
    assert context["amount_limit"] == "58,320.00"
    assert context["structured"]["amount_text"] == "58,320.00"


# ---------------------------------------------------------------- D7: the seal, the titles

def _page_runs(pdf: bytes, index: int) -> list[tuple[str, float]]:
    """Every run of text on page ``index``, with its baseline (PDF points from the bottom of the page)."""
    from pypdf import PdfReader

    runs = []

    def visit(text, cm, tm, font, size):
        runs.append((text, tm[5] * cm[3] + cm[5]))

    PdfReader(io.BytesIO(pdf)).pages[index].extract_text(visitor_text=visit)
    return runs


def test_the_seal_keeps_clear_of_the_annex_and_officer_lines(make_case, issue, users):
    from weasyprint import HTML

    users["clerk"].phone = "0716-5221234"
    users["clerk"].save(update_fields=["phone"])
    case = make_case()
    notice = issue(case, "bank-icbc", "freeze", subject="冻结被执行人在你行开立的全部账户内存款")
    assert notice.ruling_id  # so the document has its 附 line
    from django.template.loader import render_to_string

    # as the documents app renders the stored copy: sealed, with the verification code under the seal
    verify = {"qr": PIXEL, "code": "ABCD-EFGH-JKLM", "url": "https://example.invalid/verify/ABCDEFGHJKLM/",
              "sealed": True}
    html = render_to_string("cases/notice_document.html",
                            {**notice_context(notice, notice.unit), "verify": verify, "sealing": True})
    rendered = HTML(string=html).render()
    pdf = rendered.write_pdf()
    index = next(i for i, page in enumerate(rendered.pages) if page.anchors.get("seal-place"))
    page = rendered.pages[index]
    anchor = page.anchors["seal-place"]
    height = page.height * 0.75  # CSS px to PDF points
    seal_top = height - anchor[1] * 0.75  # the e-seal image is drawn 42 mm down from here
    seal_bottom = seal_top - 42 * 72 / 25.4
    runs = _page_runs(pdf, index)
    above = [(t, y) for t, y in runs if t.strip().startswith(("附：", "本院经办人"))]
    assert len(above) == 2, runs
    for text, baseline in above:
        # the line's glyphs reach about 4 pt under the baseline: the seal starts under them
        assert baseline - 5 > seal_top, (text, baseline, seal_top)
    code = [(t, y) for t, y in runs if "核验码" in t or "扫描二维码" in t]
    assert code, runs
    for text, baseline in code:
        assert baseline + 8 < seal_bottom, (text, baseline, seal_bottom)  # 9 pt text wholly under the seal


@pytest.mark.parametrize("digits", [1, 12, 123, 1234, 12345])
def test_a_title_is_never_broken_across_lines(make_case, issue, users, browser_client, tmp_path, digits):
    """Whatever the length of the case number before it, "协助执行通知书" and "（解除冻结）" stay whole, and
    no line of the document starts with "书"."""
    from .conftest import case_ruling

    case = make_case(number=f"(2026)鄂1022执{digits}号")
    ruling = case_ruling(case, "解除查封、扣押、冻结裁定书")  # a long kind: with 4 digits, "书" used to wrap
    notice = issue(case, "bank-icbc", "freeze", subject="冻结被执行人在你行开立的全部账户内存款", ruling=ruling)
    layout = _pdf_text(_notice_pdf(browser_client("liaison-bank-icbc"), notice), tmp_path, layout=True)
    lines = [line.strip() for line in layout.splitlines() if line.strip()]
    assert not any(line.startswith("书") for line in lines), lines
    assert not any(line.endswith(("协助执行通知", "裁定")) for line in lines), lines
    assert any(line.endswith("解除查封、扣押、冻结裁定书") for line in lines), lines  # the 附 line's kind, whole
    html = render_notice_html(notice, notice.unit)
    assert '<span class="nobreak">协助执行通知书</span>' in html  # the reply slip names it whole
    assert re.search(r"h1 \{[^}]*white-space: nowrap", html)


# ---------------------------------------------------------------- D15, D16: the minutes and excerpts

def _minutes_stub(title):
    from .test_documents_office import _minutes

    record, police = _minutes(issued_at=timezone.now())
    record.meeting.title = title
    return record, police


def test_the_excerpt_mark_stays_on_one_line_in_the_pdf(tmp_path):
    from conferences.documents import minutes_content, render_minutes_pdf

    title = "关于协调查控被执行人名下车辆及不动产事项会"  # 20 characters: a full 22 pt line
    record, police = _minutes_stub(title[:18])  # 18: "（摘录）" would straddle the line's end
    assert minutes_content(record, unit=police)["title"] == title[:18] + "（摘录）"
    layout = _pdf_text(render_minutes_pdf(record, unit=police), tmp_path, layout=True)
    lines = [line.strip() for line in layout.splitlines() if line.strip()]
    assert "（摘录）" in lines, lines
    assert not any(line.endswith(("（摘", "（")) for line in lines)


def test_the_excerpt_mark_stays_on_one_line_in_the_docx():
    from docx import Document

    from conferences.documents import render_minutes_docx

    record, police = _minutes_stub("关于协调查控被执行人名下车辆及不动产事")  # 18 characters
    doc = Document(io.BytesIO(render_minutes_docx(record, unit=police)))
    title = next(p for p in doc.paragraphs if "摘录" in p.text)
    assert title.text.endswith("\n（摘录）")  # broken before the mark, never inside it
    record, police = _minutes_stub("2026年第一次联席会议")  # short: on the title's own line
    doc = Document(io.BytesIO(render_minutes_docx(record, unit=police)))
    title = next(p for p in doc.paragraphs if "摘录" in p.text)
    assert title.text == "2026年第一次联席会议（摘录）"


def _annex():
    header = ["单位", "发出", "已签收", "签收逾期", "已回复", "按期回复", "回复逾期", "中止计时"]
    rows = [["县住房公积金管理办事处", "12", "11", "1", "10", "9", "1", "0"],
            ["县公安局", "30", "30", "0", "28", "28", "0", "2"],
            ["合计", "42", "41", "1", "38", "37", "1", "2"]]
    return {"label": "附件", "title": "湖北省公安县人民法院执行工作情况通报", "intro": "统计期间……",
            "header": header, "rows": rows, "releases": 0, "key_cases": 0}


def test_the_docx_annex_columns_fit_what_they_hold_and_the_title_face_is_not_bold(monkeypatch):
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Mm

    from conferences import documents

    monkeypatch.setattr(documents, "work_report_annex", lambda meeting: _annex())
    record, _police = _minutes_stub("2026年第一次联席会议")
    doc = Document(io.BytesIO(documents.render_minutes_docx(record)))
    table = doc.tables[0]
    widths = [cell.width for cell in table.rows[1].cells]
    assert len(set(widths)) > 1  # not equal columns
    assert widths[0] == max(widths)  # the units' names, the widest
    assert abs(sum(widths) - Mm(156)) < Mm(1)  # the text block's width
    grid = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert grid[0] == max(grid) and len(set(grid)) > 1
    # a unit's name fits on one line of its column: 11 characters of 10.5 pt and the cell's margins
    assert widths[0] >= Mm(11 * 10.5 * 25.4 / 72 + 3.8) - Mm(1)
    # 方正小标宋 (mark, title, annex title) is a display face: never bold
    title_runs = [r for p in doc.paragraphs for r in p.runs
                  if r._element.rPr is not None and r._element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"]
    assert len(title_runs) >= 3
    assert all(r.font.bold is False for r in title_runs)


# ---------------------------------------------------------------- D17: one rule for the body and the table

def _push(case, unit_code, users):
    debtor = case.parties.get(role="debtor")
    now = timezone.now()
    seq = case.notices.count() + 1
    return Notice.objects.create(
        case=case, unit=Unit.objects.get(code=unit_code), action=ActionType.objects.get(code="publicize"),
        kind="push", party=debtor, seq=seq, number=f"{case.number}-{seq:03d}",
        subject=f"对失信被执行人{debtor.name}（{mask_identifier(debtor.id_number)}）实施联合惩戒",
        issued_by=users["clerk"], issued_at=now, ack_due_at=now + timedelta(days=1),
        due_at=now + timedelta(days=5))


def test_a_push_letter_body_and_table_show_the_id_alike(make_case, users, browser_client, tmp_path):
    case = make_case()
    debtor = case.parties.get(role="debtor")
    masked = mask_identifier(debtor.id_number)
    police = _push(case, "police", users)  # its exit restriction needs the full ID (PunishmentIdentifierNeed)
    text = _flat(_pdf_text(_notice_pdf(browser_client("liaison-police"), police), tmp_path))
    assert text.count(debtor.id_number) == 2 and masked not in text  # in the body and in the table
    context = notice_context(police, police.unit)
    assert debtor.id_number in context["subject"] and context["debtors"][0]["id_number"] == debtor.id_number
    ndrc = _push(case, "ndrc", users)  # publishes the list: the public form, in both places
    text = _flat(_pdf_text(_notice_pdf(browser_client("liaison-ndrc"), ndrc), tmp_path, name="ndrc.pdf"))
    assert debtor.id_number not in text and text.count(masked) == 2


def test_an_assistance_notice_body_shows_the_concerned_id_only(make_case, issue, users, browser_client, tmp_path):
    case = make_case(debtors=2)
    first, second = case.parties.filter(role="debtor").order_by("id")
    typed = make_resident_id(4343, birth="19800101")
    notice = issue(case, "bank-icbc", "freeze", party=first,
                   subject=f"冻结{first.name}（{first.id_number}）的存款，不含{typed}名下账户")
    text = _flat(_pdf_text(_notice_pdf(browser_client("liaison-bank-icbc"), notice), tmp_path))
    assert text.count(first.id_number) == 2  # the body and the table, by one rule
    assert typed not in text and mask_identifier(typed) in text  # anyone else's: masked
    page = browser_client("liaison-bank-icbc").get(f"/notices/{notice.pk}/").content.decode()
    assert page.count(first.id_number) == 2 and typed not in page
    body = browser_client("clerk").get(f"/notices/{notice.pk}/").content.decode()
    assert first.id_number not in body and second.id_number not in body  # the court reads it masked
    assert first.id_number in disclosure.text_for(notice.unit, notice, notice.subject)
    assert first.id_number not in disclosure.text_for(users["clerk"], notice, notice.subject)


def test_the_officer_line_prints_the_clerks_phone_else_the_courts(make_case, issue, users):
    court = Unit.objects.get(code="court")
    court.contact_phone = "0716-5226000"
    court.save(update_fields=["contact_phone"])
    clerk = users["clerk"]
    clerk.phone = ""
    clerk.save(update_fields=["phone"])
    notice = issue(make_case(), "bank-icbc", "query", subject="查询存款")
    assert "本院经办人：执行书记员，联系电话：0716-5226000。" in render_notice_html(notice, notice.unit)
    clerk.phone = "13907160001"
    clerk.save(update_fields=["phone"])
    notice = Notice.objects.get(pk=notice.pk)
    assert "本院经办人：执行书记员，联系电话：13907160001。" in render_notice_html(notice, notice.unit)


# ---------------------------------------------------------------- D18: a unit's own answer

def test_a_bank_reads_the_account_it_gave_in_its_own_answer(make_case, issue, users, browser_client, api):
    notice = issue(make_case(), "bank-icbc", "freeze", subject="冻结被执行人名下存款", amount="5000")
    detail = f"已冻结被执行人账户{ACCOUNT}内存款"
    _answer(users, notice, detail=detail, amount="5000.00")
    own = browser_client("liaison-bank-icbc").get(f"/notices/{notice.pk}/").content.decode()
    assert own.count(ACCOUNT) >= 2  # the answer and its line in the history
    court = browser_client("clerk").get(f"/notices/{notice.pk}/").content.decode()
    assert ACCOUNT not in court and ACCOUNT[-4:] in court
    body = api("liaison-bank-icbc").get(f"/api/v1/notices/{notice.pk}/").json()
    assert body["answer_detail"] == detail
    assert [e["note"] for e in body["events"] if e["transition"] == "answer"] == [detail]
    listed = api("liaison-bank-icbc").get("/api/v1/notices/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert any(r["answer_detail"] == detail for r in rows)
    body = api("clerk").get(f"/api/v1/notices/{notice.pk}/").json()
    assert ACCOUNT not in body["answer_detail"] and all(ACCOUNT not in (e["note"] or "") for e in body["events"])


# ---------------------------------------------------------------- D23: the push letter's reply slip

def test_a_push_letters_reply_slip_asks_what_a_push_needs(make_case, users, browser_client, tmp_path):
    case = make_case()
    push = _push(case, "ndrc", users)
    text = _flat(_pdf_text(_notice_pdf(browser_client("liaison-ndrc"), push), tmp_path))
    assert "失信被执行人名单推送函" in text and "回执" in text
    for blank in ("实施情况", "已纳入限制", "采取的限制/惩戒措施", "纳入限制日期", "经办人", "联系电话",
                  "实施联合惩戒单位（盖章）"):
        assert blank in text, blank
    assert "冻结/扣划金额" not in text and "账户/财产" not in text and "生效日期" not in text
    withdrawal = Notice.objects.create(
        case=case, unit=push.unit, action=push.action, kind="withdraw", original=push, party=push.party,
        seq=push.seq + 1, number=f"{case.number}-{push.seq + 1:03d}", subject="撤回推送",
        issued_by=users["clerk"], issued_at=push.issued_at, ack_due_at=push.ack_due_at, due_at=push.due_at)
    text = _flat(_pdf_text(_notice_pdf(browser_client("liaison-ndrc"), withdrawal), tmp_path, name="w.pdf"))
    assert "已解除限制" in text and "解除限制日期" in text and "冻结/扣划金额" not in text


# ---------------------------------------------------------------- Excel: one shape for every export

def _check_shape(content: bytes, columns: int, rows: int):
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    last = chr(ord("A") + columns - 1)
    assert sheet.auto_filter.ref == f"A2:{last}{2 + rows}"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert sheet.freeze_panes == "A3"
    for row in sheet.iter_rows(min_row=2, max_row=2 + rows, max_col=columns):
        for cell in row:
            border = cell.border
            assert all(side is not None and side.style == "thin"
                       for side in (border.left, border.right, border.top, border.bottom)), cell.coordinate
    assert sheet["A1"].border.left.style is None  # the title row has none
    return sheet


def test_the_shared_helper_gives_every_sheet_borders_a_filter_and_a_fitted_landscape_page():
    from linkage.excel import workbook_bytes

    content = workbook_bytes([{"title": "测试", "headers": ["案号", "金额（元）", "备注"],
                               "rows": [["（2026）鄂1022执1号", Decimal("1.5"), None], ["（2026）鄂1022执2号", 2, "x"]],
                               "column_types": ["text", "amount", "text"]}])
    _check_shape(content, 3, 2)
    empty = workbook_bytes([{"title": "测试", "headers": ["案号", "金额（元）"], "rows": []}])
    _check_shape(empty, 2, 0)


def test_the_portals_exports_come_in_that_shape(make_case, issue, browser_client):
    case = make_case()
    issue(case, "bank-icbc", "freeze")
    response = browser_client("clerk").get(f"/cases/?q={case.number}&format=xlsx")
    assert response.status_code == 200
    _check_shape(response.content, 6, 1)
    response = browser_client("liaison-bank-icbc").get(f"/inbox/?tab=all&q={case.number}&format=xlsx")
    assert response.status_code == 200
    _check_shape(response.content, 10, 1)


def test_the_restriction_orders_export_uses_the_shared_shape(browser_client):
    response = browser_client("liaison-natres").get("/restrictions/export.xlsx")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    sheet = _check_shape(response.content, 7, 0)
    assert sheet["A1"].value and sheet["A1"].font.bold  # the title row of every export
