"""Random histories across every branch of a case's lifecycle (docs/lifecycle.md, the table of effects).

Each example walks one path with the clock frozen at Asia/Shanghai wall-clock times (a day per step):

* optionally a preservation (执保) first: its freezes and seizures executed (and some requests still open),
  concluded keeping them, then the enforcement case registered with ``preservation_case`` (carry-over); or
  a preservation that never leaves preservation and ends lifted or carried out;
* measure notices (freeze at the banks, seizure at the registry and the police, a restriction at the
  police) and one-off requests (query, deduct), each with a random history;
* random branches: suspension or deferral then proceeding; a settlement (optionally naming measures to
  release) then breach, or payments covering it; a payment; a partial release of a freeze; a termination
  for a long-term settlement then 执恢; 终本 then 执恢; old open measure notices answered after a
  resumption; more notices issued on the case that carries on;
* a final ending, then every release notice confirmed by the unit's liaison.

The invariants are those of the table, written out here rather than read from the code under test:
a releasing ending leaves no measure of the concluded case active once the units confirm, and sends
exactly one full release for every measure notice that held or may hold a measure; a keeping ending sends
no release and leaves every active measure active; a measure handed on (执恢, carry-over) is on the newest
case; a case concluded by a releasing ending has no notice left open but its releases awaiting confirmation.
The services are called directly (not the API), for speed.
"""
import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine
from django.db.models import Q
from hypothesis import HealthCheck, Phase, currently_in_test_context, given, settings
from hypothesis import event as _event
from hypothesis import strategies as st

from cases import delivery, services
from cases.measures import measure_release, measure_renew
from cases.models import Case, CaseEvent, Measure, Notice, Settlement
from cases.selectors import instalment_states
from linkage.dates import local_today
from members.models import ActionType, Unit
from tests.conftest import case_ruling, final_ready, make_resident_id

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 6, 1, 10, 0, tzinfo=SHANGHAI)  # a Monday; every path ends within 2026

# Written out on purpose (DOMAIN.md section 4 and docs/lifecycle.md), not taken from the code under test.
MEASURE_ACTIONS = {"freeze", "seize", "restrict", "locate", "publicize"}
OPEN_STATES = {"issued", "delivered", "acknowledged"}
EXECUTED = {"done", "partial"}
RELEASING = {"completed", "terminated", "preservation_lifted"}  # on the grounds drawn here
KEEPING = {"final_no_property", "preservation_done", "preservation_partial", "preservation_nothing"}

MEASURE_SPECS = [("bank-icbc", "freeze"), ("bank-abc", "freeze"), ("natres", "seize"), ("police", "seize"),
                 ("police", "restrict")]
ONE_OFF_SPECS = [("bank-icbc", "query"), ("police", "query"), ("bank-abc", "deduct")]
# A preservation only queries, freezes and seizes (cases.lifecycle.ACTIONS_BY_GROUP).
PRESERVATION_SPECS = [("bank-icbc", "freeze"), ("bank-abc", "freeze"), ("natres", "seize"), ("police", "seize"),
                      ("bank-icbc", "query")]
HISTORIES = ["issued", "delivered", "acknowledged", "answered-done", "answered-partial", "answered-unable",
             "closed-done", "cancelled", "acked-cancelled"]
EXECUTED_HISTORIES = ["answered-done", "answered-partial", "closed-done"]

_serial = itertools.count(7001)  # the examples share one test transaction: numbers must not repeat


def _number(case_type: str) -> str:
    return f"（2026）鄂1022{case_type}{next(_serial)}号"


@dataclass
class World:
    """What one example has made: the cases of its path (the last one carries on) and its notices."""

    users: object
    traveller: object
    cases: list = field(default_factory=list)
    notices: list = field(default_factory=list)  # assistance notices issued by the history (pks)
    log: list = field(default_factory=list)

    @property
    def case(self) -> Case:
        return Case.objects.get(pk=self.cases[-1])

    @property
    def clerk(self):
        return self.users["clerk"]

    def liaison(self, notice):
        return self.users[f"liaison-{notice.unit.code}"]

    def tick(self, days: int = 1) -> None:
        self.traveller.shift(timedelta(days=days))

    def note(self, text: str) -> None:
        self.log.append(f"{local_today()} {text}")

    def why(self) -> str:
        return "\n  history: " + "\n  ".join(self.log)


def event(text: str) -> None:
    """A line of ``--hypothesis-show-statistics`` (which branches the examples crossed); nothing outside."""
    if currently_in_test_context():
        _event(text)


def _fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def _new_case(world: World, case_type: str = "执", amount: str = "100000.00", **kwargs) -> Case:
    n = next(_serial)
    parties = [{"role": "applicant", "name": f"申请人{n}", "id_number": make_resident_id(n)},
               {"role": "debtor", "name": f"被执行人{n}", "id_number": make_resident_id(n * 10 + 1)}]
    case = services.case_create(actor=world.clerk, number=_number(case_type), title=f"生命周期{n}",
                                amount=Decimal(amount), parties=parties, **kwargs)
    world.cases.append(case.pk)
    world.note(f"registered {case.number}" + (f" taking over preservation {kwargs['preservation_case']}"
                                               if kwargs.get("preservation_case") else ""))
    return case


def _amount_for(action_code: str, outcome: str):
    return "8000.00" if action_code in ("freeze", "deduct") and outcome in EXECUTED else None


def _answer(world: World, notice: Notice, outcome: str = "done") -> Notice:
    liaison = world.liaison(notice)
    if notice.status in ("issued", "delivered"):
        notice = services.notice_acknowledge(actor=liaison, notice=notice)
    return services.notice_answer(actor=liaison, notice=notice, outcome=outcome,
                                  detail="" if outcome == "done" else "部分财产无法控制",
                                  result_amount=_amount_for(notice.action.code, outcome))


def _issue(world: World, unit_code: str, action_code: str, history: str) -> Notice:
    case = world.case
    notice = services.notice_issue(
        actor=world.clerk, case=case, unit=Unit.objects.get(code=unit_code),
        action=ActionType.objects.get(code=action_code), subject=f"{action_code} {history}",
        ruling=case_ruling(case) if action_code in services.RULING_REQUIRED_ACTIONS else None)
    world.notices.append(notice.pk)
    clerk, liaison = world.clerk, world.liaison(notice)
    if history == "delivered":
        delivery.deliver_pending(notice.pk)
    elif history == "cancelled":
        services.notice_cancel(actor=clerk, notice=notice)
    elif history != "issued":
        notice = services.notice_acknowledge(actor=liaison, notice=notice)
        if history == "acked-cancelled":
            services.notice_cancel(actor=clerk, notice=notice)
        elif history != "acknowledged":
            stage, outcome = history.split("-")
            notice = _answer(world, notice, outcome)
            if stage == "closed":
                services.notice_close(actor=clerk, notice=notice)
    world.note(f"{_fresh(notice).number} {unit_code} {action_code}: {history}")
    return _fresh(notice)


# ------------------------------------------------------------------ what the world looks like

def _on(case) -> Q:
    """The notices of ``case``: its own, and those whose measure it holds (handed on to it)."""
    return Q(case=case) | Q(measure_case=case)


def _active_measures(case) -> set:
    return set(Measure.objects.filter(case=case, status="active").values_list("pk", flat=True))


def _chain_measures(world: World):
    return Measure.objects.filter(notice_id__in=world.notices)


def _releases_of(case) -> set:
    return set(Notice.objects.filter(_on(case), kind="release").values_list("pk", flat=True))


def _holds_or_may_hold(notice: Notice) -> bool:
    """A measure notice whose unit holds, or may hold, a measure: open, or executed (done, partly)."""
    if notice.kind != "assist" or notice.action.code not in MEASURE_ACTIONS:
        return False
    return notice.status in OPEN_STATES or (notice.status in ("answered", "closed") and notice.outcome in EXECUTED)


def _check_handed_on(world: World, where: str) -> None:
    """Every active measure of the path, and every open measure request, belongs to the newest case."""
    newest = world.cases[-1]
    stray = [(m.pk, m.notice.number, m.case.number) for m in
             _chain_measures(world).filter(status="active").exclude(case_id=newest).select_related("notice", "case")]
    assert not stray, f"{where}: active measures left on an older case, not on the newest: {stray}{world.why()}"
    open_requests = Notice.objects.filter(pk__in=world.notices, status__in=OPEN_STATES,
                                          action__code__in=MEASURE_ACTIONS).exclude(measure_case_id=newest)
    assert not open_requests.exists(), (
        f"{where}: open measure requests whose measure would land on an older case: "
        f"{[(n.number, n.measure_case_id) for n in open_requests]}{world.why()}")


def _conclude(world: World, outcome: str, **kwargs):
    """Conclude the current case; check what a keeping ending must leave as it was."""
    case = world.case
    active_before = _active_measures(case)
    releases_before = _releases_of(case)
    open_measure_requests = set(Notice.objects.filter(_on(case), kind="assist", status__in=OPEN_STATES,
                                                      action__code__in=MEASURE_ACTIONS).values_list("pk", flat=True))
    result = services.case_conclude(actor=world.clerk, case=case, outcome=outcome, **kwargs)
    world.note(f"{case.number} concluded {outcome} {kwargs.get('ground', '')}".rstrip())
    case = _fresh(case)
    assert case.status == "concluded" and case.outcome == outcome
    ground = kwargs.get("ground", "")
    keeping = outcome in KEEPING or (outcome == "terminated" and ground == "settlement")
    if keeping:
        assert result.release_notices == [], (
            f"{outcome} {ground}: a keeping ending sent release notices "
            f"{[n.number for n in result.release_notices]}{world.why()}")
        assert _releases_of(case) == releases_before, (
            f"{outcome} {ground}: a keeping ending created release notices{world.why()}")
        assert _active_measures(case) == active_before, (
            f"{outcome} {ground}: measures active before a keeping ending are no longer active: "
            f"before {sorted(active_before)}, after {sorted(_active_measures(case))}{world.why()}")
        assert {m.pk for m in result.kept_measures} == active_before, world.why()
        still_open = set(Notice.objects.filter(pk__in=open_measure_requests, status__in=OPEN_STATES)
                         .values_list("pk", flat=True))
        assert still_open == open_measure_requests, (
            f"{outcome}: open measure requests were withdrawn by a keeping ending{world.why()}")
    return result


def _hand_on_check(world: World, source: Case, active_before: set, where: str) -> None:
    target = world.cases[-1]
    moved = set(Measure.objects.filter(pk__in=active_before).values_list("case_id", flat=True))
    assert moved <= {target}, f"{where}: measures active on {source.number} did not all move to the new case{world.why()}"
    assert not _active_measures(source), f"{where}: {source.number} still holds active measures{world.why()}"
    _check_handed_on(world, where)


def _resume(world: World) -> Case:
    old = world.case
    active_before = _active_measures(old)
    world.tick()
    new = services.case_resume(actor=world.clerk, case=old, number=_number("执恢"))
    event(f"resumed from {old.outcome}")
    world.cases.append(new.pk)
    world.note(f"{old.number} resumed as {new.number}")
    _hand_on_check(world, old, active_before, "执恢")
    return new


# ------------------------------------------------------------------ the branches

def step_suspend(world: World, kind: str) -> None:
    case = world.case
    active_before, releases_before = _active_measures(case), _releases_of(case)
    if kind == "deferral":
        services.case_suspend(actor=world.clerk, case=case, kind="deferral", ground="security_given",
                              until=local_today() + timedelta(days=60), reason="被执行人提供担保")
    else:
        services.case_suspend(actor=world.clerk, case=case, kind="suspension", ground="third_party_objection",
                              reason="案外人异议")
    world.note(f"{case.number} suspended ({kind})")
    case = _fresh(case)
    assert case.status == "suspended"
    assert _active_measures(case) == active_before, f"a {kind} released measures{world.why()}"
    assert _releases_of(case) == releases_before, f"a {kind} sent release notices{world.why()}"
    world.tick()
    services.case_proceed(actor=world.clerk, case=case, note="中止事由消失，恢复执行")
    world.note(f"{case.number} proceeds")
    assert _fresh(case).status == "open"


def step_settlement(world: World, performed: bool, picks: list, confirm: bool) -> None:
    case = world.case
    candidates = list(Measure.objects.filter(case=case, status="active", release_notice__isnull=True)
                      .select_related("notice", "unit").order_by("id"))
    chosen = sorted({candidates[i % len(candidates)].pk for i in picks}) if candidates else []
    others_active = _active_measures(case) - set(chosen)
    today = local_today()
    services.settlement_record(actor=world.clerk, case=case, signed_on=today, terms="分两期履行",
                               instalments=[{"due_on": today + timedelta(days=3), "amount": "1000.00"},
                                            {"due_on": today + timedelta(days=6), "amount": "2000.00"}],
                               release_measures=chosen)
    settlement = Settlement.objects.filter(case=case).latest("id")
    world.note(f"{case.number} settlement recorded, releasing measures {chosen}")
    event(f"settlement {'performed' if performed else 'breached'}, naming measures {bool(chosen)}")
    case = _fresh(case)
    assert (case.status, case.suspension_kind) == ("suspended", "settlement")
    for measure in Measure.objects.filter(pk__in=chosen).select_related("notice"):
        releases = Notice.objects.filter(original=measure.notice, kind="release", partial=False)
        assert releases.count() == 1, f"the settlement's release of {measure.notice.number}{world.why()}"
        assert measure.release_notice_id == releases.get().pk
        if confirm:
            _answer(world, releases.get())
            assert _fresh(measure).status == "released"
    assert others_active <= _active_measures(case), f"the settlement released measures it did not name{world.why()}"
    if performed:
        for amount in ("1000.00", "2000.00"):
            world.tick()
            services.payment_record(actor=world.clerk, case=case, amount=amount, received_on=local_today(),
                                    way="paid")
        world.note(f"{case.number} settlement paid in full")
        assert _fresh(case).status == "suspended"
        assert [st.status for st in instalment_states(settlement)] == ["paid", "paid"], world.why()
    else:
        world.tick(4)  # the first instalment is overdue
        assert [st.status for st in instalment_states(settlement)] == ["overdue", "due"], world.why()
        services.case_proceed(actor=world.clerk, case=case, note="被执行人未按期履行，申请执行人申请恢复执行")
        world.note(f"{case.number} settlement breached, enforcement proceeds")
        assert _fresh(case).status == "open"
        assert _fresh(settlement).status == "breached"


def step_payment(world: World) -> None:
    case = world.case
    from cases.selectors import outstanding_amount

    before = outstanding_amount(case)
    services.payment_record(actor=world.clerk, case=case, amount="500.00", received_on=local_today(), way="paid")
    world.note(f"{case.number} 500.00 received")
    assert outstanding_amount(_fresh(case)) == before - Decimal("500.00")


def step_partial_release(world: World, confirm: bool) -> None:
    case = world.case
    measure = (Measure.objects.filter(case=case, status="active", release_notice__isnull=True,
                                      action__code="freeze", amount__gt=Decimal("1.00"))
               .exclude(notice__follow_ups__kind="release", notice__follow_ups__partial=False)
               .order_by("id").first())
    if measure is None:
        return
    event(f"partial release, confirmed {confirm}")
    part = (measure.amount / 2).quantize(Decimal("0.01"))
    release = measure_release(actor=world.clerk, measure=measure, amount=part)
    world.note(f"partial release of {part} of measure {measure.pk} ({measure.notice.number})")
    assert (release.kind, release.partial, release.amount) == ("release", True, part)
    assert _fresh(measure).release_notice_id is None and _fresh(measure).status == "active"
    if confirm:
        _answer(world, release)
        after = _fresh(measure)
        assert (after.status, after.amount) == ("active", measure.amount - part), world.why()


def step_renew(world: World, served: bool) -> None:
    """A renewal (续冻/续封) of a freeze or seizure of the case, served (signed for) or not yet."""
    measure = (Measure.objects.filter(case=world.cases[-1], status="active", release_notice__isnull=True,
                                      expires_on__isnull=False)
               .exclude(notice__follow_ups__kind__in=["release", "renewal"]).order_by("id").first())
    if measure is None:
        return
    event(f"renew: served {served}")
    renewal = measure_renew(actor=world.clerk, measure=measure)
    world.note(f"renewal {renewal.number} of measure {measure.pk} ({measure.notice.number}), served: {served}")
    assert (renewal.kind, renewal.original_id) == ("renewal", measure.notice_id)
    if served:
        services.notice_acknowledge(actor=world.liaison(renewal), notice=renewal)
        after = _fresh(measure)
        assert (after.status, after.renewals) == ("active", 1) and after.expires_on > measure.expires_on, world.why()


def _answer_old_open(world: World) -> None:
    """After 执恢 the registry answers an old open request: the measure lands on the newest case."""
    old_open = Notice.objects.filter(pk__in=world.notices, status__in=OPEN_STATES, action__code__in=MEASURE_ACTIONS,
                                     kind="assist").exclude(case_id=world.cases[-1]).order_by("id").first()
    if old_open is not None:
        step_answer_open(world, 0, "done")


def step_terminate_resume(world: World, answer_old: bool) -> None:
    _conclude(world, "terminated", ground="settlement", note="和解协议长期履行")
    _resume(world)
    if answer_old:
        _answer_old_open(world)


def step_final_resume(world: World, answer_old: bool) -> None:
    _conclude(world, "final_no_property", **final_ready(world.case))
    _resume(world)
    if answer_old:
        _answer_old_open(world)


def step_answer_open(world: World, index: int, outcome: str) -> None:
    open_ones = list(Notice.objects.filter(pk__in=world.notices, status__in=OPEN_STATES,
                                           action__code__in=MEASURE_ACTIONS).order_by("id"))
    if not open_ones:
        return
    older = [n for n in open_ones if n.case_id != world.cases[-1]]
    notice = (older or open_ones)[index % len(older or open_ones)]
    event(f"answer_open: an older case's notice answered {outcome}" if older else f"answer_open: answered {outcome}")
    _answer(world, notice, outcome)
    world.note(f"{notice.number} (of an older case: {bool(older)}) answered {outcome}")
    if outcome == "unable":
        assert not Measure.objects.filter(notice=notice).exists(), world.why()
        return
    measure = Measure.objects.get(notice=notice)
    assert measure.case_id == world.cases[-1], (
        f"the answer on {notice.number} recorded its measure on case {measure.case.number}, not on the newest "
        f"case {world.case.number}{world.why()}")


def step_issue(world: World, spec: tuple, history: str, preservation: bool) -> None:
    if preservation and spec[1] not in {"query", "freeze", "seize"}:
        spec = PRESERVATION_SPECS[len(spec[0]) % len(PRESERVATION_SPECS)]
    _issue(world, *spec, history)


# ------------------------------------------------------------------ the end

def _confirm(world: World, releases) -> None:
    for release in releases:
        release = _fresh(release)
        if release.status in OPEN_STATES:
            _answer(world, release)


def _check_releasing_end(world: World, result, holders: set) -> None:
    case = world.case
    # No notice of any kind left open, releases awaiting confirmation aside.
    concerning = _on(case) | Q(original__measure__case=case)  # and the follow-ups of its measures' notices
    left_open = [(n.number, n.kind, n.action.code, n.status) for n in
                 Notice.objects.filter(concerning, status__in=OPEN_STATES).exclude(kind="release")
                 .select_related("action").distinct().order_by("id")]
    assert not left_open, (
        f"{case.number} concluded {case.outcome}: notices left open (only releases may await confirmation): "
        f"{left_open}. cases.selectors.conclusion_plan withdraws only open assist and renewal notices whose "
        f"measure_case is the case (see the two tests at the end of this file){world.why()}")
    assert all(r.case_id == case.pk for r in result.release_notices), world.why()
    # Exactly one full release for every measure notice that held or may hold a measure; none for the others.
    for notice in Notice.objects.filter(pk__in=world.notices).select_related("action"):
        full = Notice.objects.filter(original=notice, kind="release", partial=False).count()
        if notice.pk in holders:
            assert full == 1, (f"{notice.number} ({notice.action.code}, {notice.status}/{notice.outcome}) "
                               f"holds or may hold a measure and got {full} full release(s){world.why()}")
        else:
            assert full == 0, (f"{notice.number} ({notice.action.code}, {notice.status}/{notice.outcome}) holds "
                               f"nothing and got {full} release(s){world.why()}")
    # The units confirm: the conclusion's releases, and any full release still awaiting confirmation.
    _confirm(world, result.release_notices)
    _confirm(world, Notice.objects.filter(original_id__in=world.notices, kind="release", partial=False,
                                          status__in=OPEN_STATES).order_by("id"))
    left = [(m.pk, m.notice.number, m.status) for m in
            Measure.objects.filter(case=case, status="active").select_related("notice")]
    assert not left, f"{case.number} concluded {case.outcome}: measures still active once confirmed: {left}{world.why()}"
    assert not _chain_measures(world).filter(status="active").exists(), (
        f"measures of the path still active after a releasing ending{world.why()}")


# ------------------------------------------------------------------ the strategies

specs = st.sampled_from(MEASURE_SPECS + ONE_OFF_SPECS)
notice_plans = st.lists(st.tuples(specs, st.sampled_from(HISTORIES)), max_size=5)
preservation_plans = st.tuples(
    st.tuples(st.sampled_from(PRESERVATION_SPECS[:4]), st.sampled_from(EXECUTED_HISTORIES)),
    st.lists(st.tuples(st.sampled_from(PRESERVATION_SPECS), st.sampled_from(HISTORIES)), max_size=2),
).map(lambda t: [t[0], *t[1]])
steps = st.one_of(
    st.tuples(st.just("suspend"), st.sampled_from(["suspension", "deferral"])),
    st.tuples(st.just("settlement"), st.booleans(), st.lists(st.integers(0, 5), max_size=2), st.booleans()),
    st.tuples(st.just("payment")),
    st.tuples(st.just("partial_release"), st.booleans()),
    st.tuples(st.just("terminate_resume"), st.booleans()),
    st.tuples(st.just("final_resume"), st.booleans()),
    st.tuples(st.just("answer_open"), st.integers(0, 7), st.sampled_from(["done", "done", "partial", "unable"])),
    st.tuples(st.just("issue"), specs, st.sampled_from(HISTORIES)),
    st.tuples(st.just("renew"), st.booleans()),
)


# No shrinking phase: an example takes up to half a second and a failure prints its whole history (World.log),
# so the file stays within its two minutes when an invariant breaks.
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(data=st.data())
def test_property_lifecycle_histories(users, data):
    """Random paths through the lifecycle keep the invariants of docs/lifecycle.md (module docstring)."""
    path = data.draw(st.sampled_from(["enforcement", "preservation_then_enforcement", "preservation_only"]),
                     label="path")
    preservation_notices = data.draw(preservation_plans, label="preservation notices") if path != "enforcement" else []
    preservation_keep = data.draw(st.sampled_from(["preservation_done", "preservation_partial",
                                                   "preservation_nothing"]),
                                  label="preservation kept") if path == "preservation_then_enforcement" else ""
    letters_answered = data.draw(st.booleans(), label="conversion letters answered") if preservation_keep else False
    notices = data.draw(notice_plans, label="notices") if path != "preservation_only" else []
    if path == "preservation_only":
        branch = data.draw(st.lists(st.one_of(st.tuples(st.just("partial_release"), st.booleans()),
                                              st.tuples(st.just("answer_open"), st.integers(0, 7),
                                                        st.sampled_from(["done", "partial", "unable"])),
                                              st.tuples(st.just("renew"), st.booleans()),
                                              st.tuples(st.just("issue"), st.sampled_from(PRESERVATION_SPECS),
                                                        st.sampled_from(HISTORIES))), max_size=3), label="steps")
        ending = data.draw(st.sampled_from(["preservation_lifted", "preservation_done"]), label="ending")
    else:
        branch = data.draw(st.lists(steps, max_size=5), label="steps")
        ending = data.draw(st.sampled_from(["completed", "terminated", "final_no_property"]), label="ending")
    # Completed, perhaps as a settlement performed in full (a suspended case concludes only so).
    settled = (data.draw(st.tuples(st.lists(st.integers(0, 5), max_size=2), st.booleans()), label="settled at the end")
               if ending == "completed" and data.draw(st.booleans(), label="by a settlement performed") else None)

    event(f"path {path}, ending {ending}")
    with time_machine.travel(START, tick=False) as traveller:
        world = World(users=users, traveller=traveller)
        if path != "enforcement":
            preservation = _new_case(world, "执保")
            for spec, history in preservation_notices:
                _issue(world, *spec, history)
                world.tick()
        if path == "preservation_then_enforcement":
            _conclude(world, preservation_keep, note="保全已实施")
            active_before = _active_measures(preservation)
            world.tick()
            enforcement = _new_case(world, "执", preservation_case=preservation.pk, filed_on=local_today())
            _hand_on_check(world, _fresh(preservation), active_before, "carry-over")
            letters = list(Notice.objects.filter(case=enforcement, kind="conversion"))
            assert len({n.unit_id for n in letters}) == len(letters), "one conversion letter per unit"
            if letters_answered:
                for letter in letters:
                    _answer(world, letter)
                world.note("conversion letters acknowledged and answered")
        elif path == "enforcement":
            _new_case(world, "执")
        for spec, history in notices:
            _issue(world, *spec, history)
        world.tick()

        for index, step in enumerate(branch):
            name, args = step[0], step[1:]
            last = index == len(branch) - 1
            if name == "suspend":
                step_suspend(world, *args)
            elif name == "settlement":
                performed, picks, confirm = args
                step_settlement(world, performed and last and ending == "completed", picks, confirm)
            elif name == "payment":
                step_payment(world)
            elif name == "partial_release":
                step_partial_release(world, *args)
            elif name == "terminate_resume":
                step_terminate_resume(world, *args)
            elif name == "final_resume":
                step_final_resume(world, *args)
            elif name == "answer_open":
                step_answer_open(world, *args)
            elif name == "issue":
                step_issue(world, args[0], args[1], preservation=path == "preservation_only")
            elif name == "renew":
                step_renew(world, *args)
            _check_handed_on(world, f"after {name}")
            world.tick()

        if settled is not None and world.case.status == "open":
            step_settlement(world, True, *settled)
            world.tick()
        # Before the ending: the measure notices whose unit holds or may hold a measure.
        holders = {n.pk for n in Notice.objects.filter(pk__in=world.notices).select_related("action")
                   if _holds_or_may_hold(n)}
        if ending == "completed":
            result = _conclude(world, "completed", note="已全部履行")
        elif ending == "terminated":
            result = _conclude(world, "terminated", ground="creditor_withdrew", note="申请执行人撤回申请")
        elif ending == "final_no_property":
            result = _conclude(world, "final_no_property", **final_ready(world.case))
        elif ending == "preservation_lifted":
            result = _conclude(world, "preservation_lifted", ground="withdrawn")
        else:
            result = _conclude(world, ending, note="保全已实施")
        _check_handed_on(world, f"after {ending}")
        if ending == "completed":
            assert not Settlement.objects.filter(case_id=world.cases[-1], status="performing").exists(), world.why()
        world.tick()
        if ending in RELEASING:
            _check_releasing_end(world, result, holders)
        kinds = list(CaseEvent.objects.filter(case_id=world.cases[-1]).values_list("transition", flat=True))
        assert kinds[0] == "register" and kinds[-1] == "conclude", (kinds, world.why())


# ------------------------------------------------------------------ the faults the property finds, pinned down

def _world(users, traveller) -> World:
    return World(users=users, traveller=traveller)


def test_a_conversion_letter_is_not_left_open_by_a_releasing_ending(users):
    """docs/lifecycle.md: an ending that releases cancels the notices still open. The carry-over's
    conversion letter (保全措施转为执行措施, kind ``conversion``) is a notice of the 执 case the unit still
    owes a signature on; concluding that case ``completed`` leaves it open for ever."""
    with time_machine.travel(START, tick=False) as traveller:
        world = _world(users, traveller)
        preservation = _new_case(world, "执保")
        _issue(world, "bank-icbc", "freeze", "answered-done")
        _conclude(world, "preservation_done", note="保全已实施")
        world.tick()
        enforcement = _new_case(world, "执", preservation_case=preservation.pk, filed_on=local_today())
        letter = Notice.objects.get(case=enforcement, kind="conversion")
        world.tick()
        result = _conclude(world, "completed", note="已全部履行")
        assert [r.original_id for r in result.release_notices] == world.notices  # the freeze is released
        left = _fresh(letter)
        assert left.status not in OPEN_STATES, (
            f"BUG (cases/selectors.py conclusion_plan, the releasing branch): the conversion letter "
            f"{left.number} of {enforcement.number} is still {left.status!r} after the case was concluded "
            f"completed; it only cancels open notices of kind assist or renewal, so the letter about the "
            f"released freeze stays in the bank's inbox as work owed.")


def test_an_open_renewal_of_a_measure_handed_on_by_resumption_is_withdrawn_when_it_is_released(users):
    """A renewal (续冻) sent before 终本 and not yet served stays open, rightly (终本 keeps the measures).
    执恢 hands the freeze on to the new case, but not its renewal notice; the new case's conclusion
    releases the freeze and the renewal of that same freeze stays open on the old case."""
    with time_machine.travel(START, tick=False) as traveller:
        world = _world(users, traveller)
        _new_case(world, "执")
        freeze = _issue(world, "bank-icbc", "freeze", "answered-done")
        measure = Measure.objects.get(notice=freeze)
        world.tick()
        renewal = measure_renew(actor=world.clerk, measure=measure)
        world.tick()
        _conclude(world, "final_no_property", **final_ready(world.case))
        assert _fresh(renewal).status in OPEN_STATES  # 终本 keeps it
        resumed = _resume(world)
        assert Measure.objects.get(pk=measure.pk).case_id == resumed.pk
        world.tick()
        result = _conclude(world, "completed", note="已全部履行")
        assert [r.original_id for r in result.release_notices] == [freeze.pk]
        _confirm(world, result.release_notices)
        assert Measure.objects.get(pk=measure.pk).status == "released"
        left = _fresh(renewal)
        assert left.status not in OPEN_STATES, (
            f"BUG (cases/lifecycle_services.py _hand_on, and selectors.conclusion_plan): the renewal "
            f"{left.number} of the freeze {freeze.number} is still {left.status!r} (measure_case "
            f"{left.measure_case.number}) after {resumed.number} was concluded completed and the freeze "
            f"released: 执恢 hands on the measure and its assistance notice but not its open renewal, so no "
            f"conclusion ever withdraws it.")
