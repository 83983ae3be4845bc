"""Webhook bodies of the practice app's events: data.object is what the API answers for the
object, read back after the commit that recorded the event (axiomatic.webhooks.events)."""

from axiomatic.webhooks.payloads import register_payload
from practice import selectors
from practice.pricing import tier_fees_cents
from practice.serializers import (
    ClientEnvelopeSerializer,
    EngagementSerializer,
    InvitationSerializer,
    TimeEntrySerializer,
    TimerSerializer,
)


def represent_client(firm, link) -> dict:
    link_with_books = selectors.client_with_books(link_id=link.pk)
    return ClientEnvelopeSerializer(link_with_books, context={"fees": tier_fees_cents()}).data


def represent_invitation(firm, invitation) -> dict:
    return InvitationSerializer(invitation).data


def represent_time_entry(firm, entry) -> dict:
    current = selectors.time_entry_list(firm=firm, filters={}).filter(pk=entry.pk).first()
    return TimeEntrySerializer(current or entry).data  # a deleted entry: as it was


def represent_engagement(firm, engagement) -> dict:
    return EngagementSerializer(
        selectors.engagement_get(firm=firm, public_id=engagement.public_id)
    ).data


def represent_timer(firm, timer) -> dict:
    return TimerSerializer(selectors.timer_get(firm=firm, public_id=timer.public_id)).data


def register() -> None:
    register_payload(["client.created", "client.updated", "client.archived"], represent_client)
    register_payload(["invitation.sent", "invitation.accepted"], represent_invitation)
    register_payload(
        ["time_entry.created", "time_entry.updated", "time_entry.deleted"], represent_time_entry
    )
    register_payload(["time_entry.approved", "time_entry.unapproved"], represent_time_entry)
    register_payload(
        ["engagement.created", "engagement.status_changed", "engagement.task_completed"],
        represent_engagement,
    )
    register_payload(["timer.started", "timer.stopped"], represent_timer)
