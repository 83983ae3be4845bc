"""DRF's exception handler: every error a view raises becomes the one error shape.

Besides the services' ApplicationErrors and DRF's own exceptions, one kind of database refusal is
an answer, not a bug: a lock-date trigger (PostgreSQL) refusing a write in a closed period, named
by a constraint ending in `_period_locked` (`ledger_period_locked` on journal entries and lines,
`practice_time_period_locked` on time entries). The services check lock dates first; should a path
ever reach the trigger, the caller gets the same 409 `period_locked` with the trigger's message
(which names the lock date), never a 500. Any other IntegrityError stays unexpected.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import IntegrityError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import set_rollback

from axiomatic.api.errors import error_body
from axiomatic.core.errors import NON_FIELD_ERRORS, ApplicationError, ErrorCode, field_errors
from axiomatic.ledger.errors import LedgerErrorCode

# Every app's lock-date refusal has this code (practice's PracticeErrorCode.PERIOD_LOCKED too).
PERIOD_LOCKED = LedgerErrorCode.PERIOD_LOCKED
PERIOD_LOCKED_CONSTRAINT_SUFFIX = "_period_locked"

_CODES: dict[type[exceptions.APIException], str] = {
    exceptions.ParseError: ErrorCode.MALFORMED_REQUEST,
    exceptions.NotAuthenticated: ErrorCode.NOT_AUTHENTICATED,
    exceptions.AuthenticationFailed: ErrorCode.AUTHENTICATION_FAILED,
    exceptions.PermissionDenied: ErrorCode.PERMISSION_DENIED,
    exceptions.NotFound: ErrorCode.NOT_FOUND,
    exceptions.MethodNotAllowed: ErrorCode.METHOD_NOT_ALLOWED,
    exceptions.NotAcceptable: ErrorCode.NOT_ACCEPTABLE,
    exceptions.UnsupportedMediaType: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    exceptions.Throttled: ErrorCode.RATE_LIMITED,
}


def flatten_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {"lines[1].debit": ["..."]}."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int):  # a list serializer's errors, keyed by position
                path = f"{prefix}[{key}]"
            elif key == NON_FIELD_ERRORS and prefix:  # a nested object's own errors
                path = prefix
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            out.update(flatten_errors(value, path))
    elif isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            if detail:
                out[prefix or NON_FIELD_ERRORS] = [str(item) for item in detail]
        else:
            for i, item in enumerate(detail):
                out.update(flatten_errors(item, f"{prefix}[{i}]"))
    else:
        out[prefix or NON_FIELD_ERRORS] = [str(detail)]
    return out


def _constraint_name(error: IntegrityError) -> str | None:
    """The constraint the database named in its refusal (PostgreSQL's diagnostics), if any."""
    diag = getattr(error.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None)


def period_locked_refusal(error: IntegrityError) -> dict | None:
    """The error body for a lock-date trigger's refusal; None for any other IntegrityError."""
    name = _constraint_name(error)
    if not name or not name.endswith(PERIOD_LOCKED_CONSTRAINT_SUFFIX):
        return None
    diag = error.__cause__.diag
    message = getattr(diag, "message_primary", None) or (
        "The period is locked: move the lock date back, or date the change after it."
    )
    return error_body(PERIOD_LOCKED, message)


def api_exception_handler(exc, context):
    if isinstance(exc, IntegrityError):
        body = period_locked_refusal(exc)
        if body is None:
            return None  # unexpected: the middleware logs it and answers 500 in the error shape
        set_rollback()
        return Response(body, status=409)
    if isinstance(exc, ApplicationError):
        set_rollback()
        return Response(
            error_body(exc.code, exc.message, exc.fields),
            status=exc.status_code,
            headers=getattr(exc, "headers", None),
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None  # unexpected: the middleware logs it and answers 500 in the error shape

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))

    if isinstance(exc, exceptions.ValidationError):
        error = field_errors(flatten_errors(exc.detail) or {NON_FIELD_ERRORS: ["Invalid input."]})
        body = error_body(error.code, error.message, error.fields)
    else:
        code = next((c for cls, c in _CODES.items() if isinstance(exc, cls)), None)
        body = error_body(code or str(exc.default_code), str(exc.detail))
    set_rollback()
    return Response(body, status=exc.status_code, headers=headers)
