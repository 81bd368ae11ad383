"""Writes of a case's lifecycle (cases.lifecycle holds the tables): registration, conclusion by outcome,
resumption (执恢), the carry-over of a preservation (执保) into its enforcement case, suspension (中止),
deferral (暂缓), settlement (执行和解), payments received (执行款) and the property searches after 终本.

Each service takes the acting user, runs in one transaction, locks the rows it changes (the case's row
first, then its notices, then its measures: always in that order), checks the role and the state against
the tables, writes the event row and queues deliveries on commit.
"""
import logging
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linkage.dates import add_months, cn_date, local_today, parse_day
from linkage.identity import validate_party_identifier
from linkage.statemachine import InvalidTransition, change_state, lock, record_note
from members.courts import court_code
from members.roles import system_actor

from . import delivery, rulings, selectors
from .deadlines import end_of_day
from .hooks import send_case_concluded, send_case_suspended, send_property_searched
from .identifiers import parse_own_case_number
from .lifecycle import (
    CASE_MACHINE,
    DEFERRAL_GROUND_ALIASES,
    DEFERRAL_MAX_MONTHS,
    ENDINGS,
    GROUNDS_BY_KIND,
    PRESERVATION_KEEPING,
    SUSPENSION_RELEASES,
    SUSPENSION_RULING,
    TERMINATION_WITHOUT_RULING,
    CaseGroup,
    CaseOutcome,
    CaseStatus,
    PreservationLiftGround,
    SuspensionGround,
    SuspensionKind,
    TerminationGround,
    ending_measures,
    endings_for,
)
from .measures import lapse_overdue
from .models import (
    Case,
    CaseCategory,
    CaseEvent,
    Instalment,
    Measure,
    MeasureStatus,
    Notice,
    NoticeKind,
    Party,
    PartyKind,
    PartyRole,
    Payment,
    PaymentWay,
    PropertySearch,
    SearchResult,
    Settlement,
    SettlementStatus,
    Suspension,
)
from .notices import create_notices, move_notices, note_event, registered_asset
from .workflow import AWAITING_ACK, OPEN, NoticeStatus

log = logging.getLogger(__name__)

MAX_PARTIES = 50
TITLE_MAX_LENGTH = 200  # Case.title
PARTY_NAME_MAX_LENGTH = 120  # Party.name
MAX_INSTALMENTS = 120
MONEY_MAX = Decimal("1e13")
# 终本规定 Art. 9: a search every six months for five years.
SEARCH_EVERY_MONTHS, SEARCHES = 6, 10


def _require(actor, perm: str):
    if not actor.has_perm(perm):
        raise PermissionDenied(_("Your role does not allow this."))


def _locked_case(case) -> Case:
    return lock(case)


def _step(case: Case, name: str, *, actor, note: str = "", **fields) -> Case:
    """A move of the case along ``CASE_MACHINE``, with its event row."""
    return change_state(case, CASE_MACHINE, name, actor=actor, event=CaseEvent, subject="case", note=note, **fields)


def _note(case: Case, transition: str, *, actor, note: str) -> None:
    """An event of the case that moves nothing (a payment, a search, measures taken over)."""
    record_note(case, transition, actor=actor, event=CaseEvent, subject="case", note=note)


def _registered(case: Case, *, actor, note: str) -> None:
    CaseEvent.objects.create(case=case, transition="register", from_status="", to_status=case.status, actor=actor,
                             note=note)


def _money(value, field_name: str, *, positive: bool = True) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field_name: [_("Enter an amount in yuan, e.g. 5000.00.")]}) from None
    if amount < 0 or (positive and amount == 0) or amount >= MONEY_MAX:
        raise ValidationError({field_name: [_("Enter an amount in yuan, e.g. 5000.00.")]})
    return amount


# ---------------------------------------------------------------- registration

@transaction.atomic
def case_create(*, actor, number: str, title: str, amount, parties: list[dict], categories=(),
                listed_supervision: bool = False, responsible_leader: str = "", basis_issuer: str = "",
                basis_number: str = "", basis_date=None, filed_on=None, preservation_case=None) -> Case:
    """Register a case filed in the court's case system. ``filed_on`` (立案) defaults to today; the
    rules' clocks count from it. ``preservation_case``: the 执保 case of the same matter, concluded
    keeping its measures, whose measures this (执) case takes over with their terms running on."""
    _require(actor, "cases.add_case")
    fields, cleaned, source = _case_fields(number=number, title=title, amount=amount, parties=parties,
                                           filed_on=filed_on, preservation_case=preservation_case,
                                           court_code=court_code(actor.court_id))
    case = Case.objects.create(
        **fields, court_id=actor.court_id, listed_supervision=listed_supervision, responsible_leader=responsible_leader, created_by=actor,
        basis_issuer=(basis_issuer or "").strip(), basis_number=(basis_number or "").strip(), basis_date=basis_date,
        preservation_case=source,
    )
    Party.objects.bulk_create([Party(case=case, **p) for p in cleaned])
    CaseCategory.objects.bulk_create([CaseCategory(case=case, category=c) for c in set(categories)])
    _registered(case, actor=actor, note=_("Filed on %(date)s") % {"date": fields["filed_on"].isoformat()})
    if source is not None:
        carry_over(actor=actor, source=source, target=case)
    return case


def case_check(*, number: str, title: str, amount, parties: list[dict], filed_on=None, court_code=None) -> str:
    """What ``case_create`` would refuse, refused the same way (``ValidationError`` by field), without
    writing anything: the case import's preview and dry run. Returns the case number as it would be stored."""
    fields, _cleaned, _source = _case_fields(number=number, title=title, amount=amount, parties=parties,
                                             filed_on=filed_on, preservation_case=None, court_code=court_code)
    return fields["number"]


def _case_fields(*, number, title, amount, parties, filed_on, preservation_case, court_code=None) -> tuple[dict, list[dict],
                                                                                          Case | None]:
    """The rules of a new case, each in this one place: (the case's fields, its parties, the 执保 case it
    takes over), or ``ValidationError`` with every field's errors."""
    errors = {}
    try:
        parsed = parse_own_case_number(number, court_code)
    except ValidationError as exc:
        errors["number"] = exc.messages
        parsed = None
    if parsed and Case.objects.filter(number=parsed.number).exists():
        errors["number"] = [_("Case %(number)s is already registered.") % {"number": parsed.number}]
    title = str(title or "").strip()
    if not title:
        errors["title"] = [_("Enter the case's title (案由).")]
    elif len(title) > TITLE_MAX_LENGTH:
        errors["title"] = [_("A case's title has at most %(n)s characters.") % {"n": TITLE_MAX_LENGTH}]
    try:
        amount = Decimal(str(amount)).quantize(Decimal("0.01"))
        if amount < 0 or amount >= MONEY_MAX:
            raise ValueError
    except Exception:
        errors["amount"] = [_("Enter the amount in yuan, e.g. 125000.00.")]
    try:
        filed = parse_day(filed_on, "filed_on", required=False) or local_today()
        if filed > local_today():
            errors["filed_on"] = [_("The filing date cannot be in the future.")]
        elif parsed and filed.year < parsed.year:
            errors["filed_on"] = [_("A case numbered in %(year)s cannot have been filed before %(year)s.")
                                  % {"year": parsed.year}]
    except ValidationError as exc:
        errors.update(exc.message_dict)
        filed = None
    source = None
    if preservation_case not in (None, ""):
        source = _preservation_source(preservation_case, parsed, errors)
    party_errors, cleaned = _clean_parties(parties)
    if party_errors:
        errors["parties"] = party_errors
    elif not any(p["role"] == PartyRole.DEBTOR for p in cleaned):
        errors["parties"] = [_("A case needs at least one judgment debtor.")]
    if errors:
        raise ValidationError(errors)
    return (dict(number=parsed.number, year=parsed.year, case_type=parsed.case_type, title=title, amount=amount,
                 filed_on=filed), cleaned, source)


def _clean_parties(parties) -> tuple[list[str], list[dict]]:
    party_errors, cleaned = [], []
    if len(parties or []) > MAX_PARTIES:
        return [_("A case has at most %(n)s parties.") % {"n": MAX_PARTIES}], []
    for index, party in enumerate(parties or []):
        kind = party.get("kind") or PartyKind.PERSON
        try:
            if party.get("role") not in PartyRole.values:
                raise ValidationError(_("Role must be applicant or debtor."))
            if not (party.get("name") or "").strip():
                raise ValidationError(_("Enter the party's name."))
            if len(party["name"].strip()) > PARTY_NAME_MAX_LENGTH:
                raise ValidationError(_("A party's name has at most %(n)s characters.")
                                      % {"n": PARTY_NAME_MAX_LENGTH})
            id_number = validate_party_identifier(party.get("id_number"), kind)
        except ValidationError as exc:
            party_errors += [_("Party %(n)s: %(error)s") % {"n": index + 1, "error": m} for m in exc.messages]
            continue
        cleaned.append(dict(role=party["role"], kind=kind, name=party["name"].strip(), id_number=id_number,
                            legal_representative=(party.get("legal_representative") or "").strip()))
    return party_errors, cleaned


def _preservation_source(preservation_case, parsed, errors) -> Case | None:
    pk = preservation_case.pk if isinstance(preservation_case, Case) else preservation_case
    try:
        source = Case.objects.select_for_update(of=("self",), no_key=True).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        source = None
    if source is None or source.group != CaseGroup.PRESERVATION:
        errors["preservation_case"] = [_("Choose a preservation case (执保) of the same matter.")]
        return None
    if parsed and parsed.case_type not in ("执", "执恢"):
        errors["preservation_case"] = [_("Only an enforcement case (执) takes over a preservation.")]
        return None
    if source.status != CaseStatus.CONCLUDED or source.outcome not in PRESERVATION_KEEPING:
        errors["preservation_case"] = [_("Preservation case %(number)s must first be concluded as carried out "
                                         "(保全完毕, 部分保全 or 无标的物可实施保全).") % {"number": source.number}]
        return None
    if source.enforcement_cases.exists():
        errors["preservation_case"] = [_("Preservation case %(number)s has already been taken over by %(other)s.")
                                       % {"number": source.number,
                                          "other": source.enforcement_cases.first().number}]
        return None
    return source


# ---------------------------------------------------------------- measures handed on

def _holding_notices(case: Case):
    """Measure notices whose measure belongs to ``case`` and is held, or may still be taken: open
    requests, and executed ones not released (what a resumption or a carry-over hands on)."""
    return Notice.objects.filter(measure_case=case).awaiting_release()


def _hand_on(*, source: Case, target: Case) -> tuple[list[Notice], list[Measure]]:
    """Every measure of ``source``, held or still requested, belongs to ``target`` from now on: an answer
    that arrives later on an old notice lands on ``target``, whose conclusion releases it. A measure whose
    term ran out is not handed on (民诉法解释 Art. 168: "但…期限届满的除外")."""
    lapse_overdue(Measure.objects.filter(case=source))
    notices = list(_holding_notices(source).select_related("unit", "action").order_by("id"))
    Notice.objects.filter(pk__in=[n.pk for n in notices]).update(measure_case=target)
    # A renewal still open follows its measure: the case that releases the measure withdraws it.
    Notice.objects.filter(original__in=[n.pk for n in notices], kind=NoticeKind.RENEWAL,
                          status__in=OPEN | {NoticeStatus.ANSWERED}).update(measure_case=target)
    measures = list(Measure.objects.select_for_update(of=("self",), no_key=True).filter(case=source, status=MeasureStatus.ACTIVE)
                    .select_related("unit", "action").order_by("unit__sort_order", "id"))
    Measure.objects.filter(pk__in=[m.pk for m in measures]).update(case=target)
    return notices, measures


def carry_over(*, actor, source: Case, target: Case) -> list[Notice]:
    """A 执保 case's measures become its 执 case's (民诉法解释 Art. 168; 财产保全规定 Art. 17): same terms,
    no notice re-issued; each unit holding one is told in one letter. Inside ``case_create``."""
    notices, measures = _hand_on(source=source, target=target)
    _step(source, "carry_over", actor=actor, note=_("Measures carried over to %(number)s") % {"number": target.number})
    units = {}
    for n in notices:
        units.setdefault(n.unit_id, (n.unit, n.action))
    for m in measures:
        units.setdefault(m.unit_id, (m.unit, m.action))
    specs = []
    for unit_id, (unit, action) in units.items():
        lines = [f"{m.action.name.split('/')[0]}：{m.asset}" + (
                     f"，期限自{cn_date(m.starts_on)}起至{cn_date(m.expires_on)}止"
                     if m.starts_on and m.expires_on else "")
                 for m in measures if m.unit_id == unit_id]
        lines += [_("Notice %(number)s, not yet answered") % {"number": n.number}
                  for n in notices if n.unit_id == unit_id and n.status in OPEN]
        specs.append(dict(unit=unit, action=action, kind=NoticeKind.CONVERSION, subject="\n".join(lines)))
    letters = create_notices(actor=actor, case=target, issued_at=timezone.now(), specs=specs)
    delivery.queue([n.pk for n in letters], purpose="issue")
    _note(target, "take_over", actor=actor, note=_("Took over %(n)s measure(s) from %(number)s, terms running on") % {
                    "n": len(measures), "number": source.number})
    return letters


@transaction.atomic
def case_resume(*, actor, case: Case, number: str, note: str = "") -> Case:
    """Resume (执恢) a case that kept its measures (终本, or terminated for a settlement not performed) as
    a new case of its own number, linked to the old one, with the parties, amount and basis copied;
    every measure of the old case, held or still requested, belongs to the new one (DOMAIN.md s. 5)."""
    _require(actor, "cases.add_case")
    old = _locked_case(case)
    CASE_MACHINE.transition_for(old.status, "resume")
    resumable = (old.outcome == CaseOutcome.FINAL_NO_PROPERTY
                 or (old.outcome == CaseOutcome.TERMINATED and old.outcome_ground == TerminationGround.SETTLEMENT))
    if not resumable:
        raise InvalidTransition(_("Only a case concluded as 终结本次执行程序, or terminated for a settlement that "
                                  "was not performed, can be resumed."))
    if old.resumptions.exists():
        raise InvalidTransition(_("Case %(number)s has already been resumed.") % {"number": old.number})
    try:
        parsed = parse_own_case_number(number, court_code(old.court_id))
    except ValidationError as exc:
        raise ValidationError({"number": exc.messages}) from None
    if parsed.case_type != "执恢":
        raise ValidationError({"number": [_("A resumed case has the case type 执恢, e.g. （2027）鄂1022执恢12号.")]})
    if Case.objects.filter(number=parsed.number).exists():
        raise ValidationError({"number": [_("Case %(number)s is already registered.") % {"number": parsed.number}]})
    new = Case.objects.create(
        number=parsed.number, court_id=old.court_id, year=parsed.year, case_type=parsed.case_type, title=old.title,
        amount=selectors.outstanding_amount(old), listed_supervision=old.listed_supervision,
        responsible_leader=old.responsible_leader, created_by=actor, basis_issuer=old.basis_issuer,
        basis_number=old.basis_number, basis_date=old.basis_date, resumed_from=old, filed_on=local_today(),
    )
    Party.objects.bulk_create([
        Party(case=new, role=p.role, kind=p.kind, name=p.name, id_number=p.id_number,
              legal_representative=p.legal_representative) for p in old.parties.all()])
    CaseCategory.objects.bulk_create([CaseCategory(case=new, category=c.category) for c in old.categories.all()])
    notices, measures = _hand_on(source=old, target=new)
    # The old case's after-care ends: the new case carries the enforcement.
    _step(old, "resume", actor=actor, next_search_on=None,
          note=(_("Resumed as %(number)s. %(note)s") % {"number": new.number, "note": note}).strip())
    _registered(new, actor=actor, note=_("Resumed from %(number)s: %(measures)s measure(s) and %(notices)s measure notice(s) moved")
                % {"number": old.number, "measures": len(measures), "notices": len(notices)})
    log.info("case %s resumed as %s; %s measures and %s notices moved", old.pk, new.pk, len(measures), len(notices))
    return new


# ---------------------------------------------------------------- conclusion

@dataclass
class ConclusionResult:
    case: Case
    release_notices: list
    cancelled_notices: list
    kept_measures: list
    ruling: object = None
    conditions: list = field(default_factory=list)


class ConditionsUnmet(ValidationError):
    """终本规定 Art. 1: conditions not met; ``payload`` is what the API answers (``conditions``)."""

    def __init__(self, conditions):
        self.conditions = conditions
        super().__init__({"conditions": [_("%(text)s (%(code)s)") % {"text": c.text, "code": c.code}
                                         for c in conditions]})
        self.payload = {"conditions": [{"code": c.code, "text": str(c.text), "confirmable": c.confirmable}
                                       for c in conditions]}


@transaction.atomic
def case_conclude(*, actor, case: Case, outcome: str, note: str = "", ruling=None, ruling_file=None,
                  ground: str = "", confirm=()) -> ConclusionResult:
    """Conclude a case by its outcome (Art. 35; cases.lifecycle.ENDINGS; docs/lifecycle.md).

    An ending that releases (执行完毕, 终结执行 on most grounds, 不予执行, 驳回申请, 销案, 解除保全)
    cancels the open requests and sends every unit that holds or may hold a measure a release notice
    citing the ruling (uploaded, filed, or drawn up); an ending that keeps (终本, 执保 carried out, a
    termination for a long-term settlement or a transfer) releases nothing and withdraws only one-off
    requests; a review ends with nothing held. 终本 needs the conditions of 终本规定 Art. 1 (``confirm``
    the ones only the clerk can vouch for, with a ``note``); 执行完毕 needs the payments to cover the
    amount owed, or a note saying how it was paid. What happens is ``selectors.conclusion_plan``, the
    plan the conclusion page shows.
    """
    _require(actor, "cases.conclude_case")
    case = _locked_case(case)
    if case.status == CaseStatus.SUSPENDED:
        # 立案结案意见 Art. 23: a suspended case is not concluded; a settlement performed in full is.
        if not (case.suspension_kind == SuspensionKind.SETTLEMENT and outcome == CaseOutcome.COMPLETED):
            raise InvalidTransition(_("Case %(number)s is suspended: proceed with it before concluding it. Only a "
                                      "settlement performed in full concludes a suspended case (执行完毕).")
                                    % {"number": case.number})
    elif case.status == CaseStatus.CONCLUDED:
        raise InvalidTransition(_("Case %(number)s is already concluded.") % {"number": case.number})
    CASE_MACHINE.transition_for(case.status, "conclude")
    allowed = endings_for(case.case_type)
    if outcome not in allowed:
        raise ValidationError({"outcome": [_("A %(type)s case ends as one of: %(outcomes)s.") % {
            "type": case.case_type, "outcomes": ", ".join(allowed)}]})
    note = (note or "").strip()
    ground = (ground or "").strip()
    errors = {}
    if outcome == CaseOutcome.TERMINATED and not ground:
        ground = TerminationGround.OTHER  # the contract's call without a ground: 其他情形 (Art. 268(6))
    if outcome == CaseOutcome.TERMINATED and ground not in TerminationGround.values:
        errors["ground"] = [_("Choose the ground of the termination (民事诉讼法 Art. 268).")]
    elif outcome == CaseOutcome.PRESERVATION_LIFTED and ground not in PreservationLiftGround.values:
        errors["ground"] = [_("Choose why the preservation is lifted.")]
    elif outcome not in (CaseOutcome.TERMINATED, CaseOutcome.PRESERVATION_LIFTED):
        ground = ""
    if outcome == CaseOutcome.COMPLETED:
        paid = selectors.paid_amount(case)
        if paid < case.amount and not note:
            errors["note"] = [_("Payments recorded (%(paid)s yuan) are less than the amount owed (%(owed)s yuan): "
                                "record the payments, or say in a note how the debt was performed.")
                              % {"paid": paid, "owed": case.amount}]
    conditions = []
    if outcome == CaseOutcome.FINAL_NO_PROPERTY:
        conditions = selectors.final_conditions(case)
        confirmed = set(confirm or ())
        unknown = confirmed - {c.code for c in conditions if c.confirmable}
        if unknown:
            errors["confirm"] = [_("These conditions cannot be confirmed by the clerk: %(codes)s.")
                                 % {"codes": ", ".join(sorted(unknown))}]
        elif confirmed and not note:
            errors["note"] = [_("Say in a note how the conditions you confirm were met.")]
        if errors:
            raise ValidationError(errors)
        unmet = [c for c in conditions if not c.met and c.code not in confirmed]
        if unmet:
            raise ConditionsUnmet(unmet)
    digest = None
    if ruling_file is not None:  # checked with the rest, so that every error is said at once
        from linkage.uploads import validate_pdf

        try:
            digest = validate_pdf(ruling_file)
        except ValidationError as exc:
            errors["ruling"] = exc.messages
    if errors:
        raise ValidationError(errors)
    measures_fate = ending_measures(outcome, ground)
    plan = selectors.conclusion_plan(case, outcome, ground)
    ending = ENDINGS[outcome]
    ruling_kind = ending.ruling
    if outcome == CaseOutcome.TERMINATED and ground in TERMINATION_WITHOUT_RULING:
        ruling_kind = ""
    made = None
    if ruling_kind or ruling_file is not None or ruling not in (None, ""):
        made = rulings.ruling_for(
            actor=actor, case=case, kind=ruling_kind or "enforcement", ruling=ruling, upload=ruling_file,
            digest=digest, action_codes=[n.action.code for n in plan.release],
            facts=_conclusion_facts(case, outcome, ground, note, plan, conditions, measures_fate))
    now = timezone.now()
    reason = _("Case concluded: %(outcome)s") % {"outcome": CaseOutcome(outcome).label}
    if note:
        reason = f"{reason}. {note}"
    to_cancel = list(Notice.objects.select_for_update(of=("self",), no_key=True).filter(pk__in=[n.pk for n in plan.cancel],
                                                                           status__in=OPEN).order_by("id"))
    move_notices(to_cancel, "cancel", actor=actor, note=reason, cancelled_at=now)
    to_close = list(Notice.objects.select_for_update(of=("self",), no_key=True).filter(pk__in=[n.pk for n in plan.close],
                                                                          status=NoticeStatus.ANSWERED).order_by("id"))
    move_notices(to_close, "close", actor=actor, note=reason, closed_at=now)
    releases = _release_notices(actor=actor, case=case, originals=plan.release, ground=ending.release_ground,
                                ruling=made, issued_at=now)
    if case.status == CaseStatus.SUSPENDED:
        _end_suspension(case, actor=actor, note=reason)
        Settlement.objects.filter(case=case, status=SettlementStatus.PERFORMING).update(
            status=SettlementStatus.PERFORMED, ended_at=now, end_note=reason)
    _step(case, "conclude", actor=actor, note=reason, outcome=outcome, outcome_ground=ground, outcome_note=note,
          outcome_ruling=made, concluded_at=now, concluded_by=actor, suspension_kind="",
          # 终本规定 Art. 9: a property search every six months for five years.
          next_search_on=(add_months(local_today(), SEARCH_EVERY_MONTHS)
                          if outcome == CaseOutcome.FINAL_NO_PROPERTY else None))
    # What another court's units hold for this case is released through that court (事项委托).
    from .entrustments import on_case_concluded

    on_case_concluded(case, measures=measures_fate, actor=actor)
    # Apps above cases act once it commits (credit: 失信规定 Art. 10, 限高规定 Art. 9).
    send_case_concluded(case=case, outcome=outcome, actor=actor)
    delivery.queue([n.pk for n in to_cancel], purpose="cancel")
    delivery.queue([r.pk for r in releases], purpose="issue")
    return ConclusionResult(case=case, release_notices=releases, cancelled_notices=to_cancel,
                            kept_measures=plan.kept_measures, ruling=made, conditions=conditions)


def _conclusion_facts(case, outcome, ground, note, plan, conditions, measures_fate) -> dict:
    from .documents import release_basis

    ending = ENDINGS[outcome]
    facts = {"outcome": outcome, "ground": ground, "note": note, "measures": rulings.notice_facts(plan.release),
             "keeps_measures": measures_fate == "keep"}
    if outcome == CaseOutcome.TERMINATED:
        facts["ground_text"] = str(TerminationGround(ground).label) if ground else ""
        facts["legal_basis"] = "《中华人民共和国民事诉讼法》第二百六十八条"
    elif outcome == CaseOutcome.PRESERVATION_LIFTED:
        facts["ground_text"] = str(PreservationLiftGround(ground).label)
        facts["legal_basis"] = "《最高人民法院关于人民法院办理财产保全案件若干问题的规定》第二十三条"
    elif outcome == CaseOutcome.FINAL_NO_PROPERTY:
        facts["legal_basis"] = "《最高人民法院关于适用〈中华人民共和国民事诉讼法〉的解释》第五百一十七条、《最高人民法院关于严格规范终结本次执行程序的规定（试行）》第一条"
        facts["conditions"] = [f"{c.text}：{'已满足' if c.met else '经审查确认'}。" for c in conditions]
    elif ending.release_ground:
        facts["ground_text"], facts["legal_basis"] = release_basis(ending.release_ground, "freeze")
    return facts


def _release_notices(*, actor, case, originals, ground, ruling, issued_at) -> list[Notice]:
    """A release notice on ``case`` for each measure notice in ``originals`` (each unique per original:
    the fan-out can run twice and send nothing twice), linked to the measures it lifts."""
    from . import measures

    releases = create_notices(actor=actor, case=case, issued_at=issued_at, specs=[
        dict(unit=original.unit, action=original.action, kind=NoticeKind.RELEASE, original=original,
             party=original.party, release_ground=ground, ruling=ruling,
             subject=_("%(release)s: %(subject)s (notice %(number)s)") % {
                 "release": original.action.release_name or _("Release"),
                 "subject": registered_asset(original), "number": original.number})
        for original in originals
    ])
    measures.attach_releases(releases)
    return releases


# ---------------------------------------------------------------- suspension, deferral, settlement

def _pause_clocks(case: Case, *, actor, now, note: str) -> int:
    """Stop the answer and reminder clocks of the case's open requests (releases and renewals run on):
    shown to the unit as paused. A clock already stopped (an objection pending) stays stopped from then."""
    notices = list(Notice.objects.select_for_update(of=("self",), no_key=True)
                   .filter(measure_case=case, kind=NoticeKind.ASSIST, status__in=OPEN).order_by("id"))
    to_pause = [n for n in notices if n.paused_since is None]
    Notice.objects.filter(pk__in=[n.pk for n in to_pause]).update(paused_since=now)
    for n in to_pause:
        note_event(n, actor=actor, transition="pause", note=note)
    return len(to_pause)


def _resume_clocks(case: Case, *, actor, now, note: str) -> int:
    """Restart the clocks the suspension stopped, shifted by the time they stood still (to the end of a
    local day). A notice with an objection or extension request still pending stays paused: deciding it
    restarts its clocks, shifted by the whole pause."""
    from .models import RequestStatus

    notices = list(Notice.objects.select_for_update(of=("self",), no_key=True)
                   .filter(measure_case=case, kind=NoticeKind.ASSIST, status__in=OPEN, paused_since__isnull=False)
                   .exclude(requests__status=RequestStatus.PENDING).order_by("id"))
    for n in notices:
        paused = now - n.paused_since
        if n.status in AWAITING_ACK:
            n.ack_due_at = end_of_day(timezone.localtime(n.ack_due_at + paused).date())
        n.due_at = end_of_day(timezone.localtime(n.due_at + paused).date())
        n.paused_since = None
        n.save(update_fields=["ack_due_at", "due_at", "paused_since"])
        note_event(n, actor=actor, transition="resume_clocks", note=note)
    return len(notices)


def _end_suspension(case: Case, *, actor, note: str) -> Suspension | None:
    open_one = Suspension.objects.select_for_update(of=("self",), no_key=True).filter(case=case, ended_at__isnull=True).first()
    if open_one is not None:
        open_one.ended_at, open_one.ended_by, open_one.end_note = timezone.now(), actor, note[:2000]
        open_one.save(update_fields=["ended_at", "ended_by", "end_note"])
    return open_one


@dataclass
class SuspensionResult:
    suspension: Suspension
    paused_notices: int = 0
    release_notices: list = field(default_factory=list)
    cancelled_notices: list = field(default_factory=list)


def _suspend(*, actor, case: Case, kind: str, ground: str, reason: str, until, ruling, ruling_file,
             facts_extra: dict | None = None) -> SuspensionResult:
    """The case (locked by the caller) stands still: the clocks of its open requests stop, no new request
    may be issued (releases and renewals may), and what the units hold is kept, except where the law
    says otherwise (破产: released)."""
    CASE_MACHINE.transition_for(case.status, "suspend")
    if case.group == CaseGroup.REVIEW:
        raise InvalidTransition(_("A review case (执异, 执复, 执监) is not suspended; its enforcement case is."))
    now = timezone.now()
    ground_label = str(SuspensionGround(ground).label)
    facts = {"ground": ground, "ground_text": ground_label, "note": reason, **(facts_extra or {})}
    if kind == SuspensionKind.DEFERRAL:
        facts["legal_basis"] = "《中华人民共和国民事诉讼法》第二百四十二条"
        facts["until_text"] = f"{until.year}年{until.month}月{until.day}日"
    elif kind == SuspensionKind.SETTLEMENT:
        facts["legal_basis"] = "《中华人民共和国民事诉讼法》第二百四十一条、《最高人民法院关于执行和解若干问题的规定》第二条"
    else:
        facts["legal_basis"] = "《中华人民共和国民事诉讼法》第二百六十七条"
    releasing = ground in SUSPENSION_RELEASES
    plan = selectors.conclusion_plan(case, CaseOutcome.COMPLETED) if releasing else None
    if releasing:
        facts["measures"] = rulings.notice_facts(plan.release)
    made = rulings.ruling_for(actor=actor, case=case, kind=SUSPENSION_RULING[kind], ruling=ruling,
                              upload=ruling_file, facts=facts)
    suspension = Suspension.objects.create(case=case, kind=kind, ground=ground, reason=reason, until=until,
                                           ruling=made, started_at=now, started_by=actor)
    result = SuspensionResult(suspension=suspension)
    note = _("Case suspended: %(kind)s, %(ground)s") % {"kind": SuspensionKind(kind).label, "ground": ground_label}
    if releasing:
        # 企业破产法 Art. 19: the preservation measures on the debtor's property are released and the
        # requests withdrawn; the administrator takes the property.
        cancel = [n for n in plan.cancel if n.status in OPEN]
        locked = list(Notice.objects.select_for_update(of=("self",), no_key=True).filter(pk__in=[n.pk for n in cancel],
                                                                            status__in=OPEN).order_by("id"))
        move_notices(locked, "cancel", actor=actor, note=note, cancelled_at=now)
        result.cancelled_notices = locked
        result.release_notices = _release_notices(actor=actor, case=case, originals=plan.release,
                                                  ground="bankruptcy", ruling=made, issued_at=now)
        delivery.queue([n.pk for n in locked], purpose="cancel")
        delivery.queue([r.pk for r in result.release_notices], purpose="issue")
    result.paused_notices = _pause_clocks(case, actor=actor, now=now, note=note)
    _step(case, "suspend", actor=actor, note=f"{note}. {reason}".strip(". "), suspension_kind=kind)
    send_case_suspended(case=case, suspension=suspension, actor=actor)
    return result


@transaction.atomic
def case_suspend(*, actor, case: Case, kind: str, ground: str, reason: str = "", until=None, ruling=None,
                 ruling_file=None) -> SuspensionResult:
    """中止执行 (民事诉讼法 2023 Art. 267) or 暂缓执行 (Art. 242) with its ground; a deferral until a day
    within its limit, after which the case proceeds by itself."""
    _require(actor, "cases.conclude_case")
    case = _locked_case(case)
    reason = (reason or "").strip()
    errors = {}
    if kind not in (SuspensionKind.SUSPENSION, SuspensionKind.DEFERRAL):
        errors["kind"] = [_("Choose suspension or deferral (a settlement is recorded as a settlement).")]
    else:
        ground = DEFERRAL_GROUND_ALIASES.get(ground, ground) if kind == SuspensionKind.DEFERRAL else ground
        if ground not in GROUNDS_BY_KIND[kind]:
            errors["ground"] = [_("Choose a ground of %(kind)s.") % {"kind": SuspensionKind(kind).label}]
    if ground in (SuspensionGround.OTHER, SuspensionGround.DEFERRAL_OTHER) and not reason:
        errors["reason"] = [_("Say why.")]
    day = None
    try:
        day = parse_day(until, "until", required=kind == SuspensionKind.DEFERRAL)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if day is not None and kind == SuspensionKind.DEFERRAL and "ground" not in errors:
        limit = add_months(local_today(), DEFERRAL_MAX_MONTHS[ground])
        if day <= local_today():
            errors["until"] = [_("A deferral runs until a day after today.")]
        elif day > limit:
            errors["until"] = [_("A deferral on this ground lasts at most %(months)s months (until %(date)s).")
                               % {"months": DEFERRAL_MAX_MONTHS[ground], "date": limit.isoformat()}]
    elif kind == SuspensionKind.SUSPENSION:
        day = None
    if errors:
        raise ValidationError(errors)
    return _suspend(actor=actor, case=case, kind=kind, ground=ground, reason=reason, until=day, ruling=ruling,
                    ruling_file=ruling_file)


@transaction.atomic
def case_proceed(*, actor, case: Case, note: str = "") -> Case:
    """A suspended case returns to enforcement (恢复执行): the clocks restart, shifted by the pause. After a
    settlement, on the applicant's application because it was not performed (执行和解规定 Art. 9, 11):
    the settlement is recorded as breached and what was paid under it stays deducted (Art. 17)."""
    _require(actor, "cases.conclude_case")
    case = _locked_case(case)
    note = (note or "").strip()
    if case.status == CaseStatus.SUSPENDED and case.suspension_kind == SuspensionKind.SETTLEMENT and not note:
        raise ValidationError({"note": [_("Say why enforcement resumes (e.g. the applicant applied because an "
                                          "instalment was not paid).")]})
    return _proceed(case, actor=actor, note=note)


def _proceed(case: Case, *, actor, note: str) -> Case:
    CASE_MACHINE.transition_for(case.status, "proceed")
    now = timezone.now()
    text = _("Enforcement proceeds. %(note)s") % {"note": note}
    if case.suspension_kind == SuspensionKind.SETTLEMENT:
        Settlement.objects.filter(case=case, status=SettlementStatus.PERFORMING).update(
            status=SettlementStatus.BREACHED, ended_at=now, end_note=note)
    _end_suspension(case, actor=actor, note=note)
    _resume_clocks(case, actor=actor, now=now, note=text.strip())
    return _step(case, "proceed", actor=actor, note=note, suspension_kind="")


def deferrals_sweep(today: date | None = None) -> int:
    """Daily: a deferral whose last day has passed proceeds by itself (暂缓执行 ends with its term)."""
    today = today or local_today()
    done = 0
    for suspension in Suspension.objects.filter(kind=SuspensionKind.DEFERRAL, ended_at__isnull=True, until__lt=today):
        with transaction.atomic():
            case = _locked_case(suspension.case)
            if case.status != CaseStatus.SUSPENDED:
                continue
            _proceed(case, actor=system_actor(), note=_("The deferral ended on %(date)s.")
                     % {"date": suspension.until.isoformat()})
            done += 1
    return done


@transaction.atomic
def settlement_record(*, actor, case: Case, signed_on, terms: str, instalments=(), release_measures=(),
                      ruling=None, ruling_file=None) -> Settlement:
    """An enforcement settlement (执行和解, 民事诉讼法 2023 Art. 241): its terms and instalments; the case
    is suspended while it is performed (执行和解规定 Art. 2). The measures stay unless the agreement names
    them (``release_measures``): those are released with a release ruling (Art. 3)."""
    _require(actor, "cases.conclude_case")
    case = _locked_case(case)
    CASE_MACHINE.transition_for(case.status, "suspend")
    if case.group != CaseGroup.ENFORCEMENT:
        raise InvalidTransition(_("A settlement is recorded in an enforcement case (执, 执恢)."))
    errors = {}
    terms = (terms or "").strip()
    if not terms:
        errors["terms"] = [_("Write down what the parties agreed.")]
    try:
        signed = parse_day(signed_on, "signed_on")
        if signed > local_today():
            errors["signed_on"] = [_("The agreement cannot be signed in the future.")]
    except ValidationError as exc:
        errors.update(exc.message_dict)
        signed = None
    rows = []
    if len(instalments or ()) > MAX_INSTALMENTS:
        errors["instalments"] = [_("At most %(n)s instalments.") % {"n": MAX_INSTALMENTS}]
    else:
        for index, row in enumerate(instalments or (), 1):
            try:
                due = parse_day(row.get("due_on"), "due_on")
                amount = _money(row.get("amount"), "amount")
            except ValidationError as exc:
                errors.setdefault("instalments", []).extend(
                    _("Instalment %(n)s: %(error)s") % {"n": index, "error": m} for m in exc.messages)
                continue
            if signed and due < signed:
                errors.setdefault("instalments", []).append(
                    _("Instalment %(n)s falls due before the agreement was signed.") % {"n": index})
            rows.append((due, amount))
    to_release = []
    if release_measures:
        wanted = {int(m.pk if isinstance(m, Measure) else m) for m in release_measures}
        to_release = list(Measure.objects.select_for_update(of=("self",), no_key=True)
                          .filter(pk__in=wanted, case=case, status=MeasureStatus.ACTIVE, release_notice__isnull=True)
                          .select_related("notice", "unit", "action").order_by("id"))
        if len(to_release) != len(wanted):
            errors["release_measures"] = [_("Choose measures of this case that are still held.")]
    if errors:
        raise ValidationError(errors)
    settlement = Settlement.objects.create(case=case, signed_on=signed, terms=terms, recorded_by=actor)
    Instalment.objects.bulk_create([Instalment(settlement=settlement, seq=i, due_on=due, amount=amount)
                                    for i, (due, amount) in enumerate(sorted(rows), 1)])
    _suspend(actor=actor, case=case, kind=SuspensionKind.SETTLEMENT, ground=SuspensionGround.SETTLEMENT,
             reason=terms[:500], until=None, ruling=None, ruling_file=None)
    if to_release:
        from . import measures as measure_services

        made = rulings.ruling_for(actor=actor, case=case, kind="release", ruling=ruling, upload=ruling_file,
                                  action_codes=[m.action.code for m in to_release],
                                  facts={"measures": rulings.measure_facts(to_release), "note": terms[:500],
                                         "ground_text": "当事人达成执行和解协议，申请执行人同意解除",
                                         "legal_basis": f"{rulings.SEIZURE_RULES}第二十八条第一款第五项"})
        for measure in to_release:
            measure_services.release_one(actor=actor, case=case, measure=measure, ground="settlement", ruling=made)
    return settlement


# ---------------------------------------------------------------- money received

@transaction.atomic
def payment_record(*, actor, case: Case, amount, received_on, way: str, notice=None, note: str = "") -> Payment:
    """Money received in the case (执行款): deducted by a unit, paid by the debtor, auction proceeds.
    It lowers the outstanding amount; it may not exceed it."""
    _require(actor, "cases.conclude_case")
    case = _locked_case(case)
    if case.status == CaseStatus.CONCLUDED:
        raise InvalidTransition(_("Case %(number)s is concluded; a payment is recorded in the case that "
                                  "continues it.") % {"number": case.number})
    errors = {}
    try:
        amount = _money(amount, "amount")
        outstanding = selectors.outstanding_amount(case)
        if amount > outstanding:
            errors["amount"] = [_("More than the outstanding amount (%(left)s yuan).") % {"left": outstanding}]
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        day = parse_day(received_on, "received_on")
        if day > local_today():
            errors["received_on"] = [_("Money cannot be received in the future.")]
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if way not in PaymentWay.values:
        errors["way"] = [_("Choose how the money came: deduction, paid, auction or other.")]
    linked = None
    if notice not in (None, ""):
        linked = (Notice.objects.filter(pk=notice.pk if isinstance(notice, Notice) else notice,
                                        measure_case=case, action__code="deduct").first())
        if linked is None:
            errors["notice"] = [_("Choose a deduction notice of this case.")]
    if errors:
        raise ValidationError(errors)
    payment = Payment.objects.create(case=case, amount=amount, received_on=day, way=way, notice=linked,
                                     note=(note or "").strip()[:200], recorded_by=actor)
    _note(case, "payment", actor=actor, note=_("%(amount)s yuan received on %(date)s (%(way)s)") % {
                    "amount": amount, "date": day.isoformat(), "way": PaymentWay(way).label})
    return payment


# ---------------------------------------------------------------- after 终本

@transaction.atomic
def property_search_record(*, actor, case: Case, searched_on, result: str, note: str = "") -> PropertySearch:
    """A property search after 终本 (终本规定 Art. 9), with its result; the next is due six months on.
    Two or more finding nothing, with no lead given, open the deletion of the debtor's listing
    (失信规定 Art. 10(4)); a search that finds property or a lead is a reason to resume."""
    _require(actor, "cases.conclude_case")
    case = _locked_case(case)
    if case.status != CaseStatus.CONCLUDED or case.outcome != CaseOutcome.FINAL_NO_PROPERTY:
        raise InvalidTransition(_("Property searches are recorded for a case concluded as 终本."))
    if case.resumptions.exists():
        raise InvalidTransition(_("The case has been resumed; its enforcement goes on in the resumed case."))
    done = PropertySearch.objects.filter(case=case).count()
    if done >= SEARCHES:
        raise InvalidTransition(_("The five years of searches after 终本 are complete."))
    errors = {}
    try:
        day = parse_day(searched_on, "searched_on")
        if day > local_today():
            errors["searched_on"] = [_("A search cannot be recorded before it is made.")]
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if result not in SearchResult.values:
        errors["result"] = [_("Choose nothing found, property found or a lead given.")]
    note = (note or "").strip()
    if result != SearchResult.NOTHING and not note:
        errors["note"] = [_("Say what was found.")]
    if errors:
        raise ValidationError(errors)
    concluded_on = timezone.localtime(case.concluded_at).date()
    seq = done + 1
    search = PropertySearch.objects.create(case=case, seq=seq, due_on=add_months(concluded_on, SEARCH_EVERY_MONTHS * seq),
                                           searched_on=day, result=result, note=note, recorded_by=actor)
    case.next_search_on = (add_months(concluded_on, SEARCH_EVERY_MONTHS * (seq + 1)) if seq < SEARCHES else None)
    case.save(update_fields=["next_search_on"])
    _note(case, "property_search", actor=actor, note=f"{seq}: {SearchResult(result).label}. {note}".strip(". "))
    send_property_searched(case=case, search=search, actor=actor)
    return search
