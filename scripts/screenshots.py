"""The user guide's screenshots (docs/img/), taken from the living demo.

    .venv/bin/python scripts/screenshots.py

Builds a throwaway demo the way `make demo` does (DJANGO_DEMO=true DJANGO_DEBUG=false; migrate,
collectstatic, seal_demo_ca, seed_demo --sample) in a temporary SQLite database, static root and private
media root, starts `runserver 127.0.0.1:8765`, signs in through the sign-in form as each demo account and
takes the pictures with Playwright and Debian's Chromium (/usr/bin/chromium; no browser download), among
them the president's page of the listing waiting for his decision and of the order drafted for his
signature (docs/img/president-decision.png, president-order.png). The minutes PDF is fetched as the
office and its first and last pages rendered with poppler's pdftoppm. The server and every temporary file
are removed at the end, whatever happens.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
IMG = BASE_DIR / "docs" / "img"
PYTHON = sys.executable
PORT = 8765
URL = f"http://127.0.0.1:{PORT}"
DB = Path("/tmp/linkage-shots.sqlite3")
PASSWORD = "linkage-demo"
CHROMIUM = "/usr/bin/chromium"

# account -> file of its home page
HOMES = {
    "clerk": "home-clerk.png",
    "office": "home-office.png",
    "convener": "home-convener.png",
    "president": "home-president.png",
    "assessor": "home-assessor.png",
    "leader-police": "home-leader-police.png",
    "liaison-bank-icbc": "home-liaison-bank-icbc.png",
}
INBOX_ACCOUNT = os.environ.get("SHOTS_INBOX_ACCOUNT", "liaison-bank-icbc")


def run(env, *args):
    # nice: the screenshots are never in a hurry
    subprocess.run(["nice", "-n", "10", PYTHON, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)


def wait_for_server(server, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"runserver exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{URL}/accounts/login/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError("runserver did not answer in time")


def issued_minutes_meeting(env):
    code = ("from conferences.models import Minutes\n"
            "m = Minutes.objects.filter(status='issued').order_by('-issued_at').first()\n"
            "print(m.meeting_id if m else '')")
    out = subprocess.run([PYTHON, "manage.py", "shell", "-c", code], cwd=BASE_DIR, env=env, check=True,
                         capture_output=True, text=True).stdout.strip().splitlines()
    if not out or not out[-1].strip():
        raise RuntimeError("the demo has no issued minutes")
    return int(out[-1])


def lifecycle_cases(env):
    """(the enforcement case that took over a preservation, the case with a settlement being performed)."""
    code = ("from cases.models import Case\n"
            "a = Case.objects.filter(preservation_case__isnull=False).first()\n"
            "b = Case.objects.filter(settlements__status='performing').first()\n"
            "print(a.pk, b.pk)")
    out = subprocess.run([PYTHON, "manage.py", "shell", "-c", code], cwd=BASE_DIR, env=env, check=True,
                         capture_output=True, text=True).stdout.strip().splitlines()
    first, second = out[-1].split()
    return int(first), int(second)


def president_pages(env):
    """(the listing proposed and waiting for the president, the consumption restriction order drafted and
    waiting for his signature): the demo month's cases 7 and 6 (portal/sample.py)."""
    code = ("from credit.models import ConsumptionRestriction, Decision\n"
            "d = Decision.objects.filter(kind='listing', status='proposed').order_by('id').first()\n"
            "o = ConsumptionRestriction.objects.filter(status='draft').order_by('id').first()\n"
            "print(d.pk if d else '', o.pk if o else '')")
    out = subprocess.run([PYTHON, "manage.py", "shell", "-c", code], cwd=BASE_DIR, env=env, check=True,
                         capture_output=True, text=True).stdout.strip().splitlines()
    found = out[-1].split() if out else []
    if len(found) != 2:
        raise RuntimeError("the demo has no listing waiting for the president, or no order drafted")
    return int(found[0]), int(found[1])


def sign_in(browser, username, **context_options):
    context = browser.new_context(locale="zh-CN", **context_options)
    page = context.new_page()
    page.goto(f"{URL}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("form:has(#id_password) button[type=submit]")
    if "/accounts/login/" in page.url:
        raise RuntimeError(f"could not sign in as {username}")
    return context, page


def todo_counts(page):
    return [" ".join(t.split()) for t in page.locator("ul.tiles.todo li").all_inner_texts()]


def shoot(meeting_pk, workdir, lifecycle=None, president=None):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # --lang: date inputs follow the browser's own locale, not the context's (needs Debian's chromium-l10n;
        # without it they read mm/dd/yyyy)
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--lang=zh-CN"])
        try:
            for username, name in HOMES.items():
                context, page = sign_in(browser, username, viewport={"width": 1280, "height": 900})
                page.goto(f"{URL}/")
                page.screenshot(path=str(IMG / name), full_page=True)
                print(f"{name}: to-do {todo_counts(page) or 'none'}")
                context.close()

            # The liaison's inbox on a phone
            context, page = sign_in(browser, INBOX_ACCOUNT, viewport={"width": 390, "height": 844},
                                    device_scale_factor=2, is_mobile=True, has_touch=True)
            page.goto(f"{URL}/inbox/")
            target = IMG / "liaison-inbox-phone.png"
            page.screenshot(path=str(target), full_page=True)
            if target.stat().st_size > 300_000:  # a long page: 256 colours are plenty for a web page
                from PIL import Image

                with Image.open(target) as image:
                    image.convert("RGB").quantize(colors=256, method=Image.Quantize.FASTOCTREE).save(
                        target, optimize=True)
            print(f"liaison-inbox-phone.png ({INBOX_ACCOUNT})")
            context.close()

            if lifecycle:
                taken_over, settled = lifecycle
                context, page = sign_in(browser, "clerk", viewport={"width": 1280, "height": 900})
                # The conclusion page of a case taken over from its preservation: the 终本 checklist
                page.goto(f"{URL}/cases/{taken_over}/conclude/")
                page.screenshot(path=str(IMG / "clerk-conclude.png"), full_page=True)
                # A settlement with its instalments on the case page
                page.goto(f"{URL}/cases/{settled}/")
                page.locator("section.card:has(table caption)").first.screenshot(path=str(IMG / "clerk-settlement.png"))
                print("clerk-conclude.png, clerk-settlement.png")
                context.close()

            if president:
                decision_pk, order_pk = president
                context, page = sign_in(browser, "president", viewport={"width": 1280, "height": 900})
                # The president's decision page of the waiting listing: the case's facts, the debtor, the
                # draft 决定书, what signing sets off, sign or return (失信规定 Art. 5)
                page.goto(f"{URL}/credit/decisions/{decision_pk}/")
                page.screenshot(path=str(IMG / "president-decision.png"), full_page=True)
                # The drafted consumption restriction order, to sign or return (限高规定 Art. 5)
                page.goto(f"{URL}/restrictions/{order_pk}/")
                page.screenshot(path=str(IMG / "president-order.png"), full_page=True)
                print(f"president-decision.png (decision {decision_pk}), president-order.png (order {order_pk})")
                context.close()

            # The issued minutes, as the office downloads them
            context, page = sign_in(browser, "office", viewport={"width": 1280, "height": 900})
            response = context.request.get(f"{URL}/conferences/meetings/{meeting_pk}/minutes.pdf")
            if not response.ok or response.headers.get("content-type") != "application/pdf":
                raise RuntimeError(f"minutes PDF: HTTP {response.status} {response.headers.get('content-type')}")
            pdf = workdir / "minutes.pdf"
            pdf.write_bytes(response.body())
            if os.environ.get("SHOTS_SAVE_PDF"):  # a copy to look at
                shutil.copyfile(pdf, os.environ["SHOTS_SAVE_PDF"])
            context.close()
        finally:
            browser.close()

    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    wanted = [(1, "minutes-page-1")] + ([(pages, "minutes-page-last")] if pages > 1 else [])
    for number, stem in wanted:
        subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", str(number), "-l", str(number), "-singlefile",
                        str(pdf), str(IMG / stem)], check=True)
    print(f"minutes of meeting {meeting_pk}: {pages} page(s)")


def main():
    workdir = Path(tempfile.mkdtemp(prefix="linkage-shots-"))
    env = dict(os.environ, DJANGO_DEMO="true", DJANGO_DEBUG="false", DATABASE_URL=f"sqlite:///{DB}",
               STATIC_ROOT=str(workdir / "static"), PRIVATE_MEDIA_ROOT=str(workdir / "media"),
               PYTHONUNBUFFERED="1")
    server = None
    log = None
    try:
        DB.unlink(missing_ok=True)
        run(env, "migrate", "--noinput", "-v0")
        run(env, "collectstatic", "--noinput", "-v0")
        run(env, "seal_demo_ca")
        run(env, "seed_demo", "--sample")
        meeting_pk = issued_minutes_meeting(env)
        lifecycle = lifecycle_cases(env)
        president = president_pages(env)
        log = open(workdir / "server.log", "w")
        server = subprocess.Popen(["nice", "-n", "10", PYTHON, "manage.py", "runserver", f"127.0.0.1:{PORT}",
                                   "--noreload"], cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
        wait_for_server(server)
        IMG.mkdir(parents=True, exist_ok=True)
        shoot(meeting_pk, workdir, lifecycle, president)
    except Exception:
        if log is not None:
            log.flush()
            sys.stderr.write((workdir / "server.log").read_text()[-4000:])
        raise
    finally:
        if server is not None and server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        if log is not None:
            log.close()
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{DB}{suffix}").unlink(missing_ok=True)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
