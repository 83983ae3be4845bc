"""The billing part of `manage.py seed_demo`: invoices from some of the demo firm's time."""

from billing.models import Invoice
from billing.services.invoices import invoice_create_from_time
from practice.models import TimeEntry
from practice.selectors import active_client_links


def seed_billing(sender, *, firm, owner, progress, **kwargs) -> None:
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
