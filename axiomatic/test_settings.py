"""Settings for the test suite: the real settings, with a fixed SECRET_KEY when none is given.

Everything else comes from the same environment variables as production (DATABASE_URL, REDIS_URL...),
which is how CI runs the suite against PostgreSQL and Redis.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-0123456789")

from axiomatic.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; tests only

# Tasks run in process so tests see their effects at once, even when REDIS_URL names a broker.
# The broker is still configured from the environment: tests/test_celery_worker.py turns eager mode
# off for itself and runs a real worker against it.
CELERY_TASK_ALWAYS_EAGER = True

# pytest-xdist runs the suite in worker processes (gw0, gw1, ...), each with PYTEST_XDIST_WORKER set
# before settings load; empty in a serial run (-n 0). Each worker has its own test database
# (pytest-django suffixes its name with the worker's: test_axiomatic_ci_gw0, test-db-<pid>.sqlite3_gw0)
# and, below, its own Redis keys.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory: live-server tests (Stripe webhooks, the browser) write from other threads,
    # and only a file database gets WAL and the lock timeout that lets them wait their turn.
    # One file per test process (pid), so two runs in one checkout, or two workers, never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f"test-db-{os.getpid()}.sqlite3")}  # noqa: F405

if REDIS_URL:  # noqa: F405
    # The workers share REDIS_URL's database (other runs on the machine may use the next ones), so
    # each keeps to its own keys: the cache under its own prefix, whose clear() deletes those keys
    # only (tests/redis_cache.py: rate-limit counters of the same API key id in two workers' databases
    # would otherwise add up, and a test's clear() would empty the other worker's), and the Celery
    # broker's queues under its own prefix (tests/test_celery_worker.py runs a real worker: it must
    # take only its own worker's tasks).
    _prefix = CACHES["default"]["KEY_PREFIX"] + (f"-{XDIST_WORKER}" if XDIST_WORKER else "")  # noqa: F405
    CACHES["default"].update(BACKEND="tests.redis_cache.OwnKeysRedisCache", KEY_PREFIX=_prefix)  # noqa: F405
if XDIST_WORKER and CELERY_BROKER_URL.startswith(("redis://", "rediss://")):  # noqa: F405
    CELERY_BROKER_TRANSPORT_OPTIONS = {"global_keyprefix": f"axiomatic-test-{XDIST_WORKER}:"}

# Rate limits high enough that no test of another feature meets them; tests/api/test_rate_limits.py
# sets the limits it exercises.
API_RATE_LIMIT_PER_MINUTE = 100_000
REPORT_RATE_LIMIT_PER_MINUTE = 100_000
SHARE_RATE_LIMIT_PER_MINUTE = 100_000
INVITATION_SENDS_PER_HOUR = 100_000
INVITATION_SENDS_PER_DAY = 100_000

# dj-stripe's own migration history (0002_2_10 alone removes 514 fields) takes about 150 s of CPU
# to replay on every test database; the tests build its tables from one migration made from its
# models instead (tests/djstripe_migrations, checked against them by `make check`). `migrate` on a
# real database still replays dj-stripe's own history.
MIGRATION_MODULES = {"djstripe": "tests.djstripe_migrations"}

# django-axes logs a line when it starts; under pytest-xdist the controller's copy of it came out
# after pytest's summary line, which must stay the last line of a run.
AXES_VERBOSE = False

# API keys are looked up on every request here: many tests change a firm's enrollment or name with
# a queryset update (an operator's SQL, which the process-wide key cache sees only when its entry
# expires). tests/api/test_key_cache.py turns the cache on and tests it.
API_KEY_CACHE_SECONDS = 0
