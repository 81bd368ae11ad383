"""What waits for the signed-in user ("work that finds you"): per role, counts that link to
the list of exactly those rows. Shown on the home page (every count, zeros too) and in the top menu of
every page (the counts that are not zero).

The counts are each app's reads (``cases.selectors.clerk_todo_counts``, ``inbox_counts``,
``conferences.selectors.convener_todo_counts``, ``office_todo_counts``,
``credit.selectors.check_alerts_open_count``, ``assessments.selectors.reports_to_decide_count``); this
module only says which role sees which and where each links. One small function per role, a constant
handful of queries over open work, computed once per request (``todo_for_request``) and never cached
across requests: a count is always current.
"""
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from members.roles import Role, has_role


@dataclass(frozen=True)
class Todo:
    key: str
    label: str
    count: int
    url: str
    warn: bool = False  # late work: shown in the warning colour
    group: str = "court"  # "unit": a member unit's notices (the home page shows them in the unit's panel)

    @property
    def aria_label(self) -> str:
        """What a screen reader says for the link: 待签收 3 件."""
        return ngettext("%(label)s %(count)d item", "%(label)s %(count)d items", self.count) % {
            "label": self.label, "count": self.count}


def _url(name: str, query: str) -> str:
    return f"{reverse(name)}?{query}"


def clerk_todo(user=None) -> list[Todo]:
    from cases.selectors import clerk_todo_counts
    from credit.selectors import restriction_todo_counts

    c = clerk_todo_counts(court_id=getattr(user, "court_id", None))
    orders = restriction_todo_counts()
    life = c  # the lifecycle's counts come in the same query (cases.selectors.clerk_todo_counts)
    decided = orders  # and the decisions' in the orders' (credit.selectors.restriction_todo_counts)
    return [
        Todo("answered", _("Answers to review"), c["answered"], _url("cases:inbox", "tab=answered")),
        Todo("requests", _("Objections and extension requests"), c["requests"],
             _url("cases:inbox", "tab=requests")),
        Todo("releases", _("Releases not confirmed"), c["to_release"], _url("cases:inbox", "tab=to_release")),
        Todo("measures", _("Measures near expiry"), c["measures_due"], _url("cases:measures", "expiring=1"),
             warn=True),
        Todo("orders_to_issue", _("Restriction orders signed, to issue"), orders["to_issue"],
             _url("credit:restriction-list", "status=signed")),
        Todo("instalments", _("Settlement instalments overdue"), life["instalments_overdue"],
             _url("cases:list", "todo=instalments"), warn=True),
        Todo("settled", _("Settlements performed, to conclude"), life["settled"], _url("cases:list", "todo=settled")),
        Todo("searches", _("Property searches due after 终本"), life["searches_due"],
             _url("cases:list", "todo=searches")),
        Todo("returned", _("Decisions returned by the president"), decided["returned"],
             _url("credit:decisions", "status=returned"), warn=True),
        Todo("to_serve", _("Decisions to serve on the debtor"), decided["to_serve"],
             _url("credit:decisions", "status=decided")),
        *_entrusted(c),
    ]


def _entrusted(c) -> list[Todo]:
    """Tasks between courts (事项委托) and 督办 orders, from the same query: shown only when there are any."""
    supervised = ([Todo("supervision", _("督办 orders to reply to"), c["supervision_open"],
                        reverse("cases:supervision-orders"), warn=True)] if c["supervision_open"] else [])
    if not (c["entrusted_to_accept"] or c["entrusted_release"] or c["entrusted_report_overdue"]):
        return supervised
    url = reverse("cases:entrustments")
    return supervised + [Todo("entrusted", _("Entrusted tasks to accept"), c["entrusted_to_accept"], url,
                 warn=bool(c["entrusted_start_overdue"])),
            Todo("entrusted_release", _("Releases asked by another court"), c["entrusted_release"], url),
            Todo("entrusted_late", _("Entrusted tasks without a report after 30 days"), c["entrusted_report_overdue"],
                 url, warn=True)]


def president_todo() -> list[Todo]:
    """The president decides listings, deletions, liftings and permissions (失信规定 Art. 5; 法发〔2019〕35号
    item 17) and signs consumption restriction orders (限高规定 Art. 5): what waits."""
    from assessments.selectors import sanctions_waiting_count
    from credit.selectors import restriction_todo_counts

    counts = restriction_todo_counts()
    return [Todo("decisions", _("Decisions to sign"), counts["decisions"], _url("credit:decisions", "status=proposed")),
            Todo("sanctions", _("Fines and detention to approve"), sanctions_waiting_count(),
                 _url("assessments:reports", "sanctions=proposed")),
            Todo("orders_to_sign", _("Restriction orders to sign"), counts["to_sign"],
                 _url("credit:restriction-list", "status=draft"))]


def convener_todo() -> list[Todo]:
    from assessments.selectors import REPORTS_TO_DECIDE, reports_to_decide_count
    from conferences.selectors import convener_todo_counts

    c = convener_todo_counts()
    return [
        Todo("agenda", _("Agenda items to approve"), c["agenda_to_approve"],
             _url("conferences:index", "status=proposed")),
        Todo("reports", _("Reports to decide"), reports_to_decide_count(),
             _url("assessments:reports", f"status={REPORTS_TO_DECIDE}")),
        Todo("minutes", _("Minutes to issue"), c["minutes_to_issue"],
             _url("conferences:index", "meetings=to_issue")),
    ]


def office_todo() -> list[Todo]:
    from conferences.selectors import office_todo_counts
    from credit.selectors import check_alerts_open_count
    from members.absences import office_attention_counts

    c = office_todo_counts()
    attention = office_attention_counts()
    return [
        Todo("actions", _("Action items overdue"), c["actions_overdue"], _url("conferences:board", "overdue=1"),
             warn=True),
        Todo("no_minutes", _("Meetings without minutes"), c["meetings_no_minutes"],
             _url("conferences:index", "meetings=no_minutes")),
        # Issue 29: an account checking many IDs of one masked form in a day (credit.CreditCheckAlert).
        Todo("check_alerts", _("Dishonest-list checks that look like guessing"), check_alerts_open_count(),
             _url("credit:check-alerts", "status=open"), warn=True),
        # Issue 31: a liaison away with nobody named to act, a unit nobody acts for, a channel that fails.
        Todo("no_deputy", _("Liaisons away with no deputy"), attention["no_deputy"], reverse("absences"), warn=True),
        Todo("no_liaison", _("Units with no liaison officer"), attention["no_liaison"], reverse("absences"),
             warn=True),
        Todo("channels_failing", _("Reminder channels failing"), attention["channels_failing"],
             reverse("channels"), warn=True),
    ]


def unit_todo(user, counts: dict | None = None) -> list[Todo]:
    """A liaison's or unit leader's: their own unit's notices only (``inbox_counts`` is scoped; ``counts``:
    its figures if the caller has just read them)."""
    from cases.selectors import inbox_counts

    c = counts if counts is not None else inbox_counts(user)
    return [
        Todo("new", _("To acknowledge"), c["new"], _url("cases:inbox", "tab=new"), group="unit"),
        Todo("to_answer", _("To answer"), c["to_answer"], _url("cases:inbox", "tab=to_answer"), group="unit"),
        Todo("to_release", _("To release"), c["to_release"], _url("cases:inbox", "tab=to_release"), group="unit"),
        Todo("overdue", _("Overdue"), c["overdue"], _url("cases:inbox", "tab=overdue"), warn=True, group="unit"),
    ]


def assessor_todo() -> list[Todo]:
    """The assessor finalises a period once its last day has passed (Art. 36, 37)."""
    from assessments.selectors import PERIODS_TO_FINALISE, periods_to_finalise_count

    return [Todo("periods", _("Periods ended, to finalise"), periods_to_finalise_count(),
                 _url("assessments:index", f"status={PERIODS_TO_FINALISE}"))]


def todo_for(user, *, inbox_counts: dict | None = None) -> list[Todo]:
    """Every role's to-do the user holds, in the order clerk, president, convener, office, assessor, unit."""
    if not user.is_authenticated:
        return []
    items = []
    if user.is_superuser or has_role(user, Role.CLERK):  # as the menu's ``nav.clerk``
        items += clerk_todo(user)
    if has_role(user, Role.PRESIDENT):
        items += president_todo()
    if has_role(user, Role.CONVENER):
        items += convener_todo()
    if has_role(user, Role.OFFICE):
        items += office_todo()
    if has_role(user, Role.ASSESSOR):
        items += assessor_todo()
    if has_role(user, Role.LIAISON, Role.UNIT_LEADER) and user.unit_id:
        items += unit_todo(user, inbox_counts)
    return items


def todo_for_request(request, *, inbox_counts: dict | None = None) -> list[Todo]:
    """``todo_for(request.user)``, computed at most once per request (the home page and the menu share it).
    A page that has just read the unit's inbox counts leaves them on the request (``request.inbox_counts``)
    and the menu reuses them: the pages below the roof hand their figures up, never import it."""
    cached = getattr(request, "_todo", None)
    if cached is None:
        if inbox_counts is None:
            inbox_counts = getattr(request, "inbox_counts", None)
        cached = request._todo = todo_for(request.user, inbox_counts=inbox_counts)
    return cached
