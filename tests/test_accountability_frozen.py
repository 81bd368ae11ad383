"""Issue 17: accountability figures that hold.

A seeded history, made by the portal itself under a travelled clock (Asia/Shanghai, November 2026):
finalised periods frozen whole with their evidence, decisions on requests that move only the clock they
concern, the court's work report as of its meeting, delay put on the stage that caused it, and agenda
suggestions that name the late unit.
"""
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from assessments import scoring
from assessments import services as assessment_services
from assessments.models import AssessmentEvidence, AssessmentScore
from cases import services as case_services
from cases.deadlines import end_of_day
from cases.models import Notice, NoticeKind
from conferences import selectors as conference_selectors
from conferences import services as conference_services
from conferences.documents import minutes_content

pytestmark = pytest.mark.dates  # also at 23:30 and 00:30 Asia/Shanghai (conftest); the history has its own clock

SH = ZoneInfo("Asia/Shanghai")


def sh(month, day, hour=9, minute=0, second=0, year=2026):
    return datetime(year, month, day, hour, minute, second, tzinfo=SH)


@pytest.fixture
def clock():
    """The portal's clock, frozen at Asia/Shanghai times and moved by the test (``clock.move_to``)."""
    traveller = time_machine.travel(sh(11, 2, 8), tick=False)
    moved = traveller.start()
    yield moved
    traveller.stop()


def _ack(users, notice):
    return case_services.notice_acknowledge(actor=users[f"liaison-{notice.unit.code}"], notice=notice)


def _answer(users, notice, **kwargs):
    kwargs.setdefault("outcome", "done")
    kwargs.setdefault("detail", "已办理")
    if notice.action.code in case_services.AMOUNT_REQUIRED_ACTIONS:
        kwargs.setdefault("result_amount", "5000.00")
    return case_services.notice_answer(actor=users[f"liaison-{notice.unit.code}"], notice=notice, **kwargs)


def _request(users, notice, kind, **kwargs):
    return case_services.notice_request_file(actor=users[f"liaison-{notice.unit.code}"], notice=notice, kind=kind,
                                             grounds="书面理由", **kwargs)


def _decide(users, request, grant, **kwargs):
    return case_services.notice_request_decide(actor=users["clerk"], request=request, grant=grant, **kwargs)


def _fresh(notice):
    return Notice.objects.select_related("unit", "action", "case").get(pk=notice.pk)


@pytest.fixture
def history(clock, make_case, issue, users):
    """One listed case, November 2026 (Mon 2 Nov … Tue 1 Dec):

    * police p1 (query) issued 2 Nov 09:05, acknowledged 3 Nov, never answered by the meeting;
      p2 (query) issued 6 Nov 11:00, acknowledged late (10 Nov), never answered;
    * bank-ccb c1 (query) issued 2 Nov 09:05, acknowledged 3 Nov 10:00, answered 5 Nov 10:00 (48 h);
      c2 (freeze) issued 5 Nov 10:00:05, seconds after c1's answer; acknowledged 6 Nov 09:00; objection
      6 Nov 10:00 refused 9 Nov 10:00 (72 h stopped); answered 11 Nov 10:00;
      c3 (query) issued 20 Nov 10:00; objection 23 Nov 10:00, still pending at the meeting and the cut-off;
    * bank-icbc i1 (freeze) issued 2 Nov 09:05, acknowledged 3 Nov; extension to 31 Dec asked 4 Nov,
      pending at the meeting and the cut-off.
    """
    clock.move_to(sh(11, 2, 9))
    case = make_case(listed_supervision=True)
    clock.move_to(sh(11, 2, 9, 5))
    p1 = issue(case, "police", "query", subject="查询车辆")
    c1 = issue(case, "bank-ccb", "query", subject="查询存款")
    i1 = issue(case, "bank-icbc", "freeze")
    clock.move_to(sh(11, 3, 10))
    for n in (p1, c1, i1):
        _ack(users, _fresh(n))
    clock.move_to(sh(11, 4, 10))
    extension = _request(users, _fresh(i1), "extension", requested_due_at="2026-12-31")
    clock.move_to(sh(11, 5, 10))
    _answer(users, _fresh(c1))
    clock.move_to(sh(11, 5, 10, 0, 5))
    c2 = issue(case, "bank-ccb", "freeze")
    clock.move_to(sh(11, 6, 9))
    _ack(users, _fresh(c2))
    clock.move_to(sh(11, 6, 10))
    objection = _request(users, _fresh(c2), "objection")
    clock.move_to(sh(11, 6, 11))
    p2 = issue(case, "police", "query", subject="查找被执行人下落")
    clock.move_to(sh(11, 9, 10))
    _decide(users, objection, grant=False, note="异议不成立")
    clock.move_to(sh(11, 10, 15))
    _ack(users, _fresh(p2))
    clock.move_to(sh(11, 11, 10))
    _answer(users, _fresh(c2))
    clock.move_to(sh(11, 20, 10))
    c3 = issue(case, "bank-ccb", "query", subject="查询理财")
    clock.move_to(sh(11, 23, 10))
    objection3 = _request(users, _fresh(c3), "objection")
    return {"case": case, "p1": p1, "p2": p2, "c1": c1, "c2": c2, "c3": c3, "i1": i1, "extension": extension,
            "objection3": objection3}


def _meeting(clock, users, history, when=None):
    clock.move_to(sh(11, 16, 10))
    item = conference_services.agenda_item_propose(actor=users["office"], title="挂牌督办案件协调", reason="major",
                                                   units=["police", "bank-ccb", "bank-icbc"],
                                                   cases=[history["case"].pk])
    conference_services.agenda_item_approve(actor=users["convener"], item=item, comment="同意")
    return conference_services.meeting_create(actor=users["office"], title="2026年第四次联席会议", kind="regular",
                                              starts_at=when or sh(11, 25, 9), place="县法院", agenda_items=[item])


def _hold(clock, users, meeting, django_capture_on_commit_callbacks):
    clock.move_to(sh(11, 26, 15))
    minutes = conference_services.minutes_draft(actor=users["office"], meeting=meeting, summary="听取法院工作通报。",
                                                decisions=[{"text": "公安局限期回复", "unit": "police",
                                                            "due_at": "2026-12-10"}])
    with django_capture_on_commit_callbacks(execute=True):
        return conference_services.minutes_issue(actor=users["convener"], minutes=minutes)


def _report_figures(meeting):
    report = conference_selectors.work_report(meeting)
    return ({r["code"]: {k: r[k] for k in conference_selectors.REPORT_COUNTS} for r in report["by_unit"]},
            report["totals"], [r["number"] for r in report["releases"]],
            [(c["number"], c["open_notices"]) for c in report["key_cases"]])


# ---------------------------------------------------------------- 2. decisions move only their own clock

def test_refusing_an_objection_moves_only_the_running_clock_to_an_end_of_day(clock, make_case, issue, users):
    clock.move_to(sh(11, 2, 9))
    case = make_case()
    notice = issue(case, "bank-ccb", "freeze")
    clock.move_to(sh(11, 2, 10))
    _ack(users, _fresh(notice))
    clock.move_to(sh(11, 3, 11, 0, 0))
    request = _request(users, _fresh(notice), "objection")
    before = _fresh(notice)
    clock.move_to(sh(11, 4, 11, 1, 39))  # paused 24 h 01 min 39 s
    _decide(users, request, grant=False)
    after = _fresh(notice)
    # Acknowledged long ago: its acknowledgement deadline stays; the answer deadline moves by the pause,
    # to the end of that day, never to 00:01:39.
    assert after.ack_due_at == before.ack_due_at
    assert after.due_at == end_of_day(timezone.localtime(before.due_at + timedelta(days=1, seconds=99)).date())
    assert timezone.localtime(after.due_at).strftime("%H:%M:%S") == "23:59:59"
    event = after.events.get(transition="decide_objection")
    assert "due_at" in event.note and "ack_due_at" not in event.note
    assert timezone.localtime(before.due_at).strftime("%Y-%m-%d %H:%M:%S") in event.note
    assert timezone.localtime(after.due_at).strftime("%Y-%m-%d %H:%M:%S") in event.note


def test_a_decision_on_an_answered_notice_moves_no_deadline(clock, make_case, issue, users):
    clock.move_to(sh(11, 2, 9))
    notice = issue(make_case(), "bank-ccb", "query", subject="查询")
    clock.move_to(sh(11, 2, 10))
    _ack(users, _fresh(notice))
    request = _request(users, _fresh(notice), "extension", requested_due_at="2026-12-31")
    clock.move_to(sh(11, 3, 10))
    _answer(users, _fresh(notice))  # answered while the request was pending
    before = _fresh(notice)
    clock.move_to(sh(11, 20, 10))
    _decide(users, request, grant=True)
    after = _fresh(notice)
    assert (after.ack_due_at, after.due_at) == (before.ack_due_at, before.due_at)
    assert after.paused_since is None


def test_a_granted_extension_sets_the_answer_deadline_only(clock, make_case, issue, users):
    clock.move_to(sh(11, 2, 9))
    notice = issue(make_case(), "bank-ccb", "query", subject="查询")
    clock.move_to(sh(11, 2, 10))
    _ack(users, _fresh(notice))
    request = _request(users, _fresh(notice), "extension", requested_due_at="2026-12-31T10:30")
    before = _fresh(notice)
    clock.move_to(sh(11, 5, 16, 17))
    _decide(users, request, grant=True)
    after = _fresh(notice)
    assert after.ack_due_at == before.ack_due_at
    assert after.due_at == sh(12, 31, 23, 59, 59)


# ---------------------------------------------------------------- 1. a finalised period is frozen whole

def _evidence_everywhere(api, browser_client, period):
    base = f"/api/v1/assessment-periods/{period.pk}"
    rows = {}
    for unit in ("police", "bank-ccb", "bank-icbc"):
        for code in ("ack_on_time", "answer_on_time", "answered_done", "release_on_time"):
            body = api("assessor").get(f"{base}/evidence/?unit={unit}&indicator={code}").json()
            rows[(unit, code)] = [(r["id"], r["met"], r["due_at"], r["done_at"], r["outcome"])
                                  for r in body["results"]]
            page = browser_client("assessor").get(f"/assessment/periods/{period.pk}/units/{unit}/{code}/")
            rows[(unit, code, "page")] = [(r.object_id, r.met, r.due_at, r.done_at) for r in page.context["rows"]]
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(browser_client("assessor").get(
        f"/assessment/periods/{period.pk}/export.xlsx").content))
    rows["xlsx"] = [tuple(r) for r in book.worksheets[1].iter_rows(min_row=3, values_only=True)]
    rows["scores"] = [(s.unit.code, s.score, s.rank, s.metrics) for s in
                      AssessmentScore.objects.filter(period=period).select_related("unit").order_by("unit__code")]
    return rows


def test_a_finalised_period_keeps_its_evidence_when_clerks_act_afterwards(
        clock, history, users, api, browser_client):
    clock.move_to(sh(11, 1, 8))
    period = assessment_services.period_create(actor=users["assessor"], name="2026年11月",
                                               starts_on=sh(11, 1).date(), ends_on=sh(11, 30).date())
    clock.move_to(sh(12, 1, 10))
    assessment_services.period_finalise(actor=users["assessor"], period=period)
    period.refresh_from_db()
    assert period.as_of == sh(12, 1, 0)
    frozen = _evidence_everywhere(api, browser_client, period)
    assert AssessmentEvidence.objects.filter(period=period).count() == len(frozen["xlsx"])
    # ccb: c1, c2 answered on time; c3 (objection pending at the cut-off) not counted
    assert [r[0] for r in frozen[("bank-ccb", "answer_on_time")]] == [history["c2"].pk, history["c1"].pk]
    assert frozen[("bank-icbc", "answer_on_time")] == []  # the extension was pending at the cut-off
    ack_due_c3 = _fresh(history["c3"]).ack_due_at

    # Ordinary clerk and unit actions after finalising.
    clock.move_to(sh(12, 2, 10))
    _answer(users, _fresh(history["p1"]))
    clock.move_to(sh(12, 3, 10))
    _decide(users, history["extension"], grant=True)  # pending at the cut-off
    _decide(users, history["objection3"], grant=False)  # pending at the cut-off
    case_services.notice_return(actor=users["clerk"], notice=_fresh(history["c2"]), reason="补充冻结裁定回执")
    assert _fresh(history["c3"]).ack_due_at != ack_due_c3  # the live notice did move

    assert _evidence_everywhere(api, browser_client, period) == frozen
    page = browser_client("assessor").get(f"/assessment/periods/{period.pk}/units/bank-ccb/answer_on_time/")
    assert 'id="snapshot"' in page.content.decode()
    with pytest.raises(PermissionDenied):
        AssessmentEvidence.objects.filter(period=period).first().delete()


# ---------------------------------------------------------------- 3. the work report is as of its meeting

def test_the_work_report_is_as_of_the_meeting_and_fixed_when_it_is_held(
        clock, history, users, browser_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = _meeting(clock, users, history)
    clock.move_to(sh(11, 25, 15))  # after the meeting, before its minutes: as of the meeting already
    provisional = _report_figures(meeting)
    units, totals, _releases, key_cases = provisional
    # p1 overdue unanswered; p2 acknowledged late and overdue; c1, c2 on time (c2 against its deadline
    # moved by the refused objection); c3 and i1 stopped by pending requests: neither late.
    assert units["police"] == {"issued": 2, "acknowledged": 2, "ack_on_time": 1, "ack_late": 1, "answered": 0,
                               "on_time": 0, "late": 2, "paused": 0}
    assert units["bank-ccb"] == {"issued": 3, "acknowledged": 2, "ack_on_time": 2, "ack_late": 0, "answered": 2,
                                 "on_time": 2, "late": 0, "paused": 1}
    assert units["bank-icbc"]["paused"] == 1 and units["bank-icbc"]["late"] == 0
    assert (totals["issued"], totals["acknowledged"], totals["answered"], totals["on_time"]) == (6, 5, 2, 2)
    assert key_cases == [(history["case"].number, 4)]

    minutes = _hold(clock, users, meeting, django_capture_on_commit_callbacks)
    meeting.refresh_from_db()
    assert meeting.status == "held" and meeting.work_report.as_of == sh(11, 25, 9)
    assert _report_figures(meeting) == provisional
    content = minutes_content(minutes)
    annex = content["annex"]
    assert annex["rows"][-1] == ["合计", "6", "5", "1", "2", "2", "2", "2"]
    # GB/T 9704-2012: the body's annex note and the annex's own "附件" and title say the same, with the
    # court's name; the PDF and the Word file print them so.
    assert (annex["label"], annex["title"]) == ("附件", "湖北省公安县人民法院执行工作情况通报")
    assert content["annex_note"] == "附件：湖北省公安县人民法院执行工作情况通报"
    import io

    from docx import Document
    from pypdf import PdfReader

    from conferences.documents import render_minutes_docx, render_minutes_pdf

    pages = [page.extract_text() for page in PdfReader(io.BytesIO(render_minutes_pdf(minutes))).pages]
    assert "附件：湖北省公安县人民法院执行工作情况通报" in pages[0].replace(" ", "")
    # The issuer and the date never stand alone on a page: the rolls go with them (7.3.5).
    from conferences.documents import ISSUER

    closing = [page.replace(" ", "") for page in pages if "请假：" in page.replace(" ", "")]
    assert len(closing) == 1 and f"{ISSUER}\n" in closing[0], pages
    annex_page = [page.replace(" ", "") for page in pages if "执行工作情况通报" in page and "合计" in page][0]
    assert annex_page.lstrip().startswith("附件\n湖北省公安县人民法院执行工作情况通报")
    word = Document(io.BytesIO(render_minutes_docx(minutes)))
    texts = [p.text for p in word.paragraphs]
    assert "附件：湖北省公安县人民法院执行工作情况通报" in texts
    label = texts.index("附件")
    assert texts[label + 1] == "" and texts[label + 2] == "湖北省公安县人民法院执行工作情况通报"
    assert word.paragraphs[label + 2].alignment == 1  # centred
    figures = word.tables[-1].rows[1].cells
    assert figures[0].paragraphs[0].alignment is None and figures[1].paragraphs[0].alignment == 1

    # Later: police answer both, the extension is granted, c2's answer is returned.
    clock.move_to(sh(12, 2, 10))
    _answer(users, _fresh(history["p1"]))
    _answer(users, _fresh(history["p2"]))
    _decide(users, history["extension"], grant=True)
    case_services.notice_return(actor=users["clerk"], notice=_fresh(history["c2"]), reason="补正")
    assert _report_figures(meeting) == provisional
    assert minutes_content(minutes)["annex"] == annex
    page = browser_client("office").get(f"/conferences/meetings/{meeting.pk}/report/").content.decode()
    assert 'id="frozen"' in page


# ---------------------------------------------------------------- 4. delay by stage

def _stage(period_scores, unit, key):
    return period_scores[unit].metrics["stages"][key]


def test_delay_is_put_on_the_stage_that_caused_it(clock, history, users, browser_client):
    clock.move_to(sh(11, 1, 8))
    period = assessment_services.period_create(actor=users["assessor"], name="2026年11月",
                                               starts_on=sh(11, 1).date(), ends_on=sh(11, 30).date())
    clock.move_to(sh(12, 1, 10))
    assessment_services.scores_refresh(period_id=period.pk)
    scores = {s.unit.code: s for s in AssessmentScore.objects.filter(period=period).select_related("unit")}
    # (a) c2 was issued 5 s after c1's answer, c3 9 days after c2's; c1 5 min after registration
    assert _stage(scores, "bank-ccb", "court_to_issue_hours") == pytest.approx(
        (5 / 60 + 5 / 3600 + 9 * 24) / 3, abs=0.05)
    # (b) c1 answered 48 h after acknowledgement; c2 after 121 h of which 72 h stood still: 49 h
    assert _stage(scores, "bank-ccb", "unit_to_answer_hours") == pytest.approx(48.5, abs=0.05)
    # (c) police: p1 unanswered from 3 Nov 10:00 to the period's end (27 d 14 h), p2 from 10 Nov 15:00
    p1_hours = (sh(12, 1, 0) - sh(11, 3, 10)).total_seconds() / 3600
    p2_hours = (sh(12, 1, 0) - sh(11, 10, 15)).total_seconds() / 3600
    assert _stage(scores, "police", "unit_to_answer_hours") == pytest.approx((p1_hours + p2_hours) / 2, abs=0.05)
    # pauses are charged to no one: c2's 72 h and c3's 7 d 14 h, i1's 26 d 14 h
    assert _stage(scores, "bank-ccb", "paused_hours") == pytest.approx(72 + (sh(12, 1, 0) - sh(11, 23, 10))
                                                                       .total_seconds() / 3600, abs=0.05)
    assert _stage(scores, "bank-icbc", "unit_to_answer_hours") == pytest.approx(24.0, abs=0.05)  # 3 → 4 Nov
    # Every notice's stages and pauses add up to its life.
    totals = scoring.stage_totals(period, sh(12, 1, 0))
    assert set(totals) >= {history["p1"].unit_id, history["c1"].unit_id, history["i1"].unit_id}


def test_zero_hours_is_shown_as_zero_not_as_missing(clock, make_case, issue, users, browser_client):
    clock.move_to(sh(11, 2, 9))
    notice = issue(make_case(), "bank-ccb", "query", subject="查询")
    _ack(users, _fresh(notice))  # the same frozen second
    period = assessment_services.period_create(actor=users["assessor"], name="零", starts_on=sh(11, 1).date(),
                                               ends_on=sh(11, 30).date())
    assessment_services.scores_refresh(period_id=period.pk)
    score = AssessmentScore.objects.get(period=period, unit__code="bank-ccb")
    assert score.metrics["stages"]["unit_to_acknowledge_hours"] == 0.0
    page = browser_client("assessor").get(f"/assessment/periods/{period.pk}/units/bank-ccb/").content.decode()
    assert "0.0 h" in page


T0 = datetime(2026, 11, 2, 9, tzinfo=SH)
minutes_ = st.integers(min_value=0, max_value=60 * 24 * 40)


@settings(max_examples=300, deadline=None)
@given(kind=st.sampled_from([NoticeKind.ASSIST, NoticeKind.RELEASE]), court=st.one_of(st.none(), minutes_),
       ack=st.one_of(st.none(), minutes_), answer=st.one_of(st.none(), minutes_),
       cancel=st.one_of(st.none(), minutes_), cutoff=minutes_,
       pauses=st.lists(st.tuples(minutes_, st.integers(min_value=0, max_value=60 * 24 * 10)), max_size=3))
def test_property_stages_add_up_to_each_notices_life(kind, court, ack, answer, cancel, cutoff, pauses):
    """Random histories: the stages and the stopped time add up to the notice's life, every part is
    non-negative, and the stopped time is in no unit's stage."""
    def at(m):
        return None if m is None else T0 + timedelta(minutes=m)

    acked = at(ack)
    answered = None if answer is None or ack is None else at(ack + answer)
    spans, cursor = [], 0
    for start, length in pauses:  # one request at a time: pauses do not overlap
        cursor += start
        spans.append((at(cursor), at(cursor + length)))
        cursor += length
    result = scoring.notice_stages(kind=kind, trigger=None if court is None else T0 - timedelta(minutes=court),
                                   issued_at=T0, acknowledged_at=acked, answered_at=answered,
                                   cancelled_at=at(cancel), cutoff=at(cutoff), pauses=spans)
    assert result is not None
    parts = [result[k] for k in ("court", "ack", "answer", "release", "paused") if k in result]
    assert all(p >= timedelta() for p in parts)
    assert sum(parts, timedelta()) == result["life"]
    unpaused = scoring.notice_stages(kind=kind, trigger=None if court is None else T0 - timedelta(minutes=court),
                                     issued_at=T0, acknowledged_at=acked, answered_at=answered,
                                     cancelled_at=at(cancel), cutoff=at(cutoff), pauses=())
    held = sum((result[k] for k in ("ack", "answer", "release") if k in result), timedelta())
    held_unpaused = sum((unpaused[k] for k in ("ack", "answer", "release") if k in unpaused), timedelta())
    assert held_unpaused - held == result["paused"]  # a pause only ever takes time off the unit


# ---------------------------------------------------------------- 5. agenda suggestions

def test_suggestions_name_the_late_unit_tell_stalled_from_idle_and_use_the_office_threshold(
        clock, make_case, issue, users, api, browser_client, settings):
    clock.move_to(sh(11, 2, 9))
    stalled = make_case(listed_supervision=True)
    idle = make_case(listed_supervision=True)
    mixed = make_case()
    late = issue(stalled, "police", "query", subject="查找")
    answered = issue(mixed, "bank-ccb", "query", subject="查询")
    overdue = issue(mixed, "tax", "query", subject="查询纳税")
    _ack(users, _fresh(answered))
    _answer(users, _fresh(answered))
    # late and overdue: answer due 9 Nov; on 16 Nov that is 5 working days past, on 24 Nov 11
    clock.move_to(sh(11, 16, 10))
    settings.AGENDA_SUGGESTION_OVERDUE_WORKING_DAYS = 10
    keys = {s.key: s for s in conference_selectors.agenda_suggestions()}
    assert f"overdue-{mixed.pk}" not in keys  # 5 working days is not the office's 10
    assert keys[f"listed-{stalled.pk}"].state == "moving"
    settings.AGENDA_SUGGESTION_OVERDUE_WORKING_DAYS = 3
    keys = {s.key: s for s in conference_selectors.agenda_suggestions()}
    assert keys[f"overdue-{mixed.pk}"].unit_codes == ["tax"]  # not bank-ccb, which answered
    assert keys[f"listed-{stalled.pk}"].state == "stalled" and keys[f"listed-{stalled.pk}"].unit_codes == ["police"]
    assert keys[f"listed-{idle.pk}"].state == "idle" and keys[f"listed-{idle.pk}"].unit_codes == []
    settings.AGENDA_SUGGESTION_OVERDUE_WORKING_DAYS = 10
    clock.move_to(sh(11, 24, 10))
    keys = {s.key: s for s in conference_selectors.agenda_suggestions()}
    assert keys[f"overdue-{mixed.pk}"].unit_codes == ["tax"]
    # The API beside the page.
    response = api("office").get("/api/v1/agenda-items/suggestions/")
    assert response.status_code == 200
    body = {r["key"]: r for r in response.json()["results"]}
    assert body[f"overdue-{mixed.pk}"]["late_units"] == ["tax"] and response.json()["threshold_working_days"] == 10
    assert body[f"listed-{idle.pk}"]["state"] == "idle"
    assert api("liaison-police").get("/api/v1/agenda-items/suggestions/").status_code == 403
    page = browser_client("office").get("/conferences/agenda/suggestions/").content.decode()
    assert mixed.number in page and "/api/v1/agenda-items/suggestions/" in page
    assert late.pk and overdue.pk
