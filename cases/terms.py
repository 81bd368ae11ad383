"""The legal terms of freezes and seizures, and when a renewal is due: reads, no writes.

民诉法解释 (2022) Art. 485: deposits 1 year, movable property 2 years, real estate and other property rights
3 years, counted from the day the measure took effect (served: 查封扣押冻结规定 Art. 1); renewed before it
ends, the new term runs on from the day after the old last day. The measures register (``cases.measures``),
the notices and rulings that state a term (``cases.documents``, ``cases.rulings``) and the clerk's counts
(``cases.selectors``) all read them here.
"""
import calendar
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from linkage.dates import cn_date, local_date, local_today

from .deadlines import working_days_after
from .lifecycle import KEEPING_OUTCOMES, TERMINATION_KEEPS_MEASURES
from .measure_models import AssetKind, MeasureLimit, MeasurePriority, MeasureStatus
from .models import NoticeEvent, NoticeKind
from .workflow import OPEN

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


def term_end_months(starts_on: date, months: int) -> date:
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
    return term_end_months(starts_on, limit_months(asset_kind))


def term_for(action_code: str, asset_kind: str, starts_on: date | None) -> tuple[date, date] | None:
    """``(first day, last day)`` of the legal term of a measure, or None: the action has no legal time limit
    (restrict, locate, publicize) or the measure has not taken effect (a waiting seizure)."""
    if action_code not in LIMITED_ACTIONS or starts_on is None:
        return None
    return starts_on, term_end(starts_on, asset_kind)


def expiry_for(action_code: str, asset_kind: str, starts_on: date | None) -> date | None:
    term = term_for(action_code, asset_kind, starts_on)
    return term[1] if term else None


def term_label(starts_on: date | None, expires_on: date | None) -> str:
    """The term as rulings and notices state it: 自2026年12月2日起至2027年12月1日止 (a fixed legal form,
    not interface text); empty when there is no term."""
    if starts_on is None or expires_on is None:
        return ""
    return f"自{cn_date(starts_on)}起至{cn_date(expires_on)}止"


def measure_term_label(measure) -> str:
    return term_label(measure.starts_on, measure.expires_on)


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
    return day, term_end_months(day, notice_term_months(notice))


def renewed_by(notice) -> bool:
    return NoticeEvent.objects.filter(notice=notice, transition="renewal_effective").exists()


def renewal_start_for(notice, measure) -> date:
    """The first day of the term a renewal notice states: the day after the last day it renewed (read
    before or after the renewal took effect)."""
    if measure.renewals and measure.previous_expires_on and renewed_by(notice):
        return measure.previous_expires_on + timedelta(days=1)
    return measure.expires_on + timedelta(days=1)


def renewal_refusal(measure, *, today: date | None = None) -> str | None:
    """Why ``measure`` cannot be renewed now, or None. Uses the ``renewal_open`` / ``release_sent``
    annotations of ``measures_for_list`` when present (a list page asks no query per row)."""
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
    return (~Q(**{f"{prefix}status": "concluded"}) | Q(**{f"{prefix}outcome__in": list(KEEPING_OUTCOMES)})
            | Q(**{f"{prefix}outcome": "terminated", f"{prefix}outcome_ground__in": list(TERMINATION_KEEPS_MEASURES)}))
