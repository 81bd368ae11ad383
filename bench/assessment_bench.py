"""Benchmark of computing an assessment period over the bench data set (issue 5).

Uses the 100,000 cases and 1,000,000 notices seeded by ``bench/notices_bench.py`` (it seeds them if they
are missing), makes one period spanning all of them, and times:

* the computation as the portal runs it (``assessments.services.scores_refresh``: grouped ORM
  aggregations, scoring of ~30 units in Python, replacing the score rows), median of ``--runs``;
* the SELECTs that computation issued, executed again on a bare cursor (the ORM's own SQL);
* a hand-written SQL aggregation computing the same per-unit counts and stage times.

    DATABASE_URL=postgres://linkage:linkage@127.0.0.1:5432/linkage_bench \
        .venv/bin/python bench/assessment_bench.py [--runs 5]
"""
import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linkage.settings")
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-bench-only-secret-key-0123456789")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

# The same figures as assessments.scoring, written by hand: per unit, the samples and met counts of the
# four notice indicators and the stage times, then findings, paused time and own unpaid cases.
RAW_SQL = [
    """
    SELECT n.unit_id,
      count(*) FILTER (WHERE n.kind = 'assist' AND ((n.acknowledged_at IS NOT NULL AND n.acknowledged_at <= %(c)s)
          OR (n.ack_due_at < %(c)s AND NOT (n.acknowledged_at IS NOT NULL AND n.acknowledged_at <= %(c)s)
              AND NOT (n.paused_since IS NOT NULL AND n.paused_since <= %(c)s)
              AND NOT (n.cancelled_at IS NOT NULL AND n.cancelled_at <= n.ack_due_at)))) AS ack_n,
      count(*) FILTER (WHERE n.kind = 'assist' AND n.acknowledged_at <= %(c)s
          AND n.acknowledged_at <= n.ack_due_at) AS ack_ok,
      count(*) FILTER (WHERE n.kind = 'assist' AND ((n.answered_at IS NOT NULL AND n.answered_at <= %(c)s)
          OR (n.due_at < %(c)s AND NOT (n.answered_at IS NOT NULL AND n.answered_at <= %(c)s)
              AND NOT (n.paused_since IS NOT NULL AND n.paused_since <= %(c)s)
              AND NOT (n.cancelled_at IS NOT NULL AND n.cancelled_at <= n.due_at)))) AS answer_n,
      count(*) FILTER (WHERE n.kind = 'assist' AND n.answered_at <= %(c)s AND n.answered_at <= n.due_at) AS answer_ok,
      count(*) FILTER (WHERE n.kind = 'assist' AND n.answered_at <= %(c)s) AS done_n,
      count(*) FILTER (WHERE n.kind = 'assist' AND n.answered_at <= %(c)s AND n.outcome = 'done') AS done_ok,
      count(*) FILTER (WHERE n.kind = 'release' AND ((n.answered_at IS NOT NULL AND n.answered_at <= %(c)s)
          OR (n.due_at < %(c)s AND NOT (n.answered_at IS NOT NULL AND n.answered_at <= %(c)s)
              AND NOT (n.paused_since IS NOT NULL AND n.paused_since <= %(c)s)
              AND NOT (n.cancelled_at IS NOT NULL AND n.cancelled_at <= n.due_at)))) AS release_n,
      count(*) FILTER (WHERE n.kind = 'release' AND n.answered_at <= %(c)s AND n.answered_at <= n.due_at
          AND n.outcome = 'done') AS release_ok,
      count(*) AS notices,
      sum(n.issued_at - c.created_at) FILTER (WHERE n.kind = 'assist') AS court_assist,
      count(*) FILTER (WHERE n.kind = 'assist') AS court_assist_n,
      sum(n.issued_at - c.concluded_at) FILTER (WHERE n.kind = 'release' AND c.concluded_at IS NOT NULL) AS court_rel,
      count(*) FILTER (WHERE n.kind = 'release' AND c.concluded_at IS NOT NULL) AS court_rel_n,
      sum(n.acknowledged_at - n.issued_at) FILTER (WHERE n.kind = 'assist' AND n.acknowledged_at <= %(c)s) AS ack_t,
      count(*) FILTER (WHERE n.kind = 'assist' AND n.acknowledged_at <= %(c)s) AS ack_t_n,
      sum(n.answered_at - n.acknowledged_at) FILTER (WHERE n.kind = 'assist' AND n.answered_at <= %(c)s) AS ans_t,
      count(*) FILTER (WHERE n.kind = 'assist' AND n.answered_at <= %(c)s) AS ans_t_n,
      sum(n.answered_at - n.issued_at) FILTER (WHERE n.kind = 'release' AND n.answered_at <= %(c)s) AS rel_t,
      count(*) FILTER (WHERE n.kind = 'release' AND n.answered_at <= %(c)s) AS rel_t_n
    FROM cases_notice n JOIN cases_case c ON c.id = n.case_id
    WHERE n.issued_at >= %(s)s AND n.issued_at < %(e)s
    GROUP BY n.unit_id""",
    """
    SELECT n.unit_id, sum(LEAST(COALESCE(r.decided_at, %(c)s), %(c)s) - r.filed_at)
    FROM cases_noticerequest r JOIN cases_notice n ON n.id = r.notice_id
    WHERE n.issued_at >= %(s)s AND n.issued_at < %(e)s AND r.filed_at <= %(c)s GROUP BY n.unit_id""",
    """
    SELECT unit_id, count(*) FROM assessments_noncooperationreport
    WHERE status = 'decided' AND outcome <> 'unfounded' AND decided_at >= %(s)s AND decided_at < %(e)s
      AND decided_at <= %(c)s GROUP BY unit_id""",
    """
    SELECT p.name, count(DISTINCT p.case_id) FROM cases_party p JOIN cases_case c ON c.id = p.case_id
    WHERE p.role = 'debtor' AND p.name IN (SELECT name FROM members_unit WHERE active)
      AND c.created_at < %(c)s AND (c.concluded_at IS NULL OR c.concluded_at > %(c)s) GROUP BY p.name""",
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("run this against PostgreSQL (DATABASE_URL=postgres://…)")
    call_command("migrate", verbosity=0)
    from members.seeding import seed_demo

    seed_demo()  # idempotent; brings the role groups up to date
    with connection.cursor() as cur:
        cur.execute("SELECT count(*), min(issued_at), max(issued_at) FROM cases_notice")
        nnotices, first, last = cur.fetchone()
    if nnotices < 1_000_000:
        import notices_bench

        notices_bench.seed(100_000, 10)
        with connection.cursor() as cur:
            cur.execute("SELECT count(*), min(issued_at), max(issued_at) FROM cases_notice")
            nnotices, first, last = cur.fetchone()

    from django.utils import timezone

    from assessments import scoring, services
    from assessments.models import AssessmentPeriod
    from members.models import User

    assessor = User.objects.get(username="assessor")
    starts_on, ends_on = timezone.localtime(first).date(), timezone.localtime(last).date()
    period = AssessmentPeriod.objects.filter(name="基准考核期", status="open").first()
    if period is None or (period.starts_on, period.ends_on) != (starts_on, ends_on):
        period = services.period_create(actor=assessor, name="基准考核期", starts_on=starts_on, ends_on=ends_on)
    print(f"data: {nnotices:,} notices; period {starts_on} – {ends_on} (all of them)")

    timings, raw_orm = [], []
    for _ in range(args.runs):
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            rows = services.scores_refresh(period_id=period.pk)
            timings.append(time.perf_counter() - t0)
        selects = [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
        t0 = time.perf_counter()
        with connection.cursor() as cur:
            for sql in selects:
                cur.execute(sql)
                cur.fetchall()
        raw_orm.append(time.perf_counter() - t0)
    queries = len(ctx.captured_queries)

    period.refresh_from_db()
    start, end = scoring.period_bounds(period)
    params = {"s": start, "e": end, "c": period.as_of}
    raw = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        with connection.cursor() as cur:
            for sql in RAW_SQL:
                cur.execute(sql, params)
                cur.fetchall()
        raw.append(time.perf_counter() - t0)

    compute_s, orm_sql_s, raw_s = (statistics.median(x) for x in (timings, raw_orm, raw))
    print(f"units scored: {rows}; queries per computation: {queries}")
    print(f"compute period (portal, median of {args.runs}) {compute_s:7.2f} s")
    print(f"  its SELECTs re-run on a bare cursor        {orm_sql_s:7.2f} s")
    print(f"hand-written SQL aggregation (median)        {raw_s:7.2f} s")
    print(f"ratio portal / hand-written SQL              {compute_s / raw_s:7.2f}x  (target ≤ 2x, < 30 s)")


if __name__ == "__main__":
    main()
