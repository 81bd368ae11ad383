"""An entrusted freeze between two courts (事项委托, 民事诉讼法 Art. 240) walked in Chromium, through the pages.

Court A (鄂1022, account ``clerk``) entrusts court B (鄂1024 湖北省江陵县人民法院, ``clerk-2``) with a freeze
from A's case page; B's clerk finds the task under "Entrusted tasks" and accepts it as a 执协 case of B;
on that case B's clerk issues the freeze to B's own bank (``2-bank-icbc``); B's bank liaison
(``liaison-2-bank-icbc``) acknowledges and answers done with the amount; A's case page then shows the
measure held through B. A's clerk cannot open B's 执协 case (404).

The A case is registered with the services (its registration in the browser is walked in
tests/test_browser.py). The entrustment pages are located by their URLs, field ids and form steps rather
than by their wording, so the walk holds whichever language their strings are in; the shared notice pages
are walked by their Chinese labels, as in tests/test_browser.py. Playwright drives Debian's Chromium
(/usr/bin/chromium); the live server, the demo seeding, the sign-in and the screenshots are those of
tests/test_browser.py (UPDATE_SCREENSHOTS=1 copies entrust-*.png into docs/img/ for the user guide).
"""
import pytest

from cases import services
from cases.models import Case, Entrustment, Measure, Notice
from members.models import Court, User

from .conftest import make_resident_id, pdf_bytes
from .test_browser import _shot, _sign_in, page  # noqa: F401  (the live server, seeding and Chromium fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

A_NUMBER = "(2026)鄂1022执8861号"
ASSIST_NUMBER = "（2026）鄂1024执协61号"
SUBJECT = "冻结被执行人郑十一在中国工商银行江陵支行账户 6222********5678 内存款 80000 元"
B_BANK = "中国工商银行江陵支行"
A_BANK = "中国工商银行公安支行"


def _step_form(pg, step):
    """The task page's form for one step (accept, report, return, withdraw, release)."""
    return pg.locator(f"form:has(input[name=step][value={step}])")


def test_a_entrusts_b_with_a_freeze_b_accepts_issues_and_a_sees_the_measure(page):  # noqa: F811
    clerk = User.objects.get(username="clerk")
    court_a, court_b = Court.objects.get(code="鄂1022"), Court.objects.get(code="鄂1024")
    assert court_b.name == "湖北省江陵县人民法院"
    case = services.case_create(
        actor=clerk, number=A_NUMBER, title="郑十一买卖合同纠纷", amount="80000",
        basis_issuer="公安县人民法院", basis_number="（2025）鄂1022民初3361号",
        parties=[{"role": "applicant", "name": "公安县某农资经营部", "id_number": make_resident_id(861)},
                 {"role": "debtor", "name": "郑十一", "id_number": make_resident_id(862)}])
    ruling = page.shots / "执行裁定书.pdf"
    ruling.write_bytes(pdf_bytes("执行裁定书"))

    # ---- A's clerk: "Entrust another court" on the case page, the form, the letter sent.
    _sign_in(page, "clerk")
    page.goto(page.base + f"/cases/{case.pk}/")
    assert page.locator("#entrusted-h").count() == 0  # nothing entrusted yet
    page.locator(f"a[href='/cases/{case.pk}/entrust/']").click()
    page.wait_for_url(f"**/cases/{case.pk}/entrust/")
    offered = page.locator("#id_court option").evaluate_all("os => os.map(o => o.value)")
    assert "鄂1024" in offered and "鄂1022" not in offered  # a court does not entrust itself
    page.select_option("#id_court", "鄂1024")
    page.select_option("#id_action", "freeze")
    page.locator("#id_subject").fill(SUBJECT)
    page.set_input_files("#id_ruling_file", str(ruling))
    assert not page.locator("#id_auto_release").is_checked()  # B's clerk confirms a release by default
    page.locator("form.card button[type=submit]").click()
    page.wait_for_url("**/entrustments/*/")
    entrustment = Entrustment.objects.get(case=case)
    assert entrustment.court == court_b and entrustment.status == "sent" and entrustment.action == "freeze"
    assert entrustment.number == "（2026）鄂1022执8861之委1号" and entrustment.letter is not None
    assert page.url.endswith(f"/entrustments/{entrustment.pk}/")
    facts = page.locator("dl.facts")
    assert facts.get_by_text(court_b.name).count() == 1
    assert facts.get_by_text(SUBJECT).count() == 1
    # Art. 240's two clocks: start within 15 days, report within 30.
    assert facts.get_by_text(entrustment.start_due_on.strftime("%Y-%m-%d")).count() == 1
    assert facts.get_by_text(entrustment.report_due_on.strftime("%Y-%m-%d")).count() == 1
    assert facts.locator(f"a[href*='{entrustment.letter.code}']").count() == 1  # the sealed letter
    assert page.get_by_text(entrustment.number).count() >= 1
    assert _step_form(page, "accept").count() == 0  # only B accepts
    assert _step_form(page, "withdraw").count() == 1  # A may withdraw
    _shot(page, "entrust-1-letter")
    # A's case page lists the task, nothing held yet.
    page.goto(page.base + f"/cases/{case.pk}/")
    row = page.locator("section[aria-labelledby=entrusted-h] tbody tr")
    assert row.count() == 1
    assert row.get_by_role("link", name=entrustment.number).count() == 1
    assert court_b.name in row.inner_text() and B_BANK not in row.inner_text()

    # ---- B's clerk: the task under "Entrusted tasks", accepted as a 执协 case of B.
    _sign_in(page, "clerk-2")
    # The home page's to-do links count the task to accept; the menu lists the tasks.
    todo = page.locator("nav.todo a[href='/entrustments/']")
    assert todo.count() == 1 and "1" in todo.inner_text()
    page.locator("details.menu nav a[href='/entrustments/']").click()
    page.wait_for_url("**/entrustments/")
    task = page.locator("tbody tr", has_text=entrustment.number)
    assert task.count() == 1 and court_a.name in task.inner_text() and A_NUMBER.replace("(", "（").replace(
        ")", "）") in task.inner_text()
    task.get_by_role("link", name=entrustment.number).click()
    page.wait_for_url(f"**/entrustments/{entrustment.pk}/")
    assert page.locator("dl.facts").get_by_text(SUBJECT).count() == 1
    # B sees A's case number but no link into A's case; no withdrawal on B's side.
    assert page.locator(f"a[href='/cases/{case.pk}/']").count() == 0
    assert _step_form(page, "withdraw").count() == 0
    accept = _step_form(page, "accept")
    assert accept.count() == 1 and _step_form(page, "return").count() == 1  # a return, never a refusal
    accept.locator("#id_number").fill(ASSIST_NUMBER)
    _shot(page, "entrust-2-accept")
    accept.locator("button[type=submit]").click()
    page.wait_for_url(f"**/entrustments/{entrustment.pk}/")
    entrustment.refresh_from_db()
    assist = Case.objects.get(number=ASSIST_NUMBER)
    assert entrustment.status == "accepted" and entrustment.assist_case_id == assist.pk
    assert assist.court == court_b and assist.case_type == "执协"
    assert _step_form(page, "accept").count() == 0 and _step_form(page, "report").count() == 1

    # ---- B's clerk issues the freeze on the 执协 case to B's own bank.
    page.locator(f"a[href='/cases/{assist.pk}/']", has_text=ASSIST_NUMBER).click()
    page.wait_for_url(f"**/cases/{assist.pk}/")
    assert page.locator("h1").get_by_text(ASSIST_NUMBER).count() == 1
    assert page.get_by_text(court_a.name).count() >= 1 and page.get_by_text("郑十一").count() >= 1
    page.get_by_role("link", name="发出协助执行通知书").click()
    page.wait_for_url(f"**/cases/{assist.pk}/issue/")
    page.select_option("#pick-action", "freeze")
    page.wait_for_url("**/issue/?action=freeze")
    assert page.get_by_label(B_BANK).count() == 1
    assert page.get_by_label(A_BANK).count() == 0  # A's units answer A, not B
    page.get_by_label(B_BANK).check()
    page.locator("#id_subject").fill(SUBJECT)
    page.set_input_files("#id_ruling", str(ruling))
    page.get_by_role("button", name="发出").click()
    page.wait_for_url(f"**/cases/{assist.pk}/")
    notice = Notice.objects.get(case=assist)
    assert notice.unit.code == "2-bank-icbc" and notice.status == "delivered"
    assert not Notice.objects.filter(case=case).exists()  # A never writes to B's units

    # ---- B's bank liaison acknowledges and answers done with the amount.
    _sign_in(page, "liaison-2-bank-icbc")
    page.goto(page.base + "/inbox/?tab=new")
    page.get_by_role("link", name=notice.number).click()
    page.wait_for_url(f"**/notices/{notice.pk}/")
    assert page.get_by_text(ASSIST_NUMBER).count() >= 1
    page.get_by_role("button", name="确认签收").click()
    page.get_by_label("已办理").check()
    page.get_by_label("办理情况").fill("已冻结 80000 元")
    page.get_by_label("金额（元），如冻结金额").fill("80000")
    page.get_by_role("button", name="提交回执").click()
    page.wait_for_load_state()
    notice.refresh_from_db()
    assert notice.status == "answered" and notice.outcome == "done"
    measure = Measure.objects.get(case=assist)
    assert measure.status == "active" and measure.unit.code == "2-bank-icbc"
    # A's case is not B's bank's business.
    assert page.goto(page.base + f"/cases/{case.pk}/").status == 404

    # ---- A's clerk: the measure held through B on A's case page; B's 执协 case is absent for A.
    _sign_in(page, "clerk")
    page.goto(page.base + f"/cases/{case.pk}/")
    row = page.locator("section[aria-labelledby=entrusted-h] tbody tr")
    assert row.count() == 1
    text = row.inner_text()
    assert B_BANK in text and "80,000.00" in text and ASSIST_NUMBER in text
    assert "2-bank-icbc" not in page.content()
    _shot(page, "entrust-3-held")
    # The task page at A shows the same measure.
    row.get_by_role("link", name=entrustment.number).click()
    page.wait_for_url(f"**/entrustments/{entrustment.pk}/")
    held = page.locator("table tbody tr", has_text=B_BANK)
    assert held.count() == 1 and "80000" in held.inner_text()
    assert page.locator(f"a[href='/cases/{assist.pk}/']").count() == 0  # B's case number, not a link
    assert page.goto(page.base + f"/cases/{assist.pk}/").status == 404
