"""A listing walked in Chromium, through the pages only (失信规定 Art. 5; 限高规定 Art. 1 para. 2, Art. 5).

The clerk puts the debtor of a case on the list from the case page and proposes the listing (ground,
period, facts, the warning notice); the president finds it under "决定事项", reads the case's facts, the
debtor and the draft 决定书, is refused signing without the confirmation, then signs; signing drafts the
debtor's consumption restriction order, which the president signs too; the clerk records the service of
the 决定书 with a PDF proof and publishes the entry; the public page shows the debtor with the identifier
masked and a liaison of a joint-punishment unit sees the push. A second proposal is returned with a
reason, which the clerk reads on the entry page.

Playwright drives Debian's Chromium (/usr/bin/chromium); the live server, the demo seeding and the
sign-in are those of tests/test_browser.py.
"""
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases import services
from credit import decisions
from credit import services as credit
from credit.models import ConsumptionRestriction, CreditEntry, CreditPush, Decision
from members.models import User

from .conftest import make_resident_id, pdf_bytes
from .test_browser import _sign_in, page  # noqa: F401  (the live server, seeding and Chromium fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONFIRM = "本人已审阅事实和理由及文书草稿，同意签发"
FACTS = "被执行人收到报告财产令后拒不申报名下车辆及银行存款，经两次传唤仍未到庭说明。"
WARNING = "（2026）鄂1022执8851号执行通知书（3月2日送达）"
RETURN_REASON = "执行通知书的送达回证未附卷，请补充后再提请。"


def _case(clerk, number, debtor, n):
    return services.case_create(
        actor=clerk, number=number, title=f"{debtor}买卖合同纠纷", amount="180000",
        basis_issuer="公安县人民法院", basis_number="（2025）鄂1022民初3301号",
        parties=[{"role": "applicant", "name": "公安县某建材经营部", "id_number": make_resident_id(n)},
                 {"role": "debtor", "name": debtor, "id_number": make_resident_id(n + 1)}])


def _messages(pg):
    return pg.locator("ul.messages")


def test_a_listing_proposed_signed_served_published_and_another_returned(page):  # noqa: F811
    clerk = User.objects.get(username="clerk")
    case = _case(clerk, "(2026)鄂1022执8851号", "钱多多", 851)
    # A second listing already proposed (set up by the services): the president returns it.
    other = _case(clerk, "(2026)鄂1022执8852号", "孙有财", 853)
    other_entry = credit.credit_entry_create(actor=clerk, case=other, party=other.parties.get(role="debtor"))
    decisions.credit_entry_propose(actor=clerk, entry=other_entry, facts="被执行人有工资收入而拒不履行。",
                                   warning="（2026）鄂1022执8852号执行通知书")

    # ---- the clerk: the entry from the case page, then the proposal on the entry page
    _sign_in(page, "clerk")
    page.goto(page.base + f"/cases/{case.pk}/")
    page.get_by_role("link", name="将被执行人纳入失信被执行人名单").click()
    page.wait_for_url(f"**/credit/new/{case.pk}/")
    page.select_option("#id_ground", "property_report")
    page.locator("#id_obligation").fill("给付货款 180000 元及利息")
    page.get_by_role("button", name="纳入名单（待公布）").click()
    page.wait_for_url("**/credit/*/")
    entry = CreditEntry.objects.get(case=case)
    assert page.url.endswith(f"/credit/{entry.pk}/")
    expect(page.locator("h1")).to_contain_text("待处理")

    propose = page.locator("section[aria-labelledby=propose-heading]")
    expect(propose.get_by_role("heading")).to_have_text("提请院长决定纳入失信被执行人名单")
    propose.get_by_label("纳入情形（《失信规定》第一条）").select_option("property_report")
    propose.get_by_label("纳入期限（第二条）").select_option(label="三年（情节严重）")
    propose.get_by_label("事实和理由").fill(FACTS)
    propose.get_by_label("向被执行人发出预警的执行通知书（文书编号、日期）").fill(WARNING)
    propose.get_by_role("button", name="提出").click()
    expect(_messages(page)).to_contain_text("已提请院长决定纳入失信被执行人名单")
    # Waiting for the president: the entry says so, and the proposal form is gone.
    expect(page.locator("h1")).to_contain_text("已提请院长决定")
    expect(page.locator("ul.decisions")).to_contain_text("待院长决定")
    assert page.locator("section[aria-labelledby=propose-heading]").count() == 0
    entry.refresh_from_db()
    assert entry.status == "proposed" and entry.extension_years == 1

    # ---- the president: the menu's 决定事项, the decision page, signing refused then done
    _sign_in(page, "president")
    expect(page.locator("nav.todo")).to_contain_text("待签发的决定书")
    page.locator("details.menu nav").get_by_role("link", name="决定事项").click()
    page.wait_for_url("**/credit/decisions/")
    expect(page.locator("h1")).to_have_text("提请院长决定事项")
    rows = page.locator("table.decisions tbody tr")
    expect(rows).to_have_count(2)
    row = rows.filter(has_text="钱多多")
    expect(row).to_contain_text("待院长决定")
    expect(row).to_contain_text("（2026）鄂1022执8851号")
    row.get_by_role("link", name="纳入失信被执行人名单决定书").click()
    decision = Decision.objects.get(entry=entry)
    page.wait_for_url(f"**/credit/decisions/{decision.pk}/")

    facts = page.locator("section[aria-labelledby=facts-heading]")
    expect(facts).to_contain_text("（2026）鄂1022执8851号")
    expect(facts).to_contain_text("（2025）鄂1022民初3301号")
    expect(facts).to_contain_text(f"钱多多 · {entry.masked_id}")
    expect(facts).to_contain_text("违反财产报告制度")
    expect(facts).to_contain_text(FACTS)
    expect(facts).to_contain_text(WARNING)
    draft = page.locator("section[aria-labelledby=preview-heading]")
    expect(draft.get_by_role("heading")).to_have_text("决定书草稿")
    expect(draft).to_contain_text(f"本院已向被执行人送达{WARNING}")
    expect(draft).to_contain_text(f"将被执行人钱多多（{entry.masked_id}）纳入失信被执行人名单。纳入期限为三年。")
    expect(draft).to_contain_text("《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条第四项、第二条、第五条")
    expect(draft).to_contain_text("院长　周国强")
    assert entry.id_number not in page.content()

    sign = page.get_by_role("button", name="签发决定书")
    box = page.get_by_label(CONFIRM)
    # Not ticked: Chromium keeps the form (the box is required): nothing is sent, the page stays ...
    page.evaluate("window.notReloaded = true")
    sign.click()
    assert box.evaluate("el => el.validity.valueMissing") is True
    assert page.evaluate("window.notReloaded === true")
    # ... and a browser that sent it anyway is refused by the court's server, with the reason beside the box.
    sign.evaluate("button => { button.form.noValidate = true; }")
    sign.click()
    expect(page.locator("[role=alert]")).to_contain_text("请勾选确认后再签发。")
    decision.refresh_from_db()
    assert decision.status == "proposed" and decision.document_id is None
    box.check()
    page.get_by_role("button", name="签发决定书").click()
    expect(_messages(page)).to_contain_text("已签发：纳入失信被执行人名单决定书")
    expect(_messages(page)).to_contain_text("自今日起生效")
    expect(page.locator("h1")).to_contain_text("院长已决定")
    expect(page.locator("section[aria-labelledby=preview-heading] h2")).to_have_text("决定书正文")
    decision.refresh_from_db()
    assert decision.status == "decided" and decision.decided_by.username == "president"
    assert decision.document.ruling_label in page.locator("section[aria-labelledby=facts-heading]").inner_text()

    # Signing drafted the debtor's consumption restriction order, which waits for the president too.
    order = ConsumptionRestriction.objects.get(party=entry.party)
    assert order.status == "draft"
    page.goto(page.base + "/credit/decisions/")
    expect(page.locator("ul.orders")).to_contain_text("钱多多")
    page.goto(page.base + "/restrictions/?status=draft")
    page.locator("table.restriction-list").get_by_role("link", name="钱多多").click()
    page.wait_for_url(f"**/restrictions/{order.pk}/")
    expect(page.locator("h1")).to_contain_text("钱多多")
    expect(page.locator("dl.restriction")).to_contain_text("违反财产报告制度")
    page.get_by_label(CONFIRM).check()
    page.get_by_role("button", name="签发", exact=True).click()
    expect(_messages(page)).to_contain_text("已签发，限制消费令生效")
    expect(page.locator("dl.restriction")).to_contain_text("院长已签发")
    order.refresh_from_db()
    assert order.status == "signed" and order.signed_by.username == "president"

    # ---- the president returns the second proposal with the reason
    page.goto(page.base + "/credit/decisions/")
    page.locator("table.decisions tbody tr", has_text="孙有财").get_by_role("link").click()
    page.wait_for_url("**/credit/decisions/*/")
    page.get_by_label("退回承办人的理由").fill(RETURN_REASON)
    page.get_by_role("button", name="退回承办人").click()
    page.wait_for_url("**/credit/decisions/")
    expect(_messages(page)).to_contain_text("已连同退回理由退回承办人。")

    # ---- the clerk: service of the 决定书, then publication
    _sign_in(page, "clerk")
    page.goto(page.base + f"/credit/{entry.pk}/")
    listing = page.locator("ul.decisions li").first
    expect(listing).to_contain_text("尚未送达")
    listing.get_by_role("link", name="纳入失信被执行人名单决定书").click()
    page.wait_for_url(f"**/credit/decisions/{decision.pk}/")
    serve = page.locator("section[aria-labelledby=serve-heading]")
    serve.get_by_label("送达方式").select_option(label="直接送达")
    today = timezone.localdate()
    serve.get_by_label("送达日期").fill(today.isoformat())
    serve.get_by_label("送达回证（PDF，选填）").set_input_files(
        files=[{"name": "送达回证.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes("送达回证")}])
    serve.get_by_role("button", name="登记送达").click()
    expect(_messages(page)).to_contain_text("送达情况已登记。")
    facts = page.locator("section[aria-labelledby=facts-heading]")
    expect(facts).to_contain_text(f"直接送达 · {today.isoformat()}")
    expect(facts.get_by_role("link", name="送达回证")).to_have_count(1)
    assert page.locator("section[aria-labelledby=serve-heading]").count() == 0

    page.goto(page.base + f"/credit/{entry.pk}/")
    expect(page.locator("ul.decisions")).to_contain_text(f"已送达 {today.isoformat()}")
    page.get_by_role("button", name="公布", exact=True).click()
    expect(_messages(page)).to_contain_text("已公布，正在通知实施联合惩戒的单位。")
    expect(page.locator("h1")).to_contain_text("已公布")

    # The returned proposal: the clerk reads the president's reason on its entry page.
    page.goto(page.base + f"/credit/{other_entry.pk}/")
    expect(page.locator("h1")).to_contain_text("待处理")
    expect(page.locator("ul.decisions")).to_contain_text("已退回承办人")
    expect(page.locator("ul.decisions")).to_contain_text(RETURN_REASON)
    expect(page.locator("section[aria-labelledby=propose-heading]")).to_have_count(1)  # to propose again

    # ---- the public page (no sign-in): the debtor, the identifier masked
    page.context.clear_cookies()
    page.goto(page.base + "/public/dishonest/")
    public = page.locator("table.public-dishonest tbody tr", has_text="钱多多")
    expect(public).to_have_count(1)
    expect(public.locator("td.identifier")).to_have_text(entry.masked_id)
    expect(public.locator("td.ground")).to_have_text("违反财产报告制度")
    assert entry.id_number not in page.content()
    expect(page.locator("table.public-dishonest")).not_to_contain_text("孙有财")

    # ---- a liaison of a unit that applies joint punishment sees the push
    targets = credit.joint_punishment_targets()
    assert targets
    unit = targets[0][0]
    _sign_in(page, f"liaison-{unit.code}")
    page.goto(page.base + "/credit/pushes/")
    pushed = page.locator("table.credit-pushes tbody tr", has_text="钱多多")
    expect(pushed).to_have_count(1)
    expect(pushed).to_contain_text(entry.masked_id)
    expect(pushed).to_contain_text("（2026）鄂1022执8851号")

    # ---- the final states
    entry.refresh_from_db()
    decision.refresh_from_db()
    order.refresh_from_db()
    assert entry.status == "published" and entry.decided_on == today and entry.published_at is not None
    assert entry.period_years == 2 and entry.extension_years == 1
    assert decision.status == "decided" and decision.served_on == today and decision.service_way == "direct"
    assert decision.service_proof is not None and decision.service_proof.purpose == "service"
    assert decision.document.case_id == case.pk
    assert order.status == "signed"
    assert set(CreditPush.objects.filter(entry=entry).values_list("unit__code", flat=True)) == {
        u.code for u, _cap in targets}
    returned = Decision.objects.get(entry=other_entry)
    other_entry.refresh_from_db()
    assert returned.status == "returned" and returned.returned_reason == RETURN_REASON
    assert other_entry.status == "pending" and returned.document_id is None
    assert not ConsumptionRestriction.objects.filter(party=other_entry.party).exists()
