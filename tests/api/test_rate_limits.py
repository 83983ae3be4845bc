"""Rate limits: per API key, per key on report renders, per client IP on share links; 429 in the
error shape with Retry-After; atomic counting."""

import time
import uuid

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from rest_framework.test import APIClient

from axiomatic.api.throttling import WINDOW_SECONDS, rate_limit_hit
from axiomatic.core.ratelimit import Window, window_count, window_peek
from tests.helpers import assert_error, run_concurrently, share_open_path

pytestmark = pytest.mark.django_db

CLIENTS = "/api/practice/clients"


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()
    yield
    cache.clear()


def test_an_api_key_over_its_limit_gets_429_with_retry_after(alice, charlie, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    params = {"firmEntityId": alice.firm.public_id}
    for _ in range(3):
        assert alice.client.get(CLIENTS, params).status_code == 200

    refused = alice.client.get(CLIENTS, params)

    assert_error(refused, 429, "rate_limited")
    assert 1 <= int(refused["Retry-After"]) <= 60
    # Another firm's key has its own allowance.
    assert charlie.client.get(CLIENTS, {"firmEntityId": charlie.firm.public_id}).status_code == 200


def test_report_renders_have_a_tighter_limit(alice, settings):
    settings.REPORT_RATE_LIMIT_PER_MINUTE = 2
    params = {
        "entityId": alice.firm.public_id,
        "bookId": alice.gl.public_id,
        "report": "trial_balance",
        "from": "2026-01-01",
        "to": "2026-01-31",
        "format": "json",
    }
    assert [alice.client.get("/api/reports/pdf", params).status_code for _ in range(2)] == [
        200,
        200,
    ]

    assert_error(alice.client.get("/api/reports/pdf", params), 429, "rate_limited")
    # The general allowance is untouched.
    assert alice.client.get(CLIENTS, {"firmEntityId": alice.firm.public_id}).status_code == 200


def test_share_links_are_limited_per_client_ip(alice, settings):
    settings.SHARE_RATE_LIMIT_PER_MINUTE = 2
    path = share_open_path(alice)
    visitor = APIClient(REMOTE_ADDR="203.0.113.7")
    assert [visitor.get(path).status_code for _ in range(2)] == [302, 302]

    refused = visitor.get(path)

    assert_error(refused, 429, "rate_limited")
    assert int(refused["Retry-After"]) >= 1
    assert APIClient(REMOTE_ADDR="203.0.113.8").get(path).status_code == 302


def _concurrent_hits(threads: int, limit: int) -> list[Window]:
    caller = uuid.uuid4().hex
    # One instant for every hit: a burst that straddles a minute boundary would be counted in two
    # windows (each allowing `limit`), which is the fixed window's documented edge, not a race.
    now = time.time()
    race = run_concurrently(
        lambda: window_count(
            "concurrency-test", caller, limit, window_seconds=WINDOW_SECONDS, now=now
        ),
        threads,
    )
    assert race.errors == []
    return race.results


def _assert_exact(windows: list[Window], limit: int) -> None:
    """Exactly `limit` pass, and each request saw its own count: what its RateLimit-Remaining says
    is never shared with another request."""
    assert [w.over for w in windows].count(False) == limit
    assert sorted(w.count for w in windows) == list(range(1, len(windows) + 1))
    assert sorted(w.remaining for w in windows if not w.over) == list(range(limit))
    assert {w.remaining for w in windows if w.over} == {0}
    assert all(w.wait == w.reset for w in windows if w.over)


def test_counting_is_exact_under_concurrency_in_process():
    _assert_exact(_concurrent_hits(200, 100), 100)


@pytest.mark.skipif(
    "redis" not in django_settings.CACHES["default"]["BACKEND"].lower(),
    reason="needs Redis behind the cache: set REDIS_URL=redis://... (CI does)",
)
def test_counting_is_atomic_on_redis():
    _assert_exact(_concurrent_hits(200, 100), 100)


def test_the_wait_rounds_up_and_a_peek_counts_nothing():
    caller, now = uuid.uuid4().hex, 1_000_000 * WINDOW_SECONDS + 59.2  # 0.8 s before the end
    assert rate_limit_hit("rounding-test", caller, 1, now=now) is None
    assert rate_limit_hit("rounding-test", caller, 1, now=now) == 1.0  # never 0: come back later
    for _ in range(3):
        peeked = window_peek("rounding-test", caller, 1, window_seconds=WINDOW_SECONDS, now=now)
        assert (peeked.count, peeked.remaining, peeked.reset) == (2, 0, 1)
    fresh = window_peek("rounding-test", caller, 1, window_seconds=WINDOW_SECONDS, now=now + 1)
    assert (fresh.count, fresh.remaining, fresh.reset) == (0, 1, 60)  # the next window
