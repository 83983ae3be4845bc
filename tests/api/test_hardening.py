"""Production hardening: headers, browsable API off, body and range limits, logs and the database
free of secrets, the PostgreSQL statement timeout."""

import json
import logging
import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client, override_settings

from axiomatic.entities.services import api_key_create
from tests.helpers import assert_error, db_snapshot, requires_postgres

pytestmark = pytest.mark.django_db

INVITE_LINK = re.compile(r"https?://[^\s\"<>]+/invitations/accept/[A-Za-z0-9_\-]+")


def test_security_headers_on_api_and_pages(alice, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_SSL_REDIRECT = False
    for response in (
        alice.client.get(
            "/api/practice/clients", {"firmEntityId": alice.firm.public_id}, secure=True
        ),
        Client().get("/accounts/login/", secure=True),
    ):
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_the_browsable_api_is_off_outside_debug(alice):
    response = alice.client.get(
        "/api/practice/clients", {"firmEntityId": alice.firm.public_id}, HTTP_ACCEPT="text/html"
    )
    assert "text/html" not in response["Content-Type"]
    assert response["Content-Type"].startswith("application/json")


def test_a_body_over_one_mebibyte_is_413_and_writes_nothing(alice, acme):
    before = db_snapshot()
    body = json.dumps(
        {
            "firmEntityId": alice.firm.public_id,
            "entityId": acme.client.public_id,
            "date": "2026-01-05",
            "hours": 1,
            "description": "x" * (1024 * 1024),
        }
    )
    response = alice.client.post("/api/practice/time", body, content_type="application/json")

    assert_error(response, 413, "payload_too_large")
    assert db_snapshot() == before


def test_a_report_range_over_five_years_is_400(alice):
    params = {
        "entityId": alice.firm.public_id,
        "bookId": alice.gl.public_id,
        "report": "income_statement",
        "from": "2020-01-01",
        "to": "2025-12-31",
        "format": "json",
    }
    body = assert_error(alice.client.get("/api/reports/pdf", params), 400, "validation_error")
    assert "from" in body["fields"]
    params["from"] = "2021-01-01"
    assert alice.client.get("/api/reports/pdf", params).status_code == 200


def test_limit_over_2000_is_400(alice):
    response = alice.client.get(
        "/api/practice/time", {"firmEntityId": alice.firm.public_id, "limit": 2001}
    )
    assert_error(response, 400, "validation_error")


def _issue_secrets(alice, acme, capture) -> list[str]:
    """An API key, an invitation link's token and a share link's token, as their owners get them."""
    key = api_key_create(firm=alice.firm, name="second").key
    with capture(execute=True):
        invited = alice.client.post(
            f"/api/practice/clients/{acme.client.public_id}/invite",
            {"email": "pat@acme.test", "role": "VIEWER"},
            format="json",
        )
    assert invited.status_code == 201, invited.content
    invitation_token = INVITE_LINK.search(mail.outbox[-1].body).group(0).rsplit("/", 1)[1]
    # With Idempotency-Keys: the stored responses (kept for replays) carry these secrets too.
    shared = alice.client.post(
        "/api/reports/share",
        {
            "entityId": alice.firm.public_id,
            "reportType": "trial_balance",
            "parameters": {"bookId": alice.gl.public_id, "from": "2026-01-01", "to": "2026-01-31"},
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="share-once",
    )
    assert shared.status_code == 201, shared.content
    share_token = shared.json()["shareUrl"].rsplit("/", 1)[1]
    with override_settings(WEBHOOKS_ALLOW_LOOPBACK=True):
        hooked = alice.client.post(
            "/api/practice/webhooks",
            {"firmEntityId": alice.firm.public_id, "url": "http://127.0.0.1:9/h", "events": ["*"]},
            format="json",
            HTTP_IDEMPOTENCY_KEY="webhook-once",
        )
    assert hooked.status_code == 201, hooked.content
    return [alice.key, key, invitation_token, share_token, hooked.json()["secret"]]


def test_logs_never_carry_tokens_or_keys(alice, acme, caplog, django_capture_on_commit_callbacks):
    caplog.set_level(logging.DEBUG)
    secrets = _issue_secrets(alice, acme, django_capture_on_commit_callbacks)
    invitation_token, share_token = secrets[2], secrets[3]
    anonymous = Client()
    anonymous.get(f"/invitations/accept/{invitation_token}")
    anonymous.get(f"/api/reports/share/{share_token}")
    anonymous.get(f"/api/reports/share/{share_token}x")  # a 404 Django itself logs
    anonymous.get("/api/practice/clients", HTTP_AUTHORIZATION=f"Bearer {secrets[1]}x")  # refused

    logged = caplog.text
    assert "api/reports/share/<str:token>" in logged  # requests are logged, by pattern
    for secret in secrets:
        assert secret not in logged


def _every_text_value() -> list[str]:
    """Every value of every text-like column of every table, as text."""
    values: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = connection.introspection.get_table_description(cursor, table)
            names = [
                c.name
                for c in columns
                if connection.introspection.get_field_type(c.type_code, c)
                in ("CharField", "TextField", "JSONField", "EmailField", "SlugField", "URLField")
            ]
            if not names:
                continue
            quoted = ", ".join(connection.ops.quote_name(n) for n in names)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")
            values.extend(
                v if isinstance(v, str) else json.dumps(v, default=str)
                for row in cursor.fetchall()
                for v in row
                if v is not None
            )
    return values


def test_no_token_is_stored_in_clear(alice, acme, django_capture_on_commit_callbacks):
    secrets = _issue_secrets(alice, acme, django_capture_on_commit_callbacks)

    values = _every_text_value()

    # The scan sees what is stored in clear (the invitee's address)...
    assert any("pat@acme.test" in v for v in values)
    # ... and none of the secrets their owners were given.
    assert [s[:8] for s in secrets if any(s in v for v in values)] == []


@requires_postgres
def test_postgres_connections_have_a_statement_timeout():
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "30s"


@pytest.mark.parametrize(
    "path",
    [
        "/api/practice/time",
        "/api/practice/clients",
        "/api/ledger/journal-entries",
        "/api/reports/share",
    ],
)
def test_options_describes_the_endpoint_without_failing(alice, path):
    response = alice.client.options(path)
    assert response.status_code == 200
    assert response.json()["schema"] == "/api/schema/"
