"""The billing part of `manage.py seed_demo`: four months of receivables for the demo firm, and its
program billing synced with Stripe when a Stripe key is configured.

The receivables loop, from time to cash, one client per state (the table below): invoices billed
from the practice demo's unbilled time and fixed-fee items, issued in the past so that as of today
the AR aging fills every bucket (current, 1-30, 31-60, 61-90, over 90 days past due); some paid in
full, some in part, one written down with its reason, one never paid. Everything goes through the
services the API calls (`invoice_create_from_time`, `payment_create`): numbers without gaps in
issue order, journal entries in the firm's books, payments never dated before their invoice.
The demo sets no ledger lock date, so the past dates post. Seeding again adds nothing.
"""

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

import stripe
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from billing.models import Invoice, Payment
from billing.services.invoices import (
    NO_ADJUSTMENT,
    Adjustment,
    InvoiceItem,
    invoice_create_from_time,
)
from billing.services.payments import payment_create
from billing.services.stripe_sync import StripeNotConfigured, stripe_sync_failed, stripe_sync_firm
from practice.models import BillingMethod, Engagement, TimeEntry
from practice.selectors import active_client_links


@dataclass(frozen=True)
class DemoPayment:
    days_ago: int
    share: Fraction  # of the invoice's total
    method: str
    reference: str


@dataclass(frozen=True)
class DemoInvoice:
    client: str
    issued_days_ago: int
    # Unbilled time worked from `work_from` to `work_to` days ago; None: items only.
    work: tuple[int, int] | None = None
    items: tuple[InvoiceItem, ...] = ()
    terms_days: int = 30
    write_down: tuple[Fraction, str] | None = None  # share of the subtotal, reason
    payments: tuple[DemoPayment, ...] = ()
    fixed_fee: bool = False  # also bill the client's fixed-fee engagement (its fee, named)


FULL = Fraction(1)

# In issue order, so the numbers follow the dates. Days past due as of today in the comments.
DEMO_INVOICES = (
    DemoInvoice(  # 100 days past due, never paid: over 90
        "Ridgeline Builders",
        issued_days_ago=130,
        items=(InvoiceItem("Prior-year close and financial statements (fixed fee)", 450_000),),
    ),
    DemoInvoice(  # 70 days past due, a third paid: 61-90
        "Cedar & Pine Design",
        issued_days_ago=100,
        items=(
            InvoiceItem("Entity restructuring advice (fixed fee)", 240_000),
            InvoiceItem("State registration fee (disbursement)", 12_500),
        ),
        payments=(DemoPayment(80, Fraction(1, 3), "wire", "Wire 88120"),),
    ),
    DemoInvoice("Ridgeline Builders", issued_days_ago=75, work=(91, 76)),  # 45 days: 31-60
    DemoInvoice(
        "Harbor Coffee Roasters",
        issued_days_ago=60,
        work=(91, 61),
        payments=(DemoPayment(42, FULL, "ach", "ACH 20417"),),
    ),
    DemoInvoice(  # 30 days past due, half paid: 1-30
        "Northwind Dental",
        issued_days_ago=60,
        work=(91, 61),
        payments=(DemoPayment(25, Fraction(1, 2), "check", "Check 3318"),),
    ),
    DemoInvoice(
        "Maple Street Yoga",
        issued_days_ago=45,
        work=(91, 46),
        items=(InvoiceItem("Sales tax registration fee (disbursement)", 15_000),),
        write_down=(Fraction(15, 100), "Catch-up bookkeeping ran over the quoted fee"),
        payments=(DemoPayment(20, FULL, "card", "Visa ending 4242"),),
    ),
    DemoInvoice("Harbor Coffee Roasters", issued_days_ago=30, work=(60, 31)),  # due today
    DemoInvoice(  # due in 16 days: current
        "Open Hands Foundation",
        issued_days_ago=14,
        work=(91, 15),
        write_down=(Fraction(10, 100), "Nonprofit rate: 10% off standard fees"),
        fixed_fee=True,
    ),
)


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
        if not Payment.objects.filter(firm=firm).exists():
            progress(
                "Billing: invoices from an older seed_demo kept; seed a new database "
                "for the receivables demo (payments, write-downs, overdue invoices)."
            )
        return
    links = {link.client.name: link for link in active_client_links(firm).select_related("client")}
    today = timezone.localdate()
    invoices = payments = 0
    with transaction.atomic():
        for plan in DEMO_INVOICES:
            link = links.get(plan.client)
            if link is None:  # a demo client renamed or archived since
                continue
            invoice = _invoice_create(firm, link, plan, today=today, owner=owner)
            if invoice is None:
                continue
            invoices += 1
            for payment in plan.payments:
                payment_create(
                    firm=firm,
                    invoice_public_id=invoice.public_id,
                    amount_cents=int(invoice.total_cents * payment.share),
                    date=today - dt.timedelta(days=payment.days_ago),
                    method=payment.method,
                    reference=payment.reference,
                    created_by=owner,
                )
                payments += 1
    progress(
        f"Billing: {invoices} invoices from unbilled time and fixed fees, {payments} payments: "
        "paid, partly paid, written down and overdue (see GET /api/practice/billing/ar-aging)."
    )


def _invoice_create(firm, link, plan: DemoInvoice, *, today: dt.date, owner) -> Invoice | None:
    entry_ids: list[str] = []
    if plan.work is not None:
        work_from, work_to = plan.work
        entry_ids = list(
            TimeEntry.objects.filter(
                firm=firm,
                client=link.client,
                billable=True,
                rate_cents__isnull=False,
                billing_status="unbilled",
                date__gte=today - dt.timedelta(days=work_from),
                date__lte=today - dt.timedelta(days=work_to),
            )
            .order_by("date", "id")
            .values_list("public_id", flat=True)
        )
    items = plan.items + (_fixed_fee_items(firm, link) if plan.fixed_fee else ())
    if not entry_ids and not items:
        return None
    issued = today - dt.timedelta(days=plan.issued_days_ago)
    adjustment = NO_ADJUSTMENT
    if plan.write_down is not None:
        share, reason = plan.write_down
        subtotal = sum(item.amount_cents for item in items) + sum(
            TimeEntry.objects.filter(public_id__in=entry_ids).values_list("amount_cents", flat=True)
        )
        adjustment = Adjustment(-int(subtotal * share), reason)
    return invoice_create_from_time(
        firm=firm,
        link=link,
        time_entry_ids=entry_ids,
        items=items,
        adjustment=adjustment,
        issue_date=issued,
        due_date=issued + dt.timedelta(days=plan.terms_days),
        created_by=owner,
    )


def _fixed_fee_items(firm, link) -> tuple[InvoiceItem, ...]:
    """The client's first fixed-fee engagement billed at its fee, as an item naming it."""
    engagement = (
        Engagement.objects.filter(
            firm=firm, client=link.client, billing_method=BillingMethod.FIXED_FEE
        )
        .order_by("id")
        .first()
    )
    if engagement is None:
        return ()
    return (
        InvoiceItem(f"{engagement.name} (fixed fee)", engagement.fee_cents, engagement.public_id),
    )
