"""Reused reads of the joint conference. Every one starts from a queryset scoped to the user."""
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, F, Prefetch, Q
from django.utils import timezone

from cases.models import Case, Notice, NoticeKind
from cases.workflow import OPEN as NOTICE_OPEN
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
from .workflow import ACTION_UNSETTLED, AgendaStatus, MinutesStatus

# A notice this many days past its answer deadline makes its case a candidate for the conference.
LONG_OVERDUE_DAYS = 30
MANY_UNITS = 3


def agenda_items_for_list(user):
    return AgendaItem.objects.visible_to(user).for_list()


def agenda_item_for_detail(user):
    return agenda_items_for_list(user).prefetch_related(
        Prefetch("events", queryset=ConferenceEvent.objects.select_related("actor")),
        Prefetch("meetings", queryset=Meeting.objects.select_related("minutes")),
    )


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
    return (Minutes.objects.filter(meeting=meeting).select_related("meeting", "issued_by", "drafted_by")
            .prefetch_related(Prefetch("decisions", queryset=Decision.objects.select_related(
                "unit", "agenda_item", "action_item")),
                Prefetch("events", queryset=ConferenceEvent.objects.select_related("actor")))
            .first())


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


def office_board():
    """Open action items (not done) grouped by unit and by meeting, for the office's board."""
    rows = list(ActionItem.objects.filter(status__in=ACTION_UNSETTLED, minutes__status=MinutesStatus.ISSUED)
                .select_related("unit", "meeting", "minutes").order_by("unit__sort_order", "unit__code",
                                                                         "meeting__starts_at", "id"))
    by_unit = {}
    for row in rows:
        by_unit.setdefault(row.unit, []).append(row)
    by_meeting = {}
    for row in rows:
        by_meeting.setdefault(row.meeting, []).append(row)
    return rows, by_unit, by_meeting


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


def agenda_suggestions(now=None) -> list[Suggestion]:
    """Cases the office might put to the conference: listed supervision still open, notices long overdue,
    notices to three or more units. Cases already on an unsettled agenda item are left out."""
    now = now or timezone.now()
    on_agenda = AgendaItem.cases.through.objects.filter(
        agendaitem__status__in=[AgendaStatus.PROPOSED, AgendaStatus.APPROVED]).values("case_id")
    base = Case.objects.filter(status="open").exclude(id__in=on_agenda)
    overdue_cut = now - timedelta(days=LONG_OVERDUE_DAYS)
    cases = list(base.annotate(
        n_units=Count("notices__unit", distinct=True),
        n_long_overdue=Count("notices", filter=Q(notices__status__in=NOTICE_OPEN, notices__due_at__lt=overdue_cut),
                             distinct=True),
    ).filter(Q(listed_supervision=True) | Q(n_long_overdue__gt=0) | Q(n_units__gte=MANY_UNITS)).order_by("-id")[:50])
    units = {}
    for case_id, code in (Notice.objects.filter(case__in=cases).values_list("case_id", "unit__code").distinct()
                          .order_by("case_id", "unit__code")):
        units.setdefault(case_id, []).append(code)
    result = []
    for case in cases:
        codes = units.get(case.pk, [])
        if case.listed_supervision:
            result.append(Suggestion(f"listed-{case.pk}", AgendaReason.MAJOR, "listed",
                                     f"挂牌督办案件 {case.number} {case.title}", case, codes))
        elif case.n_long_overdue:
            result.append(Suggestion(f"overdue-{case.pk}", AgendaReason.MULTI_UNIT if len(codes) > 1 else
                                     AgendaReason.OTHER, "overdue",
                                     f"{case.number} 协助执行通知书长期逾期未办结", case, codes,
                                     note=str(case.n_long_overdue)))
        else:
            result.append(Suggestion(f"units-{case.pk}", AgendaReason.MULTI_UNIT, "many_units",
                                     f"{case.number} 需{len(codes)}家单位协作", case, codes))
    return result


# ---------------------------------------------------------------- the court's work report (Art. 9)

def work_report(meeting: Meeting) -> dict:
    """Statistics for a regular meeting, from the data since the previous regular meeting (or a year)."""
    previous = (Meeting.objects.filter(kind=MeetingKind.REGULAR, starts_at__lt=meeting.starts_at)
                .exclude(pk=meeting.pk).order_by("-starts_at").first())
    since = previous.starts_at if previous else meeting.starts_at - timedelta(days=365)
    until = meeting.starts_at
    notices = Notice.objects.filter(issued_at__gte=since, issued_at__lt=until, kind=NoticeKind.ASSIST)
    stats = {row["unit_id"]: row for row in notices.values("unit_id").annotate(
        issued=Count("id"),
        acknowledged=Count("id", filter=Q(acknowledged_at__isnull=False)),
        answered=Count("id", filter=Q(answered_at__isnull=False)),
        on_time=Count("id", filter=Q(answered_at__isnull=False, answered_at__lte=F("due_at"))),
    ).order_by()}
    by_unit = list(Unit.objects.filter(pk__in=stats).order_by("sort_order", "code"))
    for unit in by_unit:
        for key in ("issued", "acknowledged", "answered", "on_time"):
            setattr(unit, key, stats[unit.pk][key])
        unit.on_time_rate = round(100 * unit.on_time / unit.issued) if unit.issued else None
    releases = (Notice.objects.filter(kind=NoticeKind.RELEASE, status__in=NOTICE_OPEN)
                .select_related("case", "unit").order_by("due_at")[:100])
    key_cases = (Case.objects.filter(Q(listed_supervision=True) | Q(categories__isnull=False), status="open")
                 .distinct().annotate(open_notices=Count("notices", filter=Q(notices__status__in=NOTICE_OPEN),
                                                         distinct=True))
                 .prefetch_related("categories").order_by("-listed_supervision", "-id")[:50])
    totals = {k: sum(getattr(u, k) for u in by_unit) for k in ("issued", "acknowledged", "answered", "on_time")}
    return {"since": since, "until": until, "by_unit": by_unit, "releases": list(releases),
            "key_cases": list(key_cases), "totals": totals}
