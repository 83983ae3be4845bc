"""Celery tasks: thin wrappers that call services."""

import logging
import smtplib

from celery import shared_task

from axiomatic.accounts.services import password_reset_send

logger = logging.getLogger(__name__)

MAX_RETRIES = 5


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def send_password_reset_email(self, user_id: int) -> bool:
    """Mail a reset link; retry transient mail errors with backoff. The page said "if an account
    exists, an email is on its way" whatever happens here, so a failure is logged, not shown."""
    try:
        return password_reset_send(user_id=user_id)
    except (smtplib.SMTPException, OSError) as exc:
        if self.request.is_eager or self.request.retries >= MAX_RETRIES:
            logger.warning("Password reset email for user %s failed for good: %s", user_id, exc)
            return False
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries)
