"""The dishonest-debtor list (issue 6): entries and their transitions, pushes to the units that apply
joint punishment and their withdrawal, the audited and throttled check (API, browser, CSV and Excel),
the public page, and the pages of the clerk and of a unit. Assertions rest on rows, status codes, data
and CSS hooks, not on UI text (translations may still be in progress)."""
import csv
import io
import os
import shutil
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from cases import services
from cases.models import Case, Delivery, Notice, NoticeEvent, Party
from credit import selectors
from credit import services as credit
from credit import tasks as credit_tasks
from credit.models import CreditCheck, CreditEntry, CreditEvent, CreditPush
from members.models import ActionType, Capability, Unit
from members.roles import is_court_user

from .conftest import decide_listing, final_ready, make_resident_id, make_uscc

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- helpers and fixtures

@pytest.fixture(autouse=True)
def _fresh_throttle_history():
    cache.clear()
    yield
    cache.clear()


def joint_units() -> set[str]:
    """Codes of the first court's active units that apply joint punishment (publicize or restrict), from
    the data: a list entry is pushed to the units of its case's court (the demo's second county has its own)."""
    return set(Capability.objects.filter(unit__active=True, action__code__in=["publicize", "restrict"],
                                         unit__court__code="鄂1022")
               .values_list("unit__code", flat=True))


def debtor_of(case) -> Party:
    return case.parties.filter(role="debtor").order_by("id").first()


@pytest.fixture
def entry(make_case, users):
    case = make_case()
    return credit.credit_entry_create(actor=users["clerk"], case=case, party=debtor_of(case),
                                      ground="able_refuses", obligation="支付货款100000元")


@pytest.fixture
def org_case(users):
    """A case whose debtor is an organisation with a legal representative."""
    return services.case_create(
        actor=users["clerk"], number="(2026)鄂1022执7701号", title="某公司欠款案", amount="500000",
        parties=[{"role": "applicant", "name": "申请人甲", "id_number": make_resident_id(7701)},
                 {"role": "debtor", "kind": "organization", "name": "公安县某某建材有限公司",
                  "id_number": make_uscc(7701), "legal_representative": "赵六"}])


@pytest.fixture
def publish(users, django_capture_on_commit_callbacks):
    """Publish (or shield, revoke) with the on-commit fan-out and deliveries executed."""

    def _do(entry, name="publish", reason="", actor="clerk", ground="wrongly_listed"):
        extra = {"ground": ground} if name == "revoke" else {}
        if name == "publish":
            entry = decide_listing(entry)  # 失信规定 Art. 5: the president's decision first
        with django_capture_on_commit_callbacks(execute=True):
            return credit.CREDIT_SERVICES[name](actor=users[actor], entry=entry, reason=reason, **extra)

    return _do


@pytest.fixture
def purpose_for(users, make_case, issue):
    """``purpose_for("liaison-police")`` → what a single check by that account states it is for (issue 29:
    a single check needs a purpose): the number of a notice addressed to the account's unit, or, for a
    court account (which sees every case), of a case. One per unit, made on first use."""
    numbers = {}

    def _purpose(username):
        user = users[username]
        if user.unit_id not in numbers:
            if not user.unit_id or is_court_user(user):
                numbers[user.unit_id] = make_case().number
            else:
                # A unit that offers no query (the armed forces' department offers nothing) is given it as
                # the admin's unit page would: only a notice addressed to the unit makes a purpose for it.
                Capability.objects.get_or_create(unit=user.unit, action=ActionType.objects.get(code="query"))
                numbers[user.unit_id] = issue(make_case(), user.unit.code, "query", subject="查询被执行人财产").number
        return numbers[user.unit_id]

    return _purpose


def push_notices(entry, round_=None):
    qs = Notice.objects.filter(credit_push__entry=entry)
    if round_ is not None:
        qs = qs.filter(credit_push__round=round_)
    return qs


# ---------------------------------------------------------------- entries and the transition table

def test_clerk_creates_an_entry_through_the_api_pending_with_an_event(api, make_case):
    case = make_case()
    party = debtor_of(case)
    response = api("clerk").post("/api/v1/credit-entries/", {"case": case.pk, "party": party.pk}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending"
    assert body["name"] == party.name
    assert body["id_number"] == party.masked_id != party.id_number
    assert body["court"] == Unit.objects.get(code="court").name
    assert body["obligation"]  # defaulted from the amount owed
    entry = CreditEntry.objects.get(pk=body["id"])
    assert list(entry.events.values_list("transition", "from_status", "to_status")) == [("create", "", "pending")]
    assert not CreditPush.objects.filter(entry=entry).exists()


def test_entry_needs_a_debtor_of_that_case(api, make_case):
    case, other = make_case(), make_case()
    applicant = case.parties.get(role="applicant")
    client = api("clerk")
    assert client.post("/api/v1/credit-entries/", {"case": case.pk, "party": applicant.pk},
                       format="json").status_code == 400
    response = client.post("/api/v1/credit-entries/", {"case": case.pk, "party": debtor_of(other).pk},
                           format="json")
    assert response.status_code == 400 and "party" in response.json()
    assert not CreditEntry.objects.exists()


def test_one_live_entry_per_debtor_but_a_new_one_after_revocation(api, entry, publish):
    client = api("clerk")
    body = {"case": entry.case_id, "party": entry.party_id}
    assert client.post("/api/v1/credit-entries/", body, format="json").status_code == 400
    publish(entry, "revoke", reason="误列")
    assert client.post("/api/v1/credit-entries/", body, format="json").status_code == 201
    assert CreditEntry.objects.filter(party=entry.party).count() == 2


@pytest.mark.parametrize("username", ["office", "convener", "liaison-police", "leader-police", "assessor"])
def test_only_the_clerk_creates_entries(api, make_case, username):
    case = make_case()
    response = api(username).post("/api/v1/credit-entries/", {"case": case.pk, "party": debtor_of(case).pk},
                                  format="json")
    assert response.status_code == 403
    assert not CreditEntry.objects.exists()


def test_organisation_entry_keeps_its_legal_representative_and_responsible_persons(users, org_case):
    rep_id = make_resident_id(7702)
    entry = credit.credit_entry_create(
        actor=users["clerk"], case=org_case, party=debtor_of(org_case),
        persons=[{"role": "legal_rep", "name": "赵六", "id_number": rep_id},
                 {"role": "responsible", "name": "钱七", "id_number": ""}])
    assert entry.kind == "organization"
    assert entry.legal_representative == "赵六"
    assert list(entry.persons.values_list("role", "name", "id_number")) == [
        ("legal_rep", "赵六", rep_id), ("responsible", "钱七", "")]


def test_legal_representative_comes_from_the_party_when_not_given(users, org_case):
    entry = credit.credit_entry_create(actor=users["clerk"], case=org_case, party=debtor_of(org_case))
    assert list(entry.persons.values_list("role", "name")) == [("legal_rep", "赵六")]


def test_a_natural_person_has_no_responsible_persons_and_bad_ids_are_refused(users, make_case, org_case):
    case = make_case()
    with pytest.raises(ValidationError) as exc:
        credit.credit_entry_create(actor=users["clerk"], case=case, party=debtor_of(case),
                                   persons=[{"role": "responsible", "name": "某人"}])
    assert "persons" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        credit.credit_entry_create(actor=users["clerk"], case=org_case, party=debtor_of(org_case),
                                   persons=[{"role": "legal_rep", "name": "赵六", "id_number": "421022199001011230"}])
    assert "persons" in exc.value.message_dict
    assert not CreditEntry.objects.exists()


def test_every_transition_writes_an_event_with_who_when_from_to_and_why(entry, publish, users):
    publish(entry, "publish", reason="经审查决定纳入")
    publish(entry, "shield", reason="当事人申请，暂时屏蔽")
    publish(entry, "publish", reason="屏蔽事由消除")
    publish(entry, "revoke", reason="已全部履行")
    entry.refresh_from_db()
    assert entry.status == "revoked" and entry.round == 2
    assert entry.published_at and entry.shielded_at and entry.revoked_at
    events = list(entry.events.values_list("transition", "from_status", "to_status", "actor__username", "note"))
    decision = entry.decisions.get().document.ruling_label
    assert events == [
        ("create", "", "pending", "clerk", ""),
        ("propose", "pending", "proposed", "clerk", ""),  # 失信规定 Art. 5: the clerk proposes,
        ("decide", "proposed", "decided", "president", decision),  # the president decides (决定书),
        ("publish", "decided", "published", "clerk", "经审查决定纳入"),
        ("shield", "published", "shielded", "clerk", "当事人申请，暂时屏蔽"),
        ("republish", "shielded", "published", "clerk", "屏蔽事由消除"),  # a new decision, never a toggle
        ("revoke", "published", "revoked", "clerk", "已全部履行"),
    ]
    assert all(e.at for e in entry.events.all())


def test_events_are_immutable(entry):
    event = entry.events.get()
    event.note = "changed"
    with pytest.raises(PermissionDenied):
        event.save()
    with pytest.raises(PermissionDenied):
        event.delete()
    assert CreditEvent.objects.get(pk=event.pk).note == ""


def test_a_pending_entry_may_be_revoked_and_nothing_is_pushed(entry, publish):
    publish(entry, "revoke", reason="决定不予纳入")
    entry.refresh_from_db()
    assert entry.status == "revoked"
    assert not CreditPush.objects.exists()
    assert not Notice.objects.filter(kind__in=["push", "withdraw"]).exists()


@pytest.mark.parametrize("moves, refused", [
    ([], "shield"),                                # pending cannot be shielded
    (["publish"], "publish"),                      # published cannot be published again
    (["publish", "revoke"], "publish"),            # revoked is final
    (["publish", "revoke"], "shield"),
    (["publish", "revoke"], "revoke"),
])
def test_moves_outside_the_table_are_409_and_change_nothing(api, entry, publish, moves, refused):
    for name in moves:
        publish(entry, name, reason="理由")
    before = CreditEvent.objects.filter(entry=entry).count()
    response = api("clerk").post(f"/api/v1/credit-entries/{entry.pk}/{refused}/",
                                 {"reason": "理由", "ground": "wrongly_listed"}, format="json")
    assert response.status_code == 409
    assert CreditEvent.objects.filter(entry=entry).count() == before


def test_shield_needs_a_reason(api, entry, publish):
    publish(entry)
    response = api("clerk").post(f"/api/v1/credit-entries/{entry.pk}/shield/", {"reason": "  "}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    entry.refresh_from_db()
    assert entry.status == "published"


@pytest.mark.parametrize("body", [{}, {"reason": "已履行"}, {"ground": "paid_up"}, {"ground": ""}])
def test_revoke_needs_a_known_ground(api, entry, publish, body):
    """API.md: ``revoke`` takes ``{ground, reason?}``; a missing or unknown ground is a 400 and nothing
    changes."""
    publish(entry)
    response = api("clerk").post(f"/api/v1/credit-entries/{entry.pk}/revoke/", body, format="json")
    assert response.status_code == 400 and "ground" in response.json()
    entry.refresh_from_db()
    assert entry.status == "published" and entry.revoke_ground == ""


def test_revoke_with_a_ground_and_no_reason_is_recorded(api, entry, publish):
    publish(entry)
    response = api("clerk").post(f"/api/v1/credit-entries/{entry.pk}/revoke/", {"ground": "performed"},
                                 format="json")
    assert response.status_code == 200, response.content
    assert response.json()["revoke_ground"] == "performed"
    entry.refresh_from_db()
    # An Art. 10 ground deletes (删除), kept apart from a revocation of a wrong listing (Art. 12).
    assert entry.status == "deleted" and entry.revoke_ground == "performed"
    assert response.json()["status"] == "deleted"
    assert entry.events.get(transition="delete").note  # the ground's label stands in for the reason


def test_the_schema_documents_the_revoke_ground_as_required(api):
    schema = api("clerk").get("/api/schema/", {"format": "json"}).json()
    body = schema["paths"]["/api/v1/credit-entries/{id}/revoke/"]["post"]["requestBody"]["content"]
    ref = body["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    component = schema["components"]["schemas"][ref]
    assert "ground" in component["required"]
    assert "reason" not in component.get("required", [])
    ground = component["properties"]["ground"]
    enum_ref = ground.get("$ref") or ground.get("allOf", [{}])[0].get("$ref")
    values = schema["components"]["schemas"][enum_ref.rsplit("/", 1)[-1]]["enum"] if enum_ref else ground["enum"]
    assert set(values) == {"performed", "settled", "creditor_request", "terminated", "basis_revoked", "expired",
                           "suspended", "no_property", "early", "wrongly_listed"}


def test_api_transitions_answer_the_updated_entry(api, entry, django_capture_on_commit_callbacks):
    client = api("clerk")
    refused = client.post(f"/api/v1/credit-entries/{entry.pk}/publish/", {}, format="json")
    assert refused.status_code == 409  # not before the president's decision (失信规定 Art. 5)
    assert client.post(f"/api/v1/credit-entries/{entry.pk}/propose/", {"facts": "拒不履行"},
                       format="json").json()["status"] == "proposed"
    assert client.post(f"/api/v1/credit-entries/{entry.pk}/decide/", {}, format="json").status_code == 403
    assert api("president").post(f"/api/v1/credit-entries/{entry.pk}/decide/", {},
                                 format="json").json()["status"] == "decided"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/credit-entries/{entry.pk}/publish/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "published"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/credit-entries/{entry.pk}/shield/", {"reason": "屏蔽"}, format="json")
    assert response.json()["status"] == "shielded"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/credit-entries/{entry.pk}/revoke/", {"ground": "wrongly_listed",
                                                                              "reason": "撤销"}, format="json")
    body = response.json()
    assert body["status"] == "revoked"
    assert [e["transition"] for e in body["events"]] == ["create", "propose", "decide", "publish", "shield",
                                                         "revoke"]
    assert all(p["withdrawal"] for p in body["pushes"])


@pytest.mark.parametrize("username, code", [("office", 403), ("convener", 403), ("liaison-police", 404),
                                            ("leader-police", 404), ("assessor", 404)])
def test_only_the_clerk_moves_entries(api, entry, username, code):
    response = api(username).post(f"/api/v1/credit-entries/{entry.pk}/publish/", {}, format="json")
    assert response.status_code == code
    entry.refresh_from_db()
    assert entry.status == "pending"


def test_units_do_not_see_entries_through_the_entries_api(api, entry):
    client = api("liaison-police")
    assert client.get("/api/v1/credit-entries/").json()["results"] == []
    assert client.get(f"/api/v1/credit-entries/{entry.pk}/").status_code == 404
    assert api("office").get(f"/api/v1/credit-entries/{entry.pk}/").status_code == 200


def test_entries_api_list_is_a_constant_number_of_queries(api, users, make_case, org_case):
    client = api("clerk")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/credit-entries/").status_code == 200
        return len(ctx)

    case = make_case()
    credit.credit_entry_create(actor=users["clerk"], case=case, party=debtor_of(case))
    count()  # warm the per-process caches
    few = count()
    for _ in range(4):
        case = make_case()
        credit.credit_entry_create(actor=users["clerk"], case=case, party=debtor_of(case))
    credit.credit_entry_create(actor=users["clerk"], case=org_case, party=debtor_of(org_case))
    assert count() == few


# ---------------------------------------------------------------- pushes (Art. 17)

def test_publishing_pushes_to_every_unit_that_applies_joint_punishment(entry, publish):
    publish(entry)
    pushes = list(CreditPush.objects.filter(entry=entry).select_related("unit", "push__action"))
    assert {p.unit.code for p in pushes} == joint_units()
    assert len(pushes) == len(joint_units()) >= 10
    assert "court" not in {p.unit.code for p in pushes}
    by_unit = {p.unit.code: p.push for p in pushes}
    # restrict where the unit offers it, publicize where that is all it offers
    assert by_unit["police"].action.code == "restrict"
    assert by_unit["market"].action.code == "restrict"
    assert by_unit["ndrc"].action.code == "publicize"
    assert by_unit["publicity"].action.code == "publicize"
    for push in by_unit.values():
        assert push.kind == "push" and push.case_id == entry.case_id
        assert entry.masked_id in push.subject and entry.id_number not in push.subject
        assert push.status == "delivered"  # the outbox delivered it on commit
        assert NoticeEvent.objects.filter(notice=push, transition="issue").exists()
    assert Delivery.objects.filter(notice__in=by_unit.values(), purpose="issue", channel="inbox").count() == len(pushes)


def test_the_push_waits_for_the_commit(entry, users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        credit.credit_entry_publish(actor=users["clerk"], entry=decide_listing(entry))
    assert callbacks, "the fan-out is enqueued on commit"
    assert not CreditPush.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    assert CreditPush.objects.filter(entry=entry).count() == len(joint_units())


def test_the_fan_out_is_idempotent(entry, publish, django_capture_on_commit_callbacks):
    publish(entry)
    pushes, notices = CreditPush.objects.count(), Notice.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        assert credit.credit_sync(entry.pk) == {"pushed": 0, "withdrawn": 0}
        credit_tasks.credit_sync_task.delay(entry.pk)
    assert (CreditPush.objects.count(), Notice.objects.count()) == (pushes, notices)


def test_the_sync_locks_the_case_before_the_entry(entry, users, django_capture_on_commit_callbacks):
    """One lock order with a case's conclusion (case, then its entries): the sync's first row lock is the
    case's, so a conclusion and a sync of the same case never deadlock crosswise."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with django_capture_on_commit_callbacks(execute=False):
        credit.credit_entry_publish(actor=users["clerk"], entry=decide_listing(entry))
    with CaptureQueriesContext(connection) as queries:
        credit.credit_sync(entry.pk)
    from cases.models import Case
    from credit.models import CreditEntry

    case_table, entry_table = f'FROM "{Case._meta.db_table}"', f'FROM "{CreditEntry._meta.db_table}"'
    # The row reads of the two tables, in order (on PostgreSQL each carries FOR NO KEY UPDATE; SQLite has
    # no row locks, and the same statements show the order the code takes them in).
    reads = [q["sql"] for q in queries if (case_table in q["sql"] or entry_table in q["sql"])
             and "WHERE" in q["sql"] and not q["sql"].startswith(f'SELECT "{CreditEntry._meta.db_table}"."case_id"')]
    if connection.vendor == "postgresql":
        reads = [sql for sql in reads if "FOR NO KEY UPDATE" in sql]
    first_case = next(i for i, sql in enumerate(reads) if case_table in sql)
    first_entry = next(i for i, sql in enumerate(reads) if entry_table in sql)
    assert first_case < first_entry


def test_the_sweep_makes_good_a_lost_task(entry, users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # the task is lost
        credit.credit_entry_publish(actor=users["clerk"], entry=decide_listing(entry))
    assert list(credit.entries_needing_sync()) == [entry]
    with django_capture_on_commit_callbacks(execute=True):
        assert credit.credit_sync_pending() == 1
    assert CreditPush.objects.filter(entry=entry).count() == len(joint_units())
    assert not credit.entries_needing_sync().exists()


def test_revocation_withdraws_from_every_unit_that_got_the_push(entry, publish):
    publish(entry)
    pushed_units = set(CreditPush.objects.filter(entry=entry).values_list("unit__code", flat=True))
    # Units change between push and revocation: one leaves, another starts applying punishment.
    Unit.objects.filter(code="ndrc").update(active=False)
    Capability.objects.get_or_create(unit=Unit.objects.get(code="armed_forces"),
                                     action=Capability.objects.get(unit__code="police", action__code="restrict").action)
    publish(entry, "revoke", reason="已全部履行")
    pushes = list(CreditPush.objects.filter(entry=entry).select_related("unit", "withdrawal", "push"))
    assert {p.unit.code for p in pushes} == pushed_units
    assert "ndrc" in pushed_units and "armed_forces" not in pushed_units
    for push in pushes:
        withdrawal = push.withdrawal
        assert withdrawal is not None and push.withdrawn_at
        assert withdrawal.kind == "withdraw" and withdrawal.unit_id == push.unit_id
        assert withdrawal.original_id == push.push_id and withdrawal.action_id == push.push.action_id
        assert "已全部履行" in withdrawal.subject and entry.id_number not in withdrawal.subject
        assert push.push.status == "cancelled"  # not yet acknowledged: the push itself is called off
    assert not Notice.objects.filter(kind="withdraw", unit__code="armed_forces").exists()
    assert Delivery.objects.filter(notice__kind="withdraw", purpose="issue", channel="inbox").count() == len(pushes)


def test_shield_withdraws_and_republishing_pushes_a_new_round(entry, publish):
    publish(entry)
    publish(entry, "shield", reason="暂时屏蔽")
    assert CreditPush.objects.filter(entry=entry, withdrawal__isnull=True).count() == 0
    assert Notice.objects.filter(kind="withdraw").count() == len(joint_units())
    publish(entry, "publish", reason="恢复公布")
    assert push_notices(entry, 2).count() == len(joint_units())
    assert push_notices(entry, 2).filter(status="delivered").count() == len(joint_units())
    publish(entry, "revoke", reason="已履行")
    assert CreditPush.objects.filter(entry=entry, withdrawal__isnull=True).count() == 0
    # every push of both rounds was withdrawn exactly once
    assert Notice.objects.filter(kind="withdraw").count() == 2 * len(joint_units())


def test_an_answered_push_is_kept_and_the_unit_confirms_the_withdrawal(api, entry, publish):
    publish(entry)
    push = push_notices(entry).get(unit__code="police")
    client = api("liaison-police")
    assert client.post(f"/api/v1/notices/{push.pk}/acknowledge/", {}, format="json").status_code == 200
    response = client.post(f"/api/v1/notices/{push.pk}/answer/", {"outcome": "done", "detail": "已限制出境"},
                           format="json")
    assert response.status_code == 200
    publish(entry, "revoke", reason="已全部履行")
    push.refresh_from_db()
    assert push.status == "answered"  # what the unit did stays on record
    withdrawal = Notice.objects.get(kind="withdraw", original=push)
    assert client.post(f"/api/v1/notices/{withdrawal.pk}/acknowledge/", {}, format="json").status_code == 200
    assert client.post(f"/api/v1/notices/{withdrawal.pk}/answer/", {"outcome": "done", "detail": "已解除限制"},
                       format="json").status_code == 200
    body = api("clerk").get(f"/api/v1/credit-entries/{entry.pk}/").json()
    police = next(p for p in body["pushes"] if p["unit"] == "police")
    assert police["push_status"] == "answered" and police["withdrawal_status"] == "answered"


def test_another_units_push_is_404_in_the_api_and_the_pages(api, browser_client, entry, publish):
    publish(entry)
    police_push = push_notices(entry).get(unit__code="police")
    client = api("liaison-bank-icbc")
    assert client.get(f"/api/v1/notices/{police_push.pk}/").status_code == 404
    assert client.post(f"/api/v1/notices/{police_push.pk}/acknowledge/", {}, format="json").status_code == 404
    ids = {n["id"] for n in client.get("/api/v1/notices/").json()["results"]}
    assert police_push.pk not in ids and push_notices(entry).get(unit__code="bank-icbc").pk in ids
    page = browser_client("liaison-bank-icbc")
    assert page.get(f"/notices/{police_push.pk}/").status_code == 404
    assert page.post(f"/notices/{police_push.pk}/acknowledge/").status_code == 404
    police_push.refresh_from_db()
    assert police_push.status == "delivered"
    listing = page.get("/credit/pushes/").content.decode()
    assert police_push.number not in listing
    assert push_notices(entry).get(unit__code="bank-icbc").number in listing
    # the entry pages belong to the court
    assert page.get(f"/credit/{entry.pk}/").status_code == 404
    assert page.get("/credit/").status_code == 404


def test_a_liaison_cannot_acknowledge_for_the_unit_of_another(api, entry, publish):
    publish(entry)
    push = push_notices(entry).get(unit__code="police")
    assert api("leader-police").post(f"/api/v1/notices/{push.pk}/acknowledge/", {}, format="json").status_code == 403
    assert api("clerk").post(f"/api/v1/notices/{push.pk}/acknowledge/", {}, format="json").status_code == 403


# ---------------------------------------------------------------- conclusion proposes revoking

@pytest.mark.parametrize("outcome, ground", [("completed", "performed"), ("terminated", "terminated")])
def test_conclusion_performed_or_terminated_takes_the_debtor_off_the_list(
        users, entry, publish, django_capture_on_commit_callbacks, outcome, ground):
    """失信规定 Art. 10 (DOMAIN.md section 5): performed or terminated, the entry is deleted within three
    working days and the units are told to withdraw it. The conclusion does it at once."""
    publish(entry)
    pushes = set(push_notices(entry).values_list("pk", flat=True))
    assert pushes
    case = Case.objects.get(pk=entry.case_id)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_conclude(actor=users["clerk"], case=case, outcome=outcome, note="已全部履行")
    entry.refresh_from_db()
    assert entry.status == "deleted" and entry.revoke_ground == ground
    assert entry.events.filter(transition="delete").count() == 1  # by itself, no proposal
    assert CreditPush.objects.filter(entry=entry, withdrawal__isnull=True).count() == 0
    case.refresh_from_db()
    assert list(selectors.entries_to_propose_revoking(case)) == []


def test_final_no_property_keeps_the_entry(users, entry, publish):
    publish(entry)
    case = Case.objects.get(pk=entry.case_id)
    services.case_conclude(actor=users["clerk"], case=case, outcome="final_no_property", **final_ready(case))
    case.refresh_from_db()
    entry.refresh_from_db()
    assert entry.status == "published"
    assert list(selectors.entries_to_propose_revoking(case)) == []
    # the pushes are not releases: 终本 leaves them as they are
    assert not Notice.objects.filter(kind="release").exists()


# ---------------------------------------------------------------- check (Art. 19, 26)

def _check(client, id_number, purpose, reason="贷款审查"):
    """A single check through the API; ``purpose`` (required since issue 29): ``purpose_for(username)``."""
    return client.get("/api/v1/credit-check/", {"id_number": id_number, "purpose": purpose, "reason": reason})


def test_check_finds_a_published_debtor_and_is_audited(api, users, entry, publish, purpose_for):
    publish(entry)
    response = _check(api("liaison-bank-icbc"), entry.id_number.lower(), purpose_for("liaison-bank-icbc"),
                      reason="个人贷款申请")
    assert response.status_code == 200
    body = response.json()
    assert body["listed"] is True
    [found] = body["entries"]
    assert found["name"] == entry.name and found["id_number"] == entry.masked_id
    assert found["matched_as"] == "debtor" and found["case_number"] == entry.case.number
    assert entry.id_number not in response.content.decode()
    log = CreditCheck.objects.get()
    assert (log.user, log.unit.code, log.id_number, log.reason, log.channel, log.listed) == (
        users["liaison-bank-icbc"], "bank-icbc", entry.id_number, "个人贷款申请", "api", True)
    assert log.at


def test_check_answers_not_listed_for_pending_shielded_and_revoked(api, entry, publish, purpose_for):
    client = api("liaison-finance")
    purpose = purpose_for("liaison-finance")
    assert _check(client, entry.id_number, purpose).json() == {"listed": False, "entries": []}
    publish(entry)
    assert _check(client, entry.id_number, purpose).json()["listed"] is True
    publish(entry, "shield", reason="屏蔽")
    assert _check(client, entry.id_number, purpose).json() == {"listed": False, "entries": []}
    publish(entry, "publish", reason="屏蔽事由消除")
    publish(entry, "revoke", reason="撤销")
    assert _check(client, entry.id_number, purpose).json() == {"listed": False, "entries": []}
    assert list(CreditCheck.objects.order_by("id").values_list("listed", flat=True)) == [False, True, False, False]


def test_check_finds_an_organisations_legal_representative(api, users, org_case, publish, purpose_for):
    rep_id = make_resident_id(7703)
    entry = credit.credit_entry_create(actor=users["clerk"], case=org_case, party=debtor_of(org_case),
                                       persons=[{"role": "legal_rep", "name": "赵六", "id_number": rep_id}])
    publish(entry)
    purpose = purpose_for("liaison-natres")
    body = _check(api("liaison-natres"), rep_id, purpose).json()
    assert body["listed"] is True and body["entries"][0]["matched_as"] == "legal_rep"
    assert body["entries"][0]["persons"] == [{"role": "legal_rep", "name": "赵六", "id_number": mask(rep_id)}]
    assert _check(api("liaison-natres"), make_uscc(7701), purpose).json()["entries"][0]["matched_as"] == "debtor"


def mask(value):
    return value[:4] + "*" * 10 + value[-4:]


@pytest.mark.parametrize("username", ["clerk", "office", "liaison-police", "leader-police", "liaison-armed_forces"])
def test_any_user_attached_to_a_unit_may_check(api, username, purpose_for):
    assert _check(api(username), make_resident_id(1), purpose_for(username)).status_code == 200


@pytest.mark.parametrize("username", ["assessor", "admin"])
def test_users_without_a_unit_may_not_check(api, username, purpose_for):
    response = _check(api(username), make_resident_id(1), purpose_for(username))
    assert response.status_code == 403
    assert not CreditCheck.objects.exists()


def test_anonymous_may_not_check(api, make_case):
    assert _check(api(), make_resident_id(1), make_case().number).status_code in (401, 403)
    assert not CreditCheck.objects.exists()


def test_a_unit_system_token_may_not_check(entry, users, purpose_for):
    from rest_framework.test import APIClient

    from members.integration import token_create

    key = token_create(unit=Unit.objects.get(code="bank-icbc"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"UnitToken {key}")
    assert _check(client, entry.id_number, purpose_for("liaison-bank-icbc")).status_code == 403


@pytest.mark.parametrize("params, field", [
    ({"id_number": "421022199001011230", "reason": "贷款"}, "id_number"),  # wrong check character
    ({"id_number": "abc", "reason": "贷款"}, "id_number"),
    ({"reason": "贷款"}, "id_number"),
])
def test_check_needs_a_valid_identifier(api, params, field, purpose_for):
    response = api("liaison-police").get("/api/v1/credit-check/",
                                         {**params, "purpose": purpose_for("liaison-police")})
    assert response.status_code == 400 and field in response.json()
    assert not CreditCheck.objects.exists()


@pytest.mark.parametrize("params", [{}, {"reason": "   "}])
def test_api_check_without_a_reason_is_still_logged(api, params, purpose_for):
    """The API asks for a reason but does not require one (the purpose it does, since issue 29); the check is
    logged with a note that no reason came."""
    response = api("liaison-police").get("/api/v1/credit-check/", {
        "id_number": make_resident_id(1), "purpose": purpose_for("liaison-police"), **params})
    assert response.status_code == 200 and response.json()["listed"] is False
    logged = CreditCheck.objects.get()
    assert logged.user.username == "liaison-police" and logged.reason


def test_checks_are_throttled_per_user(api, settings, purpose_for):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                                                          "credit_check": "3/min"}}
    client = api("liaison-bank-icbc")
    purpose = purpose_for("liaison-bank-icbc")
    codes = [_check(client, make_resident_id(n), purpose).status_code for n in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    assert CreditCheck.objects.filter(user__username="liaison-bank-icbc").count() == 3
    # another user has their own allowance
    assert _check(api("liaison-bank-abc"), make_resident_id(9), purpose_for("liaison-bank-abc")).status_code == 200


def test_the_default_rate_is_sixty_a_minute(api, purpose_for):
    client = api("liaison-bank-icbc")
    purpose = purpose_for("liaison-bank-icbc")
    codes = [_check(client, make_resident_id(n), purpose).status_code for n in range(61)]
    assert codes.count(200) == 60 and codes[-1] == 429


def test_audit_rows_are_immutable(api, purpose_for):
    _check(api("liaison-police"), make_resident_id(3), purpose_for("liaison-police"))
    row = CreditCheck.objects.get()
    row.reason = "changed"
    with pytest.raises(PermissionDenied):
        row.save()
    with pytest.raises(PermissionDenied):
        row.delete()


# ---------------------------------------------------------------- check in the browser and in bulk

def test_browser_check_shows_the_result_and_is_audited(browser_client, entry, publish, purpose_for):
    publish(entry)
    page = browser_client("liaison-finance")
    purpose = purpose_for("liaison-finance")
    assert page.get("/credit/check/").status_code == 200
    response = page.post("/credit/check/", {"id_number": entry.id_number, "reason": "政府采购供应商审查",
                                            "purpose": purpose})
    text = response.content.decode()
    assert response.status_code == 200
    assert 'class="card check-result listed"' in text
    assert entry.masked_id in text and entry.id_number not in text
    log = CreditCheck.objects.get()
    assert (log.channel, log.listed, log.reason) == ("browser", True, "政府采购供应商审查")
    other = page.post("/credit/check/", {"id_number": make_resident_id(555), "reason": "审查", "purpose": purpose})
    assert 'check-result not-listed' in other.content.decode()


def test_browser_check_is_throttled_too(browser_client, settings, purpose_for):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                                                          "credit_check": "2/min"}}
    page = browser_client("liaison-finance")
    purpose = purpose_for("liaison-finance")
    codes = [page.post("/credit/check/", {"id_number": make_resident_id(n), "reason": "审查", "purpose": purpose})
             .status_code for n in range(3)]
    assert codes == [200, 200, 429]
    assert CreditCheck.objects.count() == 2


def test_browser_check_is_refused_without_a_unit(browser_client):
    assert browser_client("assessor").get("/credit/check/").status_code == 403


def _listed_and_others(users, make_case, org_case, publish):
    """A published person, a published organisation with its legal representative, a shielded person."""
    rep_id = make_resident_id(7704)
    case = make_case()
    person = credit.credit_entry_create(actor=users["clerk"], case=case, party=debtor_of(case))
    publish(person)
    org = credit.credit_entry_create(actor=users["clerk"], case=org_case, party=debtor_of(org_case),
                                     persons=[{"role": "legal_rep", "name": "赵六", "id_number": rep_id}])
    publish(org)
    case = make_case()
    hidden = credit.credit_entry_create(actor=users["clerk"], case=case, party=debtor_of(case))
    publish(hidden)
    publish(hidden, "shield", reason="屏蔽")
    for entry in (person, org, hidden):
        entry.refresh_from_db()
    return person, org, hidden, rep_id


def test_bulk_check_of_an_excel_file_returns_the_same_rows_with_a_result(browser_client, users, make_case,
                                                                         org_case, publish):
    person, org, hidden, rep_id = _listed_and_others(users, make_case, org_case, publish)
    rows = [["名称", "证件号码", "备注"],
            ["张三", person.id_number, "供应商A"],
            ["某某建材", org.id_number, "供应商B"],
            ["赵六", rep_id, "法定代表人"],
            ["李四", hidden.id_number, "已屏蔽"],
            ["王五", make_resident_id(8888), "未列入"],
            ["错号", "123", "号码有误"],
            ["空白", None, ""]]
    book = Workbook()
    sheet = book.active
    sheet.title = "供应商"
    for row in rows:
        sheet.append(row)
    book.create_sheet("说明").append(["第二个工作表保持不变"])
    data = io.BytesIO()
    book.save(data)
    upload = SimpleUploadedFile("suppliers.xlsx", data.getvalue(),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response = browser_client("liaison-finance").post("/credit/check/", {"file": upload, "reason": "政府采购"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "suppliers-checked.xlsx" in response["Content-Disposition"]
    out = load_workbook(io.BytesIO(response.content))
    assert out.sheetnames == ["供应商", "说明"]
    got = [list(r) for r in out["供应商"].iter_rows(values_only=True)]
    assert len(got) == len(rows)
    assert [r[:3] for r in got] == [[c if c != "" else None for c in r] for r in rows]
    results = [r[3] for r in got]
    listed, not_listed, invalid = results[1], results[4], results[6]
    assert results[0]  # a header for the new column
    assert results[2] == results[3] == listed  # the organisation and its legal representative
    assert results[5] == not_listed  # shielded counts as not listed
    assert len({listed, not_listed, invalid}) == 3 and all((listed, not_listed, invalid))
    assert results[7] in (None, "")
    logs = CreditCheck.objects.filter(channel="bulk").order_by("id")
    assert list(logs.values_list("id_number", "listed")) == [
        (person.id_number, True), (org.id_number, True), (rep_id, True), (hidden.id_number, False),
        (make_resident_id(8888), False)]
    assert set(logs.values_list("reason", "batch", "user__username")) == {("政府采购", "suppliers.xlsx", "liaison-finance")}


def test_bulk_check_of_a_csv_file(browser_client, users, make_case, org_case, publish):
    person, org, hidden, rep_id = _listed_and_others(users, make_case, org_case, publish)
    text = f"\ufeff借款人,证件号码\r\n张三,{person.id_number}\r\n王五,{make_resident_id(8889)}\r\n"
    upload = SimpleUploadedFile("borrowers.csv", text.encode("utf-8"), content_type="text/csv")
    response = browser_client("liaison-bank-icbc").post("/credit/check/", {"file": upload, "reason": "贷款审查"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8-sig")
    got = list(csv.reader(io.StringIO(body)))
    assert [r[:2] for r in got] == [["借款人", "证件号码"], ["张三", person.id_number], ["王五", make_resident_id(8889)]]
    assert got[1][2] != got[2][2] and got[1][2] and got[2][2] and got[0][2]
    assert CreditCheck.objects.filter(channel="bulk").count() == 2


def test_bulk_check_of_a_gbk_csv_without_header_keeps_its_encoding(browser_client, users, make_case, org_case,
                                                                   publish):
    person, *_ = _listed_and_others(users, make_case, org_case, publish)
    text = f"张三,{person.id_number}\r\n王五,{make_resident_id(8890)}\r\n"
    upload = SimpleUploadedFile("list.csv", text.encode("gbk"), content_type="text/csv")
    response = browser_client("liaison-bank-icbc").post("/credit/check/", {"file": upload, "reason": "贷款审查"})
    got = list(csv.reader(io.StringIO(response.content.decode("gb18030"))))
    assert [r[:2] for r in got] == [["张三", person.id_number], ["王五", make_resident_id(8890)]]
    assert len({got[0][2], got[1][2]}) == 2


def test_bulk_check_refuses_a_file_without_identifiers_or_too_long(browser_client, settings):
    page = browser_client("liaison-bank-icbc")
    upload = SimpleUploadedFile("x.csv", "名称\r\n张三\r\n".encode(), content_type="text/csv")
    response = page.post("/credit/check/", {"file": upload, "reason": "审查"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    rows = "证件号码\r\n" + "".join(f"{make_resident_id(n)}\r\n" for n in range(credit.BULK_MAX_ROWS + 1))
    upload = SimpleUploadedFile("y.csv", rows.encode(), content_type="text/csv")
    response = page.post("/credit/check/", {"file": upload, "reason": "审查"})
    assert response["Content-Type"].startswith("text/html")
    assert not CreditCheck.objects.exists()


def test_bulk_check_is_a_constant_number_of_queries(users, make_case, org_case, publish):
    _listed_and_others(users, make_case, org_case, publish)

    def count(n):
        with CaptureQueriesContext(connection) as ctx:
            credit.credit_check_many(actor=users["liaison-bank-icbc"], reason="审查",
                                     values=[make_resident_id(i) for i in range(n)])
        return len(ctx)

    count(1)  # warm the per-process caches (content types, permissions)
    assert count(2) == count(40)


# ---------------------------------------------------------------- the public page (Art. 12, 13)

@pytest.mark.dates
def test_public_page_shows_published_entries_only_masked_without_login(client, users, make_case, org_case,
                                                                        publish):
    person, org, hidden, rep_id = _listed_and_others(users, make_case, org_case, publish)
    case = make_case()
    pending = credit.credit_entry_create(actor=users["clerk"], case=case, party=debtor_of(case))
    case = make_case()
    revoked = credit.credit_entry_create(actor=users["clerk"], case=case, party=debtor_of(case))
    publish(revoked)
    publish(revoked, "revoke", reason="撤销")
    response = client.get("/public/dishonest/")
    assert response.status_code == 200
    text = response.content.decode()
    for shown in (person, org):
        assert shown.name in text and shown.masked_id in text and shown.case.number in text
        # the page shows the date as a user in Gong'an sees it (Asia/Shanghai), not the UTC date
        assert shown.court in text and timezone.localtime(shown.published_at).strftime("%Y-%m-%d") in text
    # A person's ID stays masked; an organisation's credit code is public (失信规定 Art. 6), in full.
    assert person.id_number not in text and org.masked_id == org.id_number
    assert "赵六" in text and rep_id not in text
    for absent in (hidden, pending, revoked):
        assert absent.name not in text and absent.masked_id not in text
    # masked as 4210**********123X: region kept, birth date and serial hidden
    assert person.masked_id == person.id_number[:4] + "*" * 10 + person.id_number[-4:]


def test_public_page_search_by_name_and_no_enumeration(client, users, make_case, publish):
    entries = []
    for _ in range(3):
        case = make_case()
        entry = credit.credit_entry_create(actor=users["clerk"], case=case, party=debtor_of(case))
        publish(entry)
        entries.append(entry)
    target = entries[1]
    text = client.get("/public/dishonest/", {"q": target.name}).content.decode()
    assert target.name in text
    assert entries[0].name not in text and entries[2].name not in text
    # one character is not a search: the latest page is shown
    text = client.get("/public/dishonest/", {"q": target.name[0]}).content.decode()
    assert all(e.name in text for e in entries)
    # no per-entry address and no search by identifier
    assert "/credit/" not in text and "/public/dishonest/" + str(target.pk) not in text
    assert client.get(f"/public/dishonest/{target.pk}/").status_code == 404
    text = client.get("/public/dishonest/", {"q": target.id_number}).content.decode()
    assert target.masked_id not in text.split("<tbody>")[1]


def test_public_page_shows_at_most_one_page(client, users, make_case, publish):
    for _ in range(selectors.PUBLIC_PAGE_SIZE + 3):
        case = make_case()
        publish(credit.credit_entry_create(actor=users["clerk"], case=case, party=debtor_of(case)))
    text = client.get("/public/dishonest/", {"page": 2, "after": 1}).content.decode()
    assert text.split("<tbody>")[1].split("</tbody>")[0].count("<tr>") == selectors.PUBLIC_PAGE_SIZE


def test_public_page_is_a_constant_number_of_queries(client, users, make_case, publish):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/public/dishonest/").status_code == 200
        return len(ctx)

    case = make_case()
    publish(credit.credit_entry_create(actor=users["clerk"], case=case, party=debtor_of(case)))
    count()  # warm the per-process caches
    few = count()
    for _ in range(5):
        case = make_case()
        publish(credit.credit_entry_create(actor=users["clerk"], case=case, party=debtor_of(case)))
    assert count() == few == 2  # the entries and the orders, each one query (no persons: the page shows none)


# ---------------------------------------------------------------- pages of the clerk and of a unit

def test_clerk_puts_a_debtor_on_the_list_and_moves_it_through_the_pages(browser_client, make_case,
                                                                        django_capture_on_commit_callbacks):
    case = make_case()
    page = browser_client("clerk")
    form = page.get(f"/credit/new/{case.pk}/")
    assert form.status_code == 200 and 'class="card credit-create"' in form.content.decode()
    assert debtor_of(case).id_number not in form.content.decode()
    response = page.post(f"/credit/new/{case.pk}/", {"party": debtor_of(case).pk, "ground": "evades",
                                                     "obligation": "返还借款", "decided_on": "2026-03-01"})
    entry = CreditEntry.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/credit/{entry.pk}/"
    assert (entry.ground, entry.obligation, str(entry.decided_on)) == ("evades", "返还借款", "2026-03-01")
    detail = page.get(f"/credit/{entry.pk}/").content.decode()
    # 失信规定 Art. 5: proposed by the clerk, decided by the president, then published.
    assert f'action="/credit/{entry.pk}/propose/"' in detail and entry.id_number not in detail
    assert f'action="/credit/{entry.pk}/publish/"' not in detail
    assert page.post(f"/credit/{entry.pk}/propose/", {"ground": "evades", "period_years": "2",
                                                      "facts": "隐匿财产", "warning": "执行通知书"}).status_code == 302
    entry.refresh_from_db()
    assert entry.status == "proposed"
    decision = entry.decisions.get()
    president = browser_client("president")
    sheet = president.get(f"/credit/decisions/{decision.pk}/")
    assert sheet.status_code == 200 and "隐匿财产" in sheet.content.decode()
    unconfirmed = president.post(f"/credit/decisions/{decision.pk}/", {"action": "decide"})
    assert unconfirmed.status_code == 200 and 'role="alert"' in unconfirmed.content.decode()
    assert president.post(f"/credit/decisions/{decision.pk}/", {"action": "decide", "confirm": "on"}).status_code == 302
    entry.refresh_from_db()
    assert entry.status == "decided"
    detail = page.get(f"/credit/{entry.pk}/").content.decode()
    assert f'action="/credit/{entry.pk}/publish/"' in detail
    with django_capture_on_commit_callbacks(execute=True):
        assert page.post(f"/credit/{entry.pk}/publish/", {"reason": ""}).status_code == 302
    entry.refresh_from_db()
    assert entry.status == "published" and entry.pushes.count() == len(joint_units())
    detail = page.get(f"/credit/{entry.pk}/").content.decode()
    assert f'action="/credit/{entry.pk}/shield/"' in detail and f'action="/credit/{entry.pk}/revoke/"' in detail
    assert detail.count('class="status delivered"') == len(joint_units())
    # a shield without a reason is refused and changes nothing
    page.post(f"/credit/{entry.pk}/shield/", {"reason": ""})
    entry.refresh_from_db()
    assert entry.status == "published"
    with django_capture_on_commit_callbacks(execute=True):
        page.post(f"/credit/{entry.pk}/shield/", {"reason": "暂时屏蔽"})
        page.post(f"/credit/{entry.pk}/revoke/", {"reason": "已履行"})  # no ground: refused
        # a fixed-term entry runs its period: performance is no ground to delete it (Art. 10 para. 2)
        page.post(f"/credit/{entry.pk}/revoke/", {"ground": "performed", "reason": "已履行"})
    entry.refresh_from_db()
    assert entry.status == "shielded"
    with django_capture_on_commit_callbacks(execute=True):
        page.post(f"/credit/{entry.pk}/revoke/", {"ground": "wrongly_listed", "reason": "错误纳入"})
    entry.refresh_from_db()
    assert entry.status == "revoked"
    assert list(entry.events.values_list("transition", flat=True)) == [
        "create", "propose", "decide", "note", "publish", "shield", "revoke"] or list(
        entry.events.values_list("transition", flat=True)) == ["create", "propose", "decide", "publish", "shield",
                                                               "revoke"]
    assert page.post(f"/credit/{entry.pk}/nonsense/").status_code == 404


def test_clerk_form_refuses_a_second_live_entry(browser_client, entry):
    page = browser_client("clerk")
    response = page.post(f"/credit/new/{entry.case_id}/", {"party": entry.party_id, "ground": "able_refuses"})
    assert response.status_code == 200 and 'class="errorlist' in response.content.decode()
    assert CreditEntry.objects.count() == 1


@pytest.mark.parametrize("username, code", [("office", 403), ("liaison-police", 404)])
def test_only_the_clerk_gets_the_create_form(browser_client, make_case, username, code):
    case = make_case()
    assert browser_client(username).get(f"/credit/new/{case.pk}/").status_code == code


def test_office_reads_the_list_but_cannot_move_entries(browser_client, entry):
    page = browser_client("office")
    assert entry.name in page.get("/credit/").content.decode()
    detail = page.get(f"/credit/{entry.pk}/").content.decode()
    assert "/publish/" not in detail
    page.post(f"/credit/{entry.pk}/publish/")
    entry.refresh_from_db()
    assert entry.status == "pending"


def test_clerk_list_masks_filters_and_is_a_constant_number_of_queries(browser_client, users, make_case, publish):
    page = browser_client("clerk")
    case = make_case()
    first = credit.credit_entry_create(actor=users["clerk"], case=case, party=debtor_of(case))
    publish(first)

    def count(**params):
        with CaptureQueriesContext(connection) as ctx:
            response = page.get("/credit/", params)
        return len(ctx), response.content.decode()

    count()  # warm the per-process caches
    few, text = count()
    assert first.masked_id in text and first.id_number not in text
    for _ in range(5):
        case = make_case()
        credit.credit_entry_create(actor=users["clerk"], case=case, party=debtor_of(case))
    many, text = count()
    assert many == few
    _n, text = count(status="published")
    assert text.count('class="status published"') == 1


def test_unit_sees_its_pushes_masked_and_confirms_from_there(browser_client, entry, publish):
    """A unit that only applies joint punishment sees what the public list shows (the masked ID); a unit
    whose act needs the full ID (police: exit restriction, by the PunishmentIdentifierNeed data) sees it on
    the notice, never on lists."""
    publish(entry)
    page = browser_client("liaison-civilization")
    text = page.get("/credit/pushes/").content.decode()
    push = push_notices(entry).get(unit__code="civilization")
    assert push.number in text and entry.masked_id in text and entry.id_number not in text
    assert text.count("<tr>") == 2  # header and the civilization push only
    notice_page = page.get(f"/notices/{push.pk}/").content.decode()
    assert entry.masked_id in notice_page and entry.id_number not in notice_page
    assert f'action="/notices/{push.pk}/acknowledge/"' in notice_page
    police = browser_client("liaison-police")
    police_push = push_notices(entry).get(unit__code="police")
    assert entry.id_number not in police.get("/credit/pushes/").content.decode()
    assert entry.id_number in police.get(f"/notices/{police_push.pk}/").content.decode()
    publish(entry, "revoke", reason="已履行")
    text = page.get("/credit/pushes/").content.decode()
    withdrawal = Notice.objects.get(kind="withdraw", unit__code="civilization")
    assert withdrawal.number in text and entry.id_number not in text
    assert entry.id_number not in page.get(f"/notices/{withdrawal.pk}/").content.decode()


def test_unit_pushes_page_is_a_constant_number_of_queries(browser_client, users, make_case, publish):
    page = browser_client("liaison-police")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert page.get("/credit/pushes/?tab=all").status_code == 200
        return len(ctx)

    case = make_case()
    publish(credit.credit_entry_create(actor=users["clerk"], case=case, party=debtor_of(case)))
    count()  # warm the per-process caches
    few = count()
    for _ in range(3):
        case = make_case()
        entry = credit.credit_entry_create(actor=users["clerk"], case=case, party=debtor_of(case))
        publish(entry)
        publish(entry, "revoke", reason="撤销")
    assert count() == few


def test_nav_links_for_the_clerk_and_for_a_unit(browser_client):
    assert 'href="/credit/"' in browser_client("clerk").get("/").content.decode()
    unit_home = browser_client("liaison-police").get("/").content.decode()
    assert 'href="/credit/pushes/"' in unit_home and 'href="/credit/"' not in unit_home


def test_admin_shows_the_audit_rows_read_only(browser_client, entry, publish, api, purpose_for):
    publish(entry)
    _check(api("liaison-police"), entry.id_number, purpose_for("liaison-police"))
    page = browser_client("admin")
    for model in ("creditentry", "creditevent", "creditpush", "creditcheck"):
        listing = page.get(f"/admin/credit/{model}/")
        assert listing.status_code == 200, model
        assert entry.id_number not in listing.content.decode()
        assert page.get(f"/admin/credit/{model}/add/").status_code == 403
    check = CreditCheck.objects.get()
    assert page.post(f"/admin/credit/creditcheck/{check.pk}/delete/", {"post": "yes"}).status_code == 403
    assert CreditCheck.objects.filter(pk=check.pk).exists()


# ---------------------------------------------------------------- the public page in a real browser

@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_public_page_in_chromium(live_server, tmp_path):
    from playwright.sync_api import sync_playwright

    from members.models import User
    from members.seeding import seed_demo

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    chromium = Path("/usr/bin/chromium")
    assert chromium.exists(), "Debian's chromium package is required for the browser tests"
    seed_demo("linkage-demo")
    clerk = User.objects.get(username="clerk")
    shown = []
    for n, (name, kind, id_number, rep) in enumerate([
        ("张某某", "person", make_resident_id(9101), ""),
        ("公安县某建筑工程有限公司", "organization", make_uscc(9102), "李某"),
        ("王某", "person", make_resident_id(9103, birth="19851231"), ""),
    ]):
        case = services.case_create(actor=clerk, number=f"(2026)鄂1022执{9101 + n}号", title="示例", amount="80000",
                                    parties=[{"role": "applicant", "name": "申请人", "id_number": make_resident_id(9200 + n)},
                                             {"role": "debtor", "kind": kind, "name": name, "id_number": id_number,
                                              "legal_representative": rep}])
        entry = credit.credit_entry_create(actor=clerk, case=case, party=debtor_of(case))
        credit.credit_entry_publish(actor=clerk, entry=decide_listing(entry))
        shown.append(entry)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        page = browser.new_context(locale="zh-CN", viewport={"width": 1200, "height": 800}).new_page()
        page.goto(live_server.url + "/public/dishonest/")
        assert page.locator("html").get_attribute("lang") == "zh-hans"
        rows = page.locator("table.public-dishonest tbody tr")
        assert rows.count() == 3
        body = page.content()
        for entry in shown:  # a person's ID masked, an organisation's credit code in full (Art. 6)
            assert entry.masked_id in body
            assert (entry.id_number in body) == (entry.kind == "organization")
        shot = tmp_path / "public-dishonest.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 1000
        if os.environ.get("UPDATE_SCREENSHOTS") == "1":
            target = Path(__file__).resolve().parent.parent / "docs" / "img" / "public-dishonest.png"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(shot, target)
        browser.close()


# ---------------------------------------------------------------- the 2017 rules (issue 15)
# 失信规定 = 最高人民法院关于公布失信被执行人名单信息的若干规定 (2017); 法发〔2019〕35号 item 15.

def _years_after(day, years):
    from dateutil.relativedelta import relativedelta

    return day + relativedelta(years=years)


@pytest.mark.dates
def test_ground_one_has_no_fixed_term_and_grounds_two_to_six_two_years(users, make_case, publish):
    """Art. 2: ground 1 no fixed term; grounds 2-6 two years from the publication."""
    first = make_case()
    open_ended = credit.credit_entry_create(actor=users["clerk"], case=first, party=debtor_of(first),
                                            ground="able_refuses")
    second = make_case()
    fixed = credit.credit_entry_create(actor=users["clerk"], case=second, party=debtor_of(second),
                                       ground="obstructs")
    publish(open_ended)
    publish(fixed)
    open_ended.refresh_from_db()
    fixed.refresh_from_db()
    assert open_ended.period_years is None and open_ended.expires_on is None
    today = timezone.localdate()
    assert fixed.period_years == 2 and fixed.expires_on == _years_after(today, 2)


@pytest.mark.dates
def test_a_serious_case_is_extended_by_one_to_three_years_with_a_reason(users, make_case, publish):
    case = make_case()
    with pytest.raises(ValidationError) as refused:
        credit.credit_entry_create(actor=users["clerk"], case=case, party=debtor_of(case), ground="obstructs",
                                   extension_years=2)
    assert "extension_reason" in refused.value.message_dict
    for years, field in ((4, "extension_years"),):
        with pytest.raises(ValidationError) as refused:
            credit.credit_entry_create(actor=users["clerk"], case=case, party=debtor_of(case), ground="obstructs",
                                       extension_years=years, extension_reason="暴力抗拒执行")
        assert field in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:  # ground 1 has no term to extend
        credit.credit_entry_create(actor=users["clerk"], case=case, party=debtor_of(case), ground="able_refuses",
                                   extension_years=1, extension_reason="情节严重")
    assert "extension_years" in refused.value.message_dict
    entry = credit.credit_entry_create(actor=users["clerk"], case=case, party=debtor_of(case), ground="obstructs",
                                       extension_years=3, extension_reason="以暴力方法抗拒执行，情节严重")
    publish(entry)
    entry.refresh_from_db()
    assert entry.expires_on == _years_after(timezone.localdate(), 5)
    assert entry.extension_reason


@pytest.mark.dates
def test_the_daily_sweep_deletes_an_expired_entry_and_withdraws_it(users, make_case, publish,
                                                                   django_capture_on_commit_callbacks):
    import time_machine

    case = make_case()
    entry = credit.credit_entry_create(actor=users["clerk"], case=case, party=debtor_of(case), ground="property_report")
    publish(entry)
    entry.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        assert credit.credit_daily_sweep(today=entry.expires_on - timezone.timedelta(days=1))["expired"] == 0
    entry.refresh_from_db()
    assert entry.status == "published"
    with time_machine.travel(timezone.now() + timezone.timedelta(days=2 * 366), tick=True):
        with django_capture_on_commit_callbacks(execute=True):
            assert credit.credit_daily_sweep()["expired"] == 1
            assert credit.credit_daily_sweep()["expired"] == 0  # idempotent
    entry.refresh_from_db()
    assert entry.status == "deleted" and entry.revoke_ground == "expired"
    assert CreditPush.objects.filter(entry=entry, withdrawal__isnull=True).count() == 0
    assert Notice.objects.filter(kind="withdraw", credit_withdrawal__entry=entry).count() == len(joint_units())


@pytest.mark.dates
def test_a_cause_of_deletion_starts_a_three_working_day_clock(users, entry, publish,
                                                              django_capture_on_commit_callbacks):
    """Art. 10: the entry is deleted within three working days of the cause; the sweep holds the limit."""
    import time_machine

    from cases.deadlines import working_days_after

    publish(entry)
    today = timezone.localdate()
    credit.credit_entry_note_deletion_cause(actor=users["clerk"], entry=entry, ground="creditor_request",
                                            cause_on=today, reason="申请执行人书面申请删除")
    entry.refresh_from_db()
    due = working_days_after(today, 3)
    assert entry.deletion_due_on == due and entry.status == "published"
    with django_capture_on_commit_callbacks(execute=True):
        assert credit.credit_daily_sweep(today=due - timezone.timedelta(days=1))["due"] == 0
    entry.refresh_from_db()
    assert entry.status == "published"
    with time_machine.travel(timezone.now() + timezone.timedelta(days=(due - today).days), tick=True):
        with django_capture_on_commit_callbacks(execute=True):
            assert credit.credit_daily_sweep()["due"] == 1
    entry.refresh_from_db()
    assert entry.status == "deleted" and entry.revoke_ground == "creditor_request"
    assert entry.deletion_cause_on == today
    with pytest.raises(ValidationError):  # a cause in the future is refused
        credit.credit_entry_delete(actor=users["clerk"], entry=entry, ground="performed",
                                   cause_on=today + timezone.timedelta(days=1))


def test_deletion_and_revocation_are_different_moves(api, users, make_case, publish):
    """Art. 10 deletes (status deleted); Art. 11-12 revokes a wrong listing, application recorded."""
    case = make_case()
    entry = credit.credit_entry_create(actor=users["clerk"], case=case, party=debtor_of(case))
    publish(entry)
    with pytest.raises(ValidationError) as refused:
        credit.credit_entry_correct(actor=users["clerk"], entry=entry, source="application", reason="错误纳入")
    assert "application" in refused.value.message_dict
    entry = credit.credit_entry_correct(actor=users["clerk"], entry=entry, source="application",
                                        applied_on=timezone.localdate(), application="被执行人书面申请：已提供担保",
                                        decision="理由成立，予以纠正")
    entry.refresh_from_db()
    assert entry.status == "revoked" and entry.revoke_ground == "wrongly_listed"
    assert entry.correction_source == "application" and entry.correction_application
    assert entry.correction_decision == "理由成立，予以纠正"
    for ground in ("performed", "settled", "creditor_request", "terminated", "basis_revoked", "expired"):
        other = make_case()
        listed = credit.credit_entry_create(actor=users["clerk"], case=other, party=debtor_of(other))
        response = api("clerk").post(f"/api/v1/credit-entries/{listed.pk}/revoke/", {"ground": ground},
                                     format="json")
        assert response.status_code == 200 and response.json()["status"] == "deleted", ground


def test_a_minor_is_refused(users):
    """Art. 4: a debtor under 18 on the decision date is not listed (birth date from the ID)."""
    from .conftest import make_resident_id as rid

    today = timezone.localdate()
    minor_birth = f"{today.year - 17}0101"
    case = services.case_create(actor=users["clerk"], number="(2026)鄂1022执7901号", title="未成年人案",
                                amount="1000", parties=[
                                    {"role": "applicant", "name": "甲", "id_number": rid(7901)},
                                    {"role": "debtor", "name": "少年乙", "id_number": rid(7902, birth=minor_birth)},
                                    {"role": "debtor", "name": "成年丙", "id_number": rid(7903, birth="19800101")}])
    minor, adult = case.parties.filter(role="debtor").order_by("id")
    with pytest.raises(ValidationError) as refused:
        credit.credit_entry_create(actor=users["clerk"], case=case, party=minor)
    assert "party" in refused.value.message_dict
    assert credit.credit_entry_create(actor=users["clerk"], case=case, party=adult).status == "pending"


def test_held_property_that_secures_the_debt_bars_ground_one(users, make_case, issue):
    """Art. 3(2): for ground 1, property already frozen that suffices refuses the listing unless the clerk
    states why it does not; other grounds are not barred."""
    case = make_case(amount="1000.00")
    notice = issue(case, "bank-icbc", "freeze")
    services.notice_acknowledge(actor=users["liaison-bank-icbc"], notice=notice)
    services.notice_answer(actor=users["liaison-bank-icbc"], notice=notice, outcome="done", detail="",
                           result_amount="1000.00")
    with pytest.raises(ValidationError) as refused:
        credit.credit_entry_create(actor=users["clerk"], case=case, party=debtor_of(case), ground="able_refuses")
    assert "measures_note" in refused.value.message_dict
    entry = credit.credit_entry_create(actor=users["clerk"], case=case, party=debtor_of(case), ground="able_refuses",
                                       measures_note="冻结款项系案外人所有，已提出异议")
    assert entry.measures_note


@pytest.mark.dates
def test_a_grace_period_blocks_publication_until_it_ends(users, make_case, publish):
    """法发〔2019〕35号 item 15: one to three months, with the warning recorded; no publication before."""
    import time_machine

    case = make_case()
    with pytest.raises(ValidationError) as refused:
        credit.credit_entry_create(actor=users["clerk"], case=case, party=debtor_of(case), grace_months=2)
    assert "grace_warning" in refused.value.message_dict
    with pytest.raises(ValidationError):
        credit.credit_entry_create(actor=users["clerk"], case=case, party=debtor_of(case), grace_months=4,
                                   grace_warning="预警")
    entry = credit.credit_entry_create(actor=users["clerk"], case=case, party=debtor_of(case), grace_months=1,
                                       grace_warning="已向被执行人发出失信惩戒预警通知")
    assert entry.grace_until > timezone.localdate()
    assert entry.events.get().note  # the warning is in the record
    with pytest.raises(ValidationError) as refused:
        publish(entry)
    assert "grace_until" in refused.value.message_dict
    assert not CreditPush.objects.filter(entry=entry).exists()
    with time_machine.travel(timezone.now() + timezone.timedelta(days=32), tick=True):
        publish(entry)
    entry.refresh_from_db()
    assert entry.status == "published"


def test_publishing_again_after_shielding_is_a_new_decision(api, entry, publish):
    publish(entry)
    publish(entry, "shield", reason="暂时屏蔽")
    client = api("clerk")
    assert client.post(f"/api/v1/credit-entries/{entry.pk}/republish/", {}, format="json").status_code == 400
    entry.refresh_from_db()
    assert entry.status == "shielded"
    from credit.workflow import CREDIT_MACHINE
    from linkage.statemachine import InvalidTransition

    with pytest.raises(InvalidTransition):  # the first publication cannot be repeated
        CREDIT_MACHINE.transition_for("shielded", "publish")
    publish(entry, "republish", reason="屏蔽事由消除，重新决定公布")
    entry.refresh_from_db()
    assert entry.status == "published" and entry.round == 2
    event = entry.events.get(transition="republish")
    assert event.note == "屏蔽事由消除，重新决定公布" and event.from_status == "shielded"
    assert push_notices(entry, 2).count() == len(joint_units())


@pytest.mark.dates
def test_public_page_shows_what_art_6_lists(client, users, make_case, org_case, publish):
    case = make_case(basis_issuer="公安县人民法院", basis_number="（2025）鄂1022民初100号")
    person = credit.credit_entry_create(actor=users["clerk"], case=case, party=debtor_of(case), ground="evades")
    org = credit.credit_entry_create(actor=users["clerk"], case=org_case, party=debtor_of(org_case))
    publish(person)
    publish(org)
    body = client.get("/public/dishonest/").content.decode()
    assert person.masked_id in body and person.id_number not in body
    assert "（2025）鄂1022民初100号" in body and "公安县人民法院" in body  # the basis: issuer and number
    age = timezone.localdate().year - 1990  # make_resident_id: born 1 January 1990
    assert f"{person.sex} · {age}</td>" in body and person.sex  # sex and age, read from the ID
    assert org.id_number in body and "赵六" in body  # the credit code is public, and the legal representative
    assert person.obligation in body and case.number in body
    assert case.created_at.astimezone(timezone.get_current_timezone()).strftime("%Y-%m-%d") in body  # filed
    lead = body.split('class="lead">')[1].split("</p>")[0]
    assert "refuse" not in lead.lower() and "拒不" not in lead
    # Search by case number; never by id.
    found = client.get("/public/dishonest/", {"q": case.number}).content.decode()
    assert person.name in found and org.name not in found


def test_check_by_name_and_id_says_since_when_and_on_which_ground(api, entry, publish, purpose_for):
    publish(entry)
    client = api("liaison-bank-icbc")
    purpose = purpose_for("liaison-bank-icbc")
    body = client.get("/api/v1/credit-check/", {"id_number": entry.id_number, "name": entry.name,
                                                "reason": "贷款", "purpose": purpose}).json()
    assert body["listed"] is True
    [found] = body["entries"]
    assert found["listed_since"] and found["ground"] == "able_refuses" and found["ground_label"]
    other = client.get("/api/v1/credit-check/", {"id_number": entry.id_number, "name": "别人", "reason": "贷款",
                                                 "purpose": purpose})
    assert other.json()["listed"] is False


def test_final_no_property_keeps_entry_and_conclusion_deletes_through_the_hook(users, entry, publish,
                                                                            django_capture_on_commit_callbacks):
    """The conclusion reaches the list through cases.hooks.case_concluded, sent on commit."""
    from cases.hooks import case_concluded

    publish(entry)
    seen = []

    def receiver(sender, **kwargs):
        seen.append(kwargs["outcome"])

    case_concluded.connect(receiver)
    try:
        case = Case.objects.get(pk=entry.case_id)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.case_conclude(actor=users["clerk"], case=case, outcome="completed", note="已全部履行")
        entry.refresh_from_db()
        assert entry.status == "published" and seen == []  # nothing before the commit
        with django_capture_on_commit_callbacks(execute=True):
            for callback in callbacks:
                callback()
    finally:
        case_concluded.disconnect(receiver)
    entry.refresh_from_db()
    assert seen == ["completed"] and entry.status == "deleted"


def test_the_sweep_deletes_entries_of_a_concluded_case_when_the_hook_was_lost(users, entry, publish):
    publish(entry)
    case = Case.objects.get(pk=entry.case_id)
    services.case_conclude(actor=users["clerk"], case=case, outcome="terminated")  # on-commit never runs here
    entry.refresh_from_db()
    assert entry.status == "published"
    assert credit.credit_daily_sweep()["concluded"] == 1
    entry.refresh_from_db()
    assert entry.status == "deleted" and entry.revoke_ground == "terminated"


# ---------------------------------------------------------------- the move to credit/ keeps every row

MIGRATION_SCRIPT = r"""
import os, sys, django
os.environ["DJANGO_SETTINGS_MODULE"] = "linkage.settings"
django.setup()
from django.core.management import call_command
from django.db import connection
step = sys.argv[1]
TABLES = ["cases_creditentry", "cases_creditperson", "cases_creditevent", "cases_creditpush", "cases_creditcheck"]

def counts():
    with connection.cursor() as cursor:
        out = {}
        for table in TABLES:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            out[table] = cursor.fetchone()[0]
        cursor.execute("SELECT id, name, status, id_number FROM cases_creditentry ORDER BY id")
        out["entries"] = [list(r) for r in cursor.fetchall()]
        return out

if step == "old":
    # A database at today's head (before the move) with rows in it: migrate, fill through the services,
    # then go back to the last migration of cases before the move (the tables keep their rows).
    call_command("migrate", verbosity=0)
    from django.contrib.auth.models import Group
    from members.models import Unit, User
    from members.seeding import seed_units
    seed_units()
    clerk = User.objects.create(username="clerk", unit=Unit.objects.get(code="court"))
    clerk.groups.add(Group.objects.get(name="clerk"))
    from cases import services
    from credit import services as credit
    clerk = User.objects.get(pk=clerk.pk)
    case = services.case_create(actor=clerk, number="(2026)鄂1022执9901号", title="迁移", amount="100",
                                parties=[{"role": "applicant", "name": "甲", "id_number": sys.argv[2]},
                                         {"role": "debtor", "name": "乙", "id_number": sys.argv[3]}])
    entry = credit.credit_entry_create(actor=clerk, case=case, party=case.parties.get(role="debtor"))
    president = User.objects.create(username="president", unit=Unit.objects.get(code="court"))
    president.groups.add(Group.objects.get(name="president"))
    president = User.objects.get(pk=president.pk)
    from credit import decisions
    decisions.credit_entry_propose(actor=clerk, entry=entry)
    decisions.credit_entry_decide(actor=president, entry=entry)
    credit.credit_entry_publish(actor=clerk, entry=entry)
    credit.credit_sync(entry.pk)
    credit.credit_check(actor=clerk, id_number=sys.argv[3], reason="迁移测试", purpose=case.number)  # issue 29
    call_command("migrate", "credit", "zero", verbosity=0)
    call_command("migrate", "cases", "0013", verbosity=0)
    from django.db.migrations.recorder import MigrationRecorder
    applied = {(m.app, m.name) for m in MigrationRecorder.Migration.objects.all()}
    assert ("cases", "0014_credit_moved_to_its_app") not in applied and not any(a == "credit" for a, _ in applied)
    print(counts())
else:
    call_command("migrate", verbosity=0)
    result = counts()
    from credit.models import CreditEntry, CreditPush
    result["orm"] = [CreditEntry.objects.count(), CreditPush.objects.count()]
    from django.contrib.auth.models import Permission
    result["perm"] = Permission.objects.filter(content_type__app_label="credit", codename="publish_creditentry").count()
    result["clerk_can"] = __import__("members.models", fromlist=["User"]).User.objects.get(
        username="clerk").has_perm("credit.publish_creditentry")
    print(result)
"""


@pytest.mark.django_db(transaction=False)
def test_a_database_migrated_at_todays_head_keeps_every_row(tmp_path):
    """credit.0001 / cases.0014 move the models by state only (SeparateDatabaseAndState, db_table kept)."""
    import ast
    import subprocess
    import sys

    script = tmp_path / "migrate_rows.py"
    script.write_text(MIGRATION_SCRIPT)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'old.sqlite3'}", "CELERY_BROKER_URL": "",
           "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    cwd = Path(__file__).resolve().parent.parent

    def run(*args):
        done = subprocess.run([sys.executable, str(script), *args], env=env, cwd=cwd, capture_output=True,
                              text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        return ast.literal_eval(done.stdout.strip().splitlines()[-1])

    before = run("old", make_resident_id(9901), make_resident_id(9902))
    assert before["cases_creditentry"] >= 1 and before["cases_creditpush"] > 0 and before["cases_creditcheck"] >= 1
    after = run("new")
    for table in ("cases_creditentry", "cases_creditperson", "cases_creditevent", "cases_creditpush",
                  "cases_creditcheck", "entries"):
        assert after[table] == before[table], table
    assert after["orm"] == [before["cases_creditentry"], before["cases_creditpush"]]
    assert after["perm"] == 1 and after["clerk_can"] is True  # the content types moved with the models
