"""Bad input to the clients API: every malformed field, body, path id, method and list
parameter is refused in the one error shape, naming what was wrong, and writes nothing."""

import pytest

from axiomatic.core.ids import new_public_id
from practice.models import ClientLink
from tests.helpers import assert_error, db_snapshot
from tests.practice.client_helpers import (
    CLIENTS,
    client_url,
    create,
    delete,
    invite,
    invite_url,
    patch,
    send,
)

pytestmark = pytest.mark.django_db


# --- Bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda b: b.pop("name"), "name"),
        (lambda b: b.update(name=123), "name"),
        (lambda b: b.update(name=None), "name"),
        (lambda b: b.update(name=""), "name"),
        (lambda b: b.update(name=["Acme"]), "name"),
        (lambda b: b.update(name="x" * 201), "name"),
        (lambda b: b.update(name="   "), "name"),
        (lambda b: b.update(name="Nul\x00Corp"), "name"),
        (lambda b: b.update(name={"en": "Acme"}), "name"),
        (lambda b: b.update(type="gmbh"), "type"),
        (lambda b: b.update(type=1), "type"),
        (lambda b: b.update(industry=5), "industry"),
        (lambda b: b.update(industry=None), "industry"),
        (lambda b: b.update(industry="x" * 101), "industry"),
        (lambda b: b.update(tier="GOLD"), "tier"),
        (lambda b: b.update(tier="starter"), "tier"),
        (lambda b: b.update(tier=None), "tier"),
        (lambda b: b.update(billingMode="monthly"), "billingMode"),
        (lambda b: b.update(billingMode="CONSOLIDATED"), "billingMode"),
        (lambda b: b.update(defaultRate=-1), "defaultRate"),
        (lambda b: b.update(defaultRate=125.5), "defaultRate"),
        (lambda b: b.update(defaultRate="12500"), "defaultRate"),
        (lambda b: b.update(defaultRate=True), "defaultRate"),
        (lambda b: b.update(defaultRate=10**20), "defaultRate"),
        (lambda b: b.update(externalReference=""), "externalReference"),
        (lambda b: b.update(externalReference=42), "externalReference"),
        (lambda b: b.update(externalReference="r" * 101), "externalReference"),
        (lambda b: b.pop("firmEntityId"), "firmEntityId"),
        (lambda b: b.update(firmEntityId=None), "firmEntityId"),
        (lambda b: b.update(firmEntityId=123), "firmEntityId"),
        (lambda b: b.update(firmEntityId="nope"), "firmEntityId"),
        (lambda b: b.update(firmEntityId="pcl_" + "0" * 26), "firmEntityId"),
        (lambda b: b.update(firmEntityId="ent_" + "0" * 5000), "firmEntityId"),
    ],
)
def test_bad_create_bodies_are_400_naming_the_field_and_write_nothing(
    alice, announcements, django_capture_on_commit_callbacks, mutate, field
):
    body = {"firmEntityId": alice.firm.public_id, "name": "Initech LLC"}
    mutate(body)
    before = db_snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        response = send(alice.client, "post", CLIENTS, body)
    error = assert_error(response, 400, "validation_error")
    assert field in error["fields"], error
    assert error["message"].startswith(field), error
    assert db_snapshot() == before
    assert announcements == []


def test_name_of_exactly_200_characters_is_fine(alice):
    response = create(alice, name="n" * 200)
    assert response.status_code == 201, response.content
    assert response.json()["entity"]["name"] == "n" * 200


def test_a_default_rate_of_zero_is_kept_as_zero(alice):
    response = create(alice, defaultRate=0)
    assert response.status_code == 201, response.content
    assert response.json()["link"]["defaultRate"] == 0
    assert ClientLink.objects.get().default_rate_cents == 0


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", CLIENTS),
        ("patch", "{client}"),
        ("post", "{invite}"),
    ],
)
def test_malformed_or_non_object_json_is_400(alice, acme, method, path):
    path = path.format(
        client=client_url(acme.client.public_id) + f"?firmEntityId={alice.firm.public_id}",
        invite=invite_url(acme.client.public_id),
    )
    before = db_snapshot()
    do = getattr(alice.client, method)
    error = assert_error(
        do(path, data="{'name': ", content_type="application/json"), 400, "malformed_request"
    )
    assert "JSON" in error["message"]
    for junk in ("[]", "null", '"name"', "42"):
        assert_error(do(path, data=junk, content_type="application/json"), 400)
    assert_error(do(path, data={"name": "x"}), 415, "unsupported_media_type")
    assert db_snapshot() == before


@pytest.mark.parametrize(
    "junk",
    [
        "nope",
        "ent_short",
        "ENT_" + "0" * 26,
        "pcl_" + "0" * 26,
        "ent_" + "0" * 26 + "0",
        "ent_" + "i" * 26,  # not in the Crockford alphabet
        "ent_" + "0" * 3000,
    ],
)
def test_junk_path_ids_are_400_on_every_client_endpoint(alice, junk):
    before = db_snapshot()
    for response in (
        patch(alice, junk, {"name": "New"}),
        delete(alice, junk),
        invite(alice, junk),
    ):
        error = assert_error(response, 400, "validation_error")
        assert "entityId" in error["fields"], error
    assert db_snapshot() == before


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("put", "{client}"),
        ("get", "{client}"),
        ("get", "{invite}"),
        ("delete", CLIENTS),
        ("put", CLIENTS),
    ],
)
def test_other_methods_are_405_in_the_error_shape(alice, acme, method, path):
    path = path.format(
        client=client_url(acme.client.public_id), invite=invite_url(acme.client.public_id)
    )
    before = db_snapshot()
    url = f"{path}?firmEntityId={alice.firm.public_id}"
    do = getattr(alice.client, method)
    response = do(url) if method == "get" else do(url, data="{}", content_type="application/json")
    assert_error(response, 405, "method_not_allowed")
    assert db_snapshot() == before


def test_an_unknown_entity_id_is_404_on_every_client_endpoint(alice):
    unknown = new_public_id("ent")
    assert_error(patch(alice, unknown, {"name": "New"}), 404, "not_found")
    assert_error(delete(alice, unknown), 404, "not_found")
    assert_error(invite(alice, unknown), 404, "not_found")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "firmEntityId"),
        ({"firmEntityId": "nope"}, "firmEntityId"),
        ({"firmEntityId": "ent_" + "0" * 3000}, "firmEntityId"),
        ({"updatedSince": "yesterday"}, "updatedSince"),
        ({"updatedSince": "2026-13-01T00:00:00Z"}, "updatedSince"),
        ({"externalReference": "r" * 101}, "externalReference"),
        ({"limit": "0"}, "limit"),
        ({"limit": "2001"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"cursor": "garbage"}, "cursor"),
    ],
)
def test_bad_list_parameters_are_400(alice, acme, params, field):
    if field != "firmEntityId":
        params = {"firmEntityId": alice.firm.public_id, **params}
    error = assert_error(alice.client.get(CLIENTS, params), 400, "validation_error")
    assert field in error["fields"], error
