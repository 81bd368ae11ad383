import django_filters
from django.utils import timezone

from .identifiers import normalise_case_number_query
from .models import (
    Case,
    KeyCategory,
    Measure,
    MeasureStatus,
    Notice,
    NoticeKind,
    ack_overdue_q,
    answer_overdue_q,
)
from .workflow import NoticeStatus


def IdFilter(field_name):  # noqa: N802 (reads like the filter classes it stands beside)
    """A primary-key filter that refuses what no row can have (a 400, not a database overflow)."""
    return django_filters.NumberFilter(field_name=field_name, min_value=1, max_value=2**63 - 1)


class NoticeFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=NoticeStatus.choices)
    kind = django_filters.ChoiceFilter(choices=NoticeKind.choices)
    unit = django_filters.CharFilter(field_name="unit__code")
    action = django_filters.CharFilter(field_name="action__code")
    case = IdFilter("case_id")
    overdue = django_filters.BooleanFilter(method="filter_overdue")

    class Meta:
        model = Notice
        fields = ["status", "kind", "unit", "action", "case", "overdue"]

    def filter_overdue(self, queryset, name, value):
        now = timezone.now()
        late = ack_overdue_q(now) | answer_overdue_q(now)
        return queryset.filter(late) if value else queryset.exclude(late)


class CaseFilter(django_filters.FilterSet):
    status = django_filters.CharFilter()
    number = django_filters.CharFilter(method="filter_number")
    category = django_filters.ChoiceFilter(choices=KeyCategory.choices, field_name="categories__category")
    listed_supervision = django_filters.BooleanFilter()
    q = django_filters.CharFilter(method="filter_q", label="Case number or party name (court roles: also an "
                                                           "identifier, audited and throttled)")

    class Meta:
        model = Case
        fields = ["status", "number", "category", "listed_supervision", "q"]

    def filter_number(self, queryset, name, value):
        """The number as typed: (2026)…, 〔2026〕…, ［2026］… all find （2026）…."""
        return queryset.filter(number=normalise_case_number_query(value))

    def filter_q(self, queryset, name, value):
        """The case list's search box (``selectors.case_search``, the same as the browser's)."""
        from .selectors import case_search

        return case_search(queryset, self.request.user, value)


class MeasureFilter(django_filters.FilterSet):
    case = IdFilter("case_id")
    unit = django_filters.CharFilter(field_name="unit__code")
    status = django_filters.ChoiceFilter(choices=MeasureStatus.choices)
    party = IdFilter("party_id")
    expires_before = django_filters.DateFilter(field_name="expires_on", lookup_expr="lte")

    class Meta:
        model = Measure
        fields = ["case", "unit", "status", "party", "expires_before"]
