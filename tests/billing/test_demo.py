"""The billing part of `manage.py seed_demo`: the receivables loop from the demo firm's time.

Each invoice is what POST /api/practice/billing/invoice would make: lines from unbilled time (and
fixed-fee items) summing to the total, the entries marked billed with its id, and one journal entry
in the firm's primary book debiting receivables and crediting service revenue by the total. Payments
are what POST .../payments would make: never before the invoice's issue date, debit cash, credit
receivable. As of today the AR aging has a balance in every bucket, realization shows a write-down
and collections, and the statuses paid, partially paid and open (overdue) all occur. Seeding again
adds nothing.
"""

import datetime as dt
import io
import json
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from axiomatic.entities.models import Membership
from axiomatic.ledger.models import JournalEntry
from billing.models import Invoice, Payment
from billing.selectors.receivables import BUCKETS, ar_aging, realization, wip
from practice.demo import DEMO_CLIENT_USER_EMAIL
from practice.models import TimeEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(tmp_path, settings) -> tuple[str, object]:
    """The demo firm's id, and a function that seeds (again)."""
    settings.DEBUG = True
    settings.STRIPE_SECRET_KEY = ""  # the invoices do not depend on Stripe
    credentials = tmp_path / "demo.json"

    def seed() -> None:
        call_command("seed_demo", "--credentials-file", str(credentials), stdout=io.StringIO())

    seed()
    return json.loads(credentials.read_text())["firmEntityId"], seed


def _state(firm_id: str) -> list[tuple]:
    """Everything seeding wrote for billing, comparable between runs."""
    invoices = [
        (
            invoice.public_id,
            invoice.number,
            invoice.status,
            invoice.total_cents,
            invoice.amount_paid_cents,
            invoice.journal_entry_id,
            [(line.pk, line.time_entry_id, line.amount_cents) for line in invoice.lines.all()],
        )
        for invoice in Invoice.objects.filter(firm__public_id=firm_id)
        .prefetch_related("lines")
        .order_by("number")
    ]
    payments = list(
        Payment.objects.filter(firm__public_id=firm_id)
        .order_by("id")
        .values_list("public_id", "amount_cents", "date", "journal_entry_id")
    )
    entries = JournalEntry.objects.filter(entity__public_id=firm_id).count()
    return [invoices, payments, entries]


def _lines(entry: JournalEntry) -> list[tuple[str, int, int]]:
    return sorted(
        (line.account.subtype, line.debit_cents, line.credit_cents)
        for line in entry.lines.select_related("account")
    )


def test_seed_demo_invoices_time_and_items_and_records_payments_once(seeded):
    firm_id, seed = seeded
    invoices = list(Invoice.objects.filter(firm__public_id=firm_id).order_by("number"))
    assert len(invoices) >= 6
    assert [i.number for i in invoices] == list(range(1, len(invoices) + 1))  # no gaps
    assert [i.issue_date for i in invoices] == sorted(i.issue_date for i in invoices)
    for invoice in invoices:
        lines = list(invoice.lines.select_related("time_entry"))
        assert lines and all(line.is_live for line in lines)
        assert invoice.total_cents == sum(line.amount_cents for line in lines) > 0
        assert invoice.subtotal_cents == sum(line.standard_amount_cents for line in lines)
        entries = [line.time_entry for line in lines if line.kind == "time"]
        assert {(e.client_id, e.billing_status, e.invoice_public_id) for e in entries} <= {
            (invoice.client_id, "billed", invoice.public_id)
        }
        assert all(e.date <= invoice.issue_date for e in entries)
        entry = invoice.journal_entry
        assert (entry.entity.public_id, entry.book.is_primary) == (firm_id, True)
        assert _lines(entry) == [
            ("accounts_receivable", invoice.total_cents, 0),
            ("operating_revenue", 0, invoice.total_cents),
        ]
        payments = list(invoice.payments.select_related("journal_entry"))
        assert invoice.amount_paid_cents == sum(p.amount_cents for p in payments)
        for payment in payments:
            assert invoice.issue_date <= payment.date <= timezone.localdate()
            assert payment.journal_entry.date == payment.date
            assert _lines(payment.journal_entry) == [
                ("accounts_receivable", 0, payment.amount_cents),
                ("cash", payment.amount_cents, 0),
            ]
    billed = TimeEntry.objects.filter(firm__public_id=firm_id, billing_status="billed")
    assert billed.count() == sum(i.lines.filter(kind="time").count() for i in invoices)

    before = _state(firm_id)
    seed()

    assert _state(firm_id) == before


def test_seed_demo_fills_the_aging_buckets_realization_and_every_status(seeded):
    firm_id, _ = seeded
    invoices = Invoice.objects.filter(firm__public_id=firm_id)
    firm = invoices.first().firm
    today = timezone.localdate()

    statuses = set(invoices.values_list("status", flat=True))
    assert {"paid", "partially_paid", "open"} <= statuses
    assert invoices.filter(status="open", due_date__lt=today).exists()  # overdue, unpaid
    assert invoices.filter(status="partially_paid", due_date__lt=today).exists()
    written_down = invoices.filter(adjustment_cents__lt=0)
    assert written_down.exists() and all(i.adjustment_reason for i in written_down)
    assert invoices.filter(lines__kind="item").exists()  # fixed fees and disbursements

    aging = ar_aging(firm=firm, as_of=today)
    assert {bucket: getattr(aging.totals, bucket) > 0 for bucket in BUCKETS} == dict.fromkeys(
        BUCKETS, True
    )
    assert aging.totals.total == sum(i.balance_due_cents for i in invoices.exclude(status="void"))

    report = realization(firm=firm, date_from=today - dt.timedelta(days=365), date_to=today)
    totals = report.totals
    assert report.rows
    assert totals.standard_amount > totals.billed_amount > totals.collected_amount > 0
    assert 0 < totals.billing_realization < 1 and 0 < totals.collection_realization < 1

    assert wip(firm=firm, as_of=today).totals.entries > 0  # recent time is still unbilled


def test_the_demo_client_user_sees_the_clients_invoices(seeded):
    firm_id, _ = seeded
    membership = Membership.objects.select_related("entity", "user").get(
        user__email=DEMO_CLIENT_USER_EMAIL
    )
    theirs = Invoice.objects.filter(firm__public_id=firm_id, client=membership.entity)
    assert theirs.count() >= 2
    browser = Client()
    browser.force_login(membership.user)

    html = browser.get("/client/").content.decode()

    shown = re.findall(r'data-invoice-id="(inv_\w+)"', html)
    assert sorted(shown) == sorted(theirs.values_list("public_id", flat=True))
