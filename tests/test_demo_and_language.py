"""Issue 12, sections 1 and 2: the demo month (``seed_demo --sample``), the demo sign-in page, Chinese
error pages, and no English left in the Chinese portal (pages, notice PDFs, minutes DOCX)."""
import html
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import path
from django.utils import timezone, translation

from linkage import urls as portal_urls
from members.models import User

from .test_access_walk import _PARAM, PREFIX_MODELS, SKIP, _routes

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
ROLES = ["clerk", "office", "convener", "assessor", "leader-police", "liaison-police", "liaison-bank-boc",
         "liaison-natres", "liaison-market", "liaison-discipline", "admin"]


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("test-boom/", _boom), *portal_urls.urlpatterns]


@pytest.fixture
def sample(db, django_capture_on_commit_callbacks):
    """The demo month in the test database (rolled back with the test); on-commit work (deliveries,
    the assessment computation) runs as the block ends."""
    from portal.sample import seed_sample

    with django_capture_on_commit_callbacks(execute=True):
        added = seed_sample()
    return added


# ---------------------------------------------------------------- section 1: the first five minutes

def test_sample_month_is_complete_and_idempotent(sample):
    from assessments.models import AssessmentPeriod, AssessmentScore, NonCooperationReport
    from cases.models import Case, Delivery, Measure, Notice, NoticeEvent, NoticeRequest
    from conferences.models import ActionItem, Minutes
    from credit.models import CreditEntry
    from portal.sample import seed_sample

    assert sample["cases"] == 32  # 30 of the month, a preservation (执保) and the enforcement case taking it over
    cases = Case.objects.filter(number__contains="鄂1022执")
    assert cases.filter(categories__isnull=False).distinct().count() >= 5  # key cases
    assert cases.filter(listed_supervision=True).count() >= 2
    statuses = set(Notice.objects.values_list("status", flat=True))
    assert {"delivered", "acknowledged", "answered", "closed", "cancelled"} <= statuses
    assert Notice.objects.values("unit").distinct().count() >= 12
    assert Delivery.objects.filter(purpose__startswith="remind").exists()
    assert NoticeEvent.objects.filter(transition="return").exists()
    completed = Case.objects.get(outcome="completed")
    releases = Notice.objects.filter(case=completed, kind="release")
    assert releases.filter(status="answered").exists() and releases.filter(status__in=["issued", "delivered"]).exists()
    assert Measure.objects.filter(case=completed, status="released").exists()
    assert Case.objects.filter(outcome="final_no_property").exists()
    # The branches of enforcement (DOMAIN.md section 5): a preservation carried over with its measures and
    # a conversion letter per unit, a settlement with an instalment overdue, a suspension, a part payment.
    from cases.models import Payment, Settlement
    from cases.selectors import instalment_states, settlements_with_overdue

    taken_over = Case.objects.get(preservation_case__isnull=False)
    assert taken_over.preservation_case.outcome == "preservation_partial"
    assert Measure.objects.filter(case=taken_over, status="active").count() == 2
    assert Notice.objects.filter(case=taken_over, kind="conversion").count() == 2
    settlement = Settlement.objects.get(status="performing")
    assert [s.status for s in instalment_states(settlement)] == ["paid", "overdue", "due"]
    assert settlements_with_overdue(timezone.localdate()).filter(pk=settlement.pk).exists()
    assert Case.objects.filter(status="suspended", suspension_kind="suspension").exists()
    assert Payment.objects.filter(way="deduction").exists()
    assert NoticeRequest.objects.filter(kind="objection", status="pending").exists()
    minutes = Minutes.objects.get(status="issued")
    assert ActionItem.objects.filter(minutes=minutes, status__in=["open", "returned"]).exists()
    assert NonCooperationReport.objects.exists()
    periods = list(AssessmentPeriod.objects.order_by("ends_on"))
    assert len(periods) == 2 and all(p.status == "open" for p in periods)  # last month's waits to be finalised
    assert periods[0].ends_on < timezone.localdate() <= periods[1].ends_on
    assert all(AssessmentScore.objects.filter(period=p).exists() for p in periods)
    from credit.models import ConsumptionRestriction

    assert ConsumptionRestriction.objects.filter(status="draft").count() == 1  # the president's to-do
    assert CreditEntry.objects.filter(status="published").exists()
    # The month is laid out over time, not all "now".
    issued = list(Notice.objects.filter(kind="assist").values_list("issued_at", flat=True))
    assert (max(issued) - min(issued)).days >= 20
    # A second run adds nothing.
    counts = (Case.objects.count(), Notice.objects.count(), NoticeEvent.objects.count())
    assert seed_sample() == {}
    assert (Case.objects.count(), Notice.objects.count(), NoticeEvent.objects.count()) == counts


def test_plain_seed_demo_stays_accounts_only(db):
    from cases.models import Case

    call_command("seed_demo", stdout=io.StringIO())
    assert not Case.objects.exists()


def test_login_page_lists_demo_accounts_only_in_demo_mode(db, settings):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    settings.DEMO = False
    assert "liaison-bank-icbc" not in client.get("/accounts/login/").content.decode()
    settings.DEMO = True
    page = client.get("/accounts/login/").content.decode()
    assert "liaison-bank-icbc" in page and "中国工商银行公安支行" in page
    assert "执行联络员" in page and "linkage-demo" in page


@pytest.mark.urls(__name__)
def test_error_pages_are_chinese(db, settings):
    settings.DEBUG = False
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.raise_request_exception = False
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    body = missing.content.decode()
    assert "页面不存在" in body and "Traceback" not in body
    broken = client.get("/test-boom/")
    assert broken.status_code == 500
    body = broken.content.decode()
    assert "<html" in body and "RuntimeError" not in body and "Traceback" not in body
    assert 'lang="zh-hans"' in body


def test_favicon_and_language_menu(db, users):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(users["clerk"])
    page = client.get("/").content.decode()
    assert "favicon.svg" in page
    assert re.search(r'<option value="en"[^>]*>English</option>', page)
    assert client.get("/favicon.ico").status_code == 301


def test_demo_settings_run_with_debug_off(tmp_path):
    env = {**os.environ, "DJANGO_DEMO": "true", "DJANGO_DEBUG": "false"}
    env.pop("DJANGO_SECRET_KEY", None)
    code = ("import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'linkage.settings'); django.setup();"
            "from django.conf import settings as s;"
            "print(s.DEBUG, s.DEMO, len(s.SECRET_KEY) >= 40, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "True", "True", "False", "False"]


# ---------------------------------------------------------------- section 2: no English in the Chinese portal

def _catalogue():
    """(untranslated msgids, English phrases of ≥2 words) of the portal's own catalogue."""
    po = polib.pofile(str(CATALOGUE))
    untranslated, phrases = set(), set()
    for entry in po:
        if entry.obsolete:
            continue
        texts = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural else [])
        for text in texts:
            text = re.sub(r"%\(\w+\)[sd]|%[sd]|\{\w*\}", "\x00", text).strip()
            pieces = [p.strip(" .:,;") for p in text.split("\x00")]
            for piece in pieces:
                if not re.search(r"[A-Za-z]{2}", piece):
                    continue
                if not entry.translated() or entry.fuzzy:
                    if len(piece) >= 4:
                        untranslated.add(piece)
                if len(re.findall(r"[A-Za-z]+", piece)) >= 2 and not re.search(r"[\u4e00-\u9fff]", piece):
                    phrases.add(piece)
    return untranslated, phrases


_DATA = re.compile(r"[\w.+-]+@[\w.-]+|https?://\S+|/[\w./?=&%-]+|\b[a-z]+(?:[-_][a-z0-9]+)+\b")


def page_text(content: str) -> str:
    """What a reader sees: text and the attributes read aloud or shown, without script, style or data."""
    content = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", content)
    attributes = re.findall(r'(?:title|placeholder|aria-label|alt|value)="([^"]*)"', content)
    content = re.sub(r"(?s)<[^>]+>", " ", content)
    text = html.unescape(" ".join([content, *attributes]))
    return re.sub(r"\s+", " ", _DATA.sub(" ", text))


def english_left(text: str, untranslated, phrases) -> list[str]:
    found = [f"untranslated: {m}" for m in untranslated if m in text]
    found += [f"English: {p}" for p in phrases
              if p not in untranslated and re.search(r"(?<![A-Za-z])" + re.escape(p) + r"(?![A-Za-z])", text)]
    return found


def _ids(label_list, limit=2):
    from django.apps import apps

    ids = []
    for label in label_list:
        model = apps.get_model(label)
        ids += list(model.objects.order_by("-pk").values_list("pk", flat=True)[:limit])
    return ids


def _pages():
    """Every GET page of the portal's own HTML (not the API, admin or sign-in), with ids of the sample."""
    seen = []
    for route in _routes():
        plain = route.replace("^", "").replace("$", "").replace("\\.", ".")
        if plain.startswith(SKIP) or plain.startswith("api/") or "<path:" in plain or "format" in plain:
            continue
        last = plain.rstrip("/").rsplit("/", 1)[-1]
        if last.startswith("<slug:name") or last.startswith("<str:name") or "download" in plain:
            continue
        labels = next((labels for prefix, labels in sorted(PREFIX_MODELS.items(), key=lambda kv: -len(kv[0]))
                       if plain.startswith(prefix)), None)
        paths = [plain]
        params = list(_PARAM.finditer(plain))
        for match in params:
            name = match.group(2) or match.group(3)
            if name == "code":
                values = ["police"]
            elif labels:
                values = _ids(labels, limit=2 if len(params) == 1 else 1)
            else:
                values = []
            paths = [p.replace(match.group(0), str(v), 1) for p in paths for v in values]
        seen += ["/" + p for p in paths if "<" not in p][:4]
    return sorted(set(seen))


def test_every_page_of_every_role_reads_in_chinese(sample):
    untranslated, phrases = _catalogue()
    pages = _pages()
    assert len(pages) > 30
    problems = {}
    rendered = 0
    import logging

    logging.getLogger("django.request").setLevel(logging.ERROR)  # the 404s and 405s of the walk
    for username in ROLES:
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(User.objects.get(username=username))
        for url in pages:
            response = client.get(url)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            rendered += 1
            left = english_left(page_text(response.content.decode()), untranslated, phrases)
            if left:
                problems[f"{username} {url}"] = sorted(left)
    assert rendered > 100
    assert not problems, "\n".join(f"{k}: {v}" for k, v in sorted(problems.items()))


def test_notice_pdf_and_minutes_docx_read_in_chinese(sample):
    from docx import Document
    from pypdf import PdfReader

    from cases.models import Notice
    from conferences.documents import render_minutes_docx
    from conferences.models import Minutes
    from documents.models import IssuedDocument
    from documents.services import render_document

    untranslated, phrases = _catalogue()
    texts = {}
    with translation.override("zh-hans"):
        for kind in ("assist", "release"):
            notice = Notice.objects.filter(kind=kind).order_by("pk").first()
            document = IssuedDocument.objects.filter(notice=notice).order_by("pk").first()
            pdf, _seal = render_document(document)
            texts[f"PDF {kind}"] = " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)
        minutes = Minutes.objects.get(status="issued")
        doc = Document(io.BytesIO(render_minutes_docx(minutes)))
        texts["DOCX minutes"] = " ".join(p.text for p in doc.paragraphs) + " ".join(
            cell.text for table in doc.tables for row in table.rows for cell in row.cells)
    problems = {}
    for name, text in texts.items():
        assert re.search(r"[\u4e00-\u9fff]", text), f"{name}: no Chinese text extracted"
        left = english_left(re.sub(r"\s+", " ", _DATA.sub(" ", text)), untranslated, phrases)
        if left:
            problems[name] = sorted(left)
    assert not problems, problems


def test_event_histories_read_in_chinese(sample):
    from cases.templatetags.notice_tags import event_label
    from conferences.models import ConferenceEvent

    with translation.override("zh-hans"):
        held = ConferenceEvent.objects.filter(transition="hold").first()
        label = event_label(held)
    assert "hold" not in label and "scheduled" not in label and "→" in label and "：" in label
    assert settings.COURT_NAME == "湖北省公安县人民法院"
