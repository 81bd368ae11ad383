"""The measures register: what is frozen, seized, restricted where, until when.

A measure is recorded when a unit answers a ``freeze``/``seize``/``restrict``/``locate``/``publicize``
notice done or partly done. Legal time limits (the SPC's interpretation of the Civil Procedure Law: a
deposit freeze at most 1 year, movable property 2 years, real estate and other property rights 3 years;
a renewal may run as long again) are rows the office edits, because rules change.

``starts_on`` and ``expires_on`` are the first and the last day of the term, both included
(自2026年12月2日起至2027年12月1日止); the measure lapses at the end of ``expires_on``, Asia/Shanghai. A waiting
seizure (轮候) has neither until it takes effect. The rules live in ``cases.measures``.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _

from linkage.choices import ChoiceLabels
from members.models import ActionType, Unit
from members.scoping import scope_by_unit

__all__ = ["AssetKind", "Measure", "MeasureLimit", "MeasurePriority", "MeasureReminder", "MeasureStatus"]


class AssetKind(models.TextChoices):
    DEPOSIT = "deposit", _("Bank deposit")
    MOVABLE = "movable", _("Movable property (e.g. vehicle)")
    REAL_ESTATE = "real_estate", _("Real estate")
    EQUITY = "equity", _("Equity")
    FUND = "fund", _("Fund account (housing fund, social insurance)")
    OTHER = "other", _("Other property right")
    # Not stated: the shortest legal term applies, never the longest.
    UNKNOWN = "unknown", _("Not stated")


class MeasureLimit(ChoiceLabels, models.Model):
    """How long a measure on one kind of asset may last before it must be renewed."""

    asset_kind = models.CharField(_("asset kind"), max_length=20, choices=AssetKind.choices, unique=True)
    months = models.PositiveSmallIntegerField(_("months"))
    basis = models.CharField(_("legal basis"), max_length=200, blank=True)

    class Meta:
        ordering = ["asset_kind"]
        verbose_name = _("legal time limit")
        verbose_name_plural = _("legal time limits")

    def __str__(self):
        return f"{self.get_asset_kind_display()}: {self.months}"


class MeasureStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RELEASED = "released", _("Released")
    LAPSED = "lapsed", _("Lapsed")


class MeasurePriority(models.TextChoices):
    FIRST = "first", _("First seizure / freeze")
    WAITING = "waiting", _("Waiting seizure (轮候)")


class MeasureQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_by_unit(self, user, "unit")

    def active(self):
        return self.filter(status=MeasureStatus.ACTIVE)


PRIORITY_ACTIONS = frozenset({"freeze", "seize"})


class Measure(ChoiceLabels, models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="measures",
                             verbose_name=_("case"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="measures",
                             verbose_name=_("member unit"))
    action = models.ForeignKey(ActionType, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("assistance action"))
    notice = models.OneToOneField("cases.Notice", on_delete=models.PROTECT, related_name="measure",
                                  verbose_name=_("notice"),
                                  help_text=_("The assistance notice whose answer recorded the measure."))
    party = models.ForeignKey("cases.Party", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_("debtor"))
    asset = models.CharField(_("asset"), max_length=300)
    asset_kind = models.CharField(_("asset kind"), max_length=20, choices=AssetKind.choices,
                                  default=AssetKind.UNKNOWN)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=15, decimal_places=2, null=True, blank=True)
    priority = models.CharField(_("priority"), max_length=10, choices=MeasurePriority.choices,
                                default=MeasurePriority.FIRST)
    queue_position = models.PositiveSmallIntegerField(_("place in the waiting queue"), null=True, blank=True)
    starts_on = models.DateField(_("starts"), null=True, blank=True,
                                 help_text=_("The day the measure took effect; empty while a waiting seizure waits."))
    expires_on = models.DateField(_("expires"), null=True, blank=True,
                                  help_text=_("Empty: the measure has no legal time limit."))
    renewals = models.PositiveSmallIntegerField(_("renewals"), default=0)
    # The last day before the latest renewal took effect: restored if the unit answers it could not renew.
    previous_expires_on = models.DateField(_("expired before the latest renewal"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=MeasureStatus.choices,
                              default=MeasureStatus.ACTIVE)
    release_notice = models.ForeignKey("cases.Notice", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="released_measures", verbose_name=_("release notice"))
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    lapsed_on = models.DateField(_("lapsed"), null=True, blank=True)

    objects = MeasureQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        indexes = [
            models.Index(fields=["case", "status"], name="measure_case_status"),
            models.Index(fields=["unit", "status", "-id"], name="measure_unit_status"),
            models.Index(fields=["status", "expires_on"], name="measure_status_expiry"),
        ]

    def __str__(self):
        return f"{self.unit}: {self.asset}"

    @property
    def ranks(self) -> bool:
        """A place in the order of seizures (首封 / 轮候, 查扣冻规定 Art. 26) belongs to freezes and seizures
        only; a ban or a restriction has none (D10 of issue 31)."""
        return self.action.code in PRIORITY_ACTIONS

    @property
    def priority_label(self) -> str:
        return self.get_priority_display() if self.ranks else "—"


class MeasureReminder(ChoiceLabels, models.Model):
    """A renewal reminder sent to the clerk N working days before expiry; one per threshold and expiry."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="reminders",
                                verbose_name=_("measure"))
    expires_on = models.DateField(_("expires"))
    working_days_before = models.PositiveSmallIntegerField(_("working days before expiry"))
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["measure", "expires_on", "working_days_before"],
                                               name="measure_reminder_once")]
        verbose_name = _("renewal reminder")
        verbose_name_plural = _("renewal reminders")

    def __str__(self):
        return f"{self.measure_id} {self.expires_on} -{self.working_days_before}"
