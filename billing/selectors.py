"""Billing reads: the program overview and invoices, each in a fixed number of queries."""

import datetime as dt

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from axiomatic.core.money import discounted_cents
from axiomatic.entities.models import Entity
from billing.models import (
    Invoice,
    InvoiceLine,
    ProgramChange,
    StripeSyncState,
    SyncStatus,
)
from billing.pricing import partner_tier_for, partner_tiers
from practice.models import BillingMode
from practice.pricing import fee_fields, tier_fees_cents
from practice.selectors import active_client_links


def billing_overview(*, firm: Entity, today: dt.date | None = None) -> dict:
    """The contract's overview. Five queries whatever the number of clients."""
    today = today or timezone.localdate()
    links = list(active_client_links(firm).select_related("client").order_by("id"))
    prices = tier_fees_cents()  # the table, with list prices for a tier it lacks
    tier_name, percent = partner_tier_for(len(links), partner_tiers())
    clients = []
    totals = {"firmPaysCents": 0, "clientsPayCents": 0}
    for link in links:
        fees = fee_fields(link.client_tier, prices)
        discounted = discounted_cents(fees["monthlyFeeCents"], percent)
        payer = "firm" if link.billing_mode == BillingMode.CONSOLIDATED else "client"
        totals["firmPaysCents" if payer == "firm" else "clientsPayCents"] += discounted
        clients.append(
            {
                "clientEntityId": link.client.public_id,
                "name": link.client.name,
                "clientTier": link.client_tier,
                "billingMode": link.billing_mode,
                **fees,
                "discountedFeeCents": discounted,
                "payer": payer,
            }
        )
    month_start = today.replace(day=1)
    changes = [
        {
            "clientEntityId": change.link.client.public_id,
            "name": change.link.client.name,
            "kind": change.kind,
            "from": change.from_value or None,
            "to": change.to_value or None,
            "effectiveDate": change.effective_date,
            "proratedCents": change.prorated_cents,
        }
        for change in ProgramChange.objects.filter(firm=firm, effective_date__gte=month_start)
        .select_related("link__client")
        .order_by("effective_date", "id")
    ]
    return {
        "partnerTier": tier_name,
        "activeClients": len(links),
        "volumeDiscount": percent,
        "clients": clients,
        "totals": totals,
        "changes": changes,
        "stripe": stripe_status(firm=firm),
    }


def stripe_status(*, firm: Entity) -> dict:
    state = StripeSyncState.objects.filter(firm=firm).first()
    if not settings.STRIPE_SECRET_KEY:
        status = SyncStatus.NOT_CONFIGURED
    else:
        status = state.status if state else SyncStatus.PENDING
    return {
        "status": status,
        "lastSyncedAt": state.last_synced_at if state else None,
        "subscriptionId": (state.subscription_id or None) if state else None,
        "lastError": (state.last_error or None) if state else None,
        "paymentStatus": (state.payment_status or None) if state else None,
    }


def invoice_list(*, firm: Entity, filters: dict) -> QuerySet[Invoice]:
    qs = Invoice.objects.filter(firm=firm)
    if filters.get("clientEntityId"):
        qs = qs.filter(client__public_id=filters["clientEntityId"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    lines = InvoiceLine.objects.select_related("time_entry").order_by("position", "id")
    return qs.select_related("client", "journal_entry", "void_journal_entry").prefetch_related(
        Prefetch("lines", queryset=lines)
    )


def invoice_get(*, firm: Entity, public_id: str) -> Invoice:
    return invoice_list(firm=firm, filters={}).get(public_id=public_id)
