"""The billed client's pages: its invoices on /client/, one invoice, and the invoice's PDF.

These are the client's pages, reached by the client's own users (members of the billed entity,
`billing.selectors.client_invoices`), and where the emailed "view your invoice" link lands: signing
in comes first, then the page. An unknown, malformed or foreign invoice id gets the same 404, and
so does firm staff who are not members of the client. Nothing here is cached: invoices change as
they are paid.

Practice's client home page cannot import billing (billing sits above it), so the invoices section
is plugged into `practice.pages.client_home_sections` in BillingConfig.ready.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from axiomatic.entities.models import Entity
from billing.documents import invoice_pdf
from billing.models import Invoice, InvoiceStatus
from billing.selectors.client_invoices import client_invoice_get, client_invoices_by_entity

UNPAID = frozenset({InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID})


@dataclass(frozen=True)
class ClientInvoiceRow:
    """An invoice as the client reads it: a void one has nothing due."""

    invoice: Invoice
    overdue: bool
    balance_due_cents: int


def _row(invoice: Invoice, today) -> ClientInvoiceRow:
    unpaid = invoice.status in UNPAID
    return ClientInvoiceRow(
        invoice=invoice,
        overdue=unpaid and invoice.due_date < today,
        balance_due_cents=invoice.balance_due_cents if unpaid else 0,
    )


def _balances(rows: list[ClientInvoiceRow]) -> list[tuple[str, dict[str, int]]]:
    """What is due and overdue, per currency (one client may be billed by firms in several)."""
    totals: dict[str, dict[str, int]] = defaultdict(lambda: {"due": 0, "overdue": 0})
    for row in rows:
        totals[row.invoice.currency]["due"] += row.balance_due_cents
        if row.overdue:
            totals[row.invoice.currency]["overdue"] += row.balance_due_cents
    return sorted(totals.items())


def client_invoices_section(*, request, entities: list[Entity]) -> dict[int, str]:
    """The invoices section of each entity's card on /client/, for those billed at least once
    (a `practice.pages.client_home_sections` provider). One query for all of them."""
    today = timezone.localdate()
    sections = {}
    for entity_pk, invoices in client_invoices_by_entity(entities=entities).items():
        rows = [_row(invoice, today) for invoice in invoices]
        sections[entity_pk] = render_to_string(
            "billing/client_invoices_section.html",
            {"rows": rows, "balances": _balances(rows)},
            request=request,
        )
    return sections


def _invoice_or_404(request, invoice_id: str) -> Invoice:
    invoice = client_invoice_get(user=request.user, public_id=invoice_id)
    if invoice is None:
        raise Http404("No such invoice.")
    return invoice


@never_cache
@login_required
@require_safe
def client_invoice_page(request, invoice_id: str):
    invoice = _invoice_or_404(request, invoice_id)
    context = {
        "invoice": invoice,
        "row": _row(invoice, timezone.localdate()),
        "lines": list(invoice.lines.all()),
        "payments": list(invoice.payments.all()),
    }
    return render(request, "billing/client_invoice.html", context)


@never_cache
@login_required
@require_safe
def client_invoice_pdf(request, invoice_id: str):
    invoice = _invoice_or_404(request, invoice_id)
    response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{invoice.display_number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
