"""The partner program overview: tier, volume discount, per-client fees, who pays, this month's changes.

Prices come from the seeded tables (STARTER 79, PROFESSIONAL 149, BUSINESS 299 a month; REGISTERED 0+
clients 0%, SILVER 10+ 10%, GOLD 25+ 15%, PLATINUM 50+ 20%), editable in the admin. A change to a
client (added, archived, tier or mode changed through the API) is recorded after commit with the
discounted fee prorated over the rest of its month, rounded half-up.
"""

import calendar
import datetime as dt
from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from axiomatic.core.ids import new_public_id
from axiomatic.entities.models import Entity, PartnerEnrollment
from billing.models import (
    ClientTierPrice,
    LinkBillingSnapshot,
    PartnerTier,
    ProgramChange,
    StripeSyncState,
)
from practice.models import ClientLink
from practice.services.clients import client_archive
from tests.helpers import api, assert_error, db_snapshot

pytestmark = pytest.mark.django_db

OVERVIEW = "/api/practice/billing"
CLIENTS = "/api/practice/clients"

OVERVIEW_KEYS = {
    "partnerTier",
    "activeClients",
    "volumeDiscount",
    "clients",
    "totals",
    "changes",
    "stripe",
}
CLIENT_KEYS = {
    "clientEntityId",
    "name",
    "clientTier",
    "billingMode",
    "monthlyFee",
    "monthlyFeeCents",
    "discountedFeeCents",
    "payer",
}
CHANGE_KEYS = {"clientEntityId", "name", "kind", "from", "to", "effectiveDate", "proratedCents"}
STRIPE_NOT_CONFIGURED = {
    "status": "not_configured",
    "lastSyncedAt": None,
    "subscriptionId": None,
    "lastError": None,
    "paymentStatus": None,
}


# --- Helpers ------------------------------------------------------------------------------------


def half_up(value: Fraction) -> int:
    """Round half away from zero (half-up for the magnitude, as money rounds)."""
    sign = -1 if value < 0 else 1
    return sign * int((abs(value) + Fraction(1, 2)) // 1)


def discounted(cents: int, percent: int) -> int:
    return half_up(Fraction(cents * (100 - percent), 100))


def rest_of_month(cents: int, day: dt.date) -> int:
    """`cents` x (days left in the month, today included) / (days in the month), rounded half-up."""
    days_in_month = calendar.monthrange(day.year, day.month)[1]
    days_left = days_in_month - day.day + 1
    return half_up(Fraction(cents * days_left, days_in_month))


def overview(persona) -> dict:
    return api(persona).get(OVERVIEW, {"firmEntityId": persona.firm.public_id})


def bulk_clients(persona, count: int, *, tier="STARTER", mode="consolidated", name="Client"):
    """`count` client links, straight into the tables (no books: the overview does not read them)."""
    entities = Entity.objects.bulk_create(
        Entity(name=f"{name} {i:03d}", type="llc") for i in range(count)
    )
    return ClientLink.objects.bulk_create(
        ClientLink(firm=persona.firm, client=e, client_tier=tier, billing_mode=mode)
        for e in entities
    )


def api_create_client(persona, capture, name: str, **fields) -> dict:
    """Create a client through the API and run what it announces after commit."""
    body = {"firmEntityId": persona.firm.public_id, "name": name, "type": "llc", **fields}
    with capture(execute=True):
        return api(persona).post(CLIENTS, body)["entity"]


def api_update_client(persona, capture, entity_id: str, **fields):
    firm = {"firmEntityId": persona.firm.public_id}
    with capture(execute=True):
        return api(persona).patch(f"{CLIENTS}/{entity_id}", fields, params=firm)


def api_archive_client(persona, capture, entity_id: str) -> None:
    firm = {"firmEntityId": persona.firm.public_id}
    with capture(execute=True):
        api(persona).delete(f"{CLIENTS}/{entity_id}", firm)


def suspend(persona) -> None:
    PartnerEnrollment.objects.filter(firm=persona.firm).update(status="suspended")


# --- Shape ----------------------------------------------------------------------------------------


def test_the_overview_of_a_firm_with_one_client(alice, acme):
    body = overview(alice)
    assert set(body) == OVERVIEW_KEYS
    assert body == {
        "partnerTier": "REGISTERED",
        "activeClients": 1,
        "volumeDiscount": 0,
        "clients": [
            {
                "clientEntityId": acme.client.public_id,
                "name": "Acme Corp",
                "clientTier": "STARTER",
                "billingMode": "consolidated",
                "monthlyFee": 79,
                "monthlyFeeCents": 7_900,
                "discountedFeeCents": 7_900,
                "payer": "firm",
            }
        ],
        "totals": {"firmPaysCents": 7_900, "clientsPayCents": 0},
        "changes": [],
        "stripe": STRIPE_NOT_CONFIGURED,
    }
    assert type(body["clients"][0]["monthlyFee"]) is int  # 79, not 79.0


def test_a_firm_without_clients(alice):
    body = overview(alice)
    assert body == {
        "partnerTier": "REGISTERED",
        "activeClients": 0,
        "volumeDiscount": 0,
        "clients": [],
        "totals": {"firmPaysCents": 0, "clientsPayCents": 0},
        "changes": [],
        "stripe": STRIPE_NOT_CONFIGURED,
    }


def test_every_tier_at_its_list_price(alice, make_client):
    make_client(alice, "Small Co", tier="STARTER")
    make_client(alice, "Mid Co", tier="PROFESSIONAL")
    make_client(alice, "Big Co", tier="BUSINESS")
    clients = overview(alice)["clients"]
    assert all(set(c) == CLIENT_KEYS for c in clients)
    assert [(c["name"], c["monthlyFee"], c["monthlyFeeCents"]) for c in clients] == [
        ("Small Co", 79, 7_900),
        ("Mid Co", 149, 14_900),
        ("Big Co", 299, 29_900),
    ]
    assert all(type(c["monthlyFee"]) is int for c in clients)
    assert [c["discountedFeeCents"] for c in clients] == [7_900, 14_900, 29_900]


# --- Partner tiers and the volume discount --------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "tier", "percent", "fee"),
    [
        (9, "REGISTERED", 0, 7_900),
        (10, "SILVER", 10, 7_110),
        (24, "SILVER", 10, 7_110),
        (25, "GOLD", 15, 6_715),
        (49, "GOLD", 15, 6_715),
        (50, "PLATINUM", 20, 6_320),
        (51, "PLATINUM", 20, 6_320),
    ],
)
def test_partner_tier_thresholds(alice, count, tier, percent, fee):
    bulk_clients(alice, count)
    body = overview(alice)
    assert (body["partnerTier"], body["activeClients"], body["volumeDiscount"]) == (
        tier,
        count,
        percent,
    )
    assert len(body["clients"]) == count
    assert {c["discountedFeeCents"] for c in body["clients"]} == {fee}
    assert {c["monthlyFeeCents"] for c in body["clients"]} == {7_900}
    assert body["totals"] == {"firmPaysCents": count * fee, "clientsPayCents": 0}


def test_the_discount_applies_to_every_client_tier(alice):
    bulk_clients(alice, 23, tier="STARTER")
    bulk_clients(alice, 1, tier="PROFESSIONAL", name="Mid")
    bulk_clients(alice, 1, tier="BUSINESS", name="Big")
    body = overview(alice)
    assert (body["partnerTier"], body["volumeDiscount"]) == ("GOLD", 15)
    fees = {c["clientTier"]: c["discountedFeeCents"] for c in body["clients"]}
    assert fees == {"STARTER": 6_715, "PROFESSIONAL": 12_665, "BUSINESS": 25_415}
    assert body["totals"]["firmPaysCents"] == 23 * 6_715 + 12_665 + 25_415


def test_totals_are_split_by_who_pays(alice):
    bulk_clients(alice, 7, tier="STARTER", mode="consolidated", name="Firm pays")
    bulk_clients(alice, 2, tier="PROFESSIONAL", mode="client_direct", name="Client pays")
    bulk_clients(alice, 1, tier="BUSINESS", mode="client_direct", name="Big pays")
    body = overview(alice)
    assert body["partnerTier"] == "SILVER"  # 10 clients, whoever pays
    payers = {(c["billingMode"], c["payer"]) for c in body["clients"]}
    assert payers == {("consolidated", "firm"), ("client_direct", "client")}
    assert body["totals"] == {
        "firmPaysCents": 7 * 7_110,
        "clientsPayCents": 2 * 13_410 + 26_910,
    }


def test_archived_clients_are_neither_listed_nor_counted(alice):
    links = bulk_clients(alice, 10)
    client_archive(link=links[3])
    body = overview(alice)
    assert (body["partnerTier"], body["activeClients"], body["volumeDiscount"]) == (
        "REGISTERED",
        9,
        0,
    )
    listed = [c["clientEntityId"] for c in body["clients"]]
    assert links[3].client.public_id not in listed
    assert listed == [link.client.public_id for link in links if link is not links[3]]
    assert body["totals"] == {"firmPaysCents": 9 * 7_900, "clientsPayCents": 0}


def test_another_firms_clients_never_show(alice, acme, charlie, globex):
    bulk_clients(charlie, 12)
    mine = overview(alice)
    assert [c["clientEntityId"] for c in mine["clients"]] == [acme.client.public_id]
    assert mine["partnerTier"] == "REGISTERED"
    theirs = overview(charlie)
    assert acme.client.public_id not in [c["clientEntityId"] for c in theirs["clients"]]
    assert (theirs["activeClients"], theirs["partnerTier"]) == (13, "SILVER")


def test_the_discount_is_rounded_half_up(alice):
    ClientTierPrice.objects.filter(tier="STARTER").update(monthly_cents=7_905)
    bulk_clients(alice, 10)
    client = overview(alice)["clients"][0]
    assert client["monthlyFee"] == 79.05
    assert client["monthlyFeeCents"] == 7_905
    assert client["discountedFeeCents"] == 7_115  # 7114.5 -> 7115 (not 7114)


def test_editing_the_price_table_changes_the_fee_here_and_on_the_clients_api(alice, acme):
    ClientTierPrice.objects.filter(tier="STARTER").update(monthly_cents=8_900)
    client = overview(alice)["clients"][0]
    assert (client["monthlyFee"], client["monthlyFeeCents"], client["discountedFeeCents"]) == (
        89,
        8_900,
        8_900,
    )
    listed = api(alice).get(CLIENTS, {"firmEntityId": alice.firm.public_id})
    link = listed["clients"][0]["link"]
    assert (link["monthlyFee"], link["monthlyFeeCents"]) == (89, 8_900)
    assert overview(alice)["totals"]["firmPaysCents"] == 8_900


def test_a_tier_missing_from_the_price_table_shows_the_same_fee_as_the_clients_api(
    alice, make_client
):
    make_client(alice, "Big Co", tier="BUSINESS")
    ClientTierPrice.objects.filter(tier="BUSINESS").delete()  # the admin may delete a row
    listed = api(alice).get(CLIENTS, {"firmEntityId": alice.firm.public_id})
    link = listed["clients"][0]["link"]
    alice.client.raise_request_exception = False
    client = api(alice).get(OVERVIEW, {"firmEntityId": alice.firm.public_id})["clients"][0]
    assert (client["monthlyFee"], client["monthlyFeeCents"]) == (
        link["monthlyFee"],
        link["monthlyFeeCents"],
    )


def test_editing_the_partner_tiers_changes_the_discount(alice):
    PartnerTier.objects.filter(name="SILVER").update(min_clients=3, discount_percent=12)
    bulk_clients(alice, 3)
    body = overview(alice)
    assert (body["partnerTier"], body["volumeDiscount"]) == ("SILVER", 12)
    assert body["clients"][0]["discountedFeeCents"] == 6_952


# --- Program changes --------------------------------------------------------------------------------


def test_changes_made_through_the_api_are_listed_with_prorated_amounts(
    alice, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    today = timezone.localdate()
    entity = api_create_client(alice, capture, "Initech LLC", tier="STARTER")
    api_update_client(alice, capture, entity["id"], tier="PROFESSIONAL")
    api_update_client(alice, capture, entity["id"], billingMode="client_direct")
    api_update_client(alice, capture, entity["id"], name="Initech Inc")  # costs nothing
    mid = overview(alice)
    assert mid["clients"][0]["payer"] == "client"
    assert mid["totals"] == {"firmPaysCents": 0, "clientsPayCents": 14_900}
    api_archive_client(alice, capture, entity["id"])

    body = overview(alice)
    assert body["clients"] == [] and body["activeClients"] == 0
    changes = body["changes"]
    assert all(set(c) == CHANGE_KEYS for c in changes)
    base = {
        "clientEntityId": entity["id"],
        "name": "Initech Inc",
        "effectiveDate": today.isoformat(),
    }
    assert changes == [
        {
            **base,
            "kind": "added",
            "from": None,
            "to": "STARTER",
            "proratedCents": rest_of_month(7_900, today),
        },
        {
            **base,
            "kind": "tier_changed",
            "from": "STARTER",
            "to": "PROFESSIONAL",
            "proratedCents": rest_of_month(14_900 - 7_900, today),
        },
        {
            **base,
            "kind": "mode_changed",
            "from": "consolidated",
            "to": "client_direct",
            "proratedCents": 0,  # the payer moves, the amount does not
        },
        {
            **base,
            "kind": "archived",
            "from": "PROFESSIONAL",
            "to": None,
            "proratedCents": -rest_of_month(14_900, today),
        },
    ]


def test_a_tier_and_mode_change_in_one_update_are_two_changes(
    alice, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    today = timezone.localdate()
    entity = api_create_client(alice, capture, "Initech LLC", tier="BUSINESS")
    api_update_client(alice, capture, entity["id"], tier="STARTER", billingMode="client_direct")
    kinds = [
        (c["kind"], c["from"], c["to"], c["proratedCents"]) for c in overview(alice)["changes"]
    ]
    assert kinds == [
        ("added", None, "BUSINESS", rest_of_month(29_900, today)),
        ("tier_changed", "BUSINESS", "STARTER", -rest_of_month(29_900 - 7_900, today)),
        ("mode_changed", "consolidated", "client_direct", 0),
    ]


def test_changes_are_prorated_at_the_discounted_fee(alice, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    bulk_clients(alice, 10)
    today = timezone.localdate()
    entity = api_create_client(alice, capture, "Eleventh Co", tier="PROFESSIONAL")
    body = overview(alice)
    assert (body["partnerTier"], body["activeClients"]) == ("SILVER", 11)
    assert body["changes"] == [
        {
            "clientEntityId": entity["id"],
            "name": "Eleventh Co",
            "kind": "added",
            "from": None,
            "to": "PROFESSIONAL",
            "effectiveDate": today.isoformat(),
            "proratedCents": rest_of_month(discounted(14_900, 10), today),
        }
    ]


@pytest.mark.parametrize(
    ("day", "price", "prorated"),
    [
        (dt.date(2026, 2, 1), 7_900, 7_900),  # the whole month
        (dt.date(2026, 2, 15), 7_901, 3_951),  # 14/28 of 7901 = 3950.5 -> 3951
        (dt.date(2026, 1, 31), 7_900, 255),  # 1/31 of 7900 = 254.84 -> 255
        (dt.date(2028, 2, 29), 7_900, 272),  # leap day: 1/29 of 7900 = 272.41 -> 272
        (dt.date(2026, 4, 16), 7_905, 3_953),  # 15/30 of 7905 = 3952.5 -> 3953
    ],
)
def test_proration_counts_today_and_rounds_half_up(
    alice, django_capture_on_commit_callbacks, monkeypatch, day, price, prorated
):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)
    ClientTierPrice.objects.filter(tier="STARTER").update(monthly_cents=price)
    assert rest_of_month(price, day) == prorated
    capture = django_capture_on_commit_callbacks
    entity = api_create_client(alice, capture, "Initech LLC")
    api_archive_client(alice, capture, entity["id"])
    changes = overview(alice)["changes"]
    assert [(c["kind"], c["effectiveDate"], c["proratedCents"]) for c in changes] == [
        ("added", day.isoformat(), prorated),
        ("archived", day.isoformat(), -prorated),
    ]


def test_changes_need_the_commit(alice, acme, django_capture_on_commit_callbacks):
    # The fixture's client was created inside the test's transaction: nothing announced, nothing
    # recorded. A rolled-back write must never be billed.
    assert overview(alice)["changes"] == []
    assert not ProgramChange.objects.exists()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        api(alice).post(CLIENTS, {"firmEntityId": alice.firm.public_id, "name": "Later Co"})
    assert callbacks
    assert not ProgramChange.objects.exists()


def test_another_firms_changes_never_show(alice, charlie, django_capture_on_commit_callbacks):
    api_create_client(charlie, django_capture_on_commit_callbacks, "Globex Inc")
    assert overview(alice)["changes"] == []
    assert [c["name"] for c in overview(charlie)["changes"]] == ["Globex Inc"]


# --- Stripe ---------------------------------------------------------------------------------------


def test_stripe_status_is_not_configured_without_a_key_but_shows_the_last_state(alice, acme):
    synced_at = dt.datetime(2026, 1, 31, 23, 0, tzinfo=dt.UTC)
    StripeSyncState.objects.create(
        firm=alice.firm,
        status="failed",
        last_synced_at=synced_at,
        customer_id="cus_1",
        subscription_id="sub_123",
        last_error="card_declined",
        payment_status="past_due",
    )
    assert overview(alice)["stripe"] == {
        "status": "not_configured",
        "lastSyncedAt": "2026-01-31T23:00:00Z",
        "subscriptionId": "sub_123",
        "lastError": "card_declined",
        "paymentStatus": "past_due",
    }


# --- Queries --------------------------------------------------------------------------------------


def _count_queries(persona) -> int:
    params = {"firmEntityId": persona.firm.public_id}
    persona.client.get(OVERVIEW, params)  # warm up: the first call of a minute stamps the key's use
    with CaptureQueriesContext(connection) as ctx:
        response = persona.client.get(OVERVIEW, params)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


def _with_changes(links) -> None:
    ProgramChange.objects.bulk_create(
        ProgramChange(
            firm_id=link.firm_id,
            link=link,
            kind="added",
            to_value=link.client_tier,
            effective_date=timezone.localdate(),
            prorated_cents=100,
        )
        for link in links
    )


def test_the_overview_takes_the_same_queries_for_1_or_60_clients(alice, bob):
    StripeSyncState.objects.create(firm=alice.firm, status="synced")
    _with_changes(bulk_clients(alice, 1))
    one, one_for_bob = _count_queries(alice), _count_queries(bob)
    links = bulk_clients(alice, 30, mode="client_direct", name="Direct")
    links += bulk_clients(alice, 29, tier="BUSINESS", name="Big")
    _with_changes(links)
    body = overview(alice)
    assert body["activeClients"] == 60 and len(body["changes"]) == 60
    assert _count_queries(alice) == one
    assert _count_queries(bob) == one_for_bob


# --- Access ---------------------------------------------------------------------------------------


def test_anonymous_is_401(anon, alice, acme):
    response = anon.get(OVERVIEW, {"firmEntityId": alice.firm.public_id})
    assert_error(response, 401, "not_authenticated")


def test_a_viewer_sees_the_same_overview(alice, acme, bob):
    assert overview(bob) == overview(alice)


def test_another_firm_is_the_same_404_as_an_unknown_one(alice, acme, charlie, globex):
    before = db_snapshot()
    foreign = charlie.client.get(OVERVIEW, {"firmEntityId": alice.firm.public_id})
    unknown = charlie.client.get(OVERVIEW, {"firmEntityId": new_public_id("ent")})
    client_entity = charlie.client.get(OVERVIEW, {"firmEntityId": acme.client.public_id})
    own_client = charlie.client.get(OVERVIEW, {"firmEntityId": globex.client.public_id})
    assert_error(foreign, 404, "not_found")
    assert foreign.content == unknown.content == client_entity.content == own_client.content
    assert db_snapshot() == before


def test_a_suspended_firm_gets_403_partner_program_required(alice, acme, bob, charlie):
    suspend(alice)
    for persona in (alice, bob):
        response = persona.client.get(OVERVIEW, {"firmEntityId": alice.firm.public_id})
        assert_error(response, 403, "partner_program_required")
    # A stranger still meets the plain 404.
    foreign = charlie.client.get(OVERVIEW, {"firmEntityId": alice.firm.public_id})
    unknown = charlie.client.get(OVERVIEW, {"firmEntityId": new_public_id("ent")})
    assert_error(foreign, 404, "not_found")
    assert foreign.content == unknown.content


@pytest.mark.parametrize("firm_id", [None, "junk", "pcl_" + "0" * 26, "ent_" + "0" * 500])
def test_a_missing_or_malformed_firm_is_400(alice, acme, firm_id):
    params = {} if firm_id is None else {"firmEntityId": firm_id}
    error = assert_error(alice.client.get(OVERVIEW, params), 400, "validation_error")
    assert "firmEntityId" in error["fields"]


def test_reading_the_overview_writes_nothing(alice, acme):
    overview(alice)  # the key's use is stamped once a minute
    before = db_snapshot()
    overview(alice)
    assert db_snapshot() == before
    assert not LinkBillingSnapshot.objects.exists()
