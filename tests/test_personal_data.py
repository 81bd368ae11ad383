"""Personal data that stays where it belongs (PIPL Art. 28, 51; docs/security.md, "Who sees a person's
identifier"): a document names only the party it concerns; the unit that acts on a person sees their full
ID, a unit that applies joint punishment only where its act needs it (data: PunishmentIdentifierNeed);
free text is masked; no identifier reaches a log line."""
import importlib
import io
import logging
import re
import subprocess
from decimal import Decimal

import pytest
from django.core import mail

from cases import disclosure
from cases.models import Notice, PunishmentIdentifierNeed
from credit import services as credit
from credit.models import CreditPush
from linkage.identity import make_valid_uscc, mask_identifier, mask_identifiers_in_text
from members.seeding import seed_units

from .conftest import decide_listing, make_resident_id

TYPED_ID = make_resident_id(4242, birth="19850505")
CARD = "6222021234567890123"
SUBJECT = f"冻结被执行人名下存款（身份证号{TYPED_ID}，卡号{CARD}），金额100000.00元"
ACCOUNT = "6222020000000000001"


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _pdf_text(client, notice, tmp_path) -> str:
    response = client.get(f"/notices/{notice.pk}/document.pdf")
    assert response.status_code == 200, response.status_code
    path = tmp_path / f"notice-{notice.pk}.pdf"
    path.write_bytes(response.content)
    return _flat(subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True).stdout.decode())


def _page(client, notice) -> str:
    response = client.get(f"/notices/{notice.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def _mail_to(username, notice):
    address = f"{username}@example.invalid"
    found = [m for m in mail.outbox if address in m.to and notice.number in m.subject]
    assert found, f"no e-mail to {address} about {notice.number}"
    return found[-1].body


@pytest.fixture
def two_debtors(make_case):
    case = make_case(debtors=2)
    first, second = case.parties.filter(role="debtor").order_by("id")
    return case, first, second


@pytest.fixture
def freeze(two_debtors, issue):
    case, first, second = two_debtors
    notice = issue(case, "bank-icbc", "freeze", subject=SUBJECT, party=first, asset_kind="deposit",
                   account=ACCOUNT, amount=Decimal("50000.00"))
    return notice, first, second


# ---------------------------------------------------------------- the assistance notice

def test_the_freeze_document_names_only_its_debtor_in_full_for_the_bank(freeze, browser_client, tmp_path):
    notice, first, second = freeze
    text = _pdf_text(browser_client("liaison-bank-icbc"), notice, tmp_path)
    assert first.name in text and first.id_number in text
    assert second.name not in text and second.id_number not in text and second.masked_id not in text
    # the structured subject, in full for the bank that acts on it
    assert "账户/财产：" in text and ACCOUNT in text and "金额：人民币50,000.00元" in text
    assert "冻结金额以人民币50,000.00元为限" in text  # the structured amount, not the case's
    # typed into the free text: masked, even for the bank; the amount's digits stay
    assert TYPED_ID not in text and mask_identifier(TYPED_ID) in text
    assert CARD not in text and CARD[-4:] in text and "100000.00元" in text


def test_the_court_reads_the_same_document_masked(freeze, browser_client, tmp_path):
    notice, first, second = freeze
    text = _pdf_text(browser_client("clerk"), notice, tmp_path)
    assert first.name in text and first.masked_id in text and first.id_number not in text
    assert second.name not in text
    assert ACCOUNT not in text and ACCOUNT[-4:] in text


def test_pages_and_api_follow_the_same_rule(freeze, browser_client, api):
    notice, first, second = freeze
    bank_page = _page(browser_client("liaison-bank-icbc"), notice)
    assert first.id_number in bank_page and ACCOUNT in bank_page
    assert second.name not in bank_page and second.id_number not in bank_page
    assert TYPED_ID not in bank_page and CARD not in bank_page and mask_identifier(TYPED_ID) in bank_page

    clerk_page = _page(browser_client("clerk"), notice)
    assert first.masked_id in clerk_page and first.id_number not in clerk_page
    assert ACCOUNT not in clerk_page and TYPED_ID not in clerk_page and CARD not in clerk_page

    body = api("liaison-bank-icbc").get(f"/api/v1/notices/{notice.pk}/").json()
    assert body["party"] == first.pk
    assert body["debtors"] == [{"id": first.pk, "name": first.name, "kind": "person", "id_number": first.id_number}]
    assert body["account"] == ACCOUNT and body["asset_kind"] == "deposit" and body["amount"] == "50000.00"
    assert TYPED_ID not in body["subject"] and CARD not in body["subject"] and "100000.00元" in body["subject"]

    for username in ("clerk", "office"):
        body = api(username).get(f"/api/v1/notices/{notice.pk}/").json()
        assert body["debtors"][0]["id_number"] == first.masked_id
        assert body["account"] != ACCOUNT and body["account"].endswith(ACCOUNT[-4:])
    listed = api("liaison-bank-icbc").get("/api/v1/notices/", {"case": notice.case_id}).json()["results"]
    # the list names the debtor concerned by id only (parties and their IDs are on the detail)
    assert [n["party"] for n in listed if n["id"] == notice.pk] == [first.pk]
    assert not any(first.id_number in str(n) for n in listed)
    # another bank does not see the notice at all
    assert api("liaison-bank-abc").get(f"/api/v1/notices/{notice.pk}/").status_code == 404
    # the stored subject is what the clerk typed: masking is for display
    assert Notice.objects.get(pk=notice.pk).subject == SUBJECT


def test_the_email_to_the_bank_names_its_debtor_only(freeze):
    notice, first, second = freeze
    body = _mail_to("liaison-bank-icbc", notice)
    # an e-mail never carries a person's full ID number, even to the unit that acts on it
    assert first.name in body and first.id_number not in body and first.masked_id in body and ACCOUNT in body
    assert second.name not in body and second.id_number not in body
    assert TYPED_ID not in body and CARD not in body


def test_the_structured_subject_through_the_api_and_the_issue_form(two_debtors, api, browser_client):
    from .conftest import case_ruling

    case, first, _second = two_debtors
    ruling = case_ruling(case)
    response = api("clerk").post("/api/v1/notices/", {
        "case": case.pk, "unit": "bank-abc", "action": "freeze", "subject": "冻结存款", "ruling": ruling.pk,
        "party": first.pk, "asset_kind": "deposit", "account": ACCOUNT, "amount": "1234.50"}, format="json")
    assert response.status_code == 201, response.json()
    notice = Notice.objects.get(pk=response.json()["id"])
    assert (notice.asset_kind, notice.account, notice.amount) == ("deposit", ACCOUNT, Decimal("1234.50"))
    assert response.json()["account"] != ACCOUNT  # the clerk reads it masked
    bad = api("clerk").post("/api/v1/notices/", {
        "case": case.pk, "unit": "bank-abc", "action": "freeze", "subject": "冻结存款", "ruling": ruling.pk,
        "asset_kind": "gold"}, format="json")
    assert bad.status_code == 400 and "asset_kind" in bad.json()

    page = browser_client("clerk")
    response = page.post(f"/cases/{case.pk}/issue/", {
        "action": "freeze", "units": ["bank-ccb"], "subject": "冻结存款", "party": first.pk,
        "existing_ruling": ruling.pk, "asset_kind": "deposit", "account": "6222029999", "amount": "88.00"})
    assert response.status_code == 302, response.content.decode()[:2000]
    notice = Notice.objects.filter(case=case, unit__code="bank-ccb").get()
    assert (notice.asset_kind, notice.account, notice.amount) == ("deposit", "6222029999", Decimal("88.00"))


# ---------------------------------------------------------------- the dishonest-list push

@pytest.fixture
def pushes(two_debtors, users, django_capture_on_commit_callbacks):
    case, first, second = two_debtors
    entry = credit.credit_entry_create(actor=users["clerk"], case=case, party=first, ground="able_refuses")
    with django_capture_on_commit_callbacks(execute=True):
        credit.credit_entry_publish(actor=users["clerk"], entry=decide_listing(entry))
    by_unit = {p.unit.code: p.push for p in CreditPush.objects.filter(entry=entry).select_related("unit", "push")}
    return entry, by_unit, first, second


def test_the_need_of_the_full_id_is_data_with_its_reasons(db):
    needs = dict(PunishmentIdentifierNeed.objects.values_list("unit__code", "reason"))
    for code in ("police", "natres", "bank-icbc", "bank-abc", "insurance-picc"):
        assert needs.get(code), code
    for code in ("ndrc", "publicity", "civilization", "finance", "regulator"):
        assert code not in needs
    # the migration's frozen seed is the code's default
    migration = importlib.import_module("cases.migrations.0012_structured_subject")
    assert migration.NEEDS == disclosure.IDENTIFIER_NEEDS
    # seeding again changes nothing (a row the office removed stays removed)
    PunishmentIdentifierNeed.objects.filter(unit__code="fund").delete()
    seed_units()
    assert not PunishmentIdentifierNeed.objects.filter(unit__code="fund").exists()


def test_push_letters_name_only_the_listed_debtor(pushes, browser_client, tmp_path):
    entry, by_unit, first, second = pushes
    assert {"ndrc", "police", "bank-icbc"} <= set(by_unit)
    for push in by_unit.values():
        assert push.party_id == first.pk
    # NDRC passes the list on: the public, masked form
    text = _pdf_text(browser_client("liaison-ndrc"), by_unit["ndrc"], tmp_path)
    assert "失信被执行人名单推送函" in text and first.name in text and first.masked_id in text
    assert first.id_number not in text and second.name not in text and second.id_number not in text
    # a bank refuses loans and cards to the person: it needs the full ID
    text = _pdf_text(browser_client("liaison-bank-icbc"), by_unit["bank-icbc"], tmp_path)
    assert first.id_number in text and second.name not in text and second.id_number not in text
    # the court reads any letter masked
    text = _pdf_text(browser_client("clerk"), by_unit["bank-icbc"], tmp_path)
    assert first.masked_id in text and first.id_number not in text and second.name not in text


def test_push_pages_api_and_emails_follow_the_need(pushes, browser_client, api):
    entry, by_unit, first, second = pushes
    police, publicity = by_unit["police"], by_unit["publicity"]
    assert first.id_number in _page(browser_client("liaison-police"), police)
    page = _page(browser_client("liaison-publicity"), publicity)
    assert first.masked_id in page and first.id_number not in page and second.name not in page
    assert api("liaison-police").get(f"/api/v1/notices/{police.pk}/").json()["debtors"][0]["id_number"] == \
        first.id_number
    body = api("liaison-publicity").get(f"/api/v1/notices/{publicity.pk}/").json()
    assert body["debtors"] == [{"id": first.pk, "name": first.name, "kind": "person", "id_number": first.masked_id}]
    assert first.id_number not in _mail_to("liaison-publicity", publicity)
    assert first.masked_id in _mail_to("liaison-publicity", publicity)
    assert first.id_number not in _mail_to("liaison-police", police)  # e-mails: masked for every unit
    for code, push in by_unit.items():
        assert second.name not in _mail_to(f"liaison-{code}", push)


def test_the_withdrawal_follows_the_push(pushes, users, browser_client, django_capture_on_commit_callbacks, tmp_path):
    entry, by_unit, first, second = pushes
    with django_capture_on_commit_callbacks(execute=True):
        credit.credit_entry_revoke(actor=users["clerk"], entry=entry, ground="performed")
    withdrawals = {p.unit.code: p.withdrawal for p in CreditPush.objects.filter(entry=entry).select_related("unit",
                                                                                                           "withdrawal")}
    assert withdrawals["ndrc"].party_id == first.pk
    text = _pdf_text(browser_client("liaison-ndrc"), withdrawals["ndrc"], tmp_path)
    assert "撤回函" in text and first.masked_id in text and first.id_number not in text and second.name not in text
    text = _pdf_text(browser_client("liaison-police"), withdrawals["police"], tmp_path)
    assert first.id_number in text and second.name not in text


def test_an_old_push_without_a_party_still_names_the_listed_debtor_only(pushes, users):
    entry, by_unit, first, second = pushes
    push = by_unit["ndrc"]
    Notice.objects.filter(pk=push.pk).update(party=None)
    push = Notice.objects.get(pk=push.pk)
    assert [p.pk for p in disclosure.concerned_parties(push)] == [first.pk]
    assert disclosure.identifier_for(users["liaison-ndrc"], push, second) == ""


def test_an_organisation_code_is_public(users, issue):
    from cases import services

    case = services.case_create(
        actor=users["clerk"], number="(2026)鄂1022执8801号", title="某公司案", amount="1000",
        parties=[{"role": "applicant", "name": "甲", "id_number": make_resident_id(8801)},
                 {"role": "debtor", "kind": "organization", "name": "某某公司", "id_number": make_valid_uscc(
                     "91421022", "MA008801")}])
    debtor = case.parties.get(role="debtor")
    notice = issue(case, "bank-icbc", "query", subject="查询账户")
    assert disclosure.identifier_for(users["clerk"], notice, debtor) == debtor.id_number


# ---------------------------------------------------------------- free text

@pytest.mark.parametrize("text,expected", [
    (f"身份证号{TYPED_ID}", f"身份证号{mask_identifier(TYPED_ID)}"),
    ("旧证421022850505123号", "旧证***********5123号"),
    (f"卡号{CARD}。", "卡号***************0123。"),
    ("卡号6222 0212 3456 7890 123。", "卡号***************0123。"),
    ("金额100000.00元，另123456789012.50元", "金额100000.00元，另123456789012.50元"),
    ("succeeded in 0.0139123456789012345s", "succeeded in 0.0139123456789012345s"),
    ("2026年12月2日、2026-12-02，电话0716-5221234、13912345678", "2026年12月2日、2026-12-02，电话0716-5221234、13912345678"),
])
def test_identifier_shaped_runs_in_free_text(text, expected):
    assert mask_identifiers_in_text(text) == expected


def test_an_organisation_code_in_free_text_is_left_alone():
    code = make_valid_uscc("91421022", "MA000001")
    assert mask_identifiers_in_text(f"被执行人某公司（{code}）") == f"被执行人某公司（{code}）"


def test_answers_notes_and_grounds_are_masked_on_the_page(freeze, users, browser_client, api):
    from cases import services

    notice, first, _second = freeze
    services.notice_acknowledge(actor=users["liaison-bank-icbc"], notice=notice, note=f"签收，核对{TYPED_ID}")
    services.notice_answer(actor=users["liaison-bank-icbc"], notice=notice, outcome="done",
                           detail=f"已冻结账户{CARD}内存款", result_amount="50000.00")
    page = _page(browser_client("clerk"), notice)
    assert TYPED_ID not in page and CARD not in page and CARD[-4:] in page
    # the bank reads its own answer as it wrote it (the account it froze is its own); other notes masked
    page = _page(browser_client("liaison-bank-icbc"), notice)
    assert TYPED_ID not in page and CARD in page
    body = api("clerk").get(f"/api/v1/notices/{notice.pk}/").json()
    assert CARD not in body["answer_detail"] and all(TYPED_ID not in (e["note"] or "") for e in body["events"])
    assert all(CARD not in (e["note"] or "") for e in body["events"])


# ---------------------------------------------------------------- logs

RUNSERVER_LINE = '"GET /api/v1/credit-check/?id_number=421022199001011234 HTTP/1.1" 200 57'


def _record(msg, *args, name="test"):
    return logging.LogRecord(name, logging.INFO, __file__, 1, msg, args, None)


def test_the_filter_masks_query_strings_and_id_runs_but_not_floats():
    from linkage.logging import MaskIdentifiersFilter

    filt = MaskIdentifiersFilter()
    record = _record('"%s" %s %s', "GET /api/v1/credit-check/?id_number=421022199001011234 HTTP/1.1", "200", "57")
    assert filt.filter(record) is True
    message = record.getMessage()
    assert "421022199001011234" not in message and "id_number=4210**********1234" in message
    record = _record("GET /cases/?q=%E5%BC%A0%E4%B8%89&status=open HTTP/1.1")
    filt.filter(record)
    assert record.getMessage() == "GET /cases/?q=***&status=open HTTP/1.1"
    record = _record("party %s updated", "42102219900101123X")
    filt.filter(record)
    assert record.getMessage() == "party 4210**********123X updated"
    for untouched in ("Task cases.tasks.deliver_notice[ab12] succeeded in 0.0139123456789012345s: 1",
                      "succeeded in 0.013912345678901234s", "amount 100000000000000.00 yuan",
                      "GET /notices/?status=open&after=123 HTTP/1.1"):
        record = _record("%s", untouched)
        filt.filter(record)
        assert record.getMessage() == untouched


def test_a_traceback_with_an_id_inside_is_masked_too():
    """The exception's text (a ValidationError quoting the ID) and a stack reach the handlers masked."""
    import io
    import sys

    from linkage.logging import MaskIdentifiersFilter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskIdentifiersFilter())
    logger = logging.getLogger("test.traceback")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        try:
            raise ValueError("bad resident ID 42102219900101123X in the row")
        except ValueError:
            logger.exception("import failed")
            record = logging.LogRecord("t", logging.ERROR, __file__, 1, "x", (), sys.exc_info())
        logger.error("with a stack", stack_info=True)
    finally:
        logger.removeHandler(handler)
    printed = stream.getvalue()
    assert "Traceback" in printed and "ValueError: bad resident ID 4210**********123X in the row" in printed
    assert "42102219900101123X" not in printed
    MaskIdentifiersFilter().filter(record)
    assert "4210**********123X" in record.exc_text and "42102219900101123X" not in record.exc_text


def test_every_configured_handler_masks_runserver_included(settings):
    from linkage.logging import MaskIdentifiersFilter

    assert all("mask_identifiers" in h.get("filters", []) for h in settings.LOGGING["handlers"].values())
    server = logging.getLogger("django.server")
    assert server.handlers and all(any(isinstance(f, MaskIdentifiersFilter) for f in h.filters)
                                   for h in server.handlers)
    stream = io.StringIO()
    handler = server.handlers[0]
    previous = handler.setStream(stream)
    try:
        server.info('"%s" %s %s', "GET /api/v1/credit-check/?id_number=421022199001011234 HTTP/1.1", "200", "57",
                    extra={"status_code": 200})
    finally:
        handler.setStream(previous)
    assert "421022199001011234" not in stream.getvalue() and "4210**********1234" in stream.getvalue()


def test_the_gunicorn_config_logs_no_query_string_and_masks():
    from pathlib import Path

    from gunicorn.config import Config

    from linkage.logging import MaskIdentifiersFilter

    path = Path(__file__).resolve().parent.parent / "deploy" / "gunicorn.conf.py"
    namespace = {"__file__": str(path), "__name__": "gunicorn_conf"}
    exec(compile(path.read_text(), str(path), "exec"), namespace)  # noqa: S102  (what gunicorn does)
    fmt = namespace["access_log_format"]
    assert "%(U)s" in fmt and not {"%(r)s", "%(q)s", "%(f)s"} & set(re.findall(r"%\(\w+\)s", fmt))
    cfg = Config()
    cfg.set("accesslog", "-")
    cfg.set("access_log_format", fmt)
    logger = namespace["logger_class"](cfg)
    handlers = logger.access_log.handlers
    assert handlers and all(any(isinstance(f, MaskIdentifiersFilter) for f in h.filters) for h in handlers)
    service = (path.parent / "linkage-web.service").read_text()
    assert "--config /opt/linkage/deploy/gunicorn.conf.py" in service and "--access-logfile" not in service


def test_the_webhook_to_the_unit_carries_what_its_liaison_reads(freeze):
    from cases import delivery
    from cases.models import Delivery

    notice, first, second = freeze
    row = Delivery(notice=Notice.objects.select_related("unit", "case", "action").get(pk=notice.pk),
                   channel="webhook", purpose="issue")
    payload = delivery.webhook_payload(row)["notice"]
    assert payload["debtors"] == [{"id": first.pk, "name": first.name, "kind": "person",
                                   "id_number": first.id_number}]
    assert payload["account"] == ACCOUNT and payload["amount"] == "50000.00"
    assert TYPED_ID not in payload["subject"] and CARD not in payload["subject"]
    assert second.name not in str(payload)
