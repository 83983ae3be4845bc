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


def validate(document: dict, schema: dict, value) -> None:
    """`value` against an OpenAPI 3.1 schema (JSON Schema 2020-12) of `document`."""
    rooted = {**schema, "components": document["components"]}
    jsonschema.Draft202012Validator(rooted).validate(value)


def media_examples(media: dict) -> list:
    values = [e["value"] for e in media.get("examples", {}).values() if "value" in e]
    if "example" in media:
        values.append(media["example"])
    return values
