"""The president's decisions on a citizen's rights (失信规定 Art. 2, 5, 9, 12; 限高规定 Art. 5, 8, 9;
法发〔2019〕35号 item 17): proposed by the clerk, decided (signed) or returned with a reason by the
president, rendered as a numbered 决定书 sealed like the notices, and served on the debtor.

A listing's decision moves its entry pending → proposed → decided (then published); an early deletion or a
correction deletes or revokes the entry once decided; a lifting of an order, or a one-off permission, is
carried out once decided. The consumption restriction order itself is signed on the order (its own
document, ``ConsumptionRestriction``), with the same return and service.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linkage.choices import ChoiceLabels

__all__ = ["Decision", "DecisionKind", "DecisionStatus", "ServiceWay"]


class DecisionKind(models.TextChoices):
    LISTING = "listing", _("Listing (纳入失信被执行人名单决定书)")
    EARLY_DELETION = "early_deletion", _("Early deletion (提前删除失信信息决定书)")
    CORRECTION = "correction", _("Correction (纠正失信信息决定书)")
    RESTRICTION_LIFT = "restriction_lift", _("Lifting an order (解除限制消费令)")
    PERMISSION = "permission", _("One-off permission (准许临时消费决定书)")


class DecisionStatus(models.TextChoices):
    PROPOSED = "proposed", _("Waiting for the president")
    DECIDED = "decided", _("Decided by the president")
    RETURNED = "returned", _("Returned to the clerk")


class ServiceWay(models.TextChoices):
    """民事诉讼法 (2023) Arts. 88-95: how a document is served."""

    DIRECT = "direct", _("In person (直接送达)")
    ELECTRONIC = "electronic", _("Electronically (电子送达)")
    POST = "post", _("By post (邮寄送达)")
    LEFT = "left", _("Left at the residence (留置送达)")
    ENTRUSTED = "entrusted", _("Through another court (委托送达)")
    NOTICE = "notice", _("By public notice (公告送达)")


class Decision(ChoiceLabels, models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=DecisionKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=DecisionStatus.choices,
                              default=DecisionStatus.PROPOSED)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="credit_decisions",
                             verbose_name=_("case"))
    entry = models.ForeignKey("credit.CreditEntry", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="decisions", verbose_name=_("dishonest-debtor entry"))
    order = models.ForeignKey("credit.ConsumptionRestriction", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="decisions", verbose_name=_("consumption restriction order"))
    # What is proposed: the facts and reasons, and per kind the ground and period, the lifting ground, the
    # permitted acts and their dates (``details``).
    facts = models.TextField(_("facts and reasons"), blank=True)
    details = models.JSONField(_("what is decided"), default=dict, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("proposed by"))
    proposed_at = models.DateTimeField(_("proposed"), default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    returned_reason = models.TextField(_("why it was returned"), blank=True)
    document = models.ForeignKey("cases.Attachment", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("the decision (决定书)"))
    # Service on the debtor (失信规定 Art. 5: "并送达当事人").
    served_on = models.DateField(_("served on"), null=True, blank=True)
    service_way = models.CharField(_("served by"), max_length=20, choices=ServiceWay.choices, blank=True)
    service_proof = models.ForeignKey("cases.Attachment", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+", verbose_name=_("proof of service"))
    # An entry published before the portal recorded decisions (migrated): decided on paper.
    legacy = models.BooleanField(_("made before the portal recorded decisions"), default=False)

    class Meta:
        ordering = ["-id"]
        constraints = [
            # One decision waiting per entry or order at a time.
            models.UniqueConstraint(fields=["entry"], condition=Q(status="proposed", entry__isnull=False),
                                    name="decision_one_proposed_per_entry"),
            models.UniqueConstraint(fields=["order", "kind"], condition=Q(status="proposed", order__isnull=False),
                                    name="decision_one_proposed_per_order"),
        ]
        indexes = [models.Index(fields=["status", "-id"], name="decision_status_id")]
        permissions = [("decide_decision", _("Can decide (sign or return) a credit decision (the president)"))]
        verbose_name = _("president's decision")
        verbose_name_plural = _("president's decisions")

    def __str__(self):
        return f"{self.get_kind_display()} {self.case_id}"
