"""Who reaches a client: the linked firm only; anonymous callers are 401, a viewer cannot write,
another firm's client is the same 404 as an unknown one, a suspended firm is told why."""

import pytest
from django.core import mail
from rest_framework.test import APIClient

from axiomatic.core.ids import new_public_id
from tests.helpers import api, assert_error, db_snapshot, in_firm
from tests.practice.client_helpers import (
    BOOKS,
    CLIENTS,
    client_body,
    client_url,
    create,
    invitation_body,
    invite_url,
    suspend,
)

pytestmark = pytest.mark.django_db


# --- Reach ----------------------------------------------------------------------------------------


def test_a_linked_client_is_reachable_by_the_firm_and_nobody_else(alice, charlie, bob):
    entity_id = create(alice)["entity"]["id"]
    books = api(alice).get(BOOKS, {"entityId": entity_id})["books"]
    assert [b["name"] for b in books] == ["General Ledger", "Tax"]
    api(bob).get(BOOKS, {"entityId": entity_id})
    foreign = api(charlie).request("GET", BOOKS, params={"entityId": entity_id})
    unknown = api(charlie).request("GET", BOOKS, params={"entityId": new_public_id("ent")})
    assert_error(foreign, 404, "not_found")
    assert foreign.content == unknown.content


def test_a_suspended_firm_no_longer_reaches_its_clients(alice, acme):
    suspend(alice)
    api(alice).get(BOOKS, {"entityId": acme.client.public_id}, status=404, code="not_found")


# --- Access ---------------------------------------------------------------------------------------


def test_anonymous_is_401_everywhere_and_writes_nothing(anon, alice, acme):
    before = db_snapshot()
    firm, entity = in_firm(alice.firm.public_id), acme.client.public_id
    nobody = api(anon)
    responses = [
        nobody.request("GET", CLIENTS, params=firm),
        nobody.request("POST", CLIENTS, {**firm, "name": "X"}),
        nobody.request("PATCH", client_url(entity), {"name": "X"}, params=firm),
        nobody.request("DELETE", client_url(entity), params=firm),
        nobody.request("POST", invite_url(entity), {"email": "x@y.test"}),
    ]
    for response in responses:
        assert_error(response, 401, "not_authenticated")
    assert db_snapshot() == before
    assert mail.outbox == []


def test_a_bad_api_key_is_401(alice, acme):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer axk_not_a_real_key")
    api(client).get(CLIENTS, in_firm(alice.firm.public_id), status=401)


def test_a_viewer_cannot_write_anything(
    bob, acme, announcements, django_capture_on_commit_callbacks
):
    firm, entity = in_firm(bob.firm.public_id), acme.client.public_id
    viewer = api(bob)
    before = db_snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        responses = [
            viewer.request("POST", CLIENTS, {**firm, "name": "X"}),
            viewer.request("PATCH", client_url(entity), {"name": "X"}, params=firm),
            viewer.request("PATCH", client_url(entity), {**firm, "name": "X"}),
            viewer.request("DELETE", client_url(entity), params=firm),
            viewer.request("POST", invite_url(entity), {"email": "x@y.test"}),
            viewer.request("POST", invite_url(entity), {"email": "x@y.test", **firm}),
        ]
    for response in responses:
        assert_error(response, 403, "permission_denied")
    assert db_snapshot() == before
    acme.refresh_from_db()
    assert acme.archived_at is None and acme.client.name == "Acme Corp"
    assert announcements == []
    assert mail.outbox == []


def test_another_firms_client_is_the_same_404_as_an_unknown_one(
    alice, charlie, acme, announcements, django_capture_on_commit_callbacks
):
    mine, theirs = charlie.firm.public_id, alice.firm.public_id
    target, unknown = acme.client.public_id, new_public_id("ent")
    c = api(charlie)
    own, nobodys = in_firm(mine), in_firm(new_public_id("ent"))
    before = db_snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        pairs = [
            # charlie naming his own firm and alice's client
            (
                c.request("PATCH", client_url(target), {"name": "Pwned"}, params=own),
                c.request("PATCH", client_url(unknown), {"name": "Pwned"}, params=own),
            ),
            (
                c.request("DELETE", client_url(target), params=own),
                c.request("DELETE", client_url(unknown), params=own),
            ),
            (
                c.request("POST", invite_url(target), invitation_body()),
                c.request("POST", invite_url(unknown), invitation_body()),
            ),
            (
                c.request("POST", invite_url(target), invitation_body(firmEntityId=mine)),
                c.request("POST", invite_url(unknown), invitation_body(firmEntityId=mine)),
            ),
            # charlie naming alice's firm
            (
                c.request("PATCH", client_url(target), {"name": "Pwned"}, params=in_firm(theirs)),
                c.request("PATCH", client_url(unknown), {"name": "Pwned"}, params=nobodys),
            ),
            (
                c.request("DELETE", client_url(target), params=in_firm(theirs)),
                c.request("DELETE", client_url(unknown), params=nobodys),
            ),
            (
                c.request("POST", invite_url(target), invitation_body(firmEntityId=theirs)),
                c.request("POST", invite_url(unknown), invitation_body(**nobodys)),
            ),
            (
                c.request("GET", CLIENTS, params=in_firm(theirs)),
                c.request("GET", CLIENTS, params=nobodys),
            ),
            (
                c.request("POST", CLIENTS, {"firmEntityId": theirs, "name": "X"}),
                c.request("POST", CLIENTS, {**nobodys, "name": "X"}),
            ),
        ]
    for foreign, missing in pairs:
        assert_error(foreign, 404, "not_found")
        assert foreign.content == missing.content
    assert db_snapshot() == before
    acme.refresh_from_db()
    acme.client.refresh_from_db()
    assert acme.archived_at is None and acme.client.name == "Acme Corp"
    assert announcements == []
    assert mail.outbox == []


def test_a_viewer_gets_the_same_answer_for_another_firms_client_and_an_unknown_one(bob, globex):
    """Belonging comes first: a viewer is never told that another firm's client exists."""
    firm = in_firm(bob.firm.public_id)
    viewer = api(bob)
    foreign = viewer.request(
        "PATCH", client_url(globex.client.public_id), {"name": "X"}, params=firm
    )
    unknown = viewer.request("PATCH", client_url(new_public_id("ent")), {"name": "X"}, params=firm)
    assert_error(foreign, 403, "permission_denied")  # read-only in its own firm, whatever the id
    assert foreign.content == unknown.content
    invite_foreign = viewer.request(
        "POST", invite_url(globex.client.public_id), {"email": "x@y.test"}
    )
    invite_unknown = viewer.request("POST", invite_url(new_public_id("ent")), {"email": "x@y.test"})
    assert_error(invite_foreign, 404, "not_found")
    assert invite_foreign.content == invite_unknown.content
    globex.client.refresh_from_db()
    assert globex.client.name == "Globex Inc"


def test_a_suspended_firm_is_403_on_every_client_endpoint(alice, acme):
    suspend(alice)
    firm, entity = in_firm(alice.firm.public_id), acme.client.public_id
    c = api(alice)
    before = db_snapshot()
    responses = [
        c.request("GET", CLIENTS, params=firm),
        c.request("POST", CLIENTS, client_body(alice)),
        c.request("PATCH", client_url(entity), {"name": "X"}, params=firm),
        c.request("DELETE", client_url(entity), params=firm),
        c.request("POST", invite_url(entity), invitation_body()),
    ]
    for response in responses:
        assert_error(response, 403, "partner_program_required")
    assert db_snapshot() == before
    acme.refresh_from_db()
    assert acme.archived_at is None
    assert mail.outbox == []


def test_a_suspended_firm_viewer_is_also_told_about_the_program(bob, acme):
    suspend(bob)
    api(bob).get(CLIENTS, in_firm(bob.firm.public_id), status=403, code="partner_program_required")
