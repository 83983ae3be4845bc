"""Request-level guards: a body size limit and a request log that never records secrets.

- A request body over API_MAX_BODY_BYTES (1 MiB) is refused with 413 in the error shape before any
  view reads it (by Content-Length), or when reading it overflows (chunked bodies).
- Each request is logged as method, URL *pattern* (e.g. `reports/share/<str:token>`), status and
  duration. The pattern never carries the values in the path, so share tokens, invitation tokens and
  ids stay out of the logs; query strings and headers (API keys) are never logged. The line's
  fields (`method`, `route`, `status`, `duration_ms`, the `request_id` every line of the request
  has, and the caller's `api_key_id` and `firm_id`, or `user_id`, when authentication found them)
  are fields of the JSON object in production (`axiomatic.core.logs`). A streamed body's duration
  is the time to its first chunk being ready, not to its last being sent.
"""

import logging
import time

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.utils.functional import SimpleLazyObject, empty

from axiomatic.api.errors import error_json_response
from axiomatic.core.errors import ErrorCode

logger = logging.getLogger("axiomatic.requests")


def _too_large():
    limit = settings.API_MAX_BODY_BYTES
    return error_json_response(
        413,
        ErrorCode.PAYLOAD_TOO_LARGE,
        f"The request body is larger than {limit} bytes. Send fewer items per request.",
    )


class BodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.API_MAX_BODY_BYTES:
            return _too_large()
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, RequestDataTooBig):
            return _too_large()
        return None


def request_route(request) -> str:
    """The URL pattern the request matched (`/reports/share/<str:token>`): what we log instead of
    its path, which can carry a token."""
    match = getattr(request, "resolver_match", None)
    return "/" + match.route if match is not None else "<unresolved path>"


def request_caller(request) -> dict[str, str]:
    """The caller's public ids, as authentication left them on the request (no query: a session
    user not loaded by then is not loaded for the log). Duck-typed: LOGGING imports this module
    (RedactPathFilter) before the apps, and so their models, are loaded."""
    user = getattr(request, "user", None)
    if isinstance(user, SimpleLazyObject):  # the session's user, loaded only if something used it
        user = None if user._wrapped is empty else user._wrapped
    api_key = getattr(user, "api_key", None)  # an ApiKeyUser (axiomatic.api.authentication)
    if api_key is not None:
        return {"api_key_id": api_key.public_id, "firm_id": api_key.firm.public_id}
    if getattr(user, "is_authenticated", False) is True and getattr(user, "public_id", None):
        return {"user_id": user.public_id}
    return {}


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        response = self.get_response(request)
        duration_ms = round((time.monotonic() - started) * 1000, 1)
        route = request_route(request)
        fields = {"method": request.method, "route": route, "status": response.status_code}
        logger.info(
            "%s %s %s %.1fms",
            request.method,
            route,
            response.status_code,
            duration_ms,
            extra={**fields, "duration_ms": duration_ms, **request_caller(request)},
        )
        return response


class RedactPathFilter(logging.Filter):
    """For Django's own request logs ("Not Found: /reports/share/tok_..."): log the URL pattern
    instead of the path, so tokens in paths never reach a log."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        path = getattr(request, "path", None)
        if path and isinstance(record.args, tuple):
            route = request_route(request)
            record.args = tuple(route if arg == path else arg for arg in record.args)
        return True
