"""The Jinja2 environment of the tables a clerk pages through all day (docs/architecture.md).

A page of fifty notices or cases printed through the Django template language spends its time on the
rows: the template language resolves, localizes and escapes twenty-odd variables a row; Jinja2 compiles
the template to Python and prints the same rows faster (docs/performance.md). Only those tables are
Jinja2 (``templates/jinja2/``), included with ``{% jinja "cases/notice_table.html" notices=… %}``
(``members.templatetags.rows``); every page around them stays in the template language.

Their text goes through Django's gettext (``{{ _("Notice") }}``, which ``makemessages`` extracts as it
does in the template language) and the filters are the template language's own functions: the same
path, date, amount and masking as everywhere else. Autoescaping is on, as in every Django template.
"""
from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext, ngettext, npgettext, pgettext
from jinja2 import Environment
from markupsafe import Markup

from cases.templatetags.notice_tags import event_label, mask_identifiers
from linkage.numerals import format_yuan
from members.templatetags.rows import in_current_zone, iso, minute, path


def time_element(value) -> str:
    """``<time datetime="…">Y-m-d H:i</time>`` of a datetime in the current time zone: what
    ``<time datetime="{{ v|iso }}">{{ v|minute }}</time>`` prints, converted once; empty for anything else."""
    if not isinstance(value, datetime):
        return ""
    local = in_current_zone(value)
    # Digits, dashes, colons, a "T" and a "+": nothing to escape.
    return Markup(f'<time datetime="{local.isoformat()}">{local.strftime("%Y-%m-%d %H:%M")}</time>')


def environment(**options) -> Environment:
    env = Environment(extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(gettext, ngettext, newstyle=True, pgettext=pgettext, npgettext=npgettext)
    env.filters.update(path=path, minute=minute, iso=iso, yuan=format_yuan, event_label=event_label,
                       mask_identifiers=mask_identifiers, time_element=time_element)
    env.globals.update(url=lambda name, *args: reverse(name, args=args))
    return env
