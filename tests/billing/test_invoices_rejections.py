"""Refused invoices write nothing and use no number: another firm's or client's time, time that
is not billable, rated or still unbilled, an incomplete chart, bad bodies, and whose client."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from axiomatic.core.ids import new_public_id
from axiomatic.core.money import MAX_CENTS
from axiomatic.ledger.models import Account
from practice.models import TimeEntry
from practice.services.clients import client_archive
from tests.billing.invoice_helpers import (
    INVOICE,
    assert_next_number_is_2,
    bill,
    billing_state,
    bulk_log,
    invoice_body,
    last_number,
    log,
    named,
)
from tests.helpers import api, assert_error, db_snapshot

pytestmark = pytest.mark.django_db


# --- Create: rejections write nothing and use no number ------------------------------------------


def test_another_firms_entries_get_the_same_400_as_unknown_ids(
    alice, acme, charlie, globex, numbered
):
    mine = log(alice, acme)
    theirs = log(charlie, globex)
    unknown_id = new_public_id("te")
    before = db_snapshot()
    foreign = api(alice).request("POST", INVOICE, invoice_body(alice, acme, [mine, theirs]))
    unknown = api(alice).request(
        "POST", INVOICE, invoice_body(alice, acme, [mine.public_id, unknown_id])
    )
    error = assert_error(foreign, 400, "validation_error")
    assert "timeEntryIds" in error["fields"]
    assert theirs.public_id in error["message"]
    assert mine.public_id not in named(error)
    assert_error(unknown, 400, "validation_error")
    # Byte for byte the same answer, but for the id it names.
    assert foreign.content.decode().replace(
        theirs.public_id, "ID"
    ) == unknown.content.decode().replace(unknown_id, "ID")
    assert db_snapshot() == before
    assert billing_state([mine, theirs]) == [("unbilled", None, None)] * 2
    assert_next_number_is_2(alice, acme)


def test_every_unknown_id_is_named(alice, acme):
    mine = log(alice, acme)
    missing = [new_public_id("te"), new_public_id("te")]
    before = db_snapshot()
    body = invoice_body(alice, acme, [missing[0], mine, missing[1]])
    error = api(alice).post(INVOICE, body, status=400)
    assert all(i in named(error) for i in missing)
    assert mine.public_id not in named(error)
    assert db_snapshot() == before


def test_charlie_cannot_invoice_alices_time_to_his_own_client(alice, acme, charlie, globex):
    mine = log(alice, acme)
    unknown_id = new_public_id("te")
    before = db_snapshot()
    foreign = api(charlie).request("POST", INVOICE, invoice_body(charlie, globex, [mine]))
    unknown = api(charlie).request("POST", INVOICE, invoice_body(charlie, globex, [unknown_id]))
    assert_error(foreign, 400, "validation_error")
    assert foreign.content.decode().replace(
        mine.public_id, "ID"
    ) == unknown.content.decode().replace(unknown_id, "ID")
    assert db_snapshot() == before
    assert billing_state([mine]) == [("unbilled", None, None)]
    assert last_number(charlie.firm) == 0


def test_an_entry_of_another_client_of_the_same_firm_is_400(alice, acme, make_client, numbered):
    other = make_client(alice, "Other Co")
    mine, theirs = log(alice, acme), log(alice, other)
    before = db_snapshot()
    error = api(alice).post(
        INVOICE,
        invoice_body(alice, acme, [mine, theirs]),
        status=400,
        code="time_entries_not_invoiceable",
    )
    assert "timeEntryIds" in error["fields"]
    assert theirs.public_id in named(error) and mine.public_id not in named(error)
    assert db_snapshot() == before
    assert billing_state([mine, theirs]) == [("unbilled", None, None)] * 2
    assert_next_number_is_2(alice, acme)


def test_a_non_billable_entry_is_400_not_invoiceable(alice, acme, numbered):
    billable = log(alice, acme)
    internal = log(alice, acme, billable=False)
    before = db_snapshot()
    error = api(alice).post(
        INVOICE,
        invoice_body(alice, acme, [billable, internal]),
        status=400,
        code="time_entries_not_invoiceable",
    )
    assert "timeEntryIds" in error["fields"]
    assert internal.public_id in named(error) and billable.public_id not in named(error)
    assert db_snapshot() == before
    assert billing_state([billable, internal]) == [("unbilled", None, None)] * 2
    assert_next_number_is_2(alice, acme)


def test_an_entry_without_any_rate_is_400_not_invoiceable(alice, acme, numbered):
    rated = log(alice, acme)
    unrated = log(alice, acme, rate=None)  # no explicit, client or firm rate
    assert unrated.rate_cents is None
    before = db_snapshot()
    error = api(alice).post(
        INVOICE,
        invoice_body(alice, acme, [rated, unrated]),
        status=400,
        code="time_entries_not_invoiceable",
    )
    assert "timeEntryIds" in error["fields"]
    assert unrated.public_id in named(error) and rated.public_id not in named(error)
    assert db_snapshot() == before
    assert billing_state([rated, unrated]) == [("unbilled", None, None)] * 2
    assert_next_number_is_2(alice, acme)


def test_already_invoiced_entries_are_409_naming_them(alice, acme):
    a, b, c = log(alice, acme), log(alice, acme), log(alice, acme)
    first = bill(alice, acme, [a, b])["invoice"]
    before = db_snapshot()
    code = "time_entry_invoiced"
    error = api(alice).post(INVOICE, invoice_body(alice, acme, [c, b]), status=409, code=code)
    assert b.public_id in error["message"]
    assert c.public_id not in named(error)
    api(alice).post(INVOICE, invoice_body(alice, acme, [a, b]), status=409, code=code)
    assert db_snapshot() == before
    assert billing_state([a, b]) == [("billed", first["id"], "INV-000001")] * 2
    assert billing_state([c]) == [("unbilled", None, None)]
    assert last_number(alice.firm) == 1
    assert bill(alice, acme, [c])["invoice"]["number"] == "INV-000002"


def test_an_incomplete_chart_is_409_and_gives_the_number_back(alice, acme, numbered):
    Account.objects.filter(entity=alice.firm, code="1100").update(is_active=False)
    entry = log(alice, acme)
    before = db_snapshot()
    api(alice).post(
        INVOICE, invoice_body(alice, acme, [entry]), status=409, code="chart_incomplete"
    )
    assert db_snapshot() == before
    assert billing_state([entry]) == [("unbilled", None, None)]
    Account.objects.filter(entity=alice.firm, code="1100").update(is_active=True)
    assert_next_number_is_2(alice, acme)


def _many_ids(n: int) -> list[str]:
    return [new_public_id("te") for _ in range(n)]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda b: {**b, "timeEntryIds": b["timeEntryIds"][:1] * 2}, "timeEntryIds"),
        (
            lambda b: {**b, "timeEntryIds": [*b["timeEntryIds"], b["timeEntryIds"][0]]},
            "timeEntryIds",
        ),
        (lambda b: {**b, "timeEntryIds": []}, "timeEntryIds"),
        (lambda b: {**b, "timeEntryIds": _many_ids(1_001)}, "timeEntryIds"),
        (lambda b: {**b, "timeEntryIds": ["te_123"]}, "timeEntryIds"),
        (lambda b: {**b, "timeEntryIds": ["junk"]}, "timeEntryIds"),
        (lambda b: {**b, "timeEntryIds": [new_public_id("ent")]}, "timeEntryIds"),
        (lambda b: {**b, "timeEntryIds": [123]}, "timeEntryIds"),
        (lambda b: {**b, "timeEntryIds": [None]}, "timeEntryIds"),
        (lambda b: {**b, "timeEntryIds": b["timeEntryIds"][0]}, "timeEntryIds"),
        (lambda b: {**b, "timeEntryIds": {"id": b["timeEntryIds"][0]}}, "timeEntryIds"),
        (lambda b: {**b, "timeEntryIds": None}, "timeEntryIds"),
        (lambda b: {k: v for k, v in b.items() if k != "timeEntryIds"}, "timeEntryIds"),
        (lambda b: {k: v for k, v in b.items() if k != "clientEntityId"}, "clientEntityId"),
        (lambda b: {**b, "clientEntityId": "acme"}, "clientEntityId"),
        (lambda b: {**b, "clientEntityId": 42}, "clientEntityId"),
        (lambda b: {**b, "clientEntityId": None}, "clientEntityId"),
        (lambda b: {**b, "clientEntityId": new_public_id("pcl")}, "clientEntityId"),
        (lambda b: {k: v for k, v in b.items() if k != "firmEntityId"}, "firmEntityId"),
        (lambda b: {**b, "firmEntityId": "firm"}, "firmEntityId"),
        (lambda b: {**b, "issueDate": "2026-02-30"}, "issueDate"),
        (lambda b: {**b, "issueDate": "15/01/2026"}, "issueDate"),
        (lambda b: {**b, "issueDate": 20260115}, "issueDate"),
        (lambda b: {**b, "issueDate": "1899-12-31"}, "issueDate"),
        (lambda b: {**b, "dueDate": "tomorrow"}, "dueDate"),
        (lambda b: {**b, "dueDate": "3000-01-01"}, "dueDate"),
        (lambda b: {**b, "dueDate": True}, "dueDate"),
        (lambda b: {**b, "issueDate": "2026-03-02", "dueDate": "2026-03-01"}, "dueDate"),
    ],
)
def test_bad_bodies_are_400_naming_the_field_and_write_nothing(
    alice, acme, numbered, change, field
):
    entries = [log(alice, acme), log(alice, acme)]
    body = change(invoice_body(alice, acme, entries))
    before = db_snapshot()
    error = api(alice).post(INVOICE, body, status=400, code="validation_error")
    assert any(k == field or k.startswith(f"{field}[") for k in error["fields"]), error
    assert db_snapshot() == before
    assert billing_state(entries) == [("unbilled", None, None)] * 2
    assert_next_number_is_2(alice, acme)


def test_a_due_date_before_today_without_an_issue_date_is_400(alice, acme):
    entry = log(alice, acme)
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    before = db_snapshot()
    error = api(alice).post(
        INVOICE,
        invoice_body(alice, acme, [entry], dueDate=yesterday),
        status=400,
        code="validation_error",
    )
    assert "dueDate" in error["fields"]
    assert db_snapshot() == before
    assert last_number(alice.firm) == 0


@pytest.mark.parametrize("raw", ["{not json", "[]", '"te_x"', "null"])
def test_a_body_that_is_not_a_json_object_is_400(alice, acme, raw):
    before = db_snapshot()
    api(alice).post(INVOICE, raw=raw, status=400)
    assert db_snapshot() == before


def test_an_invoice_total_beyond_any_real_amount_is_400_not_a_crash(alice, acme):
    # 400 lines of 24h at the highest rate the API takes: the total does not fit in 64 bits.
    entries = bulk_log(alice, acme, 400, hours=Decimal("24.00"), rate=MAX_CENTS)
    alice.client.raise_request_exception = False
    before = db_snapshot()
    api(alice).post(INVOICE, invoice_body(alice, acme, entries), status=400)
    assert db_snapshot() == before
    assert not TimeEntry.objects.filter(firm=alice.firm, billing_status="billed").exists()
    assert last_number(alice.firm) == 0


def test_the_client_must_be_an_active_client_of_the_firm_all_others_are_the_same_404(
    alice, acme, charlie, globex, make_client
):
    mine = log(alice, acme)
    gone = make_client(alice, "Gone Co")
    gone_entry = log(alice, gone)
    client_archive(link=gone)
    before = db_snapshot()
    responses = [
        api(alice).request(
            "POST", INVOICE, invoice_body(alice, acme, [mine], clientEntityId=client_id)
        )
        for client_id in (
            new_public_id("ent"),
            globex.client.public_id,
            gone.client.public_id,
            alice.firm.public_id,
            charlie.firm.public_id,
        )
    ]
    responses.append(api(alice).request("POST", INVOICE, invoice_body(alice, gone, [gone_entry])))
    for response in responses:
        assert_error(response, 404, "not_found")
        assert response.content == responses[0].content
    assert db_snapshot() == before
    assert billing_state([mine, gone_entry]) == [("unbilled", None, None)] * 2
    assert last_number(alice.firm) == 0
