from auditlog.admin import LogEntryAdmin as BaseLogEntryAdmin
from auditlog.filters import CIDFilter
from auditlog.filters import ResourceTypeFilter as BaseResourceTypeFilter
from auditlog.models import LogEntry
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group, Permission
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _
from guardian.admin import AdminGroupObjectPermissionsForm, AdminUserObjectPermissionsForm, GuardedModelAdmin
from guardian.shortcuts import get_perms_for_model

from linkage.admin import LargeTableMixin, ReadOnlyAdmin

from .labels import ACCESS_KINDS, access_object_label, access_reason_label, access_what_label, role_label
from .models import (
    AccessLog,
    ActionType,
    Capability,
    Channel,
    ChannelMessage,
    Court,
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
    """A model admin whose permission pickers (a user's own permissions, a role's) read in Chinese, and
    whose role picker names each role as the portal does (``clerk`` → 执行法官/书记员)."""

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and db_field.remote_field.model is Permission:
            field.label_from_instance = permission_label
        if field is not None and db_field.remote_field.model is Group:
            field.label_from_instance = lambda group: role_label(group.name)
        return field


class RoleFilter(admin.SimpleListFilter):
    """The user list's filter by role, each named as the portal names it (not the group's code)."""

    title = _("Role in the portal")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return [(group.pk, role_label(group.name)) for group in Group.objects.order_by("name")]

    def queryset(self, request, queryset):
        return queryset.filter(groups__pk=self.value()).distinct() if self.value() else queryset


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
    list_filter = ["is_active", "is_staff", RoleFilter, "unit"]
    list_select_related = ["unit"]
    search_fields = ["username", "first_name", "last_name", "email"]
    # The court: a unit's member works for the unit's court (set on save); a court's own role without a
    # unit (the supervising court's ``supervisor``) is given it here.
    fieldsets = [*BaseUserAdmin.fieldsets, (_("Member unit"), {"fields": ["unit", "court", "phone"]})]
    add_fieldsets = [*BaseUserAdmin.add_fieldsets, (_("Member unit"), {"fields": ["unit", "court"]})]


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(TranslatedPermissions, BaseGroupAdmin):
    list_display = ["role", "name"]

    @admin.display(description=_("Role in the portal"), ordering="name")
    def role(self, group):
        return role_label(group.name)


@admin.register(LiaisonAssignment)
class LiaisonAssignmentAdmin(admin.ModelAdmin):
    list_display = ["unit", "user", "started_at", "ended_at", "assigned_by"]
    list_filter = ["unit"]
    list_select_related = ["unit", "user", "assigned_by"]
    search_fields = ["unit__name", "user__username"]
    readonly_fields = ["started_at"]
    autocomplete_fields = ["user", "assigned_by"]  # an account searched by name, not a select of all


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


def _unit_name(code: str) -> str:
    return Unit.objects.filter(code=code).values_list("name", flat=True).first() or code


def _excerpt_unit_codes(rows) -> set[str]:
    """The codes of the units whose minutes excerpts ``rows`` name (``access_object_label`` asks)."""
    codes = set()
    for row in rows:
        access_object_label(row.what, row.object_repr, unit_name=lambda code: codes.add(code) or code)
    return codes


class AccessKindFilter(admin.SimpleListFilter):
    title = _("what was accessed")
    parameter_name = "what"

    def lookups(self, request, model_admin):
        return [(code, label) for code, label in ACCESS_KINDS.items()]

    def queryset(self, request, queryset):
        return queryset.filter(what=self.value()) if self.value() else queryset


@admin.register(AccessLog)
class AccessLogAdmin(LargeTableMixin, ReadOnlyAdmin):
    """Audited reads, each named in words (``members.labels``): the codes stay in the database."""

    list_display = ["at", "user", "what_shown", "object_shown", "reason_shown"]
    ordering = ["-id"]  # newest first as the model's -at, read off the primary key (``at`` has no index alone)
    # ``what`` has no index; the filter stays (it is how the office reads one kind of access), its choices
    # are a fixed list, not a query.
    list_filter = [AccessKindFilter]
    list_select_related = ["user"]
    search_fields = ["object_repr", "user__username"]
    fields = ["at", "user", "what_shown", "object_shown", "reason_shown"]
    readonly_fields = fields

    def get_changelist_instance(self, request):
        # A minutes excerpt is named by its unit: the units of the page's rows read in one query, not one
        # a row.
        changelist = super().get_changelist_instance(request)
        rows = list(changelist.result_list)
        codes = _excerpt_unit_codes(rows)
        names = dict(Unit.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
        for row in rows:
            row.unit_names = names
        return changelist

    @admin.display(description=_("what was accessed"), ordering="what")
    def what_shown(self, row):
        return access_what_label(row.what)

    @admin.display(description=_("object representation"))
    def object_shown(self, row):
        names = getattr(row, "unit_names", None)
        unit_name = (lambda code: names.get(code, code)) if names is not None else _unit_name
        return access_object_label(row.what, row.object_repr, unit_name=unit_name)

    @admin.display(description=_("reason"))
    def reason_shown(self, row):
        return access_reason_label(row.reason)


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
class ChannelMessageAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ["created_at", "channel", "purpose", "title", "status", "attempts", "sent_at"]
    # (status, created_at) is indexed; the purpose is not, and its filter's choices were a DISTINCT over
    # every message.
    list_filter = ["status"]
    list_select_related = ["channel__unit"]


# ---------------------------------------------------------------- the audit log (django-auditlog)

M2M_OPERATIONS = {"add": _("added"), "remove": _("removed"), "clear": _("cleared")}


def _field_name(entry, field: str) -> str:
    from auditlog.render import get_field_verbose_name

    return str(get_field_verbose_name(entry, field))


def _list_separator() -> str:
    return "、" if get_language().startswith("zh") else ", "


class ResourceTypeFilter(BaseResourceTypeFilter):
    """django-auditlog's filter by model, its choices the models audited (``linkage.audit``) rather than a
    DISTINCT over every entry ever logged."""

    def lookups(self, request, model_admin):
        from auditlog.registry import auditlog
        from django.contrib.contenttypes.models import ContentType

        types = ContentType.objects.get_for_models(*auditlog.get_models()).values()
        return sorted(((t.pk, t.model) for t in types), key=lambda choice: choice[1])


admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class LogEntryAdmin(LargeTableMixin, BaseLogEntryAdmin):
    """django-auditlog's list and entry pages, in words: each changed field by its name (日期, 状态), not its
    column (``due_at``), a role by its name, "the system" when nobody acted (issue 31 D3).

    Every change of a case or a notice is an entry: a big table. The date hierarchy stays (``timestamp``
    has an index; ``LargeTableMixin`` offers the span of its first and last entry, not a DISTINCT of
    all); the search leaves out the diffs (``changes``, the table's widest column) and the timestamp as
    text (the hierarchy finds a day)."""

    list_filter = ["action", ResourceTypeFilter, CIDFilter]
    search_fields = ["object_repr", "actor__first_name", "actor__last_name", "actor__username"]

    @admin.display(description=_("Changes"))
    def msg_short(self, obj):
        if obj.action in (LogEntry.Action.DELETE, LogEntry.Action.ACCESS):
            return ""
        names = [_field_name(obj, field) for field in obj.changes_dict]
        text = _list_separator().join(names)
        if len(text) > 75:
            text = text[:72] + "…"
        return ngettext("%(count)d change: %(fields)s", "%(count)d changes: %(fields)s", len(names)) % {
            "count": len(names), "fields": text}

    @admin.display(description=_("Changes"))
    def msg(self, obj):
        atoms, relations = [], []
        for field, change in sorted(obj.changes_dict.items()):
            name = _field_name(obj, field)
            if isinstance(change, dict) and change.get("type") == "m2m":
                objects = [role_label(o) if field == "groups" else o for o in change.get("objects", [])]
                operation = change.get("operation", "")
                relations.append((name, M2M_OPERATIONS.get(operation, operation), _list_separator().join(objects)))
            elif isinstance(change, (list, tuple)) and len(change) == 2:
                atoms.append((name, *(("***", "***") if field == "password" else change)))
        parts = []
        for rows, headers in ((atoms, (_("Field"), _("Old value"), _("New value"))),
                              (relations, (_("Relationship"), _("Operation"), _("Objects")))):
            if rows:
                head = format_html_join("", "<th>{}</th>", [(h,) for h in ("#", *headers)])
                body = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                                        [(i, *row) for i, row in enumerate(rows, 1)])
                parts.append(format_html("<table><tr>{}</tr>{}</table>", head, body))
        return format_html_join("", "{}", [(p,) for p in parts])

    @admin.display(description=_("User"))
    def user_url(self, obj):
        return super().user_url(obj) if obj.actor else gettext("the system")


@admin.register(Court)
class CourtAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "parent"]
    list_select_related = ["parent"]
    search_fields = ["code", "name"]
