from django.contrib import admin

from linkage.admin import CappedReadOnlyInline, ReadOnlyMixin, RelatedListsMixin

from .models import (
    AssessmentEvent,
    AssessmentPeriod,
    AssessmentScore,
    Indicator,
    NonCooperationReport,
    ReferralTask,
)


class EventInline(CappedReadOnlyInline):
    """The newest fifty events, each with its actor in the same query; every one in the event list."""

    model = AssessmentEvent
    fields = ["transition", "from_status", "to_status", "actor", "at", "note"]
    readonly_fields = fields
    select_related = ["actor"]


class TaskInline(ReadOnlyMixin, admin.TabularInline):
    model = ReferralTask
    extra = 0
    fields = ["unit", "status", "answer", "answered_by", "answered_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("unit", "answered_by")


@admin.register(NonCooperationReport)
class NonCooperationReportAdmin(RelatedListsMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["id", "unit", "kind", "status", "outcome", "filed_by", "filed_at", "decided_at"]
    list_filter = ["status", "kind", "outcome", "unit"]
    list_select_related = ["unit", "filed_by"]
    search_fields = ["detail", "unit__name"]
    inlines = [TaskInline, EventInline]
    related_lists = [("assessments.AssessmentEvent", "report")]


@admin.register(ReferralTask)
class ReferralTaskAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["id", "report", "unit", "status", "answered_at"]
    list_filter = ["status", "unit"]
    list_select_related = ["report__unit", "unit"]  # a report is named by its unit


class IndicatorInline(ReadOnlyMixin, admin.TabularInline):
    model = Indicator
    extra = 0
    fields = ["code", "weight", "per_item", "min_sample", "enabled"]
    readonly_fields = fields


@admin.register(AssessmentPeriod)
class AssessmentPeriodAdmin(RelatedListsMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "starts_on", "ends_on", "status", "computed_at", "finalised_at"]
    list_filter = ["status"]
    inlines = [IndicatorInline, EventInline]
    related_lists = [("assessments.AssessmentScore", "period"), ("assessments.AssessmentEvent", "period")]


@admin.register(AssessmentScore)
class AssessmentScoreAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["period", "unit", "score", "rank", "data_quality", "frozen", "computed_at"]
    list_filter = ["period", "data_quality", "frozen"]
    list_select_related = ["period", "unit"]


@admin.register(AssessmentEvent)
class AssessmentEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["at", "transition", "from_status", "to_status", "actor", "report", "task", "period"]
    list_filter = ["transition"]
    # A report and a task are named by their unit (a task by its report's too).
    list_select_related = ["actor", "report__unit", "task__unit", "task__report__unit", "period"]
