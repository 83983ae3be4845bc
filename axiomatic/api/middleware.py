"""Keeps every error under /api/ in the one JSON error shape.

DRF views answer through the exception handler. What happens outside them (Django's 404 for an unknown
path, 405 from a plain view, an unexpected exception anywhere) would be an HTML page; this middleware
turns it into {"error": {...}} with the same status, and logs unexpected exceptions by URL pattern,
never by path (share and invitation tokens travel in paths).
"""

import logging

from django.http import Http404
from rest_framework.response import Response

from axiomatic.api.errors import error_json_response
from axiomatic.api.hardening import request_route
from axiomatic.core.errors import ErrorCode

logger = logging.getLogger("axiomatic.api")

API_PREFIX = "/api/"


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
