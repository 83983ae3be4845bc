"""AR invoices from time: create, list and void, and what each does to the time and the books.

An invoice bills unbilled, billable, rated time of one client: one line per entry (hours x rate rounded
half-up per line, the total is the sum of the lines), a gapless number per firm, a journal entry in the
firm's primary book (debit 1100 receivable, credit 4000 service revenue). A rejected request writes
nothing and does not use a number. Voiding reverses the journal entry and frees the time; the number
stays used.
"""

import datetime as dt
import json
import threading
from decimal import Decimal
from fractions import Fraction
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from axiomatic.core.errors import ApplicationError, ConflictError
from axiomatic.core.ids import new_public_id
from axiomatic.core.money import MAX_CENTS
from axiomatic.entities.models import Entity, PartnerEnrollment
from axiomatic.ledger.models import Account, JournalEntry
from axiomatic.ledger.selectors import account_balances
from billing.models import FirmBillingProfile, Invoice, InvoiceEvent, InvoiceLine
from billing.services.invoices import invoice_create_from_time
from practice.models import ClientLink, TimeEntry
from practice.services.clients import client_archive, client_update, firm_default_rate_set
from practice.services.time_entries import time_entry_create, time_entry_delete
from tests.helpers import assert_error, db_snapshot, requires_postgres

pytestmark = pytest.mark.django_db

INVOICE = "/api/practice/billing/invoice"
INVOICES = "/api/practice/billing/invoices"
TIME = "/api/practice/time"

INVOICE_KEYS = {
    "id",
    "number",
    "clientEntityId",
    "issueDate",
    "dueDate",
    "currency",
    "status",
    "total",
    "lineCount",
    "journalEntryId",
    "voidJournalEntryId",
    "voidedAt",
    "createdAt",
    "lines",
    # docs: spec/extensions.md, Receivables
    "subtotal",
    "adjustment",
    "adjustmentReason",
    "amountPaid",
    "balanceDue",
    "sentAt",
    "payments",
}
LINE_KEYS = {"timeEntryId", "date", "description", "hours", "rate", "amount"} | {
    "kind",
    "standardAmount",
    "engagementId",
}
FAR_FUTURE = dt.date(2999, 12, 31)


# --- Helpers ------------------------------------------------------------------------------------


def log(persona, link, hours: str = "2.50", *, rate=12_500, day=dt.date(2026, 1, 15), **kwargs):
    """A time entry written through the real service (rate=None: no explicit rate)."""
    return time_entry_create(
        firm=persona.firm,
        link=link,
        work_date=day,
        hours=Decimal(hours),
        rate_cents=rate,
        **kwargs,
    )


def bulk_log(persona, link, count: int, *, hours=Decimal("1.00"), rate: int = 10_000):
    return TimeEntry.objects.bulk_create(
        TimeEntry(
            firm=persona.firm,
            client=link.client,
            date=dt.date(2026, 1, 1) + dt.timedelta(days=i % 28),
            hours=hours,
            rate_cents=rate,
            rate_source="explicit",
            amount_cents=int(hours * rate),
        )
        for i in range(count)
    )


def ids_of(entries) -> list[str]:
    return [e if isinstance(e, str) else e.public_id for e in entries]


def invoice_body(persona, link, entries, **overrides) -> dict:
    body = {
        "firmEntityId": persona.firm.public_id,
        "clientEntityId": link.client.public_id,
        "timeEntryIds": ids_of(entries),
    }
    body.update(overrides)
    return body


def post(client, body):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(INVOICE, data=data, content_type="application/json")


def bill(persona, link, entries, **overrides) -> dict:
    response = post(persona.client, invoice_body(persona, link, entries, **overrides))
    assert response.status_code == 201, response.content
    return response.json()


def void(client, invoice_id: str, firm_id: str | None, body: dict | None = None):
    url = f"{INVOICES}/{invoice_id}/void"
    if firm_id is not None:
        url += "?" + urlencode({"firmEntityId": firm_id})
    data = json.dumps(body) if body is not None else None
    return client.post(url, data=data, content_type="application/json")


def invoices(persona, **params) -> dict:
    response = persona.client.get(INVOICES, {"firmEntityId": persona.firm.public_id, **params})
    assert response.status_code == 200, response.content
    return response.json()


def time_entries(persona, **params) -> dict[str, dict]:
    response = persona.client.get(TIME, {"firmEntityId": persona.firm.public_id, **params})
    assert response.status_code == 200, response.content
    return {e["id"]: e for e in response.json()["entries"]}


def patch_entry(persona, entry, body):
    url = f"{TIME}/{entry.public_id}?" + urlencode({"firmEntityId": persona.firm.public_id})
    return persona.client.patch(url, data=json.dumps(body), content_type="application/json")


def delete_entry(persona, entry):
    params = {"timeEntryId": entry.public_id, "firmEntityId": persona.firm.public_id}
    return persona.client.delete(f"{TIME}?{urlencode(params)}")


def balances(persona) -> dict[str, tuple[int, int]]:
    """(debits, credits) in cents of every account of the firm's primary book that moved."""
    return {
        a.code: (a.debit_total, a.credit_total)
        for a in account_balances(book=persona.gl, date_to=FAR_FUTURE)
        if a.debit_total or a.credit_total
    }


def journal_lines(public_id: str) -> list[tuple[str, int, int]]:
    entry = JournalEntry.objects.get(public_id=public_id)
    return sorted(
        (line.account.code, line.debit_cents, line.credit_cents)
        for line in entry.lines.select_related("account")
    )


def last_number(firm) -> int:
    value = (
        FirmBillingProfile.objects.filter(firm=firm)
        .values_list("last_invoice_number", flat=True)
        .first()
    )
    return value or 0


def billing_state(entries) -> list[tuple]:
    return list(
        TimeEntry.objects.filter(pk__in=[e.pk for e in entries])
        .order_by("pk")
        .values_list("billing_status", "invoice_public_id", "invoice_number")
    )


def named(error: dict) -> str:
    """Everything an error says, to look for the ids it names."""
    return " ".join([error["message"], *(m for ms in error["fields"].values() for m in ms)])


def half_up(numerator: int, denominator: int = 1) -> int:
    value = Fraction(numerator, denominator)
    return int((value + Fraction(1, 2)) // 1)


def suspend(persona) -> None:
    PartnerEnrollment.objects.filter(firm=persona.firm).update(status="suspended")


# --- Create: the contract example and the invoice's shape ---------------------------------------


def test_the_contract_example_three_entries_make_one_invoice(alice, acme):
    # Written out of date order: lines come in date order.
    late = log(alice, acme, "5.00", day=dt.date(2026, 1, 7), description="Payroll")
    early = log(alice, acme, "10.00", day=dt.date(2026, 1, 5), description="Month-end close")
    middle = log(alice, acme, "5.00", day=dt.date(2026, 1, 6))
    response = post(alice.client, invoice_body(alice, acme, [late, early, middle]))
    assert response.status_code == 201, response.content
    body = response.json()
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

    error = assert_error(patch_entry(alice, a, {"hours": 1.5}), 409, "time_entry_invoiced")
    assert a.public_id in error["message"]
    assert_error(delete_entry(alice, b), 409, "time_entry_invoiced")
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
    FirmBillingProfile.objects.filter(firm=alice.firm).update(payment_terms_days=14)
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
    voided = void(alice.client, invoice["id"], alice.firm.public_id)
    assert voided.status_code == 200, voided.content
    assert voided.json()["invoice"]["status"] == "void"
    assert voided.json()["invoice"]["voidJournalEntryId"] is None
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


# --- Create: rejections write nothing and use no number ------------------------------------------


@pytest.fixture
def numbered(alice, acme):
    """Alice's firm has used INV-000001: a rejection must leave the next number at 2."""
    bill(alice, acme, [log(alice, acme, "1.00")])
    assert last_number(alice.firm) == 1


def assert_next_number_is_2(alice, acme):
    assert last_number(alice.firm) == 1
    assert bill(alice, acme, [log(alice, acme)])["invoice"]["number"] == "INV-000002"


def test_another_firms_entries_get_the_same_400_as_unknown_ids(
    alice, acme, charlie, globex, numbered
):
    mine = log(alice, acme)
    theirs = log(charlie, globex)
    unknown_id = new_public_id("te")
    before = db_snapshot()
    foreign = post(alice.client, invoice_body(alice, acme, [mine, theirs]))
    unknown = post(alice.client, invoice_body(alice, acme, [mine.public_id, unknown_id]))
    error = assert_error(foreign, 400, "validation_error")
    assert "timeEntryIds" in error["fields"]
    assert theirs.public_id in error["message"]
    assert mine.public_id not in named(error)
    assert_error(unknown, 400, "validation_error")
    # Byte for byte the same answer, but for the id it names.
    assert foreign.content.decode().replace(
        theirs.public_id, "ID"
    ) == unknown.content.decode().replace(unknown_id, "ID")
    assert db_snapshot() == before
    assert billing_state([mine, theirs]) == [("unbilled", None, None)] * 2
    assert_next_number_is_2(alice, acme)


def test_every_unknown_id_is_named(alice, acme):
    mine = log(alice, acme)
    missing = [new_public_id("te"), new_public_id("te")]
    before = db_snapshot()
    error = assert_error(
        post(alice.client, invoice_body(alice, acme, [missing[0], mine, missing[1]])), 400
    )
    assert all(i in named(error) for i in missing)
    assert mine.public_id not in named(error)
    assert db_snapshot() == before


def test_charlie_cannot_invoice_alices_time_to_his_own_client(alice, acme, charlie, globex):
    mine = log(alice, acme)
    unknown_id = new_public_id("te")
    before = db_snapshot()
    foreign = post(charlie.client, invoice_body(charlie, globex, [mine]))
    unknown = post(charlie.client, invoice_body(charlie, globex, [unknown_id]))
    assert_error(foreign, 400, "validation_error")
    assert foreign.content.decode().replace(
        mine.public_id, "ID"
    ) == unknown.content.decode().replace(unknown_id, "ID")
    assert db_snapshot() == before
    assert billing_state([mine]) == [("unbilled", None, None)]
    assert last_number(charlie.firm) == 0


def test_an_entry_of_another_client_of_the_same_firm_is_400(alice, acme, make_client, numbered):
    other = make_client(alice, "Other Co")
    mine, theirs = log(alice, acme), log(alice, other)
    before = db_snapshot()
    error = assert_error(
        post(alice.client, invoice_body(alice, acme, [mine, theirs])),
        400,
        "time_entries_not_invoiceable",
    )
    assert "timeEntryIds" in error["fields"]
    assert theirs.public_id in named(error) and mine.public_id not in named(error)
    assert db_snapshot() == before
    assert billing_state([mine, theirs]) == [("unbilled", None, None)] * 2
    assert_next_number_is_2(alice, acme)


def test_a_non_billable_entry_is_400_not_invoiceable(alice, acme, numbered):
    billable = log(alice, acme)
    internal = log(alice, acme, billable=False)
    before = db_snapshot()
    error = assert_error(
        post(alice.client, invoice_body(alice, acme, [billable, internal])),
        400,
        "time_entries_not_invoiceable",
    )
    assert "timeEntryIds" in error["fields"]
    assert internal.public_id in named(error) and billable.public_id not in named(error)
    assert db_snapshot() == before
    assert billing_state([billable, internal]) == [("unbilled", None, None)] * 2
    assert_next_number_is_2(alice, acme)


def test_an_entry_without_any_rate_is_400_not_invoiceable(alice, acme, numbered):
    rated = log(alice, acme)
    unrated = log(alice, acme, rate=None)  # no explicit, client or firm rate
    assert unrated.rate_cents is None
    before = db_snapshot()
    error = assert_error(
        post(alice.client, invoice_body(alice, acme, [rated, unrated])),
        400,
        "time_entries_not_invoiceable",
    )
    assert "timeEntryIds" in error["fields"]
    assert unrated.public_id in named(error) and rated.public_id not in named(error)
    assert db_snapshot() == before
    assert billing_state([rated, unrated]) == [("unbilled", None, None)] * 2
    assert_next_number_is_2(alice, acme)


def test_already_invoiced_entries_are_409_naming_them(alice, acme):
    a, b, c = log(alice, acme), log(alice, acme), log(alice, acme)
    first = bill(alice, acme, [a, b])["invoice"]
    before = db_snapshot()
    response = post(alice.client, invoice_body(alice, acme, [c, b]))
    error = assert_error(response, 409, "time_entry_invoiced")
    assert b.public_id in error["message"]
    assert c.public_id not in named(error)
    assert_error(post(alice.client, invoice_body(alice, acme, [a, b])), 409, "time_entry_invoiced")
    assert db_snapshot() == before
    assert billing_state([a, b]) == [("billed", first["id"], "INV-000001")] * 2
    assert billing_state([c]) == [("unbilled", None, None)]
    assert last_number(alice.firm) == 1
    assert bill(alice, acme, [c])["invoice"]["number"] == "INV-000002"


def test_an_incomplete_chart_is_409_and_gives_the_number_back(alice, acme, numbered):
    Account.objects.filter(entity=alice.firm, code="1100").update(is_active=False)
    entry = log(alice, acme)
    before = db_snapshot()
    assert_error(post(alice.client, invoice_body(alice, acme, [entry])), 409, "chart_incomplete")
    assert db_snapshot() == before
    assert billing_state([entry]) == [("unbilled", None, None)]
    Account.objects.filter(entity=alice.firm, code="1100").update(is_active=True)
    assert_next_number_is_2(alice, acme)


def _many_ids(n: int) -> list[str]:
    return [new_public_id("te") for _ in range(n)]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda b: {**b, "timeEntryIds": b["timeEntryIds"][:1] * 2}, "timeEntryIds"),
        (
            lambda b: {**b, "timeEntryIds": [*b["timeEntryIds"], b["timeEntryIds"][0]]},
            "timeEntryIds",
        ),
        (lambda b: {**b, "timeEntryIds": []}, "timeEntryIds"),
        (lambda b: {**b, "timeEntryIds": _many_ids(1_001)}, "timeEntryIds"),
        (lambda b: {**b, "timeEntryIds": ["te_123"]}, "timeEntryIds"),
        (lambda b: {**b, "timeEntryIds": ["junk"]}, "timeEntryIds"),
        (lambda b: {**b, "timeEntryIds": [new_public_id("ent")]}, "timeEntryIds"),
        (lambda b: {**b, "timeEntryIds": [123]}, "timeEntryIds"),
        (lambda b: {**b, "timeEntryIds": [None]}, "timeEntryIds"),
        (lambda b: {**b, "timeEntryIds": b["timeEntryIds"][0]}, "timeEntryIds"),
        (lambda b: {**b, "timeEntryIds": {"id": b["timeEntryIds"][0]}}, "timeEntryIds"),
        (lambda b: {**b, "timeEntryIds": None}, "timeEntryIds"),
        (lambda b: {k: v for k, v in b.items() if k != "timeEntryIds"}, "timeEntryIds"),
        (lambda b: {k: v for k, v in b.items() if k != "clientEntityId"}, "clientEntityId"),
        (lambda b: {**b, "clientEntityId": "acme"}, "clientEntityId"),
        (lambda b: {**b, "clientEntityId": 42}, "clientEntityId"),
        (lambda b: {**b, "clientEntityId": None}, "clientEntityId"),
        (lambda b: {**b, "clientEntityId": new_public_id("pcl")}, "clientEntityId"),
        (lambda b: {k: v for k, v in b.items() if k != "firmEntityId"}, "firmEntityId"),
        (lambda b: {**b, "firmEntityId": "firm"}, "firmEntityId"),
        (lambda b: {**b, "issueDate": "2026-02-30"}, "issueDate"),
        (lambda b: {**b, "issueDate": "15/01/2026"}, "issueDate"),
        (lambda b: {**b, "issueDate": 20260115}, "issueDate"),
        (lambda b: {**b, "issueDate": "1899-12-31"}, "issueDate"),
        (lambda b: {**b, "dueDate": "tomorrow"}, "dueDate"),
        (lambda b: {**b, "dueDate": "3000-01-01"}, "dueDate"),
        (lambda b: {**b, "dueDate": True}, "dueDate"),
        (lambda b: {**b, "issueDate": "2026-03-02", "dueDate": "2026-03-01"}, "dueDate"),
    ],
)
def test_bad_bodies_are_400_naming_the_field_and_write_nothing(
    alice, acme, numbered, change, field
):
    entries = [log(alice, acme), log(alice, acme)]
    body = change(invoice_body(alice, acme, entries))
    before = db_snapshot()
    error = assert_error(post(alice.client, body), 400, "validation_error")
    assert any(k == field or k.startswith(f"{field}[") for k in error["fields"]), error
    assert db_snapshot() == before
    assert billing_state(entries) == [("unbilled", None, None)] * 2
    assert_next_number_is_2(alice, acme)


def test_a_due_date_before_today_without_an_issue_date_is_400(alice, acme):
    entry = log(alice, acme)
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    before = db_snapshot()
    error = assert_error(
        post(alice.client, invoice_body(alice, acme, [entry], dueDate=yesterday)),
        400,
        "validation_error",
    )
    assert "dueDate" in error["fields"]
    assert db_snapshot() == before
    assert last_number(alice.firm) == 0


@pytest.mark.parametrize("raw", ["{not json", "[]", '"te_x"', "null"])
def test_a_body_that_is_not_a_json_object_is_400(alice, acme, raw):
    before = db_snapshot()
    assert_error(post(alice.client, raw), 400)
    assert db_snapshot() == before


def test_an_invoice_total_beyond_any_real_amount_is_400_not_a_crash(alice, acme):
    # 400 lines of 24h at the highest rate the API takes: the total does not fit in 64 bits.
    entries = bulk_log(alice, acme, 400, hours=Decimal("24.00"), rate=MAX_CENTS)
    alice.client.raise_request_exception = False
    before = db_snapshot()
    response = post(alice.client, invoice_body(alice, acme, entries))
    assert_error(response, 400)
    assert db_snapshot() == before
    assert not TimeEntry.objects.filter(firm=alice.firm, billing_status="billed").exists()
    assert last_number(alice.firm) == 0


def test_the_client_must_be_an_active_client_of_the_firm_all_others_are_the_same_404(
    alice, acme, charlie, globex, make_client
):
    mine = log(alice, acme)
    gone = make_client(alice, "Gone Co")
    gone_entry = log(alice, gone)
    client_archive(link=gone)
    before = db_snapshot()
    responses = [
        post(alice.client, invoice_body(alice, acme, [mine], clientEntityId=client_id))
        for client_id in (
            new_public_id("ent"),
            globex.client.public_id,
            gone.client.public_id,
            alice.firm.public_id,
            charlie.firm.public_id,
        )
    ]
    responses.append(post(alice.client, invoice_body(alice, gone, [gone_entry])))
    for response in responses:
        assert_error(response, 404, "not_found")
        assert response.content == responses[0].content
    assert db_snapshot() == before
    assert billing_state([mine, gone_entry]) == [("unbilled", None, None)] * 2
    assert last_number(alice.firm) == 0


# --- Access ---------------------------------------------------------------------------------------


def test_anonymous_is_401_everywhere_and_changes_nothing(anon, alice, acme):
    entry = log(alice, acme)
    invoice = bill(alice, acme, [entry])["invoice"]
    other = log(alice, acme)
    before = db_snapshot()
    firm = alice.firm.public_id
    assert_error(post(anon, invoice_body(alice, acme, [other])), 401, "not_authenticated")
    assert_error(anon.get(INVOICES, {"firmEntityId": firm}), 401, "not_authenticated")
    assert_error(void(anon, invoice["id"], firm), 401, "not_authenticated")
    assert db_snapshot() == before
    assert Invoice.objects.get(public_id=invoice["id"]).status == "open"


def test_a_viewer_can_list_but_not_invoice_or_void(alice, acme, bob):
    entry = log(alice, acme)
    invoice = bill(alice, acme, [entry])["invoice"]
    other = log(alice, acme)
    assert [i["id"] for i in invoices(bob)["invoices"]] == [invoice["id"]]
    before = db_snapshot()
    assert_error(post(bob.client, invoice_body(bob, acme, [other])), 403, "permission_denied")
    assert_error(void(bob.client, invoice["id"], bob.firm.public_id), 403, "permission_denied")
    assert db_snapshot() == before
    assert last_number(alice.firm) == 1
    assert Invoice.objects.get(public_id=invoice["id"]).status == "open"
    assert billing_state([other]) == [("unbilled", None, None)]


def test_a_suspended_firm_gets_403_partner_program_required(alice, acme, bob):
    invoice = bill(alice, acme, [log(alice, acme)])["invoice"]
    other = log(alice, acme)
    suspend(alice)
    before = db_snapshot()
    firm = alice.firm.public_id
    code = "partner_program_required"
    assert_error(post(alice.client, invoice_body(alice, acme, [other])), 403, code)
    assert_error(void(alice.client, invoice["id"], firm), 403, code)
    for client in (alice.client, bob.client):
        assert_error(client.get(INVOICES, {"firmEntityId": firm}), 403, code)
    assert db_snapshot() == before
    assert last_number(alice.firm) == 1
    assert Invoice.objects.get(public_id=invoice["id"]).status == "open"


def test_another_firm_is_the_same_404_as_an_unknown_one(alice, acme, charlie, globex):
    mine = log(alice, acme)
    invoice = bill(alice, acme, [log(alice, acme)])["invoice"]
    before = db_snapshot()
    unknown_firm = new_public_id("ent")
    foreign = post(charlie.client, invoice_body(alice, acme, [mine]))
    unknown = post(charlie.client, invoice_body(alice, acme, [mine], firmEntityId=unknown_firm))
    assert_error(foreign, 404, "not_found")
    assert foreign.content == unknown.content
    listed = charlie.client.get(INVOICES, {"firmEntityId": alice.firm.public_id})
    listed_unknown = charlie.client.get(INVOICES, {"firmEntityId": unknown_firm})
    assert_error(listed, 404, "not_found")
    assert listed.content == listed_unknown.content == foreign.content
    voided = void(charlie.client, invoice["id"], alice.firm.public_id)
    assert_error(voided, 404, "not_found")
    assert voided.content == foreign.content
    assert db_snapshot() == before
    assert Invoice.objects.get(public_id=invoice["id"]).status == "open"


# --- List -----------------------------------------------------------------------------------------


def test_the_list_shows_invoices_newest_first_with_their_lines(alice, acme, make_client):
    other = make_client(alice, "Other Co")
    first = bill(alice, acme, [log(alice, acme, "1.00"), log(alice, acme, "2.00")])["invoice"]
    second = bill(alice, other, [log(alice, other, "3.00")])["invoice"]
    body = invoices(alice)
    assert set(body) == {"invoices", "hasMore", "nextCursor"}
    assert body["invoices"] == [second, first]
    assert body["hasMore"] is False and body["nextCursor"] is None
    assert [len(i["lines"]) for i in body["invoices"]] == [1, 2]


def test_list_filters(alice, acme, make_client, charlie, globex):
    other = make_client(alice, "Other Co")
    first = bill(alice, acme, [log(alice, acme)])["invoice"]
    second = bill(alice, other, [log(alice, other)])["invoice"]
    theirs = bill(charlie, globex, [log(charlie, globex)])["invoice"]

    def ids(**params):
        return [i["id"] for i in invoices(alice, **params)["invoices"]]

    assert ids() == [second["id"], first["id"]]
    assert ids(clientEntityId=acme.client.public_id) == [first["id"]]
    assert ids(clientEntityId=other.client.public_id) == [second["id"]]
    assert ids(status="open") == [second["id"], first["id"]]
    assert ids(status="void") == []
    assert void(alice.client, first["id"], alice.firm.public_id).status_code == 200
    assert ids(status="void") == [first["id"]]
    assert ids(status="open") == [second["id"]]
    assert ids(status="void", clientEntityId=other.client.public_id) == []
    # Another firm's client shows nothing of it.
    assert ids(clientEntityId=globex.client.public_id) == []
    assert [i["id"] for i in invoices(charlie)["invoices"]] == [theirs["id"]]


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"firmEntityId": None}, "firmEntityId"),
        ({"firmEntityId": "junk"}, "firmEntityId"),
        ({"status": "draft"}, "status"),
        ({"status": "VOID"}, "status"),
        ({"clientEntityId": "acme"}, "clientEntityId"),
        ({"clientEntityId": "inv_" + "0" * 26}, "clientEntityId"),
        ({"limit": "0"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"cursor": "garbage"}, "cursor"),
    ],
)
def test_bad_list_query_parameters_are_400(alice, acme, extra, field):
    bill(alice, acme, [log(alice, acme)])
    params = {"firmEntityId": alice.firm.public_id, **extra}
    params = {k: v for k, v in params.items() if v is not None}
    error = assert_error(alice.client.get(INVOICES, params), 400, "validation_error")
    assert field in error["fields"], error


def test_cursor_pagination_walks_every_invoice_once(alice, acme):
    created = [bill(alice, acme, [log(alice, acme)])["invoice"]["id"] for _ in range(5)]
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = invoices(alice, **params)
        seen += [i["id"] for i in body["invoices"]]
        if not body["hasMore"]:
            assert body["nextCursor"] is None
            break
        assert len(body["invoices"]) == 2
        cursor = body["nextCursor"]
    assert seen == list(reversed(created))


def _count_queries(persona, params) -> int:
    persona.client.get(INVOICES, params)  # warm up: the first call of a minute stamps the key's use
    with CaptureQueriesContext(connection) as ctx:
        response = persona.client.get(INVOICES, params)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


def test_the_list_takes_the_same_queries_for_1_or_50_invoices(alice, acme, make_client):
    params = {"firmEntityId": alice.firm.public_id}
    bill(alice, acme, [log(alice, acme), log(alice, acme)])
    one = _count_queries(alice, params)
    other = make_client(alice, "Other Co")
    entries = bulk_log(alice, other, 49 * 3)
    for i in range(49):
        invoice_create_from_time(
            firm=alice.firm,
            link=other,
            time_entry_ids=ids_of(entries[i * 3 : i * 3 + 3]),
            created_by=alice.user,
        )
    voided = Invoice.objects.filter(firm=alice.firm).order_by("id").last()
    assert void(alice.client, voided.public_id, alice.firm.public_id).status_code == 200
    many = _count_queries(alice, params)
    body = invoices(alice)
    assert len(body["invoices"]) == 50
    assert sum(i["lineCount"] for i in body["invoices"]) == 2 + 49 * 3
    assert one == many


# --- Void -----------------------------------------------------------------------------------------


def test_void_reverses_the_journal_entry_and_frees_the_time(alice, acme):
    entries = [log(alice, acme, "10.00"), log(alice, acme, "5.00")]
    created = bill(alice, acme, entries)["invoice"]
    response = void(alice.client, created["id"], alice.firm.public_id)
    assert response.status_code == 200, response.content
    body = response.json()
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
    edited = patch_entry(alice, entries[0], {"description": "Rebilled"})
    assert edited.status_code == 200, edited.content
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
    void(alice.client, first["id"], alice.firm.public_id)
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
    first = void(alice.client, created["id"], alice.firm.public_id)
    assert first.status_code == 200, first.content
    again = bill(alice, acme, entries)["invoice"]  # the time is on INV-000002 now
    before, journals = db_snapshot(), JournalEntry.objects.count()
    ledger = balances(alice)
    second = void(alice.client, created["id"], alice.firm.public_id)
    assert second.status_code == 200, second.content
    assert second.json() == first.json()
    assert JournalEntry.objects.count() == journals
    assert balances(alice) == ledger
    assert db_snapshot() == before
    assert InvoiceEvent.objects.filter(kind="voided").count() == 1
    # The second void did not free time that a later invoice bills.
    assert billing_state(entries) == [("billed", again["id"], "INV-000002")]


def test_void_takes_the_firm_from_the_body_too(alice, acme):
    created = bill(alice, acme, [log(alice, acme)])["invoice"]
    response = void(alice.client, created["id"], None, body={"firmEntityId": alice.firm.public_id})
    assert response.status_code == 200, response.content
    assert response.json()["invoice"]["status"] == "void"


def test_void_refuses_a_body_that_is_not_an_object(alice, acme):
    created = bill(alice, acme, [log(alice, acme)])["invoice"]
    url = f"{INVOICES}/{created['id']}/void?" + urlencode({"firmEntityId": alice.firm.public_id})
    before = db_snapshot()
    for body in ("0", "false", "[]", '""'):
        response = alice.client.post(url, data=body, content_type="application/json")
        assert_error(response, 400, "validation_error")
    assert db_snapshot() == before
    assert void(alice.client, created["id"], alice.firm.public_id).status_code == 200


def test_voiding_another_firms_or_an_unknown_invoice_is_the_same_404(alice, acme, charlie, globex):
    mine = bill(alice, acme, [log(alice, acme)])["invoice"]
    theirs = bill(charlie, globex, [log(charlie, globex)])["invoice"]
    before = db_snapshot()
    foreign = void(alice.client, theirs["id"], alice.firm.public_id)
    unknown = void(alice.client, new_public_id("inv"), alice.firm.public_id)
    assert_error(foreign, 404, "not_found")
    assert foreign.content == unknown.content
    by_charlie = void(charlie.client, mine["id"], charlie.firm.public_id)
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
    error = assert_error(void(alice.client, invoice_id, firm), 400, "validation_error")
    assert field in error["fields"], error
    assert db_snapshot() == before
    assert Invoice.objects.get(public_id=created["id"]).status == "open"


def test_a_paid_invoice_cannot_be_voided(alice, acme):
    entries = [log(alice, acme)]
    created = bill(alice, acme, entries)["invoice"]
    Invoice.objects.filter(public_id=created["id"]).update(status="paid")
    before, ledger = db_snapshot(), balances(alice)
    assert_error(void(alice.client, created["id"], alice.firm.public_id), 409, "invoice_paid")
    assert db_snapshot() == before and balances(alice) == ledger
    assert billing_state(entries) == [("billed", created["id"], "INV-000001")]


def test_a_void_invoice_keeps_its_lines_when_the_freed_time_is_deleted(alice, acme):
    entry = log(alice, acme, "3.00", description="Audit prep")
    created = bill(alice, acme, [entry])["invoice"]
    void(alice.client, created["id"], alice.firm.public_id)
    assert delete_entry(alice, entry).status_code == 204
    listed = invoices(alice)["invoices"][0]
    assert listed["lines"] == [{**created["lines"][0], "timeEntryId": None}]
    assert listed["total"] == 37_500 and listed["lineCount"] == 1


# --- Concurrency (PostgreSQL) ------------------------------------------------------------------


def _fresh(firm_pk: int, link_pk: int):
    return Entity.objects.get(pk=firm_pk), ClientLink.objects.select_related("client").get(
        pk=link_pk
    )


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_racing_invoices_of_the_same_time_make_exactly_one(alice, acme):
    entries = [log(alice, acme, "1.00"), log(alice, acme, "2.00"), log(alice, acme, "3.00")]
    ids = ids_of(entries)
    barrier = threading.Barrier(20)
    results: list[object] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def race():
        try:
            firm, link = _fresh(alice.firm.pk, acme.pk)
            barrier.wait(timeout=20)
            try:
                outcome = invoice_create_from_time(firm=firm, link=link, time_entry_ids=ids)
            except ApplicationError as exc:
                outcome = exc
            with lock:
                results.append(outcome)
        except BaseException as exc:  # reported below; a thread cannot fail the test itself
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=race) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
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
        barrier = threading.Barrier(2)
        results: dict[str, object] = {}
        errors: list[BaseException] = []

        def bill_it(entry=entry, barrier=barrier, results=results, errors=errors):
            try:
                firm, link = _fresh(alice.firm.pk, acme.pk)
                barrier.wait(timeout=10)
                try:
                    results["invoice"] = invoice_create_from_time(
                        firm=firm, link=link, time_entry_ids=[entry.public_id]
                    )
                except ApplicationError as exc:
                    results["invoice"] = exc
            except BaseException as exc:  # reported below
                errors.append(exc)
            finally:
                connection.close()

        def delete_it(entry=entry, barrier=barrier, results=results, errors=errors):
            try:
                firm = Entity.objects.get(pk=alice.firm.pk)
                barrier.wait(timeout=10)
                try:
                    time_entry_delete(firm=firm, public_id=entry.public_id)
                    results["delete"] = "deleted"
                except ApplicationError as exc:
                    results["delete"] = exc
            except BaseException as exc:
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=bill_it), threading.Thread(target=delete_it)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert errors == []
        stored = TimeEntry.objects.filter(pk=entry.pk).first()
        invoiced, deleted = results["invoice"], results["delete"]
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
    barrier = threading.Barrier(10)
    results: list[object] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def race(entry):
        try:
            firm, link = _fresh(alice.firm.pk, acme.pk)
            barrier.wait(timeout=20)
            outcome = invoice_create_from_time(
                firm=firm, link=link, time_entry_ids=[entry.public_id]
            )
            with lock:
                results.append(outcome)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=race, args=(entry,)) for entry in entries]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sorted(invoice.number for invoice in results) == list(range(1, 11))
    assert last_number(alice.firm) == 10
    assert TimeEntry.objects.filter(firm=alice.firm, billing_status="billed").count() == 10
    assert balances(alice) == {"1100": (125_000, 0), "4000": (0, 125_000)}
