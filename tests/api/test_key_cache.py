"""The process-wide API key cache (axiomatic/entities/key_cache.py), on: a key is looked up once,
then served from the process until something it depends on changes or its entry expires; a
revocation reaches another process within a second (through Redis)."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from axiomatic.entities import key_cache
from axiomatic.entities.models import ApiKey, EnrollmentStatus, PartnerEnrollment
from axiomatic.entities.services import api_key_revoke
from tests.helpers import requires_postgres

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


@pytest.fixture
def cache_on(settings):
    settings.API_KEY_CACHE_SECONDS = 30
    key_cache.clear_local()
    yield
    key_cache.clear_local()


def _list(persona):
    return persona.client.get("/api/practice/clients", {"firmEntityId": persona.firm.public_id})


def _key_lookups(persona) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        status = _list(persona).status_code
    return status, sum('FROM "entities_apikey"' in q["sql"] for q in captured)


def test_a_key_is_looked_up_once_then_served_from_the_process(cache_on, alice):
    assert _key_lookups(alice) == (200, 1)
    assert _key_lookups(alice) == (200, 0)
    assert _key_lookups(alice) == (200, 0)


def test_a_revoked_key_is_refused_at_once(cache_on, alice):
    assert _key_lookups(alice) == (200, 1)
    api_key_revoke(api_key=ApiKey.objects.get(firm=alice.firm))
    response = _list(alice)
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "Invalid or revoked API key."


def test_a_suspended_firm_is_refused_at_once_and_comes_back_when_reinstated(cache_on, alice):
    assert _key_lookups(alice) == (200, 1)
    enrollment = PartnerEnrollment.objects.get(firm=alice.firm)
    enrollment.status = EnrollmentStatus.SUSPENDED
    enrollment.save()  # as the admin saves it
    refused = _list(alice)
    assert refused.status_code == 403, refused.content
    assert refused.json()["error"]["code"] == "partner_program_required"
    enrollment.status = EnrollmentStatus.ACTIVE
    enrollment.save()
    assert _key_lookups(alice) == (200, 1)


def test_an_entry_expires_and_the_key_is_looked_up_again(cache_on, alice, monkeypatch):
    assert _key_lookups(alice) == (200, 1)
    later = time.monotonic() + 31
    monkeypatch.setattr(key_cache.time, "monotonic", lambda: later)
    assert _key_lookups(alice) == (200, 1)


def test_with_the_cache_off_every_request_looks_the_key_up(settings, alice):
    settings.API_KEY_CACHE_SECONDS = 0
    assert _key_lookups(alice) == (200, 1)
    assert _key_lookups(alice) == (200, 1)


def test_another_firms_key_is_never_served_for_this_one(cache_on, alice, charlie):
    assert _key_lookups(alice) == (200, 1)
    assert _key_lookups(charlie) == (200, 1)
    mine = alice.client.get("/api/practice/clients", {"firmEntityId": alice.firm.public_id})
    theirs = charlie.client.get("/api/practice/clients", {"firmEntityId": alice.firm.public_id})
    assert mine.status_code == 200 and theirs.status_code == 404


# -- across processes ------------------------------------------------------------------------------

OTHER_PROCESS = """
import sys, time
import axiomatic.settings
axiomatic.settings.CACHES["default"]["KEY_PREFIX"] = sys.argv[2]  # this test worker's keys
import django
django.setup()
from axiomatic.entities.services import api_key_authenticate
key = sys.argv[1]
assert api_key_authenticate(key) is not None
print("kept", flush=True)
sys.stdin.readline()  # the test revokes the key, then writes a line
started = time.monotonic()
while api_key_authenticate(key) is not None:
    if time.monotonic() - started > 5:
        print("still served after 5 s", flush=True)
        sys.exit(1)
print(f"refused after {time.monotonic() - started:.3f} s", flush=True)
"""


@requires_postgres
@pytest.mark.skipif(
    not isinstance(caches[DEFAULT_CACHE_ALIAS], RedisCache),
    reason="needs Redis as the cache: set REDIS_URL=redis://... (CI does)",
)
@pytest.mark.django_db(transaction=True)
def test_a_revocation_reaches_another_process_within_a_second(settings, alice):
    settings.API_KEY_CACHE_SECONDS = 30
    database = connection.settings_dict
    options = caches[DEFAULT_CACHE_ALIAS]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "axiomatic.settings",
        "SECRET_KEY": "test-only-secret-key-not-for-production-0123456789",
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        ),
        "API_KEY_CACHE_SECONDS": "30",
        "PYTHONPATH": str(ROOT),
    }
    other = subprocess.Popen(
        [sys.executable, "-c", OTHER_PROCESS, alice.key, options.key_prefix],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert other.stdout.readline().strip() == "kept", other.stderr.read()
        api_key_revoke(api_key=ApiKey.objects.get(firm=alice.firm))  # committed: no transaction
        other.stdin.write("go\n")
        other.stdin.flush()
        answer = other.stdout.readline().strip()
        assert other.wait(timeout=30) == 0, (answer, other.stderr.read())
    finally:
        other.kill()
    seconds = float(re.fullmatch(r"refused after ([0-9.]+) s", answer).group(1))
    assert seconds <= 1.5, answer  # the generation is read at most once a second
