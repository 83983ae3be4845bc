"""Writes about logins: enrolling a staff member's authenticator app, checking their codes, the
password reset email, clearing a lockout (ADR 0017).

Enrolment is two steps, so that a device counts only once it has shown it works: `totp_enrolment_begin`
makes (or finds) an unconfirmed TOTP device whose secret the page shows; `totp_enrolment_confirm`
checks a code from the app against it, confirms it and issues fresh recovery codes, which exist in
clear only in the return value: the page shows them once.

A code is checked against one device, chosen by its form (six digits: the app; otherwise a recovery
code), inside a transaction with the device row locked, so two requests cannot both use one code.
django-otp throttles each device: after a wrong code the next try must wait 1 s, then 2, 4, 8...
(the count is committed before the refusal is raised). A TOTP code is accepted once (a later code
must be of a later time step); a recovery code is deleted when it is used.
"""

import math

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from axiomatic.accounts import selectors
from axiomatic.core.errors import ApplicationError
from axiomatic.core.hooks import Hook
from axiomatic.entities.models import User

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
WRONG_CODE = "That code is not right. Enter the six digits your authenticator app shows now."
NOTHING_TO_CONFIRM = "There is no authenticator app to confirm: open this page again."

# password_reset_email_queue(user_id): mail a reset link (axiomatic.accounts.tasks, plugged in by ready).
password_reset_email_queue = Hook("queue a password reset email")


def _locked_device(model: type[Device], user: User, *, confirmed: bool) -> Device | None:
    # Why locked: two requests with one code must not both pass (django-otp's own advice).
    return (
        model.objects.select_for_update()
        .filter(user=user, confirmed=confirmed)
        .order_by("id")
        .first()
    )


def _locked_user(user: User) -> User:
    # Why: two enrolment pages open at once must not give the user two pending secrets.
    return User.objects.select_for_update().get(pk=user.pk)


@transaction.atomic
def totp_enrolment_begin(*, user: User) -> TOTPDevice:
    """The unconfirmed TOTP device whose secret the enrolment page shows (made on first visit)."""
    _locked_user(user)
    device = selectors.totp_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def totp_enrolment_confirm(*, user: User, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the pending device with a code from the app; returns it and new recovery codes.

    Raises ApplicationError when there is nothing to confirm or the code is refused; nothing
    changes then but the device's throttle count.
    """
    with transaction.atomic():
        _locked_user(user)
        device = _locked_device(TOTPDevice, user, confirmed=False)
        refusal = NOTHING_TO_CONFIRM if device is None else _code_refusal(device, code)
        if refusal is None:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            # One app and one set of recovery codes per person: earlier ones stop working.
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            return device, _recovery_codes_replace(user)
    raise _refused(refusal)


def _recovery_codes_replace(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    recovery = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=recovery, token=c) for c in codes])
    return codes


def _normalised(code: str) -> str:
    return "".join(code.split()).lower()


def _code_refusal(device: Device, code: str) -> str | None:
    """Why `device` refuses `code` (throttled, or wrong), or None when it accepts it."""
    allowed, details = device.verify_is_allowed()
    if not allowed:
        locked_until = (details or {}).get("locked_until")
        wait = 1
        if locked_until is not None:
            wait = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
        return f"Too many wrong codes: wait {wait} seconds, then enter the code the app shows."
    code = _normalised(code)
    if not code or not device.verify_token(code):
        return WRONG_CODE
    return None


def _refused(message: str) -> ApplicationError:
    return ApplicationError(message, code="mfa_code_refused", fields={"code": [message]})


def mfa_code_check(*, user: User, code: str) -> Device:
    """The device that accepts `code`: the app's six digits, or else a recovery code.

    Raises ApplicationError if it is refused. The refusal is raised after the transaction has
    committed the device's throttle count (a rollback would forget the failure and let guesses
    run unthrottled): call this outside any transaction that a refusal would roll back.
    """
    model = TOTPDevice if _normalised(code).isdigit() else StaticDevice
    with transaction.atomic():
        device = _locked_device(model, user, confirmed=True)
        refusal = WRONG_CODE if device is None else _code_refusal(device, code)
        if refusal is None:
            return device
    raise _refused(refusal)


# -- Password reset ----------------------------------------------------------------------------
def password_reset_request(*, users) -> None:
    """Queue a reset email for each of `users` (accounts that may reset), after commit."""
    for user in users:
        transaction.on_commit(lambda pk=user.pk: password_reset_email_queue(pk))


def password_reset_send(*, user_id: int) -> bool:
    """Mail a reset link. The token is made here, so it never sits in the queue; the link is built
    from SITE_URL, never from the request's Host header. False if the account may not reset."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password():
        return False
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    context = {
        "user": user,
        "reset_url": settings.SITE_URL + reverse("password_reset_confirm", args=[uid, token]),
        "valid_minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
        "site_url": settings.SITE_URL,
    }
    message = EmailMultiAlternatives(
        subject="Reset your Axiomatic password",
        body=render_to_string("emails/password_reset.txt", context),
        to=[user.email],
    )
    message.attach_alternative(render_to_string("emails/password_reset.html", context), "text/html")
    message.send()
    return True


def lockout_clear(*, username: str) -> int:
    """Forget an account's failed logins (its password was just reset by email, which proves the
    mailbox): its lockout ends. Returns how many attempt records went."""
    return axes_reset(username=username.strip().lower())
