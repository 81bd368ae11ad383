"""Case numbers (DOMAIN.md section 6); resident ID numbers and credit codes are ``linkage.identity``.

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

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from linkage.dates import SHANGHAI

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


def parse_own_case_number(value: str, court_code: str | None = None) -> CaseNumber:
    """A new case of a court: a valid case number that also carries the court's own code (``court_code``,
    the registering clerk's court; ``settings.COURT_CODE`` when not given)."""
    parsed = parse_case_number(value)
    own = normalise_case_number_query(court_code or getattr(settings, "COURT_CODE", "鄂1022"))
    if parsed.court_code != own:
        raise ValidationError(
            _("Case number %(number)s carries the court code %(code)s; a new case of this court carries its "
              "own court code %(own)s, e.g. （%(year)s）%(own)s执1号."),
            code="court_code", params={"number": parsed.number, "code": parsed.court_code, "own": own,
                                       "year": parsed.year})
    return parsed


def case_number_hint(value: str) -> str:
    """The bracket hint for a number as typed ("" when it was typed as stored, or is not a number)."""
    try:
        return parse_case_number(value).hint
    except ValidationError:
        return ""
