"""Billing in the admin: program prices and tiers (superusers), a firm's billing profile and Stripe
sync, invoicing from the time entry changelist, and the firm's invoices, payments and receivables
reports (`billing.admin.invoices`, `billing.admin.receivables`)."""

from collections import defaultdict
from functools import partial

from django.contrib import admin, messages
from django.db import transaction
from django.forms import ModelForm
from django.urls import reverse
from django.utils.html import format_html
from djstripe import models as djstripe_models

from axiomatic.core.errors import ApplicationError
from axiomatic.core.forms import MoneyField
from axiomatic.core.money import format_money
from axiomatic.entities.admin_scope import ScopedAdmin, refusal_text
from billing.admin import new_invoice, realization, receivables  # noqa: F401 (they register pages)
from billing.admin.invoices import InvoiceAdmin
from billing.models import (
    ClientTierPrice,
    DirectBillingState,
    FirmBillingProfile,
    PartnerTier,
    ProgramChange,
    StripeSyncState,
)
from billing.services.invoices import invoice_create_from_time
from billing.services.stripe_desired import plan_id
from billing.services.stripe_sync import stripe_sync_pending
from billing.tasks import sync_firm_stripe
from practice.admin import TimeEntryAdmin
from practice.models import ClientLink, TimeEntry

__all__ = ["InvoiceAdmin"]


class ClientTierPriceForm(ModelForm):
    monthly_cents = MoneyField(label="Monthly fee (USD)")

    class Meta:
        model = ClientTierPrice
        fields = ("tier", "monthly_cents")


@admin.register(ClientTierPrice)
class ClientTierPriceAdmin(admin.ModelAdmin):
    form = ClientTierPriceForm
    list_display = ("tier", "monthly_fee", "stripe_plan", "updated_at")

    @admin.display(description="Monthly fee", ordering="monthly_cents")
    def monthly_fee(self, obj: ClientTierPrice) -> str:
        return format_money(obj.monthly_cents)  # program fees are in USD, as Stripe bills them

    @admin.display(description="Stripe plan")
    def stripe_plan(self, obj: ClientTierPrice) -> str:
        # Plans are immutable in Stripe: a new price here makes a new plan at the next sync.
        return plan_id(obj.tier, obj.monthly_cents)


@admin.register(PartnerTier)
class PartnerTierAdmin(admin.ModelAdmin):
    list_display = ("name", "min_clients", "discount_percent")


@admin.register(FirmBillingProfile)
class FirmBillingProfileAdmin(ScopedAdmin):
    """A firm's invoice settings: the address and footer printed on every invoice, and its invoice
    counter. (Payment terms are a practice setting: the firm's practice settings page.)

    The row is otherwise made by the firm's first invoice (`next_in_sequence`), too late to set
    what that invoice prints: writing staff may add it for their firm beforehand. The settings are
    edited by a plain save: they have no rule or event behind them (no service); the counter is the
    invoice service's alone."""

    scope_firm = "firm"
    list_display = ("firm", "last_invoice_number")
    list_select_related = ("firm",)
    fields = ("firm", "address", "invoice_footer", "last_invoice_number")
    readonly_fields = ("firm", "last_invoice_number")
    search_fields = ("firm__name",)

    def get_fields(self, request, obj=None):
        return self.fields[:-1] if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields


@admin.register(StripeSyncState)
class StripeSyncStateAdmin(ScopedAdmin):
    scope_firm = "firm"
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

    @admin.action(description="Sync with Stripe now", permissions=["change"])
    def sync_now(self, request, queryset):
        queued = 0
        for state in queryset.select_related("firm"):
            try:
                # The task is queued only once "pending" is committed: a worker must never read
                # the state from before the click. Without a broker the task runs at the commit,
                # inside this block, so its refusal lands here too.
                with transaction.atomic():
                    stripe_sync_pending(firm_id=state.firm_id)
                    transaction.on_commit(partial(sync_firm_stripe.delay, state.firm_id))
            except ApplicationError as error:
                self.message_user(request, f"{state.firm}: {refusal_text(error)}", messages.ERROR)
                continue
            queued += 1
        if queued:
            self.message_user(
                request, f"Stripe sync queued for {queued} firm(s).", messages.SUCCESS
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
class ProgramChangeAdmin(ScopedAdmin):
    scope_firm = "firm"
    staff_may_add = False
    list_display = (
        "effective_date",
        "firm",
        "link",
        "kind",
        "from_value",
        "to_value",
        "prorated_amount",
    )
    exclude = ("prorated_cents",)
    readonly_fields = ("prorated_amount",)
    list_filter = ("kind",)
    list_select_related = ("firm", "link__client")
    date_hierarchy = "effective_date"

    def has_change_permission(self, request, obj=None):
        return False  # recorded by billing as clients change

    @admin.display(description="Prorated amount", ordering="prorated_cents")
    def prorated_amount(self, obj: ProgramChange) -> str:
        return format_money(obj.prorated_cents)


# -- time entries: the practice admin, with invoicing added by billing --------------------------------
admin.site.unregister(TimeEntry)


@admin.register(TimeEntry)
class BillableTimeEntryAdmin(TimeEntryAdmin):
    actions = (*TimeEntryAdmin.actions, "create_invoice")

    @admin.action(
        description="Create invoice from selected unbilled time entries", permissions=["change"]
    )
    def create_invoice(self, request, queryset):
        """One invoice per client, through the same service (and rules) as the API."""
        groups: dict[tuple[int, int], list[str]] = defaultdict(list)
        for firm_id, client_id, public_id in queryset.order_by("date", "id").values_list(
            "firm_id", "client_id", "public_id"
        ):
            groups[(firm_id, client_id)].append(public_id)
        links = {
            (link.firm_id, link.client_id): link
            for link in ClientLink.objects.filter(archived_at__isnull=True)
            .filter(firm_id__in={f for f, _ in groups}, client_id__in={c for _, c in groups})
            .select_related("firm", "client")
        }
        for key, ids in groups.items():
            link = links.get(key)
            if link is None:
                self.message_user(request, "Those entries' client is archived.", messages.ERROR)
                continue
            try:
                invoice = invoice_create_from_time(
                    firm=link.firm, link=link, time_entry_ids=ids, created_by=request.user
                )
            except ApplicationError as error:
                self.message_user(
                    request, f"{link.client.name}: {refusal_text(error)}", messages.ERROR
                )
                continue
            url = reverse("admin:billing_invoice_change", args=[invoice.pk])
            self.message_user(
                request,
                format_html(
                    'Invoice <a href="{}">{}</a> for {}: {} lines, total {}.',
                    url,
                    invoice.display_number,
                    link.client.name,
                    len(ids),
                    format_money(invoice.total_cents, invoice.currency),
                ),
                messages.SUCCESS,
            )


# -- dj-stripe's mirror in the admin: only what program billing uses -------------------------------
def _trim_djstripe_admin() -> None:
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
receivables.register()  # AR aging and WIP, listed under Billing
new_invoice.register()  # billing one client from the WIP page
