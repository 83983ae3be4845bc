"""Webhook events of the practice app, recorded in the transaction of the change (the outbox in
axiomatic.webhooks). Each names its subject; the body (data.object, what the API answers for the
object) is built by practice.payloads after the commit."""

from axiomatic.entities.models import Entity
from axiomatic.webhooks.events import event_record
from practice.models import ClientLink, Engagement, Invitation, TimeEntry, Timer


def client_event(type: str, *, firm: Entity, link: ClientLink) -> None:
    event_record(firm=firm, type=type, subject=link)


def invitation_event(type: str, *, invitation: Invitation) -> None:
    event_record(firm=invitation.firm, type=type, subject=invitation)


def time_entry_event(type: str, *, firm: Entity, entry: TimeEntry) -> None:
    """For time_entry.deleted, `entry` is the deleted instance: the body shows it as it was."""
    event_record(firm=firm, type=type, subject=entry)


def engagement_event(type: str, *, firm: Entity, engagement: Engagement, **extra) -> None:
    event_record(firm=firm, type=type, subject=engagement, extra=extra)


def timer_event(type: str, *, firm: Entity, timer: Timer) -> None:
    """timer.started and timer.stopped: data.object is the timer (a stopped one names its entry)."""
    event_record(firm=firm, type=type, subject=timer)


def time_entries_event(type: str, *, firm: Entity, entries: list[TimeEntry]) -> None:
    """One event per entry a bulk change touched (time_entry.approved, time_entry.unapproved)."""
    for entry in entries:
        event_record(firm=firm, type=type, subject=entry)
