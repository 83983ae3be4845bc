"""What a firm's export holds of webhooks: its endpoints, never their signing secrets."""

from axiomatic.core.exports import Table, columns
from axiomatic.webhooks.models import WebhookEndpoint

TABLES = (
    Table(
        "webhook_endpoints",
        columns(
            ("id", "public_id"),
            "url",
            "description",
            "events",
            "enabled",
            "disabled_reason",
            "disabled_at",
            ("created_by_user_id", "created_by__public_id"),
            "created_at",
        ),
        lambda scope: WebhookEndpoint.objects.filter(firm=scope.firm).order_by("id"),
    ),
)
