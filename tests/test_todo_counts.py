"""Issue 12 §3, "work that finds you": every home page and the top menu show what waits for the user, as
links with counts, and each count is the number of rows on the list it links to.

Each test builds work in every state (open and closed, this unit's and another's) through the services,
reads the count from the home page and from the menu, follows the link and compares the rows listed
with the rows the test knows must be there. The expected rows are named by the test, never computed
by the code under test. The last tests hold the cost: the number of queries of the home page and of
another page with the menu does not grow with the data.
"""
import re
from datetime import timedelta
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments import services as assessment_services
from cases import measures, services
from cases.models import Measure, MeasureReminder, Notice, NoticeKind
from conferences import services as conference_services
from conferences.models import ActionItem, Meeting
from linkage import dates
from members.models import Unit, User
from members.roles import role_codes
from portal.todo import todo_for

from .conftest import pdf_bytes

# Where each role's counts link (issue 12 §3), written out so that a changed link fails here.
CLERK_LINKS = {"answered": "/inbox/?tab=answered", "requests": "/inbox/?tab=requests",
               "releases": "/inbox/?tab=to_release", "measures": "/measures/?expiring=1"}
CONVENER_LINKS = {"agenda": "/conferences/?status=proposed", "reports": "/assessment/reports/?status=open",
                  "minutes": "/conferences/?meetings=to_issue"}
OFFICE_LINKS = {"actions": "/conferences/board/?overdue=1", "no_minutes": "/conferences/?meetings=no_minutes"}
UNIT_LINKS = {"new": "/inbox/?tab=new", "to_answer": "/inbox/?tab=to_answer",
              "to_release": "/inbox/?tab=to_release", "overdue": "/inbox/?tab=overdue"}


# ---------------------------------------------------------------- reading pages

def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _home_count(page: str, href: str) -> int:
    """The count of the home page's tile that links to ``href`` (exactly one such tile)."""
    found = re.findall(r'<a aria-label="([^"]+)" href="' + re.escape(href.replace("&", "&amp;"))
                       + r'"><span>[^<]+</span> <strong>(\d+)</strong>', page)
    assert len(found) == 1, (href, found)
    label, count = found[0]
    assert unescape(label).endswith(f" {count} 件"), label  # what a screen reader says: 待签收 3 件
    return int(count)


def _menu(page: str) -> dict:
    """The menu's to-do links: href → count (only the counts that are not zero are shown)."""
    block = re.search(r'<nav class="todo" aria-label="待办事项">(.*?)</nav>', page, re.S)
    if block is None:
        return {}
    links = re.findall(r'<a href="([^"]+)" aria-label="([^"]+)">[^<]+<span class="badge(?: warn)?">(\d+)</span>',
                       block.group(1))
    for _href, label, count in links:
        assert unescape(label).endswith(f" {count} 件"), label
    return {unescape(href): int(count) for href, _label, count in links}


def _listed(client, href: str) -> list[int]:
    """The ids of the rows on the page ``href`` links to."""
    response = client.get(href)
    _html(response)
    context = response.context
    if href.startswith("/inbox/"):
        rows = context["notices"]
    elif href.startswith("/measures/"):
        rows = context["measures"]
    elif href.startswith("/conferences/board/"):
        rows = context["rows"]
    elif href.startswith("/conferences/?meetings="):
        rows = context["meetings"]
    elif href.startswith("/conferences/?status="):
        rows = context["agenda"]
    elif href.startswith("/assessment/reports/"):
        rows = context["reports"]
    elif href.startswith("/restrictions/"):
        rows = context["orders"]
    elif href.startswith("/assessment/?"):
        rows = context["periods"]
    else:
        raise AssertionError(href)
    ids = [row.pk for row in rows]
    assert len(ids) == len(set(ids)), href
    return ids


def _check_role(client, links: dict, expected: dict):
    """Home count = menu count (or absent when 0) = rows on the linked page = the rows expected."""
    page = _html(client.get("/"))
    assert 'aria-labelledby="todo-h"' in page or 'aria-labelledby="inbox-h"' in page
    menu = _menu(page)
    other_page = _menu(_html(client.get("/units/")))  # the menu is on every page, not only the home page
    for key, href in links.items():
        rows = _listed(client, href)
        want = {obj.pk for obj in expected[key]}
        assert set(rows) == want, (key, rows, want)
        assert _home_count(page, href) == len(rows) == len(want), key
        if want:
            assert menu[href] == other_page[href] == len(rows), key
        else:
            assert href not in menu and href not in other_page, key  # a zero is left out of the menu
    return page


# ---------------------------------------------------------------- making work

def _liaison(users, notice):
    return users[f"liaison-{notice.unit.code}"]


def _ack(users, notice):
    return services.notice_acknowledge(actor=_liaison(users, notice), notice=notice)


def _answer(users, notice, outcome="done", detail=""):
    notice = Notice.objects.get(pk=notice.pk)
    if notice.status in ("issued", "delivered"):
        _ack(users, notice)
    amount = "1000.00" if notice.kind == NoticeKind.ASSIST and notice.action.code in ("freeze", "deduct") else None
    return services.notice_answer(actor=_liaison(users, notice), notice=notice, outcome=outcome,
                                  detail=detail or ("" if outcome == "done" else "无法执行"), result_amount=amount)


def _close(users, notice):
    return services.notice_close(actor=users["clerk"], notice=Notice.objects.get(pk=notice.pk))


def _measure(users, issue, case, unit_code, action_code="freeze", expires_in_days=None, close=True):
    notice = issue(case, unit_code, action_code)
    _answer(users, notice)
    if close:
        _close(users, notice)
    measure = Measure.objects.get(notice=notice)
    if expires_in_days is not None:
        Measure.objects.filter(pk=measure.pk).update(
            expires_on=dates.local_today() + timedelta(days=expires_in_days))
    return Measure.objects.get(pk=measure.pk)


def _release(users, measure, commit):
    with commit(execute=True):
        return measures.measure_release(actor=users["clerk"], measure=measure, ground="debt_paid",
                                        ruling_file=SimpleUploadedFile("解除冻结裁定书.pdf", pdf_bytes("release"),
                                                                       content_type="application/pdf"))


def _late(notice, *, ack=False, answer=False):
    """The notice's acknowledgement or answer deadline has passed."""
    past = timezone.now() - timedelta(days=2)
    Notice.objects.filter(pk=notice.pk).update(**({"ack_due_at": past} if ack else {}),
                                               **({"due_at": past} if answer else {}))


# ---------------------------------------------------------------- the clerk

@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def _clerk_world(users, make_case, issue, commit):
    """Work in every state; returns the rows each of the clerk's counts must list."""
    case, concluded = make_case(), make_case()
    answered = issue(case, "police", "query")
    _answer(users, answered)                                     # answered: to review
    _close(users, _answer(users, issue(case, "tax", "query")))   # reviewed and closed: history
    unable = issue(case, "bank-ccb", "query")
    _answer(users, unable, "unable")                             # answered unable: to review as well

    near = _measure(users, issue, case, "bank-icbc", expires_in_days=2)          # renewal due
    _measure(users, issue, case, "bank-ccb", expires_in_days=90)                 # far from expiry
    released_near = _measure(users, issue, case, "bank-abc", expires_in_days=2)  # a release is under way
    open_release = _release(users, released_near, commit)                        # not confirmed yet
    confirmed = _release(users, _measure(users, issue, case, "police", "seize", expires_in_days=2), commit)
    _close(users, _answer(users, confirmed))                                     # confirmed and closed

    _measure(users, issue, concluded, "bank-icbc", expires_in_days=2)
    with commit(execute=True):
        services.case_conclude(actor=users["clerk"], case=concluded, outcome="completed", note="已全部履行")  # releases it
    conclusion_release = Notice.objects.get(case=concluded, kind=NoticeKind.RELEASE)

    objected = issue(case, "police", "locate")
    services.notice_request_file(actor=users["liaison-police"], notice=objected, kind="objection",
                                 grounds="该车辆已过户")                      # pending: to decide
    refused = issue(case, "bank-icbc", "query")
    filed = services.notice_request_file(actor=users["liaison-bank-icbc"], notice=refused, kind="extension",
                                         grounds="系统升级", requested_due_at=(timezone.localdate()
                                                                          + timedelta(days=60)).isoformat())
    services.notice_request_decide(actor=users["clerk"], request=filed, grant=False, note="不予延期")  # decided
    return {"answered": [answered, unable], "requests": [objected],
            "releases": [open_release, conclusion_release], "measures": [near]}


@pytest.mark.dates
def test_clerk_counts_are_the_rows_of_the_lists_they_link_to(users, make_case, issue, commit, browser_client):
    expected = _clerk_world(users, make_case, issue, commit)
    client = browser_client("clerk")
    page = _check_role(client, CLERK_LINKS, expected)
    assert 'aria-label="待审核的回执 2 件"' in page
    assert 'aria-label="待决定的异议及延期申请 1 件"' in page
    # The renewal reminders and the count are the same rule: today's sweep reminds exactly these measures.
    measures.measures_sweep(today=dates.local_today())
    reminded = set(MeasureReminder.objects.values_list("measure_id", flat=True))
    assert reminded == {m.pk for m in expected["measures"]}


def test_clerk_with_nothing_waiting_sees_zeros_at_home_and_no_menu_counts(browser_client):
    client = browser_client("clerk")
    page = _html(client.get("/"))
    for href in CLERK_LINKS.values():
        assert _home_count(page, href) == 0 == len(_listed(client, href))
    assert _menu(page) == {}
    assert '<nav class="todo"' not in page


def test_a_count_follows_the_work_at_once(users, make_case, issue, browser_client):
    """Nothing is cached across requests: an answer reviewed leaves the count on the next page."""
    notice = issue(make_case(), "police", "query")
    _answer(users, notice)
    client = browser_client("clerk")
    assert _menu(_html(client.get("/units/")))[CLERK_LINKS["answered"]] == 1
    _close(users, notice)
    assert CLERK_LINKS["answered"] not in _menu(_html(client.get("/units/")))


# ---------------------------------------------------------------- the conveners and the office

def _meeting(users, commit, title, *, started: bool, kind="special"):
    item = conference_services.agenda_item_propose(actor=users["office"], title=f"{title}议题", reason="other",
                                                   units=["police"])
    conference_services.agenda_item_approve(actor=users["convener"], item=item)
    with commit(execute=True):
        meeting = conference_services.meeting_create(actor=users["office"], title=title, kind=kind,
                                                     starts_at=timezone.now() + timedelta(days=3),
                                                     agenda_items=[item])
    if started:
        Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(hours=2))
    return Meeting.objects.get(pk=meeting.pk)


def _draft(users, meeting, decisions=()):
    return conference_services.minutes_draft(actor=users["office"], meeting=meeting, summary="会议研究了有关事项。",
                                             decisions=list(decisions) or [{"text": "各单位加强协作"}])


def _conference_world(users, commit):
    no_minutes = _meeting(users, commit, "已召开未写纪要的会议", started=True)
    drafted = _meeting(users, commit, "纪要待印发的会议", started=True)
    _draft(users, drafted)
    future = _meeting(users, commit, "尚未召开的会议", started=False)
    _draft(users, future)  # a draft before the meeting: not yet for the convener to issue
    issued = _meeting(users, commit, "已印发纪要的会议", started=True)
    minutes = _draft(users, issued, [{"text": f"公安局落实事项{i}", "unit": "police", "due_at": "2026-12-31"}
                                     for i in range(5)])
    with commit(execute=True):
        conference_services.minutes_issue(actor=users["convener"], minutes=minutes)
    items = list(ActionItem.objects.filter(minutes=minutes).order_by("id"))
    past = timezone.now() - timedelta(days=1)
    ActionItem.objects.filter(pk__in=[i.pk for i in items[:4]]).update(due_at=past)
    late_open, late_returned, late_reported, late_done, not_due = items
    liaison, office = users["liaison-police"], users["office"]
    for item in (late_returned, late_reported, late_done):
        conference_services.action_item_report(actor=liaison, item=ActionItem.objects.get(pk=item.pk), detail="已落实")
    conference_services.action_item_return(actor=office, item=ActionItem.objects.get(pk=late_returned.pk), note="补充")
    conference_services.action_item_close(actor=office, item=ActionItem.objects.get(pk=late_done.pk))
    # Action items of draft minutes reach nobody yet, however late.
    late_draft = _meeting(users, commit, "纪要草稿有督办事项的会议", started=True)
    _draft(users, late_draft, [{"text": "草稿事项", "unit": "police", "due_at": "2026-12-31"}])
    ActionItem.objects.filter(meeting=late_draft).update(due_at=past)

    proposed = [conference_services.agenda_item_propose(actor=office, title=f"待批议题{i}", reason="other",
                                                        units=["tax"]) for i in range(2)]
    rejected = conference_services.agenda_item_propose(actor=office, title="被否决的议题", reason="other")
    conference_services.agenda_item_reject(actor=users["convener"], item=rejected, comment="不予上会")

    police, tax = Unit.objects.get(code="police"), Unit.objects.get(code="tax")
    filed = assessment_services.report_file(actor=users["clerk"], unit=police, kind="passive", detail="消极协助")
    answered = assessment_services.report_file(actor=users["clerk"], unit=tax, kind="refusal", detail="拒不协助")
    assessment_services.report_answer(actor=users["liaison-tax"], report=answered, detail="情况说明")
    decided = assessment_services.report_file(actor=users["office"], unit=police, kind="non_execution", detail="不执行")
    assessment_services.report_decide(actor=users["convener"], report=decided, outcome="criticism", detail="批评教育")
    return {"agenda": proposed, "reports": [filed, answered], "minutes": [drafted, late_draft],
            "actions": [late_open, late_returned], "no_minutes": [no_minutes, drafted, late_draft]}


def test_convener_counts_are_the_rows_of_the_lists_they_link_to(users, commit, browser_client):
    expected = _conference_world(users, commit)
    page = _check_role(browser_client("convener"), CONVENER_LINKS, expected)
    assert 'aria-label="待批准的议题 2 件"' in page
    assert 'aria-label="待印发的会议纪要 2 件"' in page
    for href in {**CLERK_LINKS, **OFFICE_LINKS}.values():
        assert f'href="{href}"' not in page  # another role's work is not the convener's


def test_office_counts_are_the_rows_of_the_lists_they_link_to(users, commit, browser_client):
    expected = _conference_world(users, commit)
    page = _check_role(browser_client("office"), OFFICE_LINKS, expected)
    assert 'aria-label="逾期的督办事项 2 件"' in page
    assert 'aria-label="未印发纪要的会议 3 件"' in page
    for href in {**CLERK_LINKS, **CONVENER_LINKS}.values():
        assert f'href="{href}"' not in page


# ---------------------------------------------------------------- the member units

def _unit_world(users, make_case, issue, commit, code):
    """A unit's notices in every state; returns the rows of each of the unit's counts. The police has no
    freeze: its measure (and the release of it) is a vehicle seizure."""
    case = make_case()
    new = issue(case, code, "query")
    late_ack = issue(case, code, "query")
    _late(late_ack, ack=True)
    to_answer = _ack(users, issue(case, code, "query"))
    late_answer = _ack(users, issue(case, code, "query"))
    _late(late_answer, answer=True)
    _answer(users, issue(case, code, "query"))                         # answered: nothing owed
    _close(users, _answer(users, issue(case, code, "query")))          # closed: history
    services.notice_cancel(actor=users["clerk"], notice=issue(case, code, "query"))  # cancelled: history
    paused = issue(case, code, "query")                                # a pending objection stops the clock
    _late(paused, ack=True)
    services.notice_request_file(actor=users[f"liaison-{code}"], notice=paused, kind="objection", grounds="异议")
    held = _measure(users, issue, case, code, "seize" if code == "police" else "freeze")
    release = _release(users, held, commit)
    return {"new": [new, late_ack, paused, release], "to_answer": [to_answer, late_answer],
            "to_release": [release], "overdue": [late_ack, late_answer]}


@pytest.mark.dates
@pytest.mark.parametrize("username", ["liaison-police", "leader-police", "liaison-bank-icbc"])
def test_unit_counts_are_their_own_units_rows_only(users, make_case, issue, commit, browser_client, username):
    mine = users[username].unit.code
    other = "bank-icbc" if mine == "police" else "police"
    expected = _unit_world(users, make_case, issue, commit, mine)
    _unit_world(users, make_case, issue, commit, other)  # the same work at another unit
    client = browser_client(username)
    page = _check_role(client, UNIT_LINKS, expected)
    assert 'aria-labelledby="inbox-h"' in page and 'aria-labelledby="todo-h"' not in page
    assert 'aria-label="待签收 4 件"' in page and 'aria-label="已逾期 2 件"' in page
    theirs = set(Notice.objects.filter(unit__code=other).values_list("pk", flat=True))
    assert theirs
    for href in UNIT_LINKS.values():
        assert not theirs & set(_listed(client, href))  # another unit's notices are never counted or listed
    # The inbox's own tabs give the same figures.
    counts = client.get("/inbox/").context["counts"]
    assert {key: counts[key] for key in UNIT_LINKS} == {key: len(rows) for key, rows in expected.items()}


def test_the_president_signs_and_the_clerk_issues_the_orders_waiting(users, make_case, browser_client):
    """限高规定 Art. 5: the president signs a drafted order, the clerk then issues it; each sees the orders
    waiting for them, and an issued order counts for no one."""
    from credit import restrictions

    def debtor(case):
        return case.parties.filter(role="debtor").order_by("id").first()

    cases = [make_case() for _ in range(4)]
    drafts = [restrictions.restriction_draft(actor=users["clerk"], case=c, party=debtor(c)) for c in cases]
    restrictions.restriction_sign(actor=users["president"], order=drafts[1])
    restrictions.restriction_sign(actor=users["president"], order=drafts[2])
    restrictions.restriction_issue(actor=users["clerk"], order=drafts[2])  # issued: waits for no one
    to_sign = [drafts[0], drafts[3]]
    page = _check_role(browser_client("president"), {"orders_to_sign": "/restrictions/?status=draft"},
                       {"orders_to_sign": to_sign})
    assert f'aria-label="待签发的限制消费令 {len(to_sign)} 件"' in page
    _check_role(browser_client("clerk"), {"orders_to_issue": "/restrictions/?status=signed"},
                {"orders_to_issue": [drafts[1]]})


@pytest.mark.dates
def test_the_assessor_sees_the_periods_ended_and_not_finalised(users, browser_client):
    """Art. 36, 37: a period whose last day has passed (Asia/Shanghai) waits for the assessor to finalise
    it; a running or a finalised period does not."""
    from assessments import services as periods

    today = timezone.localdate()
    assessor = users["assessor"]
    ended = periods.period_create(actor=assessor, name="上半年", starts_on=today - timedelta(days=200),
                                  ends_on=today - timedelta(days=20))
    finalised = periods.period_create(actor=assessor, name="去年", starts_on=today - timedelta(days=400),
                                      ends_on=today - timedelta(days=201))
    periods.period_finalise(actor=assessor, period=finalised)
    periods.period_create(actor=assessor, name="本季度", starts_on=today - timedelta(days=10),
                          ends_on=today)  # today is its last day: not over yet
    href = "/assessment/?status=to_finalise"
    page = _check_role(browser_client("assessor"), {"periods": href}, {"periods": [ended]})
    assert 'aria-label="已结束待定稿的考评周期 1 件"' in page


# ---------------------------------------------------------------- cost: constant, over open work

def _grow(users, make_case, issue, commit, n):
    """``n`` more of everything every role counts, and closed history beside it."""
    for i in range(n):
        case = make_case()
        _answer(users, issue(case, "police", "query"))
        _close(users, _answer(users, issue(case, "tax", "query")))
        _ack(users, issue(case, "police", "query"))
        _late(issue(case, "police", "query"), ack=True)
        services.notice_request_file(actor=users["liaison-bank-ccb"], notice=issue(case, "bank-ccb", "query"),
                                     kind="objection", grounds="异议")
        _release(users, _measure(users, issue, case, "bank-icbc", expires_in_days=100), commit)
        _measure(users, issue, case, "bank-abc", expires_in_days=3)
        _draft(users, _meeting(users, commit, f"会议{i}", started=True))
        conference_services.agenda_item_propose(actor=users["office"], title=f"议题{i}", reason="other")
        assessment_services.report_file(actor=users["clerk"], unit=Unit.objects.get(code="police"),
                                        kind="passive", detail=f"报告{i}")


def _queries(client, path) -> int:
    client.get(path)  # warm: sessions, content types
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


ROLES = ("clerk", "convener", "office", "liaison-police")


def test_query_count_of_home_and_menu_does_not_grow_with_the_data(users, make_case, issue, commit,
                                                                  browser_client):
    clients = {name: browser_client(name) for name in ROLES}
    _grow(users, make_case, issue, commit, 1)
    before = {(name, path): _queries(clients[name], path) for name in ROLES for path in ("/", "/units/")}
    _grow(users, make_case, issue, commit, 4)
    after = {(name, path): _queries(clients[name], path) for name in ROLES for path in ("/", "/units/")}
    assert after == before
    # The counts did grow: the pages above counted real work, not an empty data set.
    menu = _menu(_html(clients["clerk"].get("/units/")))
    assert menu[CLERK_LINKS["answered"]] == 5 and menu[CLERK_LINKS["requests"]] == 5
    assert _menu(_html(clients["convener"].get("/units/")))[CONVENER_LINKS["reports"]] == 5


# office: 3 since issue 29, whose to-do also counts the open dishonest-list check alerts (one more query);
# 4 since issue 31: liaisons away with no deputy, units with no liaison and failing channels, in one query.
@pytest.mark.parametrize("username, most", [("clerk", 5), ("convener", 3), ("office", 4), ("liaison-police", 3),
                                            ("assessor", 1)])
def test_each_roles_to_do_is_a_few_queries(users, make_case, issue, commit, username, most):
    _grow(users, make_case, issue, commit, 2)
    user = User.objects.get(username=username)  # fresh: no role or unit cache
    role_codes(user)  # the roles are read once per request for the menu anyway
    with CaptureQueriesContext(connection) as ctx:
        items = todo_for(user)
    assert len(ctx.captured_queries) <= most, [q["sql"] for q in ctx.captured_queries]
    assert (sum(t.count for t in items) > 0) == (username != "assessor")


# ---------------------------------------------------------------- a phone (390 px)

@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_counts_fit_a_phone_without_sideways_scroll(users, make_case, issue, commit, live_server):
    import os

    from playwright.sync_api import sync_playwright

    from members.seeding import seed_demo

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    seed_demo("linkage-demo")
    _clerk_world(users, make_case, issue, commit)
    _unit_world(users, make_case, issue, commit, "police")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 800}).new_page()
        for username in ("clerk", "liaison-police"):
            page.context.clear_cookies()
            page.goto(live_server.url + "/accounts/login/")
            page.get_by_label("用户名").fill(username)
            page.get_by_label("密码").fill("linkage-demo")
            page.get_by_role("button", name="登录").click()
            page.wait_for_url(live_server.url + "/")
            for path in ("/", "/units/"):
                page.goto(live_server.url + path)
                assert page.locator("nav.todo a").count() >= 3
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= 390, f"{username} {path} scrolls sideways on a phone ({width}px)"
        browser.close()
