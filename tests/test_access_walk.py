"""An access-control walk: every URL in the URLconf (HTML and API alike), with every id of a world that
belongs to one unit, requested by another unit's liaison (session and token), that unit's system token,
and an anonymous visitor. Nothing of that world may show, and nothing may change."""
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.authtoken.models import Token

from cases import services
from members.integration import token_create
from members.models import ActionType, Unit

from .conftest import decide_listing, draft_restriction, make_resident_id, pdf_bytes

SECRET_CASE = "（2026）鄂1022执424242号"  # as stored and shown
SECRET_DEBTOR = "机密被执行人甲乙"
SECRET_SUBJECT = "机密冻结事项XYZ"
SECRET_ID = make_resident_id(4242)
MARKERS = [SECRET_CASE, SECRET_DEBTOR, SECRET_SUBJECT, SECRET_ID, SECRET_ID[-8:]]
PUBLIC_MARKERS = [SECRET_SUBJECT, SECRET_ID, SECRET_ID[-8:]]
# What an outsider may legitimately add while walking (its own audit trail), everything else must not move.
MAY_GROW = {"members.accesslog", "credit.creditcheck", "axes.accessattempt", "axes.accesslog", "sessions.session"}
SLUGS = ["acknowledge", "answer", "close", "cancel", "renew", "release", "grant", "refuse", "approve", "reject",
         "publish", "shield", "revoke", "report", "return", "done", "issue", "decide", "confirm", "republish",
         "sign", "lift", "permit"]
# The models whose ids appear in URLs.
ADDRESSABLE = ["cases.case", "cases.notice", "cases.attachment", "cases.measure", "cases.noticerequest",
               "credit.creditentry", "credit.consumptionrestriction", "conferences.agendaitem", "conferences.meeting", "conferences.minutes",
               "conferences.actionitem", "conferences.invitation", "assessments.noncooperationreport",
               "assessments.referraltask", "assessments.assessmentperiod"]
PREFIX_MODELS = {
    "cases/": ["cases.case"], "notices/": ["cases.notice", "cases.noticerequest"],
    "attachments/": ["cases.attachment"], "measures/": ["cases.measure"],
    "credit/": ["credit.creditentry", "cases.case"], "conferences/agenda/": ["conferences.agendaitem"],
    "restrictions/": ["credit.consumptionrestriction", "cases.case"],
    "api/v1/consumption-restrictions/": ["credit.consumptionrestriction"],
    "conferences/meetings/": ["conferences.meeting"], "conferences/actions/": ["conferences.actionitem"],
    "assessment/periods/": ["assessments.assessmentperiod"],
    "assessment/reports/": ["assessments.noncooperationreport"],
    "api/v1/cases/": ["cases.case"], "api/v1/notices/": ["cases.notice", "cases.noticerequest"],
    "api/v1/measures/": ["cases.measure"], "api/v1/credit-entries/": ["credit.creditentry"],
    "api/v1/agenda-items/": ["conferences.agendaitem"], "api/v1/meetings/": ["conferences.meeting"],
    "api/v1/action-items/": ["conferences.actionitem"],
    "api/v1/noncooperation-reports/": ["assessments.noncooperationreport"],
    "api/v1/referral-tasks/": ["assessments.referraltask"],
    "api/v1/assessment-periods/": ["assessments.assessmentperiod"],
}
SKIP = ("admin/", "i18n/", "static/", "api/schema", "api/docs", "api/redoc", "accounts/")


def _routes(resolver=None, prefix=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        text = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern, prefix + text)
        elif isinstance(pattern, URLPattern):
            yield prefix + text


_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def _ids_for(route, world):
    """The ids worth trying in a route: those of the model its path is about (longest known prefix), or
    every world id when the path does not say."""
    plain = route.replace("^", "")
    for prefix, labels in sorted(PREFIX_MODELS.items(), key=lambda kv: -len(kv[0])):
        if plain.startswith(prefix):
            return sorted({pk for label in labels for pk in world[label]})
    return sorted({pk for pks in world.values() for pk in pks})


def _expand(route, ids):
    """Concrete paths for a route: ints from the world's ids, slugs from the verbs the portal uses."""
    route = route.replace("^", "").replace("$", "").replace("\\.", ".")
    if "format" in route or "<path:" in route:
        return []
    params = list(_PARAM.finditer(route))
    paths = [route]
    for match in params:
        converter, name = match.group(1), match.group(2) or match.group(3)
        if converter == "slug" or name in ("name", "decision", "code"):
            values = SLUGS if name != "code" else ["bank-icbc"]
        else:
            values = ids
        paths = [p.replace(match.group(0), str(v), 1) for p in paths for v in values]
    return ["/" + p.lstrip("/") for p in paths if "(" not in p and "<" not in p]


def _methods(route):
    """A URL ending in a verb (<slug:name>) is an action, POST only: that is what could leak or change."""
    last = route.replace("$", "").rstrip("/").rsplit("/", 1)[-1]
    return ("post",) if last.startswith("<slug:") else ("get", "post")


def _snapshot():
    state = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.app_label in ("cases", "conferences", "assessments") and label not in MAY_GROW:
            state[label] = sorted(map(repr, model.objects.order_by("pk").values_list()))
    return state


@pytest.fixture
def world(users, django_capture_on_commit_callbacks):
    """A case of bank-icbc's with everything around it: notices, answer, measure, ruling, request,
    conference, minutes, action item, dishonest-list entry."""
    clerk, liaison = users["clerk"], users["liaison-bank-icbc"]
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_create(actor=clerk, number=SECRET_CASE, title="机密案件", amount="99",
                                    parties=[{"role": "debtor", "name": SECRET_DEBTOR, "id_number": SECRET_ID}])
        icbc = Unit.objects.get(code="bank-icbc")
        freeze = services.notice_issue(actor=clerk, case=case, unit=icbc, action=ActionType.objects.get(code="freeze"),
                                       subject=SECRET_SUBJECT, ruling_file=SimpleUploadedFile(
                                           "ruling.pdf", pdf_bytes(), content_type="application/pdf"))
        services.notice_acknowledge(actor=liaison, notice=freeze)
        services.notice_answer(actor=liaison, notice=freeze, outcome="done", detail=SECRET_SUBJECT,
                               result_amount="40", attachments=[SimpleUploadedFile("a.pdf", pdf_bytes())])
        query = services.notice_issue(actor=clerk, case=case, unit=icbc, action=ActionType.objects.get(code="query"),
                                      subject=SECRET_SUBJECT)
        services.notice_request_file(actor=liaison, notice=query, kind="objection", grounds=SECRET_SUBJECT)
        from conferences import services as conf

        item = conf.agenda_item_propose(actor=users["office"], title=SECRET_SUBJECT, reason="major",
                                        cases=[case], units=[icbc])
        conf.agenda_item_approve(actor=users["convener"], item=item)
        meeting = conf.meeting_create(actor=users["office"], title=SECRET_SUBJECT, kind="special",  # held
                                      starts_at=timezone.now() - timedelta(hours=2), agenda_items=[item])
        minutes = conf.minutes_draft(actor=users["office"], meeting=meeting, summary=SECRET_SUBJECT, decisions=[
            {"text": SECRET_SUBJECT, "unit": "bank-icbc", "due_at": (timezone.localdate() + timedelta(days=9)).isoformat()}])
        conf.minutes_issue(actor=users["convener"], minutes=minutes)
        from credit import services as credit

        # The obligation is published by law (失信规定 Art. 6), so it carries no secret marker here.
        entry = credit.credit_entry_create(actor=clerk, case=case, party=case.parties.get(role="debtor"),
                                           obligation="支付货款99元")
        credit.credit_entry_publish(actor=clerk, entry=decide_listing(entry))
        from credit import restrictions  # an order pushed to natres and the insurers, not to the outsider

        order = draft_restriction(actor=clerk, case=case, party=case.parties.get(role="debtor"),
                                               basis=SECRET_SUBJECT)
        restrictions.restriction_sign(actor=users["president"], order=order)
        restrictions.restriction_issue(actor=clerk, order=order)
        from assessments import services as assess

        report = assess.report_file(actor=clerk, unit=icbc, kind="passive", detail=SECRET_SUBJECT, notices=[freeze])
        assess.report_decide(actor=users["convener"], report=report, outcome="referral", detail=SECRET_SUBJECT)
        period = assess.period_create(actor=users["assessor"], name="2026", starts_on="2026-01-01",
                                      ends_on="2026-12-31")
        assess.period_compute(actor=users["assessor"], period=period)
    return {label: sorted(apps.get_model(label).objects.values_list("pk", flat=True)) for label in ADDRESSABLE}


def _outsiders(users):
    session = Client()
    session.force_login(users["liaison-tax"])
    token = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=users['liaison-tax'])[0].key}")
    system = Client(HTTP_AUTHORIZATION=f"UnitToken {token_create(unit=Unit.objects.get(code='tax'))}")
    return {"liaison of another unit": session, "its API token": token, "another unit's system": system,
            "anonymous": Client()}


def _clients_for(route, clients):
    """The API token clients only matter for API routes; the session and anonymous clients for all."""
    if route.startswith("api/"):
        return clients.items()
    return [(who, c) for who, c in clients.items() if who in ("liaison of another unit", "anonymous")]


def test_no_url_leaks_another_units_world(world, users):
    routes = [r for r in _routes() if not any(s in r for s in SKIP)]
    assert len(routes) > 40, routes
    before = _snapshot()
    leaks, requests = [], 0
    clients = _outsiders(users)
    for route in routes:
        for who, client in _clients_for(route, clients):
            for path in _expand(route, _ids_for(route, world)):
                for method in _methods(route):
                    response = getattr(client, method)(path)
                    requests += 1
                    body = response.content.decode(errors="replace") if response.status_code != 302 else ""
                    # The public dishonest-debtor page shows published names and case numbers by design
                    # (Art. 13); even there the full identifier and the notices' content must not show.
                    markers = PUBLIC_MARKERS if path.startswith("/public/") else MARKERS
                    found = [m for m in markers if m in body]
                    if found:
                        leaks.append(f"{who} {method.upper()} {path} → {response.status_code} {found}")
    print(f"access walk: {requests} requests")
    assert not leaks, f"{len(leaks)} leaks in {requests} requests:\n" + "\n".join(leaks[:40])
    assert _snapshot() == before, "an outsider's request changed data"
    assert requests > 500


def test_the_owner_does_see_the_world(world, users):
    """The walk above would pass vacuously if the markers were never shown: the owner sees them, and the
    public page shows the published name with the identifier masked."""
    public = Client().get("/public/dishonest/").content.decode()
    assert SECRET_DEBTOR in public and SECRET_ID not in public and SECRET_ID[-4:] in public
    client = Client()
    client.force_login(users["liaison-bank-icbc"])
    inbox = client.get("/inbox/?tab=all").content.decode()
    assert SECRET_CASE in inbox
    clerk = Client()
    clerk.force_login(users["clerk"])
    assert SECRET_DEBTOR in clerk.get("/cases/").content.decode()
