"""Writes and state transitions of non-cooperation reports, referral tasks and assessment periods.

Each service takes the acting user, runs in one transaction, checks permission and state against the
tables in ``workflow``, writes the immutable event row, and enqueues background work on commit.
"""
import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Notice
from linkage.statemachine import InvalidTransition, change_state
from members.models import Unit
from members.scoping import can_handle_unit

from . import scoring
from .models import (
    DEFAULT_SCHEME,
    DISCIPLINE_UNIT,
    ORGANIZATION_UNIT,
    AssessmentEvent,
    AssessmentEvidence,
    AssessmentPeriod,
    AssessmentScore,
    CourtSanction,
    Indicator,
    IndicatorCode,
    NonCooperationReport,
    ReferralTask,
    ReportKind,
    ReportOutcome,
    SanctionKind,
    SanctionStatus,
)
from .workflow import MACHINES, PeriodStatus, TaskStatus


def _require(actor, perm: str):
    if not actor.has_perm(perm):
        raise PermissionDenied(_("Your role does not allow this."))


def _event(*, actor, transition: str, from_status: str, to_status: str, note: str = "", **subject):
    return AssessmentEvent.objects.create(actor=actor, transition=transition, from_status=from_status,
                                          to_status=to_status, note=note, **subject)


def _move(obj, table: str, name: str, *, actor, note: str = "", subject: str, **fields):
    """Move a locked report, task or period along its table, with its event row."""
    return change_state(obj, MACHINES[table], name, actor=actor, event=AssessmentEvent, subject=subject, note=note,
                        **fields)


# ---------------------------------------------------------------- non-cooperation reports (Art. 37)

@transaction.atomic
def report_file(*, actor, unit: Unit, kind: str, detail: str, notices=(), concerns_cadres: bool = False
                ) -> NonCooperationReport:
    """The court (clerk) or the office reports a unit, citing the notices behind the report."""
    _require(actor, "assessments.add_noncooperationreport")
    errors = {}
    if unit is None or not unit.active:
        errors["unit"] = [_("Choose an active member unit.")]
    if kind not in ReportKind.values:
        errors["kind"] = [_("Choose non_execution, passive, refusal or obstruction.")]
    if not (detail or "").strip():
        errors["detail"] = [_("State the facts of the report.")]
    ids = sorted({int(getattr(n, "pk", n)) for n in notices or ()})
    cited = list(Notice.objects.filter(pk__in=ids)) if ids else []
    if unit is not None and (len(cited) != len(ids) or any(n.unit_id != unit.pk for n in cited)):
        errors["notices"] = [_("Cite only notices sent to the unit reported.")]
    if errors:
        raise ValidationError(errors)
    report = NonCooperationReport.objects.create(unit=unit, kind=kind, detail=detail.strip(),
                                                 concerns_cadres=concerns_cadres, filed_by=actor)
    report.notices.set(cited)
    _event(actor=actor, transition="file", from_status="", to_status=report.status, report=report)
    return report


def _locked_report(report) -> NonCooperationReport:
    return NonCooperationReport.objects.select_for_update(of=("self",), no_key=True).select_related("unit").get(pk=report.pk)


@transaction.atomic
def report_answer(*, actor, report: NonCooperationReport, detail: str) -> NonCooperationReport:
    """The reported unit's liaison states the unit's side before the convener decides."""
    _require(actor, "assessments.answer_noncooperationreport")
    report = _locked_report(report)
    if not (actor.is_superuser or can_handle_unit(actor, report.unit_id)):
        raise PermissionDenied(_("Only the liaison officer of %(unit)s can do this.") % {"unit": report.unit})
    if not (detail or "").strip():
        raise ValidationError({"detail": [_("Write the unit's statement.")]})
    return _move(report, "report", "answer", actor=actor, subject="report", unit_answer=detail.strip(),
                 answered_by=actor, answered_at=timezone.now())


@transaction.atomic
def report_decide(*, actor, report: NonCooperationReport, outcome: str, detail: str = "") -> NonCooperationReport:
    """A convener decides the handling (Art. 37, 39); a referral becomes a task for the discipline unit
    and, when the report concerns cadres, for the organization department (Art. 10, 11)."""
    _require(actor, "assessments.decide_noncooperationreport")
    report = _locked_report(report)
    if outcome not in ReportOutcome.values:
        raise ValidationError({"outcome": [_("Choose criticism, admonishment, referral, civil_procedure or "
                                             "unfounded.")]})
    now = timezone.now()
    report = _move(report, "report", "decide", actor=actor, subject="report", note=detail,
                   outcome=outcome, outcome_detail=(detail or "").strip(), decided_by=actor, decided_at=now)
    if outcome == ReportOutcome.REFERRAL:
        codes = [DISCIPLINE_UNIT] + ([ORGANIZATION_UNIT] if report.concerns_cadres else [])
        from members.courts import base_code

        county = Unit.objects.filter(court_id=report.unit.court_id).order_by("id")
        for unit in [u for u in county if base_code(u.code) in codes]:
            task, created = ReferralTask.objects.get_or_create(report=report, unit=unit,
                                                               defaults={"created_at": now})
            if created:
                _event(actor=actor, transition="refer", from_status="", to_status=task.status, task=task,
                       note=report.outcome_detail)
    return report


@transaction.atomic
def task_answer(*, actor, task: ReferralTask, detail: str) -> ReferralTask:
    """The discipline (or organization) unit's liaison answers a referral."""
    task = ReferralTask.objects.select_for_update(of=("self",), no_key=True).select_related("unit").get(pk=task.pk)
    if not (actor.is_superuser or can_handle_unit(actor, task.unit_id)):
        raise PermissionDenied(_("Only the liaison officer of %(unit)s can do this.") % {"unit": task.unit})
    if not (detail or "").strip():
        raise ValidationError({"detail": [_("Say how the referral was handled.")]})
    return _move(task, "task", "answer", actor=actor, subject="task", answer=detail.strip(), answered_by=actor,
                 answered_at=timezone.now())


# ---------------------------------------------------------------- assessment periods (Art. 36)

def _date(value, field, errors):
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        errors[field] = [_("Enter a date as YYYY-MM-DD.")]
        return None


@transaction.atomic
def period_create(*, actor, name: str, starts_on, ends_on) -> AssessmentPeriod:
    """A new period with the default scheme, which the assessor may then edit."""
    _require(actor, "assessments.add_assessmentperiod")
    errors = {}
    if not (name or "").strip():
        errors["name"] = [_("Name the period, e.g. 2026 first half.")]
    starts_on = _date(starts_on, "starts_on", errors)
    ends_on = _date(ends_on, "ends_on", errors)
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = [_("The period cannot end before it starts.")]
    if errors:
        raise ValidationError(errors)
    period = AssessmentPeriod.objects.create(name=name.strip(), starts_on=starts_on, ends_on=ends_on,
                                             created_by=actor, court_id=actor.court_id)
    Indicator.objects.bulk_create([Indicator(period=period, code=code, weight=weight, per_item=per_item)
                                   for code, (weight, per_item) in DEFAULT_SCHEME.items()])
    _event(actor=actor, transition="create", from_status="", to_status=period.status, period=period)
    return period


def _decimal(value, field, errors, code):
    try:
        number = Decimal(str(value)).quantize(Decimal("0.01"))
        if number < 0 or number > 1000:
            raise InvalidOperation
        return number
    except (InvalidOperation, ValueError, TypeError):
        errors.setdefault(field, []).append(_("%(code)s: enter a number from 0 to 1000.") % {"code": code})
        return None


@transaction.atomic
def scheme_update(*, actor, period: AssessmentPeriod, indicators: list[dict]) -> AssessmentPeriod:
    """The assessor edits the period's indicators: ``[{code, weight, per_item?, min_sample?, enabled?}]``."""
    _require(actor, "assessments.change_assessmentperiod")
    period = AssessmentPeriod.objects.select_for_update(of=("self",), no_key=True).get(pk=period.pk)
    MACHINES["period"].transition_for(period.status, "edit_scheme")
    current = {i.code: i for i in period.indicators.all()}
    errors, changed = {}, []
    for entry in indicators or []:
        code = entry.get("code")
        if code not in IndicatorCode.values:
            errors.setdefault("indicators", []).append(_("Unknown indicator “%(code)s”.") % {"code": code})
            continue
        row = current.get(code) or Indicator(period=period, code=code, weight=0)
        if "weight" in entry:
            row.weight = _decimal(entry["weight"], "indicators", errors, code)
        if "per_item" in entry:
            row.per_item = _decimal(entry["per_item"], "indicators", errors, code)
        if "min_sample" in entry:
            try:
                row.min_sample = max(1, int(entry["min_sample"]))
            except (TypeError, ValueError):
                errors.setdefault("indicators", []).append(_("%(code)s: enter a whole number.") % {"code": code})
        if "enabled" in entry:
            row.enabled = bool(entry["enabled"])
        changed.append(row)
    if errors:
        raise ValidationError(errors)
    for row in changed:
        row.save()
    note = "; ".join(f"{r.code}={r.weight}/{r.per_item}/{r.min_sample}{'' if r.enabled else ' off'}"
                     for r in changed)
    _event(actor=actor, transition="edit_scheme", from_status=period.status, to_status=period.status,
           note=note, period=period)
    return period


@transaction.atomic
def period_compute(*, actor, period: AssessmentPeriod) -> AssessmentPeriod:
    """Ask for the scores to be (re)computed; the Celery task runs once this transaction commits."""
    from .tasks import compute_period

    _require(actor, "assessments.compute_assessmentperiod")
    period = AssessmentPeriod.objects.select_for_update(of=("self",), no_key=True).get(pk=period.pk)
    MACHINES["period"].transition_for(period.status, "compute")
    period.compute_requested_at = timezone.now()
    period.save(update_fields=["compute_requested_at"])
    _event(actor=actor, transition="compute", from_status=period.status, to_status=period.status, period=period)
    period_id = period.pk
    transaction.on_commit(lambda: compute_period.delay(period_id), robust=True)
    return period


def _write_scores(period: AssessmentPeriod, now=None) -> int:
    """Replace the period's scores with freshly computed ones (the caller holds the period's lock)."""
    indicators = list(period.indicators.all())
    rows, cutoff = scoring.compute(period, indicators, scoring.scored_units(period.court_id), now=now)
    computed_at = timezone.now()
    AssessmentScore.objects.filter(period=period, frozen=False).delete()
    AssessmentScore.objects.bulk_create([
        AssessmentScore(period=period, unit=r["unit"], score=r["score"], rank=r["rank"],
                        data_quality=r["data_quality"], metrics=r["metrics"], computed_at=computed_at)
        for r in rows
    ])
    period.computed_at, period.as_of = computed_at, cutoff
    period.save(update_fields=["computed_at", "as_of"])
    return len(rows)


@transaction.atomic
def scores_refresh(*, period_id: int, now=None) -> int:
    """The task's body: recompute an open period's scores. Safe to run twice; a finalised period is left
    exactly as it was (its snapshot never moves)."""
    period = AssessmentPeriod.objects.select_for_update(of=("self",), no_key=True).filter(pk=period_id).first()
    if period is None or period.status != PeriodStatus.OPEN:
        return 0
    return _write_scores(period, now=now)


def _snapshot_evidence(period: AssessmentPeriod, batch_size: int = 2000) -> int:
    """Copy every row behind every figure, as judged at the period's cut-off, into ``AssessmentEvidence``:
    from now on the evidence pages and exports read the copy, so later clerk actions (a decided objection,
    a granted extension, a returned answer) cannot change what the frozen scores were computed from."""
    cutoff = period.as_of
    batch, written = [], 0
    for score in AssessmentScore.objects.filter(period=period).select_related("unit").order_by("unit_id"):
        for code in IndicatorCode.values:
            if code not in score.metrics:
                continue
            qs = scoring.evidence_queryset(period, score.unit, code, cutoff)
            if qs is None:
                continue
            for row in qs.order_by("id").iterator(chunk_size=batch_size):
                batch.append(AssessmentEvidence(period=period, unit=score.unit, indicator=code,
                                                **scoring.evidence_record(row, code, cutoff)))
                if len(batch) >= batch_size:
                    written += len(AssessmentEvidence.objects.bulk_create(batch))
                    batch = []
    written += len(AssessmentEvidence.objects.bulk_create(batch))
    return written


@transaction.atomic
def period_finalise(*, actor, period: AssessmentPeriod, note: str = "") -> AssessmentPeriod:
    """The assessor finalises: the scores are computed one last time and frozen as the period's record,
    with a snapshot of every evidence row behind them (``_snapshot_evidence``)."""
    _require(actor, "assessments.finalise_assessmentperiod")
    period = AssessmentPeriod.objects.select_for_update(of=("self",), no_key=True).get(pk=period.pk)
    MACHINES["period"].transition_for(period.status, "finalise")
    _write_scores(period)
    AssessmentScore.objects.filter(period=period).update(frozen=True)
    _snapshot_evidence(period)
    return _move(period, "period", "finalise", actor=actor, note=note, subject="period",
                 finalised_by=actor, finalised_at=timezone.now())


__all__ = ["report_file", "report_answer", "report_decide", "task_answer", "period_create", "scheme_update",
           "period_compute", "scores_refresh", "period_finalise", "TaskStatus"]


# ---------------------------------------------------------------- fines and detention (民事诉讼法 Arts. 117-119)

SANCTION_LIMITS = {"person_fine": Decimal("100000"), "unit_fine_min": Decimal("50000"),
                   "unit_fine_max": Decimal("1000000"), "days": 15}


@transaction.atomic
def sanction_propose(*, actor, report: NonCooperationReport, kind: str, facts: str, person: str = "",
                     amount=None, days=None, case=None) -> CourtSanction:
    """The clerk proposes a fine or detention of a unit the conference referred to the court (outcome
    ``civil_procedure``); the president approves it (Art. 119). Art. 118's limits are checked here."""
    from cases.models import Case

    _require(actor, "assessments.add_noncooperationreport")
    report = _locked_report(report)
    if report.outcome != ReportOutcome.CIVIL_PROCEDURE:
        raise InvalidTransition(_("Only a report the conference referred to the court leads to a fine or "
                                  "detention."))
    errors = {}
    person = (person or "").strip()
    facts = (facts or "").strip()
    if kind not in SanctionKind.values:
        errors["kind"] = [_("Choose a fine or detention.")]
    if not facts:
        errors["facts"] = [_("State the facts: what the unit refused or obstructed.")]
    cases = Case.objects.filter(notices__in=report.notices.all()).distinct()
    if case not in (None, ""):
        case_id = case.pk if isinstance(case, Case) else case
        chosen = cases.filter(pk=case_id).first()
        if chosen is None:
            errors["case"] = [_("Choose a case of the notices the report cites.")]
    else:
        chosen = cases.order_by("id").first()
        if chosen is None:
            errors["case"] = [_("The report cites no notice: the decision is made in a case.")]
    if kind == SanctionKind.FINE:
        try:
            amount = Decimal(str(amount)).quantize(Decimal("0.01"))
        except Exception:
            errors["amount"] = [_("Enter the fine in yuan.")]
        else:
            if person and not 0 < amount <= SANCTION_LIMITS["person_fine"]:
                errors["amount"] = [_("A person is fined at most 100,000 yuan (民事诉讼法 Art. 118).")]
            elif not person and not SANCTION_LIMITS["unit_fine_min"] <= amount <= SANCTION_LIMITS["unit_fine_max"]:
                errors["amount"] = [_("A unit is fined from 50,000 to 1,000,000 yuan (民事诉讼法 Art. 118).")]
        days = None
    elif kind == SanctionKind.DETENTION:
        if not person:
            errors["person"] = [_("Detention is of a person: the unit's principal or the person directly "
                                  "responsible (民事诉讼法 Art. 117).")]
        try:
            days = int(days)
            if not 1 <= days <= SANCTION_LIMITS["days"]:
                raise ValueError
        except (TypeError, ValueError):
            errors["days"] = [_("Detention lasts one to fifteen days (民事诉讼法 Art. 118).")]
        amount = None
    if errors:
        raise ValidationError(errors)
    sanction = CourtSanction.objects.create(report=report, case=chosen, kind=kind, person=person[:60],
                                            amount=amount, days=days, facts=facts, proposed_by=actor)
    _event(actor=actor, transition="sanction", from_status=report.status, to_status=report.status, report=report,
           note=f"{sanction.get_kind_display()} {person or report.unit.name}")
    return sanction


@transaction.atomic
def sanction_approve(*, actor, sanction: CourtSanction) -> CourtSanction:
    """The president approves: the 罚款决定书 or 拘留决定书 is drawn up, numbered and sealed."""
    from cases import rulings

    _require(actor, "assessments.approve_courtsanction")
    sanction = CourtSanction.objects.select_for_update(of=("self",), no_key=True).select_related("report__unit", "case").get(
        pk=sanction.pk)
    if sanction.status != SanctionStatus.PROPOSED:
        raise InvalidTransition(_("This sanction has already been %(status)s.") % {
            "status": sanction.get_status_display()})
    unit = sanction.report.unit
    who = sanction.person and f"{unit.name}{sanction.person}" or unit.name
    order = (f"对{who}罚款人民币{sanction.amount:,.2f}元。" if sanction.kind == SanctionKind.FINE
             else f"对{who}拘留{sanction.days}日。")
    sanction.document = rulings.ruling_draw_up(actor=actor, case=sanction.case, kind=f"sanction_{sanction.kind}", facts={
        "recitals": [f"本院在执行{sanction.case.number}一案中，{rulings.masked(sanction.facts)}"],
        "orders": [order],
        "legal_basis": "《中华人民共和国民事诉讼法》第一百一十七条、第一百一十八条、第一百一十九条",
        "decision": "决定如下",
        "closing": "如不服本决定，可以在收到决定书之日起三日内，向上一级人民法院申请复议一次。复议期间，不停止决定的执行。",
        "signer_title": "院长", "is_decision": True})
    sanction.status, sanction.decided_by, sanction.decided_at = SanctionStatus.APPROVED, actor, timezone.now()
    sanction.save(update_fields=["status", "decided_by", "decided_at", "document"])
    return sanction


@transaction.atomic
def sanction_return(*, actor, sanction: CourtSanction, reason: str) -> CourtSanction:
    _require(actor, "assessments.approve_courtsanction")
    sanction = CourtSanction.objects.select_for_update(of=("self",), no_key=True).get(pk=sanction.pk)
    if sanction.status != SanctionStatus.PROPOSED:
        raise InvalidTransition(_("This sanction has already been %(status)s.") % {
            "status": sanction.get_status_display()})
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why it goes back to the clerk.")]})
    sanction.status, sanction.returned_reason = SanctionStatus.RETURNED, reason.strip()
    sanction.save(update_fields=["status", "returned_reason"])
    return sanction
