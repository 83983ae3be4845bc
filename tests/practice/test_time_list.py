"""Listing time: shape, order, totals over the whole filtered set, filters, cursors, and a query
count that does not grow with the entries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from axiomatic.core.ids import new_public_id
from practice.models import TimeEntry
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import api, assert_error, in_firm
from tests.practice.time_helpers import (
    ENTRY_KEYS,
    LIST_KEYS,
    TIME,
    bulk_entries,
    create,
    entry_in_firm,
    entry_url,
    listing,
    mark_billed,
    tasks_of,
)

pytestmark = pytest.mark.django_db


# --- List -----------------------------------------------------------------------------------------


def test_list_shape_order_and_totals(alice, acme):
    a = create(alice, acme, date="2026-01-10", hours=2.5)
    b = create(alice, acme, date="2026-01-20", hours=1.25, billable=False)
    c = create(alice, acme, date="2026-01-15", hours=8)
    body = listing(alice)
    assert set(body) == LIST_KEYS
    assert [e["id"] for e in body["entries"]] == [b["id"], c["id"], a["id"]]
    assert all(set(e) == ENTRY_KEYS for e in body["entries"])
    assert body["totalHours"] == 11.75
    assert body["billableHours"] == 10.5
    assert isinstance(body["totalHours"], float) and isinstance(body["billableHours"], float)
    assert body["hasMore"] is False and body["nextCursor"] is None
    assert body["entries"][1] == c


def test_an_empty_list_has_zero_totals(alice):
    body = listing(alice)
    assert body == {
        "entries": [],
        "totalHours": 0,
        "billableHours": 0,
        "hasMore": False,
        "nextCursor": None,
    }


def test_totals_add_up_exactly(alice, acme):
    for _ in range(3):
        create(alice, acme, hours=0.1)
    create(alice, acme, hours=0.2, billable=False)
    body = listing(alice)
    assert body["totalHours"] == 0.5
    assert body["billableHours"] == 0.3


def test_same_date_entries_are_newest_first(alice, acme):
    ids = [create(alice, acme, date="2026-01-15")["id"] for _ in range(4)]
    assert [e["id"] for e in listing(alice)["entries"]] == ids[::-1]


def test_totals_cover_the_whole_filtered_set_not_the_page(alice, acme, make_client):
    other = make_client(alice, "Other Co")
    for day, hours, billable in ((1, 1, True), (2, 2, False), (3, 3, True), (4, 4, True)):
        create(alice, acme, date=f"2026-01-0{day}", hours=hours, billable=billable)
    create(alice, other, hours=10)
    body = listing(alice, clientEntityId=acme.client.public_id, limit=2)
    assert len(body["entries"]) == 2
    assert body["hasMore"] is True and body["nextCursor"]
    assert body["totalHours"] == 10.0
    assert body["billableHours"] == 8.0
    second = listing(
        alice, clientEntityId=acme.client.public_id, limit=2, cursor=body["nextCursor"]
    )
    assert (second["totalHours"], second["billableHours"]) == (10.0, 8.0)
    assert [e["date"] for e in body["entries"] + second["entries"]] == [
        "2026-01-04",
        "2026-01-03",
        "2026-01-02",
        "2026-01-01",
    ]
    assert second["hasMore"] is False and second["nextCursor"] is None


def test_list_filters(alice, acme, make_client, bookkeeping):
    other = make_client(alice, "Other Co")
    dana = UserFactory(email="dana@alpha.test")
    MembershipFactory(user=dana, entity=alice.firm, role="MEMBER")
    e1 = create(alice, acme, date="2026-01-01", hours=1)
    e2 = create(alice, acme, date="2026-01-31", hours=2, engagementId=bookkeeping.public_id)
    e3 = create(alice, acme, date="2026-02-01", hours=3, billable=False, userId=dana.public_id)
    e4 = create(alice, other, date="2026-01-15", hours=4)
    mark_billed(e4["id"])

    def ids(**params):
        body = listing(alice, **params)
        return {e["id"] for e in body["entries"]}, body["totalHours"], body["billableHours"]

    assert ids() == ({e1["id"], e2["id"], e3["id"], e4["id"]}, 10.0, 7.0)
    assert ids(clientEntityId=acme.client.public_id) == ({e1["id"], e2["id"], e3["id"]}, 6.0, 3.0)
    assert ids(clientEntityId=other.client.public_id) == ({e4["id"]}, 4.0, 4.0)
    # from and to are inclusive.
    assert ids(**{"from": "2026-01-01", "to": "2026-01-31"}) == (
        {e1["id"], e2["id"], e4["id"]},
        7.0,
        7.0,
    )
    assert ids(**{"from": "2026-01-31"}) == ({e2["id"], e3["id"]}, 5.0, 2.0)
    assert ids(to="2026-01-01") == ({e1["id"]}, 1.0, 1.0)
    assert ids(**{"from": "2026-01-31", "to": "2026-01-31"}) == ({e2["id"]}, 2.0, 2.0)
    assert ids(unbilledOnly="true") == ({e1["id"], e2["id"], e3["id"]}, 6.0, 3.0)
    assert ids(unbilledOnly="1") == ({e1["id"], e2["id"], e3["id"]}, 6.0, 3.0)
    assert ids(unbilledOnly="false")[0] == {e1["id"], e2["id"], e3["id"], e4["id"]}
    assert ids(unbilledOnly="0")[0] == {e1["id"], e2["id"], e3["id"], e4["id"]}
    assert ids(billable="false") == ({e3["id"]}, 3.0, 0.0)
    assert ids(billable="0") == ({e3["id"]}, 3.0, 0.0)
    assert ids(billable="true") == ({e1["id"], e2["id"], e4["id"]}, 7.0, 7.0)
    assert ids(engagementId=bookkeeping.public_id) == ({e2["id"]}, 2.0, 2.0)
    assert ids(userId=dana.public_id) == ({e3["id"]}, 3.0, 0.0)
    assert ids(userId=alice.user.public_id)[0] == {e1["id"], e2["id"], e4["id"]}
    assert ids(clientEntityId=acme.client.public_id, billable="true", to="2026-01-15") == (
        {e1["id"]},
        1.0,
        1.0,
    )
    # Well-formed ids that name nothing filter to nothing.
    assert ids(clientEntityId=new_public_id("ent")) == (set(), 0.0, 0.0)
    assert ids(engagementId=new_public_id("eng")) == (set(), 0.0, 0.0)


def test_updated_since_filter(alice, acme):
    old = create(alice, acme)
    new = create(alice, acme)
    TimeEntry.objects.filter(public_id=old["id"]).update(
        updated_at=timezone.now() - dt.timedelta(days=2)
    )
    since = (timezone.now() - dt.timedelta(days=1)).isoformat().replace("+00:00", "Z")
    assert [e["id"] for e in listing(alice, updatedSince=since)["entries"]] == [new["id"]]
    # An edit brings an entry back into the window.
    api(alice).patch(
        entry_url(old["id"]), {"description": "edited"}, params=in_firm(alice.firm.public_id)
    )
    assert {e["id"] for e in listing(alice, updatedSince=since)["entries"]} == {
        old["id"],
        new["id"],
    }


def test_billed_entries_are_listed_as_locked_with_their_invoice(alice, acme):
    entry = create(alice, acme, rate=10_000)
    mark_billed(entry["id"], number="INV-0007")
    listed = listing(alice)["entries"][0]
    assert listed["billingStatus"] == "billed"
    assert listed["invoiced"] is True and listed["isLocked"] is True
    assert listed["invoiceId"] == "inv_x"
    assert listed["invoice"] == {"id": "inv_x", "number": "INV-0007"}
    assert listed["lockedReason"] == "invoiced"


def test_the_list_never_shows_another_firms_entries(alice, acme, charlie, globex):
    mine = create(alice, acme)
    theirs = create(charlie, globex)
    assert [e["id"] for e in listing(alice)["entries"]] == [mine["id"]]
    assert [e["id"] for e in listing(charlie)["entries"]] == [theirs["id"]]
    # Filtering by another firm's client shows nothing of it.
    body = listing(charlie, clientEntityId=acme.client.public_id)
    assert body["entries"] == [] and body["totalHours"] == 0


def test_listing_another_firm_is_the_same_404_as_an_unknown_one(alice, acme, charlie):
    create(alice, acme)
    foreign = api(charlie).request("GET", TIME, params=in_firm(alice.firm.public_id))
    unknown = api(charlie).request("GET", TIME, params=in_firm(new_public_id("ent")))
    client_entity = api(charlie).request("GET", TIME, params=in_firm(acme.client.public_id))
    assert_error(foreign, 404, "not_found")
    assert foreign.content == unknown.content == client_entity.content


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"firmEntityId": None}, "firmEntityId"),
        ({"firmEntityId": "junk"}, "firmEntityId"),
        ({"firmEntityId": "ent_" + "0" * 5_000}, "firmEntityId"),
        ({"unbilledOnly": "yes"}, "unbilledOnly"),
        ({"unbilledOnly": "2"}, "unbilledOnly"),
        ({"billable": "maybe"}, "billable"),
        ({"billable": "on"}, "billable"),
        ({"from": "2026-02-30"}, "from"),
        ({"to": "not-a-date"}, "to"),
        ({"from": "2026-03-01", "to": "2026-02-01"}, "from"),
        ({"clientEntityId": "acme"}, "clientEntityId"),
        ({"clientEntityId": "eng_" + "0" * 26}, "clientEntityId"),
        ({"engagementId": "ent_" + "0" * 26}, "engagementId"),
        ({"userId": "usr_x"}, "userId"),
        ({"updatedSince": "last tuesday"}, "updatedSince"),
        ({"limit": "0"}, "limit"),
        ({"limit": "2001"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"limit": "-1"}, "limit"),
        ({"cursor": "garbage"}, "cursor"),
    ],
)
def test_bad_list_query_parameters_are_400(alice, acme, extra, field):
    create(alice, acme)
    params = {"firmEntityId": alice.firm.public_id, **extra}
    params = {k: v for k, v in params.items() if v is not None}
    error = api(alice).get(TIME, params, status=400, code="validation_error")
    assert field in error["fields"], error


def test_a_cursor_of_another_list_is_refused(alice, acme, make_client):
    make_client(alice, "Other Co")
    clients = api(alice).get(
        "/api/practice/clients", {"firmEntityId": alice.firm.public_id, "limit": 1}
    )
    assert clients["nextCursor"]
    params = {"firmEntityId": alice.firm.public_id, "cursor": clients["nextCursor"]}
    error = api(alice).get(TIME, params, status=400, code="validation_error")
    assert "cursor" in error["fields"]


def test_cursor_pagination_walks_every_entry_once(alice, acme, make_client):
    other = make_client(alice, "Other Co")
    bulk_entries(alice, acme, 17, start=dt.date(2026, 1, 1))
    bulk_entries(alice, other, 8, start=dt.date(2026, 1, 5))  # many entries share a date
    expected = list(
        TimeEntry.objects.filter(firm=alice.firm)
        .order_by("-date", "-id")
        .values_list("public_id", flat=True)
    )
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 7}
        if cursor:
            params["cursor"] = cursor
        body = listing(alice, **params)
        pages += 1
        assert body["totalHours"] == 25.0
        seen += body["entries"]
        if not body["hasMore"]:
            assert body["nextCursor"] is None
            break
        assert len(body["entries"]) == 7
        cursor = body["nextCursor"]
    assert pages == 4
    assert [e["id"] for e in seen] == expected
    assert len({e["id"] for e in seen}) == 25
    dates = [e["date"] for e in seen]
    assert dates == sorted(dates, reverse=True)


def test_a_cursor_keeps_its_place_when_earlier_entries_are_deleted(alice, acme):
    bulk_entries(alice, acme, 6)
    first = listing(alice, limit=3)
    # Delete what was already served: the next page still starts right after it.
    for entry in first["entries"]:
        api(alice).delete(TIME, entry_in_firm(entry["id"], alice.firm.public_id), status=204)
    second = listing(alice, limit=3, cursor=first["nextCursor"])
    assert len(second["entries"]) == 3 and second["hasMore"] is False


def _count_queries(persona, params) -> int:
    api(persona).get(TIME, params)  # warm up: the first call of a minute stamps the key's use
    with CaptureQueriesContext(connection) as ctx:
        api(persona).get(TIME, params)
    return len(ctx.captured_queries)


def test_the_list_takes_the_same_queries_for_1_or_200_entries(alice, acme, bookkeeping):
    tasks = tasks_of(bookkeeping)
    params = {"firmEntityId": alice.firm.public_id}
    fields = {"engagement": bookkeeping, "task": tasks[0], "user": alice.user}
    bulk_entries(alice, acme, 1, **fields)
    one = _count_queries(alice, params)
    bulk_entries(alice, acme, 199, **fields)
    many = _count_queries(alice, params)
    body = listing(alice)
    assert len(body["entries"]) == 200
    assert all(e["taskId"] == tasks[0].public_id for e in body["entries"])
    assert all(e["engagementId"] == bookkeeping.public_id for e in body["entries"])
    assert all(e["userId"] == alice.user.public_id for e in body["entries"])
    assert one == many


def test_the_list_query_count_for_a_session_user_is_flat_too(alice, acme, bob):
    params = {"firmEntityId": bob.firm.public_id}
    bulk_entries(alice, acme, 1, user=bob.user)
    one = _count_queries(bob, params)
    bulk_entries(alice, acme, 150, user=bob.user)
    assert _count_queries(bob, params) == one
