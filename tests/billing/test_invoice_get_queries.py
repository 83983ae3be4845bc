"""GET /api/practice/billing/invoices/{invoiceId}: one query for the invoice (with its client and
journal entries) plus one each for what the item carries (its lines, its payments), whatever the
size of the invoice or of the firm's books; a client user, a viewer of another firm and an unknown
id alike get the same 404."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from axiomatic.core.ids import new_public_id
from billing.models import Invoice, InvoiceLine, Payment
from billing.services.invoices import invoice_create_from_time
from billing.services.payments import payment_create
from tests.billing.invoice_helpers import INVOICES, bill, bulk_log, ids_of, log
from tests.helpers import api, db_fingerprint, in_firm
from tests.lookalike import assert_same_404

pytestmark = pytest.mark.django_db

# Quoted: "billing_invoice" is also the start of "billing_invoiceline".
TABLES = {model: f'"{model._meta.db_table}"' for model in (Invoice, InvoiceLine, Payment)}


def _queries(persona, invoice_id: str) -> tuple[int, dict]:
    """(all queries, queries per billing table) of one GET by id, after a warm-up call (the first
    call of a minute also stamps the key's last use)."""
    path, params = f"{INVOICES}/{invoice_id}", in_firm(persona.firm.public_id)
    api(persona).get(path, params)
    with CaptureQueriesContext(connection) as ctx:
        api(persona).get(path, params)
    sqls = [q["sql"] for q in ctx.captured_queries]
    by_table = {
        model.__name__: sum(
            # A query's first table is the one it reads from (the others are joins).
            sql.split(" FROM ", 1)[-1].startswith(table)
            for sql in sqls
        )
        for model, table in TABLES.items()
    }
    return len(sqls), by_table


def test_an_invoice_takes_the_same_queries_for_1_or_60_lines_and_payments(alice, acme):
    small = bill(alice, acme, [log(alice, acme, "1.00")])["invoice"]["id"]
    total, by_table = _queries(alice, small)
    assert by_table == {"Invoice": 1, "InvoiceLine": 1, "Payment": 1}
    entries = bulk_log(alice, acme, 60)
    large = invoice_create_from_time(
        firm=alice.firm, link=acme, time_entry_ids=ids_of(entries), created_by=alice.user
    ).public_id
    for n in range(5):
        payment_create(
            firm=alice.firm,
            invoice_public_id=large,
            amount_cents=1_000,
            date=dt.date.today(),
            method="check",
            reference=f"10{n}",
        )
    for _ in range(10):
        bill(alice, acme, [log(alice, acme, "1.00")])
    assert _queries(alice, large) == (total, by_table)
    assert _queries(alice, small) == (total, by_table)
    body = api(alice).get(f"{INVOICES}/{large}", in_firm(alice.firm.public_id))["invoice"]
    assert body["lineCount"] == 60 and len(body["payments"]) == 5


def test_another_firms_invoice_is_the_same_404_as_an_unknown_one(alice, bob, charlie, globex):
    theirs = bill(charlie, globex, [log(charlie, globex, "1.00")])["invoice"]["id"]
    before = db_fingerprint()
    answers = [
        api(persona).request("GET", f"{INVOICES}/{invoice_id}", params=in_firm(firm))
        for persona in (alice, bob)
        for invoice_id, firm in (
            (theirs, alice.firm.public_id),
            (new_public_id("inv"), alice.firm.public_id),
            (theirs, charlie.firm.public_id),
            (theirs, new_public_id("ent")),
        )
    ]
    assert_same_404(*answers)
    assert db_fingerprint() == before
