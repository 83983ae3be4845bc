"""Request ids: `Request-Id` on every response, a caller's well-formed `X-Request-Id` kept, and the
same id in every error body (`error.requestId`), whoever produced the error."""

import json
import re

import pytest
from django.core.cache import cache
from django.test import Client

from axiomatic.core.request_context import current_request_id
from tests.api import request_id_urls
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

CLIENTS = "/api/practice/clients"
NEW_ID = re.compile(r"req_[0123456789abcdefghjkmnpqrstvwxyz]{24}")


@pytest.fixture(autouse=True)
def same_request_id():
    """Here the ids are the subject: each request makes its own unless the test sends one."""


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()
    yield
    cache.clear()


def test_every_response_carries_a_new_request_id(alice):
    responses = [
        alice.client.get(CLIENTS, {"firmEntityId": alice.firm.public_id}),
        alice.client.get("/api/no/such/thing"),
        Client().get(CLIENTS),  # 401
        Client().get("/health/live", HTTP_HOST="10.0.3.7"),  # a probe, before host validation
        Client().get("/accounts/login/"),  # a page
    ]
    assert [r.status_code for r in responses] == [200, 404, 401, 200, 200]
    ids = [r["Request-Id"] for r in responses]
    assert all(NEW_ID.fullmatch(i) for i in ids), ids
    assert len(set(ids)) == len(ids)
    assert current_request_id() is None  # reset once each response was made


@pytest.mark.parametrize("given", ["a", "abc-DEF_123.x:y", "0" * 128, "7f0c9a1e-3b7c-4b1a-9d7e"])
def test_a_well_formed_caller_request_id_is_kept(alice, given):
    response = alice.client.get("/api/no/such/thing", HTTP_X_REQUEST_ID=given)
    assert response["Request-Id"] == given
    assert assert_error(response, 404, "not_found")["requestId"] == given


@pytest.mark.parametrize(
    "given",
    ["", "0" * 129, "has space", "semi;colon", "line\nbreak", "ends-with-newline\n", "ünï", "<b>"],
)
def test_anything_else_is_ignored_for_a_new_id(alice, given):
    response = alice.client.get("/api/no/such/thing", HTTP_X_REQUEST_ID=given)
    assert NEW_ID.fullmatch(response["Request-Id"])
    assert_error(response, 404, "not_found")


def test_drf_errors_carry_the_request_id(alice, acme):
    params = {"firmEntityId": alice.firm.public_id}
    for response, status in (
        (alice.client.get(CLIENTS, {"firmEntityId": "ent_bad"}), 400),
        (
            alice.client.post("/api/practice/time", "{not json", content_type="application/json"),
            400,
        ),
        (Client().get(CLIENTS, params), 401),
        (Client().get(CLIENTS, params, HTTP_AUTHORIZATION="Bearer axk_nope"), 401),
        (alice.client.get(f"/api/practice/time/te_{'0' * 26}/history", params), 404),
        (alice.client.delete("/api/ledger/books", params), 405),
    ):
        assert_error(response, status)


def test_middleware_errors_carry_the_request_id(alice, acme):
    assert_error(Client().get("/api/no/such/thing"), 404, "not_found")
    body = json.dumps({"firmEntityId": alice.firm.public_id, "description": "x" * (1024 * 1024)})
    too_large = alice.client.post("/api/practice/time", body, content_type="application/json")
    assert_error(too_large, 413, "payload_too_large")
    refused = Client().post("/health/live", HTTP_HOST="10.0.3.7")
    assert_error(refused, 405, "method_not_allowed")


@pytest.mark.urls("tests.api.boom_urls")
@pytest.mark.parametrize("path", ["/api/test/drf-boom", "/api/test/django-boom"])
def test_a_500_carries_the_request_id(path):
    response = Client(raise_request_exception=False).get(path, HTTP_X_REQUEST_ID="trace-500")
    assert assert_error(response, 500, "internal_error")["requestId"] == "trace-500"


def test_a_429_carries_the_request_id(alice, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 1
    params = {"firmEntityId": alice.firm.public_id}
    assert alice.client.get(CLIENTS, params).status_code == 200
    assert_error(alice.client.get(CLIENTS, params), 429, "rate_limited")


def test_a_password_reset_429_in_json_carries_the_request_id(settings):
    settings.PASSWORD_RESET_LIMIT = 1
    visitor = Client(HTTP_ACCEPT="application/json")
    visitor.post("/accounts/password-reset/", {"email": "pat@example.test"})
    refused = visitor.post("/accounts/password-reset/", {"email": "pat@example.test"})
    assert_error(refused, 429, "rate_limited")


@pytest.mark.urls("tests.api.request_id_urls")
def test_a_streamed_response_gets_the_headers_and_still_streams():
    request_id_urls.SEEN_WHILE_STREAMING.clear()
    response = Client().get("/api/test/streamed", HTTP_X_REQUEST_ID="stream-1")

    assert response.streaming
    assert response["Request-Id"] == "stream-1"
    assert response["Axiomatic-Version"] == "2026-12-01"
    assert int(response["RateLimit-Remaining"]) >= 0
    assert request_id_urls.SEEN_WHILE_STREAMING == []  # nothing made before it is read
    assert b"".join(response.streaming_content) == b"row 0\nrow 1\nrow 2\n"
    # Each chunk was made with the request's id current (its log lines carry it), and only then.
    assert request_id_urls.SEEN_WHILE_STREAMING == ["stream-1"] * 3
    assert current_request_id() is None
