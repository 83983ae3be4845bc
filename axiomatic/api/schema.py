"""OpenAPI pieces shared by every endpoint: the auth scheme and the error shape."""

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from axiomatic.core.ids import ALPHABET, BODY_LENGTH


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "axiomatic.api.authentication.ApiKeyAuthentication"
    name = "firmApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "axk_...",
            "description": "A firm API key: `Authorization: Bearer axk_...`.",
        }


class VerifiedSessionScheme(SessionScheme):
    """Our session authentication is Django's (a cookie), second factor done."""

    target_class = "axiomatic.api.authentication.SessionAuthentication"


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


_DESCRIPTIONS = {
    400: "Invalid input: malformed JSON, wrong types, unknown values, impossible dates, junk ids.",
    401: "Missing, malformed, unknown or revoked credentials.",
    403: "Read-only role, or the firm is not active in the partner program.",
    404: "Unknown id, or an id the caller cannot reach (the same answer for both).",
    409: "The request conflicts with the current state.",
    429: "Too many of these requests: try again after the Retry-After header's seconds.",
}


def firm_query_parameter(*, required: bool = False) -> OpenApiParameter:
    """`firmEntityId` in the query string: required, or (the default) here or in the body."""
    return OpenApiParameter(
        "firmEntityId",
        str,
        OpenApiParameter.QUERY,
        required=required,
        pattern=rf"^ent_[{ALPHABET}]{{{BODY_LENGTH}}}$",
        allow_blank=False,
        description="Partner firm entity ID."
        if required
        else "Partner firm entity ID (here or in the body; if both, the same).",
    )


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    return {s: OpenApiResponse(ErrorSerializer, description=_DESCRIPTIONS[s]) for s in statuses}


IDEMPOTENCY_PARAMETER = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    # Printable ASCII, not starting or ending with a space (HTTP trims those off a header value).
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": 255,
        "pattern": r"^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$",
    },
    "description": (
        "Makes the request safe to retry: the same key with the same body within 24 hours replays "
        "the first response without doing the work again (header `Idempotent-Replayed: true`); "
        "with a different body it is 409 `idempotency_error`. Keys are shared by a firm's API keys."
    ),
}


# Path parameters carry our public ids: their format, as the body and query fields declare it.
PATH_ID_PREFIXES = {
    "entity_id": "ent",
    "invoice_id": "inv",
    "time_entry_id": "te",
    "engagement_id": "eng",
    "task_id": "task",
    "share_id": "shr",
    "webhook_id": "wh",
    "payment_id": "pay",
    "timer_id": "tmr",
    "user_id": "usr",
}

_ERROR = {"$ref": "#/components/schemas/Error"}
# What any operation may answer besides its own responses (the middleware and the guards).
COMMON_RESPONSES = {
    "429": "Too many requests for this key or address: wait for Retry-After seconds.",
}
BODY_RESPONSES = {
    "409": "Conflict: the state changed, or an Idempotency-Key reused with another request.",
    "413": "The request body is larger than 1 MiB.",
}


# Rules a serializer checks in its own code, stated on the component so that clients (and
# generators) see them: a journal entry has two lines or more; an invoice names each entry once.
COMPONENT_CONSTRAINTS = {
    ("JournalEntryInputRequest", "lines"): {"minItems": 2},
    ("InvoiceCreateRequest", "timeEntryIds"): {"uniqueItems": True},
}


# Django REST framework's CharField refuses NUL characters; say so on strings with no other pattern.
NO_NUL = r"^[^\x00]*$"


def _no_nul(schema: dict) -> None:
    if schema.get("type") == "string" and not ({"pattern", "format", "enum"} & set(schema)):
        schema["pattern"] = NO_NUL


# PATCH bodies that must change something: at least one field besides firmEntityId.
AT_LEAST_ONE_CHANGE = (
    "PatchedClientUpdateRequest",
    "PatchedLedgerSettingsUpdateRequest",
    "PatchedEngagementUpdateRequest",
    "PatchedFirmSettingsPatchRequest",
    "PatchedTimeUpdateRequest",
    "PatchedWebhookUpdateRequest",
)
# The contract's one PATCH /engagements for two operations: complete a task ({taskId}), or set an
# engagement's status ({engagementId, status}); the firm is required (the Patched component that
# drf-spectacular derives for PATCH leaves every field optional).
ENGAGEMENT_PATCH = "PatchedEngagementPatchRequest"
ENGAGEMENT_PATCH_SHAPES = [
    {
        "required": ["taskId"],
        "not": {"anyOf": [{"required": ["engagementId"]}, {"required": ["status"]}]},
    },
    {"required": ["engagementId", "status"], "not": {"required": ["taskId"]}},
]


def _error_response(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ERROR}}}


def add_idempotency_header(result, generator, request, public):
    """drf-spectacular postprocessing hook: what every operation shares.

    POSTs document the Idempotency-Key header; path ids their format; every operation the 429 of the
    rate limits, and operations with a body the 409 and 413 they can meet."""
    from axiomatic.core.ids import ALPHABET, BODY_LENGTH

    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in ("get", "post", "patch", "put", "delete"):
                continue
            parameters = operation.setdefault("parameters", [])
            if method == "post" and not any(p.get("name") == "Idempotency-Key" for p in parameters):
                parameters.append(IDEMPOTENCY_PARAMETER)
            for parameter in parameters:
                if parameter.get("in") == "query":
                    _no_nul(parameter.get("schema", {}))
                    # A query serializer takes `?name=` for an optional field as leaving it out.
                    # firmEntityId is read before the serializer: there an empty value is a 400.
                    if not parameter.get("required") and parameter["name"] != "firmEntityId":
                        parameter["allowEmptyValue"] = True
                prefix = PATH_ID_PREFIXES.get(parameter.get("name"))
                if parameter.get("in") == "path" and prefix:
                    parameter["schema"] = {
                        "type": "string",
                        "pattern": rf"^{prefix}_[{ALPHABET}]{{{BODY_LENGTH}}}$",
                    }
            responses = operation.setdefault("responses", {})
            extra = dict(COMMON_RESPONSES)
            if method in ("post", "patch", "put", "delete"):
                extra.update(BODY_RESPONSES)
            for status, description in extra.items():
                responses.setdefault(status, _error_response(description))
    components = result.get("components", {}).get("schemas", {})
    for (component, field), constraints in COMPONENT_CONSTRAINTS.items():
        components[component]["properties"][field].update(constraints)
    for name in AT_LEAST_ONE_CHANGE:
        fields = [f for f in components[name]["properties"] if f != "firmEntityId"]
        components[name]["anyOf"] = [{"required": [f]} for f in fields]
    # The practice settings refuse a key they do not know (a misspelt setting must not look saved).
    for name in ("PatchedFirmSettingsPatchRequest", "TimeRoundingInputRequest"):
        if name in components:
            components[name]["additionalProperties"] = False
    components[ENGAGEMENT_PATCH]["required"] = ["firmEntityId"]
    components[ENGAGEMENT_PATCH]["oneOf"] = ENGAGEMENT_PATCH_SHAPES
    # Those PATCH bodies cannot be left out.
    for operations in result.get("paths", {}).values():
        body = operations.get("patch", {}).get("requestBody")
        if body:
            body["required"] = True
    for name, component in components.items():
        if name.endswith("Request"):
            for field in component.get("properties", {}).values():
                _no_nul(field)
    return result
