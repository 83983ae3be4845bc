"""Approved time is frozen until it is unapproved: edits and deletes are 409 `time_entry_approved`
with nothing changed. Entries show approvalStatus, approvedAt and approvedBy, in the list (in a
fixed number of queries) and in their history. (Approving is the approvals endpoints' business;
here the row is marked directly.)"""

import datetime as dt

import pytest
from django.utils import timezone

from axiomatic.entities.models import Role
from practice.models import FirmProfile, TimeEntry
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import api, db_fingerprint, in_firm
from tests.practice.staff_helpers import count_queries
from tests.practice.time_helpers import (
    TIME,
    bulk_entries,
    create,
    entry_in_firm,
    entry_url,
    listing,
    mark_billed,
    row,
)

pytestmark = pytest.mark.django_db


def approve(public_id: str, by) -> None:
    """As the approvals service would leave it (saved, so the history records it)."""
    entry = TimeEntry.objects.get(public_id=public_id)
    entry.approval_status, entry.approved_at, entry.approved_by = "approved", timezone.now(), by
    entry.save()


def unapprove(public_id: str) -> None:
    TimeEntry.objects.filter(public_id=public_id).update(
        approval_status="open", approved_at=None, approved_by=None
    )


@pytest.fixture
def approved(alice, bob, acme) -> dict:
    entry = create(alice, acme, rate=10_000)
    approve(entry["id"], bob.user)
    return entry


@pytest.mark.parametrize(
    "body",
    [
        {"hours": 3},
        {"description": "Changed"},
        {"billable": False},
        {"rate": None},
        {"date": "2026-01-16"},
    ],
)
def test_an_approved_entry_cannot_be_edited(alice, approved, body):
    stored = row(approved["id"])
    error = api(alice).patch(
        entry_url(approved["id"]),
        body,
        params=in_firm(alice.firm.public_id),
        status=409,
        code="time_entry_approved",
    )
    assert approved["id"] in error["message"] and "unapprove it first" in error["message"]
    assert row(approved["id"]) == stored


def test_an_approved_entry_cannot_be_deleted(alice, approved):
    before = db_fingerprint()
    error = api(alice).delete(
        TIME,
        entry_in_firm(approved["id"], alice.firm.public_id),
        status=409,
        code="time_entry_approved",
    )
    assert "unapprove it first" in error["message"]
    assert db_fingerprint() == before


def test_once_unapproved_it_can_be_edited_and_deleted(alice, approved):
    unapprove(approved["id"])
    params = in_firm(alice.firm.public_id)
    assert (
        api(alice).patch(entry_url(approved["id"]), {"hours": 3}, params=params)["entry"]["hours"]
        == 3.0
    )
    api(alice).delete(TIME, entry_in_firm(approved["id"], alice.firm.public_id))
    assert row(approved["id"]) is None


def test_invoiced_and_locked_say_so_before_approved(alice, acme, bob, approved):
    mark_billed(approved["id"])
    params = in_firm(alice.firm.public_id)
    url = entry_url(approved["id"])
    api(alice).patch(url, {"hours": 3}, params=params, status=409, code="time_entry_invoiced")

    locked = create(alice, acme, date="2026-01-10")
    approve(locked["id"], bob.user)
    FirmProfile.objects.create(firm=alice.firm, time_lock_date=dt.date(2026, 1, 31))
    api(alice).patch(
        entry_url(locked["id"]), {"hours": 3}, params=params, status=409, code="period_locked"
    )


def test_another_firm_gets_404_not_409(alice, charlie, approved):
    api(charlie).patch(
        entry_url(approved["id"]),
        {"hours": 3},
        params=in_firm(charlie.firm.public_id),
        status=404,
    )


# --- Shown on the entry -------------------------------------------------------------------------


def test_entries_show_their_approval(alice, bob, acme, approved):
    open_entry = create(alice, acme)
    assert (open_entry["approvalStatus"], open_entry["approvedAt"], open_entry["approvedBy"]) == (
        "open",
        None,
        None,
    )
    shown = {e["id"]: e for e in listing(alice)["entries"]}[approved["id"]]
    stored = TimeEntry.objects.get(public_id=approved["id"])
    assert shown["approvalStatus"] == "approved"
    assert shown["approvedBy"] == bob.user.public_id
    assert shown["approvedAt"] == stored.approved_at.isoformat().replace("+00:00", "Z")
    # The locking keys keep their meaning: locked by an invoice.
    assert (shown["isLocked"], shown["lockedReason"]) == (False, None)


def test_the_history_shows_the_approval(alice, bob, approved):
    body = api(alice).get(
        f"{TIME}/{approved['id']}/history", {"firmEntityId": alice.firm.public_id}
    )
    last = body["history"][-1]
    assert last["fields"]["approvalStatus"] == {"from": "open", "to": "approved"}
    assert last["fields"]["approvedBy"] == {"from": None, "to": bob.user.public_id}
    assert last["fields"]["approvedAt"]["from"] is None
    assert last["fields"]["approvedAt"]["to"].endswith("Z")


def test_the_list_takes_the_same_queries_whoever_approved_how_many(alice, acme):
    params = {"firmEntityId": alice.firm.public_id}
    bulk_entries(alice, acme, 1)
    approve(TimeEntry.objects.get().public_id, alice.user)
    one = count_queries(alice, TIME, params)
    approvers = [UserFactory() for _ in range(3)]
    for user in approvers:
        MembershipFactory(user=user, entity=alice.firm, role=Role.ADMIN)
    bulk_entries(alice, acme, 30)
    for n, entry in enumerate(TimeEntry.objects.filter(approval_status="open")):
        approve(entry.public_id, approvers[n % 3])
    many = count_queries(alice, TIME, params)
    assert len(listing(alice)["entries"]) == 31
    assert one == many
