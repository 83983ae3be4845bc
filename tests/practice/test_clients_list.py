"""Listing clients: active ones with their links, filters, cursors, and a query count that does
not grow with the clients."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.helpers import assert_error
from tests.practice.client_helpers import (
    CLIENTS,
    LINK_KEYS,
    LIST_ITEM_KEYS,
    delete,
    listed_ids,
    listing,
)

pytestmark = pytest.mark.django_db


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
