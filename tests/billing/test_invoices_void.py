"""Voiding invoices: the journal entry reversed and the time freed, once; events record who did
what; the number stays used; another firm's invoice is the same 404 as an unknown one."""

import pytest
from django.utils import timezone

from axiomatic.core.ids import new_public_id
from axiomatic.ledger.models import JournalEntry
from billing.models import Invoice, InvoiceEvent, InvoiceLine
from practice.models import TimeEntry
from tests.billing.invoice_helpers import (
    INVOICE_KEYS,
    balances,
    bill,
    billing_state,
    invoices,
    journal_lines,
    log,
    time_entries,
    void_url,
)
from tests.helpers import api, assert_error, db_snapshot, in_firm
from tests.practice.time_helpers import TIME, entry_in_firm, entry_url

pytestmark = pytest.mark.django_db


# --- Void -----------------------------------------------------------------------------------------


def test_void_reverses_the_journal_entry_and_frees_the_time(alice, acme):
    entries = [log(alice, acme, "10.00"), log(alice, acme, "5.00")]
    created = bill(alice, acme, entries)["invoice"]
    body = api(alice).post(
        void_url(created["id"]), params=in_firm(alice.firm.public_id), status=200
    )
    assert set(body) == {"invoice"}
    invoice = body["invoice"]
    assert set(invoice) == INVOICE_KEYS
    assert invoice == {
        **created,
        "status": "void",
        "voidJournalEntryId": invoice["voidJournalEntryId"],
        "voidedAt": invoice["voidedAt"],
    }
    assert invoice["number"] == "INV-000001" and invoice["total"] == 187_500
    assert invoice["voidJournalEntryId"].startswith("je_")
    assert invoice["voidJournalEntryId"] != created["journalEntryId"]
    assert invoice["voidedAt"] and invoice["voidedAt"].endswith("Z")

    reversal = JournalEntry.objects.get(public_id=invoice["voidJournalEntryId"])
    assert reversal.book == alice.gl and reversal.source == "invoice"
    assert reversal.date == timezone.localdate()
    assert journal_lines(reversal.public_id) == [("1100", 0, 187_500), ("4000", 187_500, 0)]
    # The original entry stays as posted.
    assert journal_lines(created["journalEntryId"]) == [("1100", 187_500, 0), ("4000", 0, 187_500)]
    assert balances(alice) == {"1100": (187_500, 187_500), "4000": (187_500, 187_500)}

    assert billing_state(entries) == [("unbilled", None, None)] * 2
    assert all(
        e.billed_at is None for e in TimeEntry.objects.filter(pk__in=[x.pk for x in entries])
    )
    assert not InvoiceLine.objects.filter(invoice__public_id=created["id"], is_live=True).exists()
    listed = time_entries(alice)
    for entry in entries:
        assert listed[entry.public_id]["billingStatus"] == "unbilled"
        assert listed[entry.public_id]["invoice"] is None
        assert listed[entry.public_id]["isLocked"] is False
    assert set(time_entries(alice, unbilledOnly="true")) == {e.public_id for e in entries}
    # Free again: editable and billable on a new number; the old number stays used.
    api(alice).patch(
        entry_url(entries[0].public_id),
        {"description": "Rebilled"},
        params=in_firm(alice.firm.public_id),
    )
    again = bill(alice, acme, entries)["invoice"]
    assert again["number"] == "INV-000002"
    assert again["total"] == 187_500
    assert billing_state(entries) == [("billed", again["id"], "INV-000002")] * 2
    stored = {i.number: i.status for i in Invoice.objects.filter(firm=alice.firm)}
    assert stored == {1: "void", 2: "open"}
    # Each invoice keeps the lines it was written with.
    assert [line["description"] for line in again["lines"]] == ["Rebilled", ""]
    old_lines = InvoiceLine.objects.filter(invoice__public_id=created["id"]).order_by("position")
    assert [line.description for line in old_lines] == ["", ""]
    assert balances(alice) == {"1100": (375_000, 187_500), "4000": (187_500, 375_000)}
    listed = invoices(alice)["invoices"]
    assert [(i["number"], i["status"]) for i in listed] == [
        ("INV-000002", "open"),
        ("INV-000001", "void"),
    ]


def test_invoice_events_record_who_created_and_voided(alice, acme):
    entries = [log(alice, acme)]
    first = bill(alice, acme, entries)["invoice"]
    api(alice).request("POST", void_url(first["id"]), params=in_firm(alice.firm.public_id))
    second = bill(alice, acme, entries)["invoice"]
    events = list(
        InvoiceEvent.objects.order_by("id").values_list("invoice__public_id", "kind", "actor")
    )
    assert events == [
        (first["id"], "created", alice.user.pk),
        (first["id"], "voided", alice.user.pk),
        (second["id"], "created", alice.user.pk),
    ]


def test_voiding_twice_changes_nothing(alice, acme):
    entries = [log(alice, acme, "4.00")]
    created = bill(alice, acme, entries)["invoice"]
    firm = in_firm(alice.firm.public_id)
    first = api(alice).post(void_url(created["id"]), params=firm, status=200)
    again = bill(alice, acme, entries)["invoice"]  # the time is on INV-000002 now
    before, journals = db_snapshot(), JournalEntry.objects.count()
    ledger = balances(alice)
    second = api(alice).post(void_url(created["id"]), params=firm, status=200)
    assert second == first
    assert JournalEntry.objects.count() == journals
    assert balances(alice) == ledger
    assert db_snapshot() == before
    assert InvoiceEvent.objects.filter(kind="voided").count() == 1
    # The second void did not free time that a later invoice bills.
    assert billing_state(entries) == [("billed", again["id"], "INV-000002")]


def test_void_takes_the_firm_from_the_body_too(alice, acme):
    created = bill(alice, acme, [log(alice, acme)])["invoice"]
    body = {"firmEntityId": alice.firm.public_id}
    assert api(alice).post(void_url(created["id"]), body, status=200)["invoice"]["status"] == "void"


def test_void_refuses_a_body_that_is_not_an_object(alice, acme):
    created = bill(alice, acme, [log(alice, acme)])["invoice"]
    url, firm = void_url(created["id"]), in_firm(alice.firm.public_id)
    before = db_snapshot()
    for body in ("0", "false", "[]", '""'):
        api(alice).post(url, raw=body, params=firm, status=400, code="validation_error")
    assert db_snapshot() == before
    api(alice).post(url, params=firm, status=200)


def test_voiding_another_firms_or_an_unknown_invoice_is_the_same_404(alice, acme, charlie, globex):
    mine = bill(alice, acme, [log(alice, acme)])["invoice"]
    theirs = bill(charlie, globex, [log(charlie, globex)])["invoice"]
    before = db_snapshot()
    firm = in_firm(alice.firm.public_id)
    foreign = api(alice).request("POST", void_url(theirs["id"]), params=firm)
    unknown = api(alice).request("POST", void_url(new_public_id("inv")), params=firm)
    assert_error(foreign, 404, "not_found")
    assert foreign.content == unknown.content
    by_charlie = api(charlie).request(
        "POST", void_url(mine["id"]), params=in_firm(charlie.firm.public_id)
    )
    assert by_charlie.content == foreign.content
    assert db_snapshot() == before
    assert {i.status for i in Invoice.objects.all()} == {"open"}


@pytest.mark.parametrize(
    ("invoice_id", "firm", "field"),
    [
        ("inv_123", "FIRM", "invoiceId"),
        ("junk", "FIRM", "invoiceId"),
        ("te_" + "0" * 26, "FIRM", "invoiceId"),
        ("INVOICE", None, "firmEntityId"),
        ("INVOICE", "nope", "firmEntityId"),
    ],
)
def test_bad_void_requests_are_400(alice, acme, invoice_id, firm, field):
    created = bill(alice, acme, [log(alice, acme)])["invoice"]
    invoice_id = created["id"] if invoice_id == "INVOICE" else invoice_id
    firm = alice.firm.public_id if firm == "FIRM" else firm
    before = db_snapshot()
    params = in_firm(firm) if firm is not None else None
    error = api(alice).post(
        void_url(invoice_id), params=params, status=400, code="validation_error"
    )
    assert field in error["fields"], error
    assert db_snapshot() == before
    assert Invoice.objects.get(public_id=created["id"]).status == "open"


def test_a_paid_invoice_cannot_be_voided(alice, acme):
    entries = [log(alice, acme)]
    created = bill(alice, acme, entries)["invoice"]
    Invoice.objects.filter(public_id=created["id"]).update(status="paid")
    before, ledger = db_snapshot(), balances(alice)
    api(alice).post(
        void_url(created["id"]),
        params=in_firm(alice.firm.public_id),
        status=409,
        code="invoice_paid",
    )
    assert db_snapshot() == before and balances(alice) == ledger
    assert billing_state(entries) == [("billed", created["id"], "INV-000001")]


def test_a_void_invoice_keeps_its_lines_when_the_freed_time_is_deleted(alice, acme):
    entry = log(alice, acme, "3.00", description="Audit prep")
    created = bill(alice, acme, [entry])["invoice"]
    firm = alice.firm.public_id
    api(alice).request("POST", void_url(created["id"]), params=in_firm(firm))
    api(alice).delete(TIME, entry_in_firm(entry.public_id, firm), status=204)
    listed = invoices(alice)["invoices"][0]
    assert listed["lines"] == [{**created["lines"][0], "timeEntryId": None}]
    assert listed["total"] == 37_500 and listed["lineCount"] == 1
