"""Invoices in the admin: read-only pages whose changes go through the invoice and payment services.

The change page is where staff follow an invoice from issue to cash: its amounts (subtotal,
adjustment, total, amount paid, balance due), its payments, a form to record one, and a way to void
one. Recording and voiding are their own POST views (CSRF-checked, writing staff only) that call
`payment_create` and `payment_void` with the invoice's firm, exactly as the API does, and show a
refusal as an admin message: nothing else decides whether a payment may be taken. Every amount is
shown with `format_money`, never as cents.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from axiomatic.core.errors import ApplicationError
from axiomatic.core.money import format_money
from axiomatic.entities.admin_history import ScopedHistoryAdmin
from axiomatic.entities.admin_scope import ScopedInline, refusal_text
from billing import selectors
from billing.admin.forms import InvoiceSendForm, PaymentForm
from billing.documents import invoice_pdf
from billing.models import (
    Invoice,
    InvoiceDelivery,
    InvoiceEvent,
    InvoiceLine,
    InvoiceStatus,
    Payment,
)
from billing.services.delivery import invoice_send_request
from billing.services.invoices import invoice_void
from billing.services.payments import payment_create, payment_void

PAYABLE = (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID)


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


class InvoiceDeliveryInline(ScopedInline, admin.TabularInline):
    """Each time the invoice was emailed: to whom, and whether the mail went (or why not)."""

    model = InvoiceDelivery
    template = READ_ONLY_TABLE
    verbose_name = "email"
    verbose_name_plural = "emails"
    extra = 0
    can_delete = False
    fields = ("to", "status", "created_at", "sent_at", "requested_by", "last_error")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="To")
    def to(self, delivery: InvoiceDelivery) -> str:
        return ", ".join(delivery.recipients)


def _money(field: str, description: str, ordering=None):
    """A list or page column showing `field` (cents) in the invoice's currency."""

    @admin.display(description=description, ordering=ordering or field)
    def column(model_admin, invoice: Invoice) -> str:
        return format_money(getattr(invoice, field), invoice.currency)

    return column


@admin.register(Invoice)
class InvoiceAdmin(ScopedHistoryAdmin):
    """Invoices change only through their services: created from time entries (the time entry
    changelist's action), voided with the action here, paid with the payment form on the page.
    Each has a PDF."""

    scope_firm = "firm"
    staff_may_add = False
    change_form_template = "admin/billing/invoice/change_form.html"
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
    inlines = (InvoiceLineInline, InvoiceDeliveryInline, InvoiceEventInline)
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
            path("<int:object_id>/send/", wrap(self.send_view), name="billing_invoice_send"),
            path(
                "<int:object_id>/payments/add/",
                wrap(self.payment_add_view),
                name="billing_invoice_payment_add",
            ),
            path(
                "<int:object_id>/payments/<str:payment_id>/void/",
                wrap(self.payment_void_view),
                name="billing_invoice_payment_void",
            ),
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

    # -- payments ------------------------------------------------------------------------------------
    def change_view(self, request, object_id, form_url="", extra_context=None):
        invoice = self.get_object(request, unquote(object_id))
        context = dict(extra_context or {})
        if invoice is not None:
            context |= self._payments_context(request, invoice)
        return super().change_view(request, object_id, form_url, context)

    def _payments_context(self, request, invoice: Invoice) -> dict:
        may_write = self.has_change_permission(request, invoice)
        payments = invoice.payments.select_related(
            "created_by", "journal_entry", "void_journal_entry"
        ).order_by("date", "id")
        rows = [
            {
                "payment": p,
                "amount": format_money(p.amount_cents, invoice.currency),
                "void_url": None
                if p.is_voided or not may_write
                else reverse("admin:billing_invoice_payment_void", args=[invoice.pk, p.public_id]),
            }
            for p in payments
        ]
        payable = may_write and invoice.status in PAYABLE and invoice.balance_due_cents > 0
        return {
            "payment_rows": rows,
            # Its fields sit inside the page's own form, but belong to the form "record-payment"
            # (after it, since forms do not nest): they post to the payment view alone.
            "payment_form": PaymentForm(currency=invoice.currency, owner="record-payment")
            if payable
            else None,
            "payment_add_url": reverse("admin:billing_invoice_payment_add", args=[invoice.pk]),
            "balance_due_display": format_money(invoice.balance_due_cents, invoice.currency),
            "send_url": reverse("admin:billing_invoice_send", args=[invoice.pk])
            if may_write and invoice.status != InvoiceStatus.VOID
            else None,
        }

    def _writable_invoice(self, request, object_id) -> Invoice:
        """The invoice, if this user may see it (another firm's is a 404) and write to it."""
        invoice = self.get_object(request, str(object_id))
        if invoice is None:
            raise Http404("No such invoice.")
        if not self.has_change_permission(request, invoice):
            raise PermissionDenied
        return invoice

    def _back_to(self, invoice: Invoice) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:billing_invoice_change", args=[invoice.pk]))

    def _page(self, request, invoice: Invoice, template: str, context: dict) -> TemplateResponse:
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "original": invoice,
                "invoice": invoice,
                "balance_due_display": format_money(invoice.balance_due_cents, invoice.currency),
                **context,
            },
        )

    def payment_add_view(self, request, object_id: int):
        """The payment form on its own page: where a refused payment comes back to, with what
        was typed and why it was refused. A recorded one goes back to the invoice."""
        invoice = self._writable_invoice(request, object_id)
        posted = request.method == "POST"
        form = PaymentForm(request.POST if posted else None, currency=invoice.currency)
        if posted and form.is_valid():
            data = form.cleaned_data
            try:
                payment_create(
                    firm=invoice.firm,
                    invoice_public_id=invoice.public_id,
                    amount_cents=data["amount"],
                    date=data["date"],
                    method=data["method"],
                    reference=data["reference"],
                    created_by=request.user,
                )
            except ApplicationError as error:
                self.message_user(request, self._payment_refusal(error, invoice), messages.ERROR)
            else:
                invoice.refresh_from_db()
                self.message_user(
                    request,
                    f"Recorded a payment of {format_money(data['amount'], invoice.currency)} "
                    f"on {invoice.display_number}: it is now {invoice.get_status_display()}, "
                    f"balance due {format_money(invoice.balance_due_cents, invoice.currency)}.",
                    messages.SUCCESS,
                )
                return self._back_to(invoice)
        elif posted:
            self.message_user(request, "Please correct the errors below.", messages.ERROR)
        return self._page(
            request,
            invoice,
            "admin/billing/invoice/payment_add.html",
            {"title": f"Record a payment on {invoice.display_number}", "payment_form": form},
        )

    @staticmethod
    def _payment_refusal(error: ApplicationError, invoice: Invoice) -> str:
        if "amount" in error.fields:
            # The service names the balance in cents (the API's unit); say it in money here.
            invoice.refresh_from_db()
            balance = format_money(invoice.balance_due_cents, invoice.currency)
            return f"The amount may be at most the balance due, {balance}."
        return refusal_text(error)

    def payment_void_view(self, request, object_id: int, payment_id: str):
        """GET asks to confirm; POST voids the payment (its journal entry is reversed)."""
        invoice = self._writable_invoice(request, object_id)
        payment = get_object_or_404(Payment, invoice=invoice, public_id=payment_id)
        amount = format_money(payment.amount_cents, invoice.currency)
        if payment.is_voided:
            self.message_user(request, f"That payment of {amount} is void already.", messages.INFO)
            return self._back_to(invoice)
        if request.method == "POST":
            try:
                payment_void(firm=invoice.firm, public_id=payment.public_id, voided_by=request.user)
            except ApplicationError as error:
                self.message_user(request, refusal_text(error), messages.ERROR)
                return self._back_to(invoice)
            invoice.refresh_from_db()
            self.message_user(
                request,
                f"Voided the payment of {amount} on {invoice.display_number}: it is now "
                f"{invoice.get_status_display()}, balance due "
                f"{format_money(invoice.balance_due_cents, invoice.currency)}.",
                messages.SUCCESS,
            )
            return self._back_to(invoice)
        return self._page(
            request,
            invoice,
            "admin/billing/invoice/payment_void.html",
            {
                "title": f"Void a payment on {invoice.display_number}",
                "payment": payment,
                "amount": amount,
            },
        )

    # -- sending -------------------------------------------------------------------------------------
    def send_view(self, request, object_id: int):
        """GET: whom to email the invoice to (the client's admins unless others are typed) and a
        note. POST: queue the email through invoice_send_request, the API's path."""
        invoice = self._writable_invoice(request, object_id)
        posted = request.method == "POST"
        form = InvoiceSendForm(request.POST if posted else None)
        if posted and form.is_valid():
            to = form.cleaned_data["to"]
            try:
                delivery = invoice_send_request(
                    firm=invoice.firm,
                    public_id=invoice.public_id,
                    to=to or None,
                    message=form.cleaned_data["message"],
                    requested_by=request.user,
                )
            except ApplicationError as error:
                self.message_user(request, refusal_text(error), messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"{invoice.display_number} is on its way to "
                    f"{', '.join(delivery.recipients)}, with its PDF. The Emails table below "
                    "shows when it has gone.",
                    messages.SUCCESS,
                )
                return self._back_to(invoice)
        elif posted:
            self.message_user(request, "Please correct the errors below.", messages.ERROR)
        return self._page(
            request,
            invoice,
            "admin/billing/invoice/send.html",
            {
                "title": f"Email {invoice.display_number}",
                "send_form": form,
                "default_recipients": selectors.client_admin_emails(client=invoice.client),
            },
        )
