"""The billing part of `manage.py seed_demo`: invoices from some of the demo firm's time, and the
firm's program billing synced with Stripe when a Stripe key is configured."""

import stripe
from django.conf import settings

from billing.models import Invoice
from billing.services.invoices import invoice_create_from_time
from billing.services.stripe_sync import StripeNotConfigured, stripe_sync_failed, stripe_sync_firm
from practice.models import TimeEntry
from practice.selectors import active_client_links


def seed_billing(sender, *, firm, owner, progress, **kwargs) -> None:
    _seed_invoices(firm=firm, owner=owner, progress=progress)
    _sync_stripe(firm=firm, progress=progress)


def _sync_stripe(*, firm, progress) -> None:
    try:
        result = stripe_sync_firm(firm_id=firm.id)
    except StripeNotConfigured:
        progress("Stripe: not configured (set STRIPE_SECRET_KEY to sync the program billing).")
        return
    except stripe.StripeError as error:
        stripe_sync_failed(firm_id=firm.id, error=error)
        progress(f"Stripe: sync failed ({error}); see Billing > Stripe sync states in the admin.")
        return
    progress(
        f"Stripe: synced at {settings.STRIPE_API_BASE}: customer {result.customer_id}, "
        f"subscription {result.subscription_id or 'none'}, {result.writes} changes."
    )


def _seed_invoices(*, firm, owner, progress) -> None:
    if Invoice.objects.filter(firm=firm).exists():
        return
    count = 0
    for link in active_client_links(firm).select_related("client").order_by("id")[:4]:
        entries = TimeEntry.objects.filter(
            firm=firm,
            client=link.client,
            billable=True,
            rate_cents__isnull=False,
            billing_status="unbilled",
        ).order_by("date", "id")
        ids = list(entries.values_list("public_id", flat=True)[:15])
        if ids:
            invoice_create_from_time(firm=firm, link=link, time_entry_ids=ids, created_by=owner)
            count += 1
    progress(f"Billing: {count} invoices from unbilled time.")
