"""Browser pages for cases and notices. Views parse input, call services and render; every lookup
starts from a queryset scoped to the user, so another unit's object is a plain 404."""
from contextlib import nullcontext

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from rest_framework.exceptions import Throttled

from linkage.forms import apply_service_errors
from linkage.http import ascii_filename, content_disposition
from linkage.pagination import keyset_page, query_id
from linkage.statemachine import InvalidTransition
from linkage.text import strip_controls
from linkage.workbudget import WorkRefused, refused_response, work_budget
from members.courts import same_court
from members.models import ActionType
from members.roles import is_court_user
from members.scoping import can_handle_unit, get_visible_or_404
from members.services import access_log

from . import entrustments, hooks, measures, pickers, selectors, services, terms
from .documents import notice_filename, render_notice_pdf
from .forms import (
    AnswerForm,
    CaseForm,
    ConcludeForm,
    InstalmentFormSet,
    IssueForm,
    NoteForm,
    PartyFormSet,
    PaymentForm,
    ProceedForm,
    PropertySearchForm,
    ResumeForm,
    ReturnForm,
    SettlementForm,
    SuspendForm,
)
from .identifiers import case_number_hint
from .lifecycle import ending_measures, endings_for
from .models import Attachment, CaseOutcome, CaseStatus, KeyCategory, MeasureStatus
from .workflow import NOTICE_MACHINE

PAGE_SIZE = 50
# The endings a case may be resumed from (执恢): 终本, and a termination for a settlement not performed.
RESUMABLE_OUTCOMES = (CaseOutcome.FINAL_NO_PROPERTY, CaseOutcome.TERMINATED)


def _keyset_page(qs, request, *, rows_from=None):
    return keyset_page(qs, request, PAGE_SIZE, rows_from=rows_from)


def _require_court(user):
    if not is_court_user(user):
        raise Http404


@login_required
@require_safe
def case_list(request):
    filters = {k: request.GET.get(k, "") for k in ("q", "status", "category")}
    todo = request.GET.get("todo", "")
    # A search by identifier is audited, throttled and for the court roles only (selectors.case_search,
    # which the API's ?q= goes through too).
    status = 200
    try:
        qs = selectors.cases_for_list(request.user, listed=request.GET.get("listed") == "1", **filters)
        if todo and is_court_user(request.user):
            qs = selectors.cases_for_todo(qs, todo)
    except Throttled as exc:
        messages.error(request, exc.detail)
        qs, status = selectors.cases_visible_to(request.user).none(), 429
    if request.GET.get("format") == "xlsx" and status == 200:
        access_log(actor=request.user, what="cases_xlsx", obj=request.GET.urlencode() or "all")
        return _cases_xlsx(qs.order_by("-id")[:20_000])
    rows, next_after = _keyset_page(qs, request, rows_from=selectors.cases_for_table(request.user))
    query = request.GET.copy()
    query.pop("after", None)
    return render(request, "cases/case_list.html", {
        "cases": rows, "next_after": next_after, "filters": filters, "query": query.urlencode(),
        "statuses": CaseStatus.choices, "categories": KeyCategory.choices,
    }, status=status)


def _cases_xlsx(rows):
    """The case list as shown (the filters applied), one row a case (``linkage.excel``)."""
    from linkage.excel import export_title, workbook_response

    headers = [_("Case number"), _("Title"), _("Debtors"), _("Amount (yuan)"), _("Status"), _("Registered")]
    body = ([c.number, c.title, "、".join(f"{p.name}（{p.masked_id}）" if p.masked_id else p.name
                                         for p in c.debtors),
             c.amount, c.get_status_display(), c.created_at]
            for c in rows)
    return workbook_response(export_title(_("Cases")), headers, body, "执行案件.xlsx",
                             ["text", "text", "text", "amount", "text", "date"], fallback="cases.xlsx")


@login_required
def case_create(request):
    if not request.user.has_perm("cases.add_case"):
        raise PermissionDenied
    form = CaseForm(request.POST or None)
    parties = PartyFormSet(request.POST or None, initial=[{"role": "applicant"}, {"role": "debtor"}])
    if request.method == "POST" and form.is_valid() and parties.is_valid():
        rows = [p for p in parties.cleaned_data if p.get("name") or p.get("id_number")]
        try:
            case = services.case_create(actor=request.user, parties=rows, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            text = _("Case %(number)s registered.") % {"number": case.number}
            hint = case_number_hint(form.cleaned_data.get("number"))  # typed (2026) or 〔2026〕: say so
            messages.success(request, f"{text} {hint}" if hint else text)
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/case_form.html", {"form": form, "parties": parties})


@login_required
@require_safe
def case_detail(request, pk):
    # The cases it came from (resumed, taken over) are read only where there are any: most cases have none.
    case = get_visible_or_404(selectors.cases_visible_to(request.user).prefetch_related("parties", "categories"),
                              pk=pk)
    # Only a case that kept its measures can have been resumed (services.case_resume): no query for the others.
    resumptions = list(case.resumptions.all()) if case.outcome in RESUMABLE_OUTCOMES else []
    notices = list(selectors.case_notices(request.user, case))
    releases = [n for n in notices if n.kind == "release"]
    case_measures = list(measures.measures_for_case(request.user, case))
    court = is_court_user(request.user)
    rulings = (list(case.attachments.filter(purpose="ruling").order_by("ruling_seq", "id")) if court else [])
    can_conclude = request.user.has_perm("cases.conclude_case")
    lifecycle = selectors.case_lifecycle(case, case_measures) if court else {}
    settling = case.is_suspended and case.suspension_kind == "settlement"
    return render(request, "cases/case_detail.html", {
        "case": case, "notices": notices, "releases": releases,
        "measures": case_measures,
        "measure_totals": measures.case_measure_totals(case, case_measures),
        "case_panels": hooks.case_panels(request, case),  # the list and the orders (credit/), via the hook
        "can_issue": case.is_open and request.user.has_perm("cases.add_notice"),
        "can_conclude": can_conclude and (case.is_open or settling),
        "can_suspend": can_conclude and case.is_open and case.group != "review",
        "can_settle": can_conclude and case.is_open and case.group == "enforcement",
        "can_proceed": can_conclude and case.is_suspended,
        "can_pay": can_conclude and case.status != "concluded" and case.group == "enforcement",
        "can_search": (can_conclude and case.outcome == CaseOutcome.FINAL_NO_PROPERTY and not resumptions
                       and case.next_search_on is not None),
        "resumptions": resumptions,
        "can_resume": (case.outcome in RESUMABLE_OUTCOMES and not resumptions
                       and (case.outcome == CaseOutcome.FINAL_NO_PROPERTY or case.outcome_ground == "settlement")
                       and request.user.has_perm("cases.add_case")),
        "can_reveal": request.user.has_perm("cases.reveal_identifier"),
        "rulings": rulings,
        # Tasks entrusted to other courts and what their units hold for this case (事项委托).
        "entrusted": entrustments.for_case(case) if court else [],
        "can_entrust": (case.is_open and request.user.has_perm("cases.add_notice")
                        and request.user.court_id == case.court_id),
        **lifecycle,
    })


@login_required
@require_POST
def case_reveal(request, pk):
    """Full identifiers of a case's parties, for a role that needs them; every use is audited."""
    case = get_visible_or_404(selectors.cases_visible_to(request.user), pk=pk)
    if not request.user.has_perm("cases.reveal_identifier"):
        raise PermissionDenied
    reason = strip_controls(request.POST.get("reason", "")).strip()
    if not reason:  # refused, and nothing shown or recorded: every reveal states why
        messages.error(request, _("Say why you need the full identifiers; the reason is recorded."))
        return render(request, "cases/case_reveal.html", {"case": case, "refused": True}, status=400)
    access_log(actor=request.user, what="reveal_identifiers", obj=case, reason=reason)
    return render(request, "cases/case_reveal.html", {"case": case, "parties": case.parties.all()})


@login_required
def notice_issue(request, pk):
    case = get_visible_or_404(selectors.cases_visible_to(request.user), pk=pk)
    if not request.user.has_perm("cases.add_notice"):
        raise PermissionDenied
    action_code = request.POST.get("action") or request.GET.get("action") or ""
    action = ActionType.objects.filter(code=action_code).first()
    form = IssueForm(request.POST or None, request.FILES or None, action=action, case=case,
                     initial={"action": action_code})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            notices = services.notice_issue_batch(
                actor=request.user, case=case, units=list(data["units"]), action=data["action"],
                subject=data["subject"], due_at=data["due_at"], ruling_file=data.get("ruling"),
                ruling=None if data.get("ruling") else data.get("existing_ruling"), party=data.get("party"),
                asset_kind=data.get("asset_kind") or "", account=data.get("account") or "", amount=data.get("amount"))
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("%(count)s notice(s) issued.") % {"count": len(notices)})
            return redirect("cases:detail", pk=case.pk)
    actions = ActionType.objects.filter(capabilities__unit__active=True).distinct()
    return render(request, "cases/notice_issue.html", {
        "case": case, "form": form, "actions": actions, "action": action,
        "ruling_required": action is not None and action.code in services.RULING_REQUIRED_ACTIONS,
    })


@login_required
def case_conclude(request, pk):
    """The conclusion page: the outcomes this kind of case may end with, what releasing and keeping each do
    to each unit's notice (the plan the service carries out), the 终本 checklist (终本规定 Art. 1), then the
    form."""
    case = get_visible_or_404(selectors.cases_visible_to(request.user), pk=pk)
    if not request.user.has_perm("cases.conclude_case"):
        raise PermissionDenied
    conditions = (selectors.final_conditions(case)
                  if CaseOutcome.FINAL_NO_PROPERTY in endings_for(case.case_type) else [])
    form = ConcludeForm(request.POST or None, request.FILES or None, case=case, conditions=conditions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.case_conclude(actor=request.user, case=case, outcome=data["outcome"],
                                            ground=data.get("ground") or "", note=data["note"],
                                            confirm=data.get("confirm") or (), ruling_file=data.get("ruling_file"))
        except InvalidTransition as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Case concluded: %(released)s release notice(s) sent, %(cancelled)s "
                                        "notice(s) cancelled, %(kept)s measure(s) kept.")
                             % {"released": len(result.release_notices),
                                "cancelled": len(result.cancelled_notices), "kept": len(result.kept_measures)})
            return redirect("cases:detail", pk=case.pk)
    allowed = endings_for(case.case_type)
    releasing = next((o for o in allowed if ending_measures(o) == "release"), None)
    keeping = next((o for o in allowed if ending_measures(o) == "keep"), None)
    plans = {o: selectors.conclusion_plan(case, o) for o in (releasing, keeping) if o}
    ending = plans.get(releasing) or plans.get(keeping)
    other = plans.get(keeping) if releasing else None
    other_verbs = {n.pk: verb for n, verb in other.rows()} if other else {}
    rows = ([{"notice": n, "ending": verb, "final": other_verbs.get(n.pk, "")} for n, verb in ending.rows()]
            if ending else [])
    return render(request, "cases/case_conclude.html", {
        "case": case, "form": form, "rows": rows, "kept_measures": other.kept_measures if other else [],
        "conditions": conditions, "has_keeping": bool(keeping), "has_releasing": bool(releasing),
        "releasing_label": CaseOutcome(releasing).label if releasing else "",
        "keeping_label": CaseOutcome(keeping).label if keeping else "",
        "money": selectors.case_money(case),
    })


def _lifecycle_page(request, case, form, template, extra=None):
    return render(request, template, {"case": case, "form": form, **(extra or {})})


def _court_case(request, pk, perm="cases.conclude_case"):
    case = get_visible_or_404(selectors.cases_visible_to(request.user), pk=pk)
    if not request.user.has_perm(perm):
        raise PermissionDenied
    return case


def _run_case_service(request, case, form, fn, success, template, **kwargs):
    """Run a lifecycle service; its refusal shows on the form (fields) or as a message (the state)."""
    try:
        fn(actor=request.user, case=case, **kwargs)
    except InvalidTransition as exc:
        messages.error(request, exc.message)
        return redirect("cases:detail", pk=case.pk)
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return None
    messages.success(request, success)
    return redirect("cases:detail", pk=case.pk)


@login_required
def case_suspend(request, pk):
    """中止执行 or 暂缓执行 with its ground (and a deferral's last day): the measures stay, the clocks stop."""
    case = _court_case(request, pk)
    form = SuspendForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = _run_case_service(request, case, form, services.case_suspend, _("The case is suspended."),
                                 "cases/case_suspend.html", kind=data["kind"], ground=data["ground"],
                                 reason=data["reason"], until=data["until"], ruling_file=data.get("ruling_file"))
        if done is not None:
            return done
    return _lifecycle_page(request, case, form, "cases/case_suspend.html")


@login_required
@require_POST
def case_proceed(request, pk):
    case = _court_case(request, pk)
    form = ProceedForm(request.POST)
    form.is_valid()
    try:
        services.case_proceed(actor=request.user, case=case, note=form.cleaned_data.get("note", ""))
    except InvalidTransition as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, _("Enforcement proceeds; the clocks of the open requests run again."))
    return redirect("cases:detail", pk=case.pk)


@login_required
def case_settlement(request, pk):
    """执行和解: the agreement and its instalments; the case is suspended while it is performed."""
    case = _court_case(request, pk)
    form = SettlementForm(request.POST or None, case=case)
    instalments = InstalmentFormSet(request.POST or None, prefix="instalments")
    if request.method == "POST" and form.is_valid() and instalments.is_valid():
        data = form.cleaned_data
        rows = [{"due_on": r["due_on"], "amount": r["amount"]} for r in instalments.cleaned_data
                if r.get("due_on") or r.get("amount")]
        done = _run_case_service(request, case, form, services.settlement_record,
                                 _("Settlement recorded; the case is suspended while it is performed."),
                                 "cases/case_settlement.html", signed_on=data["signed_on"], terms=data["terms"],
                                 instalments=rows, release_measures=list(data["release_measures"]))
        if done is not None:
            return done
    return _lifecycle_page(request, case, form, "cases/case_settlement.html", {"instalments": instalments})


@login_required
def case_payment(request, pk):
    """执行款 received: lowers the outstanding amount."""
    case = _court_case(request, pk)
    form = PaymentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = _run_case_service(request, case, form, services.payment_record, _("Payment recorded."),
                                 "cases/case_payment.html", amount=data["amount"], received_on=data["received_on"],
                                 way=data["way"], note=data["note"])
        if done is not None:
            return done
    return _lifecycle_page(request, case, form, "cases/case_payment.html", {"money": selectors.case_money(case)})


@login_required
def case_search(request, pk):
    """A property search after 终本 (every six months for five years, 终本规定 Art. 9)."""
    case = _court_case(request, pk)
    form = PropertySearchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = _run_case_service(request, case, form, services.property_search_record, _("Search recorded."),
                                 "cases/case_search.html", searched_on=data["searched_on"], result=data["result"],
                                 note=data["note"])
        if done is not None:
            return done
    return _lifecycle_page(request, case, form, "cases/case_search.html",
                           {"searches": list(case.property_searches.order_by("seq"))})


@login_required
def case_resume(request, pk):
    """Resume a 终本 case (执恢) under a new number; its measures move to the new case."""
    case = get_visible_or_404(selectors.cases_visible_to(request.user), pk=pk)
    if not request.user.has_perm("cases.add_case"):
        raise PermissionDenied
    form = ResumeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.case_resume(actor=request.user, case=case, **form.cleaned_data)
        except InvalidTransition as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Case %(old)s resumed as %(new)s; its measures moved to the new case.")
                             % {"old": case.number, "new": new.number})
            return redirect("cases:detail", pk=new.pk)
    return render(request, "cases/case_resume.html", {"case": case, "form": form})


@login_required
@require_safe
def inbox(request):
    """The unit's notices by tab, searched by case number or party name and the issue date, filtered by
    action and state; ``?format=xlsx`` exports what is shown (every page of it)."""
    from django.utils.dateparse import parse_date

    from .workflow import NoticeStatus

    tab = request.GET.get("tab", "open")
    filters = {k: strip_controls(request.GET.get(k, "")).strip()[:100]
               for k in ("q", "action", "status", "since", "until")}
    qs = selectors.inbox(request.user, tab)
    if filters["q"]:
        qs = selectors.notices_matching(qs, filters["q"])
    if filters["action"]:
        qs = qs.filter(action__code=filters["action"])
    if filters["status"] in NoticeStatus.values:
        qs = qs.filter(status=filters["status"])
    for key, lookup in (("since", "issued_at__date__gte"), ("until", "issued_at__date__lte")):
        day = parse_date(filters[key]) if filters[key] else None
        if day is not None:
            qs = qs.filter(**{lookup: day})
    if request.GET.get("format") == "xlsx":
        access_log(actor=request.user, what="inbox_xlsx", obj=request.GET.urlencode() or "all")
        return notices_xlsx(qs.order_by("-issued_at", "-id")[:20_000], _("Inbox"), "协助执行通知书.xlsx")
    rows, next_after = _keyset_page(qs, request, rows_from=selectors.notices_for_table(request.user))
    query = request.GET.copy()
    query.pop("after", None)
    counts = selectors.inbox_counts(request.user)
    request.inbox_counts = counts  # the menu's counts are the tabs' counts (portal.todo): one query
    return render(request, "cases/inbox.html", {
        "notices": rows, "next_after": next_after, "tab": tab, "counts": counts,
        "filters": filters, "query": query.urlencode(), "statuses": NoticeStatus.choices,
        "actions": ActionType.objects.order_by("id"),
    })


def notices_xlsx(rows, what, filename):
    """Notices as an office files them (``linkage.excel``): the columns of the notice table."""
    from linkage.excel import export_title, workbook_response

    headers = [_("Notice"), _("Case number"), _("Case"), _("Unit"), _("Action"), _("Status"), _("Issued"),
               _("Acknowledge by"), _("Answer by"), _("Amount (yuan)")]
    body = ([n.number, n.case.number, n.case.title, n.unit.name, n.action.name, n.get_status_display(),
             n.issued_at, n.ack_due_at, n.due_at, n.amount] for n in rows)
    return workbook_response(export_title(what), headers, body, filename,
                             ["text", "text", "text", "text", "text", "text", "datetime", "datetime", "datetime",
                              "amount"], fallback="notices.xlsx")


@login_required
@require_safe
def notice_detail(request, pk):
    notice = get_visible_or_404(selectors.notice_for_detail(request.user), pk=pk)
    return _notice_page(request, notice)


def _notice_page(request, notice, *, answer_form=None, return_form=None, status=200):
    """The notice page; with a bound form that did not validate, its errors beside its fields."""
    allowed = set(NOTICE_MACHINE.allowed(notice.status))
    handles = request.user.is_superuser or can_handle_unit(request.user, notice.unit_id)
    return render(request, "cases/notice_detail.html", {
        "notice": notice,
        "can_acknowledge": handles and "acknowledge" in allowed,
        "can_answer": handles and "answer" in allowed,
        "can_close": request.user.has_perm("cases.close_notice") and "close" in allowed,
        "can_return": request.user.has_perm("cases.close_notice") and "return" in allowed,
        "amount_required": notice.kind == "assist" and notice.action.code in services.AMOUNT_REQUIRED_ACTIONS,
        "return_form": return_form or ReturnForm(),
        "can_cancel": request.user.has_perm("cases.cancel_notice") and "cancel" in allowed,
        "answer_form": answer_form or AnswerForm(measure_fields=_takes_measure(notice)), "note_form": NoteForm(),
        "can_request": handles and notice.is_open and not notice.paused_since,
        "can_decide": request.user.has_perm("cases.cancel_notice"),
    }, status=status)


def _takes_measure(notice) -> bool:
    return notice.kind == "assist" and notice.action.holds_measure


def _run(request, notice, fn, success, **kwargs):
    """Run a transition service; its refusal becomes a message on the notice page."""
    try:
        fn(actor=request.user, notice=notice, **kwargs)
    except InvalidTransition as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, success)
    return redirect("cases:notice-detail", pk=notice.pk)


@login_required
@require_POST
def notice_transition(request, pk, name):
    notice = get_visible_or_404(selectors.notices_visible_to(request.user), pk=pk)
    note = strip_controls(request.POST.get("note", ""))
    if name == "acknowledge":
        response = _run(request, notice, services.notice_acknowledge, _("Notice acknowledged."), note=note)
    elif name == "answer":
        form = AnswerForm(request.POST, request.FILES, measure_fields=_takes_measure(notice))
        if not form.is_valid():  # the page again, each error beside its field (and said once on top)
            messages.error(request, _("The answer was not sent: see the fields marked below."))
            detail = get_visible_or_404(selectors.notice_for_detail(request.user), pk=notice.pk)
            return _notice_page(request, detail, answer_form=form)
        data = form.cleaned_data
        files = [data["attachment"]] if data.get("attachment") else []
        # An answer with attachments is expensive work (their PDF check): the client's work budget.
        try:
            with work_budget(request, "answer") if files else nullcontext():
                response = _run(request, notice, services.notice_answer, _("Answer sent."),
                                outcome=data["outcome"], detail=data["detail"],
                                result_amount=data["result_amount"], attachments=files,
                                measure=form.measure(), asset=data.get("asset") or "")
        except WorkRefused as refused:
            return refused_response(request, refused)
    elif name == "return":
        form = ReturnForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("The answer was not returned: see the fields marked below."))
            detail = get_visible_or_404(selectors.notice_for_detail(request.user), pk=notice.pk)
            return _notice_page(request, detail, return_form=form)
        response = _run(request, notice, services.notice_return, _("Answer returned for correction; the unit "
                                                                   "is told."), reason=form.cleaned_data["reason"])
    elif name == "close":
        response = _run(request, notice, services.notice_close, _("Notice closed."), note=note)
    elif name == "cancel":
        response = _run(request, notice, services.notice_cancel, _("Notice cancelled."), note=note)
    else:
        raise Http404
    return response


@login_required
@require_safe
def notice_pdf(request, pk):
    """The assistance-notice document (协助执行通知书), for the court and the target unit only."""
    notice = get_visible_or_404(selectors.notice_for_detail(request.user), pk=pk)
    access_log(actor=request.user, what="notice_pdf", obj=notice)
    # The target unit gets the stored, e-sealed document as issued (documents app); everyone else, and
    # a notice not stored yet, the rendering for the reader (court roles: masked, docs/security.md).
    from documents.services import stored_for_reader

    stored = stored_for_reader(notice, request.user)
    if stored is not None:
        with stored.file.open("rb") as handle:
            response = HttpResponse(handle.read(), content_type="application/pdf")
    else:
        response = HttpResponse(render_notice_pdf(notice, request.user), content_type="application/pdf")
    # 协助执行通知书（2026）鄂1022执123号-001.pdf, with an ASCII name for clients without RFC 5987.
    response["Content-Disposition"] = content_disposition(
        notice_filename(notice), as_attachment=False, fallback=f"notice-{notice.pk}.pdf")
    return response


@login_required
@require_safe
def attachment_download(request, pk):
    """A ruling or answer attachment, for the court and the units with a notice that carries it."""
    attachment = get_visible_or_404(Attachment.objects.select_related("case"), pk=pk)
    user = request.user
    if is_court_user(user) and not same_court(user, attachment.case.court_id):
        # Another court's file: only the ruling it sent with a task entrusted to this court (事项委托).
        if not entrustments.visible_to(user).filter(ruling=attachment).exists():
            raise Http404
    if not is_court_user(user):
        visible = selectors.notices_visible_to(user)
        if not (visible.filter(ruling=attachment).exists()
                or (attachment.notice_id and visible.filter(pk=attachment.notice_id).exists())):
            raise Http404
    access_log(actor=user, what="attachment", obj=attachment)
    if attachment.generated:
        # A ruling the portal drew up: its sealed, stored document, else rendered now (cases.rulings).
        from documents.services import stored_ruling

        from .rulings import render_ruling_pdf

        stored = stored_ruling(attachment)
        if stored is not None:
            with stored.file.open("rb") as handle:
                response = HttpResponse(handle.read(), content_type="application/pdf")
        else:
            response = HttpResponse(render_ruling_pdf(attachment), content_type="application/pdf")
    else:
        response = FileResponse(attachment.file.open("rb"), content_type="application/pdf")
    # A ruling by its document name (（2026）鄂1022执123号之一执行裁定书.pdf), else the uploaded name.
    name = f"{attachment.ruling_label}.pdf" if attachment.ruling_seq else attachment.original_name
    if not name.lower().endswith(".pdf"):
        name += ".pdf"
    response["Content-Disposition"] = content_disposition(
        name, as_attachment=False, fallback=ascii_filename(name, f"attachment-{attachment.pk}.pdf"))
    return response




@login_required
@require_safe
def measure_list(request):
    """The register: court roles see every measure, a unit its own; filter by case, unit, status."""
    qs = measures.measures_for_list(request.user)
    filters = {k: request.GET.get(k, "") for k in ("case", "unit", "status", "party")}
    if query_id(filters["case"]) is not None:
        qs = qs.filter(case_id=query_id(filters["case"]))
    if query_id(filters["party"]) is not None:
        qs = qs.filter(party_id=query_id(filters["party"]))
    if filters["unit"]:
        qs = qs.filter(unit__code=filters["unit"])
    if filters["status"]:
        qs = qs.filter(status=filters["status"])
    if request.GET.get("expiring") == "1":  # near expiry: the renewal reminders' rule (terms.renewal_due_q)
        qs = qs.filter(terms.renewal_due_q())
    if request.GET.get("format") == "xlsx":
        access_log(actor=request.user, what="measures_xlsx", obj=request.GET.urlencode() or "all")
        return _measures_xlsx(qs.order_by("case_id", "unit__sort_order", "id")[:50_000], request.user)
    rows, next_after = _keyset_page(qs, request)
    query = request.GET.copy()
    query.pop("after", None)
    return render(request, "cases/measure_list.html", {
        "measures": rows, "next_after": next_after, "filters": filters, "query": query.urlencode(),
        "statuses": MeasureStatus.choices, "can_act": request.user.has_perm("cases.add_notice"),
        "expiring": request.GET.get("expiring") == "1", "reminder_days": max(terms.REMINDER_WORKING_DAYS),
        **pickers.measure_filter_context(request.user, filters),  # the unit list, the chosen case's number
    })


def _measures_xlsx(rows, user):
    from linkage.excel import export_title, workbook_response
    from linkage.identity import mask_identifiers_in_text
    from members.scoping import unit_ids

    # The asset (an account, a plate) in full only for the unit that holds the measure (docs/security.md).
    own = set() if is_court_user(user) else set(unit_ids(user))

    def asset(m):
        return m.asset if m.unit_id in own else mask_identifiers_in_text(m.asset)

    # Starts / Expires are the first and last day of the term (inclusive); empty for a waiting seizure.
    headers = [_("Case number"), _("Unit"), _("Action"), _("Asset"), _("Asset kind"), _("Amount (yuan)"),
               _("Priority"), _("Place in the waiting queue"), _("Starts"), _("Expires"), _("Renewals"),
               _("Status"), _("Term")]
    types = ["text", "text", "text", "text", "text", "amount", "text", "int", "date", "date", "int", "text",
             "text"]
    body = ([m.case.number, m.unit.name, m.action.name, asset(m), m.get_asset_kind_display(), m.amount,
             m.priority_label, m.queue_position, m.starts_on, m.expires_on, m.renewals,
             m.get_status_display(), terms.measure_term_label(m) or "—"] for m in rows)
    return workbook_response(export_title(_("Register of enforcement measures")), headers, body,
                             "执行措施台账.xlsx", types, fallback="measures.xlsx", name=_("Measures"))


@login_required
@require_POST
def measure_action(request, pk, name):
    """Renew (续冻/续封) or release one measure alone (with its ground and release ruling): both send a
    notice to the unit holding it. ``take-effect``: a waiting seizure took effect (clerk or the holding
    unit's liaison)."""
    from .forms import MeasureReleaseForm, MeasureTakeEffectForm

    measure = get_visible_or_404(measures.measures_for_list(request.user), pk=pk)
    if name not in ("renew", "release", "take-effect"):
        raise Http404
    back = redirect("cases:detail", pk=measure.case_id)

    def release_form_page(form):
        """The release form again, with its errors, for this one measure (the file is chosen again)."""
        return render(request, "cases/measure_list.html", {
            "measures": [measure], "release_form": form, "release_measure": measure, "filters": {},
            "query": "", "statuses": MeasureStatus.choices, "can_act": True,
        })

    if name == "take-effect":
        form = MeasureTakeEffectForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(form.errors["effective_on"])
            taken = measures.measure_take_effect(actor=request.user, measure=measure,
                                                 effective_on=form.cleaned_data["effective_on"])
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            messages.success(request, _("The waiting measure took effect; its term is %(term)s.")
                             % {"term": terms.measure_term_label(taken) or "—"})
        return back
    if not request.user.has_perm("cases.add_notice"):
        raise PermissionDenied
    if name == "renew":
        try:
            notice = measures.measure_renew(actor=request.user, measure=measure)
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
            return back
    else:
        form = MeasureReleaseForm(request.POST, request.FILES, measure_id=measure.pk)
        if not form.is_valid():
            return release_form_page(form)
        data = form.cleaned_data
        try:
            notice = measures.measure_release(actor=request.user, measure=measure, ground=data["ground"],
                                              ruling_file=data.get("ruling"), note=data["note"],
                                              amount=data.get("amount"))
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):  # the measure's state, not the form: say so on the case page
                messages.error(request, "; ".join(exc.messages))
                return back
            apply_service_errors(form, exc)
            return release_form_page(form)
    messages.success(request, _("Notice %(number)s sent to %(unit)s.") % {"number": notice.number,
                                                                         "unit": measure.unit.name})
    return back


@login_required
@require_POST
def notice_request(request, pk):
    """The unit files an objection or asks for more time."""
    notice = get_visible_or_404(selectors.notices_visible_to(request.user), pk=pk)
    _run(request, notice, services.notice_request_file, _("Your request has been sent to the court."),
         kind=request.POST.get("kind", ""), grounds=strip_controls(request.POST.get("grounds", "")),
         requested_due_at=request.POST.get("requested_due_at") or None)
    return redirect("cases:notice-detail", pk=notice.pk)


@login_required
@require_POST
def notice_request_decide(request, pk, request_id, decision):
    notice = get_visible_or_404(selectors.notices_visible_to(request.user), pk=pk)
    filed = get_visible_or_404(notice.requests.all(), pk=request_id)
    if decision not in ("grant", "refuse"):
        raise Http404
    try:
        services.notice_request_decide(actor=request.user, request=filed, grant=decision == "grant",
                                       note=strip_controls(request.POST.get("note", "")),
                                       new_due_at=request.POST.get("new_due_at") or None)
    except InvalidTransition as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("cases:notice-detail", pk=notice.pk)
