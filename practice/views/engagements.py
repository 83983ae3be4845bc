"""Engagements and their tasks: list, create, the contract's two-shaped PATCH, edit, complete and
reopen a task. Thin: parse, scope to the firm, call a service, serialize."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.response import Response

from axiomatic.api.access import Access, firm_for_request
from axiomatic.api.pagination import keyset_pagination
from axiomatic.api.serializers import FirmBodySerializer, renamed
from practice import schema_examples as examples
from practice import selectors
from practice.serializers import (
    EngagementCreateSerializer,
    EngagementEnvelopeSerializer,
    EngagementListQuerySerializer,
    EngagementPatchSerializer,
    EngagementSerializer,
    EngagementUpdateSerializer,
)
from practice.services import engagements as engagement_services
from practice.views.base import FIRM_QUERY, READ, WRITE, PracticeViewSet

# The contract's names of what each endpoint passes down, and the names services and selectors take.
ENGAGEMENT_FILTERS = {
    "clientEntityId": "client_entity_id",
    "status": "status",
    "assigneeUserId": "assignee_user_id",
    "updatedSince": "updated_since",
}
ENGAGEMENT_CHANGES = {"name": "name", "dueDate": "due_date", "notes": "notes", "status": "status"}
ENGAGEMENT_ECONOMICS = {
    "billingMethod": "billing_method",
    "rate": "rate_cents",
    "fee": "fee_cents",
    "budgetHours": "budget_hours",
    "budgetAmount": "budget_amount_cents",
}


def _engagement_response(access: Access, public_id: str, status_code=status.HTTP_200_OK):
    engagement = selectors.engagement_get(firm=access.entity, public_id=public_id)
    return Response({"engagement": EngagementSerializer(engagement).data}, status=status_code)


class EngagementViewSet(mixins.ListModelMixin, PracticeViewSet):
    query_serializer_class = EngagementListQuerySerializer
    serializer_class = EngagementSerializer
    pagination_class = keyset_pagination("engagements", ("start_date", "id"))

    def get_queryset(self):
        access = firm_for_request(self.request, self.query["firmEntityId"])
        return selectors.engagement_list(
            firm=access.entity, filters=renamed(self.query, ENGAGEMENT_FILTERS)
        )

    @extend_schema(
        operation_id="practice_engagements_list",
        summary="List engagements with their tasks, actuals and budget use",
        description=(
            "By start date, in pages (`limit`, `cursor`). Each engagement carries its tasks in "
            "order and its economics: billing method, rate, fee, budgets, the hours and standard "
            "value of all its time (`actualHours`, `actualAmount`) and `budgetUsed`."
        ),
        parameters=[EngagementListQuerySerializer],
        examples=examples.ENGAGEMENTS_LIST,
        responses={200: EngagementSerializer(many=True), **READ},
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        operation_id="practice_engagements_get",
        summary="One engagement with its tasks, actuals and budget use, as the list shows it",
        description=(
            "The same item as in the list. Another firm's engagement and an id that names "
            "nothing are the same 404. `firmEntityId` may be left out with an API key or a "
            "session that belongs to one firm."
        ),
        parameters=[FIRM_QUERY],
        examples=examples.ENGAGEMENTS_GET,
        responses={200: EngagementEnvelopeSerializer, **READ},
    )
    def retrieve(self, request, engagement_id: str):
        engagement_id = self.path_id(engagement_id, "eng", "engagementId")
        return _engagement_response(self.caller_firm(), engagement_id)

    @extend_schema(
        operation_id="practice_engagements_create",
        summary="Create an engagement with its type's standard tasks, its billing method, rate, "
        "fee and budgets",
        description=(
            "The engagement starts `active` with its type's standard tasks, each due a set "
            "number of days after `startDate`. A recurring engagement (`recurrence`) makes the "
            "next period's when it is completed. `fee` is required for `fixed_fee`."
        ),
        request=EngagementCreateSerializer,
        examples=examples.ENGAGEMENTS_CREATE,
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
            assignee=self.member(access, data["assigneeUserId"], "assigneeUserId"),
            **renamed(data, ENGAGEMENT_ECONOMICS),
        )
        return _engagement_response(access, engagement.public_id, status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="practice_engagements_patch",
        summary="Complete a task ({firmEntityId, taskId}) or set a status "
        "({firmEntityId, engagementId, status})",
        description=(
            "The contract's one PATCH on the collection, in two shapes: `{firmEntityId, taskId}` "
            "completes that task (idempotent); `{firmEntityId, engagementId, status}` moves the "
            "engagement to `active`, `completed` or `cancelled`. Either answers the engagement."
        ),
        request=EngagementPatchSerializer,
        examples=examples.ENGAGEMENTS_PATCH,
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
        summary="Edit an engagement: name, due date, assignee, notes, status, billing method, "
        "rate, fee, budgets",
        description=(
            "Only the keys given change; at least one besides `firmEntityId`. Leaving "
            "`fixed_fee` clears the fee; a new rate applies to time logged from now on."
        ),
        parameters=[FIRM_QUERY],
        examples=examples.ENGAGEMENTS_UPDATE,
        request=EngagementUpdateSerializer,
        responses={200: EngagementEnvelopeSerializer, **WRITE},
    )
    def partial_update(self, request, engagement_id: str):
        engagement_id = self.path_id(engagement_id, "eng", "engagementId")
        data = self.body(EngagementUpdateSerializer)
        access = self.firm(write=True, body=data)
        changes = renamed(data, ENGAGEMENT_CHANGES | ENGAGEMENT_ECONOMICS)
        if "assigneeUserId" in data:
            changes["assignee"] = self.member(access, data["assigneeUserId"], "assigneeUserId")
        engagement_services.engagement_update(
            firm=access.entity, public_id=engagement_id, changes=changes
        )
        return _engagement_response(access, engagement_id)

    @extend_schema(
        operation_id="practice_engagement_task_complete",
        summary="Complete a task (idempotent)",
        description=(
            "Marks the engagement's task completed (completing it again changes nothing) and "
            "answers the engagement. The body may be left out."
        ),
        parameters=[FIRM_QUERY],
        examples=examples.TASK_COMPLETE,
        request=FirmBodySerializer,
        responses={200: EngagementEnvelopeSerializer, **WRITE},
    )
    def complete_task(self, request, engagement_id: str, task_id: str):
        return self._task(engagement_services.task_complete, engagement_id, task_id)

    @extend_schema(
        operation_id="practice_engagement_task_reopen",
        summary="Reopen a task (idempotent)",
        description=(
            "Returns the engagement's completed task to open (an open task stays as it is) and "
            "answers the engagement. The body may be left out."
        ),
        parameters=[FIRM_QUERY],
        examples=examples.TASK_REOPEN,
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
