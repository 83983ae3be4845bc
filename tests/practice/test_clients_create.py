"""Creating clients: the entity with its books and the link, defaults and fees by tier, the
announcement after commit only, and external references unique per firm, also under a race."""

import pytest
from django.db import transaction

from axiomatic.core.ids import is_public_id
from axiomatic.entities.models import Entity
from axiomatic.ledger.models import Account, Book
from practice.models import ClientLink
from practice.services import clients as service
from practice.services import references
from practice.services.clients import client_create
from tests.helpers import api, db_snapshot
from tests.practice.client_helpers import (
    BOOK_KEYS,
    CLIENTS,
    ENTITY_KEYS,
    LINK_KEYS,
    client_body,
    create,
    listing,
)

pytestmark = pytest.mark.django_db


# --- Create -------------------------------------------------------------------------------------


def test_create_returns_the_entity_with_books_and_the_link(alice):
    body = create(
        alice,
        name="Initech LLC",
        type="s_corp",
        industry="Software",
        tier="PROFESSIONAL",
        billingMode="client_direct",
        defaultRate=12_500,
        externalReference="crm-42",
    )
    assert set(body) == {"entity", "link"}
    entity, link = body["entity"], body["link"]
    assert set(entity) == ENTITY_KEYS
    assert set(link) == LINK_KEYS
    assert is_public_id(entity["id"], "ent")
    assert is_public_id(link["id"], "pcl")
    assert entity["name"] == "Initech LLC"
    assert entity["type"] == "s_corp"
    assert entity["industry"] == "Software"
    assert entity["currency"] == alice.firm.currency
    assert entity["createdAt"].endswith("Z")
    assert all(set(b) == BOOK_KEYS for b in entity["books"])
    assert [(b["name"], b["basis"], b["isPrimary"]) for b in entity["books"]] == [
        ("General Ledger", "accrual", True),
        ("Tax", "accrual", False),
    ]
    assert all(is_public_id(b["id"], "bk") for b in entity["books"])
    assert link["clientTier"] == "PROFESSIONAL"
    assert link["billingMode"] == "client_direct"
    assert link["monthlyFee"] == 149
    assert link["monthlyFeeCents"] == 14_900
    assert link["defaultRate"] == 12_500
    assert link["externalReference"] == "crm-42"
    assert link["createdAt"].endswith("Z") and link["updatedAt"].endswith("Z")

    stored = ClientLink.objects.select_related("client").get(public_id=link["id"])
    assert stored.firm == alice.firm
    assert stored.client.public_id == entity["id"]
    assert stored.archived_at is None
    assert stored.default_rate_cents == 12_500
    assert Account.objects.filter(entity=stored.client).count() >= 30
    books = Book.objects.filter(entity=stored.client)
    assert sorted(b.public_id for b in books) == sorted(b["id"] for b in entity["books"])


def test_create_defaults(alice):
    body = create(alice, name="Bare Minimum")
    entity, link = body["entity"], body["link"]
    assert entity["type"] == "other"
    assert entity["industry"] == ""
    assert link["clientTier"] == "STARTER"
    assert link["billingMode"] == "consolidated"
    assert link["monthlyFee"] == 79
    assert link["monthlyFeeCents"] == 7_900
    assert link["defaultRate"] is None
    assert link["externalReference"] is None


@pytest.mark.parametrize(
    ("tier", "units", "cents"),
    [("STARTER", 79, 7_900), ("PROFESSIONAL", 149, 14_900), ("BUSINESS", 299, 29_900)],
)
def test_monthly_fee_follows_the_tier(alice, tier, units, cents):
    link = create(alice, tier=tier)["link"]
    assert (link["clientTier"], link["monthlyFee"], link["monthlyFeeCents"]) == (tier, units, cents)
    assert isinstance(link["monthlyFee"], int) and isinstance(link["monthlyFeeCents"], int)
    listed = listing(alice)["clients"][0]["link"]
    assert (listed["monthlyFee"], listed["monthlyFeeCents"]) == (units, cents)


@pytest.mark.parametrize(
    "entity_type", ["llc", "corp", "s_corp", "partnership", "sole_prop", "nonprofit", "other"]
)
def test_every_entity_type_is_accepted(alice, entity_type):
    assert create(alice, type=entity_type)["entity"]["type"] == entity_type


def test_create_announces_the_link_after_commit_only(
    alice, announcements, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        body = create(alice)  # asserts the 201
    assert announcements == []  # not inside the transaction
    for callback in callbacks:
        callback()
    link = ClientLink.objects.get(public_id=body["link"]["id"])
    assert announcements == [(link.pk, alice.firm.pk, "created")]


def test_create_announces_once_when_executed(
    alice, announcements, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        body = create(alice)
    link = ClientLink.objects.get(public_id=body["link"]["id"])
    assert announcements == [(link.pk, alice.firm.pk, "created")]


def test_a_rolled_back_create_announces_nothing(
    alice, announcements, django_capture_on_commit_callbacks
):
    before = db_snapshot()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        client_create(
            firm=alice.firm,
            name="Doomed",
            type="llc",
            tier="STARTER",
            billing_mode="consolidated",
        )
        raise RuntimeError("roll back")
    assert announcements == []
    assert db_snapshot() == before


def test_duplicate_external_reference_is_409_naming_the_existing_client(
    alice, announcements, django_capture_on_commit_callbacks
):
    first = create(alice, externalReference="crm-7")["entity"]["id"]
    before = db_snapshot()
    body = client_body(alice, name="Second", externalReference="crm-7")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        error = api(alice).post(CLIENTS, body, status=409, code="duplicate_external_reference")
    assert first in error["message"]
    assert "externalReference" in error["fields"]
    assert callbacks == [] and announcements == []
    assert db_snapshot() == before


def test_the_same_external_reference_in_another_firm_is_fine(alice, charlie):
    create(alice, externalReference="crm-7")
    assert create(charlie, externalReference="crm-7")["link"]["externalReference"] == "crm-7"


def test_a_reference_race_lost_at_insert_is_409_and_leaves_no_orphan_entity(
    alice, announcements, monkeypatch, django_capture_on_commit_callbacks
):
    """The check passes (a concurrent create has not committed yet) but the insert hits the unique
    constraint: still a 409, and the entity created before the link rolls back with it."""
    existing = create(alice, externalReference="crm-9")["entity"]["id"]
    real = references.external_reference_check
    calls = []

    def stale_first_check(**kwargs):
        calls.append(kwargs)
        return None if len(calls) == 1 else real(**kwargs)

    # The check before the write is stale; the one after the constraint refused it is real.
    monkeypatch.setattr(service, "external_reference_check", stale_first_check)
    monkeypatch.setattr(references, "external_reference_check", stale_first_check)
    before = db_snapshot()
    body = client_body(alice, name="Racer", externalReference="crm-9")
    with django_capture_on_commit_callbacks(execute=True):
        error = api(alice).post(CLIENTS, body, status=409, code="duplicate_external_reference")
    assert existing in error["message"]
    assert len(calls) == 2
    assert db_snapshot() == before
    assert not Entity.objects.filter(name="Racer").exists()
    assert announcements == []
