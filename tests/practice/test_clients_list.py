"""Listing clients: active ones with their links, filters, cursors, and a query count that does
not grow with the clients."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.helpers import api, in_firm
from tests.practice.client_helpers import (
    CLIENTS,
    LINK_KEYS,
    LIST_ITEM_KEYS,
    client_url,
    listed_ids,
    listing,
)

pytestmark = pytest.mark.django_db


# --- List -----------------------------------------------------------------------------------------


def test_list_shows_active_clients_with_their_links(alice, charlie, acme, globex, make_client):
    other = make_client(alice, "Umbrella", tier="BUSINESS", external_reference="crm-u")
    gone = make_client(alice, "Gone Ltd")
    api(alice).delete(client_url(gone.client.public_id), in_firm(alice.firm.public_id), status=204)

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
    body = api(bob).get(CLIENTS, {"firmEntityId": bob.firm.public_id})
    assert [c["id"] for c in body["clients"]] == [acme.client.public_id]


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
    params = {"firmEntityId": alice.firm.public_id, "cursor": cursor}
    error = api(alice).get("/api/practice/engagements", params, status=400)
    assert "cursor" in error["fields"]


def _count_queries(persona, params) -> int:
    api(persona).get(CLIENTS, params)  # warm up: the first call of a minute stamps the key's use
    with CaptureQueriesContext(connection) as ctx:
        api(persona).get(CLIENTS, params)
    return len(ctx.captured_queries)


def test_client_list_takes_the_same_queries_for_1_or_200_clients(alice, make_client):
    params = {"firmEntityId": alice.firm.public_id}
    make_client(alice, "Client 0", tier="BUSINESS", default_rate_cents=100)
    one = _count_queries(alice, params)
    for i in range(1, 200):
        make_client(alice, f"Client {i}", tier=("STARTER", "PROFESSIONAL", "BUSINESS")[i % 3])
    many = _count_queries(alice, params)
    assert len(listing(alice)["clients"]) == 200
    assert one == many
