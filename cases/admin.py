from django.contrib import admin, messages

from linkage.admin import ReadOnlyAdmin

from .models import (
    Attachment,
    Case,
    CaseCategory,
    CaseEvent,
    CaseImportBatch,
    CaseImportMapping,
    Delivery,
    HolidayOverride,
    Instalment,
    Measure,
    MeasureLimit,
    MeasureReminder,
    Notice,
    NoticeEvent,
    NoticeRequest,
    Party,
    Payment,
    PropertySearch,
    Settlement,
    Suspension,
)


class PartyInline(admin.TabularInline):
    model = Party
    extra = 0


class CaseCategoryInline(admin.TabularInline):
    model = CaseCategory
    extra = 0


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "amount", "status", "outcome", "listed_supervision", "created_at"]
    list_filter = ["status", "outcome", "listed_supervision", "categories__category"]
    search_fields = ["number", "title", "parties__name"]
    # The lifecycle moves through the portal's services (cases.lifecycle_services), never by editing here.
    readonly_fields = ["status", "outcome", "outcome_ground", "outcome_ruling", "outcome_note", "suspension_kind",
                       "concluded_at", "concluded_by", "created_by", "preservation_case", "next_search_on"]
    inlines = [PartyInline, CaseCategoryInline]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The party inline shows full identifiers: opening the page is an audited read, like a reveal.
        case = self.get_object(request, object_id)
        if case is not None:
            from members.services import access_log

            access_log(actor=request.user, what="admin_case_view", obj=case, reason=request.method)
        return super().change_view(request, object_id, form_url, extra_context)


class NoticeEventInline(admin.TabularInline):
    model = NoticeEvent
    extra = 0
    can_delete = False
    readonly_fields = ["transition", "from_status", "to_status", "actor", "at", "note"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    """State changes go through the portal's services; the admin shows notices read-only."""

    list_display = ["number", "kind", "unit", "action", "status", "issued_at", "due_at", "outcome"]
    list_filter = ["kind", "status", "action", "unit"]
    list_select_related = ["unit", "action"]
    search_fields = ["number", "case__number", "subject"]
    inlines = [NoticeEventInline]

    def has_add_permission(self, request):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]


@admin.register(NoticeEvent)
class NoticeEventAdmin(ReadOnlyAdmin):
    list_display = ["notice", "transition", "from_status", "to_status", "actor", "at"]
    list_filter = ["transition"]
    list_select_related = ["notice", "actor"]
    search_fields = ["notice__number"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["notice", "channel", "purpose", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["channel", "status"]
    list_select_related = ["notice"]
    search_fields = ["notice__number", "purpose"]
    readonly_fields = ["notice", "channel", "purpose", "created_at", "sent_at", "attempts", "last_error"]


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["original_name", "purpose", "case", "size", "uploaded_by", "uploaded_at"]
    list_filter = ["purpose"]
    list_select_related = ["case", "uploaded_by"]
    search_fields = ["original_name", "case__number"]
    readonly_fields = ["file", "size", "sha256", "uploaded_by", "uploaded_at"]


@admin.register(HolidayOverride)
class HolidayOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "note"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"

    def changelist_view(self, request, extra_context=None):
        from .holidays import arrangement_missing_message, next_year_arrangement_missing

        year = next_year_arrangement_missing()
        if year is not None:
            messages.warning(request, arrangement_missing_message(year))
        return super().changelist_view(request, extra_context)


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ["asset", "unit", "action", "case", "amount", "status", "starts_on", "expires_on", "renewals"]
    list_filter = ["status", "action", "asset_kind", "unit"]
    list_select_related = ["unit", "action", "case"]
    search_fields = ["asset", "case__number"]
    readonly_fields = ["case", "unit", "action", "notice", "release_notice", "released_at", "lapsed_on"]


@admin.register(MeasureLimit)
class MeasureLimitAdmin(admin.ModelAdmin):
    """The office edits the legal time limits here when the rules change."""

    list_display = ["asset_kind", "months", "basis"]


@admin.register(MeasureReminder)
class MeasureReminderAdmin(ReadOnlyAdmin):
    list_display = ["measure", "expires_on", "working_days_before", "sent_at"]
    list_select_related = ["measure"]


@admin.register(NoticeRequest)
class NoticeRequestAdmin(admin.ModelAdmin):
    """Decisions are taken on the notice page (they move deadlines); the admin only shows them."""

    list_display = ["notice", "kind", "status", "filed_by", "filed_at", "decided_by", "decided_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["notice", "filed_by", "decided_by"]
    search_fields = ["notice__number", "grounds"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]


from .models import PunishmentIdentifierNeed  # noqa: E402  (the list itself and its admin live in credit/)


@admin.register(PunishmentIdentifierNeed)
class PunishmentIdentifierNeedAdmin(admin.ModelAdmin):
    """Which units see a listed person's full ID on a push letter, and why (cases.disclosure)."""

    list_display = ["unit", "reason"]
    list_select_related = ["unit"]
    search_fields = ["unit__code", "unit__name", "reason"]


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    list_display = ["case", "transition", "from_status", "to_status", "actor", "at"]
    list_filter = ["transition"]
    list_select_related = ["case", "actor"]
    search_fields = ["case__number"]


class InstalmentInline(admin.TabularInline):
    model = Instalment
    extra = 0
    readonly_fields = ["seq", "due_on", "amount"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Settlement)
class SettlementAdmin(ReadOnlyAdmin):
    list_display = ["case", "signed_on", "status", "recorded_at"]
    list_filter = ["status"]
    list_select_related = ["case"]
    search_fields = ["case__number"]
    inlines = [InstalmentInline]


@admin.register(Suspension)
class SuspensionAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "ground", "started_at", "until", "ended_at"]
    list_filter = ["kind", "ground"]
    list_select_related = ["case"]
    search_fields = ["case__number"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["case", "amount", "received_on", "way", "recorded_at"]
    list_filter = ["way"]
    list_select_related = ["case"]
    search_fields = ["case__number"]


@admin.register(PropertySearch)
class PropertySearchAdmin(ReadOnlyAdmin):
    list_display = ["case", "seq", "due_on", "searched_on", "result"]
    list_filter = ["result"]
    list_select_related = ["case"]
    search_fields = ["case__number"]


@admin.register(CaseImportBatch)
class CaseImportBatchAdmin(ReadOnlyAdmin):
    """Who imported which file of the case system, when, and what came of it: an audit row, read only."""

    list_display = ["created_at", "created_by", "source", "filename", "rows", "created", "existing", "errors"]
    list_filter = ["source"]
    date_hierarchy = "created_at"


@admin.register(CaseImportMapping)
class CaseImportMappingAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "updated_by", "updated_at"]
