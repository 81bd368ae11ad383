"""What a hostile upload costs, and what a health probe sees meanwhile (issue 29, items 1, 2 and 8).

The attacks of the outside probe, on worst-case inputs built here:

* a 9.6 MB PDF of 90,000 small objects, sent for ``--seconds`` by 8 threads with one token to
  ``POST /api/v1/documents/verify/``, then by 8 threads from one address to the anonymous ``/verify/``
  page, each thread sending again as soon as it is answered (no waiting for a ``Retry-After``), while a
  probe reads ``GET /api/v1/health/`` every ``--probe-ms``. The server is Django's ``LiveServerThread``
  (threaded, as a gunicorn worker with threads) in a process of its own, each request metered;
* the largest PDF the object budget still accepts (the costliest file that passes the check), by one
  token, then by 8 different users: what the per-client budget does not stop by itself (eight clients
  are eight budgets);
* a 0.26 MB ``.xlsx`` of 300,000 × 10 cells sent once to the bulk credit check (``POST /credit/check/``
  through the test client, the endpoint as it stands).

Printed: the server's CPU seconds per request (the request thread's CPU, by answer); the health probe's
median and p95, idle and under attack, and their ratio (target < 3 × idle); each single request's CPU and
peak memory, each in a fresh process after a warm-up: a refused upload (target < 0.5 s CPU), the worst
accepted one, the bulk check (CPU and wall time: the request handler's, body parsing included, not the
test client's building of the request; memory: the peak RSS after the request less the peak before it,
``rss_mb``, which does include the client's copy of the body; target < 200 MB a request). It asserts
nothing. The attackers and the prober share the machine with the server: on few cores a flood's own
sending takes CPU from the server and the probe.

Runs on the embedded default (SQLite, the in-process cache), with a database file of its own
(``DATABASE_URL``, default ``/tmp/linkage-abuse-bench.sqlite3``), migrated and given the demo accounts
on first use:

    DJANGO_SETTINGS_MODULE=linkage.settings .venv/bin/python bench/abuse_bench.py [--seconds 10] [--skip-bulk]
"""
import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linkage.settings")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/linkage-abuse-bench.sqlite3")
os.environ.setdefault("LOG_LEVEL", "ERROR")
os.environ.setdefault("EMAIL_URL", "dummymail://")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

parser = argparse.ArgumentParser()
parser.add_argument("--seconds", type=float, default=10, help="how long each attack lasts")
parser.add_argument("--threads", type=int, default=8)
parser.add_argument("--probe-ms", type=int, default=20, help="pause between two health probes")
parser.add_argument("--idle-probes", type=int, default=60)
parser.add_argument("--one", help=argparse.SUPPRESS)  # one request in a fresh process: prints JSON
parser.add_argument("--input", help=argparse.SUPPRESS)  # ... of this file (built by the main process)
parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)  # the live server process
parser.add_argument("--probe", metavar="BASE", help=argparse.SUPPRESS)  # the health prober process
parser.add_argument("--burst-every", type=float, default=1.0,
                    help="seconds between two bursts of --threads parallel uploads")
parser.add_argument("--skip-bulk", action="store_true", help="leave out the bulk credit check")
args = parser.parse_args()

import django  # noqa: E402

django.setup()

import logging  # noqa: E402

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402

logging.getLogger("django.request").setLevel(logging.CRITICAL)  # 4xx are counted, not logged
logging.getLogger("django.server").setLevel(logging.CRITICAL)

MB = 1_000_000  # the issue's figures are decimal megabytes
HEALTH = "/api/v1/health/"
VERIFY_API = "/api/v1/documents/verify/"
ATTACKER = "liaison-bank-icbc"


# ---------------------------------------------------------------- worst-case inputs

def many_objects_pdf(count: int, pad: int = 45) -> bytes:
    """One page and ``count`` small unreferenced objects; 90,000 of them with ``pad`` 45 make 9.6 MB."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    bodies = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
              b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"]
    filler = b"x" * pad
    bodies += [b"<< /K [%d 0 R] /T (%s) >>" % (i % 3 + 1, filler) for i in range(count)]
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(bodies) + 1, xref))
    return out.getvalue()


def worst_pdf() -> bytes:
    return many_objects_pdf(90_000)


def max_objects() -> int:
    from linkage import uploads

    return int(getattr(settings, "PDF_MAX_OBJECTS", uploads.PDF_MAX_OBJECTS))


def limit_pdf() -> bytes:
    """The most objects the request's object budget accepts (``PDF_MAX_OBJECTS``, less the page tree)."""
    return many_objects_pdf(max_objects() - 10)


def normal_pdf() -> bytes:
    from pypdf import PdfWriter

    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=595, height=842)
    writer.write(out)
    return out.getvalue()


def polyglot_pdf() -> bytes:
    return b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>\n" + normal_pdf()


def big_xlsx(rows: int = 300_000, cols: int = 10) -> bytes:
    """A minimal workbook whose one sheet holds ``rows`` × ``cols`` one-digit cells (0.26 MB zipped)."""
    body = b"".join(b"<row>" + b"<c><v>%d</v></c>" % (i % 10) * cols + b"</row>" for i in range(rows))
    sheet = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             + body + b"</sheetData></worksheet>")
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006"
    files = {
        "[Content_Types].xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{package}/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/></Types>'),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{package}/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{package}/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


# ---------------------------------------------------------------- the database and the accounts

def prepare_database() -> None:
    from members.models import User

    call_command("migrate", verbosity=0, interactive=False)
    if not User.objects.filter(username=ATTACKER).exists():
        from members.seeding import DEMO_PASSWORD

        call_command("seed_demo", password=DEMO_PASSWORD, verbosity=0)


def tokens(count: int) -> list[str]:
    """API tokens of ``count`` different users of member units (the attacker first)."""
    from members.models import User
    from members.tokens import token_issue

    users = [User.objects.get(username=ATTACKER)]
    users += list(User.objects.filter(is_active=True, unit__isnull=False).exclude(username=ATTACKER)
                  .order_by("username")[:count - 1])
    return [token_issue(user, renew=False).key for user in users]


def rss_mb() -> float:
    """This process's peak RSS in MiB. ``getrusage``'s ``ru_maxrss``, but for a process started by this one:
    Linux carries the parent's peak over ``exec`` into it, so the kernel's own figure for the process's
    memory, ``VmHWM`` (the same peak, of this process only), is read where there is one."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# ---------------------------------------------------------------- one request in a fresh process

def _client(kind: str):
    from django.test import Client
    from rest_framework.test import APIClient

    if kind == "anonymous":
        return Client(REMOTE_ADDR="203.0.113.7")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {tokens(1)[0]}")
    return client


INPUTS = {"worst": worst_pdf, "limit": limit_pdf, "normal": normal_pdf, "polyglot": polyglot_pdf,
          "xlsx": big_xlsx}
ONE = {
    # name: (client, what, input)
    "verify-api-worst": ("api", "verify-api", "worst"),
    "verify-page-worst": ("anonymous", "verify-page", "worst"),
    "verify-api-limit": ("api", "verify-api", "limit"),
    "verify-api-normal": ("api", "verify-api", "normal"),
    "verify-api-polyglot": ("api", "verify-api", "polyglot"),
    "verify-api-busy": ("api", "verify-api-busy", "worst"),
    "verify-api-spent": ("api", "verify-api-spent", "worst"),
    "bulk-check-xlsx": ("browser", "bulk", "xlsx"),
}


def one(name: str) -> dict:
    """Run one request of ``ONE[name]`` after a warm-up; its CPU seconds and the memory it added."""
    from members.models import User

    kind, what, source = ONE[name]
    content = Path(args.input).read_bytes() if args.input else INPUTS[source]()
    warm = _client("api")  # imports and first-use caches (pyHanko, pypdf, templates) are not the request's
    warm.post(VERIFY_API, {"file": SimpleUploadedFile("w.pdf", normal_pdf())}, format="multipart")
    cache.clear()
    attacker = User.objects.get(username=ATTACKER)
    if kind == "browser":
        from django.test import Client

        client = Client()
        client.force_login(attacker)
        client.get("/credit/check/")
    else:
        client = _client(kind)
    if what == "verify-api-busy":
        cache.add(f"workbudget:busy:user:{attacker.pk}:0", "another request in flight", 60)
    if what == "verify-api-spent":
        from linkage import workbudget

        workbudget.charge(f"user:{attacker.pk}", True, 60.0)
    upload = SimpleUploadedFile("x.xlsx" if what == "bulk" else "x.pdf", content)
    # The request's own CPU is the handler's (reading and parsing the body included), not the test
    # client's: building a 9.6 MB multipart body costs the client more than a refusal costs the server.
    from django.test.client import ClientHandler

    served, handle = {}, ClientHandler.__call__

    def metered(self, environ):
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            return handle(self, environ)
        finally:
            served["cpu"], served["wall"] = time.process_time() - cpu, time.perf_counter() - wall

    ClientHandler.__call__ = metered
    before_rss = rss_mb()
    if what == "verify-page":
        response = client.post("/verify/", {"file": upload})
    elif what == "bulk":
        response = client.post("/credit/check/", {"file": upload, "reason": "贷款审查"})
    else:
        response = client.post(VERIFY_API, {"file": upload}, format="multipart")
    ClientHandler.__call__ = handle
    cpu, wall = served["cpu"], served["wall"]
    body = response.content[:4000].decode(errors="replace")
    return {"name": name, "status": response.status_code, "cpu_s": round(cpu, 3), "wall_s": round(wall, 3),
            "input_mb": round(len(content) / MB, 2), "rss_before_mb": round(before_rss, 1),
            "rss_added_mb": round(rss_mb() - before_rss, 1), "answer": _gist(response.status_code, body)}


def _gist(status: int, body: str) -> str:
    for marker in ('"signature_valid":', "data-registered=", "Retry-After", "ratelimited"):
        if marker in body:
            index = body.index(marker)
            return body[index:index + 60].replace("\n", " ")
    return body[:100].replace("\n", " ")


def run_one_in_fresh_process(name: str, inputs: Path, timeout: int = 300) -> dict:
    command = [sys.executable, __file__, "--one", name, "--input", str(inputs / ONE[name][2])]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=os.environ.copy())
    except subprocess.TimeoutExpired:
        return {"name": name, "status": "timeout", "cpu_s": None, "rss_added_mb": None, "answer": f">{timeout}s"}
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        return {"name": name, "status": f"failed ({done.returncode})", "cpu_s": None, "rss_added_mb": None,
                "answer": (done.stderr.strip().splitlines() or [""])[-1][:200]}
    return json.loads(lines[-1])


# ---------------------------------------------------------------- the live server

class Meter:
    """A WSGI wrapper recording each request's thread CPU, wall time and status."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()
        self.rows = []

    def __call__(self, environ, start_response):
        seen = {}

        def recording_start_response(status, headers, exc_info=None):
            seen["status"] = int(status.split()[0])
            return start_response(status, headers, exc_info)

        cpu, wall = time.thread_time(), time.perf_counter()
        body = b"".join(self.app(environ, recording_start_response))
        row = (environ["REQUEST_METHOD"], environ["PATH_INFO"], seen.get("status"),
               time.thread_time() - cpu, time.perf_counter() - wall)
        with self.lock:
            self.rows.append(row)
        return [body]

    def take(self):
        with self.lock:
            rows, self.rows = self.rows, []
        return rows


def serve() -> None:
    """The live server, alone in its process (the attackers' threads would otherwise take its GIL):
    Django's ``LiveServerThread`` (threaded), each request metered. Commands on stdin, one JSON answer
    a line on stdout: ``take`` (the requests since the last take, the process's CPU and peak RSS),
    ``clear`` (the cache: budgets and rate limits start again), ``quit``."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread

    meters = []

    def handler(app):
        meter = Meter(StaticFilesHandler(app))
        meters.append(meter)
        return meter

    thread = LiveServerThread("127.0.0.1", handler, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    print(json.dumps({"base": f"http://127.0.0.1:{thread.port}"}), flush=True)
    for line in sys.stdin:
        command = line.strip()
        if command == "take":
            answer = {"rows": meters[0].take(), "cpu": time.process_time(), "rss": rss_mb()}
        elif command == "clear":
            cache.clear()
            answer = {}
        else:
            break
        print(json.dumps(answer), flush=True)
    thread.terminate()


class Server:
    def __init__(self):
        self.process = subprocess.Popen([sys.executable, __file__, "--serve"], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, text=True, env=os.environ.copy())
        self.base = json.loads(self.process.stdout.readline())["base"]

    def ask(self, command: str) -> dict:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def stop(self) -> None:
        try:
            self.process.stdin.write("quit\n")
            self.process.stdin.flush()
            self.process.wait(timeout=10)
        except Exception:
            self.process.kill()


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: application/pdf\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def http(base: str, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    """(status, body, headers); status "reset" when the server closed the connection mid-upload."""
    import http.client
    from urllib.parse import urlsplit

    where = urlsplit(base)
    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=300)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    except (ConnectionError, http.client.HTTPException):
        return "reset", b"", {}
    finally:
        connection.close()


def csrf_for_verify(base: str) -> tuple[str, str]:
    """The anonymous /verify/ form's CSRF cookie and token, as a browser has them."""
    import re

    _status, page, headers = http(base, "GET", "/verify/")
    cookie = re.search(r"csrftoken=([^;]+)", headers.get("Set-Cookie", "")).group(1)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    return cookie, token


def probe(base: str, stop: threading.Event, latencies: list, pause: float, count: int | None = None) -> None:
    done = 0
    while not stop.is_set() and (count is None or done < count):
        started = time.perf_counter()
        status, _body, _headers = http(base, "GET", HEALTH)
        latencies.append((time.perf_counter() - started) * 1000 if status == 200 else float("inf"))
        done += 1
        time.sleep(pause)


def prober_process(base: str) -> None:
    """The health probe in a process of its own (the attackers' threads would otherwise delay it here):
    probes until a line arrives on stdin, then prints the latencies in ms as JSON."""
    stop, latencies = threading.Event(), []
    thread = threading.Thread(target=probe, args=(base, stop, latencies, args.probe_ms / 1000), daemon=True)
    thread.start()
    sys.stdin.readline()
    stop.set()
    thread.join()
    print(json.dumps(latencies), flush=True)


class Prober:
    def __init__(self, base: str):
        self.process = subprocess.Popen([sys.executable, __file__, "--probe", base, "--probe-ms", str(args.probe_ms)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                        env=os.environ.copy())

    def stop(self) -> list[float]:
        out, _err = self.process.communicate("stop\n", timeout=600)
        return json.loads(out.strip().splitlines()[-1])


def quantiles(values: list[float]) -> tuple[float, float]:
    values = sorted(values)
    if not values:
        return float("nan"), float("nan")
    p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
    return statistics.median(values), p95


def attack(server: Server, label: str, senders: list, idle_median: float, flood: bool = False) -> dict:
    """The senders (one thread each) upload for ``--seconds`` while a prober process reads the health
    endpoint: in bursts (all threads send one upload at once, every ``--burst-every`` seconds: the issue's
    "8 parallel uploads"), or as a flood (each thread sends again as soon as it is answered, whatever
    the Retry-After)."""
    server.ask("clear")
    before = server.ask("take")
    prober = Prober(server.base)
    time.sleep(1.0)  # the prober's interpreter starts
    statuses, lock = [], threading.Lock()
    started = time.perf_counter()
    until = started + args.seconds
    bursts = max(1, round(args.seconds / args.burst_every))
    barrier = threading.Barrier(len(senders))

    def run(send):
        if flood:
            while time.perf_counter() < until:
                status = send()
                with lock:
                    statuses.append(status)
            return
        for burst in range(1, bursts + 1):
            barrier.wait()
            status = send()
            with lock:
                statuses.append(status)
            time.sleep(max(0.0, started + burst * args.burst_every - time.perf_counter()))

    workers = [threading.Thread(target=run, args=(send,)) for send in senders]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    wall = time.perf_counter() - started
    latencies = prober.stop()
    after = server.ask("take")
    cpu = after["cpu"] - before["cpu"]
    rows = [row for row in after["rows"] if row[1] != HEALTH and row[0] == "POST"]
    by_status = {}
    for _method, _path, status, thread_cpu, _wall in rows:
        by_status.setdefault(status, []).append(thread_cpu)
    resets = sum(1 for status in statuses if status == "reset")
    median, p95 = quantiles(latencies)
    print(f"\n{label}\n  {len(senders)} threads, {'flood' if flood else f'a burst every {args.burst_every:g} s'}, "
          f"{wall:.1f} s: {len(statuses)} uploads" + (f" ({resets} cut off by the server)" if resets else "")
          + f"; the server process spent {cpu:.1f} s of CPU ({cpu / wall:.2f} cores), peak RSS {after['rss']:.0f} MB")
    for status, cpus in sorted(by_status.items()):
        print(f"  {status}: {len(cpus):4d} requests, server CPU per request median {statistics.median(cpus):.3f} s, "
              f"max {max(cpus):.3f} s, total {sum(cpus):.2f} s")
    ratio = median / idle_median if idle_median else float("nan")
    print(f"  health probe under attack: median {median:.1f} ms, p95 {p95:.1f} ms over {len(latencies)} probes: "
          f"{ratio:.2f} × idle median (target < 3)")
    return {"label": label, "statuses": by_status, "median": median, "p95": p95, "ratio": ratio, "cpu": cpu,
            "wall": wall, "flood": flood}


def main() -> None:
    prepare_database()
    worst, limit = worst_pdf(), limit_pdf()
    print(f"inputs: worst PDF {len(worst) / MB:.1f} MB (90,000 objects), largest accepted PDF "
          f"{len(limit) / MB:.1f} MB ({max_objects() - 7:,} objects), xlsx {len(big_xlsx()) / MB:.2f} MB "
          f"(300,000 × 10 cells)")
    print(f"work budget: {settings.WORK_BUDGET_CPU_SECONDS_PER_MINUTE} CPU s/min per user, "
          f"{settings.WORK_BUDGET_ANONYMOUS_CPU_SECONDS_PER_MINUTE} per anonymous address, "
          f"{settings.WORK_BUDGET_CONCURRENT} in flight per client; PDF check {max_objects():,} objects per request")

    print("\nsingle requests, each in a fresh process (CPU: the request's own, after a warm-up; memory: the peak "
          "RSS it added)")
    print(f"  {'request':22s} {'status':>7s} {'CPU s':>7s} {'wall s':>7s} {'RSS +MB':>8s}  answer")
    names = [name for name in ONE if not (args.skip_bulk and name.startswith("bulk"))]
    singles = {}
    inputs = Path(tempfile.mkdtemp(prefix="abuse-bench-"))
    for key, make in INPUTS.items():
        (inputs / key).write_bytes(make())
    for name in names:
        result = run_one_in_fresh_process(name, inputs)
        singles[name] = result
        print(f"  {name:22s} {result['status']!s:>7s} {result.get('cpu_s')!s:>7s} {result.get('wall_s')!s:>7s} "
              f"{result.get('rss_added_mb')!s:>8s}  {result.get('answer', '')[:70]}")
    refused = [singles[n] for n in ("verify-api-worst", "verify-page-worst", "verify-api-polyglot",
                                    "verify-api-busy", "verify-api-spent") if n in singles]
    costs = [r["cpu_s"] for r in refused if r.get("cpu_s") is not None]
    if costs:
        print(f"  a refused upload (too many objects, polyglot, busy, budget spent) costs at most {max(costs):.3f} s "
              f"of CPU (target < 0.5)")
    added = [r["rss_added_mb"] for r in singles.values() if r.get("rss_added_mb") is not None]
    if added:
        print(f"  peak RSS added by one request: at most {max(added):.1f} MB (target < 200)")

    keys = tokens(args.threads)
    server = Server()
    try:
        for _ in range(5):  # warm-up: imports, templates, connections
            http(server.base, "GET", HEALTH)
        http(server.base, "POST", VERIFY_API, *_api_request(keys[-1], normal_pdf()))
        server.ask("take")
        prober = Prober(server.base)
        time.sleep(args.seconds / 2)
        idle = prober.stop()
        idle_median, idle_p95 = quantiles(idle)
        print(f"\nlive server {server.base} (a process of its own, the prober another); health probe idle: "
              f"median {idle_median:.1f} ms, p95 {idle_p95:.1f} ms over {len(idle)} probes")

        api_worst = _api_request(keys[0], worst)
        cookie, token = csrf_for_verify(server.base)
        page_body, page_type = multipart({"csrfmiddlewaretoken": token}, {"file": ("worst.pdf", worst)})
        page_worst = (page_body, {"Cookie": f"csrftoken={cookie}", "Content-Type": page_type})
        results = []
        for flood in (False, True):
            results.append(attack(server, "verify API, one token, 9.6 MB / 90,000-object PDF",
                                  [_sender(server.base, VERIFY_API, *api_worst) for _ in range(args.threads)],
                                  idle_median, flood))
            results.append(attack(server, "/verify/ page, one anonymous address, 9.6 MB / 90,000-object PDF",
                                  [_sender(server.base, "/verify/", *page_worst) for _ in range(args.threads)],
                                  idle_median, flood))
        results.append(attack(server, "verify API, one token, the largest accepted PDF",
                              [_sender(server.base, VERIFY_API, *_api_request(keys[0], limit))
                               for _ in range(args.threads)], idle_median))
        results.append(attack(
            server, f"verify API, {len(keys)} different users (eight budgets), the largest accepted PDF",
            [_sender(server.base, VERIFY_API, *_api_request(key, limit)) for key in keys], idle_median))

        print("\nsummary (targets: health under attack < 3 × idle; a refused upload < 0.5 s CPU; < 200 MB a request)")
        for result in results:
            answers = ", ".join(f"{status}×{len(cpus)}" for status, cpus in sorted(result["statuses"].items()))
            print(f"  {result['label']}, {'flood' if result['flood'] else 'bursts'}: health median "
                  f"{result['median']:.1f} ms (× {result['ratio']:.2f} idle), p95 {result['p95']:.1f} ms; "
                  f"server {result['cpu'] / result['wall']:.2f} cores; answers {answers}")
    finally:
        server.stop()


def _api_request(key: str, pdf: bytes) -> tuple[bytes, dict]:
    body, content_type = multipart({}, {"file": ("upload.pdf", pdf)})
    return body, {"Authorization": f"Token {key}", "Content-Type": content_type}


def _sender(base: str, path: str, body: bytes, headers: dict):
    return lambda: http(base, "POST", path, body, headers)[0]


if __name__ == "__main__":
    if args.one:
        print(json.dumps(one(args.one)))
    elif args.serve:
        serve()
    elif args.probe:
        prober_process(args.probe)
    else:
        main()
