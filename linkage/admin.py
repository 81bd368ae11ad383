"""What every app's admin shares: rows the admin shows but never changes, and the admin at scale (issue 30,
part 6): list pages of big tables that cost the same at a thousand rows and at a million, inlines capped,
and the rest of an object's rows one link away in their own filtered list."""
import json
from datetime import datetime, timedelta
from functools import cached_property

from django.contrib import admin
from django.core.exceptions import EmptyResultSet, FieldDoesNotExist
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import BooleanField, Max, Min, QuerySet, Subquery
from django.forms.models import BaseInlineFormSet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class ReadOnlyMixin:
    """Event rows, audit rows and state that only the portal's services change: visible in the admin,
    never added, edited or deleted there, not even by an administrator."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


# ---------------------------------------------------------------- big tables

def planner_rows(queryset) -> int | None:
    """PostgreSQL's estimate of the rows ``queryset`` returns (EXPLAIN: statistics, no scan); None
    elsewhere."""
    if not isinstance(queryset, QuerySet):
        return None
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    try:
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing (``pk__in=[]``)
        return 0
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class EstimatedCountPaginator(Paginator):
    """A list of a big table counted as the planner estimates it once the estimate is over
    ``exact_up_to`` rows: ``COUNT(*)`` reads every row (a million notices: a third of the list's time)
    and grows with the table, the estimate does not. A list of fewer rows (a case's notices, a filter on
    an indexed column that finds a few) is counted exactly, as is every list outside PostgreSQL."""

    exact_up_to = 10_000

    @cached_property
    def count(self):
        estimate = planner_rows(self.object_list)
        if estimate is not None and estimate > self.exact_up_to:
            return estimate
        return super().count


def _indexed_alone(model, name: str) -> bool:
    """Can ``ORDER BY name, -pk … LIMIT`` be read off an index of ``model`` (the primary key, a unique
    column, an index of that column alone)? A foreign key sorts by the other model's ordering (a join):
    no. Nor a column of a few values (choices, a flag): the ties of its first value (most rows) would all
    be sorted by ``-pk`` before the first page."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    if not getattr(field, "concrete", False) or field.is_relation:
        return False
    if field.primary_key or field.unique:
        return True
    if field.choices or isinstance(field, BooleanField):
        return False
    if field.db_index:
        return True
    return any(len(index.fields) == 1 and index.fields[0].lstrip("-") == name and index.condition is None
               for index in model._meta.indexes)


def _span(first, last, kind: str) -> list:
    """Each year, month or day from ``first`` to ``last`` (datetimes or dates), as the truncations of
    ``QuerySet.datetimes``/``dates`` are."""
    def truncate(value):
        value = value.replace(month=1) if kind == "year" else value
        value = value.replace(day=1) if kind in ("year", "month") else value
        return value.replace(hour=0, minute=0, second=0, microsecond=0) if isinstance(value, datetime) else value

    def following(value):
        if kind == "year":
            return value.replace(year=value.year + 1)
        if kind == "month":
            return value.replace(year=value.year + value.month // 12, month=value.month % 12 + 1)
        return value + timedelta(days=1)

    values, value, end = [], truncate(first), truncate(last)
    while value <= end:
        values.append(value)
        value = following(value)
    return values


class SpanningDatesQuerySet:
    """A changelist's queryset as the date hierarchy reads it: its years (months of a year, days of a
    month) from the first row to the last, two reads of the column's index, instead of a DISTINCT of
    every row's (the years: a scan of the whole table). A year, month or day without a row between the
    two is offered too, and lists nothing when chosen."""

    def _spanning(self, field_name, kind, order):
        if kind not in ("year", "month", "day"):
            raise ValueError(kind)
        ends = self.aggregate(first=Min(field_name), last=Max(field_name))
        if ends["first"] is None:
            return []
        first, last = ends["first"], ends["last"]
        if isinstance(first, datetime) and timezone.is_aware(first):
            first, last = timezone.localtime(first), timezone.localtime(last)
        values = _span(first, last, kind)
        return values[::-1] if order == "DESC" else values

    def dates(self, field_name, kind, order="ASC"):
        return [value.date() if isinstance(value, datetime) else value
                for value in self._spanning(field_name, kind, order)]

    def datetimes(self, field_name, kind, order="ASC", tzinfo=None):
        return self._spanning(field_name, kind, order)


def _spanning_queryset(queryset):
    cls = queryset.__class__
    if not issubclass(cls, SpanningDatesQuerySet):
        cls = type(f"Spanning{cls.__name__}", (SpanningDatesQuerySet, cls), {})
    clone = queryset._chain()
    clone.__class__ = cls
    return clone


class LargeTableMixin:
    """The admin of a table that grows with the court's work (cases, notices, their events, deliveries,
    documents, audit rows): its list page costs the same whatever the table holds. No second count of
    the whole table (``show_full_result_count``), the count estimated (``EstimatedCountPaginator``), and
    a column sorts on a click only when an index serves that order (a sort of a million rows otherwise);
    a date hierarchy offers the span from the first row to the last (``SpanningDatesQuerySet``), not a
    DISTINCT of every row. The admins say themselves what else they need: ``list_select_related`` for
    every relation the list prints, filters on indexed columns, ``raw_id_fields`` or
    ``autocomplete_fields`` to other big tables, an ``ordering`` an index serves."""

    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        if self.date_hierarchy:
            # The page's rows are ``result_list``, a queryset of their own: from here on only the date
            # hierarchy reads ``queryset``.
            changelist.queryset = _spanning_queryset(changelist.queryset)
        return changelist

    def get_sortable_by(self, request):
        sortable = super().get_sortable_by(request)
        return [name for name in sortable if self._sorts_on_an_index(name)]

    def _sorts_on_an_index(self, name) -> bool:
        if not isinstance(name, str) or name == "__str__":
            return False
        target = getattr(self, name, None) or getattr(self.model, name, None)
        ordering = getattr(target, "admin_order_field", None) if target is not None else None
        field = ordering or name
        if not isinstance(field, str):
            return False
        return _indexed_alone(self.model, field.lstrip("-"))


# ---------------------------------------------------------------- inlines and related lists

class CappedInlineFormSet(BaseInlineFormSet):
    """The newest ``cap`` rows of the relation, in the inline's own order. Django cannot slice an
    inline's queryset (the formset filters it afterwards), so the rows are kept by their keys: one query,
    the same at five rows and at five thousand."""

    cap = None

    def get_queryset(self):
        if not hasattr(self, "_queryset"):
            queryset = super().get_queryset()
            if self.cap is not None and queryset.ordered:
                newest = queryset.reverse().values("pk")[: self.cap]
                queryset = queryset.filter(pk__in=Subquery(newest))
            self._queryset = queryset
        return self._queryset


class CappedReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    """A read-only inline of a relation that grows (events, reports): the newest ``cap`` rows, each
    relation it prints read in the same query (``select_related``); every row is in the relation's own
    list, linked from the page (``RelatedListsMixin``)."""

    extra = 0
    cap = 50
    select_related = ()
    formset = CappedInlineFormSet

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.select_related(*self.select_related) if self.select_related else queryset

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.cap = self.cap
        return formset


class RelatedListsMixin:
    """A change page's rows of other big tables, as links to their lists filtered by this object
    (``?case__id__exact=7``), not as inlines: the page reads none of them. ``related_lists`` names each
    as ``("app_label.Model", "field that points here")``; models without an admin are left out."""

    related_lists = ()

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and self.related_lists and "related_records" not in fields:
            fields.append("related_records")
        return fields

    @admin.display(description=_("Related records"))
    def related_records(self, obj):
        from django.apps import apps

        links = []
        for label, field in self.related_lists:
            model = apps.get_model(label)
            if model not in self.admin_site._registry:
                continue
            opts = model._meta
            try:
                url = reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_changelist")
            except NoReverseMatch:
                continue
            links.append((f"{url}?{urlencode({f'{field}__id__exact': obj.pk})}", opts.verbose_name_plural))
        separator = "、" if (get_language() or "").startswith("zh") else ", "
        return format_html_join(separator, '<a href="{}">{}</a>', links)
