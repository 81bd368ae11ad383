"""Cases from the court's case system (issue 31 §5): its export (Excel or CSV) read within bounds, its
columns mapped once for the court, every row checked and shown before anything is written, then each
new case registered by ``cases.lifecycle_services.case_create``, the service of a case typed in the
browser (the same rules, the same ``register`` event). The API's ``POST cases/import/`` runs the same
service on rows in the shape of ``POST cases/``.

An import is idempotent by case number: a row whose case is registered reads ``exists`` and is left as
it is, so the same file twice creates nothing the second time. A preview and a dry run write nothing;
an import that writes leaves one ``CaseImportBatch`` row (who, when, which file, what came of it).

Between the preview and the confirmation the file's table is kept in the cache under a random token
bound to the clerk (``keep_table``, ``kept_table``): bounded (``MAX_BYTES``, ``MAX_ROWS``,
``TABLE_MAX_CHARS``), for ``KEEP_SECONDS``, never in a form the browser could alter.

Queries: one to find the rows already registered, then per row a constant number: ``case_check``'s
look-up in a preview or a dry run; ``case_create``'s look-up, three inserts (case, parties, event) and
its savepoint in an import.
"""
import hashlib
import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linkage import spreadsheets
from linkage.identity import is_valid_resident_id, is_valid_uscc, validate_party_identifier
from linkage.text import clean_text
from members.courts import court_code

from .identifiers import normalise_case_number_query, parse_own_case_number
from .lifecycle_services import case_check, case_create
from .models import Case, CaseImportBatch, CaseImportMapping, CaseImportSource, PartyKind, PartyRole

PERMISSION = "cases.add_case"
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 500
# What is kept between preview and confirmation: the table's text, at most this many characters.
TABLE_MAX_CHARS = 600_000
KEEP_SECONDS = 30 * 60
BOUNDS = spreadsheets.Bounds(max_bytes=MAX_BYTES, max_rows=MAX_ROWS, max_columns=40, max_cell_chars=1000,
                             max_cell_elements=100_000, max_other_elements=6_000)
HEADER_SEARCH_ROWS = 5  # an export may carry a title row or two above its header

CREATED, EXISTS, ERROR = "created", "exists", "error"


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    required: bool
    headers: tuple[str, ...]  # headers the court's systems are known to use, compared without spaces or brackets


# The portal's fields a column may fill, in the order the mapping form shows them.
FIELDS = (
    Field("number", gettext_lazy("Case number (案号)"), True, ("案号", "执行案号", "案件编号", "案件号", "number")),
    Field("title", gettext_lazy("Title (案由)"), True,
          ("案由", "案件名称", "案件标题", "标题", "执行案由", "标的", "title")),
    Field("amount", gettext_lazy("Amount to enforce (执行标的金额, yuan)"), True,
          ("执行标的金额", "执行标的", "申请执行标的", "申请执行标的额", "申请执行金额", "标的金额", "标的额",
           "执行金额", "金额", "amount")),
    Field("filed_on", gettext_lazy("Filing date (立案日期)"), False,
          ("立案日期", "立案时间", "收案日期", "立案日", "filed_on")),
    Field("applicant_name", gettext_lazy("Applicant (申请执行人)"), False,
          ("申请执行人", "申请执行人名称", "申请执行人姓名", "申请人", "applicant")),
    Field("applicant_id", gettext_lazy("Applicant's ID number or credit code"), False,
          ("申请执行人证件号码", "申请执行人身份证号码", "申请执行人身份证号", "申请执行人统一社会信用代码",
           "申请执行人证照号码", "申请人证件号码", "申请人身份证号码", "applicant_id")),
    Field("debtor_name", gettext_lazy("Judgment debtor (被执行人)"), True,
          ("被执行人", "被执行人名称", "被执行人姓名", "第一被执行人", "被执行人1", "debtor")),
    Field("debtor_id", gettext_lazy("Judgment debtor's ID number or credit code"), True,
          ("被执行人证件号码", "被执行人身份证号码", "被执行人身份证号", "被执行人统一社会信用代码",
           "被执行人证照号码", "第一被执行人证件号码", "被执行人1证件号码", "debtor_id")),
    Field("debtor2_name", gettext_lazy("Second judgment debtor"), False,
          ("第二被执行人", "被执行人2", "被执行人二", "debtor2")),
    Field("debtor2_id", gettext_lazy("Second judgment debtor's ID number or credit code"), False,
          ("第二被执行人证件号码", "被执行人2证件号码", "被执行人二证件号码", "debtor2_id")),
)
FIELD_KEYS = tuple(f.key for f in FIELDS)
# The party column groups of a row: (role, name field, identifier field).
PARTY_GROUPS = ((PartyRole.APPLICANT, "applicant_name", "applicant_id"),
                (PartyRole.DEBTOR, "debtor_name", "debtor_id"),
                (PartyRole.DEBTOR, "debtor2_name", "debtor2_id"))


def field_labels() -> dict:
    return {**{f.key: f.label for f in FIELDS}, "parties": _("Parties"), "row": _("Row")}


def _require(actor):
    if not actor.has_perm(PERMISSION):
        raise PermissionDenied(_("Your role does not allow this."))


# ---------------------------------------------------------------- the file

@dataclass
class Table:
    """A file's header and body rows as text, each body row with its line in the file."""

    filename: str
    sha256: str
    headers: list[str]
    rows: list[tuple[int, list[str]]]

    def as_dict(self) -> dict:
        return {"filename": self.filename, "sha256": self.sha256, "headers": self.headers,
                "rows": [[line, cells] for line, cells in self.rows]}

    @classmethod
    def from_dict(cls, data: dict) -> "Table":
        return cls(data["filename"], data["sha256"], data["headers"],
                   [(line, cells) for line, cells in data["rows"]])


def _cell(value) -> str:
    if isinstance(value, datetime):
        value = value.date() if (value.hour, value.minute, value.second) == (0, 0, 0) else value
    if isinstance(value, date):
        return value.isoformat()
    return spreadsheets.cell_text(value)


def _header_key(text: str) -> str:
    """A header as compared: without spaces, brackets and what they hold (``执行标的金额（元）``), colons
    or asterisks, lower-case."""
    text = normalise_case_number_query(text)
    text = re.sub(r"（[^）]*）", "", text)
    return re.sub(r"[\s:：*＊]", "", text).lower()


_KNOWN = {_header_key(h): f.key for f in FIELDS for h in f.headers}


def read_table(*, actor, upload) -> Table:
    """The uploaded export as a ``Table``: CSV (UTF-8 or GB18030) or Excel (.xlsx, its active sheet),
    read within ``BOUNDS``; the header is the first of its first rows that names known columns (or its
    first non-empty row). Refused whole (``spreadsheets.UploadRefused``) for its size, shape or kind."""
    _require(actor)
    name = (getattr(upload, "name", "") or "cases").rsplit("/", 1)[-1][:200]
    data = spreadsheets.read_upload_bytes(upload, BOUNDS, _("The file is larger than 2 MB."))
    if not data:
        raise spreadsheets.UploadRefused({"file": [_("The file is empty.")]}, code="upload")
    if spreadsheets.is_xlsx(name, data):
        sheets, index = spreadsheets.read_xlsx(data, BOUNDS)
        raw = sheets[index][1]
    elif name.lower().endswith((".csv", ".txt")):
        text, _encoding = spreadsheets.decode(data)
        if "\x00" in text:
            spreadsheets.refuse(_("Upload the export of the case system as an Excel (.xlsx) or CSV file."))
        raw = spreadsheets.read_csv(text, BOUNDS)
    else:
        spreadsheets.refuse(_("Upload the export of the case system as an Excel (.xlsx) or CSV file."))
    raw, _width = spreadsheets.trimmed(raw)
    rows = [[_cell(v) for v in row] for row in raw]
    if sum(len(c) for row in rows for c in row) > TABLE_MAX_CHARS:
        spreadsheets.refuse(_("The file holds more text than a list of %(n)s cases needs; keep the list's "
                              "columns only.") % {"n": MAX_ROWS})
    header_at = _header_row(rows)
    if header_at is None:
        raise spreadsheets.UploadRefused({"file": [_("The file is empty.")]}, code="upload")
    headers = _unique_headers(rows[header_at])
    body = [(line, cells) for line, cells in enumerate(rows[header_at + 1:], start=header_at + 2)
            if any(cells)]
    if not body:
        raise spreadsheets.UploadRefused({"file": [_("The file has a header but no cases under it.")]},
                                         code="upload")
    return Table(name, hashlib.sha256(data).hexdigest(), headers, body)


# A column named only 证件号码 (or the like) next to a party's column holds that party's number: an
# export often has 申请执行人, 证件号码, 被执行人, 证件号码.
_ID_HEADERS = {"证件号码", "证件号", "身份证号码", "身份证号", "统一社会信用代码", "证照号码", "身份证号/统一社会信用代码",
               "证件号码/统一社会信用代码", "idnumber", "id_number"}
_PARTY_NAME_FIELDS = {"applicant_name", "debtor_name", "debtor2_name"}


def _unique_headers(cells: list[str]) -> list[str]:
    """The header as the mapping names its columns: an empty one by its place (列3), a bare 证件号码 after a
    party's column as that party's (被执行人证件号码), a repeated one numbered (证件号码（2）)."""
    out, seen = [], set()
    for index, cell in enumerate(cells):
        name = cell or _("Column %(n)s") % {"n": index + 1}
        if index and _header_key(name) in _ID_HEADERS and _KNOWN.get(_header_key(cells[index - 1])) in \
                _PARTY_NAME_FIELDS:
            name = cells[index - 1] + name
        base, k = name, 1
        while name in seen:
            k += 1
            name = f"{base}（{k}）"
        seen.add(name)
        out.append(name)
    return out


def _header_row(rows) -> int | None:
    best, best_known = None, 0
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        known = sum(1 for c in row if _header_key(c) in _KNOWN)
        if known > best_known:
            best, best_known = index, known
    if best is not None:
        return best
    return next((i for i, row in enumerate(rows) if any(row)), None)


def keep_table(*, actor, table: Table) -> str:
    """Keep ``table`` for ``actor`` until confirmed (at most ``KEEP_SECONDS``); its token."""
    token = secrets.token_urlsafe(18)
    cache.set(_key(actor, token), table.as_dict(), KEEP_SECONDS)
    return token


def kept_table(*, actor, token: str) -> Table | None:
    """The table ``actor`` kept under ``token``; ``None`` when it expired, was imported, or is another's."""
    if not isinstance(token, str) or not re.fullmatch(r"[\w-]{10,64}", token):
        return None
    data = cache.get(_key(actor, token))
    return Table.from_dict(data) if data else None


def drop_table(*, actor, token: str) -> None:
    cache.delete(_key(actor, token))


def _key(actor, token: str) -> str:
    return f"case-import:{actor.pk}:{token}"


# ---------------------------------------------------------------- the mapping

def suggest_mapping(headers: list[str]) -> dict:
    """Portal field → header, for the headers a court's system is known to use."""
    found = {}
    for header in headers:
        key = _KNOWN.get(_header_key(header)) or _party_id_field(_header_key(header))
        if key and key not in found:
            found[key] = header
    return found


def _party_id_field(key: str) -> str | None:
    """``被执行人姓名证件号`` (a party's column and a bare 证件号 after it): that party's identifier field."""
    for word in _ID_HEADERS:
        if key.endswith(word) and len(key) > len(word):
            name_field = _KNOWN.get(key[:-len(word)])
            if name_field in _PARTY_NAME_FIELDS:
                return name_field.replace("_name", "_id")
    return None


def saved_mapping() -> dict:
    row = CaseImportMapping.objects.order_by("id").first()
    return dict(row.mapping) if row else {}


def mapping_fits(mapping: dict, headers: list[str]) -> bool:
    """Whether every required field is mapped and every mapped header is a column of the file."""
    return (all(mapping.get(f.key) for f in FIELDS if f.required)
            and all(h in headers for h in mapping.values() if h))


def mapping_for(headers: list[str]) -> tuple[dict, bool]:
    """The mapping to offer for a file: the court's saved one where it fits (then ``True``: no need to ask
    again), else the saved one's columns the file has, completed by the suggestion."""
    saved = saved_mapping()
    if saved and mapping_fits(saved, headers):
        return saved, True
    offered = suggest_mapping(headers)
    offered.update({k: v for k, v in saved.items() if v in headers})
    return offered, False


def check_mapping(mapping: dict, headers: list[str]) -> dict:
    """The mapping kept (fields without a column dropped), or ``ValidationError`` by field."""
    errors = {}
    clean = {}
    for f in FIELDS:
        header = mapping.get(f.key) or ""
        if not header:
            if f.required:
                errors[f.key] = [_("Choose the column that holds this.")]
            continue
        if header not in headers:
            errors[f.key] = [_("The file has no column “%(header)s”.") % {"header": header}]
            continue
        clean[f.key] = header
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def mapping_save(*, actor, mapping: dict, headers: list[str]) -> CaseImportMapping:
    """Keep the court's column mapping for the next file (one row)."""
    _require(actor)
    clean = check_mapping(mapping, headers)
    row = CaseImportMapping.objects.select_for_update().order_by("id").first()
    if row is None:
        return CaseImportMapping.objects.create(mapping=clean, updated_by=actor)
    row.mapping, row.updated_by = clean, actor
    row.save(update_fields=["mapping", "updated_by", "updated_at"])
    return row


# ---------------------------------------------------------------- rows

@dataclass
class ImportRow:
    """One row to import: ``data`` in the shape of ``case_create``'s arguments (number, title, amount,
    filed_on, parties), ``errors`` found reading it (by field). ``checkable``: ``data`` is whole, so the
    service may add its own errors to those."""

    row: int
    data: dict
    errors: dict = field(default_factory=dict)
    checkable: bool = True
    shown: dict = field(default_factory=dict)  # the row's cells as the clerk reads them, by field


@dataclass
class RowResult:
    row: int
    status: str
    id: int | None = None
    errors: dict = field(default_factory=dict)
    shown: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        out = {"row": self.row, "status": self.status}
        if self.id is not None:
            out["id"] = self.id
        if self.errors:
            out["errors"] = self.errors
        return out


@dataclass
class Outcome:
    results: list[RowResult]
    batch: CaseImportBatch | None = None

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)


_MONEY = re.compile(r"\d+(\.\d{1,2})?")
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


def _money(text: str):
    """A cell's amount in yuan (``125,000.00``, ``125000元``, ``￥125000``) as a Decimal, or ``None``."""
    value = re.sub(r"[\s,，¥￥元]", "", text)
    if not _MONEY.fullmatch(value):
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


def _day(text: str):
    value = re.sub(r"\s", "", text)
    if "T" in value or (len(value) > 10 and value[10:11] == " "):
        value = value[:10]
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def _party_kind(identifier: str) -> str:
    """A resident ID is a person's, a unified social credit code an organisation's; a number that is
    neither is read as the one it looks like (17 digits and a digit or X: a resident ID)."""
    raw = identifier.strip().upper()
    if is_valid_resident_id(raw):
        return PartyKind.PERSON
    if is_valid_uscc(raw):
        return PartyKind.ORGANIZATION
    return PartyKind.PERSON if re.fullmatch(r"\d{17}[\dX]", raw) else PartyKind.ORGANIZATION


def rows_from_table(table: Table, mapping: dict) -> list[ImportRow]:
    """Each body row of ``table`` read through ``mapping`` (field → header) into an ``ImportRow``: text
    through the one input rule (``linkage.text.clean_text``), the amount and the date read from the
    ways a spreadsheet writes them, each party's kind from its identifier."""
    columns = {key: table.headers.index(header) for key, header in mapping.items()
               if key in FIELD_KEYS and header in table.headers}
    out = []
    for line, cells in table.rows:
        errors, shown = {}, {}
        for key, index in columns.items():
            text = cells[index].strip() if index < len(cells) else ""
            try:
                shown[key] = clean_text(text)
            except ValidationError as exc:
                errors[key] = exc.messages
                shown[key] = ""
        amount = None
        if shown.get("amount"):
            amount = _money(shown["amount"])
            if amount is None:
                errors["amount"] = [_("“%(value)s” is not an amount of money in yuan; write it as 125000.00.")
                                    % {"value": shown["amount"][:40]}]
        else:
            errors.setdefault("amount", [_("Enter the amount in yuan, e.g. 125000.00.")])
        filed_on = None
        if shown.get("filed_on"):
            filed_on = _day(shown["filed_on"])
            if filed_on is None:
                errors["filed_on"] = [_("“%(value)s” is not a date; write it as 2026-03-05.")
                                      % {"value": shown["filed_on"][:40]}]
        parties = []
        for role, name_key, id_key in PARTY_GROUPS:
            name, identifier = shown.get(name_key, ""), shown.get(id_key, "")
            if not name and not identifier:
                continue
            kind = _party_kind(identifier)
            if not name:
                errors[name_key] = [_("Enter the party's name.")]
            try:
                identifier = validate_party_identifier(identifier, kind)
            except ValidationError as exc:
                errors[id_key] = exc.messages
            parties.append({"role": role, "kind": kind, "name": name, "id_number": identifier})
        data = {"number": shown.get("number", ""), "title": shown.get("title", ""), "amount": amount,
                "filed_on": filed_on, "parties": parties}
        out.append(ImportRow(row=line, data=data, errors=errors, shown=shown))
    return out


# ---------------------------------------------------------------- the import

def _number(value, actor) -> str | None:
    try:
        return parse_own_case_number(value, court_code(actor.court_id)).number if isinstance(value, str) else None
    except ValidationError:
        return None


def case_import(*, actor, rows: list[ImportRow], dry_run: bool = False, source: str = CaseImportSource.API,
                filename: str = "", sha256: str = "") -> Outcome:
    """Import ``rows`` in order: each ``exists`` (its case number is registered: left as it is),
    ``error`` (with every error of the row, by field) or ``created`` (by ``case_create``). ``dry_run``:
    what would happen, nothing written (a ``created`` row then has no id). An import that writes runs in
    one transaction, each row in its own savepoint, and leaves a ``CaseImportBatch`` row."""
    _require(actor)
    if len(rows) > MAX_ROWS:
        raise ValidationError({"rows": [_("At most %(n)s rows per import.") % {"n": MAX_ROWS}]})
    numbers = {row.row: _number(row.data.get("number"), actor) for row in rows}
    registered = dict(Case.objects.filter(number__in={n for n in numbers.values() if n})
                      .values_list("number", "id"))
    if dry_run:
        return Outcome(_results(actor, rows, numbers, registered, write=False))
    with transaction.atomic():
        results = _results(actor, rows, numbers, registered, write=True)
        batch = CaseImportBatch.objects.create(
            created_by=actor, source=source, filename=filename[:200], sha256=sha256, rows=len(rows),
            created=sum(1 for r in results if r.status == CREATED),
            existing=sum(1 for r in results if r.status == EXISTS),
            errors=sum(1 for r in results if r.status == ERROR),
            case_ids=[r.id for r in results if r.status == CREATED])
    return Outcome(results, batch)


def _results(actor, rows, numbers, registered, *, write: bool) -> list[RowResult]:
    results, first_row = [], {}
    for row in rows:
        number = numbers[row.row]
        if number in registered:
            results.append(RowResult(row.row, EXISTS, id=registered[number], shown=row.shown))
            continue
        errors = dict(row.errors)
        if number and number in first_row:
            errors["number"] = [_("Case %(number)s is also on row %(row)s of this import.")
                                % {"number": number, "row": first_row[number]}]
        elif number:
            first_row[number] = row.row
        if row.checkable and (errors or not write):
            errors = _with_service_errors(actor, row, errors)
        if errors:
            results.append(RowResult(row.row, ERROR, errors=errors, shown=row.shown))
        elif not write:
            results.append(RowResult(row.row, CREATED, shown=row.shown))
        else:
            results.append(_create(actor, row))
    return results


def _with_service_errors(actor, row: ImportRow, errors: dict) -> dict:
    """The row's reading errors, and what ``case_create`` would refuse besides (its own messages), a
    field's reading error first; a party column's error stands for the service's party errors."""
    try:
        case_check(court_code=court_code(actor.court_id), **row.data)
    except ValidationError as exc:
        party_columns = {k for _r, name, ident in PARTY_GROUPS for k in (name, ident)}
        for key, messages in exc.message_dict.items():
            if key in errors or (key == "parties" and party_columns & errors.keys()):
                continue
            errors[key] = messages
    return errors


def _create(actor, row: ImportRow) -> RowResult:
    try:
        case = case_create(actor=actor, **row.data)
    except ValidationError as exc:
        return RowResult(row.row, ERROR, errors=exc.message_dict, shown=row.shown)
    except IntegrityError:  # registered meanwhile by another clerk (the number is unique): left as it is
        number = _number(row.data.get("number"), actor)
        existing = Case.objects.filter(number=number).values_list("id", flat=True).first()
        return RowResult(row.row, EXISTS, id=existing, shown=row.shown)
    return RowResult(row.row, CREATED, id=case.pk, shown=row.shown)


def import_table(*, actor, table: Table, mapping: dict, dry_run: bool = False) -> Outcome:
    """A file's table imported through ``mapping`` (or, ``dry_run``, its preview)."""
    _require(actor)
    return case_import(actor=actor, rows=rows_from_table(table, check_mapping(mapping, table.headers)),
                       dry_run=dry_run, source=CaseImportSource.FILE, filename=table.filename,
                       sha256=table.sha256)
