"""The practice app's webhook events in the OpenAPI schema (axiomatic.webhooks.webhook_schema):
data.object is what practice.payloads puts there, the serializer the API answers with."""

from rest_framework import serializers

from axiomatic.webhooks.webhook_schema import event_webhook
from practice.models import EngagementStatus
from practice.serializers import (
    ClientEnvelopeSerializer,
    EngagementSerializer,
    InvitationSerializer,
    TimeEntrySerializer,
    TimerSerializer,
)

_CLIENT = "data.object is the client as `GET /api/practice/clients/{entityId}` shows it"
_ENTRY = "data.object is the time entry as `GET /api/practice/time/{timeEntryId}` shows it"
_ENGAGEMENT = "data.object is the engagement with its tasks, as the engagements list shows it"

CLIENT_CREATED = event_webhook(
    "client.created",
    ClientEnvelopeSerializer,
    summary="A client entity was created and linked to the firm",
    description=f"{_CLIENT}: its entity, books and link (tier, billing mode, Stripe state).",
)
CLIENT_UPDATED = event_webhook(
    "client.updated",
    ClientEnvelopeSerializer,
    summary="A client's name, tier, billing mode or references changed",
    description=f"{_CLIENT}, after the change.",
)
CLIENT_ARCHIVED = event_webhook(
    "client.archived",
    ClientEnvelopeSerializer,
    summary="A client was archived (no longer listed or billed)",
    description=f"{_CLIENT}, as archived.",
)
INVITATION_SENT = event_webhook(
    "invitation.sent",
    InvitationSerializer,
    id_prefix="invt",
    summary="An invitation email went to a client user (first send or resend)",
    description="data.object is the invitation: email, role, status, expiry and how often sent.",
)
INVITATION_ACCEPTED = event_webhook(
    "invitation.accepted",
    InvitationSerializer,
    id_prefix="invt",
    example={"object": {"status": "accepted"}},
    summary="A client user accepted an invitation",
    description="data.object is the invitation, its status `accepted`.",
)
TIME_ENTRY_CREATED = event_webhook(
    "time_entry.created",
    TimeEntrySerializer,
    id_prefix="te",
    summary="Time was logged (by the API, a timer or the admin)",
    description=f"{_ENTRY}.",
)
TIME_ENTRY_UPDATED = event_webhook(
    "time_entry.updated",
    TimeEntrySerializer,
    id_prefix="te",
    summary="A time entry was edited",
    description=f"{_ENTRY}, after the edit.",
)
TIME_ENTRY_DELETED = event_webhook(
    "time_entry.deleted",
    TimeEntrySerializer,
    id_prefix="te",
    summary="A time entry was deleted",
    description=f"{_ENTRY}, as it was just before it was deleted.",
)
TIME_ENTRY_APPROVED = event_webhook(
    "time_entry.approved",
    TimeEntrySerializer,
    id_prefix="te",
    example={"object": {"approvalStatus": "approved"}},
    summary="A time entry was approved",
    description=f"{_ENTRY}: `approvalStatus` `approved`. A bulk approval sends one per entry.",
)
TIME_ENTRY_UNAPPROVED = event_webhook(
    "time_entry.unapproved",
    TimeEntrySerializer,
    id_prefix="te",
    summary="An approved time entry went back to open",
    description=f"{_ENTRY}: `approvalStatus` `open`. A bulk change sends one per entry.",
)
ENGAGEMENT_CREATED = event_webhook(
    "engagement.created",
    EngagementSerializer,
    id_prefix="eng",
    summary="An engagement was created (also the next one of a recurring engagement)",
    description=f"{_ENGAGEMENT}.",
)
ENGAGEMENT_STATUS_CHANGED = event_webhook(
    "engagement.status_changed",
    EngagementSerializer,
    id_prefix="eng",
    extra={
        "previousStatus": serializers.ChoiceField(
            choices=EngagementStatus.choices, help_text="The status before the change."
        )
    },
    example={"object": {"status": "completed"}, "previousStatus": "active"},
    summary="An engagement's status changed",
    description=f"{_ENGAGEMENT}, in its new status; data.previousStatus is the one before.",
)
ENGAGEMENT_TASK_COMPLETED = event_webhook(
    "engagement.task_completed",
    EngagementSerializer,
    id_prefix="eng",
    extra={"taskId": serializers.CharField(help_text="The task completed (`task_...`).")},
    summary="A task of an engagement was completed",
    description=f"{_ENGAGEMENT}; data.taskId names the task completed.",
)
TIMER_STARTED = event_webhook(
    "timer.started",
    TimerSerializer,
    id_prefix="tmr",
    example={"object": {"status": "running", "stoppedAt": None, "timeEntryId": None}},
    summary="A timer was started",
    description="data.object is the running timer.",
)
TIMER_STOPPED = event_webhook(
    "timer.stopped",
    TimerSerializer,
    id_prefix="tmr",
    example={"object": {"status": "stopped"}},
    summary="A timer was stopped and its time logged",
    description="data.object is the stopped timer; `timeEntryId` names the entry it made.",
)
