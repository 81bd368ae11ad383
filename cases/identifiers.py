"""Case numbers, resident ID numbers and unified social credit codes (DOMAIN.md section 6).

Each validator raises ``ValidationError`` with a message a clerk can act on, and returns the
normalised value.
"""
import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

PROVINCES = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川黔滇藏陕甘青宁新兵"
CASE_TYPES = ("执恢", "执保", "执异", "执复", "执监", "执协", "执")
_CASE_RE = re.compile(
    r"^\((?P<year>\d{4})\)(?P<province>[" + PROVINCES + r"])(?P<court>\d{2,4})"
    r"(?P<type>" + "|".join(CASE_TYPES) + r")(?P<serial>[1-9]\d{0,5})号$"
)


@dataclass(frozen=True)
class CaseNumber:
    number: str
    year: int
    province: str
    court: str
    case_type: str
    serial: int


def parse_case_number(value: str) -> CaseNumber:
    """``(2026)鄂1022执123号``: year, province abbreviation + court code, case type, serial."""
    raw = (value or "").strip().replace("（", "(").replace("）", ")").replace(" ", "")
    match = _CASE_RE.match(raw)
    if not match:
        raise ValidationError(
            _("Case number “%(value)s” is not of the form (2026)鄂1022执123号: year in brackets, province "
              "abbreviation and court code, case type (执, 执恢, 执保, 执异 …), serial number, then 号."),
            code="case_number", params={"value": value},
        )
    year = int(match["year"])
    if not 1990 <= year <= timezone.localdate().year + 1:
        raise ValidationError(_("Case number year %(year)s is out of range."), code="case_number",
                              params={"year": year})
    return CaseNumber(raw, year, match["province"], match["court"], match["type"], int(match["serial"]))


_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"


def resident_id_check_char(first17: str) -> str:
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def validate_resident_id(value: str) -> str:
    """18 characters, a valid birth date, and the ISO 7064 MOD 11-2 check character."""
    raw = (value or "").strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", raw):
        raise ValidationError(_("A resident ID number has 18 characters: 17 digits and a digit or X."),
                              code="resident_id")
    try:
        date(int(raw[6:10]), int(raw[10:12]), int(raw[12:14]))
    except ValueError:
        raise ValidationError(_("The birth date inside this resident ID number is not a real date."),
                              code="resident_id") from None
    if resident_id_check_char(raw[:17]) != raw[17]:
        raise ValidationError(_("The check character of this resident ID number is wrong; please re-check "
                                "the number."), code="resident_id")
    return raw


_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def uscc_check_char(first17: str) -> str:
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def validate_uscc(value: str) -> str:
    """Unified social credit code, GB 32100-2015: 18 characters and a check character."""
    raw = (value or "").strip().upper()
    if len(raw) != 18 or any(c not in _USCC_CHARS for c in raw):
        raise ValidationError(
            _("A unified social credit code has 18 characters from digits and capital letters "
              "(without I, O, Z, S, V)."), code="uscc")
    if uscc_check_char(raw[:17]) != raw[17]:
        raise ValidationError(_("The check character of this unified social credit code is wrong; please "
                                "re-check the code."), code="uscc")
    return raw


def validate_party_identifier(value: str, kind: str) -> str:
    return validate_resident_id(value) if kind == "person" else validate_uscc(value)


def mask_identifier(value: str) -> str:
    """``421022199001011234`` → ``4210**********1234``: region kept, birth date and serial hidden."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]
