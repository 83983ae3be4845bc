"""GET/POST /api/practice/timers, POST /api/practice/timers/{timerId}/stop and
DELETE /api/practice/timers/{timerId}. Thin: parse, scope to the firm, call a service or selector,
serialize. The rules (one running timer per user, the entry a stop makes) are in
practice.services.timers."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from axiomatic.api.access import Access
from axiomatic.api.serializers import FirmBodySerializer
from practice import schema_examples as examples
from practice import selectors
from practice.serializers import (
    TimeEntrySerializer,
    TimerListQuerySerializer,
    TimerListSerializer,
    TimerSerializer,
    TimerStartedSerializer,
    TimerStartSerializer,
    TimerStoppedSerializer,
)
from practice.services import timers as timer_services
from practice.views.base import FIRM_QUERY, READ, WRITE, PracticeViewSet


def _timer(access: Access, timer) -> dict:
    return TimerSerializer(selectors.timer_get(firm=access.entity, public_id=timer.public_id)).data


def _entry(access: Access, entry) -> dict:
    return TimeEntrySerializer(
        selectors.time_entry_get(firm=access.entity, public_id=entry.public_id)
    ).data


class TimerViewSet(PracticeViewSet):
    query_serializer_class = TimerListQuerySerializer

    @extend_schema(
        operation_id="practice_timers_list",
        summary="List the firm's running timers (of one user with userId)",
        description=(
            "Oldest first. Stopped and discarded timers are not listed: a stopped timer's time "
            "is a time entry (`GET /api/practice/time`)."
        ),
        parameters=[TimerListQuerySerializer, FIRM_QUERY],
        examples=examples.TIMERS_LIST,
        responses={200: TimerListSerializer, **READ},
    )
    def list(self, request):
        access = self.caller_firm()
        timers = selectors.timer_list(firm=access.entity, user_public_id=self.query.get("userId"))
        return Response({"timers": TimerSerializer(timers, many=True).data})

    @extend_schema(
        operation_id="practice_timers_start",
        summary="Start a timer; the user's running timer, if any, is stopped and its entry made",
        description=(
            "A user runs one timer at a time: starting another stops theirs and logs its time, "
            "returned as `stoppedEntry` and `stoppedTimer` (both null when none ran). The "
            "timer's user defaults to the caller (an API key's creator)."
        ),
        request=TimerStartSerializer,
        examples=examples.TIMERS_START,
        responses={201: TimerStartedSerializer, **WRITE},
    )
    def create(self, request):
        data = self.body(TimerStartSerializer)
        access = self.caller_firm(write=True, body=data)
        link = self.client_link(access, data["entityId"])
        started = timer_services.timer_start(
            firm=access.entity,
            link=link,
            user_id=data["userId"],
            default_user=access.actor,
            engagement_id=data["engagementId"],
            task_id=data["taskId"],
            description=data["description"],
            billable=data["billable"],
        )
        body = {
            "timer": _timer(access, started.timer),
            "stoppedEntry": _entry(access, started.entry) if started.entry else None,
            "stoppedTimer": _timer(access, started.stopped) if started.stopped else None,
        }
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="practice_timers_stop",
        summary="Stop a running timer and log its time (hours rounded up to 0.01 h, at most 24)",
        description=(
            "The time entry is made as `POST /api/practice/time` would make it (its rate, "
            "billable default and the locked period's 409 alike). A timer no longer running is "
            "409. The body may be left out."
        ),
        parameters=[FIRM_QUERY],
        examples=examples.TIMERS_STOP,
        request=FirmBodySerializer,
        responses={200: TimerStoppedSerializer, **WRITE},
    )
    def stop(self, request, timer_id: str):
        timer_id = self.path_id(timer_id, "tmr", "timerId")
        access = self.caller_firm(write=True, body=self.optional_body(FirmBodySerializer))
        stopped = timer_services.timer_stop(firm=access.entity, public_id=timer_id)
        return Response(
            {"timer": _timer(access, stopped.timer), "entry": _entry(access, stopped.entry)}
        )

    @extend_schema(
        operation_id="practice_timers_discard",
        summary="Discard a running timer: no time is logged",
        description="The timer ends without an entry. A timer no longer running is 409.",
        parameters=[FIRM_QUERY],
        request=None,
        responses={204: OpenApiResponse(description="Discarded."), **WRITE},
    )
    def destroy(self, request, timer_id: str):
        timer_id = self.path_id(timer_id, "tmr", "timerId")
        access = self.caller_firm(write=True)
        timer_services.timer_discard(firm=access.entity, public_id=timer_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
