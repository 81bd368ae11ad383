"""Dates as Gong'an counts them and as the court's documents write them, for every app.

* ``local_today``/``local_date``: the day in Asia/Shanghai, whatever the process's or the request's time zone;
* ``add_months``: the same day N months on, clamped to a shorter month's end;
* ``parse_day``: a date a user typed (YYYY-MM-DD), or the field's error;
* ``cn_date`` (2026年12月2日: the dates a unit acts on) and ``cn_date_upper`` (二〇二六年十二月二日: the date
  under the court's seal).
"""
import calendar
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from .numerals import chinese_numeral

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local_today() -> date:
    return timezone.now().astimezone(SHANGHAI).date()


def local_date(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the end of a shorter month (31 January + 1 → 28 February)."""
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def parse_day(value, field_name: str, *, required: bool = True) -> date | None:
    """``value`` (a date, a datetime: its day in Asia/Shanghai, or YYYY-MM-DD) as a date; empty → None
    unless ``required``; else the error of ``field_name``."""
    if value in (None, ""):
        if required:
            raise ValidationError({field_name: [_("Enter a date as YYYY-MM-DD.")]})
        return None
    if isinstance(value, datetime):
        return local_date(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, date):
        return value
    try:
        parsed = parse_date(str(value).strip())
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValidationError({field_name: [_("Enter a date as YYYY-MM-DD.")]})
    return parsed


def cn_date(day) -> str:
    """2026年12月2日; a datetime is read as its day in Asia/Shanghai; None → ""."""
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = local_date(day)
    return f"{day.year}年{day.month}月{day.day}日"


def cn_date_upper(day) -> str:
    """二〇二六年十二月二日: the date under the court's seal, as court documents write it."""
    if isinstance(day, datetime):
        day = local_date(day)
    year = "".join("〇一二三四五六七八九"[int(d)] for d in str(day.year))
    return f"{year}年{chinese_numeral(day.month)}月{chinese_numeral(day.day)}日"
