from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from guardian.admin import GuardedModelAdmin

from .models import ActionType, Capability, LiaisonAssignment, Unit, UnitApiToken, User


class CapabilityInline(admin.TabularInline):
    model = Capability
    extra = 1
    autocomplete_fields = ["action"]


@admin.register(Unit)
class UnitAdmin(GuardedModelAdmin):
    """Units are data: the office adds and edits them here. "Object permissions" manages per-unit grants."""

    list_display = ["name", "code", "kind", "articles", "active", "contact_phone"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "code", "name_en"]
    inlines = [CapabilityInline]
    readonly_fields = ["webhook_secret"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "webhook_url":
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(ActionType)
class ActionTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "holds_measure", "ack_working_days", "answer_working_days", "urgent_hours"]
    list_filter = ["holds_measure"]
    search_fields = ["name", "code"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "unit", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "groups", "unit"]
    list_select_related = ["unit"]
    search_fields = ["username", "first_name", "last_name", "email"]
    fieldsets = [*BaseUserAdmin.fieldsets, (_("Member unit"), {"fields": ["unit", "phone"]})]
    add_fieldsets = [*BaseUserAdmin.add_fieldsets, (_("Member unit"), {"fields": ["unit"]})]


@admin.register(LiaisonAssignment)
class LiaisonAssignmentAdmin(admin.ModelAdmin):
    list_display = ["unit", "user", "started_at", "ended_at", "assigned_by"]
    list_filter = ["unit"]
    list_select_related = ["unit", "user", "assigned_by"]
    search_fields = ["unit__name", "user__username"]
    readonly_fields = ["started_at"]


@admin.register(UnitApiToken)
class UnitApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made with ``manage.py unit_token <unit>`` (the key is shown once); here they are
    listed and revoked."""

    list_display = ["unit", "name", "prefix", "created_at", "last_used_at", "revoked"]
    list_filter = ["revoked", "unit"]
    list_select_related = ["unit"]
    readonly_fields = ["unit", "key_hash", "prefix", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False
