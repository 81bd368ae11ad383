"""Deadlines in Chinese working days (chinese_calendar + HolidayOverride rows) or, for urgent actions, hours.

Expected dates are worked out by hand from the State Council arrangement for 2025 as chinese_calendar
1.11 holds it: 2025-09-28 (Sunday) and 2025-10-11 (Saturday) are make-up workdays, 2025-10-01..08 are
holidays (National Day and Mid-autumn).
"""
from datetime import UTC, date, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases import services
from cases.deadlines import default_deadlines, parse_due, working_days_after
from cases.models import HolidayOverride, Notice
from members.models import ActionType, Unit
from tests.conftest import case_ruling

SHANGHAI = ZoneInfo("Asia/Shanghai")

pytestmark = pytest.mark.dates  # every test here also runs at 23:30 and 00:30 Asia/Shanghai (conftest)


def local(y, m, d, hh=10, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


def eod(y, m, d):
    """End of a day in Asia/Shanghai, written independently of the code under test."""
    return datetime.fromisoformat(f"{y:04d}-{m:02d}-{d:02d}T23:59:59+08:00")


def days_action(ack, answer):
    return ActionType(code=f"t-{ack}-{answer}", name="test", ack_working_days=ack, answer_working_days=answer)


def test_calendar_data_assumed_by_these_tests():
    """The facts the expectations below rely on; if the package changes its data, this says so first."""
    assert chinese_calendar.is_workday(date(2025, 9, 28))  # Sunday, make-up workday
    assert chinese_calendar.is_workday(date(2025, 9, 30))
    assert all(chinese_calendar.is_holiday(date(2025, 10, d)) for d in range(1, 9))
    assert chinese_calendar.is_workday(date(2025, 10, 9))
    assert chinese_calendar.is_workday(date(2025, 10, 11))  # Saturday, make-up workday
    assert date(2025, 9, 28).weekday() == 6 and date(2025, 10, 11).weekday() == 5
    assert chinese_calendar.is_workday(date(2026, 3, 6)) and chinese_calendar.is_workday(date(2026, 3, 9))
    assert not chinese_calendar.is_workday(date(2026, 3, 7))
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2031, 1, 2))


@pytest.mark.django_db
def test_one_working_day_after_the_eve_of_national_day_is_after_the_holiday():
    ack, answer = default_deadlines(days_action(1, 3), local(2025, 9, 30))
    assert ack == eod(2025, 10, 9)
    # Oct 9 (Thu), Oct 10 (Fri), Oct 11 (Saturday make-up workday).
    assert answer == eod(2025, 10, 11)


@pytest.mark.django_db
def test_issued_on_a_holiday_counts_from_the_next_working_day():
    ack, answer = default_deadlines(days_action(1, 2), local(2025, 10, 3))
    assert ack == eod(2025, 10, 9)
    assert answer == eod(2025, 10, 10)


@pytest.mark.django_db
def test_a_sunday_make_up_workday_counts():
    ack, answer = default_deadlines(days_action(1, 3), local(2025, 9, 27))  # Saturday
    assert ack == eod(2025, 9, 28)  # the Sunday make-up workday
    assert answer == eod(2025, 9, 30)


@pytest.mark.django_db
def test_the_local_day_decides_not_the_utc_day():
    # 2025-09-28 17:00 UTC is Monday 2025-09-29 01:00 in Shanghai: 1 working day later is Sep 30.
    ack, _answer = default_deadlines(days_action(1, 1), datetime(2025, 9, 28, 17, 0, tzinfo=UTC))
    assert ack == eod(2025, 9, 30)
    # 2025-09-30 17:00 UTC is already Oct 1 (a holiday) in Shanghai.
    ack, _answer = default_deadlines(days_action(1, 1), datetime(2025, 9, 30, 17, 0, tzinfo=UTC))
    assert ack == eod(2025, 10, 9)


@pytest.mark.django_db
def test_zero_working_days_means_today_or_the_next_working_day():
    assert working_days_after(date(2025, 9, 30), 0) == date(2025, 9, 30)
    assert working_days_after(date(2025, 10, 2), 0) == date(2025, 10, 9)
    assert working_days_after(date(2025, 9, 27), 0) == date(2025, 9, 28)


@pytest.mark.django_db
def test_a_notice_issued_on_2025_09_30_is_due_after_the_holiday(users, make_case):
    freeze = ActionType.objects.get(code="freeze")
    assert (freeze.ack_working_days, freeze.answer_working_days, freeze.urgent_hours) == (1, 3, None)
    case = make_case()
    issued = local(2025, 9, 30, 15, 30)
    with mock.patch("django.utils.timezone.now", return_value=issued):
        notice = services.notice_issue(actor=users["clerk"], case=case, unit=Unit.objects.get(code="bank-icbc"),
                                       action=freeze, subject="冻结存款", ruling=case_ruling(case))
    notice = Notice.objects.get(pk=notice.pk)
    assert notice.issued_at == issued
    assert notice.ack_due_at == eod(2025, 10, 9)
    assert notice.due_at == eod(2025, 10, 11)
    assert timezone.localtime(notice.ack_due_at, SHANGHAI).isoformat() == "2025-10-09T23:59:59+08:00"


# ------------------------------------------------------------------ HolidayOverride rows

@pytest.mark.django_db
def test_override_makes_a_weekday_a_holiday():
    assert default_deadlines(days_action(1, 1), local(2026, 3, 6))[0] == eod(2026, 3, 9)
    HolidayOverride.objects.create(date=date(2026, 3, 9), is_workday=False, note="本地假日")
    assert default_deadlines(days_action(1, 1), local(2026, 3, 6))[0] == eod(2026, 3, 10)


@pytest.mark.django_db
def test_override_makes_a_saturday_a_workday():
    HolidayOverride.objects.create(date=date(2026, 3, 7), is_workday=True, note="调休")
    ack, answer = default_deadlines(days_action(1, 2), local(2026, 3, 6))
    assert ack == eod(2026, 3, 7)
    assert answer == eod(2026, 3, 9)


@pytest.mark.django_db
def test_override_wins_over_the_package_both_ways():
    # A package holiday made a workday.
    HolidayOverride.objects.create(date=date(2025, 10, 2), is_workday=True)
    assert working_days_after(date(2025, 9, 30), 1) == date(2025, 10, 2)
    # A package make-up workday made a holiday.
    HolidayOverride.objects.create(date=date(2025, 9, 28), is_workday=False)
    assert working_days_after(date(2025, 9, 27), 1) == date(2025, 9, 29)


@pytest.mark.django_db
def test_a_year_the_package_does_not_know_falls_back_to_monday_to_friday_less_statutory_holidays():
    assert date(2031, 1, 1).weekday() == 2  # Wednesday
    # 2030 and 2031 are beyond the package: Monday-Friday less the statutory holidays (cases.holidays,
    # tests/test_holidays.py): 元旦 2031-01-01 is one.
    assert working_days_after(date(2030, 12, 31), 1) == date(2031, 1, 2)
    assert working_days_after(date(2031, 1, 3), 1) == date(2031, 1, 6)  # Friday → Monday
    ack, answer = default_deadlines(days_action(1, 5), local(2031, 1, 3))
    assert ack == eod(2031, 1, 6)
    assert answer == eod(2031, 1, 10)


@pytest.mark.django_db
def test_overrides_cover_a_year_the_package_does_not_know():
    HolidayOverride.objects.create(date=date(2031, 1, 1), is_workday=False, note="元旦")
    assert working_days_after(date(2030, 12, 31), 1) == date(2031, 1, 2)
    HolidayOverride.objects.create(date=date(2031, 1, 4), is_workday=True, note="调休")
    assert working_days_after(date(2031, 1, 3), 1) == date(2031, 1, 4)
    HolidayOverride.objects.create(date=date(2031, 1, 6), is_workday=False)
    # Jan 4 (Saturday, workday by override), Jan 5 Sunday, Jan 6 holiday by override, Jan 7.
    assert working_days_after(date(2031, 1, 3), 2) == date(2031, 1, 7)


@pytest.mark.django_db
def test_a_run_of_overridden_holidays_longer_than_the_first_window():
    start = date(2031, 3, 3)  # Monday
    HolidayOverride.objects.bulk_create(
        [HolidayOverride(date=start + timedelta(days=i), is_workday=False) for i in range(1, 71)]
    )
    # Days start+1 .. start+70 are all holidays; start+71 = 2031-05-13 is a Tuesday.
    assert start + timedelta(days=71) == date(2031, 5, 13)
    assert working_days_after(start, 1) == date(2031, 5, 13)
    assert working_days_after(start, 2) == date(2031, 5, 14)


@pytest.mark.django_db
def test_zero_days_also_honours_a_long_run_of_overridden_holidays():
    start = date(2031, 3, 3)  # Monday
    HolidayOverride.objects.bulk_create(
        [HolidayOverride(date=start + timedelta(days=i), is_workday=False) for i in range(0, 71)]
    )
    assert working_days_after(start, 0) == date(2031, 5, 13)


# ------------------------------------------------------------------ urgent: hours

@pytest.mark.django_db
def test_dispatch_is_counted_in_hours_even_on_a_holiday():
    dispatch = ActionType.objects.get(code="dispatch")
    assert dispatch.urgent_hours == 2
    issued = local(2025, 10, 1, 22, 50)  # National Day, late evening
    ack, answer = default_deadlines(dispatch, issued)
    assert ack == issued + timedelta(minutes=15)
    assert answer == issued + timedelta(hours=2)
    assert answer == local(2025, 10, 2, 0, 50)


@pytest.mark.django_db
def test_an_issued_dispatch_notice_has_minute_and_hour_deadlines(users, make_case, issue):
    dispatch = ActionType.objects.get(code="dispatch")
    notice = Notice.objects.get(pk=issue(make_case(), "police", "dispatch", subject="出警控制被执行人").pk)
    assert notice.ack_due_at - notice.issued_at == timedelta(minutes=15)
    assert notice.due_at - notice.issued_at == timedelta(hours=dispatch.urgent_hours)
    assert notice.is_urgent


@pytest.mark.django_db
def test_an_explicit_due_date_earlier_than_the_ack_clock_pulls_the_ack_deadline_in(users, make_case):
    now = local(2025, 9, 29, 9, 0)
    due = local(2025, 9, 29, 18, 0)
    case = make_case()
    ruling = case_ruling(case)
    with mock.patch("django.utils.timezone.now", return_value=now):
        notice = services.notice_issue(actor=users["clerk"], case=case,
                                       unit=Unit.objects.get(code="bank-icbc"),
                                       action=ActionType.objects.get(code="freeze"), subject="冻结",
                                       due_at=due.isoformat(), ruling=ruling)
    notice = Notice.objects.get(pk=notice.pk)
    assert notice.due_at == due
    assert notice.ack_due_at == due


# ------------------------------------------------------------------ parse_due

def test_parse_due_date_string_is_end_of_that_day_in_shanghai():
    due = parse_due("2026-12-01")
    assert due == datetime.fromisoformat("2026-12-01T23:59:59+08:00")
    assert due.utcoffset() == timedelta(hours=8)
    assert due.astimezone(UTC) == datetime(2026, 12, 1, 15, 59, 59, tzinfo=UTC)
    assert parse_due(" 2026-12-01 ") == due
    assert parse_due(date(2026, 12, 1)) == due


def test_parse_due_datetimes():
    aware = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert parse_due(aware) == aware
    naive = datetime(2026, 12, 1, 17, 0)
    assert parse_due(naive) == datetime.fromisoformat("2026-12-01T17:00:00+08:00")
    assert parse_due("2026-12-01T17:00") == datetime.fromisoformat("2026-12-01T17:00:00+08:00")
    assert parse_due("2026-12-01T17:00:00Z") == datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
    assert parse_due("2026-12-01T17:00:00+08:00") == datetime.fromisoformat("2026-12-01T17:00:00+08:00")


@pytest.mark.parametrize("garbage", ["", "   ", None, "tomorrow", "2026-13-01", "2026-02-30", "01/12/2026",
                                     "2026-12-01T25:00", "2026-12", "12345"])
def test_parse_due_refuses_garbage(garbage):
    with pytest.raises(ValidationError) as exc:
        parse_due(garbage)
    assert exc.value.messages and "2026-12-01" in exc.value.messages[0]


# ------------------------------------------------------------------ API

def _post_notice(api, case, due_at):
    return api("clerk").post("/api/v1/notices/", {"case": case.pk, "unit": "bank-icbc", "action": "freeze",
                                                  "subject": "冻结存款", "due_at": due_at,
                                                  "ruling": case_ruling(case).pk}, format="json")


@pytest.mark.parametrize("due_at", [
    lambda: "2020-01-01",
    # "an hour ago" of the test's own clock, not of the moment the module was collected
    lambda: (timezone.now() - timedelta(hours=1)).isoformat(),
    # yesterday as Gong'an sees it (at 00:30 Asia/Shanghai the UTC date is still yesterday's)
    lambda: (timezone.localdate() - timedelta(days=1)).isoformat(),
], ids=["long-ago", "an-hour-ago", "yesterday"])
def test_api_refuses_a_deadline_in_the_past(api, make_case, due_at):
    case = make_case()
    response = _post_notice(api, case, due_at())
    assert response.status_code == 400, response.content
    assert "due_at" in response.json()
    assert not Notice.objects.filter(case=case).exists()


def test_api_refuses_a_garbage_deadline(api, make_case):
    case = make_case()
    response = _post_notice(api, case, "next friday")
    assert response.status_code == 400, response.content
    assert "due_at" in response.json()
    assert not Notice.objects.filter(case=case).exists()


def test_api_accepts_a_future_date_as_end_of_that_day(api, make_case):
    case = make_case()
    day = timezone.localtime(timezone.now(), SHANGHAI).date() + timedelta(days=30)
    response = _post_notice(api, case, day.isoformat())
    assert response.status_code == 201, response.content
    notice = Notice.objects.get(case=case)
    assert notice.due_at == datetime.fromisoformat(f"{day.isoformat()}T23:59:59+08:00")
    assert notice.ack_due_at <= notice.due_at


def test_api_accepts_today_as_seen_in_shanghai(api, make_case):
    """Today's date as Gong'an sees it is still open until 23:59:59 Asia/Shanghai, also at 00:30, when the
    UTC date is yesterday, and at 23:30."""
    case = make_case()
    today = timezone.localtime(timezone.now(), SHANGHAI).date()
    response = _post_notice(api, case, today.isoformat())
    assert response.status_code == 201, response.content
    assert Notice.objects.get(case=case).due_at == datetime.fromisoformat(f"{today.isoformat()}T23:59:59+08:00")


@pytest.mark.django_db
def test_a_count_kept_from_before_an_override_gives_way_to_it_at_once():
    """The count is kept per process (issue 13: the clerk's renewal horizon on every page), keyed by the
    overrides read on each call: an override the office adds or deletes counts on the next call."""
    assert working_days_after(date(2025, 9, 30), 1) == date(2025, 10, 9)  # 国庆 from the package
    assert working_days_after(date(2025, 9, 30), 1) == date(2025, 10, 9)  # kept, the same answer
    override = HolidayOverride.objects.create(date=date(2025, 10, 2), is_workday=True)
    assert working_days_after(date(2025, 9, 30), 1) == date(2025, 10, 2)
    override.delete()
    assert working_days_after(date(2025, 9, 30), 1) == date(2025, 10, 9)


@pytest.mark.django_db
def test_a_count_that_reads_past_its_window_is_exact_and_not_kept():
    from cases import deadlines

    deadlines._counted.clear()  # what other tests of this process counted from the same day is not this count's
    # Fifty local holidays in a row: the first window of overrides (40 days for n = 0) runs out.
    HolidayOverride.objects.bulk_create(HolidayOverride(date=date(2026, 6, 1) + timedelta(days=i), is_workday=False)
                                        for i in range(50))
    assert working_days_after(date(2026, 6, 1), 0) == date(2026, 7, 21)  # Tuesday after the run
    assert not [k for k in deadlines._counted if k[0] == date(2026, 6, 1)]
