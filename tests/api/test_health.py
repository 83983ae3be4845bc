"""Health endpoints for load balancers: /health/live and /health/ready answer for any Host header,
over plain HTTP, and say which dependency failed and nothing more; /health stays as it was."""

import socket

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client, override_settings

from tests.helpers import assert_error

LIVE, READY = "/health/live", "/health/ready"
HOSTS = ["10.0.3.7", "10.0.3.7:8000", "[fd00::7]:80", "evil.example.com", "not a host!"]
BROKER = "not_configured" if not django_settings.CELERY_BROKER_URL else "ok"
READY_CHECKS = {"database": "ok", "cache": "ok", "broker": BROKER, "migrations": "ok"}


def closed_port() -> int:
    """A loopback port nothing listens on (bound by us a moment ago, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def probe(path: str, host: str = "10.0.3.7", **extra):
    return Client(HTTP_HOST=host, **extra).get(path)


def assert_only(response, status: int, body: dict):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    assert response.json() == body  # the checks and their outcome: nothing else
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies


@pytest.mark.parametrize("host", HOSTS)
def test_live_answers_for_any_host(host):
    assert_only(probe(LIVE, host), 200, {"status": "ok"})


@pytest.mark.django_db
@pytest.mark.parametrize("host", HOSTS)
def test_ready_answers_for_any_host(host):
    assert_only(probe(READY, host), 200, {"status": "ok", "checks": READY_CHECKS})


@pytest.mark.django_db
def test_the_old_health_route_is_unchanged_and_still_validates_the_host():
    assert Client().get("/health").json() == {"status": "ok"}
    assert probe("/health").status_code == 400  # Host 10.0.3.7 is not in ALLOWED_HOSTS


@pytest.mark.django_db
def test_no_other_path_escapes_host_validation():
    for path in ("/health/live/", "/health/ready/", "/health/other", "/api/ledger/books"):
        assert probe(path).status_code == 400, path


@pytest.mark.django_db
def test_probes_are_not_redirected_to_https(settings):
    settings.SECURE_SSL_REDIRECT = True
    assert probe(LIVE).status_code == 200
    assert probe(READY).status_code == 200
    assert Client().get("/health").status_code == 200
    assert Client().get("/accounts/login/").status_code == 301  # everything else is


def test_a_probe_with_another_method_is_405_in_the_error_shape():
    refused = Client(HTTP_HOST="10.0.3.7").post(LIVE)
    assert_error(refused, 405, "method_not_allowed")
    assert refused["Allow"] == "GET, HEAD"


def test_head_answers_without_a_body():
    response = Client(HTTP_HOST="10.0.3.7").head(LIVE)
    assert response.status_code == 200
    assert response.content == b""


def assert_unavailable(response, failed: str, **others):
    checks = {**READY_CHECKS, **others, failed: "failed"}
    assert_only(response, 503, {"status": "unavailable", "checks": checks})
    text = response.content.decode()
    for leak in ("127.0.0.1", "refused", "Error", "redis", "postgres", "sqlite"):
        assert leak not in text


@pytest.mark.django_db
def test_an_unreachable_cache_is_503_naming_it(caplog):
    port = closed_port()
    redis = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{port}/0",
    }
    with override_settings(CACHES={"default": redis}):
        response = probe(READY)
    assert_unavailable(response, "cache")
    assert "readiness check cache failed" in caplog.text  # why is in the log, not the answer


@pytest.mark.django_db
def test_an_unreachable_broker_is_503_naming_it():
    with override_settings(CELERY_BROKER_URL=f"redis://127.0.0.1:{closed_port()}/0"):
        assert_unavailable(probe(READY), "broker")


@pytest.mark.django_db
def test_an_unapplied_migration_is_503_naming_it():
    # The latest migration of one app, recorded as not applied (rolled back with the test).
    latest = max(
        key for key in MigrationLoader(connection).graph.leaf_nodes() if key[0] == "reports"
    )
    MigrationRecorder(connection).record_unapplied(*latest)
    assert_unavailable(probe(READY), "migrations")


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_database_is_503_naming_it():
    original = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent/health/db.sqlite3"
    else:
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(closed_port()))
    try:
        response = probe(READY)
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(original)
    assert_unavailable(response, "database", migrations="skipped")
