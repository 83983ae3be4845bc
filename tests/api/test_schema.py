"""The OpenAPI schema and Swagger UI, served from our own assets."""

import re

import pytest
import yaml
from django.test import Client

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


def test_the_schema_and_docs_need_a_key_or_a_session():
    assert Client().get("/api/schema/").status_code == 401
    assert Client().get("/api/docs/").status_code == 401


def test_swagger_ui_loads_only_local_assets(bob):
    response = bob.client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    external = re.findall(r"""(?:src|href)=["'](https?://[^"']+)""", html)
    assert external == []
    assert "swagger-ui" in html
    asset = re.search(r"""src=["'](/static/[^"']*swagger-ui-bundle[^"']*)""", html)
    assert asset, html
    assert Client().get(asset.group(1)).status_code == 200


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
