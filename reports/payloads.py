"""Webhook bodies of share-link events: data.object is the share link as the API shows it, read
after the commit that recorded the event (axiomatic.webhooks.events)."""

from axiomatic.webhooks.payloads import register_payload
from reports.serializers import ShareSerializer


def represent_share(firm, share) -> dict:
    return ShareSerializer(share).data


def register() -> None:
    register_payload(
        ["report_share.created", "report_share.accessed", "report_share.revoked"], represent_share
    )
