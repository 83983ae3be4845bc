"""markedEntries: how many time entries creating the invoice turned to billed.

The figure is the count the marking's UPDATE reported, not one derived afterwards from the invoice's
lines: if the marking misses entries, the answer says so.
"""

import datetime as dt
import json
from decimal import Decimal

import pytest

from billing.services import invoices as invoice_services
from practice.models import BillingStatus, TimeEntry
from practice.services.time_entries import time_entries_mark_billed, time_entry_create

pytestmark = pytest.mark.django_db

INVOICE = "/api/practice/billing/invoice"


def three_entries(persona, link) -> list[TimeEntry]:
    return [
        time_entry_create(
            firm=persona.firm,
            link=link,
            work_date=dt.date(2026, 1, day),
            hours=Decimal("2.00"),
            rate_cents=10_000,
        )
        for day in (5, 6, 7)
    ]


def create_invoice(persona, link, entries) -> dict:
    body = {
        "firmEntityId": persona.firm.public_id,
        "clientEntityId": link.client.public_id,
        "timeEntryIds": [e.public_id for e in entries],
    }
    response = persona.client.post(INVOICE, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def statuses(entries) -> list[tuple[str, str | None]]:
    return list(
        TimeEntry.objects.filter(pk__in=[e.pk for e in entries])
        .order_by("pk")
        .values_list("billing_status", "invoice_public_id")
    )


def test_every_entry_billed_is_counted_and_marked_with_the_invoice(alice, acme):
    entries = three_entries(alice, acme)

    body = create_invoice(alice, acme, entries)

    assert body["markedEntries"] == 3
    assert statuses(entries) == [(BillingStatus.BILLED, body["invoice"]["id"])] * 3


def test_marked_entries_is_the_count_the_marking_reported_not_the_line_count(
    alice, acme, monkeypatch
):
    entries = three_entries(alice, acme)

    def mark_only_the_first(*, entries, **kwargs):
        return time_entries_mark_billed(entries=entries[:1], **kwargs)

    monkeypatch.setattr(invoice_services, "time_entries_mark_billed", mark_only_the_first)

    body = create_invoice(alice, acme, entries)

    assert body["invoice"]["lineCount"] == 3
    assert body["markedEntries"] == 1
    assert [status for status, _ in statuses(entries)] == [
        BillingStatus.BILLED,
        BillingStatus.UNBILLED,
        BillingStatus.UNBILLED,
    ]


def test_a_marking_that_marks_nothing_answers_zero(alice, acme, monkeypatch):
    entries = three_entries(alice, acme)
    monkeypatch.setattr(invoice_services, "time_entries_mark_billed", lambda **kwargs: 0)

    body = create_invoice(alice, acme, entries)

    assert body["markedEntries"] == 0
    assert statuses(entries) == [(BillingStatus.UNBILLED, None)] * 3
