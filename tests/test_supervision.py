"""The supervising court (荆州中院, 鄂10, account ``supervisor``): the figures of the courts below it, the
units ranked across the counties and city-wide by kind, and 督办 orders a court's clerk replies to."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import supervision
from cases.models import SupervisionOrder
from linkage.dates import local_today
from members.models import Court

pytestmark = pytest.mark.django_db


def test_the_supervisor_sees_each_court_below(browser_client, make_case, issue):
    case = make_case()
    issue(case, "police", "query")
    page = browser_client("supervisor").get("/supervision/")
    assert page.status_code == 200
    figures = {f["court"].code: f for f in page.context["figures"]}
    assert set(figures) == {"鄂1022", "鄂1024"}
    assert figures["鄂1022"]["open_cases"] >= 1 and figures["鄂1024"]["open_cases"] == 0
    assert any(k["code"] == "police" for k in page.context["kinds"])
    for who in ("clerk", "clerk-2", "office", "liaison-police"):
        assert browser_client(who).get("/supervision/").status_code == 404


def test_the_figures_cost_the_same_for_more_courts(users):
    courts = supervision.supervised_courts(users["supervisor"])
    with CaptureQueriesContext(connection) as two:
        supervision.court_figures(courts)
    city = Court.objects.get(code="鄂10")
    more = courts + [Court.objects.create(code=f"鄂10{n}", name=f"测试法院{n}", parent=city) for n in range(81, 86)]
    with CaptureQueriesContext(connection) as seven:
        supervision.court_figures(more)
    assert len(two) == len(seven) == 6


def test_an_order_and_its_reply(browser_client, make_case, users):
    case = make_case()
    supervisor = browser_client("supervisor")
    due = (local_today() + dt.timedelta(days=10)).isoformat()
    page = supervisor.post("/supervision/", {"case_number": case.number, "text": "请于十日内报告财产调查情况",
                                             "reply_due_on": due})
    assert page.status_code == 302
    order = SupervisionOrder.objects.get(case=case)
    assert order.court.code == "鄂10" and order.status == "open"
    # The court's clerk sees it in the to-do and on the orders page; the other county's clerk does not.
    home = browser_client("clerk").get("/").content.decode()
    assert "/supervision/orders/" in home
    assert case.number not in browser_client("clerk-2").get("/supervision/orders/").content.decode()
    assert browser_client("clerk-2").post("/supervision/orders/", {"order": order.pk, "reply": "x"}).status_code == 404
    assert browser_client("clerk").post("/supervision/orders/", {"order": order.pk, "reply": "已完成调查"}).status_code == 302
    order.refresh_from_db()
    assert order.status == "replied" and order.replied_by == users["clerk"]
    # Bad input: a case outside the supervised courts, an empty order, a day in the past; nothing written.
    for body in ({"case_number": "（2026）鄂0102执1号", "text": "x", "reply_due_on": due},
                 {"case_number": case.number, "text": "", "reply_due_on": due},
                 {"case_number": case.number, "text": "x", "reply_due_on": "2020-01-01"}):
        assert supervisor.post("/supervision/", body).status_code == 200
    assert SupervisionOrder.objects.count() == 1


def test_only_the_supervising_court_issues(users, make_case):
    case = make_case()
    with pytest.raises(PermissionDenied):
        supervision.order_issue(actor=users["clerk-2"], case=case, text="x",
                                reply_due_on=local_today() + dt.timedelta(days=3))
    assert not SupervisionOrder.objects.exists()
