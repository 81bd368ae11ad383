"""Shared fixtures. The demo data (units of Art. 3, role groups, demo accounts) is seeded once per test
database; each test runs in a transaction that is rolled back, so tests never see each other's rows."""
import io
import os
from decimal import Decimal

import pytest
from django.conf import settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases import services
from cases.identifiers import resident_id_check_char, uscc_check_char
from members.models import ActionType, Unit, User
from members.seeding import seed_demo

PASSWORD = "linkage-demo"


def pytest_configure(config):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The test client's login() passes no request, which django-axes needs; the lock-out itself is
    # tested in tests/test_security.py with AXES_ENABLED switched back on.
    settings.AXES_ENABLED = False


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
def _embedded_tasks_and_private_media(settings, tmp_path):
    """Tasks run in-process (the embedded default) unless a test asks for a real worker."""
    from linkage.celery import app

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    # Celery reads the Django setting before its own conf, so both are set (a broker may be configured).
    settings.CELERY_TASK_ALWAYS_EAGER = True
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


def make_resident_id(n: int = 1, birth: str = "19900101") -> str:
    first17 = f"421022{birth}{n % 1000:03d}"
    return first17 + resident_id_check_char(first17)


def make_uscc(n: int = 1) -> str:
    first17 = f"91421022MA{n % 10_000_000:07d}"
    return first17 + uscc_check_char(first17)


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
            token, _ = Token.objects.get_or_create(user=User.objects.get(username=username))
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
        with django_capture_on_commit_callbacks(execute=True):
            return services.notice_issue(actor=users["clerk"], case=case, unit=Unit.objects.get(code=unit_code),
                                         action=ActionType.objects.get(code=action_code), subject=subject,
                                         **kwargs)

    return _issue


def pdf_bytes(text: str = "ruling") -> bytes:
    """A small real PDF, made with pypdf so tests need no fixture files."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": text})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
