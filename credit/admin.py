"""Admin of the dishonest-debtor list. Entries change state only through the portal's services (they
push to the units); the admin shows them, and the audit rows (events, checks, pushes) read-only.
"""
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from linkage.admin import CappedReadOnlyInline, LargeTableMixin, ReadOnlyAdmin, RelatedListsMixin

from .models import CreditCheck, CreditCheckAlert, CreditEntry, CreditEvent, CreditPerson, CreditPush


class CreditPersonInline(admin.TabularInline):
    model = CreditPerson
    extra = 0
    can_delete = False
    fields = ["role", "name", "masked_id"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class CreditEventInline(CappedReadOnlyInline):
    """Immutable events, shown: the newest fifty, every one in the entry's event list."""

    model = CreditEvent
    fields = ["transition", "from_status", "to_status", "actor", "on_behalf_of", "at", "note"]
    readonly_fields = fields
    select_related = ["actor", "on_behalf_of"]


@admin.register(CreditEntry)
class CreditEntryAdmin(RelatedListsMixin, LargeTableMixin, ReadOnlyAdmin):
    list_display = ["name", "masked_id", "case", "court", "ground", "status", "published_at"]
    list_filter = ["status"]  # (status, -published_at) is indexed; the ground is not
    list_select_related = ["case"]
    search_fields = ["name", "case__number"]
    exclude = ["id_number"]
    readonly_fields = ["masked_id"]
    inlines = [CreditPersonInline, CreditEventInline]
    related_lists = [("credit.CreditEvent", "entry"), ("credit.CreditPush", "entry")]

    @admin.display(description=_("ID number / credit code"))
    def masked_id(self, obj):
        return obj.masked_id


@admin.register(CreditEvent)
class CreditEventAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ["entry", "transition", "from_status", "to_status", "actor", "at"]
    ordering = ["id"]  # the model's (at, id), read off the primary key; no filter on the unindexed transition
    list_select_related = ["entry", "actor"]


@admin.register(CreditPush)
class CreditPushAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ["entry", "unit", "round", "push", "withdrawal", "created_at", "withdrawn_at"]
    list_filter = ["unit"]
    list_select_related = ["entry", "unit", "push", "withdrawal"]


@admin.register(CreditCheck)
class CreditCheckAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ["at", "user", "unit", "masked_id", "channel", "listed", "reason", "batch"]
    list_filter = ["unit"]  # (unit, -at) is indexed; the channel and the answer are not
    list_select_related = ["user", "unit"]
    search_fields = ["user__username", "reason", "batch"]
    exclude = ["id_number"]
    readonly_fields = ["masked_id"]

    @admin.display(description=_("identifier checked"))
    def masked_id(self, obj):
        return obj.masked_id


# ---------------------------------------------------------------- consumption restriction orders

from .models import (  # noqa: E402
    ConsumptionRestriction,
    RestrictedPerson,
    RestrictionEvent,
    RestrictionPermission,
    RestrictionPush,
    RestrictionUnit,
)


class RestrictedPersonInline(admin.TabularInline):
    model = RestrictedPerson
    extra = 0
    can_delete = False
    fields = ["role", "name", "masked_id"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class RestrictionEventInline(CappedReadOnlyInline):
    """Immutable events, shown. An order's steps are few and have no list of their own: not capped."""

    model = RestrictionEvent
    cap = None
    fields = ["transition", "from_status", "to_status", "actor", "on_behalf_of", "at", "note"]
    readonly_fields = fields
    select_related = ["actor", "on_behalf_of"]


class RestrictionPermissionInline(admin.TabularInline):
    model = RestrictionPermission
    extra = 0
    can_delete = False
    readonly_fields = ["acts", "starts_on", "ends_on", "reason", "granted_by", "granted_at"]

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("granted_by")


@admin.register(ConsumptionRestriction)
class ConsumptionRestrictionAdmin(RelatedListsMixin, LargeTableMixin, ReadOnlyAdmin):
    """Orders move only through the portal (the president signs, the units are told)."""

    list_display = ["name", "masked_id", "case", "status", "signed_at", "issued_at", "lifted_at"]
    list_filter = ["status"]
    list_select_related = ["case"]
    search_fields = ["name", "case__number"]
    exclude = ["id_number"]
    readonly_fields = ["masked_id"]
    inlines = [RestrictedPersonInline, RestrictionPermissionInline, RestrictionEventInline]
    related_lists = [("credit.RestrictionPush", "order")]

    @admin.display(description=_("ID number / credit code"))
    def masked_id(self, obj):
        return obj.masked_id


@admin.register(RestrictionPush)
class RestrictionPushAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ["order", "unit", "notice", "release"]
    # The model's order (the order's, newest first, then its units, pushed in their order) on the order's
    # index, without the two joins.
    ordering = ["-order_id", "id"]
    list_filter = ["unit"]
    list_select_related = ["order", "unit", "notice", "release"]


@admin.register(RestrictionUnit)
class RestrictionUnitAdmin(admin.ModelAdmin):
    """Which units apply consumption restriction orders and what each enforces (the office edits it)."""

    list_display = ["unit", "acts", "covers"]
    list_select_related = ["unit"]


@admin.register(CreditCheckAlert)
class CreditCheckAlertAdmin(ReadOnlyAdmin):
    """Read-only: the office reviews an alert on its page (/credit/check-alerts/), which records who did."""
    list_display = ["day", "user", "unit", "masked", "distinct_count", "raised_at", "reviewed_at", "reviewed_by"]
    list_filter = ["day", "unit"]
    list_select_related = ["user", "unit", "reviewed_by"]
    search_fields = ["user__username", "masked"]
