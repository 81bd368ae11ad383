"""Logging filter: masks anything that looks like a resident ID or unified social credit code."""
import logging
import re

# 18 characters: 17 digits and a digit or X (resident ID), or the GB 32100 alphabet (credit code).
_IDENTIFIER = re.compile(r"(?<![0-9A-Z])([0-9]{6}|[0-9A-HJ-NPQRTUWXY]{6})[0-9A-HJ-NPQRTUWXY]{8}([0-9A-HJ-NPQRTUWXY]{4})"
                         r"(?![0-9A-Z])")


def mask(text: str) -> str:
    return _IDENTIFIER.sub(lambda m: m.group(1)[:4] + "*" * 10 + m.group(2), text)


class MaskIdentifiersFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True
