"""Settings, read from the environment.

Every integration is switched on by its variable and has a working default for a bare machine:

- DATABASE_URL        default: a SQLite file in the project folder (WAL, IMMEDIATE transactions)
- CELERY_BROKER_URL   or REDIS_URL; default: Celery runs tasks eagerly, in process
- REDIS_URL           also backs the cache when set; default: local-memory cache
- EMAIL_URL           default: console backend; smtp://host:port sends through that server
- SITE_URL            default http://127.0.0.1:8000; the base of every link we email or share
- SECRET_KEY          required when DEBUG is off; a random per-process key when DEBUG is on
- DEBUG               default off (`make run` turns it on)
- ALLOWED_HOSTS       comma-separated; default: the SITE_URL host (plus loopback names when DEBUG)
- STRIPE_SECRET_KEY, STRIPE_API_BASE, STRIPE_WEBHOOK_SECRET   program billing (empty: not configured)
- AXES_FAILURE_LIMIT, AXES_COOLOFF_MINUTES, PASSWORD_RESET_LIMIT   login lockouts (5 per 15 minutes)
- LOG_FORMAT          json (one object a line; the default with DEBUG off) or text (DEBUG's default)
- LOG_LEVEL           default INFO

The names are the operator interface: production, `make run` and the tests all use them.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY to a long random string "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DEBUG=true for local development."
        )
    # Why per process: a development default that is never the same twice cannot leak into production.
    SECRET_KEY = get_random_secret_key()

SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
_site = urlsplit(SITE_URL)
if _site.scheme not in ("http", "https") or not _site.hostname:
    raise ImproperlyConfigured(f"SITE_URL must be an absolute http(s) URL, got {SITE_URL!r}.")

_default_hosts = [_site.hostname]
if DEBUG:
    _default_hosts += ["localhost", "127.0.0.1", "[::1]"]
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=_default_hosts)
CSRF_TRUSTED_ORIGINS = [f"{_site.scheme}://{_site.netloc}"]

INSTALLED_APPS = [
    "axiomatic.admin_apps.AxiomaticAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axiomatic.core",
    "axiomatic.entities",
    "axiomatic.ledger",
    "axiomatic.api",
    "axiomatic.accounts",
    "axiomatic.webhooks",
    "practice",
    "djstripe",
    "billing",
    "reports",
]

MIDDLEWARE = [
    # First: every response (health probes too) carries its Request-Id; errors and logs read it.
    "axiomatic.api.middleware.RequestIdMiddleware",
    # Then /health/live and /health/ready answer for any Host, before anything validates it.
    "axiomatic.api.health.HealthCheckMiddleware",
    "axiomatic.api.hardening.RequestLogMiddleware",
    # Axiomatic-Version and RateLimit-* on every /api/ response, the 413s and converted errors too.
    "axiomatic.api.middleware.ApiHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "axiomatic.api.hardening.BodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "axiomatic.api.middleware.ApiErrorMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Change history (axiomatic.core.history) records the request's user or API key.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a login axes refused into our lockout page (axiomatic.accounts.views).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "axiomatic.urls"
WSGI_APPLICATION = "axiomatic.wsgi.application"

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
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# An empty DATABASE_URL means the default, like an unset one.
DATABASE_URL = env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Why: concurrent writers (webhooks, workers, the dev server) otherwise hit "database is locked".
    # IMMEDIATE takes the write lock when a transaction starts, WAL lets readers run beside a writer.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
    # No statement may hold a connection (and its locks) for long: requests fail fast instead.
    timeout_ms = env.int("DB_STATEMENT_TIMEOUT_MS", default=30_000)
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = f"-c statement_timeout={timeout_ms}"
DATABASES["default"]["ATOMIC_REQUESTS"] = False

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "entities.User"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "client-home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "full_name")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Logins: lockouts, password reset, staff MFA (axiomatic.accounts, ADR 0017) ---------------
# django-axes refuses a login, even with the right password, once the account or the client
# address has AXES_FAILURE_LIMIT failures within the cool-off; it ends AXES_COOLOFF_MINUTES after
# the last counted failure (tries while locked are not counted, so they do not prolong it).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one reaching the limit locks
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The account is the login form's "username" (our email), trimmed and lower-cased.
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "axiomatic.accounts.lockouts.login_username"
AXES_HANDLER = "axiomatic.accounts.lockouts.LoginAttemptHandler"
AXES_LOCKOUT_CALLABLE = "axiomatic.accounts.views.lockout_response"
# The client address, behind proxies too (TRUSTED_PROXY_COUNT): the same function as the rate
# limits and the share access log; the reset limit below reads it through axes as well.
AXES_CLIENT_IP_CALLABLE = "axiomatic.api.client_ip.client_ip"
# Password reset requests: this many per client address and per email address per cool-off.
PASSWORD_RESET_LIMIT = env.int("PASSWORD_RESET_LIMIT", default=AXES_FAILURE_LIMIT)
PASSWORD_RESET_TIMEOUT = 60 * 60  # a reset link works for an hour
OTP_TOTP_ISSUER = "Axiomatic"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # device secrets never shown in the admin

# --- Redis, cache and Celery ----------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or REDIS_URL
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE: dict = {
    # Every enrolled firm's program billing is reconciled with Stripe each night.
    "stripe-sync-all-firms": {
        "task": "billing.tasks.sync_all_firms_stripe",
        "schedule": crontab(hour=3, minute=15),
    },
    # Idempotency records live 24 hours; expired ones are deleted every hour.
    "purge-idempotency-records": {
        "task": "axiomatic.api.tasks.purge_idempotency_records",
        "schedule": crontab(minute=7),
    },
    # Webhook deliveries whose retry is due (the first attempt is queued right after commit).
    "deliver-due-webhooks": {
        "task": "axiomatic.webhooks.tasks.deliver_due_webhooks",
        "schedule": 60.0,
    },
    # Webhook events and deliveries are kept WEBHOOK_RETENTION_DAYS, then deleted each night.
    "purge-webhook-history": {
        "task": "axiomatic.webhooks.tasks.purge_webhook_history",
        "schedule": crontab(hour=3, minute=40),
    },
}

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="axiomatic"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Email ----------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Axiomatic <no-reply@axiomatic.local>")

# --- Stripe (program billing) ---------------------------------------------------------------
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="https://api.stripe.com").rstrip("/")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_LIVE_MODE = STRIPE_SECRET_KEY.startswith("sk_live_")
# dj-stripe mirrors Stripe objects; a firm (or a client paying directly) is its subscriber.
if STRIPE_API_BASE != "https://api.stripe.com":
    STRIPE_API_HOST = (
        STRIPE_API_BASE  # a fake Stripe (tests, development) for dj-stripe's own calls
    )
DJSTRIPE_SUBSCRIBER_MODEL = "entities.Entity"
DJSTRIPE_FOREIGN_KEY_TO_FIELD = "id"
DJSTRIPE_WEBHOOK_VALIDATION = "verify_signature"
# Transient Stripe errors (network, 429, 5xx) are retried by the client with backoff, then by Celery.
STRIPE_MAX_NETWORK_RETRIES = env.int("STRIPE_MAX_NETWORK_RETRIES", default=2)

# --- Webhooks to firms' integrations (axiomatic.webhooks) ---------------------------------------
# Loopback receivers (and http to them) are refused unless this is on: development and tests only.
WEBHOOKS_ALLOW_LOOPBACK = env.bool("WEBHOOKS_ALLOW_LOOPBACK", default=False)
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
# How long sent (or given-up) webhook events stay, with their deliveries, for the deliveries API and
# the admin; events still waiting to be sent are kept whatever their age.
WEBHOOK_RETENTION_DAYS = env.int("WEBHOOK_RETENTION_DAYS", default=30)
if WEBHOOK_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("WEBHOOK_RETENTION_DAYS must be at least 1 (days).")
# Fernet keys that encrypt what we must read back (webhook signing secrets, stored responses that
# carry a secret): the first encrypts, all decrypt. Default: one derived from SECRET_KEY.
ENCRYPTION_KEYS = env.list("ENCRYPTION_KEYS", default=[])

# --- Internationalisation, time, static -------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# Dates as 2026-12-02 everywhere a person reads them (axiomatic/formats/en/formats.py).
FORMAT_MODULE_PATH = ["axiomatic.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Why: lets gunicorn serve admin and Swagger assets without a collectstatic step on a dev machine.
WHITENOISE_USE_FINDERS = True

# --- Security headers, HTTPS and limits -------------------------------------------------------
HTTPS = SITE_URL.startswith("https://")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=HTTPS)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if HTTPS else 0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto (most deployments).
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies in front of us append to X-Forwarded-For (axiomatic.api.client_ip): the client
# address is read that many entries from the right. 0: the header is ignored (REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more (proxies in front of us).")
# Health checks come over plain HTTP from the load balancer.
SECURE_REDIRECT_EXEMPT = [r"^health$", r"^health/(live|ready)$"]
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1024 * 1024)
# A statement PDF estimated longer than this is rendered by a task and delivered by a share link.
MAX_INLINE_PDF_PAGES = env.int("MAX_INLINE_PDF_PAGES", default=10)
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_BODY_BYTES

# --- REST framework and schema --------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "axiomatic.api.authentication.ApiKeyAuthentication",
        "axiomatic.api.authentication.SessionAuthentication",  # second factor done (ADR 0017)
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["axiomatic.api.parsers.BoundedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "axiomatic.api.exceptions.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_THROTTLE_CLASSES": ["axiomatic.api.throttling.ApiRateThrottle"],
    "DEFAULT_METADATA_CLASS": "axiomatic.api.metadata.ApiMetadata",
}
# Requests a minute (axiomatic.api.throttling): per API key or user, per key on report renders,
# per client IP on share links. Atomic across processes when REDIS_URL backs the cache.
API_RATE_LIMIT_PER_MINUTE = env.int("API_RATE_LIMIT_PER_MINUTE", default=300)
# Seconds an authenticated API key is kept in the process (axiomatic/entities/key_cache.py; a
# revocation or a change to its firm reaches every process within a second); 0 turns it off.
API_KEY_CACHE_SECONDS = env.int("API_KEY_CACHE_SECONDS", default=30)
if API_KEY_CACHE_SECONDS < 0:
    raise ImproperlyConfigured("API_KEY_CACHE_SECONDS must be 0 (off) or more.")
REPORT_RATE_LIMIT_PER_MINUTE = env.int("REPORT_RATE_LIMIT_PER_MINUTE", default=30)
SHARE_RATE_LIMIT_PER_MINUTE = env.int("SHARE_RATE_LIMIT_PER_MINUTE", default=60)
# Invitation emails to one address (sends and resends, whichever firm): no mail-bombing through us.
INVITATION_SENDS_PER_HOUR = env.int("INVITATION_SENDS_PER_HOUR", default=3)
INVITATION_SENDS_PER_DAY = env.int("INVITATION_SENDS_PER_DAY", default=10)
# Emails of one invoice an hour (sends and resends): a client is not flooded by a retrying script.
INVOICE_SENDS_PER_HOUR = env.int("INVOICE_SENDS_PER_HOUR", default=10)
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append(
        "rest_framework.renderers.BrowsableAPIRenderer"
    )

SPECTACULAR_SETTINGS = {
    "TITLE": "Axiomatic practice management API",
    "DESCRIPTION": (
        "Partner firm APIs for client entities, time tracking, firm-level billing, the ledger and "
        "financial reports. Authenticate with `Authorization: Bearer axk_...`."
    ),
    "VERSION": "1.0.0",
    "SERVERS": [{"url": SITE_URL, "description": "This deployment."}],
    "SERVE_INCLUDE_SCHEMA": False,
    # Public, like Stripe's and Xero's: the schema and its Swagger UI describe the API, they read
    # nobody's data, so they need neither a key nor a session (and read none given).
    "SERVE_PUBLIC": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "axiomatic.api.schema.complete_schema",
    ],
    # One entry per webhook event type, each app's beside its payloads. The schema stays OpenAPI
    # 3.0 (ADR 0032): axiomatic.api.schema turns them into callbacks of POST /api/practice/webhooks.
    "WEBHOOKS": [
        f"{module}.{name}"
        for module, names in (
            ("axiomatic.webhooks.webhook_schema", ["PING"]),
            (
                "practice.webhook_schema",
                [
                    "CLIENT_CREATED",
                    "CLIENT_UPDATED",
                    "CLIENT_ARCHIVED",
                    "INVITATION_SENT",
                    "INVITATION_ACCEPTED",
                    "TIME_ENTRY_CREATED",
                    "TIME_ENTRY_UPDATED",
                    "TIME_ENTRY_DELETED",
                    "TIME_ENTRY_APPROVED",
                    "TIME_ENTRY_UNAPPROVED",
                    "ENGAGEMENT_CREATED",
                    "ENGAGEMENT_STATUS_CHANGED",
                    "ENGAGEMENT_TASK_COMPLETED",
                    "TIMER_STARTED",
                    "TIMER_STOPPED",
                ],
            ),
            (
                "billing.webhook_schema",
                [
                    "INVOICE_CREATED",
                    "INVOICE_SENT",
                    "INVOICE_PAID",
                    "INVOICE_VOIDED",
                    "PAYMENT_CREATED",
                    "PAYMENT_VOIDED",
                    "BILLING_SYNC_FAILED",
                ],
            ),
            (
                "reports.webhook_schema",
                ["REPORT_SHARE_CREATED", "REPORT_SHARE_ACCESSED", "REPORT_SHARE_REVOKED"],
            ),
        )
        for name in names
    ],
    "ENUM_NAME_OVERRIDES": {
        "EntityTypeEnum": "axiomatic.entities.models.EntityType",
        "AccountTypeEnum": "axiomatic.ledger.models.AccountType",
        "EngagementTypeEnum": "practice.models.EngagementType",
        "ClientTierEnum": "practice.models.ClientTier",
        "EngagementStatusEnum": "practice.models.EngagementStatus",
        "InvoiceStatusEnum": "billing.models.InvoiceStatus",
        "StripeSyncStatusEnum": "billing.models.SyncStatus",
        "ReportTypeEnum": "reports.serializers.REPORT_CHOICES",
    },
}

# Logs (axiomatic.core.logs): one JSON object a line in production, readable text in development;
# every line written during a request carries its request_id.
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, got {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_path": {"()": "axiomatic.api.hardening.RedactPathFilter"},
        "request_id": {"()": "axiomatic.core.logs.RequestIdFilter"},
    },
    "formatters": {
        "json": {"()": "axiomatic.core.logs.JsonLogFormatter"},
        "text": {"()": "axiomatic.core.logs.TextLogFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # The Stripe library logs every request at INFO; our sync logs one line per firm instead.
        "stripe": {"level": "WARNING"},
        # Django names the path of a refused request; paths can carry share and invitation tokens.
        "django.request": {"filters": ["redact_path"]},
        "django.security": {"filters": ["redact_path"]},
    },
}
