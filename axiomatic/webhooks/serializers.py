"""Wire format of the webhook endpoints API (camelCase keys, public ids)."""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from axiomatic.api.fields import PublicIdField, StrictBooleanField, StrictCharField
from axiomatic.api.pagination import PageSerializer
from axiomatic.api.serializers import FirmPatchSerializer, FirmQuerySerializer
from axiomatic.webhooks import transport
from axiomatic.webhooks.events import ALL, EVENT_TYPES
from axiomatic.webhooks.models import WebhookDelivery, WebhookEndpoint

MAX_EVENT_TYPES = len(EVENT_TYPES) + 1


def _events_field(**kwargs):
    return serializers.ListField(
        child=serializers.ChoiceField(choices=[ALL, *EVENT_TYPES]),
        min_length=1,
        max_length=MAX_EVENT_TYPES,
        help_text='Event types to receive, or ["*"] for all of them.',
        **kwargs,
    )


def _url_field(**kwargs):
    return StrictCharField(
        max_length=transport.MAX_URL_LENGTH,
        single_line=True,
        help_text="https URL of the receiver (public hosts only).",
        **kwargs,
    )


def _description_field(**kwargs):
    return StrictCharField(
        max_length=200, single_line=True, allow_blank=True, required=False, **kwargs
    )


class WebhookCreateSerializer(serializers.Serializer):
    firmEntityId = PublicIdField(prefix="ent")
    url = _url_field()
    events = _events_field()
    description = _description_field(default="")


class WebhookUpdateSerializer(FirmPatchSerializer):
    url = _url_field(required=False)
    events = _events_field(required=False)
    description = _description_field()
    enabled = StrictBooleanField(required=False)


class WebhookListQuerySerializer(FirmQuerySerializer):
    pass


class WebhookSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="public_id")
    firmEntityId = serializers.CharField(source="firm.public_id")
    events = serializers.ListField(child=serializers.CharField())
    disabledReason = serializers.CharField(source="disabled_reason")
    disabledAt = serializers.DateTimeField(source="disabled_at", allow_null=True)
    previousSecretExpiresAt = serializers.DateTimeField(
        source="previous_secret_expires_at",
        allow_null=True,
        help_text="During a secret rotation, when the previous secret stops signing.",
    )
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "firmEntityId",
            "url",
            "description",
            "events",
            "enabled",
            "disabledReason",
            "disabledAt",
            "previousSecretExpiresAt",
            "createdAt",
            "updatedAt",
        ]


class WebhookEnvelopeSerializer(serializers.Serializer):
    webhook = WebhookSerializer()


class WebhookWithSecretSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="The endpoint's id (wh_...), as in webhook.id.")
    webhook = WebhookSerializer()
    secret = serializers.CharField(
        help_text="The signing secret (whsec_...). Shown only in this response: store it now."
    )


class DeliverySerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="public_id")
    eventId = serializers.CharField(source="event.public_id")
    eventType = serializers.CharField(source="event.type")
    eventCreatedAt = serializers.DateTimeField(source="event.created_at")
    attempt = serializers.IntegerField(source="attempts", help_text="Attempts made so far.")
    lastAttemptAt = serializers.DateTimeField(source="last_attempt_at", allow_null=True)
    statusCode = serializers.IntegerField(source="last_status_code", allow_null=True)
    durationMs = serializers.IntegerField(source="last_duration_ms", allow_null=True)
    nextRetryAt = serializers.SerializerMethodField()
    error = serializers.CharField(source="last_error")
    response = serializers.CharField(
        source="response_body", help_text="The first 1 KB of the receiver's answer."
    )

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "eventId",
            "eventType",
            "eventCreatedAt",
            "status",
            "attempt",
            "lastAttemptAt",
            "statusCode",
            "durationMs",
            "nextRetryAt",
            "error",
            "response",
        ]

    def get_nextRetryAt(self, obj) -> str | None:
        if obj.status != "pending" or obj.next_attempt_at is None:
            return None
        return serializers.DateTimeField().to_representation(obj.next_attempt_at)


class DeliveryEnvelopeSerializer(serializers.Serializer):
    delivery = DeliverySerializer()


# A list's answer as the schema shows it (axiomatic.api.pagination.PageSerializer).
@extend_schema_serializer(many=False, component_name="PaginatedWebhookList")
class WebhookPageSerializer(PageSerializer):
    webhooks = WebhookSerializer(many=True)


@extend_schema_serializer(many=False, component_name="PaginatedDeliveryList")
class DeliveryPageSerializer(PageSerializer):
    deliveries = DeliverySerializer(many=True)
