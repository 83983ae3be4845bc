"""Writes about logins: the password reset email, clearing a lockout (ADR 0017)."""

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from axiomatic.core.hooks import Hook
from axiomatic.entities.models import User

# password_reset_email_queue(user_id): mail a reset link (axiomatic.accounts.tasks, plugged in by ready).
password_reset_email_queue = Hook("queue a password reset email")


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
