from functools import lru_cache

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
    from linkage.identity import mask_identifiers_in_text

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


@register.simple_tag(takes_context=True)
def notice_subject(context, notice):
    """The notice's subject as the signed-in user may read it: masked, but the concerned person's ID in
    full where the parties above show it in full (``cases.disclosure.text_for``: one rule)."""
    from cases.disclosure import text_for

    return text_for(_viewer(context), notice, notice.subject)


@register.simple_tag(takes_context=True)
def notice_answer_text(context, notice, text=None):
    """The unit's answer (``text``: the answer event's note; default the answer's detail): as written for
    the unit that gave it, masked for everyone else (``cases.disclosure.answer_text_for``)."""
    from cases.disclosure import answer_text_for

    return answer_text_for(_viewer(context), notice, text)


def _extra_event_labels():
    """Events that are not moves of a table (a row's creation, a notification, a request ...), in the
    current language (built once per language: every notice's first event, 'issued', needs it)."""
    from django.utils.translation import get_language

    return _extra_event_labels_in(get_language())


@lru_cache(maxsize=8)
def _extra_event_labels_in(language):
    from django.utils.translation import pgettext

    return {
        "issue": pgettext("event", "issued"), "propose": pgettext("event", "proposed"),
        "schedule": pgettext("event", "scheduled"), "draft": pgettext("event", "drafted"),
        "assign": pgettext("event", "assigned"), "notify": pgettext("event", "notified"),
        "file": pgettext("event", "filed"), "refer": pgettext("event", "referred"),
        "create": pgettext("event", "created"), "request_objection": pgettext("event", "objection filed"),
        "request_extension": pgettext("event", "more time asked for"),
        "decide_objection": pgettext("event", "objection decided"),
        "decide_extension": pgettext("event", "request for more time decided"),
        "measure_effective": pgettext("event", "measure took effect"),
        "renewal_too_late": pgettext("event", "renewal too late"), "note": pgettext("event", "note"),
    }


@register.filter
def event_label(event):
    """An event row as people read it, in the portal's language: the transition's label and the states'
    labels from the machine's own table (``批准：已提出 → 已批准``), never the stored codes."""
    machine = event.state_machine()
    move = machine.get(event.transition) if machine is not None else None
    label = str(move.label) if move is not None else _extra_event_labels().get(event.transition, event.transition)

    def state(code):
        if not code:
            return "—"
        return str(machine.label_of(code)) if machine is not None else code

    from django.utils.translation import get_language

    colon = "：" if (get_language() or "").startswith("zh") else ": "
    if event.from_status == event.to_status or not event.from_status:
        return f"{label}{colon}{state(event.to_status)}"
    return f"{label}{colon}{state(event.from_status)} → {state(event.to_status)}"
