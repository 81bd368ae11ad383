"""Free text that cannot hurt: no control characters in, no live formulas out.

``strip_controls`` cleans what people type (forms, the API) before it is stored, and what the exporters
write (python-docx and openpyxl refuse control characters: a stored one must not make a document answer
500 forever). ``safe_cell`` is what every Excel and CSV export writes in a cell: text that a spreadsheet
would read as a formula (``=HYPERLINK(...)``, ``+``, ``-``, ``@``, a leading tab or carriage return) gets a
leading apostrophe, as OWASP advises against CSV/formula injection, so it is shown as the text it is.
"""
import re

# C0 controls except tab and line feed (carriage returns are made line feeds first), and DEL.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def strip_controls(value):
    """``value`` without control characters: CR LF and lone CR become LF; tab and LF stay; the other C0
    controls and DEL go. Anything that is not a string comes back unchanged."""
    if not isinstance(value, str):
        return value
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROLS.sub("", value)


def safe_cell(value):
    """A value to write in a spreadsheet cell (xlsx or CSV): text cleaned of control characters and, if a
    spreadsheet would take it for a formula, prefixed with an apostrophe. Numbers and dates unchanged."""
    if not isinstance(value, str):
        return value
    # A carriage return or tab at the start is itself a trigger: test before stripping the controls.
    if value.startswith(_FORMULA_START):
        return "'" + strip_controls(value)
    return strip_controls(value)


def safe_row(values):
    """``safe_cell`` of every value of a row."""
    return [safe_cell(v) for v in values]
