"""No lost notices, proven under faults (issue 8), with a real Celery worker, beat and Redis on PostgreSQL.

1. 20 units, each with a webhook to a receiver in this process; 100 cases with one measure notice to
   each of the 20 units (2,000 notices), delivered by the worker.
2. The 100 cases are concluded: 2,000 release notices. After a third of them, Redis is killed with
   SIGKILL and stays down for --outage seconds while the conclusions go on ("the web keeps answering":
   their latency is measured); once Redis is back, a worker child is killed with SIGKILL mid-task.
3. Checked: every release reaches each inbox and each webhook, exactly 2,000 distinct deliveries of each,
   no notice delivered twice (the receiver dedupes on X-Linkage-Delivery and the raw duplicate count is
   reported), within two sweep intervals after Redis returned; and an exception after enqueueing inside a
   transaction sends nothing.

    DATABASE_URL=postgres://linkage:linkage@127.0.0.1:5432/linkage_fault .venv/bin/python bench/fault_test.py

It starts (and stops) its own Redis on --redis-port, and exits non-zero when a check fails.
"""
import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

parser = argparse.ArgumentParser()
parser.add_argument("--cases", type=int, default=100)
parser.add_argument("--units", type=int, default=20)
parser.add_argument("--outage", type=int, default=60, help="seconds Redis stays dead")
parser.add_argument("--sweep", type=int, default=60, help="beat sweep interval, seconds (production default)")
parser.add_argument("--redis-port", type=int, default=6393)
args = parser.parse_args()

REDIS_URL = f"redis://127.0.0.1:{args.redis_port}/0"
os.environ.update({
    "DJANGO_SETTINGS_MODULE": "linkage.settings", "CELERY_BROKER_URL": REDIS_URL,
    "SWEEP_INTERVAL_SECONDS": str(args.sweep), "SWEEP_GRACE_SECONDS": "5", "EMAIL_URL": "dummymail://",
    "LOG_LEVEL": "WARNING",
})
if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    sys.exit("set DATABASE_URL to a PostgreSQL database that this test may empty")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

failures = []



def _ruling_pdf():
    """A one-page PDF standing in for the enforcement ruling the law requires with a freeze or seizure."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from pypdf import PdfWriter

    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=595, height=842)
    writer.write(out)
    return SimpleUploadedFile("执行裁定书.pdf", out.getvalue(), "application/pdf")

def check(condition, message):
    print(("PASS " if condition else "FAIL ") + message, flush=True)
    if not condition:
        failures.append(message)


class Receiver:
    """The units' systems: records every POST; answers 204 after a short pause (so tasks are in flight)."""

    def __init__(self):
        self.posts = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                time.sleep(0.002)
                with receiver.lock:
                    receiver.posts.append((self.headers["X-Linkage-Delivery"], json.loads(body)))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *a):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def start_redis():
    proc = subprocess.Popen(["redis-server", "--port", str(args.redis_port), "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(50):
        if subprocess.run(["redis-cli", "-p", str(args.redis_port), "ping"], capture_output=True).returncode == 0:
            return proc
        time.sleep(0.1)
    sys.exit("redis did not start")


def celery(*argv):
    log = open(f"/tmp/fault-{argv[0]}.log", "w")
    return subprocess.Popen([str(Path(sys.executable).with_name("celery")), "-A", "linkage", *argv],
                            cwd=ROOT, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT)


def children(pid):
    """Child process ids of ``pid``, read from /proc (no psutil needed)."""
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        if int(fields[1]) == pid:
            kids.append(int(stat.parent.name))
    return kids


def wait_until(predicate, timeout, step=0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def main():
    from cases import services
    from cases.models import Delivery, Notice
    from members.models import Capability, Unit, User
    from members.seeding import seed_demo

    call_command("migrate", verbosity=0)
    call_command("flush", "--noinput", verbosity=0)
    seed_demo()
    receiver = Receiver()
    clerk = User.objects.get(username="clerk")
    measure_caps = (Capability.objects.filter(action__holds_measure=True, unit__active=True,
                                              unit__court__code=settings.COURT_CODE)  # the case's court
                    .select_related("unit", "action").order_by("unit__sort_order", "action__sort_order"))
    picked = {}
    for cap in measure_caps:
        picked.setdefault(cap.unit_id, cap)
    caps = list(picked.values())[: args.units]
    check(len(caps) == args.units, f"{args.units} units with a measure action")
    for cap in caps:
        Unit.objects.filter(pk=cap.unit_id).update(webhook_url=f"{receiver.url}/{cap.unit.code}",
                                                   webhook_secret="fault-test")

    redis = start_redis()
    worker = celery("worker", "--concurrency", "4", "-l", os.environ.get("FAULT_LOG_LEVEL", "warning"), "--without-gossip", "--without-mingle")
    # A fresh schedule file: one left by a beat killed in an earlier run can keep this beat from sweeping.
    import glob

    for stale in glob.glob("/tmp/fault-beat-schedule*"):
        os.remove(stale)
    beat = celery("beat", "-l", os.environ.get("FAULT_LOG_LEVEL", "warning"), "--schedule", "/tmp/fault-beat-schedule")
    time.sleep(5)
    for name, proc in (("worker", worker), ("beat", beat)):
        # A process that died at start (an import error, say) would only show as deliveries never resuming.
        if proc.poll() is not None:
            print(Path(f"/tmp/fault-{name}.log").read_text(errors="replace")[-3000:])
            sys.exit(f"celery {name} exited at start (code {proc.returncode}); its log is above")
    try:
        from linkage.celery import app

        app.control.purge()
        # 1. Issue 2,000 measure notices.
        started = time.monotonic()
        cases = []
        for i in range(args.cases):
            case = services.case_create(
                actor=clerk, number=f"(2026)鄂1022执{50000 + i}号", title=f"故障测试{i}", amount="1000",
                parties=[{"role": "debtor", "name": f"被执行人{i}", "id_number": "11010519491231002X"}])
            ruling = services.ruling_store(actor=clerk, case=case, upload=_ruling_pdf())
            for cap in caps:
                services.notice_issue(actor=clerk, case=case, unit=cap.unit, action=cap.action, subject="采取措施",
                                      ruling=ruling)
            cases.append(case)
        total = args.cases * len(caps)
        done = wait_until(lambda: not Notice.objects.filter(status="issued").exists()
                          and not Delivery.objects.filter(status="pending").exists(), 300)
        check(done, f"{total} assistance notices delivered by the worker in {time.monotonic() - started:.0f} s")

        # 2. Conclude every case; Redis dies a third of the way through and stays dead.
        latencies, outage_latencies = [], []
        redis_back_at = None
        killed_child = None
        for i, case in enumerate(cases):
            if i == len(cases) // 3:
                redis.send_signal(signal.SIGKILL)
                redis.wait()
                redis_dead_at = time.monotonic()
                print(f"redis killed (SIGKILL) after {i} conclusions", flush=True)
            t0 = time.monotonic()
            services.case_conclude(actor=clerk, case=case, outcome="completed", note="被执行人已直接履行完毕")
            elapsed = time.monotonic() - t0
            (outage_latencies if redis_back_at is None and i >= len(cases) // 3 else latencies).append(elapsed)
        if time.monotonic() - redis_dead_at < args.outage:
            time.sleep(args.outage - (time.monotonic() - redis_dead_at))
        redis = start_redis()
        redis_back_at = time.monotonic()
        print(f"redis back after {redis_back_at - redis_dead_at:.0f} s", flush=True)
        # Kill a worker child while it works through the backlog (once the sweep has woken it).
        backlog = Delivery.objects.filter(status="pending").count()
        if wait_until(lambda: Delivery.objects.filter(status="pending").count() < backlog * 0.8, 2 * args.sweep + 30,
                      0.05):
            kids = children(worker.pid)
            if kids:
                killed_child = kids[0]
                os.kill(killed_child, signal.SIGKILL)
                print(f"worker child {killed_child} killed (SIGKILL) mid-run", flush=True)
        check(killed_child is not None, "a worker child was killed mid-run")

        releases = Notice.objects.filter(kind="release")
        check(releases.count() == total, f"exactly {total} release notices created (got {releases.count()})")
        within = 2 * args.sweep
        done = wait_until(lambda: not Delivery.objects.filter(status="pending").exists(), within + 120)
        took = time.monotonic() - redis_back_at
        check(done, f"every message (releases and cancellations) delivered {took:.0f} s after Redis returned")
        check(took <= within, f"delivered within two sweep intervals ({within} s): {took:.0f} s")
        check(beat.poll() is None and worker.poll() is None, "beat and worker still running at the end")
        inbox = Delivery.objects.filter(notice__kind="release", purpose="issue", channel="inbox", status="sent")
        hooks = Delivery.objects.filter(notice__kind="release", purpose="issue", channel="webhook", status="sent")
        check(inbox.count() == total, f"{inbox.count()} release inbox deliveries (want {total})")
        check(hooks.count() == total, f"{hooks.count()} release webhook deliveries recorded (want {total})")
        with receiver.lock:
            release_posts = [(d, p) for d, p in receiver.posts if p["notice"]["kind"] == "release"]
        distinct = {d for d, _p in release_posts}
        per_notice = Counter(p["notice"]["id"] for d, p in {d: p for d, p in release_posts}.items())
        check(len(distinct) == total, f"{len(distinct)} distinct release webhooks received (want {total})")
        check(all(n == 1 for n in per_notice.values()) and len(per_notice) == total,
              "each release notice reached its unit's system under exactly one delivery id")
        duplicates = len(release_posts) - len(distinct)
        print(f"raw duplicate webhook POSTs (same delivery id, deduplicated by the receiver): {duplicates}")
        delivered_twice = Notice.objects.filter(kind="release").exclude(status="delivered").count()
        check(delivered_twice == 0, "every release notice reads delivered")
        from django.db.models import Count

        multi = (Notice.objects.filter(kind="release").annotate(n=Count("events", filter=__import__(
            "django.db.models", fromlist=["Q"]).Q(events__transition="deliver"))).filter(n__gt=1).count())
        check(multi == 0, "no notice has two deliver events")
        p95 = sorted(outage_latencies)[int(len(outage_latencies) * 0.95) - 1] if outage_latencies else 0
        print(f"conclusion latency: normal median {statistics.median(latencies) * 1000:.0f} ms, during the "
              f"Redis outage median {statistics.median(outage_latencies) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms")
        check(p95 < 5, "the web kept answering while Redis was dead (p95 under 5 s)")

        # 3. An exception after enqueueing inside a transaction sends nothing.
        before = len(receiver.posts)
        extra = services.case_create(actor=clerk, number="(2026)鄂1022执59999号", title="回滚", amount="1",
                                     parties=[{"role": "debtor", "name": "甲", "id_number": "11010519491231002X"}])
        try:
            with transaction.atomic():
                services.notice_issue(actor=clerk, case=extra, unit=caps[0].unit, action=caps[0].action,
                                      subject="回滚", ruling=services.ruling_store(actor=clerk, case=extra,
                                                                                  upload=_ruling_pdf()))
                raise RuntimeError("boom after enqueueing")
        except RuntimeError:
            pass
        time.sleep(5)
        check(len(receiver.posts) == before and not Notice.objects.filter(case=extra).exists(),
              "an exception after enqueueing inside a transaction sent nothing")
    finally:
        for proc in (beat, worker):
            proc.send_signal(signal.SIGTERM)
        for proc in (beat, worker):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        redis.kill()
    print(f"{len(failures)} check(s) failed" if failures else "all fault checks passed", flush=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
