"""The schema's own words and examples for the ledger, billing, webhooks and reports operations:
each has its own summary and description (never a base class's docstring), a response example
for each 2xx answer with a body and a request example for each body, and every example is valid
for the schema it illustrates, its ids of the real form."""

import json
import re

import jsonschema
import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

from axiomatic.api.views import ApiViewSet
from axiomatic.core.ids import ALPHABET, BODY_LENGTH, PREFIXES

PREFIXES_OF_OPERATIONS = ("ledger_", "practice_billing_", "practice_webhooks_", "reports_")
ID = re.compile(rf"^([a-z]+)_[{ALPHABET}]{{{BODY_LENGTH}}}$")
LOOKS_LIKE_ID = re.compile(r"^[a-z]+_[0-9a-z]{10,}$")
NO_BODY = {"204", "302"}


@pytest.fixture(scope="module")
def document() -> dict:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(schema))


def _operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and str(operation.get("operationId", "")).startswith(
                PREFIXES_OF_OPERATIONS
            ):
                yield f"{method.upper()} {path}", operation


def _json_schema(schema, components: dict):
    """An OpenAPI (3.0 or 3.1) schema as JSON Schema: refs inlined, `nullable` as a null type."""
    if isinstance(schema, list):
        return [_json_schema(s, components) for s in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        return _json_schema(components[schema["$ref"].rsplit("/", 1)[1]], components)
    converted = {k: _json_schema(v, components) for k, v in schema.items() if k != "nullable"}
    if schema.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


def _examples(media: dict) -> dict:
    if "example" in media:
        return {"example": {"value": media["example"]}}
    return media.get("examples", {})


def _strings(value, key=""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v, key)
    elif isinstance(value, str):
        yield key, value


def test_every_operation_has_its_own_summary_and_description(document):
    docstrings = {ApiViewSet.__doc__.strip()}
    seen = {}
    for name, operation in _operations(document):
        assert operation.get("summary"), name
        description = operation.get("description", "").strip()
        assert description, f"{name}: no description"
        assert description not in docstrings, f"{name}: a base class's docstring"
        assert description not in seen, f"{name}: the description of {seen.get(description)}"
        seen[description] = name
    assert len(seen) >= 34


def test_every_2xx_answer_and_every_body_has_an_example(document):
    for name, operation in _operations(document):
        for status, response in operation["responses"].items():
            if not status.startswith("2") or status in NO_BODY:
                continue
            content = response.get("content", {})
            # JSON always; a document (PDF, HTML, a statement's CSV) when it is all there is.
            assert any(_examples(m) for m in content.values()), f"{name} {status}: no example"
            for media_type, media in content.items():
                if media_type.startswith("application/json"):
                    assert _examples(media), f"{name} {status} {media_type}: no example"
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if body is not None:
            assert _examples(body), f"{name}: no request example"


def test_every_example_is_valid_for_its_schema_with_real_ids(document):
    components = document["components"]["schemas"]
    checked = 0
    for name, operation in _operations(document):
        media = [
            (f"{status} {media_type}", content)
            for status, response in operation["responses"].items()
            if status.startswith("2")
            for media_type, content in response.get("content", {}).items()
        ]
        media += [
            (f"request {t}", c)
            for t, c in operation.get("requestBody", {}).get("content", {}).items()
        ]
        for where, content in media:
            schema = _json_schema(content.get("schema", {}), components)
            for title, example in _examples(content).items():
                value = example["value"]
                jsonschema.validate(value, schema)  # raises, naming what is wrong
                for key, text in _strings(value):
                    if LOOKS_LIKE_ID.match(text) and text.split("_")[0] in PREFIXES:
                        assert ID.match(text), f"{name} {where} {title}: {key}={text}"
                checked += 1
    assert checked >= 45


def test_the_invoice_list_documents_its_csv(document):
    listing = document["paths"]["/api/practice/billing/invoices"]["get"]
    csv_answer = listing["responses"]["200"]["content"]["text/csv"]
    [example] = _examples(csv_answer).values()
    header = example["value"].split("\r\n")[0].split(",")
    invoice = document["components"]["schemas"]["Invoice"]["properties"]
    assert header == list(invoice)
    assert {p["name"] for p in listing["parameters"]} >= {"format", "limit", "cursor", "status"}
