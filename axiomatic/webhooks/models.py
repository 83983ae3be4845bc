"""Webhook endpoints of a firm, the events recorded for them (the outbox) and their deliveries.

An event is written in the same transaction as the change that caused it, with one delivery row per
endpoint that subscribes to it; a Celery task sends deliveries after commit. So no event is lost,
and none goes out for a change that rolled back (docs/adr/0014-webhooks.md).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from axiomatic.core.history import tracked_history
from axiomatic.core.models import PublicIdField, TimeStampedModel


class WebhookEndpoint(TimeStampedModel):
    public_id = PublicIdField(prefix="wh")
    firm = models.ForeignKey(
        "entities.Entity", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    # Event types the endpoint receives, or ["*"] for all of them.
    events = models.JSONField(default=list)
    enabled = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=500, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    # The signing secret, encrypted (axiomatic.webhooks.signing); during a rotation the previous one
    # signs too until it expires.
    secret_encrypted = models.TextField()
    previous_secret_encrypted = models.TextField(blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    # Start of the current run of failed attempts (None after a success): 3 days of it disables.
    failing_since = models.DateTimeField(null=True, blank=True)
    # A delivery run holds the endpoint until then, so its deliveries go out one at a time, in order.
    lease_until = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # Never the secrets in history. The delivery clocks (lease, failing since) change with every
    # attempt and are not changes of the endpoint; being disabled for failing is (enabled, reason).
    history = tracked_history(
        excluded_fields=(
            "secret_encrypted",
            "previous_secret_encrypted",
            "lease_until",
            "failing_since",
        )
    )

    class Meta:
        indexes = [models.Index(fields=["firm", "id"], name="webhook_endpoint_firm")]

    def __str__(self) -> str:
        return self.url

    def subscribes_to(self, event_type: str) -> bool:
        return "*" in self.events or event_type in self.events


class WebhookEvent(models.Model):
    public_id = PublicIdField(prefix="evt")
    firm = models.ForeignKey("entities.Entity", on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    # What the event is about: model label ("practice.timeentry"), primary key and public id. The
    # public id outlives the row, so a body built after a deletion can still name it.
    subject_type = models.CharField(max_length=100, blank=True)
    subject_id = models.BigIntegerField(null=True, blank=True)
    subject_public_id = models.CharField(max_length=40, blank=True)
    extra = models.JSONField(default=dict, blank=True)  # keys beside data.object (previousStatus)
    # The whole envelope as it is sent: {"id", "type", "createdAt", "firmEntityId", "data"}. Built
    # right after the commit that recorded the event (NULL until then), never changed after.
    payload = models.JSONField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["firm", "created_at"], name="webhook_event_firm_created")]

    def __str__(self) -> str:
        return f"{self.type} {self.public_id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # every retry failed; the endpoint's later events went on


class WebhookDelivery(models.Model):
    public_id = PublicIdField(prefix="whd")
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_duration_ms = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    # At most the first 1 KB of the receiver's answer.
    response_body = models.CharField(max_length=1024, blank=True)

    class Meta:
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="webhook_delivery_once"),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "succeeded", "failed"]),
                name="webhook_delivery_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["endpoint", "status", "id"], name="webhook_delivery_queue"),
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
        ]

    def __str__(self) -> str:
        return f"{self.event.type} to {self.endpoint.url}"
