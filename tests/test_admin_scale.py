"""Issue 30, part 6: the Django admin at scale. On the bench data (a million notices) a case's change page
took 3.8 s (a select of every case), an attachment's a minute (every case and every notice), the notice
events' list 4 s (a sort and a DISTINCT over every event), the documents' list a query a row. Now:

- every list page of a big table reads as many queries with 30 rows as with 3 (``list_select_related``
  covers what it prints, its filters' choices are not a scan of the table), and counts no more than the
  planner estimates (``linkage.admin.EstimatedCountPaginator``; exact here, on small tables);
- every change page reads as many queries with 30 related rows as with 3, and lists none of the other
  rows of a big table: cases, parties, notices and accounts are picked by search or by id, not from a
  select of all of them;
- an inline of a growing relation (events) shows its newest fifty, read-only, and the page links to the
  relation's own list, filtered by the object.
"""
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Measure, NoticeEvent
from credit import services as credit
from credit.models import CreditEvent
from members.models import AccessLog, Capability, Channel, ChannelMessage, User

from .conftest import case_ruling

pytestmark = pytest.mark.django_db

# The admin's lists of the tables that grow with the court's work, each filled by ``World``.
BIG_LISTS = ["cases.Case", "cases.Notice", "cases.Measure", "cases.NoticeEvent", "cases.Delivery",
             "cases.Attachment", "cases.CaseEvent", "documents.IssuedDocument", "credit.CreditEntry",
             "credit.CreditEvent", "members.AccessLog", "members.ChannelMessage", "auditlog.LogEntry"]
# What no admin page reads, whatever the data: a page's own queries (session, user, permissions) and
# its rows' are well under it.
MOST_QUERIES = 15


def _path(label: str, obj=None) -> str:
    opts = apps.get_model(label)._meta
    base = f"/admin/{opts.app_label}/{opts.model_name}/"
    return f"{base}{obj.pk}/change/" if obj is not None else base


def _get(client, path: str):
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        _get(client, path)
    return len(captured)


def _assert_flat(client, small_path: str, big_path: str, django_assert_num_queries):
    """``big_path`` (30 related rows) reads as many queries as ``small_path`` (3); returns its page."""
    _queries(client, small_path)  # the first request fills the caches (content types, permissions)
    expected = _queries(client, small_path)
    assert expected <= MOST_QUERIES, (small_path, expected)
    with django_assert_num_queries(expected, info=big_path):
        response = _get(client, big_path)
    return response.content.decode()


class World:
    """Rows of every big table, made as the portal makes them where that is quick (a case, a notice
    issued and delivered with its events, deliveries, document and log entries, a listing) and by the
    ORM where a row only has to exist (a measure, an audited read, a channel message). ``grow(n)`` brings
    each kind to ``n`` rows, spread over the units, actions and accounts as real data is."""

    def __init__(self, make_case, issue, users):
        self.make_case, self.issue, self.users = make_case, issue, users
        capabilities = (Capability.objects.filter(unit__active=True).exclude(unit__code="court")
                        .select_related("unit", "action").order_by("id"))
        self.pairs = [(c.unit, c.action) for c in capabilities]
        self.holding = [(u, a) for u, a in self.pairs if a.holds_measure]
        self.accounts = list(User.objects.filter(is_active=True).order_by("id"))
        self.cases = []

    def grow(self, n: int):
        for i in range(len(self.cases), n):
            case = self.make_case()
            case_ruling(case)  # an attachment
            debtor = case.parties.get(role="debtor")
            unit, action = self.pairs[i % len(self.pairs)]
            self.issue(case, unit.code, action.code)
            unit, action = self.holding[i % len(self.holding)]
            held = self.issue(case, unit.code, action.code)
            Measure.objects.create(case=case, unit=unit, action=action, notice=held, party=debtor,
                                   asset=f"账户622202000000{i:04d}内存款", asset_kind="deposit",
                                   amount=Decimal("1000.00"), starts_on=date(2026, 1, 1), expires_on=date(2027, 1, 1))
            credit.credit_entry_create(actor=self.users["clerk"], case=case, party=debtor)
            AccessLog.objects.create(user=self.accounts[i % len(self.accounts)], what="minutes_pdf",
                                     object_repr=f"公执联纪〔2026〕{i + 1}号 [excerpt {unit.code}]")
            channel, _created = Channel.objects.get_or_create(unit=unit, kind="email",
                                                              defaults={"target": f"{unit.code}@example.cn"})
            ChannelMessage.objects.create(channel=channel, key=f"admin-scale-{i}", purpose="issue",
                                          title=held.number, body=held.subject)
            self.cases.append(case)
        for label in BIG_LISTS:
            assert apps.get_model(label)._default_manager.count() >= n, label


def _latest(label):
    """The newest row the world made (not one the admin's own pages wrote: its case page is an audited
    read, an access log row)."""
    rows = apps.get_model(label)._default_manager.order_by("-pk")
    return (rows.filter(what="minutes_pdf") if label == "members.AccessLog" else rows).first()


@pytest.fixture
def world(make_case, issue, users):
    return World(make_case, issue, users)


def test_every_big_list_and_change_page_reads_as_many_queries_at_30_rows_as_at_3(
        admin_client, world, django_assert_num_queries):
    world.grow(3)
    pages = {}
    for label in BIG_LISTS:
        pages[label] = [_path(label), _path(label, _latest(label))]
    for paths in pages.values():
        for path in paths:
            _queries(admin_client, path)  # fill the caches
    small = {path: _queries(admin_client, path) for paths in pages.values() for path in paths}
    assert max(small.values()) <= MOST_QUERIES, small
    first_case = world.cases[0]

    world.grow(30)
    for label in BIG_LISTS:
        latest = _latest(label)
        listing, change = pages[label]
        with django_assert_num_queries(small[listing], info=listing):
            response = _get(admin_client, listing)
        assert response.context["cl"].result_count >= 30, label
        path = _path(label, latest)
        with django_assert_num_queries(small[change], info=path):
            page = _get(admin_client, path).content.decode()
        if label not in ("auditlog.LogEntry", "members.AccessLog"):
            # no select of every case (nor of every notice or party, whose labels carry its number)
            assert first_case.number not in page, (label, path)


def test_a_case_page_reads_as_much_with_30_parties_and_notices_as_with_3(
        admin_client, make_case, issue, django_assert_num_queries):
    small = make_case(debtors=2)
    big = make_case(debtors=29)
    assert small.parties.count() == 3 and big.parties.count() == 30
    for case, n in ((small, 3), (big, 30)):
        for i in range(n):
            issue(case, "police", "query", subject=f"查询车辆{i}")
    page = _assert_flat(admin_client, _path("cases.Case", small), _path("cases.Case", big),
                        django_assert_num_queries)
    assert small.number not in page  # "resumed from" is searched, not a select of every case
    assert page.count('name="parties-') > 30 * 4  # every party of the case is on its page, editable
    # its notices are one link away: the notice list filtered by the case
    link = f"/admin/cases/notice/?case__id__exact={big.pk}"
    assert f'href="{link}"' in page
    listing = _get(admin_client, link)
    assert listing.context["cl"].result_count == 30


def test_the_case_picker_and_the_admin_search_find_a_case_by_its_number(admin_client, make_case, issue):
    case = make_case(number="（2026）鄂1022执7301号")
    other = make_case(number="（2026）鄂1022执7302号")
    found = _get(admin_client, "/admin/cases/case/?q=7301").context["cl"].result_list
    assert list(found) == [case]
    answer = admin_client.get("/admin/autocomplete/", {"app_label": "cases", "model_name": "case",
                                                       "field_name": "resumed_from", "term": "执7302"}).json()
    assert [row["id"] for row in answer["results"]] == [str(other.pk)]
    name = case.parties.get(role="debtor").name
    assert list(_get(admin_client, f"/admin/cases/case/?q={name}").context["cl"].result_list) == [case]
    # a notice by its case's number, or its own
    notice = issue(case, "police", "query")
    assert list(_get(admin_client, "/admin/cases/notice/?q=7301").context["cl"].result_list) == [notice]
    assert list(_get(admin_client, f"/admin/cases/notice/?q={notice.number}").context["cl"].result_list) == [notice]


def _events(model, n, **parent):
    accounts = list(User.objects.order_by("id")[:n])
    now = timezone.now()
    model.objects.bulk_create([
        model(transition="note", from_status="issued", to_status="issued", actor=accounts[i % len(accounts)],
              on_behalf_of=accounts[(i + 1) % len(accounts)], at=now + timedelta(seconds=i), note=f"第{i}条", **parent)
        for i in range(n)])


def test_a_notice_page_reads_as_much_with_30_events_as_with_3(admin_client, make_case, issue,
                                                              django_assert_num_queries):
    case = make_case()
    small, big = issue(case, "police", "query"), issue(case, "tax", "query")
    _events(NoticeEvent, 1, notice=small)   # and the two of its issue and delivery
    _events(NoticeEvent, 28, notice=big)
    assert small.events.count() == 3 and big.events.count() == 30
    page = _assert_flat(admin_client, _path("cases.Notice", small), _path("cases.Notice", big),
                        django_assert_num_queries)
    # read-only: no select of every account for "on behalf of", no field to change
    assert '<select name="events-' not in page and 'name="events-0-note"' not in page
    assert "第27条" in page


def test_an_inline_of_events_shows_the_newest_fifty_and_links_to_them_all(admin_client, make_case, issue):
    case = make_case()
    notice = issue(case, "police", "query")
    _events(NoticeEvent, 60, notice=notice)  # 62 with the issue's two
    page = _get(admin_client, _path("cases.Notice", notice)).content.decode()
    assert re.search(r'name="events-TOTAL_FORMS" value="50"', page)
    assert "第59条" in page and "第10条" in page and "第9条" not in page  # the newest fifty
    link = f"/admin/cases/noticeevent/?notice__id__exact={notice.pk}"
    assert f'href="{link}"' in page
    assert _get(admin_client, link).context["cl"].result_count == 62


def test_a_listing_page_reads_as_much_with_30_events_as_with_3(admin_client, users, make_case,
                                                                django_assert_num_queries):
    case = make_case(debtors=2)
    small, big = (credit.credit_entry_create(actor=users["clerk"], case=case, party=party)
                  for party in case.parties.filter(role="debtor").order_by("id"))
    _events(CreditEvent, 3 - small.events.count(), entry=small)
    _events(CreditEvent, 30 - big.events.count(), entry=big)
    page = _assert_flat(admin_client, _path("credit.CreditEntry", small), _path("credit.CreditEntry", big),
                        django_assert_num_queries)
    assert f'href="/admin/credit/creditevent/?entry__id__exact={big.pk}"' in page


def test_a_measure_page_lists_no_party_of_another_case(admin_client, make_case, issue, django_assert_num_queries):
    def measure(case):
        notice = issue(case, "bank-icbc", "freeze")
        return Measure.objects.create(case=case, unit=notice.unit, action=notice.action, notice=notice,
                                      party=case.parties.filter(role="debtor").first(), asset="账户内存款",
                                      asset_kind="deposit", amount=Decimal("1.00"), starts_on=date(2026, 1, 1),
                                      expires_on=date(2027, 1, 1))

    small, big = measure(make_case(debtors=2)), measure(make_case(debtors=29))
    page = _assert_flat(admin_client, _path("cases.Measure", small), _path("cases.Measure", big),
                        django_assert_num_queries)
    assert 'name="party"' in page and '<select name="party"' not in page  # an id, not a select of all
    for party in small.case.parties.all():
        assert party.name not in page


def test_an_agenda_item_picks_its_cases_by_search(admin_client, users, make_case, django_assert_num_queries):
    from conferences.services import agenda_item_propose

    cases = [make_case() for _ in range(33)]
    small = agenda_item_propose(actor=users["office"], title="三案协调", reason="major", cases=cases[:3])
    big = agenda_item_propose(actor=users["office"], title="三十案协调", reason="major", cases=cases[3:])
    page = _assert_flat(admin_client, _path("conferences.AgendaItem", small), _path("conferences.AgendaItem", big),
                        django_assert_num_queries)
    assert all(case.number in page for case in cases[3:])  # its own cases, chosen
    assert not any(case.number in page for case in cases[:3])  # no other case offered


def test_the_date_hierarchy_of_a_big_table_spans_its_first_row_to_its_last(admin_client, make_case):
    from auditlog.models import LogEntry

    make_case()
    make_case()
    entries = list(LogEntry.objects.order_by("id"))
    old = timezone.now().replace(year=timezone.localtime().year - 2, month=6, day=15)
    LogEntry.objects.filter(pk=entries[0].pk).update(timestamp=old)
    this_year = timezone.localtime().year
    page = _get(admin_client, "/admin/auditlog/logentry/").content.decode()
    # every year from the first entry's to the last's, the one between without entries too
    for year in range(this_year - 2, this_year + 1):
        assert f"?timestamp__year={year}" in page, year
    # a year's months read the same way: from its first entry's month to its last's
    page = _get(admin_client, f"/admin/auditlog/logentry/?timestamp__year={this_year - 2}").content.decode()
    assert "timestamp__month=6" in page and "timestamp__month=7" not in page


def test_a_span_of_years_months_and_days():
    from datetime import datetime

    from linkage.admin import _span

    assert _span(date(2024, 5, 3), date(2026, 2, 1), "year") == [date(2024, 1, 1), date(2025, 1, 1),
                                                                 date(2026, 1, 1)]
    assert _span(date(2025, 11, 30), date(2026, 2, 1), "month") == [
        date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]
    assert _span(datetime(2026, 2, 27, 23, 50), datetime(2026, 3, 1, 0, 10), "day") == [
        datetime(2026, 2, 27), datetime(2026, 2, 28), datetime(2026, 3, 1)]


def test_a_big_list_is_counted_as_the_planner_estimates_it(make_case):
    from cases.models import Case
    from linkage.admin import EstimatedCountPaginator, planner_rows

    class Estimating(EstimatedCountPaginator):
        exact_up_to = -1  # every list "big"

    make_case()
    make_case()
    cases = Case.objects.all()
    with CaptureQueriesContext(connection) as captured:
        count = Estimating(cases, 100).count
    if connection.vendor == "postgresql":
        assert count == planner_rows(cases) and not any("COUNT(" in q["sql"] for q in captured)
    else:  # no planner to ask: counted
        assert count == 2
    assert EstimatedCountPaginator(cases, 100).count == 2  # a few rows: counted exactly
    assert Estimating(cases.filter(pk__in=[]), 100).count == 0
