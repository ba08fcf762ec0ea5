"""Django settings for cxkeeper.

Configuration comes from the environment (see docs/configuration.md):
CXKEEPER_DATA_DIR, DATABASE_URL, CXKEEPER_SECRET_KEY, CXKEEPER_DEBUG,
CXKEEPER_ALLOWED_HOSTS, CXKEEPER_CSRF_TRUSTED_ORIGINS, CXKEEPER_SECURE_COOKIES,
CXKEEPER_ROUTER_BACKEND.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import dj_database_url

from cxkeeper.datadir import STORE_FILE, data_dir, secret_key
from cxkeeper.insights.ingest.limits import Limits

DATA_DIR = data_dir()
SECRET_KEY = secret_key(DATA_DIR)
DEBUG = os.environ.get("CXKEEPER_DEBUG", "") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("CXKEEPER_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CXKEEPER_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # serves the API docs page from its bundled files (no CDN)
    "cxkeeper.core",
    "cxkeeper.jobs",  # background work without a broker (issue 15): right above core
    "cxkeeper.org",
    "cxkeeper.journeys",
    "cxkeeper.insights",
    "cxkeeper.insights.warehouse.apps.WarehouseConfig",  # warehouse sources (issue 16), insights layer
    "cxkeeper.outcomes",
    "cxkeeper.initiatives",
    "cxkeeper.wins",  # wins (issue 13): above initiatives, below governance
    "cxkeeper.governance",  # the CX council (issue 12): above initiatives, below workspace
    "cxkeeper.notify",  # notices by preference, e-mail and weekly digests (issue 15): below channels and workspace
    "cxkeeper.channels",  # Slack/Teams team channels and signed webhooks (issue 15): below workspace
    "cxkeeper.workspace",  # workspace-as-code: the top layer, over every app listed above
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "cxkeeper.core.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cxkeeper.core.auth.DeviceCookieMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cxkeeper.core.middleware.PrivatePagesMiddleware",
    "cxkeeper.core.middleware.LoginRequiredMiddleware",
    # Before the CSRF check reads the form (signed-in people only): an oversize form gets 413
    # and a page saying why, not a bare 400.
    "cxkeeper.core.middleware.OversizeFormMiddleware",
]

ROOT_URLCONF = "cxkeeper.urls"
WSGI_APPLICATION = "cxkeeper.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Templates of the entry points above the apps (the home page); apps keep their own.
        "DIRS": [Path(__file__).resolve().parent / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cxkeeper.core.context_processors.signed_in_person",
                "cxkeeper.org.context_processors.workspace",
            ],
        },
    },
]


def _database() -> dict:
    url = os.environ.get("DATABASE_URL")
    if url:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        return config
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(DATA_DIR / STORE_FILE),
        # Kept open between requests (each server thread its own, checked before reuse), as for
        # PostgreSQL: opening one and its PRAGMAs cost ~3 ms of every request (decision 0024).
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {
            # WAL lets readers proceed while one writer writes; IMMEDIATE takes the write
            # lock at BEGIN so two writers queue instead of failing on lock upgrade.
            # read_uncommitted matters only in SQLite's shared-cache mode — the tests' in-memory
            # database, where a reader's table lock made a background import's write fail at once
            # ("database table is locked") instead of waiting; a file database ignores it.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000; "
                            "PRAGMA read_uncommitted=1;",
            "transaction_mode": "IMMEDIATE",
        },
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = str(DATA_DIR / "static")
(DATA_DIR / "static").mkdir(exist_ok=True)  # whitenoise warns about a missing root
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve straight from the installed package: no collectstatic step before `cxkeeper serve`.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Security: secure by default. Cookies are marked Secure when served over HTTPS behind a proxy.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
_secure = os.environ.get("CXKEEPER_SECURE_COOKIES", "") == "1"
SESSION_COOKIE_SECURE = _secure
CSRF_COOKIE_SECURE = _secure
if _secure:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if _secure:
    # Served over HTTPS: browsers must never come back over plain HTTP (HSTS, a year by default).
    SECURE_HSTS_SECONDS = int(os.environ.get("CXKEEPER_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("CXKEEPER_HSTS_INCLUDE_SUBDOMAINS", "") == "1"
# A session left idle this long ends (minutes; 0 = only when the browser closes or after 2 weeks).
CXKEEPER_SESSION_IDLE_MINUTES = int(os.environ.get("CXKEEPER_SESSION_IDLE_MINUTES", "480"))
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Login rate limit: failed attempts per username and per client address in a sliding window.
CXKEEPER_LOGIN_MAX_FAILURES = int(os.environ.get("CXKEEPER_LOGIN_MAX_FAILURES", "5"))
CXKEEPER_LOGIN_WINDOW_SECONDS = int(os.environ.get("CXKEEPER_LOGIN_WINDOW_SECONDS", "900"))
# Behind a reverse proxy every client arrives from the proxy's address: name the header the
# proxy sets (e.g. X-Forwarded-For) and how many trusted proxies append to it, so the
# per-address limit counts real clients. Leave empty when cxkeeper is reached directly.
CXKEEPER_TRUSTED_PROXY_HEADER = os.environ.get("CXKEEPER_TRUSTED_PROXY_HEADER", "").strip().upper() \
    .replace("-", "_")
if CXKEEPER_TRUSTED_PROXY_HEADER and not CXKEEPER_TRUSTED_PROXY_HEADER.startswith("HTTP_"):
    CXKEEPER_TRUSTED_PROXY_HEADER = "HTTP_" + CXKEEPER_TRUSTED_PROXY_HEADER
CXKEEPER_TRUSTED_PROXY_COUNT = int(os.environ.get("CXKEEPER_TRUSTED_PROXY_COUNT", "1"))
# API tokens live at most this many days (and never longer than the token that minted them).
CXKEEPER_TOKEN_MAX_DAYS = int(os.environ.get("CXKEEPER_TOKEN_MAX_DAYS", "365"))
# Every path that checks a password (sign-in page, admin, password change) shares one limit.
AUTHENTICATION_BACKENDS = ["cxkeeper.core.auth.RateLimitedModelBackend",
                           "cxkeeper.org.sso.SingleSignOnBackend"]  # single sign-on (decision 0042)

# Single sign-on by OpenID Connect (docs/integrations.md, decision 0042): on when an issuer (or a
# discovery URL) is set. The mapping (JSON) says which groups give which role and teams.
CXKEEPER_SSO_ISSUER = os.environ.get("CXKEEPER_SSO_ISSUER", "").strip()
CXKEEPER_SSO_DISCOVERY_URL = os.environ.get("CXKEEPER_SSO_DISCOVERY_URL", "").strip()
CXKEEPER_SSO_CLIENT_ID = os.environ.get("CXKEEPER_SSO_CLIENT_ID", "").strip()
CXKEEPER_SSO_CLIENT_SECRET = os.environ.get("CXKEEPER_SSO_CLIENT_SECRET", "").strip()
CXKEEPER_SSO_SCOPES = os.environ.get("CXKEEPER_SSO_SCOPES", "openid email profile")
CXKEEPER_SSO_PROVIDER_NAME = os.environ.get("CXKEEPER_SSO_PROVIDER_NAME", "").strip()
CXKEEPER_SSO_REDIRECT_URI = os.environ.get("CXKEEPER_SSO_REDIRECT_URI", "").strip()
CXKEEPER_SSO_USERNAME_CLAIM = os.environ.get("CXKEEPER_SSO_USERNAME_CLAIM", "preferred_username")
CXKEEPER_SSO_EMAIL_CLAIM = os.environ.get("CXKEEPER_SSO_EMAIL_CLAIM", "email")
CXKEEPER_SSO_NAME_CLAIM = os.environ.get("CXKEEPER_SSO_NAME_CLAIM", "name")
CXKEEPER_SSO_GROUPS_CLAIM = os.environ.get("CXKEEPER_SSO_GROUPS_CLAIM", "groups")
CXKEEPER_SSO_MAPPING = os.environ.get("CXKEEPER_SSO_MAPPING", "{}")
# 1: an account with a password and the provider's username is linked at its first single sign-on
# (moving a workspace to single sign-on); otherwise it is refused, never taken over.
CXKEEPER_SSO_LINK_EXISTING = os.environ.get("CXKEEPER_SSO_LINK_EXISTING", "") == "1"
# "off" turns every password path off while single sign-on is configured (break glass:
# `cxkeeper signin-link`); minutes a one-time sign-in link stays valid.
CXKEEPER_PASSWORD_SIGN_IN = os.environ.get("CXKEEPER_PASSWORD_SIGN_IN", "on").strip().lower() not in ("off", "0", "no")
CXKEEPER_SIGNIN_LINK_MINUTES = int(os.environ.get("CXKEEPER_SIGNIN_LINK_MINUTES", "15"))

# The step router's embeddings: wordllama (default, no torch), tfidf (none) or minilm (the
# optional `cxkeeper[embeddings]` extra: all-MiniLM-L6-v2, better few-shot accuracy, slower).
CXKEEPER_ROUTER_BACKEND = os.environ.get("CXKEEPER_ROUTER_BACKEND", "wordllama")

# Review answers teach the router by themselves (insights/relearn.py): "background" (a queued job,
# once answers stop for CXKEEPER_RELEARN_DELAY seconds), "inline" (in the request) or "off".
CXKEEPER_RELEARN = os.environ.get("CXKEEPER_RELEARN", "background")
CXKEEPER_RELEARN_DELAY = float(os.environ.get("CXKEEPER_RELEARN_DELAY", "3"))

# The review queue's spot checks (insights/queries.py, decision 0029): this share of its groups
# asks about the largest clusters of messages the router placed confidently (0 turns them off).
CXKEEPER_REVIEW_SPOT_CHECK_SHARE = float(os.environ.get("CXKEEPER_REVIEW_SPOT_CHECK_SHARE", "0.35"))

# How often the scheduled sync of warehouse sources runs (insights/warehouse/jobs.py, docs/warehouse.md).
CXKEEPER_WAREHOUSE_SYNC_MINUTES = int(os.environ.get("CXKEEPER_WAREHOUSE_SYNC_MINUTES", "60"))

# Bounded work for any imported file or API batch: columns, cell and line length, XLSX unzipped
# size, JSON depth, stored rejected rows, preview cells, batch bytes. Every bound is a
# CXKEEPER_IMPORT_* variable (or CXKEEPER_API_MAX_BATCH_BYTES); the defaults and names are in
# cxkeeper/insights/ingest/limits.py and docs/security.md.
CXKEEPER_IMPORT_LIMITS = Limits.from_environ()
# Uploaded files are raw, unredacted customer data: kept only while their import can still be
# started or resumed, at most this many hours after the upload or the last failure.
CXKEEPER_UPLOAD_RETENTION_HOURS = float(os.environ.get("CXKEEPER_UPLOAD_RETENTION_HOURS", "24"))
# Request bodies Django reads into memory (forms, API calls); the feedback batch endpoint reads
# its own body up to CXKEEPER_API_MAX_BATCH_BYTES instead, so this stays Django's 2.5 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("CXKEEPER_MAX_REQUEST_BYTES", str(2_621_440)))
# Background work (imports, learning) shows it is alive every this many seconds; silent for six
# beats, its process is taken for stopped and the work may be resumed.
CXKEEPER_HEARTBEAT_SECONDS = float(os.environ.get("CXKEEPER_HEARTBEAT_SECONDS", "10"))
# The job queue (cxkeeper/jobs, decision 0039): a worker holds a job for CXKEEPER_JOBS_LEASE_SECONDS
# and renews the lease while it runs; a job whose worker died is queued again once it expires.
# A failed run is retried after CXKEEPER_JOBS_BACKOFF_SECONDS × 2^(attempt − 1) (at most an hour).
# CXKEEPER_WORKER=off: `cxkeeper serve`/`demo` do not start a worker (run `cxkeeper worker` yourself).
CXKEEPER_JOBS_LEASE_SECONDS = float(os.environ.get("CXKEEPER_JOBS_LEASE_SECONDS", "60"))
CXKEEPER_JOBS_BACKOFF_SECONDS = float(os.environ.get("CXKEEPER_JOBS_BACKOFF_SECONDS", "10"))
CXKEEPER_JOBS_POLL_SECONDS = float(os.environ.get("CXKEEPER_JOBS_POLL_SECONDS", "1"))
CXKEEPER_JOBS_GRACE_SECONDS = float(os.environ.get("CXKEEPER_JOBS_GRACE_SECONDS", "25"))
CXKEEPER_JOBS_KEEP_DAYS = float(os.environ.get("CXKEEPER_JOBS_KEEP_DAYS", "30"))  # done jobs kept (failed: twice)
CXKEEPER_WORKER = os.environ.get("CXKEEPER_WORKER", "on")
# Costly figures recomputed by the worker after each change of the data (workspace/jobs.py).
CXKEEPER_WARM_FIGURES = os.environ.get("CXKEEPER_WARM_FIGURES", "on")
CXKEEPER_WARM_DELAY_SECONDS = float(os.environ.get("CXKEEPER_WARM_DELAY_SECONDS", "30"))

# Slack and Teams channels, outgoing webhooks (issue 15; docs/integrations.md). Links in messages
# are absolute: the address people open cxkeeper at. Deliveries time out after a few seconds,
# bodies are bounded, failed attempts are retried after these delays (seconds), a target is
# turned off after this many failed attempts in a row, and a rotated secret signs on for a while.
CXKEEPER_BASE_URL = os.environ.get("CXKEEPER_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# Set on purpose: page downloads use it too instead of the request's host (core/links.py).
CXKEEPER_BASE_URL_SET = bool(os.environ.get("CXKEEPER_BASE_URL"))
CXKEEPER_WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("CXKEEPER_WEBHOOK_TIMEOUT_SECONDS", "5"))
CXKEEPER_WEBHOOK_MAX_BYTES = int(os.environ.get("CXKEEPER_WEBHOOK_MAX_BYTES", "65536"))
CXKEEPER_WEBHOOK_RETRY_DELAYS = [float(s) for s in os.environ.get(
    "CXKEEPER_WEBHOOK_RETRY_DELAYS", "5,300,1800,7200,18000,36000").split(",") if s.strip()]
CXKEEPER_WEBHOOK_DISABLE_AFTER = int(os.environ.get("CXKEEPER_WEBHOOK_DISABLE_AFTER", "15"))
CXKEEPER_WEBHOOK_ROTATION_GRACE_HOURS = float(os.environ.get("CXKEEPER_WEBHOOK_ROTATION_GRACE_HOURS", "24"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A refused request (403) is routine — a role check doing its job — so it is logged in one
    # line, not with the traceback of the PermissionDenied that produced it.
    "filters": {"one_line_refusals": {"()": "cxkeeper.core.logs.OneLineRefusals"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["one_line_refusals"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("CXKEEPER_LOG_LEVEL", "WARNING")},
}


# E-mail over SMTP and the weekly digest (issue 15, docs/deployment.md "E-mail"). CXKEEPER_EMAIL_*
# first, Django's own EMAIL_* names as well; no host: no e-mail is sent (notices stay in the app).
def _env(name: str, default: str = "") -> str:
    return os.environ.get(f"CXKEEPER_{name}", os.environ.get(name, default))


EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = _env("EMAIL_HOST")
EMAIL_PORT = int(_env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = _env("EMAIL_USER", _env("EMAIL_HOST_USER"))
EMAIL_HOST_PASSWORD = _env("EMAIL_PASSWORD", _env("EMAIL_HOST_PASSWORD"))
EMAIL_USE_TLS = _env("EMAIL_USE_TLS", "0") == "1"  # STARTTLS, usually on port 587
EMAIL_USE_SSL = _env("EMAIL_USE_SSL", "0") == "1"
EMAIL_TIMEOUT = int(_env("EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = _env("EMAIL_FROM", os.environ.get("DEFAULT_FROM_EMAIL", "cxkeeper <cxkeeper@localhost>"))
# Links in e-mails (the digest, its unsubscribe link) start with CXKEEPER_BASE_URL (set above).
# When the weekly digest goes out: a weekday (0 = Monday) and a local time.
CXKEEPER_DIGEST_WEEKDAY = int(os.environ.get("CXKEEPER_DIGEST_WEEKDAY", "0"))
CXKEEPER_DIGEST_AT = datetime.time.fromisoformat(os.environ.get("CXKEEPER_DIGEST_AT", "08:00"))
