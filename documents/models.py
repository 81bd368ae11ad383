"""The register of issued documents: each PDF the court issues is rendered once, e-sealed, stored and
recorded here; downloads serve the stored file and ``/verify/`` checks a copy against it.

A row is immutable once its file is stored (``sha256`` set): only the mark that a correction superseded
it may be added afterwards. A row is never deleted.
"""
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linkage.choices import ChoiceLabels
from linkage.storage import private_storage

# Crockford's base32 without I, L, O, U: nothing a reader confuses when typing a code from paper.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12  # 60 bits: not guessable behind the rate limit of /verify/


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    """ABCD-EFGH-JKMN, as printed under the QR code."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def normalize_code(text: str) -> str:
    """What a reader typed (dashes, spaces, lower case, O for 0) as a code."""
    text = (text or "").upper().replace("-", "").replace(" ", "").strip()
    return text.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))[:40]


class DocumentKind(models.TextChoices):
    NOTICE = "notice", _("Assistance notice")
    RELEASE = "release", _("Release notice")
    RENEWAL = "renewal", _("Renewal notice")
    PUSH = "push", _("Dishonest-list push letter")
    WITHDRAW = "withdraw", _("Dishonest-list withdrawal letter")
    RECEIPT = "receipt", _("Proof of service")
    MINUTES = "minutes", _("Minutes")
    EXCERPT = "excerpt", _("Minutes excerpt")
    RESTRICTION = "restriction", _("Consumption restriction order")
    RULING = "ruling", _("Ruling or decision")
    ENTRUSTMENT = "entrustment", _("Letter of entrustment")


# The document kind of each notice kind.
NOTICE_KINDS = {"assist": DocumentKind.NOTICE, "release": DocumentKind.RELEASE, "renewal": DocumentKind.RENEWAL,
                "push": DocumentKind.PUSH, "withdraw": DocumentKind.WITHDRAW}


class DocumentStatus(models.TextChoices):
    PENDING = "pending", _("Being sealed")
    STORED = "stored", _("Stored")


class IssuedDocument(ChoiceLabels, models.Model):
    code = models.CharField(_("verification code"), max_length=20, unique=True, default=new_code)
    kind = models.CharField(_("kind"), max_length=12, choices=DocumentKind.choices)
    status = models.CharField(_("status"), max_length=8, choices=DocumentStatus.choices,
                              default=DocumentStatus.PENDING)
    title = models.CharField(_("title"), max_length=120)
    number = models.CharField(_("document number"), max_length=80, blank=True)
    case_number = models.CharField(_("case number"), max_length=60, blank=True)
    notice = models.ForeignKey("cases.Notice", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="issued_documents", verbose_name=_("notice"))
    minutes = models.ForeignKey("conferences.Minutes", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="issued_documents", verbose_name=_("minutes"))
    # A ruling the portal drew up (cases.rulings): the court's record, addressed to no unit.
    ruling = models.ForeignKey("cases.Attachment", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="issued_documents", verbose_name=_("ruling"))
    unit = models.ForeignKey("members.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("addressed to"),
                             help_text=_("The unit the document is addressed to (its reader); empty: the court's record."))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("issuer"))
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    # Filled once, when the file is stored.
    file = models.FileField(_("file"), storage=private_storage, upload_to="documents/", blank=True)
    sha256 = models.CharField(_("file hash (SHA-256)"), max_length=64, blank=True, db_index=True)
    size = models.PositiveIntegerField(_("size"), null=True, blank=True)
    sealed = models.BooleanField(_("e-sealed"), default=False)
    signer = models.CharField(_("signer"), max_length=200, blank=True)
    cert_sha256 = models.CharField(_("certificate fingerprint"), max_length=64, blank=True)
    signed_at = models.DateTimeField(_("sealed"), null=True, blank=True)
    stored_at = models.DateTimeField(_("stored"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # A correction: the new document names the one it replaces; the old one is marked, both are kept.
    supersedes = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="superseded_by", verbose_name=_("supersedes"))
    superseded_at = models.DateTimeField(_("superseded"), null=True, blank=True)
    correction_reason = models.CharField(_("reason for the correction"), max_length=200, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")
        constraints = [
            # One current document per notice and kind, per minutes and unit (a correction supersedes).
            models.UniqueConstraint(fields=["notice", "kind"], condition=Q(superseded_at__isnull=True, notice__isnull=False),
                                    name="one_current_document_per_notice"),
            models.UniqueConstraint(fields=["minutes", "kind", "unit"],
                                    condition=Q(superseded_at__isnull=True, minutes__isnull=False),
                                    name="one_current_minutes_document"),
        ]
        indexes = [models.Index(fields=["status", "id"], name="issueddoc_status")]

    def __str__(self):
        return f"{self.title} {self.number} [{format_code(self.code)}]"

    FROZEN = ("code", "kind", "title", "number", "case_number", "notice_id", "minutes_id", "ruling_id", "unit_id",
              "issued_by_id", "issued_at", "file", "sha256", "size", "sealed", "signer", "cert_sha256",
              "signed_at", "stored_at", "supersedes_id")

    def save(self, *args, **kwargs):
        if self.pk is not None:
            before = type(self).objects.filter(pk=self.pk).first()
            if before is not None and before.status == DocumentStatus.STORED:
                changed = [f for f in self.FROZEN if getattr(before, f) != getattr(self, f)]
                if changed or self.status != before.status:
                    raise PermissionDenied(f"An issued document is immutable ({', '.join(changed)}).")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Issued documents are never deleted.")

    @property
    def display_code(self) -> str:
        return format_code(self.code)

    @property
    def is_stored(self) -> bool:
        return self.status == DocumentStatus.STORED and bool(self.file)
