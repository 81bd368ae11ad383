"""Art. 35 and DOMAIN.md section 5: concluding a case ``completed`` or ``terminated`` cancels its open
notices, closes answered ones and sends exactly one release notice for every measure a unit holds or may
hold; ``final_no_property`` (终本) releases nothing. Nothing may be missed, nothing sent twice."""
import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases import delivery, services
from cases.models import Case, Delivery, Notice, NoticeEvent
from linkage.statemachine import InvalidTransition
from members.models import ActionType, Capability, Unit
from tests.conftest import case_ruling, final_ready

# DOMAIN.md section 4: the actions that leave an active measure. Written out here on purpose, so the test
# does not take the rule from the code (or the seed data) it checks.
MEASURE_ACTIONS = {"freeze", "seize", "restrict", "locate", "publicize"}
EXECUTED = {"done", "partial"}
OPEN_STATES = {"issued", "delivered", "acknowledged"}


def _liaison(users, unit):
    return users[f"liaison-{unit.code}"]


def _ruling_for(case, action_code):
    return case_ruling(case) if action_code in services.RULING_REQUIRED_ACTIONS else None


def _amount_for(notice, outcome):
    return "5000.00" if notice.action.code in ("freeze", "deduct") and outcome in EXECUTED else None


def _issue_raw(users, case, unit_code, action_code, subject="冻结被执行人名下存款"):
    """Issue without running the on-commit delivery: the notice stays ``issued``."""
    return services.notice_issue(actor=users["clerk"], case=case, unit=Unit.objects.get(code=unit_code),
                                 action=ActionType.objects.get(code=action_code), subject=subject,
                                 ruling=_ruling_for(case, action_code))


def _ack(users, notice):
    return services.notice_acknowledge(actor=_liaison(users, notice.unit), notice=notice)


def _answer(users, notice, outcome):
    _ack(users, notice)
    return services.notice_answer(actor=_liaison(users, notice.unit), notice=notice, outcome=outcome,
                                  detail="" if outcome == "done" else "部分账户无余额",
                                  result_amount=_amount_for(notice, outcome))


def _cancel_subject(notice):
    with translation.override(django_settings.LANGUAGE_CODE):
        return gettext("Notice %(number)s cancelled") % {"number": notice.number}


def _fresh(notice):
    return Notice.objects.get(pk=notice.pk)


def _events(notice, name):
    return list(NoticeEvent.objects.filter(notice=notice, transition=name))


@pytest.fixture
def concluded(users, make_case, issue, django_capture_on_commit_callbacks):
    """One case with a notice in every interesting state, concluded with on-commit delivery executed."""
    case = make_case()
    n = {}
    n["freeze_issued"] = _issue_raw(users, case, "bank-icbc", "freeze")
    n["freeze_acked"] = issue(case, "bank-abc", "freeze")
    _ack(users, n["freeze_acked"])
    n["seize_done"] = issue(case, "police", "seize", subject="扣押车辆鄂D12345")
    _answer(users, n["seize_done"], "done")
    n["seize_partial"] = issue(case, "natres", "seize", subject="查封不动产")
    _answer(users, n["seize_partial"], "partial")
    n["locate_unable"] = issue(case, "police", "locate", subject="查找被执行人下落")
    _answer(users, n["locate_unable"], "unable")
    n["freeze_cancelled"] = issue(case, "bank-ccb", "freeze")
    with django_capture_on_commit_callbacks(execute=True):
        services.notice_cancel(actor=users["clerk"], notice=n["freeze_cancelled"], note="重复发送")
    n["query_issued"] = issue(case, "bank-icbc", "query", subject="查询存款")
    n["deduct_done"] = issue(case, "tax", "deduct", subject="扣划退税款")
    _answer(users, n["deduct_done"], "done")
    n["transfer_acked"] = issue(case, "natres", "transfer", subject="过户")
    _ack(users, n["transfer_acked"])
    n["publicize_acked"] = issue(case, "market", "publicize", subject="公示")
    _ack(users, n["publicize_acked"])
    n["restrict_closed"] = issue(case, "police", "restrict", subject="限制出境")
    _answer(users, n["restrict_closed"], "done")
    services.notice_close(actor=users["clerk"], notice=n["restrict_closed"])
    n["dispatch_issued"] = issue(case, "police", "dispatch", subject="出警")
    n = {key: _fresh(notice) for key, notice in n.items()}

    before = {key: notice.status for key, notice in n.items()}
    assert before == {
        "freeze_issued": "issued", "freeze_acked": "acknowledged", "seize_done": "answered",
        "seize_partial": "answered", "locate_unable": "answered", "freeze_cancelled": "cancelled",
        "query_issued": "delivered", "deduct_done": "answered", "transfer_acked": "acknowledged",
        "publicize_acked": "acknowledged", "restrict_closed": "closed", "dispatch_issued": "delivered",
    }
    mail.outbox.clear()
    cancel_rows_before = Delivery.objects.filter(notice=n["freeze_cancelled"], purpose="cancel").count()
    with django_capture_on_commit_callbacks(execute=True):
        releases = services.case_conclude(actor=users["clerk"], case=case, outcome="completed", note="已全部履行").release_notices
    return case, n, releases, cancel_rows_before


RELEASED = {"freeze_issued", "freeze_acked", "seize_done", "seize_partial", "publicize_acked", "restrict_closed"}
CANCELLED_AT_CONCLUSION = {"freeze_issued", "freeze_acked", "query_issued", "transfer_acked",
                           "publicize_acked", "dispatch_issued"}
CLOSED_AT_CONCLUSION = {"seize_done", "seize_partial", "locate_unable", "deduct_done"}


def test_conclusion_marks_the_case_concluded(concluded, users):
    case, _n, _releases, _ = concluded
    case.refresh_from_db()
    assert case.status == "concluded"
    assert case.outcome == "completed"
    assert case.concluded_by == users["clerk"]
    assert case.concluded_at is not None


def test_open_notices_are_cancelled_with_an_event_and_a_cancel_delivery(concluded, users):
    case, n, _releases, _ = concluded
    for key in CANCELLED_AT_CONCLUSION:
        notice = _fresh(n[key])
        assert notice.status == "cancelled", key
        assert notice.cancelled_at == case.__class__.objects.get(pk=case.pk).concluded_at, key
        events = _events(notice, "cancel")
        assert len(events) == 1, key
        assert events[0].from_status == n[key].status and events[0].to_status == "cancelled", key
        assert events[0].actor == users["clerk"], key
        rows = Delivery.objects.filter(notice=notice, purpose="cancel")
        assert sorted(rows.values_list("channel", flat=True)) == ["email", "inbox"], key
        assert set(rows.values_list("status", flat=True)) == {"sent"}, key
        cancel_mails = [m for m in mail.outbox if m.subject == _cancel_subject(notice)]
        assert len(cancel_mails) == 1, key
        assert cancel_mails[0].to == [f"liaison-{notice.unit.code}@example.invalid"], key


def test_answered_notices_are_closed(concluded):
    case, n, _releases, _ = concluded
    concluded_at = Case.objects.get(pk=case.pk).concluded_at
    for key in CLOSED_AT_CONCLUSION:
        notice = _fresh(n[key])
        assert notice.status == "closed", key
        assert notice.closed_at == concluded_at, key
        assert len(_events(notice, "close")) == 1, key
        assert not Delivery.objects.filter(notice=notice, purpose="cancel").exists(), key


def test_notices_already_terminal_are_left_alone(concluded):
    _case, n, _releases, cancel_rows_before = concluded
    cancelled = _fresh(n["freeze_cancelled"])
    assert cancelled.status == "cancelled"
    assert len(_events(cancelled, "cancel")) == 1
    assert Delivery.objects.filter(notice=cancelled, purpose="cancel").count() == cancel_rows_before == 2
    closed = _fresh(n["restrict_closed"])
    assert closed.status == "closed"
    assert len(_events(closed, "close")) == 1


def test_exactly_one_release_per_held_measure(concluded):
    case, n, releases, _ = concluded
    stored = list(Notice.objects.filter(case=case, kind="release"))
    assert sorted(r.pk for r in releases) == sorted(r.pk for r in stored)
    assert len(stored) == len(RELEASED)
    by_original = {r.original_id: r for r in stored}
    assert len(by_original) == len(stored), "two releases for one measure notice"
    assert set(by_original) == {n[key].pk for key in RELEASED}
    for key in RELEASED:
        original, release = n[key], by_original[n[key].pk]
        assert release.kind == "release"
        assert release.unit_id == original.unit_id, key
        assert release.action_id == original.action_id, key
        assert release.case_id == case.pk
        assert release.number.startswith(case.number)
    # Every release notice points at a measure notice; none for query/deduct/transfer/dispatch, unable, cancelled.
    for key in set(n) - RELEASED:
        assert not Notice.objects.filter(original=n[key]).exists(), key


def test_releases_are_delivered(concluded):
    _case, _n, releases, _ = concluded
    assert releases
    for release in releases:
        release = _fresh(release)
        assert release.status == "delivered"
        assert release.delivered_at is not None
        assert len(_events(release, "issue")) == 1
        assert len(_events(release, "deliver")) == 1
        rows = Delivery.objects.filter(notice=release)
        assert sorted(rows.values_list("channel", "purpose")) == [("email", "issue"), ("inbox", "issue")]
        assert set(rows.values_list("status", flat=True)) == {"sent"}
        release_mails = [m for m in mail.outbox if release.number in m.subject]
        assert len(release_mails) == 1
        assert release_mails[0].to == [f"liaison-{release.unit.code}@example.invalid"]


def test_concluding_twice_is_refused_and_creates_nothing(concluded, users, django_capture_on_commit_callbacks):
    case, _n, _releases, _ = concluded
    counts = (Notice.objects.count(), NoticeEvent.objects.count(), Delivery.objects.count(), len(mail.outbox))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(InvalidTransition):
            services.case_conclude(actor=users["clerk"], case=case, outcome="terminated")
    assert callbacks == []
    assert (Notice.objects.count(), NoticeEvent.objects.count(), Delivery.objects.count(),
            len(mail.outbox)) == counts
    case.refresh_from_db()
    assert case.outcome == "completed"


def test_conclude_over_the_api_then_again_is_409(api, make_case, issue):
    case = make_case()
    measure = issue(case, "bank-icbc", "freeze")
    query = issue(case, "police", "query", subject="查询车辆")
    client = api("clerk")
    first = client.post(f"/api/v1/cases/{case.pk}/conclude/", {"outcome": "terminated"}, format="json")
    assert first.status_code == 200, first.content
    release = Notice.objects.get(kind="release", original=measure)
    assert first.json()["release_notices"] == [release.pk]
    assert sorted(first.json()["cancelled_notices"]) == sorted([measure.pk, query.pk])
    assert first.json()["kept_measures"] == []
    assert release.release_ground == "terminated"
    assert first.json()["status"] == "concluded"
    count = Notice.objects.count()
    second = client.post(f"/api/v1/cases/{case.pk}/conclude/", {"outcome": "completed", "note": "已全部履行"}, format="json")
    assert second.status_code == 409, second.content
    assert Notice.objects.count() == count


def test_a_case_without_measures_concludes_with_no_release(users, make_case, issue):
    case = make_case()
    query = issue(case, "police", "query", subject="查询车辆")
    releases = services.case_conclude(actor=users["clerk"], case=case, outcome="completed", note="已全部履行").release_notices
    assert releases == []
    assert not Notice.objects.filter(case=case, kind="release").exists()
    assert _fresh(query).status == "cancelled"


def test_liaison_cannot_conclude(users, make_case):
    from django.core.exceptions import PermissionDenied

    case = make_case()
    with pytest.raises(PermissionDenied):
        services.case_conclude(actor=users["liaison-police"], case=case, outcome="completed", note="已全部履行")
    assert Case.objects.get(pk=case.pk).status == "open"


# ------------------------------------------------------------------ property-based

HISTORIES = ["issued", "delivered", "acknowledged", "answered-done", "answered-partial", "answered-unable",
             "closed-done", "closed-partial", "closed-unable", "cancelled", "acked-cancelled"]


def _apply(users, notice, history):
    clerk, liaison = users["clerk"], _liaison(users, notice.unit)
    if history == "issued":
        return
    if history == "delivered":
        delivery.deliver_pending(notice.pk)
        return
    if history == "cancelled":
        services.notice_cancel(actor=clerk, notice=notice)
        return
    services.notice_acknowledge(actor=liaison, notice=notice)
    if history == "acknowledged":
        return
    if history == "acked-cancelled":
        services.notice_cancel(actor=clerk, notice=notice)
        return
    stage, outcome = history.split("-")
    services.notice_answer(actor=liaison, notice=notice, outcome=outcome,
                           detail="" if outcome == "done" else "说明", result_amount=_amount_for(notice, outcome))
    if stage == "closed":
        services.notice_close(actor=clerk, notice=notice)


def _should_hold(action_code, history):
    if action_code not in MEASURE_ACTIONS:
        return False
    if history in ("issued", "delivered", "acknowledged"):
        return True
    if "-" in history and history.split("-")[0] in ("answered", "closed"):
        return history.split("-")[1] in EXECUTED
    return False  # cancelled before conclusion


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_property_conclusion_by_outcome(users, make_case, django_capture_on_commit_callbacks, data):
    """Over random histories and all three outcomes: after ``completed`` or ``terminated`` every held
    measure has exactly one release and no active measure is left without one; after
    ``final_no_property`` nothing is released, every measure stays active and nothing is sent to a unit
    holding one (only its one-off requests are withdrawn)."""
    from cases.models import Measure

    caps = list(Capability.objects.filter(unit__active=True, unit__court__code="鄂1022")  # the case's county
                .select_related("unit", "action")
                .order_by("unit__code", "action__code"))
    measure_caps = [c for c in caps if c.action.code in MEASURE_ACTIONS]
    other_caps = [c for c in caps if c.action.code not in MEASURE_ACTIONS]
    assert measure_caps and other_caps
    outcome = data.draw(st.sampled_from(["completed", "terminated", "final_no_property"]), label="outcome")
    plan = data.draw(st.lists(
        st.tuples(st.one_of(st.sampled_from(measure_caps), st.sampled_from(other_caps)),
                  st.sampled_from(HISTORIES)),
        max_size=8,
    ), label="notices")

    case = make_case()
    issued = []
    for cap, history in plan:
        notice = services.notice_issue(actor=users["clerk"], case=case, unit=cap.unit, action=cap.action,
                                       subject=f"{cap.action.code} {history}",
                                       ruling=_ruling_for(case, cap.action.code))
        _apply(users, notice, history)
        issued.append((_fresh(notice), cap.action.code, history))
    active_before = set(Measure.objects.filter(case=case, status="active").values_list("pk", flat=True))
    last_delivery = Delivery.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    extra = final_ready(case) if outcome == "final_no_property" else {"note": "已全部履行"}
    with django_capture_on_commit_callbacks(execute=True):
        result = services.case_conclude(actor=users["clerk"], case=case, outcome=outcome, **extra)

    stored = list(Notice.objects.filter(case=case, kind="release"))
    originals = {notice.pk: notice for notice, _code, _history in issued}
    if outcome == "final_no_property":
        assert stored == [] and result.release_notices == []
        assert set(Measure.objects.filter(case=case, status="active").values_list("pk", flat=True)) == active_before
        assert {m.pk for m in result.kept_measures} == active_before
        for notice, code, history in issued:
            after = _fresh(notice)
            if _should_hold(code, history):
                assert after.status == notice.status, (code, history)  # kept as it was
            elif notice.status == "answered":
                assert after.status == "closed", (code, history)  # holds nothing
            elif code in MEASURE_ACTIONS:
                assert after.status == notice.status, (code, history)
            elif notice.status in OPEN_STATES:
                assert after.status == "cancelled", (code, history)
            elif notice.status == "answered":
                assert after.status == "closed", (code, history)
        # Nothing went to a unit about a measure: the only new deliveries are cancellations of one-off requests.
        for row in Delivery.objects.filter(pk__gt=last_delivery).select_related("notice__action"):
            assert row.purpose == "cancel" and row.notice.action.code not in MEASURE_ACTIONS, row
    else:
        expected = {notice.pk for notice, code, history in issued if _should_hold(code, history)}
        assert {r.original_id for r in stored} == expected
        assert len(stored) == len(expected), "a measure notice got more than one release"
        assert sorted(r.pk for r in result.release_notices) == sorted(r.pk for r in stored)
        assert {r.release_ground for r in stored} <= {outcome}
        for release in stored:
            assert release.unit_id == originals[release.original_id].unit_id
            assert release.action_id == originals[release.original_id].action_id
        # No active measure is left without a release.
        assert not Measure.objects.filter(case=case, status="active", release_notice__isnull=True).exists()
        for notice, _code, history in issued:
            after = _fresh(notice)
            if notice.status in OPEN_STATES:
                assert after.status == "cancelled", history
                assert Delivery.objects.filter(notice=notice, purpose="cancel", channel="inbox").count() == 1
            elif notice.status == "answered":
                assert after.status == "closed", history
            else:
                assert after.status == notice.status, history
    assert Case.objects.get(pk=case.pk).status == "concluded"


def test_the_unit_confirms_the_release_and_nobody_else_can(concluded, users):
    """Art. 35: the portal tracks each unit's confirmation that the measure is lifted."""
    from django.core.exceptions import PermissionDenied

    _case, n, _releases, _ = concluded
    release = Notice.objects.get(original=n["seize_done"])
    assert release.unit.code == "police"
    with pytest.raises(PermissionDenied):
        services.notice_acknowledge(actor=users["liaison-bank-icbc"], notice=release)
    services.notice_acknowledge(actor=users["liaison-police"], notice=release)
    services.notice_answer(actor=users["liaison-police"], notice=release, outcome="done", detail="已解除扣押")
    release = _fresh(release)
    assert release.status == "answered" and release.outcome == "done"
    assert [e.transition for e in release.events.all()] == ["issue", "deliver", "acknowledge", "answer"]


def test_no_new_notice_on_a_concluded_case(concluded, users):
    from django.core.exceptions import ValidationError

    case, _n, _releases, _ = concluded
    count = Notice.objects.filter(case=case).count()
    with pytest.raises(ValidationError) as exc:
        _issue_raw(users, case, "bank-icbc", "freeze")
    assert "case" in exc.value.message_dict
    assert Notice.objects.filter(case=case).count() == count
