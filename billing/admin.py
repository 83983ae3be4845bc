from django.contrib import admin, messages

from billing.models import (
    ClientTierPrice,
    DirectBillingState,
    FirmBillingProfile,
    Invoice,
    InvoiceEvent,
    InvoiceLine,
    PartnerTier,
    ProgramChange,
    StripeSyncState,
)
from billing.services.stripe_sync import plan_id, stripe_sync_pending


@admin.register(ClientTierPrice)
class ClientTierPriceAdmin(admin.ModelAdmin):
    list_display = ("tier", "monthly_cents", "stripe_plan", "updated_at")

    @admin.display(description="Stripe plan")
    def stripe_plan(self, obj: ClientTierPrice) -> str:
        # Plans are immutable in Stripe: a new price here makes a new plan at the next sync.
        return plan_id(obj.tier, obj.monthly_cents)


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
    list_filter = ("status", "payment_status")
    list_select_related = ("firm",)
    search_fields = ("firm__name", "customer_id", "subscription_id")
    readonly_fields = (
        "firm",
        "status",
        "last_synced_at",
        "customer_id",
        "subscription_id",
        "last_error",
        "attempts",
        "payment_status",
        "payment_status_at",
    )
    actions = ("sync_now",)

    def has_add_permission(self, request) -> bool:
        return False  # a state appears with the firm's first sync

    @admin.action(description="Sync with Stripe now")
    def sync_now(self, request, queryset):
        from billing.tasks import sync_firm_stripe

        firm_ids = list(queryset.values_list("firm_id", flat=True))
        for firm_id in firm_ids:
            stripe_sync_pending(firm_id=firm_id)
            sync_firm_stripe.delay(firm_id)
        self.message_user(
            request, f"Stripe sync queued for {len(firm_ids)} firm(s).", messages.SUCCESS
        )


@admin.register(DirectBillingState)
class DirectBillingStateAdmin(admin.ModelAdmin):
    list_display = ("link", "customer_id", "subscription_id", "payment_status", "updated_at")
    list_select_related = ("link__client", "link__firm")
    search_fields = ("link__client__name", "customer_id", "subscription_id")
    readonly_fields = (
        "link",
        "customer_id",
        "subscription_id",
        "payment_status",
        "payment_status_at",
    )

    def has_add_permission(self, request) -> bool:
        return False


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


# -- dj-stripe's mirror in the admin: only what program billing uses -------------------------------
def _trim_djstripe_admin() -> None:
    from djstripe import models as djstripe_models

    kept = {
        djstripe_models.Customer,
        djstripe_models.Subscription,
        djstripe_models.Invoice,
        djstripe_models.Price,
        djstripe_models.Product,
        djstripe_models.Coupon,
        djstripe_models.Event,
        djstripe_models.WebhookEndpoint,
        djstripe_models.WebhookEventTrigger,
    }
    for model in list(admin.site._registry):
        if model._meta.app_label == "djstripe" and model not in kept:
            admin.site.unregister(model)
    # Their stock searches name fields that now live in stripe_data (they fail): search by what is
    # a column.
    admin.site._registry[djstripe_models.Customer].search_fields = ("subscriber__name",)
    admin.site._registry[djstripe_models.Invoice].search_fields = ("customer__id",)


_trim_djstripe_admin()
