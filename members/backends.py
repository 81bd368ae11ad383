"""Authentication backend: Django's ModelBackend, with a user's roles and role permissions read in one
query and the user's unit fetched with the user, so every page starts with fewer queries."""
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from linkage.orm import unique_or_none


def load_roles(user) -> tuple[frozenset, frozenset, frozenset]:
    """(role codes, permissions of those roles, the user's own permissions) as "app_label.codename",
    read in ONE query (a UNION, plain SQL: ``members.who``) and cached on the user object for the request."""
    cached = getattr(user, "_roles_and_perms", None)
    if cached is None:
        from .who import role_rows

        names, role_perms, own_perms = set(), set(), set()
        for source, name, app_label, codename in role_rows(user.pk):
            if source == "group":
                names.add(name)
                if codename:
                    role_perms.add(f"{app_label}.{codename}")
            else:
                own_perms.add(f"{app_label}.{codename}")
        cached = (frozenset(names), frozenset(role_perms), frozenset(own_perms))
        user._roles_and_perms = cached
    return cached


class PortalBackend(ModelBackend):
    def get_user(self, user_id):
        user = unique_or_none(get_user_model()._default_manager.select_related("unit").filter(pk=user_id))
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_group_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:
            return super().get_group_permissions(user_obj, obj)
        return set(load_roles(user_obj)[1])

    def get_user_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:
            return super().get_user_permissions(user_obj, obj)
        return set(load_roles(user_obj)[2])
