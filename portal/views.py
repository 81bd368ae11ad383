"""The home page: one page whose panels are chosen by role, reading every app (the roof's own page)."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from cases import holidays
from cases import selectors as case_selectors
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
        context["court_counts"] = case_selectors.court_counts()
        context["recent_cases"] = case_selectors.cases_for_table(user)[:8]
    context["is_assessor"] = has_role(user, Role.ASSESSOR)
    if user.is_superuser or has_role(user, Role.OFFICE):
        year = holidays.next_year_arrangement_missing()
        if year is not None:
            context["holiday_arrangement_missing"] = holidays.arrangement_missing_message(year)
    return render(request, "portal/home.html", context)
