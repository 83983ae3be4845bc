"""Deploy checks: the embedded defaults that keep `make run` working on a bare machine are wrong in
production, and nothing else would say so.

- a local-memory (or dummy) cache counts rate limits per process: with two workers a limit of
  300 a minute lets 600 through, and every restart forgets the counts;
- the console or local-memory email backend sends no invitation or notice to anyone;
- Celery without a broker runs tasks eagerly, inside the request that queued them (Stripe syncs,
  webhook deliveries and long PDFs then hold a web worker, and nothing retries them later);
- SQLite has one writer at a time and lives on one machine's disk.

Each is a warning, tagged `deploy`, so `manage.py check --deploy` lists it and `make check` (which
runs that with `--fail-level WARNING`) fails on it. With DEBUG on they are the intended defaults,
and nothing is said.
"""

from django.conf import settings
from django.core.checks import Warning

PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}
UNSENT_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}
SQLITE = "django.db.backends.sqlite3"

W_CACHE = Warning(
    "The cache is per process (local memory): rate limits are counted by each worker on its own.",
    hint="Set REDIS_URL so the cache, and the rate limits with it, are shared by all processes.",
    id="axiomatic.W001",
)
W_EMAIL = Warning(
    "Email is not sent: the email backend writes messages to the console or to memory.",
    hint="Set EMAIL_URL to your mail server, e.g. smtp+tls://user:password@smtp.example.com:587.",
    id="axiomatic.W002",
)
W_CELERY = Warning(
    "Celery has no broker: tasks run eagerly, inside the web request that queued them.",
    hint="Set REDIS_URL (or CELERY_BROKER_URL) and run a Celery worker and beat.",
    id="axiomatic.W003",
)
W_SQLITE = Warning(
    "The database is SQLite: one writer at a time, on this machine's disk only.",
    hint="Set DATABASE_URL to PostgreSQL, e.g. postgres://user:password@db.example.com:5432/axiomatic.",
    id="axiomatic.W004",
)


def production_services_check(app_configs=None, **kwargs) -> list[Warning]:
    """Registered by CoreConfig.ready, tagged deploy."""
    if settings.DEBUG:
        return []
    found = []
    if settings.CACHES["default"]["BACKEND"] in PER_PROCESS_CACHES:
        found.append(W_CACHE)
    if settings.EMAIL_BACKEND in UNSENT_EMAIL_BACKENDS:
        found.append(W_EMAIL)
    if settings.CELERY_TASK_ALWAYS_EAGER or not settings.CELERY_BROKER_URL:
        found.append(W_CELERY)
    if settings.DATABASES["default"]["ENGINE"] == SQLITE:
        found.append(W_SQLITE)
    return found
