"""The one choke point that scopes querysets to what a user may see.

Every model that belongs to a unit gets a ``visible_to(user)`` on its QuerySet built from
``scope_by_unit``; views and viewsets start from it, so "another unit's row" is simply absent and the
lookup answers 404, the same as a missing row.

Per-unit object permissions are django-guardian permissions on ``members.Unit`` objects:
``view_unit_work`` (any member of the unit: liaison, unit leader) and ``handle_unit_work`` (the liaison,
who acts for the unit). They are granted from the user's unit and roles in ``members.services``.
"""
from django.db.models import QuerySet
from django.http import Http404

from .courts import court_ids, filter_by_court
from .roles import is_court_user

VIEW = "members.view_unit_work"
HANDLE = "members.handle_unit_work"


def unit_ids(user, perm: str = VIEW) -> frozenset[int]:
    """Ids of the units on which ``user`` holds ``perm``; cached on the user object for the request."""
    if not user.is_authenticated:
        return frozenset()
    cache = user.__dict__.setdefault("_unit_ids_cache", {})
    if perm not in cache:
        cache[perm] = _granted_unit_ids(user, perm)
    return cache[perm]


def _granted_unit_ids(user, perm: str) -> frozenset[int]:
    """The units on which django-guardian holds ``perm`` for ``user`` (its own rows and its groups').

    What ``get_objects_for_user(user, perm, klass=Unit, accept_global_perms=False, with_superuser=False)``
    answers, read straight from guardian's two tables (``members.who``) for every unit permission at
    once: a liaison's page asks for the scope and for the right to act, and guardian's general query
    building costs more Python than a small page's own work. ``tests/test_lean_pages.py`` compares the two."""
    cache = user.__dict__.setdefault("_unit_ids_cache", {})
    grants = cache.get("_grants")
    if grants is None:
        from .who import unit_grants

        grants = cache["_grants"] = unit_grants(user.pk)
    return grants.get(perm.split(".", 1)[1], frozenset())


def forget_cached_scope(user) -> None:
    user.__dict__.pop("_unit_ids_cache", None)
    for attr in ("_roles_and_perms", "_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(attr, None)


def scope_by_unit(qs: QuerySet, user, unit_field: str = "unit", *, perm: str = VIEW, court_sees_all=True):
    """Rows of ``qs`` whose ``unit_field`` is one of the user's units; everything for court roles."""
    if not user.is_authenticated:
        return qs.none()
    if court_sees_all and is_court_user(user):
        # A unit belongs to one court: a court's roles see the rows of its units (members.courts).
        return filter_by_court(qs, user, f"{unit_field}__court")
    ids = unit_ids(user, perm)
    if not ids:
        return qs.none()
    return qs.filter(**{f"{unit_field}__in": ids})


def scope_key(user, perm: str = VIEW) -> tuple:
    """What ``scope_by_unit(qs, user, perm=perm)`` turns into SQL, as a hashable value: a query compiled
    for one user may be reused for another with the same key (``linkage.prepared``)."""
    if not user.is_authenticated:
        return ("none",)
    if is_court_user(user):
        ids = court_ids(user)
        return ("court", None if ids is None else tuple(sorted(ids)))
    return ("units", perm, tuple(sorted(unit_ids(user, perm))))


def can_handle_unit(user, unit_id: int) -> bool:
    return unit_id in unit_ids(user, HANDLE)


def get_visible_or_404(qs: QuerySet, **lookup):
    """``get_object_or_404`` for an already scoped queryset (kept here so the rule is stated once)."""
    try:
        return qs.get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
