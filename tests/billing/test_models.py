"""Billing's database constraints: the backstops behind the services' checks.

An entry is billed at most once by the locks in `invoice_create_from_time`; `UNIQUE(time_entry)` on
live invoice lines is what still holds if some path ever writes a line without taking them. A voided
invoice's lines stop being live, so its time can be billed again.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from billing.models import Invoice, InvoiceLine
from billing.services.invoices import invoice_create_from_time, invoice_void
from practice.services.time_entries import time_entry_create

pytestmark = pytest.mark.django_db


def _line_for(invoice, entry) -> InvoiceLine:
    """A line written straight to the table, past the service and its locks."""
    return InvoiceLine.objects.create(
        invoice=invoice,
        time_entry=entry,
        position=99,
        date=entry.date,
        hours=entry.hours,
        rate_cents=entry.rate_cents,
        amount_cents=25_000,
    )


def test_a_time_entry_has_at_most_one_live_invoice_line(alice, acme):
    entry = time_entry_create(
        firm=alice.firm,
        link=acme,
        work_date=dt.date(2026, 1, 15),
        hours=Decimal("2.00"),
        rate_cents=12_500,
    )
    first = invoice_create_from_time(firm=alice.firm, link=acme, time_entry_ids=[entry.public_id])

    with pytest.raises(IntegrityError), transaction.atomic():
        _line_for(first, entry)
    assert InvoiceLine.objects.filter(time_entry=entry).count() == 1

    # Once the invoice is void its line is history, not a bill: the entry may be billed again.
    invoice_void(firm=alice.firm, public_id=first.public_id)
    second = _line_for(first, entry)

    lines = InvoiceLine.objects.filter(time_entry=entry).order_by("id")
    assert [(line.pk, line.is_live) for line in lines] == [
        (lines[0].pk, False),
        (second.pk, True),
    ]


def test_an_invoice_is_never_paid_past_its_total_nor_off_its_subtotal(alice, acme):
    entry = time_entry_create(
        firm=alice.firm,
        link=acme,
        work_date=dt.date(2026, 1, 15),
        hours=Decimal("1.00"),
        rate_cents=10_000,
    )
    invoice = invoice_create_from_time(firm=alice.firm, link=acme, time_entry_ids=[entry.public_id])
    rows = Invoice.objects.filter(pk=invoice.pk)
    for change in (
        {"amount_paid_cents": 10_001},
        {"amount_paid_cents": -1},
        {"total_cents": 9_999},
        {"adjustment_cents": -1},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            rows.update(**change)
    rows.update(amount_paid_cents=10_000)  # exactly the total is fine
