"""What the receivables admin tests share: invoices and payments made through the services, the
admin's URLs for them, and the cells of a rendered HTML table."""

import datetime as dt
from html.parser import HTMLParser

from django.urls import reverse

from billing.models import Invoice
from billing.services.invoices import NO_ADJUSTMENT, invoice_create_from_time
from billing.services.payments import payment_create
from tests.billing.invoice_helpers import log

D = dt.date


def invoiced(
    persona, link, hours: str, *, issue: dt.date, due=None, rate=12_500, adjustment=NO_ADJUSTMENT
) -> Invoice:
    """An invoice of `hours` at `rate` (cents an hour), logged and issued on `issue`."""
    entry = log(persona, link, hours, rate=rate, day=issue)
    return invoice_create_from_time(
        firm=persona.firm,
        link=link,
        time_entry_ids=[entry.public_id],
        issue_date=issue,
        due_date=due,
        adjustment=adjustment,
        created_by=persona.user,
    )


def paying(persona, invoice: Invoice, cents: int, day: dt.date, method="check"):
    return payment_create(
        firm=persona.firm,
        invoice_public_id=invoice.public_id,
        amount_cents=cents,
        date=day,
        method=method,
        created_by=persona.user,
    )


def change_url(invoice: Invoice) -> str:
    return reverse("admin:billing_invoice_change", args=[invoice.pk])


def payment_add_url(invoice: Invoice) -> str:
    return reverse("admin:billing_invoice_payment_add", args=[invoice.pk])


def payment_void_url(invoice: Invoice, payment_id: str) -> str:
    return reverse("admin:billing_invoice_payment_void", args=[invoice.pk, payment_id])


def payment_form(amount: str, day: dt.date, method="check", reference="") -> dict[str, str]:
    return {
        "payment-amount": amount,
        "payment-date": day.isoformat(),
        "payment-method": method,
        "payment-reference": reference,
    }


class _Cells(HTMLParser):
    def __init__(self, table_id: str | None):
        super().__init__()
        self.table_id = table_id
        self.depth = 0  # inside the table: how many tables deep
        self.done = False
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        wanted = self.table_id is None or dict(attrs).get("id") == self.table_id
        if tag == "table" and (self.depth or (wanted and not self.done)):
            self.depth += 1
        elif self.depth and tag == "tr":
            self.rows.append([])
        elif self.depth and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table" and self.depth:
            self.depth -= 1
            self.done = not self.depth
        elif self.depth and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def table_rows(html: str, table_id: str | None = None) -> list[list[str]]:
    """The text of each cell of the table with that id (or of the first table), row by row, header
    and footer included."""
    parser = _Cells(table_id)
    parser.feed(html)
    return parser.rows
