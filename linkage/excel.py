"""Every Excel export of the portal, in one shape an office can file as it is.

A sheet is: a title row (merged over the table, bold), a header row of Chinese column names (the caller
passes translated labels), the rows; the header frozen so it stays on screen and filterable (an autofilter
on the header row), thin borders round every cell of the table, printed landscape on A4 fitted to the
page's width (as many pages down as it needs) with the header on every page, column widths fitted to what
the columns hold (a CJK character counts double), dates as Excel dates (``yyyy-mm-dd`` / ``yyyy-mm-dd
hh:mm``, local time, no microseconds), amounts as numbers with two decimals, counts as integers. Text goes
through ``linkage.text.safe_cell`` (no control characters, no live formulas). The file name is Chinese,
through ``linkage.http.content_disposition`` with an ASCII fallback.

``column_types`` names each column's type: ``text`` (default), ``date``, ``datetime``, ``amount`` (two
decimals, thousands separator), ``number`` (two decimals), ``int``, ``hours`` (one decimal).
"""
import datetime as dt
import io
import re
import unicodedata
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone

from .http import content_disposition
from .text import safe_cell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
    "amount": "#,##0.00",
    "number": "0.00",
    "int": "0",
    "hours": "0.0",
}
MIN_WIDTH, MAX_WIDTH = 6, 60
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


def display_width(value) -> int:
    """Columns a value takes in a spreadsheet cell: East Asian wide characters count two."""
    if value is None:
        return 0
    text = value if isinstance(value, str) else str(value)
    longest = 0
    for line in text.split("\n"):
        longest = max(longest, sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line))
    return longest


def cell_value(value, kind: str = "text"):
    """What goes in the cell for a value of column type ``kind``."""
    if value is None or value == "":
        return None
    if kind in ("date", "datetime"):
        if isinstance(value, dt.datetime):
            if timezone.is_aware(value):
                value = timezone.localtime(value)
            value = value.replace(tzinfo=None, microsecond=0)
            if kind == "date":
                return value.date()
            return value.replace(second=0)
        if isinstance(value, dt.date):
            return value
        return safe_cell(str(value))
    if kind in ("amount", "number", "hours"):
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            return round(float(value), 2 if kind != "hours" else 1)
        try:
            return round(float(Decimal(str(value))), 2)
        except Exception:  # noqa: BLE001 - text where a number was expected: keep it as text
            return safe_cell(str(value))
    if kind == "int":
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, (int, float, Decimal)):
            return int(value)
        return safe_cell(str(value))
    if isinstance(value, (dt.datetime, dt.date)):  # a date in a text column: still a date, never a repr
        return cell_value(value, "datetime" if isinstance(value, dt.datetime) else "date")
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return value
    return safe_cell(str(value))


def sheet_name(title: str) -> str:
    return (_SHEET_NAME_BAD.sub("", title)[:31] or "Sheet").strip("'")


def add_sheet(book, title, headers, rows, column_types=None, *, name=None):
    """Append one titled sheet to ``book`` (an openpyxl Workbook, not write-only); return it."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    headers = [str(h) for h in headers]
    types = list(column_types or [])
    types += ["text"] * (len(headers) - len(types))
    sheet = book.create_sheet(sheet_name(name or title))
    columns = max(len(headers), 1)
    sheet.append([safe_cell(str(title))])
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    sheet.cell(row=1, column=1).alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 28
    if columns > 1:
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=columns)
    sheet.append([safe_cell(h) for h in headers])
    thin = Side(style="thin", color="808080")
    grid = Border(left=thin, right=thin, top=thin, bottom=thin)  # one object: openpyxl stores the style once
    fill = PatternFill("solid", fgColor="DDE6F0")
    for index in range(1, columns + 1):
        cell = sheet.cell(row=2, column=index)
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.border = grid
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    widths = [display_width(h) for h in headers]
    # The row just appended, counted here: the sheet's max_row looks at every cell written so far, so
    # asking it once a row makes an export's time grow with the square of its rows.
    r = 2
    for row in rows:
        values = [cell_value(v, types[i] if i < len(types) else "text") for i, v in enumerate(row)]
        sheet.append(values)
        r += 1
        for index in range(1, max(columns, len(values)) + 1):
            sheet.cell(row=r, column=index).border = grid
        for i, value in enumerate(values):
            kind = types[i] if i < len(types) else "text"
            if value is None:
                continue
            if kind in FORMATS and not isinstance(value, str):
                sheet.cell(row=r, column=i + 1).number_format = FORMATS[kind]
                shown = 16 if kind == "datetime" else 10 if kind == "date" else display_width(f"{value:,.2f}"
                                                                                               if kind == "amount"
                                                                                               else value)
            elif isinstance(value, dt.datetime):
                sheet.cell(row=r, column=i + 1).number_format = FORMATS["datetime"]
                shown = 16
            elif isinstance(value, dt.date):
                sheet.cell(row=r, column=i + 1).number_format = FORMATS["date"]
                shown = 10
            else:
                shown = display_width(value)
            if i < len(widths):
                widths[i] = max(widths[i], shown)
            else:
                widths.append(shown)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, MIN_WIDTH), MAX_WIDTH)
    sheet.freeze_panes = "A3"  # the title and the header stay on screen
    sheet.print_title_rows = "2:2"  # and the header is printed on every page
    last_column = get_column_letter(max(columns, len(widths)))
    sheet.auto_filter.ref = f"A2:{last_column}{r}"  # the header row filters the table
    print_fitted(sheet)
    return sheet


def print_fitted(sheet) -> None:
    """Print ``sheet`` landscape on A4, fitted to one page wide and as many pages down as it needs."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def workbook_bytes(sheets) -> bytes:
    """``sheets``: an iterable of dicts with ``title``, ``headers``, ``rows``, optional ``column_types``
    and ``name`` (the sheet tab; default the title)."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for spec in sheets:
        add_sheet(book, spec["title"], spec["headers"], spec["rows"], spec.get("column_types"),
                  name=spec.get("name"))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_http_response(content: bytes, filename: str, *, fallback: str = "export.xlsx") -> HttpResponse:
    if not filename.lower().endswith(".xlsx"):
        filename += ".xlsx"
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition(filename, as_attachment=True, fallback=fallback)
    return response


def workbook_response(title, headers, rows, filename, column_types=None, *, fallback="export.xlsx",
                      name=None) -> HttpResponse:
    """One titled sheet as a download named ``filename`` (Chinese; ``fallback`` for old clients)."""
    content = workbook_bytes([{"title": title, "headers": headers, "rows": rows,
                               "column_types": column_types, "name": name}])
    return xlsx_http_response(content, filename, fallback=fallback)


def export_title(what, today=None) -> str:
    """``执行措施台账（2026年12月1日导出）``: what the sheet is and when it was made."""
    from django.utils.translation import gettext as _

    today = today or timezone.localdate()
    return _("%(what)s (exported on %(date)s)") % {
        "what": what, "date": f"{today.year}年{today.month}月{today.day}日"}
