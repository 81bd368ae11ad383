"""Issue 27: the list and the consumption restrictions decided as the law makes them. One test (or a few)
for each of the eight faults the issue found, at fixed Shanghai clocks where dates matter:

1. a listing is proposed by the clerk and decided by the president by a numbered, sealed 决定书, served
   (失信规定 Art. 5); publishing before the decision is a 409;
2. a decided listing drafts the debtor's consumption restriction (限高规定 Art. 1 para. 2), or says why not;
3. Art. 10(4) (two searches after 终本 found nothing) and 10(5) (suspended for a retrial or bankruptcy);
4. a fixed-term entry is not deleted on a ground of Art. 10 (para. 2): it runs its period or is deleted
   early by the president's decision (Art. 2);
5. the 限制消费令 states its period, items and consequences (限高规定 Art. 5), prints the case number once,
   no clause twice, the date in Chinese numerals, the president's name, and its service;
6. a one-off permission lasts at most a month and the president approves it (法发〔2019〕35号 item 17);
7. an order on a minor needs a note; the listing period's last day (民事诉讼法 Art. 85); fines and
   detention approved by the president (民事诉讼法 Arts. 117-119);
8. the president's pages: the facts, a confirmation to sign, return with a reason, one "signed", a message
   that says what happened.
"""
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from cases import services as case_services
from credit import decisions, restrictions
from credit import services as credit
from credit.models import ConsumptionRestriction, CreditEntry, Decision
from documents.models import IssuedDocument
from linkage.dates import local_today
from linkage.statemachine import InvalidTransition

from .conftest import final_ready, make_resident_id, make_uscc, pdf_bytes

API = "/api/v1/"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year, month, day, hour=10):
    return datetime(year, month, day, hour, tzinfo=SHANGHAI)


def travel(moment):
    return time_machine.travel(moment, tick=False)


def debtor_of(case):
    return case.parties.get(role="debtor")


@pytest.fixture
def entry(make_case, users):
    case = make_case()
    return credit.credit_entry_create(actor=users["clerk"], case=case, party=debtor_of(case), ground="able_refuses",
                                      obligation="支付货款100000元")


def _fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


# ------------------------------------------------------------------ 1. the decision

def test_a_listing_is_proposed_decided_by_the_president_served_then_published(api, entry, users,
                                                                              django_capture_on_commit_callbacks):
    clerk, president = api("clerk"), api("president")
    url = f"{API}credit-entries/{entry.pk}/"
    assert clerk.post(url + "publish/", {}, format="json").status_code == 409  # no decision yet
    proposed = clerk.post(url + "propose/", {"facts": "有收入而拒不履行", "warning": "执行通知书"}, format="json")
    assert proposed.status_code == 200 and proposed.json()["status"] == "proposed"
    assert clerk.post(url + "publish/", {}, format="json").status_code == 409
    for name in ("clerk", "office", "convener"):
        assert api(name).post(url + "decide/", {}, format="json").status_code == 403, name
        assert api(name).post(url + "return/", {"reason": "x"}, format="json").status_code == 403, name
    decided = president.post(url + "decide/", {}, format="json")
    assert decided.status_code == 200 and decided.json()["status"] == "decided"
    decision = Decision.objects.get(entry=entry)
    document = decision.document
    assert (document.title, document.generated) == ("纳入失信被执行人名单决定书", True)
    assert document.ruling_number.startswith(entry.case.number + "之")
    assert IssuedDocument.objects.filter(ruling=document, kind="ruling").exists()  # sealed like the notices
    from cases.rulings import render_ruling_html

    html = render_ruling_html(document)
    assert "决定书" in html and "院长　周国强" in html and "纳入失信被执行人名单" in html
    assert "第一条第一项" in html and entry.id_number not in html
    served = clerk.post(url + "service/", {"way": "electronic", "served_on": local_today().isoformat(),
                                           "proof": SimpleUploadedFile("回证.pdf", pdf_bytes(), "application/pdf")},
                        format="multipart")
    assert served.status_code == 200, served.content
    decision.refresh_from_db()
    assert decision.served_on == local_today() and decision.service_proof.purpose == "service"
    with django_capture_on_commit_callbacks(execute=True):
        published = clerk.post(url + "publish/", {}, format="json")
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert _fresh(entry).pushes.exists()


def test_the_president_returns_a_proposal_with_a_reason(api, entry):
    api("clerk").post(f"{API}credit-entries/{entry.pk}/propose/", {}, format="json")
    silent = api("president").post(f"{API}credit-entries/{entry.pk}/return/", {}, format="json")
    assert silent.status_code == 400 and "reason" in silent.json()
    back = api("president").post(f"{API}credit-entries/{entry.pk}/return/", {"reason": "事实不清，补充财产调查情况"},
                                 format="json")
    assert back.status_code == 200 and back.json()["status"] == "pending"
    decision = Decision.objects.get(entry=entry)
    assert (decision.status, decision.returned_reason) == ("returned", "事实不清，补充财产调查情况")
    assert api("clerk").post(f"{API}credit-entries/{entry.pk}/propose/", {}, format="json").status_code == 200


def test_the_legacy_decisions_migration_marks_published_entries(entry, users):
    """Migration credit.0007: an entry published before decisions were recorded keeps its state and gets a
    decision marked as made before (its function run on a published row)."""
    import importlib

    from django.apps import apps
    from django.utils import timezone

    CreditEntry.objects.filter(pk=entry.pk).update(status="published", first_published_at=timezone.now())
    module = importlib.import_module("credit.migrations.0007_president_decisions")
    module.legacy_decisions(apps, None)
    decision = Decision.objects.get(entry=entry)
    assert (decision.status, decision.legacy, decision.kind) == ("decided", True, "listing")
    assert _fresh(entry).status == "published"


# ------------------------------------------------------------------ 2. listing → restriction

def test_a_decided_listing_drafts_the_debtors_consumption_restriction(entry, users):
    decisions.credit_entry_propose(actor=users["clerk"], entry=entry)
    assert not ConsumptionRestriction.objects.filter(party=entry.party).exists()
    decisions.credit_entry_decide(actor=users["president"], entry=entry)
    order = ConsumptionRestriction.objects.get(party=entry.party)
    assert order.status == "draft" and order.drafted_by == users["clerk"]  # for the president to sign


def test_an_organisation_without_its_legal_representatives_id_records_why_not(users):
    case = case_services.case_create(
        actor=users["clerk"], number="（2026）鄂1022执8801号", title="公司", amount="1000",
        parties=[{"role": "applicant", "name": "甲", "id_number": make_resident_id(8801)},
                 {"role": "debtor", "kind": "organization", "name": "某公司", "id_number": make_uscc(8801),
                  "legal_representative": "赵六"}])
    entry = credit.credit_entry_create(actor=users["clerk"], case=case, party=debtor_of(case))
    decisions.credit_entry_propose(actor=users["clerk"], entry=entry)
    decision = decisions.credit_entry_decide(actor=users["president"], entry=entry)
    assert not ConsumptionRestriction.objects.filter(party=entry.party).exists()
    why = decision.details["restriction"]
    assert "Art. 3" in why or "第三条" in why  # 限高规定 Art. 3: the legal representative's ID
    assert _fresh(entry).events.filter(transition="note").exists()


# ------------------------------------------------------------------ 3. Art. 10(4) and 10(5)

@pytest.mark.dates
def test_two_empty_searches_after_final_delete_the_listing_within_three_working_days(users, make_case,
                                                                                   django_capture_on_commit_callbacks):
    with travel(at(2026, 6, 1)):
        case = make_case(filed_on=date(2026, 6, 1))
        entry = credit.credit_entry_create(actor=users["clerk"], case=case, party=debtor_of(case))
        with django_capture_on_commit_callbacks(execute=True):
            credit.credit_entry_publish(actor=users["clerk"], entry=_decided(users, entry))
    with travel(at(2026, 9, 7)):
        case_services.case_conclude(actor=users["clerk"], case=case, outcome="final_no_property",
                                    **final_ready(case))
    for day in (date(2027, 3, 8), date(2027, 9, 7)):
        with travel(at(day.year, day.month, day.day)), django_capture_on_commit_callbacks(execute=True):
            case_services.property_search_record(actor=users["clerk"], case=case, searched_on=day, result="nothing")
    entry = _fresh(entry)
    assert (entry.deletion_ground, entry.deletion_cause_on) == ("no_property", date(2027, 9, 7))
    assert entry.deletion_due_on == date(2027, 9, 10)  # three working days
    with travel(at(2027, 9, 10, 7)):
        credit.credit_daily_sweep()
    assert _fresh(entry).status == "deleted"


def test_suspension_for_a_retrial_deletes_the_listing(users, make_case, django_capture_on_commit_callbacks):
    case = make_case()
    entry = credit.credit_entry_create(actor=users["clerk"], case=case, party=debtor_of(case))
    with django_capture_on_commit_callbacks(execute=True):
        credit.credit_entry_publish(actor=users["clerk"], entry=_decided(users, entry))
        case_services.case_suspend(actor=users["clerk"], case=case, kind="suspension", ground="retrial")
    entry = _fresh(entry)
    assert (entry.status, entry.revoke_ground) == ("deleted", "suspended")


# ------------------------------------------------------------------ 4. fixed-term entries

def test_a_fixed_term_entry_is_not_deleted_on_completion_and_is_deleted_early_by_decision(
        users, make_case, django_capture_on_commit_callbacks):
    case = make_case()
    entry = credit.credit_entry_create(actor=users["clerk"], case=case, party=debtor_of(case), ground="evades")
    with django_capture_on_commit_callbacks(execute=True):
        credit.credit_entry_publish(actor=users["clerk"], entry=_decided(users, entry))
        case_services.case_conclude(actor=users["clerk"], case=case, outcome="completed", note="已履行")
    assert _fresh(entry).status == "published"  # 失信规定 Art. 10 para. 2: it runs its period
    with pytest.raises(ValidationError):
        credit.credit_entry_delete(actor=users["clerk"], entry=entry, ground="performed")
    with pytest.raises(ValidationError):
        credit.credit_entry_delete(actor=users["clerk"], entry=entry, ground="early")  # the president's
    proposal = decisions.credit_entry_propose_early_deletion(actor=users["clerk"], entry=entry,
                                                             facts="被执行人已全部履行并主动纠正失信行为")
    with django_capture_on_commit_callbacks(execute=True):
        decisions.decision_decide(actor=users["president"], decision=proposal)
    entry = _fresh(entry)
    assert (entry.status, entry.revoke_ground) == ("deleted", "early")
    assert _fresh(proposal).document.title == "提前删除失信信息决定书"


def test_a_ground_one_entry_is_still_deleted_on_completion(users, make_case, django_capture_on_commit_callbacks):
    case = make_case()
    entry = credit.credit_entry_create(actor=users["clerk"], case=case, party=debtor_of(case))
    with django_capture_on_commit_callbacks(execute=True):
        credit.credit_entry_publish(actor=users["clerk"], entry=_decided(users, entry))
        case_services.case_conclude(actor=users["clerk"], case=case, outcome="completed", note="已履行")
    assert _fresh(entry).status == "deleted"


@pytest.mark.dates
def test_the_listing_period_ends_on_its_anniversary_and_is_deleted_the_day_after(users, make_case,
                                                                                django_capture_on_commit_callbacks):
    """民事诉讼法 Art. 85: the day of publication does not count; two years from 2026-12-07 end on 2028-12-07."""
    with travel(at(2026, 12, 7)):
        case = make_case()
        entry = credit.credit_entry_create(actor=users["clerk"], case=case, party=debtor_of(case), ground="evades")
        with django_capture_on_commit_callbacks(execute=True):
            credit.credit_entry_publish(actor=users["clerk"], entry=_decided(users, entry))
    assert _fresh(entry).expires_on == date(2028, 12, 7)
    with travel(at(2028, 12, 7, 23)):
        credit.credit_daily_sweep()
        assert _fresh(entry).status == "published"  # its last day
    with travel(at(2028, 12, 8, 6)):
        credit.credit_daily_sweep()
    assert _fresh(entry).status == "deleted"


# ------------------------------------------------------------------ 5. the 限制消费令

def _issued_order(users, case, **kwargs):
    order = restrictions.restriction_draft(actor=users["clerk"], case=case, party=debtor_of(case),
                                           basis="被执行人未按执行通知履行法律文书确定的给付义务", **kwargs)
    restrictions.restriction_sign(actor=users["president"], order=order)
    return restrictions.restriction_issue(actor=users["clerk"], order=order)


def test_the_order_states_period_items_and_consequences_in_court_style(users, make_case):
    from django.template.loader import render_to_string

    from credit.documents import restriction_context

    with travel(at(2026, 12, 7)):
        case = make_case()
        order = _issued_order(users, case)
    html = render_to_string("credit/restriction_document.html", restriction_context(_fresh(order)))
    text = " ".join(html.split("<body>", 1)[1].split())  # what is printed (the title is the PDF's metadata)
    assert "（（" not in text and text.count(case.number) == 1  # the case number once, one pair of brackets
    assert text.count("未按执行通知") == 1  # the clerk's facts replace the default clause, never both
    assert "限制期间：" in text and "自本令送达之日起" in text
    assert "第一百一十四条" in text and "第一百一十七条" in text and "此令" in text
    assert "院长 周国强" in text and "院长：院长" not in text  # (the ideographic space split away above)
    assert "二〇二六年十二月七日" in text and "2026年12月7日" not in text


def test_the_orders_service_is_recorded(users, make_case, api):
    case = make_case()
    order = _issued_order(users, case)
    bad = api("clerk").post(f"{API}consumption-restrictions/{order.pk}/service/",
                            {"way": "pigeon", "served_on": local_today().isoformat()}, format="json")
    assert bad.status_code == 400 and "way" in bad.json()
    ok = api("clerk").post(f"{API}consumption-restrictions/{order.pk}/service/",
                           {"way": "direct", "served_on": local_today().isoformat()}, format="json")
    assert ok.status_code == 200 and ok.json()["served_on"] == local_today().isoformat()


# ------------------------------------------------------------------ 6. one-off permission

def test_a_one_off_permission_lasts_at_most_a_month_and_the_president_approves_it(users, make_case, api):
    case = make_case()
    order = _issued_order(users, case)
    url = f"{API}consumption-restrictions/{order.pk}/permit/"
    too_long = api("clerk").post(url, {"acts": ["travel_class"], "starts_on": "2027-01-10", "ends_on": "2027-02-10",
                                       "reason": "就医"}, format="json")
    assert too_long.status_code == 400 and "ends_on" in too_long.json()  # 90 days, or a day past a month
    proposed = api("clerk").post(url, {"acts": ["travel_class"], "starts_on": "2027-01-10", "ends_on": "2027-02-09",
                                       "reason": "近亲属重大疾病异地就医"}, format="json")
    assert proposed.status_code == 201, proposed.content
    assert not order.permissions.exists()
    decided = api("president").post(f"{API}credit-decisions/{proposed.json()['id']}/decide/", {}, format="json")
    assert decided.status_code == 200
    assert order.permissions.get().ends_on == date(2027, 2, 9)


# ------------------------------------------------------------------ 7. minors, sanctions

def test_an_order_on_a_minor_needs_a_note(users):
    child = make_resident_id(9501, birth=f"{local_today().year - 11}0301")
    case = case_services.case_create(
        actor=users["clerk"], number="（2026）鄂1022执9501号", title="未成年", amount="1000",
        parties=[{"role": "applicant", "name": "甲", "id_number": make_resident_id(9502)},
                 {"role": "debtor", "name": "小明", "id_number": child}])
    with pytest.raises(ValidationError) as exc:
        restrictions.restriction_draft(actor=users["clerk"], case=case, party=debtor_of(case))
    assert "minor_note" in exc.value.message_dict
    order = restrictions.restriction_draft(actor=users["clerk"], case=case, party=debtor_of(case),
                                           minor_note="被执行人系继承遗产后负有给付义务，由其监护人代为履行")
    assert order.minor_note


def test_fines_and_detention_are_approved_by_the_president(users, make_case, issue, api):
    from assessments import services as assessments

    case = make_case()
    notice = issue(case, "bank-icbc", "query", subject="查询存款")
    report = assessments.report_file(actor=users["clerk"], unit=notice.unit, kind="refusal",
                                     detail="拒不协助查询", notices=[notice])
    assessments.report_decide(actor=users["convener"], report=report, outcome="civil_procedure",
                              detail="移送法院依法处理")
    url = f"{API}noncooperation-reports/{report.pk}/sanctions/"
    too_small = api("clerk").post(url, {"kind": "fine", "facts": "拒不协助", "amount": "10000"}, format="json")
    assert too_small.status_code == 400 and "amount" in too_small.json()  # a unit: 50,000 to 1,000,000
    too_long = api("clerk").post(url, {"kind": "detention", "person": "某行长", "facts": "拒不协助", "days": 20},
                                 format="json")
    assert too_long.status_code == 400
    proposed = api("clerk").post(url, {"kind": "fine", "facts": "拒不协助查询", "amount": "50000"}, format="json")
    assert proposed.status_code == 201, proposed.content
    sanction = proposed.json()["id"]
    assert api("clerk").post(f"{API}sanctions/{sanction}/approve/").status_code == 403
    assert api("convener").post(f"{API}sanctions/{sanction}/approve/").status_code == 403
    approved = api("president").post(f"{API}sanctions/{sanction}/approve/")
    assert approved.status_code == 200 and approved.json()["document"]["title"] == "罚款决定书"


def test_a_report_not_referred_to_the_court_takes_no_sanction(users, make_case, issue):
    from assessments import services as assessments

    case = make_case()
    notice = issue(case, "bank-icbc", "query", subject="查询存款")
    report = assessments.report_file(actor=users["clerk"], unit=notice.unit, kind="passive", detail="消极",
                                     notices=[notice])
    with pytest.raises(InvalidTransition):
        assessments.sanction_propose(actor=users["clerk"], report=report, kind="fine", facts="x", amount="50000")


# ------------------------------------------------------------------ 8. the president's pages

def test_the_presidents_decision_page_shows_the_facts_asks_to_confirm_and_says_what_happened(
        browser_client, entry, users):
    decisions.credit_entry_propose(actor=users["clerk"], entry=entry, facts="有收入而拒不履行",
                                   warning="（2026）执行通知书")
    decision = Decision.objects.get(entry=entry)
    president = browser_client("president")
    page = president.get(f"/credit/decisions/{decision.pk}/").content.decode()
    assert entry.case.number in page and "有收入而拒不履行" in page and entry.masked_id in page
    assert "纳入失信被执行人名单" in page and 'name="confirm"' in page
    refused = president.post(f"/credit/decisions/{decision.pk}/", {"action": "decide"})
    assert refused.status_code == 200 and _fresh(decision).status == "proposed"
    signed = president.post(f"/credit/decisions/{decision.pk}/", {"action": "decide", "confirm": "on"}, follow=True)
    assert _fresh(decision).status == "decided"
    messages = [str(m) for m in signed.context["messages"]]
    assert messages and "操作已完成" not in messages[0] and _fresh(decision).document.ruling_number in messages[0]
    assert browser_client("clerk").post(f"/credit/decisions/{decision.pk}/",
                                        {"action": "decide", "confirm": "on"}).status_code == 403


def test_the_order_page_shows_the_case_and_signs_only_with_a_confirmation(browser_client, users, make_case):
    case = make_case()
    order = restrictions.restriction_draft(actor=users["clerk"], case=case, party=debtor_of(case),
                                           basis="拒不履行")
    president = browser_client("president")
    page = president.get(f"/restrictions/{order.pk}/").content.decode()
    assert case.number in page and case.title in page and 'name="confirm"' in page
    president.post(f"/restrictions/{order.pk}/sign/", {})
    assert _fresh(order).status == "draft"
    president.post(f"/restrictions/{order.pk}/return/", {"reason": "请补充被执行人消费情况"})
    assert _fresh(order).status == "returned"
    browser_client("clerk").post(f"/restrictions/{order.pk}/resubmit/", {"basis": "拒不履行且有高消费行为"})
    assert _fresh(order).status == "draft"
    signed = president.post(f"/restrictions/{order.pk}/sign/", {"confirm": "on"}, follow=True)
    order = _fresh(order)
    assert order.status == "signed"
    html = signed.content.decode()
    assert html.count("院长已签发") == 1  # the status, once (the signatory line is labelled 签发人)
    with pytest.raises(PermissionDenied):
        decisions.restriction_return(actor=users["clerk"], order=order, reason="x")


def _decided(users, entry):
    from .conftest import decide_listing

    return decide_listing(entry)


def test_returning_a_decided_listing_is_refused(users, entry):
    decisions.credit_entry_propose(actor=users["clerk"], entry=entry)
    decisions.credit_entry_decide(actor=users["president"], entry=entry)
    with pytest.raises(InvalidTransition):
        decisions.credit_entry_return(actor=users["president"], entry=entry, reason="x")
    assert _fresh(entry).status == "decided"
