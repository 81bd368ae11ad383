"""Services and reads of the measures register (issue 7). Called from the notice services, which own
the transactions of answering; the renewal and single-release services are transactions of their own."""
import calendar
import logging
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .deadlines import working_days_after
from .measure_models import AssetKind, Measure, MeasureLimit, MeasurePriority, MeasureReminder, MeasureStatus

log = logging.getLogger(__name__)

# The SPC's interpretation of the Civil Procedure Law (Art. 487 of the 2015 text, Art. 485 after 2022):
# deposits 1 year, movable property 2 years, real estate and other property rights 3 years. The office may
# override each in the admin (MeasureLimit); these are the defaults when it has not.
DEFAULT_LIMIT_MONTHS = {
    AssetKind.DEPOSIT: 12, AssetKind.FUND: 12, AssetKind.MOVABLE: 24,
    AssetKind.REAL_ESTATE: 36, AssetKind.EQUITY: 36, AssetKind.OTHER: 36,
}
LIMITED_ACTIONS = frozenset({"freeze", "seize"})  # restrict, locate, publicize have no legal expiry
REMINDER_WORKING_DAYS = getattr(settings, "MEASURE_REMINDER_WORKING_DAYS", (30, 10, 3))


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def limit_months(asset_kind: str) -> int:
    row = MeasureLimit.objects.filter(asset_kind=asset_kind).values_list("months", flat=True).first()
    return row if row is not None else DEFAULT_LIMIT_MONTHS[asset_kind]


def guess_asset_kind(notice) -> str:
    """A sensible default from who did what; the unit can correct it in its answer."""
    unit, action = notice.unit, notice.action.code
    if action == "seize":
        return {"police": AssetKind.MOVABLE, "natres": AssetKind.REAL_ESTATE}.get(unit.code, AssetKind.OTHER)
    if action == "freeze":
        if unit.kind in ("bank", "insurance"):
            return AssetKind.DEPOSIT
        return {"fund": AssetKind.FUND, "hrss": AssetKind.FUND, "market": AssetKind.EQUITY}.get(
            unit.code, AssetKind.OTHER)
    return AssetKind.OTHER


def expiry_for(action_code: str, asset_kind: str, starts_on: date) -> date | None:
    if action_code not in LIMITED_ACTIONS:
        return None
    return add_months(starts_on, limit_months(asset_kind))


def measure_record(*, notice, amount=None, asset: str = "", asset_kind: str = "", priority: str = "",
                   queue_position=None) -> Measure:
    """Record the measure a unit took on answering ``notice`` done or partly done (inside its transaction)."""
    if asset_kind and asset_kind not in AssetKind.values:
        raise ValidationError({"asset_kind": [_("Unknown asset kind.")]})
    if priority and priority not in MeasurePriority.values:
        raise ValidationError({"priority": [_("Choose first or waiting.")]})
    kind = asset_kind or guess_asset_kind(notice)
    starts_on = timezone.localdate()
    debtors = [p for p in notice.case.parties.all() if p.role == "debtor"]
    return Measure.objects.create(
        case=notice.case, unit=notice.unit, action=notice.action, notice=notice,
        party=debtors[0] if len(debtors) == 1 else None, asset=(asset or notice.subject)[:300],
        asset_kind=kind, amount=amount, priority=priority or MeasurePriority.FIRST,
        queue_position=queue_position if priority == MeasurePriority.WAITING else None,
        starts_on=starts_on, expires_on=expiry_for(notice.action.code, kind, starts_on),
    )


def on_release_confirmed(notice) -> int:
    """A release answered done lifts every measure it lists."""
    return Measure.objects.filter(release_notice=notice, status=MeasureStatus.ACTIVE).update(
        status=MeasureStatus.RELEASED, released_at=timezone.now())


def on_renewal_confirmed(notice) -> Measure | None:
    """A renewal answered done extends the measure by the legal limit once more, from its old expiry."""
    measure = Measure.objects.select_for_update().filter(notice_id=notice.original_id).first()
    if measure is None or measure.expires_on is None:
        return measure
    measure.expires_on = add_months(measure.expires_on, limit_months(measure.asset_kind))
    measure.renewals += 1
    if measure.status == MeasureStatus.LAPSED:
        measure.status, measure.lapsed_on = MeasureStatus.ACTIVE, None
    measure.save(update_fields=["expires_on", "renewals", "status", "lapsed_on"])
    return measure


def attach_releases(releases) -> None:
    """Link the register's active measures to the release notices that lift them (conclusion)."""
    by_original = {r.original_id: r for r in releases}
    measures = list(Measure.objects.filter(notice_id__in=by_original, status=MeasureStatus.ACTIVE))
    for measure in measures:
        measure.release_notice = by_original[measure.notice_id]
    Measure.objects.bulk_update(measures, ["release_notice"])


def _measure_notice(*, actor, measure, kind, subject):
    from . import delivery
    from .models import Case
    from .services import _create_notices

    case = Case.objects.select_for_update().get(pk=measure.case_id)
    notices = _create_notices(actor=actor, case=case, issued_at=timezone.now(), specs=[dict(
        unit=measure.unit, action=measure.action, kind=kind, original=measure.notice, subject=subject)])
    delivery.queue([n.pk for n in notices], purpose="issue")
    return notices[0]


@transaction.atomic
def measure_renew(*, actor, measure: Measure):
    """One click: a renewal notice (续冻/续封) to the unit holding the measure."""
    from .models import NoticeKind
    from .workflow import OPEN

    if not actor.has_perm("cases.add_notice"):
        raise PermissionDenied(_("Your role does not allow this."))
    measure = (Measure.objects.select_for_update(of=("self",))
               .select_related("notice", "unit", "action", "case").get(pk=measure.pk))
    if measure.expires_on is None or measure.status == MeasureStatus.RELEASED:
        raise ValidationError(_("Only a freeze or seizure that is not released can be renewed."))
    if measure.case.status != "open":
        raise ValidationError(_("The case is concluded; its measures are released, not renewed."))
    if measure.notice.follow_ups.filter(kind=NoticeKind.RELEASE).exists():
        raise ValidationError(_("This measure is being released; it cannot be renewed."))
    if measure.notice.follow_ups.filter(kind=NoticeKind.RENEWAL, status__in=OPEN).exists():
        raise ValidationError(_("A renewal notice for this measure is already open."))
    subject = _("Renew %(action)s until %(date)s: %(asset)s") % {
        "action": measure.action.name, "asset": measure.asset,
        "date": add_months(measure.expires_on, limit_months(measure.asset_kind)).isoformat()}
    return _measure_notice(actor=actor, measure=measure, kind=NoticeKind.RENEWAL, subject=subject)


@transaction.atomic
def measure_release(*, actor, measure: Measure):
    """Release one measure alone (e.g. after deduction): a release notice to that unit only."""
    from .models import NoticeKind

    if not actor.has_perm("cases.add_notice"):
        raise PermissionDenied(_("Your role does not allow this."))
    measure = Measure.objects.select_for_update().select_related("notice", "unit", "action").get(pk=measure.pk)
    if measure.status != MeasureStatus.ACTIVE or measure.release_notice_id:
        raise ValidationError(_("This measure is not active or is already being released."))
    subject = _("%(release)s: %(asset)s (notice %(number)s)") % {
        "release": measure.action.release_name or _("Release"), "asset": measure.asset,
        "number": measure.notice.number}
    try:
        with transaction.atomic():
            release = _measure_notice(actor=actor, measure=measure, kind=NoticeKind.RELEASE, subject=subject)
    except IntegrityError:  # one release per measure notice, ever
        raise ValidationError(_("A release for this measure was already sent.")) from None
    measure.release_notice = release
    measure.save(update_fields=["release_notice"])
    return release


def _remind(measure, threshold) -> None:
    clerk = measure.case.created_by
    if not clerk.email:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Measure expires on %(date)s: %(asset)s") % {
            "date": measure.expires_on.isoformat(), "asset": measure.asset}
        body = _("Case %(case)s, %(unit)s: %(action)s of %(asset)s expires on %(date)s. Renew it in the "
                 "portal before then.") % {"case": measure.case.number, "unit": measure.unit.name,
                                           "action": measure.action.name, "asset": measure.asset,
                                           "date": measure.expires_on.isoformat()}
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [clerk.email])


def measures_sweep(today: date | None = None) -> dict:
    """Daily: mark expired measures lapsed; remind the clerk 30, 10 and 3 working days before expiry.

    Each reminder is a row with a unique key, so a sweep that runs twice reminds once.
    """
    today = today or timezone.localdate()
    lapsed = Measure.objects.filter(status=MeasureStatus.ACTIVE, expires_on__lt=today).update(
        status=MeasureStatus.LAPSED, lapsed_on=today)
    widest = max(REMINDER_WORKING_DAYS)
    horizon = working_days_after(today, widest)
    sent = 0
    candidates = (Measure.objects.filter(status=MeasureStatus.ACTIVE, expires_on__gte=today,
                                         expires_on__lte=horizon)
                  .select_related("case__created_by", "unit", "action"))
    thresholds = {n: working_days_after(today, n) for n in REMINDER_WORKING_DAYS}
    for measure in candidates:
        # The smallest threshold the expiry falls within is the one due today.
        due = [n for n, limit_day in thresholds.items() if measure.expires_on <= limit_day]
        if not due:
            continue
        threshold = min(due)
        with transaction.atomic():
            _reminder, created = MeasureReminder.objects.get_or_create(
                measure=measure, expires_on=measure.expires_on, working_days_before=threshold)
            if created:
                _remind(measure, threshold)
                sent += 1
    return {"lapsed": lapsed, "reminded": sent}


def case_measure_totals(case, measures) -> dict:
    """Totals secured against the amount owed, over the measures the page already shows (the user's)."""
    active = [m for m in measures if m.status == MeasureStatus.ACTIVE]
    secured = sum((m.amount for m in active if m.amount is not None), Decimal("0.00"))
    return {
        "active": len(active), "secured": secured, "owed": case.amount,
        "uncovered": max(case.amount - secured, Decimal("0.00")),
        "released": sum(m.status == MeasureStatus.RELEASED for m in measures),
        "lapsed": sum(m.status == MeasureStatus.LAPSED for m in measures),
    }


def measures_for_list(user):
    return Measure.objects.visible_to(user).select_related("case", "unit", "action", "party", "release_notice")
