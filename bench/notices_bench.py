"""Benchmark of the notice pages on a realistic volume (issue 3).

Seeds 100,000 cases and 1,000,000 notices across the units on PostgreSQL (once; it reuses the data on a
second run), then measures the clerk's case list, a case page, the liaison inbox and the conclusion of a
case with 50 notices: median and p95 latency, query count, and the raw SQL time of the very queries the
page ran, executed again on a bare cursor.

    createdb linkage_bench
    DATABASE_URL=postgres://linkage:linkage@127.0.0.1:5432/linkage_bench \
        .venv/bin/python bench/notices_bench.py [--cases 100000] [--per-case 10] [--runs 30]
"""
import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linkage.settings")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost")
# Production settings: no debug machinery in the figures (HTTPS redirect off for the test client).
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-bench-only-secret-key-0123456789")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
# As deployed: sessions through the shared Redis cache (docs/deploy.md). Point it at a running Redis.
os.environ.setdefault("CACHE_URL", "redis://127.0.0.1:6379/1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from linkage.celery import app as celery_app  # noqa: E402


def seed(cases: int, per_case: int) -> None:
    from cases.models import Case
    from members.seeding import seed_demo

    seed_demo()
    have = Case.objects.count()
    if have >= cases:
        print(f"reusing {have:,} cases")
        return
    print(f"seeding {cases:,} cases and {cases * per_case:,} notices …", flush=True)
    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("SELECT id FROM members_user WHERE username = 'clerk'")
        clerk = cur.fetchone()[0]
        from members.court_keys import home_court_id

        court = home_court_id()  # every case has a court (issue 30): the bench's are the first court's
        # Every (unit, action) pair a unit offers, numbered, so notices spread over all units.
        cur.execute("""
            CREATE TEMP TABLE caps AS
            SELECT row_number() OVER (ORDER BY c.id) - 1 AS k, c.unit_id, c.action_id
            FROM members_capability c JOIN members_unit u ON u.id = c.unit_id WHERE u.active
              AND u.court_id = %s""", [court])
        cur.execute("SELECT count(*) FROM caps")
        ncaps = cur.fetchone()[0]
        cur.execute("""
            INSERT INTO cases_case (number, year, case_type, title, amount, status, outcome, listed_supervision,
                                    responsible_leader, created_by_id, created_at, basis_issuer, basis_number,
                                    outcome_ground, outcome_note, filed_on, suspension_kind, court_id)
            SELECT '（2025）鄂1022执' || g || '号', 2025, '执', '基准案件' || g, 10000 + g, 'open', '', g %% 97 = 0,
                   '', %s, now() - (g || ' minutes')::interval, '', '', '', '', (now() - (g || ' minutes')::interval)::date, '',
                   %s
            FROM generate_series(1, %s) g
            ON CONFLICT (number) DO NOTHING""", [clerk, court, cases])
        cur.execute("""
            INSERT INTO cases_party (case_id, role, kind, name, id_number, legal_representative)
            SELECT id, 'debtor', 'person', '被执行人' || id, '4210221990' || lpad((id % 100000000)::text, 8, '0'),
                   '' FROM cases_case WHERE title LIKE '基准案件%%'""")
        cur.execute("""
            INSERT INTO cases_notice (case_id, unit_id, action_id, kind, seq, number, subject, status, issued_by_id,
                                      issued_at, ack_due_at, due_at, outcome, answer_detail, release_ground, account,
                                      asset_kind, measure_case_id, partial)
            SELECT c.id, caps.unit_id, caps.action_id, 'assist', s, c.number || '-' || lpad(s::text, 3, '0'),
                   '基准协助事项', (ARRAY['delivered','acknowledged','answered','closed','closed','closed'])[1 + (c.id + s) %% 6],
                   %s, c.created_at, c.created_at + interval '1 day', c.created_at + interval '5 days',
                   CASE WHEN (c.id + s) %% 6 >= 2 THEN 'done' ELSE '' END, '', '', '', '', c.id, false
            FROM cases_case c CROSS JOIN generate_series(1, %s) s
            JOIN caps ON caps.k = (c.id * 7 + s) %% %s
            WHERE c.title LIKE '基准案件%%'""", [clerk, per_case, ncaps])
        cur.execute("""
            INSERT INTO cases_noticeevent (notice_id, transition, from_status, to_status, actor_id, at, note)
            SELECT id, 'issue', '', 'issued', issued_by_id, issued_at, '' FROM cases_notice""")
        cur.execute("ANALYZE")
    print(f"seeded in {time.perf_counter() - started:.0f} s", flush=True)


def measure(name: str, fn, runs: int) -> dict:
    timings, raw = [], []
    queries = None
    for _ in range(runs):
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            fn()
            timings.append((time.perf_counter() - t0) * 1000)
        queries = len(ctx.captured_queries)
        sqls = [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
        t0 = time.perf_counter()
        with connection.cursor() as cur:
            for sql in sqls:
                if sql.lstrip().upper().startswith("SELECT"):
                    cur.execute(sql)
                    cur.fetchall()
        raw.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    raw.sort()
    row = {
        "page": name, "median_ms": statistics.median(timings), "p95_ms": timings[int(len(timings) * 0.95) - 1],
        "queries": queries, "raw_sql_median_ms": statistics.median(raw),
    }
    row["ratio"] = row["median_ms"] / max(row["raw_sql_median_ms"], 0.001)
    print(f"{name:32} median {row['median_ms']:7.1f} ms  p95 {row['p95_ms']:7.1f} ms  queries {queries:3}  "
          f"raw SQL {row['raw_sql_median_ms']:6.1f} ms  ratio {row['ratio']:.1f}x", flush=True)
    return row


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--per-case", type=int, default=10)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("run this against PostgreSQL (DATABASE_URL=postgres://…)")
    celery_app.conf.task_always_eager = True
    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)  # production storage needs its manifest
    seed(args.cases, args.per_case)

    from cases.models import Case, Notice
    from cases.services import case_conclude, notice_issue_batch
    from members.models import ActionType, Capability, Unit, User

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM cases_case")
        ncases = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM cases_notice")
        nnotices = cur.fetchone()[0]
    print(f"data: {ncases:,} cases, {nnotices:,} notices")

    clerk = Client()
    clerk.force_login(User.objects.get(username="clerk"))
    liaison = Client()
    liaison.force_login(User.objects.get(username="liaison-bank-icbc"))
    unit_notices = Notice.objects.filter(unit__code="bank-icbc").count()
    print(f"liaison-bank-icbc has {unit_notices:,} notices")
    case = Case.objects.filter(title__startswith="基准案件").order_by("id")[ncases // 2]

    def get(client, url):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    rows = [
        measure("clerk case list", lambda: get(clerk, "/cases/"), args.runs),
        measure("clerk case list, search", lambda: get(clerk, f"/cases/?q={case.number}"), args.runs),
        measure("case page", lambda: get(clerk, f"/cases/{case.pk}/"), args.runs),
        measure("liaison inbox (open)", lambda: get(liaison, "/inbox/"), args.runs),
        measure("liaison inbox (overdue)", lambda: get(liaison, "/inbox/?tab=overdue"), args.runs),
        measure("API notices list (liaison)", lambda: get(liaison, "/api/v1/notices/"), args.runs),
    ]

    from members.court_keys import home_court_id

    clerk_user = User.objects.get(username="clerk")
    freeze = ActionType.objects.get(code="freeze")
    freeze_units = list(Unit.objects.filter(court_id=home_court_id(),
                                            id__in=Capability.objects.filter(action=freeze).values("unit_id")))
    counter = iter(range(900_000 + Case.objects.filter(title="基准结案").count(), 999_999))

    def conclude_case_with_50():
        from cases.services import case_create

        n = next(counter)
        c = case_create(actor=clerk_user, number=f"(2026)鄂1022执{n}号", title="基准结案", amount="1000",
                        parties=[{"role": "debtor", "name": "甲", "id_number": "11010519491231002X"}])
        from django.core.files.uploadedfile import SimpleUploadedFile

        from cases.services import ruling_store
        from tests.conftest import pdf_bytes

        ruling = ruling_store(actor=clerk_user, case=c, upload=SimpleUploadedFile("r.pdf", pdf_bytes()))
        for i in range(50):
            notice_issue_batch(actor=clerk_user, case=c, units=[freeze_units[i % len(freeze_units)]],
                               action=freeze, subject="冻结", ruling=ruling)
        return c

    from unittest import mock

    # The conclusion's own transaction; delivery of the 50 releases runs afterwards in workers.
    with mock.patch("cases.delivery._wake"):
        prepared = [conclude_case_with_50() for _ in range(args.runs)]
        it = iter(prepared)
        rows.append(measure("conclude a case with 50 notices",
                            lambda: case_conclude(actor=clerk_user, case=next(it), outcome="completed", note="已直接履行完毕"),
                            args.runs))
    return rows


if __name__ == "__main__":
    main()
