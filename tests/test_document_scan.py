"""The access walk extended with documents (issue 16): every PDF, DOCX and XLSX a role can fetch from one
world is fetched and its text scanned for the full identifiers it must not contain (docs/security.md,
"Who sees a person's identifier").

The world: one case with an applicant person, an applicant organisation and two person debtors A and B;
a freeze to bank-icbc about A (ruling, structured account and amount, answered done); a police query about
B; A on the dishonest list (push letters to every punishing unit); a consumption restriction order on A; a
meeting whose issued minutes carry a decision to police and one to bank-icbc; an assessment period
computed; then the case concluded ``completed`` (a release notice to bank-icbc, withdrawal letters).
Free text everywhere carries a typed-in resident ID and a card number, which no document may show in full.

The rule, as a table computed below, one row a (role, URL): which secrets may appear in full, which must
(so that the scan is known to read the document), and the status expected where the rule says it.
"""
import io
import re
import subprocess
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from cases import services
from cases.models import Notice, PunishmentIdentifierNeed
from documents.models import IssuedDocument
from members.models import ActionType, Unit

from .conftest import case_ruling, decide_listing, draft_restriction, make_resident_id, make_uscc, pdf_bytes

A_ID = make_resident_id(161, birth="19800101")
B_ID = make_resident_id(162, birth="19810202")
APPLICANT_ID = make_resident_id(163, birth="19820303")
TYPED_ID = make_resident_id(164, birth="19830404")  # typed into free text only: masked for everyone
ORG_CODE = make_uscc(16)  # public (失信规定 Art. 6): never asserted against
ACCOUNT = "6222020000000016161"  # the structured account of the freeze: in full for bank-icbc only
CARD = "6222021234567816169"  # a card number typed into free text: masked for everyone
A_NAME, B_NAME = "被执行人甲十六", "被执行人乙十六"
FREE = f"（身份证号{TYPED_ID}，卡号{CARD}）"
SECRETS = {"A": A_ID, "B": B_ID, "applicant": APPLICANT_ID, "typed": TYPED_ID, "card": CARD, "account": ACCOUNT}

ROLES = ["clerk", "office", "convener", "assessor", "liaison-bank-icbc", "liaison-police", "leader-police",
         "liaison-civilization", "liaison-tax"]
COURT = {"clerk", "office", "convener"}
OUTSIDER = "liaison-tax"
NO_NEED_UNIT = "civilization"
UNIT_OF = {"liaison-bank-icbc": "bank-icbc", "liaison-police": "police", "leader-police": "police",
           "liaison-civilization": NO_NEED_UNIT, "liaison-tax": "tax"}
EXCERPT_UNITS = ["police", "bank-icbc", NO_NEED_UNIT, "tax"]
DOC_SUFFIXES = (".pdf", ".docx", ".xlsx")
REFUSED = (403, 404)
# Document routes that are an HTML route with ?format=xlsx (grep templates for 'format=xlsx').
XLSX_QUERIES = ["/cases/?format=xlsx", "/inbox/?tab=all&format=xlsx", "/measures/?format=xlsx",
                "/measures/?case={case}&format=xlsx", "/conferences/board/?format=xlsx"]


# ---------------------------------------------------------------- text extraction

def _text(content: bytes, content_type: str, tmp_path, n: int) -> str:
    if content[:4] == b"%PDF" or "pdf" in content_type:
        path = tmp_path / f"doc-{n}.pdf"
        path.write_bytes(content)
        out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True)
        return out.stdout.decode()
    if "wordprocessingml" in content_type:
        from docx import Document

        document = Document(io.BytesIO(content))
        parts = [p.text for p in document.paragraphs]
        parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
        for section in document.sections:
            parts += [p.text for p in section.header.paragraphs] + [p.text for p in section.footer.paragraphs]
        return "\n".join(parts)
    if "spreadsheetml" in content_type:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                         for v in row if v is not None)
    raise AssertionError(f"not a document: {content_type} {content[:40]!r}")


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


# ---------------------------------------------------------------- the world

@pytest.fixture
def world(users, django_capture_on_commit_callbacks, settings):
    clerk, bank = users["clerk"], users["liaison-bank-icbc"]
    icbc, police = Unit.objects.get(code="bank-icbc"), Unit.objects.get(code="police")
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_create(actor=clerk, number="（2026）鄂1022执1616号", title="文件扫描案", amount="200000",
                                    parties=[
                                        {"role": "applicant", "name": "申请人十六", "id_number": APPLICANT_ID},
                                        {"role": "applicant", "kind": "organization", "name": "某某公司",
                                         "id_number": ORG_CODE},
                                        {"role": "debtor", "name": A_NAME, "id_number": A_ID},
                                        {"role": "debtor", "name": B_NAME, "id_number": B_ID}])
    a, b = case.parties.get(name=A_NAME), case.parties.get(name=B_NAME)
    with django_capture_on_commit_callbacks(execute=True):
        freeze = services.notice_issue(actor=clerk, case=case, unit=icbc, action=ActionType.objects.get(code="freeze"),
                                       subject=f"冻结被执行人名下存款{FREE}", party=a, asset_kind="deposit",
                                       account=ACCOUNT, amount=Decimal("50000.00"), ruling=case_ruling(case))
    with django_capture_on_commit_callbacks(execute=True):
        services.notice_acknowledge(actor=bank, notice=freeze)
    with django_capture_on_commit_callbacks(execute=True):
        services.notice_answer(actor=bank, notice=freeze, outcome="done", detail=f"已冻结{FREE}",
                               result_amount=Decimal("50000.00"), asset=ACCOUNT,
                               attachments=[SimpleUploadedFile("回执.pdf", pdf_bytes(), "application/pdf")])
    with django_capture_on_commit_callbacks(execute=True):
        query = services.notice_issue(actor=clerk, case=case, unit=police, action=ActionType.objects.get(code="query"),
                                      subject=f"查询被执行人下落{FREE}", party=b)
    from credit import restrictions
    from credit import services as credit

    entry = credit.credit_entry_create(actor=clerk, case=case, party=a, obligation=f"给付200000元{FREE}")
    with django_capture_on_commit_callbacks(execute=True):
        credit.credit_entry_publish(actor=clerk, entry=decide_listing(entry))
    with django_capture_on_commit_callbacks(execute=True):
        order = draft_restriction(actor=clerk, case=case, party=a, basis=f"申请人申请{FREE}")
        restrictions.restriction_sign(actor=users["president"], order=order)
        restrictions.restriction_issue(actor=clerk, order=order)
    from conferences import services as conf
    from conferences.models import Minutes

    item = conf.agenda_item_propose(actor=users["office"], title=f"协作事项{FREE}", reason="multi_unit",
                                    cases=[case], units=("police", "bank-icbc"))
    conf.agenda_item_approve(actor=users["convener"], item=item)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = conf.meeting_create(actor=users["office"], title="文件扫描联席会议", kind="special",
                                      starts_at=timezone.now() - timedelta(hours=2), agenda_items=[item])
    due = (timezone.localdate() + timedelta(days=9)).isoformat()
    conf.minutes_draft(actor=users["office"], meeting=meeting, summary=f"会议听取汇报{FREE}", decisions=[
        {"text": f"公安局查找{B_NAME}下落{FREE}", "unit": "police", "due_at": due},
        {"text": f"工商银行冻结{A_NAME}存款{FREE}", "unit": "bank-icbc", "due_at": due},
        {"text": "各单位加强协作"}])
    with django_capture_on_commit_callbacks(execute=True):
        conf.minutes_issue(actor=users["convener"], minutes=Minutes.objects.get(meeting=meeting))
    from assessments import services as assess

    with django_capture_on_commit_callbacks(execute=True):
        period = assess.period_create(actor=users["assessor"], name="2026年度（扫描）",
                                      starts_on=timezone.localdate() - timedelta(days=30),
                                      ends_on=timezone.localdate() + timedelta(days=30))
        assess.period_compute(actor=users["assessor"], period=period)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_conclude(actor=clerk, case=case, outcome="completed", note="已全部履行")

    notices = list(Notice.objects.filter(case=case).select_related("unit").order_by("id"))
    # completed: the freeze is released at bank-icbc (and the restriction order at the units it went to)
    release = [n for n in notices if n.kind == "release" and n.unit.code == "bank-icbc"]
    assert len(release) == 1 and release[0].party_id == a.pk
    assert freeze.pk in {n.pk for n in notices} and query.party_id == b.pk
    pushes = {n.unit.code: n for n in notices if n.kind == "push"}
    withdrawals = {n.unit.code: n for n in notices if n.kind == "withdraw"}
    assert {"police", "bank-icbc", NO_NEED_UNIT} <= set(pushes) and set(withdrawals) == set(pushes)
    assert all(n.party_id == a.pk for n in [*pushes.values(), *withdrawals.values()])
    assert OUTSIDER.removeprefix("liaison-") not in {n.unit.code for n in notices}, "the outsider is no outsider"
    # The issued documents of the roles' units (and the court's own: minutes, receipts) are sealed, so
    # that documents/<code>/file.pdf and the target unit's stored copy are the real thing.
    settings.DOCUMENTS_SEAL_ON_ISSUE = True
    from documents.services import seal_document

    documents = list(IssuedDocument.objects.filter(notice__case=case)) + list(
        IssuedDocument.objects.filter(minutes__meeting=meeting)) + list(
        IssuedDocument.objects.filter(kind="restriction", restriction_order=order))
    for document in documents:
        if document.unit_id is None or document.unit.code in set(UNIT_OF.values()) or document.kind in (
                "minutes", "excerpt", "restriction"):
            seal_document(document.pk)
    documents = [IssuedDocument.objects.select_related("unit", "notice").get(pk=d.pk) for d in documents]
    assert any(d.is_stored and d.kind == "push" and d.unit.code == "police" for d in documents)
    return {"case": case, "a": a, "b": b, "freeze": freeze, "notices": notices, "meeting": meeting, "period": period,
            "order": order, "documents": documents}


# ---------------------------------------------------------------- the routes and the rule

def _routes(resolver=None, prefix=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def _document_routes():
    """Every route of the URLconf that serves a document (a path ending in .pdf, .docx or .xlsx)."""
    return sorted(r for r in _routes() if r.endswith(DOC_SUFFIXES) and not r.startswith("admin/"))


def _concerned(notice, world):
    """Whose ID the notice's document is about (docs/security.md: a document names only its party)."""
    return "B" if notice.party_id == world["b"].pk else "A"


def _unit_allowed(unit_code, notice, world, needs):
    """The secrets the notice's own unit may read in full (the first table of docs/security.md)."""
    who = _concerned(notice, world)
    if notice.kind in ("push", "withdraw"):
        return {who} if unit_code in needs else set()
    allowed = {who}
    if notice.pk == world["freeze"].pk or notice.kind == "release":
        allowed.add("account")  # the structured account of the freeze, and the release that follows it
    return allowed


def _notice_allowed(role, notice, world, needs):
    """Court roles: the masked live rendering; the assessor, another unit: nothing (a 404)."""
    unit = UNIT_OF.get(role)
    return _unit_allowed(unit, notice, world, needs) if unit == notice.unit.code else set()


def _expect_notice_status(role, notice):
    unit = UNIT_OF.get(role)
    if role in COURT:
        return 200
    if unit is not None and unit != notice.unit.code:
        return 404
    return 200 if unit == notice.unit.code else None


def _table(world, users):
    """Rows (role, client, url, allowed, required, status): ``allowed`` the secrets that may appear in full,
    ``required`` those that must (the scan reads the document), ``status`` the status the rule says (or None
    where the rule does not say, e.g. the assessor's reach)."""
    needs = set(PunishmentIdentifierNeed.objects.values_list("unit__code", flat=True))
    assert {"police", "bank-icbc"} <= needs and NO_NEED_UNIT not in needs
    case, meeting, period, order = world["case"], world["meeting"], world["period"], world["order"]
    routes = _document_routes()
    covered = {"notices/<int:pk>/document.pdf", "conferences/meetings/<int:pk>/minutes.pdf",
               "conferences/meetings/<int:pk>/minutes.docx", "api/v1/meetings/<int:pk>/minutes.pdf",
               "api/v1/meetings/<int:pk>/minutes.docx", "assessment/periods/<int:pk>/export.xlsx",
               "assessment/periods/<int:pk>/report.pdf", "api/v1/assessment-periods/<int:pk>/export.xlsx",
               "restrictions/export.xlsx", "restrictions/<int:pk>/order.pdf", "documents/<str:code>/file.pdf"}
    assert set(routes) <= covered, f"document routes the scan does not know: {set(routes) - covered}"
    rows = []
    for role in ROLES:
        unit = UNIT_OF.get(role)
        outsider = role == OUTSIDER
        for notice in world["notices"]:
            allowed = _notice_allowed(role, notice, world, needs)
            required = allowed & {"A", "B"}
            status = 404 if outsider else _expect_notice_status(role, notice)
            rows.append((role, "session", f"/notices/{notice.pk}/document.pdf", allowed, required, status))
        for document in world["documents"]:
            path = f"/documents/{document.code}/file.pdf"
            status, allowed = None, set()
            if document.notice_id is not None and document.kind != "receipt":
                # The sealed copy holds what its unit may see: to its members, and to the clerk (audited,
                # like a reveal); the office and the convener get a 404, another unit too.
                if role == "clerk":
                    allowed = _unit_allowed(document.unit.code, document.notice, world, needs)
                    path += "?reason=扫描核对"
                    status = 200 if document.is_stored else 404
                elif role in ("office", "convener") or (unit and unit != document.unit.code):
                    status = 404
                elif unit == document.unit.code:
                    allowed = _notice_allowed(role, document.notice, world, needs)
                    status = 200 if document.is_stored else 404
            elif document.kind == "receipt":  # names no party: the court and the unit
                status = (200 if role in COURT or unit == document.unit.code else 404 if unit else None) \
                    if document.is_stored else 404
            if outsider:
                status = 404
            rows.append((role, "session", path, allowed, allowed & {"A", "B"} if status == 200 else set(), status))
        minutes_urls = [f"/conferences/meetings/{meeting.pk}/minutes.{k}" for k in ("pdf", "docx")]
        minutes_urls += [f"{u}?unit={code}" for u in list(minutes_urls) for code in EXCERPT_UNITS]
        for url in minutes_urls:
            status = None
            if outsider:
                status = 404
            elif role in COURT and ("?unit=tax" in url or f"?unit={NO_NEED_UNIT}" in url):
                status = None  # an excerpt for a unit that was not invited: whatever it is, no IDs
            elif role in COURT:
                status = 200
            elif unit == NO_NEED_UNIT:
                status = 404  # not invited
            elif unit and "?unit=" in url and f"?unit={unit}" not in url:
                status = 404  # another unit's excerpt
            rows.append((role, "session", url, set(), set(), status))
            rows.append((role, "api", "/api/v1" + url.removeprefix("/conferences"), set(), set(), status))
        # A period is the court's, not another unit's world: the outsider is refused (a 403 on the exports).
        rows.append((role, "session", f"/assessment/periods/{period.pk}/export.xlsx", set(), set(),
                     REFUSED if outsider else None))
        rows.append((role, "session", f"/assessment/periods/{period.pk}/report.pdf", set(), set(),
                     REFUSED if outsider else None))
        rows.append((role, "api", f"/api/v1/assessment-periods/{period.pk}/export.xlsx", set(), set(),
                     REFUSED if outsider else None))
        rows.append((role, "session", f"/restrictions/{order.pk}/order.pdf", set(), set(),
                     404 if outsider else (200 if role in COURT else None)))
        rows.append((role, "session", "/restrictions/export.xlsx", set(), set(), None))
        for url in XLSX_QUERIES:
            # The bank's own register and inbox may show the account it took in full; no ID ever.
            allowed = {"account"} if unit == "bank-icbc" and ("measures" in url or "inbox" in url) else set()
            rows.append((role, "session", url.format(case=case.pk), allowed, set(), None))
        from cases.models import Attachment

        for attachment in Attachment.objects.filter(case=case):
            rows.append((role, "session", f"/attachments/{attachment.pk}/", set(), set(), 404 if outsider else None))
    return rows


# ---------------------------------------------------------------- the walk

def _clients(users, api):
    sessions, tokens = {}, {}
    for role in ROLES:
        sessions[role] = Client()
        sessions[role].force_login(users[role])
        tokens[role] = api(role)
    return {"session": sessions, "api": tokens}


def test_every_document_a_role_fetches_holds_only_the_identifiers_it_may(world, users, api, tmp_path):
    rows = _table(world, users)
    clients = _clients(users, api)
    a_names = {n.pk for n in world["notices"] if _concerned(n, world) == "A"}
    labels = {f"/documents/{d.code}/file.pdf": f" [{d.kind} to {d.unit.code if d.unit_id else 'the court'}"
              f"{', ' + d.notice.get_kind_display() if d.notice_id else ''}]" for d in world["documents"]}
    labels.update({f"/notices/{n.pk}/document.pdf": f" [{n.kind} {n.action.code} to {n.unit.code}]"
                   for n in world["notices"]})
    violations, scanned, n = [], 0, 0
    for role, kind, url, allowed, required, status in rows:
        n += 1
        response = clients[kind][role].get(url)
        where = f"{role} ({kind}) GET {url}{labels.get(url.split('?')[0], '')}"
        if status is not None and response.status_code not in (status if isinstance(status, tuple) else (status,)):
            violations.append(f"{where} → {response.status_code}, expected {status}")
        if response.status_code != 200:
            continue
        content = b"".join(response.streaming_content) if response.streaming else response.content
        text = _flat(_text(content, response.get("Content-Type", ""), tmp_path, n))
        scanned += 1
        for name, value in SECRETS.items():
            if value in text and name not in allowed:
                violations.append(f"{where} → full {name} ({value}) in the document")
        for name in required:
            if SECRETS[name] not in text:
                violations.append(f"{where} → {name}'s full ID missing where the rule gives it (scan blind?)")
        pk = re.match(r"/notices/(\d+)/document\.pdf", url)
        if pk and int(pk[1]) in a_names and B_NAME in text:
            violations.append(f"{where} → B ({B_NAME}) named in a document about A")
        if pk and (A_NAME if int(pk[1]) in a_names else B_NAME) not in text:
            violations.append(f"{where} → the notice document does not name its debtor (scan blind?)")
    print(f"document scan: {n} requests, {scanned} documents scanned")
    assert scanned > 60, scanned
    assert not violations, f"{len(violations)} violations in {n} requests:\n" + "\n".join(violations)
