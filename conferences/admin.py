from django.contrib import admin

from linkage.admin import CappedReadOnlyInline, ReadOnlyMixin, RelatedListsMixin

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


class EventInline(CappedReadOnlyInline):
    """The newest fifty events, each with its actor in the same query; every one in the event list."""

    model = ConferenceEvent
    fields = ["transition", "from_status", "to_status", "actor", "at", "note"]
    readonly_fields = fields
    select_related = ["actor"]


@admin.register(AgendaItem)
class AgendaItemAdmin(RelatedListsMixin, admin.ModelAdmin):
    list_display = ["title", "reason", "status", "suggested", "proposed_by", "proposed_at", "decided_by"]
    list_filter = ["status", "reason", "suggested"]
    list_select_related = ["proposed_by", "decided_by"]
    search_fields = ["title", "description", "cases__number", "units__name"]
    readonly_fields = ["status", "proposed_by", "proposed_at", "decided_by", "decided_at", "decision_comment"]
    # The units are few (a picker of all of them); the cases are every case of the court: picked by their
    # number, not listed (a hundred thousand options on the page).
    filter_horizontal = ["units"]
    autocomplete_fields = ["cases"]
    inlines = [EventInline]
    related_lists = [("conferences.ConferenceEvent", "agenda_item")]


class InvitationInline(admin.TabularInline):
    model = Invitation
    extra = 0
    readonly_fields = ["unit", "status", "attendees", "confirmed_by", "confirmed_at", "notified_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("unit", "confirmed_by")


@admin.register(Meeting)
class MeetingAdmin(RelatedListsMixin, admin.ModelAdmin):
    list_display = ["title", "kind", "starts_at", "place", "status", "created_by"]
    list_filter = ["kind", "status"]
    list_select_related = ["created_by"]
    search_fields = ["title", "place"]
    date_hierarchy = "starts_at"  # unindexed, but a meeting a month is a small table
    readonly_fields = ["status", "created_by", "created_at"]
    autocomplete_fields = ["agenda_items"]  # every item ever proposed: searched, not listed
    inlines = [InvitationInline, EventInline]
    related_lists = [("conferences.ConferenceEvent", "meeting"), ("conferences.ActionItem", "meeting")]


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

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("unit", "agenda_item")


@admin.register(Minutes)
class MinutesAdmin(RelatedListsMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["number", "meeting", "status", "drafted_by", "issued_by", "issued_at", "issued_to_all"]
    list_filter = ["status", "year", "issued_to_all"]
    list_select_related = ["meeting", "drafted_by", "issued_by"]
    search_fields = ["number", "meeting__title", "summary"]
    inlines = [DecisionInline, EventInline]
    related_lists = [("conferences.ConferenceEvent", "minutes"), ("conferences.ActionItem", "minutes")]


@admin.register(MinutesCounter)
class MinutesCounterAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["year", "last"]


class ReportInline(ReadOnlyMixin, admin.TabularInline):
    model = ActionReport
    extra = 0
    fields = ["at", "by", "detail"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


@admin.register(ActionItem)
class ActionItemAdmin(RelatedListsMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["text", "unit", "meeting", "due_at", "status", "closed_at"]
    list_filter = ["status", "unit", "meeting"]
    list_select_related = ["unit", "meeting"]
    search_fields = ["text", "unit__name", "minutes__number"]
    inlines = [ReportInline, EventInline]
    related_lists = [("conferences.ConferenceEvent", "action_item"), ("conferences.ActionReminder", "action_item")]


@admin.register(ActionReminder)
class ActionReminderAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["action_item", "day", "sent_at"]
    list_filter = ["day"]
    list_select_related = ["action_item__unit"]  # an action item is named by its unit


@admin.register(ConferenceEvent)
class ConferenceEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["at", "transition", "from_status", "to_status", "actor", "agenda_item", "meeting", "minutes",
                    "action_item"]
    list_filter = ["transition"]
    # Minutes without a number are named by their meeting, an action item by its unit.
    list_select_related = ["actor", "agenda_item", "meeting", "minutes__meeting", "action_item__unit"]
    search_fields = ["note", "actor__username"]
