"""Settings, read from the environment as ../shared/spec/API.md's configuration table says."""
import os
import tempfile
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# `make demo`: the portal as users see it (DEBUG off, static files served by whitenoise, Chinese error
# pages) on a developer's machine, over plain HTTP on loopback, the demo accounts listed on the sign-in
# page. Its secret key is made on first run and kept in var/demo-secret-key (not in git). Never in a
# deployment.
DEMO = env.bool("DJANGO_DEMO", default=False)
_DEV_SECRET = "dev-only-insecure-key-do-not-use-in-production-9f3c1e"
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=_DEV_SECRET)
if DEMO and "DJANGO_SECRET_KEY" not in os.environ:
    import secrets

    _DEMO_KEY_FILE = BASE_DIR / "var" / "demo-secret-key"
    if not _DEMO_KEY_FILE.exists():
        _DEMO_KEY_FILE.parent.mkdir(exist_ok=True)
        _DEMO_KEY_FILE.write_text(secrets.token_urlsafe(50))
        _DEMO_KEY_FILE.chmod(0o600)
    SECRET_KEY = _DEMO_KEY_FILE.read_text().strip()
# The placeholder of deploy/linkage.env.example: copying the example without editing it must not start.
_EXAMPLE_SECRET = "change-me-to-50-random-characters"
if not DEBUG and (SECRET_KEY in (_DEV_SECRET, _EXAMPLE_SECRET) or "change-me" in SECRET_KEY
                  or len(SECRET_KEY) < 40 or len(set(SECRET_KEY)) < 5):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is false: at least 40 random characters, not the "
        "development key nor the placeholder of deploy/linkage.env.example (make one with "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`).")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "linkage.apps.AxesConfig",  # django-axes (label "axes"), with a translated name
    "csp",
    "auditlog",  # old/new values of every registered model (linkage/audit.py)
    "members",
    "cases",
    "conferences",
    "assessments",
    "documents",  # issued documents: stored, e-sealed, verifiable
    "credit",  # the dishonest-debtor list and consumption restriction orders; above cases
    "portal",  # the roof: the home page, the to-do menu, the demo month; reads every app, imported by none
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "auditlog.middleware.AuditlogMiddleware",  # the signed-in user becomes the actor of each change
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "members.middleware.SessionTimeoutMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "linkage.urls"
WSGI_APPLICATION = "linkage.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "portal.context_processors.portal",
            ],
        },
    },
    # The tables a clerk pages through all day (linkage/jinja2.py): only what {% jinja %} includes.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "linkage.jinja2.environment"},
    },
]

# Forms and widgets render through Django's own Jinja2 templates, the admin's widgets through the template
# language (linkage.forms.WidgetRenderer; docs/performance.md "Lean pages").
FORM_RENDERER = "linkage.forms.WidgetRenderer"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if "postgresql" in DATABASES["default"]["ENGINE"]:
    # Persistent connections (docs/deploy.md "Database connections"): opening one costs more than most
    # pages take. Each gunicorn thread and each Celery worker process keeps its own, checked before reuse;
    # behind PgBouncer in transaction mode set DB_DISABLE_SERVER_SIDE_CURSORS=true.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool("DB_DISABLE_SERVER_SIDE_CURSORS", default=False)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # SQLite serialises writers; a generous timeout keeps the in-process demo from "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # Every transaction takes the write lock when it begins (BEGIN IMMEDIATE): one that read first and
    # then wrote would fail at once with "database is locked" when another writer held the lock (SQLite
    # cannot wait there without risking a deadlock), whatever the timeout; the in-process delivery and a
    # unit acknowledging at the same moment did.
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    # A file, so that a real Celery worker in a test can open it; one per process, so concurrent runs
    # of the test suite do not clobber each other's database.
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(tempfile.gettempdir(), f"linkage-test-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses any sign-in of an account locked after repeated failures.
    "axes.backends.AxesStandaloneBackend",
    "members.backends.PortalBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# guardian: no anonymous user row, we never grant anything to anonymous visitors.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Rulings and answers hold personal data: they live outside any public URL and are served only
# through permission-checked views (cases.views.attachment_download).
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "private_media")))
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
# A request with more files than this is refused while it is read (linkage.uploads caps an answer at 5).
DATA_UPLOAD_MAX_NUMBER_FILES = 10

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="linkage-portal@localhost")
# The portal's address as its users reach it: e-mails carry absolute links built on it.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Font files the court installs when it holds the licensed official fonts (方正小标宋简体, 仿宋_GB2312,
# 黑体, 楷体_GB2312): the PDF minutes embed them; empty, the closest free font (Noto CJK) is used.
DOCUMENT_FONT_TITLE = env.str("DOCUMENT_FONT_TITLE", default="")
DOCUMENT_FONT_BODY = env.str("DOCUMENT_FONT_BODY", default="")
DOCUMENT_FONT_HEADING = env.str("DOCUMENT_FONT_HEADING", default="")
DOCUMENT_FONT_KAI = env.str("DOCUMENT_FONT_KAI", default="")

# A user's API token lives this long (POST auth/token/ again renews it); a password change, a disabled
# account, a move off the unit or a role taken away revokes it at once (members.authentication).
API_TOKEN_LIFETIME_DAYS = env.int("API_TOKEN_LIFETIME_DAYS", default=30)
# Rate limits in the shared cache (linkage.ratelimit; check --deploy fails without CACHE_URL): the
# public pages per client address (behind TRUSTED_PROXIES reverse proxies, from X-Forwarded-For), a
# court user's search of cases by identifier per user, and a unit's bulk-file check rows per day.
PUBLIC_RATE_LIMITS = {"public_dishonest": env.str("PUBLIC_RATE_LIMIT", default="60/min"),
                      "verify": env.str("PUBLIC_VERIFY_RATE_LIMIT", default="30/min")}
TRUSTED_PROXIES = env.int("TRUSTED_PROXIES", default=0)
CASE_IDENTIFIER_SEARCH_RATE = env.str("CASE_IDENTIFIER_SEARCH_RATE", default="30/min")
CREDIT_BULK_ROWS_PER_UNIT_DAY = env.int("CREDIT_BULK_ROWS_PER_UNIT_DAY", default=500)
# The work budget of the expensive endpoints (linkage.workbudget: /verify/ and documents/verify/ uploads,
# a unit's answer with attachments, the bulk credit check), in the shared cache like the rate limits: the
# CPU seconds a client may spend on them per minute, a signed-in user and an anonymous address (0: no
# budget); at most WORK_BUDGET_CONCURRENT such requests of one client in flight, a second one refused 429
# at once; a busy mark left by a dead worker lapses after WORK_BUDGET_BUSY_SECONDS.
WORK_BUDGET_CPU_SECONDS_PER_MINUTE = env.float("WORK_BUDGET_CPU_SECONDS_PER_MINUTE", default=5.0)
WORK_BUDGET_ANONYMOUS_CPU_SECONDS_PER_MINUTE = env.float("WORK_BUDGET_ANONYMOUS_CPU_SECONDS_PER_MINUTE",
                                                         default=2.0)
WORK_BUDGET_CONCURRENT = env.int("WORK_BUDGET_CONCURRENT", default=1)
WORK_BUDGET_BUSY_SECONDS = env.int("WORK_BUDGET_BUSY_SECONDS", default=120)
# In the whole deployment: at most so many such requests at once (0: no cap), waiting up to the seconds
# below for a slot before 429; keep it under the number of web workers.
WORK_BUDGET_SERVER_CONCURRENT = env.int("WORK_BUDGET_SERVER_CONCURRENT", default=2)
WORK_BUDGET_SERVER_WAIT_SECONDS = env.float("WORK_BUDGET_SERVER_WAIT_SECONDS", default=5.0)
# The office's threshold: a notice this many working days past a deadline makes its case an agenda suggestion.
AGENDA_SUGGESTION_OVERDUE_WORKING_DAYS = env.int("AGENDA_SUGGESTION_OVERDUE_WORKING_DAYS", default=10)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "members.authentication.ExpiringTokenAuthentication",
        "members.integration.UnitTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "members.integration.UnitSystemScope",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "linkage.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"user": "600/min", "credit_check": "60/min"},
    "EXCEPTION_HANDLER": "linkage.api.exception_handler",
    # DRF's own parsers, but JSON nested too deeply is a 400 (linkage.api.JSONParser), not a 500.
    "DEFAULT_PARSER_CLASSES": [
        "linkage.api.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
SPECTACULAR_SETTINGS = {
    # The readers are the member units' developers, in Chinese like the portal (docs/integration.md).
    "TITLE": "执行联动协调平台 API",
    "DESCRIPTION": "公安县执行联动协调机制的 REST API：成员单位业务系统签收、回复协助执行通知书，核验文书，查询失信被执行人名单等。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "status", "kind" or "outcome": give each choice set its own schema name.
    "ENUM_NAME_OVERRIDES": {
        "NoticeStatusEnum": "cases.workflow.NoticeStatus",
        "CaseStatusEnum": "cases.models.CaseStatus",
        "MeasureStatusEnum": "cases.measure_models.MeasureStatus",
        "RequestStatusEnum": "cases.models.RequestStatus",
        "NoticeKindEnum": "cases.models.NoticeKind",
        "PartyKindEnum": "cases.models.PartyKind",
        "UnitKindEnum": "members.models.UnitKind",
        "RequestKindEnum": "cases.models.RequestKind",
        "AnswerOutcomeEnum": "cases.models.AnswerOutcome",
        "CaseOutcomeEnum": "cases.models.CaseOutcome",
        "CreditGroundEnum": "credit.models.CreditGround",
        "ReleaseGroundEnum": "cases.models.ReleaseGround",
        "RevokeGroundEnum": "credit.models.RevokeGround",
        "PartyRoleEnum": "cases.models.PartyRole",
        "CreditPersonRoleEnum": "credit.models.CreditPersonRole",
        "RestrictedPersonRoleEnum": "credit.models.RestrictedPersonRole",
        "CorrectionSourceEnum": "credit.models.CorrectionSource",
        "PaymentWayEnum": "cases.lifecycle_models.PaymentWay",
        "ServiceWayEnum": "credit.decision_models.ServiceWay",
        "SearchResultEnum": "cases.lifecycle_models.SearchResult",
        "SanctionKindEnum": "assessments.models.SanctionKind",
        "DecisionKindEnum": "credit.decision_models.DecisionKind",
        "ChannelKindEnum": "members.models.ChannelKind",
    },
}

# A shared cache (Redis) in production: sessions are then read from it instead of the database on every
# request. Without one, sessions stay in the database: a per-process cache would let a session that was
# signed out in one worker live on in another.
CACHE_URL = env.str("CACHE_URL", default="")
if CACHE_URL.startswith("redis"):
    # Django's Redis cache, one client per pool (linkage/cache.py)
    CACHES = {"default": {"BACKEND": "linkage.cache.RedisCache", "LOCATION": CACHE_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: no broker configured means the embedded default, tasks run in-process.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or None
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
MEASURE_REMINDER_WORKING_DAYS = (30, 10, 3)
SWEEP_GRACE_SECONDS = env.int("SWEEP_GRACE_SECONDS", default=30)
# If Redis is down the web must keep answering: give up publishing quickly (the outbox row is already
# committed and the sweep re-sends it) instead of blocking a clerk's request on retries.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.1,
                                    "interval_max": 0.2}
SWEEP_INTERVAL_SECONDS = env.int("SWEEP_INTERVAL_SECONDS", default=60)
# Task modules autodiscovery does not find (not named ``tasks``).
CELERY_IMPORTS = ("cases.sweeps",)
CELERY_BEAT_SCHEDULE = {
    "sweep-undelivered-notices": {
        "task": "cases.tasks.sweep_pending_deliveries",
        "schedule": timedelta(seconds=SWEEP_INTERVAL_SECONDS),
    },
    "send-overdue-reminders": {
        "task": "cases.tasks.send_overdue_reminders",
        "schedule": crontab(minute=0, hour="9,15"),
    },
    "sync-dishonest-list-pushes": {
        "task": "credit.tasks.credit_sync_pending_task",
        "schedule": timedelta(minutes=10),
    },
    "sweep-dishonest-list": {  # 失信规定 Art. 2, 10: expired periods, deletion clocks, grace periods
        "task": "credit.tasks.credit_daily_sweep_task",
        "schedule": crontab(minute=0, hour=6),
    },
    "sweep-measures": {
        "task": "cases.tasks.sweep_measures",
        "schedule": crontab(minute=30, hour=6),
    },
    "remind-overdue-action-items": {
        "task": "conferences.tasks.remind_overdue_action_items",
        "schedule": crontab(minute=30, hour=9),
    },
    "seal-pending-documents": {
        "task": "documents.tasks.seal_pending_documents",
        "schedule": timedelta(seconds=SWEEP_INTERVAL_SECONDS),
    },
    "sweep-channel-messages": {  # robots, SMS, e-mail channels: whatever a lost task or a rate limit left
        "task": "members.tasks.sweep_channel_messages",
        "schedule": timedelta(seconds=SWEEP_INTERVAL_SECONDS),
    },
    "send-morning-digests": {  # one message per unit with what is due or overdue, not one per notice
        "task": "cases.tasks.send_channel_digests",
        "schedule": crontab(minute=30, hour=8),
    },
}

# Notification channels (members.channels, docs/deploy.md "Channels"): a robot takes 20 messages a minute
# (DingTalk's and WeCom's documented limit); after this many failed sends in a row the office is shown the
# channel as failing. SMS goes through one provider's official SDK, with an approved signature and one
# approved template per kind of message (purpose → template code).
CHANNEL_RATE_PER_MINUTE = env.int("CHANNEL_RATE_PER_MINUTE", default=20)
CHANNEL_FAILING_AFTER = env.int("CHANNEL_FAILING_AFTER", default=3)
CHANNEL_TIMEOUT_SECONDS = env.float("CHANNEL_TIMEOUT_SECONDS", default=5)
SMS_PROVIDER = env.str("SMS_PROVIDER", default="")  # "aliyun" or "tencent"; empty: SMS channels fail, marked
SMS_ACCESS_KEY_ID = env.str("SMS_ACCESS_KEY_ID", default="")
SMS_ACCESS_KEY_SECRET = env.str("SMS_ACCESS_KEY_SECRET", default="")
SMS_SIGN_NAME = env.str("SMS_SIGN_NAME", default="")
SMS_SDK_APP_ID = env.str("SMS_SDK_APP_ID", default="")  # Tencent Cloud only
SMS_ENDPOINT = env.str("SMS_ENDPOINT", default="")  # empty: the provider's public endpoint
SMS_TEMPLATES = env.dict("SMS_TEMPLATES", default={})  # e.g. notice=SMS_4711,digest=SMS_4712,test=SMS_4713
# No broker: `manage.py run_clocks` (started by `make demo`) runs this schedule in-process, its last runs
# kept in this file (portal/clocks.py, docs/deploy.md "The embedded clocks").
CLOCKS_STATE_FILE = env.str("CLOCKS_STATE_FILE", default=str(BASE_DIR / "var" / "clocks.json"))
# Rendering and sealing a document takes a few hundred ms; on a queue of its own it never delays the
# delivery of notices (2,000 notices issued at once would otherwise wait behind 2,000 seals). A worker
# consumes it with `-Q documents` (deploy/linkage-documents-worker.service).
CELERY_TASK_ROUTES = {"documents.tasks.*": {"queue": "documents"}}

# Issued documents (documents app, docs/deploy.md "The court's e-seal"): the court's key and certificate
# as PKCS#12; with none and DEBUG on, the demo certificate of `manage.py seal_demo_ca`; with neither,
# documents are stored and registered unsigned. SEAL_TSA_URL: an RFC 3161 timestamp server (PAdES B-T).
SEAL_PKCS12 = env.str("SEAL_PKCS12", default="")
SEAL_PASSPHRASE = env.str("SEAL_PASSPHRASE", default="")
SEAL_TSA_URL = env.str("SEAL_TSA_URL", default="")
SEAL_TRUST_ROOTS = env.list("SEAL_TRUST_ROOTS", default=[])
# The portal's address as printed under a document's QR code (…/verify/<code>/).
PORTAL_URL = env.str("PORTAL_URL", default="http://127.0.0.1:8000")
DOCUMENTS_SEAL_ON_ISSUE = env.bool("DOCUMENTS_SEAL_ON_ISSUE", default=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # No personal identifier reaches a log: ID numbers and credit codes are masked in every record.
    # Every handler carries the filter: Django's own loggers are given ours, not its defaults (runserver's
    # access lines, "GET /api/v1/credit-check/?id_number=…", go through django.server).
    "filters": {"mask_identifiers": {"()": "linkage.logging.MaskIdentifiersFilter"},
                "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "formatters": {"django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}",
                                     "style": "{"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_identifiers"]},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server",
                          "filters": ["mask_identifiers"]},
        "mail_admins": {"level": "ERROR", "class": "django.utils.log.AdminEmailHandler",
                        "filters": ["require_debug_false", "mask_identifiers"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django": {"handlers": ["console", "mail_admins"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}

# Sessions end after SESSION_IDLE_SECONDS without a request and SESSION_ABSOLUTE_SECONDS after sign-in,
# whichever comes first (members.middleware.SessionTimeoutMiddleware).
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=10 * 3600)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True

# Lock an account after 5 failed sign-ins (browser and token endpoint alike) for 30 minutes.
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = ["username"]
# Not by IP address: a whole government office signs in from behind one gateway, and five typos by one
# clerk must not lock out every unit in the building. The account is what is protected.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Content Security Policy: everything from this site only; no inline script anywhere in our pages.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/"],  # Django's admin uses inline script
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    },
}
if not DEBUG:
    # The demo runs over plain HTTP on loopback: no HTTPS redirect, no secure-only cookies, no HSTS.
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEMO)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Off only for a load test over plain HTTP on loopback; never in a deployment.
    SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEMO)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0 if DEMO else 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# The court that issues the documents, printed in full with its province (人民法院执行文书样式).
COURT_NAME = env("COURT_NAME", default="湖北省公安县人民法院")
# This court's 法院代字 (案号规定 Art. 5): a new case registered here must carry it, e.g. （2026）鄂1022执1号.
COURT_CODE = env("COURT_CODE", default="鄂1022")
