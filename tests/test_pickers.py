"""Case pickers (issue 12 §3): ``GET /cases/picker/?q=`` lists, as a small HTML fragment, the cases the
case list would find for the user (cases/pickers.py), for the measures register's filter and the agenda
item form; the register's unit filter is a list of units for the court roles."""
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import services
from cases.models import Measure
from conferences.models import AgendaItem
from members.models import Unit

from .conftest import make_resident_id

PICKER = "/cases/picker/"


def _picked(response):
    """The case ids a picker answer offers, in order."""
    assert response.status_code == 200, response.content
    return [int(pk) for pk in re.findall(r'role="option"[^>]*data-value="(\d+)"', response.content.decode())]


def _pick(client, q):
    return _picked(client.get(PICKER, {"q": q}))


def _debtor(case):
    return case.parties.filter(role="debtor").order_by("id").first()


@pytest.fixture
def tax_case(make_case, issue):
    """A case with a notice to the tax bureau: liaison-tax sees it."""
    case = make_case(number="(2026)鄂1022执9701号")
    issue(case, "tax", "query", subject="查询纳税情况")
    return case


@pytest.fixture
def police_case(make_case, issue):
    """A case of another unit (the police): liaison-tax must never see it."""
    case = make_case(number="(2026)鄂1022执9702号")
    issue(case, "police", "query", subject="查询车辆登记")
    return case


def test_the_clerk_finds_a_case_by_number_in_any_bracket_form(browser_client, tax_case):
    client = browser_client("clerk")
    assert tax_case.number == "（2026）鄂1022执9701号"
    for q in ("（2026）鄂1022执9701号", "(2026)鄂1022执9701号", "〔2026〕鄂1022执9701号", "［2026］鄂1022执9701号",
              "[2026]鄂1022执9701号", "执9701号"):
        assert _pick(client, q) == [tax_case.pk], q
    html = client.get(PICKER, {"q": "(2026)鄂1022执9701号"}).content.decode()
    assert f'data-label="{tax_case.number}"' in html and tax_case.title in html
    assert 'role="option"' in html and 'aria-selected="false"' in html


def test_the_clerk_finds_a_case_by_title_and_by_party_name(browser_client, tax_case):
    client = browser_client("clerk")
    assert tax_case.pk in _pick(client, tax_case.title)
    assert _pick(client, _debtor(tax_case).name) == [tax_case.pk]
    assert _pick(client, "没有这样的案件") == []
    assert "未找到符合的案件" in client.get(PICKER, {"q": "没有这样的案件"}).content.decode()


def test_a_liaison_picks_only_the_cases_of_their_unit(browser_client, tax_case, police_case):
    client = browser_client("liaison-tax")
    assert _pick(client, tax_case.number) == [tax_case.pk]
    assert _pick(client, "(2026)鄂1022执970") == [tax_case.pk]  # both numbers match; one is theirs
    assert _pick(client, _debtor(tax_case).name) == [tax_case.pk]
    for q in (police_case.number, "〔2026〕鄂1022执9702号", _debtor(police_case).name, police_case.title):
        response = client.get(PICKER, {"q": q})
        assert _picked(response) == []
        assert police_case.number not in response.content.decode()
    # and the police's liaison sees theirs, not the tax bureau's
    assert _pick(browser_client("liaison-police"), "(2026)鄂1022执970") == [police_case.pk]


def test_a_liaison_finds_nothing_by_identifier_and_it_is_never_echoed(browser_client, tax_case):
    from members.models import AccessLog

    debtor = _debtor(tax_case)
    client = browser_client("liaison-tax")
    for q in (debtor.id_number, debtor.id_number.lower(), debtor.masked_id):
        response = client.get(PICKER, {"q": q})
        html = response.content.decode()
        assert _picked(response) == []
        assert tax_case.number not in html and debtor.id_number not in html and debtor.id_number.lower() not in html
        assert q not in html
    # the attempt is logged (as the case search logs it), with the identifier masked
    logs = AccessLog.objects.filter(what="case_search_identifier", user__username="liaison-tax")
    assert logs.count() == 3 and all(debtor.id_number not in log.object_repr for log in logs)
    # the court roles may search by identifier, as in the case list (audited)
    clerk = browser_client("clerk")
    response = clerk.get(PICKER, {"q": debtor.id_number})
    assert _picked(response) == [tax_case.pk] and debtor.id_number not in response.content.decode()


@pytest.mark.usefixtures("rate_window")
def test_the_picker_is_throttled_like_the_case_search(browser_client, tax_case, settings):
    settings.CASE_IDENTIFIER_SEARCH_RATE = "2/min"
    client = browser_client("clerk")
    debtor = _debtor(tax_case)
    assert [client.get(PICKER, {"q": make_resident_id(n)}).status_code for n in (901, 902)] == [200, 200]
    response = client.get(PICKER, {"q": debtor.id_number})
    assert response.status_code == 429
    assert 'role="option"' not in response.content.decode() and debtor.id_number not in response.content.decode()
    assert _pick(client, debtor.name) == [tax_case.pk]  # a search by name is not limited


@pytest.mark.usefixtures("rate_window")
def test_an_id_being_typed_is_searched_only_when_whole(browser_client, tax_case, settings):
    """Typed into the picker key by key, an ID is searched (audited, counted against the limit) at 15
    digits, which may be a first-generation ID, and at 18, not at 16 or 17."""
    from members.models import AccessLog

    settings.CASE_IDENTIFIER_SEARCH_RATE = "2/min"
    client = browser_client("clerk")
    id_number = _debtor(tax_case).id_number
    answers = {n: client.get(PICKER, {"q": id_number[:n]}) for n in range(14, 19)}
    assert all(r.status_code == 200 for r in answers.values())
    assert _picked(answers[18]) == [tax_case.pk]
    for n in (16, 17):
        assert "输入完整的身份证号码或统一社会信用代码（18位）后再按证件号查找。" in answers[n].content.decode()
        assert _picked(answers[n]) == []
    assert AccessLog.objects.filter(what="case_search_identifier", user__username="clerk").count() == 2
    # a masked one is searched only when whole too
    masked = _debtor(tax_case).masked_id
    assert "18位" in client.get(PICKER, {"q": masked[:12]}).content.decode()
    assert AccessLog.objects.filter(what="case_search_identifier", user__username="clerk").count() == 2


def test_a_short_or_empty_query_lists_nothing(browser_client, tax_case):
    client = browser_client("clerk")
    assert _pick(client, "") == [] and _pick(client, " 9 ") == []


def test_at_most_ten_cases_newest_first(browser_client, make_case):
    cases = [make_case(number=f"(2026)鄂1022执98{n:02d}号") for n in range(12)]
    response = browser_client("clerk").get(PICKER, {"q": "鄂1022执98"})
    assert _picked(response) == [c.pk for c in reversed(cases)][:10]
    assert "仅显示前10个案件" in response.content.decode()


@pytest.mark.parametrize("username", ["clerk", "liaison-tax"])
def test_the_picker_query_count_does_not_grow_with_the_data(browser_client, make_case, issue, username):
    client = browser_client(username)

    def count():
        client.get(PICKER, {"q": "warm"})  # the session and the role caches, as any later request
        with CaptureQueriesContext(connection) as queries:
            response = client.get(PICKER, {"q": "鄂1022执96"})
        assert response.status_code == 200
        return len(queries), len(_picked(response))

    for n in range(2):
        issue(make_case(number=f"(2026)鄂1022执96{n:02d}号", debtors=2), "tax", "query", subject="查询")
    small, found_small = count()
    for n in range(2, 14):
        issue(make_case(number=f"(2026)鄂1022执96{n:02d}号", debtors=2), "tax", "query", subject="查询")
    large, found_large = count()
    assert (found_small, found_large) == (2, 10)
    assert small == large


def test_anonymous_is_sent_to_sign_in(client, tax_case):
    response = client.get(PICKER, {"q": tax_case.number})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert tax_case.number not in response.content.decode()


def test_the_agenda_form_has_the_picker_and_still_takes_typed_numbers(browser_client, tax_case):
    client = browser_client("office")
    html = client.get("/conferences/agenda/new/").content.decode()
    assert 'role="combobox"' in html and 'data-picker-target="id_case_numbers"' in html
    assert 'aria-controls="agenda-case-search-list"' in html and "js/htmx.min.js" in html
    assert 'name="case_numbers"' in html  # the typed field stays what the form reads
    # the picker's search field has no name: it is never posted with the form
    search = re.search(r'<input type="search"[^>]*>', html).group(0)
    assert " name=" not in search
    response = client.post("/conferences/agenda/new/", {
        "title": "协调查控", "reason": "major", "description": "", "case_numbers": "〔2026〕鄂1022执9701号\n"})
    assert response.status_code == 302, response.content.decode()[:2000]
    item = AgendaItem.objects.latest("id")
    assert list(item.cases.all()) == [tax_case]


# ---------------------------------------------------------------- the measures register's filter

@pytest.fixture
def two_measures(users, make_case, issue):
    """A seizure by the police in each of two cases."""
    found = []
    for n in (9711, 9712):
        case = make_case(number=f"(2026)鄂1022执{n}号")
        notice = issue(case, "police", "seize", subject=f"扣押车辆鄂D{n}")
        liaison = users["liaison-police"]
        services.notice_acknowledge(actor=liaison, notice=notice)
        services.notice_answer(actor=liaison, notice=notice, outcome="done", measure={"asset": f"车辆鄂D{n}"})
        found.append((case, Measure.objects.get(notice=notice)))
    return found


def test_the_court_chooses_a_unit_from_a_list(browser_client, two_measures):
    html = browser_client("clerk").get("/measures/").content.decode()
    select = re.search(r'<select id="m-unit" name="unit">(.*?)</select>', html, re.S)
    assert select, "no unit list"
    codes = re.findall(r'<option value="([^"]*)"', select.group(1))
    # The units of the clerk's own court's conference (the demo's second county has its own).
    assert codes == [""] + list(Unit.objects.active().filter(court__code="鄂1022").values_list("code", flat=True))
    assert 'name="unit" value=' not in html  # no typed unit code any more
    chosen = browser_client("clerk").get("/measures/", {"unit": "police"})
    assert '<option value="police" selected>' in chosen.content.decode()
    assert {m.pk for m in chosen.context["measures"]} == {m.pk for _case, m in two_measures}
    assert list(browser_client("clerk").get("/measures/", {"unit": "tax"}).context["measures"]) == []


def test_a_unit_user_gets_no_unit_list(browser_client, two_measures):
    response = browser_client("liaison-police").get("/measures/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="m-unit"' not in html and 'name="unit"' not in html
    assert 'id="m-case-search"' in html and 'role="combobox"' in html  # the case picker is there


def test_the_register_filters_by_the_chosen_case_and_shows_its_number(browser_client, two_measures):
    (a, measure_a), (b, _measure_b) = two_measures
    for username in ("clerk", "liaison-police"):
        client = browser_client(username)
        # what the picker offers is what the filter takes: the case id
        assert _pick(client, a.number) == [a.pk]
        response = client.get("/measures/", {"case": str(a.pk)})
        assert [m.pk for m in response.context["measures"]] == [measure_a.pk]
        html = response.content.decode()
        assert f'id="m-case" name="case" value="{a.pk}"' in html  # the typed field, without JavaScript
        assert re.search(rf'<input type="search" id="m-case-search" value="{re.escape(a.number)}"', html)
    # an id of a case the user may not see shows no number
    client = browser_client("liaison-tax")
    html = client.get("/measures/", {"case": str(a.pk)}).content.decode()
    assert a.number not in html


def test_htmx_is_loaded_only_where_a_picker_is(browser_client):
    client = browser_client("clerk")
    assert "js/htmx.min.js" in client.get("/measures/").content.decode()
    assert "js/htmx.min.js" not in client.get("/cases/").content.decode()
    assert "js/htmx.min.js" not in client.get("/").content.decode()


# ---------------------------------------------------------------- in the browser (htmx, keyboard, 390 px)

@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_the_browser_a_case_is_picked_with_the_keyboard_at_390_px(live_server, settings):
    import os
    from pathlib import Path

    from playwright.sync_api import expect, sync_playwright

    from members.models import User
    from members.seeding import seed_demo

    from .conftest import PASSWORD, case_ruling

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    chromium, axe = "/usr/bin/chromium", Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
    assert Path(chromium).exists(), "Debian's chromium package is required for the browser tests"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    seed_demo(PASSWORD)
    clerk, liaison = User.objects.get(username="clerk"), User.objects.get(username="liaison-police")
    from decimal import Decimal

    from members.models import ActionType

    case = services.case_create(actor=clerk, number="(2026)鄂1022执9721号", title="浏览器选取测试案",
                                amount=Decimal("1000.00"),
                                parties=[{"role": "applicant", "name": "甲", "id_number": make_resident_id(9721)},
                                         {"role": "debtor", "name": "乙", "id_number": make_resident_id(9722)}])
    notice = services.notice_issue(actor=clerk, case=case, unit=Unit.objects.get(code="police"),
                                   action=ActionType.objects.get(code="seize"), subject="扣押车辆鄂D9721",
                                   ruling=case_ruling(case))
    services.notice_acknowledge(actor=liaison, notice=notice)
    services.notice_answer(actor=liaison, notice=notice, outcome="done", measure={"asset": "车辆鄂D9721"})

    def sign_in(page, username):
        page.goto(live_server.url + "/accounts/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(live_server.url + "/")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
        page = context.new_page()
        page.set_default_timeout(15000)
        refused = []
        page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
        sign_in(page, "clerk")
        page.goto(live_server.url + "/measures/")
        search = page.get_by_role("combobox", name="案件")
        expect(search).to_be_visible()
        expect(page.locator("#m-case")).to_be_hidden()  # the typed id field, for pages without script
        search.press_sequentially("执9721", delay=30)
        option = page.get_by_role("option", name=re.compile("9721"))
        expect(option).to_be_visible()
        expect(search).to_have_attribute("aria-expanded", "true")
        expect(page.locator("#m-case-search-picker [role=status]")).to_have_text("找到1个案件。")
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        search.press("ArrowDown")
        expect(search).to_have_attribute("aria-activedescendant", f"m-case-search-option-{case.pk}")
        search.press("Enter")
        expect(search).to_have_value(case.number)
        expect(search).to_have_attribute("aria-expanded", "false")
        assert page.locator("#m-case").input_value() == str(case.pk)
        page.get_by_role("button", name="筛选").click()
        page.wait_for_url(re.compile(rf"case={case.pk}"))
        expect(page.locator("table")).to_contain_text("车辆鄂D9721")
        expect(page.get_by_role("combobox", name="案件")).to_have_value(case.number)
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")

        # The agenda form: a chosen case is added as a line of the typed field.
        context.clear_cookies()
        sign_in(page, "office")
        page.goto(live_server.url + "/conferences/agenda/new/")
        adder = page.get_by_role("combobox", name="添加案件")
        adder.press_sequentially("浏览器选取", delay=30)
        page.get_by_role("option", name=re.compile("9721")).click()
        assert page.locator("#id_case_numbers").input_value() == case.number
        expect(adder).to_have_value("")
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        assert refused == []

        # axe-core on the open list (its script is injected, so this context bypasses the CSP).
        if axe.exists():
            checker = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, bypass_csp=True)
            page = checker.new_page()
            sign_in(page, "clerk")
            page.goto(live_server.url + "/measures/")
            page.add_script_tag(path=str(axe))

            def violations():
                return page.evaluate("""async () => (await axe.run(document, {runOnly: {type: 'tag',
                    values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations.map(v => v.id + ' '
                    + v.nodes.map(n => n.target.join(' ')).join(', '))""")

            assert violations() == []  # closed
            page.get_by_role("combobox", name="案件").press_sequentially("执9721", delay=30)
            expect(page.get_by_role("option", name=re.compile("9721"))).to_be_visible()
            page.get_by_role("combobox", name="案件").press("ArrowDown")
            assert violations() == []  # open, an option active
        browser.close()
