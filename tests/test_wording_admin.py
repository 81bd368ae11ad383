"""No English in the Chinese portal (issue 12, section 2): the persons of a listed organisation as rows
(role from a list, name, ID number), the admin in Chinese (the project's apps, django-axes and
django-auditlog), amounts with thousands separators and full-width colons after form labels."""
import html as htmlmod
import re
from decimal import Decimal

import pytest
from django.contrib import admin
from django.utils import translation

from cases import services
from cases.templatetags.amounts import yuan
from credit.models import ConsumptionRestriction, CreditEntry, CreditPerson, RestrictedPerson
from linkage.numerals import format_yuan

from .conftest import make_resident_id, make_uscc
from .test_browser import _sign_in, page  # noqa: F401  (the Chromium fixture, for the one browser test)

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def text_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def visible_text(text: str) -> str:
    """What a person reads: no tags, scripts, styles or attribute values."""
    text = re.sub(r"<(script|style|template)\b.*?</\1>", " ", text, flags=re.S)
    return htmlmod.unescape(re.sub(r"<[^>]+>", " ", text))


def field_block(text: str, field_id: str) -> str:
    """The ``<div class="field">`` that holds the input ``field_id``: its label, the input and its errors."""
    pattern = r'<div class="field">((?:(?!<div class="field">).)*?id="' + re.escape(field_id) + r'".*?)</div>'
    match = re.search(pattern, text, re.S)
    assert match, f"no field {field_id}"
    return match.group(1)


# ---------------------------------------------------------------- 1. the persons of a listed organisation

@pytest.fixture
def org_case(users):
    return services.case_create(
        actor=users["clerk"], number="(2026)鄂1022执7901号", title="某公司欠款案", amount="500000",
        parties=[{"role": "applicant", "name": "申请人甲", "id_number": make_resident_id(7901)},
                 {"role": "debtor", "kind": "organization", "name": "公安县某某建材有限公司",
                  "id_number": make_uscc(7901), "legal_representative": "赵六"}])


def debtor(case):
    return case.parties.get(role="debtor")


def rows(*persons, extra=1):
    """The POST of the persons formset: the rows given, then ``extra`` blank rows."""
    data = {"persons-TOTAL_FORMS": str(len(persons) + extra), "persons-INITIAL_FORMS": "0",
            "persons-MIN_NUM_FORMS": "0", "persons-MAX_NUM_FORMS": "10"}
    for i, (role, name, id_number) in enumerate(persons):
        data.update({f"persons-{i}-role": role, f"persons-{i}-name": name, f"persons-{i}-id_number": id_number})
    for i in range(len(persons), len(persons) + extra):
        data.update({f"persons-{i}-role": "", f"persons-{i}-name": "", f"persons-{i}-id_number": ""})
    return data


def test_the_entry_form_offers_rows_with_a_role_from_the_list(browser_client, org_case):
    text = text_of(browser_client("clerk").get(f"/credit/new/{org_case.pk}/", **ZH))
    assert 'name="persons"' not in text and "<textarea name=\"persons\"" not in text  # no free text
    assert 'name="persons-TOTAL_FORMS"' in text and 'data-template="person-template"' in text
    role = re.search(r'<select name="persons-0-role"[^>]*>(.*?)</select>', text, re.S).group(1)
    assert re.findall(r'value="([^"]*)"', role) == ["", "legal_rep", "responsible"]
    assert "法定代表人" in role and "其他责任人员" in role
    assert 'name="persons-0-name"' in text and 'name="persons-0-id_number"' in text
    assert 'name="persons-1-name"' in text  # two rows work without JavaScript
    words = visible_text(text)
    assert "添加人员" in words and "删除此人员" in words
    assert "legal_rep" not in words and "responsible" not in words


def test_clerk_lists_an_organisation_with_two_persons_through_the_form(browser_client, org_case):
    rep_id, other_id = make_resident_id(7902), make_resident_id(7903)
    response = browser_client("clerk").post(f"/credit/new/{org_case.pk}/", {
        "party": debtor(org_case).pk, "ground": "evades", "obligation": "返还借款",
        **rows(("legal_rep", "赵六", rep_id), ("responsible", "钱七", other_id.lower()))}, **ZH)
    entry = CreditEntry.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/credit/{entry.pk}/"
    assert list(entry.persons.values_list("role", "name", "id_number")) == [
        ("legal_rep", "赵六", rep_id), ("responsible", "钱七", other_id)]
    assert entry.legal_representative == "赵六"


def test_a_person_without_an_id_number_is_kept(browser_client, org_case):
    response = browser_client("clerk").post(f"/credit/new/{org_case.pk}/", {
        "party": debtor(org_case).pk, "ground": "evades", **rows(("responsible", "钱七", ""))})
    assert response.status_code == 302
    assert list(CreditPerson.objects.values_list("role", "name", "id_number")) == [
        ("legal_rep", "赵六", ""), ("responsible", "钱七", "")]  # the party's legal representative added


def test_a_bad_id_number_is_refused_beside_its_field_and_nothing_is_saved(browser_client, org_case):
    bad = make_resident_id(7904)[:-1] + ("0" if make_resident_id(7904)[-1] != "0" else "1")
    response = browser_client("clerk").post(f"/credit/new/{org_case.pk}/", {
        "party": debtor(org_case).pk, "ground": "evades",
        **rows(("legal_rep", "赵六", make_resident_id(7902)), ("responsible", "钱七", bad))}, **ZH)
    text = text_of(response)
    block = field_block(text, "id_persons-1-id_number")
    assert 'class="errorlist' in block
    assert 'class="errorlist' not in field_block(text, "id_persons-0-id_number")
    assert f'value="{bad}"' in block  # what was typed is kept for correction
    assert not CreditEntry.objects.exists() and not CreditPerson.objects.exists()


def test_a_role_outside_the_list_is_refused_beside_its_field(browser_client, org_case):
    response = browser_client("clerk").post(f"/credit/new/{org_case.pk}/", {
        "party": debtor(org_case).pk, "ground": "evades",
        **rows(("controller", "孙八", make_resident_id(7905)))}, **ZH)
    text = text_of(response)
    block = field_block(text, "id_persons-0-role")
    assert 'class="errorlist' in block and "controller" in visible_text(block)  # "选择一个有效的选项。controller …"
    assert not CreditEntry.objects.exists() and not CreditPerson.objects.exists()


def test_a_row_without_a_name_or_role_is_refused(browser_client, org_case):
    response = browser_client("clerk").post(f"/credit/new/{org_case.pk}/", {
        "party": debtor(org_case).pk, "ground": "evades", **rows(("", "", make_resident_id(7906)))}, **ZH)
    text = text_of(response)
    assert "请选择身份" in visible_text(field_block(text, "id_persons-0-role"))
    assert "请填写姓名" in visible_text(field_block(text, "id_persons-0-name"))
    assert not CreditEntry.objects.exists()


def test_the_services_refusal_of_persons_shows_above_the_rows(browser_client, make_case):
    case = make_case()  # a natural person: no responsible persons
    response = browser_client("clerk").post(f"/credit/new/{case.pk}/", {
        "party": debtor(case).pk, "ground": "evades", **rows(("responsible", "钱七", ""))}, **ZH)
    text = text_of(response)
    assert 'class="errorlist nonform"' in text
    assert not CreditEntry.objects.exists()


def test_the_restriction_form_takes_the_persons_as_rows_too(browser_client, org_case):
    client = browser_client("clerk")
    form = text_of(client.get(f"/restrictions/new/{org_case.pk}/", **ZH))
    role = re.search(r'<select name="persons-0-role"[^>]*>(.*?)</select>', form, re.S).group(1)
    assert re.findall(r'value="([^"]*)"', role) == ["", "legal_rep", "principal", "controller", "responsible"]
    assert "legal_rep" not in visible_text(form)
    # the ID number is required for an order's persons (限高规定 Art. 3)
    refused = text_of(client.post(f"/restrictions/new/{org_case.pk}/", {
        "party": debtor(org_case).pk, "acts": ["hotels"], **rows(("legal_rep", "赵六", ""))}, **ZH))
    assert "请填写居民身份证号码" in visible_text(field_block(refused, "id_persons-0-id_number"))
    # no legal representative among the rows: the service's refusal, above the rows
    refused = text_of(client.post(f"/restrictions/new/{org_case.pk}/", {
        "party": debtor(org_case).pk, "acts": ["hotels"],
        **rows(("controller", "孙八", make_resident_id(7907)))}, **ZH))
    assert 'class="errorlist nonform"' in refused
    assert not ConsumptionRestriction.objects.exists()
    response = client.post(f"/restrictions/new/{org_case.pk}/", {
        "party": debtor(org_case).pk, "acts": ["hotels"],
        **rows(("legal_rep", "赵六", make_resident_id(7908)), ("controller", "孙八", make_resident_id(7907)))})
    order = ConsumptionRestriction.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/restrictions/{order.pk}/"
    assert list(RestrictedPerson.objects.order_by("id").values_list("role", "name")) == [
        ("legal_rep", "赵六"), ("controller", "孙八")]


# ---------------------------------------------------------------- 2. the admin in Chinese

THIRD_PARTY_NAMES = {  # English as the packages name them → what the admin shows in zh-hans
    "Axes": "登录安全防护", "Access attempts": "登录尝试记录", "Access failures": "登录失败记录",
    "Access logs": "访问日志", "Audit log": "审计日志", "Log entries": "变更记录",
}
ASCII_WORD = re.compile(r"[A-Za-z]{2,}")
ALLOWED_ASCII = {"API"}  # e.g. API令牌签发记录


def test_the_admin_index_names_every_app_and_model_in_chinese(browser_client):
    text = text_of(browser_client("admin").get("/admin/", **ZH))
    words = visible_text(text)
    assert "执行联动协调平台管理" in words
    for english, chinese in THIRD_PARTY_NAMES.items():
        assert chinese in words, chinese
        assert not re.search(rf"\b{english}\b", words, re.I), english
    with translation.override("zh-hans"):
        names = set()
        for model in admin.site._registry:
            names.add(str(model._meta.verbose_name_plural).capitalize())
            names.add(str(model._meta.app_config.verbose_name))
    for name in sorted(names):
        assert not set(ASCII_WORD.findall(name)) - ALLOWED_ASCII, f"{name!r} is not translated"
        assert htmlmod.escape(name) in text or name in words, name
    # and nothing else on the page is English (the headers of the tables included)
    assert not set(ASCII_WORD.findall(words)) - ALLOWED_ASCII, set(ASCII_WORD.findall(words))


def test_the_axes_and_auditlog_pages_read_chinese(browser_client):
    client = browser_client("admin")
    for url, title in [("/admin/axes/accessattempt/", "登录尝试记录"), ("/admin/axes/accessfailurelog/", "登录失败记录"),
                       ("/admin/axes/accesslog/", "访问日志"), ("/admin/auditlog/logentry/", "变更记录")]:
        words = visible_text(text_of(client.get(url, **ZH)))
        assert title in words, url
        assert not re.search(r"\baccess (attempt|failure|log)s?\b|\blog entr", words, re.I), url


def test_the_projects_catalogue_wins_over_the_apps_catalogues():
    """LOCALE_PATHS is merged last: for a msgid that Django's admin catalogue translates ("log entries"
    → 日志记录), the project's translation is used; the axes msgids (no zh_Hans catalogue of its own) and
    Django's label suffix read as the project says."""
    with translation.override("zh-hans"):
        assert translation.gettext("log entries") == "变更记录"
        assert translation.gettext("access attempts") == "登录尝试记录"
        assert translation.gettext("Locked Out") == "已锁定"
        assert translation.gettext(":") == "："
    with translation.override("en"):
        assert translation.gettext("access attempts") == "access attempts"
        assert translation.gettext(":") == ":"


def _permission_options(text: str) -> list[str]:
    return [htmlmod.unescape(o) for o in re.findall(r'<option value="[^"]*"[^>]*>([^<]*)</option>', text)]


def test_the_permission_pickers_read_chinese(browser_client, users):
    """Django stores permission names in English when it migrates ("Can add notice"); the pickers of a
    user, of a role and of a unit's object permissions print them in Chinese, and English in English."""
    from django.contrib.auth.models import Group

    client = browser_client("admin")
    liaison = users["liaison-bank-icbc"]
    role = Group.objects.filter(permissions__isnull=False).first()
    pickers = {f"/admin/members/user/{users['clerk'].pk}/change/": 'name="user_permissions"',
               f"/admin/auth/group/{role.pk}/change/": 'name="permissions"',
               f"/admin/members/unit/{liaison.unit_id}/permissions/user-manage/{liaison.pk}/": 'name="permissions"'}
    for url, select in pickers.items():
        text = text_of(client.get(url, **ZH))
        options = _permission_options(text.split(select, 1)[1].split("</select>", 1)[0])
        assert options, url
        assert not [o for o in options if re.search(r"\bCan\b", o)], (url, [o for o in options if "Can" in o][:3])
        if "user_permissions" in select:
            # Django's own four, from the model's name, and ours, from the catalogue
            assert "案件与通知书 | 通知书 | 可以查看通知书" in options
            assert "案件与通知书 | 案件 | 可以结案" in options
    english = text_of(client.get(next(iter(pickers)), HTTP_ACCEPT_LANGUAGE="en"))
    options = _permission_options(english.split('name="user_permissions"', 1)[1].split("</select>", 1)[0])
    assert "Cases and notices | notice | Can view notice" in options
    assert "Cases and notices | case | Can conclude a case" in options
    assert not [o for o in options if "可以" in o]


# ---------------------------------------------------------------- 3. wording: amounts and colons

@pytest.mark.parametrize("value, shown", [
    (Decimal("50000"), "50,000.00"), (Decimal("1234567.5"), "1,234,567.50"), ("50000.00", "50,000.00"),
    (0, "0.00"), (Decimal("999.99"), "999.99"), (None, ""), ("", "")])
def test_amounts_have_thousands_separators(value, shown):
    assert yuan(value) == format_yuan(value) == shown


def test_the_case_page_and_the_case_list_show_50_000_00(browser_client, make_case):
    case = make_case(amount="50000.00")
    client = browser_client("clerk")
    detail = text_of(client.get(f"/cases/{case.pk}/", **ZH))
    assert "50,000.00" in detail and "50000.00" not in detail
    listing = text_of(client.get("/cases/", **ZH))
    assert "50,000.00" in listing and "50000.00" not in listing


def test_a_default_obligation_writes_the_amount_with_separators(users, make_case):
    from credit import services as credit

    case = make_case(amount="50000.00")
    with translation.override("zh-hans"):
        entry = credit.credit_entry_create(actor=users["clerk"], case=case, party=debtor(case), ground="evades")
    assert "50,000.00" in entry.obligation


def test_form_labels_end_in_a_full_width_colon_in_chinese(browser_client):
    client = browser_client("clerk")
    form = text_of(client.get("/cases/new/", **ZH))
    assert re.search(r'<label for="id_number">案号：</label>', form)
    assert ":</label>" not in form
    # labels a template prints itself follow the same rule
    listing = text_of(client.get("/cases/", **ZH))
    assert re.search(r'<label for="q">[^<]+：</label>', listing)
    assert ":</label>" not in listing
    english = text_of(client.get("/cases/new/", HTTP_ACCEPT_LANGUAGE="en"))
    assert "：</label>" not in english and ":</label>" in english


# ---------------------------------------------------------------- the rows in a browser (JavaScript on)

@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_persons_are_added_and_removed_with_a_button(page, users):  # noqa: F811  (the fixture)
    pg = page
    case = services.case_create(
        actor=users["clerk"], number="(2026)鄂1022执7911号", title="某公司欠款案", amount="500000",
        parties=[{"role": "applicant", "name": "申请人甲", "id_number": make_resident_id(7911)},
                 {"role": "debtor", "kind": "organization", "name": "公安县某某建材有限公司",
                  "id_number": make_uscc(7911), "legal_representative": "赵六"}])
    _sign_in(pg, "clerk")
    pg.goto(pg.base + f"/credit/new/{case.pk}/")
    rows_ = pg.locator("[data-party-rows] [data-party-row]")
    assert rows_.count() == 2
    pg.get_by_role("button", name="添加人员").click()
    assert rows_.count() == 3
    pg.locator("#id_persons-0-role").select_option("legal_rep")
    pg.locator("#id_persons-0-name").fill("赵六")
    pg.locator("#id_persons-0-id_number").fill(make_resident_id(7912))
    pg.locator("#id_persons-1-name").fill("将被删除")
    pg.locator("#id_persons-2-role").select_option("responsible")
    pg.locator("#id_persons-2-name").fill("钱七")
    rows_.nth(1).get_by_role("button", name="删除此人员").click()
    assert rows_.count() == 2 and pg.locator("#id_persons-TOTAL_FORMS").input_value() == "2"
    assert pg.locator("#id_persons-1-name").input_value() == "钱七"  # renumbered
    pg.get_by_role("button", name="纳入名单（待公布）").click()
    pg.wait_for_url(f"{pg.base}/credit/*/")
    entry = CreditEntry.objects.get(case=case)
    assert list(entry.persons.values_list("role", "name")) == [("legal_rep", "赵六"), ("responsible", "钱七")]
