"""Writes about units and users. Each function is one transaction."""
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from guardian.models import UserObjectPermission
from guardian.shortcuts import assign_perm

from .models import AccessLog, LiaisonAssignment, Unit, User
from .roles import Role, role_codes
from .scoping import HANDLE, VIEW, forget_cached_scope


@transaction.atomic
def sync_unit_permissions(user: User) -> None:
    """Make the user's guardian object permissions on units match their unit and roles.

    A member of a unit may read its work; its liaison may also act for it. Leaving a unit (or losing
    the role) removes the grant at once.
    """
    forget_cached_scope(user)
    unit_ct = ContentType.objects.get_for_model(Unit)
    wanted = set()
    if user.is_active and user.unit_id:
        wanted.add(VIEW.split(".")[1])
        if role_codes(user) & {Role.LIAISON, Role.UNIT_SYSTEM}:
            wanted.add(HANDLE.split(".")[1])
    existing = UserObjectPermission.objects.filter(user=user, content_type=unit_ct)
    keep = Q(object_pk=str(user.unit_id), permission__codename__in=wanted) if wanted else Q(pk__in=[])
    existing.exclude(keep).delete()
    have = set(existing.values_list("permission__codename", flat=True))
    for codename in wanted - have:
        assign_perm(f"members.{codename}", user, user.unit)
    forget_cached_scope(user)


@transaction.atomic
def liaison_assign(*, actor: User | None, unit: Unit, user: User) -> LiaisonAssignment:
    """Make ``user`` the liaison officer of ``unit`` (Art. 4), ending the previous holder's post."""
    from django.contrib.auth.models import Group

    Unit.objects.select_for_update(of=("self",), no_key=True).get(pk=unit.pk)
    current = LiaisonAssignment.objects.filter(unit=unit, ended_at__isnull=True).first()
    if current and current.user_id == user.pk:
        return current
    if current:
        current.ended_at = timezone.now()
        current.save(update_fields=["ended_at"])
    if user.unit_id != unit.pk:
        user.unit = unit
        user.save(update_fields=["unit"])
    user.groups.add(Group.objects.get(name=Role.LIAISON))
    sync_unit_permissions(user)
    return LiaisonAssignment.objects.create(unit=unit, user=user, assigned_by=actor)


def access_log(*, actor, what: str, obj, reason: str = "") -> None:
    """An audited read: ``actor`` saw a full identifier, downloaded a document or exported a list."""
    AccessLog.objects.create(user=actor, what=what, object_repr=str(obj)[:120], reason=reason[:200])
