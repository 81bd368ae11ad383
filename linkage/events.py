"""The one shape of an event row: every state machine in the portal writes these (who, when, from, to,
note), and none of them may be edited or deleted afterwards."""
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linkage.choices import ChoiceLabels


class ImmutableEvent(ChoiceLabels, models.Model):
    transition = models.CharField(_("transition"), max_length=20)
    from_status = models.CharField(_("from"), max_length=12, blank=True)
    to_status = models.CharField(_("to"), max_length=12)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("actor"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)
    # A deputy's step (代为办理): the liaison on leave they acted for, filled in from the actor's absences.
    on_behalf_of = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("on behalf of"),
                                     db_index=False)  # never searched by: no index to build on big tables

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.transition}: {self.from_status} → {self.to_status}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied(f"{self._meta.verbose_name} rows are immutable.")
        if self.on_behalf_of_id is None and self.actor_id is not None:
            unit_id = self.subject_unit_id()
            acting_for = getattr(self.actor, "acting_for", None)
            if unit_id is not None and acting_for is not None:
                self.on_behalf_of_id = acting_for().get(unit_id)
        super().save(*args, **kwargs)

    def subject_unit_id(self):
        """The unit whose work the row records a step of (a notice's, an action item's), if any: a deputy
        acting there acts for that unit's liaison."""
        return None

    def delete(self, *args, **kwargs):
        raise PermissionDenied(f"{self._meta.verbose_name} rows are immutable.")

    def state_machine(self):
        """The ``linkage.statemachine.Machine`` whose moves this row records (its labels and states name the
        row as people read it); None for a timeline of notes only."""
        return None
