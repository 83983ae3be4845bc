"""An AR invoice as a document: HTML from a template, PDF from it through axiomatic.core.pdf."""

from django.template.loader import render_to_string

from axiomatic.core.money import format_cents
from axiomatic.core.pdf import html_to_pdf
from billing.models import Invoice


def invoice_html(invoice: Invoice) -> str:
    lines = [
        {
            "line": line,
            "rate": format_cents(line.rate_cents),
            "amount": format_cents(line.amount_cents),
        }
        for line in invoice.lines.order_by("position", "id")
    ]
    return render_to_string(
        "billing/invoice.html",
        {"invoice": invoice, "lines": lines, "total": format_cents(invoice.total_cents)},
    )


def invoice_pdf(invoice: Invoice) -> bytes:
    return html_to_pdf(invoice_html(invoice))
