"""What the time API tests share: the contract's keys, request bodies, and reading and marking
entries straight from the table."""

import datetime as dt
from decimal import Decimal

from axiomatic.entities.models import PartnerEnrollment
from practice.models import TimeEntry
from tests.helpers import api

TIME = "/api/practice/time"

ENTRY_KEYS = {
    "id",
    "entityId",
    "engagementId",
    "taskId",
    "userId",
    "date",
    "hours",
    "description",
    "billable",
    "rate",
    "rateSource",
    "amount",
    "billingStatus",
    "invoiced",
    "invoiceId",
    "invoice",
    "isLocked",
    "lockedReason",
    "externalReference",
    "approvalStatus",
    "approvedAt",
    "approvedBy",
    "createdAt",
    "updatedAt",
}
LIST_KEYS = {"entries", "totalHours", "billableHours", "hasMore", "nextCursor"}


def time_body(persona, link, **overrides) -> dict:
    body = {
        "firmEntityId": persona.firm.public_id,
        "entityId": link.client.public_id,
        "date": "2026-01-15",
        "hours": 2.5,
        "description": "Month-end close",
    }
    body.update(overrides)
    return body


def entry_url(public_id: str) -> str:
    return f"{TIME}/{public_id}"


def entry_in_firm(public_id: str, firm_id: str) -> dict[str, str]:
    """The query string of a DELETE, which names the entry and its firm."""
    return {"timeEntryId": public_id, "firmEntityId": firm_id}


def listing(persona, **params):
    return api(persona).get(TIME, {"firmEntityId": persona.firm.public_id, **params})


def create(persona, link, **overrides) -> dict:
    return api(persona).post(TIME, time_body(persona, link, **overrides))["entry"]


def row(public_id: str) -> dict | None:
    """Every stored column of an entry, to compare before and after a refused write."""
    return TimeEntry.objects.filter(public_id=public_id).values().first()


def mark_billed(public_id: str, number: str = "INV-0001") -> None:
    TimeEntry.objects.filter(public_id=public_id).update(
        billing_status="billed", invoice_public_id="inv_x", invoice_number=number
    )


def suspend(persona) -> None:
    PartnerEnrollment.objects.filter(firm=persona.firm).update(status="suspended")


def bulk_entries(persona, link, count: int, *, start=dt.date(2026, 1, 1), **fields):
    TimeEntry.objects.bulk_create(
        TimeEntry(
            firm=persona.firm,
            client=link.client,
            date=start + dt.timedelta(days=i % 28),
            hours=Decimal("1.00"),
            rate_cents=10_000,
            rate_source="explicit",
            amount_cents=10_000,
            **fields,
        )
        for i in range(count)
    )


def tasks_of(engagement):
    return list(engagement.tasks.order_by("position"))
