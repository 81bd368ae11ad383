"""Issue 7: the measures register. A freeze, seizure, restriction, search or publication executed by a unit is
recorded with its legal time limit; the clerk renews it before it lapses, releases it alone, and the Art. 35
conclusion fan-out is driven by the register.

Expected dates are worked out here by hand (``relativedelta`` for months, ``chinese_calendar`` for working
days), never by calling the code under test."""
import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from cases import delivery, measures, services
from cases.measures import measures_sweep
from cases.models import Delivery, Measure, MeasureLimit, MeasureReminder, Notice, NoticeEvent
from cases.terms import expiry_for
from linkage.dates import add_months
from members.models import Capability
from tests.conftest import case_ruling

from .conftest import pdf_bytes

API = "/api/v1/"

# DOMAIN.md section 4, written out so the tests do not take the rule from the code they check.
MEASURE_ACTIONS = {"freeze", "seize", "restrict", "locate", "publicize"}
LIMITED_ACTIONS = {"freeze", "seize"}  # the SPC's limits apply to freezes and seizures only
OPEN_STATES = {"issued", "delivered", "acknowledged"}

# A Tuesday just after National Day 2026: 1-7 October are holidays, Saturday 10 October is a make-up workday.
EXPIRY = date(2026, 10, 13)

pytestmark = pytest.mark.dates  # every test here also runs at 23:30 and 00:30 Asia/Shanghai (conftest)


# ------------------------------------------------------------------------------------------ helpers

def _today():
    return timezone.localdate()


def _fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def _term_end(start, months):
    """The last day of a term of ``months`` from ``start`` (民诉法解释 Art. 485, counted as rulings do:
    自2026年12月2日起至2027年12月1日止): the day before the anniversary; where the target month lacks the
    start's day (29 February), the anniversary is the 1st of the next month, so the term ends on the last
    day of the target month."""
    anniversary = start + relativedelta(months=months)
    if anniversary.day != start.day:  # relativedelta clamped it to the end of a shorter month
        return anniversary
    return anniversary - timedelta(days=1)


def _term_text(start, end):
    return f"自{start.year}年{start.month}月{start.day}日起至{end.year}年{end.month}月{end.day}日止"


def _liaison(users, notice):
    return users[f"liaison-{notice.unit.code}"]


def _answer(users, notice, outcome="done", *, amount=None, measure=None, detail=None):
    """The unit's liaison signs for the notice (if not yet) and answers it."""
    liaison = _liaison(users, notice)
    if _fresh(notice).status in ("issued", "delivered"):
        services.notice_acknowledge(actor=liaison, notice=notice)
    if detail is None:
        detail = "" if outcome == "done" else "部分执行，其余无法执行"
    if amount is None and notice.action.code in services.AMOUNT_REQUIRED_ACTIONS and outcome != "unable":
        amount = "1000.00"  # the law wants the amount of a freeze or deduction; tests not about it use this
    return services.notice_answer(actor=liaison, notice=notice, outcome=outcome, detail=detail,
                                  result_amount=amount, measure=measure)


def _executed(users, issue, case, unit_code, action_code, subject="冻结被执行人名下存款", **answer):
    notice = issue(case, unit_code, action_code, subject=subject)
    _answer(users, notice, **answer)
    return Measure.objects.get(notice=notice)


def _set_expiry(measure, day):
    Measure.objects.filter(pk=measure.pk).update(expires_on=day)
    measure.refresh_from_db()
    return measure


def _lapse(measure, today=None):
    """Let ``measure`` run out: expiry yesterday, then the daily sweep."""
    today = today or _today()
    _set_expiry(measure, today - timedelta(days=1))
    measures_sweep(today=today)
    measure.refresh_from_db()
    assert measure.status == "lapsed"
    return measure


def _ruling_upload(name="解除冻结裁定书.pdf"):
    return SimpleUploadedFile(name, pdf_bytes("release ruling"), content_type="application/pdf")


def _release_alone(users, measure, *, confirm=True):
    release = measures.measure_release(actor=users["clerk"], measure=measure, ground="debt_paid",
                                       ruling_file=_ruling_upload())
    if confirm:
        _answer(users, release, "done", detail="已解除")
    return release


def _is_workday(day):
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year the package does not know: Monday to Friday
        return day.weekday() < 5


def _working_days_left(today, expiry):
    """Working days after ``today`` up to and including ``expiry``."""
    count, day = 0, today + timedelta(days=1)
    while day <= expiry:
        count += _is_workday(day)
        day += timedelta(days=1)
    return count


def _reminder_day(expiry, n, start):
    """The first day from ``start`` on which ``expiry`` is at most ``n`` working days away."""
    day = start
    while _working_days_left(day, expiry) > n:
        day += timedelta(days=1)
    return day


def _ids(rows):
    return sorted(row.pk if hasattr(row, "pk") else row["id"] for row in rows)


def _api_ids(response):
    assert response.status_code == 200, response.content
    body = response.json()
    assert "results" in body, body
    return sorted(row["id"] for row in body["results"])


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run on-commit work (delivery) of the block."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def frozen(users, make_case, issue):
    """A bank-deposit freeze answered done at ICBC."""
    case = make_case()
    return _executed(users, issue, case, "bank-icbc", "freeze", amount="50000.00",
                     measure={"asset": "工行账户6222020200001234567"})


# ------------------------------------------------------------------------------------------ recording

def test_freeze_done_at_a_bank_records_one_measure(users, make_case, issue):
    case = make_case(amount="200000.00")
    notice = issue(case, "bank-icbc", "freeze", subject="冻结被执行人名下存款")
    _answer(users, notice, amount="35000.5", measure={"asset": "工行账户6222020200001234567"})

    rows = list(Measure.objects.filter(case=case))
    assert len(rows) == 1
    m = rows[0]
    today = _today()
    assert m.notice_id == notice.pk
    assert m.unit.code == "bank-icbc"
    assert m.action.code == "freeze"
    assert m.asset == "工行账户6222020200001234567"
    assert m.asset_kind == "deposit"
    assert m.amount == Decimal("35000.50") == _fresh(notice).result_amount
    assert m.starts_on == today
    assert m.expires_on == _term_end(today, 12)
    assert m.priority == "first"
    assert m.queue_position is None
    assert m.status == "active"
    assert m.renewals == 0
    assert m.release_notice_id is None
    assert m.party == case.parties.get(role="debtor")


def test_asset_defaults_to_the_notice_subject_and_no_amount(users, make_case, issue):
    case = make_case()
    m = _executed(users, issue, case, "bank-abc", "freeze", subject="冻结张三在农行的全部存款")
    assert m.asset == "冻结张三在农行的全部存款"
    assert m.amount == Decimal("1000.00")  # a freeze always states its amount
    assert m.asset_kind == "deposit"
    seizure = _executed(users, issue, case, "natres", "seize", subject="查封张三名下房产")
    assert seizure.asset == "查封张三名下房产" and seizure.amount is None


def test_with_two_debtors_the_measure_names_no_single_debtor(users, make_case, issue):
    case = make_case(debtors=2)
    m = _executed(users, issue, case, "bank-icbc", "freeze")
    assert m.party is None


@pytest.mark.parametrize(("unit_code", "action_code", "subject", "asset_kind", "months"), [
    ("bank-icbc", "freeze", "冻结存款", "deposit", 12),
    ("bank-ccb", "freeze", "冻结存款", "deposit", 12),
    ("police", "seize", "扣押车辆鄂D12345", "movable", 24),
    ("natres", "seize", "查封不动产 鄂(2026)公安县不动产权第0001234号", "real_estate", 36),
    ("market", "freeze", "冻结被执行人持有的某公司30%股权", "equity", 36),
])
def test_limited_measures_get_their_legal_expiry(users, make_case, issue, unit_code, action_code, subject,
                                                 asset_kind, months):
    case = make_case()
    m = _executed(users, issue, case, unit_code, action_code, subject=subject, amount="1000.00")
    today = _today()
    assert m.asset_kind == asset_kind
    assert m.asset == subject
    assert m.starts_on == today
    assert m.expires_on == _term_end(today, months)
    assert m.status == "active"


@pytest.mark.parametrize(("unit_code", "action_code"), [
    ("police", "restrict"), ("finance", "restrict"), ("police", "locate"), ("market", "publicize"),
    ("ndrc", "publicize"),
])
def test_restrict_locate_publicize_have_no_expiry(users, make_case, issue, unit_code, action_code):
    case = make_case()
    m = _executed(users, issue, case, unit_code, action_code, subject=f"{action_code} 被执行人")
    assert m.expires_on is None
    assert m.starts_on == _today()
    assert m.status == "active"
    assert m.unit.code == unit_code and m.action.code == action_code


def test_partial_answer_records_the_measure(users, make_case, issue):
    case = make_case()
    m = _executed(users, issue, case, "natres", "seize", subject="查封两处房产", outcome="partial",
                  detail="一处已查封，另一处已被他院查封", amount="800000.00",
                  measure={"asset": "鄂(2026)公安县不动产权第0000001号"})
    assert m.asset == "鄂(2026)公安县不动产权第0000001号"
    assert m.amount == Decimal("800000.00")
    assert m.expires_on == _term_end(_today(), 36)


@pytest.mark.parametrize(("unit_code", "action_code"), [
    ("bank-icbc", "freeze"), ("police", "seize"), ("natres", "seize"), ("police", "restrict"),
    ("police", "locate"), ("market", "publicize"),
])
def test_answered_unable_records_nothing(users, make_case, issue, unit_code, action_code):
    case = make_case()
    notice = issue(case, unit_code, action_code, subject="执行措施")
    _answer(users, notice, "unable", detail="无财产可供执行", measure={"asset": "无"})
    assert _fresh(notice).outcome == "unable"
    assert not Measure.objects.filter(case=case).exists()


@pytest.mark.parametrize(("unit_code", "action_code"), [
    ("bank-icbc", "query"), ("bank-icbc", "deduct"), ("tax", "deduct"), ("natres", "transfer"),
])
def test_query_deduct_and_other_one_off_actions_record_nothing(users, make_case, issue, unit_code, action_code):
    case = make_case()
    notice = issue(case, unit_code, action_code, subject="一次性事项")
    _answer(users, notice, "done", amount="1200.00", measure={"asset": "账户", "asset_kind": "deposit"})
    assert _fresh(notice).status == "answered"
    assert not Measure.objects.filter(case=case).exists()


def test_waiting_seizure_keeps_its_place_in_the_queue_over_the_api(api, make_case, issue):
    case = make_case()
    notice = issue(case, "natres", "seize", subject="轮候查封不动产")
    client = api("liaison-natres")
    assert client.post(f"{API}notices/{notice.pk}/acknowledge/", {}, format="json").status_code == 200
    response = client.post(f"{API}notices/{notice.pk}/answer/", {
        "outcome": "done", "result_amount": "650000.00",
        "measure": {"asset": "鄂(2026)公安县不动产权第0000777号", "priority": "waiting", "queue_position": 2},
    }, format="json")
    assert response.status_code == 200, response.content
    m = Measure.objects.get(notice=notice)
    assert m.priority == "waiting"
    assert m.queue_position == 2
    assert m.asset == "鄂(2026)公安县不动产权第0000777号"
    assert m.asset_kind == "real_estate"
    assert m.amount == Decimal("650000.00")
    assert (m.starts_on, m.expires_on) == (None, None)  # no term while it waits
    body = api("clerk").get(f"{API}measures/{m.pk}/").json()
    assert (body["priority"], body["queue_position"], body["notice"]) == ("waiting", 2, notice.pk)
    assert (body["starts_on"], body["expires_on"], body["renewable"]) == (None, None, False)


def test_a_first_seizure_has_no_queue_position(users, make_case, issue):
    case = make_case()
    m = _executed(users, issue, case, "natres", "seize", measure={"priority": "first", "queue_position": 3})
    assert m.priority == "first"
    assert m.queue_position is None


def test_asset_kind_given_by_the_unit_labels_the_register_and_the_notice_keeps_the_term(users, make_case, issue):
    """The police were told 扣押期限为两年 (a movable, guessed); the unit's answer that it is 'other
    property' relabels the register and leaves the term the notice stated (one rule, one date)."""
    case = make_case()
    m = _executed(users, issue, case, "police", "seize", subject="扣押挖掘机",
                  measure={"asset_kind": "other", "asset": "挖掘机一台"})
    assert m.asset_kind == "other"
    assert m.expires_on == _term_end(_today(), 24)


def test_bad_asset_kind_is_400_in_the_api_and_changes_nothing(api, make_case, issue):
    case = make_case()
    notice = issue(case, "bank-icbc", "freeze")
    client = api("liaison-bank-icbc")
    assert client.post(f"{API}notices/{notice.pk}/acknowledge/", {}, format="json").status_code == 200
    events = NoticeEvent.objects.filter(notice=notice).count()
    response = client.post(f"{API}notices/{notice.pk}/answer/", {
        "outcome": "done", "result_amount": "100.00", "measure": {"asset_kind": "gold_bars"},
    }, format="json")
    assert response.status_code == 400, response.content
    assert "measure" in response.json()
    after = _fresh(notice)
    assert after.status == "acknowledged"
    assert after.outcome == "" and after.result_amount is None and after.answered_at is None
    assert NoticeEvent.objects.filter(notice=notice).count() == events
    assert not Measure.objects.filter(notice=notice).exists()


@pytest.mark.parametrize(("measure", "field"), [({"asset_kind": "gold_bars"}, "asset_kind"),
                                                ({"priority": "urgent"}, "priority")])
def test_bad_measure_refused_by_the_service_and_the_answer_rolled_back(users, make_case, issue, measure, field):
    case = make_case()
    notice = issue(case, "bank-icbc", "freeze")
    services.notice_acknowledge(actor=users["liaison-bank-icbc"], notice=notice)
    with pytest.raises(ValidationError) as exc:
        services.notice_answer(actor=users["liaison-bank-icbc"], notice=notice, outcome="done",
                               result_amount="10.00", measure=measure)
    assert field in exc.value.message_dict
    after = _fresh(notice)
    assert after.status == "acknowledged" and after.outcome == ""
    assert not NoticeEvent.objects.filter(notice=notice, transition="answer").exists()
    assert not Measure.objects.filter(notice=notice).exists()


def test_answer_form_in_the_browser_records_the_measure(browser_client, make_case, issue, users):
    case = make_case()
    notice = issue(case, "police", "seize", subject="扣押车辆")
    services.notice_acknowledge(actor=users["liaison-police"], notice=notice)
    response = browser_client("liaison-police").post(f"/notices/{notice.pk}/answer/", {
        "outcome": "done", "detail": "", "result_amount": "90000.00", "asset": "鄂D12345 小型轿车",
        "asset_kind": "movable", "priority": "waiting", "queue_position": "4",
    })
    assert response.status_code == 302
    m = Measure.objects.get(notice=notice)
    assert (m.asset, m.asset_kind, m.priority, m.queue_position) == ("鄂D12345 小型轿车", "movable", "waiting", 4)
    assert m.amount == Decimal("90000.00")
    assert m.expires_on is None  # a waiting seizure has no term while it waits
    assert m.starts_on is None


# ------------------------------------------------------------------------------------------ limits are data

def test_an_edited_limit_changes_the_computed_expiry(users, make_case, issue):
    assert MeasureLimit.objects.filter(asset_kind="deposit").update(months=6) == 1
    case = make_case()
    deposit = _executed(users, issue, case, "bank-icbc", "freeze")
    vehicle = _executed(users, issue, case, "police", "seize", subject="扣押车辆")
    today = _today()
    assert deposit.expires_on == _term_end(today, 6)
    assert vehicle.expires_on == _term_end(today, 24)  # other limits untouched


def test_a_new_limit_row_for_a_kind_is_used(users, make_case, issue):
    MeasureLimit.objects.filter(asset_kind="movable").delete()
    MeasureLimit.objects.create(asset_kind="movable", months=18, basis="地方试行规定")
    m = _executed(users, issue, make_case(), "police", "seize", subject="扣押车辆")
    assert m.expires_on == _term_end(_today(), 18)


@pytest.mark.parametrize(("day", "months", "expected"), [
    (date(2026, 1, 31), 1, date(2026, 2, 28)),
    (date(2028, 1, 31), 1, date(2028, 2, 29)),
    (date(2028, 2, 29), 12, date(2029, 2, 28)),
    (date(2026, 11, 30), 3, date(2027, 2, 28)),
    (date(2026, 12, 31), 6, date(2027, 6, 30)),
    (date(2026, 3, 15), 36, date(2029, 3, 15)),
    (date(2026, 12, 1), 1, date(2027, 1, 1)),
])
def test_add_months_clamps_to_the_end_of_the_month(day, months, expected):
    assert add_months(day, months) == expected


def test_expiry_on_hand_made_dates(db):
    # The last day of the term: the day before the same date N years on (自…起至…止).
    assert expiry_for("freeze", "deposit", date(2028, 2, 29)) == date(2029, 2, 28)
    assert expiry_for("seize", "movable", date(2026, 8, 31)) == date(2028, 8, 30)
    assert expiry_for("seize", "real_estate", date(2026, 1, 31)) == date(2029, 1, 30)
    assert expiry_for("freeze", "equity", date(2026, 5, 20)) == date(2029, 5, 19)
    for action in ("restrict", "locate", "publicize"):
        assert expiry_for(action, "other", date(2026, 5, 20)) is None


# ------------------------------------------------------------------------------------------ renewal

def test_renewal_notice_goes_to_the_same_unit(users, frozen, commit):
    case = frozen.case
    before = set(Notice.objects.filter(case=case).values_list("pk", flat=True))
    mail.outbox.clear()
    with commit():
        renewal = measures.measure_renew(actor=users["clerk"], measure=frozen)
    renewal = _fresh(renewal)
    assert renewal.kind == "renewal"
    assert renewal.original_id == frozen.notice_id
    assert renewal.unit_id == frozen.unit_id
    assert renewal.action_id == frozen.action_id
    assert renewal.case_id == case.pk
    assert renewal.number.startswith(case.number)
    assert renewal.status == "delivered"
    new_start = frozen.expires_on + timedelta(days=1)  # the renewed term starts the day after the old end
    assert _term_text(new_start, _term_end(new_start, 12)) in renewal.subject
    assert set(Notice.objects.filter(case=case).values_list("pk", flat=True)) == before | {renewal.pk}
    rows = Delivery.objects.filter(notice=renewal)
    assert sorted(rows.values_list("channel", "purpose")) == [("email", "issue"), ("inbox", "issue")]
    assert set(rows.values_list("status", flat=True)) == {"sent"}
    assert [m.to for m in mail.outbox if renewal.number in m.subject] == [["liaison-bank-icbc@example.invalid"]]
    # Nothing changes in the register until the unit answers.
    after = _fresh(frozen)
    assert (after.expires_on, after.renewals, after.status) == (frozen.expires_on, 0, "active")


def test_renew_in_the_browser_then_a_second_renewal_is_refused(users, frozen, browser_client, commit):
    client = browser_client("clerk")
    with commit():
        response = client.post(f"/measures/{frozen.pk}/renew/")
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{frozen.case_id}/"
    renewals = Notice.objects.filter(original=frozen.notice, kind="renewal")
    assert renewals.count() == 1
    with commit():
        again = client.post(f"/measures/{frozen.pk}/renew/")
    assert again.status_code == 302
    assert renewals.count() == 1
    with pytest.raises(ValidationError):
        measures.measure_renew(actor=users["clerk"], measure=frozen)
    assert renewals.count() == 1


def test_a_liaison_cannot_renew(users, frozen, browser_client):
    response = browser_client("liaison-bank-icbc").post(f"/measures/{frozen.pk}/renew/")
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        measures.measure_renew(actor=users["liaison-bank-icbc"], measure=frozen)
    assert not Notice.objects.filter(original=frozen.notice, kind="renewal").exists()


def test_renewal_answered_done_extends_from_the_old_expiry(users, frozen):
    _set_expiry(frozen, date(2027, 3, 31))
    renewal = measures.measure_renew(actor=users["clerk"], measure=frozen)
    _answer(users, renewal, "done", detail="已续冻")
    m = _fresh(frozen)
    assert m.expires_on == date(2028, 3, 31)
    assert m.renewals == 1
    assert m.status == "active"
    assert Measure.objects.filter(case=frozen.case).count() == 1  # a renewal records no new measure
    # Once answered, a second renewal may be sent; the office has shortened the limit meanwhile.
    MeasureLimit.objects.filter(asset_kind="deposit").update(months=6)
    second = measures.measure_renew(actor=users["clerk"], measure=m)
    _answer(users, second, "done", detail="已续冻")
    m = _fresh(frozen)
    assert m.expires_on == date(2028, 9, 30)
    assert m.renewals == 2


def test_renewal_answered_unable_changes_nothing(users, frozen):
    _set_expiry(frozen, date(2027, 3, 31))
    renewal = measures.measure_renew(actor=users["clerk"], measure=frozen)
    _answer(users, renewal, "unable", detail="账户已被他院扣划")
    m = _fresh(frozen)
    assert (m.expires_on, m.renewals, m.status) == (date(2027, 3, 31), 0, "active")


def test_a_lapsed_measure_cannot_be_renewed(users, frozen):
    """Renewal is only before expiry (民诉法解释 Art. 485): a lapsed freeze needs a new freeze."""
    _set_expiry(frozen, EXPIRY)
    measures_sweep(today=EXPIRY + timedelta(days=1))
    frozen.refresh_from_db()
    assert frozen.status == "lapsed"
    with pytest.raises(ValidationError) as exc:
        measures.measure_renew(actor=users["clerk"], measure=frozen)
    assert "需重新冻结" in " ".join(exc.value.messages)  # the clerk reads it in Chinese
    assert not Notice.objects.filter(original=frozen.notice, kind="renewal").exists()
    m = _fresh(frozen)
    assert (m.status, m.lapsed_on, m.expires_on, m.renewals) == ("lapsed", EXPIRY + timedelta(days=1), EXPIRY, 0)


def test_a_seizure_renews_by_its_own_limit(users, make_case, issue):
    m = _executed(users, issue, make_case(), "natres", "seize", subject="查封不动产")
    _set_expiry(m, date(2027, 5, 31))
    renewal = measures.measure_renew(actor=users["clerk"], measure=m)
    _answer(users, renewal, "done", detail="已续封")
    assert _fresh(m).expires_on == date(2030, 5, 31)


def test_only_limited_unreleased_measures_can_be_renewed(users, make_case, issue):
    case = make_case()
    restriction = _executed(users, issue, case, "police", "restrict", subject="限制出境")
    with pytest.raises(ValidationError):
        measures.measure_renew(actor=users["clerk"], measure=restriction)
    released = _executed(users, issue, case, "bank-icbc", "freeze")
    _release_alone(users, released)
    assert _fresh(released).status == "released"
    with pytest.raises(ValidationError):
        measures.measure_renew(actor=users["clerk"], measure=released)
    being_released = _executed(users, issue, case, "bank-abc", "freeze")
    _release_alone(users, being_released, confirm=False)
    with pytest.raises(ValidationError):
        measures.measure_renew(actor=users["clerk"], measure=being_released)
    assert not Notice.objects.filter(case=case, kind="renewal").exists()


def test_no_renewal_on_a_concluded_case(users, frozen):
    """A concluded case takes no new notice (Art. 35); a measure that lapsed before conclusion got no
    release, so nothing else stops a renewal being sent for it."""
    _lapse(frozen)
    services.case_conclude(actor=users["clerk"], case=frozen.case, outcome="completed", note="已全部履行")
    with pytest.raises(ValidationError):
        measures.measure_renew(actor=users["clerk"], measure=frozen)
    assert not Notice.objects.filter(case=frozen.case, kind="renewal").exists()


def test_concluding_cancels_an_open_renewal_notice(users, frozen):
    """Conclusion cancels every open notice of the case; a unit must not be left asked to renew a measure
    it is at the same time asked to release."""
    renewal = measures.measure_renew(actor=users["clerk"], measure=frozen)
    releases = services.case_conclude(actor=users["clerk"], case=frozen.case, outcome="completed", note="已全部履行").release_notices
    assert [r.original_id for r in releases] == [frozen.notice_id]
    assert _fresh(renewal).status == "cancelled"


# ------------------------------------------------------------------------------------------ reminders, lapse

def test_hand_made_reminder_days_around_national_day():
    """The oracle agrees with a count on the calendar: 10 Oct 2026 (Saturday) is a make-up workday."""
    start = EXPIRY - timedelta(days=80)
    assert _reminder_day(EXPIRY, 3, start) == date(2026, 10, 9)
    assert _reminder_day(EXPIRY, 10, start) == date(2026, 9, 22)
    assert _reminder_day(EXPIRY, 30, start) == date(2026, 8, 26)


def test_within_three_working_days_one_reminder_to_the_clerk(users, frozen):
    _set_expiry(frozen, EXPIRY)
    mail.outbox.clear()
    assert measures_sweep(today=date(2026, 10, 9)) == {"lapsed": 0, "reminded": 1}
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [users["clerk"].email]
    assert EXPIRY.isoformat() in message.subject and frozen.asset in message.subject
    assert frozen.case.number in message.body
    assert list(MeasureReminder.objects.filter(measure=frozen).values_list("expires_on", "working_days_before")) \
        == [(EXPIRY, 3)]
    assert measures_sweep(today=date(2026, 10, 9)) == {"lapsed": 0, "reminded": 0}
    assert len(mail.outbox) == 1
    assert MeasureReminder.objects.filter(measure=frozen).count() == 1


def test_each_threshold_reminds_once_as_expiry_approaches(users, frozen):
    _set_expiry(frozen, EXPIRY)
    mail.outbox.clear()
    start = EXPIRY - timedelta(days=80)
    expected = {_reminder_day(EXPIRY, n, start): n for n in (30, 10, 3)}
    assert len(expected) == 3
    sent = {}
    day = start
    while day <= EXPIRY + timedelta(days=3):
        before = len(mail.outbox)
        measures_sweep(today=day)
        measures_sweep(today=day)  # the daily task ran twice
        if len(mail.outbox) > before:
            sent[day] = mail.outbox[before:]
        day += timedelta(days=1)
    assert sorted(sent) == sorted(expected)
    for messages in sent.values():
        assert len(messages) == 1
        assert messages[0].to == [users["clerk"].email]
        assert EXPIRY.isoformat() in messages[0].subject
    assert sorted(MeasureReminder.objects.filter(measure=frozen).values_list("working_days_before", flat=True)) \
        == [3, 10, 30]
    m = _fresh(frozen)
    assert m.status == "lapsed"
    assert m.lapsed_on == EXPIRY + timedelta(days=1)


def test_a_renewed_expiry_is_reminded_again(users, frozen):
    _set_expiry(frozen, EXPIRY)
    measures_sweep(today=date(2026, 10, 9))
    # Renewed on the day of the reminder, before the expiry (a lapsed measure cannot be renewed).
    with time_machine.travel(datetime(2026, 10, 9, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True):
        renewal = measures.measure_renew(actor=users["clerk"], measure=frozen)
        _answer(users, renewal, "done", detail="已续冻")
    new_expiry = date(2027, 10, 13)
    assert _fresh(frozen).expires_on == new_expiry
    mail.outbox.clear()
    day = date(2027, 10, 12)  # the Tuesday before: one working day left
    assert _working_days_left(day, new_expiry) == 1
    assert measures_sweep(today=day)["reminded"] == 1
    assert len(mail.outbox) == 1 and new_expiry.isoformat() in mail.outbox[0].subject
    assert MeasureReminder.objects.filter(measure=frozen, expires_on=new_expiry).count() == 1


def test_reminders_only_for_active_measures_with_an_expiry(users, make_case, issue):
    case = make_case()
    released = _executed(users, issue, case, "bank-icbc", "freeze")
    _release_alone(users, released)
    _set_expiry(released, EXPIRY)
    _executed(users, issue, case, "police", "restrict", subject="限制出境")
    mail.outbox.clear()
    assert measures_sweep(today=date(2026, 10, 9)) == {"lapsed": 0, "reminded": 0}
    assert mail.outbox == []


def test_an_expired_measure_becomes_lapsed(users, make_case, issue):
    case = make_case()
    deposit = _set_expiry(_executed(users, issue, case, "bank-icbc", "freeze"), EXPIRY)
    restriction = _executed(users, issue, case, "police", "restrict", subject="限制出境")
    released = _executed(users, issue, case, "bank-abc", "freeze")
    _release_alone(users, released)
    _set_expiry(released, EXPIRY - timedelta(days=20))

    assert measures_sweep(today=EXPIRY)["lapsed"] == 0  # the expiry day itself is still covered
    assert _fresh(deposit).status == "active"
    assert measures_sweep(today=EXPIRY + timedelta(days=1))["lapsed"] == 1
    deposit = _fresh(deposit)
    assert deposit.status == "lapsed"
    assert deposit.lapsed_on == EXPIRY + timedelta(days=1)
    assert _fresh(restriction).status == "active"
    assert _fresh(released).status == "released"
    assert measures_sweep(today=EXPIRY + timedelta(days=2))["lapsed"] == 0
    assert _fresh(deposit).lapsed_on == EXPIRY + timedelta(days=1)


def test_the_clerks_home_page_shows_the_lapsed_count(users, make_case, issue, browser_client):
    open_case, closed_case = make_case(), make_case()
    _lapse(_executed(users, issue, open_case, "bank-icbc", "freeze"))
    _lapse(_executed(users, issue, open_case, "police", "seize", subject="扣押车辆"))
    _executed(users, issue, open_case, "natres", "seize", subject="查封不动产")
    _lapse(_executed(users, issue, closed_case, "bank-abc", "freeze"))
    services.case_conclude(actor=users["clerk"], case=closed_case, outcome="completed", note="已全部履行")

    response = browser_client("clerk").get("/")
    assert response.status_code == 200
    assert response.context["court_counts"]["measures_lapsed"] == 2
    html = response.content.decode()
    assert '<a href="/measures/?status=lapsed"><strong>2</strong>' in html


# ------------------------------------------------------------------------------------------ single release

def test_releasing_one_measure_alone(users, make_case, issue, browser_client, commit):
    case = make_case()
    deposit = _executed(users, issue, case, "bank-icbc", "freeze", amount="30000.00")
    vehicle = _executed(users, issue, case, "police", "seize", subject="扣押车辆")
    before = set(Notice.objects.filter(case=case).values_list("pk", flat=True))

    client = browser_client("clerk")
    with commit():
        response = client.post(f"/measures/{deposit.pk}/release/", {"ground": "debt_paid",
                                                                     "ruling": _ruling_upload()})
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}/"
    new = Notice.objects.filter(case=case).exclude(pk__in=before)
    assert new.count() == 1
    release = new.get()
    assert release.kind == "release"
    assert release.unit.code == "bank-icbc"
    assert release.original_id == deposit.notice_id
    assert release.status == "delivered"
    assert _fresh(deposit).release_notice_id == release.pk
    assert _fresh(deposit).status == "active"  # until the bank confirms

    _answer(users, release, "done", detail="已解除冻结")
    deposit = _fresh(deposit)
    assert deposit.status == "released"
    assert deposit.released_at is not None
    assert _fresh(vehicle).status == "active"
    assert _fresh(vehicle).release_notice_id is None

    count = Notice.objects.filter(case=case).count()
    with commit():
        again = client.post(f"/measures/{deposit.pk}/release/", {"ground": "debt_paid",
                                                                  "ruling": _ruling_upload()})
    assert again.status_code == 302
    with pytest.raises(ValidationError):
        measures.measure_release(actor=users["clerk"], measure=deposit)
    assert Notice.objects.filter(case=case).count() == count

    releases = services.case_conclude(actor=users["clerk"], case=case, outcome="completed", note="已全部履行").release_notices
    assert [r.original_id for r in releases] == [vehicle.notice_id]
    assert Notice.objects.filter(original=deposit.notice, kind="release").count() == 1
    assert _fresh(vehicle).release_notice_id == releases[0].pk


def test_a_pending_single_release_is_not_sent_twice_at_conclusion(users, make_case, issue):
    case = make_case()
    deposit = _executed(users, issue, case, "bank-icbc", "freeze")
    single = _release_alone(users, deposit, confirm=False)
    with pytest.raises(ValidationError):
        measures.measure_release(actor=users["clerk"], measure=deposit)
    releases = services.case_conclude(actor=users["clerk"], case=case, outcome="completed", note="已全部履行").release_notices
    assert releases == []
    assert list(Notice.objects.filter(case=case, kind="release")) == [single]
    assert _fresh(single).status == "issued"  # a release already sent is not cancelled by conclusion
    _answer(users, single, "done", detail="已解除")
    assert _fresh(deposit).status == "released"


def test_a_liaison_cannot_release_and_a_lapsed_measure_is_not_released(users, frozen, browser_client):
    assert browser_client("liaison-bank-icbc").post(f"/measures/{frozen.pk}/release/").status_code == 403
    with pytest.raises(PermissionDenied):
        measures.measure_release(actor=users["liaison-bank-icbc"], measure=frozen)
    _lapse(frozen)
    with pytest.raises(ValidationError):
        measures.measure_release(actor=users["clerk"], measure=frozen)
    assert not Notice.objects.filter(original=frozen.notice, kind="release").exists()


# ------------------------------------------------------------------------------------------ conclusion (property)

HISTORIES = ["issued", "delivered", "acknowledged", "done", "partial", "unable", "closed-done", "cancelled",
             "released-alone", "release-pending", "lapsed"]
HOLDS_AT_CONCLUSION = {"issued", "delivered", "acknowledged", "done", "partial", "closed-done"}
RECORDS_A_MEASURE = {"done", "partial", "closed-done", "released-alone", "release-pending", "lapsed"}


def _apply(users, notice, history):
    clerk, liaison = users["clerk"], _liaison(users, notice)
    if history == "issued":
        return
    if history == "delivered":
        delivery.deliver_pending(notice.pk)
        return
    if history == "cancelled":
        services.notice_cancel(actor=clerk, notice=notice, note="撤回")
        return
    services.notice_acknowledge(actor=liaison, notice=notice)
    if history == "acknowledged":
        return
    outcome = history if history in ("partial", "unable") else "done"
    services.notice_answer(actor=liaison, notice=notice, outcome=outcome, result_amount="100.00",
                           detail="" if outcome == "done" else "说明")
    if history == "closed-done":
        services.notice_close(actor=clerk, notice=notice)
    elif history in ("released-alone", "release-pending"):
        _release_alone(users, Measure.objects.get(notice=notice), confirm=history == "released-alone")
    elif history == "lapsed":
        _lapse(Measure.objects.get(notice=notice))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_property_conclusion_releases_exactly_what_the_register_holds(users, make_case, data):
    caps = list(Capability.objects.filter(unit__active=True, action__code__in=MEASURE_ACTIONS,
                                          unit__court__code="鄂1022")  # the case's own county
                .select_related("unit", "action").order_by("unit__code", "action__code"))
    assert {c.action.code for c in caps} == MEASURE_ACTIONS
    size = data.draw(st.integers(min_value=0, max_value=7), label="size")
    plan = []
    for _ in range(size):
        cap = data.draw(st.sampled_from(caps), label="capability")
        allowed = HISTORIES if cap.action.code in LIMITED_ACTIONS else [h for h in HISTORIES if h != "lapsed"]
        plan.append((cap, data.draw(st.sampled_from(allowed), label="history")))

    case = make_case()
    clerk = users["clerk"]
    issued = []
    for cap, history in plan:
        notice = services.notice_issue(actor=clerk, case=case, unit=cap.unit, action=cap.action,
                                       subject=f"{cap.action.code} {history}",
                                       ruling=case_ruling(case) if cap.action.code in services.RULING_REQUIRED_ACTIONS
                                       else None)
        _apply(users, notice, history)
        issued.append((notice, history))

    # The register before conclusion holds exactly the executed measures, in the expected states.
    by_notice = {m.notice_id: m for m in Measure.objects.filter(case=case)}
    assert set(by_notice) == {n.pk for n, h in issued if h in RECORDS_A_MEASURE}
    for notice, history in issued:
        if history in RECORDS_A_MEASURE:
            want = {"released-alone": "released", "lapsed": "lapsed"}.get(history, "active")
            assert by_notice[notice.pk].status == want, history
    singles = {n.pk for n, h in issued if h in ("released-alone", "release-pending")}

    releases = services.case_conclude(actor=clerk, case=case, outcome="terminated").release_notices

    expected = {n.pk for n, h in issued if h in HOLDS_AT_CONCLUSION}
    assert sorted(r.original_id for r in releases) == sorted(expected), "one release per held measure"
    stored = list(Notice.objects.filter(case=case, kind="release"))
    assert sorted(r.original_id for r in stored) == sorted(expected | singles)
    originals = {n.pk: n for n, _h in issued}
    for release in releases:
        original = originals[release.original_id]
        assert release.unit_id == original.unit_id and release.action_id == original.action_id
        measure = Measure.objects.filter(notice_id=release.original_id).first()
        if measure is None:  # an open notice: the unit may have acted before answering
            assert _fresh(original).status == "cancelled"
        else:
            assert measure.release_notice_id == release.pk
            assert measure.status == "active"
    # Every measure still active is listed in some release.
    assert not Measure.objects.filter(case=case, status="active", release_notice__isnull=True).exists()

    for release in Notice.objects.filter(case=case, kind="release", status__in=OPEN_STATES):
        _answer(users, release, "done", detail="已解除")
    assert not Measure.objects.filter(case=case, status="active").exists()
    for notice, history in issued:
        if history in RECORDS_A_MEASURE:
            want = "lapsed" if history == "lapsed" else "released"
            assert Measure.objects.get(notice=notice).status == want, history


# ------------------------------------------------------------------------------------------ pages and API

@pytest.fixture
def register(users, make_case, issue):
    """Two cases, six measures at five units, one released, one lapsed."""
    a = make_case(amount="100000.00")
    b = make_case(amount="40000.00")
    m = {}
    m["a_icbc"] = _executed(users, issue, a, "bank-icbc", "freeze", amount="30000.00",
                            measure={"asset": "工行账户6222-A"})
    m["a_police"] = _executed(users, issue, a, "police", "seize", subject="扣押车辆鄂D00001",
                              measure={"asset": "车辆鄂D00001"})
    m["a_natres"] = _executed(users, issue, a, "natres", "seize", subject="查封不动产", outcome="partial",
                              amount="50000.00", measure={"asset": "不动产权第0000100号"})
    m["b_icbc"] = _executed(users, issue, b, "bank-icbc", "freeze", amount="12000.00",
                            measure={"asset": "工行账户6222-B"})
    _release_alone(users, m["b_icbc"])
    m["b_abc"] = _executed(users, issue, b, "bank-abc", "freeze", amount="5000.00",
                           measure={"asset": "农行账户6228-B"})
    _lapse(m["b_abc"])
    m["b_market"] = _executed(users, issue, b, "market", "publicize", subject="公示",
                              measure={"asset": "公示查封信息"})
    m = {key: _fresh(measure) for key, measure in m.items()}
    assert Measure.objects.count() == 6
    return a, b, m


def _page_ids(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return _ids(response.context["measures"])


def test_clerk_register_lists_all_and_filters(register, browser_client):
    a, b, m = register
    client = browser_client("clerk")
    response = client.get("/measures/")
    assert response.status_code == 200
    assert [row.pk for row in response.context["measures"]] == sorted((x.pk for x in m.values()), reverse=True)
    assert _page_ids(client, "/measures/?status=released") == [m["b_icbc"].pk]
    assert _page_ids(client, "/measures/?status=lapsed") == [m["b_abc"].pk]
    assert _page_ids(client, "/measures/?status=active") == _ids(
        [m["a_icbc"], m["a_police"], m["a_natres"], m["b_market"]])
    assert _page_ids(client, "/measures/?unit=bank-icbc") == _ids([m["a_icbc"], m["b_icbc"]])
    assert _page_ids(client, f"/measures/?case={b.pk}") == _ids([m["b_icbc"], m["b_abc"], m["b_market"]])
    assert _page_ids(client, f"/measures/?case={a.pk}&unit=police") == [m["a_police"].pk]
    html = response.content.decode()
    for measure in m.values():
        assert measure.asset in html
    assert f'action="/measures/{m["a_icbc"].pk}/renew/"' in html
    assert f'action="/measures/{m["a_icbc"].pk}/release/"' in html
    assert f'action="/measures/{m["b_icbc"].pk}/release/"' not in html  # already released
    assert f'action="/measures/{m["b_abc"].pk}/release/"' not in html  # lapsed: nothing to lift
    assert f'action="/measures/{m["b_abc"].pk}/renew/"' not in html  # lapsed: a new freeze is needed
    assert f'action="/measures/{m["b_market"].pk}/renew/"' not in html  # no legal time limit


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith("attachment;")
    return load_workbook(io.BytesIO(response.content)).active


def test_excel_export_has_one_row_per_measure(register, browser_client):
    a, b, m = register
    client = browser_client("clerk")
    sheet = _sheet(client.get("/measures/?format=xlsx"))
    rows = list(sheet.iter_rows(min_row=3, values_only=True))  # a title row, the header, the rows
    assert sheet.max_row == 2 + len(m) == 2 + len(rows)
    from django.utils import translation

    with translation.override("zh-hans"):  # 执行措施台账 once the string is translated
        title = translation.gettext("Register of enforcement measures")
    assert sheet["A1"].value.startswith(title) and sheet.freeze_panes == "A3"
    assert sorted(row[3] for row in rows) == sorted(x.asset for x in m.values())
    by_asset = {row[3]: row for row in rows}
    for x in m.values():
        row = by_asset[x.asset]
        assert row[0] == x.case.number
        assert row[1] == x.unit.name
        assert (Decimal(str(row[5])).quantize(Decimal("0.01")) if row[5] is not None else None) == x.amount
        assert row[8].date() == x.starts_on
        assert (row[9].date() if row[9] is not None else None) == x.expires_on
        assert row[10] == x.renewals
    one_case = list(_sheet(client.get(f"/measures/?case={a.pk}&format=xlsx")).iter_rows(min_row=3,
                                                                                         values_only=True))
    assert sorted(row[3] for row in one_case) == sorted(m[k].asset for k in ("a_icbc", "a_police", "a_natres"))
    liaison = list(_sheet(browser_client("liaison-bank-icbc").get("/measures/?format=xlsx"))
                   .iter_rows(min_row=3, values_only=True))
    assert sorted(row[3] for row in liaison) == sorted([m["a_icbc"].asset, m["b_icbc"].asset])


def test_liaison_sees_only_their_units_measures(register, browser_client, api):
    a, b, m = register
    own = _ids([m["a_icbc"], m["b_icbc"]])
    client = browser_client("liaison-bank-icbc")
    assert _page_ids(client, "/measures/") == own
    assert _page_ids(client, "/measures/?unit=police") == []
    assert _page_ids(browser_client("liaison-police"), "/measures/") == [m["a_police"].pk]
    assert _page_ids(browser_client("leader-police"), "/measures/") == [m["a_police"].pk]

    bank = api("liaison-bank-icbc")
    assert _api_ids(bank.get(f"{API}measures/")) == own
    assert _api_ids(bank.get(f"{API}measures/?unit=police")) == []
    detail = bank.get(f"{API}measures/{m['a_icbc'].pk}/")
    assert detail.status_code == 200
    assert detail.json()["unit"]["code"] == "bank-icbc"
    for key in ("a_police", "a_natres", "b_abc", "b_market"):
        assert bank.get(f"{API}measures/{m[key].pk}/").status_code == 404, key


def test_another_units_measure_is_404_on_the_action_urls(register, browser_client):
    a, _b, m = register
    notices = Notice.objects.count()
    client = browser_client("liaison-bank-icbc")
    assert client.post(f"/measures/{m['a_police'].pk}/renew/").status_code == 404
    assert client.post(f"/measures/{m['a_natres'].pk}/release/").status_code == 404
    assert client.post(f"/measures/{m['a_icbc'].pk}/renew/").status_code == 403  # visible, not allowed
    assert Notice.objects.count() == notices


def test_api_register_for_the_clerk(register, api):
    a, b, m = register
    client = api("clerk")
    assert _api_ids(client.get(f"{API}measures/")) == _ids(m.values())
    assert _api_ids(client.get(f"{API}measures/?status=lapsed")) == [m["b_abc"].pk]
    assert _api_ids(client.get(f"{API}measures/?unit=natres")) == [m["a_natres"].pk]
    assert _api_ids(client.get(f"{API}measures/?case={a.pk}")) == _ids([m["a_icbc"], m["a_police"], m["a_natres"]])
    body = client.get(f"{API}measures/{m['b_icbc'].pk}/").json()
    released = m["b_icbc"]
    assert body["case"] == {"id": b.pk, "number": b.number}
    assert body["unit"]["code"] == "bank-icbc"
    assert body["action"] == "freeze"
    assert body["notice"] == released.notice_id
    assert body["status"] == "released"
    assert body["release_notice"] == released.release_notice_id is not None
    assert Decimal(body["amount"]) == Decimal("12000.00")
    assert body["asset_kind"] == "deposit"
    assert body["expires_on"] == released.expires_on.isoformat()
    assert client.post(f"{API}measures/", {}, format="json").status_code == 405


def test_case_page_shows_measures_at_three_units_with_totals(register, browser_client):
    a, b, m = register
    client = browser_client("clerk")
    response = client.get(f"/cases/{a.pk}/")
    assert response.status_code == 200
    shown = list(response.context["measures"])
    assert _ids(shown) == _ids([m["a_icbc"], m["a_police"], m["a_natres"]])
    assert {x.unit.code for x in shown} == {"bank-icbc", "police", "natres"}
    totals = response.context["measure_totals"]
    assert totals["active"] == 3
    assert totals["secured"] == Decimal("80000.00")
    assert totals["owed"] == Decimal("100000.00")
    assert totals["uncovered"] == Decimal("20000.00")
    assert (totals["released"], totals["lapsed"]) == (0, 0)
    html = response.content.decode()
    for key in ("a_icbc", "a_police", "a_natres"):
        assert m[key].asset in html
    assert m["b_icbc"].asset not in html
    export = f"/measures/?case={a.pk}&format=xlsx"
    assert f'href="{export}"' in html
    exported = list(_sheet(client.get(export)).iter_rows(min_row=3, values_only=True))
    assert sorted(row[3] for row in exported) == sorted(m[k].asset for k in ("a_icbc", "a_police", "a_natres"))

    totals_b = client.get(f"/cases/{b.pk}/").context["measure_totals"]
    assert totals_b["active"] == 1
    assert totals_b["secured"] == Decimal("0")
    assert totals_b["uncovered"] == Decimal("40000.00")
    assert (totals_b["released"], totals_b["lapsed"]) == (1, 1)


def test_case_page_for_a_liaison_shows_and_totals_only_their_measures(register, browser_client):
    """A liaison sees their unit's measures only; the totals must not disclose other units' measures."""
    a, _b, m = register
    response = browser_client("liaison-bank-icbc").get(f"/cases/{a.pk}/")
    assert response.status_code == 200
    assert _ids(response.context["measures"]) == [m["a_icbc"].pk]
    assert m["a_police"].asset not in response.content.decode()
    totals = response.context["measure_totals"]
    assert totals["active"] == 1
    assert totals["secured"] == Decimal("30000.00")


def _build_measures(users, make_case, issue, count):
    """``count`` active measures spread over cases and units, a few released alone or lapsed."""
    specs = [("bank-icbc", "freeze"), ("police", "seize"), ("natres", "seize"), ("market", "publicize"),
             ("bank-abc", "freeze"), ("police", "restrict"), ("fund", "freeze"), ("hrss", "freeze")]
    made = []
    cases = [make_case(debtors=1 + i % 2) for i in range(max(1, count // 6))]
    for i in range(count):
        unit_code, action_code = specs[i % len(specs)]
        made.append(_executed(users, issue, cases[i % len(cases)], unit_code, action_code,
                              subject=f"措施{i}", amount=f"{100 + i}.00"))
    return made


def _count_queries(client, url):
    client.get(url)  # warm up caches that are not per request
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_register_query_counts_do_not_grow_with_rows(users, make_case, issue, browser_client, api):
    _build_measures(users, make_case, issue, 3)
    page, api_client = browser_client("clerk"), api("clerk")
    page_few, response = _count_queries(page, "/measures/")
    assert len(response.context["measures"]) == 3
    api_few, response = _count_queries(api_client, f"{API}measures/")
    assert len(response.json()["results"]) == 3

    more = _build_measures(users, make_case, issue, 27)
    _release_alone(users, more[0])
    _release_alone(users, more[1], confirm=False)
    _lapse(more[4])
    page_many, response = _count_queries(page, "/measures/")
    assert len(response.context["measures"]) == 30
    api_many, response = _count_queries(api_client, f"{API}measures/")
    assert len(response.json()["results"]) == 30
    assert page_many == page_few
    assert api_many == api_few
