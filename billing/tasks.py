"""Celery tasks of billing: thin wrappers around the Stripe reconcile and the invoice email."""

import logging
import smtplib

import stripe
from celery import shared_task

from axiomatic.entities.models import PartnerEnrollment
from billing.services.delivery import invoice_delivery_failed, invoice_delivery_send
from billing.services.stripe_sync import (
    TRANSIENT_ERRORS,
    StripeNotConfigured,
    stripe_sync_failed,
    stripe_sync_firm,
)

logger = logging.getLogger(__name__)

MAX_RETRIES = 6  # with the backoff below: about 1, 2, 4, 8, 16, 32 minutes
EMAIL_RETRIES = 5


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def sync_firm_stripe(self, firm_id: int) -> int | None:
    """Reconcile one firm with Stripe. Returns the number of Stripe writes it took."""
    try:
        # Retries keep the task id: the same idempotency keys, so Stripe replays what it already did.
        return stripe_sync_firm(firm_id=firm_id, run=self.request.id).writes
    except StripeNotConfigured:
        return None
    except TRANSIENT_ERRORS as exc:
        # Eager mode (no broker) has no one to retry later: record the failure for staff to see.
        if self.request.is_eager or self.request.retries >= MAX_RETRIES:
            stripe_sync_failed(firm_id=firm_id, error=exc)
            return None
        raise self.retry(exc=exc, countdown=60 * 2**self.request.retries) from exc
    except stripe.StripeError as exc:
        # Refused by Stripe (bad request, authentication): retrying would not help.
        stripe_sync_failed(firm_id=firm_id, error=exc)
        return None
    except Exception as exc:
        # Not Stripe's answer: the dj-stripe mirror, the database, a bug. Left uncaught, the state
        # would say "pending" forever; retrying blindly could repeat the damage. Record it for staff;
        # a worker re-raises so it logs the traceback and marks the task failed. In eager mode (no
        # broker) the task runs inside the caller (a request, the nightly loop), which must go on:
        # the traceback is logged here instead.
        stripe_sync_failed(firm_id=firm_id, error=exc)
        if not self.request.is_eager:
            raise
        logger.exception("Stripe sync of firm %s failed", firm_id)
        return None


@shared_task
def sync_all_firms_stripe() -> int:
    """Nightly: queue a reconcile for every firm enrolled in the program."""
    firm_ids = list(PartnerEnrollment.objects.order_by("firm_id").values_list("firm_id", flat=True))
    for firm_id in firm_ids:
        sync_firm_stripe.delay(firm_id)
    logger.info("queued the Stripe sync of %s firms", len(firm_ids))
    return len(firm_ids)


@shared_task(bind=True, max_retries=EMAIL_RETRIES, acks_late=True)
def send_invoice_email(self, delivery_id: int) -> bool:
    """Mail an invoice with its PDF; retry transient mail errors with backoff, then record the
    failure on the delivery (the admin shows it)."""
    try:
        return invoice_delivery_send(delivery_id=delivery_id)
    except (smtplib.SMTPException, OSError) as exc:
        # Eager mode (no broker) has no one to retry later: record the failure for staff to see.
        if self.request.is_eager or self.request.retries >= EMAIL_RETRIES:
            logger.warning("Invoice email %s failed for good: %s", delivery_id, exc)
            invoice_delivery_failed(delivery_id=delivery_id, error=str(exc))
            return False
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc
