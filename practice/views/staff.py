"""GET /api/practice/staff and POST /api/practice/staff/{userId}/rates: the firm's people and their
effective-dated rates. Thin: parse, scope, call a service or selector, serialize."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from axiomatic.api.pagination import PageParamsSerializer, keyset_page
from axiomatic.api.schema import firm_query_parameter
from practice import schema_examples as examples
from practice import selectors
from practice.serializers import (
    StaffListSerializer,
    StaffMemberEnvelopeSerializer,
    StaffMemberSerializer,
    StaffRateCreateSerializer,
)
from practice.services import staff as staff_services
from practice.views.base import FIRM_QUERY, READ, WRITE, PracticeViewSet


class StaffViewSet(PracticeViewSet):
    @extend_schema(
        operation_id="practice_staff_list",
        summary="The firm's people, each with today's rate and every rate, oldest first",
        description=(
            "Every member of the firm (its own users, not its clients'), with their role, the "
            "rate in effect today and the history of their rates at this firm. `firmEntityId` "
            "may be left out with an API key or a session that belongs to one firm."
        ),
        examples=examples.STAFF_LIST,
        parameters=[firm_query_parameter(), PageParamsSerializer],
        responses={200: StaffListSerializer, **READ},
    )
    def list(self, request):
        access = self.caller_firm()
        params = PageParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        page = keyset_page(
            selectors.staff_list(firm=access.entity),
            ordering=("id",),
            limit=params.validated_data["limit"],
            cursor=params.validated_data.get("cursor"),
            salt="staff",
        )
        today = timezone.localdate()
        members = [selectors.staff_member(m, on=today) for m in page.items]
        return Response(
            {
                "staff": StaffMemberSerializer(members, many=True).data,
                "hasMore": page.has_more,
                "nextCursor": page.next_cursor,
            }
        )

    @extend_schema(
        operation_id="practice_staff_rate_create",
        summary="Set a staff member's rate from a day on (a firm ADMIN only)",
        description=(
            "A rate on a day that already has one replaces it. Time already logged keeps its "
            "rate. Unknown users and other firms' people: 404."
        ),
        parameters=[FIRM_QUERY],
        request=StaffRateCreateSerializer,
        examples=examples.STAFF_RATE_CREATE,
        responses={201: StaffMemberEnvelopeSerializer, **WRITE},
    )
    def add_rate(self, request, user_id: str):
        user_id = self.path_id(user_id, "usr", "userId")
        data = self.body(StaffRateCreateSerializer)
        access = self.caller_firm(write=True, body=data)
        staff_services.staff_rate_set(
            firm=access.entity,
            by=access.actor,
            user_public_id=user_id,
            rate_cents=data["rate"],
            effective_from=data["effectiveFrom"],
        )
        member = selectors.staff_member_get(
            firm=access.entity, user_public_id=user_id, on=timezone.localdate()
        )
        return Response(StaffMemberEnvelopeSerializer(member).data, status=status.HTTP_201_CREATED)
