"""Courts as data (issue 30): the install's first court is the one of COURT_CODE, the demo city's
intermediate court supervises it and the second county, and ``GET /api/v1/courts/`` lists every court with
its supervising court for any signed-in user."""
import pytest
from django.conf import settings

from members.courts import base_code, court_ids
from members.models import Court, Unit, User


def test_the_first_court_is_the_one_of_the_settings(db):
    court = Court.objects.get(code=settings.COURT_CODE)
    assert (court.name, court.parent.code) == (settings.COURT_NAME, "鄂10")
    # Rows written without a court (and all rows from before courts) belong to it.
    assert Unit.objects.get(code="police").court == court
    assert User.objects.get(username="clerk").court == court


@pytest.mark.parametrize("username", ["clerk", "liaison-police", "assessor", "clerk-2"])
def test_any_signed_in_user_reads_the_courts(api, username):
    body = api(username).get("/api/v1/courts/").json()
    assert {c["code"]: c["parent"] for c in body} == {"鄂10": None, settings.COURT_CODE: "鄂10", "鄂1024": "鄂10"}


def test_anonymous_reads_no_courts(api):
    assert api().get("/api/v1/courts/").status_code in (401, 403)


def test_whose_rows_each_account_sees(users):
    first, second, city = (Court.objects.get(code=c).pk for c in (settings.COURT_CODE, "鄂1024", "鄂10"))
    assert court_ids(users["clerk"]) == {first}
    assert court_ids(users["clerk-2"]) == {second}
    assert court_ids(users["liaison-2-police"]) == {second}  # a unit's member works for the unit's court
    assert court_ids(users["supervisor"]) == {city, first, second}
    assert court_ids(users["admin"]) is None  # every court


def test_a_later_countys_unit_codes_carry_its_prefix(db):
    assert base_code("2-natres") == "natres" and base_code("bank-icbc") == "bank-icbc"
    assert Unit.objects.filter(court__code="鄂1024").count() == Unit.objects.filter(court__code="鄂1022").count()
