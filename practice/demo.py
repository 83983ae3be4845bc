"""The practice part of `manage.py seed_demo`: clients of every tier and billing mode, three months
of time on their engagements, and engagements in each state and recurrence (hourly with budgets,
a fixed-fee tax return), once per demo firm; staff rates that changed this month; last week's time
approved; and a client user who signs in to /client/ to see one client's books and invoices (kept
on every run, like the firm's demo users)."""

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from tqdm import tqdm

from axiomatic.entities.models import Membership, Role
from axiomatic.entities.services import membership_set, user_get_or_create
from practice.models import (
    BillingMethod,
    BillingMode,
    ClientLink,
    ClientTier,
    EngagementStatus,
    EngagementType,
    Recurrence,
    TimeEntry,
)
from practice.services import approvals, clients, engagements, staff, time_entries

DEMO_CLIENTS = (
    (
        "Harbor Coffee Roasters",
        "llc",
        "Food & beverage",
        ClientTier.STARTER,
        BillingMode.CONSOLIDATED,
        None,
    ),
    (
        "Northwind Dental",
        "s_corp",
        "Healthcare",
        ClientTier.PROFESSIONAL,
        BillingMode.CONSOLIDATED,
        17_500,
    ),
    (
        "Ridgeline Builders",
        "corp",
        "Construction",
        ClientTier.BUSINESS,
        BillingMode.CONSOLIDATED,
        19_500,
    ),
    (
        "Maple Street Yoga",
        "sole_prop",
        "Fitness",
        ClientTier.STARTER,
        BillingMode.CLIENT_DIRECT,
        None,
    ),
    (
        "Cedar & Pine Design",
        "partnership",
        "Creative services",
        ClientTier.PROFESSIONAL,
        BillingMode.CLIENT_DIRECT,
        16_000,
    ),
    (
        "Open Hands Foundation",
        "nonprofit",
        "Nonprofit",
        ClientTier.BUSINESS,
        BillingMode.CLIENT_DIRECT,
        12_000,
    ),
)

# Who signs in as the client, and to which client's books.
DEMO_CLIENT_USER_EMAIL = "client@axiomatic.local"
DEMO_CLIENT_USER_ENTITY = "Harbor Coffee Roasters"

WORK = (
    "Bank reconciliation",
    "Categorize transactions",
    "Month-end close",
    "Payroll review",
    "Client call",
    "Sales tax filing",
    "Advisory meeting",
)


def seed_practice(sender, *, firm, owner, progress, **kwargs) -> None:
    if not ClientLink.objects.filter(firm=firm).exists():
        _seed_clients(firm=firm, owner=owner, progress=progress)
    _client_user(firm=firm, progress=progress)


def _client_user(*, firm, progress) -> None:
    link = (
        ClientLink.objects.filter(firm=firm, client__name=DEMO_CLIENT_USER_ENTITY)
        .select_related("client")
        .first()
    )
    if link is None:
        return
    user = user_get_or_create(email=DEMO_CLIENT_USER_EMAIL, password="demo-password")
    if not Membership.objects.filter(user=user, entity=link.client).exists():
        membership_set(user=user, entity=link.client, role=Role.ADMIN)
    progress(
        f"Client:  {DEMO_CLIENT_USER_EMAIL} / demo-password sees the books and invoices of "
        f"{link.client.name} at /client/."
    )


def _seed_clients(*, firm, owner, progress) -> None:
    rng = random.Random(7)  # noqa: S311 (demo numbers, not secrets): the same demo on every machine
    with transaction.atomic():
        clients.firm_default_rate_set(firm=firm, rate_cents=15_000)
        staff_user = user_get_or_create(
            email="sam@axiomatic.local", password="demo-password", is_staff=True
        )
        membership_set(user=staff_user, entity=firm, role=Role.MEMBER)
        today = dt.date.today()
        first_of_month = today.replace(day=1)
        _staff_rates(firm=firm, owner=owner, staff_user=staff_user, month_start=first_of_month)
        links = [
            clients.client_create(
                firm=firm,
                name=name,
                type=kind,
                industry=industry,
                tier=tier,
                billing_mode=mode,
                default_rate_cents=rate,
                external_reference=f"demo-{i}",
            )
            for i, (name, kind, industry, tier, mode, rate) in enumerate(DEMO_CLIENTS, start=1)
        ]
        work = {link.pk: _engagements(firm, link, owner, first_of_month) for link in links}
        days = [
            today - dt.timedelta(days=n)
            for n in range(92)
            if (today - dt.timedelta(days=n)).weekday() < 5
        ]
        for day in tqdm(days, desc="Demo time entries", unit="day", disable=None):
            for link in rng.sample(links, 3):
                engagement = rng.choice(work[link.pk])
                fixed_fee = engagement.billing_method == BillingMethod.FIXED_FEE
                time_entries.time_entry_create(
                    firm=firm,
                    link=link,
                    work_date=day,
                    hours=Decimal(rng.choice(["0.25", "0.5", "1.00", "1.50", "2.00", "3.25"])),
                    description=rng.choice(WORK),
                    # Fixed-fee time takes the engagement's default: not billable.
                    billable=None if fixed_fee else rng.random() > 0.15,
                    engagement_id=engagement.public_id,
                    default_user=rng.choice([owner, staff_user]),
                )
        approved = _approve_last_week(firm=firm, owner=owner, today=today)
    progress(
        f"Practice: {len(links)} clients, time for {len(days)} working days on their engagements "
        f"(budgets, a fixed fee), engagements in every state, staff rates, last week's "
        f"{approved} entries approved."
    )


def _staff_rates(*, firm, owner, staff_user, month_start: dt.date) -> None:
    """The owner's and Sam's rates: a raise from the first of this month (clients without a rate of
    their own bill at these; the firm's 150.00 is the last resort)."""
    since = month_start - dt.timedelta(days=150)
    for user, before, now in ((owner, 18_000, 19_500), (staff_user, 9_500, 11_000)):
        for rate, day in ((before, since), (now, month_start)):
            staff.staff_rate_set(
                firm=firm,
                by=owner,
                user_public_id=user.public_id,
                rate_cents=rate,
                effective_from=day,
            )


def _approve_last_week(*, firm, owner, today: dt.date) -> int:
    """Approve last week's (Monday to Sunday) time, as a manager would on a Monday."""
    monday = today - dt.timedelta(days=today.weekday() + 7)
    ids = list(
        TimeEntry.objects.filter(
            firm=firm, date__gte=monday, date__lte=monday + dt.timedelta(days=6)
        ).values_list("public_id", flat=True)
    )
    return approvals.time_entries_approve(firm=firm, time_entry_ids=ids, by=owner) if ids else 0


def _engagements(firm, link, owner, month_start: dt.date) -> list:
    """The client's engagements; returns the active ones time is logged on."""
    bookkeeping = engagements.engagement_create(
        firm=firm,
        client=link.client,
        name="Monthly bookkeeping",
        type=EngagementType.BOOKKEEPING,
        recurrence=Recurrence.MONTHLY,
        start_date=engagements.add_months(month_start, -1),
        assignee=owner,
        budget_hours=Decimal("12.00"),
    )
    # Last month's close is done: completing it rolled this month's occurrence forward.
    for task in bookkeeping.tasks.all():
        engagements.task_complete(firm=firm, public_id=task.public_id)
    engagements.engagement_create(
        firm=firm,
        client=link.client,
        name="Quarterly sales tax",
        type=EngagementType.OTHER,
        recurrence=Recurrence.QUARTERLY,
        start_date=month_start,
    )
    tax = engagements.engagement_create(
        firm=firm,
        client=link.client,
        name=f"{month_start.year} income tax return",
        type=EngagementType.TAX_PREP,
        recurrence=Recurrence.ANNUAL,
        start_date=month_start,
        due_date=month_start + dt.timedelta(days=60),
        billing_method=BillingMethod.FIXED_FEE,
        fee_cents=150_000,
    )
    engagements.task_complete(firm=firm, public_id=tax.tasks.first().public_id)
    advisory = engagements.engagement_create(
        firm=firm,
        client=link.client,
        name="Cash flow review",
        type=EngagementType.ADVISORY,
        start_date=month_start,
        budget_amount_cents=250_000,
    )
    if link.client_tier == ClientTier.STARTER:
        advisory = engagements.engagement_set_status(
            firm=firm, public_id=advisory.public_id, status="cancelled"
        )
    work = [bookkeeping, tax, advisory]
    return [e for e in work if e.status != EngagementStatus.CANCELLED]
