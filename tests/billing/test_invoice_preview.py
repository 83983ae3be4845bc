"""invoice_preview: what invoice_create_from_time would bill from the same arguments, to the cent,
with nothing written (no invoice, no number taken, no journal entry, the time still unbilled), and
refused the same way."""

import datetime as dt
from decimal import Decimal

import pytest

from axiomatic.core.errors import ApplicationError
from billing.models import FirmBillingProfile, Invoice, InvoiceLineKind
from billing.services.invoices import (
    Adjustment,
    InvoiceItem,
    invoice_create_from_time,
    invoice_preview,
)
from practice.models import BillingStatus, FirmProfile
from practice.selectors import firm_profile
from tests.billing.invoice_helpers import log
from tests.helpers import db_fingerprint

pytestmark = pytest.mark.django_db

D = dt.date


def _arguments(alice, acme, entries, **kwargs):
    return {
        "firm": alice.firm,
        "link": acme,
        "time_entry_ids": [e.public_id for e in entries],
        **kwargs,
    }


@pytest.mark.parametrize(
    ("adjustment", "rounding"),
    [
        (Adjustment(), 0),
        (Adjustment(-10_001, "Loyal client"), 0),  # an odd cent to spread
        (Adjustment(3_333, "Extra review"), 15),  # with the firm's rounding to 15 minutes
    ],
)
def test_a_preview_and_the_invoice_made_from_it_agree_to_the_cent(
    alice, acme, adjustment, rounding
):
    firm_profile(alice.firm)  # the firm's settings row, made once
    if rounding:
        FirmProfile.objects.filter(firm=alice.firm).update(
            time_rounding_minutes=rounding, time_rounding_mode="up"
        )
    entries = [
        log(alice, acme, "1.10", rate=13_333, day=D(2026, 6, 3)),
        log(alice, acme, "2.35", rate=12_500, day=D(2026, 6, 1)),
        log(alice, acme, "0.40", rate=9_999, day=D(2026, 6, 2)),
    ]
    items = [InvoiceItem("Year-end fixed fee", 50_000), InvoiceItem("Filing fee", 7_501)]
    arguments = _arguments(
        alice, acme, entries, items=items, adjustment=adjustment, issue_date=D(2026, 6, 30)
    )

    before = db_fingerprint()
    preview = invoice_preview(**arguments)
    assert db_fingerprint() == before  # nothing written

    invoice = invoice_create_from_time(**arguments, created_by=alice.user)
    lines = list(invoice.lines.order_by("position"))
    assert (preview.subtotal_cents, preview.adjustment_cents, preview.total_cents) == (
        invoice.subtotal_cents,
        invoice.adjustment_cents,
        invoice.total_cents,
    )
    assert (preview.issue_date, preview.due_date, preview.adjustment_reason) == (
        invoice.issue_date,
        invoice.due_date,
        invoice.adjustment_reason,
    )
    assert [
        (
            p.kind,
            p.date,
            p.description,
            p.hours,
            p.rate_cents,
            p.standard_amount_cents,
            p.amount_cents,
        )
        for p in preview.lines
    ] == [
        (
            line.kind,
            line.date,
            line.description,
            line.hours,
            line.rate_cents,
            line.standard_amount_cents,
            line.amount_cents,
        )
        for line in lines
    ]
    assert [p.kind for p in preview.lines] == [InvoiceLineKind.TIME] * 3 + [
        InvoiceLineKind.ITEM
    ] * 2
    assert sum(p.adjustment_cents for p in preview.lines) == adjustment.amount_cents


def test_a_preview_takes_no_number_and_leaves_the_time_unbilled(alice, acme):
    entry = log(alice, acme, "2.00", day=D(2026, 6, 1))
    invoice_preview(**_arguments(alice, acme, [entry]))
    invoice_preview(**_arguments(alice, acme, [entry]))
    entry.refresh_from_db()
    assert entry.billing_status == BillingStatus.UNBILLED
    assert not Invoice.objects.exists()
    assert not FirmBillingProfile.objects.filter(
        firm=alice.firm, last_invoice_number__gt=0
    ).exists()
    invoice = invoice_create_from_time(**_arguments(alice, acme, [entry]))
    assert invoice.display_number == "INV-000001"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"adjustment": Adjustment(-50_000, "Too much")}, "adjustment.amount"),
        ({"adjustment": Adjustment(-100, "")}, "adjustment.reason"),
        ({"issue_date": D(2026, 6, 2), "due_date": D(2026, 6, 1)}, "dueDate"),
    ],
)
def test_a_preview_is_refused_as_creating_would_be(alice, acme, kwargs, field):
    entry = log(alice, acme, "2.00", day=D(2026, 6, 1))  # $250.00
    arguments = _arguments(alice, acme, [entry], **kwargs)
    with pytest.raises(ApplicationError) as previewed:
        invoice_preview(**arguments)
    with pytest.raises(ApplicationError) as created:
        invoice_create_from_time(**arguments)
    assert field in previewed.value.fields
    assert previewed.value.fields == created.value.fields


def test_billed_time_is_refused_in_a_preview(alice, acme):
    entry = log(alice, acme, "2.00", day=D(2026, 6, 1))
    invoice_create_from_time(**_arguments(alice, acme, [entry]))
    with pytest.raises(ApplicationError) as refused:
        invoice_preview(**_arguments(alice, acme, [entry]))
    assert "timeEntryIds" in refused.value.fields
    assert Decimal(entry.hours) == Decimal("2.00")
