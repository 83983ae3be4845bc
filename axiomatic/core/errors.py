"""ApplicationError: how services say no.

Services raise it with a stable machine-readable `code`, a human message, optional per-field
messages and the HTTP status the API should answer with. The API's exception handler turns it into
the one error shape: {"error": {"code", "message", "fields"}}. The admin shows the message.
"""

from enum import StrEnum


class ErrorCode(StrEnum):
    VALIDATION_ERROR = "validation_error"
    MALFORMED_REQUEST = "malformed_request"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    NOT_AUTHENTICATED = "not_authenticated"
    AUTHENTICATION_FAILED = "authentication_failed"
    PERMISSION_DENIED = "permission_denied"
    PARTNER_PROGRAM_REQUIRED = "partner_program_required"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_ACCEPTABLE = "not_acceptable"
    CONFLICT = "conflict"
    RATE_LIMITED = "rate_limited"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    IDEMPOTENCY_ERROR = "idempotency_error"
    INTERNAL_ERROR = "internal_error"


NON_FIELD_ERRORS = "non_field_errors"


class ApplicationError(Exception):
    status_code = 400

    def __init__(
        self,
        message: str,
        *,
        code: str = ErrorCode.VALIDATION_ERROR,
        fields: dict[str, list[str]] | None = None,
        status: int | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.code = str(code)
        self.fields = fields or {}
        if status is not None:
            self.status_code = status


class NotFoundError(ApplicationError):
    """The same answer for an unknown id and for another firm's id: never confirm what exists."""

    status_code = 404

    def __init__(self, message: str = "Not found.", **kwargs):
        kwargs.setdefault("code", ErrorCode.NOT_FOUND)
        super().__init__(message, **kwargs)


class AccessDeniedError(ApplicationError):
    status_code = 403

    def __init__(self, message: str, **kwargs):
        kwargs.setdefault("code", ErrorCode.PERMISSION_DENIED)
        super().__init__(message, **kwargs)


class ConflictError(ApplicationError):
    status_code = 409

    def __init__(self, message: str, **kwargs):
        kwargs.setdefault("code", ErrorCode.CONFLICT)
        super().__init__(message, **kwargs)


class RateLimitedError(ApplicationError):
    """429 with Retry-After: the caller may try again in `retry_after` seconds."""

    status_code = 429

    def __init__(self, message: str, *, retry_after: float, **kwargs):
        kwargs.setdefault("code", ErrorCode.RATE_LIMITED)
        super().__init__(message, **kwargs)
        self.headers = {"Retry-After": str(max(1, int(retry_after + 0.999)))}


def field_errors(fields: dict[str, list[str]], *, code: str = ErrorCode.VALIDATION_ERROR):
    """An ApplicationError whose message names the first problem: 'hours: must be greater than 0'."""
    key, messages = next(iter(fields.items()))
    message = messages[0] if key == NON_FIELD_ERRORS else f"{key}: {messages[0]}"
    return ApplicationError(message, code=code, fields=fields)
