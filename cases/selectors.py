"""Reused reads. Every one starts from a queryset scoped to the user."""
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from .identifiers import normalise_case_number_query
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
from .workflow import AWAITING_ACK, OPEN, NoticeStatus


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
        qs = qs.filter(Q(number__contains=normalise_case_number_query(q)) | Q(title__contains=q)
                       | Q(id__in=party_match))
    return qs


def notices_visible_to(user):
    return Notice.objects.visible_to(user)


def notices_for_list(user):
    return notices_visible_to(user).for_list()


def notice_for_detail(user):
    return notices_visible_to(user).select_related("case", "unit", "action", "ruling", "ruling__case", "original",
                                                   "party").prefetch_related(
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


# ---------------------------------------------------------------- conclusion by outcome (Art. 35)

@dataclass
class ConclusionPlan:
    """What concluding a case with ``outcome`` does, per notice: one definition for the preview page, the
    API answer and the service that carries it out (DOMAIN.md section 5, docs/architecture.md).

    ``release``: measure notices whose unit holds, or may hold, a measure and gets a release notice;
    ``cancel``: open requests withdrawn; ``close``: answered notices closed; ``keep``: measure notices
    left as they are (终本 keeps every measure); ``kept_measures``: the register's measures left active.
    """

    outcome: str
    release: list = field(default_factory=list)
    cancel: list = field(default_factory=list)
    close: list = field(default_factory=list)
    keep: list = field(default_factory=list)
    kept_measures: list = field(default_factory=list)

    def rows(self):
        """(notice, verb) sorted by unit then notice, for the preview table."""
        verbs = {}
        for verb, notices in (("keep", self.keep), ("close", self.close), ("cancel", self.cancel),
                              ("release", self.release)):
            verbs.update({n.pk: (n, verb) for n in notices})  # a released request is shown as released
        rows = list(verbs.values())
        return sorted(rows, key=lambda row: (row[0].unit.sort_order, row[0].unit.code, row[0].seq, row[0].pk))


def case_measure_notices(case):
    """Notices of ``case`` and the notices whose measures moved to it (a resumed 执恢 case)."""
    return Notice.objects.filter(Q(case=case) | Q(measure__case=case))


def conclusion_plan(case, outcome: str) -> ConclusionPlan:
    """The plan for concluding ``case`` with ``outcome`` (``CaseOutcome`` value), from current rows."""
    from .models import CaseOutcome, MeasureStatus

    plan = ConclusionPlan(outcome=outcome)
    holders = list(case_measure_notices(case).awaiting_release()
                   .select_related("unit", "action", "case").order_by("id"))
    holder_ids = {n.pk for n in holders}
    mine = list(Notice.objects.filter(case=case).filter(Q(status__in=OPEN) | Q(status=NoticeStatus.ANSWERED))
                .exclude(pk__in=holder_ids).select_related("unit", "action", "case").order_by("id"))
    if outcome == CaseOutcome.FINAL_NO_PROPERTY:
        # 终本 keeps every measure and every open request for one: the property stays secured for the
        # resumed case. Only queries and other one-off requests are withdrawn.
        plan.keep = holders
        for notice in mine:
            one_off = notice.kind == NoticeKind.ASSIST and not notice.action.holds_measure
            if one_off and notice.status in OPEN:
                plan.cancel.append(notice)
            elif notice.status == NoticeStatus.ANSWERED:
                plan.close.append(notice)  # answered and holding nothing (e.g. a freeze answered unable)
        plan.kept_measures = list(Measure.objects.filter(case=case, status=MeasureStatus.ACTIVE)
                                  .select_related("unit", "action").order_by("id"))
        return plan
    plan.release = holders
    for notice in mine:
        if notice.status in OPEN and notice.kind in (NoticeKind.ASSIST, NoticeKind.RENEWAL):
            plan.cancel.append(notice)
        elif notice.status == NoticeStatus.ANSWERED:
            plan.close.append(notice)
    # A holder notice still open is both cancelled (the request is withdrawn) and released (whatever
    # the unit may already have done is lifted); one answered is closed.
    plan.cancel += [n for n in holders if n.status in OPEN]
    plan.close += [n for n in holders if n.status == NoticeStatus.ANSWERED]
    return plan
