"""Checking uploaded PDFs by size and content, never by their name or declared type."""
import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.errors import PdfReadError


def validate_pdf(upload) -> str:
    """Refuse anything that is not a readable PDF within the size limit; return its SHA-256."""
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(_("The file is %(size)s; the limit is %(limit)s.")
                              % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
                              code="too_large")
    upload.seek(0)
    head = upload.read(1024)
    if b"%PDF-" not in head:
        raise ValidationError(_("Only PDF files are accepted: “%(name)s” is not a PDF.")
                              % {"name": upload.name}, code="not_pdf")
    upload.seek(0)
    try:
        reader = PdfReader(upload)
        if len(reader.pages) < 1:
            raise PdfReadError("no pages")
    except Exception:  # pypdf raises many kinds of error for a damaged file
        raise ValidationError(_("“%(name)s” is damaged or not a readable PDF.") % {"name": upload.name},
                              code="bad_pdf") from None
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()
