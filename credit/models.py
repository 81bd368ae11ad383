"""The dishonest-debtor list (失信被执行人名单, DOMAIN.md section 5; Art. 12, 13, 17, 19-31).

Its tables keep the names they had in ``cases`` (``db_table``); migration ``credit.0001`` moves the
state only.

An entry is about one debtor party of a case. Its states and the moves between them are the table
``credit.workflow.CREDIT_MACHINE``: pending → published → shielded (屏蔽) ⇄ published → revoked (撤销). Every move
writes one immutable ``CreditEvent``. Each publication round is pushed to the units that apply joint
punishment (``CreditPush``, one per unit and round, each carrying a ``cases.Notice`` of kind ``push``);
shielding or revoking sends each of those units a ``withdraw`` notice. Every check of an identifier
against the list is kept in ``CreditCheck``.
"""
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linkage.choices import ChoiceLabels
from linkage.events import ImmutableEvent
from linkage.identity import mask_identifier
from members.courts import filter_by_court
from members.models import Unit
from members.roles import is_court_user

from . import rules
from .workflow import CREDIT_MACHINE, RESTRICTION_MACHINE, CreditStatus, RestrictionStatus  # noqa: F401  (the states live with their tables)


class CreditGround(models.TextChoices):
    """Grounds for listing (最高人民法院关于公布失信被执行人名单信息的若干规定, Art. 1)."""

    ABLE_BUT_REFUSES = "able_refuses", _("Able to perform but refuses")
    OBSTRUCTS = "obstructs", _("Obstructs or resists enforcement by false evidence, violence or threats")
    EVADES = "evades", _("Evades enforcement by false litigation or arbitration, or by hiding or moving assets")
    PROPERTY_REPORT = "property_report", _("Violates the property reporting rules")
    CONSUMPTION = "consumption", _("Violates the order restricting high consumption")
    SETTLEMENT = "settlement", _("Refuses without good reason to perform an enforcement settlement")


class RevokeGround(models.TextChoices):
    """Why an entry leaves the list (失信规定 2017 Art. 10: deletion; Art. 12: correction of a wrong listing)."""

    PERFORMED = "performed", _("Performed in full (履行完毕)")
    SETTLED = "settled", _("Settled and the settlement performed (和解且已履行)")
    CREDITOR_REQUEST = "creditor_request", _("The creditor asks for deletion (申请执行人申请删除)")
    TERMINATED = "terminated", _("Enforcement terminated (终结执行)")
    BASIS_REVOKED = "basis_revoked", _("The basis was revoked or is not enforced (执行依据撤销或不予执行)")
    EXPIRED = "expired", _("The listing period expired (纳入期限届满)")
    SUSPENDED = "suspended", _("Enforcement suspended for a retrial or bankruptcy (因审判监督或破产程序中止执行)")
    NO_PROPERTY = "no_property", _("After 终本, two searches found nothing and no lead was given (终本后两次查询无财产)")
    EARLY = "early", _("Deleted early by the court's decision (提前删除)")
    WRONGLY_LISTED = "wrongly_listed", _("Listed in error, corrected (错误纳入)")


# Art. 10: the grounds that delete an entry (删除), within three working days of their cause; the rest
# (Art. 11, 12: a wrong listing) revoke it (撤销). ``POST credit-entries/{id}/revoke/`` takes both.
DELETION_GROUNDS = frozenset({RevokeGround.PERFORMED, RevokeGround.SETTLED, RevokeGround.CREDITOR_REQUEST,
                              RevokeGround.TERMINATED, RevokeGround.BASIS_REVOKED, RevokeGround.EXPIRED,
                              RevokeGround.SUSPENDED, RevokeGround.NO_PROPERTY, RevokeGround.EARLY})
# 失信规定 Art. 10 para. 1, items (1)-(7): "有纳入期限的，不适用前款规定" (para. 2). A fixed-term entry stays
# until its period ends (deleted within three working days after), or until the court decides to delete it
# early (Art. 2: "可以决定提前删除"), a decision of its own (``EARLY``).
ARTICLE_10_GROUNDS = frozenset({RevokeGround.PERFORMED, RevokeGround.SETTLED, RevokeGround.CREDITOR_REQUEST,
                                RevokeGround.NO_PROPERTY, RevokeGround.SUSPENDED, RevokeGround.BASIS_REVOKED,
                                RevokeGround.TERMINATED})
CORRECTION_GROUNDS = frozenset({RevokeGround.WRONGLY_LISTED})

# Art. 2: ground 1 has no fixed term; grounds 2-6 two years, extendable by one to three years.
FIXED_TERM_YEARS = 2
MAX_EXTENSION_YEARS = 3


class CorrectionSource(models.TextChoices):
    """Art. 11, 12: a correction on the listed person's written application, or the court's own finding."""

    APPLICATION = "application", _("On the listed person's written application")
    COURT = "court", _("On the court's own finding")


class CreditEntryQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The court roles manage the list; everyone else reaches it only through pushes and checks."""
        if user.is_authenticated and is_court_user(user):
            return filter_by_court(self, user, "case__court")
        return self.none()

    def published(self):
        return self.filter(status=CreditStatus.PUBLISHED)

    def matching(self, id_numbers):
        """Entries whose debtor, legal representative or responsible person has one of ``id_numbers``."""
        ids = list(id_numbers)
        return self.filter(Q(id_number__in=ids) | Q(persons__id_number__in=ids)).distinct()


class CreditEntry(ChoiceLabels, models.Model):
    """One debtor party of a case on the dishonest-debtor list."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="credit_entries",
                             verbose_name=_("case"))
    party = models.ForeignKey("cases.Party", on_delete=models.PROTECT, related_name="credit_entries",
                              verbose_name=_("party"))
    # What is published, as decided: kept even if the party's record is corrected later.
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, default="person")
    id_number = models.CharField(_("ID number / credit code"), max_length=18)
    legal_representative = models.CharField(_("legal representative"), max_length=60, blank=True)
    court = models.CharField(_("court"), max_length=100)
    ground = models.CharField(_("legal ground"), max_length=20, choices=CreditGround.choices)
    obligation = models.TextField(_("obligation not performed"))
    decided_on = models.DateField(_("decided on"), default=timezone.localdate)
    status = models.CharField(_("status"), max_length=10, choices=CreditStatus.choices,
                              default=CreditStatus.PENDING)
    status_reason = models.TextField(_("reason for the current status"), blank=True)
    round = models.PositiveIntegerField(
        _("publication round"), default=0,
        help_text=_("Incremented at each publication; the units get one push per round."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    first_published_at = models.DateTimeField(_("first published"), null=True, blank=True)
    shielded_at = models.DateTimeField(_("shielded"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoke_ground = models.CharField(_("ground of revocation"), max_length=20, choices=RevokeGround.choices,
                                     blank=True)
    # Art. 2: the listing period (none for ground 1), and its extension for a serious case.
    period_years = models.PositiveSmallIntegerField(_("listing period (years)"), null=True, blank=True)
    extension_years = models.PositiveSmallIntegerField(_("extension (years)"), default=0)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    expires_on = models.DateField(_("listing period ends"), null=True, blank=True)
    # 法发〔2019〕35号 item 15: a grace period of one to three months, warned, before publication.
    grace_until = models.DateField(_("grace period until"), null=True, blank=True)
    grace_warning = models.TextField(_("warning given to the debtor"), blank=True)
    # Art. 3(2): the measures register already secures the debt, and what the clerk found of it.
    measures_note = models.TextField(_("held property and the debt (Art. 3)"), blank=True)
    # Art. 10: a cause of deletion and the three-working-day clock it starts.
    deletion_ground = models.CharField(_("ground of deletion"), max_length=20, choices=RevokeGround.choices,
                                       blank=True)
    deletion_cause_on = models.DateField(_("cause of deletion arose on"), null=True, blank=True)
    deletion_due_on = models.DateField(_("delete by"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    # Art. 11, 12: the correction's application and decision.
    correction_source = models.CharField(_("correction"), max_length=12, choices=CorrectionSource.choices,
                                         blank=True)
    correction_applied_on = models.DateField(_("application received on"), null=True, blank=True)
    correction_application = models.TextField(_("the application"), blank=True)
    correction_decision = models.TextField(_("the decision"), blank=True)

    objects = CreditEntryQuerySet.as_manager()

    class Meta:
        db_table = "cases_creditentry"  # moved from ``cases`` (migration credit.0001): same table, same rows
        ordering = ["-id"]
        verbose_name = _("dishonest-debtor entry")
        verbose_name_plural = _("dishonest-debtor entries")
        permissions = [
            ("publish_creditentry", _("Can publish a dishonest-debtor entry")),
            ("shield_creditentry", _("Can shield a dishonest-debtor entry")),
            ("revoke_creditentry", _("Can revoke a dishonest-debtor entry")),
        ]
        constraints = [
            # One live entry per debtor party; a deleted or revoked one may be followed by a new listing.
            models.UniqueConstraint(fields=["party"], condition=~Q(status__in=["revoked", "deleted"]),
                                    name="credit_one_live_entry_per_party"),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="credit_status_published"),
            models.Index(fields=["id_number"], name="credit_id_number"),
            models.Index(fields=["name"], name="credit_name"),
        ]

    def __str__(self):
        return f"{self.name} ({self.case_id})"

    @property
    def masked_id(self):
        """A person's ID masked; an organisation's credit code in full (public, 失信规定 Art. 6)."""
        return mask_identifier(self.id_number, self.kind)

    @property
    def is_live(self) -> bool:
        return self.status not in (CreditStatus.DELETED, CreditStatus.REVOKED)

    @property
    def sex(self) -> str:
        """Art. 6(2): a person's sex, read from the resident ID."""
        return "" if self.kind == "organization" else rules.sex(self.id_number)

    @property
    def age(self) -> int | None:
        """Art. 6(2): a person's age today, read from the resident ID."""
        return None if self.kind == "organization" else rules.age_on(self.id_number, timezone.localdate())

    @property
    def fixed_term(self) -> bool:
        return self.period_years is not None


class CreditPersonRole(models.TextChoices):
    LEGAL_REPRESENTATIVE = "legal_rep", _("Legal representative")
    RESPONSIBLE = "responsible", _("Other responsible person")


class CreditPerson(ChoiceLabels, models.Model):
    """For an organisation on the list: its legal representative and other responsible persons, whom
    the restrictions of Art. 21 and 31 reach too."""

    entry = models.ForeignKey(CreditEntry, on_delete=models.CASCADE, related_name="persons",
                              verbose_name=_("dishonest-debtor entry"))
    role = models.CharField(_("role"), max_length=12, choices=CreditPersonRole.choices)
    name = models.CharField(_("name"), max_length=60)
    id_number = models.CharField(_("resident ID number"), max_length=18, blank=True)

    class Meta:
        db_table = "cases_creditperson"  # moved from ``cases`` (migration credit.0001): same table, same rows
        ordering = ["entry", "role", "id"]
        verbose_name = _("responsible person")
        verbose_name_plural = _("responsible persons")
        indexes = [models.Index(fields=["id_number"], name="credit_person_id_number")]

    def __str__(self):
        return self.name

    @property
    def masked_id(self):
        return mask_identifier(self.id_number)


class CreditEvent(ImmutableEvent):
    """One move of an entry: who, when, from, to, why. Written once, never edited."""

    entry = models.ForeignKey(CreditEntry, on_delete=models.CASCADE, related_name="events",
                              verbose_name=_("dishonest-debtor entry"))

    class Meta(ImmutableEvent.Meta):
        db_table = "cases_creditevent"  # moved from ``cases`` (migration credit.0001): same table, same rows
        indexes = [models.Index(fields=["entry", "at"], name="credit_event_entry_at")]
        verbose_name = _("dishonest-list event")
        verbose_name_plural = _("dishonest-list events")

    def __str__(self):
        return f"{self.entry_id}: {self.from_status} → {self.to_status}"

    def state_machine(self):
        return CREDIT_MACHINE


class CreditPushQuerySet(models.QuerySet):
    def visible_to(self, user):
        from members.scoping import scope_by_unit

        return scope_by_unit(self, user, "unit")

    def for_list(self):
        return self.select_related("entry", "entry__case", "unit", "push", "push__action", "withdrawal")


class CreditPush(ChoiceLabels, models.Model):
    """An entry pushed to one unit that applies joint punishment (Art. 17), in one publication round,
    and its withdrawal when the entry is shielded or revoked."""

    entry = models.ForeignKey(CreditEntry, on_delete=models.PROTECT, related_name="pushes",
                              verbose_name=_("dishonest-debtor entry"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="credit_pushes",
                             verbose_name=_("member unit"))
    round = models.PositiveIntegerField(_("publication round"))
    push = models.OneToOneField("cases.Notice", on_delete=models.PROTECT, related_name="credit_push",
                                verbose_name=_("push notice"))
    withdrawal = models.OneToOneField("cases.Notice", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="credit_withdrawal", verbose_name=_("withdrawal notice"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    objects = CreditPushQuerySet.as_manager()

    class Meta:
        db_table = "cases_creditpush"  # moved from ``cases`` (migration credit.0001): same table, same rows
        ordering = ["-id"]
        verbose_name = _("joint-punishment push")
        verbose_name_plural = _("joint-punishment pushes")
        constraints = [
            # The fan-out may run twice: it can never push the same round to a unit twice.
            models.UniqueConstraint(fields=["entry", "unit", "round"], name="credit_one_push_per_round"),
        ]
        indexes = [models.Index(fields=["unit", "-id"], name="credit_push_unit_id")]

    def __str__(self):
        return f"{self.entry_id} → {self.unit_id} (#{self.round})"


class CreditCheckChannel(models.TextChoices):
    API = "api", _("API")
    BROWSER = "browser", _("Browser")
    BULK = "bulk", _("Bulk file")


class CreditCheck(ChoiceLabels, models.Model):
    """One check of an identifier against the list (Art. 19, 26): who, when, why, and the answer."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("user"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("member unit"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    id_number = models.CharField(_("identifier checked"), max_length=40)
    reason = models.CharField(_("reason"), max_length=200)
    channel = models.CharField(_("channel"), max_length=8, choices=CreditCheckChannel.choices)
    listed = models.BooleanField(_("on the list"))
    batch = models.CharField(_("file"), max_length=200, blank=True)
    # A single check states what work of the checking unit it is for (issue 29: no check without a
    # purpose): a notice addressed to the unit, or a case the unit may see. Bulk checks and older rows: none.
    purpose_case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("for the case"))
    purpose_notice = models.ForeignKey("cases.Notice", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+", verbose_name=_("for the notice"))

    class Meta:
        db_table = "cases_creditcheck"  # moved from ``cases`` (migration credit.0001): same table, same rows
        ordering = ["-id"]
        verbose_name = _("dishonest-list check")
        verbose_name_plural = _("dishonest-list checks")
        indexes = [models.Index(fields=["user", "-at"], name="credit_check_user_at"),
                   models.Index(fields=["unit", "-at"], name="credit_check_unit_at")]

    def __str__(self):
        return f"{self.user_id} {self.masked_id} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied("Check records are immutable.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Check records are immutable.")

    @property
    def masked_id(self):
        # What was checked may be a person's ID or an organisation's code: decided by the value.
        return mask_identifier(self.id_number, None)


class CreditCheckAlert(models.Model):
    """One account that checked more than ``CREDIT_GUESS_ALERT_DISTINCT`` distinct resident ID numbers of
    the same masked form (the first and last four characters the public list shows) in one day: the
    pattern of un-masking a published debtor by guessing the hidden digits. Raised by
    ``credit.services`` when the check that crosses the threshold is recorded, counted in the office's
    to-do until the office has looked at it (``reviewed_at``); more such checks the same day open it
    again."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("user"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("member unit"))
    day = models.DateField(_("day"))
    masked = models.CharField(_("masked form"), max_length=18)
    distinct_count = models.PositiveIntegerField(_("distinct identifiers checked"))
    first_at = models.DateTimeField(_("first check"))
    last_at = models.DateTimeField(_("last check"))
    raised_at = models.DateTimeField(_("raised"), default=timezone.now)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("reviewed by"))
    review_note = models.CharField(_("review note"), max_length=500, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("dishonest-list check alert")
        verbose_name_plural = _("dishonest-list check alerts")
        constraints = [models.UniqueConstraint(fields=["user", "day", "masked"], name="credit_one_alert_per_mask_day")]
        indexes = [models.Index(fields=["reviewed_at", "-id"], name="credit_alert_open")]

    def __str__(self):
        return f"{self.user_id} {self.masked} {self.day} ({self.distinct_count})"


# ---------------------------------------------------------------- consumption restriction orders (限制消费令)

class RestrictedAct(models.TextChoices):
    """限高规定 Art. 3: the nine acts a restricted debtor (and an organisation's persons) may not do."""

    TRAVEL_CLASS = "travel_class", _("Flights, soft sleepers, second class or above on ships")
    HOTELS = "hotels", _("High consumption at star hotels, nightclubs, golf courses")
    REAL_ESTATE = "real_estate", _("Buying real estate, building, extending or luxury renovation of houses")
    OFFICES = "offices", _("Renting high-end offices, hotels or apartments for business")
    VEHICLES = "vehicles", _("Buying vehicles not needed for the business")
    HOLIDAYS = "holidays", _("Travel and holidays")
    SCHOOLS = "schools", _("Children at high-fee private schools")
    INSURANCE = "insurance", _("High premiums for wealth-management insurance")
    OTHER = "other", _("G-trains, first class on other bullet trains and other non-essential consumption")


class LiftGround(models.TextChoices):
    """限高规定 Art. 9; the conclusion of the case."""

    PERFORMED = "performed", _("The obligation is performed in full")
    COMPLETED = "completed", _("Enforcement completed")
    TERMINATED = "terminated", _("Enforcement terminated")
    SECURITY = "security", _("The debtor gave real and effective security")
    CREDITOR_CONSENT = "creditor_consent", _("The creditor consents")


class RestrictionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The court sees every order; a unit only the orders pushed to it; others none."""
        if not user.is_authenticated:
            return self.none()
        if is_court_user(user):
            return filter_by_court(self, user, "case__court")
        if not user.unit_id:
            return self.none()
        return self.filter(pushes__unit_id=user.unit_id).distinct()

    def active(self):
        return self.filter(status=RestrictionStatus.ISSUED)


class ConsumptionRestriction(ChoiceLabels, models.Model):
    """A consumption restriction order on one debtor of a case (限高规定 Art. 1, 3, 5, 9)."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="consumption_restrictions",
                             verbose_name=_("case"))
    party = models.ForeignKey("cases.Party", on_delete=models.PROTECT, related_name="consumption_restrictions",
                              verbose_name=_("party"))
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, default="person")
    id_number = models.CharField(_("ID number / credit code"), max_length=18)
    acts = models.JSONField(_("restricted acts"), default=list)
    basis = models.TextField(_("facts and reasons"), blank=True)
    on_application = models.BooleanField(_("on the creditor's application"), default=True)
    status = models.CharField(_("status"), max_length=10, choices=RestrictionStatus.choices,
                              default=RestrictionStatus.DRAFT)
    grace_until = models.DateField(_("grace period until"), null=True, blank=True)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("drafted by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("signatory"))
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lift_ground = models.CharField(_("ground of lifting"), max_length=20, choices=LiftGround.choices, blank=True)
    lift_reason = models.TextField(_("reason for lifting"), blank=True)
    document = models.OneToOneField("documents.IssuedDocument", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="restriction_order", verbose_name=_("issued document"))
    # 限高规定 Art. 5: the order states its period; a debtor under 18 is not barred by any rule, but practice
    # treats it as an error: the clerk says why in a note (the order page shows it).
    period_text = models.CharField(_("period"), max_length=200, blank=True)
    minor_note = models.TextField(_("why a minor is restricted"), blank=True)
    # Service on the debtor (送达): how, when, and the proof.
    served_on = models.DateField(_("served on"), null=True, blank=True)
    service_way = models.CharField(_("served by"), max_length=20, blank=True)
    service_proof = models.ForeignKey("cases.Attachment", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+", verbose_name=_("proof of service"))
    lift_document = models.ForeignKey("cases.Attachment", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+", verbose_name=_("lifting order (解除限制消费令)"))

    objects = RestrictionQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("consumption restriction order")
        verbose_name_plural = _("consumption restriction orders")
        permissions = [
            ("sign_consumptionrestriction", _("Can sign a consumption restriction order (the president)")),
            ("lift_consumptionrestriction", _("Can lift a consumption restriction order")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["party"],
                                    condition=Q(status__in=["draft", "returned", "signed", "issued"]),
                                    name="restriction_one_live_order_per_party"),
        ]
        indexes = [models.Index(fields=["status", "-id"], name="restriction_status_id")]

    def __str__(self):
        return f"{self.name} ({self.case_id})"

    @property
    def masked_id(self):
        return mask_identifier(self.id_number, self.kind)

    def act_labels(self) -> list[str]:
        return [str(RestrictedAct(a).label) for a in self.acts if a in RestrictedAct.values]

    @property
    def service_way_label(self) -> str:
        from .decision_models import ServiceWay

        return str(ServiceWay(self.service_way).label) if self.service_way in ServiceWay.values else self.service_way


class RestrictedPersonRole(models.TextChoices):
    """限高规定 Art. 3(2): the persons of an organisation the restriction reaches."""

    LEGAL_REPRESENTATIVE = "legal_rep", _("Legal representative")
    PRINCIPAL = "principal", _("Principal")
    ACTUAL_CONTROLLER = "controller", _("Actual controller")
    RESPONSIBLE = "responsible", _("Person directly responsible")


class RestrictedPerson(ChoiceLabels, models.Model):
    order = models.ForeignKey(ConsumptionRestriction, on_delete=models.CASCADE, related_name="persons",
                              verbose_name=_("consumption restriction order"))
    role = models.CharField(_("role"), max_length=12, choices=RestrictedPersonRole.choices)
    name = models.CharField(_("name"), max_length=60)
    id_number = models.CharField(_("resident ID number"), max_length=18)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("restricted person")
        verbose_name_plural = _("restricted persons")

    def __str__(self):
        return self.name

    @property
    def masked_id(self):
        return mask_identifier(self.id_number)


class RestrictionEvent(ImmutableEvent):
    order = models.ForeignKey(ConsumptionRestriction, on_delete=models.CASCADE, related_name="events",
                              verbose_name=_("consumption restriction order"))

    class Meta(ImmutableEvent.Meta):
        verbose_name = _("consumption restriction event")
        verbose_name_plural = _("consumption restriction events")

    def state_machine(self):
        return RESTRICTION_MACHINE


class RestrictionUnit(ChoiceLabels, models.Model):
    """A member unit that applies consumption restriction orders, and the acts it enforces (data,
    edited by the office in the admin; seeded: natres real estate, insurers insurance, finance
    procurement and the other units that offer the ``restrict`` action)."""

    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, related_name="restriction_role",
                                verbose_name=_("member unit"))
    acts = models.JSONField(_("acts it enforces"), default=list)
    covers = models.CharField(_("what the unit does"), max_length=300, blank=True)

    class Meta:
        ordering = ["unit__sort_order", "unit__code"]
        verbose_name = _("unit that applies consumption restriction")
        verbose_name_plural = _("units that apply consumption restriction")

    def __str__(self):
        return str(self.unit)


class RestrictionPush(ChoiceLabels, models.Model):
    """The order sent to one unit (a ``cases.Notice``, action ``restrict``) and its release."""

    order = models.ForeignKey(ConsumptionRestriction, on_delete=models.PROTECT, related_name="pushes",
                              verbose_name=_("consumption restriction order"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="restriction_pushes",
                             verbose_name=_("member unit"))
    notice = models.OneToOneField("cases.Notice", on_delete=models.PROTECT, related_name="restriction_push",
                                  verbose_name=_("notice"))
    release = models.OneToOneField("cases.Notice", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="restriction_release", verbose_name=_("release notice"))

    class Meta:
        ordering = ["order", "unit__sort_order"]
        constraints = [models.UniqueConstraint(fields=["order", "unit"], name="restriction_one_push_per_unit")]
        verbose_name = _("consumption restriction push")
        verbose_name_plural = _("consumption restriction pushes")

    def __str__(self):
        return f"{self.order_id} → {self.unit_id}"


class RestrictionPermission(ChoiceLabels, models.Model):
    """A one-off permission (法发〔2019〕35号 item 17; 限高规定 Art. 3(3)): e.g. a flight for a medical
    emergency, between two dates; told to the units."""

    order = models.ForeignKey(ConsumptionRestriction, on_delete=models.PROTECT, related_name="permissions",
                              verbose_name=_("consumption restriction order"))
    acts = models.JSONField(_("acts permitted"), default=list)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reason = models.TextField(_("reason"))
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("approved by"))
    granted_at = models.DateTimeField(_("granted"), default=timezone.now)

    class Meta:
        ordering = ["order", "starts_on"]
        verbose_name = _("one-off permission")
        verbose_name_plural = _("one-off permissions")

    def __str__(self):
        return f"{self.order_id}: {self.starts_on}–{self.ends_on}"


from .decision_models import *  # noqa: E402,F401,F403  (the president's decisions: 失信规定 Art. 5, 限高规定 Art. 5)
