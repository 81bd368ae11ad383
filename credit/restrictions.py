"""Consumption restriction orders (限制消费令; 限高规定 Art. 1-11; 法发〔2019〕35号 items 15, 17).

drafted (the clerk) → signed (the president, 限高规定 Art. 5) → issued: a ``restrict`` notice to each unit
that applies it (``RestrictionUnit``, data), through ``cases.services.system_notices_issue``. Lifting
(Art. 9) sends a release to the same units: automatic on a conclusion ``completed``/``terminated``, by
the clerk on security or the creditor's consent, or on performance. A one-off permission (item 17) is
recorded with its dates. 终本 keeps the order.
"""
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import measures as case_measures
from cases import services as case_services
from cases.models import Case, CaseOutcome, Notice, NoticeKind, PartyKind, PartyRole, ReleaseGround
from linkage.identity import validate_resident_id
from linkage.statemachine import change_state, lock, record_note
from members.courts import base_code
from members.models import ActionType, Unit

from . import rules
from .models import (
    ConsumptionRestriction,
    LiftGround,
    RestrictedAct,
    RestrictedPerson,
    RestrictedPersonRole,
    RestrictionEvent,
    RestrictionPush,
    RestrictionStatus,
    RestrictionUnit,
)
from .workflow import RESTRICTION_MACHINE

# Who seeds as applying orders and what each enforces ("others as the office configures", in the admin).
DEFAULT_RESTRICTION_UNITS = {
    "natres": ([RestrictedAct.REAL_ESTATE], "不动产登记：限制购买不动产、新建扩建房屋（限高规定第三条第三项）"),
    "finance": ([RestrictedAct.OTHER], "政府采购：限制参加政府采购、财政性资金项目"),
}
INSURER_PREFIX = "insurance"
# 限高规定 Art. 5: the order states its period. The rules set none: an order lasts until the debtor has
# performed or the court lifts it (Art. 9).
DEFAULT_PERIOD = "自本令送达之日起至被执行人履行完毕生效法律文书确定的义务或者本院决定解除之日止"
CLERK_LIFT_GROUNDS = {LiftGround.SECURITY, LiftGround.CREDITOR_CONSENT, LiftGround.PERFORMED}
RELEASE_GROUND = {LiftGround.PERFORMED: ReleaseGround.DEBT_PAID, LiftGround.COMPLETED: ReleaseGround.COMPLETED,
                  LiftGround.TERMINATED: ReleaseGround.TERMINATED, LiftGround.SECURITY: ReleaseGround.SECURITY,
                  LiftGround.CREDITOR_CONSENT: ReleaseGround.OTHER}
LIFT_BY_OUTCOME = {CaseOutcome.COMPLETED: LiftGround.COMPLETED, CaseOutcome.TERMINATED: LiftGround.TERMINATED,
                   CaseOutcome.NOT_ENFORCED: LiftGround.TERMINATED, CaseOutcome.APPLICATION_REJECTED: LiftGround.TERMINATED,
                   CaseOutcome.FILING_CANCELLED: LiftGround.TERMINATED}


def _require(actor, perm):
    if not actor.has_perm(perm):
        raise PermissionDenied(_("Your role does not allow this."))


def seed_restriction_units(units=None) -> int:
    """natres (real estate), every insurer (insurance), finance (procurement); idempotent."""
    made = 0
    qs = Unit.objects.all() if units is None else Unit.objects.filter(pk__in=[u.pk for u in units])
    for unit in qs:
        code = base_code(unit.code)
        if code in DEFAULT_RESTRICTION_UNITS:
            acts, covers = DEFAULT_RESTRICTION_UNITS[code]
        elif code.startswith(INSURER_PREFIX):
            acts, covers = [RestrictedAct.INSURANCE], "限制支付高额保费购买保险理财产品（限高规定第三条第八项）"
        else:
            continue
        _obj, created = RestrictionUnit.objects.get_or_create(unit=unit, defaults={"acts": list(acts),
                                                                                    "covers": covers})
        made += created
    return made


def note_event(order, transition: str, *, actor, note: str = "") -> None:
    """An event of the order that moves nothing (served, a permission granted)."""
    record_note(order, transition, actor=actor, event=RestrictionEvent, subject="order", note=note)


def _lock_case(case_id: int) -> Case:
    return Case.objects.select_for_update(of=("self",), no_key=True).get(pk=case_id)


def step(order, name: str, *, actor, note: str = "", **fields) -> ConsumptionRestriction:
    """Move a locked order along its table, with its event row."""
    return change_state(order, RESTRICTION_MACHINE, name, actor=actor, event=RestrictionEvent, subject="order",
                        note=note, **fields)


def _clean_persons(persons, party) -> list[RestrictedPerson]:
    cleaned, errors = [], []
    for n, person in enumerate(persons or [], start=1):
        role, name = person.get("role") or "", (person.get("name") or "").strip()
        if role not in RestrictedPersonRole.values:
            errors.append(_("Person %(n)s: choose the role.") % {"n": n})
            continue
        if not name:
            errors.append(_("Person %(n)s: enter the name.") % {"n": n})
            continue
        try:
            id_number = validate_resident_id(person.get("id_number") or "")
        except ValidationError as exc:
            errors += [_("Person %(n)s: %(error)s") % {"n": n, "error": m} for m in exc.messages]
            continue
        cleaned.append(RestrictedPerson(role=role, name=name[:60], id_number=id_number))
    if party.kind == PartyKind.ORGANIZATION:
        if not any(p.role == RestrictedPersonRole.LEGAL_REPRESENTATIVE for p in cleaned):
            errors.append(_("An order on an organisation names its legal representative with the ID "
                            "(限高规定 Art. 3)."))
    elif cleaned:
        errors.append(_("Only an organisation's order names further persons."))
    if errors:
        raise ValidationError({"persons": errors})
    return cleaned


@transaction.atomic
def restriction_draft(*, actor, case: Case, party, acts=None, basis: str = "", on_application: bool = True,
                      persons=(), grace_months: int = 0, minor_note: str = "") -> ConsumptionRestriction:
    """A draft order for the president (限高规定 Art. 4, 5). No rule names minors, but practice treats an
    order on a child as an error (courts have lifted orders on children of nine and eleven): a debtor under
    18 needs ``minor_note`` saying why (e.g. a minor who is the debtor in his own right, by a guardian)."""
    _require(actor, "credit.add_consumptionrestriction")
    if party is None or party.case_id != case.pk or party.role != PartyRole.DEBTOR:
        raise ValidationError({"party": [_("Choose a judgment debtor of this case.")]})
    if case.status == "concluded":
        raise ValidationError({"case": [_("The case is concluded.")]})
    if ConsumptionRestriction.objects.filter(party=party, status__in=["draft", "returned", "signed", "issued"]).exists():
        raise ValidationError({"party": [_("%(name)s already has a live order.") % {"name": party.name}]})
    minor_note = (minor_note or "").strip()
    age = rules.age_on(party.id_number, timezone.localdate()) if party.kind == PartyKind.PERSON else None
    if age is not None and age < rules.ADULT_AGE and not minor_note:
        raise ValidationError({"minor_note": [_(
            "%(name)s is %(age)s years old. No rule bars restricting a minor, but courts treat it as an error: "
            "say in a note why this order is needed.") % {"name": party.name, "age": age}]})
    acts = list(acts) if acts else list(RestrictedAct.values)
    if any(a not in RestrictedAct.values for a in acts):
        raise ValidationError({"acts": [_("Unknown restricted act.")]})
    grace_months = int(grace_months or 0)
    if grace_months and not rules.GRACE_MIN_MONTHS <= grace_months <= rules.GRACE_MAX_MONTHS:
        raise ValidationError({"grace_months": [_("A grace period is one to three months (法发〔2019〕35号 item 15).")]})
    cleaned = _clean_persons(persons, party)
    order = ConsumptionRestriction.objects.create(
        case=case, party=party, name=party.name, kind=party.kind, id_number=party.id_number, acts=acts,
        basis=(basis or "").strip(), on_application=on_application, drafted_by=actor, minor_note=minor_note,
        period_text=DEFAULT_PERIOD,
        grace_until=rules.grace_end(timezone.localdate(), grace_months) if grace_months else None)
    for person in cleaned:
        person.order = order
    RestrictedPerson.objects.bulk_create(cleaned)
    RestrictionEvent.objects.create(order=order, transition="draft", from_status="", to_status=order.status,
                                    actor=actor)
    return order


@transaction.atomic
def restriction_sign(*, actor, order: ConsumptionRestriction, note: str = "") -> ConsumptionRestriction:
    """限高规定 Art. 5: the order is signed by the court's president."""
    _require(actor, "credit.sign_consumptionrestriction")
    return step(lock(order), "sign", actor=actor, note=note, signed_by=actor, signed_at=timezone.now())


def restriction_targets(court_id=None) -> list[RestrictionUnit]:
    """The units of the court's conference that apply the order (the first court's by default)."""
    from members.courts import home_court_id

    return list(RestrictionUnit.objects.filter(unit__active=True, unit__court_id=court_id or home_court_id())
                .select_related("unit")
                .order_by("unit__sort_order", "unit__code"))


def _describe(order) -> str:
    persons = "、".join(f"{p.get_role_display()}{p.name}（{p.masked_id}）" for p in order.persons.all())
    return f"{order.name}（{order.masked_id}）" + (f"；{persons}" if persons else "")


@transaction.atomic
def restriction_issue(*, actor, order: ConsumptionRestriction) -> ConsumptionRestriction:
    """Issue a signed order: a ``restrict`` notice to every unit that applies it. Blocked during a grace
    period (法发〔2019〕35号 item 15)."""
    _require(actor, "credit.add_consumptionrestriction")
    # The case first, then the order: the order every path takes (a conclusion locks its case first).
    case = _lock_case(order.case_id)
    order = lock(order)
    RESTRICTION_MACHINE.transition_for(order.status, "issue")  # refuse before anything is sent
    if order.grace_until and timezone.localdate() < order.grace_until:
        raise ValidationError({"grace_until": [_("The grace period runs until %(date)s.") % {
            "date": order.grace_until}]})
    now = timezone.now()
    action = ActionType.objects.get(code="restrict")
    targets = restriction_targets(case.court_id)
    what = _describe(order)
    notices = case_services.system_notices_issue(actor=actor, case=case, issued_at=now, specs=[
        dict(unit=t.unit, action=action, kind=NoticeKind.ASSIST, party=order.party,
             subject=_("Consumption restriction order (限制消费令) on %(who)s, case %(case)s: apply %(acts)s. "
                       "What your unit does: %(covers)s") % {
                 "who": what, "case": case.number, "covers": t.covers or action.name,
                 "acts": "；".join(str(RestrictedAct(a).label) for a in order.acts if a in t.acts or not t.acts)
                 or "；".join(order.act_labels())})
        for t in targets])
    RestrictionPush.objects.bulk_create([RestrictionPush(order=order, unit=t.unit, notice=n)
                                         for t, n in zip(targets, notices, strict=True)])
    from documents.services import register_document  # the order itself: stored, e-sealed, verifiable

    document = register_document(kind="restriction", title="限制消费令", number=case.number,
                                 case_number=case.number, actor=actor, issued_at=now)
    return step(order, "issue", actor=actor, issued_at=now, document=document)


def lift_order(*, actor, order, ground, reason) -> ConsumptionRestriction:
    """Lift an issued order (the president decided it, or the case ended): a release to every unit it
    went to, once each."""
    case = _lock_case(order.case_id)
    order = lock(order)
    now = timezone.now()
    order = step(order, "lift", actor=actor, note=(reason or "").strip() or LiftGround(ground).label,
                 lifted_at=now, lift_ground=ground, lift_reason=(reason or "").strip() or LiftGround(ground).label)
    pushes = list(order.pushes.select_related("notice", "notice__action", "unit"))
    existing = {n.original_id: n for n in Notice.objects.filter(
        original_id__in=[p.notice_id for p in pushes], kind=NoticeKind.RELEASE).exclude(status="cancelled")}
    to_release = [p for p in pushes if p.release_id is None and p.notice_id not in existing
                  and p.notice.status != "cancelled"]
    releases = case_services.system_notices_issue(actor=actor, case=case, issued_at=now, specs=[
        dict(unit=p.unit, action=p.notice.action, kind=NoticeKind.RELEASE, original=p.notice, party=order.party,
             release_ground=RELEASE_GROUND[ground],
             subject=_("Lift the consumption restriction order on %(who)s (notice %(number)s). Ground: %(ground)s")
             % {"who": _describe(order), "number": p.notice.number, "ground": order.lift_reason})
        for p in to_release])
    case_measures.attach_releases(releases)
    for push, release in zip(to_release, releases, strict=True):
        push.release = release
    for push in pushes:
        if push.release_id is None and push.notice_id in existing:
            push.release = existing[push.notice_id]
    RestrictionPush.objects.bulk_update(pushes, ["release"])
    return order


def restrictions_lift_on_conclusion(*, actor, case: Case, outcome: str) -> list[ConsumptionRestriction]:
    """A case completed or terminated lifts its orders by itself (drafts are withdrawn); 终本 keeps them."""
    ground = LIFT_BY_OUTCOME.get(outcome)
    if ground is None:
        return []
    done = []
    for order in ConsumptionRestriction.objects.filter(case_id__in=case.chain_ids(),
                                                       status__in=["draft", "returned", "signed", "issued"]):
        if order.status == RestrictionStatus.ISSUED:
            lifted = lift_order(actor=actor, order=order, ground=ground, reason=CaseOutcome(outcome).label)
            lifted.lift_document = lift_order_by_law(lifted, actor=actor, outcome=outcome)
            lifted.save(update_fields=["lift_document"])
            done.append(lifted)
        else:
            step(lock(order), "cancel", actor=actor, note=CaseOutcome(outcome).label)
    return done


def lift_order_by_law(order, *, actor, outcome: str):
    """限高规定 Art. 9: performed (or the enforcement ended), the order "应当" be lifted at once: the court's
    解除限制消费令, drawn up and sealed in the president's name, without waiting for a proposal."""
    from cases import rulings
    from linkage.court import full_name
    from members.roles import court_president

    president = court_president()
    signer = full_name(president) if president else "院长"
    applicants = "、".join(p.name for p in order.case.parties.all() if p.role == "applicant")
    return rulings.ruling_draw_up(actor=actor, case=order.case, kind="credit_restriction_lift", facts={
        "recitals": [f"本院在执行申请执行人{applicants}与被执行人{order.name}一案中，曾对被执行人发出限制消费令。"
                     f"现本案{CaseOutcome(outcome).label.split('(')[-1].rstrip(')')}。"],
        "orders": [f"解除对被执行人{order.name}（{order.masked_id}）的限制消费令。"],
        "legal_basis": "《最高人民法院关于限制被执行人高消费及有关消费的若干规定》第九条",
        "decision": "决定如下", "closing": "本令自作出之日起生效。", "signer_title": "院长", "made_by": signer,
        "is_decision": True, "title_heading": "解除限制消费令"})
