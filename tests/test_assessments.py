"""Issue 5: non-cooperation reports (Art. 37, 39) and comprehensive-governance assessment (Art. 9, 36).

The indicator tests build a small, hand-made world whose scores are worked out by hand in the comments.
"""
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments import scoring, services
from assessments.models import AssessmentEvent, AssessmentScore, ReferralTask
from cases import services as case_services
from cases.models import Notice, NoticeRequest
from members.models import Unit

pytestmark = pytest.mark.dates  # every test here also runs at 23:30 and 00:30 Asia/Shanghai (conftest)

NOW = timezone.now()


@pytest.fixture(autouse=True)
def _now():
    """"Now" of the hand-made histories is the test's own clock (conftest may have moved it), not the
    moment this module was imported."""
    global NOW
    NOW = timezone.now()


def days(n: float):
    return NOW - timedelta(days=n)


def _shape(notice, **fields):
    """Give an issued notice a hand-made history (timestamps relative to now)."""
    Notice.objects.filter(pk=notice.pk).update(**fields)
    notice.refresh_from_db()
    return notice


@pytest.fixture
def period(users):
    today = timezone.localdate()
    return services.period_create(actor=users["assessor"], name="2026年度", starts_on=today - timedelta(days=30),
                                  ends_on=today + timedelta(days=30))


@pytest.fixture
def world(make_case, issue, users):
    """bank-icbc, police and action items with known answers; every other unit is idle.

    bank-icbc, assist notices (issued in the period unless said otherwise):
      n1 acknowledged on time, answered on time, done
      n2 acknowledged late, answered late, partial
      n3 acknowledged on time, not answered, answer deadline passed (late)
      n4 not acknowledged, both deadlines passed, but a pending objection stopped the clocks (not counted)
      n5 cancelled before its deadlines (not counted)
      n6 issued before the period (not counted)
    bank-icbc, release notices: r1 confirmed done on time; r2 confirmed after its deadline.
    police: one notice acknowledged 6 hours after issue, answered on time, done; two action items, one
    reported and done in time, one overdue and open.
    """
    case = make_case()
    icbc = Unit.objects.get(code="bank-icbc")

    def freeze():
        return issue(case, "bank-icbc", "freeze")

    n1 = _shape(freeze(), issued_at=days(10), ack_due_at=days(9), due_at=days(5), acknowledged_at=days(9.5),
                answered_at=days(6), status="answered", outcome="done")
    n2 = _shape(freeze(), issued_at=days(10), ack_due_at=days(9), due_at=days(5), acknowledged_at=days(8),
                answered_at=days(4), status="answered", outcome="partial")
    n3 = _shape(freeze(), issued_at=days(10), ack_due_at=days(9), due_at=days(5), acknowledged_at=days(9.2),
                status="acknowledged")
    n4 = freeze()
    case_services.notice_request_file(actor=users["liaison-bank-icbc"], notice=n4, kind="objection",
                                      grounds="账户非被执行人所有")
    n4 = _shape(n4, issued_at=days(10), ack_due_at=days(9), due_at=days(5), paused_since=days(3))
    NoticeRequest.objects.filter(notice=n4).update(filed_at=days(3))
    n5 = _shape(freeze(), issued_at=days(10), ack_due_at=days(9), due_at=days(5), cancelled_at=days(9.8),
                status="cancelled")
    n6 = _shape(freeze(), issued_at=days(45), ack_due_at=days(44), due_at=days(40), status="delivered")
    r1 = _shape(freeze(), kind="release", issued_at=days(8), ack_due_at=days(7), due_at=days(3),
                acknowledged_at=days(7.5), answered_at=days(4), status="answered", outcome="done")
    r2 = _shape(freeze(), kind="release", issued_at=days(8), ack_due_at=days(7), due_at=days(3),
                acknowledged_at=days(7.5), answered_at=days(1), status="answered", outcome="done")
    p1 = _shape(issue(case, "police", "query", subject="查询车辆"), issued_at=days(10), ack_due_at=days(9),
                due_at=days(5), acknowledged_at=days(10) + timedelta(hours=6), answered_at=days(7),
                status="answered", outcome="done")
    items = _action_items(users, Unit.objects.get(code="police"))
    return {"case": case, "icbc": icbc, "n": [n1, n2, n3, n4, n5, n6], "r": [r1, r2], "p1": p1, "items": items}


def _action_items(users, unit):
    from conferences.models import ActionItem, ActionReport, Decision, Meeting, Minutes

    meeting = Meeting.objects.create(title="第一次联席会议", kind="regular", starts_at=days(20),
                                     created_by=users["office"], status="held")
    minutes = Minutes.objects.create(meeting=meeting, summary="纪要", drafted_by=users["office"], status="issued",
                                     year=2026, seq=901, number="公执联纪〔2026〕901号", issued_at=days(19))
    items = []
    for seq, (due, status, closed, reported) in enumerate([(days(5), "done", days(4), days(6)),
                                                           (days(2), "open", None, None)], start=1):
        decision = Decision.objects.create(minutes=minutes, seq=seq, text=f"决定{seq}", unit=unit, due_at=due)
        item = ActionItem.objects.create(decision=decision, minutes=minutes, meeting=meeting, unit=unit,
                                         text=f"落实事项{seq}", due_at=due, status=status, closed_at=closed)
        if reported:
            ActionReport.objects.create(action_item=item, detail="已落实", by=users["liaison-police"], at=reported)
        items.append(item)
    return items


def _upheld_and_unfounded(users, icbc):
    """One upheld finding (criticism) and one unfounded report about bank-icbc."""
    upheld = services.report_file(actor=users["clerk"], unit=icbc, kind="passive", detail="拖延协助冻结")
    services.report_decide(actor=users["convener"], report=upheld, outcome="criticism", detail="通报批评")
    unfounded = services.report_file(actor=users["office"], unit=icbc, kind="refusal", detail="拒不协助")
    services.report_decide(actor=users["convener"], report=unfounded, outcome="unfounded", detail="经核实不成立")
    return upheld, unfounded


def _own_debt(make_case, icbc):
    """An open case in which bank-icbc itself is the judgment debtor."""
    case = make_case()
    case.parties.filter(role="debtor").update(name=icbc.name)
    return case


def _compute(period, django_capture_on_commit_callbacks, users, username="assessor"):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.period_compute(actor=users[username], period=period)
    assert len(callbacks) == 1
    return {s.unit.code: s for s in AssessmentScore.objects.filter(period=period).select_related("unit")}


# ---------------------------------------------------------------- indicators with known answers

def test_each_indicator_on_hand_made_data(world, period, users, make_case, django_capture_on_commit_callbacks):
    _upheld_and_unfounded(users, world["icbc"])
    _own_debt(make_case, world["icbc"])
    scores = _compute(period, django_capture_on_commit_callbacks, users)
    icbc = scores["bank-icbc"].metrics
    # acknowledged on time: n1, n3 of n1-n3 (n4 paused, n5 cancelled before due, n6 before the period)
    assert (icbc["ack_on_time"]["met"], icbc["ack_on_time"]["sample"]) == (2, 3)
    assert icbc["ack_on_time"]["points"] == 13.33  # 20 × 2/3
    # answered on time: n1 of n1, n2, n3 (n3 is unanswered past its deadline)
    assert (icbc["answer_on_time"]["met"], icbc["answer_on_time"]["sample"]) == (1, 3)
    assert icbc["answer_on_time"]["points"] == 10.0  # 30 × 1/3
    # answered done: n1 of the answered n1, n2
    assert (icbc["answered_done"]["met"], icbc["answered_done"]["sample"]) == (1, 2)
    assert icbc["answered_done"]["points"] == 10.0
    # releases confirmed in time: r1 of r1, r2
    assert (icbc["release_on_time"]["met"], icbc["release_on_time"]["sample"]) == (1, 2)
    assert icbc["release_on_time"]["points"] == 10.0
    # no action item: the neutral value is police's rate, 1/2 → 10 × 0.5
    assert icbc["actions_on_time"]["flag"] == "no_sample" and icbc["actions_on_time"]["points"] == 5.0
    # one upheld finding (the unfounded report does not count): −5; one own unpaid case: −2
    assert (icbc["noncooperation"]["sample"], icbc["noncooperation"]["points"]) == (1, -5.0)
    assert (icbc["own_debtor"]["sample"], icbc["own_debtor"]["points"]) == (1, -2.0)
    assert scores["bank-icbc"].score == Decimal("41.33")
    assert scores["bank-icbc"].data_quality == "ok"  # 3 answer + 2 release notices

    police = scores["police"].metrics
    assert (police["actions_on_time"]["met"], police["actions_on_time"]["sample"]) == (1, 2)
    # 20 + 30 + 20 + release neutral (icbc's 0.5 → 10) + actions 5
    assert scores["police"].score == Decimal("85.00")
    assert police["ack_on_time"]["flag"] == "small_sample" and scores["police"].data_quality == "small_sample"
    assert police["stages"]["unit_to_acknowledge_hours"] == 6.0

    # An idle unit: neutral values (the mean of the units with a sample), flagged, never a blank.
    tax = scores["tax"]
    assert tax.data_quality == "no_sample"
    assert all(tax.metrics[c]["flag"] == "no_sample" for c in
               ("ack_on_time", "answer_on_time", "answered_done", "release_on_time", "actions_on_time"))
    # ack (2/3+1)/2 → 16.67, answer (1/3+1)/2 → 20, done (1/2+1)/2 → 15, release 10, actions 5
    assert tax.score == Decimal("66.67")


def test_clock_stopped_by_a_pending_objection_is_not_counted_against_the_unit(
        world, period, users, django_capture_on_commit_callbacks):
    scores = _compute(period, django_capture_on_commit_callbacks, users)
    stages = scores["bank-icbc"].metrics["stages"]
    assert stages["paused_hours"] == pytest.approx(72.0, abs=0.2)  # filed 3 days ago, still pending
    period.refresh_from_db()
    evidence = scoring.evidence_queryset(period, world["icbc"], "answer_on_time", period.as_of)
    assert world["n"][3].pk not in {n.pk for n in evidence}
    # Once refused, the deadlines shift by the pause; the notice is then judged on them.
    case_services.notice_request_decide(actor=users["clerk"], request=world["n"][3].requests.get(), grant=False)
    n4 = Notice.objects.get(pk=world["n"][3].pk)
    assert n4.paused_since is None and n4.due_at > world["n"][3].due_at + timedelta(days=2, hours=23)


def test_stages_attribute_time_to_whoever_held_the_file(world, period, users, django_capture_on_commit_callbacks):
    scores = _compute(period, django_capture_on_commit_callbacks, users)
    stages = scores["bank-icbc"].metrics["stages"]
    # acknowledged after 12 h (n1), 48 h (n2), 19.2 h (n3); n4 still unacknowledged after 240 h, of which
    # the last 72 h its own clocks stood still (168 h held); n5 held 4.8 h until cancelled: mean 50.4 h
    assert stages["unit_to_acknowledge_hours"] == pytest.approx(50.4, abs=0.1)
    assert stages["paused_hours"] == pytest.approx(72.0, abs=0.1)
    # answers: n1 84 h, n2 96 h, n3 still unanswered 220.8 h to the cut-off: mean 133.6 h
    assert stages["unit_to_answer_hours"] == pytest.approx(133.6, abs=0.1)
    # releases: r1 after 4 days, r2 after 7 days → 132 h
    assert stages["unit_to_release_hours"] == pytest.approx(132.0, abs=0.1)
    assert stages["court_to_issue_hours"] is not None


def test_the_ranking_orders_units_and_shares_ranks(world, period, users, make_case,
                                                   django_capture_on_commit_callbacks):
    _upheld_and_unfounded(users, world["icbc"])
    scores = _compute(period, django_capture_on_commit_callbacks, users)
    active = Unit.objects.active().of_court(period.court_id).count()  # each county assesses its own units
    assert len(scores) == active  # idle units included
    assert scores["police"].rank == 1
    assert scores["tax"].rank == scores["court"].rank == 2  # equal scores share a rank
    assert scores["bank-icbc"].rank == active  # the lowest
    ordered = sorted(scores.values(), key=lambda s: s.rank)
    assert [s.score for s in ordered] == sorted((s.score for s in ordered), reverse=True)


def test_compute_is_repeatable_and_runs_a_constant_number_of_queries(
        world, period, users, issue, django_capture_on_commit_callbacks):
    first = {c: s.score for c, s in _compute(period, django_capture_on_commit_callbacks, users).items()}
    with CaptureQueriesContext(connection) as few:
        services.scores_refresh(period_id=period.pk)
    assert {s.unit.code: s.score for s in AssessmentScore.objects.filter(period=period)} == first
    for _ in range(5):
        issue(world["case"], "police", "query", subject="再次查询")
    with CaptureQueriesContext(connection) as more:
        services.scores_refresh(period_id=period.pk)
    assert len(more) == len(few)  # aggregations, not a query (or loop) per notice
    assert AssessmentScore.objects.filter(period=period).count() == Unit.objects.active().filter(court__code="鄂1022").count()


def test_scheme_weights_are_edited_by_the_assessor(world, period, users, api, django_capture_on_commit_callbacks):
    body = {"indicators": [{"code": "ack_on_time", "weight": "40"}, {"code": "actions_on_time", "enabled": False}]}
    assert api("office").put(f"/api/v1/assessment-periods/{period.pk}/scheme/", body, format="json").status_code == 403
    response = api("assessor").put(f"/api/v1/assessment-periods/{period.pk}/scheme/", body, format="json")
    assert response.status_code == 200
    weights = {i["code"]: i for i in response.json()["indicators"]}
    assert weights["ack_on_time"]["weight"] == "40.00" and weights["actions_on_time"]["enabled"] is False
    scores = _compute(period, django_capture_on_commit_callbacks, users)
    assert scores["bank-icbc"].metrics["ack_on_time"]["points"] == 26.67
    assert "actions_on_time" not in scores["bank-icbc"].metrics
    assert AssessmentEvent.objects.filter(period=period, transition="edit_scheme").exists()


# ---------------------------------------------------------------- finalising freezes the scores

def test_a_finalised_period_does_not_move_when_data_changes(world, period, users, api, issue,
                                                            django_capture_on_commit_callbacks):
    assert api("office").post(f"/api/v1/assessment-periods/{period.pk}/finalise/").status_code == 403
    response = api("assessor").post(f"/api/v1/assessment-periods/{period.pk}/finalise/")
    assert response.status_code == 200 and response.json()["status"] == "finalised"
    before = api("assessor").get(f"/api/v1/assessment-periods/{period.pk}/scores/").json()["results"]
    assert before

    # The data changes: a new late notice and two upheld findings.
    late = issue(world["case"], "bank-icbc", "freeze")
    _shape(late, issued_at=days(6), ack_due_at=days(5), due_at=days(4))
    _upheld_and_unfounded(users, world["icbc"])
    _upheld_and_unfounded(users, world["icbc"])

    assert api("assessor").post(f"/api/v1/assessment-periods/{period.pk}/compute/").status_code == 409
    assert services.scores_refresh(period_id=period.pk) == 0  # a stray task leaves the snapshot alone
    after = api("assessor").get(f"/api/v1/assessment-periods/{period.pk}/scores/").json()["results"]
    assert [(r["unit"]["code"], r["score"], r["rank"], r["metrics"]["answer_on_time"]["met"]) for r in after] == \
        [(r["unit"]["code"], r["score"], r["rank"], r["metrics"]["answer_on_time"]["met"]) for r in before]
    frozen = AssessmentScore.objects.filter(period=period).first()
    frozen.score = Decimal("100")
    with pytest.raises(PermissionDenied):
        frozen.save()
    # An open period computed from the same data does move.
    other = services.period_create(actor=users["assessor"], name="对照", starts_on=period.starts_on,
                                   ends_on=period.ends_on)
    moved = _compute(other, django_capture_on_commit_callbacks, users)
    icbc_before = next(r for r in before if r["unit"]["code"] == "bank-icbc")
    # 48.33 before; now ack 2/4 → 10, answer 1/4 → 7.5, two findings −10: 32.5
    assert icbc_before["score"] == 48.33 and moved["bank-icbc"].score == Decimal("32.50")


# ---------------------------------------------------------------- API: scores and who sees them

def test_scores_api_lists_every_active_unit_with_numbers(world, period, api, users,
                                                         django_capture_on_commit_callbacks):
    assert api("convener").post(f"/api/v1/assessment-periods/{period.pk}/compute/").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = api("office").post(f"/api/v1/assessment-periods/{period.pk}/compute/")
    assert response.status_code == 200 and response.json()["id"] == period.pk
    for username in ("assessor", "office", "convener"):
        body = api(username).get(f"/api/v1/assessment-periods/{period.pk}/scores/").json()
        assert body["next"] is None
        rows = body["results"]
        assert len(rows) == Unit.objects.active().filter(court__code="鄂1022").count()
        assert all(isinstance(r["score"], float) and isinstance(r["rank"], int) for r in rows)
        icbc = next(r for r in rows if r["unit"]["code"] == "bank-icbc")
        assert icbc["metrics"]["ack_on_time"]["evidence"].endswith("unit=bank-icbc&indicator=ack_on_time")


def test_a_liaison_sees_only_their_units_score_and_evidence(world, period, api, browser_client, users,
                                                            django_capture_on_commit_callbacks):
    _compute(period, django_capture_on_commit_callbacks, users)
    base = f"/api/v1/assessment-periods/{period.pk}"
    for username in ("liaison-police", "leader-police"):
        rows = api(username).get(f"{base}/scores/").json()["results"]
        assert [r["unit"]["code"] for r in rows] == ["police"]
        assert api(username).get(f"{base}/scores/police/").status_code == 200
        assert api(username).get(f"{base}/scores/bank-icbc/").status_code == 404
        assert api(username).get(f"{base}/evidence/?unit=bank-icbc&indicator=ack_on_time").status_code == 404
        own = api(username).get(f"{base}/evidence/?unit=police&indicator=actions_on_time").json()["results"]
        assert sorted(r["met"] for r in own) == [False, True]
        page = browser_client(username)
        assert page.get(f"/assessment/periods/{period.pk}/units/bank-icbc/").status_code == 404
        assert page.get(f"/assessment/periods/{period.pk}/units/bank-icbc/ack_on_time/").status_code == 404
        assert page.get(f"/assessment/periods/{period.pk}/units/police/").status_code == 200
        assert page.get(f"/assessment/periods/{period.pk}/").url == f"/assessment/periods/{period.pk}/units/police/"
        assert page.get(f"/assessment/periods/{period.pk}/export.xlsx").status_code == 403
    # The assessor follows a figure down to the notices behind it.
    evidence = api("assessor").get(f"{base}/evidence/?unit=bank-icbc&indicator=ack_on_time").json()["results"]
    assert sorted(r["id"] for r in evidence) == sorted(n.pk for n in world["n"][:3])
    assert sorted(r["met"] for r in evidence) == [False, True, True]
    assert api("liaison-tax").get(f"{base}/scores/police/").status_code == 404


def test_unit_page_and_evidence_page_show_the_figures(world, period, browser_client, users,
                                                      django_capture_on_commit_callbacks):
    _compute(period, django_capture_on_commit_callbacks, users)
    page = browser_client("liaison-bank-icbc").get(f"/assessment/periods/{period.pk}/units/bank-icbc/")
    assert page.status_code == 200
    assert page.context["score"].score == AssessmentScore.objects.get(period=period, unit__code="bank-icbc").score
    rows = browser_client("assessor").get(
        f"/assessment/periods/{period.pk}/units/bank-icbc/release_on_time/").context["rows"]
    assert {(r.object_id, r.met) for r in rows} == {(world["r"][0].pk, True), (world["r"][1].pk, False)}


# ---------------------------------------------------------------- ranking page, charts, Excel, PDF

def test_ranking_page_has_server_rendered_charts_and_constant_queries(
        world, period, browser_client, users, django_capture_on_commit_callbacks, make_case, issue):
    _compute(period, django_capture_on_commit_callbacks, users)
    client = browser_client("assessor")
    url = f"/assessment/periods/{period.pk}/"
    client.get(url)  # session and caches warmed up
    with CaptureQueriesContext(connection) as first:
        response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<svg") >= 3 and "cdn" not in html.lower()
    assert "<script" not in html.split("<main", 1)[1]
    for _ in range(3):
        _upheld_and_unfounded(users, world["icbc"])
    services.scores_refresh(period_id=period.pk)
    with CaptureQueriesContext(connection) as second:
        client.get(url)
    assert len(second) == len(first)
    # The other pages open; a liaison gets no ranking of others, the convener's dashboard is not theirs.
    assert client.get("/assessment/").status_code == 200
    assert client.get(f"/assessment/periods/{period.pk}/scheme/").status_code == 200
    assert browser_client("convener").get(url).status_code == 200
    assert browser_client("liaison-tax").get("/assessment/dashboard/").status_code == 404


def test_excel_export_opens_and_its_totals_equal_the_page(world, period, browser_client, api, users,
                                                          django_capture_on_commit_callbacks):
    from openpyxl import load_workbook

    _upheld_and_unfounded(users, world["icbc"])
    _compute(period, django_capture_on_commit_callbacks, users)
    page = browser_client("assessor").get(f"/assessment/periods/{period.pk}/")
    totals = page.context["totals"]
    response = api("office").get(f"/api/v1/assessment-periods/{period.pk}/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert api("convener").get(f"/api/v1/assessment-periods/{period.pk}/export.xlsx").status_code == 403
    assert api("liaison-police").get(f"/api/v1/assessment-periods/{period.pk}/export.xlsx").status_code == 403

    book = load_workbook(io.BytesIO(response.content))
    scores_sheet, evidence_sheet = book.worksheets
    rows = list(scores_sheet.iter_rows(values_only=True))
    title, _header, body, total = rows[0], rows[1], rows[2:-1], rows[-1]  # linkage.excel: a title row first
    assert period.name in title[0] and scores_sheet.freeze_panes == "A3"
    assert len(body) == totals["units"] == Unit.objects.active().filter(court__code="鄂1022").count()
    score_col = 2  # 名次, 单位, 得分: no internal unit code in the sheet
    assert "bank-icbc" not in {r[1] for r in body}
    assert Decimal(str(round(sum(r[score_col] for r in body), 2))) == totals["score"]
    assert Decimal(str(total[score_col])) == totals["score"]
    shown = page.content.decode()
    assert f'id="total-score">{totals["score"]}<' in shown

    evidence = list(evidence_sheet.iter_rows(values_only=True))[2:]
    from django.utils import translation

    from assessments.models import IndicatorCode
    with translation.override("zh-hans"):
        labels = {code: str(label) for code, label in IndicatorCode.choices}
        met = translation.gettext("Met")
    for code, figures in totals["indicators"].items():
        assert sum(1 for r in evidence if r[1] == labels[code]) == figures["sample"], code
        assert f'data-indicator="{code}" data-sample="{figures["sample"]}"' in shown
    icbc = world["icbc"].name
    ack_rows = {r[3]: r[5] == met for r in evidence if r[0] == icbc and r[1] == labels["ack_on_time"]}
    assert ack_rows == {world["n"][0].number: True, world["n"][1].number: False, world["n"][2].number: True}


def test_printable_pdf_report(world, period, browser_client, users, django_capture_on_commit_callbacks):
    _compute(period, django_capture_on_commit_callbacks, users)
    response = browser_client("assessor").get(f"/assessment/periods/{period.pk}/report.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert browser_client("liaison-police").get(f"/assessment/periods/{period.pk}/report.pdf").status_code == 404


def test_trend_across_periods(world, users, browser_client, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    first = services.period_create(actor=users["assessor"], name="上半年", starts_on=today - timedelta(days=200),
                                   ends_on=today - timedelta(days=31))
    second = services.period_create(actor=users["assessor"], name="下半年", starts_on=today - timedelta(days=30),
                                    ends_on=today)
    _compute(first, django_capture_on_commit_callbacks, users)
    _compute(second, django_capture_on_commit_callbacks, users)
    page = browser_client("liaison-police").get(f"/assessment/periods/{second.pk}/units/police/")
    svg = str(page.context["trend_chart"])
    assert "上半年" in svg and "下半年" in svg and "stroke-dasharray" in svg


# ---------------------------------------------------------------- periods: roles

def test_period_creation_roles(api, browser_client):
    body = {"name": "2026年上半年", "starts_on": "2026-01-01", "ends_on": "2026-06-30"}
    assert api("liaison-police").post("/api/v1/assessment-periods/", body, format="json").status_code == 403
    assert api("clerk").post("/api/v1/assessment-periods/", body, format="json").status_code == 403
    response = api("office").post("/api/v1/assessment-periods/", body, format="json")
    assert response.status_code == 201 and response.json()["status"] == "open"
    assert len(response.json()["indicators"]) == 7
    page = browser_client("office").get(f"/assessment/periods/{response.json()['id']}/")
    assert page.status_code == 200 and page.context["scores"] == [] and page.context["can_compute"]
    assert not page.context["can_finalise"]  # the assessor finalises
    bad = api("assessor").post("/api/v1/assessment-periods/", {**body, "ends_on": "2025-12-31"}, format="json")
    assert bad.status_code == 400 and "ends_on" in bad.json()


# ---------------------------------------------------------------- non-cooperation reports

def test_report_transitions_and_roles(api, issue, make_case, users):
    case = make_case()
    notice = issue(case, "bank-icbc", "freeze")
    police_notice = issue(case, "police", "query", subject="查询")
    body = {"unit": "bank-icbc", "kind": "passive", "detail": "逾期未协助冻结", "notices": [notice.pk]}
    for username in ("convener", "liaison-bank-icbc", "assessor"):
        assert api(username).post("/api/v1/noncooperation-reports/", body, format="json").status_code == 403
    bad = api("clerk").post("/api/v1/noncooperation-reports/", {**body, "notices": [police_notice.pk]},
                            format="json")
    assert bad.status_code == 400 and "notices" in bad.json()
    response = api("clerk").post("/api/v1/noncooperation-reports/", body, format="json")
    assert response.status_code == 201
    report = response.json()
    assert report["status"] == "filed" and report["notices"] == [notice.pk] and report["unit"]["code"] == "bank-icbc"
    url = f"/api/v1/noncooperation-reports/{report['id']}"

    # No other unit can see it; the reported unit reads it and answers.
    assert api("liaison-police").get(f"{url}/").status_code == 404
    assert api("liaison-police").post(f"{url}/decide/", {"outcome": "criticism"}, format="json").status_code == 404
    assert [r["id"] for r in api("liaison-police").get("/api/v1/noncooperation-reports/").json()["results"]] == []
    assert api("liaison-bank-icbc").get(f"{url}/").status_code == 200
    answered = api("liaison-bank-icbc").post(f"{url}/answer/", {"detail": "系统故障，已补办"}, format="json")
    assert answered.status_code == 200 and answered.json()["status"] == "answered"

    # Only a convener decides.
    for username in ("clerk", "office", "liaison-bank-icbc", "assessor"):
        assert api(username).post(f"{url}/decide/", {"outcome": "criticism"}, format="json").status_code == 403
    assert api("convener").post(f"{url}/decide/", {"outcome": "nonsense"}, format="json").status_code == 400
    decided = api("convener").post(f"{url}/decide/", {"outcome": "admonishment", "detail": "约谈主要负责人"},
                                   format="json")
    assert decided.status_code == 200
    assert decided.json()["status"] == "decided" and decided.json()["outcome"] == "admonishment"
    assert api("convener").post(f"{url}/decide/", {"outcome": "criticism"}, format="json").status_code == 409
    events = decided.json()["events"]
    assert [(e["transition"], e["from_status"], e["to_status"]) for e in events] == [
        ("file", "", "filed"), ("answer", "filed", "answered"), ("decide", "answered", "decided")]
    assert events[-1]["actor"] and events[-1]["at"]
    event = AssessmentEvent.objects.filter(report_id=report["id"]).first()
    with pytest.raises(PermissionDenied):
        event.save()


def test_a_referral_becomes_a_task_for_discipline_and_organization(api, users):
    icbc = Unit.objects.get(code="bank-icbc")
    plain = services.report_file(actor=users["office"], unit=icbc, kind="obstruction", detail="阻挠执行")
    services.report_decide(actor=users["convener"], report=plain, outcome="referral", detail="移送纪委监委")
    assert [t.unit.code for t in ReferralTask.objects.filter(report=plain)] == ["discipline"]
    cadres = services.report_file(actor=users["office"], unit=icbc, kind="refusal", detail="负责人拒不协助",
                                  concerns_cadres=True)
    services.report_decide(actor=users["convener"], report=cadres, outcome="referral", detail="移送")
    assert sorted(t.unit.code for t in ReferralTask.objects.filter(report=cadres)) == ["discipline", "organization"]

    # The discipline unit's liaison sees both reports and answers its tasks; organization only the cadres one.
    seen = {r["id"] for r in api("liaison-discipline").get("/api/v1/noncooperation-reports/").json()["results"]}
    assert seen == {plain.pk, cadres.pk}
    assert api("liaison-organization").get(f"/api/v1/noncooperation-reports/{plain.pk}/").status_code == 404
    assert api("liaison-organization").get(f"/api/v1/noncooperation-reports/{cadres.pk}/").status_code == 200
    task = ReferralTask.objects.get(report=plain, unit__code="discipline")
    assert api("liaison-police").post(f"/api/v1/referral-tasks/{task.pk}/answer/", {"detail": "x"},
                                      format="json").status_code == 404
    assert api("liaison-organization").post(f"/api/v1/referral-tasks/{task.pk}/answer/", {"detail": "x"},
                                            format="json").status_code == 404
    done = api("liaison-discipline").post(f"/api/v1/referral-tasks/{task.pk}/answer/", {"detail": "已立案审查"},
                                          format="json")
    assert done.status_code == 200 and done.json()["status"] == "answered"
    assert api("liaison-discipline").post(f"/api/v1/referral-tasks/{task.pk}/answer/", {"detail": "再次"},
                                          format="json").status_code == 409
    assert AssessmentEvent.objects.filter(task=task).values_list("transition", flat=True).count() == 2


def test_report_pages_scoped_and_decided_in_the_browser(browser_client, users):
    icbc = Unit.objects.get(code="bank-icbc")
    report = services.report_file(actor=users["clerk"], unit=icbc, kind="non_execution", detail="未执行")
    url = f"/assessment/reports/{report.pk}/"
    assert browser_client("liaison-police").get(url).status_code == 404
    assert browser_client("liaison-bank-icbc").get(url).context["can_answer"] is True
    assert browser_client("clerk").post(url, {"what": "decide", "outcome": "criticism"}).status_code == 403
    response = browser_client("convener").post(url, {"what": "decide", "outcome": "criticism", "detail": "通报"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "decided" and report.outcome == "criticism" and report.decided_by == users["convener"]
    new = browser_client("office").post("/assessment/reports/new/", {"unit": "police", "kind": "refusal",
                                                                      "detail": "拒绝协查"})
    assert new.status_code == 302
    assert browser_client("liaison-police").get("/assessment/reports/").context["reports"][0].unit.code == "police"


def test_report_list_runs_a_constant_number_of_queries(api, users):
    icbc = Unit.objects.get(code="bank-icbc")
    services.report_file(actor=users["clerk"], unit=icbc, kind="passive", detail="一")
    office = api("office")
    office.get("/api/v1/noncooperation-reports/")  # the token is made on first use
    with CaptureQueriesContext(connection) as one:
        office.get("/api/v1/noncooperation-reports/")
    for i in range(4):
        services.report_file(actor=users["clerk"], unit=icbc, kind="passive", detail=f"再{i}")
    with CaptureQueriesContext(connection) as five:
        body = office.get("/api/v1/noncooperation-reports/").json()
    assert len(body["results"]) == 5 and len(five) == len(one)


# ---------------------------------------------------------------- conveners' dashboard (Art. 9)

def test_dashboard_numbers_click_down_to_the_rows(world, browser_client, users):
    services.report_file(actor=users["clerk"], unit=world["icbc"], kind="passive", detail="拖延")
    client = browser_client("convener")
    data = client.get("/assessment/dashboard/").context["data"]
    icbc = next(r for r in data["overdue_by_unit"] if r["unit__code"] == "bank-icbc")
    # n3 is late to answer; n6 (issued 45 days ago, never acknowledged) late on both counts
    assert (icbc["ack"], icbc["answer"]) == (1, 2)
    rows = client.get("/assessment/dashboard/overdue/?unit=bank-icbc").context["rows"]
    assert {n.pk for n in rows} == {world["n"][2].pk, world["n"][5].pk}
    assert data["reports_open"] == 1
    assert len(client.get("/assessment/dashboard/reports/").context["rows"]) == 1
    police_items = next(r for r in data["action_items"] if r["unit__code"] == "police")
    assert (police_items["open"], police_items["overdue"]) == (1, 1)
    assert [i.pk for i in client.get("/assessment/dashboard/actions/?unit=police").context["rows"]] == \
        [world["items"][1].pk]
    assert client.get("/assessment/dashboard/key-cases/").status_code == 200
    assert browser_client("liaison-police").get("/assessment/dashboard/overdue/").status_code == 404


def test_home_panel_links_to_the_ranking_and_the_dashboard(browser_client):
    assessor = browser_client("assessor").get("/").content.decode()
    assert "/assessment/" in assessor
    convener = browser_client("convener").get("/").content.decode()
    assert "/assessment/dashboard/" in convener
    assert "/assessment/mine/" in browser_client("liaison-police").get("/").content.decode()


def test_an_id_typed_into_an_action_item_is_masked_in_the_frozen_evidence(world, period, browser_client, api,
                                                                         users, django_capture_on_commit_callbacks):
    """Finalising snapshots the evidence: the snapshot keeps the masked text, so the evidence page, its API
    and the export never show an ID a person typed into an action item."""
    from openpyxl import load_workbook

    from conferences.models import ActionItem

    from .conftest import make_resident_id

    person = make_resident_id(4570)
    ActionItem.objects.filter(pk=world["items"][0].pk).update(text=f"查找王五（{person}）下落")
    _compute(period, django_capture_on_commit_callbacks, users)
    assert api("assessor").post(f"/api/v1/assessment-periods/{period.pk}/finalise/").status_code == 200
    snapshot = list(period.evidence.filter(kind="actionitem").values_list("label", flat=True))
    assert any("查找王五" in label for label in snapshot) and not any(person in label for label in snapshot)
    base = f"/api/v1/assessment-periods/{period.pk}"
    for response in (api("assessor").get(f"{base}/evidence/?unit=police&indicator=actions_on_time"),
                     browser_client("assessor").get(f"/assessment/periods/{period.pk}/units/police/actions_on_time/")):
        assert response.status_code == 200 and person not in response.content.decode()
    book = load_workbook(io.BytesIO(api("office").get(f"{base}/export.xlsx").content))
    cells = [str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert any("查找王五" in c for c in cells) and not any(person in c for c in cells)
