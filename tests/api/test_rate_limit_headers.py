"""RateLimit-Limit, -Remaining and -Reset on every API response, from the count that refuses;
Axiomatic-Version beside them. Over HTTP, on SQLite and on PostgreSQL with Redis alike."""

import json

import pytest
from django.core.cache import cache
from django.test import Client

from axiomatic.api.versioning import API_VERSION
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

CLIENTS = "/api/practice/clients"


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()
    yield
    cache.clear()


def _limits(response) -> tuple[int, int, int]:
    return (
        int(response["RateLimit-Limit"]),
        int(response["RateLimit-Remaining"]),
        int(response["RateLimit-Reset"]),
    )


def _statement_params(alice) -> dict[str, str]:
    return {
        "entityId": alice.firm.public_id,
        "bookId": alice.gl.public_id,
        "report": "trial_balance",
        "from": "2026-01-01",
        "to": "2026-01-31",
        "format": "json",
    }


def test_remaining_counts_down_and_the_429_says_when_to_come_back(alice, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    params = {"firmEntityId": alice.firm.public_id}
    answers = [alice.client.get(CLIENTS, params) for _ in range(3)]

    assert [r.status_code for r in answers] == [200, 200, 200]
    assert [_limits(r)[:2] for r in answers] == [(3, 2), (3, 1), (3, 0)]
    assert all(1 <= _limits(r)[2] <= 60 for r in answers)

    refused = alice.client.get(CLIENTS, params)
    assert_error(refused, 429, "rate_limited")
    limit, remaining, reset = _limits(refused)
    assert (limit, remaining) == (3, 0)
    assert 1 <= reset <= 60
    assert int(refused["Retry-After"]) == reset


def test_answers_no_throttle_counted_read_the_window_without_counting(alice, acme, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 5
    visitor = Client(REMOTE_ADDR="203.0.113.9")
    body = json.dumps({"description": "x" * (1024 * 1024)})
    uncounted = [
        visitor.get(CLIENTS),  # 401: no key
        visitor.get("/api/no/such/thing"),  # 404 of an unknown path
        visitor.post(CLIENTS, body, content_type="application/json"),  # 413
        visitor.get(CLIENTS, HTTP_AUTHORIZATION="Bearer axk_unknown"),  # 401: a bad key
    ]
    assert [r.status_code for r in uncounted] == [401, 404, 413, 401]
    assert [_limits(r)[:2] for r in uncounted] == [(5, 5)] * 4
    assert all(1 <= _limits(r)[2] <= 60 for r in uncounted)

    # The key's own window, counted by its requests, is not the address's.
    params = {"firmEntityId": alice.firm.public_id}
    alice.client.get(CLIENTS, params)
    assert _limits(alice.client.get(CLIENTS, params))[:2] == (5, 3)


def test_share_link_opens_describe_the_addresss_share_window(settings):
    settings.SHARE_RATE_LIMIT_PER_MINUTE = 2
    visitor = Client(REMOTE_ADDR="203.0.113.10")
    opened = [visitor.get("/api/reports/share/tok_names_nothing") for _ in range(3)]

    assert [r.status_code for r in opened] == [404, 404, 429]
    assert [_limits(r)[:2] for r in opened] == [(2, 1), (2, 0), (2, 0)]
    assert int(opened[2]["Retry-After"]) == _limits(opened[2])[2]
    # Another address has its own window.
    assert _limits(Client(REMOTE_ADDR="203.0.113.11").get("/api/reports/share/x"))[:2] == (2, 1)


def test_report_renders_describe_the_tighter_window(alice, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 100
    settings.REPORT_RATE_LIMIT_PER_MINUTE = 2
    params = _statement_params(alice)
    first, second = (alice.client.get("/api/reports/pdf", params) for _ in range(2))
    assert (first.status_code, second.status_code) == (200, 200)
    assert _limits(first)[:2] == (2, 1)
    assert _limits(second)[:2] == (2, 0)

    refused = alice.client.get("/api/reports/pdf", params)
    assert_error(refused, 429, "rate_limited")
    assert _limits(refused)[:2] == (2, 0)
    assert int(refused["Retry-After"]) == _limits(refused)[2]
    # Elsewhere the general window: three requests counted in it so far, this one the fourth.
    assert _limits(alice.client.get(CLIENTS, {"firmEntityId": alice.firm.public_id}))[:2] == (
        100,
        96,
    )


def test_every_api_answer_names_the_version(alice):
    answers = [
        alice.client.get(CLIENTS, {"firmEntityId": alice.firm.public_id}),
        alice.client.get("/api/no/such/thing"),
        Client().get(CLIENTS),
        Client().get("/api/schema/"),
    ]
    assert all(r["Axiomatic-Version"] == API_VERSION == "2026-12-01" for r in answers)
    assert all(r.has_header("RateLimit-Remaining") for r in answers)
    assert not Client().get("/accounts/login/").has_header("Axiomatic-Version")


def test_a_cache_that_does_not_answer_costs_the_headers_not_the_answer(monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", down)
    response = Client().get(CLIENTS)  # a 401: nothing counted, the window would be read

    assert_error(response, 401, "not_authenticated")
    assert response["Axiomatic-Version"] == API_VERSION
    assert not response.has_header("RateLimit-Remaining")
