"""The event catalogue and the outbox write.

Services of every app call `event_record` inside the transaction of the change: the event and one
delivery per subscribed endpoint commit with the change or not at all, and delivery is queued only
after commit. When no enabled endpoint of the firm wants the event, nothing is written.

An event row says what happened (`type`), for which firm, and what it is about (the subject: its
model, primary key and public id, plus `extra` keys such as previousStatus). Its body, whose
data.object is the subject as the API shows it, is made by a payload builder that the subject's app
registers per event type in its AppConfig.ready (`payload_builders`): the wire format belongs to the
API layer, so this layer never reaches a serializer. The body is built right after the commit that
made the event, outside the write transaction, from the object as that transaction left it, and
stored on the row: a later edit never changes an event already recorded. (A deleted object is gone
by then; the service passes the instance it deleted and the builder shows it as it was.) Should
the process stop between the commit and the build, delivery builds the body before sending it.
"""

import logging

from django.apps import apps
from django.db import models, transaction
from django.utils import timezone

from axiomatic.core.dates import utc_iso
from axiomatic.core.hooks import Hook, Registry
from axiomatic.core.ids import new_public_id
from axiomatic.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent

logger = logging.getLogger(__name__)

EVENT_TYPES = (
    "client.created",
    "client.updated",
    "client.archived",
    "invitation.sent",
    "invitation.accepted",
    "time_entry.created",
    "time_entry.updated",
    "time_entry.deleted",
    "time_entry.approved",
    "time_entry.unapproved",
    "engagement.created",
    "engagement.status_changed",
    "engagement.task_completed",
    "invoice.created",
    "invoice.voided",
    "invoice.paid",
    "invoice.sent",
    "payment.created",
    "payment.voided",
    "report_share.created",
    "report_share.accessed",
    "report_share.revoked",
    "billing.sync_failed",
    "timer.started",
    "timer.stopped",
)
PING = "ping"  # sent only by "send test event", to one endpoint
ALL = "*"

# build(firm, subject) -> data.object as plain JSON values; registered per event type.
payload_builders = Registry("webhook payload builder")
# deliveries_queue(endpoint_id): send the endpoint's due deliveries (a Celery task, in tasks.py).
deliveries_queue = Hook("queue an endpoint's webhook deliveries")
# endpoint_disabled_notice(endpoint_id): tell the firm's admins an endpoint was disabled.
endpoint_disabled_notice = Hook("notify that a webhook endpoint was disabled")


def event_record(
    *,
    firm,
    type: str,
    subject: models.Model,
    extra: dict | None = None,
    endpoint: WebhookEndpoint | None = None,
) -> WebhookEvent | None:
    """Record `type` about `subject` for the firm's subscribed endpoints (or only `endpoint`);
    `extra` adds keys beside data.object (previousStatus, taskId). Returns the event, or None if
    no one listens."""
    if type not in EVENT_TYPES and type != PING:
        raise ValueError(f"unknown webhook event type {type!r}")
    payload_builders.require(type)
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
    event = WebhookEvent.objects.create(
        public_id=new_public_id("evt"),
        firm=firm,
        type=type,
        created_at=now,
        subject_type=subject._meta.label_lower,
        subject_id=subject.pk,
        subject_public_id=getattr(subject, "public_id", "") or "",
        extra=extra or {},
        payload=None,
    )
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(endpoint=e, event=event, created_at=now, next_attempt_at=now)
            for e in endpoints
        ]
    )
    endpoint_ids = [e.pk for e in endpoints]
    # The body first (robust: a builder that fails leaves it to delivery), then the sending.
    transaction.on_commit(lambda: event_body_build(event, subject=subject), robust=True)
    transaction.on_commit(lambda: deliveries_queue_after_commit(endpoint_ids))
    return event


def deliveries_queue_after_commit(endpoint_ids: list[int]) -> None:
    for endpoint_id in endpoint_ids:
        deliveries_queue(endpoint_id)


def _subject_of(event: WebhookEvent) -> models.Model | None:
    if not event.subject_type or event.subject_id is None:
        return None
    model = apps.get_model(event.subject_type)
    return model._default_manager.filter(pk=event.subject_id).first()


def event_body_build(event: WebhookEvent, *, subject: models.Model | None = None) -> dict:
    """The event's body, built once and stored; `subject` is the object the service held (its
    last state, even when it was deleted), else the subject is read back from the database."""
    if event.payload is not None:
        return event.payload
    if subject is None:
        subject = _subject_of(event)
    if subject is None:  # gone before its body was built: say what it was
        data_object = {"id": event.subject_public_id}
    else:
        data_object = payload_builders[event.type](event.firm, subject)
    payload = {
        "id": event.public_id,
        "type": event.type,
        "createdAt": utc_iso(event.created_at),
        "firmEntityId": event.firm.public_id,
        "data": {"object": data_object, **event.extra},
    }
    # Only the first build counts: two racing builds must not give two bodies.
    updated = WebhookEvent.objects.filter(pk=event.pk, payload__isnull=True).update(payload=payload)
    if not updated:
        payload = WebhookEvent.objects.values_list("payload", flat=True).get(pk=event.pk)
    event.payload = payload
    return payload
