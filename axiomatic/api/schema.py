"""OpenAPI pieces shared by every endpoint: the auth scheme, the error shape per status, the
response headers every answer carries, and the examples nobody else gives (axiomatic.api.schema_examples).
"""

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from axiomatic.api.schema_examples import error_example, example_from_schema, resolve_ref
from axiomatic.api.versioning import API_VERSION
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
    requestId = serializers.CharField(
        help_text="The response's Request-Id header: quote it when asking about this request."
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


_DESCRIPTIONS = {
    400: "Invalid input: malformed JSON, wrong types, unknown values, impossible dates, junk ids. "
    "`error.fields` names each field refused (`lines[1].debit`) with its reasons.",
    401: "Missing, malformed, unknown or revoked credentials (`not_authenticated`, "
    "`authentication_failed`).",
    403: "Read-only role, or the firm is not active in the partner program.",
    404: "Unknown id, or an id the caller cannot reach (the same answer for both).",
    405: "The path exists, but not with this method: the `Allow` header lists those it takes.",
    406: "The Accept header names no type this operation answers: send `application/json` "
    "(or no Accept header).",
    409: "The request conflicts with the current state.",
    413: "The request body is larger than 1 MiB.",
    415: "The body is not `application/json` (the Content-Type header says what it is).",
    429: "Too many of these requests: try again after the Retry-After header's seconds.",
    500: "Our failure, not the request's: it is logged under the `requestId`. Retrying is safe "
    "with the same Idempotency-Key.",
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
    "journal_entry_id": "je",
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
    "500": _DESCRIPTIONS[500],
}
AUTHENTICATED_RESPONSES = {"401": _DESCRIPTIONS[401]}
# Operations whose document is chosen by a `format` parameter ignore Accept: no 406 for them.
NEGOTIATED_RESPONSES = {"406": _DESCRIPTIONS[406]}
BODY_RESPONSES = {
    "409": "Conflict: the state changed since it was read.",
    "413": _DESCRIPTIONS[413],
    "415": _DESCRIPTIONS[415],
}
IDEMPOTENCY_CONFLICT = (
    "Or `idempotency_error`: the Idempotency-Key was used with another request, or is still in "
    "use by a request in progress (then Retry-After says when to try again)."
)
POST_RESPONSES = {"409": "Conflict: the state changed since it was read. " + IDEMPOTENCY_CONFLICT}

# Headers on every response under /api/, errors included (components/headers).
HEADERS = {
    "Request-Id": (
        "RequestId",
        "This request's id (`req_` and 24 characters), or the caller's `X-Request-Id` when it is "
        "1 to 128 characters of `A-Z a-z 0-9 . _ : -`. Error bodies repeat it as "
        "`error.requestId`; our logs carry it.",
        {"type": "string", "pattern": r"^[A-Za-z0-9._:-]{1,128}$", "example": "req_" + "7" * 24},
    ),
    "RateLimit-Limit": (
        "RateLimitLimit",
        "Requests allowed in the current window for this key (or address).",
        {"type": "integer", "minimum": 0, "example": 300},
    ),
    "RateLimit-Remaining": (
        "RateLimitRemaining",
        "Requests left in the current window; 0 means the next is refused with 429.",
        {"type": "integer", "minimum": 0, "example": 299},
    ),
    "RateLimit-Reset": (
        "RateLimitReset",
        "Whole seconds until the current window ends and the count starts again.",
        {"type": "integer", "minimum": 0, "example": 42},
    ),
    "Axiomatic-Version": (
        "AxiomaticVersion",
        "The API version that answered, a date: it changes only with a breaking change.",
        {"type": "string", "format": "date", "example": API_VERSION},
    ),
}
RETRY_AFTER = (
    "Retry-After",
    "RetryAfter",
    "Whole seconds to wait before trying again.",
    {"type": "integer", "minimum": 0, "example": 42},
)
IDEMPOTENT_REPLAYED = (
    "Idempotent-Replayed",
    "IdempotentReplayed",
    "`true` when this answer is the replay of an earlier request with the same "
    "Idempotency-Key (the work was not done again); absent otherwise.",
    {"type": "string", "enum": ["true"]},
)


# Rules a serializer checks in its own code, stated on the component so that clients (and
# generators) see them: a journal entry has two lines or more; an invoice names each entry once.
COMPONENT_CONSTRAINTS = {
    ("JournalEntryInputRequest", "lines"): {"minItems": 2},
    ("InvoiceCreateRequest", "timeEntryIds"): {"uniqueItems": True},
}


# Django REST framework's CharField refuses NUL characters; say so on strings with no other pattern.
NO_NUL = r"^[^\x00]*$"


def _no_nul(schema: dict) -> None:
    kind = schema.get("type")
    if (kind == "string" or kind == ["string", "null"]) and not (
        {"pattern", "format", "enum"} & set(schema)
    ):
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


def _header_components() -> dict:
    named = [*HEADERS.values(), RETRY_AFTER[1:], IDEMPOTENT_REPLAYED[1:]]
    return {component: {"description": text, "schema": schema} for component, text, schema in named}


def _header_ref(component: str) -> dict:
    return {"$ref": f"#/components/headers/{component}"}


def _document_response(method: str, status: str, response: dict) -> None:
    """The headers of one response; an error's description, schema and example."""
    headers = response.setdefault("headers", {})
    for name, (component, _text, _schema) in HEADERS.items():
        headers[name] = _header_ref(component)
    if status == "429" or (status == "409" and method == "post"):
        headers[RETRY_AFTER[0]] = _header_ref(RETRY_AFTER[1])
    if status == "409" and method == "post" and "Idempotency-Key" not in response["description"]:
        response["description"] += " " + IDEMPOTENCY_CONFLICT
    if method == "post" and status.startswith("2"):
        headers[IDEMPOTENT_REPLAYED[0]] = _header_ref(IDEMPOTENT_REPLAYED[1])
    if not status.isdigit() or int(status) < 400:
        return
    content = response.setdefault("content", {})
    if list(content) == ["text/html"]:
        return  # a page for a browser (a share link's), not the API's error body
    media = content.setdefault("application/json", {})
    media["schema"] = _ERROR
    if not response.get("description"):
        response["description"] = _DESCRIPTIONS.get(int(status), "An error.")
    if "example" not in media and "examples" not in media:
        media["examples"] = {f"error{status}": {"value": error_example(int(status))}}


def _operation_responses(operation: dict, method: str) -> None:
    """Add the errors every such operation may answer; then document every response."""
    responses = operation.setdefault("responses", {})
    extra = dict(COMMON_RESPONSES)
    security = operation.get("security")
    if security and {} not in security:  # a public operation (a share link) reads no key
        extra.update(AUTHENTICATED_RESPONSES)
    if not any(p.get("name") == "format" for p in operation.get("parameters", [])):
        extra.update(NEGOTIATED_RESPONSES)
    if method in ("post", "patch", "put", "delete"):
        extra.update(BODY_RESPONSES)
        if "requestBody" not in operation:
            extra.pop("415")
    if method == "post":
        extra.update(POST_RESPONSES)
    for status, description in extra.items():
        responses.setdefault(status, _error_response(description))
    for status, response in responses.items():
        _document_response(method, status, response)


# Where the webhook deliveries are documented: as callbacks of the operation that registers the URL.
WEBHOOK_REGISTRATION = "practice_webhooks_create"
WEBHOOK_CALLBACK_URL = "{$request.body#/url}"


def _webhook_callbacks(result: dict) -> None:
    """drf-spectacular writes the WEBHOOKS setting as OpenAPI 3.1 `webhooks`; in our 3.0 schema
    they become callbacks of POST /api/practice/webhooks, one per event type, with their delivery
    headers (`x-parameters`), a body example built from the schema (data.object's id with the
    prefix `x-object-id-prefix` names, the values `x-data-example` gives) and `type` as a
    one-value enum (3.0 has no `const`)."""
    webhooks = result.pop("webhooks", {})
    components = result.get("components", {}).get("schemas", {})
    callbacks = {}
    for name, item in webhooks.items():
        operation = item["post"]
        prefix = operation.pop("x-object-id-prefix", None)
        given = operation.pop("x-data-example", {})
        operation["parameters"] = operation.pop("x-parameters", [])
        media = operation["requestBody"]["content"]["application/json"]
        envelope = resolve_ref(media["schema"], components)
        envelope["properties"]["type"] = {
            "type": "string",
            "enum": [envelope["properties"]["type"].pop("const")],
            **envelope["properties"]["type"],
        }
        value = example_from_schema(media["schema"], components)
        data = resolve_ref(envelope["properties"]["data"], components)
        value["data"]["object"] = example_from_schema(
            data["properties"]["object"], components, id_prefix=prefix
        )
        value["data"]["object"].update(given.get("object", {}))
        value["data"].update({k: v for k, v in given.items() if k != "object"})
        media["examples"] = {name: {"value": value}}
        callbacks[name] = {WEBHOOK_CALLBACK_URL: item}
    if not callbacks:
        return
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict) and operation.get("operationId") == WEBHOOK_REGISTRATION:
                operation["callbacks"] = callbacks


def complete_schema(result, generator, request, public):
    """drf-spectacular postprocessing hook: what every operation shares.

    POSTs document the Idempotency-Key header; path ids their format; every operation the errors
    the middleware and guards can answer (429, 500, 401, 406; 409, 413 and 415 for writes), each
    error its status's description, the error shape and an example; every response the headers
    every answer carries. The webhook deliveries become callbacks of the endpoint registration."""
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
            _operation_responses(operation, method)
    result.setdefault("components", {})["headers"] = _header_components()
    _webhook_callbacks(result)
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
