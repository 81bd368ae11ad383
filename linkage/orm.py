"""Small ORM helpers."""
from django.db.models import Func, IntegerField, Subquery


def unique_or_none(queryset):
    """The one row a lookup by a unique key finds, or None: ``first()`` without its ORDER BY.

    ``first()`` orders an unordered queryset by the primary key, and to build that ORDER BY Django
    compares the ordering with every selected column (hashing each one), a hundred of them for a row
    joined with ``select_related``. A unique key needs no order. Used where that
    cost is paid on every request (the signed-in user, the API token) or on public pages."""
    found = list(queryset.order_by()[:1])
    return found[0] if found else None


def row_count(qs):
    """``SELECT COUNT(*) FROM (qs)`` as a scalar subquery."""
    # Func, not Count: Django adds no GROUP BY for it, so the subquery is one row even over no rows.
    return Subquery(qs.order_by().values(n=Func("pk", function="COUNT")), output_field=IntegerField())
