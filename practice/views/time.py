"""GET/POST/DELETE /api/practice/time, PATCH /api/practice/time/{timeEntryId} and its GET
.../history. Thin: parse, scope to the firm, call a service or selector, serialize."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from axiomatic.api.access import firm_for_request
from axiomatic.api.history import history_response
from axiomatic.api.pagination import PageParamsSerializer, keyset_page
from axiomatic.api.schema import firm_query_parameter
from axiomatic.api.serializers import renamed
from practice import selectors
from practice.serializers import (
    TimeCreateSerializer,
    TimeDeleteQuerySerializer,
    TimeEntryEnvelopeSerializer,
    TimeEntryHistorySerializer,
    TimeEntrySerializer,
    TimeListQuerySerializer,
    TimeListSerializer,
    TimeUpdateSerializer,
)
from practice.services import time_entries as time_services
from practice.views.base import FIRM_QUERY, READ, WRITE, PracticeViewSet

# The contract's names of what each endpoint passes down, and the names services and selectors take.
TIME_FILTERS = {
    "clientEntityId": "client_entity_id",
    "from": "date_from",
    "to": "date_to",
    "unbilledOnly": "unbilled_only",
    "engagementId": "engagement_id",
    "userId": "user_id",
    "billable": "billable",
    "updatedSince": "updated_since",
}
TIME_CHANGES = {
    "date": "work_date",
    "hours": "hours",
    "description": "description",
    "billable": "billable",
    "rate": "rate_cents",
    "engagementId": "engagement_id",
    "taskId": "task_id",
    "userId": "user_id",
    "externalReference": "external_reference",
}


class TimeViewSet(PracticeViewSet):
    query_serializer_class = TimeListQuerySerializer

    @extend_schema(
        operation_id="practice_time_list",
        summary="List time entries, with totals over the whole filtered set",
        parameters=[TimeListQuerySerializer, PageParamsSerializer],
        responses={200: TimeListSerializer, **READ},
    )
    def list(self, request):
        access = firm_for_request(request, self.query["firmEntityId"])
        filters = renamed(self.query, TIME_FILTERS)
        params = PageParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        page = keyset_page(
            selectors.time_entry_list(firm=access.entity, filters=filters),
            ordering=("-date", "-id"),
            limit=params.validated_data["limit"],
            cursor=params.validated_data.get("cursor"),
            salt="entries",
        )
        totals = selectors.time_entry_totals(firm=access.entity, filters=filters)
        return Response(
            {
                "entries": TimeEntrySerializer(page.items, many=True).data,
                "totalHours": float(totals["total"]),
                "billableHours": float(totals["billable"]),
                "hasMore": page.has_more,
                "nextCursor": page.next_cursor,
            }
        )

    @extend_schema(
        operation_id="practice_time_create",
        summary="Log time for a client",
        request=TimeCreateSerializer,
        responses={201: TimeEntryEnvelopeSerializer, **WRITE},
    )
    def create(self, request):
        data = self.body(TimeCreateSerializer)
        access = firm_for_request(request, data["firmEntityId"], write=True)
        link = self.client_link(access, data["entityId"])
        entry = time_services.time_entry_create(
            firm=access.entity,
            link=link,
            work_date=data["date"],
            hours=data["hours"],
            description=data.get("description", ""),
            billable=data.get("billable"),
            rate_cents=data.get("rate"),
            engagement_id=data.get("engagementId"),
            task_id=data.get("taskId"),
            user_id=data.get("userId"),
            default_user=access.actor,
            external_reference=data.get("externalReference"),
        )
        entry = selectors.time_entry_get(firm=access.entity, public_id=entry.public_id)
        return Response({"entry": TimeEntrySerializer(entry).data}, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="practice_time_update",
        summary="Edit an unbilled time entry",
        parameters=[FIRM_QUERY],
        request=TimeUpdateSerializer,
        responses={200: TimeEntryEnvelopeSerializer, **WRITE},
    )
    def partial_update(self, request, time_entry_id: str):
        time_entry_id = self.path_id(time_entry_id, "te", "timeEntryId")
        data = self.body(TimeUpdateSerializer)
        access = self.firm(write=True, body=data)
        link = self.client_link(access, data["entityId"]) if "entityId" in data else None
        time_services.time_entry_update(
            firm=access.entity,
            public_id=time_entry_id,
            link=link,
            changes=renamed(data, TIME_CHANGES),
        )
        entry = selectors.time_entry_get(firm=access.entity, public_id=time_entry_id)
        return Response({"entry": TimeEntrySerializer(entry).data})

    @extend_schema(
        operation_id="practice_time_delete",
        summary="Delete a time entry (invoiced entries cannot be deleted)",
        parameters=[TimeDeleteQuerySerializer],
        request=None,
        responses={204: OpenApiResponse(description="Deleted."), **WRITE},
    )
    def destroy(self, request):
        query = TimeDeleteQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        access = firm_for_request(request, query.validated_data["firmEntityId"], write=True)
        time_services.time_entry_delete(
            firm=access.entity, public_id=query.validated_data["timeEntryId"]
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        operation_id="practice_time_history",
        summary="A time entry's change history: when, by whom, which fields from what to what",
        description=(
            "Oldest first. A deleted entry keeps its history (its last change is `deleted`). "
            "Billing marks entries billed and void returns them to unbilled: both appear, with "
            "a `reason`."
        ),
        parameters=[firm_query_parameter(required=True), PageParamsSerializer],
        responses={200: TimeEntryHistorySerializer, **READ},
    )
    def history(self, request, time_entry_id: str):
        time_entry_id = self.path_id(time_entry_id, "te", "timeEntryId")
        access = self.firm()
        return history_response(
            request,
            selectors.time_entry_history(firm=access.entity, public_id=time_entry_id),
            changes_of=selectors.time_entry_changes,
            serializer_class=TimeEntryHistorySerializer,
            salt="time-entry-history",
        )
