"""Assertions and markers shared by the tests."""

import socket
import time

import pytest
from django.apps import apps
from django.db import connection
from django_otp.oath import TOTP

requires_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: set DATABASE_URL=postgres://... (CI does)",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The one error shape, with the expected status (and code)."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "fields"}, body
    assert body["error"]["message"], body
    if code is not None:
        assert body["error"]["code"] == code, body
    return body["error"]


def db_snapshot() -> dict[str, int]:
    """Row counts of every table of ours: compare before and after a denied request."""
    labels = {"entities", "ledger", "practice", "billing", "reports"}
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in labels
    }


def db_fingerprint() -> dict[str, tuple]:
    """Row count and latest change of every table of ours, and the mail sent: a denied request
    must leave all of it as it was."""
    from django.core import mail
    from django.db.models import Max

    labels = {"entities", "ledger", "practice", "billing", "reports", "api"}
    state: dict[str, tuple] = {}
    for model in apps.get_models():
        if model._meta.app_label not in labels:
            continue
        fields = {f.name for f in model._meta.concrete_fields}
        latest = next((f for f in ("updated_at", "created_at") if f in fields), None)
        changed = model.objects.aggregate(m=Max(latest))["m"] if latest else None
        state[model._meta.label] = (model.objects.count(), changed)
    state["mail.outbox"] = (len(getattr(mail, "outbox", [])), None)
    return state


def totp_code(key: bytes, *, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows for `key` now (or `steps_ahead` 30-second steps later:
    a code may be used once, so a second sign-in within one step needs the next step's code,
    which the server accepts within its tolerance of one step)."""
    totp = TOTP(key, step=30, t0=0, digits=6)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"
