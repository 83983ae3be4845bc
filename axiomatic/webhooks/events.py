"""The event catalogue and the outbox write.

Services of every app call `event_record` inside the transaction of the change: the event and one
delivery per subscribed endpoint commit with the change or not at all, and delivery is queued only
after commit. When no enabled endpoint of the firm wants the event, nothing is built or written.
"""

import json
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from axiomatic.core.ids import new_public_id
from axiomatic.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent

EVENT_TYPES = (
    "client.created",
    "client.updated",
    "client.archived",
    "invitation.sent",
    "invitation.accepted",
    "time_entry.created",
    "time_entry.updated",
    "time_entry.deleted",
    "engagement.created",
    "engagement.status_changed",
    "engagement.task_completed",
    "invoice.created",
    "invoice.voided",
    "report_share.created",
    "report_share.accessed",
    "report_share.revoked",
    "billing.sync_failed",
)
PING = "ping"  # sent only by "send test event", to one endpoint
ALL = "*"


def _jsonable(data) -> dict:
    # The same bytes the API's renderer would write (dates, decimals), back as plain JSON values.
    return json.loads(JSONRenderer().render(data))


def event_record(
    *,
    firm,
    type: str,
    represent: Callable[[], dict],
    extra: dict | None = None,
    endpoint: WebhookEndpoint | None = None,
) -> WebhookEvent | None:
    """Record `type` for the firm's subscribed endpoints (or only `endpoint`); `represent()` gives
    data.object, the representation the API returns, and `extra` adds keys beside it in data
    (previousStatus, taskId). Returns the event, or None if no one listens."""
    if type not in EVENT_TYPES and type != PING:
        raise ValueError(f"unknown webhook event type {type!r}")
    if endpoint is not None:
        endpoints = [endpoint]
    else:
        endpoints = [
            e
            for e in WebhookEndpoint.objects.filter(firm=firm, enabled=True).only("id", "events")
            if e.subscribes_to(type)
        ]
    if not endpoints:
        return None
    now = timezone.now()
    public_id = new_public_id("evt")
    event = WebhookEvent.objects.create(
        public_id=public_id,
        firm=firm,
        type=type,
        created_at=now,
        payload={
            "id": public_id,
            "type": type,
            "createdAt": serializers.DateTimeField().to_representation(now),
            "firmEntityId": firm.public_id,
            "data": {"object": _jsonable(represent()), **(extra or {})},
        },
    )
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(endpoint=e, event=event, created_at=now, next_attempt_at=now)
            for e in endpoints
        ]
    )
    endpoint_ids = [e.pk for e in endpoints]
    transaction.on_commit(lambda: _queue(endpoint_ids))
    return event


def _queue(endpoint_ids: list[int]) -> None:
    from axiomatic.webhooks.tasks import deliver_webhooks  # tasks -> delivery -> models: no cycle

    for endpoint_id in endpoint_ids:
        deliver_webhooks.delay(endpoint_id)
