"""Courts as data (issue 30, first step): the install's first court is the one of COURT_CODE, and
``GET /api/v1/courts/`` lists every court with its supervising court for any signed-in user."""
import pytest
from django.conf import settings

from members.models import Court


def test_the_first_court_is_the_one_of_the_settings(db):
    court = Court.objects.get()
    assert (court.code, court.name, court.parent) == (settings.COURT_CODE, settings.COURT_NAME, None)


@pytest.mark.parametrize("username", ["clerk", "liaison-police", "assessor"])
def test_any_signed_in_user_reads_the_courts(api, username):
    county = Court.objects.get()
    city = Court.objects.create(code="鄂10", name="湖北省荆州市中级人民法院")
    county.parent = city
    county.save(update_fields=["parent"])
    body = api(username).get("/api/v1/courts/").json()
    assert {c["code"]: c["parent"] for c in body} == {"鄂10": None, settings.COURT_CODE: "鄂10"}


def test_anonymous_reads_no_courts(api):
    assert api().get("/api/v1/courts/").status_code in (401, 403)
