"""Which units see a listed person's full ID on a push letter (PIPL Art. 6, 28; ``cases.disclosure``).

Imported at the bottom of ``cases.models`` so the model belongs to the ``cases`` app.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _

from members.models import Unit

__all__ = ["PunishmentIdentifierNeed"]


class PunishmentIdentifierNeed(models.Model):
    """A unit whose joint punishment cannot be applied without the listed person's full resident ID:
    it sets a standing block on the person in its own system, keyed by the ID (a bank's loan and card
    refusal, the exit-control list, the property register). Every other unit reads a push letter with
    the ID masked as the public list shows it, and checks a person it deals with through the audited
    credit check. Data, edited in the admin (PIPL Art. 6, 28: no more than the purpose needs)."""

    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, related_name="punishment_identifier_need",
                                verbose_name=_("unit"))
    reason = models.CharField(_("why its joint punishment needs the full ID"), max_length=300)

    class Meta:
        ordering = ["unit__sort_order", "unit__code"]
        verbose_name = _("unit that needs the full ID for joint punishment")
        verbose_name_plural = _("units that need the full ID for joint punishment")

    def __str__(self):
        return f"{self.unit}: {self.reason}"
