"""Writes on webhook endpoints: register, change, delete, rotate the secret, send a test event,
retry now. Each is one transaction."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from axiomatic.core.errors import ConflictError, field_errors
from axiomatic.entities.models import Entity, Membership, Role
from axiomatic.webhooks import events, signing, transport
from axiomatic.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

ROTATION_OVERLAP = dt.timedelta(hours=24)


@dataclass(frozen=True)
class IssuedSecret:
    endpoint: WebhookEndpoint
    secret: str  # shown once


def _checked_url(url: str) -> str:
    try:
        transport.resolve_safe(url)
    except transport.UnsafeUrl as exc:
        raise field_errors({"url": [str(exc)]}) from exc
    return url


def _checked_events(types: list[str]) -> list[str]:
    types = list(dict.fromkeys(types))
    if not types:
        raise field_errors({"events": ['Name at least one event type, or "*" for all.']})
    unknown = [t for t in types if t != events.ALL and t not in events.EVENT_TYPES]
    if unknown:
        raise field_errors({"events": [f"Unknown event type {unknown[0]!r}."]})
    return [events.ALL] if events.ALL in types else types


@transaction.atomic
def endpoint_create(
    *, firm: Entity, url: str, event_types: list[str], description: str = "", created_by=None
) -> IssuedSecret:
    secret = signing.new_secret()
    endpoint = WebhookEndpoint.objects.create(
        firm=firm,
        url=_checked_url(url),
        events=_checked_events(event_types),
        description=description,
        secret_encrypted=signing.encrypt_secret(secret),
        created_by=created_by if getattr(created_by, "pk", None) else None,
    )
    return IssuedSecret(endpoint=endpoint, secret=secret)


def _locked(endpoint: WebhookEndpoint) -> WebhookEndpoint:
    return WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)


@transaction.atomic
def endpoint_update(*, endpoint: WebhookEndpoint, changes: dict) -> WebhookEndpoint:
    """`changes` keys: url, events, description, enabled. Enabling again clears the reason and
    sends what waited."""
    endpoint = _locked(endpoint)
    if "url" in changes:
        endpoint.url = _checked_url(changes["url"])
    if "events" in changes:
        endpoint.events = _checked_events(changes["events"])
    if "description" in changes:
        endpoint.description = changes["description"]
    if "enabled" in changes and changes["enabled"] != endpoint.enabled:
        endpoint.enabled = changes["enabled"]
        if endpoint.enabled:
            endpoint.disabled_reason = ""
            endpoint.disabled_at = None
            endpoint.failing_since = None
            pk = endpoint.pk
            transaction.on_commit(lambda: events.deliveries_queue_after_commit([pk]))
        else:
            endpoint.disabled_reason = "Disabled by the firm."
            endpoint.disabled_at = timezone.now()
    endpoint.save()
    return endpoint


@transaction.atomic
def endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    _locked(endpoint).delete()


@transaction.atomic
def endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> IssuedSecret:
    """A new secret; the old one keeps signing beside it for 24 hours."""
    endpoint = _locked(endpoint)
    secret = signing.new_secret()
    endpoint.previous_secret_encrypted = endpoint.secret_encrypted
    endpoint.previous_secret_expires_at = timezone.now() + ROTATION_OVERLAP
    endpoint.secret_encrypted = signing.encrypt_secret(secret)
    endpoint.save()
    return IssuedSecret(endpoint=endpoint, secret=secret)


@transaction.atomic
def endpoint_send_test(*, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A `ping` event to this endpoint only, sent after commit like any other."""
    endpoint = _locked(endpoint)
    if not endpoint.enabled:
        raise ConflictError(
            "This endpoint is disabled. Enable it (PATCH enabled=true) before sending a test event."
        )
    event = events.event_record(
        firm=endpoint.firm,
        type=events.PING,
        subject=endpoint,
        endpoint=endpoint,
    )
    return WebhookDelivery.objects.select_related("event").get(endpoint=endpoint, event=event)


@transaction.atomic
def delivery_retry_now(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send this delivery again at once (a failed one goes back in line; a sent one is sent again)."""
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
    delivery.status = DeliveryStatus.PENDING
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["status", "next_attempt_at"])
    endpoint_id = delivery.endpoint_id
    transaction.on_commit(lambda: events.deliveries_queue_after_commit([endpoint_id]))
    return delivery


def endpoint_disabled_notify(*, endpoint_id: int) -> int:
    """Email the firm's admins that an endpoint was disabled and why; returns messages sent."""
    endpoint = WebhookEndpoint.objects.select_related("firm").filter(pk=endpoint_id).first()
    if endpoint is None or endpoint.enabled:
        return 0
    recipients = sorted(
        Membership.objects.filter(entity=endpoint.firm, role=Role.ADMIN)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    if not recipients:
        return 0
    context = {
        "firm_name": endpoint.firm.name,
        "endpoint": endpoint,
        "site_url": settings.SITE_URL,
    }
    message = EmailMultiAlternatives(
        subject=" ".join(f"Webhook endpoint disabled for {endpoint.firm.name}".split()),
        body=render_to_string("emails/webhook_disabled.txt", context),
        to=recipients,
    )
    message.attach_alternative(
        render_to_string("emails/webhook_disabled.html", context), "text/html"
    )
    message.send()
    return len(recipients)
