"""Resident ID numbers (GB 11643-1999), unified social credit codes (GB 32100-2015) and how a person's
identifiers are shown: every app validates a party, a debtor or a person named in an order by these, and
every page masks by them.

Each validator raises ``ValidationError`` with a message a clerk can act on, and returns the normalised
value.
"""
import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from .dates import SHANGHAI

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


def mask_identifiers_in_text(text, keep=()) -> str:
    """Free text (a subject, an answer, a note) with every identifier-shaped run masked: a resident ID
    as the public list shows it (``4210**********1234``), any other long digit run but its last four.
    An organisation's unified social credit code (public, 失信规定 Art. 6) is left alone: an
    18-character word that is a valid credit code and not a valid resident ID.

    ``keep``: identifiers the reader may see in full (``cases.disclosure`` decides which): such a run is
    left as it is, and the masked form of one (``4210**********1234``, as a letter composed with the
    public form holds it) is shown in full."""
    if not text:
        return text or ""
    text = str(text)
    kept = {re.sub(r"[ -]", "", str(value)).upper() for value in keep if value}

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
        if digits.upper() in kept:
            return run
        if len(digits) == 18 and re.fullmatch(r"[0-9]{17}[0-9Xx]", digits):
            return mask_identifier(digits.upper())
        return mask_account(digits)

    for value in kept:
        if len(value) == 18:  # a resident ID written in its public form: shown in full to this reader
            text = text.replace(mask_identifier(value), value)
    return _TEXT_RUN.sub(_replace, text)
