"""Celery tasks: thin wrappers that call services."""

import logging
import smtplib

from celery import shared_task

from practice.services.invitations import invitation_record_send_failure, invitation_send

logger = logging.getLogger(__name__)

MAX_RETRIES = 5


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def send_invitation_email(self, invitation_id: int) -> bool:
    """Mail the invitation; retry transient mail errors with backoff, then record the failure."""
    try:
        return invitation_send(invitation_id=invitation_id)
    except (smtplib.SMTPException, OSError) as exc:
        # Eager mode (no broker) has no one to retry later: record the failure for staff to see.
        if self.request.is_eager or self.request.retries >= MAX_RETRIES:
            logger.warning("Invitation %s email failed for good: %s", invitation_id, exc)
            invitation_record_send_failure(invitation_id=invitation_id, error=str(exc))
            return False
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries)
