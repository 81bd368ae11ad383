"""The lifecycle's browser pages (cases/views.py: suspend, proceed, settlement, payments, searches,
conclude, resume) driven with the Django test client: who may open them, what a valid form does, what a
bad one answers (the page again, 200, the error beside its field in a ``role="alert"`` element, nothing
written), what the case page shows of the money, the suspension and the instalments, and that the case
page's queries do not grow with the payments and settlements. The clock is frozen at a fixed Asia/Shanghai
time. As in tests/test_pages.py, assertions rest on structure, status codes and rows; where a text is
compared it is the page's own translation of it."""
import re
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from cases import services
from cases.lifecycle import SuspensionGround
from cases.models import (
    Attachment,
    Case,
    Instalment,
    Measure,
    Notice,
    Payment,
    PropertySearch,
    Settlement,
    Suspension,
)
from linkage.dates import add_months, local_today
from linkage.numerals import format_yuan

from .conftest import final_ready

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 6, 10, 10, 0, tzinfo=SHANGHAI)  # a Wednesday
PAGES = ("suspend", "settlement", "payments", "searches", "conclude")


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


# ---------------------------------------------------------------- helpers

def url(case, page=""):
    return f"/cases/{case.pk}/{page}/" if page else f"/cases/{case.pk}/"


def html(response) -> str:
    return response.content.decode()


def counts() -> dict:
    """What a refused form must not have written."""
    return {model.__name__: model.objects.count()
            for model in (Suspension, Settlement, Instalment, Payment, PropertySearch, Notice, Attachment)}


def language(response) -> str:
    return response.wsgi_request.LANGUAGE_CODE


def said(response, message: str, **params) -> str:
    """``message`` as the page's language says it, escaped as the page prints it."""
    with translation.override(language(response)):
        text = gettext(message)
    return escape(text % params if params else text)


def alert_beside(response, field_name: str) -> bool:
    """The field's input (or select), then its error in an announced element (templates/cases/_form_fields.html)."""
    pattern = (rf'<(?:input|select|textarea)[^>]*name="{re.escape(field_name)}"[^>]*>(?:.*?</(?:select|textarea)>)?'
               r'\s*(?:<small[^>]*>[^<]*</small>)?\s*<div class="error" role="alert">[^<]+</div>')
    return re.search(pattern, html(response), re.S) is not None


def alerts(response) -> list[str]:
    return re.findall(r'role="alert"[^>]*>(.*?)</', html(response), re.S)


def _answer(users, notice, amount=None):
    liaison = users[f"liaison-{notice.unit.code}"]
    services.notice_acknowledge(actor=liaison, notice=notice)
    return services.notice_answer(actor=liaison, notice=notice, outcome="done", result_amount=amount)


@pytest.fixture
def open_case(make_case, issue, users):
    """A case open at the bank (a freeze answered: a measure held) and at nobody else."""
    case = make_case(amount="100000.00")
    freeze = issue(case, "bank-icbc", "freeze")
    _answer(users, freeze, amount="8000.00")
    return case


@pytest.fixture
def final_case(make_case, issue, users):
    """A case concluded 终本 whose first property search is due, with a notice at the bank."""
    case = make_case(amount="100000.00")
    freeze = issue(case, "bank-icbc", "freeze")
    _answer(users, freeze, amount="8000.00")
    services.case_conclude(actor=users["clerk"], case=case, outcome="final_no_property", **final_ready(case))
    return Case.objects.get(pk=case.pk)


def _settlement_post(signed_on, rows, **extra):
    data = {"signed_on": signed_on, "terms": "被执行人分两期履行", "instalments-TOTAL_FORMS": str(max(len(rows), 1)),
            "instalments-INITIAL_FORMS": "0", "instalments-MIN_NUM_FORMS": "0", "instalments-MAX_NUM_FORMS": "60"}
    for i, (due_on, amount) in enumerate(rows):
        data[f"instalments-{i}-due_on"] = due_on
        data[f"instalments-{i}-amount"] = amount
    data.update(extra)
    return data


# ---------------------------------------------------------------- who may open the pages

def test_the_clerk_opens_every_lifecycle_page(browser_client, open_case, final_case):
    clerk = browser_client("clerk")
    for page in PAGES:
        case = final_case if page == "searches" else open_case
        response = clerk.get(url(case, page))
        assert response.status_code == 200, (page, response.status_code)
        assert '<form method="post"' in html(response), page


@pytest.mark.parametrize("username", ["office", "convener", "liaison-bank-icbc"])
def test_a_role_that_sees_the_case_but_may_not_act_gets_403(browser_client, open_case, final_case, username):
    client = browser_client(username)
    before = counts()
    for page in PAGES:
        case = final_case if page == "searches" else open_case
        assert client.get(url(case, page)).status_code == 403, (username, page)
        assert client.post(url(case, page), {}).status_code == 403, (username, page)
    assert client.post(url(open_case, "proceed"), {"note": "x"}).status_code == 403
    assert counts() == before


def test_a_unit_with_no_notice_in_the_case_gets_404(browser_client, open_case, final_case):
    client = browser_client("liaison-tax")
    assert client.get(url(open_case)).status_code == 404
    for page in (*PAGES, "proceed", "resume"):
        case = final_case if page in ("searches", "resume") else open_case
        if page not in ("proceed",):
            assert client.get(url(case, page)).status_code == 404, page
        assert client.post(url(case, page), {}).status_code == 404, page


# ---------------------------------------------------------------- valid forms

def test_suspend_then_proceed(browser_client, open_case):
    clerk = browser_client("clerk")
    response = clerk.post(url(open_case, "suspend"), {"kind": "suspension", "ground": "third_party_objection",
                                                      "reason": "案外人异议成立", "until": ""})
    assert response.status_code == 302 and response["Location"] == url(open_case)
    case = Case.objects.get(pk=open_case.pk)
    assert (case.status, case.suspension_kind) == ("suspended", "suspension")
    suspension = Suspension.objects.get(case=case)
    assert (suspension.kind, suspension.ground, suspension.ended_at) == ("suspension", "third_party_objection", None)
    assert suspension.ruling is not None and suspension.ruling.ruling_kind == "suspension"
    assert Measure.objects.get(case=case).status == "active"  # the measures stay
    response = clerk.post(url(open_case, "proceed"), {"note": "异议已审结"})
    assert response.status_code == 302 and response["Location"] == url(open_case)
    assert Case.objects.get(pk=open_case.pk).status == "open"
    assert Suspension.objects.get(case=case).ended_at is not None


def test_a_deferral_within_its_limit(browser_client, open_case):
    until = add_months(local_today(), 12)  # security given: at most a year
    response = browser_client("clerk").post(url(open_case, "suspend"), {
        "kind": "deferral", "ground": "security_given", "until": until.isoformat(), "reason": ""})
    assert response.status_code == 302
    suspension = Suspension.objects.get(case=open_case)
    assert (suspension.kind, suspension.until) == ("deferral", until)
    assert Case.objects.get(pk=open_case.pk).status == "suspended"


def test_record_a_settlement_with_instalments_releasing_a_named_measure(browser_client, open_case):
    today = local_today()
    measure = Measure.objects.get(case=open_case)
    response = browser_client("clerk").post(url(open_case, "settlement"), _settlement_post(
        today.isoformat(), [((today + timedelta(days=10)).isoformat(), "1000.00"),
                            ((today + timedelta(days=40)).isoformat(), "2000.50"), ("", "")],
        release_measures=[measure.pk]))
    assert response.status_code == 302 and response["Location"] == url(open_case)
    settlement = Settlement.objects.get(case=open_case)
    assert (settlement.signed_on, settlement.status) == (today, "performing")
    assert [(i.seq, i.due_on, i.amount) for i in settlement.instalments.all()] == [
        (1, today + timedelta(days=10), Decimal("1000.00")), (2, today + timedelta(days=40), Decimal("2000.50"))]
    case = Case.objects.get(pk=open_case.pk)
    assert (case.status, case.suspension_kind) == ("suspended", "settlement")
    release = Notice.objects.get(kind="release", original=measure.notice)  # the agreement named it
    assert release.release_ground == "settlement" and Measure.objects.get(pk=measure.pk).release_notice == release


def test_a_settlement_breached_proceeds_only_with_a_reason(browser_client, open_case, users):
    today = local_today()
    services.settlement_record(actor=users["clerk"], case=open_case, signed_on=today, terms="分期",
                               instalments=[{"due_on": today, "amount": "1000.00"}])
    clerk = browser_client("clerk")
    silent = clerk.post(url(open_case, "proceed"), {"note": ""})
    assert silent.status_code == 302  # refused with a message on the case page
    assert Case.objects.get(pk=open_case.pk).status == "suspended"
    response = clerk.post(url(open_case, "proceed"), {"note": "被执行人未按期履行，申请执行人申请恢复执行"})
    assert response.status_code == 302
    assert Case.objects.get(pk=open_case.pk).status == "open"
    assert Settlement.objects.get(case=open_case).status == "breached"


def test_record_a_payment(browser_client, open_case):
    response = browser_client("clerk").post(url(open_case, "payments"), {
        "amount": "12345.67", "received_on": local_today().isoformat(), "way": "paid", "note": "当面交付"})
    assert response.status_code == 302 and response["Location"] == url(open_case)
    payment = Payment.objects.get(case=open_case)
    assert (payment.amount, payment.received_on, payment.way, payment.note) == (
        Decimal("12345.67"), local_today(), "paid", "当面交付")


def test_record_a_property_search_after_final(browser_client, final_case):
    due = final_case.next_search_on
    response = browser_client("clerk").post(url(final_case, "searches"), {
        "searched_on": local_today().isoformat(), "result": "nothing", "note": ""})
    assert response.status_code == 302 and response["Location"] == url(final_case)
    search = PropertySearch.objects.get(case=final_case)
    assert (search.seq, search.result, search.searched_on) == (1, "nothing", local_today())
    assert Case.objects.get(pk=final_case.pk).next_search_on == add_months(due, 6)


def test_conclude_completed_releases_the_freeze(browser_client, open_case):
    response = browser_client("clerk").post(url(open_case, "conclude"), {"outcome": "completed",
                                                                          "note": "已全部履行", "ground": ""})
    assert response.status_code == 302 and response["Location"] == url(open_case)
    case = Case.objects.get(pk=open_case.pk)
    assert (case.status, case.outcome) == ("concluded", "completed")
    measure = Measure.objects.get(case=case)
    assert measure.release_notice is not None and measure.release_notice.release_ground == "completed"


def test_resume_a_final_case(browser_client, final_case):
    response = browser_client("clerk").post(url(final_case, "resume"), {"number": "（2026）鄂1022执恢31号"})
    assert response.status_code == 302
    new = Case.objects.get(number="（2026）鄂1022执恢31号")
    assert response["Location"] == url(new)
    assert Measure.objects.get(notice__case=final_case).case_id == new.pk


# ---------------------------------------------------------------- bad input: the page again, nothing written

def test_a_deferral_beyond_its_limit_is_refused_beside_the_date(browser_client, open_case):
    limit = add_months(local_today(), 3)
    before = counts()
    response = browser_client("clerk").post(url(open_case, "suspend"), {
        "kind": "deferral", "ground": "deferral_other", "reason": "申请复议",
        "until": (limit + timedelta(days=1)).isoformat()})
    assert response.status_code == 200
    assert alert_beside(response, "until"), alerts(response)
    assert said(response, "A deferral on this ground lasts at most %(months)s months (until %(date)s).",
                months=3, date=limit.isoformat()) in html(response)
    assert counts() == before
    assert Case.objects.get(pk=open_case.pk).status == "open"


def test_a_payment_above_the_outstanding_amount_is_refused_beside_the_amount(browser_client, open_case, users):
    services.payment_record(actor=users["clerk"], case=open_case, amount="40000.00", received_on=local_today(),
                            way="paid")
    before = counts()
    response = browser_client("clerk").post(url(open_case, "payments"), {
        "amount": "60000.01", "received_on": local_today().isoformat(), "way": "paid", "note": ""})
    assert response.status_code == 200
    assert alert_beside(response, "amount"), alerts(response)
    assert said(response, "More than the outstanding amount (%(left)s yuan).", left=Decimal("60000.00")) in html(response)
    assert counts() == before


def test_an_instalment_before_the_signing_date_is_refused(browser_client, open_case):
    today = local_today()
    before = counts()
    response = browser_client("clerk").post(url(open_case, "settlement"), _settlement_post(
        today.isoformat(), [((today - timedelta(days=1)).isoformat(), "1000.00")]))
    assert response.status_code == 200
    message = said(response, "Instalment %(n)s falls due before the agreement was signed.", n=1)
    assert any(message in text for text in alerts(response)), alerts(response)
    assert counts() == before
    assert Case.objects.get(pk=open_case.pk).status == "open"


def test_an_instalment_amount_that_is_not_money_is_refused_beside_it(browser_client, open_case):
    today = local_today()
    before = counts()
    response = browser_client("clerk").post(url(open_case, "settlement"), _settlement_post(
        today.isoformat(), [((today + timedelta(days=5)).isoformat(), "一千元")]))
    assert response.status_code == 200
    assert counts() == before
    assert Case.objects.get(pk=open_case.pk).status == "open"
    assert re.search(r'name="instalments-0-amount"[^>]*>\s*<div class="error"', html(response)), \
        "the instalment's error is not beside its amount"
    assert alert_beside(response, "instalments-0-amount"), (
        "BUG (templates/cases/case_settlement.html, the instalment rows): the error of an instalment's amount "
        "(or due date) is printed in <div class=\"error\"> without role=\"alert\", so it is not announced, "
        "unlike every other form error (templates/cases/_form_fields.html: 'errors also announced'); the page "
        f"has no alert at all: {alerts(response)}")


def test_final_one_day_after_filing_is_refused(browser_client, make_case, users):
    case = make_case()
    extra = final_ready(case)  # the 限制消费令 issued and the clerk's confirmations; then filed yesterday
    Case.objects.filter(pk=case.pk).update(filed_on=local_today() - timedelta(days=1))
    before = counts()
    response = browser_client("clerk").post(url(case, "conclude"), {
        "outcome": "final_no_property", "confirm": extra["confirm"], "note": extra["note"], "ground": ""})
    assert response.status_code == 200
    with translation.override(language(response)):
        from cases.selectors import final_conditions

        unmet = [c for c in final_conditions(Case.objects.get(pk=case.pk)) if c.code == "three_months"][0]
        text = escape(gettext("%(text)s (%(code)s)") % {"text": unmet.text, "code": unmet.code})
    assert any(text in found for found in alerts(response)), alerts(response)
    assert counts() == before
    assert Case.objects.get(pk=case.pk).status == "open"


# ---------------------------------------------------------------- the case page

@pytest.fixture
def settled_case(make_case, issue, users):
    """Signed ten days ago: 1000 due eight days ago (paid), 2000 due two days ago (overdue), 3000 due in ten
    days (not yet due); 1000 received since signing; the case suspended by the settlement."""
    case = make_case(amount="100000.00")
    issue(case, "bank-icbc", "query", subject="查询存款")
    today = local_today()
    services.settlement_record(actor=users["clerk"], case=case, signed_on=today - timedelta(days=10), terms="分三期",
                               instalments=[{"due_on": today - timedelta(days=8), "amount": "1000.00"},
                                            {"due_on": today - timedelta(days=2), "amount": "2000.00"},
                                            {"due_on": today + timedelta(days=10), "amount": "3000.00"}])
    services.payment_record(actor=users["clerk"], case=case, amount="1000.00",
                            received_on=today - timedelta(days=7), way="paid")
    return Case.objects.get(pk=case.pk)


def _instalment_rows(page: str) -> list[str]:
    table = re.search(r"<table><caption>[^<]*</caption>.*?</table>", page, re.S)
    assert table, "no instalment table"
    return re.findall(r"<tr><td>\d+</td>.*?</tr>", table.group(0), re.S)


def test_the_clerks_case_page_shows_the_money_the_suspension_and_the_instalments(browser_client, settled_case):
    response = browser_client("clerk").get(url(settled_case))
    assert response.status_code == 200
    page = html(response)
    assert f"<strong>{format_yuan(Decimal('99000.00'))}</strong>" in page  # outstanding
    with translation.override(language(response)):
        ground = escape(str(SuspensionGround.SETTLEMENT.label))
    assert ground in page  # the open suspension, with its ground
    rows = _instalment_rows(page)
    assert len(rows) == 3
    assert '<span class="status closed">' in rows[0]  # paid
    assert '<strong class="overdue">' in rows[1]  # overdue
    assert "status closed" not in rows[2] and "overdue" not in rows[2]  # not yet due
    assert f'action="{url(settled_case, "proceed")}"' in page


def test_a_suspension_shows_on_the_case_page(browser_client, open_case, users):
    services.case_suspend(actor=users["clerk"], case=open_case, kind="suspension", ground="party_died",
                          reason="被执行人死亡，等待继承人")
    response = browser_client("clerk").get(url(open_case))
    with translation.override(language(response)):
        ground = escape(str(SuspensionGround.PARTY_DIED.label))
    assert ground in html(response)
    assert "被执行人死亡，等待继承人" in html(response)


def test_a_liaisons_case_page_does_not_show_the_money(browser_client, settled_case, users):
    services.payment_record(actor=users["clerk"], case=settled_case, amount="12345.67", received_on=local_today(),
                            way="paid")
    outstanding = format_yuan(Decimal("100000.00") - Decimal("1000.00") - Decimal("12345.67"))
    clerk_page = html(browser_client("clerk").get(url(settled_case)))
    assert outstanding in clerk_page and format_yuan(Decimal("12345.67")) in clerk_page
    response = browser_client("liaison-bank-icbc").get(url(settled_case))
    assert response.status_code == 200
    page = html(response)
    for secret in (outstanding, format_yuan(Decimal("12345.67")), format_yuan(Decimal("13345.67")),
                   format_yuan(Decimal("2000.00")), format_yuan(Decimal("3000.00"))):
        assert secret not in page, secret
    assert not re.search(r"<table><caption>", page)  # no instalment table, no payment table
    for page_name in ("proceed", "payments", "settlement"):
        assert f'href="{url(settled_case, page_name)}"' not in page
        assert f'action="{url(settled_case, page_name)}"' not in page


# ---------------------------------------------------------------- the case page's queries

def _case_with(make_case, users, *, payments: int, settlements: int) -> Case:
    case = make_case(amount="100000.00")
    today = local_today()
    for n in range(payments):
        services.payment_record(actor=users["clerk"], case=case, amount=f"{100 + n}.00",
                                received_on=today - timedelta(days=20 - n), way="paid")
    for n in range(settlements):
        if n:
            services.case_proceed(actor=users["clerk"], case=case, note="未履行，恢复执行")
        services.settlement_record(actor=users["clerk"], case=case, signed_on=today - timedelta(days=30 - n),
                                   terms=f"和解{n}", instalments=[
                                       {"due_on": today - timedelta(days=5), "amount": "100.00"},
                                       {"due_on": today + timedelta(days=5), "amount": "200.00"}])
    return Case.objects.get(pk=case.pk)


def _queries(client, case) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url(case)).status_code == 200
    return len(ctx.captured_queries)


def test_the_case_page_queries_do_not_grow_with_the_payments(browser_client, make_case, users):
    one = _case_with(make_case, users, payments=1, settlements=1)
    six = _case_with(make_case, users, payments=6, settlements=1)
    clerk = browser_client("clerk")
    _queries(clerk, one)  # warm: the session, the prepared to-do counts
    few, more = _queries(clerk, one), _queries(clerk, six)
    assert more == few, f"the clerk's case page runs {few} queries with one payment and {more} with six"


def test_the_case_page_queries_do_not_grow_with_the_settlements(browser_client, make_case, users):
    one = _case_with(make_case, users, payments=1, settlements=1)
    three = _case_with(make_case, users, payments=1, settlements=3)
    assert Settlement.objects.filter(case=three).count() == 3
    clerk = browser_client("clerk")
    _queries(clerk, one)
    few, more = _queries(clerk, one), _queries(clerk, three)
    assert more == few, (
        f"the clerk's case page runs {few} queries with one settlement and {more} with three: something is read "
        f"per settlement (cases/selectors.py case_lifecycle, instalment_states, or the template)")
