"""Browser pages for cases and notices. Views parse input, call services and render; every lookup
starts from a queryset scoped to the user, so another unit's object is a plain 404."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members.models import ActionType
from members.roles import is_court_user
from members.scoping import can_handle_unit, get_visible_or_404

from . import selectors, services
from .documents import render_notice_pdf
from .forms import AnswerForm, CaseForm, ConcludeForm, IssueForm, NoteForm, PartyFormSet, apply_service_errors
from .models import Attachment, CaseStatus, KeyCategory, Notice
from .workflow import InvalidTransition, allowed_transitions

PAGE_SIZE = 50


def _keyset_page(qs, request):
    """Rows older than ``?after=<id>``, newest first: constant cost however deep the page."""
    after = request.GET.get("after")
    if after and after.isdigit():
        qs = qs.filter(id__lt=int(after))
    rows = list(qs.order_by("-id")[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return rows, (rows[-1].id if more else None)


def _require_court(user):
    if not is_court_user(user):
        raise Http404


@login_required
def case_list(request):
    filters = {k: request.GET.get(k, "") for k in ("q", "status", "category")}
    qs = selectors.cases_for_list(request.user, listed=request.GET.get("listed") == "1", **filters)
    rows, next_after = _keyset_page(qs, request)
    query = request.GET.copy()
    query.pop("after", None)
    return render(request, "cases/case_list.html", {
        "cases": rows, "next_after": next_after, "filters": filters, "query": query.urlencode(),
        "statuses": CaseStatus.choices, "categories": KeyCategory.choices,
    })


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
            messages.success(request, _("Case %(number)s registered.") % {"number": case.number})
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/case_form.html", {"form": form, "parties": parties})


@login_required
def case_detail(request, pk):
    case = get_visible_or_404(selectors.cases_visible_to(request.user).prefetch_related("parties", "categories"),
                              pk=pk)
    notices = list(selectors.case_notices(request.user, case))
    releases = [n for n in notices if n.kind == "release"]
    return render(request, "cases/case_detail.html", {
        "case": case, "notices": notices, "releases": releases,
        "can_issue": case.is_open and request.user.has_perm("cases.add_notice"),
        "can_conclude": case.is_open and request.user.has_perm("cases.conclude_case"),
        "can_reveal": request.user.has_perm("cases.reveal_identifier"),
    })


@login_required
@require_POST
def case_reveal(request, pk):
    """Full identifiers of a case's parties, for a role that needs them; every use is audited."""
    case = get_visible_or_404(selectors.cases_visible_to(request.user), pk=pk)
    if not request.user.has_perm("cases.reveal_identifier"):
        raise PermissionDenied
    services.access_log(actor=request.user, what="reveal_identifiers", obj=case,
                        reason=request.POST.get("reason", ""))
    return render(request, "cases/case_reveal.html", {"case": case, "parties": case.parties.all()})


@login_required
def notice_issue(request, pk):
    case = get_visible_or_404(selectors.cases_visible_to(request.user), pk=pk)
    if not request.user.has_perm("cases.add_notice"):
        raise PermissionDenied
    action_code = request.POST.get("action") or request.GET.get("action") or ""
    action = ActionType.objects.filter(code=action_code).first()
    form = IssueForm(request.POST or None, request.FILES or None, action=action,
                     initial={"action": action_code})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            notices = services.notice_issue_batch(
                actor=request.user, case=case, units=list(data["units"]), action=data["action"],
                subject=data["subject"], due_at=data["due_at"], ruling_file=data.get("ruling"))
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("%(count)s notice(s) issued.") % {"count": len(notices)})
            return redirect("cases:detail", pk=case.pk)
    actions = ActionType.objects.filter(capabilities__unit__active=True).distinct()
    return render(request, "cases/notice_issue.html", {
        "case": case, "form": form, "actions": actions, "action": action,
    })


@login_required
def case_conclude(request, pk):
    case = get_visible_or_404(selectors.cases_visible_to(request.user), pk=pk)
    if not request.user.has_perm("cases.conclude_case"):
        raise PermissionDenied
    form = ConcludeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            releases = services.case_conclude(actor=request.user, case=case, **form.cleaned_data)
        except (ValidationError, InvalidTransition) as exc:
            messages.error(request, getattr(exc, "message", None) or "; ".join(exc.messages))
        else:
            messages.success(request, _("Case concluded; %(count)s release notice(s) sent.")
                             % {"count": len(releases)})
            return redirect("cases:detail", pk=case.pk)
    will_release = (Notice.objects.filter(case=case).holding_measures().filter(releases__isnull=True)
                    .select_related("unit", "action"))
    will_cancel = Notice.objects.filter(case=case).open().filter(kind="assist").select_related("unit", "action")
    return render(request, "cases/case_conclude.html", {
        "case": case, "form": form, "will_release": will_release, "will_cancel": will_cancel,
    })


@login_required
def inbox(request):
    tab = request.GET.get("tab", "open")
    rows, next_after = _keyset_page(selectors.inbox(request.user, tab), request)
    return render(request, "cases/inbox.html", {
        "notices": rows, "next_after": next_after, "tab": tab, "counts": selectors.inbox_counts(request.user),
    })


@login_required
def notice_detail(request, pk):
    notice = get_visible_or_404(selectors.notice_for_detail(request.user), pk=pk)
    allowed = set(allowed_transitions(notice.status))
    handles = request.user.is_superuser or can_handle_unit(request.user, notice.unit_id)
    return render(request, "cases/notice_detail.html", {
        "notice": notice,
        "can_acknowledge": handles and "acknowledge" in allowed,
        "can_answer": handles and "answer" in allowed,
        "can_close": request.user.has_perm("cases.close_notice") and "close" in allowed,
        "can_cancel": request.user.has_perm("cases.cancel_notice") and "cancel" in allowed,
        "answer_form": AnswerForm(), "note_form": NoteForm(),
    })


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
    note = request.POST.get("note", "")
    if name == "acknowledge":
        response = _run(request, notice, services.notice_acknowledge, _("Notice acknowledged."), note=note)
    elif name == "answer":
        form = AnswerForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, "; ".join(m for errs in form.errors.values() for m in errs))
            return redirect("cases:notice-detail", pk=notice.pk)
        data = form.cleaned_data
        files = [data["attachment"]] if data.get("attachment") else []
        response = _run(request, notice, services.notice_answer, _("Answer sent."),
                               outcome=data["outcome"], detail=data["detail"],
                               result_amount=data["result_amount"], attachments=files)
    elif name == "close":
        response = _run(request, notice, services.notice_close, _("Notice closed."), note=note)
    elif name == "cancel":
        response = _run(request, notice, services.notice_cancel, _("Notice cancelled."), note=note)
    else:
        raise Http404
    return response


@login_required
def notice_pdf(request, pk):
    """The assistance-notice document (协助执行通知书), for the court and the target unit only."""
    notice = get_visible_or_404(selectors.notice_for_detail(request.user), pk=pk)
    services.access_log(actor=request.user, what="notice_pdf", obj=notice)
    response = HttpResponse(render_notice_pdf(notice), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{notice.pk}.pdf"'
    return response


@login_required
def attachment_download(request, pk):
    """A ruling or answer attachment, for the court and the units with a notice that carries it."""
    attachment = get_visible_or_404(Attachment.objects.select_related("case"), pk=pk)
    user = request.user
    if not is_court_user(user):
        visible = selectors.notices_visible_to(user)
        if not (visible.filter(ruling=attachment).exists()
                or (attachment.notice_id and visible.filter(pk=attachment.notice_id).exists())):
            raise Http404
    services.access_log(actor=user, what="attachment", obj=attachment)
    return FileResponse(attachment.file.open("rb"), content_type="application/pdf",
                        filename=attachment.original_name, as_attachment=False)


