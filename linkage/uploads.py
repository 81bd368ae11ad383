"""Checking uploaded PDFs by size and content, never by their name or declared type.

The check does bounded work whatever the file holds. A PDF of 70 KB can inflate to gigabytes (a
"decompression bomb"), so:

* the size is checked before anything is read, and several files at once are checked for count and total
  size before any of them is opened (``validate_pdf_batch``);
* pypdf parses under tight limits (``_PARSE_LIMITS``): an object or cross-reference stream, which pypdf
  decodes and parses itself, may inflate to at most ``PDF_STRUCTURE_STREAM_MAX_BYTES``;
* every stream is inflated here, chunk by chunk, and the bytes counted: all streams together may inflate
  to at most ``max(PDF_MAX_INFLATED_BYTES, PDF_MAX_INFLATION_RATIO × file size)`` (images in their own
  codecs, JPEG and the like, count as stored);
* at most ``PDF_MAX_PAGES`` pages per file; at most ``PDF_MAX_OBJECTS`` objects and a wall-clock budget of
  ``PDF_CHECK_SECONDS`` (checked between objects and between chunks) for all the PDFs of one request
  together, not for each file (``inspection_budget``: ``validate_pdf_batch`` opens one for its files, and
  ``linkage.workbudget`` one for the whole request of an expensive endpoint); the objects are counted in the
  raw bytes and in the cross-reference table before any is parsed, so a file of too many objects is refused
  in milliseconds;
* a PDF is a PDF from its first byte to its last: only whitespace before ``%PDF-`` and after the last
  ``%%EOF``, so an HTML page (or anything else) wrapped around one is refused (``polyglot``);
* active content is refused: JavaScript (``/JS``, ``/JavaScript``, an ``/OpenAction`` or any other action
  that runs it), launch actions and embedded files.

The first limit reached refuses the file; the rest is not read. Every limit can be set in the settings
under the same name.
"""
import contextlib
import contextvars
import hashlib
import io
import re
import time
import zlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from pypdf import PdfReader, apply_configuration
from pypdf.errors import LimitReachedError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

MiB = 1024 * 1024
PDF_MAX_PAGES = 500
PDF_MAX_OBJECTS = 20_000  # all PDFs of one request together (a 500-page scan has about 1,500)
PDF_MAX_INFLATED_BYTES = 50 * MiB
PDF_MAX_INFLATION_RATIO = 16
PDF_STRUCTURE_STREAM_MAX_BYTES = 2 * MiB
PDF_CHECK_SECONDS = 2.0  # all PDFs of one request together
BATCH_MAX_FILES = 5
BATCH_MAX_TOTAL_FACTOR = 3  # × UPLOAD_MAX_BYTES

_CHUNK = 64 * 1024
_OUT_CHUNK = MiB
_MAX_ELEMENTS = 2_000_000  # dictionaries and arrays walked, all PDFs of one request together
# PDF whitespace (ISO 32000-1, 7.2.2): all that may stand before ``%PDF-`` and after the last ``%%EOF``.
_PDF_WHITESPACE = b"\x00\t\n\x0c\r "

_FLATE = {"/FlateDecode", "/Fl"}
_OTHER_EXPANDING = {"/LZWDecode", "/LZW", "/RunLengthDecode", "/RL", "/BrotliDecode"}
_SHRINKING = {"/ASCIIHexDecode", "/AHx", "/ASCII85Decode", "/A85"}
_STRUCTURE_TYPES = {"/ObjStm", "/XRef"}

# Keys and action types of active content; names as pypdf reads them (any #xx escape resolved).
_ACTIVE_KEYS = {"/JS", "/JavaScript", "/EmbeddedFiles", "/EF"}
_ACTIVE_ACTIONS = {"/JavaScript", "/Launch"}
# A quick look at the raw bytes first: most such files say so in plain text.
_ACTIVE_RAW = re.compile(rb"/(?:JavaScript|EmbeddedFiles?|Launch)(?![^\s/\[\]<>(){}%])")


def _limit(name: str):
    return getattr(settings, name, globals()[name])


def _parse_limits() -> dict:
    cap = _limit("PDF_STRUCTURE_STREAM_MAX_BYTES")
    return {
        "zlib_maximum_output_length": cap,
        "lzw_maximum_output_length": cap,
        "run_length_maximum_output_length": cap,
        "brotli_maximum_output_length": cap,
        "jbig2_maximum_output_length": cap,
        "array_based_stream_maximum_output_length": cap,
        "zlib_maximum_recovery_input_length": 64 * 1024,
        "stream_decoding_work_maximum_length": 4 * cap,
        "stream_parsing_work_maximum_count": 200_000,
        "page_tree_maximum_entries": 4 * _limit("PDF_MAX_PAGES"),
        "page_tree_maximum_depth": 32,
        "page_tree_maximum_page_entries": 50 * _limit("PDF_MAX_PAGES"),
        "outline_maximum_entries": 10_000,
        "form_fields_maximum_entries": 10_000,
        "jbig2dec_binary": None,  # never run an external decoder on an upload
        "disable_legacy_handling": True,
    }


class _Refused(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class InspectionBudget:
    """Objects, elements walked and wall-clock time for every PDF checked under one
    ``inspection_budget()``: one request's files share it. The clock starts at the first file checked
    (reading a slow upload costs the server nothing)."""

    def __init__(self):
        self.objects = 0
        self.elements = 0
        self.deadline: float | None = None

    def start(self) -> float:
        if self.deadline is None:
            self.deadline = time.monotonic() + _limit("PDF_CHECK_SECONDS")
        return self.deadline


_current_budget: contextvars.ContextVar[InspectionBudget | None] = contextvars.ContextVar(
    "pdf_inspection_budget", default=None)


@contextlib.contextmanager
def inspection_budget():
    """Every PDF checked inside shares one budget of objects and time (``PDF_MAX_OBJECTS``,
    ``PDF_CHECK_SECONDS``). Nested, the outermost one counts: a request wrapped in
    ``linkage.workbudget.work_budget`` shares one budget across all its ``validate_pdf`` and
    ``validate_pdf_batch`` calls. Outside any, each ``validate_pdf`` call has its own."""
    budget = _current_budget.get()
    if budget is not None:
        yield budget
        return
    budget = InspectionBudget()
    token = _current_budget.set(budget)
    try:
        yield budget
    finally:
        _current_budget.reset(token)


class _Budget:
    """Inflated bytes for one file; objects, elements and time from the request's ``InspectionBudget``."""

    def __init__(self, size: int, shared: InspectionBudget, deadline: float | None = None):
        self.limit = max(_limit("PDF_MAX_INFLATED_BYTES"), _limit("PDF_MAX_INFLATION_RATIO") * size)
        self.inflated = 0
        self.shared = shared
        self.deadline = shared.start() if deadline is None else min(shared.start(), deadline)

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise _Refused("too_complex")

    def objects(self, count: int, *, spend: bool) -> None:
        """Refuse when ``count`` more objects would go over the request's object budget."""
        if self.shared.objects + count > _limit("PDF_MAX_OBJECTS"):
            raise _Refused("too_complex")
        if spend:
            self.shared.objects += count

    def spend(self, amount: int, cap: int | None = None, used: int = 0) -> None:
        self.inflated += amount
        if self.inflated > self.limit or (cap is not None and used > cap):
            raise _Refused("pdf_bomb")
        self.tick()


def _inflate(data: bytes, budget: _Budget, *, keep: bool, cap: int | None) -> bytes | None:
    """zlib-inflate ``data`` a chunk at a time, counting every byte against the budget; a damaged stream
    counts what came out before the damage. The bytes are kept only if another filter follows."""
    decompressor = zlib.decompressobj(zlib.MAX_WBITS | 32)  # zlib or gzip header
    out = bytearray() if keep else None
    produced = 0
    try:
        for start in range(0, len(data), _CHUNK):
            piece = data[start:start + _CHUNK]
            while True:
                chunk = decompressor.decompress(piece, _OUT_CHUNK)
                produced += len(chunk)
                budget.spend(len(chunk), cap, produced)
                if keep:
                    out += chunk
                piece = decompressor.unconsumed_tail
                if not piece and len(chunk) < _OUT_CHUNK:
                    break
            if decompressor.eof:
                break
    except zlib.error:
        pass
    return bytes(out) if keep else None


def _decode_with_pypdf(name: str, data: bytes, budget: _Budget, cap: int | None) -> bytes:
    from pypdf import filters

    room = max(budget.limit - budget.inflated, 0) + 1
    if cap is not None:
        room = min(room, cap + 1)
    decoder = {"/LZWDecode": filters.LZWDecode, "/LZW": filters.LZWDecode,
               "/RunLengthDecode": filters.RunLengthDecode, "/RL": filters.RunLengthDecode,
               "/BrotliDecode": filters.BrotliDecode, "/ASCIIHexDecode": filters.ASCIIHexDecode,
               "/AHx": filters.ASCIIHexDecode, "/ASCII85Decode": filters.ASCII85Decode,
               "/A85": filters.ASCII85Decode}[name]
    with apply_configuration(lzw_maximum_output_length=room, run_length_maximum_output_length=room,
                             brotli_maximum_output_length=room):
        try:
            return decoder.decode(data) if name not in ("/LZWDecode", "/LZW") else decoder.decode(data, None)
        except LimitReachedError:
            raise _Refused("pdf_bomb") from None
        except Exception:  # a damaged or unsupported stream: nothing more comes out of it
            return b""


def _check_stream(stream: StreamObject, budget: _Budget) -> None:
    """Inflate the stream's data through its filter chain, counting the bytes; stop at a filter that
    does not expand (images in their own codecs) or that we do not know."""
    filters = stream.get("/Filter", ())
    if isinstance(filters, IndirectObject):
        filters = filters.get_object()
    if not isinstance(filters, ArrayObject):
        filters = [filters] if filters else []
    filters = [str(f) for f in filters][:16]
    cap = _limit("PDF_STRUCTURE_STREAM_MAX_BYTES") if stream.get("/Type") in _STRUCTURE_TYPES else None
    data = stream._data or b""
    for index, name in enumerate(filters):
        expanding_after = any(f in _FLATE or f in _OTHER_EXPANDING for f in filters[index + 1:])
        if name in _FLATE:
            data = _inflate(data, budget, keep=expanding_after, cap=cap)
        elif name in _OTHER_EXPANDING:
            data = _decode_with_pypdf(name, data, budget, cap)
            budget.spend(len(data), cap, len(data))
        elif name in _SHRINKING and expanding_after:
            data = _decode_with_pypdf(name, data, budget, cap)
        else:
            return  # DCT, JPX, CCITT, JBIG2, Crypt or unknown: the rest is the viewer's image decoder
        if not expanding_after:
            return


def _inspect(value, budget: _Budget) -> None:
    """Walk one object (its direct dictionaries and arrays; indirect ones are walked on their own) for
    active content, and inflate its stream, if it is one."""
    stack = [value]
    shared = budget.shared
    while stack:
        item = stack.pop()
        shared.elements += 1
        if shared.elements % 10_000 == 0:
            budget.tick()
            if shared.elements > _MAX_ELEMENTS:
                raise _Refused("too_complex")
        if isinstance(item, DictionaryObject):
            for key, child in item.items():
                if key in _ACTIVE_KEYS:
                    raise _Refused("active_content")
                if isinstance(child, (DictionaryObject, ArrayObject)):
                    stack.append(child)
            if item.get("/S") in _ACTIVE_ACTIONS or item.get("/Type") == "/EmbeddedFile":
                raise _Refused("active_content")
            if isinstance(item, StreamObject):
                _check_stream(item, budget)
        elif isinstance(item, ArrayObject):
            stack.extend(child for child in item if isinstance(child, (DictionaryObject, ArrayObject)))


def _object_refs(reader: PdfReader):
    for generation, table in reader.xref.items():
        for idnum in table:
            yield IndirectObject(idnum, generation, reader)
    for idnum in reader.xref_objStm:
        yield IndirectObject(idnum, 0, reader)


def _raw_object_count(data: bytes) -> int:
    """The objects the raw bytes declare (``n g obj`` … ``endobj``), counted at the speed of memchr:
    enough to refuse a file of 90,000 small objects before pypdf reads its cross-reference table."""
    ends = data.count(b"endobj")
    return max(ends, data.count(b"obj") - ends)


def _xref_object_count(reader: PdfReader) -> int:
    return sum(len(table) for table in reader.xref.values()) + len(reader.xref_objStm)


def _check_structure(data: bytes, budget: _Budget) -> None:
    budget.objects(_raw_object_count(data), spend=False)
    if _ACTIVE_RAW.search(data):
        raise _Refused("active_content")
    reader = PdfReader(io.BytesIO(data), strict=False)
    budget.tick()
    budget.objects(_xref_object_count(reader), spend=False)
    if reader.is_encrypted:
        from pypdf import PasswordType

        try:
            if reader.decrypt("") == PasswordType.NOT_DECRYPTED:
                raise _Refused("encrypted")
        except _Refused:
            raise
        except Exception:
            raise _Refused("encrypted") from None
    budget.tick()
    pages = len(reader.pages)
    if pages < 1:
        raise _Refused("bad_pdf")
    if pages > _limit("PDF_MAX_PAGES"):
        raise _Refused("too_many_pages")
    _inspect(reader.trailer, budget)
    for ref in _object_refs(reader):
        budget.objects(1, spend=True)
        budget.tick()
        try:
            obj = ref.get_object()
        except (LimitReachedError, _Refused):
            raise
        except Exception:  # noqa: S112 (a damaged object in a readable file: viewers skip it too)
            continue
        _inspect(obj, budget)


def _refusal(code: str, upload) -> ValidationError:
    name = upload.name
    messages = {
        "pdf_bomb": _("“%(name)s” inflates to far more than its size when opened (over %(limit)s); it is "
                      "refused as a possible decompression bomb. Print it to a new PDF and upload that."),
        "too_many_pages": _("“%(name)s” has more than %(pages)s pages; upload the ruling alone."),
        "too_complex": _("“%(name)s” is too complex to check in time; print it to a new PDF and upload that."),
        "active_content": _("“%(name)s” contains JavaScript, a launch action or embedded files, which are "
                            "not accepted; print it to a new PDF and upload that."),
        "encrypted": _("“%(name)s” is password-protected; upload it without a password."),
        "bad_pdf": _("“%(name)s” is damaged or not a readable PDF."),
        "polyglot": _("“%(name)s” holds something other than the PDF before its start or after its end "
                      "(for example a web page); it is refused. Print it to a new PDF and upload that."),
    }
    limit = max(_limit("PDF_MAX_INFLATED_BYTES"), _limit("PDF_MAX_INFLATION_RATIO") * upload.size)
    return ValidationError(messages[code] % {"name": name, "limit": filesizeformat(limit),
                                             "pages": _limit("PDF_MAX_PAGES")}, code=code)


def _clean_name(upload) -> None:
    """The uploaded name is only a label (the file is stored as ``<uuid>.pdf``): no control characters."""
    name = re.sub(r"[\x00-\x1f\x7f]", "", upload.name or "") or "upload.pdf"
    if name != upload.name:
        upload.name = name


def validate_pdf(upload, *, deadline: float | None = None) -> str:
    """Refuse anything that is not a readable, inactive PDF within the limits; return its SHA-256.
    Inside an ``inspection_budget()`` the file spends the objects and time left of that budget;
    ``deadline`` (a ``time.monotonic()`` value) may end it sooner."""
    _clean_name(upload)
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(_("The file is %(size)s; the limit is %(limit)s.")
                              % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
                              code="too_large")
    upload.seek(0)
    head = upload.read(1024)
    start = head.find(b"%PDF-")
    if start < 0:
        raise ValidationError(_("Only PDF files are accepted: “%(name)s” is not a PDF.")
                              % {"name": upload.name}, code="not_pdf")
    if head[:start].strip(_PDF_WHITESPACE):  # an HTML page, or any other file, in front of the PDF
        raise _refusal("polyglot", upload)
    upload.seek(0)
    data = upload.read(limit + 1)
    upload.seek(0)
    end = data.rfind(b"%%EOF")
    if end < 0:
        raise _refusal("bad_pdf", upload)
    if data[end + len(b"%%EOF"):].strip(_PDF_WHITESPACE):  # something appended after the PDF's end
        raise _refusal("polyglot", upload)
    try:
        with inspection_budget() as shared, apply_configuration(**_parse_limits()):
            _check_structure(data, _Budget(len(data), shared, deadline))
    except _Refused as refused:
        raise _refusal(refused.code, upload) from None
    except LimitReachedError:
        raise _refusal("pdf_bomb", upload) from None
    except RecursionError:
        raise _refusal("too_complex", upload) from None
    except Exception:  # pypdf raises many kinds of error for a damaged file
        raise _refusal("bad_pdf", upload) from None
    return hashlib.sha256(data).hexdigest()


def validate_pdf_batch(uploads) -> list[str]:
    """Several PDFs arriving together (an answer's attachments): refuse more than ``BATCH_MAX_FILES`` or
    more than ``BATCH_MAX_TOTAL_FACTOR`` × the upload limit in all before opening any; then check each,
    all of them sharing one ``inspection_budget()`` (the request's, if one is open). Returns the SHA-256
    of each; raises with every file's error."""
    uploads = list(uploads)
    most = _limit("BATCH_MAX_FILES")
    if len(uploads) > most:
        raise ValidationError(_("At most %(limit)s files can be sent at once; %(count)s were sent.")
                              % {"limit": most, "count": len(uploads)}, code="too_many_files")
    total, allowed = sum(u.size for u in uploads), _limit("BATCH_MAX_TOTAL_FACTOR") * settings.UPLOAD_MAX_BYTES
    if total > allowed:
        raise ValidationError(_("The files total %(size)s; at most %(limit)s can be sent at once.")
                              % {"size": filesizeformat(total), "limit": filesizeformat(allowed)},
                              code="batch_too_large")
    digests, errors = [], []
    with inspection_budget():
        for upload in uploads:
            try:
                digests.append(validate_pdf(upload))
            except ValidationError as exc:
                errors.extend(exc.error_list)
    if errors:
        raise ValidationError(errors)
    return digests
