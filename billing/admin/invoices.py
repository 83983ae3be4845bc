"""Invoices in the admin: read-only pages whose changes go through the invoice services.

Every amount is shown with `format_money` ("$1,234.56"), never as cents: the list, the page's
amounts (subtotal, adjustment, total, amount paid, balance due) and the lines.
"""

from django.contrib import admin, messages
from django.db.models import F
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from axiomatic.core.errors import ApplicationError
from axiomatic.core.money import format_money
from axiomatic.entities.admin_history import ScopedHistoryAdmin
from axiomatic.entities.admin_scope import ScopedInline, refusal_text
from billing.documents import invoice_pdf
from billing.models import Invoice, InvoiceEvent, InvoiceLine
from billing.services.invoices import invoice_void

READ_ONLY_TABLE = "admin/billing/invoice/readonly_tabular.html"


class InvoiceLineInline(ScopedInline, admin.TabularInline):
    model = InvoiceLine
    template = READ_ONLY_TABLE
    extra = 0
    can_delete = False
    fields = (
        "position",
        "kind",
        "date",
        "description",
        "hours",
        "rate",
        "standard_amount",
        "amount",
        "is_live",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("invoice")  # its currency

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="Rate")
    def rate(self, line: InvoiceLine) -> str:
        return (
            "-" if line.rate_cents is None else format_money(line.rate_cents, line.invoice.currency)
        )

    @admin.display(description="Standard amount")
    def standard_amount(self, line: InvoiceLine) -> str:
        return format_money(line.standard_amount_cents, line.invoice.currency)

    @admin.display(description="Amount")
    def amount(self, line: InvoiceLine) -> str:
        return format_money(line.amount_cents, line.invoice.currency)


class InvoiceEventInline(ScopedInline, admin.TabularInline):
    model = InvoiceEvent
    template = READ_ONLY_TABLE
    extra = 0
    can_delete = False
    fields = ("kind", "actor", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


def _money(field: str, description: str, ordering=None):
    """A list or page column showing `field` (cents) in the invoice's currency."""

    @admin.display(description=description, ordering=ordering or field)
    def column(model_admin, invoice: Invoice) -> str:
        return format_money(getattr(invoice, field), invoice.currency)

    return column


@admin.register(Invoice)
class InvoiceAdmin(ScopedHistoryAdmin):
    """Invoices change only through their services: created from time entries (the time entry
    changelist's action), voided with the action here. Each has a PDF."""

    scope_firm = "firm"
    staff_may_add = False
    list_display = (
        "invoice_number",
        "client",
        "firm",
        "issue_date",
        "due_date",
        "status",
        "total",
        "balance_due",
        "pdf_link",
    )
    list_filter = ("status", "client")
    list_select_related = ("client", "firm")
    search_fields = ("public_id", "client__name", "firm__name")
    fieldsets = (
        (None, {"fields": ("invoice_number", "client", "firm", "status", "pdf_link")}),
        ("Dates", {"fields": ("issue_date", "due_date", "sent_at", "voided_at")}),
        (
            "Amounts",
            {
                "fields": (
                    "subtotal",
                    "adjustment",
                    "adjustment_reason",
                    "total",
                    "amount_paid",
                    "balance_due",
                    "currency",
                )
            },
        ),
        ("Books", {"fields": ("public_id", "journal_entry", "void_journal_entry")}),
    )
    readonly_fields = (
        "public_id",
        "invoice_number",
        "firm",
        "client",
        "issue_date",
        "due_date",
        "sent_at",
        "currency",
        "status",
        "subtotal",
        "adjustment",
        "adjustment_reason",
        "total",
        "amount_paid",
        "balance_due",
        "journal_entry",
        "void_journal_entry",
        "voided_at",
        "pdf_link",
    )
    inlines = (InvoiceLineInline, InvoiceEventInline)
    actions = ("void",)

    subtotal = _money("subtotal_cents", "Subtotal")
    adjustment = _money("adjustment_cents", "Adjustment")
    total = _money("total_cents", "Total")
    amount_paid = _money("amount_paid_cents", "Amount paid")
    balance_due = _money(
        "balance_due_cents", "Balance due", ordering=F("total_cents") - F("amount_paid_cents")
    )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Number", ordering="number")
    def invoice_number(self, obj: Invoice) -> str:
        return obj.display_number

    @admin.display(description="PDF")
    def pdf_link(self, obj: Invoice) -> str:
        url = reverse("admin:billing_invoice_pdf", args=[obj.pk])
        return format_html('<a href="{}" class="invoice-pdf">{}.pdf</a>', url, obj.display_number)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:object_id>/pdf/", wrap(self.pdf_view), name="billing_invoice_pdf"),
            *super().get_urls(),
        ]

    def pdf_view(self, request, object_id: int):
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        queryset = self.get_queryset(request).select_related("firm", "client")
        invoice = get_object_or_404(queryset, pk=object_id)  # another firm's invoice: 404
        response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{invoice.display_number}.pdf"'
        response["Cache-Control"] = "private, no-store"
        return response

    @admin.action(description="Void selected invoices", permissions=["change"])
    def void(self, request, queryset):
        voided = 0
        for invoice in queryset.select_related("firm"):
            try:
                invoice_void(firm=invoice.firm, public_id=invoice.public_id, voided_by=request.user)
                voided += 1
            except ApplicationError as error:
                self.message_user(request, f"{invoice}: {refusal_text(error)}", messages.ERROR)
        if voided:
            self.message_user(request, f"Voided {voided} invoice(s).", messages.SUCCESS)
