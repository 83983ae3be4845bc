"""Bad input to the clients API: every malformed field, body, path id, method and list
parameter is refused in the one error shape, naming what was wrong, and writes nothing."""

import pytest

from axiomatic.core.ids import new_public_id
from practice.models import ClientLink
from tests.helpers import api, assert_error, db_snapshot, in_firm
from tests.practice.client_helpers import CLIENTS, client_url, create, invitation_body, invite_url

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
        error = api(alice).post(CLIENTS, body, status=400, code="validation_error")
    assert field in error["fields"], error
    assert error["message"].startswith(field), error
    assert db_snapshot() == before
    assert announcements == []


def test_name_of_exactly_200_characters_is_fine(alice):
    assert create(alice, name="n" * 200)["entity"]["name"] == "n" * 200


def test_a_default_rate_of_zero_is_kept_as_zero(alice):
    assert create(alice, defaultRate=0)["link"]["defaultRate"] == 0
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
    error = assert_error(
        api(alice).request(method, path, raw="{'name': "), 400, "malformed_request"
    )
    assert "JSON" in error["message"]
    for junk in ("[]", "null", '"name"', "42"):
        assert_error(api(alice).request(method, path, raw=junk), 400)
    form_post = getattr(alice.client, method)  # a form body, not JSON
    assert_error(form_post(path, data={"name": "x"}), 415, "unsupported_media_type")
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
    firm = in_firm(alice.firm.public_id)
    for response in (
        api(alice).request("PATCH", client_url(junk), {"name": "New"}, params=firm),
        api(alice).request("DELETE", client_url(junk), params=firm),
        api(alice).request("POST", invite_url(junk), invitation_body()),
    ):
        error = assert_error(response, 400, "validation_error")
        assert "entityId" in error["fields"], error
    assert db_snapshot() == before


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("put", "{client}"),
        ("post", "{client}"),
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
    raw = None if method == "get" else "{}"
    assert_error(api(alice).request(method, url, raw=raw), 405, "method_not_allowed")
    assert db_snapshot() == before


def test_an_unknown_entity_id_is_404_on_every_client_endpoint(alice):
    unknown = new_public_id("ent")
    firm = in_firm(alice.firm.public_id)
    api(alice).patch(
        client_url(unknown), {"name": "New"}, params=firm, status=404, code="not_found"
    )
    api(alice).delete(client_url(unknown), firm, status=404, code="not_found")
    api(alice).post(invite_url(unknown), invitation_body(), status=404, code="not_found")


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
    error = api(alice).get(CLIENTS, params, status=400, code="validation_error")
    assert field in error["fields"], error
