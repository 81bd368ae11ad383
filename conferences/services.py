"""Writes and state transitions of the joint conference.

Each service takes the acting user, runs in one transaction, checks permission and state, writes the
immutable ``ConferenceEvent`` row, and enqueues side effects (notifications) on commit.
"""
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.deadlines import parse_due
from cases.models import Case
from linkage.statemachine import InvalidTransition, change_state
from members.models import Unit
from members.scoping import can_handle_unit

from . import notify
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
    MinutesCounter,
    format_minutes_number,
)
from .workflow import MACHINES, AgendaStatus, MeetingStatus, MinutesStatus

SUBJECT_FIELDS = {AgendaItem: "agenda_item", Meeting: "meeting", Invitation: "invitation", Minutes: "minutes",
                  ActionItem: "action_item"}
MACHINE_OF = {AgendaItem: "agenda", Meeting: "meeting", Invitation: "invitation", Minutes: "minutes",
              ActionItem: "action"}


def _require(actor, perm: str):
    if not actor.has_perm(perm):
        raise PermissionDenied(_("Your role does not allow this."))


def _require_unit_handler(actor, unit_id: int, unit=None):
    if not (actor.is_superuser or can_handle_unit(actor, unit_id)):
        raise PermissionDenied(_("Only the liaison officer of %(unit)s can do this.") % {"unit": unit or unit_id})


def _event(obj, *, transition: str, from_status: str, to_status: str, actor, note: str = "", at=None):
    return ConferenceEvent.objects.create(
        **{SUBJECT_FIELDS[type(obj)]: obj}, transition=transition, from_status=from_status, to_status=to_status,
        actor=actor, note=note, at=at or timezone.now())


def _step(obj, name: str, *, actor, note: str = "", **fields):
    """Move a locked object along its table, set ``fields``, write the event row."""
    return change_state(obj, MACHINES[MACHINE_OF[type(obj)]], name, actor=actor, event=ConferenceEvent,
                        subject=SUBJECT_FIELDS[type(obj)], note=note, **fields)


def _locked(model, pk):
    return model.objects.select_for_update(of=("self",), no_key=True).get(pk=pk)


def _due(value, field: str, errors: dict):
    if value in (None, ""):
        return None
    try:
        return parse_due(value)
    except ValidationError as exc:
        errors.setdefault(field, []).extend(exc.messages)
        return None


# ---------------------------------------------------------------- agenda items

@transaction.atomic
def agenda_item_propose(*, actor, title: str, reason: str, cases=(), units=(), description: str = "",
                        suggested: str = "") -> AgendaItem:
    """The office puts a matter to the conference (Art. 34). ``cases`` are ids or cases, ``units`` codes
    or units."""
    _require(actor, "conferences.add_agendaitem")
    errors = {}
    if not (title or "").strip():
        errors["title"] = [_("Give the agenda item a title.")]
    if reason not in AgendaReason.values:
        errors["reason"] = [_("Choose major, stability, multi_unit or other.")]
    case_ids = sorted({c.pk if isinstance(c, Case) else c for c in cases})
    found_cases = list(Case.objects.filter(pk__in=case_ids, court_id=actor.court_id))
    if len(found_cases) != len(case_ids):
        errors["cases"] = [_("Some of these cases do not exist.")]
    unit_codes = sorted({u.code if isinstance(u, Unit) else u for u in units})
    found_units = list(Unit.objects.filter(code__in=unit_codes, active=True, court_id=actor.court_id))
    if len(found_units) != len(unit_codes):
        missing = set(unit_codes) - {u.code for u in found_units}
        errors["units"] = [_("Unknown or inactive unit: %(codes)s") % {"codes": ", ".join(sorted(missing))}]
    if reason == AgendaReason.MULTI_UNIT and len(unit_codes) < 2 and "units" not in errors:
        errors["units"] = [_("A matter that needs several units names at least two.")]
    if errors:
        raise ValidationError(errors)
    item = AgendaItem.objects.create(title=title.strip(), reason=reason, description=(description or "").strip(),
                                     proposed_by=actor, suggested=suggested, court_id=actor.court_id)
    item.cases.set(found_cases)
    item.units.set(found_units)
    _event(item, transition="propose", from_status="", to_status=item.status, actor=actor)
    return item


@transaction.atomic
def agenda_item_approve(*, actor, item: AgendaItem, comment: str = "") -> AgendaItem:
    _require(actor, "conferences.decide_agendaitem")
    item = _locked(AgendaItem, item.pk)
    return _step(item, "approve", actor=actor, note=comment, decided_by=actor, decided_at=timezone.now(),
                 decision_comment=(comment or "").strip())


@transaction.atomic
def agenda_item_reject(*, actor, item: AgendaItem, comment: str = "") -> AgendaItem:
    _require(actor, "conferences.decide_agendaitem")
    item = _locked(AgendaItem, item.pk)
    return _step(item, "reject", actor=actor, note=comment, decided_by=actor, decided_at=timezone.now(),
                 decision_comment=(comment or "").strip())


# ---------------------------------------------------------------- meetings

@transaction.atomic
def meeting_create(*, actor, title: str, kind: str, starts_at, agenda_items=(), place: str = "") -> Meeting:
    """Schedule a meeting on approved agenda items; their units are invited and notified on commit."""
    _require(actor, "conferences.add_meeting")
    errors = {}
    if not (title or "").strip():
        errors["title"] = [_("Give the meeting a title.")]
    if kind not in MeetingKind.values:
        errors["kind"] = [_("Choose regular or special.")]
    if isinstance(starts_at, str):
        starts_at = _due(starts_at, "starts_at", errors)
    if starts_at is None and "starts_at" not in errors:
        errors["starts_at"] = [_("Say when the meeting is held.")]
    ids = sorted({a.pk if isinstance(a, AgendaItem) else a for a in agenda_items})
    items = list(AgendaItem.objects.select_for_update(of=("self",), no_key=True)
                 .filter(pk__in=ids, court_id=actor.court_id))
    if not ids:
        errors["agenda_items"] = [_("Put at least one approved agenda item on the agenda.")]
    elif len(items) != len(ids) or any(i.status != AgendaStatus.APPROVED for i in items):
        errors["agenda_items"] = [_("Only approved agenda items that are not yet settled can be scheduled.")]
    if errors:
        raise ValidationError(errors)
    meeting = Meeting.objects.create(title=title.strip(), kind=kind, starts_at=starts_at,
                                     place=(place or "").strip(), created_by=actor, court_id=actor.court_id)
    meeting.agenda_items.set(items)
    unit_ids = sorted(set(AgendaItem.units.through.objects.filter(agendaitem_id__in=ids)
                          .values_list("unit_id", flat=True)))
    Invitation.objects.bulk_create([Invitation(meeting=meeting, unit_id=u) for u in unit_ids])
    _event(meeting, transition="schedule", from_status="", to_status=meeting.status, actor=actor)
    notify.queue_invitations(meeting.pk)
    return meeting


@transaction.atomic
def invitation_confirm(*, actor, invitation: Invitation, attendees: str) -> Invitation:
    """The unit's liaison says who attends (出席人员)."""
    _require(actor, "conferences.confirm_attendance")
    invitation = Invitation.objects.select_for_update(of=("self",), no_key=True).select_related("unit").get(pk=invitation.pk)
    _require_unit_handler(actor, invitation.unit_id, invitation.unit)
    if not (attendees or "").strip():
        raise ValidationError({"attendees": [_("Name who attends for the unit.")]})
    return _step(invitation, "confirm", actor=actor, note=attendees.strip(), attendees=attendees.strip(),
                 confirmed_by=actor, confirmed_at=timezone.now())


# ---------------------------------------------------------------- minutes

@transaction.atomic
def minutes_draft(*, actor, meeting: Meeting, summary: str, decisions: list[dict]) -> Minutes:
    """Write (or rewrite) the draft minutes of a meeting with its decisions; a decision addressed to a
    unit is also an action item. Issued minutes cannot change (``InvalidTransition``)."""
    _require(actor, "conferences.add_minutes")
    meeting = _locked(Meeting, meeting.pk)
    existing = Minutes.objects.select_for_update(of=("self",), no_key=True).filter(meeting=meeting).first()
    if existing is not None:
        MACHINES["minutes"].transition_for(existing.status, "redraft")  # 409 once issued, before the body is read
    errors = {}
    if not (summary or "").strip():
        errors["summary"] = [_("Write the summary of the meeting.")]
    agenda_ids = set(meeting.agenda_items.values_list("id", flat=True))
    codes = {d.get("unit") for d in decisions if d.get("unit")}
    units = {u.code: u for u in Unit.objects.filter(code__in=codes, court_id=meeting.court_id)}
    invited = set(meeting.invitations.values_list("unit_id", flat=True))
    rows = []
    for index, spec in enumerate(decisions or [], start=1):
        text = (spec.get("text") or "").strip()
        label = _("Decision %(n)s") % {"n": index}
        if not text:
            errors.setdefault("decisions", []).append(_("%(label)s: write the decision.") % {"label": label})
            continue
        unit = None
        code = spec.get("unit")
        if code:
            code = code.code if isinstance(code, Unit) else code
            unit = units.get(code)
            if unit is None:
                errors.setdefault("decisions", []).append(
                    _("%(label)s: unknown unit %(code)s.") % {"label": label, "code": code})
            elif unit.pk not in invited:
                # Its excerpt would reach a unit that was never at the table: refused, not invited silently.
                errors.setdefault("decisions", []).append(
                    _("%(label)s: %(unit)s was not invited to this meeting; a decision can only be addressed "
                      "to an invited unit.") % {"label": label, "unit": unit.name})
        due = _due(spec.get("due_at"), "decisions", errors)
        agenda_item = spec.get("agenda_item")
        agenda_id = agenda_item.pk if isinstance(agenda_item, AgendaItem) else agenda_item
        if agenda_id and agenda_id not in agenda_ids:
            errors.setdefault("decisions", []).append(
                _("%(label)s: the agenda item is not on this meeting's agenda.") % {"label": label})
        rows.append(dict(seq=index, text=text, unit=unit, due_at=due, agenda_item_id=agenda_id or None))
    if errors:
        raise ValidationError(errors)
    if existing is None:
        minutes = Minutes.objects.create(meeting=meeting, summary=summary.strip(), drafted_by=actor)
        _event(minutes, transition="draft", from_status="", to_status=minutes.status, actor=actor)
    else:
        minutes = existing
        minutes.decisions.all().delete()  # a draft's action items have not reached anyone yet
        _step(minutes, "redraft", actor=actor, summary=summary.strip(), drafted_by=actor,
              drafted_at=timezone.now())
    made = Decision.objects.bulk_create([Decision(minutes=minutes, **row) for row in rows])
    ActionItem.objects.bulk_create([
        ActionItem(decision=d, minutes=minutes, meeting=meeting, unit=d.unit, text=d.text, due_at=d.due_at)
        for d in made if d.unit is not None
    ])
    return minutes


def next_minutes_number(year: int) -> tuple[int, str]:
    """Take the next number of ``year``: the counter row is locked (SELECT … FOR UPDATE) until the
    surrounding transaction ends, so two concurrent issues never share a number."""
    try:
        with transaction.atomic():
            MinutesCounter.objects.get_or_create(year=year)
    except IntegrityError:  # created at the same moment by another transaction: it is there now
        pass
    counter = MinutesCounter.objects.select_for_update(of=("self",), no_key=True).get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last, format_minutes_number(year, counter.last)


@transaction.atomic
def minutes_issue(*, actor, minutes: Minutes, to_all: bool = False) -> Minutes:
    """A convener issues the minutes: numbered, read-only; their action items reach the units; agenda
    items decided are settled, the others carry over to the next meeting's draft agenda. ``to_all`` is
    the convener's recorded choice to issue the full minutes to every invited unit; otherwise each unit
    reads the common part and the decisions addressed to it."""
    _require(actor, "conferences.issue_minutes")
    minutes = _locked(Minutes, minutes.pk)
    MACHINES["minutes"].transition_for(minutes.status, "issue")
    now = timezone.now()
    starts_at = Meeting.objects.values_list("starts_at", flat=True).get(pk=minutes.meeting_id)
    if starts_at > now:  # minutes record a meeting held: none before it (409; their date is never earlier)
        raise InvalidTransition(_("The meeting has not been held yet (it starts %(when)s); its minutes can be "
                                  "issued once it has.")
                                % {"when": timezone.localtime(starts_at).strftime("%Y-%m-%d %H:%M")})
    year = timezone.localdate(now).year
    seq, number = next_minutes_number(year)
    _step(minutes, "issue", actor=actor, note=number, year=year, seq=seq, number=number, issued_by=actor,
          issued_at=now, issued_to_all=bool(to_all))
    meeting = _locked(Meeting, minutes.meeting_id)
    if meeting.status == MeetingStatus.SCHEDULED:
        _step(meeting, "hold", actor=actor, note=number)
    if meeting.kind == MeetingKind.REGULAR:
        # The court's work report is fixed as of the meeting (and annexed to these minutes).
        from .selectors import work_report_freeze

        work_report_freeze(meeting)
    decided = set(minutes.decisions.exclude(agenda_item=None).values_list("agenda_item_id", flat=True))
    for item in AgendaItem.objects.select_for_update(of=("self",), no_key=True).filter(pk__in=decided, status=AgendaStatus.APPROVED):
        _step(item, "settle", actor=actor, note=number)
    items = list(minutes.action_items.all())
    ConferenceEvent.objects.bulk_create([
        ConferenceEvent(action_item=i, transition="assign", from_status="", to_status=i.status, actor=actor,
                        note=number, at=now)
        for i in items
    ])
    notify.queue_action_items([i.pk for i in items])
    from documents.services import register_minutes  # the minutes and each excerpt, stored and e-sealed

    register_minutes(minutes, actor=actor)
    return minutes


def minutes_read_log(*, actor, minutes: Minutes, unit, kind: str) -> None:
    """An AccessLog row for a minutes document fetched: which document, and whose excerpt (or the full
    minutes)."""
    from members.services import access_log

    part = f"excerpt {unit.code}" if unit is not None else "full"
    access_log(actor=actor, what=f"minutes_{kind}", obj=f"{minutes} [{part}]")


# ---------------------------------------------------------------- action items

def _locked_item(item):
    return ActionItem.objects.select_for_update(of=("self",), no_key=True).select_related("unit", "minutes").get(pk=item.pk)


@transaction.atomic
def action_item_report(*, actor, item: ActionItem, detail: str) -> ActionItem:
    _require(actor, "conferences.report_actionitem")
    item = _locked_item(item)
    _require_unit_handler(actor, item.unit_id, item.unit)
    if item.minutes.status != MinutesStatus.ISSUED:
        raise PermissionDenied(_("The minutes are not issued yet."))
    MACHINES["action"].transition_for(item.status, "report")
    detail = (detail or "").strip()
    if not detail:
        raise ValidationError({"detail": [_("Say what the unit has done.")]})
    ActionReport.objects.create(action_item=item, detail=detail, by=actor)
    return _step(item, "report", actor=actor, note=detail)


@transaction.atomic
def action_item_close(*, actor, item: ActionItem, note: str = "") -> ActionItem:
    _require(actor, "conferences.close_actionitem")
    item = _locked_item(item)
    return _step(item, "close", actor=actor, note=note, closed_at=timezone.now())


@transaction.atomic
def action_item_return(*, actor, item: ActionItem, note: str = "") -> ActionItem:
    _require(actor, "conferences.close_actionitem")
    item = _locked_item(item)
    if not (note or "").strip():
        raise ValidationError({"note": [_("Say why the item is returned.")]})
    return _step(item, "return", actor=actor, note=note.strip())
