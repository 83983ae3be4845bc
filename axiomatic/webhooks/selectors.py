"""Reads: a firm's endpoints and an endpoint's deliveries, always through the firm."""

from django.db.models import QuerySet

from axiomatic.core.errors import NotFoundError
from axiomatic.entities.models import Entity
from axiomatic.webhooks.models import WebhookDelivery, WebhookEndpoint


def endpoint_list(*, firm: Entity) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(firm=firm).select_related("firm")


def endpoint_get(*, firm: Entity, public_id: str) -> WebhookEndpoint:
    endpoint = endpoint_list(firm=firm).filter(public_id=public_id).first()
    if endpoint is None:
        raise NotFoundError()
    return endpoint


def delivery_list(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(endpoint=endpoint).select_related("event")
