"""Admin of the dishonest-debtor list. Entries change state only through the portal's services (they
push to the units); the admin shows them, and the audit rows (events, checks, pushes) read-only.
"""
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from linkage.admin import ReadOnlyAdmin

from .models import CreditCheck, CreditCheckAlert, CreditEntry, CreditEvent, CreditPerson, CreditPush


class CreditPersonInline(admin.TabularInline):
    model = CreditPerson
    extra = 0
    can_delete = False
    fields = ["role", "name", "masked_id"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class CreditEventInline(admin.TabularInline):
    model = CreditEvent
    extra = 0
    can_delete = False
    readonly_fields = ["transition", "from_status", "to_status", "actor", "at", "note"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CreditEntry)
class CreditEntryAdmin(ReadOnlyAdmin):
    list_display = ["name", "masked_id", "case", "court", "ground", "status", "published_at"]
    list_filter = ["status", "ground"]
    list_select_related = ["case"]
    search_fields = ["name", "case__number"]
    exclude = ["id_number"]
    readonly_fields = ["masked_id"]
    inlines = [CreditPersonInline, CreditEventInline]

    @admin.display(description=_("ID number / credit code"))
    def masked_id(self, obj):
        return obj.masked_id


@admin.register(CreditEvent)
class CreditEventAdmin(ReadOnlyAdmin):
    list_display = ["entry", "transition", "from_status", "to_status", "actor", "at"]
    list_filter = ["transition"]
    list_select_related = ["entry", "actor"]


@admin.register(CreditPush)
class CreditPushAdmin(ReadOnlyAdmin):
    list_display = ["entry", "unit", "round", "push", "withdrawal", "created_at", "withdrawn_at"]
    list_filter = ["unit"]
    list_select_related = ["entry", "unit", "push", "withdrawal"]


@admin.register(CreditCheck)
class CreditCheckAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "unit", "masked_id", "channel", "listed", "reason", "batch"]
    list_filter = ["channel", "listed", "unit"]
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


class RestrictionEventInline(admin.TabularInline):
    model = RestrictionEvent
    extra = 0
    can_delete = False
    readonly_fields = ["transition", "from_status", "to_status", "actor", "at", "note"]

    def has_add_permission(self, request, obj=None):
        return False


class RestrictionPermissionInline(admin.TabularInline):
    model = RestrictionPermission
    extra = 0
    can_delete = False
    readonly_fields = ["acts", "starts_on", "ends_on", "reason", "granted_by", "granted_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ConsumptionRestriction)
class ConsumptionRestrictionAdmin(ReadOnlyAdmin):
    """Orders move only through the portal (the president signs, the units are told)."""

    list_display = ["name", "masked_id", "case", "status", "signed_at", "issued_at", "lifted_at"]
    list_filter = ["status"]
    list_select_related = ["case"]
    search_fields = ["name", "case__number"]
    exclude = ["id_number"]
    readonly_fields = ["masked_id"]
    inlines = [RestrictedPersonInline, RestrictionPermissionInline, RestrictionEventInline]

    @admin.display(description=_("ID number / credit code"))
    def masked_id(self, obj):
        return obj.masked_id


@admin.register(RestrictionPush)
class RestrictionPushAdmin(ReadOnlyAdmin):
    list_display = ["order", "unit", "notice", "release"]
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
