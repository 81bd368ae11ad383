"""Reused reads of the joint conference. Every one starts from a queryset scoped to the user."""
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db.models import BooleanField, Count, ExpressionWrapper, Prefetch, Q
from django.utils import timezone

from cases import timeliness
from cases.models import Case, CaseCategory, Notice, NoticeKind
from cases.workflow import OPEN as NOTICE_OPEN
from linkage.orm import unique_or_none
from linkage.prepared import PreparedCounts
from members.models import Unit

from .models import (
    ActionItem,
    ActionReport,
    AgendaItem,
    AgendaReason,
    ConferenceEvent,
    Decision,
    Invitation,
    Meeting,
    MeetingKind,
    Minutes,
)
from .workflow import ACTION_UNSETTLED, AgendaStatus, MeetingStatus, MinutesStatus

MANY_UNITS = 3


def agenda_items_for_list(user):
    return AgendaItem.objects.visible_to(user).for_list()


def agenda_item_for_detail(user):
    return agenda_items_for_list(user).prefetch_related(
        Prefetch("events", queryset=ConferenceEvent.objects.select_related("actor")),
        Prefetch("meetings", queryset=Meeting.objects.select_related("minutes")),
    )


def meetings_visible_to(user):
    return Meeting.objects.visible_to(user)


def meetings_for_list(user):
    return Meeting.objects.visible_to(user).for_list()


def meeting_for_detail(user):
    return Meeting.objects.visible_to(user).select_related("created_by").prefetch_related(
        Prefetch("invitations", queryset=Invitation.objects.select_related("unit", "confirmed_by")),
        Prefetch("agenda_items", queryset=AgendaItem.objects.prefetch_related("units", "cases")),
        Prefetch("events", queryset=ConferenceEvent.objects.select_related("actor")),
    )


def minutes_of(meeting) -> Minutes | None:
    """The meeting's minutes with decisions, units and action items, or None."""
    return unique_or_none(  # one per meeting
        Minutes.objects.filter(meeting=meeting).select_related("meeting", "issued_by", "drafted_by")
        .prefetch_related(Prefetch("decisions", queryset=Decision.objects.select_related(
            "unit", "agenda_item", "action_item")),
            Prefetch("events", queryset=ConferenceEvent.objects.select_related("actor"))))


def may_read_minutes(user, minutes) -> bool:
    """Court roles (conveners included) read drafts too; invited units only issued minutes."""
    from members.roles import is_court_user

    return is_court_user(user) or (minutes is not None and minutes.status == MinutesStatus.ISSUED)


def minutes_reader_unit(user, meeting, minutes, code: str | None = None):
    """Whose part of ``minutes`` ``user`` reads: a ``Unit`` (its excerpt, 摘录: the common part and the
    decisions addressed to it) or ``None`` (the full minutes).

    Court roles (conveners included) read the full minutes, or with ``code`` any invited unit's excerpt.
    A unit's member reads its own unit's excerpt, and the full minutes only where the convener issued
    them to all attendees (``Minutes.issued_to_all``); ``code`` of another unit, or of a unit not
    invited, is ``Http404``."""
    from django.http import Http404

    from members.roles import is_court_user
    from members.scoping import unit_ids

    invited = [i.unit for i in meeting.invitations.all()]
    court = is_court_user(user)
    mine = set() if court else unit_ids(user)
    if code:
        unit = next((u for u in invited if u.code == code), None)
        if unit is None or not (court or unit.pk in mine):
            raise Http404
        return unit
    if court or minutes.issued_to_all:
        return None
    own = next((u for u in invited if u.pk in mine), None)
    if own is None:
        raise Http404
    return own


def decisions_for(minutes, unit) -> list:
    """The decisions ``unit`` reads (all of them for ``None``): those addressed to it, and those addressed
    to no unit in particular, which belong to the common part."""
    return [d for d in minutes.decisions.all() if unit is None or d.unit_id in (None, unit.pk)]


def action_items_for_list(user):
    return ActionItem.objects.visible_to(user).for_list()


def action_item_for_detail(user):
    return ActionItem.objects.visible_to(user).select_related("unit", "meeting", "minutes", "decision").prefetch_related(
        Prefetch("reports", queryset=ActionReport.objects.select_related("by")),
        Prefetch("events", queryset=ConferenceEvent.objects.select_related("actor")),
    )


def unit_tasks(user):
    """A liaison's task list: open invitations to confirm and action items not yet done."""
    invitations = (Invitation.objects.visible_to(user).filter(status="invited", meeting__status="scheduled")
                   .select_related("meeting", "unit").order_by("meeting__starts_at"))
    items = action_items_for_list(user).filter(status__in=ACTION_UNSETTLED).order_by("due_at", "id")
    return invitations, items


def office_board(*, court_id=None, overdue: bool = False, now=None):
    """Open action items (not done) of one court's conference (``court_id``; the first court's by
    default), grouped by unit and by meeting, for the office's board; ``overdue``: only those past their
    due date and still owed (``ActionItemQuerySet.overdue``)."""
    from members.court_keys import home_court_id

    qs = ActionItem.objects.filter(meeting__court_id=court_id or home_court_id(),status__in=ACTION_UNSETTLED, minutes__status=MinutesStatus.ISSUED)
    if overdue:
        qs = qs.overdue(now)
    rows = list(qs.select_related("unit", "meeting", "minutes").order_by("unit__sort_order", "unit__code",
                                                                          "meeting__starts_at", "id"))
    by_unit = {}
    for row in rows:
        by_unit.setdefault(row.unit, []).append(row)
    by_meeting = {}
    for row in rows:
        by_meeting.setdefault(row.meeting, []).append(row)
    return rows, by_unit, by_meeting


# ---------------------------------------------------------------- what waits for the office and the conveners

def meeting_rule(name: str, now) -> Q:
    """The meetings lists of the conference page (``?meetings=``), each rule stated once. A meeting is
    held when its minutes are issued (``minutes_issue``), so one still ``scheduled`` whose start has passed
    has no issued minutes: ``no_minutes`` (the office writes them, or a draft waits), ``to_issue`` (a draft
    the convener can sign and issue: never before the meeting has begun)."""
    if name == "no_minutes":
        return Q(status=MeetingStatus.SCHEDULED, starts_at__lte=now)
    if name == "to_issue":
        return meeting_rule("no_minutes", now) & Q(minutes__status=MinutesStatus.DRAFT)
    raise KeyError(name)


MEETING_LISTS = ("no_minutes", "to_issue")


def meetings_listed(user, name: str = "", now=None):
    qs = meetings_for_list(user)
    if name in MEETING_LISTS:
        qs = qs.filter(meeting_rule(name, now or timezone.now()))
    return qs


def meeting_counts(now=None) -> dict:
    """``no_minutes`` and ``to_issue`` in one query over scheduled meetings only."""
    return _prepared_meeting_counts(now or timezone.now())


def _meeting_counts(now) -> dict:
    return Meeting.objects.filter(status=MeetingStatus.SCHEDULED).aggregate(
        **{name: Count("id", filter=meeting_rule(name, now)) for name in MEETING_LISTS})


# The menu's counts run on every page of the convener and the office: compiled once (linkage.prepared).
_prepared_meeting_counts = PreparedCounts(_meeting_counts)
_prepared_agenda_to_approve = PreparedCounts(
    lambda now: AgendaItem.objects.filter(status=AgendaStatus.PROPOSED).aggregate(n=Count("id")))
_prepared_actions_overdue = PreparedCounts(
    lambda now: ActionItem.objects.overdue(now).aggregate(n=Count("id")))


def convener_todo_counts(now=None) -> dict:
    """Agenda items to approve (index ``agenda_status_id``) and minutes to issue; the reports to decide
    are the assessments app's (``assessments.selectors.reports_to_decide_count``)."""
    now = now or timezone.now()
    return {"agenda_to_approve": _prepared_agenda_to_approve(now)["n"],
            "minutes_to_issue": meeting_counts(now)["to_issue"]}


def office_todo_counts(now=None) -> dict:
    """Action items overdue (open or returned, due date past; index ``action_status_due``) and meetings
    held without issued minutes."""
    now = now or timezone.now()
    return {"actions_overdue": _prepared_actions_overdue(now)["n"],
            "meetings_no_minutes": meeting_counts(now)["no_minutes"]}


def excerpt_decisions(minutes, unit) -> list:
    """The decisions addressed to ``unit`` (摘录)."""
    return [d for d in minutes.decisions.all() if d.unit_id == unit.pk]


# ---------------------------------------------------------------- suggestions from data

@dataclass
class Suggestion:
    key: str
    reason: str
    kind: str
    title: str
    case: Case
    unit_codes: list = field(default_factory=list)
    note: str = ""
    state: str = ""  # listed cases: "stalled" (a unit is late), "idle" (nothing with any unit), "moving"
    unit_names: list = field(default_factory=list)  # the units of ``unit_codes``, by name, as pages show them

    def as_dict(self) -> dict:
        return {"key": self.key, "kind": self.kind, "state": self.state, "reason": self.reason,
                "title": self.title, "case": {"id": self.case.pk, "number": self.case.number,
                                              "title": self.case.title},
                "late_units": self.unit_codes if self.kind != "many_units" else [],
                "units": self.unit_codes, "overdue_notices": int(self.note or 0)}


def overdue_threshold(now=None, working_days=None):
    """The moment before which a deadline is ``working_days`` working days past (the office's setting
    ``AGENDA_SUGGESTION_OVERDUE_WORKING_DAYS``, default 10): the start of the N-th working day before
    today, counted in Chinese working days with the office's holiday overrides."""
    from django.conf import settings

    from cases.deadlines import LOCAL, is_workday
    from cases.models import HolidayOverride

    n = settings.AGENDA_SUGGESTION_OVERDUE_WORKING_DAYS if working_days is None else working_days
    today = timezone.localtime(now or timezone.now(), LOCAL).date()
    overrides = dict(HolidayOverride.objects.filter(date__lt=today, date__gte=today - timedelta(days=n * 3 + 40))
                     .values_list("date", "is_workday"))
    day, counted = today, 0
    while counted < n:
        day -= timedelta(days=1)
        counted += is_workday(day, overrides)
    return timezone.make_aware(datetime.combine(day, time.min), LOCAL)


def _late_q(cut, prefix=""):
    """Notices open and past a deadline before ``cut`` on a clock that runs (no pending request)."""
    from cases.workflow import AWAITING_ACK

    p = prefix
    return (Q(**{f"{p}paused_since__isnull": True}) & (
        Q(**{f"{p}status__in": AWAITING_ACK, f"{p}ack_due_at__lt": cut})
        | Q(**{f"{p}status__in": NOTICE_OPEN, f"{p}due_at__lt": cut})))


def agenda_suggestions(now=None) -> list[Suggestion]:
    """Cases the office might put to the conference, not yet on an unsettled agenda item:

    * listed supervision (挂牌督办) still open, told apart: ``stalled`` (a unit is the office's threshold
      past a deadline: those units are named), ``idle`` (no notice with any unit: the court must move),
      ``moving`` (notices out, none that late);
    * notices the threshold past a deadline: the late units are named, not the ones that answered;
    * notices still open with three or more units.
    """
    now = now or timezone.now()
    cut = overdue_threshold(now)
    on_agenda = AgendaItem.cases.through.objects.filter(
        agendaitem__status__in=[AgendaStatus.PROPOSED, AgendaStatus.APPROVED]).values("case_id")
    base = Case.objects.filter(status="open").exclude(id__in=on_agenda)
    open_q = Q(notices__status__in=NOTICE_OPEN)
    cases = list(base.annotate(
        n_units=Count("notices__unit", filter=open_q, distinct=True),
        n_open=Count("notices", filter=open_q, distinct=True),
        n_long_overdue=Count("notices", filter=_late_q(cut, "notices__"), distinct=True),
    ).filter(Q(listed_supervision=True) | Q(n_long_overdue__gt=0) | Q(n_units__gte=MANY_UNITS)).order_by("-id")[:50])
    late, owing, names = {}, {}, {}
    for case_id, code, name, is_late in (Notice.objects.filter(case__in=cases, status__in=NOTICE_OPEN)
                                         .annotate(is_late=ExpressionWrapper(_late_q(cut), output_field=BooleanField()))
                                         .values_list("case_id", "unit__code", "unit__name", "is_late").distinct()
                                         .order_by("case_id", "unit__code")):
        names[code] = name
        if code not in owing.setdefault(case_id, []):
            owing[case_id].append(code)
        if is_late and code not in late.setdefault(case_id, []):
            late[case_id].append(code)

    def named(codes):  # a title and a page name the units (issue 31 D3), the API keeps the codes
        return [names[code] for code in codes]

    result = []
    for case in cases:
        late_codes, open_codes = late.get(case.pk, []), owing.get(case.pk, [])
        if case.listed_supervision:
            state = "stalled" if late_codes else "moving" if case.n_open else "idle"
            title = {"stalled": f"挂牌督办案件 {case.number} {case.title}（{'、'.join(named(late_codes))}逾期）",
                     "idle": f"挂牌督办案件 {case.number} {case.title}（无在办协助事项）",
                     "moving": f"挂牌督办案件 {case.number} {case.title}"}[state]
            codes = late_codes if state == "stalled" else open_codes
            result.append(Suggestion(f"listed-{case.pk}", AgendaReason.MAJOR, "listed", title, case, codes,
                                     note=str(case.n_long_overdue), state=state, unit_names=named(codes)))
        elif case.n_long_overdue:
            result.append(Suggestion(f"overdue-{case.pk}", AgendaReason.MULTI_UNIT if len(late_codes) > 1 else
                                     AgendaReason.OTHER, "overdue",
                                     f"{case.number} 协助执行通知书逾期未办（{'、'.join(named(late_codes))}）", case,
                                     late_codes, note=str(case.n_long_overdue), unit_names=named(late_codes)))
        else:
            result.append(Suggestion(f"units-{case.pk}", AgendaReason.MULTI_UNIT, "many_units",
                                     f"{case.number} 需{len(open_codes)}家单位协作", case, open_codes,
                                     unit_names=named(open_codes)))
    return result


# ---------------------------------------------------------------- the court's work report (Art. 9)

REPORT_COUNTS = ("issued", "acknowledged", "ack_on_time", "ack_late", "answered", "on_time", "late", "paused")


def _report_period(meeting: Meeting):
    previous = (Meeting.objects.filter(kind=MeetingKind.REGULAR, starts_at__lt=meeting.starts_at)
                .exclude(pk=meeting.pk).order_by("-starts_at").first())
    since = previous.starts_at if previous else meeting.starts_at - timedelta(days=365)
    return since, meeting.starts_at


def work_report_figures(meeting: Meeting, now=None) -> dict:
    """The report's figures, computed as of the meeting's start (or now, before it): assistance notices
    issued since the previous regular meeting (or a year), each judged by what had happened by then.

    A late acknowledgement counts as late; a notice whose clocks a pending objection or extension had
    stopped at that moment is counted as stopped, not late; one whose request was decided before is
    judged against its moved deadline. The same rules as the assessment (``cases.timeliness``)."""
    since, start = _report_period(meeting)
    until = min(start, now or timezone.now())
    rules = timeliness.notice_rules(until)
    ack, ans = rules[timeliness.ACK_ON_TIME], rules[timeliness.ANSWER_ON_TIME]
    ack_by = Q(acknowledged_at__isnull=False, acknowledged_at__lte=until)
    ans_by = Q(answered_at__isnull=False, answered_at__lte=until)
    notices = Notice.objects.filter(issued_at__gte=since, issued_at__lt=until, kind=NoticeKind.ASSIST)
    stats = {row.pop("unit_id"): row for row in notices.values("unit_id").annotate(
        issued=Count("id"),
        acknowledged=Count("id", filter=ack_by),
        ack_on_time=Count("id", filter=ack.ok),
        ack_late=Count("id", filter=ack.sample & ~ack.ok),
        answered=Count("id", filter=ans_by),
        on_time=Count("id", filter=ans.ok),
        late=Count("id", filter=ans.sample & ~ans.ok),
        paused=Count("id", filter=timeliness.paused_at(until) & ~ans_by & ~Q(cancelled_at__lte=until)),
    ).order_by()}
    by_unit = []
    for unit in Unit.objects.filter(pk__in=stats).order_by("sort_order", "code"):
        row = {"code": unit.code, "name": unit.name, **stats[unit.pk]}
        row["on_time_rate"] = round(100 * row["on_time"] / row["issued"]) if row["issued"] else None
        by_unit.append(row)
    not_done = ~Q(answered_at__isnull=False, answered_at__lte=until) & ~Q(cancelled_at__isnull=False,
                                                                           cancelled_at__lte=until)
    releases = (Notice.objects.filter(not_done, kind=NoticeKind.RELEASE, issued_at__lt=until)
                .select_related("unit").order_by("due_at", "id")[:100])
    open_then = Q(notices__issued_at__lt=until) & ~Q(notices__answered_at__lte=until) & ~Q(
        notices__cancelled_at__lte=until)
    # The key cases are few; read from their own indexes (listed, or in a key category), not by walking
    # every case for the two conditions at once.
    key_ids = (Case.objects.filter(listed_supervision=True).order_by().values("id")
               .union(CaseCategory.objects.order_by().values("case_id")))
    key_cases = (Case.objects.filter(id__in=key_ids, created_at__lt=until)
                 .filter(Q(concluded_at__isnull=True) | Q(concluded_at__gt=until))
                 .annotate(open_notices=Count("notices", filter=open_then, distinct=True))
                 .prefetch_related("categories").order_by("-listed_supervision", "-id")[:50])
    return {
        "since": since, "until": until, "by_unit": by_unit,
        "totals": {k: sum(r[k] for r in by_unit) for k in REPORT_COUNTS},
        "releases": [{"id": n.pk, "number": n.number, "unit": n.unit.name, "due_at": n.due_at} for n in releases],
        "key_cases": [{"id": c.pk, "number": c.number, "title": c.title, "listed": c.listed_supervision,
                       "categories": [str(cat.get_category_display()) for cat in c.categories.all()],
                       "open_notices": c.open_notices} for c in key_cases],
    }


def _dump(value):
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _load(data: dict) -> dict:
    from django.utils.dateparse import parse_datetime

    data = dict(data)
    data["since"], data["until"] = parse_datetime(data["since"]), parse_datetime(data["until"])
    data["releases"] = [{**r, "due_at": parse_datetime(r["due_at"]) if r.get("due_at") else None}
                        for r in data["releases"]]
    return data


def work_report_freeze(meeting: Meeting):
    """Store the report as of the meeting's start when the meeting is held (``minutes_issue``); a report
    already stored stays as it is."""
    from .models import MeetingReport

    existing = MeetingReport.objects.filter(meeting=meeting).first()
    if existing is not None:
        return existing
    figures = work_report_figures(meeting)
    return MeetingReport.objects.create(meeting=meeting, as_of=figures["until"], data=_dump(figures))


def work_report(meeting: Meeting) -> dict:
    """The report of a meeting: the stored one once the meeting is held, else computed as of its start.
    ``frozen_at`` says which (None: provisional, still computed)."""
    from .models import MeetingReport

    stored = MeetingReport.objects.filter(meeting=meeting).first()
    if stored is not None:
        return {**_load(stored.data), "frozen_at": stored.frozen_at}
    return {**_load(_dump(work_report_figures(meeting))), "frozen_at": None}
