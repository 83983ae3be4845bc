"""Assertions, markers, the API caller and the race runner shared by the tests."""

from __future__ import annotations

import io
import json
import logging
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import pytest
from django.apps import apps
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.utils.http import urlencode
from django_otp.oath import TOTP

if TYPE_CHECKING:
    from tests.conftest import Persona

T = TypeVar("T")

requires_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: set DATABASE_URL=postgres://... (CI does)",
)

NBSP = "\u00a0"


def pdf_layout_text(pdf: bytes) -> list[str]:
    """The PDF's printed lines as poppler's `pdftotext -layout` reads them, spaces squeezed.
    Without poppler-utils the test skips and says what to install (under CI=true it fails)."""
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        message = "needs pdftotext: apt-get install poppler-utils (.ci/run does)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return [" ".join(line.replace(NBSP, " ").split()) for line in text.splitlines()]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The one error shape, with the expected status (and code), naming the request's id as its
    Request-Id header does."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "fields", "requestId"}, body
    assert body["error"]["message"], body
    assert body["error"]["requestId"], body
    assert body["error"]["requestId"] == response.get("Request-Id"), (body, response.headers)
    if code is not None:
        assert body["error"]["code"] == code, body
    return body["error"]


@contextmanager
def json_logs() -> Iterator[list[dict]]:
    """What the production log handler (JSON lines, with the request id filter) writes while the
    block runs, parsed line by line into the yielded list when the block ends."""
    from axiomatic.core.logs import JsonLogFormatter, RequestIdFilter

    stream, lines = io.StringIO(), []
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLogFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lines
    finally:
        root.removeHandler(handler)
        lines.extend(json.loads(line) for line in stream.getvalue().splitlines())


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


# --- Calling the API ------------------------------------------------------------------------------


class Api:
    """JSON requests as one caller (a persona, or any test client), each checked for its status.

    `get`, `post`, `patch` and `delete` assert the status, with the response body in the message,
    and return the parsed JSON (None for an empty body). An error status (400 and up) is checked by
    `assert_error` instead: the one error shape, and `code` when given; its error object is
    returned. `request` returns the response unchecked, for answers compared byte for byte.
    `params` go in the query string; `raw` is a body sent as it is, for malformed JSON.
    """

    def __init__(self, caller: Persona | Client) -> None:
        self.client = caller if isinstance(caller, Client) else caller.client

    def request(
        self,
        method: str,
        path: str,
        body: object = None,
        *,
        params: Mapping[str, object] | None = None,
        raw: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> HttpResponse:
        if params:
            path += ("&" if "?" in path else "?") + urlencode(params, doseq=True)
        payload: dict[str, str] = {}
        if raw is not None or body is not None:
            data = raw if raw is not None else json.dumps(body)
            payload = {"data": data, "content_type": "application/json"}
        return getattr(self.client, method.lower())(path, headers=headers, **payload)

    def get(
        self,
        path: str,
        params: Mapping[str, object] | None = None,
        *,
        status: int = 200,
        code: str | None = None,
    ) -> Any:
        return _checked(self.request("GET", path, params=params), status, code)

    def post(
        self,
        path: str,
        body: object = None,
        *,
        params: Mapping[str, object] | None = None,
        raw: str | None = None,
        headers: Mapping[str, str] | None = None,
        status: int = 201,
        code: str | None = None,
    ) -> Any:
        response = self.request("POST", path, body, params=params, raw=raw, headers=headers)
        return _checked(response, status, code)

    def patch(
        self,
        path: str,
        body: object = None,
        *,
        params: Mapping[str, object] | None = None,
        raw: str | None = None,
        status: int = 200,
        code: str | None = None,
    ) -> Any:
        return _checked(self.request("PATCH", path, body, params=params, raw=raw), status, code)

    def delete(
        self,
        path: str,
        params: Mapping[str, object] | None = None,
        *,
        status: int = 204,
        code: str | None = None,
    ) -> Any:
        return _checked(self.request("DELETE", path, params=params), status, code)


def api(caller: Persona | Client) -> Api:
    """`api(alice).post(TIME, body)`: see `Api`."""
    return Api(caller)


def in_firm(firm_id: str) -> dict[str, str]:
    """The query string that names the acting firm: `params=in_firm(alice.firm.public_id)`."""
    return {"firmEntityId": firm_id}


def _checked(response: HttpResponse, status: int, code: str | None) -> Any:
    if status >= 400:
        return assert_error(response, status, code)
    assert code is None, "an error code goes with an error status"
    request = response.wsgi_request
    assert response.status_code == status, (
        f"{request.method} {request.get_full_path()}: expected {status}, "
        f"got {response.status_code}: {response.content!r}"
    )
    return response.json() if response.content else None


# --- Races ----------------------------------------------------------------------------------------


@dataclass
class Race(Generic[T]):
    """What the racing calls returned, in the order the calls were given (a call that raised
    leaves no result), and what they raised."""

    results: list[T] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)


def run_together(*calls: Callable[[], T], timeout: float = 60) -> Race[T]:
    """Run each call on its own thread, all released at once by one `threading.Barrier`.

    Without the barrier the threads would mostly run one after the other, and a race test would
    pass on code that is broken under real concurrency. Each thread has its own database
    connection (Django's are per thread) and closes it when done, so that the test database can
    be dropped afterwards. A thread cannot fail the test itself: what it raises is collected, and
    a thread still running after `timeout` seconds is reported as a `TimeoutError`.
    """
    barrier = threading.Barrier(len(calls))
    returned: dict[int, T] = {}
    errors: list[BaseException] = []

    def run(index: int, call: Callable[[], T]) -> None:
        try:
            barrier.wait(timeout=timeout)
            returned[index] = call()
        except BaseException as exc:  # collected for the test to assert on
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    errors += [
        TimeoutError(f"{t.name} still running after {timeout} s") for t in threads if t.is_alive()
    ]
    return Race(results=[returned[i] for i in sorted(returned)], errors=errors)


def run_concurrently(fn: Callable[[], T], n: int, *, timeout: float = 60) -> Race[T]:
    """`fn` on `n` threads at once: see `run_together`."""
    return run_together(*[fn] * n, timeout=timeout)


def share_open_path(persona) -> str:
    """A new share link on the persona's General Ledger (a January trial balance), as the path
    an anonymous visitor opens."""
    created = persona.client.post(
        "/api/reports/share",
        {
            "entityId": persona.firm.public_id,
            "reportType": "trial_balance",
            "parameters": {
                "bookId": persona.gl.public_id,
                "from": "2026-01-01",
                "to": "2026-01-31",
            },
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    return "/api/reports/share/" + created.json()["shareUrl"].rsplit("/", 1)[1]


def totp_code(key: bytes, *, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows for `key` now (or `steps_ahead` 30-second steps later:
    a code may be used once, so a second sign-in within one step needs the next step's code,
    which the server accepts within its tolerance of one step)."""
    totp = TOTP(key, step=30, t0=0, digits=6)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"
