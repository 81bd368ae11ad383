from django import template

from cases.workflow import NoticeStatus

register = template.Library()


@register.filter
def status_label(value):
    """The translated label of a notice status code (event rows store codes)."""
    try:
        return NoticeStatus(value).label
    except ValueError:
        return value or "—"
