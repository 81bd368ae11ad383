"""Reads of the list and of the orders that views and the API reuse."""
from datetime import datetime, timedelta

from django.db.models import Count, Max, Prefetch, Q
from django.utils import timezone

from cases.identifiers import normalise_case_number_query
from cases.models import CaseStatus
from cases.selectors import notices_visible_to
from cases.workflow import OPEN
from linkage.orm import row_count
from linkage.prepared import PreparedCounts

from .models import (
    ConsumptionRestriction,
    CreditCheck,
    CreditCheckAlert,
    CreditEntry,
    CreditEvent,
    CreditPush,
    CreditStatus,
    Decision,
    RestrictionEvent,
    RestrictionPush,
    RestrictionStatus,
)

PUBLIC_PAGE_SIZE = 20
PUBLIC_MIN_QUERY = 2


def credit_entries_visible_to(user):
    return CreditEntry.objects.visible_to(user)


def credit_entries_for_list(user, *, q: str = "", status: str = ""):
    qs = credit_entries_visible_to(user).select_related("case")
    if status in CreditStatus.values:
        qs = qs.filter(status=status)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(case__number__contains=normalise_case_number_query(q))
                       | Q(id_number=q.upper()))
    return qs


def credit_entry_for_detail(user):
    return credit_entries_visible_to(user).select_related("case", "party", "created_by").prefetch_related(
        "persons",
        Prefetch("events", queryset=CreditEvent.objects.select_related("actor")),
        Prefetch("pushes", queryset=CreditPush.objects.select_related("unit", "push", "push__action",
                                                                      "withdrawal").order_by("round", "unit__sort_order")),
        Prefetch("decisions", queryset=Decision.objects.select_related("case", "document__case").order_by("id")),
    )


def decisions_visible_to(user):
    """The president's decisions: the court roles' (the president decides them, the clerk proposes and serves)."""
    from members.courts import filter_by_court

    if not (user.is_authenticated and _court(user)):
        return Decision.objects.none()
    return filter_by_court(Decision.objects, user, "case__court").select_related("case", "entry", "order", "document__case", "proposed_by", "decided_by")


def decisions_waiting():
    """What waits for the president: decisions proposed, and orders drafted (限高规定 Art. 5)."""
    return Decision.objects.filter(status="proposed")


def clerk_decision_counts() -> dict:
    """The clerk's side of the president's decisions: returned with a reason, and decided but not served
    on the debtor yet (失信规定 Art. 5)."""
    latest = Decision.objects.filter(status__in=["returned", "decided"], legacy=False)
    return {"returned": latest.filter(status="returned", entry__status=CreditStatus.PENDING).count(),
            "to_serve": latest.filter(status="decided", served_on__isnull=True).count()}


def president_todo_counts() -> dict:
    return {"decisions": decisions_waiting().count(),
            "orders": ConsumptionRestriction.objects.filter(status=RestrictionStatus.DRAFT).count()}


def credit_entries_for_case(user, case):
    return credit_entries_visible_to(user).filter(case=case).order_by("id")


def entries_to_propose_revoking(case, entries=None):
    """Entries of a performed or terminated case still live: normally none, since the conclusion deletes
    them (and the daily sweep makes good a lost hook). ``entries``: the case's entries already fetched."""
    from .services import DELETE_GROUND_BY_OUTCOME

    if case.status != CaseStatus.CONCLUDED or case.outcome not in DELETE_GROUND_BY_OUTCOME:
        return []
    if entries is None:
        entries = CreditEntry.objects.filter(case=case).order_by("id")
    return [e for e in entries if e.is_live]


def public_entries(q: str = ""):
    """What the public page shows (失信规定 Art. 6): published entries only, searched by name or case
    number (at least two characters), else the latest page; never by id. No identifiers but masked
    ones leave this function's callers."""
    # Only the columns the page prints: a page anyone can open reads nothing else of the entry or its case.
    qs = (CreditEntry.objects.published().select_related("case")
          .only("name", "kind", "id_number", "legal_representative", "court", "ground", "obligation", "published_at",
                "case__number", "case__basis_issuer", "case__basis_number", "case__created_at")
          .order_by("-published_at", "-id"))
    q = (q or "").strip()
    if len(q) >= PUBLIC_MIN_QUERY:
        qs = qs.filter(Q(name__contains=q) | Q(case__number__contains=normalise_case_number_query(q)))
    return qs[:PUBLIC_PAGE_SIZE]


def public_restrictions(q: str = ""):
    """The orders in force, as published (限高规定 Art. 6: the court may announce them): name, masked
    identifier, case number, court, date; searched like the list, never by id."""
    qs = (ConsumptionRestriction.objects.active().select_related("case")
          .only("name", "kind", "id_number", "issued_at", "case__number").order_by("-issued_at", "-id"))
    q = (q or "").strip()
    if len(q) >= PUBLIC_MIN_QUERY:
        qs = qs.filter(Q(name__contains=q) | Q(case__number__contains=normalise_case_number_query(q)))
    return qs[:PUBLIC_PAGE_SIZE]


def pushes_for_unit(user, *, open_only: bool = False):
    """The pushes and withdrawals a unit must apply and confirm (court roles see every unit's)."""
    qs = CreditPush.objects.visible_to(user).for_list()
    if open_only:
        qs = qs.filter(Q(push__status__in=OPEN) | Q(withdrawal__status__in=OPEN))
    return qs


# ---------------------------------------------------------------- consumption restriction orders

def restrictions_visible_to(user):
    return ConsumptionRestriction.objects.visible_to(user)


def restrictions_for_list(user, *, status: str = ""):
    qs = restrictions_visible_to(user).select_related("case")
    if status in RestrictionStatus.values:
        qs = qs.filter(status=status)
    return qs


def restriction_todo_counts() -> dict:
    """Orders and decisions waiting for the court, in one query: drafts the president signs (限高规定
    Art. 5) and signed orders the clerk issues (index ``restriction_status_id``), and, as scalar
    subqueries, the decisions the president decides, those returned to the clerk and those to serve."""
    counts = _prepared_restriction_todo_counts(timezone.now())
    if counts["decisions"] is None:  # no open order at all: the aggregate ran over no rows
        counts.update(_decision_counts())
    return counts


def _decision_counts() -> dict:
    """The decisions' figures in one query of their own (``_decision_rows`` as plain counts)."""
    return Decision.objects.filter(status__in=["proposed", "returned", "decided"]).aggregate(
        decisions=Count("id", filter=Q(status="proposed")),
        returned=Count("id", filter=Q(status="returned", legacy=False, entry__status=CreditStatus.PENDING)),
        to_serve=Count("id", filter=Q(status="decided", legacy=False, served_on__isnull=True)))


def _decision_rows():
    latest = Decision.objects.filter(legacy=False)
    return {"decisions": Max(row_count(decisions_waiting())),
            "returned": Max(row_count(latest.filter(status="returned", entry__status=CreditStatus.PENDING))),
            "to_serve": Max(row_count(latest.filter(status="decided", served_on__isnull=True)))}


# On every page of the clerk's and the president's (the menu): compiled once (linkage.prepared).
_prepared_restriction_todo_counts = PreparedCounts(
    lambda now: ConsumptionRestriction.objects.filter(
        status__in=[RestrictionStatus.DRAFT, RestrictionStatus.SIGNED]).aggregate(
        to_sign=Count("id", filter=Q(status=RestrictionStatus.DRAFT)),
        to_issue=Count("id", filter=Q(status=RestrictionStatus.SIGNED)), **_decision_rows()))


def restriction_for_detail(user):
    pushes = RestrictionPush.objects.select_related("unit", "notice", "release")
    if user.is_authenticated and user.unit_id and not _court(user):
        pushes = pushes.filter(unit_id=user.unit_id)
    return restrictions_visible_to(user).select_related("case", "party", "drafted_by", "signed_by").prefetch_related(
        "persons", "permissions", Prefetch("events", queryset=RestrictionEvent.objects.select_related("actor")),
        Prefetch("pushes", queryset=pushes),
        Prefetch("decisions", queryset=Decision.objects.select_related("document__case").order_by("id")))


def restrictions_for_case(user, case):
    return restrictions_visible_to(user).filter(case=case).order_by("id")


def active_restrictions_for_unit(unit):
    return (ConsumptionRestriction.objects.active().filter(pushes__unit=unit).select_related("case")
            .prefetch_related("persons", "permissions").order_by("id").distinct())


def _court(user) -> bool:
    from members.roles import is_court_user

    return is_court_user(user)


# ---------------------------------------------------------------- checks: purposes and alerts (issue 29)

def check_purpose_suggestions(user, limit: int = 20) -> list[str]:
    """The numbers of the latest open notices the user's unit may state as a single check's purpose (the
    check page offers them as it is typed; any notice or case of the unit is accepted)."""
    if not user.is_authenticated:
        return []
    return list(notices_visible_to(user).filter(status__in=OPEN).order_by("-id")
                .values_list("number", flat=True)[:limit])


def check_alerts_open_count() -> int:
    """Alerts of likely guessing (``CreditCheckAlert``) the office has not looked at: its to-do."""
    return CreditCheckAlert.objects.filter(reviewed_at__isnull=True).count()


def check_alerts_for_page(status: str = "open"):
    """``open``: not yet looked at (what the to-do counts); ``reviewed``; anything else: all."""
    qs = CreditCheckAlert.objects.select_related("user", "unit", "reviewed_by")
    if status == "open":
        return qs.filter(reviewed_at__isnull=True)
    if status == "reviewed":
        return qs.filter(reviewed_at__isnull=False)
    return qs


def checks_of_alerts(alerts) -> dict:
    """alert id → the checks it is made of (that account, that day, that masked form), oldest first; one
    query for a page of alerts."""
    if not alerts:
        return {}
    condition = Q()
    for alert in alerts:
        start = timezone.make_aware(datetime.combine(alert.day, datetime.min.time()))
        prefix, suffix = alert.masked[:4], alert.masked[-4:]
        condition |= Q(user_id=alert.user_id, at__gte=start, at__lt=start + timedelta(days=1),
                       id_number__startswith=prefix, id_number__endswith=suffix)
    found = {alert.pk: [] for alert in alerts}
    checks = (CreditCheck.objects.filter(condition).select_related("purpose_case", "purpose_notice")
              .order_by("at", "id"))
    for check in checks:
        for alert in alerts:
            day = timezone.localdate(check.at)
            if (check.user_id == alert.user_id and day == alert.day and check.id_number[:4] == alert.masked[:4]
                    and check.id_number[-4:] == alert.masked[-4:]):
                found[alert.pk].append(check)
    return found
