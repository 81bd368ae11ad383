"""Reused reads. Every one starts from a queryset scoped to the user, so another unit's row is a 404."""
from django.db.models import Avg, Count, Max, Min, Prefetch, Q
from django.http import Http404
from django.utils import timezone

from cases.models import Case, Notice, NoticeKind, ack_overdue_q, answer_overdue_q
from cases.workflow import OPEN
from linkage.prepared import PreparedCounts
from members.scoping import get_visible_or_404

from . import scoring
from .models import (
    AssessmentEvent,
    AssessmentEvidence,
    AssessmentPeriod,
    AssessmentScore,
    IndicatorCode,
    NonCooperationReport,
    ReferralTask,
)

# ---------------------------------------------------------------- reports


def reports_visible_to(user):
    return NonCooperationReport.objects.visible_to(user)


# ``?status=open``: the reports a convener has still to decide (filed, or answered by the unit).
REPORTS_TO_DECIDE = "open"


def reports_for_list(user, *, status: str = "", unit: str = ""):
    qs = reports_visible_to(user).for_list()
    if status == REPORTS_TO_DECIDE:
        qs = qs.open()
    elif status:
        qs = qs.filter(status=status)
    if unit:
        qs = qs.filter(unit__code=unit)
    return qs


def reports_to_decide_count() -> int:
    """The convener's to-do: every undecided report (``ReportQuerySet.open``), the rows of
    ``reports_for_list(status="open")`` for a convener, who sees all reports."""
    return _prepared_reports_to_decide(timezone.now())["n"]


# On every page of the convener's (the menu): compiled once (linkage.prepared).
_prepared_reports_to_decide = PreparedCounts(
    lambda now: NonCooperationReport.objects.open().aggregate(n=Count("id")))


def report_for_detail(user):
    return reports_visible_to(user).for_list().prefetch_related(
        Prefetch("notices", queryset=Notice.objects.select_related("case", "unit", "action")),
        Prefetch("tasks", queryset=ReferralTask.objects.select_related("unit", "answered_by")),
        Prefetch("events", queryset=AssessmentEvent.objects.select_related("actor")),
    )


def tasks_visible_to(user):
    return ReferralTask.objects.visible_to(user).for_list()


# ---------------------------------------------------------------- periods and scores

def can_see_all_scores(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.has_perm("assessments.view_all_scores"))


def periods_visible_to(user):
    if not user.is_authenticated:
        return AssessmentPeriod.objects.none()
    if can_see_all_scores(user) or user.has_perm("assessments.view_assessmentperiod"):
        from members.courts import filter_by_court

        return filter_by_court(AssessmentPeriod.objects.all(), user)
    return AssessmentPeriod.objects.none()


PERIODS_TO_FINALISE = "to_finalise"


def periods_to_finalise_q(today=None) -> Q:
    """Open periods whose last day has passed (Asia/Shanghai): the assessor computes and finalises them
    (Art. 36, 37). One rule for the index filter and the assessor's to-do count."""
    from .models import PeriodStatus

    return Q(status=PeriodStatus.OPEN, ends_on__lt=today or timezone.localdate())


def periods_listed(user, status: str = ""):
    """The index's periods; ``status=to_finalise``: only those waiting to be finalised."""
    periods = periods_visible_to(user)
    return periods.filter(periods_to_finalise_q()) if status == PERIODS_TO_FINALISE else periods


def periods_to_finalise_count() -> int:
    today = timezone.localdate()
    return _prepared_periods_to_finalise(timezone.now(), today, key=(today,))["n"]


# On every page of the assessor's (the menu): compiled once per day (linkage.prepared).
_prepared_periods_to_finalise = PreparedCounts(
    lambda now, today: AssessmentPeriod.objects.filter(periods_to_finalise_q(today)).aggregate(n=Count("id")))


def period_for_detail(user, pk):
    return get_visible_or_404(periods_visible_to(user).prefetch_related("indicators"), pk=pk)


def scores_for_list(user, period):
    """One period's scores in rank order. The period is the caller's: not joined again on every row."""
    return (AssessmentScore.objects.visible_to(user).filter(period=period).for_list()
            .select_related(None).select_related("unit"))


def score_for_unit(user, period, unit_code):
    return get_visible_or_404(AssessmentScore.objects.visible_to(user).filter(period=period)
                              .select_related("unit", "period"), unit__code=unit_code)


def has_snapshot(period) -> bool:
    """A finalised period serves its evidence from the rows copied at finalisation."""
    return period.is_finalised and AssessmentEvidence.objects.filter(period=period).exists()


def evidence(user, period, unit_code, indicator):
    """The rows behind one figure of one unit's score (404 when the user may not see that unit): the
    finalisation snapshot of a finalised period, else the live rows judged at the period's cut-off.
    Turn a page of them into uniform records with ``evidence_records``."""
    score = score_for_unit(user, period, unit_code)
    if indicator not in IndicatorCode.values or indicator not in score.metrics:
        raise Http404
    if has_snapshot(period):
        return score, AssessmentEvidence.objects.filter(period=period, unit=score.unit, indicator=indicator
                                                        ).order_by("-id")
    cutoff = period.as_of or scoring.cutoff_for(period)
    qs = scoring.evidence_queryset(period, score.unit, indicator, cutoff)
    if qs is None:
        raise Http404
    return score, qs.order_by("-id")


def evidence_records(period, indicator, rows) -> list:
    """Snapshot rows as they are; live rows as records of the same shape (``scoring.evidence_record``)."""
    from cases.models import AnswerOutcome

    from .models import ReportOutcome

    cutoff = period.as_of or scoring.cutoff_for(period)
    labels = {**dict(ReportOutcome.choices), **dict(AnswerOutcome.choices)}
    records = [row if isinstance(row, AssessmentEvidence) else
               scoring.EvidenceRow(**scoring.evidence_record(row, indicator, cutoff)) for row in rows]
    for record in records:
        record.outcome_label = labels.get(record.outcome, "") if record.kind != "actionitem" else ""
    return records


def evidence_rows(period, scores):
    """Every evidence row of the given scores, for the Excel export: (score, indicator, record)."""
    if has_snapshot(period):
        for score in scores:
            for code in IndicatorCode.values:
                rows = AssessmentEvidence.objects.filter(period=period, unit_id=score.unit_id, indicator=code)
                for row in rows.order_by("object_id").iterator(chunk_size=2000):
                    yield score, code, row
        return
    cutoff = period.as_of or scoring.cutoff_for(period)
    for score in scores:
        for code in IndicatorCode.values:
            if code not in score.metrics:
                continue
            qs = scoring.evidence_queryset(period, score.unit, code, cutoff)
            if qs is None:
                continue
            for row in qs.order_by("id").iterator(chunk_size=2000):
                yield score, code, scoring.EvidenceRow(**scoring.evidence_record(row, code, cutoff))


def trend(user, unit=None):
    """Scores across periods (oldest first): each period's mean, lowest and highest, and ``unit``'s."""
    qs = AssessmentScore.objects.visible_to(user)
    rows = list(qs.order_by().values("period_id", "period__name", "period__starts_on")
                .annotate(mean=Avg("score"), low=Min("score"), high=Max("score"))
                .order_by("period__starts_on", "period_id"))
    if unit is not None:
        own = dict(qs.filter(unit=unit).values_list("period_id", "score"))
        for row in rows:
            row["unit_score"] = own.get(row["period_id"])
    return rows


# ---------------------------------------------------------------- convener's dashboard (Art. 9)

def _on_courts(court_ids):
    """A Q builder limiting a path's court key to ``court_ids`` (``None``: no limit)."""
    def on(path: str) -> Q:
        return Q() if court_ids is None else Q(**{f"{path}_id__in": list(court_ids)})
    return on


def dashboard(now=None, court_ids=None) -> dict:
    """The figures of the conveners' dashboard, a fixed handful of grouped queries, for one court's
    conference (``court_ids``: the viewer's courts, ``members.courts.court_ids``; ``None``: every court)."""
    now = now or timezone.now()
    on = _on_courts(court_ids)
    overdue = list(
        Notice.objects.filter(on("unit__court"), ack_overdue_q(now) | answer_overdue_q(now)).order_by()
        .values("unit__code", "unit__name")
        .annotate(ack=Count("id", filter=ack_overdue_q(now)), answer=Count("id", filter=answer_overdue_q(now)))
        .order_by("-answer", "-ack", "unit__code"))
    releases = list(
        Notice.objects.filter(on("unit__court"), kind=NoticeKind.RELEASE, status__in=OPEN).order_by()
        .values("unit__code", "unit__name")
        .annotate(open=Count("id"), overdue=Count("id", filter=Q(due_at__lt=now, paused_since__isnull=True)))
        .order_by("-open", "unit__code"))
    key_cases = (Case.objects.filter(on("court"), status="open").filter(Q(listed_supervision=True) | Q(categories__isnull=False))
                 .distinct())
    data = {
        "overdue_by_unit": overdue,
        "overdue_total": sum(r["ack"] + r["answer"] for r in overdue),
        "releases_by_unit": releases,
        "releases_total": sum(r["open"] for r in releases),
        "key_cases_total": key_cases.count(),
        "reports_open": NonCooperationReport.objects.filter(on("unit__court")).open().count(),
        "action_items": None,
    }
    model = scoring.action_items_model()
    if model is not None:
        data["action_items"] = list(
            model.objects.filter(on("unit__court"), status__in=["open", "returned"], minutes__status="issued").order_by()
            .values("unit__code", "unit__name")
            .annotate(open=Count("id"), overdue=Count("id", filter=Q(due_at__lt=now)))
            .order_by("-overdue", "-open", "unit__code"))
        data["action_items_total"] = sum(r["open"] for r in data["action_items"])
    return data


def dashboard_rows(what: str, unit_code: str = "", now=None, court_ids=None):
    """The rows behind a dashboard number (of the viewer's courts, as ``dashboard``)."""
    now = now or timezone.now()
    on = _on_courts(court_ids)
    if what == "overdue":
        qs = Notice.objects.filter(on("unit__court"), ack_overdue_q(now) | answer_overdue_q(now)).for_list()
    elif what == "releases":
        qs = Notice.objects.filter(on("unit__court"), kind=NoticeKind.RELEASE, status__in=OPEN).for_list()
    elif what == "key-cases":
        qs = (Case.objects.filter(on("court"), status="open").filter(Q(listed_supervision=True) | Q(categories__isnull=False))
              .distinct().prefetch_related("categories"))
        if unit_code:
            qs = qs.filter(notices__unit__code=unit_code)
        return qs
    elif what == "reports":
        qs = NonCooperationReport.objects.filter(on("unit__court")).open().for_list()
    elif what == "actions":
        model = scoring.action_items_model()
        if model is None:
            raise Http404
        qs = model.objects.filter(on("unit__court"), status__in=["open", "returned"], minutes__status="issued").select_related(
            "unit", "meeting")
    else:
        raise Http404
    if unit_code:
        qs = qs.filter(unit__code=unit_code)
    return qs


def sanctions_visible_to(user):
    """Fines and detention (民事诉讼法 Arts. 117-119): the court's roles only."""
    from members.courts import filter_by_court
    from members.roles import is_court_user

    from .models import CourtSanction

    if not (user.is_authenticated and is_court_user(user)):
        return CourtSanction.objects.none()
    return filter_by_court(CourtSanction.objects.select_related("report__unit", "case", "document__case"), user,
                           "case__court")


def sanctions_waiting_count() -> int:
    from .models import CourtSanction

    return CourtSanction.objects.filter(status="proposed").count()
