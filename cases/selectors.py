"""Reused reads. Every one starts from a queryset scoped to the user."""
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from linkage.dates import add_months, local_today
from linkage.orm import row_count
from linkage.prepared import PreparedCounts
from members.court_keys import home_court_id
from members.roles import is_court_user
from members.scoping import scope_key

from . import terms
from .identifiers import normalise_case_number_query
from .models import (
    Attachment,
    Case,
    CaseCategory,
    CaseOutcome,
    Measure,
    Notice,
    NoticeEvent,
    NoticeKind,
    NoticeRequest,
    Party,
    PartyRole,
    RequestStatus,
    ack_overdue_q,
    answer_overdue_q,
)
from .workflow import AWAITING_ACK, OPEN, NoticeStatus

# The court's open work: what a unit still owes (OPEN) and answers the clerk has still to close. The
# partial index notice_open_work (cases.models) holds exactly these rows.
OPEN_WORK = OPEN | {NoticeStatus.ANSWERED}


def cases_visible_to(user):
    return Case.objects.visible_to(user)


def cases_for_list(user, *, q: str = "", status: str = "", category: str = "", listed: bool = False):
    qs = cases_visible_to(user).prefetch_related(_debtors(), "categories")
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(id__in=CaseCategory.objects.filter(category=category).values("case_id"))
    if listed:
        qs = qs.filter(listed_supervision=True)
    return case_search(qs, user, q)


def cases_for_table(user):
    """The rows of a page of the case table (the case list, the home page:
    templates/jinja2/cases/case_table.html) with the columns it prints alone, its debtors' and categories'
    too (lean pages). A column the table starts to print must be added here, or each row reads it with a
    query of its own (tests/test_pages.py counts them)."""
    return cases_visible_to(user).only("number", "listed_supervision", "title", "amount", "status").prefetch_related(
        _debtors("case_id", "name", "id_number", "kind"),
        Prefetch("categories", queryset=CaseCategory.objects.only("case_id", "category")),
    )


def _debtors(*fields):
    """A case's debtors as ``case.debtors`` (the case table's column), with ``fields`` alone if given."""
    debtors = Party.objects.filter(role=PartyRole.DEBTOR)
    return Prefetch("parties", queryset=debtors.only(*fields) if fields else debtors, to_attr="debtors")


# An identifier as typed into a search box: a resident ID (15 or 18 characters) or a credit code, or a
# masked one as the public page shows it (4210**********1234).
_IDENTIFIER_SHAPED = re.compile(r"^(?=(?:.*[0-9]){6})[0-9A-Z]{15,18}$")
_MASKED_SHAPED = re.compile(r"^([0-9A-Z]*)([*＊]+)([0-9A-Z]*)$")


def looks_like_identifier(q: str) -> bool:
    q = re.sub(r"\s+", "", q or "").upper()
    masked = _MASKED_SHAPED.match(q)
    return bool(_IDENTIFIER_SHAPED.match(q) or (masked and len(q) >= 8 and any(c.isdigit() for c in q)))


def case_search(qs, user, q: str):
    """``qs`` narrowed to what ``q`` finds: the case number and the parties' names for everyone (and the
    title for the court roles). A search by identifier (anything ID-shaped, masked too) is for the court
    roles only, throttled (``CASE_IDENTIFIER_SEARCH_RATE`` per user; over it, DRF ``Throttled``) and
    audited with the identifier masked; anyone else finds nothing by it, not even in their own cases,
    so that the search cannot confirm a guessed identifier."""
    q = (q or "").strip()
    if not q:
        return qs
    if looks_like_identifier(q):
        return qs.filter(id__in=Party.objects.filter(_identifier_q(user, q)).values("case_id"))
    return qs.filter(id__in=case_ids_matching(q, titles=is_court_user(user)))


def case_ids_matching(q: str, *, titles: bool):
    """The ids of the cases whose number (brackets as stored), a party's name or, with ``titles``, the
    title holds ``q``, any letter case: one id set from each field, each read through its own trigram
    index on PostgreSQL (migration cases 0016). An ``OR`` of the fields made the planner walk every case
    (it cannot guess how many an ``OR`` with a subquery matches). A word under three characters has no
    trigram and scans."""
    found = Case.objects.filter(_number_q(q)).order_by().values("id")
    parts = [Party.objects.filter(name__icontains=q).order_by().values("case_id")]
    if titles:
        parts.append(Case.objects.filter(title__icontains=q).order_by().values("id"))
    return found.union(*parts, all=True)


def _number_q(q: str) -> Q:
    """``q`` within a case or notice number. A number is stored with one opening bracket, at its start
    (（2026）鄂1022执123号, its notices …号-001), so a term that starts with the bracket can only be found
    at the start: a prefix look-up in the number's own B-tree index (a trigram index reads the posting
    lists of trigrams every number shares, ``（20``, ``鄂10``, and costs as much as the table). Numbers
    have no Latin letters, so the letter case does not matter."""
    qn = normalise_case_number_query(q)
    if qn.startswith("（"):
        return Q(number__startswith=qn)
    return Q(number__icontains=qn)


def notices_matching(qs, q: str):
    """``qs`` (notices) narrowed to those ``q`` finds in the inbox: by their case (its number or a
    party's name, ``case_ids_matching`` without titles) or by their own number. A notice's number is its
    case's number and a serial (``…执150号-002``), so a word without the hyphen finds by the case's
    number whatever the notice's does, and the notice numbers are searched only for a word with it;
    the planner then chooses between walking the inbox (a common word) and the few cases' notices."""
    q = (q or "").strip()
    cases = case_ids_matching(q, titles=False)
    if "-" not in q:
        return qs.filter(case_id__in=cases)
    by_case = Notice.objects.filter(case_id__in=cases).order_by().values("id")
    by_number = Notice.objects.filter(_number_q(q)).order_by().values("id")
    return qs.filter(id__in=by_case.union(by_number, all=True))


def _identifier_q(user, q: str) -> Q:
    from django.conf import settings
    from django.utils.translation import gettext as _
    from rest_framework.exceptions import Throttled

    from linkage.audit import mask_value
    from linkage.ratelimit import hit
    from members.services import access_log

    value = re.sub(r"\s+", "", q).upper()
    court = is_court_user(user)
    if court and not hit("case_search_identifier", user.pk, settings.CASE_IDENTIFIER_SEARCH_RATE):
        raise Throttled(wait=60, detail=_("Too many searches by identifier; wait a minute and try again."))
    masked = _MASKED_SHAPED.match(value)
    # Logged for everyone: a liaison's attempt finds nothing, and the log shows who tried.
    access_log(actor=user, what="case_search_identifier",
               reason=_("case search by identifier") if court else _("refused: not a court role"),
               obj=value if masked else mask_value(value))
    if not court:
        return Q(pk__in=[])
    if masked:
        head, stars, tail = masked.groups()
        return Q(id_number__regex=f"^{re.escape(head)}.{{{len(stars)}}}{re.escape(tail)}$")
    return Q(id_number=value)


def notices_visible_to(user):
    return Notice.objects.visible_to(user)


def notices_for_list(user):
    return notices_visible_to(user).for_list()


def notice_for_action(user):
    """A notice to act on (acknowledge, answer, decide …): scoped, with the relations the services read."""
    return notices_visible_to(user).select_related("case", "unit", "action")


def notice_for_detail(user):
    # Joined: what every notice has. Prefetched: the ruling (and its case) and the original notice, which
    # many notices lack (no query then) — an eight-table join takes PostgreSQL far longer to plan than
    # to execute, on every notice page.
    return notices_visible_to(user).select_related("case", "unit", "action", "party").prefetch_related(
        Prefetch("ruling", queryset=Attachment.objects.select_related("case")), "original",
        Prefetch("events", queryset=NoticeEvent.objects.select_related("actor", "on_behalf_of")),
        "answer_attachments", "requests",
    )


# What the case page prints of a notice (templates/jinja2/cases/notice_timeline.html, the release list of
# templates/cases/case_detail.html, Notice.action_label, ack_overdue and answer_overdue) and of its events
# and their actors (User.__str__): the rest of their columns, the actor's password hash among them, stay in
# the database. A column the page starts to print must be added here, or each row reads it with
# a query of its own (tests/test_pages.py counts them).
CASE_PAGE_NOTICE_FIELDS = ("number", "seq", "kind", "status", "outcome", "subject", "release_ground",
                           "ack_due_at", "due_at", "paused_since", "unit__name", "action__name",
                           "action__release_name")
CASE_PAGE_EVENT_FIELDS = ("notice_id", "transition", "from_status", "to_status", "at", "note",
                          "actor__username", "actor__first_name", "actor__last_name")


def case_notices(user, case):
    """The case's notices the user may see, with their events (``event_list``), for the case page timeline.
    The events go into a list, not the manager: a queryset per notice would be built for nothing."""
    events = NoticeEvent.objects.select_related("actor").only(*CASE_PAGE_EVENT_FIELDS)
    return (
        notices_visible_to(user).filter(case=case).select_related("unit", "action").only(*CASE_PAGE_NOTICE_FIELDS)
        .prefetch_related(Prefetch("events", queryset=events, to_attr="event_list"))
        .order_by("seq")
    )


# The notice lists a user is sent to (the inbox tabs, the home page's and the menu's to-do counts), each
# rule stated once: a tab lists ``qs.filter(notice_rule(tab, now))`` and a count is ``Count("id",
# filter=notice_rule(...))`` over the same rows, so a count and the page it links to cannot disagree.
def notice_rule(name: str, now) -> Q:
    if name == "new":  # to acknowledge (签收)
        return Q(status__in=AWAITING_ACK)
    if name == "to_answer":  # signed for, the answer (回执) still owed
        return Q(status=NoticeStatus.ACKNOWLEDGED)
    if name == "open":
        return Q(status__in=OPEN)
    if name == "overdue":
        # status__in=OPEN repeats what both clocks imply (NoticeQuerySet.overdue): the partial index of open
        # notices serves it.
        return (ack_overdue_q(now) | answer_overdue_q(now)) & Q(status__in=OPEN)
    if name == "overdue_ack":  # the home page's two cards, each with its own list (D12 of issue 31)
        return ack_overdue_q(now) & Q(status__in=OPEN)
    if name == "overdue_answer":
        return answer_overdue_q(now) & Q(status__in=OPEN)
    if name == "to_release":  # a release notice its unit has not confirmed (answered) yet
        return Q(kind=NoticeKind.RELEASE, status__in=OPEN)
    if name == "answered":  # answers the court has still to close or return for correction
        return Q(status=NoticeStatus.ANSWERED)
    if name == "requests":  # an objection or extension request waiting for the clerk's decision
        return Q(id__in=pending_requests().values("notice_id"))
    if name == "all":
        return Q()
    raise KeyError(name)


def pending_requests():
    """Objections and extension requests not yet decided (at most one per notice: a constraint)."""
    return NoticeRequest.objects.filter(status=RequestStatus.PENDING)


def _inbox_counts(now, user) -> dict:
    # Every figure is of open notices: reading only those (index notice_unit_status) keeps the cost to
    # the unit's open work, not its history.
    return notices_visible_to(user).filter(status__in=OPEN).aggregate(
        **{tab: Count("id", filter=notice_rule(tab, now)) for tab in ("new", "to_answer", "open", "overdue",
                                                                      "to_release")})


# Compiled once per process and scope (linkage.prepared): the scope is all a user's SQL depends on.
_prepared_inbox_counts = PreparedCounts(_inbox_counts)


def inbox_counts(user) -> dict:
    """The numbers on a liaison's inbox tabs, in one query."""
    return _prepared_inbox_counts(timezone.now(), user, key=scope_key(user))


# Tabs any user may open (scoped to what they see); the court's ``answered`` and ``requests`` lists are
# the clerk's review work.
INBOX_TABS = ("new", "to_answer", "open", "overdue", "overdue_ack", "overdue_answer", "to_release", "answered",
              "requests", "all")


def notices_for_table(user):
    return notices_visible_to(user).for_table()


def inbox(user, tab: str):
    tab = tab if tab in INBOX_TABS else "open"
    return notices_for_list(user).filter(notice_rule(tab, timezone.now()))


def clerk_todo_counts(now=None, court_id=None) -> dict:
    """What waits for the clerk, in one query over open work only (after the holiday rows of the renewal
    horizon): answers to review and releases not confirmed (the open-work notices, partial index
    ``notice_open_work``), objections and extension requests to decide (pending requests, index
    ``request_status_kind``) and measures whose renewal is due (active measures, index
    ``measure_status_expiry``). Each figure is the row count of the list it links to (``inbox``,
    ``terms.renewal_due_q``)."""
    now = now or timezone.now()
    # One round trip: the menu shows these on every clerk page. The two notice figures and
    # the other tables' counts (the lifecycle's among them) as scalar subqueries of the same SELECT. The
    # renewal horizon reads the holiday table first (working days), a query of its own.
    horizon = terms.renewal_horizon()
    today = local_today()
    # One court's work (issue 30): the clerk's own court's.
    court_id = court_id or home_court_id()
    counts = _prepared_clerk_todo_counts(now, horizon, today, court_id, key=(horizon, today, court_id))
    if counts["requests"] is None:  # no open-work notice at all: the aggregate ran over no rows
        renewal_due = terms.renewal_due_q(horizon=horizon)
        counts["requests"] = pending_requests().filter(notice__unit__court_id=court_id).count()
        counts["measures_due"] = Measure.objects.filter(renewal_due, unit__court_id=court_id).count()
        counts.update(lifecycle_todo_counts(today, court_id))
        counts.update({k: q.count() for k, q in _entrusted_queries(today, court_id).items()})
    return counts


def _entrusted_queries(today, court_id) -> dict:
    """Tasks between courts waiting for this court (事项委托, 民事诉讼法 Art. 240): letters received to accept
    (and those past the 15 days), releases another court asked for, and tasks it sent that have no report
    after 30 days."""
    from .entrustment_models import Entrustment, EntrustmentStatus
    from .supervision_models import SupervisionOrder

    received = Entrustment.objects.filter(court_id=court_id)
    return {
        "entrusted_to_accept": received.filter(status=EntrustmentStatus.SENT),
        "entrusted_start_overdue": received.filter(status=EntrustmentStatus.SENT, start_due_on__lt=today),
        "entrusted_release": received.filter(release_requested_at__isnull=False).exclude(
            status=EntrustmentStatus.RELEASED),
        "entrusted_report_overdue": Entrustment.objects.filter(case__court_id=court_id,
                                                               status=EntrustmentStatus.ACCEPTED,
                                                               reported_at__isnull=True, report_due_on__lt=today),
        # 督办 orders of the supervising court still to reply to.
        "supervision_open": SupervisionOrder.objects.filter(case__court_id=court_id, status="open"),
    }


def _clerk_todo_counts(now, horizon, today, court_id) -> dict:
    return Notice.objects.filter(status__in=OPEN_WORK, unit__court_id=court_id).aggregate(
        answered=Count("id", filter=notice_rule("answered", now)),
        to_release=Count("id", filter=notice_rule("to_release", now)),
        requests=Max(row_count(pending_requests().filter(notice__unit__court_id=court_id))),
        measures_due=Max(row_count(Measure.objects.filter(terms.renewal_due_q(horizon=horizon),
                                                          unit__court_id=court_id))),
        instalments_overdue=Max(row_count(settlements_with_overdue(today).filter(case__court_id=court_id))),
        settled=Max(row_count(settlements_performed(today).filter(case__court_id=court_id))),
        searches_due=Max(row_count(Case.objects.filter(next_search_on__lte=today, court_id=court_id))),
        **{k: Max(row_count(q)) for k, q in _entrusted_queries(today, court_id).items()},
    )


# Compiled once per process and renewal horizon (linkage.prepared).
_prepared_clerk_todo_counts = PreparedCounts(_clerk_todo_counts)


def pending_releases(case):
    """Release notices of a concluded case not yet confirmed by their unit."""
    return case.notices.filter(kind=NoticeKind.RELEASE).exclude(outcome="done").exclude(status="cancelled")


def court_counts(court_id=None) -> dict:
    """The court's home-page figures in one query, each reading open work only: the notices still open
    or answered (the partial index ``notice_open_work``), the open cases, the lapsed measures; closed
    history is never scanned (docs/performance.md). What waits for a clerk (answers to
    review, releases, renewals) is counted with the to-do (``clerk_todo_counts``)."""
    court_id = court_id or home_court_id()  # one court's figures (issue 30)
    counts = _prepared_court_counts(timezone.now(), court_id, key=(court_id,))
    if counts["open_cases"] is None:  # no open-work notice at all: the aggregate ran over no rows
        open_cases = _court_open_cases(court_id)
        counts.update(open_cases=open_cases.count(), listed=open_cases.filter(listed_supervision=True).count(),
                      measures_lapsed=_court_lapsed(court_id).count())
    return counts


def _court_open_cases(court_id):
    return Case.objects.filter(status="open", court_id=court_id)


def _court_lapsed(court_id):
    return Measure.objects.filter(status="lapsed", case__status="open", unit__court_id=court_id)


def _court_counts(now, court_id) -> dict:
    open_cases = _court_open_cases(court_id)
    # One round trip, as the clerk's to-do: the case and measure figures as scalar subqueries.
    return Notice.objects.filter(status__in=OPEN_WORK, unit__court_id=court_id).aggregate(
        ack_overdue=Count("id", filter=ack_overdue_q(now)),
        answer_overdue=Count("id", filter=answer_overdue_q(now)),
        open_cases=Max(row_count(open_cases)),
        listed=Max(row_count(open_cases.filter(listed_supervision=True))),
        measures_lapsed=Max(row_count(_court_lapsed(court_id))),
    )


# Compiled once per process (linkage.prepared): only the instant changes.
_prepared_court_counts = PreparedCounts(_court_counts)


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
    """The measure notices whose measure belongs to ``case``: its own, and those of the case it resumed
    or the preservation it took over (``Notice.measure_case``, index ``notice_measure_case``)."""
    return Notice.objects.filter(measure_case=case)


def conclusion_plan(case, outcome: str, ground: str = "") -> ConclusionPlan:
    """The plan for concluding ``case`` with ``outcome`` (on ``ground``), from current rows: what
    ``cases.lifecycle.ending_measures`` says the ending does to what the units hold."""
    from .lifecycle import ending_measures
    from .models import MeasureStatus

    plan = ConclusionPlan(outcome=outcome)
    fate = ending_measures(outcome, ground)
    holders = list(case_measure_notices(case).awaiting_release()
                   .select_related("unit", "action", "case").order_by("id"))
    holder_ids = {n.pk for n in holders}
    mine = list(case_measure_notices(case).filter(Q(status__in=OPEN) | Q(status=NoticeStatus.ANSWERED))
                .exclude(pk__in=holder_ids).select_related("unit", "action", "case").order_by("id"))
    if fate == "keep":
        # The property stays secured (终本, a preservation carried out, a termination that hands the case
        # on): every measure and every open request for one is kept. Only one-off requests are withdrawn.
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
    if fate == "release":
        plan.release = holders
    for notice in mine:
        # Every request still open is withdrawn, a conversion letter too (nothing is left to convert);
        # only releases stay open, until their units confirm them.
        if notice.status in OPEN and notice.kind in (NoticeKind.ASSIST, NoticeKind.RENEWAL, NoticeKind.CONVERSION):
            plan.cancel.append(notice)
        elif notice.status == NoticeStatus.ANSWERED:
            plan.close.append(notice)
    # A holder notice still open is both cancelled (the request is withdrawn) and released (whatever
    # the unit may already have done is lifted); one answered is closed.
    plan.cancel += [n for n in holders if n.status in OPEN]
    plan.close += [n for n in holders if n.status == NoticeStatus.ANSWERED]
    return plan


# ---------------------------------------------------------------- money, measures, settlements

def paid_amount(case) -> Decimal:
    from .models import Payment

    return Payment.objects.filter(case=case).aggregate(s=Sum("amount"))["s"] or Decimal("0.00")


def outstanding_amount(case, paid: Decimal | None = None) -> Decimal:
    """The amount owed less the money received (执行款), never below nought."""
    paid = paid_amount(case) if paid is None else paid
    return max(case.amount - paid, Decimal("0.00"))


def measures_total(case) -> Decimal:
    """What the case's active measures hold, counting those with an amount (freezes, deductions held)."""
    from .models import MeasureStatus

    return (Measure.objects.filter(case=case, status=MeasureStatus.ACTIVE, amount__isnull=False)
            .aggregate(s=Sum("amount"))["s"] or Decimal("0.00"))


@dataclass
class Money:
    owed: Decimal
    paid: Decimal
    outstanding: Decimal
    held: Decimal

    @property
    def over_seizure(self) -> Decimal:
        """What the measures hold beyond the outstanding amount (查封扣押冻结规定 Art. 19), or nought."""
        return max(self.held - self.outstanding, Decimal("0.00"))


def with_money(qs):
    """Cases annotated with ``paid_total`` and ``held_total`` (what ``case_money`` reads), as scalar
    subqueries: a page of cases reads its money in the same query."""
    from .models import MeasureStatus, Payment

    paid = (Payment.objects.filter(case_id=OuterRef("pk")).order_by().values("case_id")
            .annotate(s=Sum("amount")).values("s")[:1])
    held = (Measure.objects.filter(case_id=OuterRef("pk"), status=MeasureStatus.ACTIVE, amount__isnull=False)
            .order_by().values("case_id").annotate(s=Sum("amount")).values("s")[:1])
    zero = Value(Decimal("0.00"))
    return qs.annotate(paid_total=Coalesce(Subquery(paid), zero), held_total=Coalesce(Subquery(held), zero))


def case_money(case, *, payments=None, measures=None) -> Money:
    """The case's money. ``payments`` (all the case's) and ``measures`` (any list holding at least the
    case's own) when the caller has read them: the case page asks no query more."""
    from .models import MeasureStatus

    if payments is None:
        paid = paid_amount(case)
    else:
        paid = sum((p.amount for p in payments), Decimal("0.00"))
    if measures is None:
        held = measures_total(case)
    else:  # what measures_total sums: the case's own active measures with an amount
        held = sum((m.amount for m in measures if m.case_id == case.pk and m.status == MeasureStatus.ACTIVE
                    and m.amount is not None), Decimal("0.00"))
    return Money(owed=case.amount, paid=paid, outstanding=outstanding_amount(case, paid), held=held)


@dataclass
class InstalmentState:
    instalment: object
    paid: Decimal
    status: str  # "paid" | "part" | "overdue" | "due"


def instalment_states(settlement, today=None, payments=None) -> list[InstalmentState]:
    """Each instalment with what the payments received since signing have paid of it, in due order.
    ``payments``: the case's payments if the caller has read them (a page: no query per settlement)."""
    from .models import Payment

    today = today or local_today()
    if payments is None:
        money = (Payment.objects.filter(case_id=settlement.case_id, received_on__gte=settlement.signed_on)
                 .aggregate(s=Sum("amount"))["s"] or Decimal("0.00"))
    else:
        money = sum((p.amount for p in payments if p.received_on >= settlement.signed_on), Decimal("0.00"))
    states = []
    for instalment in settlement.instalments.all():
        covered = min(money, instalment.amount)
        money -= covered
        if covered == instalment.amount:
            status = "paid"
        elif instalment.due_on < today:
            status = "overdue"
        else:
            status = "part" if covered else "due"
        states.append(InstalmentState(instalment=instalment, paid=covered, status=status))
    return states


def _settlement_money_q():
    """Per settlement (OuterRef), the payments of its case received since it was signed."""
    from .models import Payment

    return Subquery(Payment.objects.filter(case_id=OuterRef("case_id"), received_on__gte=OuterRef("signed_on"))
                    .order_by().values("case_id").annotate(s=Sum("amount")).values("s")[:1])


def settlements_with_overdue(today):
    """Settlements being performed with an instalment overdue: one whose due day has passed and which the
    payments since signing do not cover (counting the instalments before it)."""
    from .models import Instalment, Settlement

    behind = (Instalment.objects.filter(settlement_id=OuterRef("pk"), due_on__lt=today)
              .annotate(upto=Subquery(Instalment.objects.filter(settlement_id=OuterRef("settlement_id"),
                                                                seq__lte=OuterRef("seq"))
                                      .order_by().values("settlement_id").annotate(s=Sum("amount")).values("s")[:1]))
              .filter(upto__gt=Coalesce(OuterRef("paid"), Value(Decimal("0.00")))))
    return (Settlement.objects.filter(status="performing").annotate(paid=_settlement_money_q())
            .filter(Exists(behind)))


def settlements_performed(today=None):
    """Settlements being performed whose instalments the payments since signing cover in full."""
    from .models import Instalment, Settlement

    total = Subquery(Instalment.objects.filter(settlement_id=OuterRef("pk")).order_by().values("settlement_id")
                     .annotate(s=Sum("amount")).values("s")[:1])
    return (Settlement.objects.filter(status="performing").annotate(paid=_settlement_money_q(), total=total)
            .filter(total__isnull=False, paid__gte=F("total")))


def lifecycle_todo_counts(today=None, court_id=None) -> dict:
    """The clerk's lifecycle to-do: settlements behind, settlements performed (to conclude), property
    searches due after 终本 (index case_next_search), of one court."""
    today = today or local_today()
    court_id = court_id or home_court_id()
    return {"instalments_overdue": settlements_with_overdue(today).filter(case__court_id=court_id).count(),
            "settled": settlements_performed(today).filter(case__court_id=court_id).count(),
            "searches_due": Case.objects.filter(next_search_on__lte=today, court_id=court_id).count()}


def cases_for_todo(qs, todo: str, today=None):
    """The case list narrowed to one lifecycle to-do (the links of ``lifecycle_todo_counts``)."""
    today = today or local_today()
    if todo == "instalments":
        return qs.filter(id__in=settlements_with_overdue(today).values("case_id"))
    if todo == "settled":
        return qs.filter(id__in=settlements_performed(today).values("case_id"))
    if todo == "searches":
        return qs.filter(next_search_on__lte=today)
    if todo == "suspended":
        return qs.filter(status="suspended")
    return qs


# ---------------------------------------------------------------- 终本 conditions (终本规定 Art. 1)

@dataclass
class Condition:
    code: str
    text: str
    met: bool
    confirmable: bool  # the clerk may vouch for it (with a note) when the portal cannot see it
    detail: str = ""


def final_conditions(case, today=None) -> list[Condition]:
    """The conditions of 终本规定 Art. 1 (and Art. 5's hearing of the applicant), each either met from the
    portal's data or, where the portal cannot see it, confirmable by the clerk. ``hooks`` add those an app
    above judges from its data (credit: the 限制消费令 of every debtor)."""
    from django.utils.translation import gettext as _

    from .hooks import final_conditions_from_apps
    today = today or local_today()
    three_months = add_months(case.filed_on, 3)
    queries = case_measure_notices(case).filter(kind=NoticeKind.ASSIST, action__code="query",
                                                status__in=[NoticeStatus.ANSWERED, NoticeStatus.CLOSED]).count()
    conditions = [
        Condition("notified", _("The execution notice and the order to report property were served (Art. 1(1))"),
                  False, True),
        *final_conditions_from_apps(case),
        Condition("investigated", _("Every property investigation was made; nothing that can be enforced was "
                                    "found (Art. 1(3))"), queries > 0, True,
                  _("%(n)s property query answer(s) in the portal") % {"n": queries}),
        Condition("three_months", _("More than three months have passed since filing (Art. 1(4))"),
                  today > three_months, False,
                  _("Filed on %(filed)s; 终本 possible after %(date)s") % {"filed": case.filed_on.isoformat(),
                                                                         "date": three_months.isoformat()}),
        Condition("located", _("A missing debtor was searched for; obstruction was fined, detained or referred "
                               "(Art. 1(5))"), False, True),
        Condition("applicant_heard", _("The applicant was told of the enforcement and heard on 终本"), False, True),
    ]
    return conditions


def preservations_to_take_over():
    """执保 cases concluded keeping their measures and not yet taken over by an enforcement case."""
    from .lifecycle import PRESERVATION_KEEPING

    return (Case.objects.filter(case_type="执保", status="concluded", outcome__in=list(PRESERVATION_KEEPING))
            .exclude(id__in=Case.objects.filter(preservation_case__isnull=False).values("preservation_case_id"))
            .order_by("-id"))


CASE_EVENT_FIELDS = ("case_id", "transition", "from_status", "to_status", "at", "note", "actor__username",
                     "actor__first_name", "actor__last_name")


def case_lifecycle(case, measures=None) -> dict:
    """What the case page shows of the lifecycle: the open suspension, the settlements with their
    instalments' states, the payments, the searches after 终本, the money, the events. ``measures``: the
    page's list of the case's measures (a court user's: all of them), for the money held."""
    from .models import CaseEvent, Settlement

    settlements = list(Settlement.objects.filter(case=case).prefetch_related("instalments").order_by("-id"))
    payments = list(case.payments.order_by("received_on", "id"))
    return {
        "suspension": case.suspensions.filter(ended_at__isnull=True).select_related("ruling__case").first()
        if case.status == "suspended" else None,
        "settlements": [(s, instalment_states(s, payments=payments)) for s in settlements],
        "payments": payments,
        # Searches are recorded on a 终本 case only (lifecycle_services.property_search_record).
        "searches": (list(case.property_searches.order_by("seq")) if case.outcome == CaseOutcome.FINAL_NO_PROPERTY
                     else []),
        "money": case_money(case, payments=payments, measures=measures),
        "events": list(CaseEvent.objects.filter(case=case).select_related("actor").only(*CASE_EVENT_FIELDS)
                       .order_by("at", "id")),
        "enforcement_cases": list(case.enforcement_cases.only("id", "number")) if case.case_type == "执保" else [],
    }


def due_in_uncovered_absences(now=None, days: int = 14) -> list[dict]:
    """For the office, ahead of time: open notices whose acknowledge or answer date falls on a day their
    unit's liaison is away with no deputy named (issue 31 §2). One row per absence, with up to 20 of the
    notices it puts at risk; two queries per absence, and absences without a deputy are few."""
    from datetime import datetime, time, timedelta

    from members.models import Absence

    now = now or timezone.now()
    today = timezone.localdate(now)
    absences = list(Absence.objects.filter(deputy__isnull=True, cancelled_at__isnull=True, ends_on__gte=today,
                                           starts_on__lte=today + timedelta(days=days))
                    .select_related("unit", "liaison").order_by("starts_on", "id"))
    rows = []
    for absence in absences:
        start = timezone.make_aware(datetime.combine(max(absence.starts_on, today), time.min))
        end = timezone.make_aware(datetime.combine(absence.ends_on + timedelta(days=1), time.min))
        at_risk = (Notice.objects.filter(unit_id=absence.unit_id, status__in=OPEN)
                   .filter(Q(due_at__gte=start, due_at__lt=end)
                           | Q(ack_due_at__gte=start, ack_due_at__lt=end, acknowledged_at__isnull=True))
                   .only("id", "number", "due_at", "ack_due_at", "acknowledged_at").order_by("due_at"))
        notices = list(at_risk[:20])
        if notices:
            rows.append({"absence": absence, "notices": notices})
    return rows
