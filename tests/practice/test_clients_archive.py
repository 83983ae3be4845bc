"""Archiving clients: DELETE archives the link and keeps the books, once; the reference stays
taken."""

import pytest

from axiomatic.core.ids import new_public_id
from axiomatic.entities.models import Entity
from axiomatic.ledger.models import Account, Book
from practice.services.clients import client_archive
from tests.helpers import api, assert_error, in_firm
from tests.practice.client_helpers import BOOKS, CLIENTS, client_body, client_url, listed_ids

pytestmark = pytest.mark.django_db


# --- Archive --------------------------------------------------------------------------------------


def test_delete_archives_the_link_and_keeps_the_books(
    alice, acme, announcements, django_capture_on_commit_callbacks
):
    entity_id = acme.client.public_id
    api(alice).get(BOOKS, {"entityId": entity_id})
    accounts = Account.objects.filter(entity=acme.client).count()
    with django_capture_on_commit_callbacks(execute=True):
        deleted = api(alice).delete(client_url(entity_id), in_firm(alice.firm.public_id))
    assert deleted is None  # a 204 without a body
    acme.refresh_from_db()
    assert acme.archived_at is not None
    assert Entity.objects.filter(pk=acme.client_id).exists()
    assert Book.objects.filter(entity=acme.client).count() == 2
    assert Account.objects.filter(entity=acme.client).count() == accounts
    assert listed_ids(alice) == []
    api(alice).get(BOOKS, {"entityId": entity_id}, status=404, code="not_found")
    assert announcements == [(acme.pk, alice.firm.pk, "archived")]


def test_a_second_delete_is_404_and_announces_nothing(
    alice, acme, announcements, django_capture_on_commit_callbacks
):
    firm = in_firm(alice.firm.public_id)
    api(alice).delete(client_url(acme.client.public_id), firm, status=204)
    with django_capture_on_commit_callbacks(execute=True):
        second = api(alice).request("DELETE", client_url(acme.client.public_id), params=firm)
    unknown = api(alice).request("DELETE", client_url(new_public_id("ent")), params=firm)
    assert_error(second, 404, "not_found")
    assert second.content == unknown.content
    assert announcements == []


def test_archiving_an_archived_link_again_changes_and_announces_nothing(
    acme, announcements, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = client_archive(link=acme)
    archived_at = first.archived_at
    with django_capture_on_commit_callbacks(execute=True):
        second = client_archive(link=acme)
    assert second.archived_at == archived_at
    assert [change for _, _, change in announcements] == ["archived"]


def test_delete_needs_the_firm(alice, acme):
    error = api(alice).delete(client_url(acme.client.public_id), status=400)
    assert "firmEntityId" in error["fields"]
    acme.refresh_from_db()
    assert acme.archived_at is None


def test_an_archived_clients_reference_is_still_taken(alice, make_client):
    """Archiving keeps the link row and its reference (the unique constraint covers archived links
    too): a new client with that reference is a 409 naming the archived client, never a 500."""
    old = make_client(alice, "Old", external_reference="crm-old")
    api(alice).delete(client_url(old.client.public_id), in_firm(alice.firm.public_id), status=204)
    error = api(alice).post(
        CLIENTS,
        client_body(alice, externalReference="crm-old"),
        status=409,
        code="duplicate_external_reference",
    )
    assert old.client.public_id in error["message"]
