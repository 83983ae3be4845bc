"""Login pages (ADR 0017).

- django-axes answers a locked-out login (any door: the admin, /accounts/login/, the invitation
  page's sign-in) with `lockout_response`: our page, 429, saying how long and what to do.
"""

from axes.helpers import get_cool_off
from django.http import HttpResponse
from django.shortcuts import render

from axiomatic.api.errors import error_json_response
from axiomatic.core.errors import ErrorCode

LOCKED_TEMPLATE = "registration/locked_out.html"


def _cool_off_seconds(request) -> int:
    return int(get_cool_off(request).total_seconds())


def _locked_page(request, *, paused: str, what: str, seconds: int) -> HttpResponse:
    minutes = max(1, -(-seconds // 60))  # rounded up: never promise less than the wait
    message = f"Too many {what}. Try again in {minutes} minutes."
    if "application/json" in request.headers.get("Accept", "") or (
        request.headers.get("X-Requested-With") == "XMLHttpRequest"
    ):
        response = error_json_response(429, ErrorCode.RATE_LIMITED, message)
    else:
        context = {"paused": paused, "what": what, "minutes": minutes}
        response = render(request, LOCKED_TEMPLATE, context, status=429)
    response["Retry-After"] = str(seconds)
    return response


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: what a locked-out login gets, whichever door it came through."""
    seconds = _cool_off_seconds(request)
    return _locked_page(request, paused="Sign-in", what="failed sign-in attempts", seconds=seconds)
