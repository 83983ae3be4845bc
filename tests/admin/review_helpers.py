"""What the review tests share (the Approvals, Budgets and Realization pages, in the admin tests and
the browser's journey): a MEMBER of Firm A with a week of time, engagements with budgets, invoices
issued and paid, all made through the services.

The week is Monday 2026-11-23 to Sunday 2026-11-29. Mia (a MEMBER of Firm A) logged, for Acme at
$125.00 an hour: Monday 1.50 h and 2.00 h, Tuesday 1.00 h (billed since, on an invoice), Wednesday
3.00 h; and 4.00 h the Monday after (another week). Alice logged 2.00 h of her own on the Monday.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from axiomatic.entities.models import Role, User
from billing.services.invoices import Adjustment, invoice_create_from_time
from billing.services.payments import payment_create
from practice.models import Engagement, TimeEntry
from practice.services.engagements import engagement_create, engagement_set_status
from practice.services.time_entries import time_entry_create
from tests.factories import MembershipFactory, UserFactory

D = dt.date
WEEK = D(2026, 11, 23)


def member_of(firm, email="mia@alpha.test", name="Mia Member", password=None) -> User:
    user = UserFactory(email=email, full_name=name, is_staff=True)
    if password:
        user.set_password(password)
        user.save(update_fields=["password"])
    MembershipFactory(user=user, entity=firm, role=Role.MEMBER)
    return user


def logged(persona, link, user, day, hours, *, rate=12_500, engagement=None, text="Bookkeeping"):
    return time_entry_create(
        firm=persona.firm,
        link=link,
        work_date=day,
        hours=Decimal(hours),
        rate_cents=rate,
        description=text,
        user_id=user.public_id,
        engagement_id=engagement.public_id if engagement else None,
    )


@dataclass
class Week:
    mia: User
    monday: list[TimeEntry]  # Mia's two Monday entries
    billed: TimeEntry  # Tuesday's, invoiced
    wednesday: TimeEntry
    next_week: TimeEntry
    alices: TimeEntry

    @property
    def open_ones(self) -> list[TimeEntry]:
        return [*self.monday, self.wednesday]


def week_of_time(alice, link, mia: User) -> Week:
    monday = [
        logged(alice, link, mia, WEEK, "1.50", text="Bank reconciliation"),
        logged(alice, link, mia, WEEK, "2.00", text="Payroll"),
    ]
    billed = logged(alice, link, mia, WEEK + dt.timedelta(days=1), "1.00", text="Invoices")
    invoice_create_from_time(
        firm=alice.firm, link=link, time_entry_ids=[billed.public_id], created_by=alice.user
    )
    billed.refresh_from_db()
    wednesday = logged(alice, link, mia, WEEK + dt.timedelta(days=2), "3.00", text="Close")
    next_week = logged(alice, link, mia, WEEK + dt.timedelta(days=7), "4.00", text="Later")
    alices = logged(alice, link, alice.user, WEEK, "2.00", text="Alice's review")
    return Week(mia, monday, billed, wednesday, next_week, alices)


def budgeted(persona, link, name, *, amount=None, hours=None) -> Engagement:
    return engagement_create(
        firm=persona.firm,
        client=link.client,
        name=name,
        start_date=D(2026, 10, 1),
        type="advisory",
        budget_amount_cents=amount,
        budget_hours=None if hours is None else Decimal(hours),
    )


def budgets(alice, link, user) -> dict[str, Engagement]:
    """Year-end: $1,000.00 budget, 10 h x $125.00 used (125%, over). Payroll: 20 h budget, 5 h used
    (25%). Tax: both budgets ($2,000.00 and 4 h): 8 h x $125.00 = $1,000.00, 50% of the amount
    (its hours are over, but the amount is what is measured). Advice has no budget; Old audit is
    completed, 2 h of a 1 h budget (200%)."""
    made = {
        "year_end": budgeted(alice, link, "Year-end accounts", amount=100_000),
        "payroll": budgeted(alice, link, "Payroll", hours="20.00"),
        "tax": budgeted(alice, link, "Tax return", amount=200_000, hours="4.00"),
        "advice": budgeted(alice, link, "Advice"),
        "old": budgeted(alice, link, "Old audit", hours="1.00"),
    }
    for key, hours in (
        ("year_end", "10.00"),
        ("payroll", "5.00"),
        ("tax", "8.00"),
        ("old", "2.00"),
    ):
        logged(alice, link, user, D(2026, 10, 5), hours, engagement=made[key])
    logged(alice, link, user, D(2026, 10, 5), "3.00", engagement=made["advice"])
    engagement_set_status(firm=alice.firm, public_id=made["old"].public_id, status="completed")
    return made


def billed_and_paid(persona, link, hours, rate, *, issue, adjustment=0, paid=0):
    """An invoice of `hours` at `rate` issued on `issue`, adjusted by `adjustment` cents, with a
    payment of `paid` cents."""
    entry = time_entry_create(
        firm=persona.firm, link=link, work_date=issue, hours=Decimal(hours), rate_cents=rate
    )
    invoice = invoice_create_from_time(
        firm=persona.firm,
        link=link,
        time_entry_ids=[entry.public_id],
        issue_date=issue,
        adjustment=Adjustment(adjustment, "Agreed fee" if adjustment else ""),
        created_by=persona.user,
    )
    if paid:
        payment_create(
            firm=persona.firm,
            invoice_public_id=invoice.public_id,
            amount_cents=paid,
            date=issue,
            method="check",
            created_by=persona.user,
        )
    return invoice


def invoices_of_the_year(alice, make_client):
    """Acme: 10 h at $125.00 = $1,250.00 standard, billed $1,000.00 (a $250.00 write-down), $600.00
    collected: 80.0% and 60.0%. Initech: 4 h at $150.00 = $600.00, billed in full, nothing
    collected: 100.0% and 0.0%. Totals $1,850.00, $1,600.00, $600.00: 86.5% and 37.5%. An Acme
    invoice of 2025 falls outside the period."""
    acme = make_client(alice, "Acme Corp")
    initech = make_client(alice, "Initech")
    billed_and_paid(
        alice, acme, "10.00", 12_500, issue=D(2026, 3, 2), adjustment=-25_000, paid=60_000
    )
    billed_and_paid(alice, initech, "4.00", 15_000, issue=D(2026, 5, 4))
    billed_and_paid(alice, acme, "1.00", 12_500, issue=D(2025, 12, 1), paid=12_500)
    return acme, initech
