from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from linkage.admin import LargeTableMixin

from . import services
from .models import IssuedDocument


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(LargeTableMixin, admin.ModelAdmin):
    list_display = ("code", "kind", "title", "number", "unit", "status", "sealed", "issued_at", "superseded_at")
    list_select_related = ("unit",)  # nullable: Django's own select_related() left it out, a query a row
    list_filter = ("status",)  # (status, id) is indexed; the kind and the seal are not
    search_fields = ("code", "number", "case_number")
    actions = ["correct"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Issue a corrected document (supersedes the selected ones)"))
    def correct(self, request, queryset):
        count = 0
        for document in queryset.filter(superseded_at=None):
            services.supersede(document, actor=request.user, reason="更正")
            count += 1
        messages.success(request, _("%(n)s corrected document(s) issued.") % {"n": count})
