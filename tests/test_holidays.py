"""Working days in years ``chinese_calendar`` does not know: statutory holidays computed from
《全国年节及纪念日放假办法》 (as revised with effect from 2025-01-01), HolidayOverride rows winning, and the
reminder to the office from 1 November that next year's arrangement must be entered.

Dates of 2027 and 2028 written out below (as lunar_python gives them; written out, not derived, so a
change of library shows):
春节 2027: 除夕 Fri 2027-02-05, 初一 Sat 02-06; 清明 Mon 2027-04-05; 端午 Wed 2027-06-09; 中秋 Wed
2027-09-15. 2028: 春节 除夕 Tue 01-25, 初一 Wed 01-26; 清明 Tue 04-04; 端午 Sun 05-28; 中秋 Tue 10-03.
"""
from datetime import date, datetime
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
import time_machine
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from lunar_python import Lunar

from cases.deadlines import default_deadlines, working_days_after
from cases.holidays import (
    arrangement_missing_message,
    calendar_knows,
    festivals,
    is_statutory_workday,
    next_year_arrangement_missing,
    statutory_holidays,
)
from cases.models import HolidayOverride
from members.models import ActionType

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=0, mm=30):
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


def eod(y, m, d):
    return datetime.fromisoformat(f"{y:04d}-{m:02d}-{d:02d}T23:59:59+08:00")


def days_action(ack, answer):
    return ActionType(code=f"t-{ack}-{answer}", name="test", ack_working_days=ack, answer_working_days=answer)


def test_the_package_does_not_know_2027():
    """What these tests rely on: chinesecalendar 1.11 ends with 2026. A release that knows 2027 makes
    this fail first; move the tests' years on then."""
    assert calendar_knows(2026)
    assert not calendar_knows(2027)
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 1, 4))


# ------------------------------------------------------------------ the rules

def test_lunar_dates_of_spring_festival_2027():
    first = Lunar.fromYmd(2027, 1, 1).getSolar()
    assert (first.getYear(), first.getMonth(), first.getDay()) == (2027, 2, 6)
    assert dict(festivals(2027))["春节"] == [date(2027, 2, d) for d in (5, 6, 7, 8)]  # 除夕 .. 初三


@pytest.mark.parametrize("year, expected", [
    (2027, {
        "元旦": [date(2027, 1, 1)],
        "春节": [date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8)],
        "清明节": [date(2027, 4, 5)],
        "劳动节": [date(2027, 5, 1), date(2027, 5, 2)],
        "端午节": [date(2027, 6, 9)],
        "中秋节": [date(2027, 9, 15)],
        "国庆节": [date(2027, 10, 1), date(2027, 10, 2), date(2027, 10, 3)],
    }),
    (2028, {
        "元旦": [date(2028, 1, 1)],
        "春节": [date(2028, 1, 25), date(2028, 1, 26), date(2028, 1, 27), date(2028, 1, 28)],
        "清明节": [date(2028, 4, 4)],
        "劳动节": [date(2028, 5, 1), date(2028, 5, 2)],
        "端午节": [date(2028, 5, 28)],
        "中秋节": [date(2028, 10, 3)],
        "国庆节": [date(2028, 10, 1), date(2028, 10, 2), date(2028, 10, 3)],
    }),
])
def test_festivals_of_2027_and_2028(year, expected):
    assert dict(festivals(year)) == expected
    assert sum(len(days) for days in expected.values()) == 13  # 13 days a year since 2025


def test_a_festival_day_on_a_weekend_is_given_back_on_the_next_working_day():
    """Art. 6: 补假."""
    days = statutory_holidays(2027)
    # 春节: Sat 02-06 and Sun 02-07 given back on Tue 02-09 and Wed 02-10 (Mon 02-08 is 初三).
    assert days[date(2027, 2, 9)] == days[date(2027, 2, 10)] == "春节（补假）"
    # 劳动节 Sat/Sun → Mon 05-03, Tue 05-04; 国庆 Fri–Sun → Mon 10-04, Tue 10-05.
    assert days[date(2027, 5, 3)] == days[date(2027, 5, 4)] == "劳动节（补假）"
    assert days[date(2027, 10, 4)] == days[date(2027, 10, 5)] == "国庆节（补假）"
    assert date(2027, 10, 6) not in days
    # 2028: 元旦 Sat → Mon 01-03; 端午 Sun → Mon 05-29; 国庆 Sun 10-01 → Wed 10-04 (10-03 is 中秋 too,
    # one day off, not two).
    days = statutory_holidays(2028)
    assert days[date(2028, 1, 3)] == "元旦（补假）"
    assert days[date(2028, 5, 29)] == "端午节（补假）"
    assert days[date(2028, 10, 3)] == "中秋节"
    assert days[date(2028, 10, 4)] == "国庆节（补假）"
    assert date(2028, 10, 5) not in days
    assert len(days) == 12 + 3


def test_the_holidays_of_a_year_are_computed_once():
    assert statutory_holidays(2029) is statutory_holidays(2029)
    assert is_statutory_workday(date(2027, 1, 4)) and not is_statutory_workday(date(2027, 1, 1))
    assert not is_statutory_workday(date(2027, 1, 2))  # a Saturday


PACKAGE_NAMES = {"元旦": "New Year's Day", "春节": "Spring Festival", "清明节": "Tomb-sweeping Day",
                 "劳动节": "Labour Day", "端午节": "Dragon Boat Festival", "中秋节": "Mid-autumn Festival",
                 "国庆节": "National Day"}


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_the_rules_agree_with_the_package_for_the_years_it_knows(year):
    """Every computed day off is a holiday of that festival in the package's arrangement (2024 under the
    2013 text: 春节 3 days, 劳动节 1 day)."""
    days = statutory_holidays(year)
    assert len([n for n in days.values() if "补假" not in n]) == (11 if year < 2025 else 13)
    for day, name in days.items():
        on_holiday, holiday = chinese_calendar.get_holiday_detail(day)
        assert on_holiday, (day, name)
        assert holiday == PACKAGE_NAMES[name.split("（")[0]], (day, name, holiday)


# ------------------------------------------------------------------ deadlines in 2027

@pytest.mark.django_db
def test_a_five_day_deadline_issued_on_2026_12_30_does_not_fall_on_new_year():
    ack, answer = default_deadlines(days_action(1, 5), at(2026, 12, 30, 10, 0))
    assert ack == eod(2026, 12, 31)
    # Thu 12-31 (1), Fri 01-01 元旦, weekend, Mon 01-04 (2) .. Thu 01-07 (5).
    assert answer != eod(2027, 1, 1)
    assert answer == eod(2027, 1, 7)
    assert working_days_after(date(2026, 12, 31), 1) == date(2027, 1, 4)


@pytest.mark.django_db
def test_a_deadline_issued_before_spring_festival_2027_skips_it():
    # Issued Thu 02-04: 02-05..08 春节, 02-09/10 补假 for its weekend days; Thu 02-11 is the first
    # working day after.
    assert working_days_after(date(2027, 2, 4), 1) == date(2027, 2, 11)
    ack, answer = default_deadlines(days_action(1, 5), at(2027, 2, 3, 15, 0))
    assert ack == eod(2027, 2, 4)
    # 02-04 (1), 02-11 (2), 02-12 (3), 02-15 (4), 02-16 (5).
    assert answer == eod(2027, 2, 16)
    # Issued on 除夕 itself: counted from the next working day.
    assert working_days_after(date(2027, 2, 5), 0) == date(2027, 2, 11)


@pytest.mark.django_db
@pytest.mark.parametrize("start, n, expected", [
    (date(2027, 4, 2), 1, date(2027, 4, 6)),     # 清明 Mon 04-05
    (date(2027, 4, 30), 1, date(2027, 5, 5)),    # 劳动节 Sat/Sun + 补假 Mon/Tue
    (date(2027, 6, 8), 1, date(2027, 6, 10)),    # 端午 Wed 06-09
    (date(2027, 9, 14), 1, date(2027, 9, 16)),   # 中秋 Wed 09-15
    (date(2027, 9, 30), 1, date(2027, 10, 6)),   # 国庆 Fri–Sun + 补假 Mon/Tue
    (date(2028, 9, 29), 1, date(2028, 10, 5)),   # 国庆/中秋 2028: Sun 10-01 .. Wed 10-04
    (date(2028, 5, 26), 1, date(2028, 5, 30)),   # 端午 Sun 05-28, 补假 Mon 05-29
])
def test_other_festivals_of_2027_and_2028_are_skipped(start, n, expected):
    assert working_days_after(start, n) == expected


@pytest.mark.django_db
def test_overrides_win_over_the_computed_holidays():
    # The State Council's arrangement, as the office would enter it.
    HolidayOverride.objects.create(date=date(2027, 2, 20), is_workday=True, note="春节调休上班")
    HolidayOverride.objects.create(date=date(2027, 2, 11), is_workday=False, note="春节放假")
    assert date(2027, 2, 20).weekday() == 5
    # A make-up Saturday is a working day.
    assert working_days_after(date(2027, 2, 19), 1) == date(2027, 2, 20)
    # An extra day off is not.
    assert working_days_after(date(2027, 2, 4), 1) == date(2027, 2, 12)
    # A computed holiday made a working day.
    HolidayOverride.objects.create(date=date(2027, 2, 10), is_workday=True)
    assert working_days_after(date(2027, 2, 4), 1) == date(2027, 2, 10)


@pytest.mark.django_db
def test_counting_through_a_computed_year_stays_at_one_query(django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        assert working_days_after(date(2027, 9, 30), 5) == date(2027, 10, 12)


# ------------------------------------------------------------------ the reminder to the office

@pytest.mark.django_db
def test_next_year_arrangement_missing_from_1_november():
    with time_machine.travel(at(2026, 10, 31, 23, 30)):
        assert next_year_arrangement_missing() is None
    with time_machine.travel(at(2026, 11, 1, 0, 30)):  # still 10-31 in UTC
        assert next_year_arrangement_missing() == 2027
    assert next_year_arrangement_missing(date(2026, 12, 31)) == 2027
    assert next_year_arrangement_missing(date(2027, 1, 2)) is None
    assert next_year_arrangement_missing(date(2025, 11, 1)) is None  # the package knows 2026
    HolidayOverride.objects.create(date=date(2028, 1, 1), is_workday=False)  # another year: not enough
    assert next_year_arrangement_missing(date(2026, 11, 1)) == 2027
    HolidayOverride.objects.create(date=date(2027, 12, 31), is_workday=False)
    assert next_year_arrangement_missing(date(2026, 11, 1)) is None


def _home(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


BANNER = 'id="holiday-arrangement"'


@pytest.mark.django_db
def test_the_office_home_page_shows_the_banner_from_1_november(browser_client):
    # A fresh session at each instant: the portal ends a session idle for 30 minutes.
    with time_machine.travel(at(2026, 10, 31, 23, 30)):
        assert BANNER not in _home(browser_client("office"))
    with time_machine.travel(at(2026, 11, 1, 0, 30)):
        page = _home(browser_client("office"))
        assert BANNER in _home(browser_client("admin"))  # superusers too
        for username in ("clerk", "liaison-police", "convener"):
            assert BANNER not in _home(browser_client(username)), username
    assert BANNER in page
    assert arrangement_missing_message(2027).replace("'", "&#x27;") in page
    assert reverse("admin:cases_holidayoverride_changelist") in page


@pytest.mark.django_db
def test_the_banner_goes_once_next_years_arrangement_is_entered(browser_client):
    HolidayOverride.objects.create(date=date(2027, 2, 20), is_workday=True, note="调休")
    with time_machine.travel(at(2026, 11, 15, 9, 0)):
        assert BANNER not in _home(browser_client("office"))


@pytest.mark.django_db
def test_the_check_costs_the_office_one_query_and_others_none(browser_client):
    def holiday_queries(client):
        _home(client)  # warm the session and role caches
        with CaptureQueriesContext(connection) as queries:
            _home(client)
        # The arrangement check is an EXISTS over next year (``LIMIT 1``); the clerk's to-do reads the
        # overrides of the coming weeks to count working days (the renewal horizon), which is not the check.
        return [q["sql"] for q in queries.captured_queries
                if "cases_holidayoverride" in q["sql"] and "LIMIT 1" in q["sql"].upper()]

    with time_machine.travel(at(2026, 11, 2, 9, 0)):
        assert len(holiday_queries(browser_client("office"))) == 1
        assert holiday_queries(browser_client("clerk")) == []
    with time_machine.travel(at(2026, 10, 2, 9, 0)):
        assert holiday_queries(browser_client("office")) == []


@pytest.mark.django_db
def test_the_admin_changelist_warns_from_1_november(browser_client):
    url = reverse("admin:cases_holidayoverride_changelist")
    expected = arrangement_missing_message(2027)
    with time_machine.travel(at(2026, 11, 1, 0, 30)):
        response = browser_client("admin").get(url)
    assert response.status_code == 200
    assert [str(m) for m in get_messages(response.wsgi_request)] == [expected]
    assert "2027" in response.content.decode()
    with time_machine.travel(at(2026, 10, 31, 23, 30)):
        response = browser_client("admin").get(url)
    assert response.status_code == 200
    assert [str(m) for m in get_messages(response.wsgi_request)] == []


def test_dates_assumed_above_are_the_weekdays_they_are_said_to_be():
    assert date(2026, 12, 31).weekday() == 3 and date(2027, 1, 1).weekday() == 4
    assert date(2027, 2, 5).weekday() == 4 and date(2027, 2, 11).weekday() == 3
    assert date(2027, 10, 1).weekday() == 4 and date(2028, 10, 1).weekday() == 6
