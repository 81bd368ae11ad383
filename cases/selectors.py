"""Reused reads. Every one starts from a queryset scoped to the user."""
from datetime import timedelta

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from .models import (
    Case,
    CaseCategory,
    Measure,
    Notice,
    NoticeEvent,
    NoticeKind,
    Party,
    PartyRole,
    ack_overdue_q,
    answer_overdue_q,
)
from .workflow import AWAITING_ACK, OPEN


def cases_visible_to(user):
    return Case.objects.visible_to(user)


def cases_for_list(user, *, q: str = "", status: str = "", category: str = "", listed: bool = False):
    qs = cases_visible_to(user).prefetch_related(
        Prefetch("parties", queryset=Party.objects.filter(role=PartyRole.DEBTOR), to_attr="debtors"),
        "categories",
    )
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(id__in=CaseCategory.objects.filter(category=category).values("case_id"))
    if listed:
        qs = qs.filter(listed_supervision=True)
    q = (q or "").strip()
    if q:
        party_match = Party.objects.filter(Q(name__contains=q) | Q(id_number=q.upper())).values("case_id")
        qs = qs.filter(Q(number__contains=q) | Q(title__contains=q) | Q(id__in=party_match))
    return qs


def notices_visible_to(user):
    return Notice.objects.visible_to(user)


def notices_for_list(user):
    return notices_visible_to(user).for_list()


def notice_for_detail(user):
    return notices_visible_to(user).select_related("case", "unit", "action", "ruling", "original").prefetch_related(
        Prefetch("events", queryset=NoticeEvent.objects.select_related("actor")),
        "answer_attachments", "requests",
    )


def case_notices(user, case):
    """The case's notices the user may see, with their events, for the case page timeline."""
    return (
        notices_visible_to(user).filter(case=case).select_related("unit", "action", "original")
        .prefetch_related(Prefetch("events", queryset=NoticeEvent.objects.select_related("actor")))
        .order_by("seq")
    )


def inbox_counts(user) -> dict:
    """The numbers on a liaison's inbox tabs, in one query."""
    now = timezone.now()
    return notices_visible_to(user).aggregate(
        new=Count("id", filter=Q(status__in=AWAITING_ACK)),
        open=Count("id", filter=Q(status__in=OPEN)),
        overdue=Count("id", filter=ack_overdue_q(now) | answer_overdue_q(now)),
        to_release=Count("id", filter=Q(kind=NoticeKind.RELEASE, status__in=OPEN)),
    )


INBOX_TABS = {
    "new": lambda qs, now: qs.filter(status__in=AWAITING_ACK),
    "open": lambda qs, now: qs.filter(status__in=OPEN),
    "overdue": lambda qs, now: qs.overdue(now),
    "to_release": lambda qs, now: qs.filter(kind=NoticeKind.RELEASE, status__in=OPEN),
    "all": lambda qs, now: qs,
}


def inbox(user, tab: str):
    return INBOX_TABS.get(tab, INBOX_TABS["open"])(notices_for_list(user), timezone.now())


def pending_releases(case):
    """Release notices of a concluded case not yet confirmed by their unit."""
    return case.notices.filter(kind=NoticeKind.RELEASE).exclude(outcome="done").exclude(status="cancelled")


def court_counts() -> dict:
    """The court's home-page figures, two queries whatever the volume."""
    now = timezone.now()
    counts = Notice.objects.aggregate(
        ack_overdue=Count("id", filter=ack_overdue_q(now)),
        answer_overdue=Count("id", filter=answer_overdue_q(now)),
        releases_open=Count("id", filter=Q(kind=NoticeKind.RELEASE, status__in=OPEN)),
        answered=Count("id", filter=Q(status="answered")),
    )
    counts.update(Case.objects.aggregate(
        open_cases=Count("id", filter=Q(status="open")),
        listed=Count("id", filter=Q(status="open", listed_supervision=True)),
    ))
    soon = timezone.localdate() + timedelta(days=30)
    counts.update(Measure.objects.aggregate(
        measures_lapsed=Count("id", filter=Q(status="lapsed", case__status="open")),
        measures_expiring=Count("id", filter=Q(status="active", expires_on__lte=soon)),
    ))
    return counts
