"""The dishonest-debtor list (失信被执行人名单, DOMAIN.md section 5; Art. 12, 13, 17, 19-31).

Imported at the bottom of ``cases.models`` so the models belong to the ``cases`` app.

An entry is about one debtor party of a case. Its states and the moves between them are the table
``CREDIT_TRANSITIONS`` below: pending → published → shielded (屏蔽) ⇄ published → revoked (撤销). Every move
writes one immutable ``CreditEvent``. Each publication round is pushed to the units that apply joint
punishment (``CreditPush``, one per unit and round, each carrying a ``cases.Notice`` of kind ``push``);
shielding or revoking sends each of those units a ``withdraw`` notice. Every check of an identifier
against the list is kept in ``CreditCheck``.
"""
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linkage.events import ImmutableEvent
from members.models import Unit
from members.roles import is_court_user

from .identifiers import mask_identifier
from .workflow import InvalidTransition

__all__ = [
    "RevokeGround",
    "CREDIT_TRANSITIONS", "WITHDRAWN_STATES", "CreditCheck", "CreditCheckChannel", "CreditEntry", "CreditEvent", "CreditGround",
    "CreditPerson", "CreditPersonRole", "CreditPush", "CreditStatus", "CreditTransition", "credit_allowed",
    "credit_transition_for",
]


class CreditStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    PUBLISHED = "published", _("Published")
    SHIELDED = "shielded", _("Shielded")
    REVOKED = "revoked", _("Revoked")


@dataclass(frozen=True)
class CreditTransition:
    name: str
    sources: frozenset
    target: str
    label: str
    needs_reason: bool


# The one table that says which move is allowed from which state.
CREDIT_TRANSITIONS = {
    t.name: t
    for t in [
        CreditTransition("publish", frozenset({CreditStatus.PENDING, CreditStatus.SHIELDED}),
                         CreditStatus.PUBLISHED, _("publish"), False),
        CreditTransition("shield", frozenset({CreditStatus.PUBLISHED}), CreditStatus.SHIELDED, _("shield"), True),
        CreditTransition("revoke", frozenset({CreditStatus.PENDING, CreditStatus.PUBLISHED, CreditStatus.SHIELDED}),
                         CreditStatus.REVOKED, _("revoke"), True),
    ]
}

# States in which the units that got a push must be told to stop applying it.
WITHDRAWN_STATES = frozenset({CreditStatus.SHIELDED, CreditStatus.REVOKED})


def credit_transition_for(status: str, name: str) -> CreditTransition:
    move = CREDIT_TRANSITIONS[name]
    if status not in move.sources:
        raise InvalidTransition(
            _("This entry is %(status)s; it cannot %(action)s now.")
            % {"status": CreditStatus(status).label, "action": move.label}
        )
    return move


def credit_allowed(status: str) -> list[str]:
    return [name for name, t in CREDIT_TRANSITIONS.items() if status in t.sources]


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
    WRONGLY_LISTED = "wrongly_listed", _("Listed in error, corrected (错误纳入)")


class CreditEntryQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The court roles manage the list; everyone else reaches it only through pushes and checks."""
        if user.is_authenticated and is_court_user(user):
            return self
        return self.none()

    def published(self):
        return self.filter(status=CreditStatus.PUBLISHED)

    def matching(self, id_numbers):
        """Entries whose debtor, legal representative or responsible person has one of ``id_numbers``."""
        ids = list(id_numbers)
        return self.filter(Q(id_number__in=ids) | Q(persons__id_number__in=ids)).distinct()


class CreditEntry(models.Model):
    """One debtor party of a case on the dishonest-debtor list."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="credit_entries")
    party = models.ForeignKey("cases.Party", on_delete=models.PROTECT, related_name="credit_entries")
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
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    first_published_at = models.DateTimeField(_("first published"), null=True, blank=True)
    shielded_at = models.DateTimeField(_("shielded"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoke_ground = models.CharField(_("ground of revocation"), max_length=20, choices=RevokeGround.choices,
                                     blank=True)

    objects = CreditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("dishonest-debtor entry")
        verbose_name_plural = _("dishonest-debtor entries")
        permissions = [
            ("publish_creditentry", _("Can publish a dishonest-debtor entry")),
            ("shield_creditentry", _("Can shield a dishonest-debtor entry")),
            ("revoke_creditentry", _("Can revoke a dishonest-debtor entry")),
        ]
        constraints = [
            # One live entry per debtor party; a revoked one may be followed by a new listing.
            models.UniqueConstraint(fields=["party"], condition=~Q(status="revoked"),
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


class CreditPersonRole(models.TextChoices):
    LEGAL_REPRESENTATIVE = "legal_rep", _("Legal representative")
    RESPONSIBLE = "responsible", _("Other responsible person")


class CreditPerson(models.Model):
    """For an organisation on the list: its legal representative and other responsible persons, whom
    the restrictions of Art. 21 and 31 reach too."""

    entry = models.ForeignKey(CreditEntry, on_delete=models.CASCADE, related_name="persons")
    role = models.CharField(_("role"), max_length=12, choices=CreditPersonRole.choices)
    name = models.CharField(_("name"), max_length=60)
    id_number = models.CharField(_("resident ID number"), max_length=18, blank=True)

    class Meta:
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

    entry = models.ForeignKey(CreditEntry, on_delete=models.CASCADE, related_name="events")

    class Meta(ImmutableEvent.Meta):
        indexes = [models.Index(fields=["entry", "at"], name="credit_event_entry_at")]
        verbose_name = _("dishonest-list event")
        verbose_name_plural = _("dishonest-list events")

    def __str__(self):
        return f"{self.entry_id}: {self.from_status} → {self.to_status}"


class CreditPushQuerySet(models.QuerySet):
    def visible_to(self, user):
        from members.scoping import scope_by_unit

        return scope_by_unit(self, user, "unit")

    def for_list(self):
        return self.select_related("entry", "entry__case", "unit", "push", "push__action", "withdrawal")


class CreditPush(models.Model):
    """An entry pushed to one unit that applies joint punishment (Art. 17), in one publication round,
    and its withdrawal when the entry is shielded or revoked."""

    entry = models.ForeignKey(CreditEntry, on_delete=models.PROTECT, related_name="pushes")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="credit_pushes")
    round = models.PositiveIntegerField(_("publication round"))
    push = models.OneToOneField("cases.Notice", on_delete=models.PROTECT, related_name="credit_push")
    withdrawal = models.OneToOneField("cases.Notice", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="credit_withdrawal")
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    objects = CreditPushQuerySet.as_manager()

    class Meta:
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


class CreditCheck(models.Model):
    """One check of an identifier against the list (Art. 19, 26): who, when, why, and the answer."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)
    id_number = models.CharField(_("identifier checked"), max_length=40)
    reason = models.CharField(_("reason"), max_length=200)
    channel = models.CharField(_("channel"), max_length=8, choices=CreditCheckChannel.choices)
    listed = models.BooleanField(_("on the list"))
    batch = models.CharField(_("file"), max_length=200, blank=True)

    class Meta:
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


__all__ += ["PunishmentIdentifierNeed"]
