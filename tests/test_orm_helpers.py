"""linkage.orm.unique_or_none: ``first()`` of a lookup by a unique key, without its ORDER BY."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from linkage.orm import unique_or_none
from members.models import User


@pytest.mark.django_db
def test_the_row_of_a_unique_key_or_none_and_no_order_by(users):
    clerk = users["clerk"]
    with CaptureQueriesContext(connection) as ctx:
        found = unique_or_none(User.objects.select_related("unit").filter(pk=clerk.pk))
    assert found == clerk
    assert len(ctx.captured_queries) == 1
    sql = ctx.captured_queries[0]["sql"]
    assert "ORDER BY" not in sql and "LIMIT 1" in sql
    assert unique_or_none(User.objects.filter(pk=-1)) is None


@pytest.mark.django_db
def test_prefetches_still_run(users):
    from members.models import Unit

    with CaptureQueriesContext(connection) as ctx:
        unit = unique_or_none(Unit.objects.filter(code="bank-icbc").prefetch_related("capabilities"))
        actions = {c.action_id for c in unit.capabilities.all()}
    assert unit.code == "bank-icbc" and actions
    assert len(ctx.captured_queries) == 2  # the unit, then its capabilities: no query per capability
