"""The client entities API: create, list, update, archive, invite. Shapes, defaults, access, bad input,
the after-commit announcement, the invitation email, and flat query counts."""

import datetime as dt
import hashlib
import html
import json
import re
import smtplib
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.test import Client as PageClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from axiomatic.core.ids import is_public_id, new_public_id
from axiomatic.entities.models import Entity, PartnerEnrollment, Role
from axiomatic.ledger.models import Account, Book
from practice import signals
from practice.models import ClientLink, Invitation
from practice.services import clients as service
from practice.services import references
from practice.services.clients import client_archive, client_create
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import assert_error, db_snapshot

pytestmark = pytest.mark.django_db

CLIENTS = "/api/practice/clients"
BOOKS = "/api/ledger/books"

ENTITY_KEYS = {"id", "name", "type", "industry", "currency", "createdAt", "books"}
BOOK_KEYS = {"id", "name", "basis", "isPrimary"}
LINK_KEYS = {
    "id",
    "clientTier",
    "billingMode",
    "monthlyFee",
    "monthlyFeeCents",
    "defaultRate",
    "externalReference",
    "createdAt",
    "updatedAt",
}
LIST_ITEM_KEYS = {"id", "name", "type", "industry", "createdAt", "link"}
INVITATION_KEYS = {
    "id",
    "entityId",
    "email",
    "role",
    "status",
    "expiresAt",
    "sentCount",
    "createdAt",
}
ACCEPT_LINK = re.compile(re.escape(settings.SITE_URL) + r"/invitations/accept/([A-Za-z0-9_\-]+)")


def client_url(entity_id: str) -> str:
    return f"{CLIENTS}/{entity_id}"


def invite_url(entity_id: str) -> str:
    return f"{CLIENTS}/{entity_id}/invite"


def send(client, method: str, path: str, body=None, **params):
    """A JSON request; `params` go in the query string."""
    if params:
        path = f"{path}?" + "&".join(f"{k}={v}" for k, v in params.items())
    data = json.dumps(body) if body is not None else None
    return getattr(client, method)(path, data=data, content_type="application/json")


def create(persona, **fields):
    body = {"firmEntityId": persona.firm.public_id, "name": "Initech LLC", **fields}
    return send(persona.client, "post", CLIENTS, body)


def patch(persona, entity_id: str, body: dict, firm_id: str | None = None):
    firm_id = persona.firm.public_id if firm_id is None else firm_id
    return send(persona.client, "patch", client_url(entity_id), body, firmEntityId=firm_id)


def delete(persona, entity_id: str, firm_id: str | None = None):
    firm_id = persona.firm.public_id if firm_id is None else firm_id
    return persona.client.delete(f"{client_url(entity_id)}?firmEntityId={firm_id}")


def invite(persona, entity_id: str, **body):
    body.setdefault("email", "dana@initech.test")
    return send(persona.client, "post", invite_url(entity_id), body)


def listing(persona, **params) -> dict:
    response = persona.client.get(CLIENTS, {"firmEntityId": persona.firm.public_id, **params})
    assert response.status_code == 200, response.content
    return response.json()


def listed_ids(persona, **params) -> list[str]:
    return [c["id"] for c in listing(persona, **params)["clients"]]


def suspend(persona) -> None:
    assert PartnerEnrollment.objects.filter(firm=persona.firm).update(status="suspended") == 1


@pytest.fixture
def announcements():
    """Every client_link_changed sent while the test runs, as (link_id, firm_id, change)."""
    seen = []

    def receiver(sender, link_id, firm_id, change, **kwargs):
        seen.append((link_id, firm_id, change))

    signals.client_link_changed.connect(receiver, weak=False, dispatch_uid="test-clients-api")
    yield seen
    signals.client_link_changed.disconnect(dispatch_uid="test-clients-api")


def _parse_time(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


# --- Create -------------------------------------------------------------------------------------


def test_create_returns_the_entity_with_books_and_the_link(alice):
    response = create(
        alice,
        name="Initech LLC",
        type="s_corp",
        industry="Software",
        tier="PROFESSIONAL",
        billingMode="client_direct",
        defaultRate=12_500,
        externalReference="crm-42",
    )
    assert response.status_code == 201, response.content
    body = response.json()
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
    response = create(alice, name="Bare Minimum")
    assert response.status_code == 201, response.content
    entity, link = response.json()["entity"], response.json()["link"]
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
    link = create(alice, tier=tier).json()["link"]
    assert (link["clientTier"], link["monthlyFee"], link["monthlyFeeCents"]) == (tier, units, cents)
    assert isinstance(link["monthlyFee"], int) and isinstance(link["monthlyFeeCents"], int)
    listed = listing(alice)["clients"][0]["link"]
    assert (listed["monthlyFee"], listed["monthlyFeeCents"]) == (units, cents)


@pytest.mark.parametrize(
    "entity_type", ["llc", "corp", "s_corp", "partnership", "sole_prop", "nonprofit", "other"]
)
def test_every_entity_type_is_accepted(alice, entity_type):
    response = create(alice, type=entity_type)
    assert response.status_code == 201, response.content
    assert response.json()["entity"]["type"] == entity_type


def test_create_announces_the_link_after_commit_only(
    alice, announcements, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = create(alice)
    assert response.status_code == 201
    assert announcements == []  # not inside the transaction
    for callback in callbacks:
        callback()
    link = ClientLink.objects.get(public_id=response.json()["link"]["id"])
    assert announcements == [(link.pk, alice.firm.pk, "created")]


def test_create_announces_once_when_executed(
    alice, announcements, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = create(alice)
    link = ClientLink.objects.get(public_id=response.json()["link"]["id"])
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
    first = create(alice, externalReference="crm-7").json()["entity"]["id"]
    before = db_snapshot()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = create(alice, name="Second", externalReference="crm-7")
    error = assert_error(response, 409, "duplicate_external_reference")
    assert first in error["message"]
    assert "externalReference" in error["fields"]
    assert callbacks == [] and announcements == []
    assert db_snapshot() == before


def test_the_same_external_reference_in_another_firm_is_fine(alice, charlie):
    assert create(alice, externalReference="crm-7").status_code == 201
    response = create(charlie, externalReference="crm-7")
    assert response.status_code == 201, response.content
    assert response.json()["link"]["externalReference"] == "crm-7"


def test_a_reference_race_lost_at_insert_is_409_and_leaves_no_orphan_entity(
    alice, announcements, monkeypatch, django_capture_on_commit_callbacks
):
    """The check passes (a concurrent create has not committed yet) but the insert hits the unique
    constraint: still a 409, and the entity created before the link rolls back with it."""
    existing = create(alice, externalReference="crm-9").json()["entity"]["id"]
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
        response = create(alice, name="Racer", externalReference="crm-9")
    error = assert_error(response, 409, "duplicate_external_reference")
    assert existing in error["message"]
    assert len(calls) == 2
    assert db_snapshot() == before
    assert not Entity.objects.filter(name="Racer").exists()
    assert announcements == []


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


# --- List -----------------------------------------------------------------------------------------


def test_list_shows_active_clients_with_their_links(alice, charlie, acme, globex, make_client):
    other = make_client(alice, "Umbrella", tier="BUSINESS", external_reference="crm-u")
    gone = make_client(alice, "Gone Ltd")
    assert delete(alice, gone.client.public_id).status_code == 204

    body = listing(alice)
    assert set(body) == {"clients", "hasMore", "nextCursor"}
    assert body["hasMore"] is False and body["nextCursor"] is None
    clients = body["clients"]
    assert [c["id"] for c in clients] == [acme.client.public_id, other.client.public_id]
    assert all(set(c) == LIST_ITEM_KEYS for c in clients)
    assert all(set(c["link"]) == LINK_KEYS for c in clients)
    umbrella = clients[1]
    assert umbrella["name"] == "Umbrella"
    assert umbrella["type"] == "llc"
    assert umbrella["industry"] == ""
    assert umbrella["createdAt"].endswith("Z")
    assert umbrella["link"]["id"] == other.public_id
    assert umbrella["link"]["clientTier"] == "BUSINESS"
    assert umbrella["link"]["monthlyFee"] == 299
    assert umbrella["link"]["externalReference"] == "crm-u"
    assert globex.client.public_id not in [c["id"] for c in clients]


def test_list_filters_by_external_reference(alice, make_client):
    make_client(alice, "One", external_reference="crm-1")
    two = make_client(alice, "Two", external_reference="crm-2")
    make_client(alice, "Three")
    assert listed_ids(alice, externalReference="crm-2") == [two.client.public_id]
    assert listed_ids(alice, externalReference="crm-404") == []


def test_a_viewer_can_list(bob, acme):
    response = bob.client.get(CLIENTS, {"firmEntityId": bob.firm.public_id})
    assert response.status_code == 200
    assert [c["id"] for c in response.json()["clients"]] == [acme.client.public_id]


def test_an_empty_firm_lists_nothing(alice):
    assert listing(alice) == {"clients": [], "hasMore": False, "nextCursor": None}


def test_cursor_walks_every_client_once(alice, make_client):
    made = [make_client(alice, f"Client {i}").client.public_id for i in range(7)]
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        body = listing(alice, **params)
        pages += 1
        seen += [c["id"] for c in body["clients"]]
        if not body["hasMore"]:
            assert body["nextCursor"] is None
            break
        cursor = body["nextCursor"]
    assert pages == 3
    assert seen == made


def test_a_cursor_from_another_list_is_refused(alice, acme, make_client):
    make_client(alice, "Second")
    cursor = listing(alice, limit=1)["nextCursor"]
    assert cursor
    error = assert_error(
        alice.client.get(
            "/api/practice/engagements", {"firmEntityId": alice.firm.public_id, "cursor": cursor}
        ),
        400,
    )
    assert "cursor" in error["fields"]


def _count_queries(client, params) -> int:
    client.get(
        CLIENTS, params
    )  # warm up: the first call of a minute also stamps the key's last use
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(CLIENTS, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_client_list_takes_the_same_queries_for_1_or_200_clients(alice, make_client):
    params = {"firmEntityId": alice.firm.public_id}
    make_client(alice, "Client 0", tier="BUSINESS", default_rate_cents=100)
    one = _count_queries(alice.client, params)
    for i in range(1, 200):
        make_client(alice, f"Client {i}", tier=("STARTER", "PROFESSIONAL", "BUSINESS")[i % 3])
    many = _count_queries(alice.client, params)
    assert len(listing(alice)["clients"]) == 200
    assert one == many


# --- Update ---------------------------------------------------------------------------------------


def test_patch_changes_entity_and_link_fields(alice, acme):
    response = patch(
        alice,
        acme.client.public_id,
        {
            "name": "Acme Holdings",
            "type": "corp",
            "industry": "Manufacturing",
            "tier": "BUSINESS",
            "billingMode": "client_direct",
            "defaultRate": 20_000,
            "externalReference": "crm-acme",
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
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
    response = patch(alice, link.client.public_id, {"industry": "Retail"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["entity"]["name"] == "Keep" and body["entity"]["industry"] == "Retail"
    assert body["link"]["clientTier"] == "PROFESSIONAL"
    assert body["link"]["defaultRate"] == 9_000
    assert body["link"]["externalReference"] == "k-1"


def test_patch_null_clears_the_default_rate_and_reference(alice, make_client):
    link = make_client(alice, "Clear", default_rate_cents=9_000, external_reference="c-1")
    response = patch(alice, link.client.public_id, {"defaultRate": None, "externalReference": None})
    assert response.status_code == 200, response.content
    assert response.json()["link"]["defaultRate"] is None
    assert response.json()["link"]["externalReference"] is None
    link.refresh_from_db()
    assert link.default_rate_cents is None and link.external_reference is None


def test_patch_takes_the_firm_from_the_body(alice, acme):
    response = send(
        alice.client,
        "patch",
        client_url(acme.client.public_id),
        {"firmEntityId": alice.firm.public_id, "tier": "PROFESSIONAL"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["link"]["clientTier"] == "PROFESSIONAL"


def test_patch_with_a_firm_in_neither_place_is_400(alice, acme):
    response = send(alice.client, "patch", client_url(acme.client.public_id), {"name": "X"})
    error = assert_error(response, 400, "validation_error")
    assert "firmEntityId" in error["fields"]


def test_patch_where_query_and_body_disagree_is_400(alice, charlie, acme):
    before = db_snapshot()
    response = patch(
        alice, acme.client.public_id, {"firmEntityId": charlie.firm.public_id, "name": "X"}
    )
    error = assert_error(response, 400, "validation_error")
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
        response = patch(alice, acme.client.public_id, body)
    assert_error(response, 400, "validation_error")
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
        response = send(
            alice.client,
            "patch",
            client_url(acme.client.public_id),
            body,
            firmEntityId=alice.firm.public_id,
        )
    error = assert_error(response, 400, "validation_error")
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
        response = patch(
            alice, acme.client.public_id, {"externalReference": "taken", "name": "Renamed"}
        )
    error = assert_error(response, 409, "duplicate_external_reference")
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
        response = patch(
            alice, acme.client.public_id, {"externalReference": "taken", "name": "Renamed"}
        )
    error = assert_error(response, 409, "duplicate_external_reference")
    assert other.client.public_id in error["message"]
    assert db_snapshot() == before
    acme.refresh_from_db()
    acme.client.refresh_from_db()
    assert acme.external_reference is None
    assert acme.client.name == "Acme Corp"  # the entity's half of the change rolled back too
    assert announcements == []


def test_patch_keeping_its_own_reference_is_fine(alice, make_client):
    link = make_client(alice, "Mine", external_reference="mine")
    response = patch(
        alice, link.client.public_id, {"externalReference": "mine", "name": "Still mine"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["link"]["externalReference"] == "mine"


def test_patch_announces_an_update_after_commit(
    alice, acme, announcements, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = patch(alice, acme.client.public_id, {"tier": "BUSINESS"})
    assert response.status_code == 200
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
    assert patch(alice, other.client.public_id, {"tier": "BUSINESS"}).status_code == 200
    assert listed_ids(alice, updatedSince=since) == [other.client.public_id]


def test_updated_since_includes_a_client_whose_entity_alone_changed(alice, acme):
    old = timezone.now() - dt.timedelta(days=1)
    ClientLink.objects.filter(pk=acme.pk).update(updated_at=old)
    Entity.objects.filter(pk=acme.client_id).update(updated_at=old)
    since = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    assert listed_ids(alice, updatedSince=since) == []
    assert patch(alice, acme.client.public_id, {"name": "Renamed"}).status_code == 200
    assert listed_ids(alice, updatedSince=since) == [acme.client.public_id]
    updated = listing(alice)["clients"][0]["link"]["updatedAt"]
    assert _parse_time(updated) >= timezone.now() - dt.timedelta(minutes=1)


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
    assert delete(alice, acme.client.public_id).status_code == 204
    assert_error(patch(alice, acme.client.public_id, {"name": "Zombie"}), 404, "not_found")
    acme.client.refresh_from_db()
    assert acme.client.name == "Acme Corp"


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


# --- Invite ---------------------------------------------------------------------------------------


def _token(message) -> str:
    match = ACCEPT_LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def test_invite_creates_a_pending_invitation_and_emails_a_link(
    alice, acme, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(alice, acme.client.public_id, email="dana@initech.test", role="MEMBER")
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"invitation"}
    invitation = body["invitation"]
    assert set(invitation) == INVITATION_KEYS
    assert is_public_id(invitation["id"], "invt")
    assert invitation["entityId"] == acme.client.public_id
    assert invitation["email"] == "dana@initech.test"
    assert invitation["role"] == "MEMBER"
    assert invitation["status"] == "pending"
    expires = _parse_time(invitation["expiresAt"])
    assert abs(expires - (timezone.now() + dt.timedelta(days=7))) < dt.timedelta(minutes=5)
    assert invitation["createdAt"].endswith("Z")

    stored = Invitation.objects.get(public_id=invitation["id"])
    assert stored.firm == alice.firm and stored.entity == acme.client
    assert stored.invited_by == alice.user
    assert stored.sent_count == 1

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["dana@initech.test"]
    assert alice.firm.name in message.subject
    assert alice.firm.name in message.body
    token = _token(message)
    link = f"{settings.SITE_URL}/invitations/accept/{token}"
    assert link in message.body
    (html_body, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    assert alice.firm.name in html.unescape(html_body)
    assert link in html.unescape(html_body)

    # Only the hash is kept.
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    row = Invitation.objects.filter(pk=stored.pk).values().get()
    assert all(token not in str(value) for value in row.values())

    # The link works.
    page = PageClient().get(urlsplit(link).path)
    assert page.status_code == 200


def test_invite_defaults_to_viewer(alice, acme, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(alice, acme.client.public_id)
    assert response.status_code == 201, response.content
    assert response.json()["invitation"]["role"] == "VIEWER"
    assert Invitation.objects.get().role == "VIEWER"


def test_the_email_goes_only_after_commit(alice, acme, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = invite(alice, acme.client.public_id)
    assert response.status_code == 201
    assert mail.outbox == []
    assert Invitation.objects.get().token_hash is None
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1


def test_inviting_the_same_address_again_resends(alice, acme, django_capture_on_commit_callbacks):
    entity_id = acme.client.public_id
    with django_capture_on_commit_callbacks(execute=True):
        first = invite(alice, entity_id, email="dana@initech.test")
    with django_capture_on_commit_callbacks(execute=True):
        second = invite(alice, entity_id, email="Dana@Initech.test", role="ADMIN")
    assert first.status_code == 201 and second.status_code == 201, second.content
    assert second.json()["invitation"]["id"] == first.json()["invitation"]["id"]
    assert Invitation.objects.count() == 1
    stored = Invitation.objects.get()
    assert stored.sent_count == 2
    assert stored.role == "ADMIN"
    assert second.json()["invitation"]["role"] == "ADMIN"

    assert len(mail.outbox) == 2
    old, new = _token(mail.outbox[0]), _token(mail.outbox[1])
    assert old != new
    assert mail.outbox[1].to == ["dana@initech.test"]
    assert stored.token_hash == hashlib.sha256(new.encode()).hexdigest()
    pages = PageClient()
    assert pages.get(f"/invitations/accept/{old}").status_code == 404
    assert pages.get(f"/invitations/accept/{new}").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_sent_count_in_the_response_counts_the_emails_sent(alice, acme):
    """With real commits (no test transaction around the request) the email task has run by the
    time the response is built."""
    entity_id = acme.client.public_id
    first = invite(alice, entity_id)
    assert first.status_code == 201, first.content
    assert first.json()["invitation"]["sentCount"] == 1
    second = invite(alice, entity_id)
    assert second.json()["invitation"]["id"] == first.json()["invitation"]["id"]
    assert second.json()["invitation"]["sentCount"] == 2
    assert len(mail.outbox) == 2
    assert Invitation.objects.count() == 1


def test_a_different_address_is_a_new_invitation(alice, acme, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        a = invite(alice, acme.client.public_id, email="a@initech.test")
        b = invite(alice, acme.client.public_id, email="b@initech.test")
    assert a.json()["invitation"]["id"] != b.json()["invitation"]["id"]
    assert Invitation.objects.count() == 2
    assert [m.to for m in mail.outbox] == [["a@initech.test"], ["b@initech.test"]]


def test_invite_with_the_firm_named_in_the_body_or_query(
    alice, acme, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        in_body = invite(alice, acme.client.public_id, firmEntityId=alice.firm.public_id)
        in_query = send(
            alice.client,
            "post",
            invite_url(acme.client.public_id),
            {"email": "q@initech.test"},
            firmEntityId=alice.firm.public_id,
        )
    assert in_body.status_code == 201, in_body.content
    assert in_query.status_code == 201, in_query.content


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "email"),
        ({"email": "not-an-email"}, "email"),
        ({"email": ""}, "email"),
        ({"email": None}, "email"),
        ({"email": 42}, "email"),
        ({"email": ["a@b.test"]}, "email"),
        ({"email": "a" * 250 + "@b.test"}, "email"),
        ({"email": "dana@initech.test", "role": "OWNER"}, "role"),
        ({"email": "dana@initech.test", "role": "viewer"}, "role"),
        ({"email": "dana@initech.test", "role": None}, "role"),
        ({"email": "dana@initech.test", "firmEntityId": "junk"}, "firmEntityId"),
    ],
)
def test_bad_invitations_are_400_and_send_nothing(
    alice, acme, django_capture_on_commit_callbacks, body, field
):
    before = db_snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        response = send(alice.client, "post", invite_url(acme.client.public_id), body)
    error = assert_error(response, 400, "validation_error")
    assert field in error["fields"], error
    assert db_snapshot() == before
    assert mail.outbox == []


def test_inviting_to_an_archived_client_is_404(alice, acme, django_capture_on_commit_callbacks):
    assert delete(alice, acme.client.public_id).status_code == 204
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(alice, acme.client.public_id)
    assert_error(response, 404, "not_found")
    assert Invitation.objects.count() == 0
    assert mail.outbox == []


def test_a_session_admin_can_invite_without_naming_the_firm(
    acme, firm_a, firm_b, make_client, django_capture_on_commit_callbacks
):
    """A session user's firm is the one of theirs that has this client."""
    erin = UserFactory(email="erin@both.test")
    MembershipFactory(user=erin, entity=firm_b, role=Role.VIEWER)
    MembershipFactory(user=erin, entity=firm_a, role=Role.ADMIN)
    client = APIClient()
    client.force_login(erin)
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, "post", invite_url(acme.client.public_id), {"email": "z@i.test"})
    assert response.status_code == 201, response.content
    stored = Invitation.objects.get()
    assert stored.firm == firm_a and stored.invited_by == erin
    assert firm_a.name in mail.outbox[0].body


def test_a_failing_mail_server_does_not_fail_the_invite(
    alice, acme, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(alice, acme.client.public_id)
    assert response.status_code == 201, response.content
    stored = Invitation.objects.get()
    assert stored.status == "pending"
    assert stored.sent_count == 0 and stored.token_hash is None
    assert "gone" in stored.last_error


def test_resending_an_expired_pending_invitation_renews_it(
    alice, acme, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(alice, acme.client.public_id)
    Invitation.objects.update(expires_at=timezone.now() - dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(alice, acme.client.public_id)
    assert response.status_code == 201, response.content
    expires = _parse_time(response.json()["invitation"]["expiresAt"])
    assert expires > timezone.now() + dt.timedelta(days=6)
    assert Invitation.objects.count() == 1
    assert Invitation.objects.get().sent_count == 2
    assert len(mail.outbox) == 2
    assert PageClient().get(f"/invitations/accept/{_token(mail.outbox[1])}").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_client_name_with_a_line_break_does_not_break_its_invitations(alice):
    """Either the name is refused up front (400), or inviting to that client works: never a 500
    (the name goes into the email's Subject header, where a line break is not allowed)."""
    created = create(alice, name="Acme\nCorp")
    assert created.status_code == 400
    assert "name" in created.json()["error"]["fields"]
    # A name written another way (the admin, an import) still cannot break the email's headers.
    from practice.services.clients import client_create

    link = client_create(
        firm=alice.firm, name="Acme\nCorp", type="llc", tier="STARTER", billing_mode="consolidated"
    )
    entity_id = link.client.public_id
    response = invite(alice, entity_id)
    assert response.status_code == 201, response.content
    assert len(mail.outbox) == 1
    assert "\n" not in mail.outbox[0].subject
    assert response.json()["invitation"]["sentCount"] == 1
