"""Logging filter: no personal identifier reaches a log line (PIPL Art. 51).

Masked in every record (``mask``):

* the value of an identifier look-up in a query string (``id_number=``, ``q=``, ``identifier=``,
  ``credit_code=``, ``account=``, ...), whatever it holds: a name searched for is personal data too;
* any run shaped like a resident ID (18 characters: 17 digits and a digit or X; or the 15 digits of an
  old one) or a unified social credit code, wherever it stands in the message.

Never masked: digits that belong to a decimal number. A run preceded by a digit or a point, or followed
by a digit or ".<digit>", is part of a longer number (``succeeded in 0.0139123456789012345s``, an amount
``100000000000000.00``), not an identifier.

The filter is installed on every handler of ``settings.LOGGING`` (runserver's ``django.server`` access
lines included); gunicorn's access log uses ``deploy/gunicorn.conf.py``, which masks the same way.
"""
import logging
import re
from urllib.parse import unquote_plus

# Query parameters whose value is an identifier or a search term: the value is masked whole.
SENSITIVE_PARAMS = ("id_number", "q", "identifier", "credit_code", "uscc", "id_no", "idcard", "account",
                    "search", "name")
_QUERY_VALUE = re.compile(r"(?P<key>(?:^|[?&;\s\"'])(?:" + "|".join(SENSITIVE_PARAMS) + r")=)(?P<value>[^&;\s\"'#]*)",
                          re.IGNORECASE)
# A resident ID (18 or 15 digits) not inside a longer number or a decimal.
_RESIDENT_ID = re.compile(r"(?<![0-9.])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9A-Za-z]|\.[0-9])")
# A unified social credit code: authority and type, six digits of region, ten characters of the code.
_CREDIT_CODE = re.compile(r"(?<![0-9A-Za-z.])[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Za-z])")


def _mask_run(run: str) -> str:
    return run[:4] + "*" * (len(run) - 8) + run[-4:]


def _mask_value(match) -> str:
    value = match.group("value")
    if not value:
        return match.group(0)
    plain = unquote_plus(value)
    if re.fullmatch(r"[0-9A-Za-z]{15,18}", plain):
        return match.group("key") + _mask_run(plain)
    return match.group("key") + "***"


def mask(text: str) -> str:
    text = _QUERY_VALUE.sub(_mask_value, text)
    text = _RESIDENT_ID.sub(lambda m: _mask_run(m.group(0)), text)
    return _CREDIT_CODE.sub(lambda m: _mask_run(m.group(0)), text)


_FORMATTER = logging.Formatter()


class MaskIdentifiersFilter(logging.Filter):
    """Masks the whole record: the message, the traceback of an exception (an ID in a ValidationError, a
    SQL parameter) and a stack, which handlers would otherwise print as they are."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is the formatter's problem, not a reason to drop it
            return True
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            # The formatter prints ``exc_text`` when it is set: format the traceback once, masked.
            record.exc_text = _FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        return True
