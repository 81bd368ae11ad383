"""The president's decisions (credit.decision_models): proposed by the clerk, decided or returned by the
president, drawn up as a numbered 决定书 sealed like the notices, served on the debtor.

* listing (失信规定 Art. 5): "人民法院决定将被执行人纳入失信被执行人名单的，应当制作决定书，决定书应当
  写明纳入失信被执行人名单的理由，有纳入期限的，应当写明纳入期限。决定书由院长签发，自作出之日起生效。
  决定书应当按照民事诉讼法规定的法律文书送达方式送达当事人。" A decided listing also drafts the debtor's
  consumption restriction for the president (限高规定 Art. 1 para. 2: a listed debtor "应当" be restricted);
* early deletion of a fixed-term entry (Art. 2) and correction of a wrong one (Art. 9, 12);
* lifting an order on security or the applicant's consent (限高规定 Art. 9), and a one-off permission of at
  most a month (法发〔2019〕35号 item 17; 限高规定 Art. 8).
"""
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import rulings
from cases.models import Attachment, AttachmentPurpose, Case, PartyKind
from linkage.dates import add_months, cn_date, parse_day
from linkage.numerals import chinese_numeral
from linkage.statemachine import InvalidTransition, change_state, lock, record_note

from . import restrictions, rules, services
from .models import (
    FIXED_TERM_YEARS,
    ConsumptionRestriction,
    CreditEntry,
    CreditEvent,
    CreditGround,
    CreditStatus,
    Decision,
    DecisionKind,
    DecisionStatus,
    LiftGround,
    RestrictedPersonRole,
    RestrictionPermission,
    RestrictionStatus,
    RevokeGround,
    ServiceWay,
)
from .workflow import CREDIT_MACHINE, RESTRICTION_MACHINE

PRESIDENT = "credit.decide_decision"
LISTING_RULES = "《最高人民法院关于公布失信被执行人名单信息的若干规定》"
RESTRICTION_RULES = "《最高人民法院关于限制被执行人高消费及有关消费的若干规定》"
GROUND_ITEMS = {CreditGround.ABLE_BUT_REFUSES: 1, CreditGround.OBSTRUCTS: 2, CreditGround.EVADES: 3,
                CreditGround.PROPERTY_REPORT: 4, CreditGround.CONSUMPTION: 5, CreditGround.SETTLEMENT: 6}
# 失信规定 Art. 1, as a 决定书 states the ground.
GROUND_TEXT = {
    CreditGround.ABLE_BUT_REFUSES: "有履行能力而拒不履行生效法律文书确定义务",
    CreditGround.OBSTRUCTS: "以伪造证据、暴力、威胁等方法妨碍、抗拒执行",
    CreditGround.EVADES: "以虚假诉讼、虚假仲裁或者以隐匿、转移财产等方法规避执行",
    CreditGround.PROPERTY_REPORT: "违反财产报告制度",
    CreditGround.CONSUMPTION: "违反限制消费令",
    CreditGround.SETTLEMENT: "无正当理由拒不履行执行和解协议",
}
MAX_PERMISSION_MONTHS = 1


def _require(actor, perm: str, message: str = ""):
    if not actor.has_perm(perm):
        raise PermissionDenied(message or _("Your role does not allow this."))


def _require_president(actor):
    _require(actor, PRESIDENT, _("Only the court president decides this (失信规定 Art. 5; 限高规定 Art. 5)."))


def _locked(decision) -> Decision:
    return Decision.objects.select_for_update(of=("self",), no_key=True).get(pk=decision.pk)


def _entry_step(entry, name, *, actor, note="", **fields):
    return change_state(entry, CREDIT_MACHINE, name, actor=actor, event=CreditEvent, subject="entry", note=note,
                        **fields)


def _entry_note(entry, transition, *, actor, note=""):
    record_note(entry, transition, actor=actor, event=CreditEvent, subject="entry", note=note)


# ---------------------------------------------------------------- the listing

@transaction.atomic
def credit_entry_propose(*, actor, entry: CreditEntry, ground: str = "", period_years=None, facts: str = "",
                         warning: str = "") -> Decision:
    """The clerk proposes the listing to the president: its ground (Art. 1), its period (Art. 2: none for
    ground 1; two years for the others, up to five with the reason for the extension), the facts, and the
    执行通知书 that warned the debtor of the risk (item 14 of 法发〔2019〕35号)."""
    _require(actor, "credit.add_creditentry")
    entry = lock(entry)
    CREDIT_MACHINE.transition_for(entry.status, "propose")
    errors = {}
    ground = ground or entry.ground
    if ground not in CreditGround.values:
        errors["ground"] = [_("Choose a ground of 失信规定 Art. 1.")]
    facts, warning = (facts or "").strip(), (warning or "").strip()
    extension = 0
    if ground == CreditGround.ABLE_BUT_REFUSES:
        if period_years not in (None, ""):
            errors["period_years"] = [_("Ground 1 has no fixed period (失信规定 Art. 2).")]
    elif "ground" not in errors:
        # Not given: what the entry was created with (two years, and any extension already reasoned).
        years = (FIXED_TERM_YEARS + (entry.extension_years or 0) if period_years in (None, "")
                 else period_years)
        try:
            years = int(years)
        except (TypeError, ValueError):
            years = -1
        if not FIXED_TERM_YEARS <= years <= FIXED_TERM_YEARS + 3:
            errors["period_years"] = [_("Two years, or three to five for a serious case (失信规定 Art. 2).")]
        else:
            extension = years - FIXED_TERM_YEARS
            if extension and not facts and not entry.extension_reason:
                errors["facts"] = [_("Say why the period is extended (violence or threats, several dishonest "
                                     "acts).")]
    if errors:
        raise ValidationError(errors)
    _entry_step(entry, "propose", actor=actor, note=facts, ground=ground,
                period_years=None if ground == CreditGround.ABLE_BUT_REFUSES else FIXED_TERM_YEARS,
                extension_years=extension,
                extension_reason=facts if extension and facts and period_years not in (None, "")
                else entry.extension_reason)
    decision = Decision.objects.create(
        kind=DecisionKind.LISTING, case_id=entry.case_id, entry=entry, facts=facts or entry.obligation,
        details={"ground": ground, "period_years": entry.period_years, "extension_years": extension,
                 "warning": warning}, proposed_by=actor)
    return decision


def proposed(entry, kind=DecisionKind.LISTING) -> Decision:
    decision = entry.decisions.filter(kind=kind, status=DecisionStatus.PROPOSED).first()
    if decision is None:
        raise InvalidTransition(_("No decision of this kind is waiting for the president."))
    return decision


def credit_entry_decide(*, actor, entry: CreditEntry, note: str = "") -> Decision:
    """``POST credit-entries/{id}/decide/``: the president decides the proposed listing."""
    _require_president(actor)
    return decision_decide(actor=actor, decision=proposed(entry), note=note)


def credit_entry_return(*, actor, entry: CreditEntry, reason: str) -> Decision:
    """``POST credit-entries/{id}/return/``: the president sends the proposal back with a reason."""
    _require_president(actor)
    return decision_return(actor=actor, decision=proposed(entry), reason=reason)


def credit_entry_service(*, actor, entry: CreditEntry, way: str, served_on, proof=None) -> Decision:
    """``POST credit-entries/{id}/service/``: the 决定书 served on the debtor (Art. 5)."""
    decision = entry.decisions.filter(kind=DecisionKind.LISTING, status=DecisionStatus.DECIDED).order_by("-id").first()
    if decision is None:
        raise InvalidTransition(_("The listing has not been decided yet: there is no decision to serve."))
    return decision_service(actor=actor, decision=decision, way=way, served_on=served_on, proof=proof)


# ---------------------------------------------------------------- early deletion, correction

@transaction.atomic
def credit_entry_propose_early_deletion(*, actor, entry: CreditEntry, facts: str) -> Decision:
    """失信规定 Art. 2: a fixed-term entry whose debtor performed or corrected the dishonest conduct may be
    deleted early by the court's decision (the Art. 10 grounds do not apply to it)."""
    _require(actor, "credit.revoke_creditentry")
    entry = CreditEntry.objects.select_for_update(of=("self",), no_key=True).get(pk=entry.pk)
    if not entry.is_live or entry.status not in (CreditStatus.PUBLISHED, CreditStatus.SHIELDED):
        raise InvalidTransition(_("Only a published entry is deleted early."))
    if not entry.fixed_term:
        raise ValidationError({"entry": [_("An entry with no fixed period is deleted on a ground of 失信规定 Art. 10, "
                                           "not early.")]})
    if not (facts or "").strip():
        raise ValidationError({"facts": [_("Say how the debtor performed or corrected the conduct.")]})
    return Decision.objects.create(kind=DecisionKind.EARLY_DELETION, case_id=entry.case_id, entry=entry,
                                   facts=facts.strip(), proposed_by=actor)


@transaction.atomic
def credit_entry_propose_correction(*, actor, entry: CreditEntry, facts: str, source: str = "court",
                                    applied_on=None, application: str = "") -> Decision:
    """失信规定 Art. 9, 12: a wrong listing is corrected (revoked) by the court's decision, on the listed
    person's written application (decided within fifteen days) or on the court's own finding."""
    from .models import CorrectionSource

    _require(actor, "credit.revoke_creditentry")
    entry = CreditEntry.objects.select_for_update(of=("self",), no_key=True).get(pk=entry.pk)
    if not entry.is_live:
        raise InvalidTransition(_("This entry is no longer on the list."))
    errors = {}
    if not (facts or "").strip():
        errors["facts"] = [_("Say what was wrong.")]
    if source not in CorrectionSource.values:
        errors["source"] = [_("Say whether the listed person applied or the court found it itself.")]
    elif source == CorrectionSource.APPLICATION and not (application or "").strip():
        errors["application"] = [_("Record the written application.")]
    if errors:
        raise ValidationError(errors)
    return Decision.objects.create(
        kind=DecisionKind.CORRECTION, case_id=entry.case_id, entry=entry, facts=facts.strip(), proposed_by=actor,
        details={"source": source, "applied_on": applied_on.isoformat() if applied_on else None,
                 "application": (application or "").strip()})


# ---------------------------------------------------------------- orders: return, service, lifting, permission

@transaction.atomic
def restriction_return(*, actor, order: ConsumptionRestriction, reason: str) -> ConsumptionRestriction:
    """The president sends a draft order back to the clerk with the reason."""
    _require_president(actor)
    order = lock(order)
    RESTRICTION_MACHINE.transition_for(order.status, "return")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the order goes back to the clerk.")]})
    return restrictions.step(order, "return", actor=actor, note=reason)


@transaction.atomic
def restriction_resubmit(*, actor, order: ConsumptionRestriction, basis: str = "") -> ConsumptionRestriction:
    """The clerk submits a returned order again (its facts corrected)."""
    _require(actor, "credit.add_consumptionrestriction")
    basis = (basis or "").strip()
    return restrictions.step(lock(order), "resubmit", actor=actor, note=basis, **({"basis": basis} if basis else {}))


@transaction.atomic
def restriction_service(*, actor, order: ConsumptionRestriction, way: str, served_on, proof=None):
    """The order served on the debtor (限高规定 Art. 6: 送达), with the way, the day and the proof."""
    _require(actor, "credit.add_consumptionrestriction")
    order = lock(order)
    if order.status not in (RestrictionStatus.ISSUED, RestrictionStatus.LIFTED):
        raise InvalidTransition(_("Only an issued order is served."))
    day, stored = _service_input(actor=actor, case=order.case, way=way, served_on=served_on, proof=proof,
                                 not_before=timezone.localdate(order.issued_at))
    order.served_on, order.service_way, order.service_proof = day, way, stored
    order.save(update_fields=["served_on", "service_way", "service_proof"])
    restrictions.note_event(order, "serve", actor=actor, note=f"{ServiceWay(way).label} {day.isoformat()}")
    return order


@transaction.atomic
def restriction_propose_lift(*, actor, order: ConsumptionRestriction, ground: str, reason: str = "") -> Decision:
    """限高规定 Art. 9: lifting on security or the applicant's consent ("可以解除"), or on performance
    ("应当…及时解除"), is decided by the president; the 解除限制消费令 goes to the same units."""
    from .restrictions import CLERK_LIFT_GROUNDS

    _require(actor, "credit.lift_consumptionrestriction")
    order = ConsumptionRestriction.objects.select_for_update(of=("self",), no_key=True).get(pk=order.pk)
    if order.status != RestrictionStatus.ISSUED:
        raise InvalidTransition(_("Only an issued order is lifted."))
    if ground not in CLERK_LIFT_GROUNDS:
        raise ValidationError({"ground": [_("Choose the ground of the lifting (限高规定 Art. 9).")]})
    if ground != LiftGround.PERFORMED and not (reason or "").strip():
        raise ValidationError({"reason": [_("State the security given or the creditor's consent.")]})
    if order.decisions.filter(kind=DecisionKind.RESTRICTION_LIFT, status=DecisionStatus.PROPOSED).exists():
        raise InvalidTransition(_("A lifting of this order is already waiting for the president."))
    return Decision.objects.create(kind=DecisionKind.RESTRICTION_LIFT, case_id=order.case_id, order=order,
                                   facts=(reason or "").strip(), details={"ground": ground}, proposed_by=actor)


@transaction.atomic
def restriction_propose_permission(*, actor, order: ConsumptionRestriction, acts, starts_on, ends_on,
                                   reason: str) -> Decision:
    """法发〔2019〕35号 item 17 (a medical emergency, a funeral): a one-off permission of at most a month,
    approved by the president; recorded on the order the units read once approved."""
    _require(actor, "credit.lift_consumptionrestriction")
    order = ConsumptionRestriction.objects.select_for_update(of=("self",), no_key=True).get(pk=order.pk)
    errors = {}
    if order.status != RestrictionStatus.ISSUED:
        errors["order"] = [_("Only an issued order can allow a one-off act.")]
    acts = list(acts or [])
    if not acts or any(a not in order.acts for a in acts):
        errors["acts"] = [_("Choose restricted acts of this order.")]
    if not starts_on or not ends_on or ends_on < starts_on:
        errors["ends_on"] = [_("Give the first and the last day of the permission.")]
    elif ends_on >= add_months(starts_on, MAX_PERMISSION_MONTHS):
        errors["ends_on"] = [_("A one-off permission lasts at most one month (法发〔2019〕35号 item 17): until "
                               "%(date)s at the latest.") % {
            "date": (add_months(starts_on, MAX_PERMISSION_MONTHS) - timedelta(days=1)).isoformat()}]
    if not (reason or "").strip():
        errors["reason"] = [_("State the reason (e.g. a medical emergency).")]
    if errors:
        raise ValidationError(errors)
    return Decision.objects.create(
        kind=DecisionKind.PERMISSION, case_id=order.case_id, order=order, facts=reason.strip(),
        details={"acts": acts, "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()},
        proposed_by=actor)


# ---------------------------------------------------------------- deciding, returning, serving

@transaction.atomic
def decision_decide(*, actor, decision: Decision, note: str = "") -> Decision:
    """The president signs: the decision takes effect when made (失信规定 Art. 5), its 决定书 is drawn up,
    numbered after the case's rulings and sealed, and what it decides is carried out."""
    _require_president(actor)
    decision = _locked(decision)
    if decision.status != DecisionStatus.PROPOSED:
        raise InvalidTransition(_("This decision has already been %(status)s.") % {
            "status": decision.get_status_display()})
    case = Case.objects.select_for_update(of=("self",), no_key=True).get(pk=decision.case_id)
    now = timezone.now()
    carry = {DecisionKind.LISTING: _decide_listing, DecisionKind.EARLY_DELETION: _decide_early_deletion,
             DecisionKind.CORRECTION: _decide_correction, DecisionKind.RESTRICTION_LIFT: _decide_lift,
             DecisionKind.PERMISSION: _decide_permission}[decision.kind]
    decision.document = rulings.ruling_draw_up(actor=actor, case=case, kind=f"credit_{decision.kind}",
                                               facts=decision_facts(decision, actor))
    decision.status, decision.decided_by, decision.decided_at = DecisionStatus.DECIDED, actor, now
    decision.save(update_fields=["status", "decided_by", "decided_at", "document"])
    carry(decision, actor=actor, note=(note or "").strip())
    return decision


@transaction.atomic
def decision_return(*, actor, decision: Decision, reason: str) -> Decision:
    _require_president(actor)
    decision = _locked(decision)
    if decision.status != DecisionStatus.PROPOSED:
        raise InvalidTransition(_("This decision has already been %(status)s.") % {
            "status": decision.get_status_display()})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why it goes back to the clerk.")]})
    decision.status, decision.returned_reason = DecisionStatus.RETURNED, reason
    decision.save(update_fields=["status", "returned_reason"])
    if decision.kind == DecisionKind.LISTING:
        _entry_step(lock(decision.entry), "return", actor=actor, note=reason)
    return decision


@transaction.atomic
def decision_service(*, actor, decision: Decision, way: str, served_on, proof=None) -> Decision:
    _require(actor, "credit.add_creditentry")
    decision = _locked(decision)
    if decision.status != DecisionStatus.DECIDED:
        raise InvalidTransition(_("Only a decided decision is served."))
    day, stored = _service_input(actor=actor, case=decision.case, way=way, served_on=served_on, proof=proof,
                                 not_before=timezone.localdate(decision.decided_at) if decision.decided_at else None)
    decision.served_on, decision.service_way, decision.service_proof = day, way, stored
    decision.save(update_fields=["served_on", "service_way", "service_proof"])
    if decision.entry_id:
        _entry_note(decision.entry, "serve", actor=actor, note=f"{ServiceWay(way).label} {day.isoformat()}")
    return decision


def _service_input(*, actor, case, way, served_on, proof, not_before):
    from linkage.uploads import validate_pdf

    errors = {}
    if way not in ServiceWay.values:
        errors["way"] = [_("Choose how it was served.")]
    day = None
    try:
        day = parse_day(served_on, "served_on")
        if day > timezone.localdate():
            errors["served_on"] = [_("A document cannot be served in the future.")]
        elif not_before and day < not_before:
            errors["served_on"] = [_("It cannot be served before it was made (%(date)s).") % {
                "date": not_before.isoformat()}]
    except ValidationError as exc:
        errors.update(exc.message_dict)
    digest = None
    if proof is not None:
        try:
            digest = validate_pdf(proof)
        except ValidationError as exc:
            errors["proof"] = exc.messages
    if errors:
        raise ValidationError(errors)
    stored = None
    if proof is not None:
        stored = Attachment.objects.create(case=case, purpose=AttachmentPurpose.SERVICE, file=proof,
                                           original_name=proof.name[:200], size=proof.size, sha256=digest,
                                           uploaded_by=actor, title="送达回证")
    return day, stored


# ---------------------------------------------------------------- carrying a decision out

def _decide_listing(decision, *, actor, note):
    entry = _entry_step(lock(decision.entry), "decide", actor=actor, decided_on=timezone.localdate(),
                        note=f"{decision.document.ruling_label}. {note}".strip(". "))
    # 限高规定 Art. 1 para. 2: a listed debtor shall be restricted: the order is drafted for the president
    # in the same step, or the decision says why not.
    # Drafted in the name of the clerk who proposed the listing (the president signs it, 限高规定 Art. 5).
    why_not = _draft_restriction_for(entry, actor=decision.proposed_by)
    if why_not:
        decision.details = {**decision.details, "restriction": why_not}
        decision.save(update_fields=["details"])
        _entry_note(entry, "note", actor=actor, note=why_not)


def _draft_restriction_for(entry, *, actor) -> str:
    """The consumption restriction of a decided listing's debtor, drafted (for an organisation, its legal
    representative and the other persons of 限高规定 Art. 3 with their IDs); a reason when it cannot be."""
    from .restrictions import restriction_draft

    party = entry.party
    live = ConsumptionRestriction.objects.filter(party=party).exclude(status__in=["lifted", "cancelled"]).first()
    if live is not None:
        return ""  # already restricted (or about to be): nothing more to draft
    persons = []
    if party.kind == PartyKind.ORGANIZATION:
        roles = {"legal_rep": RestrictedPersonRole.LEGAL_REPRESENTATIVE,
                 "responsible": RestrictedPersonRole.RESPONSIBLE}
        persons = [{"role": roles.get(p.role, RestrictedPersonRole.RESPONSIBLE), "name": p.name,
                    "id_number": p.id_number} for p in entry.persons.all() if p.id_number]
        if not any(p["role"] == RestrictedPersonRole.LEGAL_REPRESENTATIVE for p in persons):
            return _("No consumption restriction drafted: the legal representative's resident ID is not recorded "
                     "(限高规定 Art. 3); draft the order once it is known.")
    try:
        with transaction.atomic():
            restriction_draft(actor=actor, case=entry.case, party=party, persons=persons,
                              basis=_("Listed as a dishonest debtor: %(ground)s (失信规定 Art. 1(%(item)s)).") % {
                                  "ground": GROUND_TEXT.get(entry.ground, ""), "item": GROUND_ITEMS.get(entry.ground)},
                              minor_note=_("Listed by the court's decision.") if rules.is_minor_on(
                                  party.id_number, timezone.localdate()) else "")
    except ValidationError as exc:
        return _("No consumption restriction drafted: %(why)s") % {"why": "; ".join(exc.messages)}
    return ""


def _decide_early_deletion(decision, *, actor, note):
    services.move_entry(actor=actor, entry=decision.entry, name="delete", ground=RevokeGround.EARLY, system=True,
                        reason=f"{decision.document.ruling_label}: {decision.facts}",
                        extra={"cause_on": timezone.localdate()})


def _decide_correction(decision, *, actor, note):
    from datetime import date

    details = decision.details or {}
    applied = details.get("applied_on")
    services.move_entry(
        actor=actor, entry=decision.entry, name="revoke", ground=RevokeGround.WRONGLY_LISTED, system=True,
        reason=f"{decision.document.ruling_label}: {decision.facts}",
        extra={"source": details.get("source"), "applied_on": date.fromisoformat(applied) if applied else None,
               "application": details.get("application", ""), "decision": decision.facts})


def _decide_lift(decision, *, actor, note):
    order = restrictions.lift_order(actor=actor, order=decision.order, ground=decision.details.get("ground"), reason=decision.facts)
    order.lift_document = decision.document
    order.save(update_fields=["lift_document"])


def _decide_permission(decision, *, actor, note):
    from datetime import date

    details = decision.details
    RestrictionPermission.objects.create(order=decision.order, acts=details["acts"],
                                         starts_on=date.fromisoformat(details["starts_on"]),
                                         ends_on=date.fromisoformat(details["ends_on"]), reason=decision.facts,
                                         granted_by=actor)
    restrictions.note_event(decision.order, "permit", actor=actor,
                            note=f"{details['starts_on']}–{details['ends_on']}: {decision.facts} ({decision.document.ruling_label})")


# ---------------------------------------------------------------- the 决定书

def decision_facts(decision: Decision, president) -> dict:
    """What the 决定书 says (cases.rulings renders it): recitals, the rule, the orders, the closing, signed by
    the president (失信规定 Art. 5: "决定书由院长签发")."""
    case = decision.case
    applicants = "、".join(p.name for p in case.parties.all() if p.role == "applicant")
    debtors = "、".join(p.name for p in case.parties.all() if p.role == "debtor")
    matter = f"本院在执行申请执行人{applicants}与被执行人{debtors}一案中"
    basis = f"{case.basis_issuer}{case.basis_number}" if case.basis_number else "生效法律文书"
    facts = rulings.masked(decision.facts)
    details = decision.details or {}
    common = {"decision": "决定如下", "signer_title": "院长", "is_decision": True}
    if decision.kind == DecisionKind.LISTING:
        entry = decision.entry
        ground = details.get("ground") or entry.ground
        item = GROUND_ITEMS.get(ground, 1)
        warning = rulings.masked(details.get("warning", ""))
        recitals = [f"{matter}，执行依据为{basis}。" + (f"本院已向被执行人送达{warning}，告知其不履行义务的法律后果。"
                                                    if warning else ""),
                    f"被执行人{entry.name}{GROUND_TEXT.get(ground, '')}。{facts}".strip()]
        period = ""
        if entry.period_years:
            years = entry.period_years + (entry.extension_years or 0)
            period = f"纳入期限为{chinese_numeral(years)}年。"
        orders = [f"将被执行人{entry.name}（{entry.masked_id}）纳入失信被执行人名单。{period}"]
        return {**common, "recitals": recitals, "orders": orders,
                "legal_basis": f"{LISTING_RULES}第一条第{chinese_numeral(item)}项、第二条、第五条",
                "closing": "本决定自作出之日起生效。被执行人认为本决定错误的，可以向本院申请纠正。"}
    if decision.kind == DecisionKind.EARLY_DELETION:
        entry = decision.entry
        return {**common, "recitals": [f"{matter}，本院曾决定将被执行人{entry.name}纳入失信被执行人名单。{facts}"],
                "orders": [f"提前删除被执行人{entry.name}（{entry.masked_id}）的失信信息。"],
                "legal_basis": f"{LISTING_RULES}第二条", "closing": "本决定自作出之日起生效。"}
    if decision.kind == DecisionKind.CORRECTION:
        entry = decision.entry
        return {**common, "recitals": [f"{matter}，本院曾决定将被执行人{entry.name}纳入失信被执行人名单。经审查，{facts}"],
                "orders": [f"撤销将{entry.name}（{entry.masked_id}）纳入失信被执行人名单的决定，删除其失信信息。"],
                "legal_basis": f"{LISTING_RULES}第九条、第十二条", "closing": "本决定自作出之日起生效。"}
    order = decision.order
    if decision.kind == DecisionKind.RESTRICTION_LIFT:
        ground = LiftGround(details.get("ground")).label if details.get("ground") in LiftGround.values else ""
        return {**common, "title_heading": "解除限制消费令",
                "recitals": [f"{matter}，本院于{_cn(order.issued_at)}对被执行人{order.name}发出限制消费令。"
                             f"现因{ground}{('，' + facts) if facts else ''}。"],
                "orders": [f"解除对被执行人{order.name}（{order.masked_id}）的限制消费令。"],
                "legal_basis": f"{RESTRICTION_RULES}第九条", "closing": "本令自作出之日起生效。"}
    acts = "、".join(str(dict(_act_choices()).get(a, a)) for a in details.get("acts", []))
    return {**common, "recitals": [f"{matter}，被执行人{order.name}因{facts}，申请临时实施受限制的消费行为。"],
            "orders": [f"准许被执行人{order.name}自{details.get('starts_on')}至{details.get('ends_on')}实施下列消费行为："
                       f"{acts}。期满后限制消费令继续执行。"],
            "legal_basis": f"{RESTRICTION_RULES}第八条", "closing": "本决定自作出之日起生效。"}


def _act_choices():
    from .models import RestrictedAct

    return RestrictedAct.choices


def _cn(moment) -> str:
    return cn_date(moment) if moment else ""

@transaction.atomic
def restriction_lift(*, actor, order: ConsumptionRestriction, ground: str, reason: str = "") -> ConsumptionRestriction:
    """限高规定 Art. 9: lift on security or the creditor's consent (the clerk, with the ground), or on
    performance. The clerk proposes it; the president decides (``credit.decisions``), and the 解除限制消费令
    goes with a release to every unit the order went to. Asked by the president, it is decided at once."""
    decision = restriction_propose_lift(actor=actor, order=order, ground=ground, reason=reason)
    if actor.has_perm("credit.decide_decision"):
        decision_decide(actor=actor, decision=decision)
    return ConsumptionRestriction.objects.get(pk=order.pk)


@transaction.atomic
def restriction_permit(*, actor, order: ConsumptionRestriction, acts, starts_on, ends_on, reason: str):
    """法发〔2019〕35号 item 17 (e.g. a flight for a medical emergency), 限高规定 Art. 8: a one-off permission of
    at most a month, proposed by the clerk and approved by the president (decided at once when the president
    asks); recorded on the order the units read. Returns the decision."""
    decision = restriction_propose_permission(actor=actor, order=order, acts=acts, starts_on=starts_on,
                                              ends_on=ends_on, reason=reason)
    if actor.has_perm("credit.decide_decision"):
        decision = decision_decide(actor=actor, decision=decision)
    return decision
