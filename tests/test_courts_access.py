"""The cross-court access walk (issue 30, "one portal for many courts"): the world of
``tests/test_access_walk.py`` (a case of court A, 鄂1022, with notices, a measure, a ruling, an objection,
an agenda item, a meeting with invitations and issued minutes with an action item, a dishonest-list entry
with the president's decision, a consumption restriction order, a non-cooperation report with its referral,
an assessment period) is requested by every role of court B (鄂1023, another county under the same
intermediate court 鄂10): no page, export or API answer of B's shows any of it, every detail of A's is a 404,
and nothing changes. A's own roles do see it (so the walk is not vacuous); the intermediate court's
supervisor sees both courts' cases, an unrelated court's supervisor neither. B's clerk cannot reach A's
units with a notice nor register a case under A's court code."""
import html
import io
import re
import zipfile
from datetime import timedelta
from urllib.parse import unquote

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from cases import services
from cases.models import Case, Notice
from members.models import ActionType, Capability, Court, Unit, User
from members.roles import Role
from members.services import liaison_assign
from members.tokens import token_issue

from .conftest import make_resident_id
from .test_access_walk import (  # noqa: F401  (``world`` is the fixture this walk reuses)
    MARKERS,
    MAY_GROW,
    PUBLIC_MARKERS,
    SECRET_CASE,
    SECRET_DEBTOR,
    SECRET_SUBJECT,
    SKIP,
    _expand,
    _ids_for,
    _methods,
    _routes,
    world,
)

API = "/api/v1/"
# Court roles and a unit's liaison of court B, by the user name this file gives them.
B_ROLES = {"b-clerk": Role.CLERK, "b-office": Role.OFFICE, "b-convener": Role.CONVENER,
           "b-president": Role.PRESIDENT, "b-liaison": Role.LIAISON}
# Models of A's world whose ids the walk tries, beyond those of tests/test_access_walk.py.
EXTRA_ADDRESSABLE = ["credit.decision", "assessments.courtsanction"]
B_PREFIX = "3-"


# ---------------------------------------------------------------------------------------------- fixtures

def _user(username, *, court, role, unit=None, **extra):
    user = User.objects.create_user(username, password="x", court=court, unit=unit, first_name=username,
                                    **extra)
    if role == Role.LIAISON:
        liaison_assign(actor=None, unit=unit, user=user)
    else:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return User.objects.get(pk=user.pk)


@pytest.fixture
def a_world(world, users, django_capture_on_commit_callbacks):  # noqa: F811  (the imported fixture)
    """The world of tests/test_access_walk.py, with what its dashboard and lists count besides: the case
    under supervision (a key case), a notice to the police overdue, an open non-cooperation report, and a
    detention proposed on a report referred to the court (a court sanction). Returns the ids of every
    addressable row (all A's)."""
    from assessments import services as assess

    clerk = users["clerk"]
    case = Case.objects.get(number=SECRET_CASE)
    Case.objects.filter(pk=case.pk).update(listed_supervision=True)
    police = Unit.objects.get(code="police")
    with django_capture_on_commit_callbacks(execute=True):
        late = services.notice_issue(actor=clerk, case=case, unit=police, subject=SECRET_SUBJECT,
                                     action=ActionType.objects.get(code="query"))
    past = timezone.now() - timedelta(days=3)
    Notice.objects.filter(pk=late.pk).update(ack_due_at=past, due_at=past)
    assess.report_file(actor=clerk, unit=police, kind="passive", detail=SECRET_SUBJECT, notices=[late])
    referred = assess.report_file(actor=clerk, unit=police, kind="refusal", detail=SECRET_SUBJECT,
                                  notices=[late])
    assess.report_decide(actor=users["convener"], report=referred, outcome="civil_procedure",
                         detail=SECRET_SUBJECT)
    assess.sanction_propose(actor=clerk, report=referred, kind="detention", facts=SECRET_SUBJECT,
                            person=SECRET_DEBTOR, days=3)
    ids = {label: sorted(apps.get_model(label).objects.values_list("pk", flat=True))
           for label in list(world) + EXTRA_ADDRESSABLE}
    return ids


@pytest.fixture
def courts(a_world, users):
    """Court A (the install's first, 鄂1022, the world's) and court B (鄂1023, with its own units and roles),
    both under the intermediate court 鄂10; an unrelated intermediate court 鄂05 with its own supervisor.
    Depends on ``a_world`` so that every row of A exists before B's (the walk's ids are A's alone).
    B is made here rather than taken from the demo seed (whose second county, if seeded, is 鄂1024 with
    units ``2-…``), so its units carry the prefix ``3-``."""
    a = Court.objects.get(code=settings.COURT_CODE)
    city, _created = Court.objects.get_or_create(code="鄂10", defaults={"name": "湖北省荆州市中级人民法院"})
    Court.objects.filter(pk=a.pk).update(parent=city)
    b, _created = Court.objects.update_or_create(code="鄂1023", defaults={"name": "湖北省监利县人民法院",
                                                                          "parent": city})
    other, _created = Court.objects.get_or_create(code="鄂05", defaults={"name": "湖北省宜昌市中级人民法院"})
    units = {
        "court": Unit.objects.create(code=f"{B_PREFIX}court", name="监利县人民法院", kind="judicial", court=b),
        "plc": Unit.objects.create(code=f"{B_PREFIX}plc", name="监利县委政法委", kind="party", court=b),
        "police": Unit.objects.create(code=f"{B_PREFIX}police", name="监利县公安局", kind="government", court=b),
    }
    Capability.objects.create(unit=units["police"], action=ActionType.objects.get(code="query"), covers="车辆")
    made = {
        "b-clerk": _user("b-clerk", court=b, role=Role.CLERK, unit=units["court"]),
        "b-office": _user("b-office", court=b, role=Role.OFFICE, unit=units["court"], is_staff=True),
        "b-convener": _user("b-convener", court=b, role=Role.CONVENER, unit=units["plc"]),
        "b-president": _user("b-president", court=b, role=Role.PRESIDENT, unit=units["court"]),
        "b-liaison": _user("b-liaison", court=b, role=Role.LIAISON, unit=units["police"]),
        "supervisor-10": _user("supervisor-10", court=city, role=Role.SUPERVISOR),
        "supervisor-05": _user("supervisor-05", court=other, role=Role.SUPERVISOR),
    }
    for user in made.values():
        assert user.court_id in (b.pk, city.pk, other.pk), user
    assert users["clerk"].court_id == a.pk
    return {"a": a, "b": b, "city": city, "other": other, "units": units, "users": made}


def _session(user):
    client = Client()
    client.force_login(user)
    return client


def _token(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user, renew=False).key}")
    return client


def _text(response) -> str:
    """The body as text; an Office file (xlsx, docx) unzipped and its character references read, so that
    its cells and paragraphs count."""
    if response.status_code == 302 or not hasattr(response, "content"):
        return ""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                # Cells and runs are written as character references (&#26696;): read them as text.
                return "".join(html.unescape(archive.read(name).decode(errors="replace"))
                               for name in archive.namelist() if name.endswith(".xml"))
        except zipfile.BadZipFile:
            pass
    return content.decode(errors="replace")


def _a_objects() -> dict:
    """One of each of A's objects, by name, for the detail URLs."""
    from assessments.models import AssessmentPeriod, CourtSanction, NonCooperationReport, ReferralTask
    from cases.models import Attachment, Measure
    from conferences.models import ActionItem, AgendaItem, Meeting
    from credit.decision_models import Decision
    from credit.models import ConsumptionRestriction, CreditEntry

    case = Case.objects.get(number=SECRET_CASE)
    return {
        "case": case,
        "notice": Notice.objects.get(case=case, action__code="freeze"),
        "query": Notice.objects.get(case=case, action__code="query", unit__code="bank-icbc"),
        "late": Notice.objects.get(case=case, action__code="query", unit__code="police"),
        "attachment": Attachment.objects.filter(case=case, purpose="ruling").order_by("pk").first(),
        "answer attachment": Attachment.objects.filter(case=case).exclude(purpose="ruling")
        .order_by("pk").first(),
        "measure": Measure.objects.filter(notice__case=case).order_by("pk").first(),
        "agenda": AgendaItem.objects.get(title=SECRET_SUBJECT),
        "meeting": Meeting.objects.get(title=SECRET_SUBJECT),
        "action": ActionItem.objects.order_by("pk").first(),
        "entry": CreditEntry.objects.get(case=case),
        "decision": Decision.objects.filter(case=case).order_by("pk").first(),
        "order": ConsumptionRestriction.objects.get(case=case),
        "report": NonCooperationReport.objects.order_by("pk").first(),
        "open report": NonCooperationReport.objects.filter(kind="passive", outcome="").order_by("pk").last()
        or NonCooperationReport.objects.order_by("pk").last(),
        "referral": ReferralTask.objects.order_by("pk").first(),
        "sanction": CourtSanction.objects.order_by("pk").first(),
        "referred report": NonCooperationReport.objects.filter(outcome="civil_procedure").first(),
        "period": AssessmentPeriod.objects.order_by("pk").first(),
    }


def _stored_documents(objects):
    """A's freeze notice and the issued minutes, rendered and stored (the tests do not seal on issue)."""
    from documents import services as docs
    from documents.models import IssuedDocument

    found = {}
    notice_doc = IssuedDocument.objects.filter(notice=objects["notice"]).order_by("pk").first()
    minutes_doc = IssuedDocument.objects.filter(minutes__meeting=objects["meeting"]).order_by("pk").first()
    for name, doc in (("notice", notice_doc), ("minutes", minutes_doc)):
        assert doc is not None, name
        docs.seal_document(doc.pk)
        doc.refresh_from_db()
        assert doc.is_stored, name
        found[name] = doc
    return found


def _detail_urls(objects, documents) -> dict:
    """A's objects' detail pages, files and API details: what → (url, the A user who reads it, the status
    that user gets)."""
    missing = [name for name, obj in objects.items() if obj is None]
    assert not missing, f"the world has no {missing}"
    o = {name: obj.pk for name, obj in objects.items()}
    period, meeting = o["period"], o["meeting"]
    return {
        # HTML pages and files
        "case page": (f"/cases/{o['case']}/", "clerk", 200),
        "notice page": (f"/notices/{o['notice']}/", "clerk", 200),
        "notice document": (f"/notices/{o['notice']}/document.pdf", "clerk", 200),
        "objection notice page": (f"/notices/{o['query']}/", "clerk", 200),
        "overdue notice page": (f"/notices/{o['late']}/", "clerk", 200),
        "ruling attachment": (f"/attachments/{o['attachment']}/", "clerk", 200),
        "answer attachment": (f"/attachments/{o['answer attachment']}/", "clerk", 200),
        "agenda item page": (f"/conferences/agenda/{o['agenda']}/", "office", 200),
        "meeting page": (f"/conferences/meetings/{meeting}/", "office", 200),
        "work report page": (f"/conferences/meetings/{meeting}/report/", "office", 200),
        "minutes page (issued: redirects)": (f"/conferences/meetings/{meeting}/minutes/", "office", 302),
        "minutes pdf": (f"/conferences/meetings/{meeting}/minutes.pdf", "office", 200),
        "minutes docx": (f"/conferences/meetings/{meeting}/minutes.docx", "office", 200),
        "action item page": (f"/conferences/actions/{o['action']}/", "office", 200),
        "credit entry page": (f"/credit/{o['entry']}/", "clerk", 200),
        "credit decision page": (f"/credit/decisions/{o['decision']}/", "president", 200),
        "restriction page": (f"/restrictions/{o['order']}/", "clerk", 200),
        "restriction order pdf": (f"/restrictions/{o['order']}/order.pdf", "clerk", 200),
        "period ranking": (f"/assessment/periods/{period}/", "assessor", 200),
        "period scheme": (f"/assessment/periods/{period}/scheme/", "assessor", 200),
        "period export": (f"/assessment/periods/{period}/export.xlsx", "assessor", 200),
        "period report pdf": (f"/assessment/periods/{period}/report.pdf", "assessor", 200),
        "period unit page": (f"/assessment/periods/{period}/units/bank-icbc/", "assessor", 200),
        "report page": (f"/assessment/reports/{o['report']}/", "clerk", 200),
        "referred report page": (f"/assessment/reports/{o['referred report']}/", "clerk", 200),
        "stored notice document": (f"/documents/{documents['notice'].code}/file.pdf", "clerk", 200),
        "stored minutes document": (f"/documents/{documents['minutes'].code}/file.pdf", "office", 200),
        # REST API
        "api case": (f"{API}cases/{o['case']}/", "clerk", 200),
        "api notice": (f"{API}notices/{o['notice']}/", "clerk", 200),
        "api overdue notice": (f"{API}notices/{o['late']}/", "clerk", 200),
        "api measure": (f"{API}measures/{o['measure']}/", "clerk", 200),
        "api agenda item": (f"{API}agenda-items/{o['agenda']}/", "office", 200),
        "api meeting": (f"{API}meetings/{meeting}/", "office", 200),
        "api minutes pdf": (f"{API}meetings/{meeting}/minutes.pdf", "office", 200),
        "api minutes docx": (f"{API}meetings/{meeting}/minutes.docx", "office", 200),
        "api action item": (f"{API}action-items/{o['action']}/", "office", 200),
        "api credit entry": (f"{API}credit-entries/{o['entry']}/", "clerk", 200),
        "api credit decision": (f"{API}credit-decisions/{o['decision']}/", "president", 200),
        "api restriction": (f"{API}consumption-restrictions/{o['order']}/", "clerk", 200),
        "api assessment period": (f"{API}assessment-periods/{period}/", "assessor", 200),
        "api period export": (f"{API}assessment-periods/{period}/export.xlsx", "assessor", 200),
        "api report": (f"{API}noncooperation-reports/{o['report']}/", "clerk", 200),
        "api referral": (f"{API}referral-tasks/{o['referral']}/", "clerk", 200),
        "api sanction": (f"{API}sanctions/{o['sanction']}/", "clerk", 200),
    }


def _hrefs(objects) -> list[str]:
    """Links to A's objects as pages print them: a list that prints one shows A's row."""
    o = {name: obj.pk for name, obj in objects.items()}
    return [f'"/cases/{o["case"]}/', f'"/notices/{o["notice"]}/', f'"/notices/{o["query"]}/',
            f'"/notices/{o["late"]}/', f'"/conferences/agenda/{o["agenda"]}/',
            f'"/conferences/meetings/{o["meeting"]}/', f'"/conferences/actions/{o["action"]}/',
            f'"/credit/{o["entry"]}/', f'"/credit/decisions/{o["decision"]}/',
            f'"/restrictions/{o["order"]}/',
            f'"/assessment/periods/{o["period"]}/', f'"/assessment/reports/{o["report"]}/',
            f'"/assessment/reports/{o["open report"]}/',
            *UNIT_SIGNS]


# A's units as a form offers them, a dashboard links them or a list names them (B's are 监利县…, 3-…).
UNIT_SIGNS = ['value="police"', 'value="bank-icbc"', "unit=police", "unit=bank-icbc", "中国工商银行公安支行"]


# HTML lists, exports and forms (their choices), with the A user who sees some of the world there.
HTML_LISTS = {
    "/": "clerk", "/cases/": "clerk", "/inbox/?tab=all": "clerk", "/measures/": "clerk",
    "/conferences/": "office", "/conferences/board/": "office", "/conferences/board/?format=xlsx": "office",
    "/tasks/": "office",
    "/conferences/agenda/new/": "office", "/conferences/meetings/new/": "office",
    "/assessment/reports/new/": "clerk", "/absences/": "office", "/channels/": "office",
    "/credit/": "clerk", "/credit/decisions/?status=all": "president", "/credit/pushes/": "clerk",
    "/restrictions/": "clerk", "/restrictions/export.xlsx": "liaison-natres",
    "/assessment/": "assessor", "/assessment/reports/": "clerk", "/assessment/dashboard/": "office",
    "/assessment/dashboard/overdue/": "office", "/assessment/dashboard/key-cases/": "office",
    "/assessment/dashboard/reports/": "office", "/assessment/dashboard/actions/": "office",
    f"/cases/picker/?q={SECRET_DEBTOR}": "clerk", f"/cases/?q={SECRET_DEBTOR}": "clerk",
    f"/cases/?q={SECRET_CASE}": "clerk",
}
API_LISTS = {
    "cases/": ("case", "clerk"), "notices/": ("notice", "clerk"), "measures/": ("measure", "clerk"),
    "agenda-items/": ("agenda", "office"), "meetings/": ("meeting", "office"),
    "action-items/": ("action", "office"), "credit-entries/": ("entry", "clerk"),
    "credit-decisions/": ("decision", "president"), "consumption-restrictions/": ("order", "clerk"),
    "assessment-periods/": ("period", "assessor"), "noncooperation-reports/": ("report", "clerk"),
    "referral-tasks/": ("referral", "clerk"), "sanctions/": ("sanction", "clerk"),
}


def _signs(url, objects) -> list[str]:
    """What shows A's rows on a page: the markers (but the words searched for, which the page repeats) and
    the links to A's objects."""
    asked = unquote(url)
    return [m for m in MARKERS if m not in asked] + _hrefs(objects)


def _rows(response) -> list:
    body = response.json()
    return body["results"] if isinstance(body, dict) and "results" in body else body


def _list_ids(response) -> set:
    return {row.get("id") for row in _rows(response) if isinstance(row, dict)}


def _snapshot() -> dict:
    """Every row of the apps that hold a court's work (tests/test_access_walk.py's, with credit's and the
    register of documents besides), but the audit trails a request may add to."""
    state = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.app_label in ("cases", "conferences", "assessments", "credit", "documents") \
                and label not in MAY_GROW:
            state[label] = sorted(map(repr, model.objects.order_by("pk").values_list()))
    return state


def _b_clients(courts, names=None):
    """Each B role's session, and its API token for the API routes."""
    made = courts["users"]
    return {name: (_session(made[name]), _token(made[name])) for name in names or B_ROLES}


# The B roles of the detail and list checks: B's, and the supervisor of a court above neither A nor B.
READERS = [*B_ROLES, "supervisor-05"]


# ---------------------------------------------------------------------------------------------- the walk

DASHBOARD_LISTS = ["overdue", "releases", "key-cases", "reports", "actions"]
# Prefixes whose ids tests/test_access_walk.py does not know (it would try every id of the world).
WALK_PREFIXES = {"credit/decisions/": ["credit.decision"], "api/v1/credit-decisions/": ["credit.decision"],
                 "api/v1/sanctions/": ["assessments.courtsanction"]}


def _walk_ids(ids) -> dict:
    """A's ids, the notices sampled (the world pushes its restriction to a score of units: the first, the
    last, and those the world is about stand for them all)."""
    case = Case.objects.get(number=SECRET_CASE)
    keep = set(Notice.objects.filter(case=case, kind="assist").values_list("pk", flat=True))
    notices = ids["cases.notice"]
    ids = dict(ids)
    ids["cases.notice"] = sorted(keep | {notices[0], notices[-1]})
    return ids


def _paths(route, ids) -> list[str]:
    """The concrete paths of a route for A's ids: tests/test_access_walk.py's expansion, with the request
    of a notice taken from the requests and a few prefixes it does not know."""
    for key in ("<int:request_id>", "(?P<request_id>\\d+)"):
        if key in route:
            route = route.replace(key, str(ids["cases.noticerequest"][0]))
    if "<slug:what>" in route:  # the dashboard's lists
        return ["/" + route.replace("<slug:what>", what) for what in DASHBOARD_LISTS]
    plain = route.replace("^", "")
    for prefix, labels in WALK_PREFIXES.items():
        if plain.startswith(prefix):
            return _expand(route, sorted({pk for label in labels for pk in ids[label]}))
    return _expand(route, _ids_for(route, ids))


def test_no_url_shows_court_a_to_court_b(a_world, courts):
    """Every URL of the URLconf, with A's ids, GET and POST, by each of B's roles and an unrelated court's
    supervisor (session; API token for the API): no page, file or answer shows A's markers; no GET of a
    path carrying an id of A's answers 200 (what is A's is absent for B); nothing of A's changes."""
    ids = _walk_ids(a_world)
    routes = [r for r in _routes() if not any(s in r for s in SKIP)]
    assert len(routes) > 40, routes
    before = _snapshot()
    leaks, found, requests, checks = [], [], 0, set()
    for name, (session, token) in _b_clients(courts, READERS).items():
        for route in routes:
            client = token if route.startswith("api/") else session
            has_id = bool(re.search(r"<int:|\(\?P<pk>", route))
            for path in _paths(route, ids):
                for method in ("get",) if "<slug:what>" in route else _methods(route):
                    response = getattr(client, method)(path)
                    requests += 1
                    checks.add((route, name))
                    markers = PUBLIC_MARKERS if path.startswith("/public/") else MARKERS
                    hit = [m for m in markers if m in _text(response)]
                    if hit:
                        leaks.append(f"{name} {method.upper()} {path} → {response.status_code} shows {hit}")
                    elif has_id and method == "get" and response.status_code == 200:
                        found.append(f"{name} GET {path} → 200")
    print(f"cross-court walk: {len(routes)} routes × {len(READERS)} roles = {len(checks)} checks, "
          f"{requests} requests")
    after = _snapshot()
    changed = [f"{label}: {sorted(set(before[label]) - set(after[label]))} → "
               f"{sorted(set(after[label]) - set(before[label]))}"
               for label in before if before[label] != after.get(label)]
    assert not (leaks or found or changed), (
        f"in {requests} requests: {len(leaks)} show A's markers:\n" + "\n".join(leaks)
        + f"\n{len(found)} of A's paths answer 200 to B:\n" + "\n".join(found)
        + "\nrows changed by B's requests:\n" + "\n".join(changed))


def test_every_detail_of_court_a_is_404_for_court_b(a_world, courts):
    objects = _a_objects()
    urls = _detail_urls(objects, _stored_documents(objects))
    wrong = []
    for name, (session, token) in _b_clients(courts, READERS).items():
        for what, (url, _owner, _status) in urls.items():
            response = (token if url.startswith(API) else session).get(url)
            if response.status_code != 404:
                wrong.append(f"{name} GET {url} ({what}) → {response.status_code}")
            elif any(m in _text(response) for m in MARKERS):
                wrong.append(f"{name} GET {url} ({what}) → 404 showing a marker")
    print(f"details: {len(urls)} URLs × {len(READERS)} roles")
    assert not wrong, f"{len(wrong)} of {len(urls) * len(READERS)}:\n" + "\n".join(wrong)


def test_court_a_reads_every_detail(a_world, courts, users):
    """The 404s above are about the court: A's own roles read the same URLs."""
    objects = _a_objects()
    urls = _detail_urls(objects, _stored_documents(objects))
    wrong = []
    for what, (url, owner, status) in urls.items():
        client = _token(users[owner]) if url.startswith(API) else _session(users[owner])
        response = client.get(url)
        if response.status_code != status:
            wrong.append(f"{owner} GET {url} ({what}) → {response.status_code}, not {status}")
    assert not wrong, "\n".join(wrong)


def test_court_b_lists_leave_court_a_out(a_world, courts):
    objects = _a_objects()
    wrong = []
    for name, (session, token) in _b_clients(courts, READERS).items():
        for url in HTML_LISTS:
            response = session.get(url)
            hit = [m for m in _signs(url, objects) if m in _text(response)]
            if hit:
                wrong.append(f"{name} GET {url} → {response.status_code} shows {hit}")
        for url, (what, _owner) in API_LISTS.items():
            response = token.get(API + url)
            if response.status_code == 200 and objects[what].pk in _list_ids(response):
                wrong.append(f"{name} GET {API}{url} lists A's {what} (id {objects[what].pk})")
            hit = [m for m in MARKERS if m in _text(response)]
            if hit:
                wrong.append(f"{name} GET {API}{url} → {response.status_code} shows {hit}")
    print(f"lists: {len(HTML_LISTS) + len(API_LISTS)} URLs × {len(READERS)} roles")
    assert not wrong, f"{len(wrong)} leaks:\n" + "\n".join(wrong)


def test_court_a_lists_show_court_a(a_world, courts, users):
    """The list checks above are not vacuous: the same lists show the world to A's own roles."""
    objects = _a_objects()
    wrong = []
    for url, owner in HTML_LISTS.items():
        response = _session(users[owner]).get(url)
        if response.status_code != 200 or not any(m in _text(response) for m in _signs(url, objects)):
            wrong.append(f"{owner} GET {url} → {response.status_code}, nothing of A's world")
    for url, (what, owner) in API_LISTS.items():
        response = _token(users[owner]).get(API + url)
        if response.status_code != 200 or objects[what].pk not in _list_ids(response):
            wrong.append(f"{owner} GET {API}{url} → {response.status_code}, no {what} {objects[what].pk}")
    assert not wrong, "\n".join(wrong)


# ---------------------------------------------------------------------------------------------- supervisors

def _b_case(courts, n=1):
    debtor = {"role": "debtor", "name": "监利被执行人", "id_number": make_resident_id(9100 + n)}
    return services.case_create(actor=courts["users"]["b-clerk"], number=f"（2026）鄂1023执{n}号",
                                title="监利案件", amount="500", parties=[debtor])


def test_the_supervising_court_sees_both_counties_and_another_neither(a_world, courts):
    a_case = Case.objects.get(number=SECRET_CASE)
    b_case = _b_case(courts)
    assert (a_case.court_id, b_case.court_id) == (courts["a"].pk, courts["b"].pk)
    city = _token(courts["users"]["supervisor-10"])
    response = city.get(f"{API}cases/")
    assert response.status_code == 200, response.content
    assert {a_case.pk, b_case.pk} <= _list_ids(response)
    assert city.get(f"{API}cases/{a_case.pk}/").status_code == 200
    assert city.get(f"{API}cases/{b_case.pk}/").status_code == 200
    other = _token(courts["users"]["supervisor-05"])
    response = other.get(f"{API}cases/")
    assert response.status_code == 200, response.content
    assert not ({a_case.pk, b_case.pk} & _list_ids(response))
    assert other.get(f"{API}cases/{a_case.pk}/").status_code == 404
    assert other.get(f"{API}cases/{b_case.pk}/").status_code == 404
    # Each county's clerk sees its own case, not the other's.
    b_seen = _list_ids(_token(courts["users"]["b-clerk"]).get(f"{API}cases/"))
    assert b_case.pk in b_seen and a_case.pk not in b_seen
    a_seen = _list_ids(_token(User.objects.get(username="clerk")).get(f"{API}cases/"))
    assert a_case.pk in a_seen and b_case.pk not in a_seen
    # The HTML list of cases: the same.
    assert SECRET_CASE in _session(courts["users"]["supervisor-10"]).get("/cases/").content.decode()
    assert b_case.number in _session(courts["users"]["supervisor-10"]).get("/cases/").content.decode()
    assert SECRET_CASE not in _session(courts["users"]["supervisor-05"]).get("/cases/").content.decode()


# ------------------------------------------------------------------------------------ writes across courts

def test_court_b_cannot_ask_court_a_units(a_world, courts, django_capture_on_commit_callbacks):
    b_clerk = courts["users"]["b-clerk"]
    b_case = _b_case(courts, 2)
    query = ActionType.objects.get(code="query")
    before = Notice.objects.count()
    with pytest.raises(ValidationError) as refused, django_capture_on_commit_callbacks(execute=True):
        services.notice_issue(actor=b_clerk, case=b_case, unit=Unit.objects.get(code="police"), action=query,
                              subject="查询车辆")
    assert "unit" in refused.value.message_dict, refused.value
    assert Notice.objects.count() == before
    client = _token(b_clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{API}notices/", {"case": b_case.pk, "unit": "police", "action": "query",
                                                   "subject": "查询车辆"}, format="json")
    assert response.status_code == 400, response.content
    assert "unit" in response.json(), response.json()
    assert Notice.objects.count() == before
    # Its own county's police it asks.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{API}notices/", {"case": b_case.pk, "unit": f"{B_PREFIX}police",
                                                   "action": "query", "subject": "查询车辆"}, format="json")
    assert response.status_code == 201, response.content
    assert Notice.objects.count() == before + 1
    # Nor may it issue on A's case (absent for B).
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{API}notices/", {
            "case": Case.objects.get(number=SECRET_CASE).pk, "unit": f"{B_PREFIX}police", "action": "query",
            "subject": "x"}, format="json")
    assert response.status_code in (400, 404), response.content
    assert Notice.objects.count() == before + 1


def _case_body(number, n):
    return {"number": number, "title": f"监利接口案件{n}", "amount": "1000.00", "parties": [
        {"role": "applicant", "name": "张三", "id_number": make_resident_id(9200 + n)},
        {"role": "debtor", "name": "李四", "id_number": make_resident_id(9300 + n)}]}


def test_court_b_registers_only_its_own_case_numbers(a_world, courts):
    client = _token(courts["users"]["b-clerk"])
    before = Case.objects.count()
    response = client.post(f"{API}cases/", _case_body("(2026)鄂1022执9101号", 1), format="json")
    assert response.status_code == 400, response.content
    errors = response.json()
    assert "number" in errors, errors
    message = " ".join(errors["number"])
    assert "鄂1022" in message and "鄂1023" in message, message  # the court code it carries, and B's own
    assert Case.objects.count() == before
    response = client.post(f"{API}cases/", _case_body("(2026)鄂1023执9102号", 2), format="json")
    assert response.status_code == 201, response.content
    case = Case.objects.get(pk=response.json()["id"])
    assert case.court_id == courts["b"].pk and case.number == "（2026）鄂1023执9102号"
    # And A's clerk the other way round.
    response = _token(User.objects.get(username="clerk")).post(
        f"{API}cases/", _case_body("(2026)鄂1023执9103号", 3), format="json")
    assert response.status_code == 400 and "number" in response.json(), response.content
    assert Case.objects.count() == before + 1


def test_forms_offer_only_the_courts_own_units(a_world, courts, users):
    """The notice form of B's case offers B's units, never A's; A's clerk is offered A's."""
    b_case = _b_case(courts, 4)
    b_form = _session(courts["users"]["b-clerk"]).get(f"/cases/{b_case.pk}/issue/?action=query")
    assert b_form.status_code == 200
    body = _text(b_form)
    assert f'value="{B_PREFIX}police"' in body
    assert not [sign for sign in UNIT_SIGNS if sign in body], [sign for sign in UNIT_SIGNS if sign in body]
    a_case = Case.objects.get(number=SECRET_CASE)
    a_form = _text(_session(users["clerk"]).get(f"/cases/{a_case.pk}/issue/?action=query"))
    assert 'value="police"' in a_form and f'value="{B_PREFIX}police"' not in a_form


def test_court_b_cannot_act_on_court_a(a_world, courts, users):
    """B's roles acting on A's rows: 404 and nothing moves; A's president does approve A's fine."""
    from assessments.models import CourtSanction

    objects = _a_objects()
    sanction, notice, agenda = objects["sanction"], objects["late"], objects["agenda"]
    b = courts["users"]
    before = _snapshot()
    attempts = [
        (_token(b["b-president"]), f"{API}sanctions/{sanction.pk}/approve/", {}),
        (_token(b["b-president"]), f"{API}credit-decisions/{objects['decision'].pk}/return/",
         {"reason": "x"}),
        (_token(b["b-clerk"]), f"{API}notices/{notice.pk}/cancel/", {"reason": "x"}),
        (_token(b["b-clerk"]), f"{API}cases/{objects['case'].pk}/conclude/", {}),
        (_session(b["b-convener"]), f"/conferences/agenda/{agenda.pk}/reject/", {"reason": "x"}),
        (_session(b["b-office"]), f"/conferences/actions/{objects['action'].pk}/close/", {"note": "x"}),
        (_session(b["b-clerk"]), f"/credit/{objects['entry'].pk}/revoke/", {"reason": "x"}),
        (_session(b["b-president"]), f"/restrictions/{objects['order'].pk}/lift/", {"reason": "x"}),
    ]
    wrong = []
    for client, url, data in attempts:
        response = client.post(url, data, **({"format": "json"} if url.startswith(API) else {}))
        if response.status_code != 404:
            wrong.append(f"POST {url} → {response.status_code}")
    after = _snapshot()
    wrong += [f"{label} changed" for label in before if before[label] != after[label]]
    assert not wrong, "\n".join(wrong)
    response = _token(users["president"]).post(f"{API}sanctions/{sanction.pk}/approve/", {}, format="json")
    assert response.status_code == 200, response.content
    assert CourtSanction.objects.get(pk=sanction.pk).status == "approved"
