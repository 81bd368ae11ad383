"""The minutes (会议纪要) as DOCX (python-docx) and PDF (WeasyPrint), in the layout of GB/T 9704-2012.

Both are built from one ``minutes_content`` so they hold the same words.

Fonts. The DOCX names the official fonts as East Asian fonts (``w:eastAsia``), so Word and WPS on the
users' machines, which have them, show them: 方正小标宋简体 for the mark and the title, 仿宋_GB2312 for the
body, 黑体 for the 出席/请假/列席 labels and the annex heading, 楷体_GB2312 for second-level headings; Latin
letters and digits in Times New Roman. The PDF is rendered here, so it embeds what the server has:
Debian's ``fonts-noto-cjk`` (Noto Serif CJK SC Bold standing in for 小标宋, Noto Serif CJK SC for 仿宋,
Noto Sans CJK SC for 黑体), or a font file the court installs for each role when it holds the licensed one
(settings ``DOCUMENT_FONT_TITLE``, ``DOCUMENT_FONT_BODY``, ``DOCUMENT_FONT_HEADING``, ``DOCUMENT_FONT_KAI``:
paths to .ttf/.otf files, embedded through ``@font-face``).

Layout: A4; margins top 37 mm, left (binding side) 28 mm, bottom 35 mm, right 26 mm, so the text block is
156 × 225 mm; 22 lines a page (line pitch 225/22 mm ≈ 28.9 pt); red issuing-authority mark of the
minutes and the document number under it, a red rule; title 22 pt (二号) centred; body paragraphs
indented two characters; decisions numbered 一、二、…; issuing body and date (Arabic numerals) at the end,
right-aligned; the mark of the minutes (纪要标志) 35 mm below the top of the text block (GB/T 9704-2012
10.3); 出席 / 请假 / 列席 in 黑体 with the names in 仿宋 after the full-width colon, continuation lines
aligned after it (10.3); the annex on a new page, then the imprint (版记) at the bottom of the last page:
抄送 (units separated by ，, ended with 。), 印发机关 left and 印发日期 right, between rules (7.4); page numbers "— 1 —" in 14 pt (四号), outside corner:
right on odd pages, left on even pages.
"""
import io

from django.template.loader import render_to_string
from django.utils import timezone, translation

from linkage.dates import cn_date
from linkage.numerals import chinese_numeral
from linkage.text import strip_controls

HEADER = "公安县执行工作联动协调机制联席会议纪要"
ISSUER = "公安县执行工作联动协调机制联席会议办公室"
SERIF = "Noto Serif CJK SC"
SANS = "Noto Sans CJK SC"
# The fonts the DOCX names (GB/T 9704-2012 5.2.2 and 10.3); the machines that open it have them.
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
KAI_FONT = "楷体_GB2312"
LATIN_FONT = "Times New Roman"
MARK_TOP_MM = 35  # the 纪要标志's top edge below the top of the text block (10.3)
# Invited units that are not conference members (Art. 3 does not list them) attend as 列席.
OBSERVER_UNIT_CODES = {"sasac"}
OBSERVER_UNIT_KINDS = {"other"}
RED = "C00000"
LINE_PITCH_PT = 28.9  # 225 mm / 22 lines
TEXT_WIDTH_MM = 156
EXCERPT_MARK = "（摘录）"
# The annex table in the DOCX: its cells' text size and the room Word keeps left and right in a cell.
ANNEX_PT = 10.5
CELL_PADDING_MM = 3.8  # Word's default cell margins, 0.19 cm on each side


def _clean(text) -> str:
    """Stored text as a document may hold it: a control character (typed before input was cleaned) would
    make python-docx refuse the whole document, and issued minutes cannot be edited. Identifier-shaped runs
    typed into free text are masked for every reader (docs/security.md)."""
    from linkage.identity import mask_identifiers_in_text

    return mask_identifiers_in_text(strip_controls(text or "").replace("\t", " "))


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
        lines.append(f"{chinese_numeral(index)}、{_clean(decision.text)}{tail}")
    invitations = list(meeting.invitations.all())
    attended = [i for i in invitations if i.status == "confirmed"]
    observers = [i for i in attended if _observer(i.unit)]
    members = [i for i in attended if not _observer(i.unit)]
    # Issued minutes say what happened at the meeting: a unit that did not confirm its attendance is on
    # leave (请假); a draft says the same so the office reads what will be issued.
    on_leave = [i for i in invitations if i.status != "confirmed"]
    dated = minutes_date(minutes)
    annex = work_report_annex(meeting) if unit is None else None
    copy_units = [unit.name] if unit is not None else [i.unit.name for i in invitations]
    return {
        "header": HEADER,
        "number": minutes.number or "（草稿，未编号）",
        "draft": not minutes.is_issued,
        "title": _clean(meeting.title) + (EXCERPT_MARK if unit is not None else ""),
        # the title in two parts, so that a line break never falls inside "（摘录）" (PDF: nowrap; DOCX: a break
        # before it when it would straddle a line, ``_title_paragraph``)
        "title_main": _clean(meeting.title),
        "title_suffix": EXCERPT_MARK if unit is not None else "",
        "intro": (f"{cn_date(meeting.starts_at)}，{HEADER[:-2]}"
                  f"在{_clean(meeting.place) or '公安县人民法院'}召开"
                  f"{'定期' if meeting.kind == 'regular' else '专题'}会议。现将会议议定事项纪要如下："),
        "summary": [p.strip() for p in _clean(minutes.summary).splitlines() if p.strip()],
        "decisions": lines,
        "attendance": _names(members),
        "leave": "、".join(i.unit.name for i in on_leave),
        "observers": _names(observers),
        "rolls": [(label, text) for label, text in (("出席", _names(members)),
                                                    ("请假", "、".join(i.unit.name for i in on_leave)),
                                                    ("列席", _names(observers))) if text],
        "issuer": ISSUER,
        "date": cn_date(dated),
        "copy_to": "，".join(copy_units) + "。" if copy_units else "",
        "printed_by": ISSUER,
        "printed_on": f"{cn_date(dated)}印发",
        "printed_pt": imprint_size(ISSUER, f"{cn_date(dated)}印发"),
        "printed": f"{ISSUER}　　{cn_date(dated)}印发",
        "annex": annex,
        "annex_note": f"{annex['label']}：{annex['title']}" if annex else "",
        "fonts": document_fonts(),
    }


def document_fonts() -> dict:
    """The PDF's font faces: for each role, the court's installed font file (a setting) if there is one,
    embedded through @font-face, else the closest free font (Noto CJK from Debian)."""
    from pathlib import Path

    from django.conf import settings

    faces, families = [], {}
    fallbacks = {"title": f'"{SERIF}", serif', "body": f'"{SERIF}", serif', "heading": f'"{SANS}", sans-serif',
                 "kai": f'"{SERIF}", serif'}
    for role, setting in (("title", "DOCUMENT_FONT_TITLE"), ("body", "DOCUMENT_FONT_BODY"),
                          ("heading", "DOCUMENT_FONT_HEADING"), ("kai", "DOCUMENT_FONT_KAI")):
        path = getattr(settings, setting, "") or ""
        if path and Path(path).is_file():
            family = f"linkage-{role}"
            faces.append({"family": family, "url": Path(path).resolve().as_uri()})
            families[role] = f'"{family}", {fallbacks[role]}'
        else:
            families[role] = fallbacks[role]
    # The title is bold only in the stand-in (Noto Serif Bold looks like 小标宋); a real 小标宋 is not.
    families["title_weight"] = "normal" if "title" in {f["family"][8:] for f in faces} else "bold"
    return {"faces": faces, **families}


def imprint_size(issuer: str, printed_on: str) -> float:
    """The point size of the 印发 line: 14 pt (四号), smaller only as far as needed for the issuer, the
    date and the one-character indents on each side to share one line of the 156 mm text block."""
    width_pt = 156 / 25.4 * 72
    # CJK characters are one em wide, digits half; 1 + 1 indents and a gap between
    chars = sum(1 if ord(c) > 127 else 0.5 for c in issuer + printed_on) + 3
    return min(14.0, int(width_pt / chars * 2) / 2)


def _observer(unit) -> bool:
    from members.courts import base_code

    return base_code(unit.code) in OBSERVER_UNIT_CODES or unit.kind in OBSERVER_UNIT_KINDS


def _names(invitations) -> str:
    return "、".join(f"{i.unit.name}（{_clean(i.attendees)}）" if i.attendees else i.unit.name for i in invitations)


def minutes_date(minutes):
    """The date the minutes bear: the issue date (a draft: today), never earlier than the meeting."""
    meeting_day = timezone.localtime(minutes.meeting.starts_at).date()
    day = timezone.localtime(minutes.issued_at or timezone.now()).date()
    return max(day, meeting_day)


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
    from django.conf import settings

    # GB/T 9704-2012 7.3.7: the annex's own page opens with "附件" (3号黑体, top left) and its title centred
    # on the third line; the body names it in its annex note (附件说明, 7.3.4), in the same words.
    return {"label": "附件", "title": f"{settings.COURT_NAME}执行工作情况通报",
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

def _fonts(run, *, east_asia: str, size: float, bold=False, color=None, latin: str = LATIN_FONT):
    """The run's fonts: ``east_asia`` for Chinese (w:eastAsia, what Word and WPS use for CJK text), Times
    New Roman for Latin letters and digits."""
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    run.font.name = latin
    run.font.size = Pt(size)
    run.font.bold = bold
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:hint"), "eastAsia")


def _paragraph(doc, text="", *, font=BODY_FONT, size=16, bold=False, align=None, indent=True, color=None,
               space_before=0, right_indent_chars=0, left_indent_chars=0, hanging_chars=0):
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
    if left_indent_chars:
        fmt.left_indent = Pt(size * left_indent_chars)
    if hanging_chars:
        fmt.first_line_indent = Pt(-size * hanging_chars)
    if right_indent_chars:
        fmt.right_indent = Pt(size * right_indent_chars)
    if align is not None:
        p.alignment = align
    if text:
        _fonts(p.add_run(text), east_asia=font, size=size, bold=bold, color=color)
    return p


def _bottom_frame(paragraph):
    """Anchor the paragraph in a frame at the bottom of the text block (consecutive paragraphs with the
    same frame share it): the imprint sits at the bottom of the last page, in Word and in WPS."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    ppr = paragraph._p.get_or_add_pPr()
    frame = OxmlElement("w:framePr")
    for key, value in (("w:w", str(int(156 / 25.4 * 1440))), ("w:hSpace", "0"), ("w:wrap", "around"),
                       ("w:vAnchor", "margin"), ("w:hAnchor", "margin"), ("w:xAlign", "center"),
                       ("w:yAlign", "bottom")):
        frame.set(qn(key), value)
    ppr.insert(0, frame)


def _right_tab(paragraph, position_pt):
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.shared import Pt

    paragraph.paragraph_format.tab_stops.add_tab_stop(Pt(position_pt), WD_TAB_ALIGNMENT.RIGHT)


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


def _em_width(text: str) -> float:
    """The width of ``text`` in ems: a CJK character one, a Latin letter or digit half."""
    from linkage.excel import display_width

    return display_width(text) / 2


def annex_column_widths(header, rows, *, total_mm: float = TEXT_WIDTH_MM, pt: float = ANNEX_PT) -> list[float]:
    """The annex table's column widths in mm, by what each column holds, the whole as wide as the text
    block: each column as wide as its longest entry on one line (the units' names, the headings). Room
    left over is shared in proportion. Where the table needs more than the block, a heading gives way
    first (it may wrap onto two lines), never a unit's name or a figure; only if even that is too wide
    is every column narrowed in proportion."""
    import math

    em_mm = pt * 25.4 / 72
    columns = list(zip(header, *rows, strict=True)) if rows else [(h,) for h in header]

    def mm(ems):
        return ems * em_mm + CELL_PADDING_MM

    need = [mm(max(_em_width(str(v)) for v in column)) for column in columns]
    floor = [mm(max([math.ceil(_em_width(str(column[0])) / 2)] + [_em_width(str(v)) for v in column[1:]]))
             for column in columns]
    total_need, total_floor = sum(need), sum(floor)
    if total_need <= total_mm:
        widths = [n * total_mm / total_need for n in need]
    elif total_floor <= total_mm:
        give = (total_mm - total_floor) / (total_need - total_floor)
        widths = [f + (n - f) * give for n, f in zip(need, floor, strict=True)]
    else:
        widths = [f * total_mm / total_floor for f in floor]
    return [round(w, 1) for w in widths]


def _title_paragraph(doc, main: str, suffix: str = ""):
    """The title, 22 pt 小标宋 centred (not bold: a display face), a blank line above. A suffix ("（摘录）")
    is never split over two lines: where the line would end inside it, the line is broken before it."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK

    p = _paragraph(doc, main, font=TITLE_FONT, size=22, bold=False, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False,
                   space_before=LINE_PITCH_PT)
    if suffix:
        per_line = int(TEXT_WIDTH_MM / (22 * 25.4 / 72))  # full-width characters a 22 pt line holds: 20
        used = _em_width(main) % per_line
        if used and used + _em_width(suffix) > per_line and p.runs:
            p.runs[-1].add_break(WD_BREAK.LINE)
        _fonts(p.add_run(suffix), east_asia=TITLE_FONT, size=22, bold=False)
    return p


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
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(16)
    from docx.oxml.ns import qn

    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)

    center, right = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT
    # 纪要标志: red 小标宋, its top edge 35 mm under the top of the text block (GB/T 9704-2012 10.3).
    # 方正小标宋 is a display face, heavy by design: never set bold (Word would embolden it again).
    _paragraph(doc, doc_data["header"], font=TITLE_FONT, size=22, bold=False, align=center, indent=False,
               color=RED, space_before=Mm(MARK_TOP_MM).pt)
    number = _paragraph(doc, doc_data["number"], align=center, indent=False, space_before=12)
    _border(number)
    _title_paragraph(doc, doc_data["title_main"], doc_data["title_suffix"])
    _paragraph(doc)
    _paragraph(doc, doc_data["intro"])
    for text in doc_data["summary"]:
        _paragraph(doc, text)
    for text in doc_data["decisions"]:
        _paragraph(doc, text)
    if doc_data.get("annex_note"):
        # 附件说明: one blank line under the body, two characters in (GB/T 9704-2012 7.3.4).
        _paragraph(doc, doc_data["annex_note"], space_before=LINE_PITCH_PT)
    # 出席 / 请假 / 列席: one blank line under the body, two characters in, 黑体 label and full-width colon,
    # the names in 仿宋, continuation lines aligned after the colon (10.3).
    for index, (label, names) in enumerate(doc_data["rolls"]):
        p = _paragraph(doc, indent=False, left_indent_chars=5, hanging_chars=3,
                       space_before=LINE_PITCH_PT if index == 0 else 0)
        p.paragraph_format.keep_with_next = True  # the rolls and the issuer on one page (7.3.5.5)
        _fonts(p.add_run(f"{label}："), east_asia=HEADING_FONT, size=16)
        _fonts(p.add_run(names), east_asia=BODY_FONT, size=16)
    _paragraph(doc, doc_data["issuer"], align=right, indent=False, space_before=2 * LINE_PITCH_PT,
               right_indent_chars=2).paragraph_format.keep_with_next = True
    _paragraph(doc, doc_data["date"], align=right, indent=False, right_indent_chars=4)
    annex = doc_data.get("annex")
    if annex:
        from docx.enum.text import WD_BREAK

        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        # "附件" at the top left in 3号黑体, the title centred on the third line (GB/T 9704-2012 7.3.7).
        _paragraph(doc, annex["label"], font=HEADING_FONT, indent=False)
        _paragraph(doc)
        _paragraph(doc, annex["title"], font=TITLE_FONT, size=22, bold=False, align=center, indent=False)
        _paragraph(doc, annex["intro"], size=14, space_before=LINE_PITCH_PT / 2)
        table = doc.add_table(rows=0, cols=len(annex["header"]))
        table.style = "Table Grid"
        table.autofit = False
        widths = [Mm(w) for w in annex_column_widths(annex["header"], annex["rows"])]
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width  # the grid (w:gridCol); Word reads each cell's own width too (below)
        for row_index, values in enumerate([annex["header"], *annex["rows"]]):
            cells = table.add_row().cells
            for column, (cell, text) in enumerate(zip(cells, values, strict=True)):
                cell.width = widths[column]
                # the header and the figures centred, the units' names from the left
                if row_index == 0 or column > 0:
                    cell.paragraphs[0].alignment = center
                _fonts(cell.paragraphs[0].add_run(text), east_asia=HEADING_FONT if row_index == 0 else BODY_FONT,
                       size=ANNEX_PT)
    # 版记 at the bottom of the last page (7.4): 抄送 one character in, continuation lines after the colon;
    # 印发机关 left and 印发日期 right, one character in from each side; rules between (the first and last
    # thicker).
    width_pt = Mm(156).pt
    copy_to = _paragraph(doc, size=14, indent=False, left_indent_chars=4, hanging_chars=3)
    _fonts(copy_to.add_run(f"抄送：{doc_data['copy_to']}"), east_asia=BODY_FONT, size=14)
    copy_to.paragraph_format.right_indent = Pt(14)
    _border(copy_to, side="top", color="000000", size=8)
    size = doc_data["printed_pt"]
    printed = _paragraph(doc, size=size, indent=False, left_indent_chars=1)
    printed.paragraph_format.right_indent = Pt(size)
    _right_tab(printed, width_pt - 2 * size)
    _fonts(printed.add_run(f"{doc_data['printed_by']}\t{doc_data['printed_on']}"), east_asia=BODY_FONT,
           size=size)
    _border(printed, side="top", color="000000", size=4)
    _border(printed, side="bottom", color="000000", size=8)
    for p in (copy_to, printed):
        _bottom_frame(p)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def minutes_html(document, extra: dict) -> str:
    """The stored minutes (the court's record) or one unit's excerpt (摘录), for ``documents``."""
    doc = minutes_content(document.minutes, unit=document.unit if document.kind == "excerpt" else None)
    return render_to_string("conferences/minutes_document.html", {"doc": doc, **extra})


def register_document_kinds() -> None:
    from documents.services import register_kind

    register_kind("minutes", "excerpt", render=minutes_html)
