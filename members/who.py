"""Who the signed-in user is, in two plain SQL queries (lean pages).

Every signed-in page asks what roles and permissions the user holds (``members.backends.load_roles``)
and, for a unit's member, on which units (``members.scoping.unit_ids``). Built through the ORM, a
``UNION`` of annotated ``values_list`` querysets, each costs Python per request to compile — more
than the queries themselves take in the database. The SQL here says the same thing, written once
per process from the models' own table and column names (so it follows any ``db_table``), with the user
as a parameter. ``tests/test_lean_pages.py`` compares both answers with the ORM's and guardian's for
users with own permissions, group permissions, both and none.
"""
from functools import lru_cache

from django.db import connection


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _table(model) -> str:
    return _q(model._meta.db_table)


def _col(model, field: str) -> str:
    return _q(model._meta.get_field(field).column)


@lru_cache(maxsize=4)
def _roles_sql(vendor: str) -> str:
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    from .models import Absence, User

    memberships = User.groups.through
    group_perms = Group.permissions.through
    ab = _table(Absence)
    own_perms = User.user_permissions.through
    g, ug, gp, p, ct, up = (_table(m) for m in (Group, memberships, group_perms, Permission, ContentType, own_perms))
    # A role without permissions still names the role: LEFT JOINs from the membership.
    return (
        f"SELECT 'group', {g}.{_q('name')}, {ct}.{_q('app_label')}, {p}.{_q('codename')} FROM {ug} "
        f"JOIN {g} ON {g}.{_q('id')} = {ug}.{_col(memberships, 'group')} "
        f"LEFT JOIN {gp} ON {gp}.{_col(group_perms, 'group')} = {g}.{_q('id')} "
        f"LEFT JOIN {p} ON {p}.{_q('id')} = {gp}.{_col(group_perms, 'permission')} "
        f"LEFT JOIN {ct} ON {ct}.{_q('id')} = {p}.{_col(Permission, 'content_type')} "
        f"WHERE {ug}.{_col(memberships, 'user')} = %s "
        f"UNION ALL "
        f"SELECT 'user', '', {ct}.{_q('app_label')}, {p}.{_q('codename')} FROM {up} "
        f"JOIN {p} ON {p}.{_q('id')} = {up}.{_col(own_perms, 'permission')} "
        f"JOIN {ct} ON {ct}.{_q('id')} = {p}.{_col(Permission, 'content_type')} "
        f"WHERE {up}.{_col(own_perms, 'user')} = %s "
        # A deputy holds the liaison's role on the days of an absence naming them (members.absences).
        f"UNION ALL "
        f"SELECT 'group', {g}.{_q('name')}, {ct}.{_q('app_label')}, {p}.{_q('codename')} FROM {ab} "
        f"JOIN {g} ON {g}.{_q('name')} = 'liaison' "
        f"LEFT JOIN {gp} ON {gp}.{_col(group_perms, 'group')} = {g}.{_q('id')} "
        f"LEFT JOIN {p} ON {p}.{_q('id')} = {gp}.{_col(group_perms, 'permission')} "
        f"LEFT JOIN {ct} ON {ct}.{_q('id')} = {p}.{_col(Permission, 'content_type')} "
        f"{_deputy_where(ab)}"
    )


def _deputy_where(ab: str) -> str:
    from .models import Absence

    return (f"WHERE {ab}.{_col(Absence, 'deputy')} = %s AND {ab}.{_col(Absence, 'starts_on')} <= %s "
            f"AND {ab}.{_col(Absence, 'ends_on')} >= %s AND {ab}.{_col(Absence, 'cancelled_at')} IS NULL")


def _today() -> str:
    from django.utils import timezone

    return timezone.localdate().isoformat()


def role_rows(user_pk: int) -> list[tuple[str, str, str | None, str | None]]:
    """(source, role name, app label, codename): one row per permission of each of the user's roles
    (a role without any: one row with no permission), and one per permission given to the user."""
    with connection.cursor() as cur:
        today = _today()
        cur.execute(_roles_sql(connection.vendor), [user_pk, user_pk, user_pk, today, today])
        return cur.fetchall()


@lru_cache(maxsize=4)
def _unit_grants_sql(vendor: str) -> str:
    from django.contrib.auth.models import Permission
    from guardian.models import GroupObjectPermission, UserObjectPermission

    from .models import Absence, User

    memberships = User.groups.through
    ab = _table(Absence)
    uop, gop, p, ug = (_table(m) for m in (UserObjectPermission, GroupObjectPermission, Permission, memberships))
    return (
        f"SELECT {p}.{_q('codename')}, {uop}.{_col(UserObjectPermission, 'object_pk')} FROM {uop} "
        f"JOIN {p} ON {p}.{_q('id')} = {uop}.{_col(UserObjectPermission, 'permission')} "
        f"WHERE {uop}.{_col(UserObjectPermission, 'user')} = %s "
        f"AND {uop}.{_col(UserObjectPermission, 'content_type')} = %s AND {p}.{_col(Permission, 'content_type')} = %s "
        f"UNION "
        f"SELECT {p}.{_q('codename')}, {gop}.{_col(GroupObjectPermission, 'object_pk')} FROM {gop} "
        f"JOIN {p} ON {p}.{_q('id')} = {gop}.{_col(GroupObjectPermission, 'permission')} "
        f"JOIN {ug} ON {ug}.{_col(memberships, 'group')} = {gop}.{_col(GroupObjectPermission, 'group')} "
        f"WHERE {ug}.{_col(memberships, 'user')} = %s "
        f"AND {gop}.{_col(GroupObjectPermission, 'content_type')} = %s AND {p}.{_col(Permission, 'content_type')} = %s "
        # A deputy reads and works the absent liaison's unit on the days of the absence.
        f"UNION SELECT 'handle_unit_work', CAST({ab}.{_col(Absence, 'unit')} AS VARCHAR(20)) FROM {ab} {_deputy_where(ab)} "
        f"UNION SELECT 'view_unit_work', CAST({ab}.{_col(Absence, 'unit')} AS VARCHAR(20)) FROM {ab} {_deputy_where(ab)}"
    )


def unit_grants(user_pk: int) -> dict[str, frozenset[int]]:
    """codename → ids of the units on which the user holds that object permission (django-guardian's
    rows: the user's own and its groups'), every codename in one query."""
    from django.contrib.contenttypes.models import ContentType

    from .models import Unit

    ct = ContentType.objects.get_for_model(Unit).id  # cached by contenttypes for the process
    grants: dict[str, set[int]] = {}
    with connection.cursor() as cur:
        today = _today()
        cur.execute(_unit_grants_sql(connection.vendor),
                    [user_pk, ct, ct, user_pk, ct, ct, user_pk, today, today, user_pk, today, today])
        for codename, object_pk in cur.fetchall():
            if str(object_pk).isdigit():
                grants.setdefault(codename, set()).add(int(object_pk))
    return {codename: frozenset(ids) for codename, ids in grants.items()}
