
from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from linkage.choices import ChoiceLabels
from linkage.events import ImmutableEvent
from linkage.identity import mask_identifier
from linkage.storage import private_storage, private_upload_path  # noqa: F401  (named by migrations)
from members.court_keys import CourtKeyMixin
from members.courts import filter_by_court
from members.models import ActionType, Unit
from members.roles import is_court_user
from members.scoping import scope_by_unit, unit_ids

from .lifecycle import CaseOutcome, CaseStatus, SuspensionKind, case_group, keeps_measures
from .measure_models import AssetKind
from .workflow import AWAITING_ACK, NOTICE_MACHINE, OPEN, NoticeStatus


class KeyCategory(models.TextChoices):
    """Key-case categories of Art. 9 and 13."""

    GOV_DEBTOR = "gov_debtor", _("Party or government body as debtor")
    FINANCE = "finance", _("Finance")
    LIVELIHOOD = "livelihood", _("People's livelihood")
    GANG_PROPERTY = "gang_property", _("Property penalty in a gang-related crime")
    EPIDEMIC = "epidemic", _("Epidemic-related")
    MIGRANT_WAGES = "migrant_wages", _("Unpaid migrant-worker wages")
    HARDSHIP = "hardship", _("Applicant in extreme hardship")
    DUTY_CRIME = "duty_crime", _("Property penalty in a duty crime")
    FARMLAND = "farmland", _("Illegal occupation of farmland")


# Notices that do not open their case to the unit: a dishonest-list push and its withdrawal go to every
# punishing unit. The scope below and its index (Notice.Meta, notice_unit_case) must say the same.
LIST_NOTICE_KINDS = ["push", "withdraw"]


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Court roles see every case; a unit's members only cases with a notice to their unit."""
        if not user.is_authenticated:
            return self.none()
        if is_court_user(user):
            return filter_by_court(self, user)
        ids = unit_ids(user)
        if not ids:
            return self.none()
        # A dishonest-list push does not open the case to every punishing unit: only the notices that
        # ask a unit to act in the case do.
        return self.filter(Exists(Notice.objects.filter(case=OuterRef("pk"), unit_id__in=ids)
                                  .exclude(kind__in=LIST_NOTICE_KINDS)))


class Case(CourtKeyMixin, ChoiceLabels, models.Model):
    number = models.CharField(_("case number"), max_length=40, unique=True)
    court = models.ForeignKey("members.Court", on_delete=models.PROTECT,
                              related_name="cases", verbose_name=_("court"))
    year = models.PositiveSmallIntegerField(_("year"))
    case_type = models.CharField(_("case type"), max_length=4)
    title = models.CharField(_("title"), max_length=200)
    amount = models.DecimalField(_("amount owed (yuan)"), max_digits=15, decimal_places=2)
    status = models.CharField(_("status"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    outcome = models.CharField(_("outcome"), max_length=24, choices=CaseOutcome.choices, blank=True)
    # The ground of the ending (a termination's, a preservation lifted), the ruling it was made by, and
    # the clerk's note (cases.lifecycle.ENDINGS).
    outcome_ground = models.CharField(_("ground of the outcome"), max_length=24, blank=True)
    outcome_ruling = models.ForeignKey("Attachment", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+", verbose_name=_("ruling of the outcome"))
    outcome_note = models.TextField(_("note on the outcome"), blank=True)
    # 立案: the day the case was filed in the court's case system; the rules' clocks count from it
    # (终本规定 Art. 1(4): three months).
    filed_on = models.DateField(_("filed (立案)"), default=timezone.localdate)
    # While suspended (中止, 暂缓, 执行和解): which kind; the details are the open Suspension row.
    suspension_kind = models.CharField(_("suspended as"), max_length=12, choices=SuspensionKind.choices,
                                       blank=True)
    # 终本 after-care (终本规定 Art. 9): the next property search due, every six months for five years.
    next_search_on = models.DateField(_("next property search due"), null=True, blank=True)
    listed_supervision = models.BooleanField(_("listed supervision (挂牌督办)"), default=False)
    responsible_leader = models.CharField(_("responsible leader (领导包案)"), max_length=60, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("registered by"))
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    concluded_at = models.DateTimeField(_("concluded"), null=True, blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("concluded by"),
    )
    # The document being enforced (执行依据): who issued it, its number, its date. Printed on every notice.
    basis_issuer = models.CharField(_("basis issued by"), max_length=100, blank=True,
                                    help_text=_("e.g. 湖北省公安县人民法院"))
    basis_number = models.CharField(_("basis document number"), max_length=60, blank=True,
                                    help_text=_("e.g. （2026）鄂1022民初456号民事判决书"))
    basis_date = models.DateField(_("basis document date"), null=True, blank=True)
    # A 终本 case resumed (执恢) is a new case of its own number linked to the old one (DOMAIN.md s. 5).
    resumed_from = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="resumptions", verbose_name=_("resumed from"))
    # The 执保 case of the same matter whose measures this case took over (民诉法解释 Art. 168).
    preservation_case = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                          related_name="enforcement_cases", verbose_name=_("preservation case"))

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        permissions = [("conclude_case", _("Can conclude a case")),
                       ("reveal_identifier", _("Can see full personal identifiers (audited)"))]
        indexes = [
            models.Index(fields=["status", "-id"], name="case_status_id"),
            models.Index(fields=["listed_supervision", "-id"], name="case_listed_id"),
            models.Index(fields=["next_search_on"], name="case_next_search",
                         condition=Q(next_search_on__isnull=False)),
        ]

    def __str__(self):
        return self.number

    def chain_ids(self) -> list[int]:
        """This case and the cases it resumes (执恢 ← 终本 ← ...): the measures, entries and orders of one
        enforcement follow it from number to number."""
        ids, current = [], self
        while current is not None and len(ids) < 50:
            ids.append(current.pk)
            current = current.resumed_from
        return ids

    @property
    def is_open(self):
        return self.status == CaseStatus.OPEN

    @property
    def is_suspended(self):
        return self.status == CaseStatus.SUSPENDED

    @property
    def group(self) -> str:
        """enforcement (执, 执恢), preservation (执保) or review (执异, 执复, 执监)."""
        return case_group(self.case_type)

    @property
    def outcome_ground_label(self) -> str:
        from .lifecycle import PreservationLiftGround, TerminationGround

        choices = TerminationGround if self.outcome == CaseOutcome.TERMINATED else PreservationLiftGround
        return str(choices(self.outcome_ground).label) if self.outcome_ground in choices.values else ""

    @property
    def keeps_measures(self) -> bool:
        return keeps_measures(self.status, self.outcome, self.outcome_ground)


class CaseCategory(ChoiceLabels, models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="categories",
                             verbose_name=_("case"))
    category = models.CharField(_("category"), max_length=20, choices=KeyCategory.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "category"], name="case_category_unique")]
        indexes = [models.Index(fields=["category", "case"], name="category_case")]
        verbose_name = _("key-case category")
        verbose_name_plural = _("key-case categories")

    def __str__(self):
        return self.get_category_display()


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    DEBTOR = "debtor", _("Judgment debtor")


class PartyKind(models.TextChoices):
    PERSON = "person", _("Natural person")
    ORGANIZATION = "organization", _("Organisation")


class Party(ChoiceLabels, models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties", verbose_name=_("case"))
    role = models.CharField(_("role"), max_length=10, choices=PartyRole.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=PartyKind.choices, default=PartyKind.PERSON)
    name = models.CharField(_("name"), max_length=120)
    id_number = models.CharField(_("ID number / credit code"), max_length=18)
    legal_representative = models.CharField(_("legal representative"), max_length=60, blank=True)

    class Meta:
        ordering = ["case", "role", "id"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        indexes = [models.Index(fields=["name"], name="party_name"),
                   models.Index(fields=["id_number"], name="party_id_number")]

    def __str__(self):
        return self.name

    @property
    def masked_id(self):
        """A person's ID masked; an organisation's credit code in full (public, 失信规定 Art. 6)."""
        return mask_identifier(self.id_number, self.kind)


# Historical migrations name the storage by this path (cases.0001, documents.0001 ...).
_private_storage = private_storage


class AttachmentPurpose(models.TextChoices):
    RULING = "ruling", _("Enforcement ruling")
    ANSWER = "answer", _("Answer attachment")
    SERVICE = "service", _("Proof of service")


class Attachment(ChoiceLabels, models.Model):
    """A PDF kept outside any public URL; served by ``cases.views.attachment_download`` only."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments",
                             verbose_name=_("case"))
    notice = models.ForeignKey("Notice", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="answer_attachments", verbose_name=_("notice"))
    purpose = models.CharField(_("purpose"), max_length=10, choices=AttachmentPurpose.choices)
    file = models.FileField(_("file"), storage=_private_storage, upload_to=private_upload_path, blank=True)
    original_name = models.CharField(_("file name"), max_length=200)
    title = models.CharField(_("title"), max_length=120, blank=True,
                             help_text=_("e.g. 执行裁定书 or 解除冻结裁定书"))
    # Rulings of a case are numbered in order: （2026）鄂1022执123号之一, 之二 ...
    ruling_seq = models.PositiveSmallIntegerField(_("ruling number in case"), null=True, blank=True)
    # A ruling the portal drew up from its template (cases.rulings): no upload; its document is rendered,
    # sealed and stored by ``documents`` like the notices, from ``facts`` (what it decides).
    ruling_kind = models.CharField(_("kind of ruling"), max_length=24, blank=True)
    generated = models.BooleanField(_("drawn up by the portal"), default=False)
    facts = models.JSONField(_("what the ruling decides"), default=dict, blank=True)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("file hash (SHA-256)"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.original_name

    @property
    def ruling_number(self) -> str:
        """The ruling's document number: （2026）鄂1022执123号之一 (the first ruling of the case)."""
        if not self.ruling_seq:
            return ""
        from linkage.numerals import chinese_numeral

        return f"{self.case.number}之{chinese_numeral(self.ruling_seq)}"

    @property
    def ruling_label(self) -> str:
        """How a document cites the ruling: （2026）鄂1022执123号之一执行裁定书."""
        return f"{self.ruling_number}{self.title or '执行裁定书'}"


class NoticeKind(models.TextChoices):
    ASSIST = "assist", _("Assistance notice")
    RELEASE = "release", _("Release notice")
    RENEWAL = "renewal", _("Renewal notice")
    PUSH = "push", _("Dishonest-list push")
    WITHDRAW = "withdraw", _("Withdrawal of a dishonest-list push")
    # 民诉法解释 Art. 168: a preservation's measures became the enforcement case's, terms running on; each
    # unit holding one is told in one letter.
    CONVERSION = "conversion", _("Preservation turned into enforcement")


class ReleaseGround(models.TextChoices):
    """Why a measure is released: 查封扣押冻结规定 (2020) Art. 28, and a conclusion of the case."""

    DEBT_PAID = "debt_paid", _("The debt has been paid")
    SECURITY = "security", _("The debtor gave security and the creditor agrees")
    WITHDRAWN = "withdrawn", _("The creditor withdrew the application or waived the claim")
    THIRD_PARTY = "third_party", _("The property belongs to a third party")
    UNSALEABLE = "unsaleable", _("Unsold at auction or sale and refused in payment, no other measure possible")
    OTHER = "other", _("Other circumstances in which the court finds release necessary")
    COMPLETED = "completed", _("Enforcement completed")
    TERMINATED = "terminated", _("Enforcement terminated")
    NOT_ENFORCED = "not_enforced", _("Not enforced")
    APPLICATION_REJECTED = "application_rejected", _("Application rejected")
    FILING_CANCELLED = "filing_cancelled", _("Filing cancelled")
    PRESERVATION_LIFTED = "preservation_lifted", _("Preservation lifted")
    BANKRUPTCY = "bankruptcy", _("A bankruptcy petition against the debtor was accepted")
    OVER_SEIZURE = "over_seizure", _("More is held than the outstanding debt (over-seizure)")
    SETTLEMENT = "settlement", _("Released under the settlement agreement")


class AnswerOutcome(models.TextChoices):
    DONE = "done", _("Done")
    PARTIAL = "partial", _("Partly done")
    UNABLE = "unable", _("Unable")


# Answers after which the unit holds (part of) the measure it was asked to take.
EXECUTED_OUTCOMES = (AnswerOutcome.DONE, AnswerOutcome.PARTIAL)


def ack_overdue_q(now):
    """Late to acknowledge: the one definition, used by lists, counts, filters and reminders.
    A notice whose clocks are stopped (a pending objection or extension request) is never late."""
    return Q(status__in=AWAITING_ACK, ack_due_at__lt=now, paused_since__isnull=True)


def answer_overdue_q(now):
    return Q(status__in=OPEN, due_at__lt=now, paused_since__isnull=True)


# What a row of the notice table prints and what Notice.ack_overdue() and answer_overdue() read.
NOTICE_TABLE_FIELDS = ("number", "kind", "status", "ack_due_at", "due_at", "paused_since",
                       "case__title", "unit__name", "action__name")


class NoticeQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_by_unit(self, user, "unit")

    def for_list(self):
        # party: every list shows the debtor concerned (cases.disclosure), without a query per row
        return self.select_related("case", "unit", "action", "party")

    def for_table(self):
        """A page of the notice table (the inbox, the home page: templates/jinja2/cases/notice_table.html)
        reads these columns alone; its whole rows and the party's cost more Python to build and more
        PostgreSQL planning. A column the table starts to print must be added here, or each
        row reads it with a query of its own (tests/test_pages.py counts them)."""
        return self.select_related(None).select_related("case", "unit", "action").only(*NOTICE_TABLE_FIELDS)

    def open(self):
        return self.filter(status__in=OPEN)

    def ack_overdue(self, now=None):
        return self.filter(ack_overdue_q(now or timezone.now()))

    def answer_overdue(self, now=None):
        return self.filter(answer_overdue_q(now or timezone.now()))

    def overdue(self, now=None):
        now = now or timezone.now()
        # status__in=OPEN repeats what both clocks imply, so the planner can use the partial index of open
        # notices (notice_open_unit) instead of walking the unit's history.
        return self.filter(ack_overdue_q(now) | answer_overdue_q(now), status__in=OPEN)

    def holding_measures(self):
        """Assist notices whose unit holds, or may hold, an active measure (Art. 35).

        A unit may act before it answers, so every open measure notice counts; an answered one counts
        when it was executed (done or partly); one answered ``unable`` holds nothing.
        """
        return self.filter(kind=NoticeKind.ASSIST, action__holds_measure=True).filter(
            Q(status__in=OPEN)
            | Q(status__in=[NoticeStatus.ANSWERED, NoticeStatus.CLOSED], outcome__in=EXECUTED_OUTCOMES)
        )

    def awaiting_release(self):
        """Measure notices still to be released on conclusion (Art. 35): holding a measure, with no
        release sent yet, and whose registered measure (if any) was not released or lapsed already."""
        full_release = Notice.objects.filter(original=OuterRef("pk"), kind=NoticeKind.RELEASE, partial=False)
        return (self.holding_measures().exclude(Exists(full_release))
                .exclude(measure__status__in=["released", "lapsed"]))


class Notice(ChoiceLabels, models.Model):
    """An assistance notice (协助执行通知书) or a release notice sent to one unit."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notices", verbose_name=_("case"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="notices",
                             verbose_name=_("member unit"))
    action = models.ForeignKey(ActionType, on_delete=models.PROTECT, related_name="notices",
                               verbose_name=_("assistance action"))
    kind = models.CharField(_("kind"), max_length=10, choices=NoticeKind.choices, default=NoticeKind.ASSIST)
    original = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="follow_ups",
        verbose_name=_("original notice"),
        help_text=_("For a release or renewal notice: the notice whose measure it concerns."),
    )
    party = models.ForeignKey("Party", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_("debtor concerned"),
                              help_text=_("The one debtor the notice is about; empty: every debtor of the case."))
    # What the unit acts on, in fields of their own (not typed into the subject): the document prints the
    # account in full for the target unit only (cases.disclosure).
    asset_kind = models.CharField(_("asset kind"), max_length=20, choices=AssetKind.choices, blank=True)
    account = models.CharField(_("account, plate or parcel number"), max_length=100, blank=True)
    amount = models.DecimalField(_("amount to freeze or deduct (yuan)"), max_digits=15, decimal_places=2,
                                 null=True, blank=True)
    release_ground = models.CharField(_("ground of release"), max_length=24, choices=ReleaseGround.choices,
                                      blank=True)
    # A release of part of a measure (查封扣押冻结规定 Art. 19: what exceeds the outstanding debt): ``amount``
    # is the part released; the measure stays held for the rest.
    partial = models.BooleanField(_("partial release"), default=False)
    # The case the measure this notice asks for (or the measure it took) belongs to now: its own case,
    # or, once the case is resumed (执恢) or its preservation carried over, the case that took it over. An
    # answer that arrives later on this notice lands there (DOMAIN.md section 5, "Case lifecycle").
    measure_case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="held_notices",
                                     verbose_name=_("case holding the measure"))
    seq = models.PositiveIntegerField(_("sequence in case"))
    number = models.CharField(_("notice number"), max_length=60, unique=True)
    subject = models.TextField(_("subject"))
    status = models.CharField(_("status"), max_length=12, choices=NoticeStatus.choices,
                              default=NoticeStatus.ISSUED)
    ruling = models.ForeignKey(Attachment, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="ruling_notices", verbose_name=_("ruling"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("issuer"))
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    ack_due_at = models.DateTimeField(_("acknowledge by"))
    due_at = models.DateTimeField(_("answer by"))
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    outcome = models.CharField(_("answer"), max_length=10, choices=AnswerOutcome.choices, blank=True)
    answer_detail = models.TextField(_("answer detail"), blank=True)
    result_amount = models.DecimalField(_("amount (yuan)"), max_digits=15, decimal_places=2, null=True,
                                        blank=True, help_text=_("e.g. the amount frozen or deducted"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    paused_since = models.DateTimeField(
        _("clocks stopped since"), null=True, blank=True,
        help_text=_("Set while an objection or extension request is pending: nothing is overdue then."))

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        permissions = [
            ("acknowledge_notice", _("Can acknowledge a notice")),
            ("answer_notice", _("Can answer a notice")),
            ("cancel_notice", _("Can cancel a notice")),
            ("close_notice", _("Can close a notice")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["case", "seq"], name="notice_seq_in_case"),
            # One release per measure notice: the Art. 35 fan-out can run twice and send nothing twice.
            models.UniqueConstraint(fields=["original"], condition=Q(kind="release", partial=False),
                                    name="one_release_per_notice"),
        ]
        indexes = [
            models.Index(fields=["unit", "status", "-id"], name="notice_unit_status"),
            models.Index(fields=["unit", "-id"], name="notice_unit_id"),
            models.Index(fields=["case", "-id"], name="notice_case_id"),
            models.Index(fields=["measure_case", "-id"], name="notice_measure_case"),
            models.Index(fields=["status", "due_at"], name="notice_status_due"),
            models.Index(fields=["status", "ack_due_at"], name="notice_status_ack_due"),
            models.Index(fields=["kind", "status"], name="notice_kind_status"),
            # Open work only (docs/performance.md): a few thousand rows however long the
            # history; the home pages' counts (index-only: every column they read is in it) and the
            # inbox's open and overdue tabs read these.
            models.Index(fields=["status", "due_at", "ack_due_at"], name="notice_open_work",
                         include=["kind", "paused_since", "id"],
                         condition=Q(status__in=["issued", "delivered", "acknowledged", "answered"])),
            models.Index(fields=["unit", "-id"], name="notice_open_unit",
                         condition=Q(status__in=["issued", "delivered", "acknowledged"])),
            # The cases a unit's members may see (CaseQuerySet.visible_to): without it the unit's case
            # list walks every notice of the case index to find the unit's, slower with every notice the court issues.
            models.Index(fields=["unit", "case"], name="notice_unit_case",
                         condition=~Q(kind__in=LIST_NOTICE_KINDS)),
            # A period's notices (the assessment, the meeting's work report): the period's rows, not
            # every notice ever issued.
            models.Index(fields=["issued_at"], name="notice_issued_at"),
            # The court's notices by state, newest first (the API's ?status=, the inbox's state filter).
            models.Index(fields=["status", "-id"], name="notice_status_id"),
        ]

    def __str__(self):
        return self.number

    def save(self, *args, **kwargs):
        if self.measure_case_id is None and self.case_id is not None:
            self.measure_case_id = self.case_id  # a notice's measure belongs to its own case at first
        super().save(*args, **kwargs)

    @property
    def is_open(self):
        return self.status in OPEN

    @property
    def action_label(self) -> str:
        """What the unit is asked to do, as every list, e-mail and document names it: a release says
        解除冻结 / 解除查封 / 解除限制, a renewal 续行冻结, never the original action alone."""
        name = self.action.name
        if self.kind == NoticeKind.RELEASE:
            label = self.action.release_name or f"解除{name}"
            return f"部分{label}" if self.partial else label
        if self.kind == NoticeKind.RENEWAL:
            return f"续行{name.split('/')[0]}"
        if self.kind == NoticeKind.CONVERSION:
            return "保全措施转为执行措施"
        return name

    def ack_overdue(self, now=None):
        return self.status in AWAITING_ACK and not self.paused_since and (now or timezone.now()) > self.ack_due_at

    def answer_overdue(self, now=None):
        return self.status in OPEN and not self.paused_since and (now or timezone.now()) > self.due_at

    @cached_property
    def is_urgent(self):
        return self.action.urgent_hours is not None


class NoticeEvent(ImmutableEvent):
    """One transition of a notice: who, when, from, to, note. Written once, never edited."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="events",
                               verbose_name=_("notice"))

    class Meta(ImmutableEvent.Meta):
        indexes = [models.Index(fields=["notice", "at"], name="event_notice_at")]
        verbose_name = _("notice event")
        verbose_name_plural = _("notice events")

    def __str__(self):
        return f"{self.notice_id}: {self.from_status} → {self.to_status}"

    def state_machine(self):
        return NOTICE_MACHINE

    def subject_unit_id(self):
        return self.notice.unit_id


class RequestKind(models.TextChoices):
    OBJECTION = "objection", _("Objection (异议)")
    EXTENSION = "extension", _("Request for more time (延期申请)")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")


class NoticeRequest(ChoiceLabels, models.Model):
    """A unit's written objection to a notice, or its request for more time; the clerk decides.

    While one is pending the notice's overdue clocks stop (``Notice.paused_since``); on decision they
    resume shifted by the pause, or, for a granted extension, from the new deadline. The assessment
    counts these as such, not as non-cooperation.
    """

    notice = models.ForeignKey("Notice", on_delete=models.CASCADE, related_name="requests",
                               verbose_name=_("notice"))
    kind = models.CharField(_("kind"), max_length=10, choices=RequestKind.choices)
    grounds = models.TextField(_("grounds"))
    requested_due_at = models.DateTimeField(_("new deadline asked for"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RequestStatus.choices,
                              default=RequestStatus.PENDING)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("requested by"))
    filed_at = models.DateTimeField(_("requested"), default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("decision"), blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["notice"], condition=Q(status="pending"),
                                               name="one_pending_request_per_notice")]
        indexes = [models.Index(fields=["status", "kind"], name="request_status_kind")]
        verbose_name = _("objection or extension request")
        verbose_name_plural = _("objections and extension requests")

    def __str__(self):
        return f"{self.get_kind_display()} {self.notice_id}"


class DeliveryChannel(models.TextChoices):
    INBOX = "inbox", _("Portal inbox")
    EMAIL = "email", _("E-mail")
    WEBHOOK = "webhook", _("Unit system (webhook)")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    DEAD = "dead", _("Failed permanently")
    SKIPPED = "skipped", _("Not sent: the notice was cancelled first")


class Delivery(ChoiceLabels, models.Model):
    """The outbox: one row per message about a notice per channel. The unique key makes re-sending
    idempotent; the periodic sweep re-sends whatever is still pending, so a lost task loses nothing."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="deliveries",
                               verbose_name=_("notice"))
    channel = models.CharField(_("channel"), max_length=10, choices=DeliveryChannel.choices)
    purpose = models.CharField(_("purpose"), max_length=40, help_text=_("issue, cancel, reminder-…"))
    status = models.CharField(_("status"), max_length=10, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True,
                                           help_text=_("After a failure: not retried before this time."))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["notice", "channel", "purpose"], name="delivery_key")]
        indexes = [models.Index(fields=["status", "created_at"], name="delivery_status_created")]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self):
        return f"{self.notice_id} {self.channel} {self.purpose} {self.status}"


class HolidayOverride(ChoiceLabels, models.Model):
    """A day the office marks as a holiday or a make-up workday (调休), for years the calendar package
    does not know yet or for local decisions. It wins over the package."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("is a working day"))
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        ordering = ["-date"]
        verbose_name = _("holiday or make-up workday")
        verbose_name_plural = _("holidays and make-up workdays")

    def __str__(self):
        return f"{self.date} {'workday' if self.is_workday else 'holiday'}"


from .disclosure_models import *  # noqa: E402,F401,F403  (full IDs for joint punishment; the list is in credit/)
from .entrustment_models import *  # noqa: E402,F401,F403  (tasks entrusted between courts, 事项委托)
from .import_models import *  # noqa: E402,F401,F403  (the case import's column mapping and audit rows)
from .lifecycle_models import *  # noqa: E402,F401,F403  (case events, suspensions, settlements, payments)
from .measure_models import *  # noqa: E402,F401,F403  (the measures register)
from .supervision_models import *  # noqa: E402,F401,F403  (督办 orders of the supervising court)
