"""Logging time: the entry the API returns, the rate it snapshots (explicit, else the client
link's, else the firm's, else none), amounts as hours x rate rounded half-up, external references
unique per firm, and whose clients an entry may name."""

import datetime as dt
from decimal import Decimal

import pytest

from axiomatic.core.ids import new_public_id
from practice.models import TimeEntry
from practice.services.clients import client_archive, client_update, firm_default_rate_set
from practice.services.engagements import engagement_create
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import api, assert_error, db_snapshot, in_firm
from tests.practice.time_helpers import (
    ENTRY_KEYS,
    TIME,
    create,
    entry_url,
    listing,
    tasks_of,
    time_body,
)

pytestmark = pytest.mark.django_db


# --- Create: happy paths --------------------------------------------------------------------------


def test_create_returns_the_entry_with_exactly_the_contract_keys(alice, acme):
    body = api(alice).post(TIME, time_body(alice, acme, rate=15_000))
    assert set(body) == {"entry"}
    entry = body["entry"]
    assert set(entry) == ENTRY_KEYS
    assert entry["id"].startswith("te_")
    assert entry == {
        **entry,
        "entityId": acme.client.public_id,
        "engagementId": None,
        "taskId": None,
        "userId": alice.user.public_id,  # an API key writes as the key's creator
        "date": "2026-01-15",
        "hours": 2.5,
        "description": "Month-end close",
        "billable": True,
        "rate": 15_000,
        "rateSource": "explicit",
        "amount": 37_500,
        "billingStatus": "unbilled",
        "invoiced": False,
        "invoiceId": None,
        "invoice": None,
        "isLocked": False,
        "lockedReason": None,
        "externalReference": None,
    }
    assert isinstance(entry["hours"], float)
    assert entry["createdAt"].endswith("Z") and entry["updatedAt"].endswith("Z")
    stored = TimeEntry.objects.get(public_id=entry["id"])
    assert stored.firm == alice.firm and stored.client == acme.client
    assert stored.user == alice.user
    assert stored.hours == Decimal("2.50")
    assert stored.amount_cents == 37_500


def test_create_with_only_the_required_fields_uses_the_defaults(alice, acme):
    body = time_body(alice, acme)
    del body["description"]
    entry = api(alice).post(TIME, body)["entry"]
    assert entry["description"] == ""
    assert entry["billable"] is True
    assert entry["rate"] is None and entry["rateSource"] == "none" and entry["amount"] is None


def test_create_with_every_optional_field(alice, acme, bookkeeping):
    task = tasks_of(bookkeeping)[0]
    colleague = UserFactory(email="dana@alpha.test")
    MembershipFactory(user=colleague, entity=alice.firm, role="MEMBER")
    entry = create(
        alice,
        acme,
        billable=False,
        rate=12_000,
        engagementId=bookkeeping.public_id,
        taskId=task.public_id,
        userId=colleague.public_id,
        externalReference="harvest-1",
        hours=1,
    )
    assert entry["billable"] is False
    assert entry["engagementId"] == bookkeeping.public_id
    assert entry["taskId"] == task.public_id
    assert entry["userId"] == colleague.public_id
    assert entry["externalReference"] == "harvest-1"
    assert entry["hours"] == 1.0 and entry["amount"] == 12_000


def test_a_task_alone_brings_its_engagement_along(alice, acme, bookkeeping):
    task = tasks_of(bookkeeping)[1]
    entry = create(alice, acme, taskId=task.public_id)
    assert entry["taskId"] == task.public_id
    assert entry["engagementId"] == bookkeeping.public_id


def test_a_task_of_another_engagement_is_400(alice, acme, bookkeeping):
    other = engagement_create(
        firm=alice.firm,
        client=acme.client,
        name="Tax prep",
        start_date=dt.date(2026, 1, 1),
        type="tax_prep",
    )
    before = db_snapshot()
    body = time_body(
        alice, acme, engagementId=bookkeeping.public_id, taskId=tasks_of(other)[0].public_id
    )
    error = api(alice).post(TIME, body, status=400, code="validation_error")
    assert "taskId" in error["fields"]
    assert db_snapshot() == before


# --- Rates and amounts ----------------------------------------------------------------------------


def test_rate_sources_explicit_then_client_then_firm_then_none(alice, acme, make_client):
    plain = make_client(alice, "Plain Co")
    rated = make_client(alice, "Rated Co", default_rate_cents=20_000)

    nothing = create(alice, plain)
    assert (nothing["rate"], nothing["rateSource"], nothing["amount"]) == (None, "none", None)

    firm_default_rate_set(firm=alice.firm, rate_cents=9_000)
    explicit = create(alice, rated, rate=11_000)
    client = create(alice, rated)
    firm = create(alice, plain)
    zero = create(alice, rated, rate=0)

    assert (explicit["rate"], explicit["rateSource"], explicit["amount"]) == (
        11_000,
        "explicit",
        27_500,
    )
    assert (client["rate"], client["rateSource"], client["amount"]) == (20_000, "client", 50_000)
    assert (firm["rate"], firm["rateSource"], firm["amount"]) == (9_000, "firm", 22_500)
    # An explicit zero is a rate (free work), not "no rate".
    assert (zero["rate"], zero["rateSource"], zero["amount"]) == (0, "explicit", 0)


def test_an_entry_without_any_rate_has_a_null_amount(alice, acme):
    entry = create(alice, acme)
    assert entry["rate"] is None and entry["amount"] is None and entry["rateSource"] == "none"
    stored = TimeEntry.objects.get(public_id=entry["id"])
    assert stored.rate_cents is None and stored.amount_cents is None


def test_later_rate_changes_never_reprice_existing_entries(alice, make_client):
    rated = make_client(alice, "Rated Co", default_rate_cents=20_000)
    plain = make_client(alice, "Plain Co")
    firm_default_rate_set(firm=alice.firm, rate_cents=9_000)
    by_client = create(alice, rated)
    by_firm = create(alice, plain)

    client_update(link=rated, changes={"default_rate_cents": 30_000})
    firm_default_rate_set(firm=alice.firm, rate_cents=1_000)

    entries = {e["id"]: e for e in listing(alice)["entries"]}
    assert (entries[by_client["id"]]["rate"], entries[by_client["id"]]["amount"]) == (
        20_000,
        50_000,
    )
    assert (entries[by_firm["id"]]["rate"], entries[by_firm["id"]]["amount"]) == (9_000, 22_500)

    # Editing something else keeps the snapshot too; only the amount follows the new hours.
    firm = in_firm(alice.firm.public_id)
    edited = api(alice).patch(entry_url(by_client["id"]), {"hours": 1}, params=firm)["entry"]
    assert (edited["rate"], edited["rateSource"], edited["amount"]) == (20_000, "client", 20_000)

    # New entries do use the new rates.
    assert create(alice, rated)["rate"] == 30_000
    assert create(alice, plain)["rate"] == 1_000


@pytest.mark.parametrize(
    ("hours", "rate", "amount"),
    [
        (0.03, 16_650, 500),  # 499.5 -> 500
        (0.01, 50, 1),  # 0.5 rounds up, not to even
        (0.25, 10, 3),  # 2.5 -> 3, not 2
        (0.01, 49, 0),  # 0.49 -> 0
        (1.15, 10, 12),  # 11.5 exactly in decimal, 11.499... in binary floating point
        (2.5, 15_000, 37_500),
        (24, 10**15, 24 * 10**15),  # the largest entry at the largest rate is exact
        (0.01, 1, 0),
    ],
)
def test_amount_is_hours_times_rate_rounded_half_up(alice, acme, hours, rate, amount):
    entry = create(alice, acme, hours=hours, rate=rate)
    assert entry["amount"] == amount
    assert entry["hours"] == hours
    assert TimeEntry.objects.get(public_id=entry["id"]).amount_cents == amount


# --- Create: conflicts ------------------------------------------------------------------------------


def test_same_external_reference_twice_is_409_naming_the_existing_entry(alice, acme, make_client):
    first = create(alice, acme, externalReference="harvest-42")
    other = make_client(alice, "Other Co")
    before = db_snapshot()
    error = api(alice).post(
        TIME,
        time_body(alice, other, externalReference="harvest-42"),
        status=409,
        code="duplicate_external_reference",
    )
    assert first["id"] in error["message"]
    assert "externalReference" in error["fields"]
    assert db_snapshot() == before


def test_external_references_are_unique_per_firm_only(alice, acme, charlie, globex):
    create(alice, acme, externalReference="harvest-42")
    assert create(charlie, globex, externalReference="harvest-42")["externalReference"] == (
        "harvest-42"
    )


# --- Create: whose client -----------------------------------------------------------------------


def test_entity_must_be_an_active_client_of_the_firm_all_others_are_the_same_404(
    alice, acme, charlie, globex, make_client
):
    archived = make_client(alice, "Gone Co")
    client_archive(link=archived)
    before = db_snapshot()
    responses = [
        api(alice).request("POST", TIME, time_body(alice, acme, entityId=entity_id))
        for entity_id in (
            new_public_id("ent"),
            alice.firm.public_id,
            charlie.firm.public_id,
            globex.client.public_id,
            archived.client.public_id,
        )
    ]
    for response in responses:
        assert_error(response, 404, "not_found")
        assert response.content == responses[0].content
    assert db_snapshot() == before


def test_charlie_using_alices_ids_gets_the_same_404_as_unknown_ids(alice, acme, charlie, globex):
    before = db_snapshot()
    # Alice's firm with Charlie's key.
    foreign_firm = api(charlie).request("POST", TIME, time_body(alice, acme))
    unknown_firm = api(charlie).request(
        "POST", TIME, time_body(alice, acme, firmEntityId=new_public_id("ent"))
    )
    assert_error(foreign_firm, 404, "not_found")
    assert foreign_firm.content == unknown_firm.content
    # His own firm with Alice's client.
    foreign_client = api(charlie).request("POST", TIME, time_body(charlie, acme))
    unknown_client = api(charlie).request(
        "POST", TIME, time_body(charlie, acme, entityId=new_public_id("ent"))
    )
    assert_error(foreign_client, 404, "not_found")
    assert foreign_client.content == unknown_client.content == foreign_firm.content
    assert db_snapshot() == before
