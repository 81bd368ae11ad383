"""Services and reads of the measures register (issue 7). Called from the notice services, which own
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
import calendar
import logging
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from .deadlines import working_days_after
from .measure_models import AssetKind, Measure, MeasureLimit, MeasurePriority, MeasureReminder, MeasureStatus

log = logging.getLogger(__name__)

SHANGHAI = ZoneInfo("Asia/Shanghai")

# The SPC's interpretation of the Civil Procedure Law (Art. 487 of the 2015 text, Art. 485 after 2022):
# deposits 1 year, movable property 2 years, real estate and other property rights 3 years. The office may
# override each in the admin (MeasureLimit); these are the defaults when it has not. An asset of unknown
# kind gets the shortest term, never the longest: a term too long would leave the measure lapsed unseen.
DEFAULT_LIMIT_MONTHS = {
    AssetKind.DEPOSIT: 12, AssetKind.FUND: 12, AssetKind.MOVABLE: 24,
    AssetKind.REAL_ESTATE: 36, AssetKind.EQUITY: 36, AssetKind.OTHER: 36, AssetKind.UNKNOWN: 12,
}
SHORTEST_LIMIT_MONTHS = min(DEFAULT_LIMIT_MONTHS.values())
LIMITED_ACTIONS = frozenset({"freeze", "seize"})  # restrict, locate, publicize have no legal expiry
REMINDER_WORKING_DAYS = getattr(settings, "MEASURE_REMINDER_WORKING_DAYS", (30, 10, 3))
# Grounds of a single release (查封扣押冻结规定 Art. 28, and Art. 19's over-seizure); the rest are the
# grounds of an ending or of a suspension (cases.lifecycle), which release everything at once.
CONCLUSION_GROUNDS = frozenset({"completed", "terminated", "not_enforced", "application_rejected",
                                "filing_cancelled", "preservation_lifted", "bankruptcy"})
# The release ruling's title by the action it lifts.
RELEASE_RULING_TITLES = {"freeze": "解除冻结裁定书", "seize": "解除查封裁定书", "restrict": "解除限制裁定书"}


# ---------------------------------------------------------------- dates

def local_today() -> date:
    """Today as Gong'an counts it (Asia/Shanghai), whatever the process's or the request's time zone."""
    return timezone.now().astimezone(SHANGHAI).date()


def local_date(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the end of a shorter month (31 January + 1 → 28 February)."""
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _term_end_months(starts_on: date, months: int) -> date:
    """The day before the anniversary ``months`` on. The anniversary of a day the target month lacks
    (29 February in a common year, 31 March six months on) is the first of the next month, so the term
    then ends on the last day of the target month."""
    month = starts_on.month - 1 + months
    year = starts_on.year + month // 12
    month = month % 12 + 1
    last = calendar.monthrange(year, month)[1]
    if starts_on.day > last:
        return date(year, month, last)
    return date(year, month, starts_on.day) - timedelta(days=1)


def limit_months(asset_kind: str) -> int:
    row = MeasureLimit.objects.filter(asset_kind=asset_kind).values_list("months", flat=True).first()
    return row if row is not None else DEFAULT_LIMIT_MONTHS.get(asset_kind, SHORTEST_LIMIT_MONTHS)


def term_end(starts_on: date, asset_kind: str) -> date:
    """The last day of a term starting on ``starts_on`` (inclusive): 2026-12-02, deposit → 2027-12-01."""
    return _term_end_months(starts_on, limit_months(asset_kind))


def term_for(action_code: str, asset_kind: str, starts_on: date | None) -> tuple[date, date] | None:
    """``(first day, last day)`` of the legal term of a measure, or None: the action has no legal time limit
    (restrict, locate, publicize) or the measure has not taken effect (a waiting seizure)."""
    if action_code not in LIMITED_ACTIONS or starts_on is None:
        return None
    return starts_on, term_end(starts_on, asset_kind)


def expiry_for(action_code: str, asset_kind: str, starts_on: date | None) -> date | None:
    term = term_for(action_code, asset_kind, starts_on)
    return term[1] if term else None


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def term_label(starts_on: date | None, expires_on: date | None) -> str:
    """The term as rulings and notices state it: 自2026年12月2日起至2027年12月1日止 (a fixed legal form,
    not interface text); empty when there is no term."""
    if starts_on is None or expires_on is None:
        return ""
    return f"自{chinese_date(starts_on)}起至{chinese_date(expires_on)}止"


def measure_term_label(measure) -> str:
    return term_label(measure.starts_on, measure.expires_on)


def _parse_day(value, field: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return local_date(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, date):
        return value
    try:
        parsed = parse_date(str(value).strip())
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValidationError({field: [_("Enter a date as YYYY-MM-DD.")]})
    return parsed


def _check_effective_on(day: date, notice, field: str = "effective_on") -> None:
    if day > local_today():
        raise ValidationError({field: [_("The day the measure took effect cannot be in the future.")]})
    if notice.issued_at and day < local_date(notice.issued_at):
        raise ValidationError({field: [_("The measure cannot take effect before the notice was issued "
                                         "(%(date)s).") % {"date": local_date(notice.issued_at).isoformat()}]})


# ---------------------------------------------------------------- recording

def guess_asset_kind(notice) -> str:
    """A sensible default from who did what; the unit can correct it in its answer. When it cannot tell,
    the kind is unknown (which gets the shortest term), never "other property right" (the longest)."""
    unit, action = notice.unit, notice.action.code
    if action == "seize":
        return {"police": AssetKind.MOVABLE, "natres": AssetKind.REAL_ESTATE}.get(unit.code, AssetKind.UNKNOWN)
    if action == "freeze":
        if unit.kind in ("bank", "insurance"):
            return AssetKind.DEPOSIT
        return {"fund": AssetKind.FUND, "hrss": AssetKind.FUND, "market": AssetKind.EQUITY}.get(
            unit.code, AssetKind.UNKNOWN)
    return AssetKind.UNKNOWN


def notice_term_months(notice) -> int:
    """The months of the term a freeze or seizure notice states: from the asset kind the clerk gave, or
    the one guessed from who is asked (the register's later correction of the kind does not change what
    the unit was told)."""
    kind = notice.asset_kind if notice.asset_kind and notice.asset_kind != AssetKind.UNKNOWN else ""
    return limit_months(kind or guess_asset_kind(notice))


def served_on(notice) -> date | None:
    """The day the notice was served: the unit signed for it (Asia/Shanghai)."""
    return local_date(notice.acknowledged_at) if notice.acknowledged_at else None


def service_term(notice) -> tuple[date, date] | None:
    """(first, last day) of the term of a first freeze or seizure taken on ``notice``, from its service."""
    day = served_on(notice)
    if notice.action.code not in LIMITED_ACTIONS or day is None:
        return None
    return day, _term_end_months(day, notice_term_months(notice))


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
        effective = _parse_day(effective_on, "effective_on")
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
        expires_on = _term_end_months(starts_on, notice_term_months(notice))
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
    measure = (Measure.objects.select_for_update(of=("self",))
               .select_related("notice", "action", "unit").get(pk=measure.pk))
    if measure.priority != MeasurePriority.WAITING or measure.status != MeasureStatus.ACTIVE:
        raise ValidationError(_("Only a waiting seizure or freeze that is still held can take effect."))
    day = _parse_day(effective_on, "effective_on")
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
        measure = Measure.objects.select_for_update(of=("self",)).filter(notice_id=notice.original_id).first()
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


def _renewed_by(notice) -> bool:
    from .models import NoticeEvent

    return NoticeEvent.objects.filter(notice=notice, transition="renewal_effective").exists()


def on_renewal_served(notice, *, actor=None) -> Measure | None:
    """A renewal served (signed for) on or before the last day of the term takes effect then (民诉法解释
    Art. 485: renewed before it ends): the term runs on from the day after the old last day, whenever the
    unit answers. Served after the end, it cannot revive the measure: a new freeze or seizure is needed."""
    measure = Measure.objects.select_for_update(of=("self",)).filter(notice_id=notice.original_id).first()
    if measure is None or measure.expires_on is None or _renewed_by(notice):
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


def renewal_start_for(notice, measure) -> date:
    """The first day of the term a renewal notice states: the day after the last day it renewed (read
    before or after the renewal took effect)."""
    if measure.renewals and measure.previous_expires_on and _renewed_by(notice):
        return measure.previous_expires_on + timedelta(days=1)
    return measure.expires_on + timedelta(days=1)


def on_renewal_confirmed(notice) -> Measure | None:
    """A renewal answered done: it took effect when it was served (``on_renewal_served``); nothing more to do
    unless it was served without the register hearing of it."""
    return on_renewal_served(notice)


def on_renewal_refused(notice, *, actor=None) -> Measure | None:
    """The unit answers it could not renew (e.g. the account was closed): the extension the service made
    is undone, and the measure ends with its old term."""
    measure = Measure.objects.select_for_update(of=("self",)).filter(notice_id=notice.original_id).first()
    if measure is None or not _renewed_by(notice) or measure.renewals == 0:
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
        case = Case.objects.select_for_update(of=("self",)).get(pk=measure.case_id)
    notices = create_notices(actor=actor, case=case, issued_at=timezone.now(), specs=[dict(
        unit=measure.unit, action=measure.action, kind=kind, original=measure.notice, subject=subject, **extra)])
    delivery.queue([n.pk for n in notices], purpose="issue")
    return notices[0]


# ---------------------------------------------------------------- renewal

def renewal_refusal(measure, *, today: date | None = None) -> str | None:
    """Why ``measure`` cannot be renewed now, or None. Uses the ``renewal_open`` / ``release_sent``
    annotations of ``measures_for_list`` when present (a list page asks no query per row)."""
    from .models import NoticeKind
    from .workflow import OPEN

    today = today or local_today()
    if measure.status == MeasureStatus.RELEASED:
        return _("A released measure cannot be renewed.")
    if measure.expires_on is None:
        if measure.priority == MeasurePriority.WAITING and measure.action.code in LIMITED_ACTIONS:
            return _("A waiting seizure has no term yet; it is renewed once it has taken effect.")
        return _("Only a freeze or seizure with a term can be renewed.")
    if measure.status == MeasureStatus.LAPSED or measure.expires_on < today:
        return _("The %(action)s ended on %(date)s and can no longer be renewed; a new freeze or seizure is "
                 "needed.") % {"action": measure.action.name, "date": measure.expires_on.isoformat()}
    if not measure.case.keeps_measures:
        return _("The case is concluded; its measures are released, not renewed.")
    being_released = getattr(measure, "release_sent", None)
    if being_released is None:
        being_released = measure.notice.follow_ups.filter(kind=NoticeKind.RELEASE).exists()
    if measure.release_notice_id or being_released:
        return _("This measure is being released; it cannot be renewed.")
    renewal_open = getattr(measure, "renewal_open", None)
    if renewal_open is None:
        renewal_open = measure.notice.follow_ups.filter(kind=NoticeKind.RENEWAL, status__in=OPEN).exists()
    if renewal_open:
        return _("A renewal notice for this measure is already open.")
    return None


def is_renewable(measure, *, today: date | None = None) -> bool:
    return renewal_refusal(measure, today=today) is None


def renewal_term(measure) -> tuple[date, date]:
    """The term a renewal would give: from the day after the old last day, for the legal limit."""
    start = measure.expires_on + timedelta(days=1)
    return start, term_end(start, measure.asset_kind)


@transaction.atomic
def measure_renew(*, actor, measure: Measure, ruling=None, ruling_file=None):
    """One click: a renewal notice (续冻/续封) to the unit holding the measure, before it expires, with the
    renewal ruling (民诉法解释 Art. 485: 续行 by ruling): uploaded, filed, or drawn up by the portal."""
    from .models import NoticeKind
    from .rulings import measure_facts, ruling_for

    if not actor.has_perm("cases.add_notice"):
        raise PermissionDenied(_("Your role does not allow this."))
    case = _lock_case_of(measure)
    measure = (Measure.objects.select_for_update(of=("self",))
               .select_related("notice", "unit", "action", "case").get(pk=measure.pk))
    refusal = renewal_refusal(measure)
    if refusal:
        raise ValidationError(refusal)
    start, end = renewal_term(measure)
    facts = measure_facts([measure])
    facts[0].update(starts=chinese_date(start), ends=chinese_date(end))
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
    return Case.objects.select_for_update(of=("self",)).get(pk=case_id)


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
    measure = (Measure.objects.select_for_update(of=("self",))
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


def renewal_horizon(today: date | None = None) -> date:
    """The last expiry day a renewal reminder is due for by ``today``: the widest reminder threshold
    (``REMINDER_WORKING_DAYS``, 30 working days by default) from today, Asia/Shanghai."""
    return working_days_after(today or local_today(), max(REMINDER_WORKING_DAYS))


def renewal_due_q(today: date | None = None, *, horizon: date | None = None) -> Q:
    """Measures near expiry, whose renewal the clerk must see to: active, with a term ending by the
    renewal horizon, no release under way, and in a case that keeps its measures (open, or concluded 终本;
    a case concluded completed or terminated releases them: nothing to renew). The one rule of the daily
    reminders, the register's ``?expiring=1`` and the clerk's to-do count (which passes the ``horizon``
    it has already read)."""
    horizon = horizon or renewal_horizon(today)
    return (Q(status=MeasureStatus.ACTIVE, expires_on__isnull=False, expires_on__lte=horizon,
              release_notice__isnull=True) & keeping_case_q("case__"))


def keeping_case_q(prefix: str = "") -> Q:
    """Cases that keep what the units hold (``cases.lifecycle.keeps_measures`` in SQL): not concluded, or
    concluded by an ending that keeps."""
    from .lifecycle import KEEPING_OUTCOMES, TERMINATION_KEEPS_MEASURES

    return (~Q(**{f"{prefix}status": "concluded"}) | Q(**{f"{prefix}outcome__in": list(KEEPING_OUTCOMES)})
            | Q(**{f"{prefix}outcome": "terminated", f"{prefix}outcome_ground__in": list(TERMINATION_KEEPS_MEASURES)}))


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


def measures_for_case(user, case):
    """The case page's measures: the case's own and those its notices took. A resumed case's measures
    moved to it; the 终本 case they came from still shows them. Its notices as a subquery, not a join:
    the OR across a join of the notices cost PostgreSQL 1.1 ms to plan, the subquery 0.7."""
    from .models import Notice

    return (measures_for_list(user)
            .filter(Q(case=case) | Q(notice__in=Notice.objects.filter(case=case).values("id")))
            .order_by("unit__sort_order", "id"))


def measures_for_list(user):
    """The user's measures with what a row shows, and whether a renewal or release is under way (so that
    ``is_renewable`` asks no query per row)."""
    from .models import Notice, NoticeKind
    from .workflow import OPEN

    follow_ups = Notice.objects.filter(original_id=OuterRef("notice_id"))
    return (Measure.objects.visible_to(user)
            # release_notice is not joined: rows print its id only (a join more is planning time, ~0.3 ms)
            .select_related("case", "unit", "action", "party")
            .annotate(renewal_open=Exists(follow_ups.filter(kind=NoticeKind.RENEWAL, status__in=OPEN)),
                      release_sent=Exists(follow_ups.filter(kind=NoticeKind.RELEASE))))
