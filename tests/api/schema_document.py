"""The served OpenAPI document, read once per test module, and what the schema tests share."""

import json

import jsonschema
import pytest
from django.test import Client

JSON = "application/vnd.oai.openapi+json"


@pytest.fixture(scope="module")
def document(django_db_setup, django_db_blocker) -> dict:
    """/api/schema/ as an anonymous caller gets it (the schema is public)."""
    with django_db_blocker.unblock():
        response = Client().get("/api/schema/", HTTP_ACCEPT=JSON)
    assert response.status_code == 200, response.content[:500]
    return json.loads(response.content)


def operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, operation


def as_json_schema(node):
    """An OpenAPI 3.0 schema as JSON Schema 2020-12: `nullable: true` admits null."""
    if isinstance(node, list):
        return [as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: as_json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        if "enum" in node:
            node["enum"] = [*node["enum"], None]
        if "type" in node:
            node["type"] = [node["type"], "null"]
        else:
            node = {"anyOf": [node, {"type": "null"}]}
    return node


def validate(document: dict, schema: dict, value) -> None:
    """`value` against a schema of `document` (OpenAPI 3.0), with JSON Schema 2020-12 rules."""
    rooted = as_json_schema(
        {**schema, "components": {"schemas": document["components"]["schemas"]}}
    )
    jsonschema.Draft202012Validator(rooted).validate(value)


def webhooks(document: dict) -> dict:
    """The webhook deliveries: callbacks of POST /api/practice/webhooks, by event type."""
    registration = document["paths"]["/api/practice/webhooks"]["post"]
    return {
        event_type: next(iter(callback.values()))["post"]
        for event_type, callback in registration["callbacks"].items()
    }


def media_examples(media: dict) -> list:
    values = [e["value"] for e in media.get("examples", {}).values() if "value" in e]
    if "example" in media:
        values.append(media["example"])
    return values
