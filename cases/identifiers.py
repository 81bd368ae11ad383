"""Case numbers, resident ID numbers and unified social credit codes (DOMAIN.md section 6).

Each validator raises ``ValidationError`` with a message a clerk can act on, and returns the
normalised value.

Case numbers follow 最高人民法院关于人民法院案件案号的若干规定 (法〔2015〕137号, in force 2016-01-01)
and its 各级法院代字表: Art. 3, the form is "（" + year + "）" + court code + case type + serial + "号"
(full-width round brackets; the 六角括号〔〕 belong to document numbers such as 法〔2015〕137号, not to
案号); Art. 4, the Supreme People's Court is 最高法, a high court the abbreviation of its province
(内 for Inner Mongolia, 兵 for the XPCC branch, 军 for the PLA Military Court); Art. 5, an intermediate
court adds 2 digits, a basic court 4.
"""
import re
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

SHANGHAI = ZoneInfo("Asia/Shanghai")

# 案号规定 Art. 4 and the 各级法院代字表: the high courts' codes. Inner Mongolia is 内 (not 蒙), Yunnan 云,
# Guizhou 黔; 兵 is the XPCC branch of the Xinjiang high court, 军 the PLA Military Court.
PROVINCES = "京津冀晋内辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川黔云藏陕甘青宁新兵军"
SUPREME_COURT = "最高法"
# 人民法院案件类型及其代字标准, 执行类案件.
CASE_TYPES = ("执恢", "执保", "执异", "执复", "执监", "执协", "执他", "执")
OPEN_BRACKETS = "（(〔［[【"
CLOSE_BRACKETS = "）)〕］]】"
FIRST_YEAR = 1990
EXAMPLE = "（2026）鄂1022执123号"

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_BRACKETS = str.maketrans({**{c: "（" for c in OPEN_BRACKETS}, **{c: "）" for c in CLOSE_BRACKETS}})
_CASE_RE = re.compile(
    r"^(?P<open>[" + re.escape(OPEN_BRACKETS) + r"])(?P<year>\d{4})(?P<close>[" + re.escape(CLOSE_BRACKETS) + r"])"
    r"(?P<province>" + SUPREME_COURT + r"|\D)(?P<court>\d*)(?P<type>\D+?)(?P<serial>\d+)号$"
)


@dataclass(frozen=True)
class CaseNumber:
    number: str  # normalised: （2026）鄂1022执123号
    year: int
    province: str  # 鄂, 内, 兵 … or 最高法
    court: str  # "", 2 or 4 digits
    case_type: str
    serial: int
    hint: str = ""  # set when the input was read after correcting its brackets

    @property
    def court_code(self) -> str:
        """鄂1022: the 法院代字 of 案号规定 Art. 4-5."""
        return self.province + self.court


ParsedCaseNumber = CaseNumber


def _compact(value) -> str:
    return re.sub(r"\s+", "", str(value or "")).translate(_FULLWIDTH_DIGITS)


def normalise_case_number_query(q) -> str:
    """A search term with its brackets read the way a case number is stored: ``(2026)鄂1022``,
    ``〔2026〕鄂1022`` and ``［2026］鄂1022`` all become ``（2026）鄂1022``."""
    return _compact(q).translate(_BRACKETS)


def parse_case_number(value: str) -> CaseNumber:
    """``（2026）鄂1022执123号``: year, court code (province abbreviation + 2 or 4 digits), case type,
    serial. Brackets typed as （）〔〕［］()[]【】 are read as the same number, with a ``hint``."""
    raw = _compact(value)
    value = str(value or "").strip()  # as typed, for the messages
    match = _CASE_RE.match(raw)
    if not match:
        raise ValidationError(
            _("Case number “%(value)s” is not of the form %(example)s: the year in brackets, the court code "
              "(province abbreviation and the court's digits), the case type (执, 执恢, 执保, 执异 …), the "
              "serial number, then 号."),
            code="case_number", params={"value": value, "example": EXAMPLE},
        )
    year = int(match["year"])
    this_year = timezone.localdate(timezone=SHANGHAI).year
    if not FIRST_YEAR <= year <= this_year:
        raise ValidationError(
            _("The year of case number %(value)s is %(year)s: it must be the year the case was filed, from "
              "%(first)s to this year (%(this)s)."),
            code="case_number", params={"value": value, "year": year, "first": FIRST_YEAR, "this": this_year})
    province, court = match["province"], match["court"]
    if province == "蒙":
        raise ValidationError(
            _("Case number %(value)s: the court code of Inner Mongolia is 内, not 蒙 (案号规定 Art. 4), e.g. "
              "（2026）内01执1号."), code="case_number", params={"value": value})
    if province == SUPREME_COURT:
        if court:
            raise ValidationError(_("Case number %(value)s: the court code 最高法 has no digits after it."),
                                  code="case_number", params={"value": value})
    elif province not in PROVINCES:
        raise ValidationError(
            _("Case number %(value)s: “%(code)s” is not a court code. The court code starts with the "
              "abbreviation of the province's high court (鄂, 京, 内 for Inner Mongolia, 兵 for the XPCC …), "
              "as in %(example)s."),
            code="case_number", params={"value": value, "code": province, "example": EXAMPLE})
    elif len(court) not in (0, 2, 4):
        raise ValidationError(
            _("Case number %(value)s: after the province abbreviation the court code has 2 digits (an "
              "intermediate court) or 4 digits (a basic court), as in %(example)s; “%(digits)s” has "
              "%(count)s."),
            code="case_number", params={"value": value, "digits": court, "count": len(court), "example": EXAMPLE})
    case_type = match["type"]
    if case_type not in CASE_TYPES:
        raise ValidationError(
            _("Case number %(value)s: “%(type)s” is not an enforcement case type; use 执, 执恢, 执保, 执异, "
              "执复, 执监, 执协 or 执他, as in %(example)s."),
            code="case_number", params={"value": value, "type": case_type, "example": EXAMPLE})
    serial = match["serial"]
    if serial.startswith("0") or len(serial) > 6:
        raise ValidationError(
            _("Case number %(value)s: the serial number is a whole number from 1 (at most 6 digits, no leading "
              "zeros), as in %(example)s."),
            code="case_number", params={"value": value, "example": EXAMPLE})
    number = f"（{year}）{province}{court}{case_type}{int(serial)}号"
    hint = ""
    if match["open"] != "（" or match["close"] != "）":
        hint = _("The year of a case number is enclosed in round brackets （） (案号规定 Art. 3); "
                 "“%(value)s” was read as %(number)s.") % {"value": value, "number": number}
    return CaseNumber(number, year, province, court, case_type, int(serial), hint)


def parse_own_case_number(value: str) -> CaseNumber:
    """A new case of this court: a valid case number that also carries ``settings.COURT_CODE``."""
    parsed = parse_case_number(value)
    own = normalise_case_number_query(getattr(settings, "COURT_CODE", "鄂1022"))
    if parsed.court_code != own:
        raise ValidationError(
            _("Case number %(number)s carries the court code %(code)s; a new case of this court carries its "
              "own court code %(own)s, e.g. （%(year)s）%(own)s执1号."),
            code="court_code", params={"number": parsed.number, "code": parsed.court_code, "own": own,
                                       "year": parsed.year})
    return parsed


# ---------------------------------------------------------------- resident ID numbers (GB 11643-1999)

_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"
# The address code is a county-level code of GB/T 2260: its first two digits are a province-level code
# (81, 82, 83: Hong Kong, Macao and Taiwan residents' residence permits use the same structure).
_PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82 83"
    .split())


def resident_id_check_char(first17: str) -> str:
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def validate_resident_id(value: str) -> str:
    """18 characters: address code of a real province, a real birth date (1900 to today), and the
    ISO 7064 MOD 11-2 check character."""
    raw = (value or "").strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", raw):
        raise ValidationError(_("A resident ID number has 18 characters: 17 digits and a digit or X."),
                              code="resident_id")
    if raw[:6] == "000000" or raw[:2] not in _PROVINCE_CODES:
        raise ValidationError(_("The first six digits of a resident ID number are the code of a county or "
                                "district (e.g. 421022); %(region)s is not one."),
                              code="resident_id", params={"region": raw[:6]})
    try:
        birth = date(int(raw[6:10]), int(raw[10:12]), int(raw[12:14]))
    except ValueError:
        raise ValidationError(_("The birth date inside this resident ID number (digits 7 to 14) is not a real "
                                "date."), code="resident_id") from None
    if birth > timezone.localdate(timezone=SHANGHAI):
        raise ValidationError(_("The birth date inside this resident ID number (%(date)s) is in the future."),
                              code="resident_id", params={"date": birth.isoformat()})
    if birth.year < 1900:
        raise ValidationError(_("The birth date inside this resident ID number (%(date)s) is before 1900."),
                              code="resident_id", params={"date": birth.isoformat()})
    if resident_id_check_char(raw[:17]) != raw[17]:
        raise ValidationError(_("The check character of this resident ID number is wrong; please re-check "
                                "the number."), code="resident_id")
    return raw


# ---------------------------------------------------------------- unified social credit codes (GB 32100-2015)

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
# GB 32100-2015 Annex A (with amendment No. 1): registration authority (character 1) → organisation
# types (character 2). 1 机构编制, 2 外交, 3 司法行政, 4 文化, 5 民政, 6 旅游, 7 宗教, 8 工会, 9 工商,
# A 中央军委改革和编制办公室, N 农业, Y 其他.
USCC_TYPES = {
    "1": "1239", "2": "19", "3": "123459", "4": "19", "5": "1239", "6": "129", "7": "129", "8": "19",
    "9": "123", "A": "19", "N": "1239", "Y": "1",
}
_ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]


def uscc_check_char(first17: str) -> str:
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def organization_code_check_char(first8: str) -> str:
    """GB 11714-1997: the check character of a 9-character organisation code."""
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(first8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def validate_uscc(value: str) -> str:
    """Unified social credit code, GB 32100-2015: registration authority and organisation type, the
    registering office's region code, the organisation code (GB 11714) and the check character."""
    raw = (value or "").strip().upper()
    if len(raw) != 18 or any(c not in _USCC_CHARS for c in raw):
        raise ValidationError(
            _("A unified social credit code has 18 characters from digits and capital letters "
              "(without I, O, Z, S, V)."), code="uscc")
    authority, kind = raw[0], raw[1]
    if authority not in USCC_TYPES:
        raise ValidationError(
            _("The registration authority (character 1) of a unified social credit code is one of 1-9, A, N "
              "or Y; %(a)s is not one."), code="uscc", params={"a": authority})
    if kind not in USCC_TYPES[authority]:
        raise ValidationError(
            _("The organisation type (character 2) %(t)s is not valid for registration authority %(a)s; it "
              "may be one of %(types)s."),
            code="uscc", params={"t": kind, "a": authority, "types": ", ".join(USCC_TYPES[authority])})
    region = raw[2:8]
    if not region.isdigit() or region == "000000" or region[0] in "09":
        raise ValidationError(
            _("Characters 3 to 8 of a unified social credit code are the region code of the registering "
              "office (6 digits, e.g. 421022); %(region)s is not one."), code="uscc", params={"region": region})
    org = raw[8:17]
    if organization_code_check_char(org[:8]) != org[8]:
        raise ValidationError(
            _("Characters 9 to 17 of a unified social credit code are the organisation code, whose last "
              "character is its own check character; %(org)s does not check out. Please re-check the code."),
            code="uscc", params={"org": org})
    if uscc_check_char(raw[:17]) != raw[17]:
        raise ValidationError(_("The check character of this unified social credit code is wrong; please "
                                "re-check the code."), code="uscc")
    return raw


def make_valid_uscc(prefix8: str, body8: str) -> str:
    """``prefix8`` (authority, type, region) + ``body8`` → a structurally valid code (tests, demo data)."""
    first17 = prefix8 + body8 + organization_code_check_char(body8)
    return first17 + uscc_check_char(first17)


def is_valid_uscc(value: str) -> bool:
    try:
        validate_uscc(value)
    except ValidationError:
        return False
    return True


def is_valid_resident_id(value: str) -> bool:
    try:
        validate_resident_id(value)
    except ValidationError:
        return False
    return True


def validate_party_identifier(value: str, kind: str) -> str:
    return validate_resident_id(value) if kind == "person" else validate_uscc(value)


def mask_identifier(value: str, kind: str | None = "person") -> str:
    """A person's ID ``421022199001011234`` → ``4210**********1234`` (region kept, birth date and serial
    hidden). An organisation's credit code is public information (失信规定 Art. 6) and is shown in
    full. ``kind=None``: decide by the value (a valid credit code that is not a valid resident ID is an
    organisation's)."""
    if not value:
        return ""
    if kind == "organization" or (kind is None and is_valid_uscc(value) and not is_valid_resident_id(value)):
        return value
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def case_number_hint(value: str) -> str:
    """The bracket hint for a number as typed ("" when it was typed as stored, or is not a number)."""
    try:
        return parse_case_number(value).hint
    except ValidationError:
        return ""


# ---------------------------------------------------------------- identifiers typed into free text

# A run of digits that may be a personal identifier or an account: an 18-character resident ID
# (17 digits and a digit or X), a 15-digit old ID, a bank card or account number of 12 to 19 digits
# (also typed in groups of four: 6222 0212 3456 7890 123). Never part of a decimal number: no digit or
# point before it, no digit or ".<digit>" after it, so 100000.00, 0.0139123456789012345 and dates stay.
_TEXT_RUN = re.compile(
    r"(?<![0-9.])(?:[0-9]{17}[Xx]|[0-9]{12,19}|[0-9]{4}(?:[ -][0-9]{4}){2,3}(?:[ -][0-9]{1,4})?)"
    r"(?![0-9Xx]|\.[0-9])")
_WORD_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def mask_account(value: str) -> str:
    """An account, card, plate or parcel number shown to someone who need not act on it: only its last
    four characters (``6222021234567890123`` → ``***************0123``)."""
    value = (value or "").strip()
    if len(value) <= 4:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]


def mask_identifiers_in_text(text) -> str:
    """Free text (a subject, an answer, a note) with every identifier-shaped run masked: a resident ID
    as the public list shows it (``4210**********1234``), any other long digit run but its last four.
    An organisation's unified social credit code (public, 失信规定 Art. 6) is left alone: an
    18-character word that is a valid credit code and not a valid resident ID."""
    if not text:
        return text or ""
    text = str(text)

    def _replace(match):
        run = match.group(0)
        start, end = match.span()
        while start > 0 and text[start - 1] in _WORD_CHARS:
            start -= 1
        while end < len(text) and text[end] in _WORD_CHARS:
            end += 1
        word = text[start:end].upper()
        if len(word) == 18 and is_valid_uscc(word) and not is_valid_resident_id(word):
            return run
        digits = re.sub(r"[ -]", "", run)
        if len(digits) == 18 and re.fullmatch(r"[0-9]{17}[0-9Xx]", digits):
            return mask_identifier(digits.upper())
        return mask_account(digits)

    return _TEXT_RUN.sub(_replace, text)
