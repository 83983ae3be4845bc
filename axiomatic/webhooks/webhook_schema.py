"""The webhook deliveries in the OpenAPI schema (its `webhooks`): one entry per event type.

Each app describes its own events beside their payloads (`<app>/webhook_schema.py`) with
`event_webhook`: the body is the envelope `events.event_body_build` writes, `{id, type, createdAt,
firmEntityId, data: {object, ...extra}}`, data.object being the serializer the app's payload
builder uses, so the schema is the wire format. SPECTACULAR_SETTINGS["WEBHOOKS"] lists the entries
by import string. The body example is built from the schema (axiomatic.api.schema).
"""

from drf_spectacular.utils import (
    OpenApiResponse,
    OpenApiWebhook,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers

from axiomatic.core.ids import ALPHABET, BODY_LENGTH
from axiomatic.webhooks import events, signing
from axiomatic.webhooks.serializers import WebhookSerializer


def _id_schema(prefix: str) -> dict:
    return {"type": "string", "pattern": rf"^{prefix}_[{ALPHABET}]{{{BODY_LENGTH}}}$"}


@extend_schema_field(_id_schema("evt"))
class EventIdField(serializers.CharField):
    pass


@extend_schema_field(_id_schema("ent"))
class EntityIdField(serializers.CharField):
    pass


def _type_field(event_type: str) -> serializers.Field:
    @extend_schema_field({"type": "string", "const": event_type})
    class EventTypeField(serializers.CharField):
        pass

    return EventTypeField(help_text="The event type.")


def _header(name: str, description: str, schema: dict | None = None) -> dict:
    return {
        "in": "header",
        "name": name,
        "required": True,
        "schema": schema or {"type": "string"},
        "description": description,
    }


DELIVERY_HEADERS = [
    _header(
        signing.HEADER,
        '`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, one `v1` per secret in use '
        "(two during a rotation). Verify it with the endpoint's secret and refuse a `t` older than "
        f"{signing.TOLERANCE_SECONDS // 60} minutes.",
    ),
    _header(
        "webhook-id",
        "Standard Webhooks: the event's id (`evt_...`), the same on every retry; use it to ignore "
        "a delivery already handled.",
        _id_schema("evt"),
    ),
    _header(
        "webhook-timestamp",
        "Standard Webhooks: unix seconds of the signing, the same `t` as in Axiomatic-Signature.",
        {"type": "string", "pattern": r"^\d+$"},
    ),
    _header(
        "webhook-signature",
        'Standard Webhooks: `v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">` '
        "per secret in use, space separated. Any Standard Webhooks library verifies it with the "
        "endpoint's secret as the API showed it (`whsec_...`).",
        {"type": "string", "pattern": r"^v1,[A-Za-z0-9+/=]+( v1,[A-Za-z0-9+/=]+)*$"},
    ),
    _header("Axiomatic-Event-Id", "The event's id, as in the body.", _id_schema("evt")),
    _header("Axiomatic-Event-Type", "The event type, as in the body."),
    _header("Axiomatic-Delivery-Id", "This delivery's id (`whd_...`): one per endpoint and event."),
    _header(
        "Axiomatic-Delivery-Attempt",
        "1 for the first attempt, then 2, 3... on retries.",
        {"type": "string", "pattern": r"^[1-9]\d*$"},
    ),
]

RECEIVED = OpenApiResponse(
    description=(
        "Any 2xx status within the timeout acknowledges the delivery. Anything else (another "
        "status, no answer, a redirect) is retried with backoff for about 29 hours; the endpoint's "
        "later events wait behind it, so they arrive in order."
    )
)


def _component_name(event_type: str) -> str:
    return "".join(part.title() for part in event_type.replace(".", "_").split("_"))


def event_webhook(
    event_type: str,
    object_serializer: type[serializers.Serializer],
    *,
    summary: str,
    description: str,
    id_prefix: str | None = None,
    extra: dict[str, serializers.Field] | None = None,
    example: dict | None = None,
) -> OpenApiWebhook:
    """The `webhooks` entry of one event type: what data.object is (`object_serializer`, whose `id`
    has `id_prefix`), the keys beside it (`extra`), the delivery headers and the answer expected.
    `example` sets the values that make the body example this event's (`{"object": {"status":
    "paid"}, "previousStatus": ...}`); the rest is built from the schema."""
    if event_type not in events.EVENT_TYPES and event_type != events.PING:
        raise ValueError(f"unknown webhook event type {event_type!r}")
    name = _component_name(event_type)
    data = type(
        f"{name}EventDataSerializer",
        (serializers.Serializer,),
        {"object": object_serializer(help_text="The object as the API shows it."), **(extra or {})},
    )
    envelope = type(
        f"{name}EventSerializer",
        (serializers.Serializer,),
        {
            "__doc__": f"The body of each `{event_type}` delivery.",
            "id": EventIdField(help_text="The event's id: the same on every retry."),
            "type": _type_field(event_type),
            "createdAt": serializers.DateTimeField(help_text="When it happened (UTC)."),
            "firmEntityId": EntityIdField(help_text="The firm whose endpoint this is."),
            "data": data(),
        },
    )
    return OpenApiWebhook(
        name=event_type,
        decorator=extend_schema(
            summary=summary,
            description=description,
            request=envelope,
            responses={200: RECEIVED},
            # drf-spectacular leaves a webhook's parameters out: the schema hook moves these in.
            extensions={
                "x-parameters": DELIVERY_HEADERS,
                "x-object-id-prefix": id_prefix,
                "x-data-example": example or {},
            },
        ),
    )


PING = event_webhook(
    events.PING,
    WebhookSerializer,
    id_prefix="wh",
    summary="A test event, sent to one endpoint on request",
    description=(
        "Sent only by `POST /api/practice/webhooks/{webhookId}/test`, to that endpoint: "
        "data.object is the endpoint itself. Answer it like any event to check the receiver."
    ),
)
