"""The server-rendered pages, driven the way a person uses them: sign in, look, fill a form, follow
the redirect. Translations may still be in progress, so assertions rest on structure (links, form
actions, CSS hooks), status codes, database rows and data (unit names, case numbers), not on UI text."""
import io
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape
from pypdf import PdfReader

from cases import services
from cases.models import (
    Attachment,
    Case,
    CaseCategory,
    Notice,
    NoticeEvent,
    Party,
)
from members.models import AccessLog, Capability, Unit, User

from .conftest import PASSWORD, make_resident_id, make_uscc, pdf_bytes

pytestmark = pytest.mark.django_db

FIXED_ACCOUNTS = ["clerk", "office", "convener", "assessor", "admin", "leader-police"]
FREEZE_UNITS = {"bank-icbc", "bank-abc", "bank-ccb", "bank-boc", "market", "hrss", "fund",
                "insurance-picc", "insurance-chinalife"}


# ---------------------------------------------------------------- helpers

class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def html(response) -> str:
    return response.content.decode()


def elements(response_or_text, tag, **wanted):
    text = response_or_text if isinstance(response_or_text, str) else html(response_or_text)
    parser = _Collector()
    parser.feed(text)
    return [attrs for t, attrs in parser.elements
            if t == tag and all(attrs.get(k.replace("_", "-")) == v for k, v in wanted.items())]


def is_selected(response, value) -> bool:
    """Whether the ``<option value=value>`` on the page carries the ``selected`` attribute."""
    options = elements(response, "option", value=value)
    assert options, f"no option {value!r}"
    return all("selected" in o for o in options)


def hrefs(response_or_text) -> set[str]:
    return {a["href"] for a in elements(response_or_text, "a") if "href" in a}


def form_actions(response_or_text) -> set[str]:
    return {f.get("action", "") for f in elements(response_or_text, "form")}


def case_links(response_or_text) -> set[int]:
    return {int(m) for h in hrefs(response_or_text) for m in re.findall(r"^/cases/(\d+)/$", h)}


def notice_links(response_or_text) -> set[int]:
    return {int(m) for h in hrefs(response_or_text) for m in re.findall(r"^/notices/(\d+)/$", h)}


def html_lang(response) -> str:
    match = re.search(r"<html lang=\"([^\"]+)\"", html(response))
    assert match, "page has no <html lang=...>"
    return match.group(1)


def message_tags(response) -> list[str]:
    """The CSS classes of the flash messages rendered on the page (``success``, ``error``...)."""
    block = re.search(r'<div role="status"><ul class="messages">(.*?)</ul>', html(response), re.S)
    return re.findall(r'<li class="([^"]*)">', block.group(1)) if block else []


def body_bytes(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def pdf_text(data: bytes) -> str:
    """The PDF's text with all white space removed (the renderer spaces out the title's characters)."""
    text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    return "".join(text.split())


def upload(content: bytes, name: str = "ruling.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def stored_files() -> set[Path]:
    root = Path(Attachment._meta.get_field("file").storage.location)
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def party_rows(*rows, total=None):
    """The party formset as a browser posts it: every row's selects carry a value, text inputs may be
    empty; ``rows`` are dicts of role/kind/name/id_number."""
    rows = list(rows)
    total = total or max(len(rows), 5)
    data = {"form-TOTAL_FORMS": str(total), "form-INITIAL_FORMS": "0",
            "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "10"}
    for i in range(total):
        row = rows[i] if i < len(rows) else {}
        data[f"form-{i}-role"] = row.get("role", "applicant")
        data[f"form-{i}-kind"] = row.get("kind", "person")
        data[f"form-{i}-name"] = row.get("name", "")
        data[f"form-{i}-id_number"] = row.get("id_number", "")
        data[f"form-{i}-legal_representative"] = row.get("legal_representative", "")
    return data


def all_demo_usernames() -> list[str]:
    return FIXED_ACCOUNTS + [f"liaison-{code}" for code in Unit.objects.values_list("code", flat=True)]


@pytest.fixture
def acknowledge_and_answer(users):
    def _run(notice, username, outcome="done", detail="已办理", amount=None):
        liaison = users[username]
        services.notice_acknowledge(actor=liaison, notice=notice)
        services.notice_answer(actor=liaison, notice=notice, outcome=outcome, detail=detail,
                               result_amount=amount)
        notice.refresh_from_db()
        return notice

    return _run


# ---------------------------------------------------------------- sign-in

def test_login_page_renders_for_anonymous():
    response = Client().get("/accounts/login/")
    assert response.status_code == 200
    names = {i.get("name") for i in elements(response, "input")}
    assert {"username", "password", "csrfmiddlewaretoken"} <= names
    assert elements(response, "input", name="password", type="password")
    assert 'role="alert"' not in html(response)


def test_wrong_password_stays_on_login_page_with_error_and_no_session():
    client = Client()
    response = client.post("/accounts/login/", {"username": "clerk", "password": "wrong-password"})
    assert response.status_code == 200
    assert response.templates[0].name == "registration/login.html"
    assert re.search(r'<p class="error" role="alert">', html(response))
    assert "_auth_user_id" not in client.session
    # The user name is kept, the password is not echoed back.
    assert elements(response, "input", name="username", value="clerk")
    assert "wrong-password" not in html(response)
    assert client.get("/").status_code == 302


def test_sign_in_by_posting_the_form_then_home():
    client = Client()
    response = client.post("/accounts/login/", {"username": "clerk", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(User.objects.get(username="clerk").pk)
    assert client.get("/").status_code == 200
    # Signed in, the login page sends the user on instead of showing the form again.
    assert client.get("/accounts/login/").status_code == 302


def test_sign_in_honours_next():
    client = Client()
    response = client.post("/accounts/login/?next=/cases/",
                           {"username": "clerk", "password": PASSWORD, "next": "/cases/"})
    assert response.status_code == 302
    assert response["Location"] == "/cases/"


def test_every_demo_account_can_sign_in_and_see_home():
    usernames = all_demo_usernames()
    assert len(usernames) == len(FIXED_ACCOUNTS) + Unit.objects.count()
    assert "liaison-bank-icbc" in usernames and "liaison-police" in usernames
    for username in usernames:
        client = Client()
        assert client.login(username=username, password=PASSWORD), username
        response = client.get("/")
        assert response.status_code == 200, username
        assert response.context["user"].username == username


@pytest.mark.parametrize("username", ["office", "liaison-tax", "admin"])
def test_demo_account_sign_in_through_the_form(username):
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(username=username).pk)
    assert client.get("/").status_code == 200


def test_anonymous_is_sent_to_login(make_case, issue):
    notice = issue(make_case(), "police", "query")
    client = Client()
    for url in ["/", "/cases/", "/inbox/", f"/notices/{notice.pk}/", "/units/",
                f"/notices/{notice.pk}/document.pdf", "/cases/new/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == "/accounts/login/?next=" + quote(url, safe="/"), url


def test_sign_out_ends_the_session(browser_client):
    client = browser_client("clerk")
    assert client.get("/").status_code == 200
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302


# ---------------------------------------------------------------- home page per role

def test_home_clerk_has_court_panel_and_register_link(browser_client, make_case):
    case = make_case()
    response = browser_client("clerk").get("/")
    assert response.status_code == 200
    links = hrefs(response)
    assert "/cases/new/" in links
    assert elements(response, "a", href="/cases/new/", **{"class": "button primary"})
    assert "/cases/?status=open" in links
    assert f"/cases/{case.pk}/" in links          # latest cases table
    assert "/inbox/?tab=new" not in links
    assert response.context["court_counts"]["open_cases"] == Case.objects.filter(status="open").count()
    assert 'aria-labelledby="court-h"' in html(response)
    assert 'aria-labelledby="inbox-h"' not in html(response)


@pytest.mark.parametrize("username", ["office", "convener"])
def test_home_office_and_convener_see_court_panel_without_register(browser_client, username):
    response = browser_client(username).get("/")
    assert response.status_code == 200
    links = hrefs(response)
    assert "/cases/?status=open" in links
    assert "/cases/?status=open&listed=1" in links
    assert "/cases/new/" not in links
    assert "/inbox/?tab=new" not in links
    assert 'aria-labelledby="court-h"' in html(response)


def test_home_assessor_sees_the_assessment_note_only(browser_client):
    response = browser_client("assessor").get("/")
    assert response.status_code == 200
    page = html(response)
    assert re.search(r'<section class="card">\s*<h2>[^<]+</h2>\s*<p>[^<]+</p>\s*</section>', page)
    assert response.context["is_assessor"] is True
    links = hrefs(response)
    assert not any(h.startswith("/cases/") or h.startswith("/inbox/") for h in links)
    assert 'aria-labelledby="court-h"' not in page
    assert 'aria-labelledby="inbox-h"' not in page
    assert "/units/" in links


@pytest.mark.dates
@pytest.mark.parametrize("username", ["liaison-police", "leader-police"])
def test_home_police_members_see_inbox_counts(browser_client, make_case, issue, username):
    case = make_case()
    first = issue(case, "police", "query")
    issue(case, "police", "locate")
    issue(case, "bank-icbc", "freeze")  # another unit's notice counts for nobody at the police
    response = browser_client(username).get("/")
    assert response.status_code == 200
    page = html(response)
    assert 'aria-labelledby="inbox-h"' in page
    assert re.search(r'href="/inbox/\?tab=new"><span>[^<]+</span> <strong>2</strong>', page)
    assert re.search(r'href="/inbox/\?tab=open"><strong>2</strong>', page)
    assert re.search(r'href="/inbox/\?tab=overdue"><span>[^<]+</span> <strong>0</strong>', page)
    assert re.search(r'href="/inbox/\?tab=to_release"><span>[^<]+</span> <strong>0</strong>', page)
    assert f"/notices/{first.pk}/" in hrefs(response)
    assert "县公安局" in page
    assert "/cases/new/" not in hrefs(response)
    assert 'aria-labelledby="court-h"' not in page


def test_home_admin_sees_court_panel_and_administration(browser_client):
    response = browser_client("admin").get("/")
    assert response.status_code == 200
    links = hrefs(response)
    assert "/admin/" in links
    assert "/cases/new/" in links
    assert 'aria-labelledby="court-h"' in html(response)


# ---------------------------------------------------------------- unit directory

def test_unit_directory_lists_every_unit(browser_client):
    response = browser_client("clerk").get("/units/")
    assert response.status_code == 200
    page = html(response)
    units = list(Unit.objects.all())
    assert len(units) >= 25
    for unit in units:
        assert escape(unit.name) in page, unit.code
        assert f">{unit.code}</small>" not in page, unit.code  # names, not codes (issue 31 D3)


def test_unit_directory_links_to_each_units_page(browser_client):
    """Each unit's name links to its page /units/<code>/ (the HTML page, not the JSON API)."""
    client = browser_client("clerk")
    links = hrefs(client.get("/units/"))
    wanted = {f"/units/{code}/" for code in Unit.objects.values_list("code", flat=True)}
    assert wanted <= links, sorted(h for h in links if "units/" in h)[:5]
    assert not {h for h in links if h.startswith("/api/")}
    target = client.get("/units/police/")
    assert target["Content-Type"].startswith("text/html")


def test_unit_directory_for_a_liaison(browser_client):
    response = browser_client("liaison-tax").get("/units/")
    assert response.status_code == 200
    assert "县税务局" in html(response) and "中国工商银行公安支行" in html(response)


def test_police_unit_page_shows_what_it_covers(browser_client):
    response = browser_client("clerk").get("/units/police/")
    assert response.status_code == 200
    page = html(response)
    assert "县公安局" in page
    assert "失信被执行人及其家庭成员身份、出入境证件信息及车辆信息（第十五条）。" in page
    assert "限制失信被执行人出境（第十五条）。" in page
    assert "查封、扣押被执行人名下的车辆（第十五条）。" in page
    police = Unit.objects.get(code="police")
    for cap in Capability.objects.filter(unit=police):
        assert escape(cap.covers) in page
    assert escape(str(User.objects.get(username="liaison-police"))) in page  # the liaison officer


def test_unknown_unit_is_404(browser_client):
    assert browser_client("clerk").get("/units/no-such-unit/").status_code == 404


# ---------------------------------------------------------------- case list

@pytest.fixture
def searchable_cases(users):
    clerk = users["clerk"]
    x_serial = next(n for n in range(500, 999) if make_resident_id(n).endswith("X"))
    a = services.case_create(
        actor=clerk, number="(2025)鄂1022执恢701号", title="借款合同纠纷", amount=Decimal("5000"),
        parties=[{"role": "applicant", "name": "甲公司", "kind": "organization", "id_number": make_uscc(701)},
                 {"role": "debtor", "name": "欧阳明远", "id_number": make_resident_id(x_serial)}],
        categories=["finance"])
    b = services.case_create(
        actor=clerk, number="(2025)鄂1022执702号", title="劳务报酬纠纷", amount=Decimal("8000"),
        parties=[{"role": "applicant", "name": "乙某", "id_number": make_resident_id(702)},
                 {"role": "debtor", "name": "司马光华", "id_number": make_resident_id(703)}],
        categories=["migrant_wages"])
    c = services.case_create(
        actor=clerk, number="(2024)鄂1022执703号", title="买卖合同纠纷", amount=Decimal("9000"),
        parties=[{"role": "applicant", "name": "丙某", "id_number": make_resident_id(704)},
                 {"role": "debtor", "name": "诸葛文清", "id_number": make_resident_id(705)}])
    services.case_conclude(actor=clerk, case=c, outcome="terminated")
    return {"a": a, "b": b, "c": c, "x_id": make_resident_id(x_serial)}


def test_case_list_shows_all_cases_to_the_clerk(browser_client, searchable_cases):
    response = browser_client("clerk").get("/cases/")
    assert response.status_code == 200
    s = searchable_cases
    assert {s["a"].pk, s["b"].pk, s["c"].pk} <= case_links(response)
    page = html(response)
    assert "（2025）鄂1022执恢701号" in page      # stored and shown with full-width brackets
    assert "欧阳明远" in page
    assert s["x_id"] not in page                 # identifiers are masked in the list
    assert s["x_id"][:4] + "*" * 10 + s["x_id"][-4:] in page


@pytest.mark.parametrize("q, expected", [
    ("(2025)鄂1022执恢701号", "a"),
    ("执恢701", "a"),
    ("702号", "b"),
    ("欧阳明远", "a"),
    ("司马", "b"),
    ("劳务报酬", "b"),
])
def test_case_list_search(browser_client, searchable_cases, q, expected):
    response = browser_client("clerk").get("/cases/", {"q": q})
    assert response.status_code == 200
    s = searchable_cases
    assert case_links(response) == {s[expected].pk}
    assert elements(response, "input", name="q", value=q)  # the search box keeps the query


def test_case_list_search_by_full_id_number(browser_client, searchable_cases):
    s = searchable_cases
    client = browser_client("clerk")
    response = client.get("/cases/", {"q": s["x_id"]})
    assert case_links(response) == {s["a"].pk}
    # Typed with a small x, the ID still finds the case.
    response = client.get("/cases/", {"q": s["x_id"].lower()})
    assert case_links(response) == {s["a"].pk}
    # A part of an ID number is not a search key for people (no fishing by birth date).
    response = client.get("/cases/", {"q": s["x_id"][6:14]})
    assert s["a"].pk not in case_links(response)


def test_case_list_search_without_match_shows_empty_table(browser_client, searchable_cases):
    response = browser_client("clerk").get("/cases/", {"q": "不存在的当事人"})
    assert response.status_code == 200
    assert case_links(response) == set()
    assert '<td colspan="5" class="muted">' in html(response)


def test_case_list_status_filter(browser_client, searchable_cases):
    s = searchable_cases
    client = browser_client("clerk")
    concluded = client.get("/cases/", {"status": "concluded"})
    assert case_links(concluded) == {s["c"].pk}
    assert is_selected(concluded, "concluded") and not is_selected(concluded, "open")
    open_ = case_links(client.get("/cases/", {"status": "open"}))
    assert {s["a"].pk, s["b"].pk} <= open_ and s["c"].pk not in open_


def test_case_list_category_filter(browser_client, searchable_cases):
    s = searchable_cases
    client = browser_client("clerk")
    assert case_links(client.get("/cases/", {"category": "finance"})) == {s["a"].pk}
    assert case_links(client.get("/cases/", {"category": "migrant_wages"})) == {s["b"].pk}
    assert case_links(client.get("/cases/", {"category": "farmland"})) == set()
    # Filters combine.
    assert case_links(client.get("/cases/", {"category": "finance", "status": "concluded"})) == set()
    assert case_links(client.get("/cases/", {"category": "finance", "q": "欧阳"})) == {s["a"].pk}


def test_case_list_listed_supervision_filter(browser_client, make_case):
    listed = make_case(listed_supervision=True, responsible_leader="张院长")
    plain = make_case()
    links = case_links(browser_client("clerk").get("/cases/", {"listed": "1"}))
    assert listed.pk in links and plain.pk not in links


def test_case_list_keyset_pagination(browser_client, make_case):
    created = [make_case() for _ in range(55)]
    all_ids = set(Case.objects.values_list("id", flat=True))
    assert len(all_ids) >= 55
    client = browser_client("clerk")
    first = client.get("/cases/")
    assert first.status_code == 200
    page1 = case_links(first)
    assert len(page1) == 50
    assert min(page1) > max(all_ids - page1)      # newest first
    nexts = [h for h in hrefs(first) if "after=" in h]
    assert nexts == [f"?after={min(page1)}"]
    second = client.get("/cases/" + nexts[0])
    page2 = case_links(second)
    assert page2 and not (page1 & page2)
    assert page1 | page2 == all_ids
    assert not [h for h in hrefs(second) if "after=" in h]  # the last page has no "next" link
    assert {c.pk for c in created} <= page1 | page2


def test_case_list_pagination_keeps_filters(browser_client, make_case):
    finance = [make_case(categories=["finance"]) for _ in range(52)]
    other = make_case()
    client = browser_client("clerk")
    first = client.get("/cases/", {"category": "finance"})
    page1 = case_links(first)
    assert len(page1) == 50 and other.pk not in page1
    nexts = [h for h in hrefs(first) if "after=" in h]
    assert nexts == [f"?category=finance&after={min(page1)}"]
    page2 = case_links(client.get("/cases/" + nexts[0]))
    assert page1 | page2 == {c.pk for c in finance}
    assert other.pk not in page2


def test_case_list_ignores_a_bad_after_value(browser_client, make_case):
    case = make_case()
    response = browser_client("clerk").get("/cases/", {"after": "abc"})
    assert response.status_code == 200
    assert case.pk in case_links(response)


def test_liaison_sees_only_cases_with_notices_to_their_unit(browser_client, make_case, issue):
    police_case = make_case()
    bank_case = make_case()
    quiet_case = make_case()
    issue(police_case, "police", "query")
    issue(bank_case, "bank-icbc", "freeze")
    client = browser_client("liaison-police")
    response = client.get("/cases/")
    assert response.status_code == 200
    assert case_links(response) == {police_case.pk}
    assert client.get(f"/cases/{police_case.pk}/").status_code == 200
    assert client.get(f"/cases/{bank_case.pk}/").status_code == 404
    assert client.get(f"/cases/{quiet_case.pk}/").status_code == 404
    # A search cannot reach around the scope.
    assert case_links(client.get("/cases/", {"q": bank_case.number})) == set()
    bank = browser_client("liaison-bank-icbc").get("/cases/")
    assert case_links(bank) == {bank_case.pk}


def test_liaison_case_page_shows_only_their_units_notices(browser_client, make_case, issue):
    case = make_case()
    mine = issue(case, "bank-icbc", "freeze")
    theirs = issue(case, "police", "query", subject="查询车辆信息")
    response = browser_client("liaison-bank-icbc").get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    assert notice_links(response) == {mine.pk}
    assert theirs.number not in html(response) and "查询车辆信息" not in html(response)
    # No court actions for a unit, and identifiers stay masked.
    assert f"/cases/{case.pk}/issue/" not in hrefs(response)
    assert f"/cases/{case.pk}/conclude/" not in hrefs(response)
    assert f"/cases/{case.pk}/reveal/" not in form_actions(response)
    for party in case.parties.all():
        assert party.id_number not in html(response)
    clerk = browser_client("clerk").get(f"/cases/{case.pk}/")
    assert notice_links(clerk) == {mine.pk, theirs.pk}


# ---------------------------------------------------------------- case registration

def test_case_form_renders_for_the_clerk(browser_client):
    response = browser_client("clerk").get("/cases/new/")
    assert response.status_code == 200
    names = {i.get("name") for i in elements(response, "input")}
    assert {"number", "title", "amount", "form-TOTAL_FORMS", "form-INITIAL_FORMS", "form-0-name",
            "form-0-id_number"} <= names
    # two rows to start (applicant, debtor) plus a blank one; more are added with a button, up to 10
    assert elements(response, "input", name="form-TOTAL_FORMS", value="3")
    assert elements(response, "input", name="form-MAX_NUM_FORMS", value="10")


def test_register_case_through_the_form(browser_client):
    debtor_id = make_resident_id(811)
    company = make_uscc(812)
    data = {"number": "（2026）鄂1022执881号", "title": "民间借贷纠纷", "amount": "125000.50",
            "categories": ["finance", "hardship"], "listed_supervision": "on", "responsible_leader": "李副院长"}
    data.update(party_rows(
        {"role": "applicant", "kind": "person", "name": "王某", "id_number": make_resident_id(810)},
        {"role": "debtor", "kind": "person", "name": "赵某", "id_number": debtor_id.lower()},
        {"role": "debtor", "kind": "organization", "name": "某某建材有限公司", "id_number": company},
    ))
    before = Case.objects.count()
    response = browser_client("clerk").post("/cases/new/", data)
    assert response.status_code == 302
    assert Case.objects.count() == before + 1
    case = Case.objects.get(number="（2026）鄂1022执881号")   # stored with full-width brackets
    assert response["Location"] == f"/cases/{case.pk}/"
    assert case.amount == Decimal("125000.50")
    assert case.listed_supervision and case.responsible_leader == "李副院长"
    assert case.year == 2026 and case.case_type == "执"
    assert case.created_by.username == "clerk"
    assert set(case.categories.values_list("category", flat=True)) == {"finance", "hardship"}
    parties = {p.name: p for p in case.parties.all()}
    assert set(parties) == {"王某", "赵某", "某某建材有限公司"}   # the empty rows are skipped
    assert parties["赵某"].role == "debtor" and parties["赵某"].id_number == debtor_id
    assert parties["某某建材有限公司"].kind == "organization"
    detail = browser_client("clerk").get(response["Location"])
    assert detail.status_code == 200
    assert "（2026）鄂1022执881号" in html(detail)


def test_register_case_redirect_shows_success_message(browser_client):
    data = {"number": "(2026)鄂1022执882号", "title": "案件", "amount": "1"}
    data.update(party_rows({"role": "debtor", "name": "某甲", "id_number": make_resident_id(882)}))
    response = browser_client("clerk").post("/cases/new/", data, follow=True)
    assert response.status_code == 200
    assert message_tags(response) == ["success"]
    assert "（2026）鄂1022执882号" in html(response)


@pytest.mark.parametrize("number", ["2026执123", "(2026)鄂1022执0号", "(2026)XX1022执1号", "(1980)鄂1022执1号",
                                    "(2026)鄂1022民1号"])
def test_register_case_bad_number_shows_error_and_writes_nothing(browser_client, number):
    data = {"number": number, "title": "错误案号", "amount": "100"}
    data.update(party_rows({"role": "debtor", "name": "某乙", "id_number": make_resident_id(883)}))
    counts = (Case.objects.count(), Party.objects.count(), CaseCategory.objects.count())
    response = browser_client("clerk").post("/cases/new/", data)
    assert response.status_code == 200
    assert response.context["form"].errors["number"]
    assert re.search(r'name="number"[^>]*>\s*<div class="error" role="alert">[^<]+</div>', html(response))
    assert (Case.objects.count(), Party.objects.count(), CaseCategory.objects.count()) == counts
    # What the clerk typed is still in the form.
    assert elements(response, "input", name="number", value=number)


def test_register_case_duplicate_number_is_refused(browser_client, make_case):
    existing = make_case(number="(2026)鄂1022执884号")
    data = {"number": existing.number, "title": "重复", "amount": "100"}
    data.update(party_rows({"role": "debtor", "name": "某丙", "id_number": make_resident_id(884)}))
    count = Case.objects.count()
    response = browser_client("clerk").post("/cases/new/", data)
    assert response.status_code == 200
    assert response.context["form"].errors["number"]
    assert Case.objects.count() == count


@pytest.mark.parametrize("id_number, kind", [
    (make_resident_id(885)[:17] + ("0" if make_resident_id(885)[-1] != "0" else "1"), "person"),  # check digit
    ("42102219901301001X", "person"),                                                             # 13th month
    ("4210221990010100", "person"),                                                               # too short
    (make_uscc(886)[:17] + ("0" if make_uscc(886)[-1] != "0" else "1"), "organization"),
])
def test_register_case_bad_id_shows_error_and_writes_nothing(browser_client, id_number, kind):
    data = {"number": "(2026)鄂1022执885号", "title": "错误证件号", "amount": "100"}
    data.update(party_rows({"role": "applicant", "name": "某丁", "id_number": make_resident_id(887)},
                           {"role": "debtor", "kind": kind, "name": "某戊", "id_number": id_number}))
    counts = (Case.objects.count(), Party.objects.count())
    response = browser_client("clerk").post("/cases/new/", data)
    assert response.status_code == 200
    assert re.search(r'<ul class="errorlist nonfield"><li>[^<]+</li>', html(response))
    assert (Case.objects.count(), Party.objects.count()) == counts
    assert not Case.objects.filter(number="（2026）鄂1022执885号").exists()


def test_register_case_without_debtor_is_refused(browser_client):
    data = {"number": "(2026)鄂1022执889号", "title": "无被执行人", "amount": "100"}
    data.update(party_rows({"role": "applicant", "name": "某己", "id_number": make_resident_id(889)}))
    count = Case.objects.count()
    response = browser_client("clerk").post("/cases/new/", data)
    assert response.status_code == 200
    assert re.search(r'<ul class="errorlist nonfield"><li>[^<]+</li>', html(response))
    assert Case.objects.count() == count


@pytest.mark.parametrize("username", ["office", "convener", "assessor", "liaison-police", "leader-police"])
def test_register_case_is_403_for_non_clerks(browser_client, username):
    client = browser_client(username)
    assert client.get("/cases/new/").status_code == 403
    data = {"number": "(2026)鄂1022执890号", "title": "越权", "amount": "100"}
    data.update(party_rows({"role": "debtor", "name": "某庚", "id_number": make_resident_id(890)}))
    count = Case.objects.count()
    assert client.post("/cases/new/", data).status_code == 403
    assert Case.objects.count() == count


# ---------------------------------------------------------------- issuing notices

def unit_choices(response) -> set[str]:
    return {i["value"] for i in elements(response, "input", name="units", type="checkbox")}


def test_issue_form_lists_only_units_that_offer_the_action(browser_client, make_case):
    case = make_case()
    client = browser_client("clerk")
    response = client.get(f"/cases/{case.pk}/issue/", {"action": "freeze"})
    assert response.status_code == 200
    assert unit_choices(response) == FREEZE_UNITS
    assert "police" not in unit_choices(response) and "court" not in unit_choices(response)
    assert elements(response, "input", type="hidden", name="action", value="freeze")
    assert is_selected(response, "freeze") and not is_selected(response, "query")
    dispatch = client.get(f"/cases/{case.pk}/issue/", {"action": "dispatch"})
    assert unit_choices(dispatch) == {"police"}
    query = unit_choices(client.get(f"/cases/{case.pk}/issue/", {"action": "query"}))
    assert {"police", "tax", "pboc", "bank-icbc"} <= query and "court" not in query
    assert "plc" not in query


def test_issue_form_without_action_shows_only_the_picker(browser_client, make_case):
    case = make_case()
    response = browser_client("clerk").get(f"/cases/{case.pk}/issue/")
    assert response.status_code == 200
    assert unit_choices(response) == set()
    assert not [f for f in elements(response, "form") if f.get("method") == "post"
                and f.get("enctype") == "multipart/form-data"]
    assert {o["value"] for o in elements(response, "option")} >= {"", "query", "freeze", "dispatch"}


def test_issue_freeze_to_two_banks_with_ruling(browser_client, make_case, django_capture_on_commit_callbacks):
    case = make_case()
    ruling = pdf_bytes("执行裁定书")
    client = browser_client("clerk")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/cases/{case.pk}/issue/", {
            "action": "freeze", "units": ["bank-icbc", "bank-abc"], "subject": "冻结被执行人名下存款 50000 元",
            "due_at": "", "ruling": upload(ruling, "裁定书.pdf"),
        })
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}/"
    notices = list(Notice.objects.filter(case=case).select_related("unit").order_by("seq"))
    assert [n.unit.code for n in notices] == ["bank-icbc", "bank-abc"]
    assert [n.number for n in notices] == [f"{case.number}-001", f"{case.number}-002"]
    assert all(n.status == "delivered" and n.delivered_at for n in notices)
    assert all(n.action.code == "freeze" and n.kind == "assist" for n in notices)
    assert notices[0].ruling_id and notices[0].ruling_id == notices[1].ruling_id
    attachment = notices[0].ruling
    assert attachment.purpose == "ruling" and attachment.case_id == case.pk
    assert attachment.original_name == "裁定书.pdf" and attachment.size == len(ruling)
    assert Attachment.objects.filter(case=case).count() == 1
    for n in notices:
        assert list(n.events.values_list("transition", flat=True)) == ["issue", "deliver"]

    detail = client.get(f"/cases/{case.pk}/")
    assert message_tags(detail) == ["success"]
    assert {n.pk for n in notices} <= notice_links(detail)

    # The ruling is served to the court and to the two banks, to nobody else.
    url = f"/attachments/{attachment.pk}/"
    logs = AccessLog.objects.filter(what="attachment").count()
    for username in ["clerk", "liaison-bank-icbc", "liaison-bank-abc"]:
        got = browser_client(username).get(url)
        assert got.status_code == 200, username
        assert got["Content-Type"] == "application/pdf"
        assert body_bytes(got) == ruling
    assert AccessLog.objects.filter(what="attachment").count() == logs + 3
    for username in ["liaison-bank-ccb", "liaison-police", "liaison-tax"]:
        assert browser_client(username).get(url).status_code == 404, username
    assert AccessLog.objects.filter(what="attachment").count() == logs + 3
    # The bank's notice page links the ruling.
    page = browser_client("liaison-bank-icbc").get(f"/notices/{notices[0].pk}/")
    assert url in hrefs(page)


def test_uploaded_ruling_is_stored_under_the_private_media_root(browser_client, make_case, settings,
                                                                django_capture_on_commit_callbacks):
    """Rulings hold personal data: the file goes under settings.PRIVATE_MEDIA_ROOT (set per test by
    conftest), never anywhere else."""
    case = make_case()
    with django_capture_on_commit_callbacks(execute=True):
        response = browser_client("clerk").post(f"/cases/{case.pk}/issue/", {
            "action": "freeze", "units": ["bank-icbc"], "subject": "冻结存款", "ruling": upload(pdf_bytes())})
    assert response.status_code == 302
    attachment = Attachment.objects.get(case=case)
    stored = Path(attachment.file.path).resolve()
    assert stored.is_file()
    assert stored.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT).resolve()), stored


@pytest.mark.dates
def test_issue_with_a_deadline(browser_client, make_case, django_capture_on_commit_callbacks):
    case = make_case()
    due = (timezone.localdate() + timezone.timedelta(days=20)).isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        response = browser_client("clerk").post(f"/cases/{case.pk}/issue/", {
            "action": "query", "units": ["tax"], "subject": "查询纳税及退税信息", "due_at": due})
    assert response.status_code == 302
    notice = Notice.objects.get(case=case)
    assert timezone.localtime(notice.due_at).date().isoformat() == due
    assert notice.ruling_id is None


def test_issue_refuses_a_unit_that_does_not_offer_the_action(browser_client, make_case):
    case = make_case()
    response = browser_client("clerk").post(f"/cases/{case.pk}/issue/", {
        "action": "freeze", "units": ["bank-icbc", "police"], "subject": "冻结"})
    assert response.status_code == 200
    assert response.context["form"].errors["units"]
    assert not Notice.objects.filter(case=case).exists()


def test_issue_without_units_or_subject_is_refused(browser_client, make_case):
    case = make_case()
    response = browser_client("clerk").post(f"/cases/{case.pk}/issue/", {"action": "freeze", "subject": ""})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "units" in errors and "subject" in errors
    assert html(response).count('role="alert"') >= 2
    assert not Notice.objects.filter(case=case).exists()


def test_issue_refuses_a_non_pdf_ruling(browser_client, make_case, django_capture_on_commit_callbacks):
    case = make_case()
    files = stored_files()
    counts = (Notice.objects.count(), Attachment.objects.count(), NoticeEvent.objects.count())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = browser_client("clerk").post(f"/cases/{case.pk}/issue/", {
            "action": "freeze", "units": ["bank-icbc", "bank-abc"], "subject": "冻结存款",
            "ruling": upload(b"hello", "ruling.pdf")})
    assert response.status_code == 200
    assert response.context["form"].errors["ruling"]
    assert re.search(r'name="ruling"[^>]*>\s*<div class="error" role="alert">[^<]+</div>', html(response))
    assert (Notice.objects.count(), Attachment.objects.count(), NoticeEvent.objects.count()) == counts
    assert stored_files() == files
    assert callbacks == []


def test_issue_refuses_a_damaged_pdf(browser_client, make_case):
    case = make_case()
    counts = (Notice.objects.count(), Attachment.objects.count())
    response = browser_client("clerk").post(f"/cases/{case.pk}/issue/", {
        "action": "freeze", "units": ["bank-icbc"], "subject": "冻结存款",
        "ruling": upload(b"%PDF-1.4\nthis is not really a pdf\n%%EOF", "broken.pdf")})
    assert response.status_code == 200
    assert response.context["form"].errors["ruling"]
    assert (Notice.objects.count(), Attachment.objects.count()) == counts


def test_issue_refuses_an_oversized_ruling(browser_client, make_case, settings):
    case = make_case()
    ruling = pdf_bytes("big ruling")
    settings.UPLOAD_MAX_BYTES = len(ruling) - 1
    files = stored_files()
    counts = (Notice.objects.count(), Attachment.objects.count())
    response = browser_client("clerk").post(f"/cases/{case.pk}/issue/", {
        "action": "freeze", "units": ["bank-icbc"], "subject": "冻结存款", "ruling": upload(ruling)})
    assert response.status_code == 200
    assert response.context["form"].errors["ruling"]
    assert re.search(r'name="ruling"[^>]*>\s*<div class="error" role="alert">[^<]+</div>', html(response))
    assert (Notice.objects.count(), Attachment.objects.count()) == counts
    assert stored_files() == files
    # At the limit it goes through.
    settings.UPLOAD_MAX_BYTES = len(ruling)
    response = browser_client("clerk").post(f"/cases/{case.pk}/issue/", {
        "action": "freeze", "units": ["bank-icbc"], "subject": "冻结存款", "ruling": upload(ruling)})
    assert response.status_code == 302
    assert Attachment.objects.count() == counts[1] + 1


def test_concluded_case_refuses_issuing(browser_client, make_case, users):
    case = make_case()
    services.case_conclude(actor=users["clerk"], case=case, outcome="completed", note="已全部履行")
    rulings = Attachment.objects.filter(case=case).count()  # the release ruling the conclusion drew up
    client = browser_client("clerk")
    detail = client.get(f"/cases/{case.pk}/")
    assert f"/cases/{case.pk}/issue/" not in hrefs(detail)
    assert f"/cases/{case.pk}/conclude/" not in hrefs(detail)
    count = Notice.objects.count()
    response = client.post(f"/cases/{case.pk}/issue/", {
        "action": "freeze", "units": ["bank-icbc"], "subject": "冻结存款", "ruling": upload(pdf_bytes())})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert re.search(r'<ul class="errorlist nonfield"><li>[^<]*' + re.escape(case.number), html(response))
    assert Notice.objects.count() == count
    assert Attachment.objects.filter(case=case).count() == rulings


@pytest.mark.parametrize("username, status", [("office", 403), ("convener", 403), ("liaison-bank-icbc", 403),
                                              ("liaison-tax", 404)])
def test_issue_page_is_refused_to_others(browser_client, make_case, issue, username, status):
    case = make_case()
    issue(case, "bank-icbc", "freeze")
    client = browser_client(username)
    assert client.get(f"/cases/{case.pk}/issue/", {"action": "freeze"}).status_code == status
    count = Notice.objects.count()
    response = client.post(f"/cases/{case.pk}/issue/", {"action": "freeze", "units": ["bank-abc"],
                                                         "subject": "冻结"})
    assert response.status_code == status
    assert Notice.objects.count() == count


# ---------------------------------------------------------------- notice page and transitions

def test_notice_page_liaison_acknowledges_then_answers(browser_client, make_case, issue):
    case = make_case()
    notice = issue(case, "bank-icbc", "freeze")
    notice.refresh_from_db()
    assert notice.status == "delivered"
    client = browser_client("liaison-bank-icbc")
    page = client.get(f"/notices/{notice.pk}/")
    assert page.status_code == 200
    actions = form_actions(page)
    assert f"/notices/{notice.pk}/acknowledge/" in actions
    assert f"/notices/{notice.pk}/answer/" not in actions
    assert f"/notices/{notice.pk}/cancel/" not in actions
    assert f"/notices/{notice.pk}/document.pdf" in hrefs(page)
    assert notice.number in html(page) and case.number in html(page)

    response = client.post(f"/notices/{notice.pk}/acknowledge/", {"note": "已签收"})
    assert response.status_code == 302 and response["Location"] == f"/notices/{notice.pk}/"
    notice.refresh_from_db()
    assert notice.status == "acknowledged" and notice.acknowledged_at
    page = client.get(f"/notices/{notice.pk}/")
    assert message_tags(page) == ["success"]
    actions = form_actions(page)
    assert f"/notices/{notice.pk}/acknowledge/" not in actions
    assert f"/notices/{notice.pk}/answer/" in actions
    answer_form = [f for f in elements(page, "form") if f.get("action") == f"/notices/{notice.pk}/answer/"][0]
    assert answer_form["enctype"] == "multipart/form-data"
    assert {i["value"] for i in elements(page, "input", name="outcome")} == {"done", "partial", "unable"}

    receipt = pdf_bytes("冻结回执")
    response = client.post(f"/notices/{notice.pk}/answer/", {
        "outcome": "done", "detail": "已冻结存款 50000 元", "result_amount": "50000.00",
        "attachment": upload(receipt, "回执.pdf")})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.status == "answered"
    assert notice.outcome == "done"
    assert notice.result_amount == Decimal("50000.00")
    assert notice.answer_detail == "已冻结存款 50000 元"
    assert list(notice.events.values_list("transition", flat=True)) == ["issue", "deliver", "acknowledge", "answer"]
    assert notice.events.get(transition="acknowledge").actor.username == "liaison-bank-icbc"
    attachment = Attachment.objects.get(notice=notice)
    assert attachment.purpose == "answer" and attachment.size == len(receipt)

    page = client.get(f"/notices/{notice.pk}/")
    actions = form_actions(page)
    assert f"/notices/{notice.pk}/answer/" not in actions
    assert f"/notices/{notice.pk}/acknowledge/" not in actions
    assert "50,000.00" in html(page) and "已冻结存款 50000 元" in html(page)  # thousands separated (issue 12)
    assert f"/attachments/{attachment.pk}/" in hrefs(page)
    assert body_bytes(client.get(f"/attachments/{attachment.pk}/")) == receipt
    assert body_bytes(browser_client("clerk").get(f"/attachments/{attachment.pk}/")) == receipt
    assert browser_client("liaison-bank-abc").get(f"/attachments/{attachment.pk}/").status_code == 404
    # The clerk may now close it.
    clerk_page = browser_client("clerk").get(f"/notices/{notice.pk}/")
    assert f"/notices/{notice.pk}/close/" in form_actions(clerk_page)


def test_second_acknowledge_is_an_error_and_changes_nothing(browser_client, make_case, issue):
    notice = issue(make_case(), "police", "query")
    client = browser_client("liaison-police")
    first = client.post(f"/notices/{notice.pk}/acknowledge/", follow=True)
    assert message_tags(first) == ["success"]
    notice.refresh_from_db()
    first_at = notice.acknowledged_at
    events = NoticeEvent.objects.filter(notice=notice).count()
    response = client.post(f"/notices/{notice.pk}/acknowledge/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [(f"/notices/{notice.pk}/", 302)]
    assert message_tags(response) == ["error"]
    notice.refresh_from_db()
    assert notice.status == "acknowledged" and notice.acknowledged_at == first_at
    assert NoticeEvent.objects.filter(notice=notice).count() == events
    assert NoticeEvent.objects.filter(notice=notice, transition="acknowledge").count() == 1


def test_answer_before_acknowledge_is_refused(browser_client, make_case, issue):
    notice = issue(make_case(), "police", "query")
    response = browser_client("liaison-police").post(
        f"/notices/{notice.pk}/answer/", {"outcome": "done", "detail": "已查询"}, follow=True)
    assert message_tags(response) == ["error"]
    notice.refresh_from_db()
    assert notice.status == "delivered" and notice.outcome == ""


def test_answer_with_a_non_pdf_attachment_is_refused(browser_client, make_case, issue):
    notice = issue(make_case(), "police", "query")
    client = browser_client("liaison-police")
    assert message_tags(client.post(f"/notices/{notice.pk}/acknowledge/", follow=True)) == ["success"]
    files = stored_files()
    response = client.post(f"/notices/{notice.pk}/answer/", {
        "outcome": "done", "detail": "已查询", "attachment": upload(b"hello", "answer.pdf")}, follow=True)
    assert message_tags(response) == ["error"]
    notice.refresh_from_db()
    assert notice.status == "acknowledged" and notice.outcome == ""
    assert not Attachment.objects.filter(notice=notice).exists()
    assert stored_files() == files


def test_answer_partial_needs_detail(browser_client, make_case, issue):
    notice = issue(make_case(), "police", "query")
    client = browser_client("liaison-police")
    assert message_tags(client.post(f"/notices/{notice.pk}/acknowledge/", follow=True)) == ["success"]
    response = client.post(f"/notices/{notice.pk}/answer/", {"outcome": "partial", "detail": ""}, follow=True)
    assert message_tags(response) == ["error"]
    notice.refresh_from_db()
    assert notice.status == "acknowledged"
    response = client.post(f"/notices/{notice.pk}/answer/", {"outcome": "bogus"}, follow=True)
    assert message_tags(response) == ["error"]
    notice.refresh_from_db()
    assert notice.status == "acknowledged"


def test_clerk_sees_cancel_but_not_acknowledge(browser_client, make_case, issue):
    notice = issue(make_case(), "police", "query")
    page = browser_client("clerk").get(f"/notices/{notice.pk}/")
    assert page.status_code == 200
    actions = form_actions(page)
    assert f"/notices/{notice.pk}/cancel/" in actions
    assert f"/notices/{notice.pk}/acknowledge/" not in actions
    assert f"/cases/{notice.case_id}/" in hrefs(page)


def test_unit_leader_reads_but_cannot_acknowledge(browser_client, make_case, issue):
    notice = issue(make_case(), "police", "query")
    client = browser_client("leader-police")
    page = client.get(f"/notices/{notice.pk}/")
    assert page.status_code == 200
    assert f"/notices/{notice.pk}/acknowledge/" not in form_actions(page)
    assert client.post(f"/notices/{notice.pk}/acknowledge/").status_code == 403
    notice.refresh_from_db()
    assert notice.status == "delivered"


def test_clerk_cancels_a_notice(browser_client, make_case, issue, django_capture_on_commit_callbacks):
    notice = issue(make_case(), "police", "query")
    with django_capture_on_commit_callbacks(execute=True):
        response = browser_client("clerk").post(f"/notices/{notice.pk}/cancel/", {"note": "已自动履行"})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.status == "cancelled" and notice.cancelled_at
    assert notice.events.get(transition="cancel").note == "已自动履行"
    page = browser_client("liaison-police").get(f"/notices/{notice.pk}/")
    assert f"/notices/{notice.pk}/acknowledge/" not in form_actions(page)


def test_transition_without_csrf_token_is_refused(make_case, issue, users):
    notice = issue(make_case(), "police", "query")
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["liaison-police"])
    page = client.get(f"/notices/{notice.pk}/")
    assert elements(page, "input", name="csrfmiddlewaretoken")
    assert client.post(f"/notices/{notice.pk}/acknowledge/").status_code == 403
    notice.refresh_from_db()
    assert notice.status == "delivered"
    token = elements(page, "input", name="csrfmiddlewaretoken")[0]["value"]
    response = client.post(f"/notices/{notice.pk}/acknowledge/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.status == "acknowledged"


def test_unknown_transition_is_404(browser_client, make_case, issue):
    notice = issue(make_case(), "police", "query")
    assert browser_client("liaison-police").post(f"/notices/{notice.pk}/approve/").status_code == 404
    assert browser_client("liaison-police").get(f"/notices/{notice.pk}/acknowledge/").status_code == 405


def test_another_units_liaison_gets_404_everywhere(browser_client, make_case, issue):
    case = make_case()
    notice = issue(case, "bank-icbc", "freeze", ruling_file=upload(pdf_bytes()))
    other = browser_client("liaison-bank-abc")
    assert other.get(f"/notices/{notice.pk}/").status_code == 404
    assert other.get(f"/notices/{notice.pk}/document.pdf").status_code == 404
    for name in ["acknowledge", "answer", "close", "cancel"]:
        assert other.post(f"/notices/{notice.pk}/{name}/", {"outcome": "done"}).status_code == 404, name
    assert other.get(f"/attachments/{notice.ruling_id}/").status_code == 404
    assert other.get(f"/cases/{case.pk}/").status_code == 404
    notice.refresh_from_db()
    assert notice.status == "delivered"
    assert list(notice.events.values_list("transition", flat=True)) == ["issue", "deliver"]
    assert not AccessLog.objects.filter(user__username="liaison-bank-abc").exists()
    # A missing notice answers the same.
    assert other.get("/notices/99999999/").status_code == 404


# ---------------------------------------------------------------- notice document

@pytest.mark.parametrize("username", ["clerk", "liaison-bank-icbc", "office"])
def test_notice_document_pdf(browser_client, make_case, issue, users, username):
    case = make_case()
    notice = issue(case, "bank-icbc", "freeze")
    client = browser_client(username)
    before = AccessLog.objects.filter(user=users[username], what="notice_pdf").count()
    response = client.get(f"/notices/{notice.pk}/document.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    data = body_bytes(response)
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    assert "协助执行通知书" in text
    assert case.number in text
    assert notice.number in text
    assert "中国工商银行公安支行" in text
    assert AccessLog.objects.filter(user=users[username], what="notice_pdf").count() == before + 1
    log = AccessLog.objects.filter(user=users[username], what="notice_pdf").order_by("-id").first()
    assert log.object_repr == notice.number
    client.get(f"/notices/{notice.pk}/document.pdf")
    assert AccessLog.objects.filter(user=users[username], what="notice_pdf").count() == before + 2


def test_notice_document_is_chinese_even_when_browsing_in_english(browser_client, make_case, issue):
    case = make_case()
    notice = issue(case, "police", "query")
    client = browser_client("liaison-police")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    text = pdf_text(body_bytes(client.get(f"/notices/{notice.pk}/document.pdf")))
    assert "协助执行通知书" in text and case.number in text


# ---------------------------------------------------------------- conclusion and releases

def _plan_rows(response) -> dict[str, dict]:
    """The conclude page's plan table: notice number → its unit, what completion/termination does, what
    终本 does (cell texts)."""
    table = re.search(r'<table class="conclusion-plan"[^>]*>(.*?)</table>', html(response), re.S).group(1)
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>", 1)[1], re.S):
        cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        if len(cells) == 5:
            rows[cells[1]] = {"unit": cells[0], "action": cells[2], "ending": cells[3], "final": cells[4]}
    return rows


def _release_items(response) -> dict[int, str]:
    block = re.search(r'<ul class="releases">(.*?)</ul>', html(response), re.S)
    if not block:
        return {}
    return {int(pk): item for pk, item in
            re.findall(r'<li><a href="/notices/(\d+)/">(.*?)</li>', block.group(1), re.S)}


@pytest.mark.dates
def test_conclude_flow_with_release_confirmation(browser_client, make_case, issue, acknowledge_and_answer,
                                                 django_capture_on_commit_callbacks):
    case = make_case()
    freeze = issue(case, "bank-icbc", "freeze", subject="冻结账户 6222 0000 1111")
    query = issue(case, "tax", "query", subject="查询退税")
    unable = acknowledge_and_answer(issue(case, "bank-abc", "freeze"), "liaison-bank-abc", outcome="unable",
                                    detail="无账户")
    restrict = acknowledge_and_answer(issue(case, "police", "restrict", subject="限制出境"), "liaison-police")
    clerk = browser_client("clerk")

    detail = clerk.get(f"/cases/{case.pk}/")
    assert f"/cases/{case.pk}/conclude/" in hrefs(detail)
    page = clerk.get(f"/cases/{case.pk}/conclude/")
    assert page.status_code == 200
    plan = _plan_rows(page)
    assert plan[freeze.number]["unit"] == "中国工商银行公安支行" and plan[freeze.number]["ending"] == "解除冻结"
    assert plan[restrict.number]["unit"] == "县公安局" and plan[restrict.number]["ending"] == "解除限制"
    assert plan[freeze.number]["final"] == plan[restrict.number]["final"] == "保留"  # 终本 keeps measures
    assert plan[query.number]["ending"] == plan[query.number]["final"] == "撤回请求"
    assert plan[unable.number]["ending"] == "关闭" and plan[unable.number]["final"] == "关闭"
    assert {i["value"] for i in elements(page, "input", name="outcome")} == {  # 立案结案意见 Art. 14
        "completed", "terminated", "final_no_property", "not_enforced", "application_rejected", "filing_cancelled"}

    with django_capture_on_commit_callbacks(execute=True):
        response = clerk.post(f"/cases/{case.pk}/conclude/", {"outcome": "completed", "note": "全部履行"})
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    case.refresh_from_db()
    assert case.status == "concluded" and case.outcome == "completed" and case.concluded_by.username == "clerk"
    statuses = dict(Notice.objects.filter(case=case, kind="assist").values_list("pk", "status"))
    assert statuses == {freeze.pk: "cancelled", query.pk: "cancelled", unable.pk: "closed",
                        restrict.pk: "closed"}
    release_notices = list(Notice.objects.filter(case=case, kind="release").select_related("unit", "original"))
    assert {r.original_id for r in release_notices} == {freeze.pk, restrict.pk}
    assert {r.unit.code for r in release_notices} == {"bank-icbc", "police"}
    assert all(r.status == "delivered" for r in release_notices)
    bank_release = next(r for r in release_notices if r.unit.code == "bank-icbc")

    detail = clerk.get(f"/cases/{case.pk}/")
    assert message_tags(detail) == ["success"]
    items = _release_items(detail)
    assert set(items) == {r.pk for r in release_notices}
    for item in items.values():
        assert '<strong class="overdue">' in item
        assert 'class="status closed"' not in item
    assert f"/cases/{case.pk}/issue/" not in hrefs(detail)
    assert f"/cases/{case.pk}/conclude/" not in hrefs(detail)

    # The bank sees the release in its inbox, acknowledges and confirms it.
    bank = browser_client("liaison-bank-icbc")
    inbox = bank.get("/inbox/", {"tab": "to_release"})
    assert bank_release.pk in notice_links(inbox)
    release_page = bank.get(f"/notices/{bank_release.pk}/")
    assert release_page.status_code == 200
    assert f"/notices/{freeze.pk}/" in hrefs(release_page)      # what it releases
    assert bank.post(f"/notices/{bank_release.pk}/acknowledge/").status_code == 302
    assert bank.post(f"/notices/{bank_release.pk}/answer/",
                     {"outcome": "done", "detail": "已解除冻结"}).status_code == 302
    bank_release.refresh_from_db()
    assert bank_release.status == "answered" and bank_release.outcome == "done"
    text = pdf_text(body_bytes(bank.get(f"/notices/{bank_release.pk}/document.pdf")))
    assert "解除冻结" in text and case.number in text

    items = _release_items(clerk.get(f"/cases/{case.pk}/"))
    assert 'class="status closed"' in items[bank_release.pk]
    assert '<strong class="overdue">' not in items[bank_release.pk]
    police_release = next(r for r in release_notices if r.unit.code == "police")
    assert '<strong class="overdue">' in items[police_release.pk]


def test_conclude_twice_sends_nothing_twice(browser_client, make_case, issue,
                                            django_capture_on_commit_callbacks):
    case = make_case()
    issue(case, "bank-icbc", "freeze")
    clerk = browser_client("clerk")
    with django_capture_on_commit_callbacks(execute=True):
        assert clerk.post(f"/cases/{case.pk}/conclude/", {"outcome": "terminated"}).status_code == 302
    assert message_tags(clerk.get(f"/cases/{case.pk}/")) == ["success"]
    releases = Notice.objects.filter(case=case, kind="release").count()
    assert releases == 1
    response = clerk.post(f"/cases/{case.pk}/conclude/", {"outcome": "completed", "note": "已全部履行"})
    assert response.status_code == 200
    assert message_tags(response) == ["error"]
    case.refresh_from_db()
    assert case.outcome == "terminated"
    assert Notice.objects.filter(case=case, kind="release").count() == releases


def test_conclude_without_outcome_is_refused(browser_client, make_case, issue):
    case = make_case()
    issue(case, "bank-icbc", "freeze")
    response = browser_client("clerk").post(f"/cases/{case.pk}/conclude/", {"outcome": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["outcome"]
    case.refresh_from_db()
    assert case.status == "open"
    assert not Notice.objects.filter(case=case, kind="release").exists()


def test_conclude_case_without_measures_lists_nothing(browser_client, make_case, issue):
    case = make_case()
    query = issue(case, "tax", "query")
    plan = _plan_rows(browser_client("clerk").get(f"/cases/{case.pk}/conclude/"))
    assert list(plan) == [query.number]
    assert plan[query.number]["unit"] == "县税务局" and plan[query.number]["ending"] == "撤回请求"


@pytest.mark.parametrize("username, status", [("office", 403), ("liaison-bank-icbc", 403), ("liaison-tax", 404)])
def test_conclude_is_refused_to_others(browser_client, make_case, issue, username, status):
    case = make_case()
    issue(case, "bank-icbc", "freeze")
    client = browser_client(username)
    assert client.get(f"/cases/{case.pk}/conclude/").status_code == status
    assert client.post(f"/cases/{case.pk}/conclude/", {"outcome": "completed", "note": "已全部履行"}).status_code == status
    case.refresh_from_db()
    assert case.status == "open"


# ---------------------------------------------------------------- inbox

def _tab_counts(response) -> dict[str, int]:
    return {tab: int(n) for tab, n in re.findall(
        r'<a href="\?tab=(\w+)"[^>]*>[^<]*<span class="count[^"]*">(\d+)</span>', html(response))}


@pytest.mark.dates
def test_inbox_tabs_and_counts(browser_client, make_case, issue, users, acknowledge_and_answer,
                               django_capture_on_commit_callbacks):
    liaison = users["liaison-police"]
    case = make_case()
    new = issue(case, "police", "query")
    acknowledged = issue(case, "police", "locate")
    services.notice_acknowledge(actor=liaison, notice=acknowledged)
    overdue = issue(case, "police", "seize")
    past = timezone.now() - timezone.timedelta(days=3)
    Notice.objects.filter(pk=overdue.pk).update(ack_due_at=past, due_at=past)
    answered = acknowledge_and_answer(issue(case, "police", "dispatch"), "liaison-police")
    concluded = make_case()
    restrict = issue(concluded, "police", "restrict")
    with django_capture_on_commit_callbacks(execute=True):
        services.case_conclude(actor=users["clerk"], case=concluded, outcome="completed", note="已全部履行")
    release = Notice.objects.get(case=concluded, kind="release")
    foreign = issue(case, "bank-icbc", "freeze")

    client = browser_client("liaison-police")
    expected = {
        "new": {new.pk, overdue.pk, release.pk},
        "open": {new.pk, acknowledged.pk, overdue.pk, release.pk},
        "overdue": {overdue.pk},
        "to_release": {release.pk},
        "to_answer": {acknowledged.pk},
        "all": {new.pk, acknowledged.pk, overdue.pk, answered.pk, restrict.pk, release.pk},
    }
    for tab, pks in expected.items():
        response = client.get("/inbox/", {"tab": tab})
        assert response.status_code == 200, tab
        assert notice_links(response) == pks, tab
        assert foreign.pk not in notice_links(response)
        assert elements(response, "a", href=f"?tab={tab}", aria_current="page"), tab
        assert _tab_counts(response) == {"new": 3, "open": 4, "overdue": 1, "to_release": 1, "to_answer": 1}, tab
    default = client.get("/inbox/")
    assert notice_links(default) == expected["open"]
    assert elements(default, "a", href="?tab=open", aria_current="page")
    overdue_page = html(client.get("/inbox/", {"tab": "overdue"}))
    assert re.search(r'<td data-label="[^"]*" class="overdue">[^<]+<strong>', overdue_page)
    assert "县公安局" in overdue_page


@pytest.mark.dates
def test_inbox_of_another_unit_is_empty(browser_client, make_case, issue):
    issue(make_case(), "police", "query")
    response = browser_client("liaison-tax").get("/inbox/", {"tab": "all"})
    assert response.status_code == 200
    assert notice_links(response) == set()
    assert _tab_counts(response) == {"new": 0, "open": 0, "overdue": 0, "to_release": 0, "to_answer": 0}


def test_inbox_pagination(browser_client, make_case, issue):
    case = make_case()
    notices = [issue(case, "police", "query", subject=f"查询 {i}") for i in range(53)]
    client = browser_client("liaison-police")
    first = client.get("/inbox/", {"tab": "all"})
    page1 = notice_links(first)
    assert len(page1) == 50
    nexts = [h for h in hrefs(first) if "after=" in h]
    assert nexts == [f"?tab=all&after={min(page1)}"]
    page2 = notice_links(client.get("/inbox/" + nexts[0]))
    assert page1 | page2 == {n.pk for n in notices} and not page1 & page2


# ---------------------------------------------------------------- query counts

def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_inbox_query_count_does_not_grow_with_rows(browser_client, make_case, issue):
    client = browser_client("liaison-police")
    cases = [make_case() for _ in range(3)]
    for case in cases:
        issue(case, "police", "query")
    client.get("/inbox/", {"tab": "all"})  # warm caches (content types and the like)
    few = _queries(client, "/inbox/", {"tab": "all"})
    assert len(notice_links(client.get("/inbox/", {"tab": "all"}))) == 3
    for _ in range(37):
        issue(make_case(), "police", "query")
    assert len(notice_links(client.get("/inbox/", {"tab": "all"}))) == 40
    many = _queries(client, "/inbox/", {"tab": "all"})
    assert few == many
    assert many < 15


@pytest.mark.parametrize("username", ["clerk", "liaison-police"])
def test_case_list_query_count_does_not_grow_with_rows(browser_client, make_case, issue, username):
    client = browser_client(username)

    def add_case():
        case = make_case(debtors=2, categories=["finance", "livelihood"])
        issue(case, "police", "query")

    for _ in range(3):
        add_case()
    client.get("/cases/")
    few = _queries(client, "/cases/")
    assert len(case_links(client.get("/cases/"))) == 3
    for _ in range(37):
        add_case()
    assert len(case_links(client.get("/cases/"))) == 40
    many = _queries(client, "/cases/")
    assert few == many
    assert many < 15


@pytest.mark.parametrize("username", ["clerk", "liaison-bank-icbc"])
def test_case_page_query_count_does_not_grow_with_notices_and_events(browser_client, make_case, issue, users,
                                                                    username):
    # The case page reads the columns its timeline prints (selectors.case_notices): none per notice,
    # none per event or actor.
    from cases import services

    def case_with(n):
        case = make_case()
        for _ in range(n):
            notice = issue(case, "bank-icbc", "query", subject="查询被执行人名下账户")
            services.notice_acknowledge(actor=users["liaison-bank-icbc"], notice=notice)
        return case

    small, large = case_with(1), case_with(12)
    client = browser_client(username)
    client.get(f"/cases/{small.pk}/")
    few = _queries(client, f"/cases/{small.pk}/")
    page = client.get(f"/cases/{large.pk}/").content.decode()
    assert len(notice_links(page)) == 12 and page.count("签收：") >= 12, page
    assert few == _queries(client, f"/cases/{large.pk}/")


@pytest.mark.parametrize("username", ["clerk", "liaison-police"])
def test_home_query_count_does_not_grow_with_rows(browser_client, make_case, issue, username):
    # The clerk's home lists the latest cases, the liaison's the unit's open notices: each row reads the
    # columns its table prints (Notice.for_table, selectors.cases_for_table), none with a query of its own.
    client = browser_client(username)
    for _ in range(3):
        issue(make_case(debtors=2, categories=["finance"]), "police", "query")
    client.get("/")
    few = _queries(client, "/")
    for _ in range(20):
        issue(make_case(debtors=2, categories=["finance"]), "police", "query")
    rows = case_links(client.get("/")) if username == "clerk" else notice_links(client.get("/"))
    assert len(rows) == 8  # the home page's eight latest
    many = _queries(client, "/")
    assert few == many
    assert many < 15


# ---------------------------------------------------------------- language

def test_pages_are_simplified_chinese_by_default(browser_client):
    assert html_lang(Client().get("/accounts/login/")) == "zh-hans"
    client = browser_client("clerk")
    for url in ["/", "/cases/", "/units/"]:
        assert html_lang(client.get(url)) == "zh-hans", url
    page = client.get("/")
    assert is_selected(page, "zh-hans") and not is_selected(page, "en")


def test_switch_to_english_and_back(browser_client):
    client = browser_client("clerk")
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/cases/"})
    assert response.status_code == 302
    assert response["Location"] == "/cases/"
    assert client.cookies["django_language"].value == "en"
    page = client.get("/cases/")
    assert html_lang(page) == "en"
    assert html_lang(client.get("/")) == "en"
    assert is_selected(page, "en") and not is_selected(page, "zh-hans")
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert html_lang(client.get("/")) == "zh-hans"


def test_switch_language_when_signed_out():
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert html_lang(client.get("/accounts/login/")) == "en"


def test_language_switch_does_not_redirect_off_site(browser_client):
    client = browser_client("clerk")
    response = client.post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/phish"})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
    assert html_lang(client.get("/")) == "en"


def test_unknown_language_is_ignored(browser_client):
    client = browser_client("clerk")
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert html_lang(client.get("/")) == "zh-hans"
