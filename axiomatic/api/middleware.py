"""Middleware of the API: request ids, the API's response headers, and the one error shape.

- `RequestIdMiddleware` (first of all): takes the caller's `X-Request-Id` when well-formed, else
  makes a `req_` id (`axiomatic.core.request_context`), makes it current for the request (error
  bodies and log lines read it) and answers it in `Request-Id`, on every response. A streamed body
  is produced after the middleware returned: each chunk is made with the id current again.
- `ApiHeadersMiddleware`: every response under /api/ says the API version (`Axiomatic-Version`)
  and the caller's rate limit (`RateLimit-Limit`, `-Remaining`, `-Reset`, from the count that
  refuses: `axiomatic.api.throttling`).
- `ApiErrorMiddleware`: DRF views answer errors through the exception handler. What happens outside
  them (Django's 404 for an unknown path, 405 from a plain view, an unexpected exception anywhere)
  would be an HTML page; this turns it into {"error": {...}} with the same status, and logs
  unexpected exceptions by URL pattern, never by path (share and invitation tokens travel in paths).
"""

import logging

from django.http import Http404
from rest_framework.response import Response

from axiomatic.api.errors import error_json_response
from axiomatic.api.hardening import request_route
from axiomatic.api.throttling import rate_limit_headers, response_window
from axiomatic.api.versioning import API_VERSION, VERSION_HEADER
from axiomatic.core.errors import ErrorCode
from axiomatic.core.request_context import request_id_bind, request_id_from, request_id_reset

logger = logging.getLogger("axiomatic.api")

API_PREFIX = "/api/"
REQUEST_ID_HEADER = "Request-Id"
CALLER_REQUEST_ID = "HTTP_X_REQUEST_ID"


def _chunks_with_request_id(chunks, request_id: str):
    """A streamed body's chunks, each made with the request's id current (for its log lines)."""
    iterator = iter(chunks)
    while True:
        token = request_id_bind(request_id)
        try:
            chunk = next(iterator)
        except StopIteration:
            return
        finally:
            request_id_reset(token)
        yield chunk


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request.META.get(CALLER_REQUEST_ID))
        request.request_id = request_id
        token = request_id_bind(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_reset(token)
        response[REQUEST_ID_HEADER] = request_id
        if (
            getattr(response, "streaming", False)
            and not getattr(response, "is_async", False)
            and getattr(response, "file_to_stream", None) is None  # a file: sent as it is
        ):
            response.streaming_content = _chunks_with_request_id(
                response.streaming_content, request_id
            )
        return response


class ApiHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(API_PREFIX):
            response[VERSION_HEADER] = API_VERSION
            try:
                window = response_window(request)
            except Exception:  # the cache is down: the answer stands, without what it cannot say
                logger.warning("No rate-limit headers: the cache did not answer", exc_info=True)
            else:
                for name, value in rate_limit_headers(window).items():
                    response[name] = value
        return response


class ApiErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith(API_PREFIX)
            and response.status_code >= 400
            and not isinstance(response, Response)
            and not getattr(response, "api_passthrough", False)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            converted = error_json_response(response.status_code)
            for header in ("Allow", "Retry-After", "WWW-Authenticate"):
                if response.has_header(header):
                    converted[header] = response[header]
            return converted
        return response

    def process_exception(self, request, exception):
        if not request.path.startswith(API_PREFIX):
            return None
        if isinstance(exception, Http404):
            return error_json_response(404)
        logger.exception("Unhandled error on %s %s", request.method, request_route(request))
        return error_json_response(
            500,
            ErrorCode.INTERNAL_ERROR,
            "Something went wrong on our side. It has been logged; please retry or contact support.",
        )
