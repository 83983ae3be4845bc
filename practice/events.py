"""Webhook events of the practice app, recorded in the transaction of the change (the outbox in
axiomatic.webhooks). data.object is what the API answers for the object; the representation is only
built when one of the firm's endpoints listens."""

from axiomatic.entities.models import Entity
from axiomatic.webhooks.events import event_record
from practice import selectors
from practice.models import ClientLink, Engagement, Invitation, TimeEntry
from practice.pricing import tier_fees_cents
from practice.serializers import (
    ClientEnvelopeSerializer,
    EngagementSerializer,
    InvitationSerializer,
    TimeEntrySerializer,
)


def client_event(type: str, *, firm: Entity, link: ClientLink) -> None:
    def represent():
        link_with_books = selectors.client_with_books(link_id=link.pk)
        return ClientEnvelopeSerializer(link_with_books, context={"fees": tier_fees_cents()}).data

    event_record(firm=firm, type=type, represent=represent)


def invitation_event(type: str, *, invitation: Invitation) -> None:
    event_record(
        firm=invitation.firm, type=type, represent=lambda: InvitationSerializer(invitation).data
    )


def time_entry_event(type: str, *, firm: Entity, entry: TimeEntry) -> None:
    def represent():
        current = selectors.time_entry_list(firm=firm, filters={}).filter(pk=entry.pk).first()
        return TimeEntrySerializer(current or entry).data  # a deleted entry: as it was

    event_record(firm=firm, type=type, represent=represent)


def engagement_event(type: str, *, firm: Entity, engagement: Engagement, **extra) -> None:
    def represent():
        return EngagementSerializer(
            selectors.engagement_get(firm=firm, public_id=engagement.public_id)
        ).data

    event_record(firm=firm, type=type, represent=represent, extra=extra)
