"""What every app's admin shares: rows the admin shows but never changes."""
from django.contrib import admin


class ReadOnlyMixin:
    """Event rows, audit rows and state that only the portal's services change: visible in the admin,
    never added, edited or deleted there, not even by an administrator."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass
