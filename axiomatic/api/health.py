"""Health endpoints for load balancers and orchestrators, answered for any Host header.

- `GET /health/live`: the process answers. 200 `{"status": "ok"}`, nothing is checked.
- `GET /health/ready`: this process can serve. 200 when every check passes, else 503, with
  `{"status": "ok" | "unavailable", "checks": {"database", "cache", "broker", "migrations"}}`, each
  `ok` or `failed` (the broker `not_configured` when Celery runs eagerly; the migrations `skipped`
  when the database cannot be reached).

Why a middleware, placed first: balancers probe by IP address (`Host: 10.0.3.7`), which is not in
ALLOWED_HOSTS, and Django validates the Host in `request.get_host()`, which CommonMiddleware calls
on every request (and SecurityMiddleware when it redirects to HTTPS). Answering here, before
anything calls it, serves the probe without letting any other path bypass host validation. The
probes are not in the request log either: one line every few seconds per balancer would drown it.

The answer names the checks and their outcome and nothing else: no versions, no error texts (which
carry host names, ports, sometimes user names). Why a check failed is logged here instead.
`/health` (the URL route, behind host validation) stays as it was.
"""

import logging
import secrets
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse, JsonResponse

from axiomatic.api.errors import error_json_response
from axiomatic.celery import app as celery_app

logger = logging.getLogger("axiomatic.health")

LIVE = "/health/live"
READY = "/health/ready"
OK, FAILED, NOT_CONFIGURED, SKIPPED = "ok", "failed", "not_configured", "skipped"
# A probe must not hang a worker on a broker that does not answer (its own connect timeout aside).
BROKER_TIMEOUT_SECONDS = 3


def database_check() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return OK


def cache_check() -> str:
    # A key of its own per probe: two processes probing at once must not read each other's value.
    key, value = f"health:{secrets.token_hex(8)}", secrets.token_hex(8)
    cache.set(key, value, timeout=10)
    found = cache.get(key)
    cache.delete(key)
    return OK if found == value else FAILED


def broker_check() -> str:
    url = settings.CELERY_BROKER_URL
    if not url:
        return NOT_CONFIGURED
    with celery_app.connection_for_write(url=url) as broker:
        broker.ensure_connection(
            max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT_SECONDS
        )
    return OK


def migrations_check() -> str:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return FAILED if plan else OK


def _outcome(name: str, check: Callable[[], str]) -> str:
    try:
        return check()
    except Exception as exc:  # a probe reports any failure; it never raises
        logger.warning("readiness check %s failed: %s: %s", name, type(exc).__name__, exc)
        return FAILED


def readiness() -> dict[str, str]:
    checks = {
        "database": _outcome("database", database_check),
        "cache": _outcome("cache", cache_check),
        "broker": _outcome("broker", broker_check),
    }
    checks["migrations"] = (
        _outcome("migrations", migrations_check) if checks["database"] == OK else SKIPPED
    )
    return checks


def _answer(request, body: dict, status: int) -> HttpResponse:
    response = JsonResponse(body, status=status)
    if request.method == "HEAD":
        response.content = b""
    response["Cache-Control"] = "no-store"
    return response


class HealthCheckMiddleware:
    """Answers /health/live and /health/ready before host validation; passes everything else on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path not in (LIVE, READY):
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            refused = error_json_response(405)
            refused["Allow"] = "GET, HEAD"
            return refused
        if path == LIVE:
            return _answer(request, {"status": OK}, 200)
        checks = readiness()
        ready = all(outcome in (OK, NOT_CONFIGURED) for outcome in checks.values())
        body = {"status": OK if ready else "unavailable", "checks": checks}
        return _answer(request, body, 200 if ready else 503)
