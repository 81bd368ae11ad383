"""What a row of the measures register shows and offers (templates/cases/_measure_table.html). Nothing
here queries per row: the rows come from ``measures.measures_for_list`` with their relations and the
renewal/release annotations, and the user's unit scope is cached on the user."""
from django import template

from cases import measures
from cases.measure_models import MeasurePriority, MeasureStatus

register = template.Library()


@register.filter
def measure_term(measure) -> str:
    """自2026年12月2日起至2027年12月1日止, or "" (a waiting seizure, or no legal time limit)."""
    return measures.measure_term_label(measure)


@register.filter
def renewable(measure) -> bool:
    return measures.is_renewable(measure)


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
    """The release form of one row: the submitted one with its errors for that measure, else a blank one."""
    from cases.forms import MeasureReleaseForm

    if bound_form and getattr(bound_measure, "pk", None) == measure.pk:
        return bound_form
    return MeasureReleaseForm(measure_id=measure.pk)


@register.simple_tag
def local_today():
    return measures.local_today()
