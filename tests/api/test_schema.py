"""The OpenAPI schema and Swagger UI, served from our own assets."""

import inspect
import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from rest_framework import generics, mixins, views, viewsets

from axiomatic.api import views as api_views
from axiomatic.webhooks import events
from axiomatic.webhooks.models import WebhookEvent
from tests.api.schema_document import document, media_examples, operations, validate, webhooks

__all__ = ["document"]  # the module-scoped fixture

pytestmark = pytest.mark.django_db


def test_schema_describes_the_ledger_endpoints_and_the_error_shape(alice):
    response = alice.client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = (
        response.json()
        if response["Content-Type"].endswith("json")
        else yaml.safe_load(response.content)
    )
    paths = schema["paths"]
    assert {"/api/ledger/books", "/api/ledger/accounts", "/api/ledger/journal-entries"} <= set(
        paths
    )
    post = paths["/api/ledger/journal-entries"]["post"]
    assert {"201", "400", "401", "404"} <= set(post["responses"])
    assert "firmApiKey" in schema["components"]["securitySchemes"]
    listing = paths["/api/ledger/journal-entries"]["get"]
    names = {p["name"] for p in listing["parameters"]}
    assert {"entityId", "bookId", "from", "to", "limit", "cursor"} <= names


def test_the_schema_describes_what_the_views_answer(alice):
    schema = alice.client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    document = (
        schema.json() if schema["Content-Type"].endswith("json") else yaml.safe_load(schema.content)
    )
    accesses = document["paths"]["/api/reports/share/{share_id}/accesses"]["get"]["responses"]
    ref = accesses["200"]["content"]["application/json"]["schema"]["$ref"]
    assert set(document["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]) == {
        "accesses"
    }
    share_id = document["paths"]["/api/reports/share/{share_id}/accesses"]["get"]["parameters"][0]
    assert share_id["schema"]["pattern"].startswith("^shr_")
    create = document["paths"]["/api/practice/clients"]["post"]
    assert {"409", "413", "429"} <= set(create["responses"])
    assert any(p["name"] == "Idempotency-Key" for p in create["parameters"])


def test_the_schema_states_what_the_serializers_check_in_code(alice):
    from rest_framework.test import APIClient

    schema = alice.client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    document = (
        schema.json() if schema["Content-Type"].endswith("json") else yaml.safe_load(schema.content)
    )
    components = document["components"]["schemas"]
    assert components["JournalEntryInputRequest"]["properties"]["lines"]["minItems"] == 2
    assert components["InvoiceCreateRequest"]["properties"]["timeEntryIds"]["uniqueItems"] is True
    # The time list answers one object (entries, totals, page), not an array.
    listing = document["paths"]["/api/practice/time"]["get"]["responses"]["200"]
    assert listing["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/TimeList"
    }
    # The Idempotency-Key pattern admits exactly what the server takes.
    key = next(
        p
        for p in document["paths"]["/api/practice/clients"]["post"]["parameters"]
        if p["name"] == "Idempotency-Key"
    )
    pattern = re.compile(key["schema"]["pattern"])
    assert pattern.match("0b7e6d1c-4f0e-4f3c-9d1e-2a5b8c7d6e5f")
    assert pattern.match("retry 2 of order #41")
    for refused in ("", " leading", "trailing ", "tab\there", "caf\u00e9"):
        assert not pattern.match(refused), refused
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {alice.key}", HTTP_IDEMPOTENCY_KEY="retry 2")
    body = {"firmEntityId": alice.firm.public_id, "name": "Keyed Corp"}
    assert client.post("/api/practice/clients", body, format="json").status_code == 201


def test_the_schema_describes_how_query_strings_and_patch_bodies_are_read(alice):
    schema = alice.client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    document = (
        schema.json() if schema["Content-Type"].endswith("json") else yaml.safe_load(schema.content)
    )
    paths, components = document["paths"], document["components"]["schemas"]
    # `?clientEntityId=` is read as leaving the filter out, and the schema says so.
    time_query = {p["name"]: p for p in paths["/api/practice/time"]["get"]["parameters"]}
    assert time_query["clientEntityId"]["allowEmptyValue"] is True
    assert "allowEmptyValue" not in time_query["firmEntityId"]
    response = alice.client.get(
        "/api/practice/time", {"firmEntityId": alice.firm.public_id, "clientEntityId": ""}
    )
    assert response.status_code == 200, response.content
    # Strings refuse NUL characters, as DRF does.
    notes = components["EngagementCreateRequest"]["properties"]["notes"]
    assert re.fullmatch(notes["pattern"], "call\x00") is None
    # PATCH bodies are required and change something; PATCH /engagements has its two shapes.
    for path in ("/api/practice/clients/{entity_id}", "/api/practice/time/{time_entry_id}"):
        assert paths[path]["patch"]["requestBody"]["required"] is True
    update = components["PatchedTimeUpdateRequest"]
    assert {"required": ["hours"]} in update["anyOf"]
    assert {"required": ["firmEntityId"]} not in update["anyOf"]
    engagement_patch = components["PatchedEngagementPatchRequest"]
    assert engagement_patch["required"] == ["firmEntityId"]
    assert [shape["required"] for shape in engagement_patch["oneOf"]] == [
        ["taskId"],
        ["engagementId", "status"],
    ]


# --- A complete schema: descriptions, headers, errors, webhooks, examples -------------------------

FIVE_HEADERS = (
    "Request-Id",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "Axiomatic-Version",
)
SPEC = Path(settings.BASE_DIR).parent / "shared" / "spec"
# Sections of extensions.md that specify endpoints not built yet: remove a heading once it ships.
NOT_YET_BUILT = ("Document requests",)


def _base_class_docstrings() -> set[str]:
    """What drf-spectacular would show as a description when a view says nothing of its own."""
    docs = set()
    for module in (generics, mixins, views, viewsets, api_views):
        for value in vars(module).values():
            if isinstance(value, type) and value.__doc__:
                docs.add(inspect.cleandoc(value.__doc__))
    return docs


def test_every_operation_has_its_own_summary_and_description(document):
    base_docs = _base_class_docstrings()
    seen: dict[str, str] = {}
    problems = []
    for path, method, operation in operations(document):
        name = f"{method.upper()} {path}"
        summary = (operation.get("summary") or "").strip()
        description = (operation.get("description") or "").strip()
        if not summary:
            problems.append(f"{name}: no summary")
        if not description:
            problems.append(f"{name}: no description")
        elif description in base_docs:
            problems.append(f"{name}: a base class's docstring as description")
        elif description in seen:
            problems.append(f"{name}: the same description as {seen[description]}")
        else:
            seen[description] = name
    assert problems == []


def test_every_response_documents_the_headers_every_answer_carries(document):
    headers = document["components"]["headers"]
    assert set(headers) >= {
        "RequestId",
        "RateLimitLimit",
        "RateLimitRemaining",
        "RateLimitReset",
        "AxiomaticVersion",
        "RetryAfter",
        "IdempotentReplayed",
    }
    for path, method, operation in operations(document):
        for status, response in operation["responses"].items():
            documented = response.get("headers", {})
            for name in FIVE_HEADERS:
                ref = documented.get(name, {}).get("$ref", "")
                assert ref.rsplit("/", 1)[-1] in headers, (method, path, status, name)
            if status == "429" or (status == "409" and method == "post"):
                assert "Retry-After" in documented, (method, path, status)
            replayed = "Idempotent-Replayed" in documented
            assert replayed == (method == "post" and status.startswith("2")), (path, status)
        assert "429" in operation["responses"], (method, path)


def test_every_error_response_is_the_error_shape_with_a_request_id(document):
    components = document["components"]["schemas"]
    detail = components["ErrorDetail"]
    assert "requestId" in detail["required"]
    assert detail["properties"]["requestId"]["type"] == "string"
    assert components["Error"]["required"] == ["error"]
    for path, method, operation in operations(document):
        for status, response in operation["responses"].items():
            if int(status) < 400:
                continue
            content = response.get("content", {})
            if list(content) == ["text/html"]:
                continue  # a share link's page, for a browser
            media = content["application/json"]
            assert media["schema"] == {"$ref": "#/components/schemas/Error"}, (path, status)
            assert response["description"].strip(), (method, path, status)
            examples = media_examples(media)
            assert examples, (method, path, status)
            for example in examples:
                validate(document, media["schema"], example)
    # The descriptions are the status's own, not one text for every error.
    create = document["paths"]["/api/practice/clients"]["post"]["responses"]
    texts = [create[s]["description"] for s in ("400", "401", "409", "413", "415", "429", "500")]
    assert len(set(texts)) == len(texts)


def test_the_webhooks_describe_every_event_type_the_code_sends(document):
    deliveries = webhooks(document)
    assert set(deliveries) == {*events.EVENT_TYPES, events.PING}
    for event_type, operation in deliveries.items():
        assert operation["summary"] and operation["description"], event_type
        headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
        assert {"Axiomatic-Signature", "webhook-id", "webhook-timestamp", "webhook-signature"} <= (
            headers
        ), event_type
        media = operation["requestBody"]["content"]["application/json"]
        body = document["components"]["schemas"][media["schema"]["$ref"].rsplit("/", 1)[1]]
        assert body["properties"]["type"]["enum"] == [event_type]
        assert set(body["required"]) >= {"id", "type", "createdAt", "firmEntityId", "data"}
        (example,) = media_examples(media)
        validate(document, media["schema"], example)
        assert example["type"] == event_type
        assert "2XX" in operation["responses"] or "200" in operation["responses"]


def test_real_event_bodies_match_the_webhook_schema(document, alice, acme, settings):
    """The envelope the schema describes is the one the outbox writes."""
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    hook = {"firmEntityId": alice.firm.public_id, "url": "http://127.0.0.1:9/in", "events": ["*"]}
    assert alice.client.post("/api/practice/webhooks", hook, format="json").status_code == 201
    update = alice.client.patch(
        f"/api/practice/clients/{acme.client.public_id}",
        {"firmEntityId": alice.firm.public_id, "name": "Acme Renamed"},
        format="json",
    )
    assert update.status_code == 200, update.content
    event = WebhookEvent.objects.get(type="client.updated")
    media = webhooks(document)["client.updated"]["requestBody"]["content"]
    validate(document, media["application/json"]["schema"], events.event_body_build(event))


def _spec_endpoints() -> list[tuple[str, str]]:
    """(method, path) of every endpoint the contract and our extensions name."""
    found = []
    contract = (SPEC / "practice-api.txt").read_text()
    pattern = r"^(GET|POST|PATCH|PUT|DELETE) (/api/(?:[a-z0-9/_-]|\{[A-Za-z]+\})+)"
    found += re.findall(pattern, contract, flags=re.MULTILINE)
    section, methods, last_path = "", [], None
    for line in (SPEC / "extensions.md").read_text().splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
        if section in NOT_YET_BUILT:
            continue
        if not line.startswith("  "):  # a bullet's continuation keeps the bullet's methods
            methods, last_path = [], None
        for span in re.findall(r"`([^`]+)`", line):
            match = re.match(r"^(GET|POST|PATCH|PUT|DELETE)(?: (/api/[^\s?]*))?", span)
            if match and match.group(2):
                methods, last_path = [*methods, match.group(1)], match.group(2)
                found += [(m, last_path) for m in methods]
                methods = [match.group(1)]
            elif match:
                methods.append(match.group(1))
            elif span.startswith("/api/") and methods:
                last_path = span.split("?")[0]
                found += [(m, last_path) for m in methods]
            elif re.fullmatch(r"/[a-z-]+", span) and last_path:
                found += [(m, last_path.rsplit("/", 1)[0] + span) for m in methods]
    return sorted(set(found))


def _shape(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path.rstrip("/"))


def test_the_spec_files_name_the_endpoints_we_expect_them_to():
    """The parser reads both files: a few endpoints of each, and nothing that is not a path."""
    endpoints = _spec_endpoints()
    assert ("POST", "/api/practice/clients") in endpoints
    assert ("DELETE", "/api/practice/time") in endpoints
    assert ("GET", "/api/reports/share/{token}") in endpoints
    assert ("GET", "/api/ledger/journal-entries/{journalEntryId}") in endpoints
    assert ("PATCH", "/api/practice/settings") in endpoints
    assert ("POST", "/api/practice/time/unapprove") in endpoints
    assert len(endpoints) >= 40
    assert all(re.fullmatch(r"/api/[a-z0-9/_{}A-Z-]+", path) for _m, path in endpoints)


def test_every_spec_endpoint_is_in_the_schema_with_examples_that_validate(document):
    by_shape = {
        (method, _shape(path)): operation for path, method, operation in operations(document)
    }
    problems = []
    for method, path in _spec_endpoints():
        operation = by_shape.get((method.lower(), _shape(path)))
        if operation is None:
            problems.append(f"{method} {path}: not in the schema")
            continue
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if body is not None:
            if not media_examples(body):
                problems.append(f"{method} {path}: no request example")
            for example in media_examples(body):
                validate(document, body["schema"], example)
        answers = [
            response["content"]["application/json"]
            for status, response in operation["responses"].items()
            if status.startswith("2") and "application/json" in response.get("content", {})
        ]
        if answers and not any(media_examples(media) for media in answers):
            problems.append(f"{method} {path}: no response example")
        for media in answers:
            for example in media_examples(media):
                validate(document, media["schema"], example)
    assert problems == []
