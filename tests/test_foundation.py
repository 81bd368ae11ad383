"""The foundation: units of Art. 3, roles, per-unit permissions, seeding, admin, API plumbing."""
import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from guardian.models import UserObjectPermission

from members.models import ActionType, Capability, LiaisonAssignment, Unit, User
from members.roles import Role
from members.scoping import HANDLE, VIEW, unit_ids
from members.services import liaison_assign

# DOMAIN.md section 3: unit code -> actions it must offer.
EXPECTED_ACTIONS = {
    "plc": set(), "discipline": set(), "organization": set(), "publicity": {"publicize"}, "court": set(),
    "procuratorate": {"refer_crime"},
    "police": {"query", "seize", "locate", "restrict", "dispatch", "refer_crime"},
    "ndrc": {"publicize"}, "gov_office": {"coordinate"}, "finance": {"query", "restrict", "coordinate"},
    "civilization": {"restrict"}, "justice": {"query", "restrict", "mediate"},
    "natres": {"query", "seize", "transfer", "restrict"}, "civil": {"query", "restrict", "relief"},
    "agri": {"query", "restrict"}, "pboc": {"query"}, "tax": {"query", "deduct"},
    "market": {"query", "freeze", "transfer", "publicize", "restrict"},
    "hrss": {"query", "freeze", "deduct", "restrict"}, "fund": {"query", "freeze", "deduct", "restrict"},
    "regulator": {"restrict"}, "armed_forces": set(), "sasac": {"query", "restrict"},
}
BANK_ACTIONS = {"query", "freeze", "deduct", "restrict"}
INSURANCE_ACTIONS = {"query", "freeze", "deduct", "restrict", "relief"}


def test_units_api_lists_every_unit_of_art_3_with_its_actions(api):
    response = api("liaison-police").get("/api/v1/units/")
    assert response.status_code == 200
    by_code = {u["code"]: u for u in response.json()}
    for code, actions in EXPECTED_ACTIONS.items():
        assert set(by_code[code]["actions"]) == actions, code
    banks = [c for c in by_code if c.startswith("bank-")]
    insurers = [c for c in by_code if c.startswith("insurance-")]
    assert len(banks) >= 2 and len(insurers) >= 1
    for code in banks:
        assert set(by_code[code]["actions"]) == BANK_ACTIONS
    for code in insurers:
        assert set(by_code[code]["actions"]) == INSURANCE_ACTIONS
    police_query = next(c for c in by_code["police"]["capabilities"] if c["action"] == "query")
    assert "出入境" in police_query["covers"] and "车辆" in police_query["covers"]  # Art. 15
    tax_query = next(c for c in by_code["tax"]["capabilities"] if c["action"] == "query")
    assert "退税" in tax_query["covers"]  # Art. 27


def test_units_api_needs_sign_in(api):
    response = api().get("/api/v1/units/")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")


def _snapshot():
    return (
        list(Unit.objects.order_by("id").values()), list(Capability.objects.order_by("id").values()),
        list(ActionType.objects.order_by("id").values()),
        list(User.objects.order_by("id").values("id", "username", "unit_id", "password", "is_superuser")),
        sorted(User.groups.through.objects.values_list("user_id", "group_id")),
        sorted(UserObjectPermission.objects.values_list("user_id", "permission_id", "object_pk")),
        list(LiaisonAssignment.objects.order_by("id").values()),
        sorted(Group.objects.values_list("name", "permissions")),
    )


def test_seed_commands_twice_change_nothing(db):
    before = _snapshot()
    call_command("seed_units", verbosity=0)
    call_command("seed_demo", verbosity=0)
    call_command("seed_units", verbosity=0)
    call_command("seed_demo", verbosity=0)
    assert _snapshot() == before


def test_seed_units_keeps_the_offices_edits(db):
    Unit.objects.filter(code="tax").update(name="县税务局（已改名）", contact_phone="0716-1234567")
    call_command("seed_units", verbosity=0)
    tax = Unit.objects.get(code="tax")
    assert tax.name == "县税务局（已改名）" and tax.contact_phone == "0716-1234567"


def test_demo_accounts_have_their_roles_and_units(users):
    assert users["clerk"].groups.filter(name=Role.CLERK).exists() and users["clerk"].unit.code == "court"
    assert users["office"].unit.code == "court"
    assert users["convener"].unit.code == "plc"
    assert users["assessor"].unit is None
    assert users["admin"].is_superuser
    for unit in Unit.objects.all():
        liaison = users[f"liaison-{unit.code}"]
        assert liaison.unit == unit and liaison.groups.filter(name=Role.LIAISON).exists()
        assert LiaisonAssignment.objects.get(unit=unit, ended_at__isnull=True).user == liaison


@pytest.mark.parametrize("username", ["clerk", "office", "convener", "assessor", "admin", "liaison-police",
                                      "liaison-bank-icbc", "leader-police"])
def test_every_demo_account_signs_in_with_the_demo_password(db, client, username):
    assert client.login(username=username, password="linkage-demo")
    assert client.get("/").status_code == 200


def test_wrong_password_is_refused(client, api):
    assert not client.login(username="clerk", password="wrong")
    response = client.post("/accounts/login/", {"username": "clerk", "password": "wrong"})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    token = api().post("/api/v1/auth/token/", {"username": "clerk", "password": "wrong"}, format="json")
    assert token.status_code == 400 and "token" not in token.json()


def test_token_endpoint_gives_a_working_token(api):
    response = api().post("/api/v1/auth/token/", {"username": "liaison-tax", "password": "linkage-demo"},
                          format="json")
    assert response.status_code == 200
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get("/api/v1/units/").status_code == 200


def test_liaison_gets_unit_permissions_from_guardian(users):
    police = Unit.objects.get(code="police")
    liaison = users["liaison-police"]
    assert liaison.has_perm(HANDLE, police) and liaison.has_perm(VIEW, police)
    assert not liaison.has_perm(VIEW, Unit.objects.get(code="tax"))
    leader = users["leader-police"]
    assert leader.has_perm(VIEW, police) and not leader.has_perm(HANDLE, police)
    assert unit_ids(users["clerk"], HANDLE) == frozenset()


def test_moving_a_liaison_to_another_unit_moves_the_permissions(users):
    liaison = users["liaison-police"]
    tax = Unit.objects.get(code="tax")
    liaison.unit = tax
    liaison.save()
    fresh = User.objects.get(pk=liaison.pk)
    assert unit_ids(fresh, HANDLE) == frozenset({tax.pk})
    assert UserObjectPermission.objects.filter(user=fresh).exclude(object_pk=str(tax.pk)).count() == 0


def test_removing_the_role_removes_the_grant(users):
    liaison = users["liaison-fund"]
    liaison.groups.remove(Group.objects.get(name=Role.LIAISON))
    fresh = User.objects.get(pk=liaison.pk)
    assert unit_ids(fresh, HANDLE) == frozenset()
    assert unit_ids(fresh, VIEW) == frozenset({fresh.unit_id})  # still a member of the unit


def test_deactivated_user_loses_unit_permissions(users):
    liaison = users["liaison-agri"]
    liaison.is_active = False
    liaison.save()
    assert UserObjectPermission.objects.filter(user=liaison).count() == 0


def test_liaison_assignment_keeps_the_history(users):
    unit = Unit.objects.get(code="civil")
    newcomer = User.objects.create_user("new-civil-liaison", password="x")
    previous = users["liaison-civil"]
    liaison_assign(actor=users["admin"], unit=unit, user=newcomer)
    posts = list(LiaisonAssignment.objects.filter(unit=unit).order_by("started_at", "id"))
    assert [p.user for p in posts] == [previous, newcomer]
    assert posts[0].ended_at is not None and posts[1].ended_at is None
    assert User.objects.get(pk=newcomer.pk).has_perm(HANDLE, unit)
    # Assigning the same person again changes nothing.
    liaison_assign(actor=users["admin"], unit=unit, user=newcomer)
    assert LiaisonAssignment.objects.filter(unit=unit).count() == 2


@pytest.mark.parametrize("url", [
    "/admin/", "/admin/members/unit/", "/admin/members/unit/{police}/change/",
    "/admin/members/unit/{police}/permissions/", "/admin/members/user/", "/admin/members/actiontype/",
    "/admin/members/liaisonassignment/", "/admin/cases/case/", "/admin/cases/notice/",
    "/admin/cases/noticeevent/", "/admin/cases/delivery/", "/admin/cases/holidayoverride/",
    "/admin/members/accesslog/", "/admin/cases/attachment/",
])
def test_admin_pages_open_for_the_administrator(browser_client, url):
    police = Unit.objects.get(code="police").pk
    response = browser_client("admin").get(url.format(police=police))
    assert response.status_code == 200


def test_admin_is_closed_to_portal_users(browser_client):
    response = browser_client("clerk").get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_schema_and_docs_for_signed_in_users_only(api, browser_client):
    assert api("liaison-tax").get("/api/schema/").status_code == 200
    assert browser_client("clerk").get("/api/docs/").status_code == 200
    assert api().get("/api/schema/").status_code in (401, 403)


def test_docs_page_uses_no_cdn(browser_client):
    html = browser_client("clerk").get("/api/docs/").content.decode()
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()


def test_login_page_is_chinese_by_default(client):
    html = client.get("/accounts/login/").content.decode()
    assert 'lang="zh-hans"' in html
    assert "登录" in html


def test_static_css_is_local(client):
    html = client.get("/accounts/login/").content.decode()
    assert "/static/css/portal.css" in html and "http" not in html.split("portal.css")[0].split("<link")[-1]


def test_migrations_are_in_step_with_models(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_health_endpoint_answers_without_sign_in(api):
    response = api().get("/api/v1/health/")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.parametrize("url", ["/", "/units/", "/cases/", "/inbox/", "/measures/"])
def test_read_only_pages_refuse_post(browser_client, url):
    assert browser_client("clerk").post(url).status_code == 405


def test_token_endpoint_works_for_a_signed_in_browser(browser_client):
    """A page's script (session cookie, no CSRF token) can still exchange credentials for a token."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(username="clerk"))
    response = client.post("/api/v1/auth/token/", {"username": "clerk", "password": "linkage-demo"},
                           content_type="application/json")
    assert response.status_code == 200 and response.json()["token"]


@pytest.mark.parametrize("body", ['"x"', "[1, 2]", "42", "null"])
def test_token_endpoint_refuses_a_body_that_is_not_an_object(api, settings, body):
    """Found by schemathesis: a JSON string as the body once raised a 500."""
    settings.AXES_ENABLED = True
    response = api().post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize("url", ["/cases/?after=99999999999999999999", "/inbox/?after=-5",
                                 "/measures/?case=99999999999999999999&party=x", "/credit/?after=1e9999",
                                 "/assessment/reports/?after=99999999999999999999"])
def test_pages_ignore_ids_no_row_can_have(browser_client, url):
    user = "liaison-police" if url.startswith("/inbox") else "clerk"
    assert browser_client(user).get(url).status_code == 200
