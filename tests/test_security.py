"""Security: lock-out, session time-outs, sessions ended when access shrinks, CSP, deploy checks, logs."""
import logging
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token

from linkage.logging import MaskIdentifiersFilter, mask
from members.models import Unit, User

from .conftest import make_resident_id

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True


def test_account_locks_after_five_failed_sign_ins(axes_on, db, client):
    for _ in range(4):
        client.post("/accounts/login/", {"username": "office", "password": "wrong"})
    # Four failures: the right password still works (and resets the count).
    ok = client.post("/accounts/login/", {"username": "office", "password": "linkage-demo"})
    assert ok.status_code == 302 and "_auth_user_id" in client.session
    client.logout()
    for _ in range(5):
        client.post("/accounts/login/", {"username": "office", "password": "wrong"})
    locked = client.post("/accounts/login/", {"username": "office", "password": "linkage-demo"})
    assert locked.status_code == 429 or locked.status_code == 403
    assert "_auth_user_id" not in client.session
    # Another account is not affected (the lock is per account, not per office gateway).
    other = client.post("/accounts/login/", {"username": "clerk", "password": "linkage-demo"})
    assert other.status_code == 302


def test_token_endpoint_counts_towards_the_lock(axes_on, api):
    client = api()
    for _ in range(5):
        assert client.post("/api/v1/auth/token/", {"username": "liaison-tax", "password": "bad"},
                           format="json").status_code == 400
    locked = client.post("/api/v1/auth/token/", {"username": "liaison-tax", "password": "linkage-demo"},
                         format="json")
    assert locked.status_code == 403 and "token" not in locked.json() and locked.json()["detail"]


def _signed_in(browser_client, username="clerk"):
    client = browser_client(username)
    assert client.get("/").status_code == 200
    return client


def test_idle_session_times_out(browser_client, settings):
    client = _signed_in(browser_client)
    session = client.session
    session["last_seen_at"] = int(time.time()) - settings.SESSION_IDLE_SECONDS - 5
    session.save()
    response = client.get("/cases/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/").status_code == 302


def test_absolute_session_limit(browser_client, settings):
    client = _signed_in(browser_client)
    session = client.session
    session["signed_in_at"] = int(time.time()) - settings.SESSION_ABSOLUTE_SECONDS - 5
    session["last_seen_at"] = int(time.time())
    session.save()
    assert client.get("/cases/").status_code == 302


def test_disabling_an_account_ends_its_sessions_and_tokens(browser_client, api, users):
    client = _signed_in(browser_client, "liaison-police")
    api("liaison-police")  # makes a token
    user = User.objects.get(username="liaison-police")
    user.is_active = False
    user.save()
    assert client.get("/inbox/").status_code == 302
    assert not Token.objects.filter(user=user).exists()


def test_moving_a_liaison_off_the_unit_ends_the_session(browser_client, api):
    client = _signed_in(browser_client, "liaison-fund")
    api_client = api("liaison-fund")
    user = User.objects.get(username="liaison-fund")
    user.unit = Unit.objects.get(code="tax")
    user.save()
    assert client.get("/inbox/").status_code == 302
    assert api_client.get("/api/v1/notices/").status_code == 401


def test_removing_the_role_ends_the_session(browser_client):
    client = _signed_in(browser_client, "liaison-agri")
    user = User.objects.get(username="liaison-agri")
    user.groups.remove(Group.objects.get(name="liaison"))
    assert client.get("/inbox/").status_code == 302


def test_an_unrelated_save_keeps_the_session(browser_client):
    client = _signed_in(browser_client, "liaison-civil")
    user = User.objects.get(username="liaison-civil")
    user.phone = "0716-5550000"
    user.save()
    assert client.get("/inbox/").status_code == 200


def test_pages_carry_a_strict_csp_and_frame_denial(browser_client):
    response = browser_client("clerk").get("/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_our_templates_have_no_inline_script():
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), f"inline <script> in {path}"
        assert not re.search(r"\son[a-z]+=\"", text), f"inline event handler in {path}"


def test_api_docs_work_under_the_csp(browser_client):
    client = browser_client("clerk")
    page = client.get("/api/docs/")
    assert page.status_code == 200
    assert "<script>" not in page.content.decode().replace(" ", "")


def test_production_settings_pass_check_deploy():
    env = {**os.environ, "DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "x" * 20 + "-production-like-secret-key-0123456789",
           "DJANGO_ALLOWED_HOSTS": "linkage.example.gov.cn", "CACHE_URL": "redis://127.0.0.1:6379/1"}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for Playwright tests in this process, never deployed
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    # Without a shared cache the rate limits would be per process: the deploy check fails.
    env.pop("CACHE_URL")
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "linkage.E001" in result.stdout + result.stderr


def test_production_refuses_the_development_secret_key():
    env = {**os.environ, "DJANGO_DEBUG": "false"}
    env.pop("DJANGO_SECRET_KEY", None)
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr


def test_identifiers_are_masked_in_logs(caplog):
    person = make_resident_id(4242)
    assert mask(f"lookup {person} failed") == f"lookup {person[:4]}{'*' * 10}{person[-4:]} failed"
    logger = logging.getLogger("linkage.test")
    logger.addFilter(MaskIdentifiersFilter())
    with caplog.at_level(logging.INFO, logger="linkage.test"):
        logger.info("credit check for %s by %s", person, "clerk")
    assert person not in caplog.text and person[-4:] in caplog.text
    # Ordinary numbers are left alone.
    assert mask("notice 12345 of case 2026") == "notice 12345 of case 2026"


def test_weak_passwords_are_refused():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ["12345678", "password123", "linkage"]:
        with pytest.raises(ValidationError):
            validate_password(weak)
