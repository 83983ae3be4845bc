from django.contrib import admin

from billing.models import (
    ClientTierPrice,
    FirmBillingProfile,
    Invoice,
    InvoiceEvent,
    InvoiceLine,
    PartnerTier,
    ProgramChange,
    StripeSyncState,
)


@admin.register(ClientTierPrice)
class ClientTierPriceAdmin(admin.ModelAdmin):
    list_display = ("tier", "monthly_cents", "stripe_plan_id", "updated_at")


@admin.register(PartnerTier)
class PartnerTierAdmin(admin.ModelAdmin):
    list_display = ("name", "min_clients", "discount_percent")


@admin.register(FirmBillingProfile)
class FirmBillingProfileAdmin(admin.ModelAdmin):
    list_display = ("firm", "payment_terms_days", "last_invoice_number")
    list_select_related = ("firm",)
    readonly_fields = ("last_invoice_number",)
    search_fields = ("firm__name",)


@admin.register(StripeSyncState)
class StripeSyncStateAdmin(admin.ModelAdmin):
    list_display = (
        "firm",
        "status",
        "last_synced_at",
        "subscription_id",
        "payment_status",
        "last_error",
    )
    list_filter = ("status",)
    list_select_related = ("firm",)
    search_fields = ("firm__name", "customer_id", "subscription_id")


@admin.register(ProgramChange)
class ProgramChangeAdmin(admin.ModelAdmin):
    list_display = (
        "effective_date",
        "firm",
        "link",
        "kind",
        "from_value",
        "to_value",
        "prorated_cents",
    )
    list_filter = ("kind",)
    list_select_related = ("firm", "link__client")
    date_hierarchy = "effective_date"


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0
    can_delete = False
    fields = ("position", "date", "description", "hours", "rate_cents", "amount_cents", "is_live")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class InvoiceEventInline(admin.TabularInline):
    model = InvoiceEvent
    extra = 0
    can_delete = False
    fields = ("kind", "actor", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    """Invoices change only through their services (create from time, void)."""

    list_display = (
        "display_number",
        "client",
        "firm",
        "issue_date",
        "due_date",
        "status",
        "total_cents",
    )
    list_filter = ("status",)
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
    )
    inlines = (InvoiceLineInline, InvoiceEventInline)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
