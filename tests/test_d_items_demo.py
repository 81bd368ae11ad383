"""Issue 31, D8-D11: the demo month hangs together, and what an assessment period shows for units that
had nothing to assess.

* D8: each case's 执行依据 pairs its issuer with a number of that issuer's kind (a basic court's 民初 under
  its own code, the intermediate court's 民终 under 鄂10, an arbitration award 荆仲裁字).
* D9: the month's rows are dated after what they belong to, in working hours of Chinese working days
  (Asia/Shanghai), none at the minute the seed ran; a plenary meeting invites every member unit, names
  its attendees and its chair; its work report is fixed when the meeting is held, after it.
* D10: no case has more frozen than it is owed; priority (首封/轮候) is shown for freezes and seizures only.
* D11: a rate with no sample takes the neutral value everywhere it is shown; the ranking does not place
  a unit with no sample and says why; periods are named by their month.

The seed runs as ``make demo`` runs it (autocommit, on-commit work at once: a transactional test), at a
clock frozen on a working morning and, the second time, before office hours on the first working day
after the National Day holiday (the month then holds a week of holidays and a make-up working Sunday).
"""
import io
import re
from collections import defaultdict
from datetime import datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.db import models
from django.test import Client
from django.utils import timezone, translation
from openpyxl import load_workbook

from members.models import Unit, User
from members.seeding import seed_demo

from .conftest import PASSWORD

SHANGHAI = ZoneInfo("Asia/Shanghai")
# What a timestamp of the seed may be: a working day, between 08:00 and 18:00 (the seed keeps to 8:30 to
# 17:30; a delivery is sent a minute after it is queued).
EARLIEST, LATEST = time(8, 0), time(18, 0)
# Fields that are deadlines or terms (they may lie ahead), not the moment something happened.
NOT_STAMPS = re.compile(r"due|until|expires|next_attempt")
STAMPED_APPS = ("cases", "conferences", "credit", "assessments", "documents", "members")


def _workday(day) -> bool:
    from cases.deadlines import is_workday
    from cases.models import HolidayOverride

    return is_workday(day, dict(HolidayOverride.objects.values_list("date", "is_workday")))


def basis_pair_problem(issuer: str, number: str, basis_date=None) -> str:
    """What is wrong with a 执行依据 (issuer, number), or "" (the light check of D8)."""
    match = re.match(r"^（(\d{4})）", number)
    if not match:
        return f"{number}: no year"
    if basis_date is not None and int(match[1]) > basis_date.year:
        return f"{number}: numbered after its date {basis_date}"
    if "仲裁委员会" in issuer:
        ok = re.match(r"^（\d{4}）荆仲裁字第\d+号", number)
    elif "中级人民法院" in issuer:
        ok = re.match(r"^（\d{4}）鄂10民[初终]\d+号", number)
    elif "公安县人民法院" in issuer:
        ok = re.match(r"^（\d{4}）鄂1022民初\d+号", number)  # a basic court hears no appeal (民终)
    else:
        return f"{issuer}: unknown issuer"
    return "" if ok else f"{issuer} with {number}"


def test_the_seed_pairs_each_basis_with_a_number_of_its_issuers_kind():
    from portal.sample import BASIS, basis_for

    today = timezone.localdate()
    issuers = set()
    for i in range(30):
        basis_date = today - timedelta(days=90 + i * 3)
        issuer, number = basis_for(i, basis_date)
        issuers.add(issuer)
        assert not basis_pair_problem(issuer, number, basis_date)
    assert issuers == {b[0] for b in BASIS} and len(issuers) == 3
    # The check itself refuses the pairs the demo used to show.
    assert basis_pair_problem("荆州仲裁委员会", "（2025）鄂1022民初300号")
    assert basis_pair_problem("湖北省荆州市中级人民法院", "（2025）鄂1022民初311号")
    assert basis_pair_problem("湖北省公安县人民法院", "（2025）鄂1022民终311号")


# ---------------------------------------------------------------- the month, seeded as make demo does

def _stamps(since_pk):
    """(label, field, pk, value) for every timestamp of a row the sample made (pk above ``since_pk``) or
    moved (the demo accounts' posts), deadlines and terms left out."""
    for model in apps.get_models():
        if model._meta.app_label not in STAMPED_APPS:
            continue
        label = model._meta.label
        fields = [f.name for f in model._meta.fields
                  if isinstance(f, models.DateTimeField) and not NOT_STAMPS.search(f.name)]
        if not fields:
            continue
        rows = model.objects.all()
        if label not in ("members.User", "members.LiaisonAssignment"):
            rows = rows.filter(pk__gt=since_pk.get(label, 0))
        for row in rows.values("pk", *fields):
            for field in fields:
                if row[field] is not None:
                    yield label, field, row["pk"], row[field]


def _seed_month(clock):
    from portal.sample import seed_sample

    with time_machine.travel(clock, tick=True):
        seed_demo(PASSWORD)
        before = {m._meta.label: (m.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)
                  for m in apps.get_models() if m._meta.app_label in STAMPED_APPS}
        began = timezone.now()
        added = seed_sample()
    return added, before, began


def _check_times(before, began):
    """D9: nothing at the seeding minute, nothing after the last working moment, all in working hours."""
    late, off = [], []
    # The seal (signed, stored) is the real moment the seed sealed; the cut-offs are a period's end.
    exempt = {("documents.IssuedDocument", "signed_at"), ("documents.IssuedDocument", "stored_at")}
    cutoffs = {("assessments.AssessmentPeriod", "as_of")}
    count = 0
    for label, field, pk, value in _stamps(before):
        if (label, field) in exempt:
            continue
        count += 1
        if value >= began:
            late.append(f"{label}.{field} #{pk}: {value}")
            continue
        local = timezone.localtime(value, SHANGHAI)
        if (label, field) not in cutoffs and not (_workday(local.date()) and EARLIEST <= local.time() <= LATEST):
            off.append(f"{label}.{field} #{pk}: {local:%Y-%m-%d %a %H:%M}")
    assert count > 2000
    assert not late, "stamped while seeding:\n" + "\n".join(late[:40])
    assert not off, "outside working hours:\n" + "\n".join(off[:40])


def _check_order():
    """D9: every row comes after what it belongs to."""
    from cases.models import Case, CaseEvent, Delivery, Notice, NoticeEvent
    from conferences.models import AgendaItem, Invitation, Meeting, MeetingReport, Minutes
    from credit.models import CreditEntry

    for notice in Notice.objects.select_related("case"):
        events = list(NoticeEvent.objects.filter(notice=notice).order_by("id").values_list("at", flat=True))
        assert events == sorted(events), notice.number
        assert notice.issued_at >= notice.case.created_at, notice.number
        for earlier, later in (("issued_at", "delivered_at"), ("delivered_at", "acknowledged_at"),
                               ("acknowledged_at", "answered_at"), ("answered_at", "closed_at"),
                               ("issued_at", "cancelled_at")):
            a, b = getattr(notice, earlier), getattr(notice, later)
            if a is not None and b is not None:
                assert a <= b, (notice.number, earlier, later)
        issue = Delivery.objects.filter(notice=notice, purpose="issue").first()
        assert issue is None or issue.created_at == notice.issued_at
    for case in Case.objects.all():
        assert not CaseEvent.objects.filter(case=case, at__lt=case.created_at).exists(), case.number
        assert case.concluded_at is None or case.concluded_at > case.created_at
    for entry in CreditEntry.objects.select_related("case"):
        assert entry.created_at > entry.case.created_at
        assert entry.published_at is None or entry.published_at > entry.created_at
    meeting = Meeting.objects.get(kind="regular")
    minutes = Minutes.objects.get(meeting=meeting)
    report = MeetingReport.objects.get(meeting=meeting)
    assert meeting.created_at < meeting.starts_at < minutes.drafted_at < minutes.issued_at
    assert report.as_of == meeting.starts_at and report.frozen_at == minutes.issued_at > meeting.starts_at
    assert all(i.notified_at and meeting.created_at <= i.notified_at <= i.confirmed_at < meeting.starts_at
               for i in Invitation.objects.filter(meeting=meeting))
    for item in AgendaItem.objects.filter(meetings=meeting):
        assert item.proposed_at < item.decided_at < meeting.created_at
        assert all(c.created_at < item.proposed_at for c in item.cases.all())


def _check_meeting():
    """D9: a plenary meeting invites every member unit, with plausible attendees, chaired by the convener."""
    from conferences.models import Invitation, Meeting, Minutes

    meeting = Meeting.objects.get(kind="regular")
    invited = set(Invitation.objects.filter(meeting=meeting).values_list("unit__code", flat=True))
    assert invited == set(Unit.objects.active().filter(court=meeting.court).values_list("code", flat=True))
    attendees = list(Invitation.objects.filter(meeting=meeting).values_list("unit__code", "attendees"))
    texts = [text for _code, text in attendees]
    assert len(set(texts)) == len(texts)
    for code, text in attendees:
        assert re.fullmatch(r"[\u4e00-\u9fff、]+[\u4e00-\u9fff]{2,3}、联络员[\u4e00-\u9fff]{2,3}", text), (code, text)
        assert "负责人" not in text and "联络员、" not in text
    plc = dict(attendees)["plc"]
    chair = plc.split("、联络员")[0][-3:]
    summary = Minutes.objects.get(meeting=meeting).summary
    assert "召集人" in summary and chair[-2:] in summary and f"{len(texts)}家成员单位" in summary
    president = User.objects.get(username="president")
    assert president.last_name + president.first_name in dict(attendees)["court"]


def _check_freezes(client):
    """D10: no case has more frozen than it is owed; a restriction shows no priority."""
    from cases.models import Case, Measure, Notice

    frozen, asked = defaultdict(Decimal), defaultdict(Decimal)
    for measure in Measure.objects.filter(action__code="freeze"):
        frozen[measure.case_id] += measure.amount or 0
    for notice in Notice.objects.filter(action__code="freeze", kind="assist", amount__isnull=False):
        asked[notice.case_id] += notice.amount
    for case in Case.objects.all():
        assert frozen[case.pk] <= case.amount, (case.number, frozen[case.pk], case.amount)
        assert asked[case.pk] <= case.amount, (case.number, asked[case.pk], case.amount)
    assert len([c for c in frozen.values() if c]) >= 10
    bans = Measure.objects.filter(action__code="restrict")
    assert bans.exists()
    for ban in bans:
        html = client.get(f"/cases/{ban.case_id}/").content.decode()
        assert _priority_cell(html, ban.pk) == "—"
        held = Measure.objects.filter(case_id=ban.case_id, action__code__in=["freeze", "seize"]).first()
        if held is not None:
            assert _priority_cell(html, held.pk).startswith("首封")


def _priority_cell(html: str, pk: int, column: int = 4) -> str:
    """The priority cell of a measure's row (the fifth column; the sixth where the case is listed first)."""
    row = re.search(rf'<tr id="measure-{pk}">(.*?)</tr>', html, re.S)
    assert row, pk
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row[1], re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cells[column])).strip()


def _ranking_rows(html: str) -> list[tuple[str, str, str]]:
    """(rank cell, unit, data quality) per row of the ranking table."""
    table = html.split('<table id="ranking"', 1)[1].split("</tbody>", 1)[0]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("<tbody>", 1)[1], re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        text = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip() for c in cells]
        rows.append((text[0], text[1], text[3]))
    return rows


def _check_periods(client):
    """D11: periods named by their month; the ranking places only units that had a sample."""
    from assessments.exports import build_workbook
    from assessments.models import AssessmentPeriod, AssessmentScore

    periods = list(AssessmentPeriod.objects.order_by("starts_on"))
    assert len(periods) == 2
    for period in periods:
        assert re.fullmatch(r"\d{4}年\d{1,2}月", period.name), period.name
        assert period.name == f"{period.starts_on.year}年{period.starts_on.month}月"
        assert period.starts_on.day == 1 and (period.ends_on + timedelta(days=1)).day == 1
        html = client.get(f"/assessment/periods/{period.pk}/").content.decode()
        assert "考评考评" not in html and "上期" not in html
        scores = {s.unit.name: s for s in AssessmentScore.objects.filter(period=period).select_related("unit")}
        rows = _ranking_rows(html)
        assert len(rows) == len(scores)
        idle = [name for name, s in scores.items() if s.data_quality == "no_sample"]
        for rank, name, _quality in rows:
            if name in idle:
                assert rank.startswith("—"), (period.name, name, rank)
            else:
                assert rank.isdigit(), (period.name, name, rank)
        places = [int(rank) for rank, _n, _q in rows if rank.isdigit()]
        assert places == sorted(places) and (not places or places[0] == 1)
        assert ('id="no-sample-note"' in html) == bool(idle)
        with translation.override("zh-hans"):
            book = load_workbook(io.BytesIO(build_workbook(User.objects.get(username="assessor"), period)))
            title = book.worksheets[0]["A1"].value
        assert title == f"{period.name}考评得分", title
    return periods


@pytest.mark.django_db(transaction=True)
def test_the_demo_month_hangs_together_on_a_working_morning():
    clock = datetime(2026, 6, 10, 10, 20, tzinfo=SHANGHAI)  # a Wednesday
    added, before, began = _seed_month(clock)
    assert added["cases"] == 32
    with time_machine.travel(clock + timedelta(minutes=3), tick=True):
        from cases.models import Case, Notice

        # D8: each basis pairs its issuer with a number of its kind, numbered no later than its date.
        bases = list(Case.objects.exclude(basis_number="").values_list("basis_issuer", "basis_number", "basis_date"))
        assert len(bases) == 32 and {b[0] for b in bases} >= {"荆州仲裁委员会", "湖北省荆州市中级人民法院"}
        assert [p for p in (basis_pair_problem(*b) for b in bases) if p] == []
        # D9: the month is spread over working days and hours, in order, none at the seeding minute.
        _check_times(before, began)
        _check_order()
        _check_meeting()
        issued = [timezone.localtime(t, SHANGHAI).date() for t in Notice.objects.values_list("issued_at", flat=True)]
        answered = {timezone.localtime(t, SHANGHAI).date()
                    for t in Notice.objects.exclude(answered_at=None).values_list("answered_at", flat=True)}
        assert (max(issued) - min(issued)).days >= 20 and len(set(issued)) >= 15 and len(answered) >= 10
        assert max(issued) < clock.date()  # nothing issued today before 10:20 the seed made up
        clerk = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        clerk.force_login(User.objects.get(username="clerk"))
        _check_freezes(clerk)
        assessor = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        assessor.force_login(User.objects.get(username="assessor"))
        ended, running = _check_periods(assessor)
        # Last month's period holds most of the month: units with a sample are ranked, and not all alike.
        from assessments.models import AssessmentScore

        ranked = AssessmentScore.objects.filter(period=ended).exclude(data_quality="no_sample")
        assert ranked.count() >= 5 and len(set(ranked.values_list("score", flat=True))) >= 3
        assert ended.as_of == timezone.make_aware(datetime(2026, 6, 1), SHANGHAI)
        assert running.as_of < began
        # D2: the sealing is the demo's (tests/test_embedded_clocks.py seals the seed's documents).


@pytest.mark.django_db(transaction=True)
def test_the_demo_month_before_office_hours_after_the_national_day_holiday():
    """Seeded at 07:10 on the first working day after 1-7 October 2026: the last working moment is 30
    September 17:30; the holiday week and the make-up working Sunday (20 September) are respected."""
    from cases.models import Notice
    from conferences.models import Meeting

    clock = datetime(2026, 10, 8, 7, 10, tzinfo=SHANGHAI)
    added, before, began = _seed_month(clock)
    assert added["cases"] == 32
    with time_machine.travel(clock + timedelta(minutes=3), tick=True):
        _check_times(before, began)
        _check_order()
        last = datetime(2026, 9, 30, 17, 30, tzinfo=SHANGHAI)
        stamps = [v for _l, f, _pk, v in _stamps(before) if f not in ("signed_at", "stored_at", "as_of")]
        assert max(stamps) <= last
        assert Meeting.objects.get(kind="regular").starts_at < last
        assert Notice.objects.filter(issued_at__gte=datetime(2026, 9, 30, tzinfo=SHANGHAI)).exists()
        assessor = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        assessor.force_login(User.objects.get(username="assessor"))
        ended, running = _check_periods(assessor)
        # October had nothing yet: every unit is idle, every score the neutral 100, none ranked, and the page
        # says that the period cannot be ranked.
        html = assessor.get(f"/assessment/periods/{running.pk}/").content.decode()
        assert all(rank.startswith("—") for rank, _n, _q in _ranking_rows(html))
        assert set(running.scores.values_list("score", flat=True)) == {Decimal("100.00")}
        note = html.split('id="no-sample-note"', 1)[1].split("</p>", 1)[0]
        with translation.override("zh-hans"):
            expected = translation.gettext("No unit had a notice to assess in this period.")
        assert expected in note


# ---------------------------------------------------------------- D11: 0/0 takes the neutral value everywhere

@pytest.fixture
def scored(users, make_case, issue, django_capture_on_commit_callbacks):
    """A period in which police answered its notice, bank-icbc answered "unable" and no one else had any."""
    from assessments import services
    from cases import services as case_services

    today = timezone.localdate()
    period = services.period_create(actor=users["assessor"], name="2026年测试期",
                                    starts_on=today - timedelta(days=20), ends_on=today + timedelta(days=10))
    case = make_case()
    for unit, outcome in (("police", "done"), ("bank-icbc", "unable")):
        notice = issue(case, unit, "query", subject="查询被执行人财产")
        notice = case_services.notice_acknowledge(actor=users[f"liaison-{unit}"], notice=notice)
        case_services.notice_answer(actor=users[f"liaison-{unit}"], notice=notice, outcome=outcome,
                                    detail="已查询。" if outcome == "done" else "经查询无财产。")
    with django_capture_on_commit_callbacks(execute=True):
        services.period_compute(actor=users["assessor"], period=period)
    return period


def _client(username, language="en"):
    client = Client()
    client.force_login(User.objects.get(username=username))
    client.cookies["django_language"] = language
    return client


@pytest.mark.django_db
def test_a_rate_with_no_sample_takes_the_neutral_value_wherever_it_is_shown(scored):
    from assessments import charts, exports
    from assessments.models import AssessmentScore

    period = scored
    scores = {s.unit.code: s for s in AssessmentScore.objects.filter(period=period).select_related("unit")}
    tax, police, icbc = scores["tax"], scores["police"], scores["bank-icbc"]
    # The score: answered done is police 1/1 and bank-icbc 0/1, so an idle unit's neutral value is 0.5.
    done = tax.metrics["answered_done"]
    assert (done["sample"], done["flag"], done["value"], done["points"]) == (0, "no_sample", 0.5, 10.0)
    assert (icbc.metrics["answered_done"]["value"], police.metrics["answered_done"]["value"]) == (0.0, 1.0)
    # Nobody had a release: 0/0 everywhere is the neutral 1.0, never 0.
    assert {s.metrics["release_on_time"]["points"] for s in scores.values()} == {20.0}
    assert tax.data_quality == "no_sample" and tax.rank == police.rank + 1  # stored: every unit ranked
    # The on-time chart draws an idle unit's bar at its neutral value, grey, labelled, not at 0.
    listed = exports.attach_cells(list(AssessmentScore.objects.filter(period=period).select_related("unit")
                                       .order_by("rank", "unit__sort_order")), exports.indicator_columns(period))
    with translation.override("en"):
        svg = str(charts.rate_bars(listed))
    bar = re.search(r'<rect [^>]*width="([\d.]+)"[^>]*fill="([^"]+)"><title>' + re.escape(tax.unit.name)
                    + r" 0/0 · no sample: neutral value</title>", svg)
    assert bar and float(bar[1]) > 0 and bar[2] == charts.FLAG_COLOR
    # The ranking: places among the units with a sample; "—" for the others, and a note that counts them.
    page = _client("assessor").get(f"/assessment/periods/{period.pk}/")
    rows = _ranking_rows(page.content.decode())
    by_unit = {name: rank for rank, name, _q in rows}
    assert by_unit[police.unit.name] == "1" and by_unit[icbc.unit.name] == "2"
    assert by_unit[tax.unit.name].startswith("—") and "not ranked" in by_unit[tax.unit.name]
    idle = Unit.objects.active().filter(court__code="鄂1022").count() - 2  # the period's own county
    assert page.context["no_sample"] == {"idle": idle, "everyone": False}
    note = page.content.decode().split('id="no-sample-note"', 1)[1].split("</p>", 1)[0]
    assert f"{idle} units had no notice to assess in this period" in note
    # The unit's own page and an indicator's evidence say the same.
    mine = _client("liaison-tax").get(f"/assessment/periods/{period.pk}/units/tax/")
    assert mine.context["place"] is None and "the neutral value, not earned" in mine.content.decode()
    assert _client("liaison-police").get(f"/assessment/periods/{period.pk}/units/police/").context["place"] == 1
    evidence = _client("assessor").get(f"/assessment/periods/{period.pk}/units/tax/answered_done/")
    assert "No sample: the neutral value applies (the mean of the units that had a sample), 10.0 points" in (
        evidence.content.decode())


@pytest.mark.django_db
def test_an_indicator_enabled_after_the_computation_is_shown_blank_not_zero(scored, users):
    from assessments import exports, services

    period = scored
    services.scheme_update(actor=users["assessor"], period=period,
                           indicators=[{"code": "answered_done", "enabled": False}])
    services.scores_refresh(period_id=period.pk)
    services.scheme_update(actor=users["assessor"], period=period,
                           indicators=[{"code": "answered_done", "enabled": True}])
    period.refresh_from_db()
    score = SimpleNamespace(metrics={}, data_quality="ok", score=Decimal("50"))
    cell = exports.attach_cells([score], [("answered_done", "x")])[0].cells[0]
    assert cell["kind"] == "missing" and cell["points"] is None
    html = _client("assessor").get(f"/assessment/periods/{period.pk}/").content.decode()
    table = html.split('<table id="ranking"', 1)[1].split("</tbody>", 1)[0]
    assert "/answered_done/" not in table  # no figure to link: "—"


@pytest.mark.django_db
def test_a_period_with_no_sample_at_all_says_it_cannot_be_ranked(users, django_capture_on_commit_callbacks):
    from assessments import services

    period = services.period_create(actor=users["assessor"], name="2020年1月", starts_on=datetime(2020, 1, 1).date(),
                                    ends_on=datetime(2020, 1, 31).date())
    with django_capture_on_commit_callbacks(execute=True):
        services.period_compute(actor=users["assessor"], period=period)
    assert set(period.scores.values_list("score", flat=True)) == {Decimal("100.00")}
    page = _client("office").get(f"/assessment/periods/{period.pk}/")
    html = page.content.decode()
    assert page.context["no_sample"]["everyone"]
    assert all(rank.startswith("—") for rank, _n, _q in _ranking_rows(html))
    assert "No unit had a notice to assess in this period." in html and "cannot be ranked" in html
    pdf = _client("office").get(f"/assessment/periods/{period.pk}/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


# ---------------------------------------------------------------- D10: priority only where it applies

@pytest.mark.django_db
def test_priority_is_shown_for_freezes_and_seizures_only(users, make_case, issue):
    from cases import services as case_services
    from cases.models import Measure

    case = make_case()
    for unit, action, subject in (("police", "restrict", "限制被执行人出境"),
                                  ("bank-icbc", "freeze", "冻结被执行人名下存款")):
        kwargs = {"asset_kind": "deposit", "amount": Decimal("5000.00")} if action == "freeze" else {}
        notice = issue(case, unit, action, subject=subject, **kwargs)
        notice = case_services.notice_acknowledge(actor=users[f"liaison-{unit}"], notice=notice)
        case_services.notice_answer(actor=users[f"liaison-{unit}"], notice=notice, outcome="done", detail="已办理。",
                                    result_amount=Decimal("5000.00") if action == "freeze" else None)
    ban, freeze = (Measure.objects.get(case=case, action__code=code) for code in ("restrict", "freeze"))
    html = _client("clerk", "zh-hans").get(f"/cases/{case.pk}/").content.decode()
    assert _priority_cell(html, ban.pk) == "—"
    assert _priority_cell(html, freeze.pk) == "首封/首冻"
    listing = _client("clerk", "zh-hans").get("/measures/").content.decode()
    assert _priority_cell(listing, ban.pk, 5) == "—" and _priority_cell(listing, freeze.pk, 5) == "首封/首冻"
    # The register's Excel export says the same.
    import io

    from openpyxl import load_workbook

    export = _client("clerk", "zh-hans").get(f"/measures/?case={case.pk}&format=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content) if export.streaming
                                     else export.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(r for r in rows if "顺位" in [str(v) for v in r] or any(v and "顺位" in str(v) for v in r))
    column = next(i for i, v in enumerate(header) if v and "顺位" in str(v))
    by_action = {r[2]: r[column] for r in rows[rows.index(header) + 1:] if r[2]}
    assert by_action[ban.action.name] == "—" and by_action[freeze.action.name] == "首封/首冻"
