"""Personal data that stays where it belongs (outside probe, items 16 and 17).

16. A unit reads the common part of the minutes and the decisions addressed to it; the full minutes only
    where the convener issued them to all attendees; ``?unit=`` of another unit is a 404; a decision to a
    unit that was not invited is refused.
17. Audit: django-auditlog keeps old/new values of the registered models (identifiers masked); access-log
    rows for the admin's case page, searches by identifier, exports and excerpt fetches; a reveal needs a
    reason, and the clerk may reveal.
"""
import io
import re
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from cases.models import Party
from conferences import services
from conferences.models import Minutes
from members.models import AccessLog, Unit

from .conftest import make_resident_id

API = "/api/v1/"
POLICE_TEXT = "公安局负责查找被执行人下落"
ICBC_TEXT = "工商银行负责冻结被执行人存款"
COMMON_TEXT = "各单位加强协作"


@pytest.fixture
def meeting(users, django_capture_on_commit_callbacks):
    """A meeting with police and bank-icbc invited, minutes drafted with a decision to each (not issued)."""
    item = services.agenda_item_propose(actor=users["office"], title="多单位协作事项", reason="multi_unit",
                                        units=("police", "bank-icbc"))
    services.agenda_item_approve(actor=users["convener"], item=item, comment="同意上会")
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.meeting_create(actor=users["office"], title="2026年第一次联席会议", kind="regular",
                                          starts_at=timezone.now() - timedelta(hours=2), place="县法院第一会议室",
                                          agenda_items=[item])
    services.minutes_draft(actor=users["office"], meeting=meeting, summary="会议听取了工作汇报。", decisions=[
        {"text": POLICE_TEXT, "unit": "police", "due_at": "2026-12-31"},
        {"text": ICBC_TEXT, "unit": "bank-icbc", "due_at": "2026-12-31"},
        {"text": COMMON_TEXT},
    ])
    return meeting


@pytest.fixture
def issue_minutes(users, django_capture_on_commit_callbacks):
    def _issue(meeting, to_all=False):
        with django_capture_on_commit_callbacks(execute=True):
            return services.minutes_issue(actor=users["convener"], minutes=Minutes.objects.get(meeting=meeting),
                                          to_all=to_all)

    return _issue


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


def _docx_text(data: bytes) -> str:
    from docx import Document

    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


def _decision_texts(body) -> list[str]:
    return [d["text"] for d in body["decisions"]]


# ---------------------------------------------------------------- 16. excerpts stay with their unit

def test_a_unit_reads_only_its_decisions_and_the_common_part(api, browser_client, meeting, issue_minutes):
    issue_minutes(meeting)
    bank_api, bank_page = api("liaison-bank-icbc"), browser_client("liaison-bank-icbc")
    body = bank_api.get(f"{API}meetings/{meeting.pk}/minutes/").json()
    assert body["summary"] == "会议听取了工作汇报。"
    assert _decision_texts(body) == [ICBC_TEXT, COMMON_TEXT]
    assert body["excerpt"] == "bank-icbc" and body["issued_to_all"] is False
    page = bank_page.get(f"/conferences/meetings/{meeting.pk}/").content.decode()
    assert ICBC_TEXT in page and COMMON_TEXT in page and POLICE_TEXT not in page
    for client, prefix in ((bank_api, API), (bank_page, "/conferences/")):
        pdf = client.get(f"{prefix}meetings/{meeting.pk}/minutes.pdf")
        assert pdf.status_code == 200
        text = _pdf_text(pdf.content)
        assert ICBC_TEXT in text and "（摘录）" in text and POLICE_TEXT not in text
        docx = client.get(f"{prefix}meetings/{meeting.pk}/minutes.docx")
        assert docx.status_code == 200
        text = _docx_text(docx.content)
        assert ICBC_TEXT in text and COMMON_TEXT in text and POLICE_TEXT not in text
    # its own excerpt asked for by name is the same
    own = bank_api.get(f"{API}meetings/{meeting.pk}/minutes.docx?unit=bank-icbc")
    assert own.status_code == 200 and POLICE_TEXT not in _docx_text(own.content)
    # the police read theirs, not the bank's
    police = api("liaison-police").get(f"{API}meetings/{meeting.pk}/minutes/").json()
    assert _decision_texts(police) == [POLICE_TEXT, COMMON_TEXT]


def test_another_units_excerpt_is_a_404_to_a_unit_and_open_to_the_court(api, browser_client, meeting,
                                                                        issue_minutes):
    issue_minutes(meeting)
    bank_api, bank_page = api("liaison-bank-icbc"), browser_client("liaison-bank-icbc")
    for kind in ("pdf", "docx"):
        assert bank_api.get(f"{API}meetings/{meeting.pk}/minutes.{kind}?unit=police").status_code == 404
        assert bank_page.get(f"/conferences/meetings/{meeting.pk}/minutes.{kind}?unit=police").status_code == 404
    for username in ("office", "convener", "clerk"):
        response = api(username).get(f"{API}meetings/{meeting.pk}/minutes.docx?unit=police")
        assert response.status_code == 200, username
        text = _docx_text(response.content)
        assert POLICE_TEXT in text and ICBC_TEXT not in text
        page = browser_client(username).get(f"/conferences/meetings/{meeting.pk}/minutes.pdf?unit=police")
        assert page.status_code == 200, username
        # without ?unit= the court reads the full minutes
        full = api(username).get(f"{API}meetings/{meeting.pk}/minutes/").json()
        assert _decision_texts(full) == [POLICE_TEXT, ICBC_TEXT, COMMON_TEXT] and full["excerpt"] is None
    assert ICBC_TEXT in _docx_text(api("clerk").get(f"{API}meetings/{meeting.pk}/minutes.docx").content)


def test_minutes_issued_to_all_reach_every_unit_in_full(api, browser_client, meeting):
    issued = api("convener").post(f"{API}meetings/{meeting.pk}/minutes/issue/", {"to_all": True}, format="json")
    assert issued.status_code == 200, issued.content
    assert issued.json()["issued_to_all"] is True
    for username in ("liaison-bank-icbc", "liaison-police"):
        body = api(username).get(f"{API}meetings/{meeting.pk}/minutes/").json()
        assert _decision_texts(body) == [POLICE_TEXT, ICBC_TEXT, COMMON_TEXT], username
        text = _docx_text(api(username).get(f"{API}meetings/{meeting.pk}/minutes.docx").content)
        assert POLICE_TEXT in text and ICBC_TEXT in text
        page = browser_client(username).get(f"/conferences/meetings/{meeting.pk}/").content.decode()
        assert POLICE_TEXT in page and ICBC_TEXT in page
    # still: another unit's excerpt by name is not the bank's to ask for
    assert api("liaison-bank-icbc").get(f"{API}meetings/{meeting.pk}/minutes.pdf?unit=police").status_code == 404


def test_the_convener_records_the_choice_on_the_issue_form(browser_client, meeting):
    convener = browser_client("convener")
    assert 'name="to_all"' in convener.get(f"/conferences/meetings/{meeting.pk}/").content.decode()
    assert convener.post(f"/conferences/meetings/{meeting.pk}/minutes/issue/", {"to_all": "on"}).status_code == 302
    assert Minutes.objects.get(meeting=meeting).issued_to_all is True


def test_issuing_without_the_choice_keeps_excerpts(api, meeting):
    assert api("convener").post(f"{API}meetings/{meeting.pk}/minutes/issue/").status_code == 200
    minutes = Minutes.objects.get(meeting=meeting)
    assert minutes.is_issued and minutes.issued_to_all is False


def test_a_decision_to_a_unit_not_invited_is_refused(api, browser_client, meeting):
    body = {"summary": "会议听取了工作汇报。", "decisions": [
        {"text": POLICE_TEXT, "unit": "police"}, {"text": "税务局协助查询纳税信息", "unit": "tax"}]}
    response = api("office").post(f"{API}meetings/{meeting.pk}/minutes/", body, format="json")
    assert response.status_code == 400, response.content
    message = " ".join(response.json()["decisions"])
    tax = Unit.objects.get(code="tax")
    assert "2" in message and tax.name in message  # which decision, and which unit was not invited
    assert not Minutes.objects.get(meeting=meeting).decisions.filter(unit=tax).exists()
    page = browser_client("office").post(f"/conferences/meetings/{meeting.pk}/minutes/", {
        "summary": "页面起草", "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0",
        "form-0-text": "税务局协助", "form-0-unit": "tax", "form-0-due_at": "2026-11-30"})
    assert page.status_code == 200 and tax.name in page.content.decode()
    assert not Minutes.objects.get(meeting=meeting).decisions.filter(unit=tax).exists()


def test_each_document_fetch_is_audited_with_whose_excerpt(api, browser_client, users, meeting, issue_minutes):
    issue_minutes(meeting)
    last = AccessLog.objects.order_by("-id").values_list("id", flat=True).first() or 0
    api("liaison-bank-icbc").get(f"{API}meetings/{meeting.pk}/minutes.pdf")
    browser_client("liaison-bank-icbc").get(f"/conferences/meetings/{meeting.pk}/minutes.docx")
    api("office").get(f"{API}meetings/{meeting.pk}/minutes.docx?unit=police")
    api("clerk").get(f"{API}meetings/{meeting.pk}/minutes.pdf")
    rows = list(AccessLog.objects.filter(id__gt=last).order_by("id")
                .values_list("user__username", "what", "object_repr"))
    assert [(u, w) for u, w, _ in rows] == [("liaison-bank-icbc", "minutes_pdf"), ("liaison-bank-icbc", "minutes_docx"),
                                            ("office", "minutes_docx"), ("clerk", "minutes_pdf")]
    assert [r[2].rsplit("[", 1)[1] for r in rows] == ["excerpt bank-icbc]", "excerpt bank-icbc]",
                                                      "excerpt police]", "full]"]
    # a refused fetch leaves no row
    count = AccessLog.objects.count()
    assert api("liaison-bank-icbc").get(f"{API}meetings/{meeting.pk}/minutes.pdf?unit=police").status_code == 404
    assert AccessLog.objects.count() == count


# ---------------------------------------------------------------- 17. the change history (django-auditlog)

def _admin_form_data(response) -> dict:
    """The POST body the admin change form would send back unchanged."""
    data = {}
    form = response.context["adminform"].form
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, (list, tuple)):
            data[name] = [str(v) for v in value]
        else:
            data[name] = "" if value is None else value
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = formset.management_form[name].value()
        for sub in formset.forms:
            for name in sub.fields:
                value = sub[name].value()
                key = f"{sub.prefix}-{name}"
                if isinstance(value, bool):
                    if value:
                        data[key] = "on"
                elif value is not None:
                    data[key] = value
    return data


def test_a_unit_name_change_in_the_admin_keeps_old_and_new_values(browser_client):
    unit = Unit.objects.get(code="police")
    old = unit.name
    admin = browser_client("admin")
    url = f"/admin/members/unit/{unit.pk}/change/"
    data = _admin_form_data(admin.get(url))
    data["name"] = "公安县公安局（更名）"
    response = admin.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    entry = LogEntry.objects.get_for_object(unit).filter(action=LogEntry.Action.UPDATE).latest("timestamp")
    assert entry.changes_dict["name"] == [old, "公安县公安局（更名）"]
    assert entry.actor.username == "admin"
    # the one audit list of the admin
    listing = admin.get("/admin/auditlog/logentry/")
    assert listing.status_code == 200
    assert admin.get(f"/admin/auditlog/logentry/{entry.pk}/change/").status_code == 200


def test_a_user_change_is_recorded_without_the_password(users):
    user = users["liaison-police"]
    user.phone = "0716-5221234"
    user.set_password("another-secret-1")
    user.save()
    entry = LogEntry.objects.get_for_object(user).latest("timestamp")
    assert "phone" in entry.changes_dict and "password" not in entry.changes_dict


def test_a_partys_id_number_is_masked_in_the_audit_diff(make_case):
    case = make_case()  # its parties are bulk-created (no signals); one added later is logged
    full = make_resident_id(4141)
    party = Party.objects.create(case=case, role="debtor", name="追加被执行人", id_number=full)
    created = LogEntry.objects.get_for_object(party).get(action=LogEntry.Action.CREATE)
    assert full not in str(created.changes) and created.changes_dict["id_number"][1].startswith(full[:4] + "*")
    new = make_resident_id(4242)
    party.id_number = new
    party.save()
    changed = LogEntry.objects.get_for_object(party).filter(action=LogEntry.Action.UPDATE).latest("timestamp")
    assert full not in str(changed.changes) and new not in str(changed.changes)
    assert changed.changes_dict["id_number"] == [full[:4] + "*" * 10 + full[-4:], new[:4] + "*" * 10 + new[-4:]]
    assert ContentType.objects.get_for_id(changed.content_type_id).model == "party"


# ---------------------------------------------------------------- 17. audited reads

def test_the_admins_case_page_is_an_audited_read(browser_client, make_case):
    case = make_case()
    before = AccessLog.objects.filter(what="admin_case_view").count()
    response = browser_client("admin").get(f"/admin/cases/case/{case.pk}/change/")
    assert response.status_code == 200
    assert AccessLog.objects.filter(what="admin_case_view").count() == before + 1
    row = AccessLog.objects.filter(what="admin_case_view").latest("id")
    assert row.user.username == "admin" and case.number in row.object_repr


def test_a_search_by_identifier_is_an_audited_read(browser_client, make_case):
    case = make_case()
    full = case.parties.get(role="debtor").id_number
    clerk = browser_client("clerk")
    response = clerk.get("/cases/", {"q": full})
    assert response.status_code == 200 and case.number in response.content.decode()
    row = AccessLog.objects.filter(what="case_search_identifier").latest("id")
    assert row.user.username == "clerk" and full not in row.object_repr and row.object_repr.startswith(full[:4])
    count = AccessLog.objects.filter(what="case_search_identifier").count()
    clerk.get("/cases/", {"q": "测试案件"})  # a search by name or number is not
    assert AccessLog.objects.filter(what="case_search_identifier").count() == count


def test_measures_and_assessment_exports_are_audited(api, browser_client, users):
    from assessments import services as assess

    before = AccessLog.objects.filter(what="measures_xlsx").count()
    assert browser_client("clerk").get("/measures/?format=xlsx").status_code == 200
    assert AccessLog.objects.filter(what="measures_xlsx", user=users["clerk"]).count() == before + 1
    today = timezone.localdate()
    period = assess.period_create(actor=users["assessor"], name="2026年度", starts_on=today - timedelta(days=30),
                                  ends_on=today + timedelta(days=30))
    assert api("office").get(f"{API}assessment-periods/{period.pk}/export.xlsx").status_code == 200
    assert browser_client("assessor").get(f"/assessment/periods/{period.pk}/export.xlsx").status_code == 200
    rows = list(AccessLog.objects.filter(what="assessment_xlsx").order_by("id")
                .values_list("user__username", "object_repr"))[-2:]
    assert rows == [("office", "2026年度"), ("assessor", "2026年度")]


def test_a_reveal_needs_a_reason_and_the_clerk_may_reveal(browser_client, users, make_case):
    case = make_case()
    full = case.parties.get(role="debtor").id_number
    clerk = browser_client("clerk")
    page = clerk.get(f"/cases/{case.pk}/").content.decode()
    assert f"/cases/{case.pk}/reveal/" in page  # the clerk is offered the reveal form
    before = AccessLog.objects.filter(what="reveal_identifiers").count()
    for reason in ("", "   "):
        refused = clerk.post(f"/cases/{case.pk}/reveal/", {"reason": reason})
        assert refused.status_code == 400
        html = refused.content.decode()
        assert full not in html and 'name="reason"' in html  # refused with the message and the form again
    assert clerk.post(f"/cases/{case.pk}/reveal/").status_code == 400
    assert AccessLog.objects.filter(what="reveal_identifiers").count() == before
    shown = clerk.post(f"/cases/{case.pk}/reveal/", {"reason": "核对被执行人身份"})
    assert shown.status_code == 200 and full in shown.content.decode()
    row = AccessLog.objects.filter(what="reveal_identifiers").latest("id")
    assert (row.user, row.reason) == (users["clerk"], "核对被执行人身份")
    # a unit's liaison still may not
    assert browser_client("liaison-police").post(f"/cases/{case.pk}/reveal/", {"reason": "x"}).status_code in (403, 404)
