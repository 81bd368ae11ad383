"""Entrusted tasks between courts (事项委托, 民事诉讼法 2023 Art. 240; 最高人民法院《关于严格规范执行事项委托
工作的管理办法（试行）》, 法发〔2017〕27号): court A asks court B to freeze, seize, deduct, investigate, serve
or find the debtor in B's county. B registers the task as a 执协 case of its own and works it with its own
units; A's case shows what B reports and the measures B's units hold. The rules are in
``cases.entrustments``; the state machine below."""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linkage.choices import ChoiceLabels
from linkage.events import ImmutableEvent
from linkage.statemachine import Machine, Transition

__all__ = ["ENTRUSTMENT_MACHINE", "Entrustment", "EntrustmentAction", "EntrustmentEvent", "EntrustmentStatus",
           "ReturnGround"]


class EntrustmentAction(models.TextChoices):
    FREEZE = "freeze", _("Freeze")
    SEIZE = "seize", _("Seize")
    DEDUCT = "deduct", _("Deduct or transfer")
    INVESTIGATE = "investigate", _("Investigate property")
    SERVE = "serve", _("Serve documents")
    FIND = "find", _("Find the debtor")


# The actions whose result is a measure a unit holds: released when A's case ends (Art. 35).
HOLDING_ACTIONS = frozenset({EntrustmentAction.FREEZE, EntrustmentAction.SEIZE})


class EntrustmentStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    DONE = "done", _("Done")
    PARTIAL = "partial", _("Partly done")
    RETURNED = "returned", pgettext_lazy("entrusted task", "Returned")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    RELEASED = "released", _("Measures released")


class ReturnGround(models.TextChoices):
    # Art. 240 says the entrusted court "不得拒绝": it does not refuse a task, it returns one it cannot
    # take as sent (法发〔2017〕27号: the materials are incomplete, or the property is not in its county).
    INCOMPLETE = "incomplete", _("The letter or the ruling is missing or incomplete")
    NOT_HERE = "not_here", _("The property or the debtor is not in this court's county")
    DUPLICATE = "duplicate", _("The same task was already entrusted")


OPEN_STATES = frozenset({EntrustmentStatus.SENT, EntrustmentStatus.ACCEPTED})
REPORTED = frozenset({EntrustmentStatus.DONE, EntrustmentStatus.PARTIAL})

ENTRUSTMENT_MACHINE = Machine(EntrustmentStatus, [
    Transition("accept", frozenset({EntrustmentStatus.SENT}), EntrustmentStatus.ACCEPTED, _("accept")),
    Transition("return", frozenset({EntrustmentStatus.SENT}), EntrustmentStatus.RETURNED, _("return"),
               needs_reason=True),
    Transition("withdraw", OPEN_STATES | REPORTED, EntrustmentStatus.WITHDRAWN, _("withdraw"), needs_reason=True),
    Transition("report", frozenset({EntrustmentStatus.ACCEPTED, EntrustmentStatus.PARTIAL}), EntrustmentStatus.DONE,
               _("report the result")),
    Transition("report_partial", frozenset({EntrustmentStatus.ACCEPTED, EntrustmentStatus.PARTIAL}),
               EntrustmentStatus.PARTIAL, _("report part done")),
    Transition("release", REPORTED | {EntrustmentStatus.WITHDRAWN}, EntrustmentStatus.RELEASED,
               _("release the measures")),
])


class Entrustment(ChoiceLabels, models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="entrustments",
                             verbose_name=_("entrusting case"))
    court = models.ForeignKey("members.Court", on_delete=models.PROTECT, related_name="entrustments_received",
                              verbose_name=_("entrusted court"))
    action = models.CharField(_("action"), max_length=12, choices=EntrustmentAction.choices)
    subject = models.TextField(_("what to do"), help_text=_("Which debtor, which property, account or parcel."))
    ruling = models.ForeignKey("cases.Attachment", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("ruling"))
    number = models.CharField(_("letter number"), max_length=60, unique=True)
    status = models.CharField(_("status"), max_length=12, choices=EntrustmentStatus.choices,
                              default=EntrustmentStatus.SENT)
    # B agreed that A's conclusion releases B's measures without its clerk's confirmation.
    auto_release = models.BooleanField(_("release automatically when the case ends"), default=False)
    assist_case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="entrusted_by", verbose_name=_("assist case (执协)"))
    letter = models.OneToOneField("documents.IssuedDocument", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="entrustment", verbose_name=_("letter of entrustment"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("sent by"))
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    # Art. 240: start within 15 days of receiving the letter; the result, or the state of the work, within 30.
    start_due_on = models.DateField(_("to start by"))
    report_due_on = models.DateField(_("to report by"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    reported_at = models.DateTimeField(_("last reported"), null=True, blank=True)
    report = models.TextField(_("report"), blank=True)
    release_requested_at = models.DateTimeField(_("release requested"), null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["court", "status", "start_due_on"], name="entrust_court_open"),
                   models.Index(fields=["case", "status"], name="entrust_case")]
        verbose_name = _("entrusted task")
        verbose_name_plural = _("entrusted tasks")

    def __str__(self):
        return self.number

    @property
    def holds_measures(self) -> bool:
        return self.action in HOLDING_ACTIONS


class EntrustmentEvent(ImmutableEvent):
    entrustment = models.ForeignKey(Entrustment, on_delete=models.CASCADE, related_name="events",
                                    verbose_name=_("entrusted task"))

    class Meta(ImmutableEvent.Meta):
        verbose_name = _("entrusted-task event")
        verbose_name_plural = _("entrusted-task events")

    def state_machine(self):
        return ENTRUSTMENT_MACHINE
