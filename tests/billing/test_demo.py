"""The billing part of `manage.py seed_demo`: AR invoices from the demo firm's unbilled time.

Each invoice is what POST /api/practice/billing/invoice would make: one line per entry, the total the
sum of the lines, the entries marked billed with its id, and one journal entry in the firm's primary
book debiting receivables and crediting service revenue by the total. Seeding again adds nothing.
"""

import io
import json

import pytest
from django.core.management import call_command

from axiomatic.ledger.models import JournalEntry
from billing.models import Invoice
from practice.models import TimeEntry

pytestmark = pytest.mark.django_db


def _seed(credentials) -> None:
    call_command("seed_demo", "--credentials-file", str(credentials), stdout=io.StringIO())


def _invoices(firm_id: str) -> list[tuple]:
    """Everything seeding wrote for billing, comparable between runs."""
    return [
        (
            invoice.public_id,
            invoice.number,
            invoice.total_cents,
            invoice.journal_entry_id,
            [(line.pk, line.time_entry_id, line.amount_cents) for line in invoice.lines.all()],
        )
        for invoice in Invoice.objects.filter(firm__public_id=firm_id)
        .prefetch_related("lines")
        .order_by("number")
    ]


def test_seed_demo_invoices_unbilled_time_once(tmp_path, settings):
    settings.DEBUG = True
    settings.STRIPE_SECRET_KEY = ""  # the invoices do not depend on Stripe
    credentials = tmp_path / "demo.json"
    _seed(credentials)
    firm_id = json.loads(credentials.read_text())["firmEntityId"]

    invoices = Invoice.objects.filter(firm__public_id=firm_id).order_by("number")
    assert invoices.count() >= 2
    assert [i.number for i in invoices] == list(range(1, invoices.count() + 1))  # no gaps
    for invoice in invoices:
        lines = list(invoice.lines.select_related("time_entry"))
        assert lines and all(line.is_live for line in lines)
        assert invoice.status == "open"
        assert invoice.total_cents == sum(line.amount_cents for line in lines) > 0
        entries = [line.time_entry for line in lines]
        assert {(e.client_id, e.billing_status, e.invoice_public_id) for e in entries} == {
            (invoice.client_id, "billed", invoice.public_id)
        }
        entry = invoice.journal_entry
        assert (entry.entity.public_id, entry.book.is_primary) == (firm_id, True)
        assert sorted(
            (line.account.subtype, line.debit_cents, line.credit_cents)
            for line in entry.lines.select_related("account")
        ) == [
            ("accounts_receivable", invoice.total_cents, 0),
            ("operating_revenue", 0, invoice.total_cents),
        ]
    billed = TimeEntry.objects.filter(firm__public_id=firm_id, billing_status="billed")
    assert billed.count() == sum(i.lines.count() for i in invoices)

    before = (_invoices(firm_id), JournalEntry.objects.filter(entity__public_id=firm_id).count())
    _seed(credentials)

    after = (_invoices(firm_id), JournalEntry.objects.filter(entity__public_id=firm_id).count())
    assert after == before
