"""Case pickers: search as you type (htmx) where a form asks for a case, instead of typing its number or
id. ``GET /cases/picker/?q=…`` answers a small HTML fragment (``<li role="option">`` rows, at most
``PICKER_LIMIT``) that ``static/js/picker.js`` puts in the field's listbox; without JavaScript the forms
take typed values, as before.

The cases are those of the case list, found as its search finds them (``selectors.case_search`` over
``selectors.cases_visible_to``): a liaison sees only the cases of their unit's notices; a search by
identifier is the court roles' alone (audited, throttled), anyone else finds nothing by one; the query
typed is never echoed back."""
import re

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from rest_framework.exceptions import Throttled

from linkage.pagination import query_id
from linkage.text import strip_controls
from members.courts import filter_by_court
from members.models import Unit
from members.roles import is_court_user

from . import selectors

PICKER_LIMIT = 10
MIN_QUERY = 2  # characters: one would match most of the register
MAX_QUERY = 100
# The id prefix of the options (the picker's field id on the page), so that two pickers never share ids.
_PREFIX = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,39}$")


def picker_cases(user, q: str, limit: int = PICKER_LIMIT):
    """Up to ``limit`` + 1 cases ``user`` may see that the case search finds for ``q``, newest first: one
    query (plus, for an identifier, the audit row), whatever the size of the register."""
    qs = selectors.case_search(selectors.cases_visible_to(user), user, q)
    return list(qs.only("id", "number", "title").order_by("-id")[:limit + 1])


@login_required
@require_safe
@never_cache
def case_picker(request):
    q = strip_controls(request.GET.get("q", "")).strip()[:MAX_QUERY]
    prefix = request.GET.get("for", "")
    prefix = prefix if _PREFIX.match(prefix) else "case-pick"
    cases, message, status = [], "", 200
    if len(q) >= MIN_QUERY and selectors.looks_like_identifier(q) and not _whole_identifier(q):
        # An ID being typed: each keystroke from the fifteenth would be a search by identifier, audited
        # and counted against CASE_IDENTIFIER_SEARCH_RATE. Only a whole one is searched.
        message = _("Type the whole ID number or credit code (18 characters) to search by it.")
    elif len(q) >= MIN_QUERY:
        try:
            cases = picker_cases(request.user, q)
        except Throttled as exc:
            message, status = str(exc.detail), 429
        else:
            more = len(cases) > PICKER_LIMIT
            cases = cases[:PICKER_LIMIT]
            if not cases:
                message = _("No case found.")
            elif more:
                message = _("The first %(n)s cases found: type more to narrow the search.") % {"n": PICKER_LIMIT}
            else:
                message = ngettext("%(n)s case found.", "%(n)s cases found.", len(cases)) % {"n": len(cases)}
    return render(request, "cases/_case_picker_options.html",
                  {"cases": cases, "message": message, "prefix": prefix}, status=status)


def _whole_identifier(q: str) -> bool:
    """An identifier typed whole: 18 characters (a resident ID or a credit code, masked or not), or the
    15 digits of a first-generation resident ID."""
    value = re.sub(r"\s+", "", q)
    return len(value) == 18 or (len(value) == 15 and value.isdigit())


def measure_filter_context(user, filters: dict) -> dict:
    """What the measures register's filter form shows besides the typed values: the units to choose
    from (court roles; a unit's user sees only their own unit's measures, so no choice) and the chosen
    case's number (looked up among the cases ``user`` may see, so an id never reveals another's case)."""
    court = is_court_user(user)
    units = []
    if court:
        units = list(filter_by_court(Unit.objects.active(), user).only("code", "name"))
        chosen = filters.get("unit")
        if chosen and chosen not in {u.code for u in units}:
            # A unit since made inactive still holds measures: the filter shown is the one applied.
            units += list(Unit.objects.filter(code=chosen).only("code", "name"))
    case_id = query_id(filters.get("case"))
    case_label = ""
    if case_id is not None:
        case_label = (selectors.cases_visible_to(user).filter(pk=case_id)
                      .values_list("number", flat=True).first() or "")
    return {"unit_choice": court, "units": units, "case_label": case_label}
