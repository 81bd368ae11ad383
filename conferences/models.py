"""Joint conferences (Art. 4, 9, 34): agenda items, meetings, invitations, minutes, decisions, action items.

Every state change goes through ``conferences.services`` and leaves a ``ConferenceEvent`` row.
"""
from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cases.models import Case
from linkage.choices import ChoiceLabels
from linkage.events import ImmutableEvent
from members.court_keys import CourtKeyMixin
from members.courts import filter_by_court
from members.models import Unit
from members.roles import is_court_user
from members.scoping import scope_by_unit, unit_ids

from .workflow import (
    ACTION_OPEN,
    MACHINES,
    ActionStatus,
    AgendaStatus,
    InvitationStatus,
    MeetingStatus,
    MinutesStatus,
)

MINUTES_PREFIX = "公执联纪"


class AgendaReason(models.TextChoices):
    """Why a matter goes to the conference (Art. 34)."""

    MAJOR = "major", _("Major, difficult or complex case")
    STABILITY = "stability", _("May affect social stability")
    MULTI_UNIT = "multi_unit", _("Needs several units to cooperate")
    OTHER = "other", _("Other matter")


class AgendaItemQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Court roles see every item; a unit's members the items that concern their unit."""
        if not user.is_authenticated:
            return self.none()
        if is_court_user(user):
            return filter_by_court(self, user)
        ids = unit_ids(user)
        if not ids:
            return self.none()
        through = AgendaItem.units.through
        return self.filter(Exists(through.objects.filter(agendaitem_id=OuterRef("pk"), unit_id__in=ids)))

    def for_list(self):
        return self.select_related("proposed_by", "decided_by").prefetch_related("units", "cases")

    def schedulable(self):
        """Approved and not yet settled: the draft agenda of the next meeting (carry-over included)."""
        return self.filter(status=AgendaStatus.APPROVED)


class AgendaItem(CourtKeyMixin, ChoiceLabels, models.Model):
    """A matter put to the joint conference (议题)."""

    title = models.CharField(pgettext_lazy("agenda item", "title"), max_length=200)
    court = models.ForeignKey("members.Court", on_delete=models.PROTECT,
                              related_name="agenda_items", verbose_name=_("court"))
    reason = models.CharField(_("reason"), max_length=12, choices=AgendaReason.choices)
    description = models.TextField(_("description"), blank=True)
    cases = models.ManyToManyField(Case, related_name="agenda_items", blank=True, verbose_name=_("cases"))
    units = models.ManyToManyField(Unit, related_name="agenda_items", blank=True,
                                   verbose_name=_("units concerned"))
    status = models.CharField(_("status"), max_length=10, choices=AgendaStatus.choices,
                              default=AgendaStatus.PROPOSED)
    suggested = models.CharField(_("suggested from data"), max_length=20, blank=True,
                                 help_text=_("Which automatic suggestion the office accepted, if any."))
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("proposed by"))
    proposed_at = models.DateTimeField(_("proposed"), default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_comment = models.TextField(_("convener's comment"), blank=True)

    objects = AgendaItemQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        permissions = [("decide_agendaitem", _("Can approve or reject an agenda item"))]
        indexes = [models.Index(fields=["status", "-id"], name="agenda_status_id")]

    def __str__(self):
        return self.title


class MeetingKind(models.TextChoices):
    REGULAR = "regular", _("Regular meeting (定期)")
    SPECIAL = "special", _("Special meeting (专题)")


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Court roles and conveners see every meeting; a unit only the meetings it is invited to."""
        if not user.is_authenticated:
            return self.none()
        if is_court_user(user):
            return filter_by_court(self, user)
        ids = unit_ids(user)
        if not ids:
            return self.none()
        return self.filter(Exists(Invitation.objects.filter(meeting=OuterRef("pk"), unit_id__in=ids)))

    def for_list(self):
        return self.select_related("minutes").prefetch_related("invitations__unit", "agenda_items")


class Meeting(CourtKeyMixin, ChoiceLabels, models.Model):
    """A session of the joint conference (联席会议)."""

    title = models.CharField(pgettext_lazy("meeting", "title"), max_length=200)
    court = models.ForeignKey("members.Court", on_delete=models.PROTECT,
                              related_name="meetings", verbose_name=_("court"))
    kind = models.CharField(_("kind"), max_length=10, choices=MeetingKind.choices)
    starts_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=MeetingStatus.choices,
                              default=MeetingStatus.SCHEDULED)
    agenda_items = models.ManyToManyField(AgendaItem, related_name="meetings", verbose_name=_("agenda items"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self):
        return self.title


class InvitationQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_by_unit(self, user, "unit")


class Invitation(ChoiceLabels, models.Model):
    """A unit invited to a meeting, its notification and its attendance (confirmed by its liaison)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations",
                                verbose_name=_("meeting"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="meeting_invitations",
                             verbose_name=_("member unit"))
    status = models.CharField(_("status"), max_length=10, choices=InvitationStatus.choices,
                              default=InvitationStatus.INVITED)
    attendees = models.CharField(_("attendees"), max_length=300, blank=True,
                                 help_text=_("Names and posts of who attends for the unit."))
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="+", verbose_name=_("confirmed by"))
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    notified_at = models.DateTimeField(_("notified"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "unit__sort_order", "unit__code"]
        constraints = [models.UniqueConstraint(fields=["meeting", "unit"], name="invitation_unique")]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        permissions = [("confirm_attendance", _("Can confirm who attends for the unit"))]

    def __str__(self):
        return f"{self.meeting} · {self.unit}"


class MinutesCounter(ChoiceLabels, models.Model):
    """The last minutes number used in a year; locked with SELECT … FOR UPDATE while numbering."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    last = models.PositiveIntegerField(_("last number used"), default=0)

    class Meta:
        verbose_name = _("minutes number counter")
        verbose_name_plural = _("minutes number counters")

    def __str__(self):
        return f"{self.year}: {self.last}"


class Minutes(ChoiceLabels, models.Model):
    """The minutes of a meeting (会议纪要); numbered and read-only once issued."""

    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="minutes",
                                   verbose_name=_("meeting"))
    status = models.CharField(_("status"), max_length=10, choices=MinutesStatus.choices,
                              default=MinutesStatus.DRAFT)
    summary = models.TextField(_("summary"))
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    seq = models.PositiveIntegerField(_("sequence in year"), null=True, blank=True)
    number = models.CharField(_("document number"), max_length=40, blank=True)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("drafted by"))
    drafted_at = models.DateTimeField(_("drafted"), default=timezone.now)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("issuer"))
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)
    # The convener's recorded choice when issuing: the full minutes to every invited unit, or (the default)
    # to each unit only the common part and the decisions addressed to it (its excerpt, 摘录).
    issued_to_all = models.BooleanField(
        _("issued in full to all attendees"), default=False,
        help_text=_("If not set, each unit sees the common part and only the decisions addressed to it."))

    class Meta:
        ordering = ["-id"]
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")
        permissions = [("issue_minutes", _("Can issue minutes"))]
        constraints = [
            models.UniqueConstraint(fields=["year", "seq"], name="minutes_number_unique"),
            models.UniqueConstraint(fields=["number"], condition=~Q(number=""), name="minutes_number_text_unique"),
        ]

    def __str__(self):
        return self.number or f"{self.meeting} ({self.get_status_display()})"

    @property
    def is_issued(self):
        return self.status == MinutesStatus.ISSUED


def format_minutes_number(year: int, seq: int) -> str:
    return f"{MINUTES_PREFIX}〔{year}〕{seq}号"


class Decision(ChoiceLabels, models.Model):
    """One decision in the minutes; addressed to a unit with a due date, it becomes an action item."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="decisions",
                                verbose_name=_("minutes"))
    seq = models.PositiveSmallIntegerField(_("order"))
    text = models.TextField(_("decision"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("unit responsible"))
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="decisions", verbose_name=_("agenda item"))

    class Meta:
        ordering = ["minutes", "seq"]
        constraints = [models.UniqueConstraint(fields=["minutes", "seq"], name="decision_seq_unique")]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self):
        return self.text[:60]


class ActionItemQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Court roles see all; a unit only its own items, and only once the minutes are issued."""
        if user.is_authenticated and is_court_user(user):
            return filter_by_court(self, user, "unit__court")
        return scope_by_unit(self, user, "unit").filter(minutes__status=MinutesStatus.ISSUED)

    def for_list(self):
        return (self.select_related("unit", "meeting", "minutes")
                .prefetch_related(models.Prefetch("reports", queryset=ActionReport.objects.select_related("by"))))

    def open(self):
        return self.filter(status__in=ACTION_OPEN)

    def overdue(self, now=None):
        return self.filter(status__in=ACTION_OPEN, minutes__status=MinutesStatus.ISSUED,
                           due_at__lt=now or timezone.now())


class ActionItem(ChoiceLabels, models.Model):
    """A decision a unit must carry out (督促落实, Art. 4), tracked to done."""

    decision = models.OneToOneField(Decision, on_delete=models.CASCADE, related_name="action_item",
                                    verbose_name=_("decision"))
    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="action_items",
                                verbose_name=_("minutes"))
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="action_items",
                                verbose_name=_("meeting"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="action_items",
                             verbose_name=_("unit responsible"))
    text = models.TextField(_("what to do"))
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ActionStatus.choices,
                              default=ActionStatus.OPEN)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        permissions = [("report_actionitem", _("Can report progress on an action item")),
                       ("close_actionitem", _("Can close or return an action item"))]
        indexes = [models.Index(fields=["unit", "status", "-id"], name="action_unit_status"),
                   models.Index(fields=["status", "due_at"], name="action_status_due")]

    def __str__(self):
        return f"{self.unit}: {self.text[:40]}"

    @property
    def is_overdue(self):
        return self.status in ACTION_OPEN and self.due_at is not None and timezone.now() > self.due_at


class ActionReport(ChoiceLabels, models.Model):
    """A unit's progress report on an action item. Written once, never edited."""

    action_item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="reports",
                                    verbose_name=_("action item"))
    detail = models.TextField(_("progress"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                           verbose_name=_("reported by"))
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")

    def __str__(self):
        return f"{self.action_item_id} {self.at:%Y-%m-%d}"


class ActionReminder(ChoiceLabels, models.Model):
    """One reminder (催办) per overdue action item per day; the unique key makes the task idempotent."""

    action_item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="reminders",
                                    verbose_name=_("action item"))
    day = models.DateField(_("date"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["action_item", "day"], name="action_reminder_day")]
        verbose_name = _("action-item reminder")
        verbose_name_plural = _("action-item reminders")

    def __str__(self):
        return f"{self.action_item_id} {self.day}"


class ConferenceEvent(ImmutableEvent):
    """One transition of an agenda item, meeting, invitation, minutes or action item: who, when, from, to,
    note. Exactly one subject is set. Written once, never edited."""

    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, null=True, blank=True,
                                    related_name="events", verbose_name=_("agenda item"))
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, null=True, blank=True, related_name="events",
                                verbose_name=_("meeting"))
    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="events", verbose_name=_("invitation"))
    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, null=True, blank=True, related_name="events",
                                verbose_name=_("minutes"))
    action_item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, null=True, blank=True,
                                    related_name="events", verbose_name=_("action item"))

    class Meta(ImmutableEvent.Meta):
        verbose_name = _("conference event")
        verbose_name_plural = _("conference events")

    def state_machine(self):
        for field, machine in (("agenda_item_id", "agenda"), ("meeting_id", "meeting"),
                               ("invitation_id", "invitation"), ("minutes_id", "minutes"),
                               ("action_item_id", "action")):
            if getattr(self, field):
                return MACHINES[machine]
        return None

    def subject_unit_id(self):
        if self.action_item_id:
            return self.action_item.unit_id
        if self.invitation_id:
            return self.invitation.unit_id
        return None


class MeetingReport(ChoiceLabels, models.Model):
    """The court's work report (Art. 9) of a meeting as it stood when the meeting was held: the figures
    are computed as of the meeting's start and stored when it is held (its minutes issued), so the report
    a convener reads, and the annex of the minutes, are the same next month. Written once."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="work_report",
                                   verbose_name=_("meeting"))
    as_of = models.DateTimeField(_("figures as of"))
    data = models.JSONField(_("figures"))
    frozen_at = models.DateTimeField(_("frozen"), default=timezone.now)

    class Meta:
        verbose_name = _("work report")
        verbose_name_plural = _("work reports")

    def __str__(self):
        return f"{self.meeting} ({self.as_of:%Y-%m-%d})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied("The work report of a held meeting is immutable.")
        super().save(*args, **kwargs)
