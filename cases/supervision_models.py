"""督办: a supervising court's order to a court below it about one case, with a reply deadline (issue 30).
Rules in ``cases.supervision``."""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linkage.choices import ChoiceLabels

__all__ = ["SupervisionOrder", "SupervisionStatus"]


class SupervisionStatus(models.TextChoices):
    OPEN = "open", _("Awaiting the reply")
    REPLIED = "replied", _("Replied")


class SupervisionOrder(ChoiceLabels, models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="supervision_orders",
                             verbose_name=_("case"))
    court = models.ForeignKey("members.Court", on_delete=models.PROTECT, related_name="supervision_orders",
                              verbose_name=_("supervising court"))
    text = models.TextField(_("what the court is to do"))
    reply_due_on = models.DateField(_("reply by"))
    status = models.CharField(_("status"), max_length=10, choices=SupervisionStatus.choices,
                              default=SupervisionStatus.OPEN)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("issued by"))
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    reply = models.TextField(_("reply"), blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("replied by"))
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["status", "reply_due_on"], name="supervision_open")]
        verbose_name = _("supervision order (督办)")
        verbose_name_plural = _("supervision orders (督办)")

    def __str__(self):
        return f"督办 {self.case.number}" if self.case_id else "督办"
