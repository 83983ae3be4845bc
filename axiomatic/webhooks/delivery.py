"""Sending deliveries: in order per endpoint, at least once, retried with backoff, and an endpoint
that has failed continuously for three days disabled (never deleted) with its firm's admins told.

One run per endpoint at a time (a lease on the endpoint row): it sends the oldest pending delivery,
then the next, and stops at the first failure, which waits for its retry while later events wait
behind it, so a receiver sees events in the order they happened. A delivery whose retries are all
used up is marked failed and the endpoint's later events go on.
"""

import datetime as dt
import json
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from axiomatic.webhooks import events, signing, transport
from axiomatic.webhooks.models import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

logger = logging.getLogger(__name__)

# After attempt n fails, the next is RETRY_DELAYS[n - 1] later: about 29 hours in all.
RETRY_DELAYS = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=5),
    dt.timedelta(hours=10),
    dt.timedelta(hours=12),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
DISABLE_AFTER = dt.timedelta(days=3)
LEASE = dt.timedelta(minutes=5)
MAX_PER_RUN = 500


def secrets_in_use(endpoint: WebhookEndpoint, now: dt.datetime | None = None) -> list[str]:
    now = now or timezone.now()
    in_use = [signing.decrypt_secret(endpoint.secret_encrypted)]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret_encrypted and expires and expires > now:
        in_use.append(signing.decrypt_secret(endpoint.previous_secret_encrypted))
    return in_use


def _claim(endpoint_id: int) -> bool:
    now = timezone.now()
    return bool(
        WebhookEndpoint.objects.filter(pk=endpoint_id, enabled=True)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=now + LEASE)
    )


def endpoint_deliver(*, endpoint_id: int, now: dt.datetime | None = None) -> int:
    """Send the endpoint's due deliveries in order; returns how many attempts were made. `now` is
    the clock that decides what is due (tests move it forward to reach retries)."""
    if not _claim(endpoint_id):
        return 0  # disabled, deleted, or another run holds it and will send these too
    attempts = 0
    try:
        while attempts < MAX_PER_RUN:
            clock = now or timezone.now()
            endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id, enabled=True).first()
            head = (
                WebhookDelivery.objects.filter(
                    endpoint_id=endpoint_id, status=DeliveryStatus.PENDING
                )
                .select_related("event")
                .order_by("id")
                .first()
            )
            if endpoint is None or head is None:
                break
            if head.next_attempt_at and head.next_attempt_at > clock:
                break
            attempts += 1
            if not _attempt(endpoint, head, clock) and head.status == DeliveryStatus.PENDING:
                break
            WebhookEndpoint.objects.filter(pk=endpoint_id).update(
                lease_until=timezone.now() + LEASE
            )
    finally:
        WebhookEndpoint.objects.filter(pk=endpoint_id).update(lease_until=None)
    return attempts


def _attempt(endpoint: WebhookEndpoint, delivery: WebhookDelivery, now: dt.datetime) -> bool:
    event = delivery.event
    body = json.dumps(
        events.event_body_build(event), separators=(",", ":"), ensure_ascii=False
    ).encode()
    try:
        # webhook-id is the event's id: the same on every attempt, and to every endpoint it goes to.
        signed = signing.delivery_headers(body, event.public_id, secrets_in_use(endpoint))
    except signing.SecretUnavailable as exc:  # nothing unsigned ever leaves
        outcome = transport.Outcome(None, 0, str(exc), "")
        _record(endpoint_id=endpoint.pk, delivery=delivery, outcome=outcome, now=now)
        return False
    headers = {
        **signed,
        "Axiomatic-Event-Id": event.public_id,
        "Axiomatic-Event-Type": event.type,
        "Axiomatic-Delivery-Id": delivery.public_id,
        "Axiomatic-Delivery-Attempt": str(delivery.attempts + 1),
    }
    outcome = transport.post(endpoint.url, body, headers)
    _record(endpoint_id=endpoint.pk, delivery=delivery, outcome=outcome, now=now)
    return outcome.succeeded


@transaction.atomic
def _record(*, endpoint_id: int, delivery: WebhookDelivery, outcome, now: dt.datetime) -> None:
    endpoint = WebhookEndpoint.objects.select_for_update().filter(pk=endpoint_id).first()
    if endpoint is None:
        return  # deleted while we were sending: its deliveries went with it
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_status_code = outcome.status_code
    delivery.last_duration_ms = outcome.duration_ms
    delivery.last_error = outcome.error
    delivery.response_body = outcome.response_excerpt
    if outcome.succeeded:
        delivery.status = DeliveryStatus.SUCCEEDED
        delivery.next_attempt_at = None
        endpoint.failing_since = None
    else:
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.next_attempt_at = now + RETRY_DELAYS[delivery.attempts - 1]
        if endpoint.failing_since is None:
            endpoint.failing_since = now
        elif now - endpoint.failing_since >= DISABLE_AFTER:
            _disable(endpoint, outcome.error or "no answer", now)
    delivery.save()
    if endpoint.enabled:
        # Only the failure clock moved: not a change of the endpoint, so no history record.
        endpoint.save_without_historical_record(update_fields=["failing_since"])
    else:
        endpoint.save(
            update_fields=[
                "failing_since",
                "enabled",
                "disabled_reason",
                "disabled_at",
                "updated_at",
            ]
        )


def _disable(endpoint: WebhookEndpoint, last_error: str, now: dt.datetime) -> None:
    endpoint.enabled = False
    endpoint.disabled_at = now
    endpoint.disabled_reason = (
        f"Disabled after every delivery failed for 3 days (since "
        f"{endpoint.failing_since:%Y-%m-%d %H:%M} UTC; last error: {last_error})."
    )[:500]
    logger.warning("Webhook endpoint %s disabled: %s", endpoint.public_id, endpoint.disabled_reason)
    endpoint_pk = endpoint.pk
    transaction.on_commit(lambda: events.endpoint_disabled_notice(endpoint_pk))


def due_endpoint_ids(now: dt.datetime | None = None) -> list[int]:
    """Enabled endpoints with a pending delivery whose attempt is due."""
    now = now or timezone.now()
    return list(
        WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING,
            next_attempt_at__lte=now,
            endpoint__enabled=True,
        )
        .values_list("endpoint_id", flat=True)
        .distinct()
        .order_by("endpoint_id")
    )


def history_purge(*, now: dt.datetime | None = None, batch: int = 5000) -> int:
    """Delete events older than WEBHOOK_RETENTION_DAYS with their deliveries; returns the count.

    An event that still has a pending delivery is kept whatever its age: it may be waiting behind a
    failing event or for its endpoint to be enabled again, and order is kept by those rows. Deleted
    in batches of `batch` events, each its own short transaction, so a large backlog never holds
    locks for long; the pending check is repeated in the DELETE itself, so a delivery set back to
    pending ("Retry now") between the two statements keeps its event.
    """
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.WEBHOOK_RETENTION_DAYS)
    expired = WebhookEvent.objects.filter(created_at__lt=cutoff).exclude(
        deliveries__status=DeliveryStatus.PENDING
    )
    deleted = 0
    while True:
        ids = list(expired.order_by("id").values_list("id", flat=True)[:batch])
        if not ids:
            return deleted
        with transaction.atomic():
            events = expired.filter(id__in=ids)
            WebhookDelivery.objects.filter(event__in=events).delete()
            deleted += WebhookEvent.objects.filter(id__in=ids).filter(deliveries=None).delete()[0]
