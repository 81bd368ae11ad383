"""The assessment rules, stated once: which notices, items, findings and cases each indicator counts,
and how a unit's score follows from them. See docs/assessment.md.

Everything that touches many rows is a database aggregation (``COUNT(*) FILTER``/``SUM`` grouped by
unit); Python only combines the ~30 per-unit totals into points. The same ``Q`` definitions feed the
evidence lists, so the notices behind a figure are exactly the ones it counted.
"""
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.apps import apps
from django.db.models import (
    BooleanField,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.utils import timezone

from cases.models import Notice, NoticeKind, NoticeRequest, Party, PartyRole
from cases.timeliness import Rule, notice_rules
from linkage.identity import mask_identifiers_in_text
from members.models import Unit

from .models import (
    DEDUCTION_INDICATORS,
    RATE_INDICATORS,
    UPHELD_OUTCOMES,
    DataQuality,
    IndicatorCode,
    NonCooperationReport,
)
from .workflow import ReportStatus

TWO = Decimal("0.01")
# Below this many notices in a unit's samples its whole score is flagged as a small sample.
MIN_NOTICES_TO_RANK = 5


def q2(value) -> Decimal:
    return Decimal(value).quantize(TWO, rounding=ROUND_HALF_UP)


def period_bounds(period):
    """[start, end) of the period as aware datetimes: its first day 00:00 to the day after its last."""
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(period.starts_on, time.min), tz)
    end = timezone.make_aware(datetime.combine(period.ends_on + timedelta(days=1), time.min), tz)
    return start, end


def cutoff_for(period, now=None):
    """What "late" is judged at: the end of the period, or now while it is still running."""
    _start, end = period_bounds(period)
    return min(now or timezone.now(), end)


def action_items_model():
    """``conferences.ActionItem`` if the conferences app provides it (it is optional here)."""
    try:
        return apps.get_model("conferences", "ActionItem")
    except LookupError:
        return None


# ------------------------------------------------------------------ the rules, as Q objects

NOTICE_INDICATORS = (IndicatorCode.ACK_ON_TIME, IndicatorCode.ANSWER_ON_TIME, IndicatorCode.ANSWERED_DONE,
                     IndicatorCode.RELEASE_ON_TIME)


def period_notices(period):
    """The notices of a period: those issued within it."""
    start, end = period_bounds(period)
    return Notice.objects.filter(issued_at__gte=start, issued_at__lt=end)


def action_item_rule(cutoff) -> Rule:
    """An action item is met when it is done and the unit reported on it by its due date (the office
    closing it later is the office's time, not the unit's)."""
    done = Q(status="done", closed_at__isnull=False, closed_at__lte=cutoff)
    return Rule(sample=Q(due_at__lt=cutoff) | done, ok=done & Q(reported_in_time=True))


def period_action_items(period, cutoff):
    model = action_items_model()
    if model is None:
        return None
    start, end = period_bounds(period)
    ActionReport = apps.get_model("conferences", "ActionReport")
    reported = ActionReport.objects.filter(action_item=OuterRef("pk"), at__lte=OuterRef("due_at"))
    return (model.objects.filter(minutes__status="issued", due_at__gte=start, due_at__lt=end)
            .annotate(reported_in_time=Exists(reported)))


def period_findings(period, cutoff):
    start, end = period_bounds(period)
    return NonCooperationReport.objects.filter(
        status=ReportStatus.DECIDED, outcome__in=UPHELD_OUTCOMES, decided_at__gte=start, decided_at__lt=end,
        decided_at__lte=cutoff)


def own_debtor_parties(cutoff, names):
    """Debtor parties named exactly like a unit, in cases registered by the cut-off and still open then."""
    return Party.objects.filter(role=PartyRole.DEBTOR, name__in=names, case__created_at__lt=cutoff).filter(
        Q(case__concluded_at__isnull=True) | Q(case__concluded_at__gt=cutoff))


def evidence_queryset(period, unit, code, cutoff):
    """The rows behind one indicator of one unit, each annotated ``ok`` (met or not)."""
    if code in NOTICE_INDICATORS:
        rule = notice_rules(cutoff)[code]
        return (period_notices(period).filter(unit=unit).filter(rule.sample)
                .annotate(ok=ExpressionWrapper(rule.ok, output_field=BooleanField()))
                .select_related("case", "action"))
    if code == IndicatorCode.ACTIONS_ON_TIME:
        items = period_action_items(period, cutoff)
        if items is None:
            return None
        rule = action_item_rule(cutoff)
        return (items.filter(unit=unit).filter(rule.sample)
                .annotate(ok=ExpressionWrapper(rule.ok, output_field=BooleanField()))
                .select_related("meeting"))
    if code == IndicatorCode.NONCOOPERATION:
        return period_findings(period, cutoff).filter(unit=unit).annotate(
            ok=Value(False, output_field=BooleanField()))
    if code == IndicatorCode.OWN_DEBTOR:
        from cases.models import Case

        case_ids = own_debtor_parties(cutoff, [unit.name]).values("case_id")
        return Case.objects.filter(id__in=case_ids).annotate(ok=Value(False, output_field=BooleanField()))
    raise KeyError(code)


# ------------------------------------------------------------------ aggregation

def aggregate(period, cutoff) -> dict:
    """Per unit id: the counts and stage times of the period, in a handful of grouped queries."""
    rules = notice_rules(cutoff)
    annotations = {}
    for code in NOTICE_INDICATORS:
        annotations[f"{code}__n"] = Count("id", filter=rules[code].sample)
        annotations[f"{code}__ok"] = Count("id", filter=rules[code].ok)
    annotations["notices"] = Count("id")
    per_unit: dict[int, dict] = {}
    for row in period_notices(period).order_by().values("unit_id").annotate(**annotations):
        per_unit[row.pop("unit_id")] = row
    for unit_id, totals in stage_totals(period, cutoff).items():
        per_unit.setdefault(unit_id, {}).update(totals)

    items = period_action_items(period, cutoff)
    if items is not None:
        rule = action_item_rule(cutoff)
        for row in items.order_by().values("unit_id").annotate(n=Count("id", filter=rule.sample),
                                                                ok=Count("id", filter=rule.ok)):
            slot = per_unit.setdefault(row["unit_id"], {})
            slot[f"{IndicatorCode.ACTIONS_ON_TIME}__n"] = row["n"]
            slot[f"{IndicatorCode.ACTIONS_ON_TIME}__ok"] = row["ok"]

    for row in period_findings(period, cutoff).order_by().values("unit_id").annotate(n=Count("id")):
        per_unit.setdefault(row["unit_id"], {})[f"{IndicatorCode.NONCOOPERATION}__n"] = row["n"]
    return per_unit


# ------------------------------------------------------------------ elapsed time by stage

STAGE_KEYS = ("court", "ack", "answer", "release")


def _overlap(start, end, pauses) -> timedelta:
    """How much of [start, end) the pauses [(filed, decided)] cover (pauses never overlap each other)."""
    total = timedelta()
    for p_start, p_end in pauses:
        lo, hi = max(start, p_start), min(end, p_end)
        if hi > lo:
            total += hi - lo
    return total


def notice_stages(*, kind, trigger, issued_at, acknowledged_at, answered_at, cancelled_at, cutoff,
                  pauses=()) -> dict | None:
    """Who held one notice's file for how long, up to ``cutoff``: ``{stage: timedelta}`` for the stages
    the notice went through, ``paused`` (charged to no one) and ``life`` (``trigger`` or issue to the end).

    * ``court``: from ``trigger`` (what made the notice necessary) to the issue;
    * ``ack`` (assist): issue to acknowledgement, or to the end while unacknowledged;
    * ``answer`` (assist): acknowledgement to answer, or to the end while unanswered;
    * ``release``: issue to confirmation, or to the end;
    the end being the answer, the cancellation or ``cutoff``, whichever comes first. Each pause of the
    notice's own clocks is taken off the unit stage it falls in and counted as ``paused``, so the stages
    and the pauses add up to the notice's life exactly.
    """
    if kind not in (NoticeKind.ASSIST, NoticeKind.RELEASE) or issued_at > cutoff:
        return None
    end = min(x for x in (cutoff, answered_at, cancelled_at) if x is not None)
    end = max(end, issued_at)
    pauses = [(max(p0, issued_at), min(p1, end)) for p0, p1 in pauses]
    out = {}
    start = issued_at
    if trigger is not None:
        trigger = min(trigger, issued_at)
        out["court"] = issued_at - trigger
        start = trigger
    if kind == NoticeKind.RELEASE:
        spans = {"release": (issued_at, end)}
    elif acknowledged_at is not None and acknowledged_at <= end:
        ack = max(acknowledged_at, issued_at)
        spans = {"ack": (issued_at, ack), "answer": (ack, end)}
    else:
        spans = {"ack": (issued_at, end)}
    paused = timedelta()
    for stage, (lo, hi) in spans.items():
        stopped = _overlap(lo, hi, pauses)
        out[stage] = (hi - lo) - stopped
        paused += stopped
    out["paused"] = paused
    out["life"] = end - start
    return out


def stage_totals(period, cutoff) -> dict[int, dict]:
    """Per unit id: the summed stage times of the period's notices and how many notices each sums.

    Two queries whatever the volume: the notices (with the moment that made each necessary: the latest
    answer to another notice of the case by the time of issue, or the case's registration for its first
    notices, or the case's conclusion for a release) streamed, and the requests that stopped their clocks.
    """
    prior = (Notice.objects.filter(case_id=OuterRef("case_id"), answered_at__isnull=False,
                                   answered_at__lte=OuterRef("issued_at"))
             .exclude(pk=OuterRef("pk")).order_by("-answered_at").values("answered_at")[:1])
    start, end = period_bounds(period)
    pauses: dict[int, list] = {}
    for notice_id, filed, decided in (NoticeRequest.objects.filter(
            notice__issued_at__gte=start, notice__issued_at__lt=end, filed_at__lte=cutoff)
            .order_by("filed_at").values_list("notice_id", "filed_at", "decided_at")):
        pauses.setdefault(notice_id, []).append((filed, min(decided or cutoff, cutoff)))
    rows = (period_notices(period).filter(kind__in=[NoticeKind.ASSIST, NoticeKind.RELEASE]).order_by()
            .annotate(prior_answer=Subquery(prior, output_field=DateTimeField()))
            .values_list("id", "unit_id", "kind", "issued_at", "acknowledged_at", "answered_at", "cancelled_at",
                         "case__created_at", "case__concluded_at", "prior_answer"))
    totals: dict[int, dict] = {}
    for (pk, unit_id, kind, issued, acked, answered, cancelled, registered, concluded,
         prior_answer) in rows.iterator(chunk_size=5000):
        if kind == NoticeKind.RELEASE:
            trigger = concluded
        else:
            trigger = max(registered, prior_answer) if prior_answer is not None else registered
        stages = notice_stages(kind=kind, trigger=trigger, issued_at=issued, acknowledged_at=acked,
                               answered_at=answered, cancelled_at=cancelled, cutoff=cutoff,
                               pauses=pauses.get(pk, ()))
        if stages is None:
            continue
        slot = totals.setdefault(unit_id, {"paused": timedelta()})
        for key in STAGE_KEYS:
            if key in stages:
                slot[key] = slot.get(key, timedelta()) + stages[key]
                slot[f"{key}_n"] = slot.get(f"{key}_n", 0) + 1
        slot["paused"] += stages["paused"]
    return totals


def own_debtor_counts(cutoff, units) -> dict[int, int]:
    by_name = {u.name: u.pk for u in units}
    rows = (own_debtor_parties(cutoff, list(by_name)).order_by().values("name")
            .annotate(n=Count("case_id", distinct=True)))
    return {by_name[r["name"]]: r["n"] for r in rows}


def _hours(total, n):
    if not n or total is None:
        return None
    return round(total.total_seconds() / 3600 / n, 1)


def compute(period, indicators, units, now=None) -> tuple[list[dict], object]:
    """Score every unit; returns ([{unit, score, rank, data_quality, metrics}], cutoff)."""
    cutoff = cutoff_for(period, now)
    per_unit = aggregate(period, cutoff)
    debts = own_debtor_counts(cutoff, units)
    enabled = [i for i in indicators if i.enabled]

    # Neutral value for a unit with no sample: the mean rate of the units that have one (1.0 if none).
    neutral = {}
    for ind in enabled:
        if ind.code not in RATE_INDICATORS:
            continue
        rates = [d[f"{ind.code}__ok"] / d[f"{ind.code}__n"] for d in per_unit.values()
                 if d.get(f"{ind.code}__n")]
        neutral[ind.code] = sum(rates) / len(rates) if rates else 1.0

    rows = []
    for unit in units:
        data = per_unit.get(unit.pk, {})
        metrics, total = {}, Decimal("0")
        for ind in enabled:
            weight = Decimal(ind.weight)
            if ind.code in RATE_INDICATORS:
                n = data.get(f"{ind.code}__n", 0)
                ok = data.get(f"{ind.code}__ok", 0)
                if n == 0:
                    value, flag = neutral[ind.code], DataQuality.NO_SAMPLE
                else:
                    value = ok / n
                    flag = DataQuality.SMALL_SAMPLE if n < ind.min_sample else DataQuality.OK
                points = q2(weight * Decimal(str(value)))
                metrics[ind.code] = {"kind": "rate", "sample": n, "met": ok, "value": round(value, 4),
                                     "weight": float(weight), "points": float(points), "flag": flag}
            else:
                count = debts.get(unit.pk, 0) if ind.code == IndicatorCode.OWN_DEBTOR else \
                    data.get(f"{ind.code}__n", 0)
                points = -min(weight, q2(Decimal(ind.per_item) * count))
                metrics[ind.code] = {"kind": "deduction", "sample": count, "met": 0, "value": count,
                                     "weight": float(weight), "per_item": float(ind.per_item),
                                     "points": float(points), "flag": DataQuality.OK}
            total += points
        notices = data.get(f"{IndicatorCode.ANSWER_ON_TIME}__n", 0) + data.get(
            f"{IndicatorCode.RELEASE_ON_TIME}__n", 0)
        quality = (DataQuality.NO_SAMPLE if notices == 0 else
                   DataQuality.SMALL_SAMPLE if notices < MIN_NOTICES_TO_RANK else DataQuality.OK)
        metrics["stages"] = {
            "court_to_issue_hours": _hours(data.get("court"), data.get("court_n")),
            "unit_to_acknowledge_hours": _hours(data.get("ack"), data.get("ack_n")),
            "unit_to_answer_hours": _hours(data.get("answer"), data.get("answer_n")),
            "unit_to_release_hours": _hours(data.get("release"), data.get("release_n")),
            "paused_hours": round((data.get("paused") or timedelta()).total_seconds() / 3600, 1),
        }
        metrics["notices"] = data.get("notices", 0)
        rows.append({"unit": unit, "score": max(Decimal("0"), total), "data_quality": quality,
                     "metrics": metrics})
    rank_rows(rows)
    return rows, cutoff


def rank_rows(rows: list[dict]) -> None:
    """Highest score first; equal scores share a rank (1, 1, 3); ties listed in the units' order."""
    rows.sort(key=lambda r: (-r["score"], r["unit"].sort_order, r["unit"].code))
    previous, rank = None, 0
    for position, row in enumerate(rows, start=1):
        if row["score"] != previous:
            rank, previous = position, row["score"]
        row["rank"] = rank


def scored_units(court_id):
    """The members of one county's conference: each is assessed against its own county (Art. 36, 37)."""
    return list(Unit.objects.active().of_court(court_id).order_by("sort_order", "code"))


__all__ = ["compute", "evidence_queryset", "period_bounds", "cutoff_for", "RATE_INDICATORS",
           "DEDUCTION_INDICATORS", "q2"]


# For each indicator: the row's deadline field and the field saying when it was done (for the lists).
EVIDENCE_FIELDS = {
    IndicatorCode.ACK_ON_TIME: ("ack_due_at", "acknowledged_at"),
    IndicatorCode.ANSWER_ON_TIME: ("due_at", "answered_at"),
    IndicatorCode.ANSWERED_DONE: ("due_at", "answered_at"),
    IndicatorCode.RELEASE_ON_TIME: ("due_at", "answered_at"),
    IndicatorCode.ACTIONS_ON_TIME: ("due_at", "closed_at"),
    IndicatorCode.NONCOOPERATION: (None, "decided_at"),
    IndicatorCode.OWN_DEBTOR: (None, "created_at"),
}


def evidence_times(row, code):
    due_field, done_field = EVIDENCE_FIELDS[code]
    return (getattr(row, due_field) if due_field else None), getattr(row, done_field, None)


def evidence_record(row, code, cutoff=None) -> dict:
    """One evidence row as the lists, the exports and the finalisation snapshot carry it: what counted
    (type, id, label, detail), its due and done times (done only if by ``cutoff``) and its verdict."""
    due, done = evidence_times(row, code)
    if cutoff is not None and done is not None and done > cutoff and code not in (
            IndicatorCode.NONCOOPERATION, IndicatorCode.OWN_DEBTOR):
        done = None
    kind = row._meta.model_name
    if kind == "notice":
        label, detail = row.number, f"{row.case.number} · {row.action}"
        outcome = row.outcome if done is not None else ""
    elif kind == "actionitem":
        label, detail, outcome = row.text[:200], str(row.meeting)[:300], row.status
    elif kind == "noncooperationreport":
        label, detail, outcome = str(row)[:200], "", row.outcome
    else:  # a case
        label, detail, outcome = row.number, row.title[:300], ""
    # Masked as every reader sees free text (docs/security.md): the snapshot keeps no ID typed into it.
    return {"kind": kind, "object_id": row.pk, "label": mask_identifiers_in_text(label)[:200],
            "detail": mask_identifiers_in_text(detail)[:300], "due_at": due, "done_at": done,
            "outcome": outcome or "", "met": bool(row.ok)}


class EvidenceRow:
    """A live evidence row in the shape of a snapshot row (``AssessmentEvidence``)."""

    def __init__(self, **fields):
        self.__dict__.update(fields)
