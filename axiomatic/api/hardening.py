"""Request-level guards: a body size limit and a request log that never records secrets.

- A request body over API_MAX_BODY_BYTES (1 MiB) is refused with 413 in the error shape before any
  view reads it (by Content-Length), or when reading it overflows (chunked bodies).
- Each request is logged as method, URL *pattern* (e.g. `reports/share/<str:token>`), status and
  duration. The pattern never carries the values in the path, so share tokens, invitation tokens and
  ids stay out of the logs; query strings and headers (API keys) are never logged.
"""

import logging
import time

from django.conf import settings
from django.core.exceptions import RequestDataTooBig

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


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        response = self.get_response(request)
        logger.info(
            "%s %s %s %.1fms",
            request.method,
            request_route(request),
            response.status_code,
            (time.monotonic() - started) * 1000,
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
