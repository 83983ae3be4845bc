"""Idempotency-Key on POST, with Stripe's promises.

- The same key with the same request (method, path, body) within IDEMPOTENCY_TTL replays the first
  response, status and body, with `Idempotent-Replayed: true`, and does nothing again.
- The same key with a different request is 409 `idempotency_error`.
- While the first request is still running, the same key is 409 `idempotency_error` with
  Retry-After: exactly one request does the work (the unique (scope, key) row is taken first).
- Only successful (2xx) responses are kept: a request refused by validation or by a rule, or one
  that failed, releases its key so that a corrected retry can use it.
- Keys are scoped per firm for API keys (all keys of one firm share them) and per user for sessions.
- Expired records are ignored, and purged by a periodic task.
"""

import datetime as dt
import hashlib
import json

from django.utils import timezone
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from axiomatic.api.authentication import ApiKeyUser
from axiomatic.api.models import IdempotencyRecord
from axiomatic.core.db import in_savepoint
from axiomatic.core.encryption import CannotDecrypt, decrypt_text, encrypt_text
from axiomatic.core.errors import ApplicationError, ErrorCode, field_errors

HEADER = "Idempotency-Key"
IDEMPOTENCY_TTL = dt.timedelta(hours=24)
MAX_KEY_LENGTH = 255


class Replay(Exception):
    """Raised from a view's `initial()` to answer with a stored response."""

    def __init__(self, response: Response):
        self.response = response


def _scope(request) -> str:
    user = request.user
    if isinstance(user, ApiKeyUser):
        return f"firm:{user.api_key.firm_id}"
    return f"user:{user.pk}"


def _request_hash(request) -> str:
    body = json.dumps(request.data, sort_keys=True, default=str, separators=(",", ":"))
    material = f"{request.method}\n{request.path}\n{body}"
    return hashlib.sha256(material.encode()).hexdigest()


def _conflict(message: str, *, status: int = 409) -> ApplicationError:
    return ApplicationError(message, code=ErrorCode.IDEMPOTENCY_ERROR, status=status)


def idempotency_begin(request, key: str) -> IdempotencyRecord:
    """Take the key for this request, or raise Replay / a 409 / a 400."""
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise field_errors(
            {HEADER: [f"Must be 1 to {MAX_KEY_LENGTH} printable characters (a UUID is ideal)."]}
        )
    scope, digest, now = _scope(request), _request_hash(request), timezone.now()
    IdempotencyRecord.objects.filter(scope=scope, key=key, expires_at__lte=now).delete()
    record = in_savepoint(
        lambda: IdempotencyRecord.objects.create(
            scope=scope, key=key, request_hash=digest, expires_at=now + IDEMPOTENCY_TTL
        ),
        on_conflict=lambda error: None,  # the key is taken: see by whom, below
    )
    if record is not None:
        return record
    existing = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
    if existing is None:  # released between our insert and our read: the caller may retry
        raise _retry_later()
    if existing.request_hash != digest:
        raise _conflict(
            "This Idempotency-Key was already used with a different request. Use a new key for a "
            "new request."
        )
    if existing.state != IdempotencyRecord.State.COMPLETE:
        raise _retry_later()
    try:
        body = json.loads(decrypt_text(existing.response_body))
    except CannotDecrypt:  # never do the work twice: say so instead
        raise _conflict(
            "The first response to this Idempotency-Key can no longer be replayed (the server's "
            "encryption keys changed). The request was done: check its result before using a new key."
        ) from None
    response = Response(body, status=existing.response_status)
    response["Idempotent-Replayed"] = "true"
    raise Replay(response)


def _retry_later() -> ApplicationError:
    error = _conflict(
        "A request with this Idempotency-Key is still being processed. Retry in a moment."
    )
    error.headers = {"Retry-After": "1"}
    return error


def idempotency_finish(record: IdempotencyRecord, response) -> None:
    """Keep a successful response; release the key otherwise."""
    if 200 <= response.status_code < 300 and isinstance(response, Response):
        record.state = IdempotencyRecord.State.COMPLETE
        record.response_status = response.status_code
        # Encrypted: a replayed response may carry a secret shown once (a share link, a signing secret).
        record.response_body = encrypt_text(JSONRenderer().render(response.data).decode())
        record.save(update_fields=["state", "response_status", "response_body"])
    else:
        idempotency_release(record)


def idempotency_release(record: IdempotencyRecord) -> None:
    """Free the key: the request did not succeed (4xx, or a 5xx: our writes are one transaction
    each, so a crash rolled the write back), and the caller may retry with the same key."""
    IdempotencyRecord.objects.filter(pk=record.pk).delete()


def idempotency_purge(now: dt.datetime | None = None) -> int:
    deleted, _ = IdempotencyRecord.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
