"""Examples the schema shows where no view or webhook gives its own: built from the schema itself.

`example_from_schema` walks a component (refs, oneOf/anyOf, nullable types, enums, consts) and
makes a value that the schema accepts, with realistic strings for the keys our API uses everywhere
(ids by their prefix, dates, emails, URLs), so a reader sees a plausible body and a validator
accepts it. The error examples are the one error shape, per status.
"""

import re

from axiomatic.core.ids import ALPHABET, BODY_LENGTH

EXAMPLE_DATE = "2026-12-01"
EXAMPLE_DATETIME = "2026-12-01T14:30:00Z"
EXAMPLE_REQUEST_ID = "req_" + "7hq2k9vx4m8tb3nc6wrp5dfj"


def example_id(prefix: str) -> str:
    """A well-formed public id: the prefix, an underscore and a body of the id alphabet."""
    body = (ALPHABET[5:] + ALPHABET)[:BODY_LENGTH]
    return f"{prefix}_{body}"


# Id-like keys and the prefix of the ids they hold.
ID_KEYS = {
    "entityId": "ent",
    "clientEntityId": "ent",
    "firmEntityId": "ent",
    "engagementId": "eng",
    "taskId": "task",
    "userId": "usr",
    "assigneeUserId": "usr",
    "approvedBy": "usr",
    "invoiceId": "inv",
    "timeEntryId": "te",
    "journalEntryId": "je",
    "paymentId": "pay",
    "bookId": "bk",
    "accountId": "acct",
    "webhookId": "wh",
}
TEXT_KEYS = {
    "name": "Harbor Bakery LLC",
    "email": "ana@harborbakery.example",
    "description": "Monthly bookkeeping and bank reconciliation",
    "notes": "Bank statements arrive by the 5th.",
    "message": "Thank you for your business.",
    "reason": "Courtesy discount",
    "reference": "Check 1042",
    "number": "INV-0042",
    "currency": "usd",
    "industry": "Food and beverage",
    "externalReference": "crm-8812",
    "title": "Reconcile the bank accounts",
    "periodKey": "2026-11",
    "role": "admin",
    "status": "open",
    "events": "invoice.paid",
    "adjustmentReason": "",
    "disabledReason": "",
    "lastError": "Your card was declined.",
    "subscriptionId": "sub_1QpZk2Lk8nHarbor",
    "paymentStatus": "past_due",
}
# Keys holding an object (or a list of them) whose own `id` has this prefix.
NESTED_ID_PREFIXES = {
    "entity": "ent",
    "client": "ent",
    "invoice": "inv",
    "engagement": "eng",
    "tasks": "task",
    "task": "task",
    "payments": "pay",
    "payment": "pay",
    "entry": "te",
    "timer": "tmr",
    "webhook": "wh",
    "journalEntry": "je",
    "books": "bk",
    "link": "pcl",
}
_ID_PATTERN = re.compile(r"^\^([a-z]+)_\[[^\]]+\]\{(\d+)\}\$$")


def resolve_ref(schema: dict, components: dict) -> dict:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _string(schema: dict, key: str, id_prefix: str | None) -> str:
    pattern = schema.get("pattern", "")
    match = _ID_PATTERN.match(pattern)
    if match:
        return example_id(match.group(1))
    fmt = schema.get("format")
    if fmt == "date" or "\\d\\d-\\d\\d" in pattern:
        return EXAMPLE_DATE
    if fmt == "date-time" or key.endswith("At"):
        return EXAMPLE_DATETIME
    if fmt == "email":
        return TEXT_KEYS["email"]
    if fmt == "uri" or key.endswith("url") or key.endswith("Url"):
        return "https://hooks.harborbakery.example/axiomatic"
    if key == "id" and id_prefix:
        return example_id(id_prefix)
    if key in ID_KEYS:
        return example_id(ID_KEYS[key])
    return TEXT_KEYS.get(key, key)


def example_from_schema(
    schema: dict, components: dict, *, key: str = "", id_prefix: str | None = None
):
    """A value `schema` accepts; `id_prefix` names the prefix of the top object's `id`."""
    schema = resolve_ref(schema, components)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return next((v for v in schema["enum"] if v is not None), schema["enum"][0])
    if "example" in schema:
        return schema["example"]
    for combinator in ("oneOf", "anyOf"):
        if combinator in schema:
            choices = [s for s in schema[combinator] if s.get("type") != "null"]
            return example_from_schema(choices[0], components, key=key, id_prefix=id_prefix)
    if "allOf" in schema:
        return example_from_schema(schema["allOf"][0], components, key=key, id_prefix=id_prefix)
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = next(k for k in kind if k != "null")
    if kind == "object":
        properties = schema.get("properties", {})
        return {
            name: example_from_schema(
                sub,
                components,
                key=name,
                id_prefix=id_prefix if name == "id" else NESTED_ID_PREFIXES.get(name),
            )
            for name, sub in properties.items()
        }
    if kind == "array":
        item = example_from_schema(
            schema.get("items", {}), components, key=key, id_prefix=id_prefix
        )
        return [item] * max(1, schema.get("minItems", 1))
    if kind == "string":
        return _string(schema, key, id_prefix)
    if kind == "boolean":
        return True
    if kind == "integer":
        return max(schema.get("minimum", 0), min(schema.get("maximum", 15000), 15000))
    if kind == "number":
        return 1.5
    return None


# One example per error status: the code the API answers and a typical message.
ERROR_EXAMPLES = {
    400: ("validation_error", "Invalid input.", {"name": ["This field is required."]}),
    401: ("not_authenticated", "Authentication credentials were not provided.", {}),
    403: ("permission_denied", "You do not have permission to perform this action.", {}),
    404: ("not_found", "Not found.", {}),
    405: ("method_not_allowed", 'Method "PUT" not allowed.', {}),
    406: ("not_acceptable", "Could not satisfy the request Accept header.", {}),
    409: ("conflict", "The request conflicts with the current state.", {}),
    413: ("payload_too_large", "The request body is larger than 1 MiB.", {}),
    415: ("unsupported_media_type", 'Unsupported media type "text/plain" in request.', {}),
    429: ("rate_limited", "Request was throttled. Expected available in 42 seconds.", {}),
    500: ("internal_error", "Internal Server Error.", {}),
}


def error_example(status: int) -> dict:
    code, message, fields = ERROR_EXAMPLES.get(status, ("error", "Error.", {}))
    return {
        "error": {
            "code": code,
            "message": message,
            "fields": fields,
            "requestId": EXAMPLE_REQUEST_ID,
        }
    }
