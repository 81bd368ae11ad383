"""Deputies for a liaison on leave (issue 31 §2): recorded by the liaison, their leader or the office; the
deputy sees and works the unit's notices on those days only, every step names the liaison they acted for
(代为办理), the office sees due dates falling in an absence with no deputy, and units with no liaison."""
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases import services
from cases.models import NoticeEvent
from members import absences
from members.models import Absence, LiaisonAssignment, Unit, User


def _fresh(username):
    """The user as a new request loads them (roles and units are cached on the object for one request)."""
    return User.objects.get(username=username)


@pytest.fixture
def police_deputy(db):
    """A colleague in the police unit with no role of their own: only an absence lets them act."""
    return User.objects.create_user("police-duty", password="x" * 12, unit=Unit.objects.get(code="police"),
                                    first_name="值班民警")


def _away(actor, *, deputy=None, start=0, days=3, unit="police"):
    today = timezone.localdate()
    return absences.absence_record(actor=actor, unit=Unit.objects.get(code=unit),
                                   starts_on=today + timedelta(days=start),
                                   ends_on=today + timedelta(days=start + days - 1), deputy=deputy)


def test_a_deputy_works_the_units_notices_on_the_days_of_the_absence_only(users, make_case, issue, police_deputy,
                                                                          browser_client):
    notice = issue(make_case(), "police", "locate", subject="查找被执行人下落")
    away = _away(users["liaison-police"], deputy=police_deputy, start=1, days=2)
    assert away.liaison == users["liaison-police"]
    # The day before: a member of the unit reads its work (members.scoping) but may not act on it.
    with pytest.raises(PermissionDenied):
        services.notice_acknowledge(actor=_fresh("police-duty"), notice=notice)
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        client = browser_client("police-duty")
        assert client.get(f"/notices/{notice.pk}/").status_code == 200
        assert notice.number in client.get("/inbox/?tab=all").content.decode()
        services.notice_acknowledge(actor=_fresh("police-duty"), notice=notice)
        event = NoticeEvent.objects.filter(notice=notice, transition="acknowledge").get()
        assert event.actor == police_deputy and event.on_behalf_of == users["liaison-police"]
        page = client.get(f"/notices/{notice.pk}/").content.decode()
        assert "代" in page and str(users["liaison-police"]) in page
        detail = client.get(f"/api/v1/notices/{notice.pk}/")
        assert detail.status_code == 200
        assert [e["on_behalf_of"] for e in detail.json()["events"] if e["transition"] == "acknowledge"] \
            == ["liaison-police"]
    # After the absence: no longer.
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        with pytest.raises(PermissionDenied):
            services.notice_answer(actor=_fresh("police-duty"), notice=notice, outcome="done", detail="已找到")


def test_the_liaisons_own_steps_name_nobody_else(users, make_case, issue, police_deputy):
    notice = issue(make_case(), "police", "locate", subject="查找被执行人下落")
    _away(users["liaison-police"], deputy=police_deputy, start=0, days=2)
    services.notice_acknowledge(actor=_fresh("liaison-police"), notice=notice)
    event = NoticeEvent.objects.get(notice=notice, transition="acknowledge")
    assert event.on_behalf_of is None


def test_a_deputy_of_another_unit_or_the_liaison_themself_is_refused(users, police_deputy):
    with pytest.raises(ValidationError) as error:
        _away(users["liaison-police"], deputy=_fresh("liaison-bank-icbc"))
    assert "deputy" in error.value.message_dict
    with pytest.raises(ValidationError):
        _away(users["liaison-police"], deputy=_fresh("liaison-police"))
    assert not Absence.objects.exists()


@pytest.mark.parametrize(("start", "days", "field"), [(-5, 2, "ends_on"), (0, 400, "ends_on")])
def test_bad_dates_are_refused_in_words(users, start, days, field):
    with pytest.raises(ValidationError) as error:
        _away(users["liaison-police"], start=start, days=days)
    assert field in error.value.message_dict and not Absence.objects.exists()


def test_an_end_before_the_start_is_refused(users):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        absences.absence_record(actor=users["liaison-police"], unit=Unit.objects.get(code="police"),
                                starts_on=today + timedelta(days=3), ends_on=today + timedelta(days=1))
    assert "ends_on" in error.value.message_dict


def test_overlapping_absences_are_refused(users):
    _away(users["liaison-police"], start=0, days=5)
    with pytest.raises(ValidationError) as error:
        _away(users["liaison-police"], start=3, days=5)
    assert "starts_on" in error.value.message_dict and Absence.objects.count() == 1


def test_only_the_liaison_their_leader_or_the_office_records_an_absence(users):
    with pytest.raises(PermissionDenied):
        _away(_fresh("liaison-bank-icbc"))  # another unit's liaison
    with pytest.raises(PermissionDenied):
        _away(_fresh("clerk"))
    assert _away(_fresh("leader-police"), days=1).created_by.username == "leader-police"
    assert _away(_fresh("office"), start=2, days=1).created_by.username == "office"


def test_the_office_sees_due_dates_in_an_absence_with_no_deputy_and_appoints_one(users, make_case, issue,
                                                                                police_deputy, browser_client):
    notice = issue(make_case(), "police", "locate", subject="查找被执行人下落")
    due = timezone.localdate(notice.due_at)
    today = timezone.localdate()
    away = absences.absence_record(actor=users["liaison-police"], unit=Unit.objects.get(code="police"),
                                   starts_on=today, ends_on=due)
    office = browser_client("office")
    page = office.get("/absences/").content.decode()
    assert notice.number in page and "没有代办人" in page or notice.number in page
    home = office.get("/").content.decode()
    assert "请假无人代办" in home or "/absences/" in home
    response = office.post("/absences/", {"action": "appoint", "absence": away.pk, "deputy": police_deputy.pk})
    assert response.status_code == 302
    away.refresh_from_db()
    assert away.deputy == police_deputy and away.deputy_by.username == "office"
    assert notice.number not in office.get("/absences/").content.decode()


def test_a_unit_with_no_active_liaison_is_flagged_to_the_office(users, browser_client):
    LiaisonAssignment.objects.filter(unit__code="market").update(ended_at=timezone.now())
    assert "market" in set(absences.units_without_liaison().values_list("code", flat=True))
    page = browser_client("office").get("/absences/").content.decode()
    assert Unit.objects.get(code="market").name in page


def test_the_liaison_records_an_absence_on_the_page(users, police_deputy, browser_client):
    client = browser_client("liaison-police")
    page = client.get("/absences/")
    assert page.status_code == 200 and 'name="unit"' not in page.content.decode()  # their own unit only
    today = timezone.localdate()
    response = client.post("/absences/", {"action": "record", "starts_on": today.isoformat(),
                                          "ends_on": (today + timedelta(days=4)).isoformat(),
                                          "deputy": police_deputy.pk, "note": "培训"})
    assert response.status_code == 302
    away = Absence.objects.get()
    assert away.unit.code == "police" and away.deputy == police_deputy and away.note == "培训"


def test_a_bad_absence_on_the_page_changes_nothing_and_says_why(users, browser_client):
    today = timezone.localdate()
    response = browser_client("liaison-police").post("/absences/", {
        "action": "record", "starts_on": today.isoformat(), "ends_on": (today - timedelta(days=3)).isoformat()})
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    assert not Absence.objects.exists()


def test_another_units_absence_cannot_be_changed(users, police_deputy, browser_client):
    away = _away(users["liaison-police"], deputy=police_deputy)
    response = browser_client("liaison-bank-icbc").post("/absences/", {"action": "cancel", "absence": away.pk})
    assert response.status_code == 404
    away.refresh_from_db()
    assert away.cancelled_at is None


@pytest.mark.parametrize("username", ["clerk", "convener", "assessor", "president"])
def test_the_absence_page_is_404_for_roles_without_a_unit_to_cover(browser_client, username):
    assert browser_client(username).get("/absences/").status_code == 404


def test_a_cancelled_absence_gives_the_deputy_nothing(users, make_case, issue, police_deputy):
    notice = issue(make_case(), "police", "locate", subject="查找被执行人下落")
    away = _away(users["liaison-police"], deputy=police_deputy)
    absences.absence_cancel(actor=users["liaison-police"], absence=away)
    with pytest.raises(PermissionDenied):
        services.notice_acknowledge(actor=_fresh("police-duty"), notice=notice)


def test_a_deputy_from_outside_the_unit_sees_nothing_of_another_unit(users, make_case, issue, police_deputy,
                                                                    browser_client):
    """The deputy's rights are the absent liaison's unit's, not more: a bank's notice stays 404."""
    bank_notice = issue(make_case(), "bank-icbc", "freeze")
    _away(users["liaison-police"], deputy=police_deputy)
    assert browser_client("police-duty").get(f"/notices/{bank_notice.pk}/").status_code == 404
    assert browser_client("police-duty").get(f"/api/v1/notices/{bank_notice.pk}/").status_code == 404


def test_the_deputy_holds_the_liaison_role_only_while_away(users, police_deputy):
    from members.roles import role_codes

    assert "liaison" not in role_codes(_fresh("police-duty"))
    _away(users["liaison-police"], deputy=police_deputy, start=0, days=1)
    assert "liaison" in role_codes(_fresh("police-duty"))
    assert Group.objects.get(name="liaison") not in _fresh("police-duty").groups.all()  # the post did not move
