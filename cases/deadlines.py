"""Deadlines in Chinese working days (make-up workdays included) or, for urgent actions, in hours.

The ``chinese_calendar`` package knows the State Council's holiday arrangements for the years it was
released with; ``HolidayOverride`` rows, which the office edits in the admin, win over it, and for a year
the package does not know yet a working day is Monday–Friday and not a statutory holiday computed from
《全国年节及纪念日放假办法》 (``cases.holidays``), those rows still winning.
"""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from .holidays import calendar_knows, is_statutory_workday
from .models import HolidayOverride

LOCAL = ZoneInfo(settings.TIME_ZONE)
URGENT_ACK_MINUTES = 15


def end_of_day(day: date) -> datetime:
    """The last second of ``day`` in Asia/Shanghai, as an aware datetime."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=LOCAL)


def is_workday(day: date, overrides: dict) -> bool:
    if day in overrides:
        return overrides[day]
    if calendar_knows(day.year):
        return chinese_calendar.is_workday(day)
    return is_statutory_workday(day)


def working_days_after(start: date, n: int) -> date:
    """The ``n``-th working day after ``start`` (``n`` = 0: ``start`` itself if it is a working day,
    else the next one)."""
    window = timedelta(days=n * 3 + 40)
    horizon = start + window
    overrides = dict(HolidayOverride.objects.filter(date__gte=start, date__lte=horizon)
                     .values_list("date", "is_workday"))
    # The count is a pure function of (start, n, the overrides read): kept per process, so the menu's
    # renewal horizon on every clerk's page does not walk 40 days of the calendar each time. The overrides
    # are read on every call, so an edit in the admin counts at once.
    key = (start, n, frozenset(overrides.items()))
    day = _counted.get(key)
    if day is None:
        day, extended = _count_working_days(start, n, overrides, horizon, window)
        if not extended:  # a count that read more overrides than the key holds is not kept
            if len(_counted) >= 1024:
                _counted.clear()
            _counted[key] = day
    return day


_counted: dict = {}


def _count_working_days(start: date, n: int, overrides: dict, horizon: date, window: timedelta):
    """(the day, whether more overrides than those given had to be read)."""
    extended = False

    def workday(day):
        nonlocal horizon, extended
        if day > horizon:  # a very long run of holidays: load the next stretch of overrides
            overrides.update(HolidayOverride.objects.filter(date__gt=horizon, date__lte=day + window)
                             .values_list("date", "is_workday"))
            horizon = day + window
            extended = True
        return is_workday(day, overrides)

    day = start
    if n == 0:
        while not workday(day):
            day += timedelta(days=1)
        return day, extended
    counted = 0
    while counted < n:
        day += timedelta(days=1)
        counted += workday(day)
    return day, extended


def default_deadlines(action, issued_at: datetime) -> tuple[datetime, datetime]:
    """(acknowledge by, answer by) for ``action`` issued at ``issued_at``: two separate clocks."""
    if action.urgent_hours is not None:
        return (issued_at + timedelta(minutes=URGENT_ACK_MINUTES),
                issued_at + timedelta(hours=action.urgent_hours))
    local_day = timezone.localtime(issued_at, LOCAL).date()
    ack = end_of_day(working_days_after(local_day, action.ack_working_days))
    answer = end_of_day(working_days_after(local_day, action.answer_working_days))
    return ack, max(ack, answer)


def parse_due(value) -> datetime:
    """An ISO date (end of that day, Asia/Shanghai) or an ISO datetime (naive ones are local)."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        return end_of_day(value)
    else:
        text = str(value or "").strip()
        parsed = None
        try:
            day = parse_date(text)
        except ValueError:
            day = None
        if day is not None:
            return end_of_day(day)
        try:
            parsed = parse_datetime(text)
        except ValueError:
            parsed = None
        if parsed is None:
            raise ValidationError(_("Enter a date (2026-12-01) or a date and time (2026-12-01T17:00)."),
                                  code="due_at")
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=LOCAL)
    return parsed
