from django.contrib import admin, messages
from django.utils.text import smart_split, unescape_string_literal

from linkage.admin import CappedReadOnlyInline, LargeTableMixin, ReadOnlyAdmin, RelatedListsMixin

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


def _search_words(search_term: str) -> list[str]:
    """The words of an admin search, split as Django splits them (quotes keep a phrase whole)."""
    words = []
    for bit in smart_split(search_term or ""):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        if bit.strip():
            words.append(bit.strip())
    return words


class PartyInline(admin.TabularInline):
    model = Party
    extra = 0


class CaseCategoryInline(admin.TabularInline):
    model = CaseCategory
    extra = 0


@admin.register(Case)
class CaseAdmin(RelatedListsMixin, LargeTableMixin, admin.ModelAdmin):
    """A case's page reads the case, its parties and categories (a few rows each); its notices, measures,
    events and the rest are links to their own lists, filtered by the case (issue 30: a page the same at
    a hundred thousand cases as at ten)."""

    list_display = ["number", "title", "amount", "status", "outcome", "listed_supervision", "created_at"]
    # Filters on indexed columns only (status, listed_supervision, the categories' (category, case)):
    # the outcome has no index, a filter by it read the cases one by one.
    list_filter = ["status", "listed_supervision", "categories__category"]
    # Read as the portal's case search reads them (get_search_results).
    search_fields = ["number", "title", "parties__name"]
    # Not a select of every case: the case searched by its number.
    autocomplete_fields = ["resumed_from"]
    # The lifecycle moves through the portal's services (cases.lifecycle_services), never by editing here.
    readonly_fields = ["status", "outcome", "outcome_ground", "outcome_ruling", "outcome_note", "suspension_kind",
                       "concluded_at", "concluded_by", "created_by", "preservation_case", "next_search_on"]
    inlines = [PartyInline, CaseCategoryInline]
    related_lists = [("cases.Notice", "case"), ("cases.Measure", "case"), ("cases.CaseEvent", "case"),
                     ("cases.Attachment", "case"), ("cases.Payment", "case"), ("cases.Suspension", "case"),
                     ("cases.Settlement", "case"), ("cases.PropertySearch", "case"), ("credit.CreditEntry", "case"),
                     ("credit.ConsumptionRestriction", "case")]

    def get_search_results(self, request, queryset, search_term):
        """Each word in the number (brackets as stored), a party's name or the title, as Django's search
        of ``search_fields`` finds it, but as the portal's search reads it (``case_ids_matching``): one id
        set a field, each through its own index. Django's ``OR`` of the three over a join with the
        parties walked every case (a third of a second at a hundred thousand). Also the case picker's
        search (``autocomplete_fields``)."""
        from .selectors import case_ids_matching

        for word in _search_words(search_term):
            queryset = queryset.filter(id__in=case_ids_matching(word, titles=True))
        return queryset, False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The party inline shows full identifiers: opening the page is an audited read, like a reveal.
        case = self.get_object(request, object_id)
        if case is not None:
            from members.services import access_log

            access_log(actor=request.user, what="admin_case_view", obj=case, reason=request.method)
        return super().change_view(request, object_id, form_url, extra_context)


class NoticeEventInline(CappedReadOnlyInline):
    """Events are immutable (``linkage.events.ImmutableEvent``): shown, never edited; the newest fifty,
    every one in the notice's event list."""

    model = NoticeEvent
    fields = ["transition", "from_status", "to_status", "actor", "on_behalf_of", "at", "note"]
    readonly_fields = fields
    select_related = ["actor", "on_behalf_of"]


@admin.register(Notice)
class NoticeAdmin(RelatedListsMixin, LargeTableMixin, admin.ModelAdmin):
    """State changes go through the portal's services; the admin shows notices read-only."""

    list_display = ["number", "kind", "unit", "action", "status", "issued_at", "due_at", "outcome"]
    list_filter = ["kind", "status", "action", "unit"]  # each with its index
    list_select_related = ["unit", "action"]
    # The number and the case's number have trigram indexes; the subject (free text) has none: a search
    # in it read a million notices.
    search_fields = ["number", "case__number"]
    inlines = [NoticeEventInline]
    related_lists = [("cases.NoticeEvent", "notice"), ("cases.Delivery", "notice"), ("cases.NoticeRequest", "notice"),
                     ("documents.IssuedDocument", "notice")]

    def has_add_permission(self, request):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [*(f.name for f in self.model._meta.fields), *super().get_readonly_fields(request, obj)]

    def get_search_results(self, request, queryset, search_term):
        """Each word in the notice's number or its case's (or a party's name), as the inbox reads them
        (``notices_matching``: id sets through their indexes); Django's ``OR`` over the join with the
        cases walked every notice (three seconds at a million)."""
        from .selectors import notices_matching

        for word in _search_words(search_term):
            queryset = notices_matching(queryset, word)
        return queryset, False


@admin.register(NoticeEvent)
class NoticeEventAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ["notice", "transition", "from_status", "to_status", "actor", "at"]
    # No filter by transition: the column has no index, and the filter's choices were a DISTINCT over
    # every event. Oldest first as the model orders them (at, id), read off the primary key.
    ordering = ["id"]
    list_select_related = ["notice", "actor"]
    search_fields = ["notice__number"]


@admin.register(Delivery)
class DeliveryAdmin(LargeTableMixin, admin.ModelAdmin):
    list_display = ["notice", "channel", "purpose", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status"]  # (status, created_at) is indexed; the channel is not
    list_select_related = ["notice"]
    search_fields = ["notice__number"]
    readonly_fields = ["notice", "channel", "purpose", "created_at", "sent_at", "attempts", "last_error"]


@admin.register(Attachment)
class AttachmentAdmin(LargeTableMixin, admin.ModelAdmin):
    list_display = ["original_name", "purpose", "case", "size", "uploaded_by", "uploaded_at"]
    list_select_related = ["case", "uploaded_by"]
    search_fields = ["original_name", "case__number"]
    readonly_fields = ["file", "size", "sha256", "uploaded_by", "uploaded_at"]
    # Not two selects of every case and every notice (a minute's page at a million notices).
    autocomplete_fields = ["case", "notice"]


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
class MeasureAdmin(RelatedListsMixin, LargeTableMixin, admin.ModelAdmin):
    list_display = ["asset", "unit", "action", "case", "amount", "status", "starts_on", "expires_on", "renewals"]
    list_filter = ["status", "action", "unit"]  # indexed; the asset kind is not
    list_select_related = ["unit", "action", "case"]
    search_fields = ["asset", "case__number"]
    readonly_fields = ["case", "unit", "action", "notice", "release_notice", "released_at", "lapsed_on"]
    raw_id_fields = ["party"]  # not a select of every party of every case
    related_lists = [("cases.MeasureReminder", "measure")]


@admin.register(MeasureLimit)
class MeasureLimitAdmin(admin.ModelAdmin):
    """The office edits the legal time limits here when the rules change."""

    list_display = ["asset_kind", "months", "basis"]


@admin.register(MeasureReminder)
class MeasureReminderAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ["measure", "expires_on", "working_days_before", "sent_at"]
    list_select_related = ["measure__unit"]  # a measure is named by its unit


@admin.register(NoticeRequest)
class NoticeRequestAdmin(LargeTableMixin, admin.ModelAdmin):
    """Decisions are taken on the notice page (they move deadlines); the admin only shows them."""

    list_display = ["notice", "kind", "status", "filed_by", "filed_at", "decided_by", "decided_at"]
    list_filter = ["status"]  # (status, kind) is indexed: the status leads it, the kind alone does not
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
class CaseEventAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ["case", "transition", "from_status", "to_status", "actor", "at"]
    ordering = ["id"]  # the model's (at, id), read off the primary key; no filter on the unindexed transition
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
class SettlementAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ["case", "signed_on", "status", "recorded_at"]
    list_select_related = ["case"]
    search_fields = ["case__number"]
    inlines = [InstalmentInline]


@admin.register(Suspension)
class SuspensionAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ["case", "kind", "ground", "started_at", "until", "ended_at"]
    ordering = ["-id"]  # newest first as the model's (-started_at, -id), read off the primary key
    list_select_related = ["case"]
    search_fields = ["case__number"]


@admin.register(Payment)
class PaymentAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ["case", "amount", "received_on", "way", "recorded_at"]
    ordering = ["id"]  # in the order recorded: (received_on, id) has no index
    list_select_related = ["case"]
    search_fields = ["case__number"]


@admin.register(PropertySearch)
class PropertySearchAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ["case", "seq", "due_on", "searched_on", "result"]
    # The model's order (the case's, newest first, then seq) on the (case, seq) index, without the join.
    ordering = ["-case_id", "seq"]
    list_select_related = ["case"]
    search_fields = ["case__number"]


@admin.register(CaseImportBatch)
class CaseImportBatchAdmin(ReadOnlyAdmin):
    """Who imported which file of the case system, when, and what came of it: an audit row, read only."""

    list_display = ["created_at", "created_by", "source", "filename", "rows", "created", "existing", "errors"]
    list_filter = ["source"]
    list_select_related = ["created_by"]
    date_hierarchy = "created_at"  # unindexed, but a batch is a file imported by hand: a small table


@admin.register(CaseImportMapping)
class CaseImportMappingAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "updated_by", "updated_at"]
    list_select_related = ["updated_by"]
