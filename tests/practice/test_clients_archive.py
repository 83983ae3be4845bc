"""Archiving clients: DELETE archives the link and keeps the books, once; the reference stays
taken."""

import pytest

from axiomatic.core.ids import new_public_id
from axiomatic.entities.models import Entity
from axiomatic.ledger.models import Account, Book
from practice.services.clients import client_archive
from tests.helpers import assert_error
from tests.practice.client_helpers import BOOKS, client_url, create, delete, listed_ids

pytestmark = pytest.mark.django_db


# --- Archive --------------------------------------------------------------------------------------


def test_delete_archives_the_link_and_keeps_the_books(
    alice, acme, announcements, django_capture_on_commit_callbacks
):
    entity_id = acme.client.public_id
    assert alice.client.get(BOOKS, {"entityId": entity_id}).status_code == 200
    accounts = Account.objects.filter(entity=acme.client).count()
    with django_capture_on_commit_callbacks(execute=True):
        response = delete(alice, entity_id)
    assert response.status_code == 204
    assert response.content == b""
    acme.refresh_from_db()
    assert acme.archived_at is not None
    assert Entity.objects.filter(pk=acme.client_id).exists()
    assert Book.objects.filter(entity=acme.client).count() == 2
    assert Account.objects.filter(entity=acme.client).count() == accounts
    assert listed_ids(alice) == []
    assert_error(alice.client.get(BOOKS, {"entityId": entity_id}), 404, "not_found")
    assert announcements == [(acme.pk, alice.firm.pk, "archived")]


def test_a_second_delete_is_404_and_announces_nothing(
    alice, acme, announcements, django_capture_on_commit_callbacks
):
    assert delete(alice, acme.client.public_id).status_code == 204
    with django_capture_on_commit_callbacks(execute=True):
        second = delete(alice, acme.client.public_id)
    unknown = delete(alice, new_public_id("ent"))
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
    error = assert_error(alice.client.delete(client_url(acme.client.public_id)), 400)
    assert "firmEntityId" in error["fields"]
    acme.refresh_from_db()
    assert acme.archived_at is None


def test_an_archived_clients_reference_is_still_taken(alice, make_client):
    """Archiving keeps the link row and its reference (the unique constraint covers archived links
    too): a new client with that reference is a 409 naming the archived client, never a 500."""
    old = make_client(alice, "Old", external_reference="crm-old")
    assert delete(alice, old.client.public_id).status_code == 204
    error = assert_error(
        create(alice, externalReference="crm-old"), 409, "duplicate_external_reference"
    )
    assert old.client.public_id in error["message"]
