"""Billing reads: the program overview and invoices, each in a fixed number of queries.

The overview is what the firm's program costs this month: its partner tier (reached by the number of
active clients) sets the volume discount, every active client's tier fee is discounted by it and paid
by the firm (consolidated) or by the client itself (client_direct), and this month's changes carry
what they prorate. It is returned as plain dataclasses; the API's serializers give them the
contract's names.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from axiomatic.core.filtering import filtered
from axiomatic.core.history import Change, history_changes, history_of
from axiomatic.core.money import discounted_cents
from axiomatic.entities.models import Entity, Membership, Role
from billing.filters import InvoiceFilter, PaymentFilter
from billing.models import (
    Invoice,
    InvoiceLine,
    Payment,
    ProgramChange,
    StripeSyncState,
    SyncStatus,
)
from billing.pricing import partner_tier_for, partner_tiers
from practice.models import BillingMode, ClientLink
from practice.pricing import fee_fields, tier_fees_cents
from practice.selectors import active_client_links


@dataclass(frozen=True)
class OverviewClient:
    client_entity_id: str
    name: str
    client_tier: str
    billing_mode: str
    monthly_fee: int | float  # whole currency units, as the contract shows it (79)
    monthly_fee_cents: int
    discounted_fee_cents: int
    payer: str  # "firm" or "client"


@dataclass(frozen=True)
class OverviewTotals:
    firm_pays_cents: int
    clients_pay_cents: int


@dataclass(frozen=True)
class OverviewChange:
    client_entity_id: str
    name: str
    kind: str
    from_value: str | None
    to_value: str | None
    effective_date: dt.date
    prorated_cents: int


@dataclass(frozen=True)
class StripeStatus:
    status: str
    last_synced_at: dt.datetime | None
    subscription_id: str | None
    last_error: str | None
    payment_status: str | None


@dataclass(frozen=True)
class BillingOverview:
    partner_tier: str
    active_clients: int
    volume_discount: int  # percent
    clients: list[OverviewClient]
    totals: OverviewTotals
    changes: list[OverviewChange]
    stripe: StripeStatus


def billing_overview(
    *, firm: Entity, today: dt.date | None = None, with_changes: bool = True
) -> BillingOverview:
    """The program overview. Five queries whatever the number of clients; four, and no
    `changes`, with `with_changes=False` (the dashboard's panel shows the month's totals only)."""
    today = today or timezone.localdate()
    links = list(active_client_links(firm).select_related("client").order_by("id"))
    prices = tier_fees_cents()  # the table, with list prices for a tier it lacks
    tier_name, percent = partner_tier_for(len(links), partner_tiers())
    clients = [_overview_client(link, prices, percent) for link in links]
    totals = OverviewTotals(
        firm_pays_cents=sum(c.discounted_fee_cents for c in clients if c.payer == "firm"),
        clients_pay_cents=sum(c.discounted_fee_cents for c in clients if c.payer == "client"),
    )
    return BillingOverview(
        partner_tier=tier_name,
        active_clients=len(links),
        volume_discount=percent,
        clients=clients,
        totals=totals,
        changes=_changes_since(firm, today.replace(day=1)) if with_changes else [],
        stripe=stripe_status(firm=firm),
    )


def _overview_client(link: ClientLink, prices: dict[str, int], percent: int) -> OverviewClient:
    fees = fee_fields(link.client_tier, prices)
    return OverviewClient(
        client_entity_id=link.client.public_id,
        name=link.client.name,
        client_tier=link.client_tier,
        billing_mode=link.billing_mode,
        monthly_fee=fees["monthlyFee"],
        monthly_fee_cents=fees["monthlyFeeCents"],
        discounted_fee_cents=discounted_cents(fees["monthlyFeeCents"], percent),
        payer="firm" if link.billing_mode == BillingMode.CONSOLIDATED else "client",
    )


def _changes_since(firm: Entity, day: dt.date) -> list[OverviewChange]:
    changes = (
        ProgramChange.objects.filter(firm=firm, effective_date__gte=day)
        .select_related("link__client")
        .order_by("effective_date", "id")
    )
    return [
        OverviewChange(
            client_entity_id=change.link.client.public_id,
            name=change.link.client.name,
            kind=change.kind,
            # Blank is how the table says "none": an added client had no tier before.
            from_value=change.from_value or None,
            to_value=change.to_value or None,
            effective_date=change.effective_date,
            prorated_cents=change.prorated_cents,
        )
        for change in changes
    ]


def stripe_status(*, firm: Entity) -> StripeStatus:
    """Where the firm's program billing stands in Stripe (not_configured without a key)."""
    state = StripeSyncState.objects.filter(firm=firm).first()
    if not settings.STRIPE_SECRET_KEY:
        status = SyncStatus.NOT_CONFIGURED
    else:
        status = state.status if state else SyncStatus.PENDING
    if state is None:
        return StripeStatus(status, None, None, None, None)
    return StripeStatus(
        status=status,
        last_synced_at=state.last_synced_at,
        subscription_id=state.subscription_id or None,
        last_error=state.last_error or None,
        payment_status=state.payment_status or None,
    )


def _invoices(firm: Entity) -> QuerySet[Invoice]:
    lines = InvoiceLine.objects.select_related("time_entry", "engagement").order_by(
        "position", "id"
    )
    payments = Payment.objects.select_related("journal_entry").order_by("date", "id")
    return (
        Invoice.objects.filter(firm=firm)
        .select_related("client", "journal_entry", "void_journal_entry")
        .prefetch_related(
            Prefetch("lines", queryset=lines), Prefetch("payments", queryset=payments)
        )
    )


def invoice_list(*, firm: Entity, filters: dict) -> QuerySet[Invoice]:
    """`filters`: client_entity_id, status (billing.filters.InvoiceFilter)."""
    return filtered(InvoiceFilter, _invoices(firm), filters)


def invoice_get(*, firm: Entity, public_id: str) -> Invoice:
    return _invoices(firm).get(public_id=public_id)


def invoice_find(*, firm: Entity, public_id: str) -> Invoice | None:
    """The firm's invoice, or None for an unknown id and for another firm's alike."""
    return _invoices(firm).filter(public_id=public_id).first()


# What an invoice's history shows (its lines never change once written: they are not tracked).
INVOICE_HISTORY_FIELDS = (
    "client",
    "number",
    "issue_date",
    "due_date",
    "currency",
    "status",
    "subtotal_cents",
    "adjustment_cents",
    "adjustment_reason",
    "total_cents",
    "amount_paid_cents",
    "sent_at",
    "journal_entry",
    "void_journal_entry",
    "voided_at",
)


def invoice_history(*, firm: Entity, public_id: str) -> QuerySet:
    """The history records of the firm's invoice; the same 404 for unknown and foreign ids."""
    return history_of(Invoice, firm=firm, public_id=public_id)


def invoice_changes(records) -> list[Change]:
    """What each record (a page of `invoice_history`, oldest first) changed."""
    return history_changes(records, fields=INVOICE_HISTORY_FIELDS)


def _payments(firm: Entity) -> QuerySet[Payment]:
    return Payment.objects.filter(firm=firm).select_related("invoice", "journal_entry")


def payment_list(*, firm: Entity, filters: dict) -> QuerySet[Payment]:
    """`filters`: client_entity_id, date_from, date_to (billing.filters.PaymentFilter)."""
    return filtered(PaymentFilter, _payments(firm), filters)


def payment_get(*, firm: Entity, public_id: str) -> Payment:
    return _payments(firm).get(public_id=public_id)


def client_admin_emails(*, client: Entity) -> list[str]:
    """Where an invoice goes when the request names nobody: the client's active ADMIN users."""
    return list(
        Membership.objects.filter(entity=client, role=Role.ADMIN, user__is_active=True)
        .exclude(user__email="")
        .order_by("id")
        .values_list("user__email", flat=True)
    )
