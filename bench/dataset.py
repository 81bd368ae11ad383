"""The bench data set, built with raw SQL at a chosen size (issue 13).

A court's history grows; its open work does not. So the data set is ``notices`` notices in all, of which
a fixed ``open_cases × per_case`` (default 300 × 10 = 3,000) are current work (issued, delivered,
acknowledged or answered, a third of them late), and the rest are history: concluded cases whose
notices are closed or cancelled, registered months or years ago. Pages that cost O(open work) then cost
the same at 100,000 and 1,000,000 notices; pages that scan history do not, and the growth ratio of
``bench/pages_bench.py`` shows it.

On top of the raw rows, a small "world" made through the services (as ``tests/test_access_walk.py``
makes it): a freeze answered with a measure and a ruling, a query with a pending objection, an agenda
item, a meeting with issued minutes and an action item, a dishonest-list entry, a non-cooperation report
with its referral, an assessment period. Every URL with an id then has something to open.

``build(n)`` reuses the database when it already holds exactly that size (a ``bench_meta`` row says so),
else it truncates the case data and builds it again (1,000,000 notices: about a minute on 2 cores).
"""
import time
from datetime import timedelta
from unittest import mock

from django.db import connection, transaction
from django.utils import timezone

from members.court_keys import home_court_id

PER_CASE = 10
OPEN_CASES = 300
WORLD_NUMBER = "（2026）鄂1022执900001号"


def _meta(cur):
    cur.execute("CREATE TABLE IF NOT EXISTS bench_meta (k text PRIMARY KEY, v text NOT NULL)")
    cur.execute("SELECT v FROM bench_meta WHERE k = 'size'")
    row = cur.fetchone()
    return row[0] if row else None


def _truncate(cur):
    # Everything that hangs off cases and notices (measures, events, deliveries, credit entries,
    # conference links, reports …) goes with CASCADE; units, users, action types and the tables filled
    # by migrations (measure limits, holidays, schemes) stay.
    cur.execute("""
        SELECT string_agg(quote_ident(tablename), ', ') FROM pg_tables
        WHERE schemaname = 'public' AND (tablename IN ('cases_case', 'cases_notice', 'cases_attachment')
           OR tablename LIKE 'conferences\\_%%' OR tablename IN (
              'assessments_noncooperationreport', 'assessments_referraltask', 'assessments_assessmentperiod'))""")
    tables = cur.fetchone()[0]
    cur.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


def build(notices: int, *, open_cases: int = OPEN_CASES, per_case: int = PER_CASE, verbose=True) -> dict:
    from members.seeding import seed_demo

    wanted = f"{notices}:{open_cases}:{per_case}"
    with connection.cursor() as cur:
        have = _meta(cur)
    if have == wanted:
        if verbose:
            print(f"reusing the data set of {notices:,} notices", flush=True)
        return world_ids()
    open_cases = min(open_cases, max(1, notices // per_case // 2))
    history_cases = max(0, notices // per_case - open_cases)
    if verbose:
        print(f"building {history_cases + open_cases:,} cases, {notices:,} notices "
              f"({open_cases * per_case:,} open) …", flush=True)
    started = time.perf_counter()
    seed_demo()
    with transaction.atomic(), connection.cursor() as cur:
        _truncate(cur)
        cur.execute("SELECT id FROM members_user WHERE username = 'clerk'")
        clerk = cur.fetchone()[0]
        court = home_court_id()  # the bench's cases are the first court's (issue 30: every case has a court)
        # Every (unit, action) pair a unit offers, numbered, so notices spread over all units.
        cur.execute("DROP TABLE IF EXISTS caps")
        cur.execute("""
            CREATE TEMP TABLE caps AS
            SELECT row_number() OVER (ORDER BY c.id) - 1 AS k, c.unit_id, c.action_id
            FROM members_capability c JOIN members_unit u ON u.id = c.unit_id
            JOIN members_actiontype a ON a.id = c.action_id WHERE u.active AND u.code <> 'court'
              AND u.court_id = %(court)s""", {"court": court})
        cur.execute("SELECT count(*) FROM caps")
        ncaps = cur.fetchone()[0]
        # History first (lower ids, registered 400 days and more ago), then the open work (the newest ids,
        # registered over the last 20 days), as a court's table would have it.
        cur.execute("""
            INSERT INTO cases_case (number, year, case_type, title, amount, status, outcome, listed_supervision,
                                    responsible_leader, created_by_id, created_at, concluded_at, concluded_by_id,
                                    basis_issuer, basis_number, outcome_ground, outcome_note, filed_on,
                                    suspension_kind, court_id)
            SELECT '（' || (2024 - g %% 5) || '）鄂1022执' || g || '号', 2024 - g %% 5, '执', '基准案件' || g,
                   10000 + g, 'concluded', 'completed', false, '', %(clerk)s,
                   now() - interval '400 days' - (g || ' minutes')::interval,
                   now() - interval '300 days' - (g || ' minutes')::interval, %(clerk)s, '', '', '', '',
                   (now() - interval '400 days' - (g || ' minutes')::interval)::date, '', %(court)s
            FROM generate_series(1, %(history)s) g""", {"clerk": clerk, "history": history_cases, "court": court})
        cur.execute("""
            INSERT INTO cases_case (number, year, case_type, title, amount, status, outcome, listed_supervision,
                                    responsible_leader, created_by_id, created_at, basis_issuer, basis_number,
                                    outcome_ground, outcome_note, filed_on, suspension_kind, court_id)
            SELECT '（2026）鄂1022执' || g || '号', 2026, '执', '基准案件' || g, 10000 + g, 'open', '', g %% 37 = 0,
                   '', %(clerk)s, now() - ((%(open)s - g) * 20 * 24 * 60 / %(open)s || ' minutes')::interval, '', '',
                   '', '', (now() - ((%(open)s - g) * 20 * 24 * 60 / %(open)s || ' minutes')::interval)::date, '',
                   %(court)s
            FROM generate_series(1, %(open)s) g""", {"clerk": clerk, "open": open_cases, "court": court})
        cur.execute("""
            INSERT INTO cases_party (case_id, role, kind, name, id_number, legal_representative)
            SELECT id, 'debtor', 'person', '被执行人' || id, '4210221990' || lpad((id % 100000000)::text, 8, '0'), ''
            FROM cases_case""")
        # Notices: history closed (5 in 6) or cancelled; open work spread over the open states, with the
        # acknowledgement due a day and the answer five days after issue (a third of them late).
        cur.execute("""
            INSERT INTO cases_notice (case_id, unit_id, action_id, kind, seq, number, subject, status, issued_by_id,
                                      issued_at, ack_due_at, due_at, delivered_at, acknowledged_at, answered_at,
                                      closed_at, cancelled_at, outcome, answer_detail, release_ground, account,
                                      asset_kind, measure_case_id, partial)
            SELECT c.id, caps.unit_id, caps.action_id, 'assist', s, c.number || '-' || lpad(s::text, 3, '0'),
                   '基准协助事项', st, %(clerk)s, c.created_at, c.created_at + interval '1 day',
                   c.created_at + interval '5 days',
                   CASE WHEN st <> 'issued' THEN c.created_at + interval '1 hour' END,
                   CASE WHEN st IN ('acknowledged', 'answered', 'closed') THEN c.created_at + interval '20 hours' END,
                   CASE WHEN st IN ('answered', 'closed') THEN c.created_at + interval '4 days' END,
                   CASE WHEN st = 'closed' THEN c.created_at + interval '6 days' END,
                   CASE WHEN st = 'cancelled' THEN c.created_at + interval '3 days' END,
                   CASE WHEN st IN ('answered', 'closed') THEN 'done' ELSE '' END, '', '', '', '', c.id, false
            FROM cases_case c CROSS JOIN generate_series(1, %(per_case)s) s
            JOIN caps ON caps.k = (c.amount::int * 7 + s) %% %(ncaps)s  -- by case number, the same at every size
            CROSS JOIN LATERAL (SELECT CASE WHEN c.status = 'concluded'
                THEN (CASE WHEN (c.id + s) %% 6 = 0 THEN 'cancelled' ELSE 'closed' END)
                ELSE (ARRAY['issued', 'delivered', 'acknowledged', 'answered'])[1 + (c.id + s) %% 4] END AS st) x
            """, {"clerk": clerk, "per_case": per_case, "ncaps": ncaps})
        # Events: one per step taken (issue, deliver, acknowledge, answer, close or cancel).
        cur.execute("""
            INSERT INTO cases_noticeevent (notice_id, transition, from_status, to_status, actor_id, at, note)
            SELECT id, t, f, tt, issued_by_id, at, '' FROM cases_notice n CROSS JOIN LATERAL (VALUES
                ('issue', '', 'issued', n.issued_at),
                ('deliver', 'issued', 'delivered', n.delivered_at),
                ('acknowledge', 'delivered', 'acknowledged', n.acknowledged_at),
                ('answer', 'acknowledged', 'answered', n.answered_at),
                ('close', 'answered', 'closed', n.closed_at),
                ('cancel', 'delivered', 'cancelled', n.cancelled_at)) v(t, f, tt, at)
            WHERE v.at IS NOT NULL""")
        cur.execute("DELETE FROM bench_meta WHERE k = 'size'")
    if verbose:
        print(f"  rows in {time.perf_counter() - started:.0f} s", flush=True)
    _world()
    with connection.cursor() as cur:
        # As autovacuum would have it in production: statistics and the visibility map up to date.
        for table in ("cases_case", "cases_party", "cases_notice", "cases_noticeevent"):
            cur.execute(f"VACUUM ANALYZE {table}")
        cur.execute("ANALYZE")
        cur.execute("INSERT INTO bench_meta VALUES ('size', %s)", [wanted])
    if verbose:
        print(f"built in {time.perf_counter() - started:.0f} s", flush=True)
    return world_ids()


def _world():
    """One case of bank-icbc's with everything around it, made through the services."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from assessments import services as assess
    from cases import services
    from conferences import services as conf
    from credit import decisions as credit_decisions
    from credit import services as credit
    from members.models import ActionType, Unit, User
    from tests.conftest import make_resident_id, pdf_bytes

    users = {u.username: u for u in User.objects.filter(
        username__in=["clerk", "office", "convener", "assessor", "president", "liaison-bank-icbc"])}
    clerk, liaison = users["clerk"], users["liaison-bank-icbc"]
    with mock.patch("cases.delivery._wake"):
        case = services.case_create(actor=clerk, number=WORLD_NUMBER, title="基准全景案件", amount="500000",
                                    parties=[{"role": "debtor", "name": "基准被执行人", "id_number": make_resident_id(77)}])
        icbc = Unit.objects.get(code="bank-icbc")
        freeze = services.notice_issue(actor=clerk, case=case, unit=icbc, action=ActionType.objects.get(code="freeze"),
                                       subject="冻结存款", ruling_file=SimpleUploadedFile(
                                           "ruling.pdf", pdf_bytes(), content_type="application/pdf"))
        services.notice_acknowledge(actor=liaison, notice=freeze)
        services.notice_answer(actor=liaison, notice=freeze, outcome="done", detail="已冻结", result_amount="99",
                               attachments=[SimpleUploadedFile("a.pdf", pdf_bytes())])
        query = services.notice_issue(actor=clerk, case=case, unit=icbc, action=ActionType.objects.get(code="query"),
                                      subject="查询存款")
        services.notice_request_file(actor=liaison, notice=query, kind="objection", grounds="异议理由")
        item = conf.agenda_item_propose(actor=users["office"], title="基准议题", reason="major", cases=[case],
                                        units=[icbc])
        conf.agenda_item_approve(actor=users["convener"], item=item)
        meeting = conf.meeting_create(actor=users["office"], title="基准会议", kind="special",
                                      starts_at=timezone.now() + timedelta(days=3), agenda_items=[item])
        # The meeting has been held by the time its minutes are issued (conferences.services.minutes_issue).
        type(meeting).objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(hours=2))
        meeting.refresh_from_db()
        minutes = conf.minutes_draft(actor=users["office"], meeting=meeting, summary="纪要", decisions=[
            {"text": "落实", "unit": "bank-icbc",
             "due_at": (timezone.localdate() + timedelta(days=9)).isoformat()}])
        conf.minutes_issue(actor=users["convener"], minutes=minutes)
        entry = credit.credit_entry_create(actor=clerk, case=case, party=case.parties.get(role="debtor"),
                                           obligation="给付义务")
        # 失信规定 Art. 5: proposed by the clerk, decided by the president, then published.
        credit_decisions.credit_entry_propose(actor=clerk, entry=entry)
        credit_decisions.credit_entry_decide(actor=users["president"], entry=entry)
        credit.credit_entry_publish(actor=clerk, entry=entry)
        report = assess.report_file(actor=clerk, unit=icbc, kind="passive", detail="不配合", notices=[freeze])
        assess.report_decide(actor=users["convener"], report=report, outcome="referral", detail="移送")
        year = timezone.localdate().year
        period = assess.period_create(actor=users["assessor"], name=f"基准{year}", starts_on=f"{year}-01-01",
                                      ends_on=f"{year}-12-31")
        assess.period_compute(actor=users["assessor"], period=period)


def world_ids() -> dict:
    """One id per addressable model for the URLs: the world's objects (the richest of each kind)."""
    from django.apps import apps

    from cases.models import Case
    from tests.test_access_walk import ADDRESSABLE, PREFIX_MODELS

    case = Case.objects.get(number=WORLD_NUMBER)
    ids = {"cases.case": [case.pk], "cases.notice": [case.notices.order_by("id").values_list("pk", flat=True)[0]]}
    # Every model the access walk addresses (its labels follow the apps as they move).
    labels = set(ADDRESSABLE) | {label for group in PREFIX_MODELS.values() for label in group}
    for label in sorted(labels - set(ids)):
        try:
            model = apps.get_model(label)
        except LookupError:
            ids[label] = []
            continue
        pk = model.objects.order_by("-pk").values_list("pk", flat=True).first()
        ids[label] = [pk] if pk is not None else []
    return ids


def history_case_id() -> int:
    """A case from the history (concluded, ten closed or cancelled notices), for the growth check."""
    from cases.models import Case

    # The same history case (number …执1号) at every size, so that the same units see it.
    qs = Case.objects.filter(status="concluded", title="基准案件1")
    return (qs.values_list("pk", flat=True).first()
            or Case.objects.order_by("id").values_list("pk", flat=True)[0])


if __name__ == "__main__":  # build (or reuse) the data set: python bench/dataset.py --notices 1000000
    import argparse
    import os
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linkage.settings")
    os.environ.setdefault("EMAIL_URL", "dummymail://")
    import django

    django.setup()
    from django.core.management import call_command

    parser = argparse.ArgumentParser()
    parser.add_argument("--notices", type=int, default=1_000_000)
    parser.add_argument("--open-cases", type=int, default=OPEN_CASES)
    cli = parser.parse_args()
    call_command("migrate", verbosity=0)
    build(cli.notices, open_cases=cli.open_cases)
