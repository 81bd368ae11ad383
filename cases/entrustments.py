"""Entrusted tasks between courts (事项委托): the rules, in one place.

民事诉讼法 (2023) Art. 240: the entrusted court starts within fifteen days of receiving the letter and may
not refuse; it reports the result when done, and the state of the work if not done within thirty days.
法发〔2017〕27号 (执行事项委托管理办法): the task is sent with the ruling and a numbered letter; the entrusted
court registers it as a 执协 case; a letter it cannot act on (materials incomplete, nothing in its county)
it returns with the reason. The entrusting court may withdraw the task.

What B's units hold for A is held in B's 执协 case: when A's case ends by an ending that releases (Art. 35)
or A withdraws the task, B is asked to release; B's clerk confirms, or it happens at once where B agreed
(``auto_release``). Court A never writes to B's units itself.
"""
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linkage.dates import local_today
from linkage.statemachine import InvalidTransition, change_state, lock, record_note
from members.models import Court
from members.roles import Role, has_role, system_actor

from .entrustment_models import (
    ENTRUSTMENT_MACHINE,
    HOLDING_ACTIONS,
    OPEN_STATES,
    REPORTED,
    Entrustment,
    EntrustmentAction,
    EntrustmentEvent,
    EntrustmentStatus,
    ReturnGround,
)
from .identifiers import parse_own_case_number
from .lifecycle import CaseStatus
from .measure_models import Measure, MeasureStatus
from .models import Case, CaseEvent, Party

START_DAYS = 15   # Art. 240: 十五日内开始执行
REPORT_DAYS = 30  # Art. 240: 三十日内如果还未执行完毕，也应当将执行情况函告


def _clerk_of(actor, court_id: int) -> None:
    """Only a clerk of ``court_id`` acts for it; anyone else is refused (a court they cannot see: 404
    earlier, at the lookup)."""
    if not (actor.is_authenticated and has_role(actor, Role.CLERK) and actor.court_id == court_id):
        raise PermissionDenied(_("Only a clerk of that court may do this."))


def _step(entrustment, name, *, actor, note="", **fields):
    return change_state(entrustment, ENTRUSTMENT_MACHINE, name, actor=actor, event=EntrustmentEvent,
                        subject="entrustment", note=note, **fields)


def visible_to(user):
    """The tasks a user sees: those their courts sent or received (either side), none for unit users."""
    from members.courts import court_ids
    from members.roles import is_court_user

    qs = Entrustment.objects.select_related("case", "court", "assist_case", "case__court")
    if not (user.is_authenticated and is_court_user(user)):
        return qs.none()
    ids = court_ids(user)
    if ids is None:
        return qs
    from django.db.models import Q

    return qs.filter(Q(court_id__in=ids) | Q(case__court_id__in=ids))


@transaction.atomic
def entrust(*, actor, case: Case, court, action: str, subject: str, ruling=None, ruling_file=None,
            auto_release: bool = False) -> Entrustment:
    """Court A's clerk entrusts court B with ``action`` on ``case``: a numbered, sealed 委托函 and the
    ruling (uploaded, one filed in the case, or drawn up for the acts that bind property)."""
    from documents.services import register_document

    from . import rulings

    _clerk_of(actor, case.court_id)
    case = lock(case)
    errors = {}
    if isinstance(court, str):
        court = Court.objects.filter(code=court).first()
    if court is None:
        errors["court"] = [_("No such court.")]
    elif court.pk == case.court_id:
        errors["court"] = [_("A court does not entrust itself: issue the notices to your own units.")]
    if case.status != CaseStatus.OPEN:
        errors["case"] = [_("Case %(number)s is not open: nothing can be entrusted.") % {"number": case.number}]
    if action not in EntrustmentAction.values:
        errors["action"] = [_("Choose one of: %(actions)s.") % {"actions": ", ".join(EntrustmentAction.values)}]
    subject = (subject or "").strip()
    if not subject:
        errors["subject"] = [_("Say what the entrusted court is to do: which debtor, which property.")]
    if errors:
        raise ValidationError(errors)
    made = None
    if ruling_file is not None or ruling not in (None, "") or action in HOLDING_ACTIONS | {"deduct"}:
        made = rulings.ruling_for(actor=actor, case=case, kind="enforcement", ruling=ruling, upload=ruling_file,
                                  action_codes=[action] if action in HOLDING_ACTIONS | {"deduct"} else [],
                                  facts={"subject": subject})
    seq = Entrustment.objects.filter(case=case).count() + 1
    number = f"{case.number.removesuffix('号')}之委{seq}号"
    today = local_today()
    letter = register_document(kind="entrustment", title="委托执行函", number=number, case_number=case.number,
                               actor=actor)
    entrustment = Entrustment.objects.create(
        case=case, court=court, action=action, subject=subject, ruling=made, number=number, sent_by=actor,
        auto_release=auto_release, letter=letter,
        # The letter is received the day it is sent through the portal; 民事诉讼法 Art. 85: the first day
        # is not counted, so the fifteenth day after it is the last.
        start_due_on=today + timedelta(days=START_DAYS), report_due_on=today + timedelta(days=REPORT_DAYS))
    EntrustmentEvent.objects.create(entrustment=entrustment, transition="send", from_status="",
                                    to_status=entrustment.status, actor=actor, note=subject)
    record_note(case, "entrust", actor=actor, event=CaseEvent, subject="case",
                note=_("Entrusted %(court)s: %(number)s") % {"court": court.name, "number": number})
    return entrustment


@transaction.atomic
def accept(*, actor, entrustment: Entrustment, number: str) -> Entrustment:
    """Court B's clerk registers the task as a 执协 case of B (its number carries B's code)."""
    _clerk_of(actor, entrustment.court_id)
    entrustment = lock(entrustment)
    ENTRUSTMENT_MACHINE.transition_for(entrustment.status, "accept")
    court = Court.objects.get(pk=entrustment.court_id)
    try:
        parsed = parse_own_case_number(number, court.code)
    except ValidationError as exc:
        raise ValidationError({"number": exc.messages}) from None
    if parsed.case_type != "执协":
        raise ValidationError({"number": [_("An entrusted task is registered as a 执协 case, e.g. （%(year)s）"
                                            "%(code)s执协1号.") % {"year": parsed.year, "code": court.code}]})
    if Case.objects.filter(number=parsed.number).exists():
        raise ValidationError({"number": [_("Case %(number)s is already registered.") % {"number": parsed.number}]})
    source = Case.objects.select_related("court").get(pk=entrustment.case_id)
    assist = Case.objects.create(
        number=parsed.number, court=court, year=parsed.year, case_type=parsed.case_type,
        title=f"协助{source.court.name}执行（{source.number}）{source.title}"[:200], amount=source.amount,
        created_by=actor, basis_issuer=source.court.name, basis_number=entrustment.number)
    Party.objects.bulk_create([
        Party(case=assist, role=p.role, kind=p.kind, name=p.name, id_number=p.id_number,
              legal_representative=p.legal_representative) for p in source.parties.all()])
    CaseEvent.objects.create(case=assist, transition="register", from_status="", to_status=assist.status,
                             actor=actor, note=_("Entrusted by %(court)s: %(number)s")
                             % {"court": source.court.name, "number": entrustment.number})
    return _step(entrustment, "accept", actor=actor, note=parsed.number, accepted_at=timezone.now(),
                 assist_case=assist)


@transaction.atomic
def report(*, actor, entrustment: Entrustment, detail: str, partial: bool = False) -> Entrustment:
    """B's clerk reports the result (or part of it; Art. 240: the state of the work within 30 days)."""
    _clerk_of(actor, entrustment.court_id)
    entrustment = lock(entrustment)
    detail = (detail or "").strip()
    if not detail:
        raise ValidationError({"detail": [_("Say what was done: what is held, where, until when.")]})
    name = "report_partial" if partial else "report"
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    text = f"{entrustment.report}\n{stamp} {detail}".strip()
    return _step(entrustment, name, actor=actor, note=detail, reported_at=timezone.now(), report=text)


@transaction.atomic
def return_task(*, actor, entrustment: Entrustment, ground: str, reason: str = "") -> Entrustment:
    """B cannot act on the letter as sent: it returns it with the ground (Art. 240 forbids refusing)."""
    _clerk_of(actor, entrustment.court_id)
    entrustment = lock(entrustment)
    if ground not in ReturnGround.values:
        raise ValidationError({"ground": [_("Choose the ground of the return.")]})
    note = f"{ReturnGround(ground).label}. {(reason or '').strip()}".strip()
    return _step(entrustment, "return", actor=actor, note=note)


@transaction.atomic
def withdraw(*, actor, entrustment: Entrustment, reason: str) -> Entrustment:
    """A withdraws the task; what B's units hold for it is to be released (through B)."""
    _clerk_of(actor, entrustment.case.court_id)
    entrustment = lock(entrustment)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the task is withdrawn.")]})
    held = _holds(entrustment)
    entrustment = _step(entrustment, "withdraw", actor=actor, note=reason,
                        release_requested_at=timezone.now() if held else None)
    if held and entrustment.auto_release:
        _release(entrustment, actor=None)
    return entrustment


def _holds(entrustment) -> bool:
    return bool(entrustment.assist_case_id) and Measure.objects.filter(
        case_id=entrustment.assist_case_id, status=MeasureStatus.ACTIVE).exists()


def on_case_concluded(case, *, measures: str, actor) -> list[Entrustment]:
    """A's case ended (called inside its conclusion): every task whose measures B's units hold is asked
    to release when the ending releases (Art. 35), and open tasks are withdrawn; a 终本 keeps them."""
    changed = []
    for entrustment in Entrustment.objects.select_for_update(of=("self",), no_key=True).filter(
            case=case, status__in=OPEN_STATES | REPORTED).order_by("id"):
        if measures != "release":
            continue
        held = _holds(entrustment)
        if entrustment.status in OPEN_STATES:
            entrustment = _step(entrustment, "withdraw", actor=actor, note=_("The entrusting case concluded."),
                                release_requested_at=timezone.now() if held else None)
        elif held:
            Entrustment.objects.filter(pk=entrustment.pk).update(release_requested_at=timezone.now())
            entrustment.release_requested_at = timezone.now()
        if held and entrustment.auto_release:
            _release(entrustment, actor=None)
        changed.append(entrustment)
    return changed


@transaction.atomic
def confirm_release(*, actor, entrustment: Entrustment) -> Entrustment:
    """B's clerk confirms the release A asked for: a release notice to each of B's units that holds."""
    _clerk_of(actor, entrustment.court_id)
    entrustment = lock(entrustment)
    if entrustment.release_requested_at is None:
        raise InvalidTransition(_("The entrusting court has not asked for a release."))
    return _release(entrustment, actor=actor)


def _release(entrustment, *, actor):
    from .measures import measure_release

    actor = actor or _court_actor(entrustment.court_id)
    source = entrustment.case
    note = _("Released at the request of %(court)s: %(number)s ended or the task was withdrawn.") % {
        "court": source.court.name, "number": source.number}
    for measure in Measure.objects.filter(case_id=entrustment.assist_case_id, status=MeasureStatus.ACTIVE,
                                          release_notice__isnull=True).order_by("id"):
        measure_release(actor=actor, measure=measure, ground="other", note=note)
    return _step(entrustment, "release", actor=actor, note=note)


def _court_actor(court_id):
    """Who acts for court B when it agreed to release automatically: its first clerk."""
    from members.models import User

    return (User.objects.filter(court_id=court_id, groups__name=Role.CLERK, is_active=True).order_by("id").first()
            or system_actor())


# ---------------------------------------------------------------- reading

def held_through(entrustment) -> list[Measure]:
    """What B's units hold for A's case (shown on A's case page, read as B's clerk would)."""
    if not entrustment.assist_case_id:
        return []
    return list(Measure.objects.filter(case_id=entrustment.assist_case_id)
                .select_related("unit", "action").order_by("id"))


def clocks(entrustment, today=None) -> dict:
    """Art. 240's two clocks as a user sees them (Asia/Shanghai days)."""
    today = today or local_today()
    started = entrustment.accepted_at is not None
    reported = entrustment.reported_at is not None
    return {"start_overdue": not started and entrustment.status == EntrustmentStatus.SENT
            and today > entrustment.start_due_on,
            "report_overdue": not reported and entrustment.status in OPEN_STATES and today > entrustment.report_due_on}


def for_case(case) -> list[tuple[Entrustment, list[Measure]]]:
    """A's case page: its tasks at other courts, each with what that court's units hold for it (two
    queries whatever the number of tasks; the second only when a task was accepted)."""
    rows = list(Entrustment.objects.filter(case=case).select_related("court", "assist_case").order_by("id"))
    assist = [e.assist_case_id for e in rows if e.assist_case_id]
    held: dict[int, list[Measure]] = {}
    if assist:
        for m in (Measure.objects.filter(case_id__in=assist).select_related("unit", "action").order_by("id")):
            held.setdefault(m.case_id, []).append(m)
    return [(e, held.get(e.assist_case_id, [])) for e in rows]
