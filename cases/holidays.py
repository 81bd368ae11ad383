"""Statutory holidays of a year, computed from 《全国年节及纪念日放假办法》, for years ``chinese_calendar``
does not know yet.

The rules, as revised by the State Council with effect from 2025-01-01 (Art. 2 and 6):

* 元旦 Jan 1 (1 day); 春节 农历除夕 and 正月初一至初三 (4 days); 清明节 the day of the 清明 solar term;
  劳动节 May 1–2; 端午节 农历五月初五; 中秋节 农历八月十五; 国庆节 Oct 1–3.
* Art. 6: a holiday for all citizens that falls on a Saturday or Sunday is given back on a working day
  (补假). We give it back on the first Monday–Friday after that festival that is not itself a holiday,
  which is what the State Council's arrangements do.

Before 2025 (the 2013 text): 春节 正月初一至初三 (3 days), 劳动节 May 1 only. Only used to check these
rules against the package's data; the package covers those years itself.

What the rules cannot know is the State Council's yearly arrangement (调休: make-up working days on
weekends and the bridging days around a festival). The office enters it as ``HolidayOverride`` rows, which
win over everything; ``next_year_arrangement_missing`` tells it, from 1 November, when it has not yet.

Lunar dates and solar terms come from ``lunar_python``.
"""
from datetime import date, timedelta
from functools import cache, lru_cache
from types import MappingProxyType

import chinese_calendar
from django.utils import timezone
from django.utils.translation import gettext as _
from lunar_python import Lunar

REVISION_2025 = 2025
REMINDER_FROM = (11, 1)  # month, day: from then on, next year's arrangement is asked for


@cache
def calendar_knows(year: int) -> bool:
    """Whether the ``chinese_calendar`` package holds the arrangement of ``year``."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def _lunar(year: int, month: int, day: int) -> date:
    solar = Lunar.fromYmd(year, month, day).getSolar()
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def _qingming(year: int) -> date:
    # The solar-term table of lunar year ``year`` runs from the winter solstice before it; 清明 (early
    # April) always falls in solar year ``year``.
    solar = Lunar.fromYmd(year, 1, 1).getJieQiTable()["清明"]
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def festivals(year: int) -> list[tuple[str, list[date]]]:
    """The festivals of Art. 2 in ``year``, in order, each with its holiday dates."""
    new_year_day = _lunar(year, 1, 1)  # 正月初一
    if year >= REVISION_2025:
        spring = [new_year_day - timedelta(days=1) + timedelta(days=i) for i in range(4)]  # 除夕 .. 初三
        labour = [date(year, 5, 1), date(year, 5, 2)]
    else:
        spring = [new_year_day + timedelta(days=i) for i in range(3)]
        labour = [date(year, 5, 1)]
    return [
        ("元旦", [date(year, 1, 1)]),
        ("春节", spring),
        ("清明节", [_qingming(year)]),
        ("劳动节", labour),
        ("端午节", [_lunar(year, 5, 5)]),
        ("中秋节", [_lunar(year, 8, 15)]),
        ("国庆节", [date(year, 10, d) for d in (1, 2, 3)]),
    ]


@lru_cache(maxsize=64)
def statutory_holidays(year: int) -> MappingProxyType[date, str]:
    """Every day off of ``year`` under the 办法: the festivals' days (Art. 2) and the working days that
    give back a festival day falling on a weekend (Art. 6, named "…（补假）"). Cached per year."""
    listed = festivals(year)
    days: dict[date, str] = {}
    for name, dates in listed:
        for day in dates:
            days.setdefault(day, name)  # 中秋 on Oct 1–3 is one day off, not two
    for name, dates in listed:
        owed = sum(1 for day in set(dates) if day.weekday() >= 5 and days[day] == name)
        day = max(dates)
        while owed:
            day += timedelta(days=1)
            if day.weekday() < 5 and day not in days:
                days[day] = f"{name}（补假）"
                owed -= 1
    return MappingProxyType(days)  # cached: read-only


def is_statutory_workday(day: date) -> bool:
    """A working day by the rules alone: Monday–Friday and not a day off of the 办法."""
    return day.weekday() < 5 and day not in statutory_holidays(day.year)


def next_year_arrangement_missing(today: date | None = None) -> int | None:
    """Next year, when from 1 November (Asia/Shanghai) the package does not know it and the office has not
    entered a single ``HolidayOverride`` row dated in it; else None. At most one query, none before
    November or when the package knows next year."""
    from .models import HolidayOverride

    today = today or timezone.localdate()
    if (today.month, today.day) < REMINDER_FROM:
        return None
    year = today.year + 1
    if calendar_knows(year):
        return None
    if HolidayOverride.objects.filter(date__gte=date(year, 1, 1), date__lte=date(year, 12, 31)).exists():
        return None
    return year


def arrangement_missing_message(year: int) -> str:
    """What the office is told, on its home page and in the admin."""
    return _("The State Council's holiday arrangement for %(year)s has not been entered: enter its make-up "
             "working days and extra days off in the holiday table. Until then, deadlines in %(year)s skip "
             "only weekends and the statutory holidays.") % {"year": year}
