"""POST /api/practice/time/approve and /api/practice/time/unapprove: approve a firm's time in bulk,
or return it to open (practice.services.approvals; docs/adr/0025). Thin: parse, scope, call."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from practice import schema_examples as examples
from practice.serializers import (
    TimeApprovalSerializer,
    TimeApprovedSerializer,
    TimeUnapprovedSerializer,
)
from practice.services import approvals
from practice.views.base import FIRM_QUERY, WRITE, PracticeViewSet

APPROVAL_RULES = (
    "For a firm ADMIN (an API key approves while its creator is one): 403 otherwise. Ids that are "
    "not the firm's entries are a 400 naming them, and nothing changes. Billed time is locked: "
    "changing the approval of an invoiced entry is 409 `time_entry_invoiced`. One transaction; a "
    "webhook event per entry changed."
)


class TimeApprovalViewSet(PracticeViewSet):
    @extend_schema(
        operation_id="practice_time_approve",
        summary="Approve time entries in bulk",
        description=f"Entries already approved are left alone and not counted. {APPROVAL_RULES}",
        parameters=[FIRM_QUERY],
        request=TimeApprovalSerializer,
        responses={200: TimeApprovedSerializer, **WRITE},
        examples=examples.TIME_APPROVE,
    )
    def approve(self, request):
        data = self.body(TimeApprovalSerializer)
        access = self.caller_firm(write=True, body=data)
        approved = approvals.time_entries_approve(
            firm=access.entity, time_entry_ids=data["timeEntryIds"], by=access.actor
        )
        return Response({"approved": approved})

    @extend_schema(
        operation_id="practice_time_unapprove",
        summary="Return approved time entries to open, in bulk",
        description=f"Entries not approved are left alone and not counted. {APPROVAL_RULES}",
        parameters=[FIRM_QUERY],
        request=TimeApprovalSerializer,
        responses={200: TimeUnapprovedSerializer, **WRITE},
        examples=examples.TIME_UNAPPROVE,
    )
    def unapprove(self, request):
        data = self.body(TimeApprovalSerializer)
        access = self.caller_firm(write=True, body=data)
        unapproved = approvals.time_entries_unapprove(
            firm=access.entity, time_entry_ids=data["timeEntryIds"], by=access.actor
        )
        return Response({"unapproved": unapproved})
