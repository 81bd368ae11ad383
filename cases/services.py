"""Writes and state transitions of cases and notices.

Each service takes the acting user, runs in one transaction, checks permission and state, writes the
immutable event row, and enqueues side effects (delivery) on commit.
"""
import logging
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linkage.statemachine import InvalidTransition
from linkage.uploads import validate_pdf, validate_pdf_batch
from members.models import ActionType, Capability, Unit
from members.scoping import can_handle_unit

from . import delivery, measures
from .deadlines import end_of_day, parse_due
from .lifecycle import action_allowed
from .lifecycle_services import (  # noqa: F401  (the case services, where callers have always found them)
    ConclusionResult,
    case_conclude,
    case_create,
    case_proceed,
    case_resume,
    case_suspend,
    payment_record,
    property_search_record,
    settlement_record,
)
from .models import (
    EXECUTED_OUTCOMES,
    AnswerOutcome,
    AssetKind,
    Attachment,
    AttachmentPurpose,
    Case,
    CaseStatus,
    Measure,
    Notice,
    NoticeEvent,
    NoticeKind,
    NoticeRequest,
    Party,
    PartyRole,
    RequestKind,
    RequestStatus,
)
from .notices import create_notices, locked_notice, move_notice, move_notices, store_ruling
from .workflow import AWAITING_ACK, NOTICE_MACHINE, OPEN

log = logging.getLogger(__name__)

MAX_PARTIES = 50

# A ruling (执行裁定书) must accompany these (民事诉讼法 2023 Art. 253, 255: the court "应当作出裁定").
RULING_REQUIRED_ACTIONS = frozenset({"freeze", "seize", "deduct", "transfer"})


def _require(actor, perm: str):
    if not actor.has_perm(perm):
        raise PermissionDenied(_("Your role does not allow this."))


def _require_unit_handler(actor, notice: Notice):
    if not (actor.is_superuser or can_handle_unit(actor, notice.unit_id)):
        raise PermissionDenied(_("Only the liaison officer of %(unit)s can do this.") % {"unit": notice.unit})




# ---------------------------------------------------------------- cases (cases.lifecycle_services)

RELEASE_RULING_TITLE = "解除查封、扣押、冻结裁定书"


# ---------------------------------------------------------------- notices

@transaction.atomic
def notice_issue_batch(*, actor, case: Case, units: list[Unit], action: ActionType, subject: str,
                       due_at=None, ruling: Attachment | None = None, ruling_file=None,
                       party: Party | None = None, asset_kind: str = "", account: str = "",
                       amount=None) -> list[Notice]:
    """Issue one action to several units at once (e.g. freeze at every bank); all or nothing.

    ``ruling_file`` is an uploaded enforcement ruling stored with the notices; ``ruling`` an existing one
    of the case. A freeze, seizure, deduction or transfer needs one. ``party``: the debtor the notice is
    about (the only one its document names); by default the case's only debtor, if it has one.
    ``asset_kind``, ``account`` and ``amount``: what the unit acts on, in fields of their own (the account
    is shown in full to the target unit only; see ``cases.disclosure``).
    """
    _require(actor, "cases.add_notice")
    case = Case.objects.select_for_update(of=("self",), no_key=True).get(pk=case.pk)
    errors = {}
    if case.status == CaseStatus.SUSPENDED:
        errors["case"] = [_("Case %(number)s is suspended: no new request may be issued until it proceeds "
                            "(releases and renewals still may).") % {"number": case.number}]
    elif case.status != CaseStatus.OPEN:
        errors["case"] = [_("Case %(number)s is concluded; no new notice can be issued.")
                          % {"number": case.number}]
    elif not action_allowed(case.case_type, action.code):
        errors["action"] = [_("A %(type)s case cannot ask for “%(action)s”: a review (执异, 执复, 执监) asks the "
                              "units nothing, a preservation (执保) only queries, freezes and seizes.")
                            % {"type": case.case_type, "action": action.name}]
    if not units:
        errors["unit"] = [_("Choose at least one unit.")]
    offered = set(Capability.objects.filter(unit__in=units, action=action, unit__active=True)
                  .values_list("unit_id", flat=True))
    missing = [u for u in units if u.pk not in offered]
    foreign = [u for u in units if u.court_id != case.court_id]
    if foreign:
        # Each county's units answer their own court; another court's units are reached by entrusting
        # that court (事项委托, cases.entrustments).
        errors["unit"] = [_("%(unit)s is a member of another court's conference: entrust that court with the "
                            "action instead.") % {"unit": u.name} for u in foreign]
    elif missing:
        errors["unit"] = [_("%(unit)s does not offer “%(action)s”.") % {"unit": u.name, "action": action.name}
                          for u in missing]
    if not (subject or "").strip():
        errors["subject"] = [_("Say what the unit is asked to do: which debtor, which asset, account or plate.")]
    debtors = [p for p in case.parties.all() if p.role == PartyRole.DEBTOR]
    if party is not None and party.pk not in {p.pk for p in debtors}:
        errors["party"] = [_("Choose a judgment debtor of this case.")]
    elif party is None and len(debtors) == 1:
        party = debtors[0]
    now = timezone.now()
    due = None
    if due_at not in (None, ""):
        try:
            due = parse_due(due_at)
            if due <= now:
                errors["due_at"] = [_("The deadline must be in the future.")]
        except ValidationError as exc:
            errors["due_at"] = exc.messages
    if ruling is not None and (ruling.case_id != case.pk or ruling.purpose != AttachmentPurpose.RULING):
        errors["ruling"] = [_("The ruling belongs to another case.")]
    ruling_digest = None
    if ruling_file is not None:
        try:
            ruling_digest = validate_pdf(ruling_file)
        except ValidationError as exc:
            errors["ruling"] = exc.messages
    elif ruling is None and action.code in RULING_REQUIRED_ACTIONS:
        errors["ruling"] = [_("A %(action)s needs the enforcement ruling (执行裁定书): attach it as a PDF or "
                              "choose one of the case's rulings.") % {"action": action.name}]
    asset_kind, account = (asset_kind or "").strip(), (account or "").strip()
    if asset_kind and asset_kind not in AssetKind.values:
        errors["asset_kind"] = [_("Choose a kind of asset.")]
    if len(account) > 100:
        errors["account"] = [_("An account, plate or parcel number has at most 100 characters.")]
    if amount not in (None, ""):
        try:
            amount = Decimal(str(amount)).quantize(Decimal("0.01"))
            if amount < 0 or amount >= Decimal("1e13"):
                raise ValueError
        except Exception:
            errors["amount"] = [_("Enter an amount in yuan, e.g. 5000.00.")]
    else:
        amount = None
    if errors:
        raise ValidationError(errors)
    if ruling_file is not None:
        ruling = store_ruling(actor=actor, case=case, upload=ruling_file, digest=ruling_digest)
    notices = create_notices(actor=actor, case=case, issued_at=now, specs=[
        dict(unit=unit, action=action, kind=NoticeKind.ASSIST, subject=subject.strip(), due_at=due, ruling=ruling,
             party=party, asset_kind=asset_kind, account=account, amount=amount)
        for unit in units
    ])
    delivery.queue([n.pk for n in notices], purpose="issue")
    return notices


def notice_issue(*, actor, case: Case, unit: Unit, action: ActionType, subject: str, due_at=None,
                 ruling: Attachment | None = None, ruling_file=None, party: Party | None = None,
                 asset_kind: str = "", account: str = "", amount=None) -> Notice:
    return notice_issue_batch(actor=actor, case=case, units=[unit], action=action, subject=subject,
                              due_at=due_at, ruling=ruling, ruling_file=ruling_file, party=party,
                              asset_kind=asset_kind, account=account, amount=amount)[0]


@transaction.atomic
def notice_acknowledge(*, actor, notice: Notice, note: str = "") -> Notice:
    _require(actor, "cases.acknowledge_notice")
    notice = locked_notice(notice)
    _require_unit_handler(actor, notice)
    now = timezone.now()
    fields = {"acknowledged_at": now}
    if notice.delivered_at is None:
        fields["delivered_at"] = now
    notice = move_notice(notice, "acknowledge", actor=actor, note=note, **fields)
    if notice.kind == NoticeKind.RENEWAL:
        measures.on_renewal_served(notice, actor=actor)  # a renewal takes effect on service
    from documents.services import register_receipt  # the proof of service (送达回证), sealed on commit

    register_receipt(notice, actor=actor)
    return notice


# A done or partial answer to these must say how much was frozen or deducted (API.md).
AMOUNT_REQUIRED_ACTIONS = frozenset({"freeze", "deduct"})


@transaction.atomic
def notice_answer(*, actor, notice: Notice, outcome: str, detail: str = "", result_amount=None,
                  attachments=(), measure: dict | None = None, asset: str = "", effective_on=None) -> Notice:
    """The unit's answer (回执). A done or partial answer to a freeze or deduction carries the amount.
    For a measure action executed, ``measure`` (or the flat ``asset`` and ``effective_on``) describes what
    was taken for the register: the account or asset held (default: the notice's subject) and the day it
    took effect (default: the day the notice was served). A release or renewal answered done updates the
    register."""
    _require(actor, "cases.answer_notice")
    notice = locked_notice(notice)
    _require_unit_handler(actor, notice)
    NOTICE_MACHINE.transition_for(notice.status, "answer")  # refuse a wrong state before validating the body
    errors = {}
    if outcome not in AnswerOutcome.values:
        errors["outcome"] = [_("Answer done, partial or unable.")]
    detail = (detail or "").strip()
    if outcome in (AnswerOutcome.PARTIAL, AnswerOutcome.UNABLE) and not detail:
        errors["detail"] = [_("Say what was done and why the rest could not be.")]
    amount = None
    if result_amount not in (None, ""):
        try:
            amount = Decimal(str(result_amount)).quantize(Decimal("0.01"))
            if amount < 0 or amount >= Decimal("1e13"):
                raise ValueError
        except Exception:
            errors["result_amount"] = [_("Enter an amount in yuan, e.g. 5000.00.")]
    elif (notice.kind == NoticeKind.ASSIST and notice.action.code in AMOUNT_REQUIRED_ACTIONS
          and outcome in EXECUTED_OUTCOMES):
        errors["result_amount"] = [_("Say the amount frozen, in yuan (e.g. 5000.00).") if notice.action.code == "freeze"
                                   else _("Say the amount deducted, in yuan (e.g. 5000.00).")]
    taken = {k: v for k, v in (measure or {}).items() if v not in (None, "")}
    if (asset or "").strip():
        taken.setdefault("asset", asset.strip())
    if effective_on not in (None, ""):
        taken.setdefault("effective_on", effective_on)
    hashes = []
    try:  # at most 5 files and 3 × the upload limit, counted before any is opened
        hashes = validate_pdf_batch(attachments)
    except ValidationError as exc:
        errors.setdefault("attachments", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    move_notice(notice, "answer", actor=actor, note=detail, outcome=outcome, answer_detail=detail,
                result_amount=amount, answered_at=timezone.now())
    if notice.kind == NoticeKind.ASSIST and notice.action.holds_measure and outcome in EXECUTED_OUTCOMES:
        # Validates the effective date and the asset kind; its ValidationError undoes the whole answer.
        measures.measure_record(notice=notice, amount=amount, **taken)
    elif notice.kind == NoticeKind.RELEASE and outcome == AnswerOutcome.DONE:
        measures.on_release_confirmed(notice)
    elif notice.kind == NoticeKind.RENEWAL and outcome == AnswerOutcome.DONE:
        measures.on_renewal_confirmed(notice)
    elif notice.kind == NoticeKind.RENEWAL and outcome == AnswerOutcome.UNABLE:
        measures.on_renewal_refused(notice, actor=actor)
    for upload, digest in zip(attachments, hashes, strict=True):
        Attachment.objects.create(case=notice.case, notice=notice, purpose=AttachmentPurpose.ANSWER,
                                  file=upload, original_name=upload.name[:200], size=upload.size,
                                  sha256=digest, uploaded_by=actor)
    return notice


@transaction.atomic
def notice_return(*, actor, notice: Notice, reason: str) -> Notice:
    """The clerk returns an answer for correction (退回补正): answered → acknowledged, with the reason, and
    the unit is told. The answer clock goes on running from the original deadline. A measure the answer
    recorded leaves the register until the corrected answer records it again."""
    _require(actor, "cases.close_notice")
    notice = locked_notice(notice)
    NOTICE_MACHINE.transition_for(notice.status, "return")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say what must be corrected.")]})
    if notice.follow_ups.filter(kind__in=[NoticeKind.RELEASE, NoticeKind.RENEWAL]).exists():
        raise InvalidTransition(_("A release or renewal already follows this answer; it cannot be returned."))
    # The register holds what units answered; a returned answer is not one until it is corrected.
    Measure.objects.filter(notice=notice, release_notice__isnull=True).delete()
    move_notice(notice, "return", actor=actor, note=reason, outcome="", answered_at=None, result_amount=None)
    delivery.queue([notice.pk], purpose=f"return-{notice.events.count()}")
    return notice


@transaction.atomic
def notice_close(*, actor, notice: Notice, note: str = "") -> Notice:
    _require(actor, "cases.close_notice")
    notice = locked_notice(notice)
    return move_notice(notice, "close", actor=actor, note=note, closed_at=timezone.now())


@transaction.atomic
def notice_cancel(*, actor, notice: Notice, note: str = "") -> Notice:
    _require(actor, "cases.cancel_notice")
    notice = locked_notice(notice)
    move_notice(notice, "cancel", actor=actor, note=note, cancelled_at=timezone.now())
    delivery.queue([notice.pk], purpose="cancel")
    return notice


@transaction.atomic
def ruling_store(*, actor, case: Case, upload, title: str = "") -> Attachment:
    """``POST cases/{id}/rulings/``: add a ruling to a case; a non-PDF or oversized file stores nothing."""
    _require(actor, "cases.add_notice")
    case = Case.objects.select_for_update(of=("self",), no_key=True).get(pk=case.pk)
    if upload is None:
        raise ValidationError({"file": [_("Attach the ruling as a PDF.")]})
    try:
        digest = validate_pdf(upload)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    title = (title or "").strip()
    if len(title) > 120:
        raise ValidationError({"title": [_("At most 120 characters.")]})
    return store_ruling(actor=actor, case=case, upload=upload, digest=digest, title=title)


# ---------------------------------------------------------------- objections and extension requests

@transaction.atomic
def notice_request_file(*, actor, notice: Notice, kind: str, grounds: str, requested_due_at=None) -> NoticeRequest:
    """The unit objects to a notice in writing (异议) or asks for more time (延期申请) before the deadline.
    Both stop the notice's overdue clocks until the clerk decides."""
    _require(actor, "cases.answer_notice")
    notice = locked_notice(notice)
    _require_unit_handler(actor, notice)
    if notice.status not in OPEN:
        raise InvalidTransition(_("Only an open notice can be objected to or extended."))
    if notice.requests.filter(status=RequestStatus.PENDING).exists():
        raise InvalidTransition(_("A request on this notice is already waiting for the court's decision."))
    errors = {}
    if kind not in RequestKind.values:
        errors["kind"] = [_("Choose objection or extension.")]
    if not (grounds or "").strip():
        errors["grounds"] = [_("State the grounds in writing.")]
    now = timezone.now()
    due = None
    if kind == RequestKind.EXTENSION:
        if now > notice.due_at:
            errors["kind"] = [_("More time must be asked for before the deadline.")]
        try:
            due = parse_due(requested_due_at) if requested_due_at not in (None, "") else None
        except ValidationError as exc:
            errors["requested_due_at"] = exc.messages
        if due is None and "requested_due_at" not in errors:
            errors["requested_due_at"] = [_("Say until when.")]
        elif due is not None and due <= notice.due_at:
            errors["requested_due_at"] = [_("The new deadline must be later than the current one.")]
    if errors:
        raise ValidationError(errors)
    request = NoticeRequest.objects.create(notice=notice, kind=kind, grounds=grounds.strip(),
                                           requested_due_at=due, filed_by=actor, filed_at=now)
    if notice.paused_since is None:  # already stopped (the case is suspended): stopped since then
        notice.paused_since = now
        notice.save(update_fields=["paused_since"])
    NoticeEvent.objects.create(notice=notice, transition=f"request_{kind}", from_status=notice.status,
                               to_status=notice.status, actor=actor, note=grounds.strip())
    return request


@transaction.atomic
def notice_request_decide(*, actor, request: NoticeRequest, grant: bool, note: str = "",
                          new_due_at=None) -> NoticeRequest:
    """The clerk decides. A granted objection cancels the notice; a granted extension sets the new
    deadline; a refusal restarts the clocks, shifted by the time they stood still."""
    _require(actor, "cases.cancel_notice")
    request = NoticeRequest.objects.select_for_update(of=("self",), no_key=True).get(pk=request.pk)
    if request.status != RequestStatus.PENDING:
        raise InvalidTransition(_("This request has already been decided."))
    notice = locked_notice(request.notice)
    now = timezone.now()
    # While the case is suspended the clocks stay stopped: proceeding restarts them, shifted by the
    # whole pause (cases.lifecycle_services._resume_clocks).
    case_suspended = (notice.kind == NoticeKind.ASSIST and Case.objects.filter(
        pk=notice.measure_case_id, status=CaseStatus.SUSPENDED).exists())
    paused = timedelta(0) if case_suspended else now - (notice.paused_since or now)
    request.status = RequestStatus.GRANTED if grant else RequestStatus.REFUSED
    request.decided_by, request.decided_at, request.decision_note = actor, now, note
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    if not case_suspended:
        notice.paused_since = None
    # A decision moves only the clocks still running (a notice acknowledged long ago keeps its
    # acknowledgement deadline; an answered one both), and always to the end of a local day.
    old_ack, old_due = notice.ack_due_at, notice.due_at
    if notice.status in AWAITING_ACK:
        notice.ack_due_at = end_of_day(timezone.localtime(old_ack + paused).date())
    if notice.status in OPEN:
        if grant and request.kind == RequestKind.EXTENSION:
            wanted = parse_due(new_due_at) if new_due_at not in (None, "") else request.requested_due_at
            notice.due_at = end_of_day(timezone.localtime(wanted).date())
        else:
            notice.due_at = end_of_day(timezone.localtime(old_due + paused).date())
    notice.save(update_fields=["paused_since", "ack_due_at", "due_at"])
    moved = [f"{label} {timezone.localtime(old):%Y-%m-%d %H:%M:%S} → {timezone.localtime(new):%Y-%m-%d %H:%M:%S}"
             for label, old, new in (("ack_due_at", old_ack, notice.ack_due_at), ("due_at", old_due, notice.due_at))
             if old != new]
    NoticeEvent.objects.create(notice=notice, transition=f"decide_{request.kind}", from_status=notice.status,
                               to_status=notice.status, actor=actor,
                               note="; ".join([f"{request.get_status_display()}: {note}".strip(": "), *moved]))
    if grant and request.kind == RequestKind.OBJECTION and notice.status in OPEN:
        move_notice(notice, "cancel", actor=actor, note=_("Objection upheld: %(note)s") % {"note": note},
                    cancelled_at=now)
        delivery.queue([notice.pk], purpose="cancel")
    return request


# ---------------------------------------------------------------- notices the system issues for other apps

def system_notices_issue(*, actor, case: Case, specs: list[dict], issued_at=None) -> list[Notice]:
    """The one public way for an app above ``cases`` (``credit``: dishonest-list pushes and withdrawals,
    consumption restriction orders and their release) to issue notices: numbered on the case, each
    with its event and its issued document (``documents``), delivered through the outbox on commit.
    The caller holds the case's row lock (``Case.objects.select_for_update()``) and its own permission
    checks; ``specs`` as for assistance notices (unit, action, kind, subject, party, original, ...)."""
    notices = create_notices(actor=actor, case=case, issued_at=issued_at or timezone.now(), specs=specs)
    delivery.queue([n.pk for n in notices], purpose="issue")
    return notices


def system_notices_cancel(*, actor, notices: list[Notice], note: str = "") -> list[Notice]:
    """Cancel the open ones of ``notices`` (locked here), tell their units on commit; return them."""
    open_ones = list(Notice.objects.select_for_update(of=("self",), no_key=True).filter(pk__in=[n.pk for n in notices], status__in=OPEN))
    move_notices(open_ones, "cancel", actor=actor, cancelled_at=timezone.now(), note=note)
    delivery.queue([n.pk for n in open_ones], purpose="cancel")
    return open_ones
