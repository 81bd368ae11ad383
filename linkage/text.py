"""Free text that cannot hurt: no control characters or direction overrides in, no live formulas out.

``clean_text`` is the one input rule of every text field, form and API alike (``linkage.forms.
CleanTextMixin``, ``linkage.api.CleanCharField``): control characters stripped, direction overrides refused
(a right-to-left override makes ``exe.pdf`` of ``fdp.exe`` on a unit's screen), a length cap
(``FREE_TEXT_MAX_LENGTH`` where the field names none). Identifier-shaped runs are masked at display
(``linkage.identity.mask_identifiers_in_text``), never at input: the court may need what was typed.

``strip_controls`` cleans what people type (forms, the API) before it is stored, and what the exporters
write (python-docx and openpyxl refuse control characters: a stored one must not make a document answer
500 forever). ``safe_cell`` is what every Excel and CSV export writes in a cell: text that a spreadsheet
would read as a formula (``=HYPERLINK(...)``, ``+``, ``-``, ``@``, a leading tab or carriage return) gets a
leading apostrophe, as OWASP advises against CSV/formula injection, so it is shown as the text it is.
"""
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Every free-text field without a cap of its own (a subject, an answer, a note): a page of text, never a
# book (a 40,000-character subject made each PDF of its notice take half a minute).
FREE_TEXT_MAX_LENGTH = 2000
# Unicode direction overrides and isolates (LRE, RLE, PDF, LRO, RLO; LRI, RLI, FSI, PDI).
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
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


def clean_text(value):
    """``value`` as stored: control characters stripped; a direction override refused (ValidationError,
    code ``bidi``). Anything that is not a string comes back unchanged."""
    if not isinstance(value, str):
        return value
    value = strip_controls(value)
    if _BIDI_CONTROLS.search(value):
        raise ValidationError(_("Text may not contain direction-override characters (U+202A–U+202E, "
                                "U+2066–U+2069)."), code="bidi")
    return value


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
