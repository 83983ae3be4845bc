"""Invoicing time: the contract example, the invoice's shape, what happens to the time and the
books (debit 1100 receivable, credit 4000 service revenue), gapless numbers per firm, dates,
and the money: one line per entry, hours x rate rounded half-up, the total the sum of the lines."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from axiomatic.ledger.models import JournalEntry
from billing.models import FirmBillingProfile, Invoice
from practice.models import FirmProfile, TimeEntry
from practice.services.clients import client_update, firm_default_rate_set
from tests.billing.invoice_helpers import (
    INVOICE,
    INVOICE_KEYS,
    LINE_KEYS,
    balances,
    bill,
    billing_state,
    bulk_log,
    half_up,
    invoice_body,
    journal_lines,
    log,
    time_entries,
    void_url,
)
from tests.helpers import api, in_firm
from tests.practice.time_helpers import TIME, entry_in_firm, entry_url

pytestmark = pytest.mark.django_db


# --- Create: the contract example and the invoice's shape ---------------------------------------


def test_the_contract_example_three_entries_make_one_invoice(alice, acme):
    # Written out of date order: lines come in date order.
    late = log(alice, acme, "5.00", day=dt.date(2026, 1, 7), description="Payroll")
    early = log(alice, acme, "10.00", day=dt.date(2026, 1, 5), description="Month-end close")
    middle = log(alice, acme, "5.00", day=dt.date(2026, 1, 6))
    body = api(alice).post(INVOICE, invoice_body(alice, acme, [late, early, middle]))
    assert set(body) == {"invoice", "markedEntries"}
    assert body["markedEntries"] == 3
    invoice = body["invoice"]
    assert set(invoice) == INVOICE_KEYS
    assert invoice["id"].startswith("inv_")
    today = timezone.localdate()
    assert invoice == {
        **invoice,
        "number": "INV-000001",
        "clientEntityId": acme.client.public_id,
        "issueDate": today.isoformat(),
        "dueDate": (today + dt.timedelta(days=30)).isoformat(),
        "currency": alice.firm.currency,
        "status": "open",
        "total": 250_000,
        "lineCount": 3,
        "voidJournalEntryId": None,
        "voidedAt": None,
    }
    assert invoice["journalEntryId"].startswith("je_")
    assert invoice["createdAt"].endswith("Z")
    assert all(set(line) == LINE_KEYS for line in invoice["lines"])
    assert invoice["lines"] == [
        {
            "timeEntryId": early.public_id,
            "date": "2026-01-05",
            "description": "Month-end close",
            "hours": 10.0,
            "rate": 12_500,
            "amount": 125_000,
            "kind": "time",
            "engagementId": None,
            "standardAmount": 125_000,
        },
        {
            "timeEntryId": middle.public_id,
            "date": "2026-01-06",
            "description": "",
            "hours": 5.0,
            "rate": 12_500,
            "amount": 62_500,
            "kind": "time",
            "engagementId": None,
            "standardAmount": 62_500,
        },
        {
            "timeEntryId": late.public_id,
            "date": "2026-01-07",
            "description": "Payroll",
            "hours": 5.0,
            "rate": 12_500,
            "amount": 62_500,
            "kind": "time",
            "engagementId": None,
            "standardAmount": 62_500,
        },
    ]
    stored = Invoice.objects.get(public_id=invoice["id"])
    assert (stored.firm, stored.client, stored.number) == (alice.firm, acme.client, 1)
    assert stored.total_cents == 250_000 and stored.status == "open"
    assert stored.lines.count() == 3
    assert all(line.is_live for line in stored.lines.all())


def test_the_invoice_posts_receivable_against_service_revenue(alice, acme):
    entries = [log(alice, acme, "10.00"), log(alice, acme, "5.00"), log(alice, acme, "5.00")]
    invoice = bill(alice, acme, entries)["invoice"]
    entry = JournalEntry.objects.get(public_id=invoice["journalEntryId"])
    assert entry.book == alice.gl and entry.book.is_primary
    assert entry.entity == alice.firm
    assert entry.source == "invoice"
    assert entry.date == timezone.localdate()
    assert entry.created_by == alice.user
    assert journal_lines(entry.public_id) == [("1100", 250_000, 0), ("4000", 0, 250_000)]
    assert balances(alice) == {"1100": (250_000, 0), "4000": (0, 250_000)}
    assert Invoice.objects.get(public_id=invoice["id"]).journal_entry == entry


def test_invoiced_entries_are_billed_listed_as_such_and_locked(alice, acme):
    a, b = log(alice, acme, "1.00"), log(alice, acme, "2.00")
    other = log(alice, acme, "3.00")
    invoice = bill(alice, acme, [a, b])["invoice"]
    for entry in (a, b):
        entry.refresh_from_db()
        assert entry.billing_status == "billed"
        assert entry.invoice_public_id == invoice["id"]
        assert entry.invoice_number == "INV-000001"
        assert entry.billed_at is not None
    listed = time_entries(alice)
    for entry in (a, b):
        shown = listed[entry.public_id]
        assert shown["billingStatus"] == "billed"
        assert shown["invoiced"] is True and shown["isLocked"] is True
        assert shown["invoiceId"] == invoice["id"]
        assert shown["invoice"] == {"id": invoice["id"], "number": "INV-000001"}
    assert listed[other.public_id]["billingStatus"] == "unbilled"
    assert list(time_entries(alice, unbilledOnly="true")) == [other.public_id]

    firm = alice.firm.public_id
    error = api(alice).patch(
        entry_url(a.public_id),
        {"hours": 1.5},
        params=in_firm(firm),
        status=409,
        code="time_entry_invoiced",
    )
    assert a.public_id in error["message"]
    api(alice).delete(
        TIME, entry_in_firm(b.public_id, firm), status=409, code="time_entry_invoiced"
    )
    assert billing_state([a, b]) == [("billed", invoice["id"], "INV-000001")] * 2
    assert TimeEntry.objects.get(pk=a.pk).hours == Decimal("1.00")


def test_numbers_count_up_per_firm_without_gaps(alice, acme, charlie, globex):
    numbers = [bill(alice, acme, [log(alice, acme)])["invoice"]["number"] for _ in range(3)]
    assert numbers == ["INV-000001", "INV-000002", "INV-000003"]
    theirs = bill(charlie, globex, [log(charlie, globex)])["invoice"]
    assert theirs["number"] == "INV-000001"
    assert bill(alice, acme, [log(alice, acme)])["invoice"]["number"] == "INV-000004"
    assert sorted(Invoice.objects.filter(firm=alice.firm).values_list("number", flat=True)) == [
        1,
        2,
        3,
        4,
    ]


def test_issue_and_due_dates(alice, acme):
    def dates(**body):
        invoice = bill(alice, acme, [log(alice, acme)], **body)["invoice"]
        return invoice["issueDate"], invoice["dueDate"]

    assert dates(issueDate="2026-03-01", dueDate="2026-03-15") == ("2026-03-01", "2026-03-15")
    assert dates(issueDate="2026-03-01") == ("2026-03-01", "2026-03-31")
    assert dates(issueDate="2026-03-01", dueDate="2026-03-01") == ("2026-03-01", "2026-03-01")
    today = timezone.localdate()
    assert dates(dueDate=(today + dt.timedelta(days=3)).isoformat()) == (
        today.isoformat(),
        (today + dt.timedelta(days=3)).isoformat(),
    )
    # The firm's payment terms set the default due date.
    FirmProfile.objects.update_or_create(firm=alice.firm, defaults={"payment_terms_days": 14})
    assert dates(issueDate="2026-12-25") == ("2026-12-25", "2027-01-08")
    assert dates() == (today.isoformat(), (today + dt.timedelta(days=14)).isoformat())


def test_the_journal_entry_is_dated_on_the_issue_date(alice, acme):
    invoice = bill(alice, acme, [log(alice, acme)], issueDate="2026-02-28")["invoice"]
    assert JournalEntry.objects.get(public_id=invoice["journalEntryId"]).date == dt.date(
        2026, 2, 28
    )


def test_payment_terms_of_a_firm_without_a_profile_are_30_days(alice, acme):
    assert not FirmBillingProfile.objects.filter(firm=alice.firm).exists()
    invoice = bill(alice, acme, [log(alice, acme)], issueDate="2026-01-31")["invoice"]
    assert invoice["dueDate"] == "2026-03-02"


# --- Money ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "rate", "amount"),
    [
        ("0.01", 12_350, 124),  # 123.5 -> 124
        ("0.01", 12_349, 123),  # 123.49 -> 123
        ("0.01", 50, 1),  # 0.5 -> 1
        ("2.50", 333, 833),  # 832.5 -> 833
        ("1.33", 10_001, 13_301),  # 13301.33 -> 13301
        ("7.25", 9_999, 72_493),  # 72492.75 -> 72493
        ("24.00", 12_500, 300_000),
    ],
)
def test_a_line_is_hours_times_rate_rounded_half_up(alice, acme, hours, rate, amount):
    entry = log(alice, acme, hours, rate=rate)
    invoice = bill(alice, acme, [entry])["invoice"]
    assert invoice["lines"][0]["amount"] == amount
    assert invoice["lines"][0]["hours"] == float(hours)
    assert invoice["lines"][0]["rate"] == rate
    assert invoice["total"] == amount
    assert journal_lines(invoice["journalEntryId"]) == [("1100", amount, 0), ("4000", 0, amount)]


def test_the_total_is_the_sum_of_rounded_lines_not_the_rounded_sum(alice, acme):
    entries = [log(alice, acme, "0.01", rate=12_350) for _ in range(3)]
    invoice = bill(alice, acme, entries)["invoice"]
    assert [line["amount"] for line in invoice["lines"]] == [124, 124, 124]
    assert invoice["total"] == 372  # rounding the exact sum (370.5) would give 371
    assert half_up(3 * 12_350, 100) == 371
    assert balances(alice) == {"1100": (372, 0), "4000": (0, 372)}
    assert Invoice.objects.get(public_id=invoice["id"]).total_cents == 372


def test_a_zero_total_invoice_is_allowed_and_posts_nothing(alice, acme):
    entries = [log(alice, acme, "1.00", rate=0), log(alice, acme, "0.50", rate=0)]
    journals = JournalEntry.objects.count()
    invoice = bill(alice, acme, entries)["invoice"]
    assert invoice["total"] == 0
    assert invoice["number"] == "INV-000001"
    assert invoice["journalEntryId"] is None
    assert [line["amount"] for line in invoice["lines"]] == [0, 0]
    assert JournalEntry.objects.count() == journals
    assert balances(alice) == {}
    assert billing_state(entries) == [("billed", invoice["id"], "INV-000001")] * 2
    voided = api(alice).post(
        void_url(invoice["id"]), params=in_firm(alice.firm.public_id), status=200
    )
    assert voided["invoice"]["status"] == "void"
    assert voided["invoice"]["voidJournalEntryId"] is None
    assert JournalEntry.objects.count() == journals
    assert billing_state(entries) == [("unbilled", None, None)] * 2


def test_client_and_firm_default_rates_are_billed_at_their_snapshot(alice, make_client):
    rated = make_client(alice, "Rated Co", default_rate_cents=20_000)
    plain = make_client(alice, "Plain Co")
    by_client = log(alice, rated, "1.00", rate=None)
    firm_default_rate_set(firm=alice.firm, rate_cents=15_000)
    by_firm = log(alice, plain, "2.00", rate=None)
    # Later rate changes never re-price the time.
    client_update(link=rated, changes={"default_rate_cents": 99_900})
    firm_default_rate_set(firm=alice.firm, rate_cents=88_800)
    first = bill(alice, rated, [by_client])["invoice"]
    assert (first["lines"][0]["rate"], first["total"]) == (20_000, 20_000)
    second = bill(alice, plain, [by_firm])["invoice"]
    assert (second["lines"][0]["rate"], second["total"]) == (15_000, 30_000)


def test_exactly_1000_entries_fit_on_one_invoice(alice, acme):
    entries = bulk_log(alice, acme, 1_000, hours=Decimal("0.25"), rate=10_001)
    body = bill(alice, acme, entries)
    assert body["markedEntries"] == 1_000
    assert body["invoice"]["lineCount"] == 1_000
    assert body["invoice"]["total"] == 1_000 * 2_500  # 2500.25 -> 2500 per line
    assert TimeEntry.objects.filter(firm=alice.firm, billing_status="billed").count() == 1_000
