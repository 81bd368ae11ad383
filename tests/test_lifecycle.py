"""Issue 26: enforcement that branches, with every measure held at a unit following the case's real path.

Each of the seven faults the issue found has a test here, at the clock of the rule it concerns (frozen with
time-machine at Shanghai wall-clock times, so nothing depends on the hour the suite runs):

1. a seizure still unanswered at 终本 is released after 执恢 (the answer lands on the resumed case);
2. a 执保 case never ends by release unless it is lifted, and its measures carry into its 执 case;
3. the notice, the proof of service and the register state one term, from service (查扣冻规定 Art. 1);
4. a renewal served before the end never lapses, whenever the unit answers (民诉法解释 Art. 485);
5. every release, 终本 and termination names its ruling (查扣冻规定 Art. 28; 民诉法解释 Art. 517);
6. 终本 needs the conditions of 终本规定 Art. 1 (three months from filing, a 限制消费令, the rest confirmed);
7. review cases (执异, 执复, 执监) carry no measures and no enforcement outcome; 执保 has its own outcomes.
"""
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from cases import measures, services, terms
from cases.measures import measures_sweep
from cases.models import Case, CaseEvent, Measure, Notice
from documents.models import IssuedDocument
from linkage.statemachine import InvalidTransition

from .conftest import final_ready, make_resident_id, pdf_bytes

API = "/api/v1/"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year, month, day, hour=10, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def travel(moment):
    return time_machine.travel(moment, tick=False)


def _pdf(name="裁定书.pdf"):
    return SimpleUploadedFile(name, pdf_bytes(name), content_type="application/pdf")


def _fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def _ack(users, notice):
    return services.notice_acknowledge(actor=users[f"liaison-{notice.unit.code}"], notice=notice)


def _answer(users, notice, amount=None, outcome="done", **kwargs):
    return services.notice_answer(actor=users[f"liaison-{notice.unit.code}"], notice=notice, outcome=outcome,
                                  detail="" if outcome == "done" else "部分", result_amount=amount, **kwargs)


def _confirm_release(users, release):
    _ack(users, release)
    return _answer(users, release)


@pytest.fixture
def new_case(users):
    """``new_case(number, amount=..., filed_on=...)``: a case of any type, with one debtor."""
    serial = iter(range(500, 10_000))

    def _make(number=None, *, amount="100000.00", **kwargs):
        n = next(serial)
        parties = [{"role": "applicant", "name": f"申请人{n}", "id_number": make_resident_id(n)},
                   {"role": "debtor", "name": f"被执行人{n}", "id_number": make_resident_id(n * 10 + 1)}]
        return services.case_create(actor=users["clerk"], number=number or f"（2026）鄂1022执{n}号",
                                    title=f"测试案件{n}", amount=Decimal(amount), parties=parties, **kwargs)

    return _make


# ------------------------------------------------------------------ fault 1: the seizure after 执恢

def test_a_seizure_unanswered_at_final_is_released_after_resumption(users, new_case, issue,
                                                                     django_capture_on_commit_callbacks):
    """终本 keeps the seizure request open; 执恢 takes it over; the registry's later answer lands on the
    执恢 case, whose conclusion releases it, and the old notice is not left open."""
    with travel(at(2026, 8, 3)):
        case = new_case(filed_on=date(2026, 8, 3))
        freeze = issue(case, "bank-icbc", "freeze", asset_kind="deposit")
        _ack(users, freeze)
        _answer(users, freeze, amount="30000.00")
        seizure = issue(case, "natres", "seize", subject="查封被执行人名下住房", asset_kind="real_estate")
        restrict = issue(case, "police", "restrict", subject="限制被执行人出境")
        _ack(users, restrict)
        _answer(users, restrict)
    with travel(at(2026, 11, 20)):  # more than three months after filing (终本规定 Art. 1(4))
        services.case_conclude(actor=users["clerk"], case=case, outcome="final_no_property", **final_ready(case))
        assert _fresh(seizure).status == "delivered"  # 终本 keeps the open measure request
    with travel(at(2026, 12, 7)):
        resumed = services.case_resume(actor=users["clerk"], case=case, number="（2026）鄂1022执恢9号")
        assert _fresh(seizure).measure_case_id == resumed.pk  # requested, and it belongs to the new case
        _ack(users, seizure)
        _answer(users, seizure)  # the registry answers on the old notice
    taken = Measure.objects.get(notice=seizure)
    assert taken.case_id == resumed.pk  # it lands on the resumed case
    assert (taken.starts_on, taken.expires_on) == (date(2026, 12, 7), date(2029, 12, 6))
    with travel(at(2026, 12, 8)), django_capture_on_commit_callbacks(execute=True):
        result = services.case_conclude(actor=users["clerk"], case=resumed, outcome="completed", note="已全部履行")
    assert {r.original_id for r in result.release_notices} == {freeze.pk, seizure.pk, restrict.pk}
    assert all(r.case_id == resumed.pk for r in result.release_notices)
    assert _fresh(seizure).status == "closed"  # the old notice is closed, not left open for ever
    with travel(at(2026, 12, 9)):
        for release in result.release_notices:
            _confirm_release(users, release)
    assert not Measure.objects.filter(notice__in=[freeze, seizure, restrict], status="active").exists()
    assert set(Measure.objects.filter(notice__in=[freeze, seizure, restrict]).values_list("status", flat=True)) == {
        "released"}


# ------------------------------------------------------------------ fault 2: preservation is kept, carried over

def test_a_preservation_case_never_ends_by_release_and_its_measures_carry_over(users, new_case, issue, api,
                                                                                django_capture_on_commit_callbacks):
    with travel(at(2026, 12, 1)):
        preservation = new_case("（2026）鄂1022执保7号")
        freeze = issue(preservation, "bank-icbc", "freeze", asset_kind="deposit")
        _ack(users, freeze)
        _answer(users, freeze, amount="40000.00")
        kept = Measure.objects.get(notice=freeze)
        refused = api("clerk").post(f"{API}cases/{preservation.pk}/conclude/",
                                    {"outcome": "completed", "note": "已履行"}, format="json")
        assert refused.status_code == 400 and "outcome" in refused.json()
        done = api("clerk").post(f"{API}cases/{preservation.pk}/conclude/", {"outcome": "preservation_done"},
                                 format="json")
    assert done.status_code == 200, done.content
    assert done.json()["release_notices"] == [] and done.json()["kept_measures"] == [kept.pk]
    assert not Notice.objects.filter(kind="release").exists()
    assert _fresh(kept).status == "active"
    with travel(at(2026, 12, 10)), django_capture_on_commit_callbacks(execute=True):
        response = api("clerk").post(f"{API}cases/", {
            "number": "（2026）鄂1022执88号", "title": "保全转执行", "amount": "100000.00",
            "parties": [{"role": "debtor", "name": "被执行人", "id_number": make_resident_id(8801)}],
            "preservation_case": preservation.pk, "filed_on": "2026-12-09"}, format="json")
    assert response.status_code == 201, response.content
    enforcement = Case.objects.get(pk=response.json()["id"])
    moved = _fresh(kept)
    assert moved.case_id == enforcement.pk
    assert (moved.starts_on, moved.expires_on) == (kept.starts_on, kept.expires_on)  # the term runs on
    assert [m["id"] for m in api("clerk").get(f"{API}measures/", {"case": enforcement.pk}).json()["results"]] == [
        kept.pk]
    letters = Notice.objects.filter(case=enforcement)
    assert [(n.kind, n.unit.code) for n in letters] == [("conversion", "bank-icbc")]  # one letter, no new notice
    assert enforcement.filed_on == date(2026, 12, 9) and enforcement.preservation_case_id == preservation.pk
    # Taken over once only.
    with travel(at(2026, 12, 10)):
        again = api("clerk").post(f"{API}cases/", {
            "number": "（2026）鄂1022执89号", "title": "再次", "amount": "1.00",
            "parties": [{"role": "debtor", "name": "被执行人", "id_number": make_resident_id(8802)}],
            "preservation_case": preservation.pk}, format="json")
    assert again.status_code == 400 and "preservation_case" in again.json()


def test_lifting_a_preservation_releases_with_its_ruling(users, new_case, issue, api):
    with travel(at(2026, 12, 1)):
        preservation = new_case("（2026）鄂1022执保8号")
        freeze = issue(preservation, "bank-icbc", "freeze", asset_kind="deposit")
        _ack(users, freeze)
        _answer(users, freeze, amount="40000.00")
        response = api("clerk").post(f"{API}cases/{preservation.pk}/conclude/",
                                     {"outcome": "preservation_lifted", "ground": "security"}, format="json")
    assert response.status_code == 200, response.content
    release = Notice.objects.get(kind="release", original=freeze)
    assert release.release_ground == "preservation_lifted"
    assert release.ruling.title == "解除保全裁定书" and release.ruling.generated


# ------------------------------------------------------------------ fault 3: one term, from service

@pytest.mark.dates
def test_the_notice_the_receipt_and_the_register_state_one_term_from_service(users, new_case, issue, api):
    """Issued Friday 2026-12-04, served Monday 12-07: the notice states the term runs from service, the
    proof of service and the register both say 2026-12-07 to 2027-12-06, and the measure stops being
    renewable the day after its last day."""
    from cases.documents import render_notice_html
    from cases.stored_documents import receipt_context

    with travel(at(2026, 12, 4, 16)):
        case = new_case()
        freeze = issue(case, "bank-icbc", "freeze", asset_kind="deposit")
    with travel(at(2026, 12, 7, 9)):
        _ack(users, freeze)
    with travel(at(2026, 12, 8, 9)):
        _answer(users, freeze, amount="20000.00")
    freeze = _fresh(freeze)
    html = render_notice_html(freeze, freeze.unit)
    assert "自本通知书送达之日起计算" in html and "2026年12月4日起" not in html
    receipt = IssuedDocument.objects.get(notice=freeze, kind="receipt")
    assert receipt_context(receipt)["term"].startswith("冻结期限自2026年12月7日起至2027年12月6日止")
    measure = Measure.objects.get(notice=freeze)
    assert (measure.starts_on, measure.expires_on) == (date(2026, 12, 7), date(2027, 12, 6))
    body = api("clerk").get(f"{API}measures/{measure.pk}/").json()
    assert (body["starts_on"], body["expires_on"]) == ("2026-12-07", "2027-12-06")
    assert body["term_label"] == "自2026年12月7日起至2027年12月6日止"
    with travel(at(2027, 12, 6, 23, 30)):  # the last day: still renewable
        assert terms.is_renewable(_fresh(measure))
    with travel(at(2027, 12, 7, 0, 30)):  # the day after: the term has ended for the bank and the register
        assert not terms.is_renewable(_fresh(measure))
        measures_sweep()
        assert _fresh(measure).status == "lapsed"


# ------------------------------------------------------------------ fault 4: a renewal served in time

@pytest.mark.dates
def test_a_renewal_served_before_the_end_never_lapses_whenever_the_unit_answers(users, new_case, issue):
    with travel(at(2026, 12, 4)):
        case = new_case()
        freeze = issue(case, "bank-icbc", "freeze", asset_kind="deposit")
    with travel(at(2026, 12, 7)):
        _ack(users, freeze)
        _answer(users, freeze, amount="20000.00")
    measure = Measure.objects.get(notice=freeze)
    with travel(at(2027, 11, 25)):
        renewal = measures.measure_renew(actor=users["clerk"], measure=measure)
    assert renewal.ruling is not None and renewal.ruling.ruling_kind == "renewal"  # 续行 by ruling
    with travel(at(2027, 12, 1, 15)):
        _ack(users, renewal)  # served before the end (2027-12-06)
    with travel(at(2027, 12, 7, 1)):
        measures_sweep()  # the sweep runs after the old end, before the bank answers
    with travel(at(2027, 12, 8, 10)):
        _answer(users, renewal, amount="20000.00")
    measure = _fresh(measure)
    assert (measure.status, measure.renewals, measure.expires_on) == ("active", 1, date(2028, 12, 6))


def test_a_renewal_the_unit_could_not_carry_out_ends_the_measure_on_its_old_term(users, new_case, issue):
    with travel(at(2026, 12, 4)):
        case = new_case()
        freeze = issue(case, "bank-icbc", "freeze", asset_kind="deposit")
    with travel(at(2026, 12, 7)):
        _ack(users, freeze)
        _answer(users, freeze, amount="20000.00")
    measure = Measure.objects.get(notice=freeze)
    with travel(at(2027, 11, 25)):
        renewal = measures.measure_renew(actor=users["clerk"], measure=measure)
        _ack(users, renewal)
        assert _fresh(measure).expires_on == date(2028, 12, 6)
    with travel(at(2027, 12, 8)):
        _answer(users, renewal, outcome="unable")  # the account was closed
    measure = _fresh(measure)
    assert (measure.status, measure.renewals, measure.expires_on) == ("lapsed", 0, date(2027, 12, 6))


# ------------------------------------------------------------------ fault 5: every release names its ruling

def test_releases_on_conclusion_carry_a_numbered_sealed_release_ruling(users, new_case, issue):
    with travel(at(2026, 12, 7)):
        case = new_case()
        freeze = issue(case, "bank-icbc", "freeze", asset_kind="deposit")
        _ack(users, freeze)
        _answer(users, freeze, amount="20000.00")
        result = services.case_conclude(actor=users["clerk"], case=case, outcome="completed", note="已全部履行")
    release = result.release_notices[0]
    ruling = release.ruling
    assert ruling is not None and ruling.generated and ruling.ruling_kind == "release"
    assert ruling.title == "解除冻结裁定书" and ruling.ruling_number == f"{case.number}之二"
    assert _fresh(case).outcome_ruling_id == ruling.pk
    document = IssuedDocument.objects.get(ruling=ruling)
    assert (document.kind, document.number) == ("ruling", ruling.ruling_number)
    from cases.rulings import render_ruling_html

    text = render_ruling_html(ruling)
    assert "执行裁定书" in text and "裁定如下" in text and "解除" in text and "第二十八条第一款第四项" in text


@pytest.mark.parametrize(("outcome", "kind", "title"), [
    ("final_no_property", "final_no_property", "终结本次执行程序裁定书"),
    ("terminated", "termination", "终结执行裁定书"),
])
def test_final_and_termination_have_their_own_rulings(users, new_case, outcome, kind, title):
    with travel(at(2026, 12, 7)):
        case = new_case()
        extra = final_ready(case) if outcome == "final_no_property" else {"ground": "creditor_withdrew"}
        result = services.case_conclude(actor=users["clerk"], case=case, outcome=outcome, **extra)
    assert (result.ruling.ruling_kind, result.ruling.title) == (kind, title)
    assert IssuedDocument.objects.filter(ruling=result.ruling, kind="ruling").exists()


def test_an_uploaded_ruling_is_used_instead_of_drawing_one_up(users, new_case, issue, api):
    with travel(at(2026, 12, 7)):
        case = new_case()
        freeze = issue(case, "bank-icbc", "freeze")
        response = api("clerk").post(f"{API}cases/{case.pk}/conclude/", {
            "outcome": "completed", "note": "已履行", "ruling": _pdf("解除冻结裁定书.pdf")}, format="multipart")
    assert response.status_code == 200, response.content
    release = Notice.objects.get(kind="release", original=freeze)
    assert not release.ruling.generated and release.ruling.file


# ------------------------------------------------------------------ fault 6: the conditions of 终本

@pytest.mark.dates
def test_final_one_day_after_filing_is_refused_with_the_unmet_conditions(users, new_case, api):
    with travel(at(2026, 12, 4)):
        case = new_case(filed_on=date(2026, 12, 3))
    with travel(at(2026, 12, 4, 15)):
        response = api("clerk").post(f"{API}cases/{case.pk}/conclude/", {"outcome": "final_no_property"},
                                     format="json")
    assert response.status_code == 400, response.content
    unmet = {c["code"]: c["confirmable"] for c in response.json()["conditions"]}
    assert unmet["three_months"] is False and unmet["restriction_order"] is False
    assert unmet["notified"] is True and unmet["applicant_heard"] is True
    assert _fresh(case).status == "open"
    # Confirming what the portal counts is refused; confirming without a note too.
    with travel(at(2026, 12, 4, 15)):
        bad = api("clerk").post(f"{API}cases/{case.pk}/conclude/",
                                {"outcome": "final_no_property", "confirm": ["three_months"], "note": "x"},
                                format="json")
        assert bad.status_code == 400 and "confirm" in bad.json()
        quiet = api("clerk").post(f"{API}cases/{case.pk}/conclude/",
                                  {"outcome": "final_no_property", "confirm": ["notified"]}, format="json")
        assert quiet.status_code == 400 and "note" in quiet.json()
    # Filed 2026-12-03: 终本 possible only after 2027-03-03 (more than three months).
    ready = final_ready(case)
    from cases.models import Case as CaseModel

    CaseModel.objects.filter(pk=case.pk).update(filed_on=date(2026, 12, 3))
    with travel(at(2027, 3, 3, 23, 30)):
        still = api("clerk").post(f"{API}cases/{case.pk}/conclude/", {"outcome": "final_no_property", **ready},
                                  format="json")
        assert still.status_code == 400 and [c["code"] for c in still.json()["conditions"]] == ["three_months"]
    with travel(at(2027, 3, 4, 0, 30)):
        done = api("clerk").post(f"{API}cases/{case.pk}/conclude/", {"outcome": "final_no_property", **ready},
                                 format="json")
    assert done.status_code == 200, done.content
    case = _fresh(case)
    assert case.outcome == "final_no_property" and case.next_search_on == date(2027, 9, 4)


def test_the_conclusion_page_shows_the_checklist(browser_client, new_case):
    case = new_case()
    page = browser_client("clerk").get(f"/cases/{case.pk}/conclude/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    codes = [c.code for c in page.context["conditions"]]
    assert codes == ["notified", "restriction_order", "listed", "investigated", "three_months", "located",
                     "applicant_heard"]
    assert 'name="confirm"' in page.content.decode()


# ------------------------------------------------------------------ fault 7: case types constrain actions

@pytest.mark.parametrize("case_type", ["执异", "执复", "执监"])
def test_a_review_case_carries_no_measure_and_no_enforcement_outcome(users, new_case, api, case_type):
    case = new_case(f"（2026）鄂1022{case_type}3号")
    freeze = api("clerk").post(f"{API}notices/", {"case": case.pk, "unit": "bank-icbc", "action": "freeze",
                                                  "subject": "冻结存款", "ruling": _pdf()}, format="multipart")
    assert freeze.status_code == 400 and "action" in freeze.json()
    assert not Notice.objects.filter(case=case).exists()
    for outcome in ("completed", "terminated", "final_no_property", "preservation_done"):
        response = api("clerk").post(f"{API}cases/{case.pk}/conclude/", {"outcome": outcome, "note": "x"},
                                     format="json")
        assert response.status_code == 400 and "outcome" in response.json(), outcome
    suspend = api("clerk").post(f"{API}cases/{case.pk}/suspend/", {"kind": "suspension", "ground": "other",
                                                                   "reason": "x"}, format="json")
    assert suspend.status_code == 409
    done = api("clerk").post(f"{API}cases/{case.pk}/conclude/", {"outcome": "review_dismissed"}, format="json")
    assert done.status_code == 200 and done.json()["outcome"] == "review_dismissed"


def test_a_preservation_case_only_queries_freezes_and_seizes(users, new_case, api):
    case = new_case("（2026）鄂1022执保11号")
    deduct = api("clerk").post(f"{API}notices/", {"case": case.pk, "unit": "bank-icbc", "action": "deduct",
                                                  "subject": "扣划存款", "ruling": _pdf()}, format="multipart")
    assert deduct.status_code == 400 and "action" in deduct.json()
    query = api("clerk").post(f"{API}notices/", {"case": case.pk, "unit": "bank-icbc", "action": "query",
                                                 "subject": "查询存款"}, format="json")
    assert query.status_code == 201


# ------------------------------------------------------------------ suspension and deferral

@pytest.mark.dates
def test_suspension_keeps_measures_pauses_the_clocks_and_allows_releases_only(users, new_case, issue, api):
    with travel(at(2026, 12, 1)):
        case = new_case()
        freeze = issue(case, "bank-icbc", "freeze", asset_kind="deposit")
        _ack(users, freeze)
        _answer(users, freeze, amount="20000.00")
        query = issue(case, "police", "query", subject="查询车辆")
        due = query.due_at
    measure = Measure.objects.get(notice=freeze)
    with travel(at(2026, 12, 2)):
        response = api("clerk").post(f"{API}cases/{case.pk}/suspend/", {
            "kind": "suspension", "ground": "third_party_objection", "reason": "案外人异议成立"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "suspended" and response.json()["suspension"]["ground"] == \
        "third_party_objection"
    assert _fresh(measure).status == "active"
    assert _fresh(query).paused_since is not None  # the unit sees the request paused
    with travel(at(2026, 12, 30)):  # long after its deadline: not overdue while suspended
        assert not Notice.objects.filter(pk=query.pk).overdue().exists()
        refused = api("clerk").post(f"{API}notices/", {"case": case.pk, "unit": "police", "action": "query",
                                                       "subject": "再查询"}, format="json")
        assert refused.status_code == 400 and "case" in refused.json()
        release = api("clerk").post(f"{API}measures/{measure.pk}/release/", {"ground": "security"},
                                    format="multipart")
        assert release.status_code == 201, release.content  # a release is still allowed
        proceed = api("clerk").post(f"{API}cases/{case.pk}/proceed/", {"note": "异议已审结"}, format="json")
    assert proceed.status_code == 200 and proceed.json()["status"] == "open"
    query = _fresh(query)
    assert query.paused_since is None and query.due_at.date() > due.date() + timedelta(days=27)
    kinds = list(CaseEvent.objects.filter(case=case).values_list("transition", flat=True))
    assert kinds == ["register", "suspend", "proceed"]


@pytest.mark.dates
def test_a_deferral_has_its_limit_and_proceeds_by_itself(users, new_case, api):
    from cases.lifecycle_services import deferrals_sweep

    with travel(at(2026, 12, 7)):
        case = new_case()
        too_long = api("clerk").post(f"{API}cases/{case.pk}/suspend/", {
            "kind": "deferral", "ground": "other", "reason": "申请复议", "until": "2027-03-08"}, format="json")
        assert too_long.status_code == 400 and "until" in too_long.json()  # more than three months
        ok = api("clerk").post(f"{API}cases/{case.pk}/suspend/", {
            "kind": "deferral", "ground": "security_given", "until": "2027-06-30"}, format="json")
    assert ok.status_code == 200, ok.content
    assert _fresh(case).suspensions.get().ruling.title == "暂缓执行决定书"
    with travel(at(2027, 6, 30, 23)):
        assert deferrals_sweep() == 0  # its last day
    with travel(at(2027, 7, 1, 1)):
        assert deferrals_sweep() == 1
    assert _fresh(case).status == "open"


def test_a_bankruptcy_accepted_releases_the_measures(users, new_case, issue, api):
    with travel(at(2026, 12, 7)):
        case = new_case()
        freeze = issue(case, "bank-icbc", "freeze")
        _ack(users, freeze)
        _answer(users, freeze, amount="20000.00")
        response = api("clerk").post(f"{API}cases/{case.pk}/suspend/", {
            "kind": "suspension", "ground": "bankruptcy", "reason": "法院已受理破产申请"}, format="json")
    assert response.status_code == 200, response.content
    release = Notice.objects.get(kind="release", original=freeze)  # 企业破产法 Art. 19
    assert release.release_ground == "bankruptcy" and release.ruling.ruling_kind == "suspension"


# ------------------------------------------------------------------ settlement and payments

@pytest.mark.dates
def test_a_settlement_suspends_tracks_its_instalments_and_ends_performed(users, new_case, issue, api,
                                                                          django_capture_on_commit_callbacks):
    from cases.selectors import lifecycle_todo_counts

    with travel(at(2026, 12, 1)):
        case = new_case(amount="30000.00")
        freeze = issue(case, "bank-icbc", "freeze")
        _ack(users, freeze)
        _answer(users, freeze, amount="30000.00")
        response = api("clerk").post(f"{API}cases/{case.pk}/settlements/", {
            "signed_on": "2026-12-01", "terms": "分两期付清",
            "instalments": [{"due_on": "2026-12-10", "amount": "10000.00"},
                            {"due_on": "2027-01-10", "amount": "20000.00"}]}, format="json")
    assert response.status_code == 201, response.content
    assert _fresh(case).status == "suspended" and _fresh(case).suspension_kind == "settlement"
    assert Measure.objects.get(notice=freeze).status == "active"  # the agreement names none
    with travel(at(2026, 12, 11)):
        assert lifecycle_todo_counts()["instalments_overdue"] == 1
        states = api("clerk").get(f"{API}cases/{case.pk}/settlements/").json()[0]["instalments"]
        assert [s["status"] for s in states] == ["overdue", "due"]
        paid = api("clerk").post(f"{API}cases/{case.pk}/payments/", {
            "amount": "10000.00", "received_on": "2026-12-11", "way": "paid"}, format="json")
        assert paid.status_code == 201
        assert lifecycle_todo_counts()["instalments_overdue"] == 0
        assert api("clerk").get(f"{API}cases/{case.pk}/").json()["outstanding_amount"] == "20000.00"
    with travel(at(2027, 1, 9)):
        api("clerk").post(f"{API}cases/{case.pk}/payments/", {
            "amount": "20000.00", "received_on": "2027-01-09", "way": "paid"}, format="json")
        assert lifecycle_todo_counts()["settled"] == 1
        with django_capture_on_commit_callbacks(execute=True):
            done = api("clerk").post(f"{API}cases/{case.pk}/conclude/", {"outcome": "completed"}, format="json")
    assert done.status_code == 200, done.content
    assert _fresh(case).settlements.get().status == "performed"
    assert Notice.objects.filter(kind="release", original=freeze).exists()


def test_a_breached_settlement_resumes_on_the_applicants_application(users, new_case, api):
    with travel(at(2026, 12, 1)):
        case = new_case()
        services.settlement_record(actor=users["clerk"], case=case, signed_on=date(2026, 12, 1), terms="分期",
                                   instalments=[{"due_on": date(2026, 12, 5), "amount": "1000.00"}])
        silent = api("clerk").post(f"{API}cases/{case.pk}/proceed/", {}, format="json")
        assert silent.status_code == 400 and "note" in silent.json()
        response = api("clerk").post(f"{API}cases/{case.pk}/proceed/", {"note": "被执行人未按期履行，申请执行人申请恢复执行"},
                                     format="json")
    assert response.status_code == 200 and response.json()["status"] == "open"
    assert _fresh(case).settlements.get().status == "breached"


def test_a_payment_over_the_outstanding_amount_is_refused(users, new_case, api):
    case = new_case(amount="1000.00")
    response = api("clerk").post(f"{API}cases/{case.pk}/payments/", {
        "amount": "1000.01", "received_on": "2026-01-01", "way": "paid"}, format="json")
    assert response.status_code == 400 and "amount" in response.json()
    assert not case.payments.exists()


def test_completed_needs_the_payments_or_a_note(users, new_case, api):
    case = new_case(amount="1000.00")
    response = api("clerk").post(f"{API}cases/{case.pk}/conclude/", {"outcome": "completed"}, format="json")
    assert response.status_code == 400 and "note" in response.json()
    services.payment_record(actor=users["clerk"], case=case, amount="1000.00", received_on=date.today(), way="paid")
    response = api("clerk").post(f"{API}cases/{case.pk}/conclude/", {"outcome": "completed"}, format="json")
    assert response.status_code == 200, response.content


def test_over_seizure_is_flagged_and_a_partial_release_lowers_the_measure(users, new_case, issue, api):
    with travel(at(2026, 12, 1)):
        case = new_case(amount="50000.00")
        freeze = issue(case, "bank-icbc", "freeze")
        _ack(users, freeze)
        _answer(users, freeze, amount="50000.00")
        services.payment_record(actor=users["clerk"], case=case, amount="30000.00", received_on=date(2026, 12, 1),
                                way="deduction")
        body = api("clerk").get(f"{API}cases/{case.pk}/").json()
    assert (body["outstanding_amount"], body["measures_total"], body["over_seizure"]) == (
        "20000.00", "50000.00", "30000.00")
    measure = Measure.objects.get(notice=freeze)
    with travel(at(2026, 12, 2)):
        response = api("clerk").post(f"{API}measures/{measure.pk}/release/", {"amount": "30000.00"},
                                     format="multipart")
    assert response.status_code == 201, response.content
    partial = Notice.objects.get(pk=response.json()["id"])
    assert (partial.partial, partial.amount, partial.release_ground) == (True, Decimal("30000.00"), "over_seizure")
    assert partial.ruling.ruling_kind == "partial_release"
    with travel(at(2026, 12, 3)):
        _confirm_release(users, partial)
    measure = _fresh(measure)
    assert (measure.status, measure.amount) == ("active", Decimal("20000.00"))
    assert api("clerk").get(f"{API}cases/{case.pk}/").json()["over_seizure"] == "0.00"


# ------------------------------------------------------------------ termination and after-care

def test_a_termination_for_a_long_term_settlement_keeps_the_measures_and_may_be_resumed(users, new_case, issue):
    """(2025)最高法执监272号: terminated because a settlement runs long, the seizures need not be released."""
    with travel(at(2026, 12, 1)):
        case = new_case()
        freeze = issue(case, "bank-icbc", "freeze")
        _ack(users, freeze)
        _answer(users, freeze, amount="20000.00")
        result = services.case_conclude(actor=users["clerk"], case=case, outcome="terminated", ground="settlement")
    assert result.release_notices == [] and [m.notice_id for m in result.kept_measures] == [freeze.pk]
    assert terms.is_renewable(Measure.objects.get(notice=freeze))
    with travel(at(2027, 2, 1)):
        resumed = services.case_resume(actor=users["clerk"], case=case, number="（2027）鄂1022执恢3号")
    assert Measure.objects.get(notice=freeze).case_id == resumed.pk


def test_property_searches_after_final_every_six_months(users, new_case, api):
    with travel(at(2026, 8, 1)):
        case = new_case(filed_on=date(2026, 8, 1))
    with travel(at(2026, 12, 7)):
        services.case_conclude(actor=users["clerk"], case=case, outcome="final_no_property", **final_ready(case))
    assert _fresh(case).next_search_on == date(2027, 6, 7)
    from cases.selectors import lifecycle_todo_counts

    with travel(at(2027, 6, 8)):
        assert lifecycle_todo_counts()["searches_due"] == 1
        first = api("clerk").post(f"{API}cases/{case.pk}/property-searches/", {
            "searched_on": "2027-06-08", "result": "nothing"}, format="json")
        assert first.status_code == 201, first.content
        assert lifecycle_todo_counts()["searches_due"] == 0
    assert _fresh(case).next_search_on == date(2027, 12, 7)
    found = api("clerk").post(f"{API}cases/{case.pk}/property-searches/", {
        "searched_on": "2027-06-08", "result": "found"}, format="json")
    assert found.status_code == 400 and "note" in found.json()


def test_conclusion_of_an_open_case_by_another_unit_is_404_and_a_liaison_403(new_case, api):
    case = new_case()
    assert api("liaison-tax").post(f"{API}cases/{case.pk}/suspend/", {}, format="json").status_code == 404
    for path in ("suspend", "proceed", "settlements", "payments", "property-searches"):
        assert api("liaison-tax").post(f"{API}cases/{case.pk}/{path}/", {}, format="json").status_code == 404, path
        assert api("office").post(f"{API}cases/{case.pk}/{path}/", {}, format="json").status_code == 403, path


def test_a_suspended_case_cannot_be_concluded_unless_a_settlement_was_performed(users, new_case):
    case = new_case()
    services.case_suspend(actor=users["clerk"], case=case, kind="suspension", ground="party_died")
    with pytest.raises(InvalidTransition):
        services.case_conclude(actor=users["clerk"], case=case, outcome="terminated", ground="debtor_died")
    with pytest.raises(InvalidTransition):
        services.case_suspend(actor=users["clerk"], case=case, kind="deferral", ground="security_given",
                              until=date.today() + timedelta(days=30))
