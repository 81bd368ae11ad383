"""The home page: one page whose panels are chosen by role, reading every app (the roof's own page)."""
from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from cases import holidays
from cases import selectors as case_selectors
from linkage.forms import CleanTextMixin
from members.models import Unit, User
from members.roles import Role, has_role, is_court_user

from .todo import todo_for_request


@login_required
@require_safe
def home(request):
    """One home page, its panels chosen by role."""
    user = request.user
    context = {"unit": user.unit}
    inbox_counts = None
    if has_role(user, Role.LIAISON, Role.UNIT_LEADER) and user.unit_id:
        context["inbox_counts"] = inbox_counts = case_selectors.inbox_counts(user)
        context["latest_notices"] = case_selectors.inbox(user, "open").for_table()[:8]
    # What waits for the user, zeros too (the menu shows the others); the unit's from the figures above.
    todo = todo_for_request(request, inbox_counts=inbox_counts)
    context["todo"] = [t for t in todo if t.group != "unit"]
    context["unit_todo"] = [t for t in todo if t.group == "unit"]
    if is_court_user(user):
        context["court_counts"] = case_selectors.court_counts(user.court_id)
        context["recent_cases"] = case_selectors.cases_for_table(user)[:8]
    context["is_assessor"] = has_role(user, Role.ASSESSOR)
    if user.is_superuser or has_role(user, Role.OFFICE):
        year = holidays.next_year_arrangement_missing()
        if year is not None:
            context["holiday_arrangement_missing"] = holidays.arrangement_missing_message(year)
    return render(request, "portal/home.html", context)


class AbsenceForm(CleanTextMixin, forms.Form):
    unit = forms.ModelChoiceField(label=gettext_lazy("Member unit"), queryset=Unit.objects.none(), to_field_name="code")
    starts_on = forms.DateField(label=gettext_lazy("Away from"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=gettext_lazy("Back after"), widget=forms.DateInput(attrs={"type": "date"}),
                              help_text=gettext_lazy("The last day away, included."))
    deputy = forms.ModelChoiceField(label=gettext_lazy("Deputy"), queryset=User.objects.none(), required=False,
                                    help_text=gettext_lazy("A colleague of the same unit who works the notices meanwhile."))
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)

    def __init__(self, *args, units, deputies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=[u.pk for u in units])
        self.fields["deputy"].queryset = deputies
        self.fields["deputy"].label_from_instance = lambda u: f"{u.unit.name if u.unit_id else ''} {u}"
        self.fixed_unit = None
        if len(units) == 1:  # a unit's own page: no choice to make
            self.fixed_unit = units[0]
            del self.fields["unit"]


@login_required
def absences(request):
    """Liaisons away and their deputies: a liaison or unit leader for their unit, the office for every unit,
    with what it must act on first (due dates in an absence with no deputy, units with no liaison)."""
    from django.contrib import messages
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.http import Http404
    from django.shortcuts import get_object_or_404, redirect

    from linkage.forms import apply_service_errors
    from members import absences as service

    user = request.user
    office = user.is_superuser or has_role(user, Role.OFFICE)
    if not (office or (user.unit_id and has_role(user, Role.LIAISON, Role.UNIT_LEADER))):
        raise Http404
    units = list(Unit.objects.active().of_court(user.court_id) if office else Unit.objects.filter(pk=user.unit_id))
    deputies = (User.objects.filter(is_active=True, unit__isnull=False).select_related("unit")
                .order_by("unit__sort_order", "username"))
    if not office:
        deputies = deputies.filter(unit_id=user.unit_id)
    elif not user.is_superuser:
        deputies = deputies.filter(unit__court_id=user.court_id)
    form = AbsenceForm(request.POST if request.POST.get("action") == "record" else None, units=units,
                       deputies=deputies)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "record" and form.is_valid():
                data = dict(form.cleaned_data)
                data["unit"] = data.get("unit") or form.fixed_unit
                service.absence_record(actor=user, **data)
                messages.success(request, _("Absence recorded."))
                return redirect("absences")
            if action in ("appoint", "cancel"):
                absence = get_object_or_404(service.absences_for(user), pk=request.POST.get("absence") or 0)
                if action == "appoint":
                    deputy = get_object_or_404(deputies, pk=request.POST.get("deputy") or 0)
                    service.absence_appoint_deputy(actor=user, absence=absence, deputy=deputy)
                    messages.success(request, _("Deputy appointed."))
                else:
                    service.absence_cancel(actor=user, absence=absence)
                    messages.success(request, _("Absence cancelled."))
                return redirect("absences")
        except ValidationError as exc:
            if action == "record":
                apply_service_errors(form, exc)
            else:
                messages.error(request, " ".join(exc.messages))
        except PermissionDenied as exc:
            messages.error(request, str(exc))
    today = timezone.localdate()
    rows = list(service.absences_for(user).filter(ends_on__gte=today).order_by("starts_on", "id"))
    by_unit = _by_unit(deputies)
    for row in rows:
        row.candidates = [d for d in by_unit.get(row.unit_id, []) if d.pk != row.liaison_id]
        row.current = row.starts_on <= today
        row.may_change = service.may_record_for(user, row.unit_id, row.liaison_id)
    context = {"rows": rows, "form": form, "office": office, "today": today}
    if office:
        context["at_risk"] = case_selectors.due_in_uncovered_absences()
        context["no_liaison"] = list(service.units_without_liaison())
    return render(request, "portal/absences.html", context)


def _by_unit(deputies):
    grouped = {}
    for deputy in deputies:
        grouped.setdefault(deputy.unit_id, []).append(deputy)
    return grouped


# ---------------------------------------------------------------- help: the user guide

# The user guide's sections (docs/user-guide.md, its "## " headings), each named in the reader's language
# and, where it is a role's, marked for the people holding it. The guide itself is served read-only as it is
# written (``user_guide``); tests/test_d_items_ui.py checks that every heading here is still in the guide.
GUIDE_FILE = "docs/user-guide.md"
GUIDE_SECTIONS = [
    ("User guide", gettext_lazy("Signing in and what waits for you"), None),
    ("Court clerk", Role.CLERK.label, Role.CLERK),
    ("Liaison officer of a member unit", Role.LIAISON.label, Role.LIAISON),
    ("Court president", Role.PRESIDENT.label, Role.PRESIDENT),
    ("Unit leader", Role.UNIT_LEADER.label, Role.UNIT_LEADER),
    ("Conference office", Role.OFFICE.label, Role.OFFICE),
    ("Conveners", Role.CONVENER.label, Role.CONVENER),
    ("Assessor", Role.ASSESSOR.label, Role.ASSESSOR),
    ("Public (no sign-in)", gettext_lazy("The public (no sign-in)"), None),
    ("Administrator", gettext_lazy("Administrator"), "staff"),
]


def _guide_path():
    from django.conf import settings

    return settings.BASE_DIR / GUIDE_FILE


@login_required
@require_safe
def help_page(request):
    """Where help is: the user guide's sections, the reader's own marked, and the guide to read."""
    user = request.user
    sections = []
    for heading, label, role in GUIDE_SECTIONS:
        mine = (user.is_staff or user.is_superuser) if role == "staff" else bool(role) and has_role(user, role)
        sections.append({"heading": heading, "label": label, "mine": mine})
    return render(request, "portal/help.html", {"sections": sections, "guide_exists": _guide_path().is_file()})


@login_required
@require_safe
def user_guide(request):
    """The user guide as it is written (Markdown, plain text), read-only."""
    from django.http import Http404, HttpResponse

    try:
        text = _guide_path().read_text(encoding="utf-8")
    except OSError:
        raise Http404 from None
    return HttpResponse(text, content_type="text/plain; charset=utf-8")
