"""Every page, every role, two sizes of the bench data set (issue 13).

Walks every GET route of the URLconf (the route list of the access walk, ``tests/test_access_walk.py``)
with the ids of the bench world (``bench/dataset.py``), as each demo role (clerk, office, convener,
assessor, a bank's liaison, a unit leader, anonymous); a (page, role) that answers 200 is measured:
median and p95 of ``--runs`` requests through Django's test client in-process (production settings,
sessions in Redis), the number of queries, and the raw SQL time (the page's own SELECTs run again on a
bare cursor). The health endpoint is measured the same way in the same run, and each page is judged by

    ratio  = page median / (raw SQL median + health median)     target ≤ 3
             (health as the same client: a signed-in request pays its session and user there too)
    growth = page median at the large size / at the small size   target ≤ 1.3
    court home pages (clerk, office, convener)                    target ≤ 20 ms median
    queries                                                       the same at both sizes

Documents (PDF, DOCX, XLSX: rendering a document is the work asked for) are judged by growth and
queries only. Growth below 1 ms of difference is noise and passes. The script exits 1 when a target is
broken, so CI runs it on a small size. ``--strict-ratio`` makes a ratio fatal: a page over the target
is measured again (``confirm_ratios``) and fails if it stays over ``--ratio-fail`` (CI: 4.5) by more
than ``RATIO_NOISE_MS`` (docs/performance.md, "Lean pages"); the target 3 is printed for every page:

    DATABASE_URL=postgres://linkage:linkage@127.0.0.1:5432/linkage_bench CACHE_URL=redis://127.0.0.1:6392/1 \
        .venv/bin/python bench/pages_bench.py --sizes 100000,1000000 [--runs 9] [--only inbox] [--json out.json]
"""
import argparse
import json
import logging
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linkage.settings")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost")
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-bench-only-secret-key-0123456789")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("CACHE_URL", "redis://127.0.0.1:6392/1")
os.environ.setdefault("EMAIL_URL", "dummymail://")
os.environ.setdefault("LOG_LEVEL", "ERROR")

# Static files collected into a directory of the bench's own: the tree's staticfiles/ is shared with
# whoever else runs collectstatic meanwhile, and a half-written manifest fails every page.
os.environ.setdefault("STATIC_ROOT", "/tmp/linkage-bench-static")

import django  # noqa: E402
from django.conf import settings  # noqa: E402

django.setup()
# Hashed names as in production (templates resolve {% static %} through the manifest), without the
# compression pass of CompressedManifestStaticFilesStorage: a minute of collectstatic that pages never see.
if "Compressed" in settings.STORAGES["staticfiles"]["BACKEND"]:
    settings.STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
# The bench measures pages, not throttles: /verify/ allows 30 requests a minute per address, and every
# role's client comes from the same address, so the second size would read 429 there.
settings.PUBLIC_RATE_LIMITS = {}
logging.getLogger("django.request").setLevel(logging.CRITICAL)  # 4xx/5xx are counted, not logged
logging.getLogger("django.security").setLevel(logging.CRITICAL)

import dataset  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from linkage.celery import app as celery_app  # noqa: E402

RATIO_MAX, GROWTH_MAX, HOME_MAX_MS, NOISE_MS = 3.0, 1.3, 20.0, 1.0
DOCUMENT_RUNS = 2  # a document takes 0.1-3 s to render; two runs tell its growth
ROLES = ["clerk", "office", "convener", "assessor", "liaison-bank-icbc", "leader-police", None]
COURT_HOME = {"clerk", "office", "convener"}
DOCUMENT_TYPES = ("application/pdf", "application/vnd.openxmlformats", "application/zip", "text/csv")


def routes():
    """The GET paths: the access walk's routes, expanded with one id of each kind from the world."""
    from tests.test_access_walk import SKIP, _expand, _ids_for, _methods, _routes

    world = dataset.world_ids()
    paths = {}
    for route in _routes():
        if any(s in route for s in SKIP) or "get" not in _methods(route):
            continue
        label = "/" + route.replace("^", "").replace("$", "").replace("\\", "").lstrip("/")
        for i, path in enumerate(_expand(route, _ids_for(route, world))):
            # Keyed by the route, not the id: the ids differ from one size to the other.
            paths.setdefault(label if i == 0 else f"{label} #{i + 1}", path)
    return paths


def extra_paths():
    """The pages of the day's work on the bench rows themselves (not only the world): an open case of
    ten notices, a bank's open notice, searches and inbox tabs, a case from the history."""
    from cases.models import Case, Notice

    # The same open case (number …执150号, ten notices to the same units) at every size.
    open_case = Case.objects.filter(status="open", title__startswith="基准案件").order_by("id")
    open_case = open_case.filter(title="基准案件150").first() or open_case.first()
    notice = Notice.objects.filter(unit__code="bank-icbc", status="acknowledged").order_by("-id").first()
    debtor = open_case.parties.filter(role="debtor").order_by("id").first()
    paths = {"/cases/<open case of 10>/": f"/cases/{open_case.pk}/",
             "/cases/<history case>/": f"/cases/{dataset.history_case_id()}/",
             "/cases/?q=<number>": f"/cases/?q={open_case.number}",
             # A debtor's name, as a clerk looks a person up; and a word in one name of nine, whose
             # matches (and so the newest fifty's cost) grow with the register.
             "/cases/?q=<name>": f"/cases/?q={debtor.name}", "/cases/?q=<common word>": "/cases/?q=被执行人1",
             "/cases/?status=open": "/cases/?status=open"}
    paths.update({p: p for p in ["/inbox/?tab=new", "/inbox/?tab=overdue", "/inbox/?tab=all",
                                 "/inbox/?tab=to_release", "/api/v1/notices/?status=acknowledged"]})
    # The inbox searched over every notice of the tab "all" (the clerk's: every notice ever issued).
    paths["/inbox/?tab=all&q=<name>"] = f"/inbox/?tab=all&q={debtor.name}"
    if notice:
        paths["/notices/<open notice>/"] = f"/notices/{notice.pk}/"
        paths["/api/v1/notices/<open notice>/"] = f"/api/v1/notices/{notice.pk}/"
        paths["/inbox/?tab=all&q=<notice number>"] = f"/inbox/?tab=all&q={notice.number}"
    return paths


def clients():
    from members.models import User

    out = {}
    for name in ROLES:
        client = Client(raise_request_exception=False)
        if name:
            client.force_login(User.objects.get(username=name))
        out[name or "anonymous"] = client
    return out


def _raw_sql_ms(captured):
    sqls = [q["sql"] for q in captured if q["sql"].lstrip().upper().startswith("SELECT")]
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        for sql in sqls:
            cur.execute(sql)
            cur.fetchall()
    return (time.perf_counter() - t0) * 1000


def _page_queries(captured):
    """The page's own queries: not the session's once-a-minute touch (``members.middleware`` saves
    ``last_seen_at`` at most once a minute: BEGIN, UPDATE django_session, COMMIT), which lands on
    whichever page is measured when the minute turns and would read as a query count that grows."""
    return [q for q in captured
            if '"django_session"' not in q["sql"] and q["sql"].strip().upper() not in ("BEGIN", "COMMIT")]


def measure(client, path, runs, warm=True):
    """``runs`` timed requests, after one warm-up request when ``warm`` (templates compiled on first use,
    first-use caches): the first role to open a path warms it for the others."""
    timings, raws, queries, size, ctype = [], [], set(), 0, ""
    first = True
    while len(timings) < runs:
        connection.queries_log.clear()  # a full log (9,000 entries) would make the capture count 0
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            response = client.get(path)
            content = b"".join(response.streaming_content) if response.streaming else response.content
            elapsed = (time.perf_counter() - t0) * 1000
        if response.status_code >= 500:
            return {"error": response.status_code}
        if response.status_code != 200:
            return None
        if first:
            first = False
            if response.get("Content-Type", "").startswith(DOCUMENT_TYPES):
                runs = min(runs, DOCUMENT_RUNS)
            if warm:
                continue
        timings.append(elapsed)
        raws.append(_raw_sql_ms(ctx.captured_queries))
        queries.add(len(_page_queries(ctx.captured_queries)))
        size, ctype = len(content), response.get("Content-Type", "")
    timings.sort()
    return {"median": statistics.median(timings), "p95": timings[max(0, int(len(timings) * 0.95) - 1)],
            "queries": max(queries), "queries_varied": len(queries) > 1, "raw": statistics.median(raws),
            "bytes": size, "document": ctype.startswith(DOCUMENT_TYPES)}


def run_size(notices, runs, only, open_cases):
    world = dataset.build(notices, open_cases=open_cases)
    assert world["cases.case"], "the bench world is missing"
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM cases_notice")
        have = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM cases_notice WHERE status IN ('issued','delivered','acknowledged')")
        open_ = cur.fetchone()[0]
    print(f"\n== {have:,} notices ({open_:,} open)", flush=True)
    paths = {**routes(), **extra_paths()}
    if only:
        paths = {label: p for label, p in paths.items() if re.search(only, label)}
    cs = clients()
    # The health endpoint as each client: a signed-in request pays its session and user lookups there too.
    health = {role: measure(client, "/api/v1/health/", max(runs, 15))["median"] for role, client in cs.items()}
    print("health: " + ", ".join(f"{role} {ms:.2f} ms" for role, ms in health.items()), flush=True)
    results, errors = {}, []
    started = time.perf_counter()
    for label, path in paths.items():
        warmed = False
        for role, client in cs.items():
            row = measure(client, path, runs, warm=not warmed)
            warmed = warmed or row is not None
            if row is None:
                continue
            if "error" in row:
                errors.append(f"{role} {path}: {row['error']}")
                continue
            row["health"] = health[role]
            row["ratio"] = row["median"] / (row["raw"] + health[role])
            row["path"] = path
            results[f"{role} {label}"] = row
    print(f"{len(results)} (role, page) pairs measured in {time.perf_counter() - started:.0f} s", flush=True)
    confirm_ratios(results, cs, health, runs)
    return {"notices": have, "open": open_, "health": health["anonymous"], "pages": results, "errors": errors}


RATIO_NOISE_MS = 0.5  # with --strict-ratio, a page fails only if it is over the line by more than this too
CONFIRM_ROUNDS = 2  # a page over its ratio is measured again, at most this many times


def confirm_ratios(results, cs, health, runs):
    """A page over the ratio target is measured again (``CONFIRM_ROUNDS`` times at most, with three
    times the runs), and its health with it; the lowest median of each stands. On two cores another
    process (a checkpoint, the autovacuum, a cron job) slows a few requests in a while, and only ever
    makes a page slower: a page that meets the target once meets it. A page that misses it every time
    is a miss. The page's median is the lowest of its rounds, and so are the raw SQL's and health's."""
    for key, row in results.items():
        rounds = 0
        while not row["document"] and row["ratio"] > RATIO_MAX and rounds < CONFIRM_ROUNDS:
            rounds += 1
            role = key.split(" ", 1)[0]
            again = measure(cs[role], row["path"], runs * 3, warm=False)
            hl = measure(cs[role], "/api/v1/health/", max(runs * 3, 15), warm=False)
            if not again or "error" in again or not hl or "error" in hl:
                break
            # The lowest of each: interference slows the SQL and the health endpoint too, so their lowest
            # (a smaller denominator, a larger ratio) never flatters the page.
            if again["median"] < row["median"]:
                row.update(median=again["median"], p95=again["p95"])
            row["raw"] = min(row["raw"], again["raw"])
            row["health"] = min(row["health"], hl["median"])
            row["ratio"] = row["median"] / (row["raw"] + row["health"])
        row["remeasured"] = rounds
    again = sum(1 for r in results.values() if r.get("remeasured"))
    if again:
        still = sum(1 for r in results.values() if r.get("remeasured") and r["ratio"] > RATIO_MAX)
        print(f"{again} pair(s) over the ratio measured again: {still} still over", flush=True)


def report(small, large):
    """(failures, timing breaks): a failure is a query count that grows with the data or a page that
    breaks; a timing break is a ratio, growth or home-page target missed (measured, noisy on 2 cores)."""
    failures, timing, ratios = [], [], []
    print(f"\n{'role and page':62} {'median':>7} {'p95':>7} {'q':>3} {'SQL':>6} {'hlth':>5} {'ratio':>5} {'growth':>6}  "
          f"(ms; health {large['health']:.2f} ms at {large['notices']:,}"
          + (f", {small['health']:.2f} ms at {small['notices']:,})" if small else ")"))
    for key, row in sorted(large["pages"].items(), key=lambda kv: -kv[1]["median"]):
        base = small["pages"].get(key) if small else None
        growth = row["median"] / base["median"] if base else None
        flags = []
        if not row["document"] and row["ratio"] > RATIO_MAX:
            flags.append(f"ratio>{RATIO_MAX:g}")
            ratios.append((key, row))
        single = DOCUMENT_RUNS == 1 and row["document"]  # one sample of a document tells no growth
        if base and not single and growth > GROWTH_MAX and row["median"] - base["median"] > NOISE_MS:
            flags.append(f"growth>{GROWTH_MAX:g}")
        role, path = key.split(" ", 1)
        if role in COURT_HOME and path == "/" and row["median"] > HOME_MAX_MS:
            flags.append(f"home>{HOME_MAX_MS:g}ms")
        if flags:
            timing.append(f"{key}: {', '.join(flags)}")
        # Fewer queries at the larger size is data, not a defect (a panel with nothing to show at that size).
        if base and row["queries"] > base["queries"]:
            flags.append(f"queries {base['queries']}→{row['queries']}")
            failures.append(f"{key}: queries {base['queries']}→{row['queries']}")
        print(f"{key[:62]:62} {row['median']:7.1f} {row['p95']:7.1f} {row['queries']:3} {row['raw']:6.1f} {row['health']:5.1f} "
              f"{row['ratio'] if not row['document'] else 0:5.1f} "
              f"{growth if growth else 0:6.2f}  {'DOC ' if row['document'] else ''}{' '.join(flags)}")
    failures += [f"{e} (server error)" for e in large["errors"] + (small["errors"] if small else [])]
    if small:
        gone = sorted(set(small["pages"]) - set(large["pages"]))
        for key in gone:
            failures.append(f"{key}: answered 200 at {small['notices']:,} notices only")
    return failures, timing, ratios


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100000,1000000", help="notices, comma-separated (small,large)")
    parser.add_argument("--open-cases", type=int, default=dataset.OPEN_CASES)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--only", default="", help="a regular expression on the path")
    parser.add_argument("--json", default="")
    parser.add_argument("--ratio-max", type=float, default=3.0, help="the ratio target (default 3)")
    parser.add_argument("--strict", action="store_true",
                        help="also exit non-zero on a missed timing target (ratio, growth, home page)")
    parser.add_argument("--strict-ratio", action="store_true",
                        help="exit non-zero on a page over --ratio-fail (after measuring it again)")
    parser.add_argument("--ratio-fail", type=float, default=None,
                        help="with --strict-ratio, the ratio a page fails at (default: the target)")
    parser.add_argument("--ci", action="store_true",
                        help="CI on small sizes: documents measured once (queries checked, not growth), growth under "
                             "3 ms of difference is noise")
    args = parser.parse_args()
    global NOISE_MS, DOCUMENT_RUNS, RATIO_MAX
    RATIO_MAX = args.ratio_max
    if args.ci:
        NOISE_MS, DOCUMENT_RUNS = 3.0, 1
    if connection.vendor != "postgresql":
        sys.exit("run this against PostgreSQL (DATABASE_URL=postgres://…)")
    celery_app.conf.task_always_eager = True
    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)  # production storage needs its manifest
    sizes = [int(s) for s in args.sizes.split(",")]
    runs = [run_size(n, args.runs, args.only, args.open_cases) for n in sizes]
    small, large = (runs[0], runs[-1]) if len(runs) > 1 else (None, runs[0])
    failures, timing, ratios = report(small, large)
    if args.json:
        Path(args.json).write_text(json.dumps(runs, indent=1, ensure_ascii=False))
    print(f"\ntargets: ratio ≤ {RATIO_MAX:g} (documents excepted), growth ≤ {GROWTH_MAX:g} (differences under {NOISE_MS:g} ms are "
          f"noise), court home ≤ {HOME_MAX_MS:g} ms, queries constant")
    if timing:
        print(f"{len(timing)} timing target(s) missed" + (" (fatal with --strict)" if not args.strict else "")
              + ":\n  " + "\n  ".join(timing))
    if failures:
        print(f"{len(failures)} broken (queries growing with the data, or errors):\n  " + "\n  ".join(failures))
    fail_at = args.ratio_fail if args.ratio_fail is not None else RATIO_MAX
    # Over the fail line by more than RATIO_NOISE_MS too: on a page of 3 ms with 0.8 ms of SQL and
    # health (the public list), 0.3 ms of noise alone moves the ratio by 0.4.
    broken = [(key, row) for key, row in ratios
              if row["ratio"] > fail_at and row["median"] - fail_at * (row["raw"] + row["health"]) > RATIO_NOISE_MS]
    if args.strict_ratio:
        print(f"ratio: {len(ratios)} page(s) over the target {RATIO_MAX:g}, {len(broken)} over {fail_at:g} (fatal), "
              f"each measured up to {CONFIRM_ROUNDS + 1} times")
        for key, row in broken:
            print(f"  BROKEN {key}: ratio {row['ratio']:.2f} ({row['median']:.1f} ms)")
    if failures or (args.strict and timing) or (args.strict_ratio and broken):
        sys.exit(1)
    print("query counts constant and no errors" + ("" if timing else "; all timing targets met"))


if __name__ == "__main__":
    main()
