"""Uploaded spreadsheets (CSV, Excel .xlsx) read only as far as their bounds (issue 29: uploads bounded
by work), for every upload of a list: the credit bulk check (``credit.services.bulk_check_file``), the case
import (``cases.imports``).

A caller names its ``Bounds`` (bytes, rows, columns, characters a cell, the parts and XML elements of an
Excel file). An Excel file's parts are counted as their bytes stream, before openpyxl reads any of them
(``xlsx_within_bounds``), then openpyxl reads it in read-only mode, row by row (``read_xlsx``); a CSV text
is read row by row (``read_csv``). The first bound passed refuses the file whole with ``UploadRefused``
(a ``ValidationError`` on ``file``: HTTP 400, nothing done), so that a refused file costs milliseconds.
"""
import csv
import io
import re
import zipfile
from dataclasses import dataclass
from itertools import islice

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Bounds:
    max_bytes: int
    max_rows: int  # body rows; a header row comes on top
    max_columns: int = 30
    max_cell_chars: int = 1000
    max_members: int = 200
    max_unpacked: int = 10 * 1024 * 1024
    max_cell_elements: int = 24_000  # XML elements of the worksheets and the shared strings, together
    max_other_elements: int = 4_000  # and of every other part (styles, workbook, properties), together


class UploadRefused(ValidationError):
    """A file refused for its size or shape, before or while it is read (HTTP 400): nothing done."""


def refuse(message: str):
    raise UploadRefused({"file": [message]}, code="upload")


def too_many_rows(bounds: Bounds):
    refuse(_("At most %(n)s rows per file.") % {"n": bounds.max_rows})


def _too_many_columns(bounds: Bounds):
    refuse(_("At most %(n)s columns per row: keep the list's columns only.") % {"n": bounds.max_columns})


def _refuse_long_cell(row: int, bounds: Bounds):
    refuse(_("Row %(row)s has a cell of more than %(n)s characters; a list of identifiers needs no such cell.")
           % {"row": row, "n": bounds.max_cell_chars})


def cell_text(value) -> str:
    """A cell as text: ``None`` empty, a whole float without its ``.0``, stripped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def decode(data: bytes) -> tuple[str, str]:
    """A CSV file's text and its encoding (UTF-8, with or without BOM, or GB18030, as Excel saves it in China)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text, ("utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else
                      "utf-8" if encoding == "utf-8-sig" else encoding)
    refuse(_("The CSV file is neither UTF-8 nor GB18030 text."))


def is_xlsx(name: str, data: bytes) -> bool:
    return name.lower().endswith(".xlsx") or data[:2] == b"PK"


def read_upload_bytes(upload, bounds: Bounds, too_large: str) -> bytes:
    """The bytes of an upload, refused with ``too_large`` past ``bounds.max_bytes`` (before reading it
    when its size says so, and never read further than one byte past)."""
    if upload.size > bounds.max_bytes:
        refuse(too_large)
    data = upload.read(bounds.max_bytes + 1)
    if len(data) > bounds.max_bytes:
        refuse(too_large)
    return data


# The start of a row element, with or without a namespace prefix (``<row r="1">``, ``<x:row>``).
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,15}:)?row[\s/>]")
_TAIL = 24  # bytes kept from one chunk to the next, so that a tag cut in two is still seen


def xlsx_within_bounds(data: bytes, bounds: Bounds) -> zipfile.ZipFile:
    """The archive of an .xlsx upload, once its parts are known to be a list's size: at most
    ``max_members`` parts, stored or deflated, ``max_unpacked`` bytes unpacked as declared (the zip module
    never unpacks more than a part declares), every worksheet at most ``max_rows`` + 1 rows, and at most
    ``max_cell_elements`` / ``max_other_elements`` XML elements. Counted on the unpacked bytes as they
    stream, stopping at the first limit passed: openpyxl, which parses a worksheet without a
    ``<dimension>`` whole before its first row (and the styles and shared strings whole), is only ever
    given a file it reads in a few hundredths of a second."""
    unreadable = _("This is not a readable Excel (.xlsx) file.")
    end = data.rfind(b"PK\x05\x06", max(len(data) - 22 - 65535, 0))
    if end < 0 or len(data) - end < 22:
        refuse(unreadable)
    if int.from_bytes(data[end + 10:end + 12], "little") > bounds.max_members:  # 0xFFFF: Zip64, never a list
        refuse(_("This Excel file has too many parts to be a list; save the list alone as a new file."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        refuse(unreadable)
    too_big = _("This Excel file holds more than a list of %(n)s rows needs (too many cells, sheets or "
                "styles); copy the list alone into a new workbook and upload that.") % {"n": bounds.max_rows}
    if len(members) > bounds.max_members or sum(m.file_size for m in members) > bounds.max_unpacked:
        refuse(too_big)
    if any(m.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or m.flag_bits & 0x1
           for m in members):
        refuse(unreadable)

    def kind(member):
        name = member.filename.lower()
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            return 0
        if name.endswith("sharedstrings.xml"):
            return 1
        return 2 if name.endswith((".xml", ".rels", ".vml")) else None

    cell_elements = other_elements = 0
    try:
        for member in sorted((m for m in members if kind(m) is not None), key=kind):
            worksheet = kind(member) == 0
            rows, tail = 0, b""
            with archive.open(member) as stream:
                while chunk := stream.read(65536):
                    count = chunk.count(b"<") - chunk.count(b"</")
                    if kind(member) == 2:
                        other_elements += count
                    else:
                        cell_elements += count
                    if worksheet:
                        buffer = tail + chunk
                        rows += sum(1 for m in _ROW_TAG.finditer(buffer) if m.end() > len(tail))
                        tail = buffer[-_TAIL:]
                        if rows > bounds.max_rows + 1:
                            too_many_rows(bounds)
                    if cell_elements > bounds.max_cell_elements or other_elements > bounds.max_other_elements:
                        refuse(too_big)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError, NotImplementedError):
        refuse(unreadable)
    return archive


def read_xlsx(data: bytes, bounds: Bounds) -> tuple[list[tuple[str, list[list]]], int]:
    """The worksheets of a bounded .xlsx file as (title, rows of values), and the index of the active
    sheet. Read by openpyxl in read-only mode, row by row, the row cap applied as the rows come (a row
    element far down makes openpyxl yield the empty rows before it) and every cell past ``max_columns``
    refused if it holds a value."""
    from openpyxl import load_workbook

    xlsx_within_bounds(data, bounds)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - whatever openpyxl makes of a broken file, it is not a list
        refuse(_("This is not a readable Excel (.xlsx) file."))
    try:
        sheets = []
        for sheet in book.worksheets:
            sheet.reset_dimensions()  # a <dimension> may say fewer rows than there are: read them all
            rows = []
            for values in sheet.iter_rows(min_row=1, values_only=True):
                if len(rows) > bounds.max_rows:
                    too_many_rows(bounds)
                if len(values) > bounds.max_columns:
                    if any(v not in (None, "") for v in islice(values, bounds.max_columns, None)):
                        _too_many_columns(bounds)
                    values = values[:bounds.max_columns]
                if any(isinstance(v, str) and len(v) > bounds.max_cell_chars for v in values):
                    _refuse_long_cell(len(rows) + 1, bounds)
                rows.append(list(values))
            sheets.append((sheet.title, rows))
        active = book.active
        index = next((i for i, s in enumerate(book.worksheets) if s is active), 0)
    except UploadRefused:
        raise
    except Exception:  # noqa: BLE001 - a part openpyxl cannot read
        refuse(_("This is not a readable Excel (.xlsx) file."))
    finally:
        book.close()
    if not sheets:
        raise ValidationError({"file": [_("The file is empty.")]})
    return sheets, index


def trimmed(rows: list[list]) -> tuple[list[list], int]:
    """Rows without their trailing empty cells, and the width of the widest."""
    out = []
    for row in rows:
        end = len(row)
        while end and row[end - 1] in (None, ""):
            end -= 1
        out.append(row[:end])
    return out, max((len(r) for r in out), default=0)


def read_csv(text: str, bounds: Bounds) -> list[list[str]]:
    """The rows of a CSV text, read one by one and refused at the first row past the cap, the first row
    wider than ``max_columns`` or the first cell longer than ``max_cell_chars`` (the csv module's own
    limit, 131,072, is met as a refusal too, never as an error)."""
    reader = csv.reader(io.StringIO(text, newline=""), csv.excel)
    rows = []
    try:
        for row in reader:
            if len(rows) > bounds.max_rows:
                too_many_rows(bounds)
            if len(row) > bounds.max_columns:
                if any(islice(row, bounds.max_columns, None)):  # a value past the cap (empty cells are no matter)
                    _too_many_columns(bounds)
                row = row[:bounds.max_columns]
            if any(len(cell) > bounds.max_cell_chars for cell in row):
                _refuse_long_cell(len(rows) + 1, bounds)
            rows.append(row)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            _refuse_long_cell(len(rows) + 1, bounds)
        refuse(_("This CSV file cannot be read at line %(line)s (a quotation mark left open?).")
               % {"line": reader.line_num})
    return rows
