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


@register.filter
def mask_identifiers(value):
    """Free text as anyone is shown it: identifier-shaped runs masked (cases.disclosure); the stored
    text is unchanged. Autoescaping still applies to the result."""
    from cases.identifiers import mask_identifiers_in_text

    return mask_identifiers_in_text(value)


def _viewer(context):
    request = context.get("request")
    return getattr(request, "user", None) or context.get("user")


@register.simple_tag(takes_context=True)
def notice_parties(context, notice):
    """The parties the notice concerns, with each identifier as the signed-in user may see it."""
    from cases.disclosure import parties_for

    return parties_for(_viewer(context), notice)


@register.simple_tag(takes_context=True)
def notice_structured(context, notice):
    """Asset kind, account and amount of the notice, the account as the signed-in user may see it."""
    from cases.disclosure import structured_for

    return structured_for(_viewer(context), notice)
