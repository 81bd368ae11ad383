"""Browser journey in Chinese, driven by Playwright with Debian's Chromium (never a downloaded browser).

Clerk registers a case and issues a freeze to two banks; a bank's liaison acknowledges and answers; the
clerk concludes the case and the release notices appear; the bank confirms the release.
Set UPDATE_SCREENSHOTS=1 to refresh the screenshots under docs/img/ used by the user guide.
"""
import os
import shutil
from pathlib import Path

import pytest

from cases.models import Case, Notice
from members.seeding import seed_demo

from .conftest import case_ruling, final_ready, make_resident_id, pdf_bytes

# Playwright's sync API runs an event loop in this thread; the ORM calls below are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
DOCS_IMG = Path(__file__).resolve().parent.parent / "docs" / "img"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(live_server, tmp_path):
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium package is required for the browser tests"
    seed_demo("linkage-demo")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        context = browser.new_context(locale="zh-CN", viewport={"width": 1200, "height": 900})
        pg = context.new_page()
        pg.set_default_timeout(15000)
        pg.base = live_server.url
        pg.shots = tmp_path
        yield pg
        browser.close()


def _shot(page, name):
    path = page.shots / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, DOCS_IMG / f"{name}.png")


def _sign_in(page, username):
    page.context.clear_cookies()
    page.goto(page.base + "/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("linkage-demo")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(page.base + "/")


def test_clerk_issues_to_two_banks_liaison_answers_clerk_concludes(page, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    _sign_in(page, "clerk")
    _shot(page, "clerk-home")

    # Register a case.
    page.goto(page.base + "/cases/new/")
    page.get_by_label("案号").fill("(2026)鄂1022执8801号")
    page.get_by_label("案件名称").fill("王五买卖合同纠纷")
    page.get_by_label("执行标的额（元）").fill("250000")
    page.locator("#id_form-0-name").fill("李四")
    page.locator("#id_form-0-id_number").fill(make_resident_id(881))
    page.locator("#id_form-1-name").fill("王五")
    page.locator("#id_form-1-id_number").fill(make_resident_id(882))
    page.get_by_role("button", name="登记").click()
    page.wait_for_url("**/cases/*/")
    case = Case.objects.get(number="（2026）鄂1022执8801号")  # stored with full-width brackets

    # Issue a freeze to two banks at once: the form offers only units that can freeze.
    page.goto(page.base + f"/cases/{case.pk}/issue/")
    page.select_option("#pick-action", "freeze")
    page.wait_for_url("**/issue/?action=freeze")
    assert page.get_by_label("中国工商银行公安支行").count() == 1
    assert page.get_by_label("县公安局").count() == 0
    page.get_by_label("中国工商银行公安支行").check()
    page.get_by_label("中国农业银行公安支行").check()
    page.locator("#id_subject").fill("冻结王五名下存款 250000 元")
    ruling = page.shots / "执行裁定书.pdf"
    ruling.write_bytes(pdf_bytes("执行裁定书"))
    page.set_input_files("#id_ruling", str(ruling))  # a freeze is refused without its ruling
    page.get_by_role("button", name="发出").click()
    page.wait_for_url(f"**/cases/{case.pk}/")
    _shot(page, "clerk-case-page")
    notices = list(Notice.objects.filter(case=case).order_by("id"))
    assert [n.unit.code for n in notices] == ["bank-icbc", "bank-abc"]
    assert all(n.status == "delivered" for n in notices)

    # The ICBC liaison sees it in the inbox, acknowledges and answers.
    _sign_in(page, "liaison-bank-icbc")
    page.goto(page.base + "/inbox/?tab=new")
    _shot(page, "liaison-inbox")
    page.get_by_role("link", name=notices[0].number).click()
    page.get_by_role("button", name="确认签收").click()
    page.get_by_label("已办理").check()
    page.get_by_label("办理情况").fill("已冻结 250000 元")
    page.get_by_label("金额（元），如冻结金额").fill("250000")
    page.get_by_role("button", name="提交回执").click()
    page.wait_for_load_state()
    notices[0].refresh_from_db()
    assert notices[0].status == "answered" and notices[0].outcome == "done"
    # Another bank's notice does not exist for this liaison.
    response = page.goto(page.base + f"/notices/{notices[1].pk}/")
    assert response.status == 404

    # The clerk concludes: both banks get a release (one answered done, one still open).
    _sign_in(page, "clerk")
    page.goto(page.base + f"/cases/{case.pk}/conclude/")
    assert page.get_by_text("中国工商银行公安支行").count() >= 1
    _shot(page, "clerk-conclude")
    page.get_by_label("执行完毕").check()
    # No payment is recorded in the portal: the clerk says how the debt was performed.
    page.locator("#id_note").fill("被执行人已向申请执行人直接履行完毕")
    page.get_by_role("button", name="确认结案").click()
    page.wait_for_url(f"**/cases/{case.pk}/")
    releases = Notice.objects.filter(case=case, kind="release")
    assert sorted(r.unit.code for r in releases) == ["bank-abc", "bank-icbc"]
    assert page.get_by_text("待确认解除").count() == 2

    # The ICBC liaison confirms the release; the case page shows it confirmed.
    release = releases.get(unit__code="bank-icbc")
    _sign_in(page, "liaison-bank-icbc")
    page.goto(page.base + f"/notices/{release.pk}/")
    page.get_by_role("button", name="确认签收").click()
    page.get_by_label("已办理").check()
    page.get_by_role("button", name="提交回执").click()
    page.wait_for_load_state()
    _sign_in(page, "clerk")
    page.goto(page.base + f"/cases/{case.pk}/")
    assert page.get_by_text("已确认解除").count() == 1
    assert page.get_by_text("待确认解除").count() == 1


def test_narrow_screen_home_and_inbox(page, make_case, issue):
    for _ in range(3):  # three notices waiting to be acknowledged: the to-do links show them
        issue(make_case(), "bank-icbc", "query", subject="查询被执行人名下账户")
    page.set_viewport_size({"width": 375, "height": 800})
    _sign_in(page, "liaison-bank-icbc")
    page.goto(page.base + "/inbox/?tab=new")
    assert page.locator("table.stack tbody tr").count() == 3
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 380, f"the inbox scrolls sideways on a phone ({width}px)"
    # The menu is folded behind one summary, the to-do links stay: the first notice is on the first screen.
    menu, sign_out = page.locator("details.menu"), page.get_by_role("button", name="退出登录")
    assert menu.get_attribute("open") is None and not sign_out.is_visible()
    assert page.locator("nav.todo").get_by_role("link", name="待签收").is_visible()
    first_notice = page.locator("table.stack tbody tr").first.bounding_box()
    assert first_notice["y"] < 800, f"the first notice starts {first_notice['y']:.0f}px down, below the screen"
    _shot(page, "liaison-inbox-phone")
    page.get_by_text("菜单", exact=True).click()
    assert page.get_by_role("link", name="收件箱").is_visible()
    # Signing out is in the account menu (issue 31 D4), folded under the user's name.
    account = page.locator("details.account")
    assert not sign_out.is_visible()
    account.locator("summary").click()
    assert sign_out.is_visible() and page.get_by_role("link", name="修改密码").is_visible()
    # On a wide screen the menu is open and has no summary to click; the account menu opens on a click
    # and closes on a click elsewhere.
    page.set_viewport_size({"width": 1200, "height": 900})
    page.reload()
    assert menu.get_attribute("open") is not None and not sign_out.is_visible()
    assert not page.get_by_text("菜单", exact=True).is_visible()
    account.locator("summary").click()
    assert sign_out.is_visible()
    page.locator("main h1").click()
    assert not sign_out.is_visible()


def test_case_page_shows_measures_at_three_units(page):
    """The measures register on a case page: freeze at a bank, seizure at the registry and of a vehicle."""
    from cases import services
    from members.models import ActionType, Unit, User

    clerk = User.objects.get(username="clerk")
    case = services.case_create(actor=clerk, number="(2026)鄂1022执8802号", title="赵六民间借贷纠纷",
                                amount="480000", parties=[
                                    {"role": "applicant", "name": "钱七", "id_number": make_resident_id(883)},
                                    {"role": "debtor", "name": "赵六", "id_number": make_resident_id(884)}])
    taken = [("bank-icbc", "freeze", "赵六在工商银行账户 6222********1234 存款", "deposit", "first", None, "120000"),
             ("natres", "seize", "公安县斗湖堤镇某小区 3 栋 501 室", "real_estate", "waiting", 2, "300000"),
             ("police", "seize", "小型轿车 鄂D·12345", "movable", "first", None, "60000")]
    for code, action, asset, kind, priority, place, amount in taken:
        notice = services.notice_issue(actor=clerk, case=case, unit=Unit.objects.get(code=code),
                                       action=ActionType.objects.get(code=action), subject=asset,
                                       ruling=case_ruling(case))
        liaison = User.objects.get(username=f"liaison-{code}")
        services.notice_acknowledge(actor=liaison, notice=notice)
        services.notice_answer(actor=liaison, notice=notice, outcome="done", detail="已办理", result_amount=amount,
                               measure={"asset": asset, "asset_kind": kind, "priority": priority,
                                        "queue_position": place})
    _sign_in(page, "clerk")
    page.goto(page.base + f"/cases/{case.pk}/")
    for _code, _action, asset, *_rest in taken:
        assert page.get_by_text(asset).count() >= 1
    assert page.get_by_text("轮候查封").count() >= 1
    _shot(page, "case-measures")


def test_final_no_property_in_the_browser_keeps_every_measure(page, settings):
    """终本 concluded in Chromium: the preview says 保留 for each measure, no unit gets a release, and the
    measures register still shows them active."""
    from cases import services
    from cases.models import Measure
    from members.models import ActionType, Unit, User

    settings.CELERY_TASK_ALWAYS_EAGER = True
    clerk = User.objects.get(username="clerk")
    case = services.case_create(actor=clerk, number="(2026)鄂1022执8803号", title="孙八借款纠纷", amount="90000",
                                parties=[{"role": "applicant", "name": "周九", "id_number": make_resident_id(885)},
                                         {"role": "debtor", "name": "孙八", "id_number": make_resident_id(886)}])
    held = []
    for code, action in (("bank-icbc", "freeze"), ("police", "seize")):
        notice = services.notice_issue(actor=clerk, case=case, unit=Unit.objects.get(code=code),
                                       action=ActionType.objects.get(code=action), subject="孙八名下财产",
                                       ruling=case_ruling(case))
        liaison = User.objects.get(username=f"liaison-{code}")
        services.notice_acknowledge(actor=liaison, notice=notice)
        services.notice_answer(actor=liaison, notice=notice, outcome="done", detail="已办理", result_amount="30000")
        held.append(notice)
    query = services.notice_issue(actor=clerk, case=case, unit=Unit.objects.get(code="tax"),
                                  action=ActionType.objects.get(code="query"), subject="查询纳税")

    ready = final_ready(case)  # filed four months ago, the debtor restricted (终本规定 Art. 1)
    _sign_in(page, "clerk")
    page.goto(page.base + f"/cases/{case.pk}/conclude/")
    for notice in held:
        row = page.locator("table.conclusion-plan tr", has_text=notice.number)
        assert row.locator("td.verb-keep").inner_text() == "保留"
    assert page.locator("table.conclusion-plan tr", has_text=query.number).locator("td.verb-cancel").count() == 2
    _shot(page, "clerk-conclude-final")
    page.get_by_label("终结本次执行程序").check()
    for code in ready["confirm"]:  # what only the clerk can vouch for, confirmed with the note
        page.locator(f"input[name=confirm][value={code}]").check()
    page.locator("#id_note").fill(ready["note"])
    page.get_by_role("button", name="确认结案").click()
    page.wait_for_url(f"**/cases/{case.pk}/")
    assert not Notice.objects.filter(case=case, kind="release").exists()
    assert Notice.objects.get(pk=query.pk).status == "cancelled"
    assert all(Notice.objects.get(pk=n.pk).status == "answered" for n in held)
    assert set(Measure.objects.filter(case=case).values_list("status", flat=True)) == {"active"}
    page.goto(page.base + f"/measures/?case={case.pk}")
    assert page.locator("text=有效").count() >= 2
    assert page.get_by_role("link", name="恢复执行（执恢）").count() == 0  # on the case page, not the register
    page.goto(page.base + f"/cases/{case.pk}/")
    assert page.get_by_role("link", name="恢复执行（执恢）").count() == 1


def test_a_unit_verifies_a_downloaded_notice_on_the_verify_page(page, settings, tmp_path):
    """Issue 14: the bank downloads its e-sealed notice and checks it at /verify/ (no sign-in needed)."""
    from cases import services
    from documents import seal
    from members.models import ActionType, Unit, User

    ca, p12 = seal.make_ca(tmp_path / "seal", court_name="湖北省公安县人民法院", passphrase="browser")
    settings.DOCUMENTS_SEAL_ON_ISSUE = True
    settings.SEAL_PKCS12, settings.SEAL_PASSPHRASE, settings.SEAL_TRUST_ROOTS = str(p12), "browser", [str(ca)]
    clerk = User.objects.get(username="clerk")
    case = services.case_create(actor=clerk, number="(2026)鄂1022执8814号", title="孙八借款纠纷", amount="50000",
                                parties=[{"role": "applicant", "name": "周九", "id_number": make_resident_id(891)},
                                         {"role": "debtor", "name": "孙八", "id_number": make_resident_id(892)}])
    notice = services.notice_issue(actor=clerk, case=case, unit=Unit.objects.get(code="bank-icbc"),
                                   action=ActionType.objects.get(code="freeze"), subject="冻结孙八名下存款",
                                   ruling=case_ruling(case))
    _sign_in(page, "liaison-bank-icbc")
    pdf = page.request.get(page.base + f"/notices/{notice.pk}/document.pdf").body()
    assert pdf.startswith(b"%PDF")
    page.context.clear_cookies()  # anyone holding the document: no account needed
    page.goto(page.base + "/verify/")
    page.set_input_files("#id_file", files=[{"name": "notice.pdf", "mimeType": "application/pdf", "buffer": pdf}])
    page.locator("form.card button[type=submit]").click()
    verdict = page.locator("#verdict")
    assert verdict.get_attribute("data-signature") == "valid"
    assert verdict.get_attribute("data-identical") == "yes"
    assert verdict.get_attribute("data-standing") == "valid"
    assert page.get_by_text(notice.number).count() >= 1
    assert make_resident_id(892) not in page.content()
    _shot(page, "verify")
