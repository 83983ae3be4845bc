"""An AR invoice as a document: HTML from a template, PDF from it through axiomatic.core.pdf.

What the client reads: the firm (name, address), the client, the number, issue and due dates and the
payment terms, the lines (an item billed for an engagement, such as a fixed fee, names it), the
adjustment with its reason, the total, the payments received (voided ones left out), the balance
due, and the firm's invoice footer. Every amount is shown as currency.
"""

from dataclasses import dataclass

from django.template.loader import render_to_string

from axiomatic.core.money import format_money
from axiomatic.core.pdf import html_to_pdf
from billing.models import FirmBillingProfile, Invoice, InvoiceLine
from practice.models import Engagement


@dataclass(frozen=True)
class InvoiceDocument:
    invoice: Invoice
    address: str
    footer: str
    lines: list[dict]
    payments: list[dict]
    money: dict[str, str]
    terms_days: int


def invoice_document(invoice: Invoice) -> InvoiceDocument:
    def money(cents: int) -> str:
        return format_money(cents, invoice.currency)

    profile = FirmBillingProfile.objects.filter(firm_id=invoice.firm_id).first()
    all_lines = list(invoice.lines.all())  # a void invoice keeps its lines (no longer live)
    engagements = _engagement_names(all_lines)
    lines = [
        {
            "line": line,
            "engagement": engagements.get(line.engagement_id, ""),
            "rate": money(line.rate_cents) if line.rate_cents is not None else "",
            "standard": money(line.standard_amount_cents),
            "amount": money(line.amount_cents),
        }
        for line in all_lines
    ]
    payments = [
        {"payment": payment, "amount": money(payment.amount_cents)}
        for payment in invoice.payments.all()
        if not payment.is_voided
    ]
    return InvoiceDocument(
        invoice=invoice,
        address=profile.address if profile else "",
        footer=profile.invoice_footer if profile else "",
        lines=sorted(lines, key=lambda row: (row["line"].position, row["line"].pk)),
        payments=sorted(payments, key=lambda row: (row["payment"].date, row["payment"].pk)),
        money={
            "subtotal": money(invoice.subtotal_cents),
            "adjustment": money(invoice.adjustment_cents),
            "total": money(invoice.total_cents),
            "paid": money(invoice.amount_paid_cents),
            # A void invoice asks for nothing.
            "balance": money(0 if invoice.status == "void" else invoice.balance_due_cents),
        },
        terms_days=(invoice.due_date - invoice.issue_date).days,
    )


def _engagement_names(lines: list[InvoiceLine]) -> dict[int, str]:
    """The names of the engagements the lines bill for, by pk: one query, whether or not the
    caller's lines came with their engagements."""
    ids = {line.engagement_id for line in lines if line.engagement_id is not None}
    if not ids:
        return {}
    return dict(Engagement.objects.filter(pk__in=ids).values_list("pk", "name"))


def invoice_html(invoice: Invoice) -> str:
    return render_to_string("billing/invoice.html", {"doc": invoice_document(invoice)})


def invoice_pdf(invoice: Invoice) -> bytes:
    return html_to_pdf(invoice_html(invoice))


def invoice_pdf_filename(invoice: Invoice) -> str:
    return f"{invoice.display_number}.pdf"
