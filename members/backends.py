"""Authentication backend: Django's ModelBackend, with a user's roles and role permissions read in one
query and the user's unit fetched with the user, so every page starts with fewer queries."""
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group


def load_roles(user) -> tuple[frozenset, frozenset]:
    """(role codes, "app_label.codename" permissions of those roles), cached on the user object."""
    cached = getattr(user, "_roles_and_perms", None)
    if cached is None:
        names, perms = set(), set()
        rows = Group.objects.filter(user=user).values_list(
            "name", "permissions__content_type__app_label", "permissions__codename")
        for name, app_label, codename in rows:
            names.add(name)
            if codename:
                perms.add(f"{app_label}.{codename}")
        cached = (frozenset(names), frozenset(perms))
        user._roles_and_perms = cached
    return cached


class PortalBackend(ModelBackend):
    def get_user(self, user_id):
        user = get_user_model()._default_manager.select_related("unit").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_group_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:
            return super().get_group_permissions(user_obj, obj)
        return set(load_roles(user_obj)[1])
