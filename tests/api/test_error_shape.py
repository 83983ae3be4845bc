"""Every 4xx/5xx under /api/ is the one JSON error shape, whoever produced it."""

import logging

import pytest
from django.test import Client

from tests.helpers import assert_error

pytestmark = pytest.mark.django_db


def test_an_unknown_api_path_is_a_json_404(alice):
    assert_error(alice.client.get("/api/no/such/thing"), 404, "not_found")
    assert_error(Client().get("/api/ledger/books/extra"), 404, "not_found")


def test_a_wrong_method_is_a_json_405_with_allow(alice):
    response = alice.client.delete("/api/ledger/books", {"entityId": alice.firm.public_id})
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]
    assert_error(alice.client.put("/api/ledger/journal-entries", {}, format="json"), 405)


@pytest.mark.urls("tests.api.boom_urls")
def test_an_unexpected_error_in_a_drf_view_is_a_json_500_without_details(caplog):
    client = Client(raise_request_exception=False)
    error = assert_error(client.get("/api/test/drf-boom"), 500, "internal_error")
    assert "secret" not in error["message"]
    assert any("secret internal detail" in r.getMessage() or r.exc_info for r in caplog.records)


@pytest.mark.urls("tests.api.boom_urls")
def test_an_unexpected_error_in_a_plain_view_is_a_json_500():
    client = Client(raise_request_exception=False)
    error = assert_error(client.get("/api/test/django-boom"), 500, "internal_error")
    assert "secret" not in error["message"]


@pytest.mark.urls("tests.api.boom_urls")
def test_an_html_error_page_under_api_becomes_json():
    assert_error(Client().get("/api/test/html-error"), 400, "malformed_request")


@pytest.mark.urls("tests.api.boom_urls")
def test_errors_outside_the_api_are_left_alone():
    response = Client(raise_request_exception=False).get("/outside/boom")
    assert response.status_code == 500
    assert not response["Content-Type"].startswith("application/json")


@pytest.mark.urls("tests.api.boom_urls")
@pytest.mark.parametrize(
    ("path", "route"),
    [
        ("/api/test/boom/", "/api/test/boom/<str:token>"),
        ("/api/test/plain-boom/", "/api/test/plain-boom/<str:token>"),
        ("/outside/boom/", "/outside/boom/<str:token>"),
    ],
)
def test_an_unexpected_error_under_a_tokened_path_logs_the_pattern_not_the_token(
    caplog, path, route
):
    caplog.set_level(logging.DEBUG)
    token = "tok_" + "S3cr3tT0ken" * 3
    response = Client(raise_request_exception=False).get(path + token)

    assert response.status_code == 500
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert any(r.exc_info for r in errors)  # the failure is logged, with its traceback
    assert route in caplog.text
    assert token not in caplog.text
    assert "S3cr3tT0ken" not in caplog.text


def test_the_admin_keeps_its_html_login():
    response = Client().get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
