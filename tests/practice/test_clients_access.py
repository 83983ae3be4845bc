"""Who reaches a client: the linked firm only; anonymous callers are 401, a viewer cannot write,
another firm's client is the same 404 as an unknown one, a suspended firm is told why."""

import pytest
from django.core import mail
from rest_framework.test import APIClient

from axiomatic.core.ids import new_public_id
from tests.helpers import assert_error, db_snapshot
from tests.practice.client_helpers import (
    BOOKS,
    CLIENTS,
    client_url,
    create,
    delete,
    invite,
    invite_url,
    patch,
    send,
    suspend,
)

pytestmark = pytest.mark.django_db


# --- Reach ----------------------------------------------------------------------------------------


def test_a_linked_client_is_reachable_by_the_firm_and_nobody_else(alice, charlie, bob):
    entity_id = create(alice).json()["entity"]["id"]
    response = alice.client.get(BOOKS, {"entityId": entity_id})
    assert response.status_code == 200, response.content
    assert [b["name"] for b in response.json()["books"]] == ["General Ledger", "Tax"]
    assert bob.client.get(BOOKS, {"entityId": entity_id}).status_code == 200
    foreign = charlie.client.get(BOOKS, {"entityId": entity_id})
    unknown = charlie.client.get(BOOKS, {"entityId": new_public_id("ent")})
    assert_error(foreign, 404, "not_found")
    assert foreign.content == unknown.content


def test_a_suspended_firm_no_longer_reaches_its_clients(alice, acme):
    suspend(alice)
    assert_error(alice.client.get(BOOKS, {"entityId": acme.client.public_id}), 404, "not_found")


# --- Access ---------------------------------------------------------------------------------------


def test_anonymous_is_401_everywhere_and_writes_nothing(anon, alice, acme):
    before = db_snapshot()
    firm, entity = alice.firm.public_id, acme.client.public_id
    responses = [
        anon.get(CLIENTS, {"firmEntityId": firm}),
        send(anon, "post", CLIENTS, {"firmEntityId": firm, "name": "X"}),
        send(anon, "patch", client_url(entity), {"name": "X"}, firmEntityId=firm),
        anon.delete(f"{client_url(entity)}?firmEntityId={firm}"),
        send(anon, "post", invite_url(entity), {"email": "x@y.test"}),
    ]
    for response in responses:
        assert_error(response, 401, "not_authenticated")
    assert db_snapshot() == before
    assert mail.outbox == []


def test_a_bad_api_key_is_401(alice, acme):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer axk_not_a_real_key")
    assert_error(client.get(CLIENTS, {"firmEntityId": alice.firm.public_id}), 401)


def test_a_viewer_cannot_write_anything(
    bob, acme, announcements, django_capture_on_commit_callbacks
):
    firm, entity = bob.firm.public_id, acme.client.public_id
    before = db_snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        responses = [
            send(bob.client, "post", CLIENTS, {"firmEntityId": firm, "name": "X"}),
            send(bob.client, "patch", client_url(entity), {"name": "X"}, firmEntityId=firm),
            send(bob.client, "patch", client_url(entity), {"firmEntityId": firm, "name": "X"}),
            bob.client.delete(f"{client_url(entity)}?firmEntityId={firm}"),
            send(bob.client, "post", invite_url(entity), {"email": "x@y.test"}),
            send(
                bob.client, "post", invite_url(entity), {"email": "x@y.test", "firmEntityId": firm}
            ),
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
    before = db_snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        pairs = [
            # charlie naming his own firm and alice's client
            (patch(charlie, target, {"name": "Pwned"}), patch(charlie, unknown, {"name": "Pwned"})),
            (delete(charlie, target), delete(charlie, unknown)),
            (invite(charlie, target), invite(charlie, unknown)),
            (
                invite(charlie, target, firmEntityId=mine),
                invite(charlie, unknown, firmEntityId=mine),
            ),
            # charlie naming alice's firm
            (
                patch(charlie, target, {"name": "Pwned"}, firm_id=theirs),
                patch(charlie, unknown, {"name": "Pwned"}, firm_id=new_public_id("ent")),
            ),
            (
                delete(charlie, target, firm_id=theirs),
                delete(charlie, unknown, firm_id=new_public_id("ent")),
            ),
            (
                invite(charlie, target, firmEntityId=theirs),
                invite(charlie, unknown, firmEntityId=new_public_id("ent")),
            ),
            (
                charlie.client.get(CLIENTS, {"firmEntityId": theirs}),
                charlie.client.get(CLIENTS, {"firmEntityId": new_public_id("ent")}),
            ),
            (
                send(charlie.client, "post", CLIENTS, {"firmEntityId": theirs, "name": "X"}),
                send(
                    charlie.client,
                    "post",
                    CLIENTS,
                    {"firmEntityId": new_public_id("ent"), "name": "X"},
                ),
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
    firm = bob.firm.public_id
    foreign = send(
        bob.client, "patch", client_url(globex.client.public_id), {"name": "X"}, firmEntityId=firm
    )
    unknown = send(
        bob.client, "patch", client_url(new_public_id("ent")), {"name": "X"}, firmEntityId=firm
    )
    assert_error(foreign, 403, "permission_denied")  # read-only in its own firm, whatever the id
    assert foreign.content == unknown.content
    invite_foreign = send(
        bob.client, "post", invite_url(globex.client.public_id), {"email": "x@y.test"}
    )
    invite_unknown = send(
        bob.client, "post", invite_url(new_public_id("ent")), {"email": "x@y.test"}
    )
    assert_error(invite_foreign, 404, "not_found")
    assert invite_foreign.content == invite_unknown.content
    globex.client.refresh_from_db()
    assert globex.client.name == "Globex Inc"


def test_a_suspended_firm_is_403_on_every_client_endpoint(alice, acme):
    suspend(alice)
    firm, entity = alice.firm.public_id, acme.client.public_id
    before = db_snapshot()
    responses = [
        alice.client.get(CLIENTS, {"firmEntityId": firm}),
        create(alice),
        patch(alice, entity, {"name": "X"}),
        delete(alice, entity),
        invite(alice, entity),
    ]
    for response in responses:
        assert_error(response, 403, "partner_program_required")
    assert db_snapshot() == before
    acme.refresh_from_db()
    assert acme.archived_at is None
    assert mail.outbox == []


def test_a_suspended_firm_viewer_is_also_told_about_the_program(bob, acme):
    suspend(bob)
    response = bob.client.get(CLIENTS, {"firmEntityId": bob.firm.public_id})
    assert_error(response, 403, "partner_program_required")
