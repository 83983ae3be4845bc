"""Share-link webhook events in the OpenAPI schema (axiomatic.webhooks.webhook_schema):
data.object is what reports.payloads puts there, the share link as the API shows it."""

from axiomatic.webhooks.webhook_schema import event_webhook
from reports.serializers import ShareSerializer

REPORT_SHARE_CREATED = event_webhook(
    "report_share.created",
    ShareSerializer,
    id_prefix="shr",
    summary="A time-limited share link to a report was created",
    description="data.object is the share link: its report, parameters and expiry (not its URL).",
)
REPORT_SHARE_ACCESSED = event_webhook(
    "report_share.accessed",
    ShareSerializer,
    id_prefix="shr",
    summary="Someone opened a share link",
    description="data.object is the share link, its access count including this open.",
)
REPORT_SHARE_REVOKED = event_webhook(
    "report_share.revoked",
    ShareSerializer,
    id_prefix="shr",
    summary="A share link was revoked",
    description="data.object is the share link, as revoked.",
)
