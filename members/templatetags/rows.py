"""Filters for what a list prints on every row (lean pages).

A page of fifty notices printed ``{% url 'cases:notice-detail' n.pk %}`` and ``{{ n.due_at|date:"Y-m-d H:i" }}``
fifty times each: a full ``reverse()`` (resolver walk, argument conversion, quoting) and a date format
parsed again for every cell. These give the same text for a fraction of the cost:

- ``{{ n.pk|path:"cases:notice-detail" }}``: the URL of a route that takes one id (an integer, or a code
  of ASCII letters and digits), reversed once per route and script prefix and then filled in
  (``reverse`` itself for anything else);
- ``{{ n.due_at|minute }}``: ``Y-m-d H:i`` in the current time zone (Asia/Shanghai), what
  ``|date:"Y-m-d H:i"`` prints; ``{{ e.at|iso }}``: what ``|date:"c"`` prints, for ``<time datetime>``.
"""
from datetime import date, datetime
from functools import lru_cache

from django import template
from django.template import engines
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

register = template.Library()

# Marks that occur once in a reversed path: an id no table will reach in this court's lifetime, and a
# code of mixed-case letters and digits (a route that takes it takes any such code; a route whose
# converter refuses it, <int:…> say, is never filled with a code here).
_MARKS = {int: 987654321987, str: "Zq9Mark0Zq9"}


@lru_cache(maxsize=512)
def _split_path(name: str, prefix: str, urlconf, kind: type) -> tuple[str, str] | None:
    mark = _MARKS[kind]
    try:
        path = reverse(name, args=[mark], urlconf=urlconf)
    except NoReverseMatch:
        return None
    mark = str(mark)
    if path.count(mark) != 1:
        return None
    head, _, tail = path.partition(mark)
    return head, tail


def _plain(value) -> bool:
    """An id that every converter takes as it is and no quoting changes: a non-negative int, or ASCII
    letters and digits (a document code). Anything else goes the slow, exact way."""
    if type(value) is int:  # noqa: E721 — not bool
        return value >= 0
    return type(value) is str and value.isascii() and value.isalnum()  # noqa: E721


@register.filter
def path(pk, name: str) -> str:
    """The path of route ``name`` for the one argument ``pk`` (``reverse(name, args=[pk])``, cached per
    route: the route is reversed once with a mark and the mark replaced)."""
    if not _plain(pk):
        return reverse(name, args=[pk])
    parts = _split_path(name, get_script_prefix(), get_urlconf(), type(pk))
    if parts is None:
        return reverse(name, args=[pk])
    return f"{parts[0]}{pk}{parts[1]}"


def in_current_zone(value):
    if isinstance(value, datetime):
        return timezone.localtime(value) if timezone.is_aware(value) else value
    return value


@register.filter
def minute(value) -> str:
    """``Y-m-d H:i`` in the current time zone; empty for anything but a datetime (as ``|date`` prints it)."""
    if isinstance(value, datetime):
        return in_current_zone(value).strftime("%Y-%m-%d %H:%M")
    return ""  # a date has no time of day: |date prints nothing for it either


@register.filter
def iso(value) -> str:
    """ISO 8601 in the current time zone, as ``|date:"c"`` prints it."""
    if isinstance(value, (datetime, date)):
        return in_current_zone(value).isoformat()
    return ""


@register.simple_tag(takes_context=True)
def jinja(context, template_name: str, **values):
    """``{% jinja "cases/notice_table.html" notices=notices %}``: the rows of a long list, printed by the
    Jinja2 template ``templates/jinja2/<template_name>`` with ``values`` (``linkage/jinja2.py``)."""
    template = engines["jinja2"].get_template(template_name)
    # Jinja2 has escaped every value it printed: the markup is safe as it is.
    return mark_safe(template.render(values, context.get("request")))  # noqa: S308
