"""What a firm's export holds of billing: its AR invoices and their lines."""

from axiomatic.core.exports import Table, columns
from billing.models import Invoice, InvoiceLine, invoice_number_display

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
            "total_cents",
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
            ("time_entry_id", "time_entry__public_id"),
            "date",
            "description",
            "hours",
            "rate_cents",
            "amount_cents",
            "is_live",
        ),
        lambda scope: InvoiceLine.objects.filter(invoice__firm=scope.firm).order_by(
            "invoice_id", "position", "id"
        ),
    ),
)
