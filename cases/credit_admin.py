"""Admin of the dishonest-debtor list. Entries change state only through the portal's services (they
push to the units); the admin shows them, and the audit rows (events, checks, pushes) read-only.

Imported by ``cases.credit_urls``, which ``linkage.urls`` includes before ``admin.site.urls``.
"""
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .admin import ReadOnlyAdmin
from .models import CreditCheck, CreditEntry, CreditEvent, CreditPerson, CreditPush


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


from .models import PunishmentIdentifierNeed  # noqa: E402


@admin.register(PunishmentIdentifierNeed)
class PunishmentIdentifierNeedAdmin(admin.ModelAdmin):
    """Which units see a listed person's full ID on a push letter, and why (cases.disclosure)."""

    list_display = ["unit", "reason"]
    list_select_related = ["unit"]
    search_fields = ["unit__code", "unit__name", "reason"]
