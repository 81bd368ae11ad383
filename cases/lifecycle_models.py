"""The rows of a case's lifecycle (cases.lifecycle holds the rules): its events, suspensions (中止, 暂缓,
执行和解), settlement agreements and their instalments, payments received (执行款), and the property
searches after 终本 (终本规定 Art. 9)."""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linkage.choices import ChoiceLabels
from linkage.events import ImmutableEvent

from .lifecycle import CASE_MACHINE, SuspensionGround, SuspensionKind

__all__ = ["CaseEvent", "Instalment", "Payment", "PaymentWay", "PropertySearch", "SearchResult", "Settlement",
           "SettlementStatus", "Suspension"]


EVENT_LABELS = {
    "register": _("case registered"), "suspend": _("case suspended or deferred"),
    "proceed": _("enforcement proceeds"), "conclude": _("case concluded"), "resume": _("case resumed (执恢)"),
    "carry_over": _("measures carried over"), "take_over": _("measures taken over"),
    "payment": _("payment received"), "property_search": _("property search recorded"),
    "entrust": _("task entrusted to another court"),
}


class CaseEvent(ImmutableEvent):
    """One move of a case (cases.lifecycle.CASE_MACHINE): who, when, from, to, note. Never edited."""

    @property
    def label(self) -> str:
        return str(EVENT_LABELS.get(self.transition, self.transition))

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="events",
                             verbose_name=_("case"))

    class Meta(ImmutableEvent.Meta):
        indexes = [models.Index(fields=["case", "at"], name="caseevent_case_at")]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def state_machine(self):
        return CASE_MACHINE


class Suspension(ChoiceLabels, models.Model):
    """A time the case stood still: 中止执行 (民事诉讼法 2023 Art. 267), 暂缓执行 (Art. 242) or a settlement
    being performed (Art. 241). Open while ``ended_at`` is empty; at most one open per case."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="suspensions",
                             verbose_name=_("case"))
    kind = models.CharField(_("kind"), max_length=12, choices=SuspensionKind.choices)
    ground = models.CharField(_("ground"), max_length=24, choices=SuspensionGround.choices)
    reason = models.TextField(_("reason"), blank=True)
    until = models.DateField(_("until"), null=True, blank=True,
                             help_text=_("A deferral's last day; the case proceeds by itself after it."))
    ruling = models.ForeignKey("cases.Attachment", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("ruling or decision"))
    started_at = models.DateTimeField(_("since"), default=timezone.now)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("suspended by"))
    ended_at = models.DateTimeField(_("suspension ended"), null=True, blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("ended by"))
    end_note = models.TextField(_("why it ended"), blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["case"], condition=models.Q(ended_at__isnull=True),
                                               name="one_open_suspension_per_case")]
        indexes = [models.Index(fields=["kind", "until"], name="suspension_open_until",
                                condition=models.Q(ended_at__isnull=True))]
        verbose_name = _("suspension")
        verbose_name_plural = _("suspensions")

    def __str__(self):
        return f"{self.case_id} {self.get_kind_display()}"


class SettlementStatus(models.TextChoices):
    PERFORMING = "performing", _("Being performed")
    PERFORMED = "performed", _("Performed in full")
    BREACHED = "breached", _("Not performed: enforcement resumed")


class Settlement(ChoiceLabels, models.Model):
    """An enforcement settlement agreement (执行和解协议, 民事诉讼法 2023 Art. 241; 执行和解规定 2018):
    its terms and instalments. While it is performed the case is suspended (Art. 2 of the 2018 rules)."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="settlements",
                             verbose_name=_("case"))
    signed_on = models.DateField(_("signed on"))
    terms = models.TextField(_("terms"))
    status = models.CharField(_("status"), max_length=12, choices=SettlementStatus.choices,
                              default=SettlementStatus.PERFORMING)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    ended_at = models.DateTimeField(_("settlement ended"), null=True, blank=True)
    end_note = models.TextField(_("how it ended"), blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("settlement agreement")
        verbose_name_plural = _("settlement agreements")

    def __str__(self):
        return f"{self.case_id} {self.signed_on}"


class Instalment(ChoiceLabels, models.Model):
    """One payment the agreement promises. Whether it is paid is read from the payments received since
    the agreement was signed, which pay the instalments in the order they fall due (selectors)."""

    settlement = models.ForeignKey(Settlement, on_delete=models.CASCADE, related_name="instalments",
                                   verbose_name=_("settlement agreement"))
    seq = models.PositiveSmallIntegerField(_("instalment"))
    due_on = models.DateField(_("due on"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=15, decimal_places=2)

    class Meta:
        ordering = ["settlement", "seq"]
        constraints = [models.UniqueConstraint(fields=["settlement", "seq"], name="instalment_seq")]
        indexes = [models.Index(fields=["due_on"], name="instalment_due_on")]
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")

    def __str__(self):
        return f"{self.settlement_id}/{self.seq} {self.due_on} {self.amount}"


class PaymentWay(models.TextChoices):
    DEDUCTION = "deduction", _("Deducted by a unit (扣划)")
    PAID = "paid", _("Paid by the debtor (被执行人交付)")
    AUCTION = "auction", _("Auction or sale proceeds (拍卖、变卖价款)")
    OTHER = "other", _("Other")


class Payment(ChoiceLabels, models.Model):
    """Money received in the case (执行款): what it pays off the amount owed."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="payments",
                             verbose_name=_("case"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=15, decimal_places=2)
    received_on = models.DateField(_("received on"))
    way = models.CharField(_("way"), max_length=12, choices=PaymentWay.choices)
    notice = models.ForeignKey("cases.Notice", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("deduction notice"),
                               help_text=_("For money a unit deducted: the notice it answered."))
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        ordering = ["received_on", "id"]
        indexes = [models.Index(fields=["case", "received_on"], name="payment_case_received")]
        verbose_name = _("payment received")
        verbose_name_plural = _("payments received")

    def __str__(self):
        return f"{self.case_id} {self.amount} {self.received_on}"


class SearchResult(models.TextChoices):
    NOTHING = "nothing", _("Nothing found")
    FOUND = "found", _("Property found")
    LEAD = "lead", _("The applicant or another gave a lead")


class PropertySearch(ChoiceLabels, models.Model):
    """A property search after 终本 through the network enforcement system (终本规定 Art. 9: every six
    months for five years). Two or more finding nothing, with no lead given, is a ground to delete the
    debtor's listing (失信规定 Art. 10(4))."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="property_searches",
                             verbose_name=_("case"))
    seq = models.PositiveSmallIntegerField(_("search"))
    due_on = models.DateField(_("due on"))
    searched_on = models.DateField(_("searched on"))
    result = models.CharField(_("result"), max_length=10, choices=SearchResult.choices)
    note = models.TextField(_("what was searched and found"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        ordering = ["case", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="property_search_seq")]
        verbose_name = _("property search after 终本")
        verbose_name_plural = _("property searches after 终本")

    def __str__(self):
        return f"{self.case_id} #{self.seq} {self.result}"
