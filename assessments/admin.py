from django.contrib import admin

from linkage.admin import ReadOnlyMixin

from .models import (
    AssessmentEvent,
    AssessmentPeriod,
    AssessmentScore,
    Indicator,
    NonCooperationReport,
    ReferralTask,
)


class EventInline(ReadOnlyMixin, admin.TabularInline):
    model = AssessmentEvent
    extra = 0
    fields = ["transition", "from_status", "to_status", "actor", "at", "note"]
    readonly_fields = fields


class TaskInline(ReadOnlyMixin, admin.TabularInline):
    model = ReferralTask
    extra = 0
    fields = ["unit", "status", "answer", "answered_by", "answered_at"]
    readonly_fields = fields


@admin.register(NonCooperationReport)
class NonCooperationReportAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["id", "unit", "kind", "status", "outcome", "filed_by", "filed_at", "decided_at"]
    list_filter = ["status", "kind", "outcome", "unit"]
    search_fields = ["detail", "unit__name"]
    inlines = [TaskInline, EventInline]


@admin.register(ReferralTask)
class ReferralTaskAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["id", "report", "unit", "status", "answered_at"]
    list_filter = ["status", "unit"]


class IndicatorInline(ReadOnlyMixin, admin.TabularInline):
    model = Indicator
    extra = 0
    fields = ["code", "weight", "per_item", "min_sample", "enabled"]
    readonly_fields = fields


@admin.register(AssessmentPeriod)
class AssessmentPeriodAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "starts_on", "ends_on", "status", "computed_at", "finalised_at"]
    list_filter = ["status"]
    inlines = [IndicatorInline, EventInline]


@admin.register(AssessmentScore)
class AssessmentScoreAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["period", "unit", "score", "rank", "data_quality", "frozen", "computed_at"]
    list_filter = ["period", "data_quality", "frozen"]


@admin.register(AssessmentEvent)
class AssessmentEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["at", "transition", "from_status", "to_status", "actor", "report", "task", "period"]
    list_filter = ["transition"]
