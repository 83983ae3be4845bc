"""Listing invoices: newest first with their lines, filters, cursors, and a query count that
does not grow with the invoices."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing.models import Invoice
from billing.services.invoices import invoice_create_from_time
from tests.billing.invoice_helpers import INVOICES, bill, bulk_log, ids_of, invoices, log, void_url
from tests.helpers import api, in_firm

pytestmark = pytest.mark.django_db


# --- List -----------------------------------------------------------------------------------------


def test_the_list_shows_invoices_newest_first_with_their_lines(alice, acme, make_client):
    other = make_client(alice, "Other Co")
    first = bill(alice, acme, [log(alice, acme, "1.00"), log(alice, acme, "2.00")])["invoice"]
    second = bill(alice, other, [log(alice, other, "3.00")])["invoice"]
    body = invoices(alice)
    assert set(body) == {"invoices", "hasMore", "nextCursor"}
    assert body["invoices"] == [second, first]
    assert body["hasMore"] is False and body["nextCursor"] is None
    assert [len(i["lines"]) for i in body["invoices"]] == [1, 2]


def test_list_filters(alice, acme, make_client, charlie, globex):
    other = make_client(alice, "Other Co")
    first = bill(alice, acme, [log(alice, acme)])["invoice"]
    second = bill(alice, other, [log(alice, other)])["invoice"]
    theirs = bill(charlie, globex, [log(charlie, globex)])["invoice"]

    def ids(**params):
        return [i["id"] for i in invoices(alice, **params)["invoices"]]

    assert ids() == [second["id"], first["id"]]
    assert ids(clientEntityId=acme.client.public_id) == [first["id"]]
    assert ids(clientEntityId=other.client.public_id) == [second["id"]]
    assert ids(status="open") == [second["id"], first["id"]]
    assert ids(status="void") == []
    api(alice).post(void_url(first["id"]), params=in_firm(alice.firm.public_id), status=200)
    assert ids(status="void") == [first["id"]]
    assert ids(status="open") == [second["id"]]
    assert ids(status="void", clientEntityId=other.client.public_id) == []
    # Another firm's client shows nothing of it.
    assert ids(clientEntityId=globex.client.public_id) == []
    assert [i["id"] for i in invoices(charlie)["invoices"]] == [theirs["id"]]


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"firmEntityId": None}, "firmEntityId"),
        ({"firmEntityId": "junk"}, "firmEntityId"),
        ({"status": "draft"}, "status"),
        ({"status": "VOID"}, "status"),
        ({"clientEntityId": "acme"}, "clientEntityId"),
        ({"clientEntityId": "inv_" + "0" * 26}, "clientEntityId"),
        ({"limit": "0"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"cursor": "garbage"}, "cursor"),
    ],
)
def test_bad_list_query_parameters_are_400(alice, acme, extra, field):
    bill(alice, acme, [log(alice, acme)])
    params = {"firmEntityId": alice.firm.public_id, **extra}
    params = {k: v for k, v in params.items() if v is not None}
    error = api(alice).get(INVOICES, params, status=400, code="validation_error")
    assert field in error["fields"], error


def test_cursor_pagination_walks_every_invoice_once(alice, acme):
    created = [bill(alice, acme, [log(alice, acme)])["invoice"]["id"] for _ in range(5)]
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = invoices(alice, **params)
        seen += [i["id"] for i in body["invoices"]]
        if not body["hasMore"]:
            assert body["nextCursor"] is None
            break
        assert len(body["invoices"]) == 2
        cursor = body["nextCursor"]
    assert seen == list(reversed(created))


def _count_queries(persona, params) -> int:
    api(persona).get(INVOICES, params)  # warm up: the first call of a minute stamps the key's use
    with CaptureQueriesContext(connection) as ctx:
        api(persona).get(INVOICES, params)
    return len(ctx.captured_queries)


def test_the_list_takes_the_same_queries_for_1_or_50_invoices(alice, acme, make_client):
    params = {"firmEntityId": alice.firm.public_id}
    bill(alice, acme, [log(alice, acme), log(alice, acme)])
    one = _count_queries(alice, params)
    other = make_client(alice, "Other Co")
    entries = bulk_log(alice, other, 49 * 3)
    for i in range(49):
        invoice_create_from_time(
            firm=alice.firm,
            link=other,
            time_entry_ids=ids_of(entries[i * 3 : i * 3 + 3]),
            created_by=alice.user,
        )
    voided = Invoice.objects.filter(firm=alice.firm).order_by("id").last()
    api(alice).post(void_url(voided.public_id), params=in_firm(alice.firm.public_id), status=200)
    many = _count_queries(alice, params)
    body = invoices(alice)
    assert len(body["invoices"]) == 50
    assert sum(i["lineCount"] for i in body["invoices"]) == 2 + 49 * 3
    assert one == many
