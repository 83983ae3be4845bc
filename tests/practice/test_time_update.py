"""Editing time: what a PATCH may change (and how the amount and rate follow), moves between
clients, engagements and tasks kept consistent, billed entries locked, bad bodies refused."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from axiomatic.core.ids import new_public_id
from practice.models import ClientLink, TimeEntry
from practice.services.clients import client_archive, client_update, firm_default_rate_set
from practice.services.engagements import engagement_create
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import api, assert_error, in_firm
from tests.practice.time_helpers import (
    ENTRY_KEYS,
    create,
    entry_url,
    listing,
    mark_billed,
    row,
    tasks_of,
)

pytestmark = pytest.mark.django_db


# --- PATCH ----------------------------------------------------------------------------------------


def test_patch_edits_an_unbilled_entry(alice, acme):
    entry = create(alice, acme, rate=10_000)
    TimeEntry.objects.filter(public_id=entry["id"]).update(
        updated_at=timezone.now() - dt.timedelta(hours=1)
    )
    body = api(alice).patch(
        entry_url(entry["id"]),
        {
            "hours": 3.25,
            "description": "Reconciliations",
            "billable": False,
            "date": "2026-01-20",
            "externalReference": "harvest-9",
        },
        params=in_firm(alice.firm.public_id),
    )
    assert set(body) == {"entry"}
    edited = body["entry"]
    assert set(edited) == ENTRY_KEYS
    assert edited == {
        **entry,
        "hours": 3.25,
        "description": "Reconciliations",
        "billable": False,
        "date": "2026-01-20",
        "externalReference": "harvest-9",
        "amount": 32_500,
        "updatedAt": edited["updatedAt"],
    }
    assert edited["updatedAt"] > entry["updatedAt"]
    stored = TimeEntry.objects.get(public_id=entry["id"])
    assert (stored.hours, stored.amount_cents, stored.date) == (
        Decimal("3.25"),
        32_500,
        dt.date(2026, 1, 20),
    )


def test_patch_takes_the_firm_from_the_body_too(alice, acme):
    entry = create(alice, acme)
    body = {"firmEntityId": alice.firm.public_id, "hours": 4}
    assert api(alice).patch(entry_url(entry["id"]), body)["entry"]["hours"] == 4.0


def test_patch_a_new_rate_or_a_null_rate(alice, acme, make_client):
    rated = make_client(alice, "Rated Co", default_rate_cents=20_000)
    entry = create(alice, rated, hours=2)
    firm = in_firm(alice.firm.public_id)

    explicit = api(alice).patch(entry_url(entry["id"]), {"rate": 5_000}, params=firm)["entry"]
    assert (explicit["rate"], explicit["rateSource"], explicit["amount"]) == (
        5_000,
        "explicit",
        10_000,
    )
    # A null rate goes back to the defaults as they are now.
    client_update(link=rated, changes={"default_rate_cents": 25_000})
    derived = api(alice).patch(entry_url(entry["id"]), {"rate": None}, params=firm)["entry"]
    assert (derived["rate"], derived["rateSource"], derived["amount"]) == (
        25_000,
        "client",
        50_000,
    )


def test_patch_moves_an_entry_to_another_client(alice, acme, make_client, bookkeeping):
    firm_default_rate_set(firm=alice.firm, rate_cents=9_000)
    rated = make_client(alice, "Rated Co", default_rate_cents=20_000)
    task = tasks_of(bookkeeping)[0]
    entry = create(alice, acme, hours=2, engagementId=bookkeeping.public_id, taskId=task.public_id)
    assert (entry["rateSource"], entry["taskId"]) == ("firm", task.public_id)

    moved = api(alice).patch(
        entry_url(entry["id"]),
        {"entityId": rated.client.public_id},
        params=in_firm(alice.firm.public_id),
    )["entry"]
    assert moved["entityId"] == rated.client.public_id
    # The engagement and task were the old client's: dropped. The rate follows the new client.
    assert moved["engagementId"] is None and moved["taskId"] is None
    assert (moved["rate"], moved["rateSource"], moved["amount"]) == (20_000, "client", 40_000)
    assert {e["id"] for e in listing(alice, clientEntityId=rated.client.public_id)["entries"]} == {
        entry["id"]
    }
    assert listing(alice, clientEntityId=acme.client.public_id)["entries"] == []


def test_moving_an_entry_with_an_explicit_rate_keeps_the_rate(alice, acme, make_client):
    rated = make_client(alice, "Rated Co", default_rate_cents=20_000)
    entry = create(alice, acme, hours=2, rate=7_500)
    moved = api(alice).patch(
        entry_url(entry["id"]),
        {"entityId": rated.client.public_id},
        params=in_firm(alice.firm.public_id),
    )["entry"]
    assert (moved["rate"], moved["rateSource"], moved["amount"]) == (7_500, "explicit", 15_000)


def test_moving_with_an_engagement_of_the_new_client(alice, acme, make_client):
    other = make_client(alice, "Other Co")
    theirs = engagement_create(
        firm=alice.firm,
        client=other.client,
        name="Other books",
        start_date=dt.date(2026, 1, 1),
        type="bookkeeping",
    )
    entry = create(alice, acme)
    moved = api(alice).patch(
        entry_url(entry["id"]),
        {"entityId": other.client.public_id, "engagementId": theirs.public_id},
        params=in_firm(alice.firm.public_id),
    )
    assert moved["entry"]["engagementId"] == theirs.public_id
    # An engagement of the old client is refused for the new one.
    stale = create(alice, acme)
    own = engagement_create(
        firm=alice.firm,
        client=acme.client,
        name="Acme books",
        start_date=dt.date(2026, 1, 1),
        type="bookkeeping",
    )
    stored = row(stale["id"])
    error = api(alice).patch(
        entry_url(stale["id"]),
        {"entityId": other.client.public_id, "engagementId": own.public_id},
        params=in_firm(alice.firm.public_id),
        status=400,
    )
    assert "engagementId" in error["fields"]
    assert row(stale["id"]) == stored


def test_moving_to_a_client_that_is_not_an_active_client_is_the_same_404(
    alice, acme, charlie, globex, make_client
):
    archived = make_client(alice, "Gone Co")
    client_archive(link=archived)
    entry = create(alice, acme)
    stored = row(entry["id"])
    firm = in_firm(alice.firm.public_id)
    responses = [
        api(alice).request("PATCH", entry_url(entry["id"]), {"entityId": entity_id}, params=firm)
        for entity_id in (
            new_public_id("ent"),
            alice.firm.public_id,
            globex.client.public_id,
            archived.client.public_id,
        )
    ]
    for response in responses:
        assert_error(response, 404, "not_found")
        assert response.content == responses[0].content
    assert row(entry["id"]) == stored


def test_changing_the_engagement_does_not_leave_a_task_of_another_engagement(
    alice, acme, bookkeeping
):
    """An entry's task always belongs to its engagement: create refuses a mismatch, so must edit."""
    other = engagement_create(
        firm=alice.firm,
        client=acme.client,
        name="Tax prep",
        start_date=dt.date(2026, 1, 1),
        type="tax_prep",
    )
    entry = create(
        alice, acme, engagementId=bookkeeping.public_id, taskId=tasks_of(bookkeeping)[0].public_id
    )
    response = api(alice).request(
        "PATCH",
        entry_url(entry["id"]),
        {"engagementId": other.public_id},
        params=in_firm(alice.firm.public_id),
    )
    stored = TimeEntry.objects.select_related("task").get(public_id=entry["id"])
    if response.status_code == 200:
        assert stored.engagement_id == other.pk
        assert stored.task is None or stored.task.engagement_id == other.pk, (
            "the entry now has engagement "
            f"{other.public_id} but still the task {stored.task.public_id} of "
            f"{bookkeeping.public_id}"
        )
    else:
        assert "taskId" in assert_error(response, 400)["fields"]
        assert stored.engagement_id == bookkeeping.pk


def test_clearing_the_engagement_does_not_leave_its_task(alice, acme, bookkeeping):
    entry = create(
        alice, acme, engagementId=bookkeeping.public_id, taskId=tasks_of(bookkeeping)[0].public_id
    )
    response = api(alice).request(
        "PATCH",
        entry_url(entry["id"]),
        {"engagementId": None},
        params=in_firm(alice.firm.public_id),
    )
    stored = TimeEntry.objects.get(public_id=entry["id"])
    if response.status_code == 200:
        assert stored.engagement_id is None
        assert stored.task_id is None, "the engagement was cleared but its task was kept"
    else:
        assert_error(response, 400)
        assert stored.engagement_id == bookkeeping.pk


def test_patch_user_and_clearing_references(alice, acme, bookkeeping):
    dana = UserFactory(email="dana@alpha.test")
    MembershipFactory(user=dana, entity=alice.firm, role="MEMBER")
    entry = create(
        alice, acme, engagementId=bookkeeping.public_id, taskId=tasks_of(bookkeeping)[0].public_id
    )
    firm = in_firm(alice.firm.public_id)
    edited = api(alice).patch(entry_url(entry["id"]), {"userId": dana.public_id}, params=firm)
    assert edited["entry"]["userId"] == dana.public_id
    cleared = api(alice).patch(
        entry_url(entry["id"]), {"taskId": None, "engagementId": None}, params=firm
    )["entry"]
    assert cleared["taskId"] is None and cleared["engagementId"] is None


def test_patch_a_billed_entry_is_409_and_changes_nothing(alice, acme):
    entry = create(alice, acme)
    mark_billed(entry["id"], number="INV-0042")
    stored = row(entry["id"])
    error = api(alice).patch(
        entry_url(entry["id"]),
        {"hours": 1},
        params=in_firm(alice.firm.public_id),
        status=409,
        code="time_entry_invoiced",
    )
    assert entry["id"] in error["message"] and "INV-0042" in error["message"]
    assert row(entry["id"]) == stored


def test_patch_to_a_taken_external_reference_is_409(alice, acme):
    first = create(alice, acme, externalReference="harvest-1")
    second = create(alice, acme, externalReference="harvest-2")
    stored = row(second["id"])
    firm = in_firm(alice.firm.public_id)
    error = api(alice).patch(
        entry_url(second["id"]),
        {"externalReference": "harvest-1"},
        params=firm,
        status=409,
        code="duplicate_external_reference",
    )
    assert first["id"] in error["message"]
    assert row(second["id"]) == stored
    # Its own reference again is no conflict, and clearing it is allowed.
    api(alice).patch(entry_url(second["id"]), {"externalReference": "harvest-2"}, params=firm)
    cleared = api(alice).patch(entry_url(second["id"]), {"externalReference": None}, params=firm)
    assert cleared["entry"]["externalReference"] is None


BAD_PATCH_BODIES = [
    ({}, "non_field_errors"),
    ({"firmEntityId": "FIRM"}, "non_field_errors"),  # nothing to change
    ({"hours": "2.5"}, "hours"),
    ({"hours": True}, "hours"),
    ({"hours": None}, "hours"),
    ({"hours": 0}, "hours"),
    ({"hours": 24.5}, "hours"),
    ({"hours": 1.234}, "hours"),
    ({"date": "2026-02-30"}, "date"),
    ({"date": None}, "date"),
    ({"billable": "yes"}, "billable"),
    ({"billable": 0}, "billable"),
    ({"rate": "100"}, "rate"),
    ({"rate": -5}, "rate"),
    ({"rate": 1.5}, "rate"),
    ({"description": "x" * 5001}, "description"),
    ({"description": ["x"]}, "description"),
    ({"externalReference": ""}, "externalReference"),
    ({"entityId": "junk"}, "entityId"),
    ({"entityId": None}, "entityId"),
    ({"engagementId": "eng_1"}, "engagementId"),
    ({"engagementId": "NEW_ENG"}, "engagementId"),
    ({"taskId": "NEW_TASK"}, "taskId"),
    ({"userId": "NEW_USR"}, "userId"),
    ({"firmEntityId": "ent_other", "hours": 1}, "firmEntityId"),
    ({"firmEntityId": 5, "hours": 1}, "firmEntityId"),
]


@pytest.mark.parametrize(("body", "field"), BAD_PATCH_BODIES)
def test_bad_patch_bodies_are_400_and_change_nothing(alice, acme, body, field):
    entry = create(alice, acme, rate=10_000)
    placeholders = {
        "FIRM": alice.firm.public_id,
        "NEW_ENG": new_public_id("eng"),
        "NEW_TASK": new_public_id("task"),
        "NEW_USR": new_public_id("usr"),
    }
    body = {k: placeholders.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    stored = row(entry["id"])
    error = api(alice).patch(
        entry_url(entry["id"]),
        body,
        params=in_firm(alice.firm.public_id),
        status=400,
        code="validation_error",
    )
    assert field in error["fields"], error
    assert row(entry["id"]) == stored


@pytest.mark.parametrize("raw", ['{"hours": ', "[]", "null", "42"])
def test_patch_with_a_body_that_is_not_a_json_object_is_400(alice, acme, raw):
    entry = create(alice, acme)
    stored = row(entry["id"])
    api(alice).patch(
        entry_url(entry["id"]), raw=raw, params=in_firm(alice.firm.public_id), status=400
    )
    assert row(entry["id"]) == stored


def test_patch_without_a_firm_is_400(alice, acme):
    entry = create(alice, acme)
    error = api(alice).patch(
        entry_url(entry["id"]), {"hours": 1}, status=400, code="validation_error"
    )
    assert "firmEntityId" in error["fields"]


def test_patch_with_a_disagreeing_firm_in_body_and_query_is_400(alice, acme, charlie):
    entry = create(alice, acme)
    stored = row(entry["id"])
    error = api(alice).patch(
        entry_url(entry["id"]),
        {"firmEntityId": charlie.firm.public_id, "hours": 1},
        params=in_firm(alice.firm.public_id),
        status=400,
        code="validation_error",
    )
    assert "firmEntityId" in error["fields"]
    assert row(entry["id"]) == stored


@pytest.mark.parametrize(
    "bad_id", ["junk", "te_short", "ent_" + "0" * 26, "te_" + "0" * 2_000, "TE_" + "0" * 26]
)
def test_patch_with_a_malformed_path_id_is_400(alice, acme, bad_id):
    error = api(alice).patch(
        entry_url(bad_id),
        {"hours": 1},
        params=in_firm(alice.firm.public_id),
        status=400,
        code="validation_error",
    )
    assert "timeEntryId" in error["fields"]


def test_patch_of_another_firms_entry_is_the_same_404_as_an_unknown_one(
    alice, acme, charlie, globex
):
    mine = create(alice, acme)
    stored = row(mine["id"])
    his_firm = in_firm(charlie.firm.public_id)
    unknown = api(charlie).request(
        "PATCH", entry_url(new_public_id("te")), {"hours": 1}, params=his_firm
    )
    foreign = api(charlie).request("PATCH", entry_url(mine["id"]), {"hours": 1}, params=his_firm)
    assert_error(foreign, 404, "not_found")
    assert foreign.content == unknown.content
    # Naming Alice's firm with Charlie's key: the same 404 again.
    foreign_firm = api(charlie).request(
        "PATCH", entry_url(mine["id"]), {"hours": 1}, params=in_firm(alice.firm.public_id)
    )
    assert foreign_firm.content == unknown.content
    # And moving his entry to Alice's client.
    theirs = create(charlie, globex)
    moved = api(charlie).request(
        "PATCH", entry_url(theirs["id"]), {"entityId": acme.client.public_id}, params=his_firm
    )
    assert moved.content == unknown.content
    assert row(mine["id"]) == stored
    assert TimeEntry.objects.get(public_id=theirs["id"]).client == globex.client


def test_archiving_a_client_keeps_its_entries_listed_and_editable(alice, acme):
    entry = create(alice, acme, hours=1)
    client_archive(link=acme)
    assert ClientLink.objects.get(pk=acme.pk).archived_at is not None
    assert [e["id"] for e in listing(alice)["entries"]] == [entry["id"]]
    edited = api(alice).patch(
        entry_url(entry["id"]), {"hours": 2}, params=in_firm(alice.firm.public_id)
    )
    assert edited["entry"]["hours"] == 2.0
