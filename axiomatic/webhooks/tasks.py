"""Celery tasks: thin wrappers over delivery and services."""

import logging

from celery import shared_task

from axiomatic.webhooks import delivery, services

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def deliver_webhooks(endpoint_id: int) -> int:
    """Send the endpoint's due deliveries, in order (queued after the commit that made them)."""
    return delivery.endpoint_deliver(endpoint_id=endpoint_id)


@shared_task
def deliver_due_webhooks() -> int:
    """Every minute (beat): endpoints whose retry is due."""
    due = delivery.due_endpoint_ids()
    for endpoint_id in due:
        deliver_webhooks.delay(endpoint_id)
    return len(due)


@shared_task(acks_late=True)
def notify_endpoint_disabled(endpoint_id: int) -> int:
    return services.endpoint_disabled_notify(endpoint_id=endpoint_id)


@shared_task
def purge_webhook_history() -> int:
    """Nightly (beat): events and deliveries past WEBHOOK_RETENTION_DAYS."""
    deleted = delivery.history_purge()
    logger.info("purged %s webhook events past their retention", deleted)
    return deleted
