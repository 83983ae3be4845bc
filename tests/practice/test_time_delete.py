"""Deleting time: an unbilled entry goes, a billed one stays (409), another firm's is the same 404
as an unknown one, and a delete racing invoicing never deletes billed time (PostgreSQL)."""

import threading
import time
from functools import partial

import pytest
from django.db import transaction
from django.utils import timezone

from axiomatic.core.ids import new_public_id
from practice.models import TimeEntry
from tests.helpers import api, assert_error, db_snapshot, in_firm, requires_postgres, run_together
from tests.practice.time_helpers import TIME, create, entry_in_firm, listing, mark_billed

pytestmark = pytest.mark.django_db


# --- DELETE ---------------------------------------------------------------------------------------


def test_delete_removes_the_entry(alice, acme):
    keep = create(alice, acme)
    entry = create(alice, acme)
    firm = alice.firm.public_id
    assert api(alice).delete(TIME, entry_in_firm(entry["id"], firm), status=204) is None  # no body
    assert not TimeEntry.objects.filter(public_id=entry["id"]).exists()
    assert [e["id"] for e in listing(alice)["entries"]] == [keep["id"]]
    again = api(alice).request("DELETE", TIME, params=entry_in_firm(entry["id"], firm))
    unknown = api(alice).request("DELETE", TIME, params=entry_in_firm(new_public_id("te"), firm))
    assert_error(again, 404, "not_found")
    assert again.content == unknown.content


def test_delete_of_a_billed_entry_is_409_and_deletes_nothing(alice, acme):
    entry = create(alice, acme)
    mark_billed(entry["id"], number="INV-0003")
    before = db_snapshot()
    error = api(alice).delete(
        TIME,
        entry_in_firm(entry["id"], alice.firm.public_id),
        status=409,
        code="time_entry_invoiced",
    )
    assert entry["id"] in error["message"] and "INV-0003" in error["message"]
    assert db_snapshot() == before
    assert TimeEntry.objects.filter(public_id=entry["id"]).exists()


def test_delete_of_another_firms_entry_is_the_same_404_as_an_unknown_one(alice, acme, charlie):
    mine = create(alice, acme)
    before = db_snapshot()
    his_firm = charlie.firm.public_id
    unknown = api(charlie).request(
        "DELETE", TIME, params=entry_in_firm(new_public_id("te"), his_firm)
    )
    foreign = api(charlie).request("DELETE", TIME, params=entry_in_firm(mine["id"], his_firm))
    foreign_firm = api(charlie).request(
        "DELETE", TIME, params=entry_in_firm(mine["id"], alice.firm.public_id)
    )
    assert_error(foreign, 404, "not_found")
    assert foreign.content == unknown.content == foreign_firm.content
    assert db_snapshot() == before


@pytest.mark.parametrize(
    ("entry_id", "firm", "field"),
    [
        (None, "FIRM", "timeEntryId"),
        ("junk", "FIRM", "timeEntryId"),
        ("ent_" + "0" * 26, "FIRM", "timeEntryId"),
        ("te_" + "0" * 3_000, "FIRM", "timeEntryId"),
        ("ENTRY", None, "firmEntityId"),
        ("ENTRY", "nope", "firmEntityId"),
    ],
)
def test_bad_delete_parameters_are_400_and_delete_nothing(alice, acme, entry_id, firm, field):
    entry = create(alice, acme)
    entry_id = entry["id"] if entry_id == "ENTRY" else entry_id
    firm = alice.firm.public_id if firm == "FIRM" else firm
    before = db_snapshot()
    params = {"timeEntryId": entry_id, "firmEntityId": firm}
    params = {k: v for k, v in params.items() if v is not None}
    error = api(alice).delete(TIME, params, status=400, code="validation_error")
    assert field in error["fields"], error
    assert db_snapshot() == before


def test_a_delete_body_does_not_replace_the_query_string(alice, acme):
    entry = create(alice, acme)
    body = entry_in_firm(entry["id"], alice.firm.public_id)
    assert_error(api(alice).request("DELETE", TIME, body), 400, "validation_error")
    assert TimeEntry.objects.filter(public_id=entry["id"]).exists()


# --- Concurrency (PostgreSQL) ------------------------------------------------------------------


def _bill_under_lock(pk: int, *, hold: float = 0.0, locked: threading.Event | None = None) -> bool:
    """What invoicing does to an entry: lock the row, mark it billed if it is still unbilled."""
    with transaction.atomic():
        entry = TimeEntry.objects.select_for_update().filter(pk=pk).first()
        if locked is not None:
            locked.set()
        if entry is None or entry.billing_status != "unbilled":
            return False
        time.sleep(hold)
        TimeEntry.objects.filter(pk=pk).update(
            billing_status="billed",
            invoice_public_id="inv_race",
            invoice_number="INV-RACE",
            billed_at=timezone.now(),
        )
        return True


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_a_delete_waits_for_invoicing_that_holds_the_entry_and_then_refuses(alice, acme):
    entry = create(alice, acme, rate=10_000)
    pk = TimeEntry.objects.get(public_id=entry["id"]).pk
    firm = alice.firm.public_id
    api(alice).get(TIME, in_firm(firm))  # stamp the key's use now
    locked = threading.Event()

    def remove():
        assert locked.wait(timeout=10)
        return api(alice).request("DELETE", TIME, params=entry_in_firm(entry["id"], firm))

    race = run_together(partial(_bill_under_lock, pk, hold=0.5, locked=locked), remove)
    assert race.errors == []
    billed, deleted = race.results
    assert billed is True
    assert_error(deleted, 409, "time_entry_invoiced")
    stored = TimeEntry.objects.get(pk=pk)
    assert stored.billing_status == "billed" and stored.invoice_number == "INV-RACE"


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_a_racing_delete_and_invoicing_never_both_win(alice, acme):
    firm = alice.firm.public_id
    api(alice).get(TIME, in_firm(firm))  # stamp the key's use now
    for _ in range(5):
        entry = create(alice, acme, rate=10_000)
        pk = TimeEntry.objects.get(public_id=entry["id"]).pk
        race = run_together(
            partial(_bill_under_lock, pk, hold=0.05),
            partial(api(alice).request, "DELETE", TIME, params=entry_in_firm(entry["id"], firm)),
        )
        assert race.errors == []
        billed, response = race.results
        stored = TimeEntry.objects.filter(pk=pk).first()
        deleted = response.status_code == 204
        if deleted:
            assert billed is False, "the entry was billed and then deleted"
            assert stored is None
        else:
            assert_error(response, 409, "time_entry_invoiced")
            assert billed is True
            assert stored is not None and stored.billing_status == "billed"
