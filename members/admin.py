from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group, Permission
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from guardian.admin import AdminGroupObjectPermissionsForm, AdminUserObjectPermissionsForm, GuardedModelAdmin
from guardian.shortcuts import get_perms_for_model

from linkage.admin import ReadOnlyAdmin

from .models import (
    AccessLog,
    ActionType,
    Capability,
    Channel,
    ChannelMessage,
    LiaisonAssignment,
    Unit,
    UnitApiToken,
    User,
)

# Django stores a permission's name once, in English, when it migrates: "Can add notice", and ours as
# their msgids ("Can conclude a case"). The admin prints them in the reader's language instead: Django's
# four from the codename and the model's verbose name, ours through the catalogue.
DEFAULT_PERMISSION_NAMES = {"add": _("Can add %(model)s"), "change": _("Can change %(model)s"),
                            "delete": _("Can delete %(model)s"), "view": _("Can view %(model)s")}


def permission_name(permission: Permission) -> str:
    action, _sep, model_name = permission.codename.partition("_")
    model = permission.content_type.model_class()
    if action in DEFAULT_PERMISSION_NAMES and model is not None and model_name == model._meta.model_name:
        return DEFAULT_PERMISSION_NAMES[action] % {"model": model._meta.verbose_name}
    return gettext(permission.name)


def permission_label(permission: Permission) -> str:
    """What a permission list shows: "application | model | permission", all three translated."""
    return f"{permission.content_type} | {permission_name(permission)}"


class TranslatedPermissions:
    """A model admin whose permission pickers (a user's own permissions, a role's) read in Chinese."""

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and db_field.remote_field.model is Permission:
            field.label_from_instance = permission_label
        return field


class TranslatedObjectPermissions:
    """django-guardian's per-unit permission form, its choices translated like the pickers."""

    def get_obj_perms_field_choices(self):
        return [(p.codename, permission_name(p)) for p in get_perms_for_model(self.obj).select_related("content_type")]


class UserObjectPermissionsForm(TranslatedObjectPermissions, AdminUserObjectPermissionsForm):
    pass


class GroupObjectPermissionsForm(TranslatedObjectPermissions, AdminGroupObjectPermissionsForm):
    pass


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

    def get_obj_perms_manage_user_form(self, request):
        return UserObjectPermissionsForm

    def get_obj_perms_manage_group_form(self, request):
        return GroupObjectPermissionsForm

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
class UserAdmin(TranslatedPermissions, BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "unit", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "groups", "unit"]
    list_select_related = ["unit"]
    search_fields = ["username", "first_name", "last_name", "email"]
    fieldsets = [*BaseUserAdmin.fieldsets, (_("Member unit"), {"fields": ["unit", "phone"]})]
    add_fieldsets = [*BaseUserAdmin.add_fieldsets, (_("Member unit"), {"fields": ["unit"]})]


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(TranslatedPermissions, BaseGroupAdmin):
    pass


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


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "what", "object_repr", "reason"]
    list_filter = ["what"]
    list_select_related = ["user"]
    search_fields = ["object_repr", "user__username"]


class ChannelAdminForm(forms.ModelForm):
    # Write-only, as in the API: an empty field keeps the stored secret.
    secret = forms.CharField(label=_("secret"), required=False, widget=forms.PasswordInput(render_value=False),
                             help_text=_("Leave empty to keep the stored secret."))

    class Meta:
        model = Channel
        fields = ["unit", "user", "kind", "target", "secret", "active"]

    def clean_secret(self):
        return self.cleaned_data["secret"] or (self.instance.secret if self.instance.pk else "")

    def clean(self):
        from .channels import clean_target

        data = super().clean()
        if data.get("kind") and data.get("target"):
            data["target"] = clean_target(data["kind"], data["target"])
        return data


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    form = ChannelAdminForm
    list_display = ["unit", "kind", "user", "active", "failures", "last_sent_at"]
    list_filter = ["kind", "active"]
    list_select_related = ["unit", "user"]
    search_fields = ["unit__name", "unit__code"]
    autocomplete_fields = ["unit", "user"]


@admin.register(ChannelMessage)
class ChannelMessageAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "channel", "purpose", "title", "status", "attempts", "sent_at"]
    list_filter = ["status", "purpose"]
    list_select_related = ["channel__unit"]
