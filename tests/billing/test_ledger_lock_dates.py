"""The ledger's lock date binds what billing posts: an invoice issued, a payment received, a payment
or an invoice voided on or before the firm's lock date is refused with 409 `period_locked` naming
the date, and nothing changes: no invoice, the invoice number not used, the time still unbilled, no
payment, statuses as they were, no journal entry.

Invoices post on their issue date, payments on their date, voids (reversals) on the day they are
made, so an invoice of a closed period is still voided, by an entry dated today.
"""

import datetime as dt

import pytest
from django.utils import timezone

from axiomatic.ledger.models import JournalEntry
from billing.models import Invoice, Payment
from tests.billing.invoice_helpers import (
    INVOICES,
    bill,
    billing_state,
    invoice_body,
    last_number,
    log,
    void_url,
)
from tests.helpers import api, db_fingerprint, in_firm

pytestmark = pytest.mark.django_db

SETTINGS = "/api/ledger/settings"
LOCKED_THROUGH = dt.date(2026, 3, 31)
INVOICE = "/api/practice/billing/invoice"
PAYMENTS = "/api/practice/billing/payments"


def lock(persona, day: dt.date = LOCKED_THROUGH) -> None:
    """The firm's books locked through `day`, as its ADMIN does it: over the API."""
    body = api(persona).patch(
        SETTINGS, {"lockDate": day.isoformat()}, params={"entityId": persona.firm.public_id}
    )
    assert body["settings"]["lockDate"] == day.isoformat()


def journal_entries(persona) -> int:
    return JournalEntry.objects.filter(entity=persona.firm).count()


def issued(persona, link, day: dt.date, hours: str = "2.00") -> dict:
    return bill(persona, link, [log(persona, link, hours)], issueDate=day.isoformat())["invoice"]


def pay(persona, invoice_id: str, amount: int, day: dt.date, **kwargs):
    body = {"amount": amount, "date": day.isoformat(), "method": "check"}
    return api(persona).post(
        f"{INVOICES}/{invoice_id}/payments", body, params=in_firm(persona.firm.public_id), **kwargs
    )


def assert_names_the_lock_date(error: dict, day: dt.date = LOCKED_THROUGH) -> None:
    assert error["code"] == "period_locked"
    assert f"locked through {day.isoformat()}" in error["message"]
    assert "move the lock date" in error["message"]


# --- Invoices -------------------------------------------------------------------------------------


@pytest.mark.parametrize("issue", [LOCKED_THROUGH, dt.date(2026, 3, 1)])
def test_an_invoice_issued_in_the_locked_period_is_refused_and_uses_no_number(
    alice, acme, numbered, issue
):
    lock(alice)
    entries = [log(alice, acme, "3.00"), log(alice, acme, "1.50")]
    state, posted = billing_state(entries), journal_entries(alice)
    before = db_fingerprint()
    error = api(alice).post(
        INVOICE,
        invoice_body(alice, acme, entries, issueDate=issue.isoformat()),
        status=409,
        code="period_locked",
    )
    assert_names_the_lock_date(error)
    assert issue.isoformat() in error["message"]
    assert db_fingerprint() == before
    assert Invoice.objects.filter(firm=alice.firm).count() == 1  # only the fixture's
    assert last_number(alice.firm) == 1
    assert billing_state(entries) == state == [("unbilled", None, None)] * 2
    assert journal_entries(alice) == posted

    later = bill(alice, acme, entries, issueDate="2026-04-01")["invoice"]
    assert (later["number"], later["issueDate"]) == ("INV-000002", "2026-04-01")


def test_an_invoice_issued_today_is_refused_when_today_is_locked(alice, acme, numbered):
    today = timezone.localdate()
    lock(alice, today)
    entry = log(alice, acme)
    before = db_fingerprint()
    error = api(alice).post(
        INVOICE, invoice_body(alice, acme, [entry]), status=409, code="period_locked"
    )
    assert_names_the_lock_date(error, today)
    assert db_fingerprint() == before
    assert last_number(alice.firm) == 1


def test_a_clients_lock_date_does_not_bind_the_firms_invoices(alice, acme):
    """Invoices post to the firm's books: the client's own books' lock date is not theirs."""
    api(alice).patch(
        SETTINGS, {"lockDate": "2026-03-31"}, params={"entityId": acme.client.public_id}
    )
    assert issued(alice, acme, dt.date(2026, 3, 1))["number"] == "INV-000001"


# --- Payments -------------------------------------------------------------------------------------


@pytest.mark.parametrize("day", [LOCKED_THROUGH, dt.date(2026, 3, 2)])
def test_a_payment_dated_in_the_locked_period_is_refused_and_changes_nothing(alice, acme, day):
    invoice = issued(alice, acme, dt.date(2026, 3, 1))
    lock(alice)
    posted = journal_entries(alice)
    before = db_fingerprint()
    error = pay(alice, invoice["id"], 10_000, day, status=409, code="period_locked")
    assert_names_the_lock_date(error)
    assert day.isoformat() in error["message"]
    assert db_fingerprint() == before
    assert not Payment.objects.filter(invoice__public_id=invoice["id"]).exists()
    row = Invoice.objects.get(public_id=invoice["id"])
    assert (row.status, row.amount_paid_cents) == ("open", 0)
    assert journal_entries(alice) == posted

    body = pay(alice, invoice["id"], 10_000, LOCKED_THROUGH + dt.timedelta(days=1))
    assert (body["payment"]["date"], body["invoice"]["status"]) == ("2026-04-01", "partially_paid")


def test_voiding_a_payment_is_refused_while_today_is_locked(alice, acme):
    invoice = issued(alice, acme, dt.date(2026, 4, 1))
    payment = pay(alice, invoice["id"], invoice["total"], dt.date(2026, 4, 2))["payment"]
    today = timezone.localdate()
    lock(alice, today)
    posted = journal_entries(alice)
    before = db_fingerprint()
    error = api(alice).post(
        f"{PAYMENTS}/{payment['id']}/void",
        params=in_firm(alice.firm.public_id),
        status=409,
        code="period_locked",
    )
    assert_names_the_lock_date(error, today)
    assert db_fingerprint() == before
    row = Payment.objects.get(public_id=payment["id"])
    assert (row.voided_at, row.void_journal_entry_id) == (None, None)
    invoice_row = Invoice.objects.get(public_id=invoice["id"])
    assert (invoice_row.status, invoice_row.amount_paid_cents) == ("paid", invoice["total"])
    assert journal_entries(alice) == posted


# --- Invoice voids --------------------------------------------------------------------------------


def test_voiding_an_invoice_is_refused_while_today_is_locked(alice, acme):
    entry = log(alice, acme, "4.00")
    invoice = bill(alice, acme, [entry], issueDate="2026-04-01")["invoice"]
    today = timezone.localdate()
    lock(alice, today)
    state, posted = billing_state([entry]), journal_entries(alice)
    before = db_fingerprint()
    error = api(alice).post(
        void_url(invoice["id"]),
        params=in_firm(alice.firm.public_id),
        status=409,
        code="period_locked",
    )
    assert_names_the_lock_date(error, today)
    assert db_fingerprint() == before
    row = Invoice.objects.get(public_id=invoice["id"])
    assert (row.status, row.voided_at, row.void_journal_entry_id) == ("open", None, None)
    assert billing_state([entry]) == state == [("billed", invoice["id"], "INV-000001")]
    assert row.lines.filter(is_live=True).count() == 1
    assert journal_entries(alice) == posted


def test_an_invoice_of_a_closed_period_is_voided_by_an_entry_dated_today(alice, acme):
    """The lock date protects what was reported, not the invoice: its void posts after it."""
    entry = log(alice, acme, "4.00")
    invoice = bill(alice, acme, [entry], issueDate="2026-03-01")["invoice"]
    lock(alice)
    voided = api(alice).post(
        void_url(invoice["id"]), params=in_firm(alice.firm.public_id), status=200
    )["invoice"]
    assert voided["status"] == "void"
    reversal = JournalEntry.objects.get(public_id=voided["voidJournalEntryId"])
    assert reversal.date == timezone.localdate() > LOCKED_THROUGH
    original = JournalEntry.objects.get(public_id=invoice["journalEntryId"])
    assert original.date == dt.date(2026, 3, 1)  # the closed period reads as it was reported
    assert billing_state([entry]) == [("unbilled", None, None)]


def test_a_zero_total_invoice_in_the_locked_period_is_refused_too(alice, acme):
    lock(alice)
    entry = log(alice, acme, "2.00")
    before = db_fingerprint()
    api(alice).post(
        INVOICE,
        invoice_body(
            alice,
            acme,
            [entry],
            issueDate="2026-03-01",
            adjustment={"amount": -25_000, "reason": "Goodwill"},
        ),
        status=409,
        code="period_locked",
    )
    assert db_fingerprint() == before
