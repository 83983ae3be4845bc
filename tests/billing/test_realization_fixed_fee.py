"""Fixed fees billed as invoice items naming their engagement: on the invoice's JSON (its id) and
its document (its name), and in realization by engagement, where the fee billed is measured
against the standard value of the engagement's time (docs/adr/0026).

The worked example: "Year-end accounts" is fixed fee, 1,500.00. Its time dated in the range is 20 h
at 100.00 (12 h billable, 8 h not) = 2,000.00 of standard value; 5 h more fall after the range. The
fee is billed on an invoice issued in the range (and once more on an invoice voided since), and
750.00 of it is paid. Realization: 1,500.00 / 2,000.00 = 0.75 billed, 750.00 / 1,500.00 = 0.5
collected.
"""

import datetime as dt
import io
from decimal import Decimal

import pypdf
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing.documents import invoice_html
from billing.models import Invoice
from billing.services.invoices import (
    Adjustment,
    InvoiceItem,
    invoice_create_from_time,
    invoice_void,
)
from billing.services.payments import payment_create
from practice.services.engagements import engagement_create
from practice.services.time_entries import time_entry_create
from tests.billing.invoice_helpers import INVOICES, bill
from tests.helpers import api

pytestmark = pytest.mark.django_db

REALIZATION = "/api/practice/billing/realization"
D = dt.date
RANGE = {"from": "2026-01-01", "to": "2026-03-31", "groupBy": "engagement"}


def engagement(persona, link, name, method="fixed_fee", fee=150_000):
    return engagement_create(
        firm=persona.firm,
        client=link.client,
        name=name,
        start_date=D(2026, 1, 1),
        type="other",
        billing_method=method,
        fee_cents=fee if method == "fixed_fee" else None,
    )


def log(persona, link, eng, hours, *, rate=10_000, day=None, billable=False):
    return time_entry_create(
        firm=persona.firm,
        link=link,
        work_date=day or D(2026, 2, 1),
        hours=Decimal(hours),
        rate_cents=rate,
        billable=billable,
        engagement_id=eng.public_id if eng else None,
    )


def fee_invoice(persona, link, eng, *, issue=None, amount=150_000, entries=()):
    return invoice_create_from_time(
        firm=persona.firm,
        link=link,
        time_entry_ids=[e.public_id for e in entries],
        items=[InvoiceItem(f"{eng.name}: fixed fee", amount, eng.public_id)],
        issue_date=issue or D(2026, 3, 1),
    )


def realization(persona, **params) -> dict:
    return api(persona).get(REALIZATION, {"firmEntityId": persona.firm.public_id, **params})


def rows_by_key(body) -> dict:
    return {row["key"]: row for row in body["rows"]}


def year_end(persona, link):
    """The worked example of the module docstring; returns the engagement."""
    eng = engagement(persona, link, "Year-end accounts")
    log(persona, link, eng, "12.00", day=D(2026, 1, 20), billable=True)
    log(persona, link, eng, "8.00", day=D(2026, 3, 31))
    log(persona, link, eng, "5.00", day=D(2026, 4, 1))  # after the range
    voided = fee_invoice(persona, link, eng, issue=D(2026, 2, 1))
    invoice_void(firm=persona.firm, public_id=voided.public_id)
    invoice = fee_invoice(persona, link, eng)
    payment_create(
        firm=persona.firm,
        invoice_public_id=invoice.public_id,
        amount_cents=75_000,
        date=D(2026, 3, 15),
        method="ach",
    )
    return eng


def test_a_fixed_fee_is_measured_against_the_standard_value_of_its_time(alice, acme):
    eng = year_end(alice, acme)
    body = realization(alice, **RANGE)
    assert body["rows"] == [
        {
            "key": eng.public_id,
            "name": "Year-end accounts",
            "hours": 20.0,
            "standardAmount": 200_000,
            "billedAmount": 150_000,
            "collectedAmount": 75_000,
            "billingRealization": 0.75,
            "collectionRealization": 0.5,
        }
    ]
    assert body["totals"]["standardAmount"] == 200_000
    assert body["totals"]["billingRealization"] == 0.75


def test_hourly_engagements_keep_the_billed_lines_standard_value(alice, acme):
    year_end(alice, acme)
    hourly = engagement(alice, acme, "Advisory", method="hourly")
    billed = log(alice, acme, hourly, "4.00", rate=12_500, billable=True)  # 500.00
    log(alice, acme, hourly, "3.00", rate=12_500, billable=True)  # unbilled: not in the row
    invoice_create_from_time(
        firm=alice.firm,
        link=acme,
        time_entry_ids=[billed.public_id],
        adjustment=Adjustment(-5_000, "Courtesy"),
        issue_date=D(2026, 2, 15),
    )
    rows = rows_by_key(realization(alice, **RANGE))
    advisory = rows[hourly.public_id]
    assert (advisory["name"], advisory["hours"], advisory["standardAmount"]) == (
        "Advisory",
        4.0,
        50_000,
    )
    assert (advisory["billedAmount"], advisory["billingRealization"]) == (45_000, 0.9)
    assert [row["name"] for row in realization(alice, **RANGE)["rows"]] == [
        "Advisory",
        "Year-end accounts",
    ]
    assert realization(alice, **RANGE)["totals"]["standardAmount"] == 250_000


def test_a_fixed_fee_engagement_with_time_and_nothing_billed_realizes_nothing(alice, acme):
    eng = engagement(alice, acme, "Tax return")
    log(alice, acme, eng, "3.00", day=D(2026, 1, 5))
    log(alice, acme, eng, "1.00", rate=None, day=D(2026, 1, 6))  # no rate: hours, no value
    assert realization(alice, **RANGE)["rows"] == [
        {
            "key": eng.public_id,
            "name": "Tax return",
            "hours": 4.0,
            "standardAmount": 30_000,
            "billedAmount": 0,
            "collectedAmount": 0,
            "billingRealization": 0.0,
            "collectionRealization": None,
        }
    ]


def test_a_fee_billed_before_any_time_realizes_without_a_standard(alice, acme):
    eng = engagement(alice, acme, "Retainer")
    fee_invoice(alice, acme, eng, issue=D(2026, 1, 2))
    log(alice, acme, eng, "2.00", day=D(2026, 4, 2))  # after the range
    [row] = realization(alice, **RANGE)["rows"]
    assert (row["hours"], row["standardAmount"], row["billedAmount"]) == (0.0, 0, 150_000)
    assert row["billingRealization"] is None


def test_time_billed_on_top_of_the_fee_is_billed_but_not_counted_twice(alice, acme):
    eng = engagement(alice, acme, "Audit")
    extra = log(alice, acme, eng, "2.00", billable=True)  # 200.00, billed as a time line
    log(alice, acme, eng, "10.00")  # 1,000.00, not billed
    fee_invoice(alice, acme, eng, amount=100_000, entries=[extra])
    [row] = realization(alice, **RANGE)["rows"]
    assert (row["hours"], row["standardAmount"], row["billedAmount"]) == (12.0, 120_000, 120_000)
    assert row["billingRealization"] == 1.0


def test_the_other_groupings_are_unchanged_by_fixed_fees(alice, acme):
    year_end(alice, acme)
    by_client = realization(alice, **{**RANGE, "groupBy": "client"})
    # By client, the item's own standard value: the fee as billed, no hours.
    assert [(r["hours"], r["standardAmount"], r["billedAmount"]) for r in by_client["rows"]] == [
        (0.0, 150_000, 150_000)
    ]


def test_another_firms_fixed_fees_and_time_stay_out(alice, charlie, acme, globex):
    year_end(charlie, globex)
    assert realization(alice, **RANGE)["rows"] == []
    assert len(realization(charlie, **RANGE)["rows"]) == 1


def test_realization_by_engagement_takes_the_same_queries_however_many_fixed_fees(
    alice, make_client
):
    def count(n: int) -> int:
        link = make_client(alice, f"Client {n}")
        for i in range(n):
            eng = engagement(alice, link, f"Fixed {n}-{i}")
            log(alice, link, eng, "1.00")
            fee_invoice(alice, link, eng, issue=D(2026, 1, 1 + i))
            hourly = engagement(alice, link, f"Hourly {n}-{i}", method="hourly")
            entry = log(alice, link, hourly, "1.00", billable=True)
            invoice_create_from_time(
                firm=alice.firm,
                link=link,
                time_entry_ids=[entry.public_id],
                issue_date=D(2026, 2, 1),
            )
        realization(alice, **RANGE)  # what a first request reads once (the key, the firm) is cached
        with CaptureQueriesContext(connection) as queries:
            body = realization(alice, **RANGE)
        assert len(body["rows"]) == Invoice.objects.filter(firm=alice.firm).count()
        return len(queries)

    assert count(2) == count(12)


# --- The engagement named on the invoice ----------------------------------------------------------


@pytest.fixture
def billed_fee(alice, acme):
    eng = engagement(alice, acme, "Year-end accounts")
    invoice = bill(
        alice,
        acme,
        [],
        issueDate="2026-03-01",
        items=[
            {"description": "Fixed fee", "amount": 150_000, "engagementId": eng.public_id},
            {"description": "Courier", "amount": 2_500},
        ],
    )["invoice"]
    return eng, invoice


def test_the_invoice_line_names_the_engagement_of_a_fee(alice, billed_fee):
    eng, invoice = billed_fee
    lines = [(ln["kind"], ln["description"], ln["engagementId"]) for ln in invoice["lines"]]
    assert lines == [("item", "Fixed fee", eng.public_id), ("item", "Courier", None)]
    got = api(alice).get(f"{INVOICES}/{invoice['id']}", {"firmEntityId": alice.firm.public_id})
    assert got["invoice"] == invoice


def test_the_invoice_document_names_the_engagement_of_a_fee(alice, billed_fee):
    _, invoice = billed_fee
    html = invoice_html(Invoice.objects.get(public_id=invoice["id"]))
    assert html.count("Engagement: Year-end accounts") == 1
    response = api(alice).request(
        "GET",
        f"{INVOICES}/{invoice['id']}",
        params={"firmEntityId": alice.firm.public_id, "format": "pdf"},
    )
    assert response.status_code == 200
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Engagement: Year-end accounts" in text
    assert "$1,500.00" in text and "Courier" in text
