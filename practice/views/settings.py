"""GET/PATCH /api/practice/settings: the firm's practice settings. Thin: parse, scope, call a
service, serialize. `firmEntityId` may be left out (extensions.md): see `PracticeViewSet.caller_firm`."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from axiomatic.api.serializers import renamed
from practice import schema_examples as examples
from practice import selectors
from practice.serializers import FirmSettingsEnvelopeSerializer, FirmSettingsPatchSerializer
from practice.services import settings as settings_services
from practice.views.base import FIRM_QUERY, READ, WRITE, PracticeViewSet

SETTINGS_CHANGES = {
    "requireApproval": "require_approval",
    "timeLockDate": "time_lock_date",
    "defaultRate": "default_rate_cents",
    "paymentTermsDays": "payment_terms_days",
}


def settings_changes(data: dict) -> dict:
    """The PATCH body's settings under the service's names (`timeRounding` is two of them)."""
    changes = renamed(data, SETTINGS_CHANGES)
    if "timeRounding" in data:
        changes["time_rounding_minutes"] = data["timeRounding"]["minutes"]
        changes["time_rounding_mode"] = data["timeRounding"]["mode"]
    return changes


class SettingsViewSet(PracticeViewSet):
    @extend_schema(
        operation_id="practice_settings_get",
        summary="The firm's practice settings",
        description=(
            "Every setting, with its default until the firm changes it: approval before "
            "invoicing, the time lock date, invoice rounding, the default rate and payment terms."
        ),
        examples=examples.SETTINGS_GET,
        parameters=[FIRM_QUERY],
        responses={200: FirmSettingsEnvelopeSerializer, **READ},
    )
    def retrieve(self, request):
        access = self.caller_firm()
        profile = selectors.firm_profile(access.entity)
        return Response(FirmSettingsEnvelopeSerializer(profile).data)

    @extend_schema(
        operation_id="practice_settings_update",
        summary="Change some of the firm's practice settings (a firm ADMIN only)",
        description=(
            "Only the keys given change. `timeRounding` takes both `minutes` and `mode`. A key "
            "that is not a setting is a 400. A firm ADMIN only: a MEMBER's session is 403, and so "
            "is an API key whose creator is not (or no longer) an ADMIN of the firm."
        ),
        parameters=[FIRM_QUERY],
        request=FirmSettingsPatchSerializer,
        examples=examples.SETTINGS_UPDATE,
        responses={200: FirmSettingsEnvelopeSerializer, **WRITE},
    )
    def partial_update(self, request):
        data = self.body(FirmSettingsPatchSerializer)
        access = self.caller_firm(write=True, body=data)
        profile = settings_services.firm_settings_update(
            firm=access.entity, by=access.actor, changes=settings_changes(data)
        )
        return Response(FirmSettingsEnvelopeSerializer(profile).data)
