"""Issued documents: registered when issued, rendered and e-sealed once, served as stored, verified.

Hook points (each a call from the service that issues):

* ``register_notices(notices, actor=)`` from ``cases.notices.create_notices``: every notice, release,
  renewal and dishonest-list letter, the moment it is created;
* ``register_receipt(notice, actor=)`` from ``cases.services.notice_acknowledge``: the proof of service;
* ``register_minutes(minutes, actor=)`` from ``conferences.services.minutes_issue``: the full minutes and
  each invited unit's excerpt;
* ``register_ruling(ruling, actor=)`` from ``cases.rulings``: a ruling or decision the portal drew up;
* ``register_document(kind=, ...)`` from ``credit.restrictions``: a consumption restriction order.

How each kind is rendered, titled and judged today is registered by the app it belongs to
(``register_kind``, below): ``documents`` imports no app above it.

Each writes a pending ``IssuedDocument`` row in the caller's transaction and, on commit, asks
``documents.tasks.seal_documents`` to render, seal and store it (in-process in the embedded default).
The sweep (``seal_pending_documents``, beat and ``manage.py seal_pending``) retries what a lost task left.

Who reads a stored document is fixed when it is rendered: a notice is rendered for its target unit (the
reader ``cases.disclosure`` shows the full identifier to, where the rule says so), so the stored file is
served only to that unit's members and, through the audited ``documents:download``, to a court role with
``cases.reveal_identifier``; other court users keep reading the masked live rendering (docs/security.md).
"""
import base64
import hashlib
import io
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from linkage.court import court_name
from linkage.orm import unique_or_none

from .models import NOTICE_KINDS, DocumentKind, DocumentStatus, IssuedDocument, format_code, normalize_code

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
NOTICE_DOC_KINDS = frozenset(NOTICE_KINDS.values())


# ---------------------------------------------------------------- registering

# Every kind of document is rendered by the app it belongs to, which registers it when it loads
# (``cases``: notices, releases, renewals, letters, receipts, rulings; ``conferences``: minutes and
# excerpts; ``credit``: orders and its letters' standing): how to render one (``fn(document,
# verify_context) -> html``), its title (``fn(subject) -> str``, for notices) and what it stands for
# today (``fn(document) -> dict | None``; several may answer for one kind, the first that does wins).
# ``documents`` imports none of them.
RENDERERS: dict = {}
TITLES: dict = {}
STANDINGS: dict = {}


def register_kind(*kinds: str, render=None, title=None, standing=None) -> None:
    for kind in kinds:
        if render is not None:
            RENDERERS[kind] = render
        if title is not None:
            TITLES[kind] = title
        if standing is not None and standing not in STANDINGS.setdefault(kind, []):
            STANDINGS[kind].append(standing)


def register_document(*, kind: str, title: str, number: str, case_number: str, actor, issued_at=None,
                      unit=None) -> IssuedDocument:
    """A pending document of a kind registered with ``register_kind``; sealed after commit."""
    row = IssuedDocument.objects.create(kind=kind, title=title, number=number, case_number=case_number,
                                        unit=unit, issued_by=actor, issued_at=issued_at or timezone.now())
    _enqueue([row.pk])
    return row

def _enqueue(ids) -> None:
    ids = list(ids)
    if not ids or not getattr(settings, "DOCUMENTS_SEAL_ON_ISSUE", True):
        return

    def wake():
        from .tasks import seal_documents

        try:
            seal_documents.delay(ids)
        except Exception:  # broker down: the sweep seals them
            log.warning("could not enqueue sealing of documents %s; the sweep will", ids)

    transaction.on_commit(wake, robust=True)


def notice_title(notice) -> str:
    """The title a notice's document carries (协助执行通知书（冻结）...), as its app says."""
    return TITLES[NOTICE_KINDS.get(notice.kind, DocumentKind.NOTICE)](notice)


def register_notices(notices, *, actor) -> list[IssuedDocument]:
    """A pending document for each new notice, addressed to its unit; sealed after commit."""
    rows = [IssuedDocument(kind=NOTICE_KINDS.get(n.kind, DocumentKind.NOTICE), title=notice_title(n),
                           number=n.number, case_number=n.case.number, notice=n, unit_id=n.unit_id,
                           issued_by=actor, issued_at=n.issued_at)
            for n in notices]
    if not rows:
        return []
    IssuedDocument.objects.bulk_create(rows)
    ids = [r.pk for r in rows] if all(r.pk for r in rows) else list(
        IssuedDocument.objects.filter(notice__in=[n.pk for n in notices]).values_list("pk", flat=True))
    _enqueue(ids)
    return rows


def register_receipt(notice, *, actor) -> IssuedDocument | None:
    """The proof of service (送达回证) of an acknowledged notice: who signed for it, when, at which unit."""
    if IssuedDocument.objects.filter(notice=notice, kind=DocumentKind.RECEIPT, superseded_at=None).exists():
        return None
    row = IssuedDocument.objects.create(
        kind=DocumentKind.RECEIPT, title="送达回证", number=notice.number, case_number=notice.case.number,
        notice=notice, unit_id=notice.unit_id, issued_by=actor, issued_at=notice.acknowledged_at or timezone.now())
    _enqueue([row.pk])
    return row


def register_ruling(ruling, *, actor) -> IssuedDocument:
    """A ruling the portal drew up (``cases.rulings``): the court's record, sealed after commit."""
    row = IssuedDocument.objects.create(kind=DocumentKind.RULING, title=ruling.title, number=ruling.ruling_number,
                                        case_number=ruling.case.number, ruling=ruling, issued_by=actor,
                                        issued_at=timezone.now())
    _enqueue([row.pk])
    return row


def stored_ruling(ruling) -> IssuedDocument | None:
    """The sealed, stored document of a ruling the portal drew up (sealed now if still pending)."""
    document = (IssuedDocument.objects.filter(ruling=ruling, kind=DocumentKind.RULING, superseded_at=None)
                .order_by("-id").first())
    if (document is not None and document.status == DocumentStatus.PENDING and document.attempts < MAX_ATTEMPTS
            and getattr(settings, "DOCUMENTS_SEAL_ON_ISSUE", True)):
        try:
            seal_document(document.pk)
        except Exception:
            return None
        document.refresh_from_db()
    return document if document is not None and document.is_stored else None


def register_minutes(minutes, *, actor) -> list[IssuedDocument]:
    """The issued minutes in full (the court's record) and each invited unit's excerpt (摘录)."""
    rows = [IssuedDocument(kind=DocumentKind.MINUTES, title="会议纪要", number=minutes.number, minutes=minutes,
                           issued_by=actor, issued_at=minutes.issued_at or timezone.now())]
    for invitation in minutes.meeting.invitations.select_related("unit"):
        rows.append(IssuedDocument(kind=DocumentKind.EXCERPT, title="会议纪要（摘录）", number=minutes.number,
                                   minutes=minutes, unit=invitation.unit, issued_by=actor,
                                   issued_at=rows[0].issued_at))
    IssuedDocument.objects.bulk_create(rows)
    _enqueue(IssuedDocument.objects.filter(minutes=minutes, status=DocumentStatus.PENDING)
             .values_list("pk", flat=True))
    return rows


@transaction.atomic
def supersede(document: IssuedDocument, *, actor, reason: str) -> IssuedDocument:
    """A correction: a new document of the same subject, rendered from today's data, that supersedes
    ``document`` (kept, marked superseded). Returns the new, pending, document."""
    old = IssuedDocument.objects.select_for_update(of=("self",), no_key=True).get(pk=document.pk)
    if old.superseded_at is not None:
        raise ValueError("already superseded")
    # The mark is the one change a stored row allows: written without the immutability check.
    IssuedDocument.objects.filter(pk=old.pk).update(superseded_at=timezone.now(), correction_reason=reason[:200])
    new = IssuedDocument.objects.create(
        kind=old.kind, title=old.title, number=old.number, case_number=old.case_number, notice=old.notice,
        minutes=old.minutes, unit=old.unit, issued_by=actor, supersedes=old, correction_reason=reason[:200])
    _enqueue([new.pk])
    return new


# ---------------------------------------------------------------- rendering

def verify_url(code: str) -> str:
    base = (getattr(settings, "PORTAL_URL", "") or "http://127.0.0.1:8000").rstrip("/")
    return base + reverse("documents:verify-code", args=[code])


def qr_data_uri(text: str) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, border=1,
                        error_correction=qrcode.constants.ERROR_CORRECT_M)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _verify_context(document, sealing: bool) -> dict:
    return {"verify": {"code": format_code(document.code), "url": verify_url(document.code),
                       "qr": qr_data_uri(verify_url(document.code)), "sealed": sealing},
            "sealing": sealing}


def document_html(document: IssuedDocument, *, sealing: bool) -> str:
    """The HTML of ``document`` as it is stored: for the reader it is addressed to."""
    extra = _verify_context(document, sealing)
    with translation.override("zh-hans"):
        if document.kind in RENDERERS:
            return RENDERERS[document.kind](document, extra)
    raise ValueError(f"no renderer for {document.kind}")


def _seal_box(rendered, page_count: int) -> tuple[int, tuple]:
    """(page index, box in PDF points) of the element ``#seal-place`` (42 mm), else the bottom right of
    the last page."""
    from .seal import SEAL_MM

    size = SEAL_MM * 72 / 25.4
    for index, page in enumerate(rendered.pages):
        anchor = page.anchors.get("seal-place")
        if anchor:
            x1, y1 = anchor[0] * 0.75, anchor[1] * 0.75  # CSS px to PDF points
            height = page.height * 0.75
            return index, (x1, height - y1 - size, x1 + size, height - y1)
    page = rendered.pages[-1]
    width, height = page.width * 0.75, page.height * 0.75
    return page_count - 1, (width - size - 74, 100, width - 74, 100 + size)


def render_document(document: IssuedDocument) -> tuple[bytes, dict]:
    """The PDF of ``document``, e-sealed when a key is configured; and what to record of the seal."""
    from weasyprint import HTML

    from . import seal as sealing

    key = sealing.current_seal()
    rendered = HTML(string=document_html(document, sealing=key is not None)).render()
    rendered.metadata.keywords = [f"verify:{document.code}"]
    pdf = rendered.write_pdf()
    if key is None:
        return pdf, {"sealed": False}
    page, box = _seal_box(rendered, len(rendered.pages))
    reason = f"{document.title}{document.number}"
    signed = sealing.sign_pdf(pdf, seal=key, code=document.code, reason=reason, location=court_name(),
                              page=page, box=box, court_name=court_name())
    return signed, {"sealed": True, "signer": sealing.signer_name(key.signer.signing_cert),
                    "cert_sha256": key.cert_sha256}


def seal_document(document_id: int) -> bool:
    """Render, seal and store one pending document; idempotent (a stored one is left alone)."""
    document = (IssuedDocument.objects.select_related("notice__case", "notice__unit", "notice__action",
                                                      "minutes__meeting", "unit", "ruling__case")
                .filter(pk=document_id, status=DocumentStatus.PENDING).first())
    if document is None:
        return False
    try:
        pdf, info = render_document(document)
    except Exception:
        IssuedDocument.objects.filter(pk=document_id).update(attempts=document.attempts + 1)
        log.exception("sealing document %s failed (attempt %s)", document_id, document.attempts + 1)
        raise
    now = timezone.now()
    with transaction.atomic():
        current = IssuedDocument.objects.select_for_update(of=("self",), no_key=True).get(pk=document_id)
        if current.status != DocumentStatus.PENDING:
            return False
        current.file.save(f"{now:%Y/%m}/{current.code}.pdf", ContentFile(pdf), save=False)
        current.sha256 = hashlib.sha256(pdf).hexdigest()
        current.size = len(pdf)
        current.sealed = info["sealed"]
        current.signer = info.get("signer", "")
        current.cert_sha256 = info.get("cert_sha256", "")
        current.signed_at = now if info["sealed"] else None
        current.stored_at = now
        current.status = DocumentStatus.STORED
        current.save()
    return True


def seal_pending(limit: int = 200) -> int:
    """The sweep: seal what is still pending (tries each at most MAX_ATTEMPTS times)."""
    done = 0
    ids = list(IssuedDocument.objects.filter(status=DocumentStatus.PENDING, attempts__lt=MAX_ATTEMPTS)
               .order_by("id").values_list("pk", flat=True)[:limit])
    for pk in ids:
        try:
            done += seal_document(pk)
        except Exception:
            continue
    return done


# ---------------------------------------------------------------- reading

def current_document(notice, kind=None) -> IssuedDocument | None:
    kinds = [kind] if kind else list(NOTICE_DOC_KINDS)
    return (IssuedDocument.objects.filter(notice=notice, kind__in=kinds, superseded_at=None)
            .order_by("-id").first())


def _member_of(user, unit_id) -> bool:
    from members.roles import is_court_user
    from members.scoping import unit_ids

    if unit_id is None or not getattr(user, "is_authenticated", False) or is_court_user(user):
        return False
    return unit_id in unit_ids(user)


def stored_for_reader(notice, user) -> IssuedDocument | None:
    """The stored, sealed notice document if ``user`` is a member of the unit it is addressed to (the
    reader it was rendered for); None otherwise (the caller renders for the user as before)."""
    if not _member_of(user, notice.unit_id):
        return None
    document = current_document(notice)
    if (document is not None and document.status == DocumentStatus.PENDING
            and document.attempts < MAX_ATTEMPTS and getattr(settings, "DOCUMENTS_SEAL_ON_ISSUE", True)):
        # Not sealed yet (a task still queued or lost, or data seeded without sealing): seal it now, so
        # that what the unit receives is the registered document.
        try:
            seal_document(document.pk)
        except Exception:
            return None
        document.refresh_from_db()
    return document if document is not None and document.is_stored else None


def may_download(user, document: IssuedDocument) -> bool:
    """Members of the addressed unit; the court: receipts and minutes freely, a notice addressed to a
    unit (with that unit's full identifiers) only with ``cases.reveal_identifier`` (audited)."""
    from members.courts import same_court
    from members.roles import is_court_user

    if not getattr(user, "is_authenticated", False):
        return False
    if document.kind == DocumentKind.ENTRUSTMENT:
        # The letter belongs to both courts: the one that sent it and the one entrusted.
        entrustment = document.entrustment
        return is_court_user(user) and (same_court(user, entrustment.court_id)
                                        or same_court(user, entrustment.case.court_id))
    if is_court_user(user) or user.is_superuser:
        court_id = court_of(document)
        if court_id is not None and not same_court(user, court_id):
            return False  # another court's document: as absent as another unit's (issue 30)
        if document.kind in NOTICE_DOC_KINDS:
            return user.has_perm("cases.reveal_identifier")
        return True
    if document.kind == DocumentKind.MINUTES:
        return bool(document.minutes.issued_to_all) and document.minutes.meeting.invitations.filter(
            unit_id__in=_unit_ids(user)).exists()
    return _member_of(user, document.unit_id)


def court_of(document) -> int | None:
    """The court a registered document belongs to: its addressee's, its meeting's or its case's."""
    if document.unit_id:
        return document.unit.court_id
    if document.minutes_id:
        return document.minutes.meeting.court_id
    if document.notice_id:
        return document.notice.case.court_id
    if document.ruling_id:
        return document.ruling.case.court_id
    return None


def _unit_ids(user):
    from members.scoping import unit_ids

    return unit_ids(user)


# ---------------------------------------------------------------- standing and verification

def standing(document: IssuedDocument) -> dict:
    """What the document stands for today: {"code": valid|superseded|released|withdrawn|cancelled|pending,
    "text": 有效 / 已被更正文书…取代 / 已被…解除 / …}."""
    if document.superseded_at is not None:
        newer = getattr(document, "superseded_by", None)
        text = "已被更正文书取代"
        if newer is not None:
            text = f"已被更正文书（核验码 {format_code(newer.code)}）取代"
        return {"code": "superseded", "text": text}
    if document.status == DocumentStatus.PENDING:
        return {"code": "pending", "text": "正在签章，尚未存档"}
    for answer_for in STANDINGS.get(document.kind, ()):
        answer = answer_for(document)
        if answer:
            return answer
    return {"code": "valid", "text": "有效"}


def _public(document: IssuedDocument | None) -> dict | None:
    """What /verify/ shows of a registered document: only what the document itself shows, no party."""
    if document is None:
        return None
    return {"code": format_code(document.code), "kind": document.kind, "kind_label": document.get_kind_display(),
            "title": document.title, "number": document.number, "case_number": document.case_number,
            "court": court_name(), "addressed_to": document.unit.name if document.unit_id else "",
            "issued_at": document.issued_at, "sealed": document.sealed, "signer": document.signer,
            "signed_at": document.signed_at, "sha256": document.sha256, "standing": standing(document)}


def find(code: str) -> IssuedDocument | None:
    code = normalize_code(code)
    if not code:
        return None
    return unique_or_none(IssuedDocument.objects.select_related("unit", "notice", "superseded_by").filter(code=code))


def checked_upload(upload) -> tuple[bytes, bool]:
    """The uploaded bytes, and whether they may be parsed: the portal's bounded PDF check
    (``linkage.uploads.validate_pdf``) first, so a hostile file costs bounded work (within the request's
    inspection budget when the view runs in ``linkage.workbudget.work_budget``). A file it refuses is
    still looked up by its hash, never parsed. Raises ValidationError for a file too large, no PDF, or a
    PDF with something else wrapped around it (``polyglot``: no registered document is one)."""
    from django.core.exceptions import ValidationError

    from linkage.uploads import validate_pdf

    try:
        validate_pdf(upload)
    except ValidationError as exc:
        if getattr(exc, "code", None) in ("too_large", "not_pdf", "polyglot"):
            raise
        parse = False
    else:
        parse = True
    upload.seek(0)
    return b"".join(upload.chunks()), parse


def verify(*, pdf: bytes | None = None, code: str = "", parse: bool = True) -> dict:
    """The answer of /verify/ and ``POST documents/verify/``.

    With ``pdf``: its signature checked with pyHanko against the court's trust roots, the registry looked
    up by the file's SHA-256 (then by the code the signature field names), ``identical`` when the bytes
    are those registered. With ``code`` only: the registered document's standing (nothing to compare)."""
    from . import seal as sealing

    result = {"signature_valid": False, "sealed": False, "registered": False, "identical": False,
              "signer": "", "signed_at": None, "standing": "", "standing_code": "", "document": None,
              "checked": "file" if pdf is not None else "code"}
    document = None
    if pdf is not None:
        digest = hashlib.sha256(pdf).hexdigest()
        document = (IssuedDocument.objects.select_related("unit", "notice", "superseded_by")
                    .filter(sha256=digest, status=DocumentStatus.STORED).first())
        if document is not None:
            result["identical"] = True
        elif parse:
            document = find(sealing.code_in_signature(pdf) or _code_in_metadata(pdf))
        moment = document.signed_at if document is not None and result["identical"] else None
        check = sealing.validate(pdf, moment=moment) if parse or result["identical"] else sealing.SignatureCheck()
        result["sealed"] = check.present
        # Trusted by the court's roots and made with a certificate the court sealed with: the one the
        # register recorded for this document, or (a document not registered here) the seal in use.
        court_cert = (document.cert_sha256 if document is not None and document.cert_sha256
                      else (sealing.current_seal().cert_sha256 if sealing.current_seal() else ""))
        result["signature_valid"] = bool(check.valid and check.cert_sha256 == court_cert)
        if check.present:
            result["signer"] = check.signer
            result["signed_at"] = check.signed_at
    elif code:
        document = find(code)
        if document is not None and document.is_stored and document.sealed:
            # Nothing to compare: the registered copy's own seal is checked and reported.
            with document.file.open("rb") as handle:
                check = sealing.validate(handle.read(), moment=document.signed_at)
            result["sealed"] = True
            result["signature_valid"] = bool(check.valid and check.cert_sha256 == document.cert_sha256)
            result["signer"] = document.signer
            result["signed_at"] = document.signed_at
    if document is not None:
        result["registered"] = True
        result["document"] = _public(document)
        st = standing(document)
        result["standing"], result["standing_code"] = st["text"], st["code"]
    return result


def _code_in_metadata(pdf: bytes) -> str:
    """The code WeasyPrint wrote into the document's keywords (``verify:<code>``), for an unsigned copy."""
    try:
        from pypdf import PdfReader

        keywords = (PdfReader(io.BytesIO(pdf)).metadata or {}).get("/Keywords") or ""
    except Exception:
        return ""
    for word in str(keywords).replace(",", " ").split():
        if word.startswith("verify:"):
            return word[len("verify:"):]
    return ""


def stored_minutes(minutes, unit=None) -> IssuedDocument | None:
    """The stored minutes (``unit`` None) or that unit's stored excerpt, if sealed and stored."""
    kind = DocumentKind.EXCERPT if unit is not None else DocumentKind.MINUTES
    document = (IssuedDocument.objects.filter(minutes=minutes, kind=kind, unit=unit, superseded_at=None)
                .order_by("-id").first())
    return document if document is not None and document.is_stored else None
