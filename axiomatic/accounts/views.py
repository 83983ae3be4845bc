"""Login pages: the lockout page, password reset, and the staff second factor (ADR 0017).

- django-axes answers a locked-out login (any door: the admin, /accounts/login/, the invitation
  page's sign-in) with `lockout_response`: our page, 429, saying how long and what to do.
- Password reset is Django's views with our templates. Requests are limited per client address and
  per email address, with the login limits (AXES_FAILURE_LIMIT per AXES_COOLOFF_TIME); the email is
  sent by a task. A successful reset also ends the account's login lockout.
- The staff second factor pages (enrol, verify) are admin pages: the admin site
  (`axiomatic.admin_site`) serves them and sends staff there before any other admin page.
"""

import hashlib
from base64 import b32encode

import segno
from axes.helpers import get_client_ip_address, get_cool_off
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django_otp import login as otp_login

from axiomatic.accounts import selectors, services
from axiomatic.accounts.forms import MfaCodeForm, PasswordResetRequestForm
from axiomatic.api.errors import error_json_response
from axiomatic.api.throttling import rate_limit_hit
from axiomatic.core.errors import ApplicationError, ErrorCode

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


# -- The staff second factor: admin pages, served by the admin site -----------------------------
def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("admin:index")


def _qr_svg(uri: str) -> str:
    # segno draws the QR code as inline SVG: no image request, no script, nothing from outside.
    return mark_safe(segno.make(uri, error="m").svg_inline(scale=5, border=2))  # noqa: S308


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def mfa_enrol(request, context: dict) -> HttpResponse:
    """Set up an authenticator app: show its secret (QR code and text), confirm it with a code,
    then show the recovery codes once."""
    user = request.user
    if selectors.is_enrolled(user):
        return redirect(_next_url(request))
    form = MfaCodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = services.totp_enrolment_confirm(
                user=user, code=form.cleaned_data["code"]
            )
        except ApplicationError as error:
            form.add_error("code", error.message)
            status = 400
        else:
            otp_login(request, device)  # this session has just shown the second factor
            context |= {"codes": codes, "next": _next_url(request), "title": "Recovery codes"}
            return render(request, "admin/accounts/mfa_recovery_codes.html", context)
    elif request.method == "POST":
        status = 400
    device = services.totp_enrolment_begin(user=user)
    secret = b32encode(device.bin_key).decode()
    context |= {
        "form": form,
        "secret": _grouped(secret),
        "otpauth_uri": device.config_url,
        "qr_svg": _qr_svg(device.config_url),
        "next": _next_url(request),
        "required": selectors.mfa_step(user) == selectors.MfaStep.ENROL,
        "title": "Set up two-factor sign-in",
    }
    return render(request, "admin/accounts/mfa_enrol.html", context, status=status)


def mfa_verify(request, context: dict) -> HttpResponse:
    """After the password: a code from the authenticator app, or a recovery code."""
    user = request.user
    if not selectors.is_enrolled(user) or user.is_verified():
        return redirect(_next_url(request))
    form = MfaCodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                device = services.mfa_code_check(user=user, code=form.cleaned_data["code"])
            except ApplicationError as error:
                form.add_error("code", error.message)
            else:
                otp_login(request, device)
                return redirect(_next_url(request))
    context |= {"form": form, "next": _next_url(request), "title": "Two-factor sign-in"}
    return render(request, "admin/accounts/mfa_verify.html", context, status=status)
