"""The practice API: clients, invitations, time, engagements. Thin: parse, scope, call, serialize.

Every view resolves the firm first (`firmEntityId`, from the query string, or the body where the
contract puts it there), so another firm's ids and unknown ids meet the same 404 before anything else.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.response import Response

from axiomatic.api.access import Access, firm_for_request
from axiomatic.api.authentication import ApiKeyUser
from axiomatic.api.pagination import PageParamsSerializer, keyset_page, keyset_pagination
from axiomatic.api.schema import error_responses, firm_query_parameter
from axiomatic.api.serializers import FirmBodySerializer
from axiomatic.api.views import ApiViewSet
from axiomatic.core.errors import NotFoundError, field_errors
from axiomatic.entities.models import Membership
from practice import selectors
from practice.pricing import tier_fees_cents
from practice.serializers import (
    ClientCreateSerializer,
    ClientEnvelopeSerializer,
    ClientListItemSerializer,
    ClientListQuerySerializer,
    ClientUpdateSerializer,
    EngagementCreateSerializer,
    EngagementEnvelopeSerializer,
    EngagementListQuerySerializer,
    EngagementPatchSerializer,
    EngagementSerializer,
    EngagementUpdateSerializer,
    InvitationCreateSerializer,
    InvitationEnvelopeSerializer,
    TimeCreateSerializer,
    TimeDeleteQuerySerializer,
    TimeEntryEnvelopeSerializer,
    TimeEntrySerializer,
    TimeListQuerySerializer,
    TimeListSerializer,
    TimeUpdateSerializer,
)
from practice.services import clients as client_services
from practice.services import engagements as engagement_services
from practice.services import invitations as invitation_services
from practice.services import time_entries as time_services

READ = error_responses(400, 401, 403, 404)
WRITE = error_responses(400, 401, 403, 404, 409)
FIRM_QUERY = firm_query_parameter()


class PracticeViewSet(ApiViewSet):
    def client_link(self, access: Access, entity_id: str):
        return selectors.client_link_get(firm=access.entity, entity_id=entity_id)


def _client_response(link, *, status_code=status.HTTP_200_OK) -> Response:
    link = selectors.client_with_books(link_id=link.pk)
    data = ClientEnvelopeSerializer(link, context={"fees": tier_fees_cents()}).data
    return Response(data, status=status_code)


class ClientViewSet(mixins.ListModelMixin, PracticeViewSet):
    query_serializer_class = ClientListQuerySerializer
    serializer_class = ClientListItemSerializer
    pagination_class = keyset_pagination("clients", ("id",))

    def get_queryset(self):
        access = firm_for_request(self.request, self.query["firmEntityId"])
        return selectors.client_list(firm=access.entity, filters=self.query)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "fees": tier_fees_cents()}

    @extend_schema(
        operation_id="practice_clients_list",
        summary="List the firm's active client entities",
        parameters=[ClientListQuerySerializer],
        responses={200: ClientListItemSerializer(many=True), **READ},
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        operation_id="practice_clients_create",
        summary="Create a client entity (chart and books seeded) linked to the firm",
        request=ClientCreateSerializer,
        responses={201: ClientEnvelopeSerializer, **WRITE},
    )
    def create(self, request):
        data = self.body(ClientCreateSerializer)
        access = firm_for_request(request, data["firmEntityId"], write=True)
        link = client_services.client_create(
            firm=access.entity,
            name=data["name"],
            type=data["type"],
            industry=data["industry"],
            tier=data["tier"],
            billing_mode=data["billingMode"],
            external_reference=data["externalReference"],
            default_rate_cents=data["defaultRate"],
        )
        return _client_response(link, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="practice_clients_update",
        summary="Change a client's name, tier, billing mode, default rate or reference",
        parameters=[FIRM_QUERY],
        request=ClientUpdateSerializer,
        responses={200: ClientEnvelopeSerializer, **WRITE},
    )
    def partial_update(self, request, entity_id: str):
        entity_id = self.path_id(entity_id, "ent", "entityId")
        data = self.body(ClientUpdateSerializer)
        access = self.firm(write=True, body=data)
        link = self.client_link(access, entity_id)
        names = {
            "name": "name",
            "type": "type",
            "industry": "industry",
            "tier": "tier",
            "billingMode": "billing_mode",
            "defaultRate": "default_rate_cents",
            "externalReference": "external_reference",
        }
        changes = {names[k]: v for k, v in data.items() if k in names}
        link = client_services.client_update(link=link, changes=changes)
        return _client_response(link)

    @extend_schema(
        operation_id="practice_clients_archive",
        summary="Archive a client: it stops being listed and billed; its books stay",
        parameters=[FIRM_QUERY],
        request=None,
        responses={204: OpenApiResponse(description="Archived."), **WRITE},
    )
    def destroy(self, request, entity_id: str):
        entity_id = self.path_id(entity_id, "ent", "entityId")
        access = self.firm(write=True)
        link = self.client_link(access, entity_id)
        client_services.client_archive(link=link)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        operation_id="practice_clients_invite",
        summary="Invite a client user by email (resends a pending invitation to the same address)",
        request=InvitationCreateSerializer,
        responses={201: InvitationEnvelopeSerializer, **WRITE},
    )
    def invite(self, request, entity_id: str):
        entity_id = self.path_id(entity_id, "ent", "entityId")
        data = self.body(InvitationCreateSerializer)
        access = self._firm_reaching(entity_id, data.get("firmEntityId"))
        link = self.client_link(access, entity_id)
        invitation, _ = invitation_services.invitation_create(
            firm=access.entity,
            entity=link.client,
            email=data["email"],
            role=data["role"],
            invited_by=access.actor,
        )
        invitation.refresh_from_db()
        return Response(
            InvitationEnvelopeSerializer(invitation).data, status=status.HTTP_201_CREATED
        )

    def _firm_reaching(self, entity_id: str, firm_id: str | None) -> Access:
        """The contract's invite body has no firmEntityId: an API key names its firm; a session
        user's firm is the one of theirs that has this client (or the one they name)."""
        if firm_id is None:
            firm_id = self.request.query_params.get("firmEntityId")
        if firm_id is None and isinstance(self.request.user, ApiKeyUser):
            firm_id = self.request.user.api_key.firm.public_id
        if firm_id is None:
            firm_id = (
                Membership.objects.filter(
                    user_id=self.request.user.pk,
                    entity__client_links__client__public_id=entity_id,
                    entity__client_links__archived_at__isnull=True,
                )
                .values_list("entity__public_id", flat=True)
                .order_by("entity_id")
                .first()
            )
            if firm_id is None:
                raise NotFoundError()
        return self.firm(write=True, body={"firmEntityId": firm_id})


class TimeViewSet(PracticeViewSet):
    query_serializer_class = TimeListQuerySerializer

    @extend_schema(
        operation_id="practice_time_list",
        summary="List time entries, with totals over the whole filtered set",
        parameters=[TimeListQuerySerializer, PageParamsSerializer],
        responses={200: TimeListSerializer, **READ},
    )
    def list(self, request):
        query = self.query
        access = firm_for_request(request, query["firmEntityId"])
        params = PageParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        page = keyset_page(
            selectors.time_entry_list(firm=access.entity, filters=query),
            ordering=("-date", "-id"),
            limit=params.validated_data["limit"],
            cursor=params.validated_data.get("cursor"),
            salt="entries",
        )
        totals = selectors.time_entry_totals(firm=access.entity, filters=query)
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
            billable=data.get("billable", True),
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
        names = {
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
        changes = {names[k]: v for k, v in data.items() if k in names}
        time_services.time_entry_update(
            firm=access.entity, public_id=time_entry_id, link=link, changes=changes
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


def _engagement_response(access: Access, public_id: str, status_code=status.HTTP_200_OK):
    engagement = selectors.engagement_get(firm=access.entity, public_id=public_id)
    return Response({"engagement": EngagementSerializer(engagement).data}, status=status_code)


class EngagementViewSet(mixins.ListModelMixin, PracticeViewSet):
    query_serializer_class = EngagementListQuerySerializer
    serializer_class = EngagementSerializer
    pagination_class = keyset_pagination("engagements", ("start_date", "id"))

    def get_queryset(self):
        access = firm_for_request(self.request, self.query["firmEntityId"])
        return selectors.engagement_list(firm=access.entity, filters=self.query)

    @extend_schema(
        operation_id="practice_engagements_list",
        summary="List engagements with their tasks",
        parameters=[EngagementListQuerySerializer],
        responses={200: EngagementSerializer(many=True), **READ},
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def _assignee(self, access: Access, user_id: str | None, field: str = "assigneeUserId"):
        if user_id is None:
            return None
        membership = (
            Membership.objects.select_related("user")
            .filter(entity=access.entity, user__public_id=user_id)
            .first()
        )
        if membership is None:
            raise field_errors({field: ["No such member of this firm."]})
        return membership.user

    @extend_schema(
        operation_id="practice_engagements_create",
        summary="Create an engagement with its type's standard tasks",
        request=EngagementCreateSerializer,
        responses={201: EngagementEnvelopeSerializer, **WRITE},
    )
    def create(self, request):
        data = self.body(EngagementCreateSerializer)
        access = firm_for_request(request, data["firmEntityId"], write=True)
        link = self.client_link(access, data["entityId"])
        engagement = engagement_services.engagement_create(
            firm=access.entity,
            client=link.client,
            name=data["name"],
            start_date=data["startDate"],
            type=data["type"],
            recurrence=data["recurrence"],
            notes=data["notes"],
            due_date=data["dueDate"],
            assignee=self._assignee(access, data["assigneeUserId"]),
        )
        return _engagement_response(access, engagement.public_id, status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="practice_engagements_patch",
        summary="Complete a task ({firmEntityId, taskId}) or set a status "
        "({firmEntityId, engagementId, status})",
        request=EngagementPatchSerializer,
        responses={200: EngagementEnvelopeSerializer, **WRITE},
    )
    def patch_collection(self, request):
        data = self.body(EngagementPatchSerializer)
        access = firm_for_request(request, data["firmEntityId"], write=True)
        if "taskId" in data:
            engagement = engagement_services.task_complete(
                firm=access.entity, public_id=data["taskId"]
            )
        else:
            engagement = engagement_services.engagement_set_status(
                firm=access.entity, public_id=data["engagementId"], status=data["status"]
            )
        return _engagement_response(access, engagement.public_id)

    @extend_schema(
        operation_id="practice_engagements_update",
        summary="Edit an engagement: name, due date, assignee, notes, status",
        parameters=[FIRM_QUERY],
        request=EngagementUpdateSerializer,
        responses={200: EngagementEnvelopeSerializer, **WRITE},
    )
    def partial_update(self, request, engagement_id: str):
        engagement_id = self.path_id(engagement_id, "eng", "engagementId")
        data = self.body(EngagementUpdateSerializer)
        access = self.firm(write=True, body=data)
        changes = {}
        for wire, name in (
            ("name", "name"),
            ("dueDate", "due_date"),
            ("notes", "notes"),
            ("status", "status"),
        ):
            if wire in data:
                changes[name] = data[wire]
        if "assigneeUserId" in data:
            changes["assignee"] = self._assignee(access, data["assigneeUserId"])
        engagement_services.engagement_update(
            firm=access.entity, public_id=engagement_id, changes=changes
        )
        return _engagement_response(access, engagement_id)

    @extend_schema(
        operation_id="practice_engagement_task_complete",
        summary="Complete a task (idempotent)",
        parameters=[FIRM_QUERY],
        request=FirmBodySerializer,
        responses={200: EngagementEnvelopeSerializer, **WRITE},
    )
    def complete_task(self, request, engagement_id: str, task_id: str):
        return self._task(engagement_services.task_complete, engagement_id, task_id)

    @extend_schema(
        operation_id="practice_engagement_task_reopen",
        summary="Reopen a task (idempotent)",
        parameters=[FIRM_QUERY],
        request=FirmBodySerializer,
        responses={200: EngagementEnvelopeSerializer, **WRITE},
    )
    def reopen_task(self, request, engagement_id: str, task_id: str):
        return self._task(engagement_services.task_reopen, engagement_id, task_id)

    def _task(self, service, engagement_id: str, task_id: str):
        engagement_id = self.path_id(engagement_id, "eng", "engagementId")
        task_id = self.path_id(task_id, "task", "taskId")
        data = self.optional_body(FirmBodySerializer)
        access = self.firm(write=True, body=data)
        service(firm=access.entity, public_id=task_id, engagement_id=engagement_id)
        return _engagement_response(access, engagement_id)
