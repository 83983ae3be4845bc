"""AR aging, WIP and realization: worked examples with exact cents, and flat query counts.

Rates are 125.00 an hour unless said: 1 h = 12500 cents.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from billing.services.invoices import (
    Adjustment,
    InvoiceItem,
    invoice_create_from_time,
    invoice_void,
)
from billing.services.payments import payment_create, payment_void
from tests.billing.invoice_helpers import log
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

AGING = "/api/practice/billing/ar-aging"
WIP = "/api/practice/billing/wip"
REALIZATION = "/api/practice/billing/realization"
D = dt.date


def invoiced(persona, link, hours: str, *, issue, due=None, rate=12_500, **kwargs):
    entry = log(persona, link, hours, rate=rate, day=issue)
    return invoice_create_from_time(
        firm=persona.firm,
        link=link,
        time_entry_ids=[entry.public_id],
        issue_date=issue,
        due_date=due,
        **kwargs,
    )


def paying(persona, invoice, cents, day):
    return payment_create(
        firm=persona.firm,
        invoice_public_id=invoice.public_id,
        amount_cents=cents,
        date=day,
        method="ach",
    )


def get(persona, url, **params):
    response = persona.client.get(url, {"firmEntityId": persona.firm.public_id, **params})
    assert response.status_code == 200, response.content
    return response.json()


def buckets(row) -> tuple:
    return tuple(
        row[k] for k in ("current", "days1To30", "days31To60", "days61To90", "over90", "total")
    )


def test_aging_as_of_a_past_day_ignores_later_payments_voids_and_invoices(alice, acme, make_client):
    initech = make_client(alice, "Initech")
    a = invoiced(alice, acme, "8.00", issue=D(2026, 1, 1), due=D(2026, 1, 31))  # 100000, 59 days
    invoiced(alice, acme, "4.00", issue=D(2026, 3, 1), due=D(2026, 3, 31))  # 50000, current
    invoiced(alice, acme, "2.00", issue=D(2025, 11, 1), due=D(2025, 12, 1))  # 25000, 120 days
    d = invoiced(alice, acme, "1.00", issue=D(2026, 2, 15), due=D(2026, 3, 15))  # 12500, 16 days
    invoiced(alice, acme, "3.00", issue=D(2025, 12, 20), due=D(2026, 1, 10))  # 37500, 80 days
    g = invoiced(alice, acme, "0.80", issue=D(2026, 2, 1), due=D(2026, 3, 3))  # 10000, 28 days
    invoiced(alice, acme, "5.00", issue=D(2026, 4, 10), due=D(2026, 5, 10))  # issued after
    invoiced(alice, initech, "1.60", issue=D(2026, 3, 15), due=D(2026, 4, 14))  # 20000, current
    paying(alice, a, 40_000, D(2026, 3, 10))
    paying(alice, a, 30_000, D(2026, 4, 5))  # after the day: still owed on 31 March
    paid_d = paying(alice, d, 12_500, D(2026, 3, 20))
    payment_void(firm=alice.firm, public_id=paid_d.public_id)  # voided today: live on 31 March
    invoice_void(firm=alice.firm, public_id=g.public_id)  # void today: open on 31 March

    body = get(alice, AGING, asOf="2026-03-31")
    assert (body["asOf"], body["currency"]) == ("2026-03-31", alice.firm.currency)
    assert [(c["clientEntityId"], c["name"], buckets(c)) for c in body["clients"]] == [
        (acme.client.public_id, "Acme Corp", (50_000, 10_000, 60_000, 37_500, 25_000, 182_500)),
        (initech.client.public_id, "Initech", (20_000, 0, 0, 0, 0, 20_000)),
    ]
    assert buckets(body["totals"]) == (70_000, 10_000, 60_000, 37_500, 25_000, 202_500)


def test_aging_defaults_to_today_and_leaves_out_settled_clients(alice, acme, make_client):
    today = timezone.localdate()
    settled = make_client(alice, "Settled Ltd")
    paying(alice, invoiced(alice, settled, "1.00", issue=today), 12_500, today)
    invoiced(
        alice, acme, "1.00", issue=today - dt.timedelta(days=40), due=today - dt.timedelta(days=31)
    )
    body = get(alice, AGING)
    assert body["asOf"] == today.isoformat()
    assert [(c["name"], buckets(c)) for c in body["clients"]] == [
        ("Acme Corp", (0, 0, 12_500, 0, 0, 12_500))
    ]


def test_wip_counts_billable_time_not_billed_by_the_day(alice, acme, make_client):
    initech = make_client(alice, "Initech")
    log(alice, acme, "2.00", day=D(2026, 1, 5))  # 25000
    later_billed = log(alice, acme, "1.50", day=D(2026, 1, 20))  # 18750, billed in February
    log(alice, acme, "3.00", day=D(2026, 1, 10), billable=False)
    log(alice, acme, "1.00", day=D(2026, 2, 3))  # after the day
    billed = log(alice, acme, "1.00", day=D(2026, 1, 15))
    log(alice, initech, "0.25", rate=10_000, day=D(2026, 1, 2))  # 2500
    for entry, issued in ((later_billed, D(2026, 2, 5)), (billed, D(2026, 1, 25))):
        invoice_create_from_time(
            firm=alice.firm, link=acme, time_entry_ids=[entry.public_id], issue_date=issued
        )

    body = get(alice, WIP, asOf="2026-01-31")
    assert body["asOf"] == "2026-01-31"
    assert body["clients"] == [
        {
            "clientEntityId": acme.client.public_id,
            "name": "Acme Corp",
            "entries": 2,
            "hours": 3.5,
            "amount": 43_750,
            "oldestDate": "2026-01-05",
        },
        {
            "clientEntityId": initech.client.public_id,
            "name": "Initech",
            "entries": 1,
            "hours": 0.25,
            "amount": 2_500,
            "oldestDate": "2026-01-02",
        },
    ]
    assert body["totals"] == {"entries": 3, "hours": 3.75, "amount": 46_250}
    # As of today the February invoice has billed its entry; the February entry is WIP.
    today = get(alice, WIP)["clients"][0]
    assert (today["entries"], today["amount"]) == (2, 37_500)


def _realization_world(alice, acme, initech):
    x_entries = [
        log(alice, acme, "10.00", day=D(2026, 1, 5)),
        log(alice, acme, "5.00", day=D(2026, 1, 6)),
    ]
    x = invoice_create_from_time(
        firm=alice.firm,
        link=acme,
        time_entry_ids=[e.public_id for e in x_entries],
        issue_date=D(2026, 1, 10),
        adjustment=Adjustment(-7_500, "Courtesy"),
    )  # 187500 standard, 180000 billed
    paying(alice, x, 90_000, D(2026, 2, 1))
    y = invoiced(alice, acme, "2.00", issue=D(2026, 2, 10), adjustment=Adjustment(2_500, "Rush"))
    paying(alice, y, 27_500, D(2026, 2, 11))  # 25000 standard, 27500 billed and collected
    invoiced(alice, acme, "4.00", issue=D(2026, 4, 1))  # out of range
    v = invoiced(alice, acme, "6.00", issue=D(2026, 2, 20))
    invoice_void(firm=alice.firm, public_id=v.public_id)
    invoice_create_from_time(
        firm=alice.firm,
        link=initech,
        time_entry_ids=[],
        items=[InvoiceItem("Fixed fee", 50_000)],
        issue_date=D(2026, 3, 1),
    )


def test_realization_by_client_with_write_downs_write_ups_and_partial_payments(
    alice, acme, make_client
):
    initech = make_client(alice, "Initech")
    _realization_world(alice, acme, initech)
    body = get(alice, REALIZATION, **{"from": "2026-01-01", "to": "2026-03-31"})
    assert (body["from"], body["to"]) == ("2026-01-01", "2026-03-31")
    assert body["rows"] == [
        {
            "key": acme.client.public_id,
            "name": "Acme Corp",
            "hours": 17.0,
            "standardAmount": 212_500,
            "billedAmount": 207_500,
            "collectedAmount": 117_500,
            "billingRealization": 0.9765,  # 207500 / 212500 = 0.97647...
            "collectionRealization": 0.5663,  # 117500 / 207500 = 0.56626...
        },
        {
            "key": initech.client.public_id,
            "name": "Initech",
            "hours": 0.0,
            "standardAmount": 50_000,
            "billedAmount": 50_000,
            "collectedAmount": 0,
            "billingRealization": 1.0,
            "collectionRealization": 0.0,
        },
    ]
    assert body["totals"] == {
        "hours": 17.0,
        "standardAmount": 262_500,
        "billedAmount": 257_500,
        "collectedAmount": 117_500,
        "billingRealization": 0.981,  # 257500 / 262500 = 0.98095...
        "collectionRealization": 0.4563,  # 117500 / 257500 = 0.45631...
    }


def test_realization_by_engagement_shares_collections_over_lines(alice, acme, make_client):
    initech = make_client(alice, "Initech")
    _realization_world(alice, acme, initech)
    body = get(
        alice, REALIZATION, **{"from": "2026-01-01", "to": "2026-03-31", "groupBy": "engagement"}
    )
    # No engagements here: everything in the one row without a key.
    assert [(r["key"], r["billedAmount"], r["collectedAmount"]) for r in body["rows"]] == [
        (None, 257_500, 117_500)
    ]
    assert get(alice, REALIZATION, **{"from": "2027-01-01", "to": "2027-01-31"}) == {
        "from": "2027-01-01",
        "to": "2027-01-31",
        "rows": [],
        "totals": {
            "hours": 0.0,
            "standardAmount": 0,
            "billedAmount": 0,
            "collectedAmount": 0,
            "billingRealization": None,
            "collectionRealization": None,
        },
    }


def test_realization_by_user_keys_rows_by_the_staff_member(alice, acme):
    mine = log(alice, acme, "2.00", user_id=alice.user.public_id)
    theirs = log(alice, acme, "1.00")
    invoice = invoice_create_from_time(
        firm=alice.firm,
        link=acme,
        time_entry_ids=[mine.public_id, theirs.public_id],
        issue_date=D(2026, 1, 20),
        adjustment=Adjustment(-1, "Rounding"),
    )  # 25000 + 12500 standard; 37499 billed: floors 24999 + 12499, the cent to the larger line
    paying(alice, invoice, 10_000, D(2026, 1, 31))
    body = get(alice, REALIZATION, **{"from": "2026-01-01", "to": "2026-01-31", "groupBy": "user"})
    rows = {r["key"]: r for r in body["rows"]}
    assert set(rows) == {alice.user.public_id, None}
    assert (rows[alice.user.public_id]["billedAmount"], rows[None]["billedAmount"]) == (
        25_000,
        12_499,
    )
    # 10000 collected, shared 25000 : 12499 -> 6666.84 and 3333.16 cents: 6667 and 3333.
    assert (rows[alice.user.public_id]["collectedAmount"], rows[None]["collectedAmount"]) == (
        6_667,
        3_333,
    )
    assert body["totals"]["collectedAmount"] == 10_000


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        (AGING, {"asOf": "2026-02-30"}, "asOf"),
        (WIP, {"asOf": "yesterday"}, "asOf"),
        (REALIZATION, {"to": "2026-01-31"}, "from"),
        (REALIZATION, {"from": "2026-01-01"}, "to"),
        (REALIZATION, {"from": "2026-02-01", "to": "2026-01-01"}, "from"),
        (REALIZATION, {"from": "2026-01-01", "to": "2026-01-31", "groupBy": "task"}, "groupBy"),
    ],
)
def test_bad_report_parameters_are_400(alice, url, params, field):
    response = alice.client.get(url, {"firmEntityId": alice.firm.public_id, **params})
    assert field in assert_error(response, 400)["fields"]


@pytest.mark.parametrize(
    ("url", "params"),
    [
        (AGING, {"asOf": "2026-12-31"}),
        (WIP, {"asOf": "2026-12-31"}),
        (REALIZATION, {"from": "2026-01-01", "to": "2026-12-31"}),
        (REALIZATION, {"from": "2026-01-01", "to": "2026-12-31", "groupBy": "user"}),
        (REALIZATION, {"from": "2026-01-01", "to": "2026-12-31", "groupBy": "engagement"}),
    ],
)
def test_reports_take_the_same_queries_however_many_invoices(alice, make_client, url, params):
    def count(n: int) -> int:
        link = make_client(alice, f"Client {n}")
        for i in range(n):
            invoice = invoiced(alice, link, "1.00", issue=D(2026, 1, 1 + i))
            paying(alice, invoice, 5_000, D(2026, 2, 1))
            log(alice, link, "1.00", day=D(2026, 3, 1 + i))
        get(alice, url, **params)  # what a first request reads once (the key, the firm) is cached
        with CaptureQueriesContext(connection) as queries:
            get(alice, url, **params)
        return len(queries)

    assert count(2) == count(12)
