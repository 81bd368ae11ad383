"""Accessibility: axe-core on the main page template of every role, 0 violations of WCAG 2.1 A and AA
(colour contrast included), in Debian's Chromium driven by Playwright (never a downloaded browser).

axe-core is the npm package of tests/package.json (``npm ci`` in tests/, run by ``make install``); its
``axe.min.js`` is injected into each page with ``add_script_tag``. The sample month (``portal.sample``,
made through the services) gives every page something to show.
"""
import json
import os
from pathlib import Path

import pytest

from members.seeding import seed_demo

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser(live_server):
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium package is required for the browser tests"
    assert AXE.exists(), "run `npm ci` in tests/ (make install does): axe-core is missing"
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        # bypass_csp: the portal allows no inline script; axe is injected by the test, not by the page
        context = chromium.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900}, bypass_csp=True)
        page = context.new_page()
        page.set_default_timeout(20000)
        page.base = live_server.url
        yield page
        chromium.close()


def _sign_in(page, username):
    page.context.clear_cookies()
    page.goto(page.base + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("linkage-demo")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(page.base + "/")


def _violations(page, path) -> list[str]:
    response = page.goto(page.base + path)
    assert response is not None and response.status < 400, (path, response and response.status)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async (tags) => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""", TAGS)
    return [f"{path}: {v['id']} ({v['impact']}) {v['help']} at {json.dumps(v['nodes'], ensure_ascii=False)}"
            for v in result]


def _pages():
    """The main page of each template, per role: [(username or None, path)]."""
    from assessments.models import AssessmentPeriod
    from cases.models import Case, Notice
    from conferences.models import Meeting
    from documents.models import IssuedDocument

    case = Case.objects.filter(status="open").order_by("pk").first() or Case.objects.order_by("pk").first()
    notice = Notice.objects.filter(kind="assist", unit__code__startswith="bank").order_by("pk").first()
    meeting = (Meeting.objects.filter(minutes__isnull=False).order_by("pk").first()
               or Meeting.objects.order_by("pk").first())
    period = AssessmentPeriod.objects.order_by("-pk").first()
    document = IssuedDocument.objects.order_by("pk").first()
    pages = [(None, "/accounts/login/"), (None, "/verify/"), (None, "/public/dishonest/")]
    if document is not None:
        pages.append((None, f"/verify/{document.code}/"))
    pages += [("clerk", p) for p in ("/", "/cases/", "/cases/new/", f"/cases/{case.pk}/",
                                      f"/cases/{case.pk}/issue/", f"/cases/{case.pk}/conclude/", "/measures/",
                                      f"/notices/{notice.pk}/", "/credit/", "/credit/check/", "/credit/pushes/",
                                      "/units/")]
    from credit.models import CreditEntry

    entry = CreditEntry.objects.order_by("pk").first()
    if entry is not None:
        pages.append(("clerk", f"/credit/{entry.pk}/"))
    pages.append(("clerk", f"/units/{notice.unit.code}/"))
    pages += [("office", p) for p in ("/", "/conferences/", "/conferences/board/",
                                       f"/conferences/meetings/{meeting.pk}/",
                                       f"/conferences/meetings/{meeting.pk}/minutes/")]
    pages += [("convener", p) for p in ("/", "/assessment/dashboard/")]
    if period is not None:
        unit = notice.unit.code
        pages += [("assessor", p) for p in ("/", "/assessment/", f"/assessment/periods/{period.pk}/",
                                             f"/assessment/periods/{period.pk}/units/{unit}/",
                                             f"/assessment/periods/{period.pk}/units/{unit}/ack_on_time/")]
    liaison = f"liaison-{notice.unit.code}"
    pages += [(liaison, p) for p in ("/", "/inbox/", f"/notices/{notice.pk}/", "/measures/", "/tasks/")]
    pages += [("leader-police", "/"), ("leader-police", "/assessment/mine/")]
    return pages


def test_every_main_page_of_every_role_has_no_wcag_21_aa_violation(browser, settings):
    from portal.sample import seed_sample

    settings.CELERY_TASK_ALWAYS_EAGER = True
    seed_demo("linkage-demo")
    seed_sample()
    problems, signed_in = [], object()
    for username, path in _pages():
        if username != signed_in:
            if username is None:
                browser.context.clear_cookies()
            else:
                _sign_in(browser, username)
            signed_in = username
        problems += _violations(browser, path)
        if "/assessment/periods/" in path and path.count("/") == 4:  # the ranking, at 1366 px
            fit = browser.evaluate("""() => {
                const table = document.querySelector('#ranking');
                if (!table) return {wide: 0, room: 1, tall: []};
                const names = [...table.querySelectorAll('tbody td:nth-child(2)')];
                // a name on one line is one line box: its link has a single client rect
                return {wide: table.scrollWidth, room: table.parentElement.clientWidth,
                        tall: names.filter(td => td.querySelector('a').getClientRects().length > 1)
                                   .map(td => td.textContent)};
            }""")
            if fit["wide"] > fit["room"]:
                problems.append(f"{path}: the ranking is {fit['wide']} px wide in {fit['room']} px")
            if fit["tall"]:
                problems.append(f"{path}: unit names wrap: {fit['tall']}")
    assert not problems, "\n".join(problems)


def test_the_inbox_reads_at_390_px_without_horizontal_scroll(browser):
    """A liaison on a phone: the inbox and a notice fit the width; the next action is a button on top."""
    from cases.models import Notice
    from portal.sample import seed_sample

    seed_demo("linkage-demo")
    seed_sample()
    notice = Notice.objects.filter(kind="assist", unit__code__startswith="bank", status="delivered").first() \
        or Notice.objects.filter(kind="assist", unit__code__startswith="bank").first()
    browser.set_viewport_size({"width": 390, "height": 844})
    _sign_in(browser, f"liaison-{notice.unit.code}")
    for path in ("/inbox/", "/inbox/?tab=all", f"/notices/{notice.pk}/"):
        browser.goto(browser.base + path)
        wide = browser.evaluate("document.documentElement.scrollWidth")
        assert wide <= 390, (path, wide)
    # the next action (acknowledge, or answer) is a button at the top of the notice, above its facts
    if notice.status in ("delivered", "acknowledged"):
        action = browser.locator("main .next-action").first
        assert action.is_visible()
        assert action.bounding_box()["y"] < browser.locator("dl.facts").bounding_box()["y"]
    assert _violations(browser, "/inbox/") == []
