"""Liaisons away and their deputies (issue 31 §2).

A liaison on leave is the most common reason a notice goes overdue. The liaison (or the unit's leader, or
the office) records the absence and names a deputy of the same unit; on those days the deputy holds the
liaison's role and the unit's work in the two queries that say who a user is (``members.who``), so every
scoped page and service lets them see and act, and every event row they write names the liaison they acted
for (``linkage.events``: 代为办理). Art. 4's one liaison per unit stays true: the post does not move.
"""
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Absence, LiaisonAssignment, Unit, User
from .roles import Role, has_role

MAX_DAYS = 366


def _is_office(user) -> bool:
    return user.is_superuser or has_role(user, Role.OFFICE)


def may_record_for(actor, unit_id: int, liaison_id: int) -> bool:
    """The liaison for themself, the unit's leader for their liaison, the office for anyone."""
    if _is_office(actor):
        return True
    if actor.unit_id != unit_id:
        return False
    return actor.pk == liaison_id or has_role(actor, Role.UNIT_LEADER)


def current_liaison(unit) -> User | None:
    row = (LiaisonAssignment.objects.filter(unit=unit, ended_at__isnull=True, user__is_active=True)
           .select_related("user").first())
    return row.user if row else None


def _check_deputy(unit, liaison, deputy, errors):
    if deputy is None:
        return
    if deputy.pk == liaison.pk:
        errors["deputy"] = [_("The deputy cannot be the liaison who is away.")]
    elif deputy.unit_id != unit.pk or not deputy.is_active:
        errors["deputy"] = [_("The deputy must be an active member of the same unit.")]


@transaction.atomic
def absence_record(*, actor, unit: Unit, starts_on, ends_on, deputy: User | None = None, note: str = "") -> Absence:
    """Record that the unit's liaison is away from ``starts_on`` to ``ends_on`` (both included)."""
    liaison = current_liaison(unit)
    if liaison is None:
        raise ValidationError({"unit": _("This unit has no active liaison officer to be away.")})
    if not may_record_for(actor, unit.pk, liaison.pk):
        raise PermissionDenied(_("Only the liaison, the unit's leader or the conference office records an absence."))
    errors = {}
    today = timezone.localdate()
    if starts_on is None:
        errors["starts_on"] = [_("Say when the absence starts.")]
    if ends_on is None:
        errors["ends_on"] = [_("Say when the absence ends.")]
    if starts_on and ends_on:
        if ends_on < starts_on:
            errors["ends_on"] = [_("The absence cannot end before it starts.")]
        elif ends_on < today:
            errors["ends_on"] = [_("An absence that has already ended cannot be recorded.")]
        elif (ends_on - starts_on).days + 1 > MAX_DAYS:
            errors["ends_on"] = [_("An absence is at most %(days)s days; record a longer one as a new liaison.")
                                 % {"days": MAX_DAYS}]
        elif Absence.objects.filter(liaison=liaison, cancelled_at__isnull=True, starts_on__lte=ends_on,
                                    ends_on__gte=starts_on).exists():
            errors["starts_on"] = [_("An absence of this liaison already covers some of these days.")]
    _check_deputy(unit, liaison, deputy, errors)
    if errors:
        raise ValidationError(errors)
    return Absence.objects.create(unit=unit, liaison=liaison, deputy=deputy, starts_on=starts_on, ends_on=ends_on,
                                  note=(note or "").strip()[:200], created_by=actor,
                                  deputy_by=actor if deputy else None)


@transaction.atomic
def absence_appoint_deputy(*, actor, absence: Absence, deputy: User) -> Absence:
    """Name (or change) the deputy: the office may always; the liaison and the unit's leader for their unit."""
    absence = Absence.objects.select_for_update(of=("self",), no_key=True).get(pk=absence.pk)
    if not may_record_for(actor, absence.unit_id, absence.liaison_id):
        raise PermissionDenied(_("Only the liaison, the unit's leader or the conference office names a deputy."))
    if absence.cancelled_at or absence.ends_on < timezone.localdate():
        raise ValidationError({"deputy": [_("This absence is over or cancelled.")]})
    errors = {}
    _check_deputy(absence.unit, absence.liaison, deputy, errors)
    if errors:
        raise ValidationError(errors)
    absence.deputy, absence.deputy_by = deputy, actor
    absence.save(update_fields=["deputy", "deputy_by"])
    return absence


@transaction.atomic
def absence_cancel(*, actor, absence: Absence) -> Absence:
    absence = Absence.objects.select_for_update(of=("self",), no_key=True).get(pk=absence.pk)
    if not may_record_for(actor, absence.unit_id, absence.liaison_id):
        raise PermissionDenied(_("Only the liaison, the unit's leader or the conference office cancels an absence."))
    if absence.cancelled_at is None:
        absence.cancelled_at = timezone.now()
        absence.save(update_fields=["cancelled_at"])
    return absence


# ---------------------------------------------------------------- reads


def absences_for(user):
    """The absences a user may see: the office and court roles all, a unit's member their unit's."""
    qs = Absence.objects.select_related("unit", "liaison", "deputy").filter(cancelled_at__isnull=True)
    if _is_office(user) or has_role(user, Role.CONVENER, Role.CLERK):
        return qs
    if user.unit_id:
        return qs.filter(unit_id=user.unit_id)
    return qs.none()


def deputy_candidates(unit_id: int):
    return User.objects.filter(unit_id=unit_id, is_active=True).order_by("username")


def units_without_liaison():
    """Active units with no active liaison officer (Art. 4 wants one each): flagged to the office."""
    active = LiaisonAssignment.objects.filter(unit=OuterRef("pk"), ended_at__isnull=True, user__is_active=True)
    return Unit.objects.active().annotate(has_liaison=Exists(active)).filter(has_liaison=False).order_by(
        "sort_order", "code")


def office_attention_counts(days: int = 14) -> dict:
    """The office's three warnings in one query (its to-do is on every page it opens): liaisons away now
    or within ``days`` with no deputy, active units with no liaison, reminder channels failing."""
    from django.conf import settings

    from linkage.orm import row_count

    from .models import Channel

    today = timezone.localdate()
    no_deputy = Absence.objects.filter(deputy__isnull=True, cancelled_at__isnull=True, ends_on__gte=today,
                                       starts_on__lte=today + timedelta(days=days))
    failing = Channel.objects.filter(active=True, failures__gte=settings.CHANNEL_FAILING_AFTER)
    row = (Unit.objects.order_by().annotate(no_deputy=row_count(no_deputy),
                                            no_liaison=row_count(units_without_liaison()),
                                            channels_failing=row_count(failing))
           .values("no_deputy", "no_liaison", "channels_failing")[:1])
    return next(iter(row), {"no_deputy": 0, "no_liaison": 0, "channels_failing": 0})
