"""The case import (``cases.imports``): the court's column mapping of its case system's export, kept
once for the next file, and one audit row per import (who, when, which file, what came of it).

Imported at the bottom of ``cases.models`` so the models belong to the ``cases`` app.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["CaseImportBatch", "CaseImportMapping", "CaseImportSource"]


class CaseImportMapping(models.Model):
    """How the court's export reads: portal field → column header (``{"number": "案号", ...}``). One row,
    the court's; saved by the clerk on the import page and offered again with the next file."""

    mapping = models.JSONField(_("columns"), default=dict)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("updated by"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("case import column mapping")
        verbose_name_plural = _("case import column mappings")

    def __str__(self):
        return ", ".join(f"{k}={v}" for k, v in sorted(self.mapping.items()))


class CaseImportSource(models.TextChoices):
    FILE = "file", _("Uploaded file")
    API = "api", _("API")


class CaseImportBatch(models.Model):
    """One import that wrote (a preview and a dry run write nothing, this row neither): the audit of who
    brought which cases in from the court's case system."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("imported by"))
    created_at = models.DateTimeField(_("imported"), auto_now_add=True)
    source = models.CharField(_("source"), max_length=8, choices=CaseImportSource.choices)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, blank=True)
    rows = models.PositiveIntegerField(_("rows"))
    created = models.PositiveIntegerField(_("cases created"))
    existing = models.PositiveIntegerField(_("already registered"))
    errors = models.PositiveIntegerField(_("rows with errors"))
    case_ids = models.JSONField(_("cases created (ids)"), default=list)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("case import")
        verbose_name_plural = _("case imports")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.filename or self.source}: {self.created}/{self.rows}"
