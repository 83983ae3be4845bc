"""What the time API tests share: the contract's keys, request bodies, and reading and marking
entries straight from the table."""

import datetime as dt
import json
from decimal import Decimal
from urllib.parse import urlencode

from axiomatic.entities.models import PartnerEnrollment
from practice.models import TimeEntry

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
    "createdAt",
    "updatedAt",
}
LIST_KEYS = {"entries", "totalHours", "billableHours", "hasMore", "nextCursor"}


# --- Helpers ------------------------------------------------------------------------------------


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


def post(client, body):
    return client.post(TIME, data=json.dumps(body), content_type="application/json")


def patch(client, public_id: str, body, *, firm_id: str | None = None):
    url = f"{TIME}/{public_id}"
    if firm_id is not None:
        url += "?" + urlencode({"firmEntityId": firm_id})
    data = body if isinstance(body, str) else json.dumps(body)
    return client.patch(url, data=data, content_type="application/json")


def delete(client, public_id: str | None, firm_id: str | None):
    params = {}
    if public_id is not None:
        params["timeEntryId"] = public_id
    if firm_id is not None:
        params["firmEntityId"] = firm_id
    return client.delete(f"{TIME}?{urlencode(params)}")


def listing(persona, **params):
    response = persona.client.get(TIME, {"firmEntityId": persona.firm.public_id, **params})
    assert response.status_code == 200, response.content
    return response.json()


def create(persona, link, **overrides) -> dict:
    response = post(persona.client, time_body(persona, link, **overrides))
    assert response.status_code == 201, response.content
    return response.json()["entry"]


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
