"""The practice operations in the published schema: each has its own summary and description, a
response example for each 2xx answer and a request example when it takes a body, and every example
is valid for the operation's schema (ids, enums, required keys, no key the schema does not know)."""

import copy
import csv
import io

import pytest
from drf_spectacular.generators import SchemaGenerator
from jsonschema import Draft202012Validator

from axiomatic.api.csv_export import csv_columns, csv_row
from practice import schema_examples
from practice.serializers import TimeEntrySerializer

BASE_DOCSTRING = "A viewset whose query parameters"


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema):
    for path, operations in schema["paths"].items():
        if not path.startswith("/api/practice/") or path.startswith(
            ("/api/practice/billing", "/api/practice/webhooks")
        ):
            continue
        for method, operation in operations.items():
            if method in ("get", "post", "patch", "put", "delete"):
                yield f"{method.upper()} {path}", operation


def _json_schema(node, strict=True):
    """OpenAPI 3.0 to JSON Schema: `nullable`, and objects closed to keys they do not declare."""
    if isinstance(node, list):
        return [_json_schema(n, strict) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _json_schema(v, strict) for k, v in node.items()}
    if "$ref" in node:
        node["$ref"] = node["$ref"].replace("#/components/schemas/", "#/$defs/")
    if "properties" in node and "additionalProperties" not in node and strict:
        node["additionalProperties"] = False
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


def _validator(schema, media_schema):
    defs = _json_schema(copy.deepcopy(schema["components"]["schemas"]))
    return Draft202012Validator({**_json_schema(media_schema), "$defs": defs})


def test_every_operation_has_its_own_summary_and_description(schema):
    seen = {}
    for name, operation in _operations(schema):
        assert operation.get("summary"), name
        description = operation.get("description", "")
        assert description and BASE_DOCSTRING not in description, name
        assert description not in seen, (name, seen.get(description))
        seen[description] = name
    assert len(seen) >= 29


def test_every_answer_and_body_has_a_valid_example(schema):
    checked = 0
    for name, operation in _operations(schema):
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if body:
            assert body.get("examples"), f"{name}: no request example"
            validator = _validator(schema, body["schema"])
            for key, example in body["examples"].items():
                errors = [e.message for e in validator.iter_errors(example["value"])]
                assert not errors, (name, key, errors)
                checked += 1
        for status, response in operation["responses"].items():
            if not status.startswith("2") or "content" not in response:
                continue
            for media, content in response["content"].items():
                assert content.get("examples"), f"{name} {status} {media}: no example"
                if media != "application/json":
                    continue
                validator = _validator(schema, content["schema"])
                for key, example in content["examples"].items():
                    errors = [e.message for e in validator.iter_errors(example["value"])]
                    assert not errors, (name, status, key, errors)
                    checked += 1
    assert checked > 40


def test_the_csv_example_is_what_the_export_writes_for_the_json_example():
    columns = csv_columns(TimeEntrySerializer())
    rows = list(csv.reader(io.StringIO(schema_examples.TIME_CSV, newline="")))
    assert rows == [
        [c.header for c in columns],
        csv_row(schema_examples.ENTRY, columns),
    ]


def test_the_time_list_documents_its_csv_answer(schema):
    answer = schema["paths"]["/api/practice/time"]["get"]["responses"]["200"]["content"]
    assert set(answer) == {"application/json", "text/csv"}
    names = {p["name"] for p in schema["paths"]["/api/practice/time"]["get"]["parameters"]}
    assert {"format", "limit", "cursor"} <= names


def test_example_amounts_are_hours_times_rate():
    for entry in (schema_examples.ENTRY, schema_examples.BILLED_ENTRY):
        assert entry["amount"] == round(entry["hours"] * entry["rate"])
    engagement = schema_examples.ENGAGEMENT
    entries = (schema_examples.ENTRY, schema_examples.BILLED_ENTRY)
    assert engagement["actualHours"] == sum(e["hours"] for e in entries)
    assert engagement["actualAmount"] == sum(e["amount"] for e in entries)
    used = engagement["actualAmount"] / engagement["budgetAmount"]
    assert engagement["budgetUsed"] == round(used, 4)
