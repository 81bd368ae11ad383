"""Services and reads of the measures register. Called from the notice services, which own
the transactions of answering; the renewal, single-release and take-effect services are transactions of
their own.

Dates as the law counts them (民诉法解释 (2022) Art. 485; 查封扣押冻结规定 (2020) Arts. 1, 26, 28):

* a measure takes effect when the notice is served (查封扣押冻结规定 Art. 1: "送达时发生法律效力"), which in
  the portal is the unit's signature for it (签收; the proof of service, 送达回证, records it: 民事诉讼法
  Art. 87). Its term runs from that day for the months the notice states (fixed when it is issued, from
  its asset kind) and ends the day before the same date N months on:
  自2026年12月2日起至2027年12月1日止; a date without its anniversary (29 February) ends on the last day of
  the month before (自2028年2月29日起至2029年2月28日止);
* a measure lapses at the end of its last day, Asia/Shanghai;
* a waiting seizure or freeze (轮候) has no term while it waits; it takes effect when the earlier measure is
  gone, and its term starts then;
* a renewal (续冻/续封) is only possible before expiry, and the renewed term starts the day after the old
  one ends; it takes effect when the renewal notice is served (signed for) before the old term ends,
  whenever the unit answers (民诉法解释 Art. 485).

So the notice (its term "自送达之日起计算"), the proof of service (the dates), the register, the renewal
reminders and the API all read one date by one rule.
"""
import logging
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from linkage.dates import cn_date, local_date, local_today, parse_day

from .deadlines import working_days_after
from .measure_models import AssetKind, Measure, MeasurePriority, MeasureReminder, MeasureStatus
from .terms import (
    LIMITED_ACTIONS,
    REMINDER_WORKING_DAYS,
    expiry_for,
    guess_asset_kind,
    measure_term_label,
    notice_term_months,
    renewal_due_q,
    renewal_refusal,
    renewal_term,
    renewed_by,
    served_on,
    term_end,
    term_end_months,
    term_label,
)

log = logging.getLogger(__name__)


# Grounds of a single release (查封扣押冻结规定 Art. 28, and Art. 19's over-seizure); the rest are the
# grounds of an ending or of a suspension (cases.lifecycle), which release everything at once.
CONCLUSION_GROUNDS = frozenset({"completed", "terminated", "not_enforced", "application_rejected",
                                "filing_cancelled", "preservation_lifted", "bankruptcy"})
# The release ruling's title by the action it lifts.
RELEASE_RULING_TITLES = {"freeze": "解除冻结裁定书", "seize": "解除查封裁定书", "restrict": "解除限制裁定书"}


# ---------------------------------------------------------------- dates


def _check_effective_on(day: date, notice, field: str = "effective_on") -> None:
    if day > local_today():
        raise ValidationError({field: [_("The day the measure took effect cannot be in the future.")]})
    if notice.issued_at and day < local_date(notice.issued_at):
        raise ValidationError({field: [_("The measure cannot take effect before the notice was issued "
                                         "(%(date)s).") % {"date": local_date(notice.issued_at).isoformat()}]})


# ---------------------------------------------------------------- recording


def measure_record(*, notice, amount=None, asset: str = "", asset_kind: str = "", priority: str = "",
                   queue_position=None, effective_on=None) -> Measure:
    """Record the measure a unit took on answering ``notice`` done or partly done (inside its transaction),
    on the case that holds the notice's measure now (``Notice.measure_case``: a resumed case, or the
    enforcement case that took over a preservation).

    The term runs from the day the notice was served (查封扣押冻结规定 Art. 1) for the months the notice
    stated; an ``effective_on`` the unit gives must be that day. A waiting seizure (轮候) has no term until
    it takes effect.
    """
    errors = {}
    if asset_kind and asset_kind not in AssetKind.values:
        errors["asset_kind"] = [_("Unknown asset kind.")]
    if priority and priority not in MeasurePriority.values:
        errors["priority"] = [_("Choose first or waiting.")]
    waiting = priority == MeasurePriority.WAITING
    effective = None
    try:
        effective = parse_day(effective_on, "effective_on", required=False)
        if effective is not None:
            _check_effective_on(effective, notice)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    served = served_on(notice) or local_today()
    if effective is not None and not waiting and effective != served and "effective_on" not in errors:
        errors["effective_on"] = [_("A freeze or seizure takes effect when the notice is served (查封扣押冻结规定 "
                                    "Art. 1): this one was served on %(date)s, and its term runs from then.")
                                  % {"date": served.isoformat()}]
    if errors:
        raise ValidationError(errors)
    kind = asset_kind or guess_asset_kind(notice)
    starts_on = None if waiting else served
    expires_on = None
    if starts_on is not None and notice.action.code in LIMITED_ACTIONS:
        expires_on = term_end_months(starts_on, notice_term_months(notice))
    debtors = [p for p in notice.case.parties.all() if p.role == "debtor"]
    return Measure.objects.create(
        case_id=notice.measure_case_id, unit=notice.unit, action=notice.action, notice=notice,
        party=debtors[0] if len(debtors) == 1 else None, asset=(asset or notice.subject)[:300],
        asset_kind=kind, amount=amount, priority=priority or MeasurePriority.FIRST,
        queue_position=queue_position if waiting else None, starts_on=starts_on, expires_on=expires_on,
    )


def lapse_overdue(qs, today: date | None = None) -> int:
    """Mark lapsed the active measures of ``qs`` whose last day has ended (before the daily sweep does)."""
    today = today or local_today()
    return qs.filter(status=MeasureStatus.ACTIVE, expires_on__isnull=False, expires_on__lt=today).update(
        status=MeasureStatus.LAPSED, lapsed_on=today)


def _event(notice, *, actor, transition: str, note: str) -> None:
    """A note in the notice's timeline (the register has no event table of its own)."""
    from .models import NoticeEvent

    NoticeEvent.objects.create(notice=notice, transition=transition, from_status=notice.status,
                               to_status=notice.status, actor=actor, note=note)


@transaction.atomic
def measure_take_effect(*, actor, measure: Measure, effective_on) -> Measure:
    """A waiting seizure or freeze takes effect (the earlier measure is gone): it becomes the first, and
    its term starts on ``effective_on``. The clerk or the liaison of the unit holding it records this."""
    from members.scoping import can_handle_unit

    if not (actor.is_superuser or actor.has_perm("cases.add_notice") or can_handle_unit(actor, measure.unit_id)):
        raise PermissionDenied(_("Your role does not allow this."))
    measure = (Measure.objects.select_for_update(of=("self",), no_key=True)
               .select_related("notice", "action", "unit").get(pk=measure.pk))
    if measure.priority != MeasurePriority.WAITING or measure.status != MeasureStatus.ACTIVE:
        raise ValidationError(_("Only a waiting seizure or freeze that is still held can take effect."))
    day = parse_day(effective_on, "effective_on", required=False)
    if day is None:
        raise ValidationError({"effective_on": [_("Say on which day the measure took effect.")]})
    _check_effective_on(day, measure.notice)
    measure.priority, measure.queue_position = MeasurePriority.FIRST, None
    measure.starts_on = day
    measure.expires_on = expiry_for(measure.action.code, measure.asset_kind, day)
    measure.save(update_fields=["priority", "queue_position", "starts_on", "expires_on"])
    if measure.expires_on:
        note = _("The waiting measure took effect on %(date)s; term %(term)s.") % {
            "date": day.isoformat(), "term": measure_term_label(measure)}
    else:
        note = _("The waiting measure took effect on %(date)s.") % {"date": day.isoformat()}
    _event(measure.notice, actor=actor, transition="measure_effective", note=note)
    return measure


def on_release_confirmed(notice) -> int:
    """A release answered done lifts every measure it lists; a partial release (查封扣押冻结规定 Art. 19)
    lowers the measure's amount by the part released, and the rest stays held."""
    if notice.partial:
        measure = Measure.objects.select_for_update(of=("self",), no_key=True).filter(notice_id=notice.original_id).first()
        if measure is None or measure.status != MeasureStatus.ACTIVE or measure.amount is None:
            return 0
        measure.amount = max(measure.amount - (notice.amount or Decimal("0.00")), Decimal("0.00"))
        fields = ["amount"]
        if measure.amount == 0:
            measure.status, measure.released_at, measure.release_notice = (MeasureStatus.RELEASED, timezone.now(),
                                                                          notice)
            fields += ["status", "released_at", "release_notice"]
        measure.save(update_fields=fields)
        return 1
    return Measure.objects.filter(release_notice=notice, status=MeasureStatus.ACTIVE).update(
        status=MeasureStatus.RELEASED, released_at=timezone.now())


def on_renewal_served(notice, *, actor=None) -> Measure | None:
    """A renewal served (signed for) on or before the last day of the term takes effect then (民诉法解释
    Art. 485: renewed before it ends): the term runs on from the day after the old last day, whenever the
    unit answers. Served after the end, it cannot revive the measure: a new freeze or seizure is needed."""
    measure = Measure.objects.select_for_update(of=("self",), no_key=True).filter(notice_id=notice.original_id).first()
    if measure is None or measure.expires_on is None or renewed_by(notice):
        return measure
    day = served_on(notice) or local_today()
    if measure.status == MeasureStatus.RELEASED:
        return measure
    if day > measure.expires_on:
        if measure.status == MeasureStatus.ACTIVE:
            measure.status, measure.lapsed_on = MeasureStatus.LAPSED, measure.expires_on + timedelta(days=1)
            measure.save(update_fields=["status", "lapsed_on"])
        _event(notice, actor=actor, transition="renewal_too_late", note=_(
            "The renewal was served on %(served)s, after the measure ended on %(date)s; the measure stays "
            "lapsed. A new freeze or seizure is needed.") % {"served": day.isoformat(),
                                                           "date": measure.expires_on.isoformat()})
        return measure
    start = measure.expires_on + timedelta(days=1)
    measure.previous_expires_on = measure.expires_on
    measure.expires_on = term_end(start, measure.asset_kind)
    measure.renewals += 1
    # A sweep that ran before the service was recorded cannot have ended a measure renewed in time.
    measure.status, measure.lapsed_on = MeasureStatus.ACTIVE, None
    measure.save(update_fields=["expires_on", "previous_expires_on", "renewals", "status", "lapsed_on"])
    _event(notice, actor=actor, transition="renewal_effective", note=_(
        "Renewed on service (%(served)s): term %(term)s.") % {"served": day.isoformat(),
                                                             "term": term_label(start, measure.expires_on)})
    return measure


def on_renewal_confirmed(notice) -> Measure | None:
    """A renewal answered done: it took effect when it was served (``on_renewal_served``); nothing more to do
    unless it was served without the register hearing of it."""
    return on_renewal_served(notice)


def on_renewal_refused(notice, *, actor=None) -> Measure | None:
    """The unit answers it could not renew (e.g. the account was closed): the extension the service made
    is undone, and the measure ends with its old term."""
    measure = Measure.objects.select_for_update(of=("self",), no_key=True).filter(notice_id=notice.original_id).first()
    if measure is None or not renewed_by(notice) or measure.renewals == 0:
        return measure
    if measure.previous_expires_on is None:
        return measure
    measure.expires_on, measure.previous_expires_on = measure.previous_expires_on, None
    measure.renewals -= 1
    measure.save(update_fields=["expires_on", "previous_expires_on", "renewals"])
    lapse_overdue(Measure.objects.filter(pk=measure.pk))
    _event(notice, actor=actor, transition="renewal_undone", note=_(
        "The unit could not renew: the measure ends on %(date)s.") % {"date": measure.expires_on.isoformat()})
    return measure


def attach_releases(releases) -> None:
    """Link the register's active measures to the release notices that lift them (conclusion)."""
    by_original = {r.original_id: r for r in releases}
    measures = list(Measure.objects.filter(notice_id__in=by_original, status=MeasureStatus.ACTIVE))
    for measure in measures:
        measure.release_notice = by_original[measure.notice_id]
    Measure.objects.bulk_update(measures, ["release_notice"])


def _measure_notice(*, actor, measure, kind, subject, case=None, **extra):
    from . import delivery
    from .models import Case
    from .notices import create_notices

    if case is None:
        case = Case.objects.select_for_update(of=("self",), no_key=True).get(pk=measure.case_id)
    notices = create_notices(actor=actor, case=case, issued_at=timezone.now(), specs=[dict(
        unit=measure.unit, action=measure.action, kind=kind, original=measure.notice, subject=subject, **extra)])
    delivery.queue([n.pk for n in notices], purpose="issue")
    return notices[0]


# ---------------------------------------------------------------- renewal


@transaction.atomic
def measure_renew(*, actor, measure: Measure, ruling=None, ruling_file=None):
    """One click: a renewal notice (续冻/续封) to the unit holding the measure, before it expires, with the
    renewal ruling (民诉法解释 Art. 485: 续行 by ruling): uploaded, filed, or drawn up by the portal."""
    from .models import NoticeKind
    from .rulings import measure_facts, ruling_for

    if not actor.has_perm("cases.add_notice"):
        raise PermissionDenied(_("Your role does not allow this."))
    case = _lock_case_of(measure)
    measure = (Measure.objects.select_for_update(of=("self",), no_key=True)
               .select_related("notice", "unit", "action", "case").get(pk=measure.pk))
    refusal = renewal_refusal(measure)
    if refusal:
        raise ValidationError(refusal)
    start, end = renewal_term(measure)
    facts = measure_facts([measure])
    facts[0].update(starts=cn_date(start), ends=cn_date(end))
    made = ruling_for(actor=actor, case=case, kind="renewal", ruling=ruling, upload=ruling_file,
                      action_codes=[measure.action.code],
                      facts={"measures": facts, "legal_basis": "《最高人民法院关于适用〈中华人民共和国民事诉讼法〉的解释》第四百八十五条"})
    subject = _("Renew %(action)s %(term)s: %(asset)s") % {
        "action": measure.action.name, "asset": measure.asset, "term": term_label(start, end)}
    return _measure_notice(actor=actor, measure=measure, kind=NoticeKind.RENEWAL, subject=subject, case=case,
                           ruling=made)


def _lock_case_of(measure):
    """The case's row first, then the measure's: the order every lifecycle service locks in."""
    from .models import Case

    case_id = Measure.objects.filter(pk=measure.pk).values_list("case_id", flat=True).first()
    return Case.objects.select_for_update(of=("self",), no_key=True).get(pk=case_id)


# ---------------------------------------------------------------- single release

def release_ground_choices():
    """The grounds a clerk may give for releasing one measure (查封扣押冻结规定 Art. 28)."""
    from .models import ReleaseGround

    return [(value, label) for value, label in ReleaseGround.choices if value not in CONCLUSION_GROUNDS]


def release_ruling_title(action_code: str) -> str:
    return RELEASE_RULING_TITLES.get(action_code, "解除裁定书")


@transaction.atomic
def measure_release(*, actor, measure: Measure, ground: str = "", ruling=None, ruling_file=None,
                    note: str = "", amount=None):
    """Release one measure alone (e.g. the debt is paid, security given), or part of it (``amount``: what a
    freeze holds beyond the outstanding debt, 查封扣押冻结规定 Art. 19): a release notice to that unit
    only, with the ground (Art. 28) and the release ruling (解除冻结/查封裁定书): uploaded (a PDF, stored
    as the case's next ruling), one already filed in the case (``ruling``: an Attachment or its id), or,
    with neither, drawn up by the portal. Bad input is refused with field errors before anything is
    written. The unit confirms the release by answering it."""
    from .models import NoticeKind
    from .rulings import measure_facts, ruling_for

    if not actor.has_perm("cases.add_notice"):
        raise PermissionDenied(_("Your role does not allow this."))
    case = _lock_case_of(measure)
    measure = (Measure.objects.select_for_update(of=("self",), no_key=True)
               .select_related("notice", "unit", "action").get(pk=measure.pk))
    if measure.status != MeasureStatus.ACTIVE or measure.release_notice_id:
        raise ValidationError(_("This measure is not active or is already being released."))
    if measure.notice.follow_ups.filter(kind=NoticeKind.RELEASE, partial=False).exists():
        raise ValidationError(_("A release for this measure was already sent."))
    errors = {}
    allowed = dict(release_ground_choices())
    ground = (ground or "").strip()
    partial = amount not in (None, "")
    if partial:
        ground = ground or "over_seizure"
        try:
            amount = Decimal(str(amount)).quantize(Decimal("0.01"))
            if amount <= 0:
                raise ValueError
        except Exception:
            errors["amount"] = [_("Enter the amount to release, in yuan (e.g. 5000.00).")]
        else:
            if measure.amount is None:
                errors["amount"] = [_("This measure holds no amount; release it whole.")]
            elif amount >= measure.amount:
                errors["amount"] = [_("Less than the %(held)s yuan held; to release it all, leave the amount "
                                      "empty.") % {"held": measure.amount}]
    if not ground:
        errors["ground"] = [_("Choose the ground of the release.")]
    elif ground not in allowed:
        errors["ground"] = [_("Choose one of the grounds of release.")]
    if errors:
        raise ValidationError(errors)
    facts = measure_facts([measure])
    if partial:
        from linkage.numerals import format_yuan

        from .selectors import outstanding_amount

        facts[0]["released"] = format_yuan(amount)
        made_facts = {"measures": facts, "outstanding": format_yuan(outstanding_amount(case)),
                      "legal_basis": f"{SEIZURE_RULES}第十九条", "note": (note or "").strip()}
    else:
        from .documents import release_basis

        text, rule = release_basis(ground, measure.action.code)
        made_facts = {"measures": facts, "ground_text": text, "note": (note or "").strip(), "legal_basis": rule}
    made = ruling_for(actor=actor, case=case, kind="partial_release" if partial else "release", ruling=ruling,
                      upload=ruling_file, action_codes=[measure.action.code], facts=made_facts)
    try:
        with transaction.atomic():
            release = release_one(actor=actor, case=case, measure=measure, ground=ground, ruling=made,
                                  amount=amount if partial else None)
    except IntegrityError:  # one full release per measure notice, ever
        raise ValidationError(_("A release for this measure was already sent.")) from None
    note = (note or "").strip()
    if note:
        _event(release, actor=actor, transition="note", note=note)
    return release


SEIZURE_RULES = "《最高人民法院关于人民法院民事执行中查封、扣押、冻结财产的规定》"


def release_one(*, actor, case, measure: Measure, ground: str, ruling, amount=None):
    """The release notice of one measure (locked by the caller, as is its case), citing ``ruling``; with
    ``amount``, of that part only (the measure stays held for the rest until the unit confirms)."""
    from linkage.numerals import format_yuan

    from .models import NoticeKind

    label = measure.action.release_name or _("Release")
    if amount is not None:
        subject = _("Partial %(release)s of %(amount)s yuan: %(asset)s (notice %(number)s)") % {
            "release": label, "amount": format_yuan(amount), "asset": measure.asset, "number": measure.notice.number}
    else:
        subject = _("%(release)s: %(asset)s (notice %(number)s)") % {
            "release": label, "asset": measure.asset, "number": measure.notice.number}
    release = _measure_notice(actor=actor, measure=measure, kind=NoticeKind.RELEASE, subject=subject, case=case,
                              ruling=ruling, release_ground=ground, partial=amount is not None, amount=amount)
    if amount is None:
        measure.release_notice = release
        measure.save(update_fields=["release_notice"])
    return release


# ---------------------------------------------------------------- the daily sweep

def _remind(measure, threshold) -> None:
    from django.urls import reverse

    from members.channels import post

    from .delivery import absolute_url

    clerk = measure.case.created_by
    with translation.override(settings.LANGUAGE_CODE):
        # The clerk's own channels (an SMS to their phone): the case and the date, not the asset.
        post(user_id=clerk.pk, key=f"measure-{measure.pk}-{measure.expires_on:%Y%m%d}-{threshold}", purpose="lapse",
             title=_("Measure expires on %(date)s") % {"date": measure.expires_on.isoformat()},
             due=measure.expires_on.isoformat(),
             lines=[f"- {_('Case: %(case)s') % {'case': measure.case.number}}",
                    f"- {measure.unit.name}: {measure.action.name}"],
             link=absolute_url(reverse("cases:detail", args=[measure.case_id])))
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
    """Daily: mark lapsed the measures whose last day has ended (Asia/Shanghai); remind the clerk 30, 10
    and 3 working days before the last day, 终本 cases included. A waiting seizure has no term and never
    lapses while it waits.

    Each reminder is a row with a unique key, so a sweep that runs twice reminds once.
    """
    today = today or local_today()
    lapsed = Measure.objects.filter(status=MeasureStatus.ACTIVE, expires_on__isnull=False,
                                    expires_on__lt=today).update(status=MeasureStatus.LAPSED, lapsed_on=today)
    sent = 0
    # expires_on__gte: none earlier is left active after the update above; stated for the planner.
    candidates = (Measure.objects.filter(renewal_due_q(today), expires_on__gte=today)
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


# ---------------------------------------------------------------- reads

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


def measures_for_case(user, case) -> list:
    """The case page's measures: the case's own and those its notices took. A resumed case's measures
    moved to it; the 终本 case they came from still shows them. Its notices as a subquery, not a join:
    PostgreSQL plans the subquery faster than the OR across a join of the notices. The measures' case is
    not joined: most are the page's own case, set here; the few others (moved to a resumed case) are read
    in one query."""
    from .models import Case, Notice

    rows = list(measures_for_list(user, with_case=False)
                .filter(Q(case=case) | Q(notice__in=Notice.objects.filter(case=case).values("id")))
                .order_by("unit__sort_order", "id"))
    others = {m.case_id for m in rows} - {case.pk}
    cases = Case.objects.in_bulk(others) if others else {}
    cases[case.pk] = case
    for measure in rows:
        measure.case = cases[measure.case_id]
    return rows


def measures_for_list(user, *, with_case=True):
    """The user's measures with what a row shows, and whether a renewal or release is under way (so that
    ``is_renewable`` asks no query per row)."""
    from .models import Notice, NoticeKind
    from .workflow import OPEN

    follow_ups = Notice.objects.filter(original_id=OuterRef("notice_id"))
    return (Measure.objects.visible_to(user)
            # release_notice is not joined: rows print its id only (a join more is planning time)
            .select_related(*(("case",) if with_case else ()), "unit", "action", "party")
            .annotate(renewal_open=Exists(follow_ups.filter(kind=NoticeKind.RENEWAL, status__in=OPEN)),
                      release_sent=Exists(follow_ups.filter(kind=NoticeKind.RELEASE))))
