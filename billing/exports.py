"""What a firm's export holds of billing: its AR invoices, their lines, payments and deliveries."""

from axiomatic.core.exports import Table, columns
from billing.models import Invoice, InvoiceDelivery, InvoiceLine, Payment, invoice_number_display

TABLES = (
    Table(
        "invoices",
        columns(
            ("id", "public_id"),
            ("number", "number", invoice_number_display),
            ("client_entity_id", "client__public_id"),
            "issue_date",
            "due_date",
            "currency",
            "status",
            "subtotal_cents",
            "adjustment_cents",
            "adjustment_reason",
            "total_cents",
            "amount_paid_cents",
            "sent_at",
            ("journal_entry_id", "journal_entry__public_id"),
            ("void_journal_entry_id", "void_journal_entry__public_id"),
            "voided_at",
            "created_at",
        ),
        lambda scope: Invoice.objects.filter(firm=scope.firm).order_by("id"),
    ),
    Table(
        "invoice_lines",
        columns(
            ("invoice_id", "invoice__public_id"),
            "position",
            "kind",
            ("time_entry_id", "time_entry__public_id"),
            ("engagement_id", "engagement__public_id"),
            "date",
            "description",
            "hours",
            "rate_cents",
            "standard_amount_cents",
            "amount_cents",
            "is_live",
        ),
        lambda scope: InvoiceLine.objects.filter(invoice__firm=scope.firm).order_by(
            "invoice_id", "position", "id"
        ),
    ),
    Table(
        "payments",
        columns(
            ("id", "public_id"),
            ("invoice_id", "invoice__public_id"),
            "amount_cents",
            "date",
            "method",
            "reference",
            ("journal_entry_id", "journal_entry__public_id"),
            ("void_journal_entry_id", "void_journal_entry__public_id"),
            "voided_at",
            "created_at",
        ),
        lambda scope: Payment.objects.filter(firm=scope.firm).order_by("id"),
    ),
    Table(
        "invoice_deliveries",
        columns(
            ("invoice_id", "invoice__public_id"),
            ("recipients", "recipients", lambda value: " ".join(value)),
            "status",
            "created_at",
            "sent_at",
            "last_error",
        ),
        lambda scope: InvoiceDelivery.objects.filter(invoice__firm=scope.firm).order_by("id"),
    ),
)
