"""Browser pages for accountability and assessment. Views parse input, call services and render; every
lookup starts from a queryset scoped to the user, so another unit's object is a plain 404."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from linkage.forms import apply_service_errors
from linkage.pagination import keyset_page
from linkage.statemachine import InvalidTransition
from linkage.text import strip_controls
from members.courts import court_ids
from members.models import Unit
from members.roles import Role, has_role
from members.scoping import can_handle_unit, get_visible_or_404

from . import charts, exports, selectors, services
from .forms import DecideForm, DetailForm, PeriodForm, ReportForm, SanctionForm, SchemeForm
from .models import IndicatorCode, ReportStatus
from .scoring import EVIDENCE_FIELDS
from .workflow import PeriodStatus

PAGE_SIZE = 50


def _keyset_page(qs, request):
    return keyset_page(qs, request, PAGE_SIZE)


def _error_message(request, exc):
    if isinstance(exc, ValidationError):
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.error(request, getattr(exc, "message", None) or str(exc))


# ---------------------------------------------------------------- periods and scores

@login_required
def index(request):
    if not (selectors.can_see_all_scores(request.user) or request.user.unit_id) and not (
            selectors.periods_visible_to(request.user).exists()):
        raise Http404
    to_finalise = request.GET.get("status") == selectors.PERIODS_TO_FINALISE
    periods = selectors.periods_listed(request.user, request.GET.get("status", ""))
    form = PeriodForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("assessments.add_assessmentperiod"):
            raise PermissionDenied
        if form.is_valid():
            try:
                period = services.period_create(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _error_message(request, exc)
            else:
                messages.success(request, _("Period %(name)s created.") % {"name": period.name})
                return redirect("assessments:ranking", pk=period.pk)
    return render(request, "assessments/index.html", {
        "periods": periods, "to_finalise": to_finalise, "form": form,
        "sees_all": selectors.can_see_all_scores(request.user),
        "can_create": request.user.has_perm("assessments.add_assessmentperiod"),
        "trend_chart": charts.trend_line(selectors.trend(request.user)),
    })


@login_required
@require_safe
def mine(request):
    """A unit's liaison or leader: their unit's page in the latest computed period."""
    if not request.user.unit_id:
        raise Http404
    score = (selectors.periods_visible_to(request.user).filter(scores__unit_id=request.user.unit_id)
             .order_by("-starts_on", "-id").first())
    if score is None:
        messages.info(request, _("No assessment has been computed for your unit yet."))
        return redirect("home")
    return redirect("assessments:unit", pk=score.pk, code=request.user.unit.code)


@login_required
@require_safe
def ranking(request, pk):
    period = selectors.period_for_detail(request.user, pk)
    if not selectors.can_see_all_scores(request.user):
        if request.user.unit_id:
            return redirect("assessments:unit", pk=period.pk, code=request.user.unit.code)
        raise Http404
    columns = exports.indicator_columns(period)
    scores = exports.attach_cells(list(selectors.scores_for_list(request.user, period)), columns)
    user = request.user
    return render(request, "assessments/ranking.html", {
        "period": period, "scores": scores, "columns": columns,
        "totals": exports.ranking_totals(scores, columns), "no_sample": exports.no_sample_summary(scores),
        "score_chart": charts.score_bars(scores), "rate_chart": charts.rate_bars(scores),
        "trend_chart": charts.trend_line(selectors.trend(user)),
        "can_compute": period.status == PeriodStatus.OPEN and user.has_perm("assessments.compute_assessmentperiod"),
        "can_finalise": period.status == PeriodStatus.OPEN and user.has_perm("assessments.finalise_assessmentperiod"),
        "can_edit_scheme": period.status == PeriodStatus.OPEN and user.has_perm("assessments.change_assessmentperiod"),
        "can_export": user.has_perm("assessments.export_assessmentperiod") or user.has_perm(
            "assessments.finalise_assessmentperiod"),
        "events": period.events.select_related("actor"),
    })


@login_required
@require_POST
def period_action(request, pk, name):
    period = selectors.period_for_detail(request.user, pk)
    try:
        if name == "compute":
            services.period_compute(actor=request.user, period=period)
            messages.success(request, _("The scores are being computed."))
        elif name == "finalise":
            services.period_finalise(actor=request.user, period=period,
                                     note=strip_controls(request.POST.get("note", "")))
            messages.success(request, _("The period is finalised; its scores are now fixed."))
        else:
            raise Http404
    except (ValidationError, InvalidTransition) as exc:
        _error_message(request, exc)
    return redirect("assessments:ranking", pk=period.pk)


@login_required
def scheme(request, pk):
    period = selectors.period_for_detail(request.user, pk)
    if not request.user.has_perm("assessments.change_assessmentperiod"):
        raise PermissionDenied
    form = SchemeForm(request.POST or None, indicators=list(period.indicators.all()))
    if request.method == "POST" and form.is_valid():
        try:
            services.scheme_update(actor=request.user, period=period, indicators=form.indicators())
        except (ValidationError, InvalidTransition) as exc:
            _error_message(request, exc)
        else:
            messages.success(request, _("Scheme saved. Compute the scores again to apply it."))
            return redirect("assessments:ranking", pk=period.pk)
    return render(request, "assessments/scheme.html", {"period": period, "form": form})


@login_required
@require_safe
def unit_page(request, pk, code):
    period = selectors.period_for_detail(request.user, pk)
    score = selectors.score_for_unit(request.user, period, code)
    rows = []
    for ind in period.indicators.all():
        if ind.code in score.metrics:
            rows.append((ind, score.metrics[ind.code]))
    return render(request, "assessments/unit.html", {
        "period": period, "score": score, "place": exports.place_of(score), "rows": rows,
        "stages": score.metrics.get("stages", {}),
        "sees_all": selectors.can_see_all_scores(request.user),
        "trend_chart": charts.trend_line(selectors.trend(request.user, unit=score.unit)),
    })


@login_required
@require_safe
def evidence(request, pk, code, indicator):
    period = selectors.period_for_detail(request.user, pk)
    score, qs = selectors.evidence(request.user, period, code, indicator)
    rows, next_after = _keyset_page(qs, request)
    due_field, _done_field = EVIDENCE_FIELDS[indicator]
    return render(request, "assessments/evidence.html", {
        "period": period, "score": score, "indicator": indicator, "label": IndicatorCode(indicator).label,
        "metric": score.metrics[indicator], "rows": selectors.evidence_records(period, indicator, rows),
        "next_after": next_after, "has_due": bool(due_field), "snapshot": selectors.has_snapshot(period),
    })


@login_required
@require_safe
def export_xlsx(request, pk):
    period = selectors.period_for_detail(request.user, pk)
    if not request.user.has_perm("assessments.export_assessmentperiod"):
        raise PermissionDenied
    return exports.xlsx_response(request.user, period)


@login_required
@require_safe
def report_pdf(request, pk):
    period = selectors.period_for_detail(request.user, pk)
    if not selectors.can_see_all_scores(request.user):
        raise Http404
    response = HttpResponse(exports.render_report_pdf(request.user, period), content_type="application/pdf")
    from linkage.http import content_disposition

    response["Content-Disposition"] = content_disposition(
        f"考评报告{period.name}.pdf", as_attachment=False, fallback=f"assessment-{period.pk}.pdf")
    return response


# ---------------------------------------------------------------- non-cooperation reports

@login_required
@require_safe
def report_list(request):
    qs = selectors.reports_for_list(request.user, status=request.GET.get("status", ""),
                                    unit=request.GET.get("unit", ""))
    if request.GET.get("sanctions") == "proposed":  # the president's to-do: fines and detention to approve
        qs = qs.filter(sanctions__status="proposed").distinct()
    rows, next_after = _keyset_page(qs, request)
    return render(request, "assessments/report_list.html", {
        "reports": rows, "next_after": next_after, "statuses": ReportStatus.choices,
        "status": request.GET.get("status", ""), "unit": request.GET.get("unit", ""),
        "tasks": selectors.tasks_visible_to(request.user).filter(status="open")[:50],
        "can_file": request.user.has_perm("assessments.add_noncooperationreport"),
    })


@login_required
def report_create(request):
    if not request.user.has_perm("assessments.add_noncooperationreport"):
        raise PermissionDenied
    form = ReportForm(request.POST or None, initial={"notices": request.GET.get("notices", ""),
                                                     "unit": request.GET.get("unit", "")})
    form.fields["unit"].queryset = Unit.objects.active().of_court(request.user.court_id)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.report_file(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Report filed."))
            return redirect("assessments:report", pk=report.pk)
    return render(request, "assessments/report_form.html", {"form": form})


@login_required
def report_detail(request, pk):
    report = get_visible_or_404(selectors.report_for_detail(request.user), pk=pk)
    user = request.user
    decide_form = DecideForm()
    answer_form = DetailForm()
    sanction_form = SanctionForm()
    if request.method == "POST":
        what = request.POST.get("what")
        try:
            if what == "decide":
                decide_form = DecideForm(request.POST)
                if decide_form.is_valid():
                    services.report_decide(actor=user, report=report, **decide_form.cleaned_data)
                    messages.success(request, _("Decision recorded."))
                    return redirect("assessments:report", pk=report.pk)
            elif what == "answer":
                answer_form = DetailForm(request.POST)
                if answer_form.is_valid():
                    services.report_answer(actor=user, report=report, **answer_form.cleaned_data)
                    messages.success(request, _("Statement recorded."))
                    return redirect("assessments:report", pk=report.pk)
            elif what == "sanction":
                sanction_form = SanctionForm(request.POST)
                if sanction_form.is_valid():
                    services.sanction_propose(actor=user, report=report, **sanction_form.cleaned_data)
                    messages.success(request, _("Proposed to the president, who approves fines and detention "
                                                "(民事诉讼法 Art. 119)."))
                    return redirect("assessments:report", pk=report.pk)
            elif what in ("approve", "return"):
                sanction = get_visible_or_404(selectors.sanctions_visible_to(user).filter(report=report),
                                              pk=request.POST.get("sanction", ""))
                if what == "approve":
                    if request.POST.get("confirm") != "on":
                        raise ValidationError(_("Tick the box to approve."))
                    services.sanction_approve(actor=user, sanction=sanction)
                    messages.success(request, _("Approved: the decision is numbered and sealed."))
                else:
                    services.sanction_return(actor=user, sanction=sanction, reason=request.POST.get("reason", ""))
                    messages.success(request, _("Returned to the clerk with your reason."))
                return redirect("assessments:report", pk=report.pk)
            elif what == "task":
                task = get_visible_or_404(selectors.tasks_visible_to(user).filter(report=report),
                                          pk=request.POST.get("task", ""))
                form = DetailForm(request.POST)
                if form.is_valid():
                    services.task_answer(actor=user, task=task, **form.cleaned_data)
                    messages.success(request, _("Referral answered."))
                    return redirect("assessments:report", pk=report.pk)
                messages.error(request, _("Say how the referral was handled."))
            else:
                raise Http404
        except (ValidationError, InvalidTransition) as exc:
            _error_message(request, exc)
    open_status = report.status != ReportStatus.DECIDED
    return render(request, "assessments/report_detail.html", {
        "report": report, "decide_form": decide_form, "answer_form": answer_form,
        "can_decide": open_status and user.has_perm("assessments.decide_noncooperationreport"),
        "can_answer": report.status == ReportStatus.FILED and user.has_perm(
            "assessments.answer_noncooperationreport") and can_handle_unit(user, report.unit_id),
        "answerable_tasks": [t for t in report.tasks.all() if t.status == "open" and can_handle_unit(user, t.unit_id)],
        "sanctions": list(selectors.sanctions_visible_to(user).filter(report=report)),
        "can_propose_sanction": (report.outcome == "civil_procedure"
                                 and user.has_perm("assessments.add_courtsanction")),
        "can_approve": user.has_perm("assessments.approve_courtsanction"), "sanction_form": sanction_form,
    })


# ---------------------------------------------------------------- conveners' dashboard (Art. 9)

def _require_dashboard(user):
    if not (user.is_superuser or has_role(user, Role.CONVENER, Role.OFFICE, Role.ASSESSOR)):
        raise Http404


@login_required
@require_safe
def dashboard(request):
    _require_dashboard(request.user)
    return render(request, "assessments/dashboard.html", {"data": selectors.dashboard(court_ids=court_ids(request.user))})


DASHBOARD_TITLES = {
    "overdue": gettext_lazy("Overdue notices"), "releases": gettext_lazy("Releases outstanding"),
    "key-cases": gettext_lazy("Key cases"), "reports": gettext_lazy("Open non-cooperation reports"),
    "actions": gettext_lazy("Open action items"),
}


@login_required
@require_safe
def dashboard_rows(request, what):
    _require_dashboard(request.user)
    unit_code = request.GET.get("unit", "")
    unit = Unit.objects.filter(code=unit_code).first() if unit_code else None
    rows, next_after = _keyset_page(selectors.dashboard_rows(what, unit_code, court_ids=court_ids(request.user)), request)
    return render(request, "assessments/dashboard_rows.html", {
        "what": what, "title": DASHBOARD_TITLES.get(what, what), "unit": unit, "rows": rows,
        "next_after": next_after,
    })
