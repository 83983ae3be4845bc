"""GET/POST/DELETE /api/practice/time (GET also as CSV), GET/PATCH /api/practice/time/{timeEntryId}
and its GET .../history. Thin: parse, scope to the firm, call a service or selector, serialize."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from axiomatic.api.access import firm_for_request
from axiomatic.api.csv_export import (
    ExportFormatSerializer,
    csv_export,
    csv_schema_response,
    export_filename,
    export_format,
)
from axiomatic.api.history import history_response
from axiomatic.api.negotiation import FormatParamNegotiation
from axiomatic.api.pagination import PageParamsSerializer, keyset_page
from axiomatic.api.schema import firm_query_parameter
from axiomatic.api.serializers import renamed
from practice import schema_examples as examples
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


# The list's order, newest first: its pages and its CSV's chunks walk the same keyset.
TIME_ORDERING = ("-date", "-id")


class TimeViewSet(PracticeViewSet):
    query_serializer_class = TimeListQuerySerializer
    # `format` picks JSON or CSV; the Accept header does not (axiomatic.api.negotiation).
    content_negotiation_class = FormatParamNegotiation
    renderer_classes = [JSONRenderer]

    @extend_schema(
        operation_id="practice_time_list",
        summary="List time entries, with totals over the whole filtered set",
        description=(
            "Newest first (by date, then by when logged), in pages (`limit`, `cursor`). "
            "`totalHours` and `billableHours` add up every entry the filters match, not only "
            "the page. With `format=csv` the answer is a file of every matching entry, streamed "
            "(`text/csv`, an attachment): a header row of the JSON entry's keys, the nested "
            "`invoice` as `invoice.id` and `invoice.number`, booleans `true`/`false`, null "
            "empty, text that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`) "
            "prefixed with `'`. `limit` and `cursor` are refused with `format=csv`."
        ),
        examples=examples.TIME_LIST,
        parameters=[TimeListQuerySerializer, PageParamsSerializer, ExportFormatSerializer],
        responses={
            (200, "application/json"): TimeListSerializer,
            **csv_schema_response(
                "format=csv: every entry of the filtered set, newest first, streamed; the header "
                "row is the JSON entry's keys (invoice.id, invoice.number for the nested "
                "invoice). limit and cursor are refused with it."
            ),
            **READ,
        },
    )
    def list(self, request):
        fmt = export_format(request)
        access = firm_for_request(request, self.query["firmEntityId"])
        filters = renamed(self.query, TIME_FILTERS)
        entries = selectors.time_entry_list(firm=access.entity, filters=filters)
        if fmt == "csv":
            return csv_export(
                entries,
                ordering=TIME_ORDERING,
                salt="entries",
                serializer=TimeEntrySerializer(),
                filename=export_filename("time-entries", access.entity),
            )
        params = PageParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        page = keyset_page(
            entries,
            ordering=TIME_ORDERING,
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
        description=(
            "Without a `rate`, the entry takes the first of: its engagement's rate, the client's "
            "default rate, the staff member's rate on that date, the firm's default rate "
            "(`rateSource` says which); it is stored, so later rate changes never reprice it. "
            "Time on fixed-fee and non-billable engagements is not billable unless `billable` "
            "says so. Dated on or before the firm's `timeLockDate`: 409 `period_locked`."
        ),
        request=TimeCreateSerializer,
        examples=examples.TIME_CREATE,
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
        operation_id="practice_time_get",
        summary="One time entry, as the list shows it",
        description=(
            "The same item as in the list. Another firm's entry, a deleted one and an id that "
            "names nothing are the same 404. `firmEntityId` may be left out with an API key or "
            "a session that belongs to one firm."
        ),
        parameters=[FIRM_QUERY],
        examples=examples.TIME_GET,
        responses={200: TimeEntryEnvelopeSerializer, **READ},
    )
    def retrieve(self, request, time_entry_id: str):
        time_entry_id = self.path_id(time_entry_id, "te", "timeEntryId")
        access = self.caller_firm()
        entry = selectors.time_entry_get(firm=access.entity, public_id=time_entry_id)
        return Response({"entry": TimeEntrySerializer(entry).data})

    @extend_schema(
        operation_id="practice_time_update",
        summary="Edit an unbilled time entry",
        description=(
            "Only the keys given change. Invoiced entries are locked (409 "
            "`time_entry_invoiced`), approved ones until unapproved (409 "
            "`time_entry_approved`), and time in a locked period (409 `period_locked`)."
        ),
        parameters=[FIRM_QUERY],
        examples=examples.TIME_UPDATE,
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
        description=(
            "The entry is named in the query string (`timeEntryId`). Invoiced, approved and "
            "locked-period entries are refused with 409 as for an edit. Its history is kept."
        ),
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
        examples=examples.TIME_HISTORY,
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
