"""What the invoice API tests share: time logged through the service, invoice bodies and calls,
the books' balances and journal lines, the firm's last invoice number, exact half-up rounding."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

from axiomatic.entities.models import PartnerEnrollment
from axiomatic.ledger.models import JournalEntry
from axiomatic.ledger.selectors import account_balances
from billing.models import FirmBillingProfile
from practice.models import TimeEntry
from practice.services.time_entries import time_entry_create
from tests.helpers import api

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


def bill(persona, link, entries, **overrides) -> dict:
    """An invoice made through the API: the answer's body."""
    return api(persona).post(INVOICE, invoice_body(persona, link, entries, **overrides))


def void_url(invoice_id: str) -> str:
    return f"{INVOICES}/{invoice_id}/void"


def invoices(persona, **params) -> dict:
    return api(persona).get(INVOICES, {"firmEntityId": persona.firm.public_id, **params})


def time_entries(persona, **params) -> dict[str, dict]:
    body = api(persona).get(TIME, {"firmEntityId": persona.firm.public_id, **params})
    return {e["id"]: e for e in body["entries"]}


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


def assert_next_number_is_2(alice, acme):
    assert last_number(alice.firm) == 1
    assert bill(alice, acme, [log(alice, acme)])["invoice"]["number"] == "INV-000002"
