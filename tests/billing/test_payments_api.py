"""Payments against AR invoices: record, void, list, and what each does to the invoice and the books.

A payment posts debit 1000 Cash, credit 1100 receivable on its date; voiding it posts the mirror
entry. The invoice's amountPaid, balanceDue and status follow; it cannot be overpaid, a void invoice
cannot be paid, and an invoice with live payments cannot be voided.
"""

import datetime as dt
import json
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from axiomatic.core.errors import ApplicationError
from axiomatic.entities.models import Entity
from billing.models import Invoice, Payment
from billing.services.payments import payment_create
from tests.billing.invoice_helpers import balances, bill, log, void_url
from tests.helpers import (
    api,
    assert_error,
    db_fingerprint,
    in_firm,
    requires_postgres,
    run_concurrently,
)

pytestmark = pytest.mark.django_db

INVOICES = "/api/practice/billing/invoices"
PAYMENTS = "/api/practice/billing/payments"
PAYMENT_KEYS = {
    "id",
    "invoiceId",
    "amount",
    "date",
    "method",
    "reference",
    "journalEntryId",
    "voided",
    "createdAt",
}
DAY = dt.date(2026, 1, 15)


def invoice_of(persona, link, cents_hours="20.00", *, issue=DAY) -> dict:
    """An invoice of `cents_hours` x 125.00 (20 h: 250000 cents), issued on `issue`."""
    entry = log(persona, link, cents_hours)
    return bill(persona, link, [entry], issueDate=issue.isoformat())["invoice"]


def pay(persona, invoice_id, amount, *, day=DAY, method="ach", **extra):
    body = {
        "firmEntityId": persona.firm.public_id,
        "amount": amount,
        "date": day.isoformat() if isinstance(day, dt.date) else day,
        "method": method,
        **extra,
    }
    return persona.client.post(
        f"{INVOICES}/{invoice_id}/payments", data=json.dumps(body), content_type="application/json"
    )


def paid(persona, invoice_id, amount, **kwargs) -> dict:
    response = pay(persona, invoice_id, amount, **kwargs)
    assert response.status_code == 201, response.content
    return response.json()


def void_payment(persona, payment_id):
    url = f"{PAYMENTS}/{payment_id}/void?" + urlencode({"firmEntityId": persona.firm.public_id})
    return persona.client.post(url, content_type="application/json")


def payments(persona, **params) -> list[dict]:
    response = persona.client.get(PAYMENTS, {"firmEntityId": persona.firm.public_id, **params})
    assert response.status_code == 200, response.content
    return response.json()["payments"]


def test_a_partial_then_a_full_payment_post_cash_and_settle_the_invoice(alice, acme):
    invoice = invoice_of(alice, acme)
    body = paid(alice, invoice["id"], 100_000, method="check", reference="Check 1042")
    assert set(body) == {"payment", "invoice"}
    payment = body["payment"]
    assert set(payment) == PAYMENT_KEYS
    assert payment["id"].startswith("pay_")
    assert payment == {
        **payment,
        "invoiceId": invoice["id"],
        "amount": 100_000,
        "date": "2026-01-15",
        "method": "check",
        "reference": "Check 1042",
        "voided": False,
    }
    assert payment["journalEntryId"].startswith("je_")
    after = body["invoice"]
    assert (after["amountPaid"], after["balanceDue"], after["status"]) == (
        100_000,
        150_000,
        "partially_paid",
    )
    assert after["payments"] == [payment]
    assert balances(alice) == {
        "1000": (100_000, 0),
        "1100": (250_000, 100_000),
        "4000": (0, 250_000),
    }

    settled = paid(alice, invoice["id"], 150_000, day=dt.date(2026, 2, 1))["invoice"]
    assert (settled["amountPaid"], settled["balanceDue"], settled["status"]) == (250_000, 0, "paid")
    assert [p["amount"] for p in settled["payments"]] == [100_000, 150_000]
    assert balances(alice) == {
        "1000": (250_000, 0),
        "1100": (250_000, 250_000),
        "4000": (0, 250_000),
    }


def test_a_payment_posts_on_its_own_date(alice, acme):
    invoice = invoice_of(alice, acme)
    body = paid(alice, invoice["id"], 1_000, day=dt.date(2026, 3, 31))
    entry = Payment.objects.get(public_id=body["payment"]["id"]).journal_entry
    assert entry.date == dt.date(2026, 3, 31)
    assert entry.source == "payment"


def test_paying_more_than_the_balance_due_is_400_on_amount(alice, acme):
    invoice = invoice_of(alice, acme)
    paid(alice, invoice["id"], 200_000)
    before = db_fingerprint()
    error = assert_error(pay(alice, invoice["id"], 50_001), 400, "validation_error")
    assert error["fields"] == {"amount": ["Must be at most the balance due, 50000."]}
    assert db_fingerprint() == before
    paid(alice, invoice["id"], 50_000)
    assert_error(pay(alice, invoice["id"], 1), 400)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount": 0}, "amount"),
        ({"amount": -5}, "amount"),
        ({"amount": "100"}, "amount"),
        ({"amount": 1.5}, "amount"),
        ({"method": "bitcoin"}, "method"),
        ({"date": "2026-02-30"}, "date"),
        ({"date": "2026-01-14"}, "date"),  # before the issue date
        ({"reference": "x" * 201}, "reference"),
    ],
)
def test_bad_payments_are_400_and_change_nothing(alice, acme, overrides, field):
    invoice = invoice_of(alice, acme)
    before = db_fingerprint()
    amount = overrides.pop("amount", 100)
    day = overrides.pop("date", DAY)
    error = assert_error(pay(alice, invoice["id"], amount, day=day, **overrides), 400)
    assert field in error["fields"], error
    assert db_fingerprint() == before


def test_a_void_invoice_cannot_be_paid(alice, acme):
    invoice = invoice_of(alice, acme)
    assert (
        api(alice)
        .request("POST", void_url(invoice["id"]), params=in_firm(alice.firm.public_id))
        .status_code
        == 200
    )
    before = db_fingerprint()
    assert_error(pay(alice, invoice["id"], 100), 409, "invoice_void")
    assert db_fingerprint() == before


def test_an_invoice_with_live_payments_cannot_be_voided_until_they_are(alice, acme):
    invoice = invoice_of(alice, acme)
    payment = paid(alice, invoice["id"], 100_000)["payment"]
    before = db_fingerprint()
    assert_error(
        api(alice).request("POST", void_url(invoice["id"]), params=in_firm(alice.firm.public_id)),
        409,
        "invoice_has_payments",
    )
    assert db_fingerprint() == before
    assert void_payment(alice, payment["id"]).status_code == 200
    voided = api(alice).request(
        "POST", void_url(invoice["id"]), params=in_firm(alice.firm.public_id)
    )
    assert voided.status_code == 200, voided.content
    assert voided.json()["invoice"]["status"] == "void"
    assert balances(alice) == {
        "1000": (100_000, 100_000),
        "1100": (350_000, 350_000),
        "4000": (250_000, 250_000),
    }


def test_voiding_a_payment_reverses_it_and_the_invoice_status_follows(alice, acme):
    invoice = invoice_of(alice, acme)
    first = paid(alice, invoice["id"], 100_000)["payment"]
    paid(alice, invoice["id"], 150_000)
    response = void_payment(alice, first["id"])
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"payment", "invoice"}
    assert body["payment"] == {**first, "voided": True}
    after = body["invoice"]
    assert (after["amountPaid"], after["balanceDue"], after["status"]) == (
        150_000,
        100_000,
        "partially_paid",
    )
    assert [(p["amount"], p["voided"]) for p in after["payments"]] == [
        (100_000, True),
        (150_000, False),
    ]
    assert balances(alice) == {
        "1000": (250_000, 100_000),
        "1100": (350_000, 250_000),
        "4000": (0, 250_000),
    }
    # Voiding it again changes nothing.
    before = db_fingerprint()
    again = void_payment(alice, first["id"])
    assert again.status_code == 200
    assert again.json() == body
    assert db_fingerprint() == before


def test_the_payment_list_filters_by_client_and_dates(alice, acme, make_client):
    initech = make_client(alice, "Initech", default_rate_cents=10_000)
    a = invoice_of(alice, acme)
    b = invoice_of(alice, initech)
    jan = paid(alice, a["id"], 1_000, day=dt.date(2026, 1, 20))["payment"]
    feb = paid(alice, a["id"], 2_000, day=dt.date(2026, 2, 20))["payment"]
    other = paid(alice, b["id"], 3_000, day=dt.date(2026, 2, 21))["payment"]
    assert {p["id"] for p in payments(alice)} == {jan["id"], feb["id"], other["id"]}
    assert {p["id"] for p in payments(alice, clientEntityId=acme.client.public_id)} == {
        jan["id"],
        feb["id"],
    }
    assert [p["id"] for p in payments(alice, **{"from": "2026-02-01", "to": "2026-02-20"})] == [
        feb["id"]
    ]
    assert payments(alice, clientEntityId="ent_" + "0" * 26) == []
    assert_error(
        alice.client.get(
            PAYMENTS,
            {"firmEntityId": alice.firm.public_id, "from": "2026-03-01", "to": "2026-02-01"},
        ),
        400,
    )


@pytest.mark.parametrize("url", [PAYMENTS, INVOICES])
def test_lists_take_the_same_queries_however_many_payments(alice, acme, url):
    def count(n: int) -> int:
        for _ in range(n):
            invoice = invoice_of(alice, acme, "1.00")
            paid(alice, invoice["id"], 100)
            paid(alice, invoice["id"], 200)
        with CaptureQueriesContext(connection) as queries:
            response = alice.client.get(url, {"firmEntityId": alice.firm.public_id})
        assert response.status_code == 200
        return len(queries)

    assert count(2) == count(10)


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_racing_payments_of_the_full_balance_make_exactly_one(alice, acme):
    invoice = Invoice.objects.get(public_id=invoice_of(alice, acme)["id"])
    firm_pk = alice.firm.pk

    def race():
        firm = Entity.objects.get(pk=firm_pk)
        try:
            return payment_create(
                firm=firm,
                invoice_public_id=invoice.public_id,
                amount_cents=250_000,
                date=DAY,
                method="wire",
            )
        except ApplicationError as exc:
            return exc

    race_result = run_concurrently(race, 20)
    assert race_result.errors == []
    made = [r for r in race_result.results if isinstance(r, Payment)]
    refused = [r for r in race_result.results if isinstance(r, ApplicationError)]
    assert len(made) == 1
    assert len(refused) == 19
    assert all(r.fields == {"amount": ["Must be at most the balance due, 0."]} for r in refused)
    invoice.refresh_from_db()
    assert (invoice.amount_paid_cents, invoice.status) == (250_000, "paid")
    assert Payment.objects.filter(invoice=invoice).count() == 1
    assert balances(alice)["1000"] == (250_000, 0)
