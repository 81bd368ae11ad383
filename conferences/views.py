"""Browser pages of the joint conference. Views parse input, call services and render; every lookup
starts from a queryset scoped to the user, so an uninvited unit's user gets a plain 404."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.identifiers import normalise_case_number_query
from cases.models import Case
from linkage.forms import apply_service_errors
from linkage.identity import mask_identifiers_in_text
from linkage.statemachine import InvalidTransition
from linkage.text import strip_controls
from members.models import Unit
from members.roles import is_court_user
from members.scoping import can_handle_unit, get_visible_or_404

from . import selectors, services
from .documents import render_minutes_docx, render_minutes_pdf
from .forms import (
    AgendaItemForm,
    AttendanceForm,
    CommentForm,
    DecisionFormSet,
    MeetingForm,
    MinutesForm,
    NoteForm,
    ReportForm,
)
from .models import AgendaItem, MeetingKind
from .workflow import MACHINES, AgendaStatus, MinutesStatus

LIST_SIZE = 100


def _require_court(user):
    if not is_court_user(user):
        raise Http404


def _refusal(request, exc):
    if isinstance(exc, InvalidTransition):
        messages.error(request, exc.message)
    else:
        messages.error(request, "; ".join(exc.messages))


@login_required
def index(request):
    user = request.user
    status = request.GET.get("status", "")
    agenda = []
    if is_court_user(user):
        qs = selectors.agenda_items_for_list(user)
        if status in AgendaStatus.values:
            qs = qs.filter(status=status)
        agenda = list(qs[:LIST_SIZE])
    # ?meetings=no_minutes | to_issue: the office's and the conveners' to-do lists (selectors.meeting_rule).
    listed = request.GET.get("meetings", "")
    listed = listed if listed in selectors.MEETING_LISTS and is_court_user(user) else ""
    meetings = list(selectors.meetings_listed(user, listed)[:LIST_SIZE])
    return render(request, "conferences/index.html", {
        "agenda": agenda, "meetings": meetings, "meetings_listed": listed,
        "status": status, "statuses": AgendaStatus.choices,
        "court": is_court_user(user),
        "can_propose": user.has_perm("conferences.add_agendaitem"),
        "can_schedule": user.has_perm("conferences.add_meeting"),
    })


@login_required
def agenda_create(request):
    if not request.user.has_perm("conferences.add_agendaitem"):
        raise PermissionDenied
    initial = {}
    key = request.GET.get("suggestion")
    if key:
        found = next((s for s in selectors.agenda_suggestions() if s.key == key), None)
        if found is not None:
            initial = {"title": found.title, "reason": found.reason, "case_numbers": found.case.number,
                       "units": found.unit_codes, "suggested": found.kind}
    form = AgendaItemForm(request.POST or None, initial=initial)
    form.fields["units"].queryset = Unit.objects.active().of_court(request.user.court_id)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        numbers = [normalise_case_number_query(n) for n in data["case_numbers"].splitlines() if n.strip()]
        cases = list(Case.objects.filter(number__in=numbers).values_list("id", flat=True))
        try:
            if len(cases) != len(set(numbers)):
                raise ValidationError({"case_numbers": [_("Some of these case numbers are not registered.")]})
            item = services.agenda_item_propose(
                actor=request.user, title=data["title"], reason=data["reason"], description=data["description"],
                cases=cases, units=list(data["units"]), suggested=data["suggested"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Agenda item proposed."))
            return redirect("conferences:agenda-detail", pk=item.pk)
    return render(request, "conferences/agenda_form.html", {"form": form})


@login_required
def suggestions(request):
    if not request.user.has_perm("conferences.add_agendaitem"):
        raise PermissionDenied
    from django.conf import settings

    return render(request, "conferences/suggestions.html", {
        "suggestions": selectors.agenda_suggestions(),
        "threshold": settings.AGENDA_SUGGESTION_OVERDUE_WORKING_DAYS})


@login_required
def agenda_detail(request, pk):
    item = get_visible_or_404(selectors.agenda_item_for_detail(request.user), pk=pk)
    allowed = set(MACHINES["agenda"].allowed(item.status))
    can_decide = request.user.has_perm("conferences.decide_agendaitem")
    return render(request, "conferences/agenda_detail.html", {
        "item": item, "form": CommentForm(),
        "can_approve": can_decide and "approve" in allowed, "can_reject": can_decide and "reject" in allowed,
    })


@login_required
@require_POST
def agenda_transition(request, pk, name):
    if name not in ("approve", "reject"):
        raise Http404
    if not request.user.has_perm("conferences.decide_agendaitem"):
        raise PermissionDenied
    item = get_visible_or_404(AgendaItem.objects.visible_to(request.user), pk=pk)
    fn = services.agenda_item_approve if name == "approve" else services.agenda_item_reject
    try:
        fn(actor=request.user, item=item, comment=strip_controls(request.POST.get("comment", "")))
    except (InvalidTransition, ValidationError) as exc:
        _refusal(request, exc)
    else:
        messages.success(request, _("Agenda item approved.") if name == "approve" else _("Agenda item rejected."))
    return redirect("conferences:agenda-detail", pk=item.pk)


@login_required
def meeting_create(request):
    if not request.user.has_perm("conferences.add_meeting"):
        raise PermissionDenied
    # The draft agenda: every approved item not yet settled, carry-over from earlier meetings included.
    schedulable = list(AgendaItem.objects.schedulable().filter(court_id=request.user.court_id)
                       .prefetch_related("units", "meetings"))
    form = MeetingForm(request.POST or None, initial={
        "kind": MeetingKind.REGULAR, "agenda_items": [i.pk for i in schedulable]})
    form.fields["agenda_items"].queryset = AgendaItem.objects.schedulable().filter(court_id=request.user.court_id)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_create(actor=request.user, title=data["title"], kind=data["kind"],
                                              starts_at=data["starts_at"], place=data["place"],
                                              agenda_items=list(data["agenda_items"]))
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Meeting scheduled; the units concerned are being notified."))
            return redirect("conferences:meeting-detail", pk=meeting.pk)
    return render(request, "conferences/meeting_form.html", {"form": form, "schedulable": schedulable})


def _meeting(request, pk):
    return get_visible_or_404(selectors.meeting_for_detail(request.user), pk=pk)


@login_required
def meeting_detail(request, pk):
    meeting = _meeting(request, pk)
    user = request.user
    minutes = selectors.minutes_of(meeting)
    readable = minutes is not None and selectors.may_read_minutes(user, minutes)
    own = next((i for i in meeting.invitations.all() if i.unit_id == user.unit_id), None)
    court = is_court_user(user)
    # A unit's member reads the common part and its own decisions, unless the minutes went to all in full.
    reader_unit = selectors.minutes_reader_unit(user, meeting, minutes) if readable else None
    return render(request, "conferences/meeting_detail.html", {
        "meeting": meeting, "minutes": minutes if readable else None, "own_invitation": own,
        "court": court, "reader_unit": reader_unit,
        "decisions": selectors.decisions_for(minutes, reader_unit) if readable else [],
        "own_decisions": selectors.excerpt_decisions(minutes, own.unit) if readable and own else [],
        "can_confirm": (own is not None and own.status == "invited" and user.has_perm("conferences.confirm_attendance")
                        and can_handle_unit(user, own.unit_id)),
        "attendance_form": AttendanceForm(),
        "can_draft": user.has_perm("conferences.add_minutes") and (minutes is None or not minutes.is_issued),
        "can_issue": (user.has_perm("conferences.issue_minutes") and minutes is not None
                      and minutes.status == MinutesStatus.DRAFT),
        "show_report": court and meeting.kind == MeetingKind.REGULAR,
    })


@login_required
@require_POST
def meeting_attendance(request, pk):
    meeting = _meeting(request, pk)
    invitation = next((i for i in meeting.invitations.all() if i.unit_id == request.user.unit_id), None)
    if invitation is None:
        raise Http404
    form = AttendanceForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors.get("attendees") or _("Name who attends for the unit."))
        services.invitation_confirm(actor=request.user, invitation=invitation, attendees=form.cleaned_data["attendees"])
    except (InvalidTransition, ValidationError) as exc:
        _refusal(request, exc)
    else:
        messages.success(request, _("Attendance confirmed."))
    return redirect("conferences:meeting-detail", pk=meeting.pk)


@login_required
def work_report(request, pk):
    _require_court(request.user)
    # The report prints the meeting's title only: none of the meeting page's six prefetches.
    meeting = get_visible_or_404(selectors.meetings_visible_to(request.user), pk=pk)
    return render(request, "conferences/work_report.html", {"meeting": meeting,
                                                            "report": selectors.work_report(meeting)})


@login_required
def minutes_edit(request, pk):
    meeting = _meeting(request, pk)
    if not request.user.has_perm("conferences.add_minutes"):
        raise PermissionDenied
    minutes = selectors.minutes_of(meeting)
    if minutes is not None and minutes.is_issued:
        messages.error(request, _("Issued minutes are read-only."))
        return redirect("conferences:meeting-detail", pk=meeting.pk)
    agenda_qs = meeting.agenda_items.all()
    initial_decisions = [
        {"text": d.text, "unit": d.unit.code if d.unit else None,
         "due_at": timezone.localtime(d.due_at).date() if d.due_at else None, "agenda_item": d.agenda_item_id}
        for d in (minutes.decisions.all() if minutes else [])
    ]
    form = MinutesForm(request.POST or None, initial={"summary": minutes.summary if minutes else ""})
    decisions = DecisionFormSet(request.POST or None, initial=initial_decisions,
                                form_kwargs={"agenda_items": agenda_qs, "court_id": meeting.court_id})
    if request.method == "POST" and form.is_valid() and decisions.is_valid():
        rows = [dict(text=d["text"], unit=d["unit"].code if d.get("unit") else None,
                     due_at=d.get("due_at"), agenda_item=d["agenda_item"].pk if d.get("agenda_item") else None)
                for d in decisions.cleaned_data if d.get("text")]
        try:
            services.minutes_draft(actor=request.user, meeting=meeting, summary=form.cleaned_data["summary"],
                                   decisions=rows)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except InvalidTransition as exc:
            _refusal(request, exc)
            return redirect("conferences:meeting-detail", pk=meeting.pk)
        else:
            messages.success(request, _("Draft minutes saved."))
            return redirect("conferences:meeting-detail", pk=meeting.pk)
    return render(request, "conferences/minutes_form.html", {"meeting": meeting, "form": form,
                                                             "decisions": decisions})


@login_required
@require_POST
def minutes_issue(request, pk):
    meeting = _meeting(request, pk)
    if not request.user.has_perm("conferences.issue_minutes"):
        raise PermissionDenied
    minutes = selectors.minutes_of(meeting)
    if minutes is None:
        raise Http404
    try:
        minutes = services.minutes_issue(actor=request.user, minutes=minutes,
                                         to_all=request.POST.get("to_all") in ("on", "true", "1"))
    except (InvalidTransition, ValidationError) as exc:
        _refusal(request, exc)
    else:
        messages.success(request, _("Minutes issued as %(number)s.") % {"number": minutes.number})
    return redirect("conferences:meeting-detail", pk=meeting.pk)


@login_required
def minutes_document(request, pk, kind):
    """The minutes (or, with ?unit=, a unit's excerpt) for court roles, conveners and invited units."""
    meeting = _meeting(request, pk)
    minutes = selectors.minutes_of(meeting)
    if minutes is None or not selectors.may_read_minutes(request.user, minutes):
        raise Http404
    # A unit's member gets its own excerpt (unless issued to all); ?unit= of another unit is a 404.
    unit = selectors.minutes_reader_unit(request.user, meeting, minutes, request.GET.get("unit"))
    services.minutes_read_log(actor=request.user, minutes=minutes, unit=unit, kind=kind)
    from linkage.http import content_disposition

    name = f"minutes-{meeting.pk}{'-' + unit.code if unit else ''}.{kind}"
    chinese = f"会议纪要{minutes.number}{'（' + unit.name + '）' if unit else ''}.{kind}"
    if kind == "pdf":
        from documents.services import stored_minutes  # the issued, e-sealed copy when there is one

        stored = stored_minutes(minutes, unit)
        if stored is not None:
            with stored.file.open("rb") as handle:
                response = HttpResponse(handle.read(), content_type="application/pdf")
        else:
            response = HttpResponse(render_minutes_pdf(minutes, unit=unit), content_type="application/pdf")
        response["Content-Disposition"] = content_disposition(chinese, as_attachment=False, fallback=name)
    else:
        response = HttpResponse(render_minutes_docx(minutes, unit=unit), content_type=(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
        response["Content-Disposition"] = content_disposition(chinese, as_attachment=True, fallback=name)
    return response


@login_required
def tasks(request):
    """A liaison's task list: meetings to confirm and action items, beside the notice inbox."""
    invitations, items = selectors.unit_tasks(request.user)
    return render(request, "conferences/tasks.html", {"invitations": list(invitations),
                                                      "items": list(items[:LIST_SIZE])})


@login_required
def action_detail(request, pk):
    item = get_visible_or_404(selectors.action_item_for_detail(request.user), pk=pk)
    allowed = set(MACHINES["action"].allowed(item.status))
    user = request.user
    handles = user.has_perm("conferences.report_actionitem") and can_handle_unit(user, item.unit_id)
    can_close = user.has_perm("conferences.close_actionitem")
    return render(request, "conferences/action_detail.html", {
        "item": item, "report_form": ReportForm(), "note_form": NoteForm(),
        "can_report": handles and "report" in allowed and item.minutes.is_issued,
        "can_close": can_close and "close" in allowed, "can_return": can_close and "return" in allowed,
    })


@login_required
@require_POST
def action_transition(request, pk, name):
    item = get_visible_or_404(selectors.action_items_for_list(request.user), pk=pk)
    detail = strip_controls(request.POST.get("detail", ""))
    note = strip_controls(request.POST.get("note", ""))
    try:
        if name == "report":
            services.action_item_report(actor=request.user, item=item, detail=detail)
            done = _("Progress reported.")
        elif name == "close":
            services.action_item_close(actor=request.user, item=item, note=note)
            done = _("Action item closed.")
        elif name == "return":
            services.action_item_return(actor=request.user, item=item, note=note)
            done = _("Action item returned to the unit.")
        else:
            raise Http404
    except (InvalidTransition, ValidationError) as exc:
        _refusal(request, exc)
    else:
        messages.success(request, done)
    return redirect("conferences:action-detail", pk=item.pk)


@login_required
def board(request):
    """The office's board: every open action item, by unit and by meeting."""
    _require_court(request.user)
    overdue = request.GET.get("overdue") == "1"
    rows, by_unit, by_meeting = selectors.office_board(court_id=request.user.court_id, overdue=overdue)
    if request.GET.get("format") == "xlsx":  # what the board shows, one row an action item
        from linkage.excel import export_title, workbook_response

        headers = [_("Unit"), _("Action item"), _("Meeting"), _("Minutes"), _("Due"), _("Overdue"), _("Status")]
        body = ([i.unit.name, mask_identifiers_in_text(i.text), mask_identifiers_in_text(i.meeting.title),
                 i.minutes.number, i.due_at,
                 _("overdue") if i.is_overdue else "", i.get_status_display()] for i in rows)
        return workbook_response(export_title(_("Action-item board")), headers, body, "议定事项督办台账.xlsx",
                                 ["text", "text", "text", "text", "date", "text", "text"], fallback="board.xlsx")
    return render(request, "conferences/board.html", {
        "rows": rows, "by_unit": list(by_unit.items()), "by_meeting": list(by_meeting.items()), "overdue": overdue})
