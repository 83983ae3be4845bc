"""Structured logs: one JSON object a line in production, text in development, every line of a
request with its request id, the request's line with its fields and never a path, query string,
token or key."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from axiomatic.core.logs import JsonLogFormatter, RequestIdFilter, TextLogFormatter
from axiomatic.core.request_context import request_id_bind, request_id_reset
from axiomatic.entities.models import ApiKey
from tests.helpers import json_logs, share_open_path

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent
CLIENTS = "/api/practice/clients"


def _request_lines(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["logger"] == "axiomatic.requests"]


def test_the_request_line_is_json_with_its_fields_and_request_id(alice):
    with json_logs() as lines:
        response = alice.client.get(
            CLIENTS, {"firmEntityId": alice.firm.public_id}, HTTP_X_REQUEST_ID="trace-log-1"
        )
    assert response.status_code == 200

    [line] = _request_lines(lines)
    assert line["request_id"] == response["Request-Id"] == "trace-log-1"
    assert line["method"] == "GET"
    assert line["route"] == "/api/practice/clients"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["firm_id"] == alice.firm.public_id
    assert line["api_key_id"] == ApiKey.objects.get(firm=alice.firm).public_id
    assert line["level"] == "INFO" and line["time"].endswith("+00:00")
    assert alice.firm.public_id not in line["message"]  # the query string is not in it


def test_every_line_of_a_request_carries_its_id_and_none_outside():
    with json_logs() as lines:
        response = Client().get("/api/no/such/thing")  # Django logs "Not Found" itself
        logging.getLogger("axiomatic.test").warning("after the request")
    by_logger = {line["logger"]: line for line in lines}

    assert by_logger["django.request"]["request_id"] == response["Request-Id"]
    assert by_logger["axiomatic.requests"]["request_id"] == response["Request-Id"]
    assert by_logger["axiomatic.requests"]["route"] == "<unresolved path>"
    assert by_logger["axiomatic.test"]["request_id"] is None


def test_no_path_query_string_token_or_key_reaches_the_json_logs(alice):
    share = share_open_path(alice)
    token = share.rsplit("/", 1)[1]
    with json_logs() as lines:
        Client().get(share + "?tracking=qs-secret-value")
        Client().get(share + "x")  # a 404 Django logs, with the request attached
        Client().get(CLIENTS, {"key": "qs-secret-value"}, HTTP_AUTHORIZATION=f"Bearer {alice.key}x")
    written = "\n".join(json.dumps(line) for line in lines)

    assert "/api/reports/share/<str:token>" in written  # logged, by pattern
    assert lines and all("request_id" in line for line in lines)
    for secret in (token, "qs-secret-value", alice.key, "tracking"):
        assert secret not in written


def test_a_caller_request_id_cannot_forge_a_log_line():
    with json_logs() as lines:
        response = Client().get(CLIENTS, HTTP_X_REQUEST_ID='x"}\n{"level": "forged')
    assert response["Request-Id"].startswith("req_")
    assert {line["request_id"] for line in _request_lines(lines)} == {response["Request-Id"]}


def _record(message: str) -> logging.LogRecord:
    record = logging.LogRecord("axiomatic.test", logging.INFO, __file__, 1, message, (), None)
    RequestIdFilter().filter(record)
    return record


def test_the_formats_with_and_without_a_request_id():
    outside = _record("outside")
    token = request_id_bind("req_abc")
    try:
        inside = _record("inside")
    finally:
        request_id_reset(token)

    assert json.loads(JsonLogFormatter().format(inside))["request_id"] == "req_abc"
    assert json.loads(JsonLogFormatter().format(outside))["request_id"] is None
    assert TextLogFormatter().format(inside).endswith("INFO axiomatic.test [req_abc] inside")
    assert TextLogFormatter().format(outside).endswith("INFO axiomatic.test [-] outside")


def test_the_console_handler_has_the_filter_and_the_configured_format():
    console = django_settings.LOGGING["handlers"]["console"]
    assert console["filters"] == ["request_id"]
    assert console["formatter"] == django_settings.LOG_FORMAT


PROBE = """
import json, logging, django
django.setup()
from django.conf import settings
handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
print(json.dumps([settings.LOG_FORMAT, type(handler.formatter).__name__]))
"""


def _probe(**env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "LOG_FORMAT")}
    clean.update(DJANGO_SETTINGS_MODULE="axiomatic.test_settings", **env)
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=90,
    )


def test_log_format_follows_debug_unless_set_and_refuses_other_values():
    assert json.loads(_probe().stdout.splitlines()[-1]) == ["json", "JsonLogFormatter"]
    debug = json.loads(_probe(DEBUG="true").stdout.splitlines()[-1])
    assert debug == ["text", "TextLogFormatter"]
    bad = _probe(LOG_FORMAT="yaml")
    assert bad.returncode != 0
    assert "LOG_FORMAT must be json or text" in bad.stderr
