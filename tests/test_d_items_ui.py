"""Issue 31, the D-items a new user found (helper B): the demo accounts, codes shown to people, the admin's
widgets and the API's title in Chinese, the account menu, the clerk's notice list and the home page's
overdue cards, Chinese punctuation, the public /verify/ page, table cells that do not break words, the
API token page for API users only, the conveners' dashboard for conveners only, changing one's password,
signing out and the help page.

The Chinese of the new messages comes from /work/notes/tr-B.py once merged into the catalogue."""
import html
import json
import re
from pathlib import Path

import polib
import pytest
from django.test import Client
from django.urls import resolve
from django.utils import translation

from members.models import AccessLog, User

ROOT = Path(__file__).resolve().parent.parent
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
PASSWORD = "linkage-demo"


def zh_client(username=None):
    client = Client(**ZH)
    if username:
        client.force_login(User.objects.get(username=username))
    return client


def text_of(response) -> str:
    """What a reader sees: the text, without tags, scripts and styles."""
    content = response.content.decode()
    content = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", content)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"(?s)<[^>]+>", " ", content)))


def hrefs(response) -> set[str]:
    return {html.unescape(h) for h in re.findall(r'href="([^"]+)"', response.content.decode())}


# ---------------------------------------------------------------- D1: the demo accounts

def test_the_sign_in_page_lists_the_president_with_the_role(db, settings):
    settings.DEMO = True
    page = text_of(zh_client().get("/accounts/login/"))
    assert re.search(r"\bpresident 院长\b", page), page[:2000]
    assert "clerk 执行法官/书记员" in page  # the others are still there


# ---------------------------------------------------------------- D3: names, not codes

def test_the_suggestions_name_the_units_not_their_codes(make_case, issue):
    case = make_case()
    for code in ("bank-abc", "bank-ccb", "bank-icbc"):
        issue(case, code, "query", subject="查询被执行人名下存款")
    page = zh_client("office").get("/conferences/agenda/suggestions/")
    text = text_of(page)
    assert case.number in text
    assert "中国农业银行公安支行" in text and "中国建设银行公安支行" in text
    assert not re.search(r"\bbank-(abc|ccb|icbc)\b", text)
    from conferences.selectors import agenda_suggestions

    found = next(s for s in agenda_suggestions() if s.case.pk == case.pk)
    assert found.unit_codes == ["bank-abc", "bank-ccb", "bank-icbc"]  # the API and the form keep the codes
    assert found.unit_names[0] == "中国农业银行公安支行"


def test_a_stalled_listed_case_names_its_late_units_in_the_title(make_case, issue):
    from datetime import timedelta

    from django.utils import timezone

    from cases.models import Notice
    from conferences.selectors import agenda_suggestions

    case = make_case(listed_supervision=True)
    notice = issue(case, "police", "query", subject="查询被执行人下落")
    Notice.objects.filter(pk=notice.pk).update(ack_due_at=timezone.now() - timedelta(days=60),
                                               due_at=timezone.now() - timedelta(days=60))
    found = next(s for s in agenda_suggestions() if s.case.pk == case.pk)
    assert found.state == "stalled" and "县公安局逾期" in found.title and "police" not in found.title


def test_the_unit_directory_and_page_print_no_codes(browser_client):
    directory = zh_client("clerk").get("/units/")
    assert "县公安局" in text_of(directory)
    assert not re.search(r">\s*(police|bank-icbc|tax)\s*<", directory.content.decode())
    page = zh_client("clerk").get("/units/police/")
    assert not re.search(r">\s*police\s*<", page.content.decode())


def test_the_access_log_reads_in_words(users, make_case):
    case = make_case()
    admin = zh_client("admin")
    assert admin.get(f"/admin/cases/case/{case.pk}/change/").status_code == 200  # writes admin_case_view, "GET"
    AccessLog.objects.create(user=users["office"], what="minutes_pdf", object_repr="公执联纪〔2026〕1号 [excerpt police]")
    AccessLog.objects.create(user=users["clerk"], what="minutes_docx", object_repr="公执联纪〔2026〕1号 [full]")
    AccessLog.objects.create(user=users["clerk"], what="cases_xlsx", object_repr="all")
    listing = admin.get("/admin/members/accesslog/")
    assert listing.status_code == 200
    text = text_of(listing)
    assert "在系统管理中查看案件" in text and case.number in text
    assert "公执联纪〔2026〕1号（县公安局摘录）" in text and "公执联纪〔2026〕1号（全文）" in text
    assert "导出案件列表（Excel）" in text
    assert "查看" in text
    for raw in ("admin_case_view", "minutes_pdf", "[excerpt police]", "[full]", "cases_xlsx"):
        assert raw not in text, raw
    assert not re.search(r"\bGET\b", text)
    # the filter names each kind too, and still filters by the code
    assert "下载会议纪要（PDF）" in text
    filtered = text_of(admin.get("/admin/members/accesslog/?what=minutes_pdf"))
    assert "县公安局摘录" in filtered and "全文" not in filtered
    # the codes stay in the database
    assert AccessLog.objects.filter(what="admin_case_view", reason="GET").exists()


def test_roles_are_named_not_coded_in_the_admin(users):
    from django.contrib.auth.models import Group

    admin = zh_client("admin")
    groups = admin.get("/admin/auth/group/")
    text = text_of(groups)
    assert "执行法官/书记员" in text and "执行联络员" in text and "院长" in text
    page = admin.get(f"/admin/members/user/{users['clerk'].pk}/change/").content.decode()
    picker = page.split('name="groups"', 1)[1].split("</select>", 1)[0]
    options = [html.unescape(o) for o in re.findall(r"<option[^>]*>([^<]*)</option>", picker)]
    assert "执行法官/书记员" in options and "clerk" not in options and "liaison" not in options
    listing = admin.get("/admin/members/user/")
    filter_links = re.findall(r'href="\?role=\d+"[^>]*>([^<]*)<', listing.content.decode())
    assert "执行联络员" in filter_links and "liaison" not in filter_links
    liaison_role = Group.objects.get(name="liaison")
    only = admin.get(f"/admin/members/user/?role={liaison_role.pk}")
    assert "liaison-police" in only.content.decode() and ">clerk<" not in only.content.decode()


def test_the_audit_log_names_fields_in_words(make_case):
    from auditlog.models import LogEntry

    from cases.models import Case

    case = make_case()
    case.listed_supervision = True
    case.save()
    entry = LogEntry.objects.get_for_object(case).filter(action=LogEntry.Action.UPDATE).latest("timestamp")
    assert "listed_supervision" in entry.changes_dict  # the diff keeps the column
    admin = zh_client("admin")
    listing = text_of(admin.get("/admin/auditlog/logentry/"))
    with translation.override("zh-hans"):
        name = str(Case._meta.get_field("listed_supervision").verbose_name)
    assert "项变更" in listing and name in listing
    assert "listed_supervision" not in listing and "change:" not in listing and "changes:" not in listing
    detail = text_of(admin.get(f"/admin/auditlog/logentry/{entry.pk}/change/"))
    assert name in detail and "原值" in detail and "新值" in detail and "listed_supervision" not in detail


# ---------------------------------------------------------------- D4: the admin's widgets, the API in Chinese

def test_the_admins_javascript_catalogue_has_the_two_box_pickers_strings(users):
    assert resolve("/admin/jsi18n/").url_name == "admin-jsi18n"
    admin = zh_client("admin")
    page = admin.get(f"/admin/members/user/{users['clerk'].pk}/change/").content.decode()
    assert '<script src="/admin/jsi18n/">' in page  # the change page loads this catalogue
    catalogue = admin.get("/admin/jsi18n/").content.decode()
    for msgid, chinese in [("Choose all %s", "选择全部%s"), ("Remove all %s", "删除全部%s"),
                           ('Choose %s by selecting them and then select the "Choose" arrow button.',
                            "选中要添加的%s，然后点击“选择”箭头。"),
                           ("Choose", "选择"), ("Filter", None)]:
        assert json.dumps(msgid) in catalogue, msgid
        if chinese:
            assert f"{json.dumps(msgid)}: {json.dumps(chinese)}" in catalogue, msgid
    # in English nothing is added; and the catalogue is the staff's, as the admin's own is
    assert "Choose all" not in Client(HTTP_ACCEPT_LANGUAGE="en").get("/admin/jsi18n/").content.decode()
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    english.force_login(users["admin"])
    assert english.get("/admin/jsi18n/").status_code == 200
    assert zh_client("clerk").get("/admin/jsi18n/").status_code == 302


def test_the_api_docs_title_is_chinese(api):
    schema = api("liaison-police").get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi")
    assert schema.status_code == 200
    text = schema.content.decode()
    assert "title: 执行联动协调平台 API" in text and "Enforcement linkage portal API" not in text


@pytest.mark.parametrize("username, offered", [
    ("liaison-police", True), ("liaison-bank-icbc", True), ("admin", True), ("office", True),  # staff
    ("clerk", False), ("president", False), ("convener", False), ("assessor", False), ("leader-police", False)])
def test_api_tokens_are_in_the_account_menu_of_api_users_only(users, username, offered):
    page = zh_client(username).get("/")
    body = page.content.decode()
    menu = body.split('<details class="account">', 1)[1].split("</details>", 1)[0]
    assert 'href="/accounts/password/"' in menu and "退出登录" in menu  # everyone's account menu
    assert ('href="/accounts/tokens/"' in menu) is offered
    assert ('href="/accounts/tokens/"' in body) is offered  # and nowhere else in the top bar


# ---------------------------------------------------------------- D21: the token page for API users only

@pytest.mark.parametrize("username, status", [
    ("liaison-tax", 200), ("admin", 200), ("office", 200), ("clerk", 404), ("president", 404),
    ("convener", 404), ("assessor", 404), ("leader-police", 404)])
def test_the_token_page_opens_for_api_users_only(users, username, status):
    client = zh_client(username)
    assert client.get("/accounts/tokens/").status_code == status
    assert client.post("/accounts/tokens/", {"action": "issue"}).status_code in ((200,) if status == 200 else (404,))


# ---------------------------------------------------------------- D12: the clerk's notice list, linked cards

def test_the_clerks_menu_has_the_notice_list(users):
    clerk = zh_client("clerk").get("/")
    nav = clerk.content.decode().split('<nav aria-label="', 1)[1].split("</nav>", 1)[0]
    assert re.search(r'<a href="/inbox/">通知书</a>', nav)
    liaison = zh_client("liaison-police").get("/").content.decode()
    nav = liaison.split('<nav aria-label="', 1)[1].split("</nav>", 1)[0]
    assert re.search(r'<a href="/inbox/">收件箱</a>', nav) and "通知书</a>" not in nav
    office = zh_client("office").get("/").content.decode().split("</nav>", 1)[0]
    assert 'href="/inbox/">通知书' not in office


def test_the_overdue_cards_of_the_home_page_are_links(make_case, issue):
    from datetime import timedelta

    from django.utils import timezone

    from cases.models import Notice

    notice = issue(make_case(), "police", "query", subject="查询被执行人下落")
    Notice.objects.filter(pk=notice.pk).update(ack_due_at=timezone.now() - timedelta(days=2),
                                               due_at=timezone.now() - timedelta(days=1))
    page = zh_client("clerk").get("/").content.decode()
    tiles = page.split('id="court-h"', 1)[1].split("</ul>", 1)[0]
    # Each card opens the list of exactly what it counts: as many rows as its number.
    for label, tab in (("逾期未签收的通知书", "overdue_ack"), ("逾期未回执的通知书", "overdue_answer")):
        card = re.search(r'<li class="warn"><a href="([^"]+)"><strong>(\d+)</strong>' + label + "</a></li>", tiles)
        assert card, label
        assert card[1] == f"/inbox/?tab={tab}" and int(card[2]) == 1
        listed = zh_client("clerk").get(card[1]).content.decode()
        assert notice.number in listed and listed.count('class="notice-number"') in (0, int(card[2]))
    # Acknowledged: the first card's list is empty, the second still lists it.
    from cases import services
    from members.models import User

    services.notice_acknowledge(actor=User.objects.get(username="liaison-police"), notice=notice)
    assert notice.number not in zh_client("clerk").get("/inbox/?tab=overdue_ack").content.decode()
    assert notice.number in zh_client("clerk").get("/inbox/?tab=overdue_answer").content.decode()


# ---------------------------------------------------------------- D13: Chinese punctuation

_LATIN = re.compile(
    r"[\u4e00-\u9fff] ?[,;:()]|[,;:()] ?[\u4e00-\u9fff]"  # next to a Chinese character
    r"|[\u4e00-\u9fff\u3001\u3002\uff0c\uff1a\uff1b][\d ]*[,;]|[,;][\d ]*[\u4e00-\u9fff]")  # 如：14, 15


def _latin_in_chinese(text: str) -> bool:
    return bool(_LATIN.search(re.sub(r"%\(\w+\)[sd]|%[sd]|\{\w*\}", "", text)))


def test_no_latin_punctuation_in_the_chinese_catalogue(settings):
    po = polib.pofile(str(Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    bad = []
    for entry in po:
        if entry.obsolete or entry.msgid == ":?.!":  # Django's label suffixes, both kinds on purpose
            continue
        for text in [entry.msgstr, *entry.msgstr_plural.values()]:
            if text and re.search(r"[\u4e00-\u9fff]", text) and _latin_in_chinese(text):
                bad.append((entry.msgid, text))
    assert not bad, bad


def test_no_latin_punctuation_in_the_chinese_text_of_the_pages_templates():
    """Text a template writes itself (outside {% trans %}, comments, styles): the issued documents'
    templates are checked with the documents."""
    bad = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        if "documents" in path.parts or path.name.endswith("_document.html") or path.name == "receipt.html":
            continue
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"(?s)\{% *blocktrans.*?endblocktrans *%\}|\{% *comment *%\}.*?\{% *endcomment *%\}"
                      r"|\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}|<style.*?</style>|/\*.*?\*/|<[^>]+>", " ", text)
        for line in text.splitlines():
            if _latin_in_chinese(line):
                bad.append((path.relative_to(ROOT), line.strip()))
    assert not bad, bad


def test_the_units_articles_hint_reads_with_chinese_punctuation():
    from members.models import Unit

    with translation.override("zh-hans"):
        assert str(Unit._meta.get_field("articles").help_text) == "如：14、15"


# ---------------------------------------------------------------- D14: /verify/ for the public

def test_verify_answers_not_found_in_plain_words(db):
    page = zh_client().post("/verify/", {"code": "ZZZZZZZZZZZZ"})
    assert page.status_code == 200
    text = text_of(page)
    assert "文书核验结果" in text and "未查到" in text
    assert "办理结果" not in text and "/api/" not in text and "docs/" not in text and "POST" not in text
    assert 'data-registered="no"' in page.content.decode()


def test_verify_by_code_names_the_document_the_court_and_the_date(make_case, issue):
    from django.utils import timezone

    from documents.models import IssuedDocument

    notice = issue(make_case(), "bank-icbc", "query", subject="查询被执行人名下存款")
    document = IssuedDocument.objects.filter(notice=notice).order_by("pk").first()
    page = zh_client().get(f"/verify/{document.code}/")
    text = text_of(page)
    assert "文书核验结果" in text and "真实" in text
    for label in ("文书名称", "制发法院", "制发日期", "核验码", "效力状态"):
        assert label in text, label
    assert document.title in text and "湖北省公安县人民法院" in text
    assert timezone.localdate(document.issued_at).isoformat() in text
    assert "办理结果" not in text and "/api/" not in text and "docs/" not in text
    party = notice.case.parties.filter(role="debtor").first()
    assert party.id_number not in page.content.decode()


# ---------------------------------------------------------------- D19: short labels on one line

def test_status_chips_and_heads_do_not_wrap_and_tables_scroll():
    css = (ROOT / "static" / "css" / "portal.css").read_text(encoding="utf-8")
    rules = re.findall(r"([^{}]+)\{([^}]*)\}", re.sub(r"(?s)/\*.*?\*/", "", css))

    def declared(selector, declaration):
        return any(selector in [s.strip() for s in sel.split(",")] and declaration in body.replace(" ", "")
                   for sel, body in rules)

    for selector in (".status", ".tag", ".badge", "th"):
        assert declared(selector, "white-space:nowrap"), selector
    assert declared(".table-wrap", "overflow-x:auto")
    base = (ROOT / "templates" / "base.html").read_text(encoding="utf-8")
    assert "css/portal.css" in base


# ---------------------------------------------------------------- D22: the conveners' dashboard

@pytest.mark.parametrize("username, shown", [("convener", True), ("office", False), ("assessor", False),
                                             ("liaison-police", False), ("clerk", False)])
def test_the_conveners_workbench_is_offered_to_conveners_only(users, username, shown):
    page = zh_client(username).get("/")
    assert ("/assessment/dashboard/" in hrefs(page)) is shown
    assert ("召集人工作台" in text_of(page)) is shown


# ---------------------------------------------------------------- everyone: password, signing out, help

def test_a_user_changes_the_password_and_signs_in_with_the_new_one(users):
    client = Client(**ZH)
    assert client.login(username="liaison-tax", password=PASSWORD)
    form = client.get("/accounts/password/")
    assert form.status_code == 200 and "修改密码" in text_of(form)
    refused = client.post("/accounts/password/", {"old_password": "wrong-one", "new_password1": "Qingjiang-2026-river",
                                                  "new_password2": "Qingjiang-2026-river"})
    assert refused.status_code == 200 and 'role="alert"' in refused.content.decode()
    done = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": "Qingjiang-2026-river",
                                               "new_password2": "Qingjiang-2026-river"})
    assert done.status_code == 302 and done["Location"] == "/accounts/password/done/"
    assert "密码已修改" in text_of(client.get(done["Location"]))
    assert client.get("/").status_code == 200  # still signed in on this browser
    fresh = Client()
    assert not fresh.login(username="liaison-tax", password=PASSWORD)
    assert fresh.login(username="liaison-tax", password="Qingjiang-2026-river")
    assert Client().get("/accounts/password/").status_code == 302  # signed in only


def test_signing_out_says_so_on_the_sign_in_page(users):
    client = zh_client("clerk")
    page = client.get("/").content.decode()
    form = re.search(r'<form action="/accounts/logout/" method="post">.*?</form>', page, re.S)[0]
    data = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    response = client.post("/accounts/logout/", {k: html.unescape(v) for k, v in data.items()})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?signed_out=1"
    assert "_auth_user_id" not in client.session
    landed = text_of(client.get(response["Location"]))
    assert "您已安全退出。" in landed and "登录" in landed
    assert "您已安全退出" not in text_of(Client(**ZH).get("/accounts/login/"))


def test_the_help_page_lists_the_guides_sections_and_serves_the_guide(users):
    from portal.views import GUIDE_SECTIONS

    guide = (ROOT / "docs" / "user-guide.md").read_text(encoding="utf-8")
    headings = re.findall(r"^#{1,2} (.+)$", guide, re.M)
    for heading, _label, _role in GUIDE_SECTIONS:
        assert any(h.startswith(heading) for h in headings), heading
    client = zh_client("clerk")
    assert 'href="/help/"' in client.get("/").content.decode()
    page = client.get("/help/")
    text = text_of(page)
    assert page.status_code == 200 and "帮助" in text
    assert "执行法官/书记员 您的角色" in text and "执行联络员 您的角色" not in text
    assert "/help/user-guide.md" in hrefs(page)
    served = client.get("/help/user-guide.md")
    assert served.status_code == 200 and served["Content-Type"].startswith("text/plain")
    assert served.content.decode().startswith("# User guide")
    assert Client().get("/help/").status_code == 302  # signed in only
