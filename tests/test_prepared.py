"""Count queries compiled once per process (linkage.prepared; issue 13): the SQL sent later is the ORM's
own, with the current instant in it, and answers what the ORM answers, at every instant."""
import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import selectors, terms
from cases.models import Notice
from linkage import dates
from linkage.prepared import _UNPROVEN, PreparedCounts
from members.scoping import scope_key


def _forget(*prepared):
    for p in prepared:
        p._shapes.clear()


@pytest.mark.django_db
def test_the_prepared_counts_follow_the_clock(make_case, issue, users):
    _forget(selectors._prepared_court_counts, selectors._prepared_inbox_counts)
    notice = issue(make_case(), "bank-icbc", "query")
    liaison = users["liaison-bank-icbc"]
    before = notice.ack_due_at - dt.timedelta(minutes=1)
    after = notice.ack_due_at + dt.timedelta(microseconds=1)
    for instant, late in ((before, 0), (after, 1), (before, 0), (after, 1)):
        with time_machine.travel(instant, tick=False):
            court = selectors.court_counts(users["clerk"].court_id)
            unit = selectors.inbox_counts(liaison)
            # The ORM's own answer at the same instant.
            assert court == selectors._court_counts(timezone.now(), users["clerk"].court_id)
            assert unit == selectors._inbox_counts(timezone.now(), liaison)
        assert court["ack_overdue"] == late and unit["overdue"] == late, (instant, court, unit)
        assert unit["new"] == 1
    # The later calls ran the captured SQL: it was proven, not left to the ORM.
    assert selectors._prepared_court_counts._shapes and _UNPROVEN not in selectors._prepared_court_counts._shapes.values()
    assert _UNPROVEN not in selectors._prepared_inbox_counts._shapes.values()


@pytest.mark.django_db
def test_a_prepared_count_is_one_query_before_and_after_it_is_compiled(make_case, issue, users):
    _forget(selectors._prepared_inbox_counts)
    issue(make_case(), "bank-icbc", "query")
    liaison = users["liaison-bank-icbc"]
    scope_key(liaison)  # the user's roles and grants, read once per request and kept on the user
    sent = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as ctx:
            assert selectors.inbox_counts(liaison)["new"] == 1
        # The capture never reaches the database and leaves nothing in the query log.
        assert len(ctx.captured_queries) == 1
        sent.append(ctx.captured_queries[0]["sql"])
    assert "FILTER" in sent[1] or "CASE WHEN" in sent[1]


@pytest.mark.django_db
def test_each_scope_has_its_own_query(make_case, issue, users):
    _forget(selectors._prepared_inbox_counts)
    case = make_case()
    issue(case, "bank-icbc", "query")
    issue(case, "bank-icbc", "freeze")
    issue(case, "police", "query")
    for _ in range(2):
        assert selectors.inbox_counts(users["liaison-bank-icbc"])["new"] == 2
        assert selectors.inbox_counts(users["liaison-police"])["new"] == 1
        assert selectors.inbox_counts(users["clerk"])["new"] == 3
    keys = {k[2] for k in selectors._prepared_inbox_counts._shapes}
    assert keys == {scope_key(users["liaison-bank-icbc"]), scope_key(users["liaison-police"]), scope_key(users["clerk"])}
    assert scope_key(users["clerk"])[0] == "court"
    assert scope_key(users["liaison-bank-icbc"]) != scope_key(users["liaison-police"])


@pytest.mark.django_db
def test_the_clerks_to_do_is_the_orms_answer(make_case, issue, users):
    from cases import services

    _forget(selectors._prepared_clerk_todo_counts)
    case = make_case()
    notice = issue(case, "bank-icbc", "query")
    services.notice_acknowledge(actor=users["liaison-bank-icbc"], notice=notice)
    services.notice_answer(actor=users["liaison-bank-icbc"], notice=notice, outcome="done", detail="已查询")
    horizon, today = terms.renewal_horizon(), dates.local_today()
    for _ in range(2):
        counts = selectors.clerk_todo_counts(court_id=users["clerk"].court_id)
        assert counts == selectors._clerk_todo_counts(timezone.now(), horizon, today, users["clerk"].court_id)
        assert counts["answered"] == 1
    assert list(selectors._prepared_clerk_todo_counts._shapes) == [
        ("default", connection.vendor, (horizon, today, users["clerk"].court_id))]


@pytest.mark.django_db
def test_a_parameter_derived_from_the_instant_is_left_to_the_orm(make_case, issue):
    notice = issue(make_case(), "bank-icbc", "query")
    # The SQL holds ``now - 1 day``, not ``now``: the capture cannot prove where the instant goes.
    counts = PreparedCounts(lambda now: Notice.objects.aggregate(
        late=Count("id", filter=Q(ack_due_at__lt=now - dt.timedelta(days=1)))))
    day_after = notice.ack_due_at + dt.timedelta(days=1, seconds=1)
    assert counts(notice.ack_due_at) == {"late": 0}
    assert list(counts._shapes.values()) == [_UNPROVEN]
    assert counts(day_after) == {"late": 1}
    assert counts(notice.ack_due_at) == {"late": 0}


@pytest.mark.django_db
def test_an_aggregate_that_is_not_integers_is_left_to_the_orm(make_case, issue):
    from django.db.models import Max

    notice = issue(make_case(), "bank-icbc", "query")
    counts = PreparedCounts(lambda now: Notice.objects.filter(ack_due_at__gte=now).aggregate(last=Max("ack_due_at")))
    assert counts(notice.ack_due_at)["last"] == notice.ack_due_at
    assert list(counts._shapes.values()) == [_UNPROVEN]
    assert counts(notice.ack_due_at)["last"] == notice.ack_due_at


@pytest.mark.django_db
def test_the_menus_other_counts_are_the_orms_answers_at_every_instant(users):
    """The convener's, the office's, the assessor's and the president's menu counts (issue 13) are also
    compiled once: each answer is the plain ORM count's, and a period waits for the assessor from the day
    after its last (Asia/Shanghai), a new key per day. (tests/test_todo_counts.py checks each count against
    the rows of its list, on the compiled path too once the first call has compiled it.)"""
    from datetime import timedelta

    from assessments import selectors as assessment_selectors
    from assessments import services as periods
    from assessments.models import AssessmentPeriod
    from conferences import selectors as conference_selectors
    from conferences.models import ActionItem, AgendaItem, Meeting
    from credit import selectors as credit_selectors
    from credit.models import ConsumptionRestriction

    _forget(conference_selectors._prepared_meeting_counts, conference_selectors._prepared_agenda_to_approve,
            conference_selectors._prepared_actions_overdue, assessment_selectors._prepared_reports_to_decide,
            assessment_selectors._prepared_periods_to_finalise, credit_selectors._prepared_restriction_todo_counts)
    today = timezone.localdate()
    periods.period_create(actor=users["assessor"], name="本季度", starts_on=today - timedelta(days=30), ends_on=today)
    tomorrow = timezone.localtime() + timedelta(days=1)

    def orm():
        now = timezone.now()
        return {"actions": ActionItem.objects.overdue(now).count(),
                "agenda": AgendaItem.objects.filter(status="proposed").count(),
                "meetings": conference_selectors._meeting_counts(now),
                "reports": assessment_selectors.NonCooperationReport.objects.open().count(),
                "periods": AssessmentPeriod.objects.filter(assessment_selectors.periods_to_finalise_q()).count(),
                "orders": ConsumptionRestriction.objects.filter(status__in=["draft", "signed"]).count()}

    def prepared():
        office = conference_selectors.office_todo_counts()
        restriction = credit_selectors.restriction_todo_counts()
        return {"actions": office["actions_overdue"],
                "agenda": conference_selectors.convener_todo_counts()["agenda_to_approve"],
                "meetings": conference_selectors.meeting_counts(),
                "reports": assessment_selectors.reports_to_decide_count(),
                "periods": assessment_selectors.periods_to_finalise_count(),
                "orders": restriction["to_sign"] + restriction["to_issue"]}

    for instant in (timezone.now(), tomorrow, timezone.now(), tomorrow):
        with time_machine.travel(instant, tick=False):
            assert prepared() == orm()
            assert prepared()["periods"] == (1 if timezone.localdate() > today else 0)
    assert Meeting.objects.count() == 0  # the counts of nothing are zeros, not None
    for p in (conference_selectors._prepared_meeting_counts, conference_selectors._prepared_actions_overdue,
              assessment_selectors._prepared_periods_to_finalise, credit_selectors._prepared_restriction_todo_counts):
        assert p._shapes and _UNPROVEN not in p._shapes.values()
