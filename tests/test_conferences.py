"""Joint conferences (issue 4; API.md "Conferences" rows; DOMAIN.md section 5): agenda items, approval,
meetings and attendance, minutes numbered per year and rendered as DOCX/PDF, action items tracked to done.

Services run on commit hooks for notifications; the Django test client never commits, so calls that
schedule a meeting or issue minutes run inside ``django_capture_on_commit_callbacks(execute=True)``.
"""
import io
import re
import subprocess
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.db import OperationalError, connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conferences import notify, selectors, services
from conferences.documents import render_minutes_docx, render_minutes_pdf
from conferences.models import (
    ActionItem,
    AgendaItem,
    ConferenceEvent,
    Invitation,
    Meeting,
    Minutes,
    MinutesCounter,
)

API = "/api/v1/"
NUMBER = re.compile(r"^公执联纪〔(\d{4})〕(\d+)号$")
BASE_DIR = Path(settings.BASE_DIR)


# ---------------------------------------------------------------- helpers

def _held(meeting):
    """The meeting took place an hour ago (minutes are issued after it, never before)."""
    Meeting.objects.filter(pk=meeting.pk, starts_at__gt=timezone.now()).update(
        starts_at=timezone.now() - timedelta(hours=1))
    meeting.refresh_from_db()


@pytest.fixture
def flow(users, django_capture_on_commit_callbacks):
    """Service-level shortcuts that run the on-commit notifications."""

    class Flow:
        def item(self, units=("police", "tax"), cases=(), reason=None, title="多单位协作事项", approve=True):
            reason = reason or ("multi_unit" if len(units) > 1 else "other")
            item = services.agenda_item_propose(actor=users["office"], title=title, reason=reason, units=units,
                                                cases=cases)
            if approve:
                services.agenda_item_approve(actor=users["convener"], item=item, comment="同意上会")
            return item

        def meeting(self, items, kind="regular", when=None):
            with django_capture_on_commit_callbacks(execute=True):
                return services.meeting_create(actor=users["office"], title="2026年第一次联席会议", kind=kind,
                                               starts_at=when or timezone.now() + timedelta(days=3),
                                               place="县法院第一会议室", agenda_items=items)

        def minutes(self, meeting, decisions=None):
            return services.minutes_draft(actor=users["office"], meeting=meeting, summary="会议听取了工作汇报。", decisions=(
                decisions if decisions is not None else [
                    {"text": "公安局负责查找被执行人下落", "unit": "police", "due_at": "2026-12-31"},
                    {"text": "税务局负责查询纳税信息", "unit": "tax", "due_at": "2026-12-31"},
                    {"text": "各单位加强协作"},
                ]))

        def issue(self, minutes):
            _held(minutes.meeting)  # minutes are issued once the meeting has been held
            with django_capture_on_commit_callbacks(execute=True):
                return services.minutes_issue(actor=users["convener"], minutes=minutes)

        def issued(self, units=("police", "tax"), decisions=None):
            meeting = self.meeting([self.item(units=units)])
            minutes = self.issue(self.minutes(meeting, decisions))
            return meeting, minutes

    return Flow()


def _events(**subject):
    return list(ConferenceEvent.objects.filter(**subject).order_by("id")
                .values_list("transition", "from_status", "to_status", "actor__username"))


# ---------------------------------------------------------------- roles and groups

def test_role_groups_carry_the_conference_permissions(users):
    assert users["office"].has_perm("conferences.add_agendaitem")
    assert users["office"].has_perm("conferences.add_meeting")
    assert users["office"].has_perm("conferences.add_minutes")
    assert users["office"].has_perm("conferences.close_actionitem")
    assert not users["office"].has_perm("conferences.decide_agendaitem")
    assert not users["office"].has_perm("conferences.issue_minutes")
    assert users["convener"].has_perm("conferences.decide_agendaitem")
    assert users["convener"].has_perm("conferences.issue_minutes")
    assert users["liaison-police"].has_perm("conferences.report_actionitem")
    assert users["liaison-police"].has_perm("conferences.confirm_attendance")
    assert not users["liaison-police"].has_perm("conferences.decide_agendaitem")
    assert not users["clerk"].has_perm("conferences.add_agendaitem")


def test_beat_schedule_runs_the_action_item_reminders():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "conferences.tasks.remind_overdue_action_items" in tasks


# ---------------------------------------------------------------- agenda items

def test_office_proposes_over_the_api_and_only_a_convener_decides(api, make_case):
    case = make_case()
    office = api("office")
    response = office.post(f"{API}agenda-items/", {"title": "涉稳案件协调", "reason": "stability",
                                                   "cases": [case.pk], "units": ["police", "tax"]}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "proposed"
    assert body["cases"] == [case.pk] and sorted(body["units"]) == ["police", "tax"]
    item_id = body["id"]

    for username in ("liaison-police", "office", "clerk"):
        refused = api(username).post(f"{API}agenda-items/{item_id}/approve/", {"comment": "x"}, format="json")
        assert refused.status_code == 403, username
    assert api("liaison-police").post(f"{API}agenda-items/{item_id}/reject/", {}, format="json").status_code == 403
    assert AgendaItem.objects.get(pk=item_id).status == "proposed"

    approved = api("convener").post(f"{API}agenda-items/{item_id}/approve/", {"comment": "同意"}, format="json")
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    assert approved.json()["decision_comment"] == "同意"
    again = api("convener").post(f"{API}agenda-items/{item_id}/reject/", {"comment": "晚了"}, format="json")
    assert again.status_code == 409
    assert _events(agenda_item_id=item_id) == [("propose", "", "proposed", "office"),
                                               ("approve", "proposed", "approved", "convener")]


def test_convener_rejects_with_a_comment_and_bad_input_is_400(api):
    office = api("office")
    bad = office.post(f"{API}agenda-items/", {"title": "x", "reason": "weather", "units": ["police"]}, format="json")
    assert bad.status_code == 400 and "reason" in bad.json()
    unknown = office.post(f"{API}agenda-items/", {"title": "x", "reason": "other", "units": ["nowhere"]},
                          format="json")
    assert unknown.status_code == 400 and "units" in unknown.json()
    assert api("liaison-police").post(f"{API}agenda-items/", {"title": "x", "reason": "other"},
                                      format="json").status_code == 403
    item_id = office.post(f"{API}agenda-items/", {"title": "其他事项", "reason": "other", "units": ["police"]},
                          format="json").json()["id"]
    rejected = api("convener").post(f"{API}agenda-items/{item_id}/reject/", {"comment": "不属于联席会议议题"},
                                    format="json")
    assert rejected.status_code == 200
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["events"][-1]["note"] == "不属于联席会议议题"
    assert api("convener").post(f"{API}agenda-items/{item_id}/approve/", format="json").status_code == 409


def test_agenda_pages_for_office_and_convener(browser_client, flow):
    office = browser_client("office")
    page = office.get("/conferences/agenda/new/")
    assert page.status_code == 200
    created = office.post("/conferences/agenda/new/", {"title": "页面议题", "reason": "multi_unit",
                                                       "units": ["police", "tax"], "case_numbers": ""})
    item = AgendaItem.objects.get(title="页面议题")
    assert created.status_code == 302 and created["Location"] == f"/conferences/agenda/{item.pk}/"
    assert browser_client("liaison-police").post(f"/conferences/agenda/{item.pk}/approve/").status_code == 403
    convener = browser_client("convener")
    detail = convener.get(f"/conferences/agenda/{item.pk}/")
    assert detail.status_code == 200 and f"/conferences/agenda/{item.pk}/reject/" in detail.content.decode()
    convener.post(f"/conferences/agenda/{item.pk}/reject/", {"comment": "暂不上会"})
    item.refresh_from_db()
    assert item.status == "rejected" and item.decision_comment == "暂不上会"
    assert browser_client("liaison-tax").get("/conferences/agenda/999999/").status_code == 404


# ---------------------------------------------------------------- meetings and attendance

def test_meeting_invites_the_units_of_its_items_and_notifies_them_once(api, flow, users,
                                                                       django_capture_on_commit_callbacks):
    first = flow.item(units=("police", "tax"))
    second = flow.item(units=("tax", "bank-icbc"))
    proposed = flow.item(units=("market",), reason="other", approve=False)
    office = api("office")
    refused = office.post(f"{API}meetings/", {"title": "会", "kind": "special", "starts_at": "2026-09-01",
                                              "agenda_items": [proposed.pk]}, format="json")
    assert refused.status_code == 400 and "agenda_items" in refused.json()
    assert api("convener").post(f"{API}meetings/", {"title": "会", "kind": "special", "starts_at": "2026-09-01",
                                                    "agenda_items": [first.pk]}, format="json").status_code == 403
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = office.post(f"{API}meetings/", {
            "title": "专题会议", "kind": "special", "starts_at": "2026-09-01T09:30:00+08:00", "place": "三楼",
            "agenda_items": [first.pk, second.pk]}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "scheduled" and sorted(body["agenda_items"]) == sorted([first.pk, second.pk])
    assert sorted(i["unit"]["code"] for i in body["invitations"]) == ["bank-icbc", "police", "tax"]
    meeting = Meeting.objects.get(pk=body["id"])
    assert Invitation.objects.filter(meeting=meeting, notified_at__isnull=False).count() == 3
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == ["liaison-bank-icbc@example.invalid", "liaison-police@example.invalid",
                          "liaison-tax@example.invalid"]
    assert notify.send_invitations(meeting.pk) == 0  # idempotent: nothing is sent twice
    assert len(mail.outbox) == 3


def test_uninvited_unit_gets_404_for_the_meeting_and_its_minutes(api, browser_client, flow):
    # a decision can only be addressed to an invited unit
    meeting, minutes = flow.issued(units=("police",), decisions=[{"text": "公安局负责查找被执行人下落", "unit": "police"}])
    # invited: the police liaison sees the meeting and downloads the minutes
    assert api("liaison-police").get(f"{API}meetings/{meeting.pk}/").status_code == 200
    assert api("liaison-police").get(f"{API}meetings/{meeting.pk}/minutes.pdf").status_code == 200
    assert browser_client("liaison-police").get(f"/conferences/meetings/{meeting.pk}/").status_code == 200
    # not invited: the tax liaison sees nothing, in the API and in the browser
    tax_api, tax_browser = api("liaison-tax"), browser_client("liaison-tax")
    assert tax_api.get(f"{API}meetings/{meeting.pk}/").status_code == 404
    assert tax_api.get(f"{API}meetings/{meeting.pk}/minutes/").status_code == 404
    assert tax_api.get(f"{API}meetings/{meeting.pk}/minutes.pdf").status_code == 404
    assert tax_api.get(f"{API}meetings/{meeting.pk}/minutes.docx").status_code == 404
    assert meeting.pk not in [m["id"] for m in tax_api.get(f"{API}meetings/").json()["results"]]
    assert tax_browser.get(f"/conferences/meetings/{meeting.pk}/").status_code == 404
    assert tax_browser.get(f"/conferences/meetings/{meeting.pk}/minutes.pdf").status_code == 404
    assert tax_browser.get(f"/conferences/meetings/{meeting.pk}/minutes.docx").status_code == 404
    # a role with no unit at all (the assessor) is just as blind
    assert api("assessor").get(f"{API}meetings/{meeting.pk}/minutes.pdf").status_code == 404
    # court roles and the convener read everything
    for username in ("clerk", "office", "convener"):
        assert api(username).get(f"{API}meetings/{meeting.pk}/minutes.docx").status_code == 200, username


def test_invited_unit_cannot_read_draft_minutes(api, flow):
    meeting = flow.meeting([flow.item(units=("police",))])
    flow.minutes(meeting, decisions=[{"text": "公安局负责查找被执行人下落", "unit": "police"}])
    assert api("liaison-police").get(f"{API}meetings/{meeting.pk}/minutes.pdf").status_code == 404
    assert api("office").get(f"{API}meetings/{meeting.pk}/minutes/").json()["status"] == "draft"
    assert api("liaison-police").get(f"{API}action-items/").json()["results"] == []


def test_liaison_confirms_attendance_for_own_unit_only(api, browser_client, flow):
    meeting = flow.meeting([flow.item(units=("police", "tax"))])
    assert api("office").post(f"{API}meetings/{meeting.pk}/attendance/", {"attendees": "x"},
                              format="json").status_code == 403
    response = api("liaison-police").post(f"{API}meetings/{meeting.pk}/attendance/",
                                          {"attendees": "张警官（副局长）"}, format="json")
    assert response.status_code == 200
    police = next(i for i in response.json()["invitations"] if i["unit"]["code"] == "police")
    assert police["status"] == "confirmed" and police["attendees"] == "张警官（副局长）"
    again = api("liaison-police").post(f"{API}meetings/{meeting.pk}/attendance/", {"attendees": "李"}, format="json")
    assert again.status_code == 409
    assert api("liaison-market").post(f"{API}meetings/{meeting.pk}/attendance/", {"attendees": "王"},
                                      format="json").status_code == 404
    page = browser_client("liaison-tax").post(f"/conferences/meetings/{meeting.pk}/attendance/",
                                              {"attendees": "赵科长"})
    assert page.status_code == 302
    tax = Invitation.objects.get(meeting=meeting, unit__code="tax")
    assert tax.status == "confirmed" and tax.confirmed_by.username == "liaison-tax"
    assert ("confirm", "invited", "confirmed", "liaison-tax") in _events(invitation=tax)


# ---------------------------------------------------------------- minutes

@pytest.mark.dates
def test_minutes_drafted_by_office_issued_by_convener_then_read_only(api, flow, django_capture_on_commit_callbacks):
    item = flow.item(units=("police", "tax"))
    meeting = flow.meeting([item])
    office = api("office")
    body = {"summary": "会议研究了协作事项。", "decisions": [
        {"text": "公安局三十日内查找被执行人", "unit": "police", "due_at": "2026-10-31", "agenda_item": item.pk},
        {"text": "税务局协助查询", "unit": "tax", "due_at": "2026-10-31"},
        {"text": "会议要求各单位加强信息共享"}]}
    assert api("liaison-police").post(f"{API}meetings/{meeting.pk}/minutes/", body, format="json").status_code == 403
    created = office.post(f"{API}meetings/{meeting.pk}/minutes/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "draft" and created.json()["number"] == ""
    assert [d["unit"] for d in created.json()["decisions"]] == ["police", "tax", None]
    # the draft can be rewritten
    body["decisions"][1]["text"] = "税务局协助查询纳税信息"
    rewritten = office.post(f"{API}meetings/{meeting.pk}/minutes/", body, format="json")
    assert rewritten.status_code == 200
    assert ActionItem.objects.filter(meeting=meeting).count() == 2
    assert api("office").post(f"{API}meetings/{meeting.pk}/minutes/issue/").status_code == 403
    assert api("liaison-police").post(f"{API}meetings/{meeting.pk}/minutes/issue/").status_code == 403
    early = api("convener").post(f"{API}meetings/{meeting.pk}/minutes/issue/")
    assert early.status_code == 409, early.content  # the meeting has not been held yet
    assert Minutes.objects.get(meeting=meeting).status == "draft"
    _held(meeting)
    with django_capture_on_commit_callbacks(execute=True):
        issued = api("convener").post(f"{API}meetings/{meeting.pk}/minutes/issue/")
    assert issued.status_code == 200, issued.content
    number = issued.json()["number"]
    match = NUMBER.match(number)
    assert match and int(match.group(1)) == timezone.localdate().year
    assert issued.json()["status"] == "issued"
    # read-only from now on: 409 for any change, and nothing changed
    assert office.post(f"{API}meetings/{meeting.pk}/minutes/", body, format="json").status_code == 409
    assert api("convener").post(f"{API}meetings/{meeting.pk}/minutes/issue/").status_code == 409
    minutes = Minutes.objects.get(meeting=meeting)
    assert minutes.number == number and minutes.decisions.count() == 3
    meeting.refresh_from_db()
    item.refresh_from_db()
    assert meeting.status == "held" and item.status == "settled"
    assert ("issue", "draft", "issued", "convener") in _events(minutes=minutes)
    assert ("hold", "scheduled", "held", "convener") in _events(meeting=meeting)
    assert ("settle", "approved", "settled", "convener") in _events(agenda_item=item)
    assert all(("assign", "", "open", "convener") in _events(action_item=a) for a in minutes.action_items.all())
    # the HTML draft form refuses issued minutes too
    response = api("office").get(f"{API}meetings/{meeting.pk}/minutes/")
    assert response.json()["number"] == number


@pytest.mark.dates
def test_numbering_is_one_sequence_per_year(flow, users):
    year = timezone.localdate().year
    start = MinutesCounter.objects.filter(year=year).values_list("last", flat=True).first() or 0
    _, first = flow.issued()
    _, second = flow.issued()
    assert (first.year, first.seq) == (year, start + 1)
    assert (second.year, second.seq) == (year, start + 2)
    assert second.number == f"公执联纪〔{year}〕{start + 2}号"
    # another year has its own counter, starting at 1
    assert services.next_minutes_number(year + 5) == (1, f"公执联纪〔{year + 5}〕1号")
    assert services.next_minutes_number(year + 5) == (2, f"公执联纪〔{year + 5}〕2号")
    assert MinutesCounter.objects.get(year=year).last == start + 2


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_issues_never_share_a_number():
    """Two conveners issue two minutes at the same moment. On PostgreSQL (DATABASE_URL=postgres://…) the
    per-year counter row is locked with SELECT … FOR UPDATE, so the second waits for the first. SQLite has
    no row locks; it serialises writers, and a writer that loses the race is refused with "database is
    locked" and retried here: numbers still never repeat."""
    from members.models import User
    from members.seeding import seed_demo

    seed_demo("linkage-demo")  # a transactional test starts from whatever the last flush left
    office, convener = User.objects.get(username="office"), User.objects.get(username="convener")
    drafts = []
    for n in range(2):
        item = services.agenda_item_propose(actor=office, title=f"并发{n}", reason="other", units=["police"])
        services.agenda_item_approve(actor=convener, item=item)
        meeting = services.meeting_create(actor=office, title=f"并发会议{n}", kind="special",
                                          starts_at=timezone.now() - timedelta(hours=1), agenda_items=[item])
        drafts.append(services.minutes_draft(actor=office, meeting=meeting, summary="并发", decisions=[]))
    barrier = threading.Barrier(2)
    errors, retries = [], []
    sqlite = connection.vendor == "sqlite"

    def issue(minutes):
        try:
            user = User.objects.get(username="convener")
            barrier.wait(timeout=10)
            for _attempt in range(20):
                try:
                    services.minutes_issue(actor=user, minutes=minutes)
                    return
                except OperationalError:
                    if not sqlite:
                        raise
                    retries.append(1)
            raise AssertionError("could not issue after 20 attempts")
        except Exception as exc:  # reported to the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(m,)) for m in drafts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    numbers = list(Minutes.objects.filter(pk__in=[m.pk for m in drafts]).values_list("year", "seq", "number"))
    assert len(numbers) == 2 and all(n[2] for n in numbers)
    assert len({n[2] for n in numbers}) == 2, numbers
    assert sorted(n[1] for n in numbers) == [1, 2]  # a fresh counter after the flush: 1 and 2, no gap
    assert MinutesCounter.objects.get(year=numbers[0][0]).last == 2
    if not sqlite:
        assert not retries  # PostgreSQL waits on the row lock instead of failing


# ---------------------------------------------------------------- documents

def _text_of_pdf(data: bytes) -> tuple[str, object]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "".join(page.extract_text() for page in reader.pages), reader


def _pdf_fonts(reader) -> set[str]:
    names = set()
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            names.add(str(font["/BaseFont"]))
            for desc in font.get("/DescendantFonts", []):
                descriptor = desc.get_object()["/FontDescriptor"].get_object()
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font["/BaseFont"]
    return names


def test_minutes_pdf_has_cjk_text_and_embedded_cjk_fonts(api, flow):
    meeting, minutes = flow.issued()
    response = api("office").get(f"{API}meetings/{meeting.pk}/minutes.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text, reader = _text_of_pdf(response.content)
    compact = re.sub(r"\s+", "", text)
    assert "公安县执行工作联动协调机制联席会议纪要" in compact
    assert "2026年第一次联席会议" in compact
    assert minutes.number in compact
    assert "公安局负责查找被执行人下落" in compact and "税务局负责查询纳税信息" in compact
    assert "公安县执行工作联动协调机制联席会议办公室" in compact
    assert "—1—" in compact  # the page number
    assert "未确认出席" not in compact and "请假：" in compact and "抄送：" in compact and "印发" in compact
    assert "\ufffd" not in text and "\u25a1" not in text  # no replacement characters or boxes
    fonts = _pdf_fonts(reader)
    assert fonts and all("CJK" in name for name in fonts), fonts
    assert any("Noto-Serif-CJK-SC-Bold" in name for name in fonts)  # the 小标宋-style title
    # no tofu: every character of the document has a glyph in the Noto Serif CJK SC font used
    from fontTools.ttLib import TTCollection

    collection = TTCollection("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")
    sc = next(f for f in collection.fonts if "SC" in f["name"].getDebugName(1))
    cmap = sc.getBestCmap()
    missing = {ch for ch in compact if ord(ch) not in cmap}
    assert not missing, missing


def test_minutes_docx_opens_and_holds_the_decisions_in_the_official_layout(api, flow):
    from docx import Document
    from docx.shared import Mm

    meeting, minutes = flow.issued()
    response = api("clerk").get(f"{API}meetings/{meeting.pk}/minutes.docx")  # the full minutes: a court role
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.content))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "公安县执行工作联动协调机制联席会议纪要"
    assert texts[1] == minutes.number
    assert "2026年第一次联席会议" in texts
    assert any(t.startswith("一、公安局负责查找被执行人下落") and "责任单位：" in t for t in texts)
    assert any(t.startswith("二、税务局负责查询纳税信息") for t in texts)
    assert any(t.startswith("三、各单位加强协作") for t in texts)
    section = doc.sections[0]
    assert [round(Mm(1) and m / Mm(1)) for m in (section.top_margin, section.left_margin, section.bottom_margin,
                                                  section.right_margin)] == [37, 28, 35, 26]
    title_run = doc.paragraphs[texts.index("2026年第一次联席会议")].runs[0]
    assert title_run.bold is False and title_run.font.size.pt == 22  # 小标宋 is a display face: never bold
    body = next(p for p in doc.paragraphs if p.text.startswith("一、"))
    from docx.oxml.ns import qn

    def east_asian(run):
        return run._element.rPr.rFonts.get(qn("w:eastAsia"))

    assert body.runs[0].font.size.pt == 16 and east_asian(body.runs[0]) == "仿宋_GB2312"
    assert east_asian(title_run) == "方正小标宋简体" and east_asian(doc.paragraphs[0].runs[0]) == "方正小标宋简体"
    assert not any(t.startswith("未确认出席") for t in texts)
    leave = next(p for p in doc.paragraphs if p.text.startswith("请假："))  # nobody confirmed: on leave
    assert east_asian(leave.runs[0]) == "黑体" and "公安局" in leave.text
    copy_to = next(p for p in doc.paragraphs if p.text.startswith("抄送："))
    assert copy_to.text.endswith("。") and "，" in copy_to.text
    printed = doc.paragraphs[-1]
    assert printed.text.endswith("印发") and "\t" in printed.text  # issuer left, date right
    assert "w:framePr" in printed._p.xml and 'w:yAlign="bottom"' in printed._p.xml  # bottom of the last page
    assert "PAGE" in section.footer._element.xml and "PAGE" in section.even_page_footer._element.xml


def test_each_unit_gets_the_excerpt_of_its_decisions(api, browser_client, flow):
    meeting, minutes = flow.issued()
    pdf = api("liaison-police").get(f"{API}meetings/{meeting.pk}/minutes.pdf?unit=police")
    assert pdf.status_code == 200
    compact = re.sub(r"\s+", "", _text_of_pdf(pdf.content)[0])
    assert "（摘录）" in compact and "公安局负责查找被执行人下落" in compact
    assert "税务局负责查询纳税信息" not in compact
    docx = render_minutes_docx(minutes, unit=minutes.decisions.get(seq=2).unit)
    from docx import Document

    texts = [p.text for p in Document(io.BytesIO(docx)).paragraphs]
    assert any(t.startswith("一、税务局负责查询纳税信息") for t in texts)
    assert not any("公安局负责查找" in t for t in texts)
    page = browser_client("liaison-police").get(f"/conferences/meetings/{meeting.pk}/")
    assert "minutes.pdf?unit=police" in page.content.decode()
    assert api("liaison-police").get(f"{API}meetings/{meeting.pk}/minutes.pdf?unit=market").status_code == 404


def test_screenshot_of_a_minutes_page_is_committed_and_rendering_matches(flow, tmp_path):
    """docs/img/minutes-page-1.png (the user guide's) is the first page of a rendered minutes PDF (pdftoppm -png -r 60)."""
    _, minutes = flow.issued()
    pdf = tmp_path / "minutes.pdf"
    pdf.write_bytes(render_minutes_pdf(minutes))
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True)
    rendered = next(tmp_path.glob("page*.png")).read_bytes()
    committed = (BASE_DIR / "docs" / "img" / "minutes-page-1.png").read_bytes()
    assert committed[:8] == b"\x89PNG\r\n\x1a\n" and rendered[:8] == committed[:8]
    # both are A4 pages at 60 dpi: about 496 × 702 pixels (IHDR width and height)
    width, height = int.from_bytes(committed[16:20], "big"), int.from_bytes(committed[20:24], "big")
    assert committed[16:24] == rendered[16:24]
    assert 490 <= width <= 500 and 695 <= height <= 705


# ---------------------------------------------------------------- action items

@pytest.mark.dates
def test_action_items_reach_units_on_issue_and_are_tracked_to_done(api, browser_client, flow):
    meeting, minutes = flow.issued()
    police_item = ActionItem.objects.get(minutes=minutes, unit__code="police")
    tax_item = ActionItem.objects.get(minutes=minutes, unit__code="tax")
    listing = api("liaison-police").get(f"{API}action-items/")
    assert listing.status_code == 200 and listing.json()["next"] is None
    rows = listing.json()["results"]
    assert [r["id"] for r in rows] == [police_item.pk]
    assert set(rows[0]) >= {"id", "meeting", "unit", "text", "due_at", "status", "reports"}
    assert rows[0]["meeting"] == meeting.pk and rows[0]["status"] == "open"
    # another unit's item: 404; a role that may not report: 403
    assert api("liaison-police").post(f"{API}action-items/{tax_item.pk}/report/", {"detail": "x"},
                                      format="json").status_code == 404
    assert api("office").post(f"{API}action-items/{police_item.pk}/report/", {"detail": "x"},
                              format="json").status_code == 403
    assert api("liaison-police").post(f"{API}action-items/{police_item.pk}/close/").status_code == 403
    assert api("office").post(f"{API}action-items/{police_item.pk}/close/").status_code == 409  # nothing reported
    reported = api("liaison-police").post(f"{API}action-items/{police_item.pk}/report/",
                                          {"detail": "已布控，正在查找"}, format="json")
    assert reported.status_code == 200
    assert reported.json()["status"] == "reported"
    assert reported.json()["reports"][0]["detail"] == "已布控，正在查找"
    returned = api("office").post(f"{API}action-items/{police_item.pk}/return/", {"note": "请补充查找结果"},
                                  format="json")
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    # the browser form reports again, then the office closes it
    browser_client("liaison-police").post(f"/conferences/actions/{police_item.pk}/report/",
                                          {"detail": "已找到被执行人"})
    closed = api("office").post(f"{API}action-items/{police_item.pk}/close/", {"note": "办结"}, format="json")
    assert closed.status_code == 200 and closed.json()["status"] == "done"
    assert api("liaison-police").post(f"{API}action-items/{police_item.pk}/report/", {"detail": "再报"},
                                      format="json").status_code == 409
    assert [e[:3] for e in _events(action_item=police_item)] == [
        ("assign", "", "open"), ("notify", "open", "open"), ("report", "open", "reported"),
        ("return", "reported", "returned"), ("report", "returned", "reported"), ("close", "reported", "done")]
    assert len(api("office").get(f"{API}action-items/").json()["results"]) >= 2


def test_liaison_task_list_and_office_board(browser_client, flow):
    meeting, minutes = flow.issued()
    upcoming = flow.meeting([flow.item(units=("police",))])
    page = browser_client("liaison-police").get("/tasks/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "公安局负责查找被执行人下落" in html and "税务局负责查询纳税信息" not in html
    assert f"/conferences/meetings/{upcoming.pk}/" in html
    assert "/inbox/" in html  # the task list sits beside the notice inbox
    board = browser_client("office").get("/conferences/board/")
    assert board.status_code == 200
    assert "公安局负责查找被执行人下落" in board.content.decode()
    assert "税务局负责查询纳税信息" in board.content.decode()
    assert browser_client("liaison-police").get("/conferences/board/").status_code == 404


@pytest.mark.dates
def test_overdue_action_items_get_one_reminder_a_day(flow):
    _, minutes = flow.issued()
    item = ActionItem.objects.get(minutes=minutes, unit__code="police")
    ActionItem.objects.filter(pk=item.pk).update(due_at=timezone.now() - timedelta(days=2))
    mail.outbox.clear()
    from conferences.tasks import remind_overdue_action_items

    assert remind_overdue_action_items() == 1
    assert [m.to for m in mail.outbox] == [["liaison-police@example.invalid"]]
    assert remind_overdue_action_items() == 0  # idempotent the same day
    assert notify.send_reminders(timezone.now() + timedelta(days=1)) == 1  # and again the next day
    assert len(mail.outbox) == 2


# ---------------------------------------------------------------- suggestions, report, carry-over

@pytest.mark.dates
def test_suggestions_from_the_data_for_the_office_to_accept(browser_client, make_case, issue):
    listed = make_case(listed_supervision=True, responsible_leader="王院长")
    spread = make_case()
    for unit in ("bank-icbc", "bank-abc", "police"):
        issue(spread, unit, "query", subject="查询财产")
    stale = make_case()
    old = issue(stale, "tax", "query", subject="查询纳税")
    type(old).objects.filter(pk=old.pk).update(due_at=timezone.now() - timedelta(days=40))
    quiet = make_case()
    keys = {s.key: s for s in selectors.agenda_suggestions()}
    assert f"listed-{listed.pk}" in keys
    assert f"units-{spread.pk}" in keys and keys[f"units-{spread.pk}"].unit_codes == ["bank-abc", "bank-icbc",
                                                                                      "police"]
    assert f"overdue-{stale.pk}" in keys
    assert not any(s.case.pk == quiet.pk for s in keys.values())
    office = browser_client("office")
    assert spread.number in office.get("/conferences/agenda/suggestions/").content.decode()
    form = office.get(f"/conferences/agenda/new/?suggestion=units-{spread.pk}")
    assert spread.number in form.content.decode()
    office.post("/conferences/agenda/new/", {"title": "多单位查询协作", "reason": "multi_unit",
                                             "case_numbers": spread.number, "suggested": "many_units",
                                             "units": ["bank-abc", "bank-icbc", "police"]})
    item = AgendaItem.objects.get(title="多单位查询协作")
    assert item.suggested == "many_units" and list(item.cases.all()) == [spread]
    assert f"units-{spread.pk}" not in {s.key for s in selectors.agenda_suggestions()}
    assert browser_client("liaison-police").get("/conferences/agenda/suggestions/").status_code == 403


@pytest.mark.dates
def test_work_report_for_a_regular_meeting(browser_client, flow, make_case, issue, users):
    from cases import services as case_services

    case = make_case(listed_supervision=True)
    answered = issue(case, "police", "query", subject="查询")
    case_services.notice_acknowledge(actor=users["liaison-police"], notice=answered)
    case_services.notice_answer(actor=users["liaison-police"], notice=answered, outcome="done", detail="已查询")
    issue(case, "tax", "query", subject="查询纳税")
    meeting = flow.meeting([flow.item()], kind="regular", when=timezone.now() + timedelta(days=1))
    report = selectors.work_report(meeting)
    rows = {u["code"]: u for u in report["by_unit"]}
    assert (rows["police"]["issued"], rows["police"]["acknowledged"], rows["police"]["answered"],
            rows["police"]["on_time"]) == (1, 1, 1, 1)
    assert (rows["tax"]["issued"], rows["tax"]["answered"]) == (1, 0)
    assert case.pk in {c["id"] for c in report["key_cases"]}
    page = browser_client("office").get(f"/conferences/meetings/{meeting.pk}/report/")
    assert page.status_code == 200 and case.number in page.content.decode()
    assert browser_client("liaison-police").get(f"/conferences/meetings/{meeting.pk}/report/").status_code == 404


@pytest.mark.dates
def test_unsettled_items_carry_over_to_the_next_draft_agenda(browser_client, flow):
    decided = flow.item(title="已议定事项")
    open_item = flow.item(title="未议定事项")
    meeting = flow.meeting([decided, open_item])
    flow.issue(flow.minutes(meeting, decisions=[
        {"text": "公安局负责", "unit": "police", "due_at": "2026-12-31", "agenda_item": decided.pk}]))
    decided.refresh_from_db()
    open_item.refresh_from_db()
    assert decided.status == "settled" and open_item.status == "approved"
    form = browser_client("office").get("/conferences/meetings/new/")
    field = form.context["form"]
    assert open_item.pk in field.initial["agenda_items"] and decided.pk not in field.initial["agenda_items"]
    next_meeting = flow.meeting([open_item])
    assert list(next_meeting.agenda_items.all()) == [open_item]


# ---------------------------------------------------------------- pages and query counts

@pytest.mark.dates
def test_conference_pages_render(browser_client, flow):
    meeting, minutes = flow.issued()
    office = browser_client("office")
    for url in ("/conferences/", "/conferences/meetings/new/", f"/conferences/meetings/{meeting.pk}/",
                f"/conferences/meetings/{meeting.pk}/minutes.pdf"):
        assert office.get(url).status_code == 200, url
    assert office.get(f"/conferences/meetings/{meeting.pk}/minutes/").status_code == 302  # issued: read-only
    item = minutes.action_items.first()
    assert office.get(f"/conferences/actions/{item.pk}/").status_code == 200
    assert browser_client("liaison-market").get(f"/conferences/actions/{item.pk}/").status_code == 404
    home = office.get("/").content.decode()
    assert "/conferences/" in home  # the nav entry for court roles
    assert "/tasks/" in browser_client("liaison-police").get("/").content.decode()
    convener = browser_client("convener")
    draft_meeting = flow.meeting([flow.item()])
    page = convener.get(f"/conferences/meetings/{draft_meeting.pk}/")
    assert "minutes/issue/" not in page.content.decode()  # nothing to issue yet
    draft = office.post(f"/conferences/meetings/{draft_meeting.pk}/minutes/", {
        "summary": "页面起草", "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0",
        "form-0-text": "公安局落实", "form-0-unit": "police", "form-0-due_at": "2026-11-30"})
    assert draft.status_code == 302
    assert "minutes/issue/" in convener.get(f"/conferences/meetings/{draft_meeting.pk}/").content.decode()
    convener.post(f"/conferences/meetings/{draft_meeting.pk}/minutes/issue/")
    assert Minutes.objects.get(meeting=draft_meeting).number == ""  # not held yet: refused
    _held(draft_meeting)
    convener.post(f"/conferences/meetings/{draft_meeting.pk}/minutes/issue/")
    assert NUMBER.match(Minutes.objects.get(meeting=draft_meeting).number)


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_lists_use_a_constant_number_of_queries(api, browser_client, flow):
    flow.issued()
    urls_api = [f"{API}agenda-items/", f"{API}meetings/", f"{API}action-items/"]
    urls_html = ["/conferences/", "/conferences/board/"]
    office_api, office = api("office"), browser_client("office")
    liaison_api, liaison = api("liaison-police"), browser_client("liaison-police")
    for client, url in ((office, "/conferences/"), (liaison, "/tasks/"), (office_api, urls_api[0]),
                        (liaison_api, f"{API}action-items/")):
        # warm up: a client's first page loads per-process caches (content types, session), and a token's
        # first use records when it was last used (at most once a minute)
        client.get(url)
    before = ([_count(office_api, u) for u in urls_api] + [_count(office, u) for u in urls_html]
              + [_count(liaison_api, f"{API}action-items/"), _count(liaison, "/tasks/")])
    for _ in range(4):
        flow.issued()
    after = ([_count(office_api, u) for u in urls_api] + [_count(office, u) for u in urls_html]
             + [_count(liaison_api, f"{API}action-items/"), _count(liaison, "/tasks/")])
    assert before == after


@pytest.mark.dates
def test_the_minutes_form_shows_a_decisions_due_date_as_seen_in_shanghai(browser_client, flow):
    """07:00 in Gong'an on 31 December is still 30 December in UTC; the form (and so a re-saved draft)
    keeps the Shanghai date."""
    meeting = flow.meeting([flow.item()])
    flow.minutes(meeting, decisions=[{"text": "公安局落实", "unit": "police", "due_at": "2026-12-31T07:00"}])
    page = browser_client("office").get(f"/conferences/meetings/{meeting.pk}/minutes/")
    assert page.status_code == 200
    assert page.context["decisions"].forms[0].initial["due_at"] == date(2026, 12, 31)
    # and the date input holds it in the ISO form <input type="date"> takes
    assert 'name="form-0-due_at" value="2026-12-31"' in page.content.decode()


def test_an_id_typed_into_a_decision_is_masked_on_every_page_and_api(api, browser_client, flow, users):
    """Free text is shown by the disclosure rule: an ID typed into a decision or a report is masked on the
    minutes page, the board, the task list and every API that carries it; the stored text is unchanged."""
    from .conftest import make_resident_id

    person = make_resident_id(4569)
    meeting, minutes = flow.issued(units=("police",), decisions=[
        {"text": f"公安局查找王五（{person}）下落", "unit": "police", "due_at": "2026-12-31"}])
    item = ActionItem.objects.get(minutes=minutes)
    masked = person[:4] + "*" * 10 + person[-4:]
    services.action_item_report(actor=users["liaison-police"], item=item, detail=f"已查找{person}的登记住址")
    pages = [browser_client("convener").get(f"/conferences/meetings/{meeting.pk}/"),
             browser_client("office").get("/conferences/board/"),
             browser_client("liaison-police").get("/tasks/"),
             browser_client("office").get(f"/conferences/actions/{item.pk}/")]
    answers = [api("convener").get(f"{API}meetings/{meeting.pk}/minutes/"),
               api("liaison-police").get(f"{API}action-items/"),
               api("office").get(f"{API}action-items/{item.pk}/")]
    for response in pages + answers:
        assert response.status_code == 200, response
        body = response.content.decode()
        assert person not in body, response.request["PATH_INFO"]
    assert masked in pages[0].content.decode() and masked in answers[1].content.decode()
    assert ActionItem.objects.get(pk=item.pk).text.endswith(f"（{person}）下落")  # stored as typed
