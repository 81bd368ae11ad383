from django.contrib import admin

from linkage.admin import ReadOnlyMixin

from .models import (
    ActionItem,
    ActionReminder,
    ActionReport,
    AgendaItem,
    ConferenceEvent,
    Decision,
    Invitation,
    Meeting,
    Minutes,
    MinutesCounter,
)


class EventInline(ReadOnlyMixin, admin.TabularInline):
    model = ConferenceEvent
    extra = 0
    fields = ["transition", "from_status", "to_status", "actor", "at", "note"]
    readonly_fields = fields


@admin.register(AgendaItem)
class AgendaItemAdmin(admin.ModelAdmin):
    list_display = ["title", "reason", "status", "suggested", "proposed_by", "proposed_at", "decided_by"]
    list_filter = ["status", "reason", "suggested"]
    list_select_related = ["proposed_by", "decided_by"]
    search_fields = ["title", "description", "cases__number", "units__name"]
    readonly_fields = ["status", "proposed_by", "proposed_at", "decided_by", "decided_at", "decision_comment"]
    filter_horizontal = ["cases", "units"]
    inlines = [EventInline]


class InvitationInline(admin.TabularInline):
    model = Invitation
    extra = 0
    readonly_fields = ["unit", "status", "attendees", "confirmed_by", "confirmed_at", "notified_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "starts_at", "place", "status", "created_by"]
    list_filter = ["kind", "status"]
    list_select_related = ["created_by"]
    search_fields = ["title", "place"]
    date_hierarchy = "starts_at"
    readonly_fields = ["status", "created_by", "created_at"]
    inlines = [InvitationInline, EventInline]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["meeting", "unit", "status", "attendees", "confirmed_at", "notified_at"]
    list_filter = ["status", "unit"]
    list_select_related = ["meeting", "unit"]
    search_fields = ["meeting__title", "unit__name", "attendees"]


class DecisionInline(ReadOnlyMixin, admin.TabularInline):
    model = Decision
    extra = 0
    fields = ["seq", "text", "unit", "due_at", "agenda_item"]
    readonly_fields = fields


@admin.register(Minutes)
class MinutesAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["number", "meeting", "status", "drafted_by", "issued_by", "issued_at", "issued_to_all"]
    list_filter = ["status", "year", "issued_to_all"]
    list_select_related = ["meeting", "drafted_by", "issued_by"]
    search_fields = ["number", "meeting__title", "summary"]
    inlines = [DecisionInline, EventInline]


@admin.register(MinutesCounter)
class MinutesCounterAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["year", "last"]


class ReportInline(ReadOnlyMixin, admin.TabularInline):
    model = ActionReport
    extra = 0
    fields = ["at", "by", "detail"]
    readonly_fields = fields


@admin.register(ActionItem)
class ActionItemAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["text", "unit", "meeting", "due_at", "status", "closed_at"]
    list_filter = ["status", "unit", "meeting"]
    list_select_related = ["unit", "meeting"]
    search_fields = ["text", "unit__name", "minutes__number"]
    inlines = [ReportInline, EventInline]


@admin.register(ActionReminder)
class ActionReminderAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["action_item", "day", "sent_at"]
    list_filter = ["day"]
    list_select_related = ["action_item"]


@admin.register(ConferenceEvent)
class ConferenceEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["at", "transition", "from_status", "to_status", "actor", "agenda_item", "meeting", "minutes",
                    "action_item"]
    list_filter = ["transition"]
    list_select_related = ["actor", "agenda_item", "meeting", "minutes", "action_item"]
    search_fields = ["note", "actor__username"]
