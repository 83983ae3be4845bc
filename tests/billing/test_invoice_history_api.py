"""An invoice's change history: its creation and posting, its void, who did each, in a fixed number
of queries; another firm's invoice is the same 404 as none."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from axiomatic.core.ids import new_public_id
from billing.services.invoices import invoice_create_from_time, invoice_void
from practice.services.time_entries import time_entry_create
from tests.helpers import assert_error, db_fingerprint

pytestmark = pytest.mark.django_db

INVOICES = "/api/practice/billing/invoices"


def history(client, firm, invoice_id: str, **params):
    return client.get(
        f"{INVOICES}/{invoice_id}/history", {"firmEntityId": firm.public_id, **params}
    )


def entry_id(persona, link, hours: str = "1.50") -> str:
    return time_entry_create(
        firm=persona.firm,
        link=link,
        work_date=timezone.localdate(),
        hours=Decimal(hours),
        rate_cents=10_000,
    ).public_id


def invoice_of(persona, link, entries: int = 1, **kwargs):
    ids = [entry_id(persona, link) for _ in range(entries)]
    return invoice_create_from_time(firm=persona.firm, link=link, time_entry_ids=ids, **kwargs)


def test_creation_and_void_say_who_and_what_changed(alice, bob, acme):
    created = alice.client.post(
        "/api/practice/billing/invoice",
        data=json.dumps(
            {
                "firmEntityId": alice.firm.public_id,
                "clientEntityId": acme.client.public_id,
                "timeEntryIds": [entry_id(alice, acme, hours="2")],
            }
        ),
        content_type="application/json",
    )
    invoice = created.json()["invoice"]
    # Outside a request (a task, a command) nobody is recorded.
    invoice_void(firm=alice.firm, public_id=invoice["id"])

    response = history(bob.client, alice.firm, invoice["id"])

    assert response.status_code == 200, response.content
    changes = response.json()["history"]
    key = alice.firm.api_keys.get()
    by_key = {"userId": alice.user.public_id, "apiKeyId": key.public_id}
    # Created, then its journal entry saved on it (the posting), then the void.
    assert [c["change"] for c in changes] == ["created", "updated", "updated"]
    assert all(c["by"] == by_key for c in changes[:2])
    assert changes[0]["fields"]["number"] == {"from": None, "to": invoice["number"]}
    assert changes[0]["fields"]["total"] == {"from": None, "to": 20_000}
    assert changes[0]["fields"]["status"] == {"from": None, "to": "open"}
    assert changes[1]["fields"] == {
        "journalEntryId": {"from": None, "to": invoice["journalEntryId"]}
    }
    voided = changes[2]
    assert voided["by"] == {"userId": None, "apiKeyId": None}
    assert voided["fields"]["status"] == {"from": "open", "to": "void"}
    assert set(voided["fields"]) == {"status", "voidedAt", "voidJournalEntryId"}


def test_another_firms_invoice_is_the_same_404_as_an_unknown_one(alice, charlie, globex):
    invoice = invoice_of(charlie, globex)
    before = db_fingerprint()

    foreign = history(alice.client, alice.firm, invoice.public_id)
    unknown_id = new_public_id("inv")
    unknown = history(alice.client, alice.firm, unknown_id)

    assert_error(foreign, 404, "not_found")
    assert foreign.content == unknown.content.replace(
        unknown_id.encode(), invoice.public_id.encode()
    )
    assert db_fingerprint() == before


def test_a_malformed_id_is_a_400(alice):
    error = assert_error(history(alice.client, alice.firm, "inv_!"), 400, "validation_error")
    assert "invoiceId" in error["fields"]


def _queries(client, firm, invoice_id: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = history(client, firm, invoice_id)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_history_takes_the_same_queries_however_large_the_invoice_and_its_history(alice, acme):
    small = invoice_of(alice, acme, entries=1)
    _queries(alice.client, alice.firm, small.public_id)  # the key's first use stamps it
    few = _queries(alice.client, alice.firm, small.public_id)
    large = invoice_of(alice, acme, entries=30, created_by=alice.user)
    invoice_void(firm=alice.firm, public_id=large.public_id, voided_by=alice.user)

    assert _queries(alice.client, alice.firm, large.public_id) == few


def test_a_payment_shows_in_the_invoices_history(alice, acme):
    invoice = invoice_of(alice, acme)
    paid = alice.client.post(
        f"/api/practice/billing/invoices/{invoice.public_id}/payments",
        data=json.dumps(
            {
                "firmEntityId": alice.firm.public_id,
                "amount": 5_000,
                "date": invoice.issue_date.isoformat(),
                "method": "check",
            }
        ),
        content_type="application/json",
    )
    assert paid.status_code == 201, paid.content
    changes = history(alice.client, alice.firm, invoice.public_id).json()["history"]
    assert changes[-1]["fields"]["amountPaid"] == {"from": 0, "to": 5_000}
    assert changes[-1]["fields"]["status"] == {"from": "open", "to": "partially_paid"}
