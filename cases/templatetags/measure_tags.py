"""What a row of the measures register shows and offers (templates/cases/_measure_table.html). Nothing
here queries per row: the rows come from ``measures.measures_for_list`` with their relations and the
renewal/release annotations, and the user's unit scope is cached on the user."""
from django import template

from cases import terms
from cases.measure_models import MeasurePriority, MeasureStatus
from linkage import dates

register = template.Library()


@register.filter
def measure_term(measure) -> str:
    """自2026年12月2日起至2027年12月1日止, or "" (a waiting seizure, or no legal time limit)."""
    return terms.measure_term_label(measure)


@register.filter
def renewable(measure) -> bool:
    return terms.is_renewable(measure)


@register.filter
def releasable(measure) -> bool:
    return (measure.status == MeasureStatus.ACTIVE and not measure.release_notice_id
            and not getattr(measure, "release_sent", False))


@register.filter
def can_take_effect(measure, user) -> bool:
    """A waiting seizure still held, and the user is the clerk or the liaison of the unit holding it."""
    if measure.priority != MeasurePriority.WAITING or measure.status != MeasureStatus.ACTIVE:
        return False
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or user.has_perm("cases.add_notice"):
        return True
    from members.scoping import can_handle_unit

    return can_handle_unit(user, measure.unit_id)


@register.simple_tag
def measure_operations(rows, user) -> bool:
    """Whether the table needs its operations column for this user."""
    if getattr(user, "is_authenticated", False) and user.has_perm("cases.add_notice"):
        return True
    return any(can_take_effect(m, user) for m in rows)


@register.simple_tag
def release_form_for(measure, bound_form=None, bound_measure=None):
    """The submitted release form with its errors, on the row of its measure; ``None`` on the others
    (they show ``blank_release_fields``)."""
    if bound_form and getattr(bound_measure, "pk", None) == measure.pk:
        return bound_form
    return None


# The blank release form is the same on every row but for its ids (one form per row, each label naming
# its own field): Django renders it once per table with this mark in the ids, and each row puts its
# measure's id in: rendering its widgets through the form renderer on every row would be a large share of the page.
_ROW_MARK = "id_release_ROW_"


@register.simple_tag
def blank_release_fields():
    """The fields of a blank ``MeasureReleaseForm`` as ``_release_fields.html`` renders them, ids marked."""
    from django.template.loader import render_to_string
    from django.utils.translation import get_language

    from cases.forms import MeasureReleaseForm

    # A blank form is the same for every page in one language (fixed choices, no data): rendered once
    # per process and language.
    language = get_language()
    fields = _blank_release_fields.get(language)
    if fields is None:
        form = MeasureReleaseForm(auto_id=_ROW_MARK + "%s")
        fields = _blank_release_fields[language] = render_to_string("cases/_release_fields.html", {"rform": form})
    return fields


_blank_release_fields: dict = {}


@register.filter
def for_measure(blank_fields, measure_pk) -> str:
    """``blank_release_fields`` with the ids of measure ``measure_pk``'s row (what
    ``MeasureReleaseForm(measure_id=measure_pk)`` renders)."""
    from django.utils.safestring import mark_safe

    return mark_safe(str(blank_fields).replace(_ROW_MARK, f"id_release_{int(measure_pk)}_"))


@register.simple_tag
def local_today():
    return dates.local_today()
