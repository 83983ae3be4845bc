"""Invoicing under concurrency (PostgreSQL, real threads): racing invoices of the same time make
one, a racing delete never deletes invoiced time, and numbers stay distinct and gapless."""

from functools import partial

import pytest

from axiomatic.core.errors import ApplicationError, ConflictError
from axiomatic.entities.models import Entity
from axiomatic.ledger.models import JournalEntry
from billing.models import Invoice, InvoiceLine
from billing.services.invoices import invoice_create_from_time
from practice.models import ClientLink, TimeEntry
from practice.services.time_entries import time_entry_delete
from tests.billing.invoice_helpers import balances, billing_state, ids_of, last_number, log
from tests.helpers import requires_postgres, run_concurrently, run_together

pytestmark = pytest.mark.django_db


# --- Concurrency (PostgreSQL) ------------------------------------------------------------------


def _fresh(firm_pk: int, link_pk: int):
    """The firm and link read again by the thread that uses them."""
    return Entity.objects.get(pk=firm_pk), ClientLink.objects.select_related("client").get(
        pk=link_pk
    )


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_racing_invoices_of_the_same_time_make_exactly_one(alice, acme):
    entries = [log(alice, acme, "1.00"), log(alice, acme, "2.00"), log(alice, acme, "3.00")]
    ids = ids_of(entries)

    def invoice_them():
        firm, link = _fresh(alice.firm.pk, acme.pk)
        try:
            return invoice_create_from_time(firm=firm, link=link, time_entry_ids=ids)
        except ApplicationError as exc:
            return exc

    race = run_concurrently(invoice_them, 20)
    assert race.errors == []
    results = race.results
    assert len(results) == 20
    made = [r for r in results if isinstance(r, Invoice)]
    refused = [r for r in results if not isinstance(r, Invoice)]
    assert len(made) == 1
    assert all(isinstance(r, ConflictError) for r in refused), refused
    assert {r.code for r in refused} == {"time_entry_invoiced"}
    assert Invoice.objects.filter(firm=alice.firm).count() == 1
    invoice = Invoice.objects.get(firm=alice.firm)
    assert invoice.number == 1 and invoice.total_cents == 75_000
    assert last_number(alice.firm) == 1
    assert InvoiceLine.objects.filter(invoice=invoice).count() == 3
    assert billing_state(entries) == [("billed", invoice.public_id, "INV-000001")] * 3
    assert JournalEntry.objects.filter(entity=alice.firm, source="invoice").count() == 1
    assert balances(alice) == {"1100": (75_000, 0), "4000": (0, 75_000)}


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_a_delete_racing_an_invoice_never_deletes_invoiced_time(alice, acme):
    for _ in range(5):
        entry = log(alice, acme, "1.00")

        def bill_it(entry=entry):
            firm, link = _fresh(alice.firm.pk, acme.pk)
            try:
                return invoice_create_from_time(
                    firm=firm, link=link, time_entry_ids=[entry.public_id]
                )
            except ApplicationError as exc:
                return exc

        def delete_it(entry=entry):
            firm = Entity.objects.get(pk=alice.firm.pk)
            try:
                time_entry_delete(firm=firm, public_id=entry.public_id)
            except ApplicationError as exc:
                return exc
            return "deleted"

        race = run_together(bill_it, delete_it)
        assert race.errors == []
        stored = TimeEntry.objects.filter(pk=entry.pk).first()
        invoiced, deleted = race.results
        if deleted == "deleted":
            # The delete won: the invoice found no such entry and wrote nothing.
            assert stored is None
            assert isinstance(invoiced, ApplicationError) and invoiced.status_code == 400
            assert entry.public_id in invoiced.message
        else:
            # The invoice won: the delete waited, then saw the entry billed.
            assert isinstance(invoiced, Invoice), invoiced
            assert isinstance(deleted, ConflictError) and deleted.code == "time_entry_invoiced"
            assert stored is not None and stored.billing_status == "billed"
            assert stored.invoice_public_id == invoiced.public_id
            assert InvoiceLine.objects.get(invoice=invoiced).time_entry_id == entry.pk
    numbers = sorted(Invoice.objects.filter(firm=alice.firm).values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))
    assert last_number(alice.firm) == len(numbers)


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_invoices_of_one_firm_get_distinct_numbers_without_gaps(alice, acme):
    entries = [log(alice, acme, "1.00") for _ in range(10)]

    def invoice_one(entry):
        firm, link = _fresh(alice.firm.pk, acme.pk)
        return invoice_create_from_time(firm=firm, link=link, time_entry_ids=[entry.public_id])

    race = run_together(*(partial(invoice_one, entry) for entry in entries))
    assert race.errors == []
    assert sorted(invoice.number for invoice in race.results) == list(range(1, 11))
    assert last_number(alice.firm) == 10
    assert TimeEntry.objects.filter(firm=alice.firm, billing_status="billed").count() == 10
    assert balances(alice) == {"1100": (125_000, 0), "4000": (0, 125_000)}
