"""Editing clients: entity and link fields, nulls that clear, where the firm is named, bad and
empty change sets, reference conflicts (also raced), the announcement, and updatedSince."""

import datetime as dt

import pytest
from django.utils import timezone

from axiomatic.entities.models import Entity
from practice.models import ClientLink
from practice.services import clients as service
from practice.services import references
from tests.helpers import api, db_snapshot, in_firm
from tests.practice.client_helpers import (
    ENTITY_KEYS,
    LINK_KEYS,
    client_url,
    listed_ids,
    listing,
    parse_time,
)

pytestmark = pytest.mark.django_db


# --- Update ---------------------------------------------------------------------------------------


def test_patch_changes_entity_and_link_fields(alice, acme):
    body = api(alice).patch(
        client_url(acme.client.public_id),
        {
            "name": "Acme Holdings",
            "type": "corp",
            "industry": "Manufacturing",
            "tier": "BUSINESS",
            "billingMode": "client_direct",
            "defaultRate": 20_000,
            "externalReference": "crm-acme",
        },
        params=in_firm(alice.firm.public_id),
    )
    assert set(body) == {"entity", "link"}
    assert set(body["entity"]) == ENTITY_KEYS and set(body["link"]) == LINK_KEYS
    entity, link = body["entity"], body["link"]
    assert entity["id"] == acme.client.public_id
    assert (entity["name"], entity["type"], entity["industry"]) == (
        "Acme Holdings",
        "corp",
        "Manufacturing",
    )
    assert len(entity["books"]) == 2
    assert link["id"] == acme.public_id
    assert link["clientTier"] == "BUSINESS"
    assert (link["monthlyFee"], link["monthlyFeeCents"]) == (299, 29_900)
    assert link["billingMode"] == "client_direct"
    assert link["defaultRate"] == 20_000
    assert link["externalReference"] == "crm-acme"
    acme.refresh_from_db()
    acme.client.refresh_from_db()
    assert acme.client.name == "Acme Holdings" and acme.client.type == "corp"
    assert acme.client_tier == "BUSINESS" and acme.billing_mode == "client_direct"
    assert acme.default_rate_cents == 20_000 and acme.external_reference == "crm-acme"
    # the list says the same
    listed = listing(alice)["clients"][0]
    assert listed["name"] == "Acme Holdings" and listed["link"] == link


def test_patch_one_field_leaves_the_others(alice, make_client):
    link = make_client(
        alice, "Keep", tier="PROFESSIONAL", default_rate_cents=9_000, external_reference="k-1"
    )
    body = api(alice).patch(
        client_url(link.client.public_id),
        {"industry": "Retail"},
        params=in_firm(alice.firm.public_id),
    )
    assert body["entity"]["name"] == "Keep" and body["entity"]["industry"] == "Retail"
    assert body["link"]["clientTier"] == "PROFESSIONAL"
    assert body["link"]["defaultRate"] == 9_000
    assert body["link"]["externalReference"] == "k-1"


def test_patch_null_clears_the_default_rate_and_reference(alice, make_client):
    link = make_client(alice, "Clear", default_rate_cents=9_000, external_reference="c-1")
    body = api(alice).patch(
        client_url(link.client.public_id),
        {"defaultRate": None, "externalReference": None},
        params=in_firm(alice.firm.public_id),
    )
    assert body["link"]["defaultRate"] is None
    assert body["link"]["externalReference"] is None
    link.refresh_from_db()
    assert link.default_rate_cents is None and link.external_reference is None


def test_patch_takes_the_firm_from_the_body(alice, acme):
    body = api(alice).patch(
        client_url(acme.client.public_id),
        {"firmEntityId": alice.firm.public_id, "tier": "PROFESSIONAL"},
    )
    assert body["link"]["clientTier"] == "PROFESSIONAL"


def test_patch_with_a_firm_in_neither_place_is_400(alice, acme):
    error = api(alice).patch(
        client_url(acme.client.public_id), {"name": "X"}, status=400, code="validation_error"
    )
    assert "firmEntityId" in error["fields"]


def test_patch_where_query_and_body_disagree_is_400(alice, charlie, acme):
    before = db_snapshot()
    error = api(alice).patch(
        client_url(acme.client.public_id),
        {"firmEntityId": charlie.firm.public_id, "name": "X"},
        params=in_firm(alice.firm.public_id),
        status=400,
        code="validation_error",
    )
    assert "firmEntityId" in error["fields"]
    assert db_snapshot() == before
    acme.client.refresh_from_db()
    assert acme.client.name == "Acme Corp"


@pytest.mark.parametrize("body", [{}, {"firmEntityId": "{firm}"}])
def test_an_empty_change_set_is_400(
    alice, acme, announcements, django_capture_on_commit_callbacks, body
):
    body = {k: v.format(firm=alice.firm.public_id) for k, v in body.items()}
    before_updated = acme.updated_at
    with django_capture_on_commit_callbacks(execute=True):
        api(alice).patch(
            client_url(acme.client.public_id),
            body,
            params=in_firm(alice.firm.public_id),
            status=400,
            code="validation_error",
        )
    acme.refresh_from_db()
    assert acme.updated_at == before_updated
    assert announcements == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": None}, "name"),
        ({"name": 123}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"type": "gmbh"}, "type"),
        ({"industry": None}, "industry"),
        ({"tier": "GOLD"}, "tier"),
        ({"tier": "starter"}, "tier"),
        ({"tier": None}, "tier"),
        ({"billingMode": "weekly"}, "billingMode"),
        ({"defaultRate": -5}, "defaultRate"),
        ({"defaultRate": "100"}, "defaultRate"),
        ({"defaultRate": 1.5}, "defaultRate"),
        ({"externalReference": ""}, "externalReference"),
        ({"externalReference": 7}, "externalReference"),
        ({"firmEntityId": "junk", "name": "X"}, "firmEntityId"),
    ],
)
def test_bad_patch_bodies_are_400_and_change_nothing(
    alice, acme, announcements, django_capture_on_commit_callbacks, body, field
):
    before = db_snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        error = api(alice).patch(
            client_url(acme.client.public_id),
            body,
            params=in_firm(alice.firm.public_id),
            status=400,
            code="validation_error",
        )
    assert field in error["fields"], error
    assert db_snapshot() == before
    acme.refresh_from_db()
    acme.client.refresh_from_db()
    assert (acme.client.name, acme.client_tier, acme.default_rate_cents) == (
        "Acme Corp",
        "STARTER",
        None,
    )
    assert announcements == []


def test_patch_to_a_reference_another_client_has_is_409(
    alice, acme, make_client, announcements, django_capture_on_commit_callbacks
):
    other = make_client(alice, "Other", external_reference="taken")
    with django_capture_on_commit_callbacks(execute=True):
        error = api(alice).patch(
            client_url(acme.client.public_id),
            {"externalReference": "taken", "name": "Renamed"},
            params=in_firm(alice.firm.public_id),
            status=409,
            code="duplicate_external_reference",
        )
    assert other.client.public_id in error["message"]
    acme.refresh_from_db()
    acme.client.refresh_from_db()
    assert acme.external_reference is None
    assert acme.client.name == "Acme Corp"
    assert announcements == []


def test_a_reference_race_lost_at_update_is_409_not_500(
    alice, acme, make_client, announcements, monkeypatch, django_capture_on_commit_callbacks
):
    """Like create: the check passes (the other writer has not committed yet) but the save hits the
    unique constraint. The answer must be the same 409 as a plain duplicate, not a 500."""
    other = make_client(alice, "Other", external_reference="taken")
    real = references.external_reference_check
    calls = []

    def stale_first_check(**kwargs):
        calls.append(kwargs)
        return None if len(calls) == 1 else real(**kwargs)

    # The check before the write is stale; the one after the constraint refused it is real.
    monkeypatch.setattr(service, "external_reference_check", stale_first_check)
    monkeypatch.setattr(references, "external_reference_check", stale_first_check)
    before = db_snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        error = api(alice).patch(
            client_url(acme.client.public_id),
            {"externalReference": "taken", "name": "Renamed"},
            params=in_firm(alice.firm.public_id),
            status=409,
            code="duplicate_external_reference",
        )
    assert other.client.public_id in error["message"]
    assert db_snapshot() == before
    acme.refresh_from_db()
    acme.client.refresh_from_db()
    assert acme.external_reference is None
    assert acme.client.name == "Acme Corp"  # the entity's half of the change rolled back too
    assert announcements == []


def test_patch_keeping_its_own_reference_is_fine(alice, make_client):
    link = make_client(alice, "Mine", external_reference="mine")
    body = api(alice).patch(
        client_url(link.client.public_id),
        {"externalReference": "mine", "name": "Still mine"},
        params=in_firm(alice.firm.public_id),
    )
    assert body["link"]["externalReference"] == "mine"


def test_patch_announces_an_update_after_commit(
    alice, acme, announcements, django_capture_on_commit_callbacks
):
    firm = in_firm(alice.firm.public_id)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        api(alice).patch(client_url(acme.client.public_id), {"tier": "BUSINESS"}, params=firm)
    assert announcements == []
    for callback in callbacks:
        callback()
    assert announcements == [(acme.pk, alice.firm.pk, "updated")]


def test_updated_since_includes_a_client_changed_after_it(alice, acme, make_client):
    other = make_client(alice, "Other")
    later = timezone.now() + dt.timedelta(seconds=1)
    ClientLink.objects.filter(pk__in=[acme.pk, other.pk]).update(
        updated_at=later - dt.timedelta(days=1)
    )
    Entity.objects.filter(pk__in=[acme.client_id, other.client_id]).update(
        updated_at=later - dt.timedelta(days=1)
    )
    since = (later - dt.timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    assert listed_ids(alice, updatedSince=since) == []
    firm = in_firm(alice.firm.public_id)
    api(alice).patch(client_url(other.client.public_id), {"tier": "BUSINESS"}, params=firm)
    assert listed_ids(alice, updatedSince=since) == [other.client.public_id]


def test_updated_since_includes_a_client_whose_entity_alone_changed(alice, acme):
    old = timezone.now() - dt.timedelta(days=1)
    ClientLink.objects.filter(pk=acme.pk).update(updated_at=old)
    Entity.objects.filter(pk=acme.client_id).update(updated_at=old)
    since = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    assert listed_ids(alice, updatedSince=since) == []
    firm = in_firm(alice.firm.public_id)
    api(alice).patch(client_url(acme.client.public_id), {"name": "Renamed"}, params=firm)
    assert listed_ids(alice, updatedSince=since) == [acme.client.public_id]
    updated = listing(alice)["clients"][0]["link"]["updatedAt"]
    assert parse_time(updated) >= timezone.now() - dt.timedelta(minutes=1)


def test_updated_since_includes_a_client_whose_entity_changed_elsewhere(alice, acme, make_client):
    """The filter looks at the entity's updated_at too, not only the link's."""
    other = make_client(alice, "Other")
    old = timezone.now() - dt.timedelta(days=1)
    ClientLink.objects.filter(firm=alice.firm).update(updated_at=old)
    Entity.objects.filter(pk__in=[acme.client_id, other.client_id]).update(updated_at=old)
    since = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    assert listed_ids(alice, updatedSince=since) == []
    acme.client.industry = "Renamed elsewhere"
    acme.client.save()
    assert listed_ids(alice, updatedSince=since) == [acme.client.public_id]


def test_patch_of_an_archived_client_is_404(alice, acme):
    firm = in_firm(alice.firm.public_id)
    api(alice).delete(client_url(acme.client.public_id), firm, status=204)
    api(alice).patch(
        client_url(acme.client.public_id),
        {"name": "Zombie"},
        params=firm,
        status=404,
        code="not_found",
    )
    acme.client.refresh_from_db()
    assert acme.client.name == "Acme Corp"
