"""The minutes (会议纪要) as DOCX (python-docx) and PDF (WeasyPrint), in the layout of GB/T 9704-2012.

Both are built from one ``minutes_content`` so they hold the same words. Fonts are Debian's
``fonts-noto-cjk`` (found through fontconfig, nothing shipped): the title and the red header in
Noto Serif CJK SC Bold (standing in for 方正小标宋), the body in Noto Serif CJK SC Regular at 16 pt
(三号; standing in for 仿宋_GB2312, which Debian does not package), labels in Noto Sans CJK SC (黑体).

Layout: A4; margins top 37 mm, left (binding side) 28 mm, bottom 35 mm, right 26 mm, so the text block is
156 × 225 mm; 22 lines a page (line pitch 225/22 mm ≈ 28.9 pt); red issuing-authority mark of the
minutes and the document number under it, a red rule; title 22 pt (二号) centred; body paragraphs
indented two characters; decisions numbered 一、二、…; issuing body and date (Arabic numerals) at the end,
right-aligned; the imprint (版记) between rules; page numbers "— 1 —" in 14 pt (四号), outside corner:
right on odd pages, left on even pages.
"""
import io

from django.template.loader import render_to_string
from django.utils import timezone, translation

from linkage.numerals import chinese_numeral
from linkage.text import strip_controls

HEADER = "公安县执行工作联动协调机制联席会议纪要"
ISSUER = "公安县执行工作联动协调机制联席会议办公室"
SERIF = "Noto Serif CJK SC"
SANS = "Noto Sans CJK SC"
RED = "C00000"
LINE_PITCH_PT = 28.9  # 225 mm / 22 lines

def chinese_ordinal(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 23 → 二十三, 101 → 一百零一: any number of decisions."""
    return chinese_numeral(n)


def cn_date(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "hour"):
        value = timezone.localtime(value).date()
    return f"{value.year}年{value.month}月{value.day}日"


def _clean(text) -> str:
    """Stored text as a document may hold it: a control character (typed before input was cleaned) would
    make python-docx refuse the whole document, and issued minutes cannot be edited."""
    return strip_controls(text or "").replace("\t", " ")


def minutes_content(minutes, *, unit=None) -> dict:
    """What the document says; with ``unit``, the excerpt (摘录) of the decisions addressed to it."""
    meeting = minutes.meeting
    # An excerpt keeps the decisions addressed to no unit in particular: they are the common part.
    decisions = [d for d in minutes.decisions.all() if unit is None or d.unit_id in (None, unit.pk)]
    lines = []
    for index, decision in enumerate(decisions, start=1):
        extra = []
        if decision.unit_id:
            extra.append(f"责任单位：{decision.unit.name}")
        if decision.due_at:
            extra.append(f"完成时限：{cn_date(decision.due_at)}")
        tail = f"（{'；'.join(extra)}）" if extra else ""
        lines.append(f"{chinese_ordinal(index)}、{_clean(decision.text)}{tail}")
    invitations = list(meeting.invitations.all())
    attendance = "、".join(
        f"{i.unit.name}（{_clean(i.attendees)}）" if i.attendees else i.unit.name
        for i in invitations if i.status == "confirmed")
    absent = "、".join(i.unit.name for i in invitations if i.status != "confirmed")
    issued_on = minutes.issued_at or timezone.now()
    return {
        "header": HEADER,
        "number": minutes.number or "（草稿，未编号）",
        "draft": not minutes.is_issued,
        "title": _clean(meeting.title) + ("（摘录）" if unit is not None else ""),
        "intro": (f"{cn_date(meeting.starts_at)}，{HEADER[:-2]}"
                  f"在{_clean(meeting.place) or '公安县人民法院'}召开"
                  f"{'定期' if meeting.kind == 'regular' else '专题'}会议。现将会议议定事项纪要如下："),
        "summary": [p.strip() for p in _clean(minutes.summary).splitlines() if p.strip()],
        "decisions": lines,
        "attendance": attendance,
        "absent": absent,
        "issuer": ISSUER,
        "date": cn_date(issued_on),
        "copy_to": unit.name if unit is not None else "、".join(i.unit.name for i in invitations),
        "printed": f"{ISSUER}　　{cn_date(issued_on)}印发",
        "annex": work_report_annex(meeting) if unit is None else None,
    }


def work_report_annex(meeting) -> dict | None:
    """The annex of the full minutes of a regular meeting: the court's work report as fixed when the
    meeting was held (``conferences.models.MeetingReport``); none before that."""
    from .models import MeetingReport

    stored = MeetingReport.objects.filter(meeting=meeting).first()
    if stored is None:
        return None
    data = stored.data
    header = ["单位", "发出", "已签收", "签收逾期", "已回复", "按期回复", "回复逾期", "中止计时"]
    keys = ["issued", "acknowledged", "ack_late", "answered", "on_time", "late", "paused"]
    rows = [[_clean(r["name"]), *[str(r[k]) for k in keys]] for r in data["by_unit"]]
    rows.append(["合计", *[str(data["totals"][k]) for k in keys]])
    return {"title": "附件：人民法院执行工作情况通报",
            "intro": f"统计{cn_date(_parse(data['since']))}至{cn_date(_parse(data['until']))}发出的协助执行通知书，"
                     f"按截至{cn_date(_parse(data['until']))}会议召开时的办理情况计算。",
            "header": header, "rows": rows,
            "releases": len(data["releases"]), "key_cases": len(data["key_cases"])}


def _parse(value):
    from django.utils.dateparse import parse_datetime

    return parse_datetime(value) if isinstance(value, str) else value


def render_minutes_pdf(minutes, *, unit=None) -> bytes:
    from weasyprint import HTML  # imported lazily: it loads Pango, which only PDF pages need

    with translation.override("zh-hans"):
        html = render_to_string("conferences/minutes_document.html", {"doc": minutes_content(minutes, unit=unit)})
    return HTML(string=html).write_pdf()


# ---------------------------------------------------------------- DOCX

def _fonts(run, *, east_asia: str, size: float, bold=False, color=None):
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    run.font.name = east_asia
    run.font.size = Pt(size)
    run.font.bold = bold
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), east_asia)


def _paragraph(doc, text="", *, font=SERIF, size=16, bold=False, align=None, indent=True, color=None,
               space_before=0, right_indent_chars=0):
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(LINE_PITCH_PT if size <= 16 else size * 1.6)
    fmt.space_before = Pt(space_before)
    fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if right_indent_chars:
        fmt.right_indent = Pt(16 * right_indent_chars)
    if align is not None:
        p.alignment = align
    if text:
        _fonts(p.add_run(text), east_asia=font, size=size, bold=bold, color=color)
    return p


def _border(paragraph, *, side="bottom", color=RED, size=12):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.append(borders)
    line = OxmlElement(f"w:{side}")
    line.set(qn("w:val"), "single")
    line.set(qn("w:sz"), str(size))
    line.set(qn("w:space"), "1")
    line.set(qn("w:color"), color)
    borders.append(line)


def _page_number(footer, align):
    """"— PAGE —" in 14 pt (四号) at the outside corner."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    p = footer.paragraphs[0]
    p.alignment = align
    _fonts(p.add_run("— "), east_asia=SERIF, size=14)
    run = p.add_run()
    _fonts(run, east_asia=SERIF, size=14)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == " PAGE ":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._r.append(el)
    _fonts(p.add_run(" —"), east_asia=SERIF, size=14)


def render_minutes_docx(minutes, *, unit=None) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    doc_data = minutes_content(minutes, unit=unit)
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(23)  # the number sits about 7 mm under the text block
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)
    normal = doc.styles["Normal"]
    normal.font.name = SERIF
    normal.font.size = Pt(16)

    center, right = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT
    _paragraph(doc, doc_data["header"], size=22, bold=True, align=center, indent=False, color=RED)
    number = _paragraph(doc, doc_data["number"], align=center, indent=False, space_before=12)
    _border(number)
    _paragraph(doc, doc_data["title"], size=22, bold=True, align=center, indent=False, space_before=LINE_PITCH_PT)
    _paragraph(doc)
    _paragraph(doc, doc_data["intro"])
    for text in doc_data["summary"]:
        _paragraph(doc, text)
    for text in doc_data["decisions"]:
        _paragraph(doc, text)
    if doc_data["attendance"]:
        p = _paragraph(doc, space_before=LINE_PITCH_PT)
        _fonts(p.add_run("出席："), east_asia=SANS, size=16)
        _fonts(p.add_run(doc_data["attendance"]), east_asia=SERIF, size=16)
    if doc_data["absent"]:
        p = _paragraph(doc)
        _fonts(p.add_run("未确认出席："), east_asia=SANS, size=16)
        _fonts(p.add_run(doc_data["absent"]), east_asia=SERIF, size=16)
    _paragraph(doc, doc_data["issuer"], align=right, indent=False, space_before=2 * LINE_PITCH_PT,
               right_indent_chars=2)
    _paragraph(doc, doc_data["date"], align=right, indent=False, right_indent_chars=4)
    copy_to = _paragraph(doc, f"抄送：{doc_data['copy_to']}", size=14, indent=False, space_before=2 * LINE_PITCH_PT)
    _border(copy_to, side="top", color="000000", size=8)
    printed = _paragraph(doc, doc_data["printed"], size=14, indent=False)
    _border(printed, side="top", color="000000", size=4)
    _border(printed, side="bottom", color="000000", size=8)
    annex = doc_data.get("annex")
    if annex:
        from docx.enum.text import WD_BREAK

        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _paragraph(doc, annex["title"], font=SANS, indent=False)
        _paragraph(doc, annex["intro"], size=14)
        table = doc.add_table(rows=0, cols=len(annex["header"]))
        table.style = "Table Grid"
        for values in [annex["header"], *annex["rows"]]:
            cells = table.add_row().cells
            for cell, text in zip(cells, values, strict=True):
                _fonts(cell.paragraphs[0].add_run(text), east_asia=SERIF, size=10.5)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
