"""Consumption restriction orders (限制消费令, issue 15): 限高规定 Art. 3 (the nine acts, the persons of an
organisation), Art. 5 (the president signs), Art. 9 (lifting); 法发〔2019〕35号 items 15 (grace period)
and 17 (a one-off permission). Assertions rest on rows, status codes and data, not on UI text."""
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from cases import services
from cases.models import Case, Notice
from credit import decisions, restrictions
from credit import services as credit
from credit.models import ConsumptionRestriction, RestrictedAct, RestrictionUnit

from .conftest import decide_listing, final_ready, make_resident_id, make_uscc

pytestmark = pytest.mark.django_db


def debtor_of(case):
    return case.parties.filter(role="debtor").order_by("id").first()


def restriction_units() -> set[str]:
    # The order goes to the units of its case's court (the first court's here).
    return set(RestrictionUnit.objects.filter(unit__active=True, unit__court__code="鄂1022")
               .values_list("unit__code", flat=True))


@pytest.fixture
def issued(users, make_case, django_capture_on_commit_callbacks):
    """An order drafted by the clerk, signed by the president and issued (deliveries executed)."""

    def _make(case=None, **kwargs):
        case = case or make_case()
        order = restrictions.restriction_draft(actor=users["clerk"], case=case, party=debtor_of(case),
                                               basis="未按执行通知履行", **kwargs)
        restrictions.restriction_sign(actor=users["president"], order=order)
        with django_capture_on_commit_callbacks(execute=True):
            restrictions.restriction_issue(actor=users["clerk"], order=order)
        order.refresh_from_db()
        return order

    return _make


def test_the_nine_acts_of_art_3_are_data():
    assert len(RestrictedAct.values) == 9
    assert {"travel_class", "hotels", "real_estate", "offices", "vehicles", "holidays", "schools", "insurance",
            "other"} == set(RestrictedAct.values)


def test_units_that_apply_orders_are_seeded_natres_insurers_and_finance():
    codes = restriction_units()
    assert {"natres", "finance"} <= codes
    assert any(code.startswith("insurance") for code in codes)
    assert RestrictionUnit.objects.get(unit__code="natres").acts == ["real_estate"]


def test_drafted_signed_by_the_president_and_issued_to_each_unit(users, make_case, django_capture_on_commit_callbacks):
    case = make_case()
    order = restrictions.restriction_draft(actor=users["clerk"], case=case, party=debtor_of(case))
    assert order.status == "draft" and order.acts == list(RestrictedAct.values)
    with pytest.raises(PermissionDenied):  # 限高规定 Art. 5: the president signs, not the clerk
        restrictions.restriction_sign(actor=users["clerk"], order=order)
    from linkage.statemachine import InvalidTransition

    with pytest.raises(InvalidTransition):  # not signed: cannot be issued
        restrictions.restriction_issue(actor=users["clerk"], order=order)
    restrictions.restriction_sign(actor=users["president"], order=order)
    with django_capture_on_commit_callbacks(execute=True):
        restrictions.restriction_issue(actor=users["clerk"], order=order)
    order.refresh_from_db()
    assert order.status == "issued" and order.signed_by == users["president"]
    pushed = {p.unit.code for p in order.pushes.select_related("unit")}
    assert pushed == restriction_units()
    notices = Notice.objects.filter(restriction_push__order=order)
    assert {n.action.code for n in notices} == {"restrict"} and all(n.party_id == order.party_id for n in notices)
    assert all(n.status == "delivered" for n in notices)
    assert list(order.events.values_list("transition", flat=True)) == ["draft", "sign", "issue"]


def test_an_organisations_order_names_its_persons_with_ids(users):
    case = services.case_create(
        actor=users["clerk"], number="(2026)鄂1022执7801号", title="某公司案", amount="1000",
        parties=[{"role": "applicant", "name": "甲", "id_number": make_resident_id(7801)},
                 {"role": "debtor", "kind": "organization", "name": "某某公司", "id_number": make_uscc(7801)}])
    with pytest.raises(ValidationError) as refused:
        restrictions.restriction_draft(actor=users["clerk"], case=case, party=debtor_of(case))
    assert "persons" in refused.value.message_dict
    order = restrictions.restriction_draft(actor=users["clerk"], case=case, party=debtor_of(case), persons=[
        {"role": "legal_rep", "name": "赵六", "id_number": make_resident_id(7802)},
        {"role": "controller", "name": "钱七", "id_number": make_resident_id(7803)},
        {"role": "principal", "name": "孙八", "id_number": make_resident_id(7804)},
        {"role": "responsible", "name": "李九", "id_number": make_resident_id(7805)}])
    assert sorted(order.persons.values_list("role", flat=True)) == ["controller", "legal_rep", "principal",
                                                                    "responsible"]


@pytest.mark.dates
def test_a_grace_period_holds_the_issue(users, make_case):
    import time_machine

    case = make_case()
    order = restrictions.restriction_draft(actor=users["clerk"], case=case, party=debtor_of(case), grace_months=1)
    restrictions.restriction_sign(actor=users["president"], order=order)
    with pytest.raises(ValidationError):
        restrictions.restriction_issue(actor=users["clerk"], order=order)
    with time_machine.travel(timezone.now() + timezone.timedelta(days=32), tick=True):
        assert restrictions.restriction_issue(actor=users["clerk"], order=order).status == "issued"


@pytest.mark.parametrize("outcome, ground", [("completed", "completed"), ("terminated", "terminated")])
def test_conclusion_lifts_the_order_and_every_unit_gets_a_release(users, issued, outcome, ground,
                                                                  django_capture_on_commit_callbacks):
    order = issued()
    case = Case.objects.get(pk=order.case_id)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_conclude(actor=users["clerk"], case=case, outcome=outcome, note="已全部履行")
    order.refresh_from_db()
    assert order.status == "lifted" and order.lift_ground == ground
    for push in order.pushes.select_related("notice"):
        releases = Notice.objects.filter(original=push.notice, kind="release").exclude(status="cancelled")
        assert releases.count() <= 1
        assert push.notice.status == "cancelled" or releases.count() == 1, push.unit_id


def test_final_no_property_keeps_the_order_and_the_entry(users, issued, django_capture_on_commit_callbacks,
                                                         make_case):
    case = make_case()
    order = issued(case)
    entry = credit.credit_entry_create(actor=users["clerk"], case=case, party=debtor_of(case))
    with django_capture_on_commit_callbacks(execute=True):
        credit.credit_entry_publish(actor=users["clerk"], entry=decide_listing(entry))
    with django_capture_on_commit_callbacks(execute=True):
        services.case_conclude(actor=users["clerk"], case=Case.objects.get(pk=case.pk), outcome="final_no_property", **final_ready(Case.objects.get(pk=case.pk)))
    order.refresh_from_db()
    entry.refresh_from_db()
    assert order.status == "issued" and entry.status == "published"
    assert not Notice.objects.filter(original__restriction_push__order=order, kind="release").exists()


def test_the_clerk_lifts_on_the_creditors_consent_with_a_ground(users, issued, django_capture_on_commit_callbacks):
    order = issued()
    with pytest.raises(ValidationError):
        decisions.restriction_lift(actor=users["clerk"], order=order, ground="creditor_consent")  # no reason
    with pytest.raises(ValidationError):
        decisions.restriction_lift(actor=users["clerk"], order=order, ground="whim", reason="x")
    with pytest.raises(PermissionDenied):
        decisions.restriction_lift(actor=users["liaison-natres"], order=order, ground="security", reason="担保")
    with django_capture_on_commit_callbacks(execute=True):
        decisions.restriction_lift(actor=users["clerk"], order=order, ground="creditor_consent",
                                      reason="申请执行人书面同意解除")
    order.refresh_from_db()
    assert order.status == "issued"  # proposed: the president decides the lifting
    with django_capture_on_commit_callbacks(execute=True):
        president_decides(users, order)
    order.refresh_from_db()
    assert order.status == "lifted" and order.lift_reason == "申请执行人书面同意解除"
    assert order.lift_document.title == "解除限制消费令" and order.lift_document.generated
    pushes = list(order.pushes.select_related("release", "unit"))
    assert pushes and all(p.release is not None and p.release.kind == "release" for p in pushes)
    assert {p.release.unit_id for p in pushes} == {p.unit_id for p in pushes}  # the same units


def president_decides(users, order):
    """The president signs what waits for the order (a lifting, a permission)."""
    from credit import decisions

    for decision in order.decisions.filter(status="proposed"):
        decisions.decision_decide(actor=users["president"], decision=decision)


def test_a_one_off_permission_is_recorded_with_its_dates(users, issued):
    order = issued()
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        decisions.restriction_permit(actor=users["clerk"], order=order, acts=["travel_class"],
                                        starts_on=today, ends_on=today - timezone.timedelta(days=1), reason="就医")
    decision = decisions.restriction_permit(actor=users["clerk"], order=order, acts=["travel_class"],
                                               starts_on=today, ends_on=today + timezone.timedelta(days=3),
                                               reason="近亲属重大疾病就医")
    assert decision.order_id == order.pk and not order.permissions.exists()  # the president approves it
    president_decides(users, order)
    assert order.permissions.get().ends_on == today + timezone.timedelta(days=3)
    assert order.events.filter(transition="permit").exists()
    order.refresh_from_db()
    assert order.status == "issued"  # a permission is not a lifting


def test_api_is_scoped_like_notices_another_unit_gets_404(api, issued):
    order = issued()
    assert api("clerk").get(f"/api/v1/consumption-restrictions/{order.pk}/").status_code == 200
    natres = api("liaison-natres").get(f"/api/v1/consumption-restrictions/{order.pk}/")
    assert natres.status_code == 200 and natres.json()["id_number"] == order.masked_id != order.id_number
    assert api("liaison-police").get(f"/api/v1/consumption-restrictions/{order.pk}/").status_code == 404
    assert api("liaison-police").get("/api/v1/consumption-restrictions/").json()["results"] == []
    ids = [o["id"] for o in api("liaison-natres").get("/api/v1/consumption-restrictions/").json()["results"]]
    assert ids == [order.pk]


def test_api_workflow(api, make_case, users, django_capture_on_commit_callbacks):
    case = make_case()
    created = api("clerk").post("/api/v1/consumption-restrictions/", {"case": case.pk, "party": debtor_of(case).pk},
                                format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert api("clerk").post(f"/api/v1/consumption-restrictions/{pk}/sign/").status_code == 403
    assert api("president").post(f"/api/v1/consumption-restrictions/{pk}/sign/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert api("clerk").post(f"/api/v1/consumption-restrictions/{pk}/issue/").json()["status"] == "issued"
    proposed = api("clerk").post(f"/api/v1/consumption-restrictions/{pk}/lift/",
                                 {"ground": "security", "reason": "提供房产担保"}, format="json")
    assert proposed.status_code == 200 and proposed.json()["status"] == "issued"  # the president decides
    decision = api("president").get("/api/v1/credit-decisions/", {"status": "proposed"}).json()["results"][0]
    assert api("clerk").post(f"/api/v1/credit-decisions/{decision['id']}/decide/").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        decided = api("president").post(f"/api/v1/credit-decisions/{decision['id']}/decide/")
    assert decided.status_code == 200 and decided.json()["status"] == "decided"
    lifted = api("clerk").get(f"/api/v1/consumption-restrictions/{pk}/")
    assert lifted.json()["status"] == "lifted" and lifted.json()["lift_document"] == decided.json()["document"]["id"]


def test_pages_pdf_and_the_units_excel_export(browser_client, issued):
    order = issued()
    clerk = browser_client("clerk")
    assert clerk.get("/restrictions/").status_code == 200
    detail = clerk.get(f"/restrictions/{order.pk}/")
    assert detail.status_code == 200 and order.id_number not in detail.content.decode()
    case_page = clerk.get(f"/cases/{order.case_id}/").content.decode()
    assert f'href="/restrictions/{order.pk}/"' in case_page  # the panel credit registers on the case page
    pdf = clerk.get(f"/restrictions/{order.pk}/order.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    natres = browser_client("liaison-natres")
    export = natres.get("/restrictions/export.xlsx")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))  # the title, the header, the order (linkage.excel)
    assert len(rows) == 3 and rows[2][1] == order.name and order.id_number not in str(rows)
    police = browser_client("liaison-police")
    assert police.get(f"/restrictions/{order.pk}/").status_code == 404
    assert len(list(load_workbook(io.BytesIO(police.get("/restrictions/export.xlsx").content)).active
                    .iter_rows(values_only=True))) == 2
    assert browser_client("clerk").get("/restrictions/export.xlsx").status_code == 404


def test_the_admin_lists_orders(browser_client, issued):
    issued()
    page = browser_client("admin")
    for model in ("consumptionrestriction", "restrictionunit"):
        assert page.get(f"/admin/credit/{model}/").status_code == 200, model


def test_one_live_order_per_debtor(users, issued):
    order = issued()
    with pytest.raises(ValidationError):
        restrictions.restriction_draft(actor=users["clerk"], case=order.case, party=order.party)
    assert ConsumptionRestriction.objects.filter(party=order.party).count() == 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_pages_in_chromium_for_the_user_guide(live_server, tmp_path):
    """The dishonest-list entry page and an order's page as the clerk sees them (screenshots for the user
    guide with UPDATE_SCREENSHOTS=1)."""
    import os
    import shutil
    from pathlib import Path

    from playwright.sync_api import sync_playwright

    from members.models import User
    from members.seeding import seed_demo

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    seed_demo("linkage-demo")
    clerk, president = User.objects.get(username="clerk"), User.objects.get(username="president")
    case = services.case_create(
        actor=clerk, number="(2026)鄂1022执9301号", title="某建材公司买卖合同纠纷", amount="380000",
        basis_issuer="湖北省公安县人民法院", basis_number="（2025）鄂1022民初1201号",
        parties=[{"role": "applicant", "name": "申请人甲", "id_number": make_resident_id(9301)},
                 {"role": "debtor", "kind": "organization", "name": "公安县某某建材有限公司",
                  "id_number": make_uscc(9301), "legal_representative": "赵某"}])
    entry = credit.credit_entry_create(actor=clerk, case=case, party=debtor_of(case), ground="evades",
                                       extension_years=1, extension_reason="转移财产，情节严重")
    credit.credit_entry_publish(actor=clerk, entry=decide_listing(entry))
    order = restrictions.restriction_draft(actor=clerk, case=case, party=debtor_of(case), basis="未按执行通知履行",
                                           persons=[{"role": "legal_rep", "name": "赵某",
                                                     "id_number": make_resident_id(9302)}])
    restrictions.restriction_sign(actor=president, order=order)
    restrictions.restriction_issue(actor=clerk, order=order)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        page = browser.new_context(locale="zh-CN", viewport={"width": 1200, "height": 800}).new_page()
        page.goto(live_server.url + "/accounts/login/")
        page.get_by_label("用户名").fill("clerk")
        page.get_by_label("密码").fill("linkage-demo")
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(live_server.url + "/")
        for path, name in ((f"/credit/{entry.pk}/", "credit-entry"), (f"/restrictions/{order.pk}/", "restriction-order")):
            page.goto(live_server.url + path)
            assert order.persons.get().id_number not in page.content()
            shot = tmp_path / f"{name}.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 1000
            if os.environ.get("UPDATE_SCREENSHOTS") == "1":
                shutil.copy(shot, Path(__file__).resolve().parent.parent / "docs" / "img" / f"{name}.png")
        browser.close()


def test_the_order_is_an_issued_document_with_a_code_and_standing(users, issued,
                                                                   django_capture_on_commit_callbacks):
    from documents import services as documents

    order = issued()
    document = order.document
    assert document is not None and document.kind == "restriction" and document.case_number == order.case.number
    html = documents.document_html(document, sealing=False)
    assert "限制消费令" in html and document.display_code in html and order.id_number not in html
    assert documents.standing(document)["code"] == "pending"  # sealing on issue is off in the tests
    from documents.models import IssuedDocument

    IssuedDocument.objects.filter(pk=document.pk).update(status="stored")
    document.refresh_from_db()
    assert documents.standing(document)["code"] == "valid"
    with django_capture_on_commit_callbacks(execute=True):
        decisions.restriction_lift(actor=users["president"], order=order, ground="performed")
    document = IssuedDocument.objects.get(pk=document.pk)
    assert documents.standing(document)["code"] == "released"


def test_an_issued_order_is_on_the_public_page_until_lifted(client, users, issued,
                                                             django_capture_on_commit_callbacks):
    order = issued()
    body = client.get("/public/dishonest/").content.decode()
    assert 'class="public-restrictions"' in body and order.name in body and order.id_number not in body
    with django_capture_on_commit_callbacks(execute=True):
        decisions.restriction_lift(actor=users["president"], order=order, ground="performed")
    assert order.name not in client.get("/public/dishonest/").content.decode()
