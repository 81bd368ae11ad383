"""Shared fixtures. The demo data (units of Art. 3, role groups, demo accounts) is seeded once per test
database; each test runs in a transaction that is rolled back, so tests never see each other's rows."""
import datetime as dt
import io
import os
import re
import time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from rest_framework.test import APIClient

from cases import services
from linkage.identity import make_valid_uscc, resident_id_check_char
from members.models import ActionType, Unit, User
from members.seeding import seed_demo
from members.tokens import token_issue

PASSWORD = "linkage-demo"


# ---------------------------------------------------------------- the clock (docs/testing.md)
# A test that passes or fails with the hour it runs is a defect. A test marked ``dates`` runs three
# times: at the real clock, and at 23:30 and 00:30 Asia/Shanghai of today (either side of midnight in
# Gong'an; at 00:30 the UTC date is still yesterday's, at 23:30 tomorrow is half an hour away).
# ``--shanghai-clock=HH:MM`` instead runs the whole session at today HH:MM Asia/Shanghai.
# Tests marked ``worker`` or ``browser`` always run at the real clock: a Celery worker or Chromium is
# another process, which the travel does not reach.

SHANGHAI = ZoneInfo("Asia/Shanghai")
CLOCKS = {"clock-real": None, "clock-2330": (23, 30), "clock-0030": (0, 30)}
_session_traveller = None


def pytest_addoption(parser):
    parser.addoption("--shanghai-clock", metavar="HH:MM", default=None,
                     help="run the whole session at today HH:MM Asia/Shanghai (the clock still ticks); "
                          "`dates` tests then run once, at that hour")


def _real_time() -> float:
    hatch = time_machine.escape_hatch
    return hatch.time.time() if hatch.is_travelling() else time.time()


def shanghai_today_at(hour: int, minute: int) -> dt.datetime:
    """Today (as Gong'an sees it) at hour:minute Asia/Shanghai, as an aware UTC datetime (handing
    time-machine a UTC value leaves the process's TZ alone)."""
    real_now = dt.datetime.fromtimestamp(_real_time(), SHANGHAI)
    return real_now.replace(hour=hour, minute=minute, second=0, microsecond=0).astimezone(dt.UTC)


def _clock_bound(item_or_metafunc) -> bool:
    """Another process (a Celery worker, Chromium) does not see a travelled clock."""
    get = getattr(item_or_metafunc, "get_closest_marker", None) or item_or_metafunc.definition.get_closest_marker
    return get("worker") is not None or get("browser") is not None


def pytest_generate_tests(metafunc):
    if metafunc.config.getoption("--shanghai-clock"):
        return
    if metafunc.definition.get_closest_marker("dates") is None or _clock_bound(metafunc):
        return
    metafunc.parametrize("_shanghai_clock", list(CLOCKS), ids=list(CLOCKS), indirect=True)


@pytest.fixture(autouse=True)
def _shanghai_clock(request):
    """Autouse, so that the travel starts before the test's other fixtures make their rows."""
    clock = CLOCKS.get(getattr(request, "param", None))
    if clock is None and _session_traveller is not None and _clock_bound(request.node):
        # --shanghai-clock: a worker or browser test runs at the real clock (as the other process does).
        with time_machine.travel(_real_time(), tick=True):
            yield
        return
    if clock is None:
        yield
        return
    with time_machine.travel(shanghai_today_at(*clock), tick=True):
        yield


def pytest_configure(config):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The test client's login() passes no request, which django-axes needs; the lock-out itself is
    # tested in tests/test_security.py with AXES_ENABLED switched back on.
    settings.AXES_ENABLED = False
    global _session_traveller
    value = config.getoption("--shanghai-clock")
    if value:
        match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", value)
        if not match:
            raise pytest.UsageError(f"--shanghai-clock={value}: expected HH:MM (00:00 to 23:59)")
        _session_traveller = time_machine.travel(shanghai_today_at(int(match[1]), int(match[2])), tick=True)
        _session_traveller.start()


def pytest_unconfigure(config):
    global _session_traveller
    if _session_traveller is not None:
        _session_traveller.stop()
        _session_traveller = None


def pytest_report_header(config):
    value = config.getoption("--shanghai-clock")
    if value:
        return f"clock: travelled to today {value} Asia/Shanghai (--shanghai-clock)"
    return "clock: real; tests marked `dates` also run at 23:30 and 00:30 Asia/Shanghai"


def pytest_sessionstart(session):
    """A broker URL that points at nothing is a failure, never a skip."""
    url = os.environ.get("CELERY_BROKER_URL")
    if url:
        import redis

        try:
            redis.Redis.from_url(url, socket_connect_timeout=3).ping()
        except Exception as exc:
            raise pytest.UsageError(f"CELERY_BROKER_URL={url} is set but Redis does not answer: {exc}") from exc


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        seed_demo(PASSWORD)
    yield
    # Live-server and worker tests leave other sessions on the test database; end them so that
    # PostgreSQL lets the test database be dropped.
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE datname = current_database() AND pid <> pg_backend_pid()")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache: one test's requests must not count against the next's."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _embedded_tasks_and_private_media(settings, tmp_path):
    """Tasks run in-process (the embedded default) unless a test asks for a real worker."""
    from linkage.celery import app

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    # Celery reads the Django setting before its own conf, so both are set (a broker may be configured).
    settings.CELERY_TASK_ALWAYS_EAGER = True
    # Issued documents are registered but not rendered and sealed on issue (a second or so each): the
    # tests of the documents app (tests/test_documents_sealed.py) switch it back on.
    settings.DOCUMENTS_SEAL_ON_ISSUE = False
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def rate_window():
    """For a test that fills a rate limit and expects the next request refused. The fixed-window limits
    (``linkage.ratelimit.hit``) count per minute, hour or day of the clock, so a test that straddled a
    window's end would see its count start again and pass or fail with the second it ran. It starts at
    the start of a minute instead: every window's end is a multiple of 60 s, so none falls within the
    minute it has. The clock still runs."""
    start = (int(time.time()) // 60 + 1) * 60
    with time_machine.travel(start, tick=True):
        yield


def make_resident_id(n: int = 1, birth: str = "19900101") -> str:
    first17 = f"421022{birth}{n % 1000:03d}"
    return first17 + resident_id_check_char(first17)


def make_uscc(n: int = 1) -> str:
    """A structurally valid code (GB 32100): 9 工商, 1 企业, region 421022, an organisation code with its
    own GB 11714 check character, then the check character."""
    return make_valid_uscc("91421022", f"MA{n % 1_000_000:06d}")


@pytest.fixture
def users(db):
    """Demo accounts by user name: ``users["clerk"]``, ``users["liaison-police"]``."""

    class _Users(dict):
        def __missing__(self, username):
            user = User.objects.get(username=username)
            self[username] = user
            return user

    return _Users()


@pytest.fixture
def api(db):
    """``api("clerk")`` → an APIClient signed in with that demo account's token."""

    def _client(username=None):
        client = APIClient()
        if username:
            # Issued as the token endpoint does (members.tokens), reusing the user's token if still valid.
            token = token_issue(User.objects.get(username=username), renew=False)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return _client


@pytest.fixture
def browser_client(client, db):
    """``browser_client("clerk")`` → the Django test client with a session for that account."""

    def _client(username=None):
        from django.test import Client

        c = Client()
        if username:
            c.force_login(User.objects.get(username=username))
        return c

    return _client


_serial = iter(range(1, 10**9))


@pytest.fixture
def make_case(users):
    def _make(number=None, *, debtors=1, amount="100000.00", **kwargs):
        n = next(_serial)
        parties = [{"role": "applicant", "name": f"申请人{n}", "id_number": make_resident_id(n)}]
        parties += [{"role": "debtor", "name": f"被执行人{n}-{i}", "id_number": make_resident_id(n * 10 + i)}
                    for i in range(debtors)]
        return services.case_create(actor=users["clerk"], number=number or f"(2026)鄂1022执{n}号",
                                    title=f"测试案件{n}", amount=Decimal(amount), parties=parties, **kwargs)

    return _make


@pytest.fixture
def issue(users, django_capture_on_commit_callbacks):
    """``issue(case, "bank-icbc", "freeze")`` → a delivered notice (on-commit delivery executed)."""

    def _issue(case, unit_code, action_code, subject="冻结被执行人名下存款", **kwargs):
        if (action_code in services.RULING_REQUIRED_ACTIONS and "ruling" not in kwargs
                and "ruling_file" not in kwargs):
            # The law wants a ruling with these; a test that is not about rulings gets the case's first.
            kwargs["ruling"] = case_ruling(case)
        with django_capture_on_commit_callbacks(execute=True):
            return services.notice_issue(actor=users["clerk"], case=case, unit=Unit.objects.get(code=unit_code),
                                         action=ActionType.objects.get(code=action_code), subject=subject,
                                         **kwargs)

    return _issue


def case_ruling(case, title: str = ""):
    """The case's first ruling (执行裁定书), stored on first use."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases.models import Attachment

    existing = Attachment.objects.filter(case=case, purpose="ruling").order_by("id").first()
    if existing is not None and not title:
        return existing
    return services.ruling_store(actor=User.objects.get(username="clerk"), case=case, title=title,
                                 upload=SimpleUploadedFile("裁定书.pdf", pdf_bytes(), "application/pdf"))


def pdf_bytes(text: str = "ruling") -> bytes:
    """A small real PDF, made with pypdf so tests need no fixture files."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": text})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def final_ready(case) -> dict:
    """What a 终本 conclusion needs (终本规定 Art. 1) for a test that is not about its conditions: the case
    filed four months ago, a 限制消费令 issued to every debtor; returns the ``confirm`` and ``note`` for
    the conditions only the clerk can vouch for."""
    from datetime import timedelta

    from cases.models import Case
    from cases.selectors import final_conditions
    from credit.models import ConsumptionRestriction
    from linkage.dates import add_months, local_today

    Case.objects.filter(pk=case.pk).update(filed_on=add_months(local_today(), -4) - timedelta(days=1))
    case.refresh_from_db()
    clerk = User.objects.get(username="clerk")
    for party in case.parties.filter(role="debtor"):
        live = ConsumptionRestriction.objects.filter(party=party, status__in=["draft", "returned", "signed", "issued"])
        if live.exists():  # e.g. drafted by a listing's decision: taken as issued
            live.update(status="issued")
        else:
            ConsumptionRestriction.objects.create(case=case, party=party, name=party.name, kind=party.kind,
                                                  id_number=party.id_number, status="issued", drafted_by=clerk)
    confirm = [c.code for c in final_conditions(case) if c.confirmable and not c.met]
    return {"confirm": confirm, "note": "执行通知、报告财产令已送达；已穷尽调查措施；已听取申请执行人意见"}


def decide_listing(entry):
    """失信规定 Art. 5 for a test that is not about it: a pending entry proposed by the clerk and decided by
    the president, ready to publish. Returns the entry (an entry already past that is returned as it is)."""
    from credit import decisions
    from credit.models import CreditEntry

    entry = CreditEntry.objects.get(pk=entry.pk)
    if entry.status == "pending":
        decisions.credit_entry_propose(actor=User.objects.get(username="clerk"), entry=entry)
        decisions.credit_entry_decide(actor=User.objects.get(username="president"), entry=entry)
    return CreditEntry.objects.get(pk=entry.pk)


def draft_restriction(*, actor, case, party, basis="", **kwargs):
    """The debtor's consumption restriction draft: the one a decided listing drafted already (限高规定 Art. 1
    para. 2), given ``basis``; else a new one."""
    from credit import restrictions
    from credit.models import ConsumptionRestriction

    existing = ConsumptionRestriction.objects.filter(party=party, status="draft").first()
    if existing is not None:
        ConsumptionRestriction.objects.filter(pk=existing.pk).update(basis=basis)
        existing.refresh_from_db()
        return existing
    return restrictions.restriction_draft(actor=actor, case=case, party=party, basis=basis, **kwargs)
