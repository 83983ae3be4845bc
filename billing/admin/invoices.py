"""Invoices in the admin: read-only pages whose changes go through the invoice services."""

from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from axiomatic.core.errors import ApplicationError
from axiomatic.entities.admin_history import ScopedHistoryAdmin
from axiomatic.entities.admin_scope import ScopedInline, refusal_text
from billing.documents import invoice_pdf
from billing.models import Invoice, InvoiceEvent, InvoiceLine
from billing.services.invoices import invoice_void


class InvoiceLineInline(ScopedInline, admin.TabularInline):
    model = InvoiceLine
    extra = 0
    can_delete = False
    fields = ("position", "date", "description", "hours", "rate_cents", "amount_cents", "is_live")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class InvoiceEventInline(ScopedInline, admin.TabularInline):
    model = InvoiceEvent
    extra = 0
    can_delete = False
    fields = ("kind", "actor", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Invoice)
class InvoiceAdmin(ScopedHistoryAdmin):
    """Invoices change only through their services: created from time entries (the time entry
    changelist's action), voided with the action here. Each has a PDF."""

    scope_firm = "firm"
    staff_may_add = False
    list_display = (
        "display_number",
        "client",
        "firm",
        "issue_date",
        "due_date",
        "status",
        "total_cents",
        "pdf_link",
    )
    list_filter = ("status", "client")
    list_select_related = ("client", "firm")
    search_fields = ("public_id", "client__name", "firm__name")
    readonly_fields = (
        "public_id",
        "firm",
        "client",
        "number",
        "issue_date",
        "due_date",
        "currency",
        "status",
        "total_cents",
        "journal_entry",
        "void_journal_entry",
        "voided_at",
        "pdf_link",
    )
    inlines = (InvoiceLineInline, InvoiceEventInline)
    actions = ("void",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="PDF")
    def pdf_link(self, obj: Invoice) -> str:
        url = reverse("admin:billing_invoice_pdf", args=[obj.pk])
        return format_html('<a href="{}" class="invoice-pdf">{}.pdf</a>', url, obj.display_number)

    def get_urls(self):
        pdf = path(
            "<int:object_id>/pdf/",
            self.admin_site.admin_view(self.pdf_view),
            name="billing_invoice_pdf",
        )
        return [pdf, *super().get_urls()]

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
