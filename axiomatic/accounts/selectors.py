"""Reads about logins: where a staff member stands with the second factor (ADR 0017).

A staff member is *enrolled* once they have a confirmed TOTP device (an authenticator app); their
recovery codes are a static device beside it. An enrolled staff member enters a code after the
password, whatever their firms say. One who is not enrolled is sent to enrol when one of their firms
requires it: that setting (`requireMfa`) lives with the firm's practice settings, above this app, so
practice plugs its question into `firm_requires_staff_mfa` at start-up.
"""

from enum import StrEnum

from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from axiomatic.core.hooks import Hook

# firm_requires_staff_mfa(user) -> bool: is the user a member of a firm that requires MFA?
firm_requires_staff_mfa = Hook("whether one of a user's firms requires staff MFA")


class MfaStep(StrEnum):
    ENROL = "enrol"  # required, no device yet: set up an authenticator app first
    VERIFY = "verify"  # enrolled, not yet verified in this session: enter a code


def totp_device(user, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("id").first()


def is_enrolled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_device(user) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def mfa_step(user) -> MfaStep | None:
    """What a signed-in user must do before working in the admin, if anything.

    `user.is_verified()` comes from django-otp's middleware: true once a code was accepted in this
    session.
    """
    if not user.is_authenticated or user.is_verified():
        return None
    if is_enrolled(user):
        return MfaStep.VERIFY
    if user.is_staff and firm_requires_staff_mfa(user):
        return MfaStep.ENROL
    return None
