"""Periodic upkeep of the API's own tables."""

import logging

from celery import shared_task

from axiomatic.api.idempotency import idempotency_purge

logger = logging.getLogger(__name__)


@shared_task
def purge_idempotency_records() -> int:
    deleted = idempotency_purge()
    logger.info("purged %s expired idempotency records", deleted)
    return deleted
