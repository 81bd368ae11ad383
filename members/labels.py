"""What people read where the database keeps a code: a role's group name (``clerk``), what an audited read
was (``admin_case_view``), and the access log's object and reason as they were written (issue 31 D3).

The codes stay what they are in the database, the API and the tests; the admin and the pages show these.
"""
import re
from urllib.parse import unquote_plus

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .roles import Role

# ``members.services.access_log(what=...)``: every kind of audited read, by the code its caller writes.
ACCESS_KINDS = {
    "reveal_identifiers": _("Full identity numbers revealed"),
    "case_search_identifier": _("Cases searched by identity number"),
    "admin_case_view": _("Case opened in the administration"),
    "cases_xlsx": _("Case list exported (Excel)"),
    "inbox_xlsx": _("Notice list exported (Excel)"),
    "measures_xlsx": _("Measures exported (Excel)"),
    "assessment_xlsx": _("Assessment scores exported (Excel)"),
    "notice_pdf": _("Notice document downloaded (PDF)"),
    "attachment": _("Attachment downloaded"),
    "sealed_document": _("Sealed document downloaded"),
    "minutes_pdf": _("Minutes downloaded (PDF)"),
    "minutes_docx": _("Minutes downloaded (Word)"),
}

# What ``reason`` held when the caller wrote the request's method (the admin's case page).
_METHOD_REASONS = {"GET": _("viewed"), "HEAD": _("viewed"), "POST": _("changes submitted")}

# ``conferences.services.minutes_read_log``: "<minutes> [excerpt <unit code>]" or "<minutes> [full]".
_MINUTES_PART = re.compile(r"^(?P<minutes>.*) \[(?:excerpt (?P<unit>[\w-]+)|(?P<full>full))\]$")


def role_label(name: str) -> str:
    """A role's group, named as the portal names the role (``clerk`` → 执行法官/书记员); another group as
    it is called."""
    return str(Role(name).label) if name in Role.values else name


def access_what_label(what: str) -> str:
    return str(ACCESS_KINDS.get(what, what))


def access_reason_label(reason: str) -> str:
    return str(_METHOD_REASONS.get(reason, reason))


def access_object_label(what: str, object_repr: str, unit_name=None) -> str:
    """The object of an audited read as a person reads it: a minutes excerpt by its unit's name
    (``unit_name(code)``), an export by its filters (decoded) or as the whole list."""
    match = _MINUTES_PART.match(object_repr) if what.startswith("minutes_") else None
    if match:
        if match["full"]:
            return gettext("%(minutes)s (full text)") % {"minutes": match["minutes"]}
        unit = unit_name(match["unit"]) if unit_name else match["unit"]
        return gettext("%(minutes)s (excerpt for %(unit)s)") % {"minutes": match["minutes"], "unit": unit}
    if what.endswith("_xlsx") and what != "assessment_xlsx":
        return gettext("the whole list") if object_repr == "all" else unquote_plus(object_repr)
    return object_repr
