"""The legal rules of the list and of the orders, as plain functions (no database).

- 失信规定 (最高人民法院关于公布失信被执行人名单信息的若干规定, 2017): Art. 2 the period, Art. 4 no minor,
  Art. 6 what is published, Art. 10 deletion within three working days, Art. 11-12 correction.
- 限高规定 (关于限制被执行人高消费及有关消费的若干规定): Art. 3 the nine restricted acts and the persons of an
  organisation, Art. 5 the president signs, Art. 9 lifting.
- 法发〔2019〕35号 item 15: a grace period of one to three months before publication; item 17: a
  temporary permission (e.g. a medical emergency).
"""
from datetime import date

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext_lazy as _

ADULT_AGE = 18
GRACE_MIN_MONTHS, GRACE_MAX_MONTHS = 1, 3


def birth_date(id_number: str) -> date | None:
    raw = (id_number or "").strip().upper()
    if len(raw) != 18:
        return None
    try:
        return date(int(raw[6:10]), int(raw[10:12]), int(raw[12:14]))
    except ValueError:
        return None


def age_on(id_number: str, on: date) -> int | None:
    born = birth_date(id_number)
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def sex(id_number: str) -> str:
    """GB 11643: the 17th digit, odd for a man, even for a woman."""
    raw = (id_number or "").strip()
    if len(raw) != 18 or not raw[16].isdigit():
        return ""
    return str(_("Male")) if int(raw[16]) % 2 else str(_("Female"))


def is_minor_on(id_number: str, on: date) -> bool:
    age = age_on(id_number, on)
    return age is not None and age < ADULT_AGE


def expiry(published_on: date, period_years: int | None, extension_years: int = 0) -> date | None:
    """Art. 2: the last day of a fixed listing period, counted from the first publication; none for ground 1.

    The period is counted as 民事诉讼法 Art. 85 counts periods ("期间开始的时和日，不计算在期间内"): it begins
    the day after publication and its last day is the same date N years on (published 2026-12-07, two
    years: to 2028-12-07 inclusive; deleted within three working days after, Art. 10). A measure's term
    differs only in its first day, which counts (自送达之日起, 查封扣押冻结规定 Art. 1), so its last day is the
    day before that date: ``expires_on`` is the last day in both."""
    if period_years is None:
        return None
    return published_on + relativedelta(years=period_years + (extension_years or 0))


def grace_end(start: date, months: int) -> date:
    return start + relativedelta(months=months)
