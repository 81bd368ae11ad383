"""Measures: dates as the law counts them, waiting seizures, renewal before expiry, and the single release
with its ground and ruling.

* 民诉法解释 (2022) Art. 485: deposits 1 year, movables 2 years, real estate and other property rights
  3 years; a renewal runs as long again and must be done before expiry.
* A term runs from the day the measure takes effect (the unit's answer; default: the day the notice was
  served) and ends the day before the same date N years on: 自2026年12月2日起至2027年12月1日止. It lapses at
  the end of its last day, Asia/Shanghai.
* 查封扣押冻结规定 (2020) Art. 26: a waiting seizure (轮候) takes effect when the earlier one is gone;
  Art. 28: the grounds on which a release ruling is made.

Every expected date is written out by hand. Clocks are frozen with time_machine at fixed Shanghai times,
so these tests do not depend on the day or hour they run.
"""
from datetime import UTC, date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from cases import measures, services
from cases.measures import measures_sweep
from cases.models import Attachment, Measure, Notice, NoticeEvent
from cases.terms import guess_asset_kind, term_end, term_for, term_label

from .conftest import final_ready, pdf_bytes

API = "/api/v1/"
SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_FREEZE = "new freeze"  # what the refusal of a lapsed renewal must say (English msgid)


def at(year, month, day, hour=10, minute=0):
    """A Shanghai wall-clock instant."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def travel(moment):
    return time_machine.travel(moment, tick=True)


def _pdf(name="裁定书.pdf", text="ruling"):
    return SimpleUploadedFile(name, pdf_bytes(text), content_type="application/pdf")


def _fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


@pytest.fixture
def take(users, issue):
    """``take(case, unit, action, issued=..., served=..., answered=..., **measure)`` → the recorded Measure:
    the clerk issues (with a ruling), the unit's liaison signs for it and answers done, each at its time."""

    def _take(case, unit_code="bank-icbc", action_code="freeze", *, subject="冻结被执行人名下存款",
              issued=None, served=None, answered=None, amount="50000.00", **measure):
        issued = issued or at(2026, 12, 1, 9)
        served = served or issued
        answered = answered or served
        liaison = users[f"liaison-{unit_code}"]
        with travel(issued):
            notice = issue(case, unit_code, action_code, subject=subject,
                           ruling_file=_pdf() if action_code in ("freeze", "seize") else None)
        with travel(served):
            services.notice_acknowledge(actor=liaison, notice=notice)
        with travel(answered):
            services.notice_answer(actor=liaison, notice=notice, outcome="done", result_amount=amount,
                                   measure=measure or None)
        return Measure.objects.get(notice=notice)

    return _take


@pytest.fixture
def deposit(make_case, take):
    """A deposit freeze served on 2 December 2026: 自2026年12月2日起至2027年12月1日止."""
    with travel(at(2026, 11, 30)):
        case = make_case()
    return take(case, served=at(2026, 12, 2, 9), answered=at(2026, 12, 2, 11),
                asset="工行账户6222020200001234567")


# ------------------------------------------------------------------------------------------ terms

@pytest.mark.parametrize(("kind", "start", "end"), [
    ("deposit", date(2026, 12, 2), date(2027, 12, 1)),          # 1 year, the day before the anniversary
    ("fund", date(2026, 12, 2), date(2027, 12, 1)),             # housing fund / social insurance: 12 months
    ("movable", date(2026, 12, 2), date(2028, 12, 1)),          # 2 years
    ("real_estate", date(2026, 12, 2), date(2029, 12, 1)),      # 3 years
    ("equity", date(2026, 12, 2), date(2029, 12, 1)),           # other property right: 3 years
    ("other", date(2026, 12, 2), date(2029, 12, 1)),            # 其他财产权: 3 years
    ("unknown", date(2026, 12, 2), date(2027, 12, 1)),          # not stated: the shortest, never the longest
    ("deposit", date(2028, 2, 29), date(2029, 2, 28)),          # no 29 Feb 2029: anniversary 1 March
    ("movable", date(2028, 2, 29), date(2030, 2, 28)),
    ("real_estate", date(2028, 2, 29), date(2031, 2, 28)),
    ("deposit", date(2027, 2, 28), date(2028, 2, 27)),          # an ordinary day in a leap year's February
    ("deposit", date(2027, 3, 1), date(2028, 2, 29)),           # ends on a leap day
    ("deposit", date(2026, 1, 1), date(2026, 12, 31)),
])
def test_each_asset_kind_has_its_legal_term(db, kind, start, end):
    assert term_end(start, kind) == end
    assert term_for("freeze", kind, start) == (start, end)
    assert term_for("seize", kind, start) == (start, end)


def test_terms_as_rulings_state_them(db):
    assert term_label(date(2026, 12, 2), date(2027, 12, 1)) == "自2026年12月2日起至2027年12月1日止"
    assert term_label(None, None) == ""
    for action in ("restrict", "locate", "publicize"):
        assert term_for(action, "other", date(2026, 12, 2)) is None
    assert term_for("seize", "real_estate", None) is None  # a waiting seizure: no term yet


def test_an_asset_kind_that_cannot_be_told_is_unknown_not_other():
    def notice(unit_code, unit_kind, action):
        return SimpleNamespace(unit=SimpleNamespace(code=unit_code, kind=unit_kind),
                               action=SimpleNamespace(code=action))

    assert guess_asset_kind(notice("market", "gov", "seize")) == "unknown"
    assert guess_asset_kind(notice("tax", "gov", "freeze")) == "unknown"
    assert guess_asset_kind(notice("police", "gov", "restrict")) == "unknown"
    assert guess_asset_kind(notice("police", "gov", "seize")) == "movable"
    assert guess_asset_kind(notice("natres", "gov", "seize")) == "real_estate"
    assert guess_asset_kind(notice("bank-icbc", "bank", "freeze")) == "deposit"
    assert guess_asset_kind(notice("fund", "gov", "freeze")) == "fund"


def test_a_notice_whose_asset_kind_cannot_be_told_states_one_year(db):
    from cases.terms import notice_term_months

    def notice(unit_code, unit_kind, action, asset_kind=""):
        return SimpleNamespace(unit=SimpleNamespace(code=unit_code, kind=unit_kind),
                               action=SimpleNamespace(code=action), asset_kind=asset_kind)

    assert notice_term_months(notice("market", "gov", "seize")) == 12  # guessed unknown: the shortest
    assert notice_term_months(notice("market", "gov", "seize", "unknown")) == 12
    assert notice_term_months(notice("natres", "gov", "seize")) == 36
    assert notice_term_months(notice("natres", "gov", "seize", "deposit")) == 12  # the clerk's kind wins


def test_the_term_is_the_one_the_notice_stated_whatever_kind_the_unit_reports(make_case, take):
    """The notice told the registry 查封期限为三年 (a seizure at natres: real estate); the unit's answer
    calling the asset 'unknown' relabels the register but cannot shorten what the unit was told."""
    case = make_case()
    m = take(case, "natres", "seize", subject="查封某处财产", served=at(2026, 12, 2), asset_kind="unknown")
    assert (m.asset_kind, m.starts_on, m.expires_on) == ("unknown", date(2026, 12, 2), date(2029, 12, 1))


# ------------------------------------------------------------------------------------------ effective date

def test_the_term_runs_from_service_and_another_day_is_refused(make_case, take, issue, users):
    """查封扣押冻结规定 Art. 1: the measure takes effect when the notice is served; the unit may repeat the
    day of service in its answer, never another one."""
    case = make_case()
    m = take(case, served=at(2026, 12, 2), answered=at(2026, 12, 5), effective_on=date(2026, 12, 2))
    assert (m.starts_on, m.expires_on) == (date(2026, 12, 2), date(2027, 12, 1))
    with pytest.raises(ValidationError) as exc:
        take(case, served=at(2026, 12, 2), answered=at(2026, 12, 5), effective_on=date(2026, 12, 3))
    assert "effective_on" in exc.value.message_dict


def test_the_effective_date_over_the_api(make_case, issue, api, users):
    case = make_case()
    with travel(at(2026, 12, 1)):
        notice = issue(case, "police", "seize", subject="扣押车辆鄂D12345", ruling_file=_pdf())
    client = api("liaison-police")
    with travel(at(2026, 12, 2)):
        assert client.post(f"{API}notices/{notice.pk}/acknowledge/", {}, format="json").status_code == 200
    with travel(at(2026, 12, 4)):
        refused = client.post(f"{API}notices/{notice.pk}/answer/", {
            "outcome": "done", "result_amount": "60000.00",
            "measure": {"asset": "鄂D12345", "effective_on": "2026-12-03"}}, format="json")
        assert refused.status_code == 400 and "effective_on" in refused.json(), refused.content
        assert not Measure.objects.filter(notice=notice).exists()
        response = client.post(f"{API}notices/{notice.pk}/answer/", {
            "outcome": "done", "result_amount": "60000.00",
            "measure": {"asset": "鄂D12345", "effective_on": "2026-12-02"}}, format="json")
    assert response.status_code == 200, response.content
    m = Measure.objects.get(notice=notice)
    assert (m.asset_kind, m.starts_on, m.expires_on) == ("movable", date(2026, 12, 2), date(2028, 12, 1))
    with travel(at(2026, 12, 4)):
        body = api("clerk").get(f"{API}measures/{m.pk}/").json()
    assert (body["starts_on"], body["expires_on"]) == ("2026-12-02", "2028-12-01")
    assert body["term_label"] == "自2026年12月2日起至2028年12月1日止"
    assert body["renewable"] is True


@pytest.mark.parametrize(("effective_on", "why"), [
    (date(2026, 12, 6), "in the future"), (date(2026, 11, 30), "before the notice was issued"),
    ("2026-13-01", "not a date"),
])
def test_an_impossible_effective_date_is_refused_and_nothing_recorded(make_case, issue, users, effective_on,
                                                                      why):
    case = make_case()
    liaison = users["liaison-bank-icbc"]
    with travel(at(2026, 12, 1)):
        notice = issue(case, "bank-icbc", "freeze", ruling_file=_pdf())
        services.notice_acknowledge(actor=liaison, notice=notice)
    with travel(at(2026, 12, 5)), pytest.raises(ValidationError) as exc:
        services.notice_answer(actor=liaison, notice=notice, outcome="done", result_amount="10.00",
                               measure={"effective_on": effective_on})
    assert "effective_on" in exc.value.message_dict, why
    assert _fresh(notice).status == "acknowledged"
    assert not Measure.objects.filter(notice=notice).exists()


def test_by_default_the_term_starts_on_the_day_of_service_in_shanghai(make_case, issue, users):
    """Signed for at 00:30 on 2 December in Gong'an, which is still 1 December in UTC."""
    case = make_case()
    liaison = users["liaison-bank-icbc"]
    with travel(at(2026, 12, 1, 15)):
        notice = issue(case, "bank-icbc", "freeze", ruling_file=_pdf())
    with travel(at(2026, 12, 2, 0, 30)):
        assert timezone.now().astimezone(UTC).date() == date(2026, 12, 1)
        services.notice_acknowledge(actor=liaison, notice=notice)
    with travel(at(2026, 12, 4, 16)):
        services.notice_answer(actor=liaison, notice=notice, outcome="done", result_amount="800.00")
    m = Measure.objects.get(notice=notice)
    assert (m.starts_on, m.expires_on) == (date(2026, 12, 2), date(2027, 12, 1))


# ------------------------------------------------------------------------------------------ waiting seizures

@pytest.fixture
def waiting(make_case, take):
    """A waiting seizure of real estate at the registry, third in the queue."""
    case = make_case()
    return take(case, "natres", "seize", subject="轮候查封不动产", served=at(2026, 12, 2), amount="300000.00",
                asset="鄂(2026)公安县不动产权第0000777号", priority="waiting", queue_position=3)


def test_a_waiting_seizure_has_no_term_and_shows_its_place(waiting, api, browser_client, users):
    assert (waiting.priority, waiting.queue_position) == ("waiting", 3)
    assert (waiting.starts_on, waiting.expires_on) == (None, None)
    body = api("clerk").get(f"{API}measures/{waiting.pk}/").json()
    assert (body["priority"], body["queue_position"], body["starts_on"], body["expires_on"]) == (
        "waiting", 3, None, None)
    assert (body["term_label"], body["renewable"]) == ("", False)

    html = browser_client("clerk").get("/measures/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    row = html.split(f'id="measure-{waiting.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "place 3 in the queue" in row
    assert '<td class="term">' in row and "—" in row.split('<td class="term">', 1)[1].split("</td>", 1)[0]
    assert f'action="/measures/{waiting.pk}/renew/"' not in row
    assert f'action="/measures/{waiting.pk}/take-effect/"' in row
    assert f'action="/measures/{waiting.pk}/release/"' in row  # a waiting seizure can be released too

    with pytest.raises(ValidationError):
        measures.measure_renew(actor=users["clerk"], measure=waiting)
    assert measures_sweep(today=date(2040, 1, 1))["lapsed"] == 0  # no term: it never lapses while it waits
    assert _fresh(waiting).status == "active"


def test_the_clerk_records_that_a_waiting_seizure_took_effect(waiting, browser_client):
    with travel(at(2027, 3, 10)):
        response = browser_client("clerk").post(f"/measures/{waiting.pk}/take-effect/",
                                                {"effective_on": "2027-03-09"})
    assert response.status_code == 302
    m = _fresh(waiting)
    assert (m.priority, m.queue_position) == ("first", None)
    assert (m.starts_on, m.expires_on) == (date(2027, 3, 9), date(2030, 3, 8))
    event = NoticeEvent.objects.get(notice=m.notice, transition="measure_effective")
    assert event.from_status == event.to_status == _fresh(m.notice).status
    assert "2027-03-09" in event.note and "自2027年3月9日起至2030年3月8日止" in event.note


def test_the_holding_liaison_records_it_over_the_api_and_others_cannot(waiting, api):
    url = f"{API}measures/{waiting.pk}/take-effect/"
    with travel(at(2027, 3, 10)):
        assert api("liaison-police").post(url, {"effective_on": "2027-03-09"}, format="json").status_code == 404
        assert api("liaison-bank-icbc").post(url, {"effective_on": "2027-03-09"},
                                             format="json").status_code == 404
        assert _fresh(waiting).priority == "waiting"
        client = api("liaison-natres")
        assert client.post(url, {"effective_on": "2027-03-11"}, format="json").status_code == 400  # future
        assert client.post(url, {}, format="json").status_code == 400
        assert _fresh(waiting).priority == "waiting"
        response = client.post(url, {"effective_on": "2027-03-09"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["priority"], body["queue_position"]) == ("first", None)
    assert (body["starts_on"], body["expires_on"]) == ("2027-03-09", "2030-03-08")
    assert body["term_label"] == "自2027年3月9日起至2030年3月8日止"
    with travel(at(2027, 3, 10)):
        again = client.post(url, {"effective_on": "2027-03-09"}, format="json")
    assert again.status_code == 400  # no longer waiting


def test_another_units_liaison_gets_404_and_a_unit_leader_403_on_the_page(make_case, take, browser_client, users):
    case = make_case()
    m = take(case, "police", "seize", subject="轮候扣押车辆", served=at(2026, 12, 2), amount="60000.00",
             priority="waiting", queue_position=2)
    url = f"/measures/{m.pk}/take-effect/"
    with travel(at(2027, 1, 5)):
        assert browser_client("liaison-natres").post(url, {"effective_on": "2027-01-04"}).status_code == 404
        assert browser_client("leader-police").post(url, {"effective_on": "2027-01-04"}).status_code == 403
        with pytest.raises(PermissionDenied):
            measures.measure_take_effect(actor=users["leader-police"], measure=m, effective_on=date(2027, 1, 4))
        assert _fresh(m).priority == "waiting"
        assert browser_client("liaison-police").post(url, {"effective_on": "2027-01-04"}).status_code == 302
    m = _fresh(m)
    assert (m.priority, m.starts_on, m.expires_on) == ("first", date(2027, 1, 4), date(2029, 1, 3))


# ------------------------------------------------------------------------------------------ renewal

def test_renewal_before_expiry_starts_the_day_after_the_old_term(deposit, users, api):
    assert (deposit.starts_on, deposit.expires_on) == (date(2026, 12, 2), date(2027, 12, 1))
    with travel(at(2027, 11, 20)):
        assert api("clerk").get(f"{API}measures/{deposit.pk}/").json()["renewable"] is True
        renewal = measures.measure_renew(actor=users["clerk"], measure=deposit)
        assert api("clerk").get(f"{API}measures/{deposit.pk}/").json()["renewable"] is False  # one is open
    assert renewal.kind == "renewal" and renewal.original_id == deposit.notice_id
    assert "自2027年12月2日起至2028年12月1日止" in renewal.subject
    liaison = users["liaison-bank-icbc"]
    with travel(at(2027, 11, 22)):
        services.notice_acknowledge(actor=liaison, notice=renewal)
        services.notice_answer(actor=liaison, notice=renewal, outcome="done", detail="已续冻",
                               result_amount="50000.00")
    m = _fresh(deposit)
    assert (m.status, m.starts_on, m.expires_on, m.renewals) == ("active", date(2026, 12, 2), date(2028, 12, 1), 1)


def test_renewal_is_still_possible_late_on_the_last_day(deposit, users):
    with travel(at(2027, 12, 1, 23, 30)):
        renewal = measures.measure_renew(actor=users["clerk"], measure=deposit)
    assert "自2027年12月2日起至2028年12月1日止" in renewal.subject


def test_a_lapsed_measure_cannot_be_renewed(deposit, users, api, browser_client):
    notices = Notice.objects.count()
    with travel(at(2027, 12, 2, 0, 30)):  # the sweep has not run yet: the law, not the status, decides
        with translation.override("en"), pytest.raises(ValidationError) as exc:
            measures.measure_renew(actor=users["clerk"], measure=deposit)
        assert NEW_FREEZE in " ".join(exc.value.messages)
        response = api("clerk").post(f"{API}measures/{deposit.pk}/renew/", {}, format="json",
                                     HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400
        assert NEW_FREEZE in str(response.json())
        html = browser_client("clerk").get("/measures/").content.decode()
        assert f'action="/measures/{deposit.pk}/renew/"' not in html
        measures_sweep()
        assert _fresh(deposit).status == "lapsed"
        with pytest.raises(ValidationError):
            measures.measure_renew(actor=users["clerk"], measure=deposit)
    assert Notice.objects.count() == notices


def test_the_renew_endpoint(deposit, api):
    url = f"{API}measures/{deposit.pk}/renew/"
    with travel(at(2027, 11, 1)):
        assert api("liaison-police").post(url, {}, format="json").status_code == 404
        assert api("liaison-bank-icbc").post(url, {}, format="json").status_code == 403
        response = api("clerk").post(url, {}, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["kind"], response.json()["original"]) == ("renewal", deposit.notice_id)


@pytest.mark.parametrize("swept", [False, True])
def test_a_renewal_served_after_the_end_does_not_revive_it(deposit, users, swept):
    liaison = users["liaison-bank-icbc"]
    with travel(at(2027, 11, 28)):
        renewal = measures.measure_renew(actor=users["clerk"], measure=deposit)
    if swept:
        with travel(at(2027, 12, 2, 0, 30)):
            assert measures_sweep()["lapsed"] == 1
    with travel(at(2027, 12, 2, 9)):
        services.notice_acknowledge(actor=liaison, notice=renewal)  # served the day after the last day
    with travel(at(2027, 12, 3)):
        services.notice_answer(actor=liaison, notice=renewal, outcome="done", detail="已续冻",
                               result_amount="50000.00")
    m = _fresh(deposit)
    assert (m.status, m.expires_on, m.renewals, m.lapsed_on) == ("lapsed", date(2027, 12, 1), 0, date(2027, 12, 2))
    event = NoticeEvent.objects.filter(notice=renewal, transition="renewal_too_late").first()
    assert event is not None and "2027-12-01" in event.note


def test_a_final_no_property_case_keeps_renewing_a_completed_one_does_not(deposit, users, make_case, take):
    with travel(at(2027, 6, 1)):
        services.case_conclude(actor=users["clerk"], case=deposit.case, outcome="final_no_property", **final_ready(deposit.case))
    assert _fresh(deposit).release_notice_id is None
    with travel(at(2027, 11, 20)):
        renewal = measures.measure_renew(actor=users["clerk"], measure=deposit)
    assert "自2027年12月2日起至2028年12月1日止" in renewal.subject

    with travel(at(2026, 11, 30)):
        other_case = make_case()
    other = take(other_case, served=at(2026, 12, 2))
    with travel(at(2027, 6, 1)):
        services.case_conclude(actor=users["clerk"], case=other_case, outcome="completed", note="已全部履行")
    with travel(at(2027, 11, 20)), pytest.raises(ValidationError):
        measures.measure_renew(actor=users["clerk"], measure=other)


# ------------------------------------------------------------------------------------------ the daily sweep

def test_a_measure_lapses_at_the_end_of_its_last_day_in_shanghai(deposit):
    with travel(at(2027, 12, 1, 23, 30)):
        assert measures_sweep()["lapsed"] == 0
    assert _fresh(deposit).status == "active"
    with travel(at(2027, 12, 2, 0, 30)):
        assert timezone.now().astimezone(UTC).date() == date(2027, 12, 1)  # UTC has not turned yet
        assert measures_sweep()["lapsed"] == 1
    m = _fresh(deposit)
    assert (m.status, m.lapsed_on) == ("lapsed", date(2027, 12, 2))


def test_reminders_go_on_for_a_final_no_property_case(deposit, users, make_case, take):
    with travel(at(2026, 11, 30)):
        done_case = make_case()
    done = take(done_case, served=at(2026, 12, 2))
    with travel(at(2027, 6, 1)):
        services.case_conclude(actor=users["clerk"], case=deposit.case, outcome="final_no_property", **final_ready(deposit.case))
        services.case_conclude(actor=users["clerk"], case=done_case, outcome="completed", note="已全部履行")
    mail.outbox.clear()
    # Friday 26 November 2027: Monday 29, Tuesday 30 and Wednesday 1 December are the 3 working days left.
    assert measures_sweep(today=date(2027, 11, 26))["reminded"] == 1
    assert deposit.reminders.count() == 1
    assert not done.reminders.exists()  # released by its conclusion: nothing to renew
    assert deposit.asset in mail.outbox[0].subject


# ------------------------------------------------------------------------------------------ single release

def _counts():
    return Notice.objects.count(), Attachment.objects.count(), NoticeEvent.objects.count()


def _bad_release_inputs(other_ruling_id):
    return [
        ({"ruling": "FILE"}, "ground"),
        ({"ground": "completed", "ruling": "FILE"}, "ground"),   # the conclusion's ground, not Art. 28's
        ({"ground": "gold", "ruling": "FILE"}, "ground"),
        # No ruling at all is no error: the portal draws the release ruling up (rulings.py).
        ({"ground": "debt_paid", "ruling": "TEXT"}, "ruling"),   # not a PDF
        ({"ground": "debt_paid", "ruling": "BIG"}, "ruling"),    # over the upload limit
        ({"ground": "debt_paid", "ruling": other_ruling_id}, "ruling"),  # another case's ruling
    ]


def _body(spec):
    body = dict(spec)
    if body.get("ruling") == "FILE":
        body["ruling"] = _pdf("解除冻结裁定书.pdf")
    elif body.get("ruling") == "TEXT":
        body["ruling"] = SimpleUploadedFile("裁定书.pdf", b"not a pdf at all", content_type="application/pdf")
    elif body.get("ruling") == "BIG":
        body["ruling"] = _pdf("大文件.pdf", "x" * 4000)
    return body


@pytest.fixture
def other_ruling(make_case, users):
    case = make_case()
    return services.ruling_store(actor=users["clerk"], case=case, upload=_pdf())


def test_each_bad_release_is_a_400_and_writes_nothing(deposit, api, other_ruling, settings):
    settings.UPLOAD_MAX_BYTES = len(pdf_bytes("x" * 4000)) - 1
    client = api("clerk")
    url = f"{API}measures/{deposit.pk}/release/"
    for spec, field in _bad_release_inputs(other_ruling.pk):
        before = _counts()
        response = client.post(url, _body(spec), format="multipart")
        assert response.status_code == 400, (spec, response.content)
        assert field in response.json(), (spec, response.json())
        assert _counts() == before, spec
    assert _fresh(deposit).release_notice_id is None


def test_each_bad_release_is_a_form_error_on_the_page_and_writes_nothing(deposit, browser_client, other_ruling,
                                                                         settings):
    settings.UPLOAD_MAX_BYTES = len(pdf_bytes("x" * 4000)) - 1
    client = browser_client("clerk")
    url = f"/measures/{deposit.pk}/release/"
    for spec, field in _bad_release_inputs(other_ruling.pk):
        if isinstance(spec.get("ruling"), int):
            continue  # the page uploads the ruling; choosing one by id is the API's
        before = _counts()
        response = client.post(url, _body(spec))
        assert response.status_code == 200, spec
        form = response.context["release_form"]
        assert field in form.errors, (spec, form.errors)
        html = response.content.decode()
        assert f'for="id_release_{deposit.pk}_{field}"' in html  # the field keeps its label
        assert 'role="alert"' in html
        assert _counts() == before, spec
    assert _fresh(deposit).release_notice_id is None


def test_a_liaison_cannot_release_and_another_unit_gets_404(deposit, api):
    url = f"{API}measures/{deposit.pk}/release/"
    body = {"ground": "debt_paid", "ruling": _pdf()}
    assert api("liaison-police").post(url, body, format="multipart").status_code == 404
    assert api("liaison-bank-icbc").post(url, _body({"ground": "debt_paid", "ruling": "FILE"}),
                                         format="multipart").status_code == 403
    assert not Notice.objects.filter(kind="release").filter(original=deposit.notice).exists()


def test_the_release_notice_carries_the_ground_and_the_uploaded_ruling(deposit, browser_client,
                                                                       django_capture_on_commit_callbacks):
    before = set(Attachment.objects.filter(case=deposit.case, purpose="ruling").values_list("ruling_seq", flat=True))
    assert before == {1}  # the freeze's own ruling
    with django_capture_on_commit_callbacks(execute=True):
        response = browser_client("clerk").post(f"/measures/{deposit.pk}/release/", {
            "ground": "security", "ruling": _pdf("解除冻结裁定书.pdf"), "note": "被执行人提供银行保函"})
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{deposit.case_id}/"
    release = Notice.objects.get(original=deposit.notice, kind="release")
    assert release.release_ground == "security"
    assert release.unit_id == deposit.unit_id
    ruling = release.ruling
    assert (ruling.case_id, ruling.purpose, ruling.title, ruling.ruling_seq) == (
        deposit.case_id, "ruling", "解除冻结裁定书", 2)
    assert _fresh(deposit).release_notice_id == release.pk
    assert NoticeEvent.objects.filter(notice=release, note__contains="银行保函").exists()


def test_a_release_over_the_api_may_name_a_ruling_already_filed(make_case, take, api, users):
    case = make_case()
    m = take(case, "natres", "seize", subject="查封不动产", served=at(2026, 12, 2), amount="800000.00",
             priority="waiting", queue_position=1)
    filed = services.ruling_store(actor=users["clerk"], case=case, upload=_pdf(), title="解除查封裁定书")
    attachments = Attachment.objects.count()
    response = api("clerk").post(f"{API}measures/{m.pk}/release/",
                                 {"ground": "third_party", "ruling": filed.pk}, format="multipart")
    assert response.status_code == 201, response.content
    release = Notice.objects.get(pk=response.json()["id"])
    assert (release.kind, release.release_ground, release.ruling_id) == ("release", "third_party", filed.pk)
    assert Attachment.objects.count() == attachments
    assert _fresh(m).release_notice_id == release.pk


def test_an_uploaded_seizure_release_ruling_is_titled_for_a_seizure(make_case, take, users):
    case = make_case()
    m = take(case, "police", "seize", subject="扣押车辆", served=at(2026, 12, 2), amount="60000.00")
    release = measures.measure_release(actor=users["clerk"], measure=m, ground="unsaleable",
                                       ruling_file=_pdf("解除查封裁定书.pdf"))
    assert (release.ruling.title, release.release_ground) == ("解除查封裁定书", "unsaleable")


# ------------------------------------------------------------------------------------------ query counts

def _count(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_page_and_api_query_counts_do_not_grow_with_waiting_and_renewable_rows(make_case, take, browser_client,
                                                                              api, users):
    case = make_case()

    def add(n):
        for i in range(n):
            take(case, "natres", "seize", subject=f"轮候{i}", served=at(2026, 12, 2), amount="1.00",
                 priority="waiting", queue_position=i + 1)
            m = take(case, served=at(2026, 12, 2), amount="2.00", asset=f"账户{i}")
            if i % 2:
                measures.measure_renew(actor=users["clerk"], measure=m)

    with travel(at(2027, 1, 10)):  # sessions made here, so that they have not expired
        clerk, natres, rest = browser_client("clerk"), browser_client("liaison-natres"), api("clerk")
        urls = [(clerk, "/measures/"), (clerk, f"/cases/{case.pk}/"), (natres, "/measures/"),
                (natres, f"/cases/{case.pk}/"), (rest, f"{API}measures/")]
        add(1)
        few = [_count(client, url) for client, url in urls]
        add(4)
        many = [_count(client, url) for client, url in urls]
    assert many == few
