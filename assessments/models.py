"""Non-cooperation reports (Art. 37, 39) and comprehensive-governance assessment (Art. 9, 36).

Every state change goes through ``assessments.services`` and leaves an ``AssessmentEvent`` row.
"""
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Notice
from linkage.choices import ChoiceLabels
from linkage.events import ImmutableEvent
from members.court_keys import CourtKeyMixin
from members.courts import filter_by_court
from members.models import Unit
from members.roles import is_court_user
from members.scoping import unit_ids

from .workflow import MACHINES, PeriodStatus, ReportStatus, TaskStatus


class ReportKind(models.TextChoices):
    NON_EXECUTION = "non_execution", _("Does not execute")
    PASSIVE = "passive", _("Assists passively")
    REFUSAL = "refusal", _("Refuses to assist")
    OBSTRUCTION = "obstruction", _("Obstructs enforcement")


class ReportOutcome(models.TextChoices):
    CRITICISM = "criticism", _("Criticism and education")
    ADMONISHMENT = "admonishment", _("Admonishment talk (诫勉谈话)")
    REFERRAL = "referral", _("Referral to discipline inspection (移送纪检监察)")
    # The conference refers the unit to the court; a fine or detention is the court's own decision, approved
    # by the president (民事诉讼法 2023 Arts. 117-119): ``CourtSanction``.
    CIVIL_PROCEDURE = "civil_procedure", _("Referred to the court for Civil Procedure Law measures")
    UNFOUNDED = "unfounded", _("Unfounded")


# Any outcome but "unfounded" is an upheld finding that lowers the unit's score in its period.
UPHELD_OUTCOMES = frozenset(ReportOutcome.values) - {ReportOutcome.UNFOUNDED}

# Units that receive referrals (Art. 10, 11, 37, 39).
DISCIPLINE_UNIT = "discipline"
ORGANIZATION_UNIT = "organization"


def _sees_all_reports(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser or is_court_user(user) or user.has_perm("assessments.view_all_scores"))


class ReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Court roles and the assessor see all reports; a unit the reports about itself and those
        referred to it; everyone else nothing (404)."""
        if not user.is_authenticated:
            return self.none()
        if _sees_all_reports(user):
            return filter_by_court(self, user, "unit__court")
        ids = unit_ids(user)
        if not ids:
            return self.none()
        return self.filter(Q(unit_id__in=ids)
                           | Exists(ReferralTask.objects.filter(report=OuterRef("pk"), unit_id__in=ids)))

    def for_list(self):
        return self.select_related("unit", "filed_by", "decided_by")

    def open(self):
        return self.exclude(status=ReportStatus.DECIDED)


class NonCooperationReport(ChoiceLabels, models.Model):
    """The court or the office reports a unit that does not cooperate (Art. 37); a convener decides."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="noncooperation_reports",
                             verbose_name=_("unit reported"))
    kind = models.CharField(_("kind"), max_length=16, choices=ReportKind.choices)
    detail = models.TextField(_("facts"))
    notices = models.ManyToManyField(Notice, blank=True, related_name="noncooperation_reports",
                                     verbose_name=_("notices cited"))
    concerns_cadres = models.BooleanField(
        _("concerns cadres"), default=False,
        help_text=_("A referral then also goes to the organization department (Art. 11)."))
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices,
                              default=ReportStatus.FILED)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("reported by"))
    filed_at = models.DateTimeField(_("filed"), default=timezone.now)
    unit_answer = models.TextField(_("the unit's statement"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("answered by"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=ReportOutcome.choices, blank=True)
    outcome_detail = models.TextField(_("decision"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("non-cooperation report")
        verbose_name_plural = _("non-cooperation reports")
        permissions = [("decide_noncooperationreport", _("Can decide a non-cooperation report")),
                       ("answer_noncooperationreport", _("Can answer a report about the own unit"))]
        indexes = [models.Index(fields=["unit", "status"], name="ncr_unit_status"),
                   models.Index(fields=["outcome", "decided_at"], name="ncr_outcome_decided")]

    def __str__(self):
        return f"{self.unit} · {self.get_kind_display()} ({self.filed_at:%Y-%m-%d})"

    @property
    def is_upheld(self):
        return self.status == ReportStatus.DECIDED and self.outcome in UPHELD_OUTCOMES


class ReferralTaskQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if _sees_all_reports(user):
            return filter_by_court(self, user, "unit__court")
        ids = unit_ids(user)
        return self.filter(unit_id__in=ids) if ids else self.none()

    def for_list(self):
        return self.select_related("unit", "report__unit", "answered_by")


class ReferralTask(ChoiceLabels, models.Model):
    """A referral handed to the discipline unit (and the organization department for cadres)."""

    report = models.ForeignKey(NonCooperationReport, on_delete=models.CASCADE, related_name="tasks",
                               verbose_name=_("non-cooperation report"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="referral_tasks",
                             verbose_name=_("member unit"))
    status = models.CharField(_("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("answered by"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    objects = ReferralTaskQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["report", "unit"], name="referral_task_unique")]
        verbose_name = _("referral task")
        verbose_name_plural = _("referral tasks")

    def __str__(self):
        return f"{self.unit}: {self.report}"


class AssessmentPeriod(CourtKeyMixin, ChoiceLabels, models.Model):
    """An assessment period (e.g. 2026 first half) with its own scoring scheme (``Indicator`` rows)."""

    name = models.CharField(_("name"), max_length=100)
    # Each county's conference assesses its own units (Art. 36, 37).
    court = models.ForeignKey("members.Court", on_delete=models.PROTECT,
                              related_name="assessment_periods", verbose_name=_("court"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    status = models.CharField(_("status"), max_length=10, choices=PeriodStatus.choices,
                              default=PeriodStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    compute_requested_at = models.DateTimeField(_("computation requested"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed"), null=True, blank=True)
    as_of = models.DateTimeField(_("data as of"), null=True, blank=True,
                                 help_text=_("The cut-off the scores were computed at."))
    finalised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="+", verbose_name=_("finalised by"))
    finalised_at = models.DateTimeField(_("finalised"), null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("assessment period")
        verbose_name_plural = _("assessment periods")
        permissions = [("compute_assessmentperiod", _("Can compute an assessment period")),
                       ("finalise_assessmentperiod", _("Can finalise an assessment period")),
                       ("export_assessmentperiod", _("Can export an assessment period"))]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                              name="period_dates_ordered")]

    def __str__(self):
        return self.name

    @property
    def is_finalised(self):
        return self.status == PeriodStatus.FINALISED


class IndicatorCode(models.TextChoices):
    ACK_ON_TIME = "ack_on_time", _("Notices acknowledged within the deadline")
    ANSWER_ON_TIME = "answer_on_time", _("Notices answered within the deadline")
    ANSWERED_DONE = "answered_done", _("Answers that carried the notice out (done)")
    RELEASE_ON_TIME = "release_on_time", _("Releases confirmed in time")
    ACTIONS_ON_TIME = "actions_on_time", _("Conference action items done in time")
    NONCOOPERATION = "noncooperation", _("Upheld non-cooperation findings")
    OWN_DEBTOR = "own_debtor", _("Own unpaid cases as a debtor")


RATE_INDICATORS = (IndicatorCode.ACK_ON_TIME, IndicatorCode.ANSWER_ON_TIME, IndicatorCode.ANSWERED_DONE,
                   IndicatorCode.RELEASE_ON_TIME, IndicatorCode.ACTIONS_ON_TIME)
DEDUCTION_INDICATORS = (IndicatorCode.NONCOOPERATION, IndicatorCode.OWN_DEBTOR)

# code: (weight, points per item for deductions)
DEFAULT_SCHEME = {
    IndicatorCode.ACK_ON_TIME: (20, 0),
    IndicatorCode.ANSWER_ON_TIME: (30, 0),
    IndicatorCode.ANSWERED_DONE: (20, 0),
    IndicatorCode.RELEASE_ON_TIME: (20, 0),
    IndicatorCode.ACTIONS_ON_TIME: (10, 0),
    IndicatorCode.NONCOOPERATION: (20, 5),
    IndicatorCode.OWN_DEBTOR: (10, 2),
}


class Indicator(ChoiceLabels, models.Model):
    """One line of a period's scheme. A rate indicator earns ``weight × rate`` points; a deduction takes
    ``per_item`` points per finding or case, at most ``weight``."""

    period = models.ForeignKey(AssessmentPeriod, on_delete=models.CASCADE, related_name="indicators",
                               verbose_name=_("assessment period"))
    code = models.CharField(_("indicator"), max_length=20, choices=IndicatorCode.choices)
    weight = models.DecimalField(_("weight (points)"), max_digits=6, decimal_places=2)
    per_item = models.DecimalField(_("points per item (deductions)"), max_digits=6, decimal_places=2,
                                   default=0)
    min_sample = models.PositiveSmallIntegerField(
        _("smallest sample to rank on"), default=5,
        help_text=_("Below this many items the value is flagged as a small sample."))
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        ordering = ["period", "id"]
        constraints = [models.UniqueConstraint(fields=["period", "code"], name="indicator_unique")]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self):
        return self.get_code_display()

    @property
    def is_rate(self):
        return self.code in RATE_INDICATORS


class DataQuality(models.TextChoices):
    OK = "ok", _("Enough data")
    SMALL_SAMPLE = "small_sample", _("Small sample: do not rank on it")
    NO_SAMPLE = "no_sample", _("No sample: neutral value")


class ScoreQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Assessor, office and convener see every unit's score; a unit's liaison or leader only their
        own unit's; anyone else nothing."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser or user.has_perm("assessments.view_all_scores"):
            return filter_by_court(self, user, "period__court")
        ids = unit_ids(user)
        return self.filter(unit_id__in=ids) if ids else self.none()

    def for_list(self):
        return self.select_related("unit", "period").order_by("rank", "unit__sort_order", "unit__code")


class AssessmentScore(ChoiceLabels, models.Model):
    """A unit's score in a period, with every indicator's value, weight, points and sample in
    ``metrics``. Rewritten by each computation while the period is open; frozen once finalised."""

    period = models.ForeignKey(AssessmentPeriod, on_delete=models.PROTECT, related_name="scores",
                               verbose_name=_("assessment period"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="assessment_scores",
                             verbose_name=_("member unit"))
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=2)
    rank = models.PositiveSmallIntegerField(_("rank"))
    data_quality = models.CharField(_("data quality"), max_length=14, choices=DataQuality.choices)
    metrics = models.JSONField(_("metrics"), default=dict)
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)
    frozen = models.BooleanField(_("frozen"), default=False, editable=False)

    objects = ScoreQuerySet.as_manager()

    class Meta:
        ordering = ["period", "rank", "unit__sort_order"]
        constraints = [models.UniqueConstraint(fields=["period", "unit"], name="score_period_unit")]
        verbose_name = _("assessment score")
        verbose_name_plural = _("assessment scores")
        permissions = [("view_all_scores", _("Can read every unit's scores and evidence"))]

    def __str__(self):
        return f"{self.period} · {self.unit}: {self.score}"

    def save(self, *args, **kwargs):
        if self.frozen:
            raise PermissionDenied("The scores of a finalised period are immutable.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.frozen:
            raise PermissionDenied("The scores of a finalised period are immutable.")
        return super().delete(*args, **kwargs)


class AssessmentEvent(ImmutableEvent):
    """One transition of a report, a referral task or a period: who, when, from, to, note. Exactly one
    subject is set. Written once, never edited."""

    report = models.ForeignKey(NonCooperationReport, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="events", verbose_name=_("non-cooperation report"))
    task = models.ForeignKey(ReferralTask, on_delete=models.CASCADE, null=True, blank=True, related_name="events",
                             verbose_name=_("referral task"))
    period = models.ForeignKey(AssessmentPeriod, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="events", verbose_name=_("assessment period"))

    class Meta(ImmutableEvent.Meta):
        verbose_name = _("assessment event")
        verbose_name_plural = _("assessment events")

    def state_machine(self):
        for field, machine in (("report_id", "report"), ("task_id", "task"), ("period_id", "period")):
            if getattr(self, field):
                return MACHINES[machine]
        return None


class AssessmentEvidence(ChoiceLabels, models.Model):
    """One row behind a figure of a finalised period, as it was counted at finalisation: what counted,
    its due and done times and its verdict. Written once by ``period_finalise``, never edited, so the
    evidence pages and exports of a finalised period stay what the scores were computed from."""

    period = models.ForeignKey(AssessmentPeriod, on_delete=models.CASCADE, related_name="evidence",
                               verbose_name=_("assessment period"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("member unit"))
    indicator = models.CharField(_("indicator"), max_length=20, choices=IndicatorCode.choices)
    kind = models.CharField(_("type"), max_length=30)
    object_id = models.PositiveBigIntegerField(_("id"))
    label = models.CharField(_("item"), max_length=200)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=30, blank=True)
    met = models.BooleanField(_("met"))

    class Meta:
        ordering = ["period", "unit", "indicator", "-id"]
        indexes = [models.Index(fields=["period", "unit", "indicator", "-id"], name="evidence_period_unit")]
        verbose_name = _("evidence row of a finalised period")
        verbose_name_plural = _("evidence rows of finalised periods")

    def __str__(self):
        return self.label

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied("The evidence of a finalised period is immutable.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("The evidence of a finalised period is immutable.")


class SanctionKind(models.TextChoices):
    FINE = "fine", _("Fine (罚款)")
    DETENTION = "detention", _("Detention (拘留)")


class SanctionStatus(models.TextChoices):
    PROPOSED = "proposed", _("Waiting for the president")
    APPROVED = "approved", _("Approved by the president")
    RETURNED = "returned", _("Returned to the clerk")


class CourtSanction(ChoiceLabels, models.Model):
    """A fine or detention of a unit that obstructs or refuses to assist (民事诉讼法 2023 Arts. 114, 117): the
    court's decision, approved by the president (Art. 119: "拘传、罚款、拘留必须经院长批准"), by a 决定书
    numbered under the case the report cites. Limits of Art. 118: a person's fine at most 100,000 yuan, a
    unit's 50,000 to 1,000,000; detention at most fifteen days (a person only)."""

    report = models.ForeignKey(NonCooperationReport, on_delete=models.PROTECT, related_name="sanctions",
                               verbose_name=_("non-cooperation report"))
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="sanctions",
                             verbose_name=_("case"))
    kind = models.CharField(_("kind"), max_length=10, choices=SanctionKind.choices)
    person = models.CharField(_("person sanctioned"), max_length=60, blank=True,
                              help_text=_("The unit's principal or the person directly responsible; empty: the unit "
                                          "itself is fined."))
    amount = models.DecimalField(_("fine (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    days = models.PositiveSmallIntegerField(_("days of detention"), null=True, blank=True)
    facts = models.TextField(_("facts and reasons"))
    status = models.CharField(_("status"), max_length=10, choices=SanctionStatus.choices,
                              default=SanctionStatus.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("proposed by"))
    proposed_at = models.DateTimeField(_("proposed"), default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("approved by"))
    decided_at = models.DateTimeField(_("approved"), null=True, blank=True)
    returned_reason = models.TextField(_("why it was returned"), blank=True)
    document = models.ForeignKey("cases.Attachment", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("the decision (决定书)"))

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "-id"], name="sanction_status_id")]
        permissions = [("approve_courtsanction", _("Can approve a fine or detention (the president)"))]
        verbose_name = _("court sanction")
        verbose_name_plural = _("court sanctions")

    def __str__(self):
        return f"{self.get_kind_display()} {self.report.unit}"
