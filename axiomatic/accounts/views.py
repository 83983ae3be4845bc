"""Login pages: the lockout page and password reset (ADR 0017).

- django-axes answers a locked-out login (any door: the admin, /accounts/login/, the invitation
  page's sign-in) with `lockout_response`: our page, 429, saying how long and what to do.
- Password reset is Django's views with our templates. Requests are limited per client address and
  per email address, with the login limits (AXES_FAILURE_LIMIT per AXES_COOLOFF_TIME); the email is
  sent by a task. A successful reset also ends the account's login lockout.
"""

import hashlib

from axes.helpers import get_client_ip_address, get_cool_off
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy

from axiomatic.accounts import services
from axiomatic.accounts.forms import PasswordResetRequestForm
from axiomatic.api.errors import error_json_response
from axiomatic.api.throttling import rate_limit_hit
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


# -- Password reset ----------------------------------------------------------------------------
def _reset_wait(request, email: str) -> float | None:
    """Count a reset request against its client address and its email address; the wait if either
    is over the limit."""
    window = _cool_off_seconds(request)
    limit = settings.PASSWORD_RESET_LIMIT
    address = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    waits = [
        rate_limit_hit("password_reset", caller, limit, window_seconds=window)
        for caller in (f"ip:{get_client_ip_address(request)}", f"email:{address}")
    ]
    return max((w for w in waits if w is not None), default=None)


class PasswordResetRequestView(auth_views.PasswordResetView):
    form_class = PasswordResetRequestForm
    template_name = "registration/password_reset_form.html"
    success_url = reverse_lazy("password_reset_done")

    def post(self, request, *args, **kwargs):
        wait = _reset_wait(request, request.POST.get("email", ""))
        if wait is not None:
            return _locked_page(
                request, paused="Password reset", what="password reset requests", seconds=int(wait)
            )
        return super().post(request, *args, **kwargs)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's: the link's token is checked, then swapped for a session marker (so the token
    leaves the address bar); the new password is validated against the user (similarity to the
    email included)."""

    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.lockout_clear(username=form.user.email)
        return response
