"""Invoice adjustments (write-downs and write-ups) and items (fixed fees, disbursements).

The adjustment is spread over the lines pro rata to their standard amounts, leftover cents to the
largest lines first; the lines sum to the total. The books carry the adjusted total (debit 1100
receivable, credit 4000 service revenue); subtotal and adjustment stay on the invoice
(docs/adr/0020).
"""

import datetime as dt

import pytest

from billing.models import Invoice
from practice.services.engagements import engagement_create
from tests.billing.invoice_helpers import INVOICE, balances, bill, invoice_body, log
from tests.helpers import api, assert_error, db_fingerprint

pytestmark = pytest.mark.django_db


def engagement(persona, link, name="Year-end"):
    return engagement_create(
        firm=persona.firm,
        client=link.client,
        name=name,
        start_date=dt.date(2026, 1, 1),
        type="advisory",
    )


def three_entries(alice, acme):
    """Standard amounts 125000, 62500 and 62500 cents (subtotal 250000)."""
    return [
        log(alice, acme, "10.00", day=dt.date(2026, 1, 5)),
        log(alice, acme, "5.00", day=dt.date(2026, 1, 6)),
        log(alice, acme, "5.00", day=dt.date(2026, 1, 7)),
    ]


def test_a_write_down_is_spread_pro_rata_leftover_cents_to_the_largest_lines(alice, acme):
    entries = three_entries(alice, acme)
    adjustment = {"amount": -10_001, "reason": "Courtesy discount"}
    invoice = bill(alice, acme, entries, adjustment=adjustment)["invoice"]
    # Exact shares of 239999: 119999.5, 59999.75, 59999.75 -> floors 119999, 59999, 59999 (sum
    # 239997); the two cents left go to the largest line, then the first of the tied ones.
    assert [(ln["standardAmount"], ln["amount"]) for ln in invoice["lines"]] == [
        (125_000, 120_000),
        (62_500, 60_000),
        (62_500, 59_999),
    ]
    assert {k: invoice[k] for k in ("subtotal", "adjustment", "adjustmentReason", "total")} == {
        "subtotal": 250_000,
        "adjustment": -10_001,
        "adjustmentReason": "Courtesy discount",
        "total": 239_999,
    }
    assert invoice["amountPaid"] == 0
    assert invoice["balanceDue"] == 239_999
    assert invoice["sentAt"] is None
    assert invoice["payments"] == []
    assert invoice["status"] == "open"
    # Net revenue in the books: the write-down never reaches revenue at standard value.
    assert balances(alice) == {"1100": (239_999, 0), "4000": (0, 239_999)}


def test_without_an_adjustment_the_invoice_shows_zero_and_its_standard_value(alice, acme):
    invoice = bill(alice, acme, three_entries(alice, acme))["invoice"]
    assert (invoice["subtotal"], invoice["adjustment"], invoice["total"]) == (250_000, 0, 250_000)
    assert invoice["adjustmentReason"] is None
    assert all(ln["kind"] == "time" for ln in invoice["lines"])
    assert all(ln["standardAmount"] == ln["amount"] for ln in invoice["lines"])


def test_items_alone_make_an_invoice_and_take_a_write_up(alice, acme):
    close = engagement(alice, acme)
    items = [
        {"description": "Year-end fixed fee", "amount": 150_000, "engagementId": close.public_id},
        {"description": "Filing fee", "amount": 5_000},
    ]
    body = invoice_body(alice, acme, [], items=items, adjustment={"amount": 1, "reason": "Rush"})
    response = api(alice).request("POST", INVOICE, body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["markedEntries"] == 0
    invoice = created["invoice"]
    today = dt.date.today().isoformat()
    assert [
        (ln["kind"], ln["description"], ln["engagementId"], ln["hours"], ln["rate"], ln["date"])
        for ln in invoice["lines"]
    ] == [
        ("item", "Year-end fixed fee", close.public_id, None, None, today),
        ("item", "Filing fee", None, None, None, today),
    ]
    assert [(ln["standardAmount"], ln["amount"]) for ln in invoice["lines"]] == [
        (150_000, 150_001),
        (5_000, 5_000),
    ]
    assert (invoice["subtotal"], invoice["total"], invoice["lineCount"]) == (155_000, 155_001, 2)
    assert balances(alice) == {"1100": (155_001, 0), "4000": (0, 155_001)}


def test_time_lines_come_first_then_the_items(alice, acme):
    entry = log(alice, acme, "1.00", rate=10_000)
    items = [{"description": "Disbursement", "amount": 2_500}]
    invoice = bill(alice, acme, [entry], items=items)["invoice"]
    assert [(ln["kind"], ln["amount"]) for ln in invoice["lines"]] == [
        ("time", 10_000),
        ("item", 2_500),
    ]
    assert invoice["total"] == 12_500


def test_a_write_down_to_zero_posts_nothing(alice, acme):
    entry = log(alice, acme, "1.00", rate=10_000)
    invoice = bill(alice, acme, [entry], adjustment={"amount": -10_000, "reason": "Goodwill"})
    assert invoice["invoice"]["total"] == 0
    assert invoice["invoice"]["lines"][0]["amount"] == 0
    assert invoice["invoice"]["journalEntryId"] is None
    assert balances(alice) == {}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"adjustment": {"amount": -10_001, "reason": "Too much"}}, "adjustment.amount"),
        ({"adjustment": {"amount": -5}}, "adjustment.reason"),
        ({"adjustment": {"amount": 5, "reason": "  "}}, "adjustment.reason"),
        ({"adjustment": {"amount": "5", "reason": "x"}}, "adjustment.amount"),
        ({"adjustment": {"amount": 1.5, "reason": "x"}}, "adjustment.amount"),
        ({"adjustment": {"amount": 10**16, "reason": "x"}}, "adjustment.amount"),
        ({"adjustment": "down"}, "adjustment"),
        ({"items": [{"description": "Fee", "amount": 0}]}, "items[0].amount"),
        ({"items": [{"description": "Fee", "amount": -1}]}, "items[0].amount"),
        ({"items": [{"description": "Fee", "amount": 10**16}]}, "items[0].amount"),
        ({"items": [{"amount": 100}]}, "items[0].description"),
        (
            {"items": [{"description": "Fee", "amount": 1, "engagementId": 7}]},
            "items[0].engagementId",
        ),
        (
            {"items": [{"description": "Fee", "amount": 1, "engagementId": "eng_x"}]},
            "items[0].engagementId",
        ),
        ({"items": {"description": "Fee"}}, "items"),
        ({"timeEntryIds": [], "items": []}, "timeEntryIds"),
    ],
)
def test_bad_adjustments_and_items_are_400_and_write_nothing(alice, acme, overrides, field):
    entry = log(alice, acme, "1.00", rate=10_000)
    before = db_fingerprint()
    response = api(alice).request("POST", INVOICE, invoice_body(alice, acme, [entry], **overrides))
    error = assert_error(response, 400)
    assert field in error["fields"], error
    assert db_fingerprint() == before


def test_an_engagement_of_another_client_or_firm_is_400(alice, acme, make_client, charlie, globex):
    other = engagement(alice, make_client(alice, "Initech"))
    foreign = engagement(charlie, globex)
    before = db_fingerprint()
    answers = []
    for eng in (other, foreign):
        items = [{"description": "Fee", "amount": 100, "engagementId": eng.public_id}]
        response = api(alice).request("POST", INVOICE, invoice_body(alice, acme, [], items=items))
        answers.append(assert_error(response, 400)["fields"])
    assert answers[0] == {"items[0].engagementId": ["An engagement of another client."]}
    assert answers[1] == {"items[0].engagementId": ["No such engagement for this firm."]}
    assert db_fingerprint() == before
    assert not Invoice.objects.exists()
