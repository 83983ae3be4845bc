"""The ledger API: books, accounts, journal entries. Access, bad input, and flat query counts."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from axiomatic.core.ids import new_public_id
from axiomatic.ledger.models import Account, Book, JournalEntry
from axiomatic.ledger.services import JournalEntryDraft
from tests.helpers import api, assert_error, db_snapshot

pytestmark = pytest.mark.django_db

BOOKS = "/api/ledger/books"
ACCOUNTS = "/api/ledger/accounts"
ENTRIES = "/api/ledger/journal-entries"


def entry_body(persona, **overrides):
    body = {
        "entityId": persona.firm.public_id,
        "bookId": persona.gl.public_id,
        "date": "2026-01-31",
        "memo": "January rent",
        "lines": [
            {
                "accountId": persona.account("6000").public_id,
                "debit": 150_000,
                "description": "Rent",
            },
            {"accountId": persona.account("1000").public_id, "credit": 150_000},
        ],
    }
    body.update(overrides)
    return body


# --- Reads ------------------------------------------------------------------------------------


def test_books_lists_the_default_books(alice):
    response = alice.client.get(BOOKS, {"entityId": alice.firm.public_id})
    assert response.status_code == 200
    body = response.json()
    assert body["hasMore"] is False and body["nextCursor"] is None
    assert [(b["name"], b["basis"], b["isPrimary"]) for b in body["books"]] == [
        ("General Ledger", "accrual", True),
        ("Tax", "accrual", False),
    ]
    assert all(set(b) >= {"id", "name", "basis", "isPrimary"} for b in body["books"])
    assert body["books"][0]["id"].startswith("bk_")


def test_accounts_lists_the_chart_in_code_order(alice):
    response = alice.client.get(ACCOUNTS, {"entityId": alice.firm.public_id})
    assert response.status_code == 200
    accounts = response.json()["accounts"]
    assert len(accounts) >= 30
    assert [a["code"] for a in accounts] == sorted(a["code"] for a in accounts)
    assert {a["type"] for a in accounts} == {"asset", "liability", "equity", "revenue", "expense"}
    cash = next(a for a in accounts if a["code"] == "1000")
    assert cash == {
        "id": cash["id"],
        "code": "1000",
        "name": "Cash",
        "type": "asset",
        "subtype": "cash",
        "cashFlowSection": "cash",
        "isActive": True,
    }


def test_a_viewer_can_read(bob):
    assert bob.client.get(BOOKS, {"entityId": bob.firm.public_id}).status_code == 200
    assert bob.client.get(ENTRIES, {"entityId": bob.firm.public_id}).status_code == 200


# --- Posting ----------------------------------------------------------------------------------


def test_post_journal_entry_returns_it_with_its_lines(alice):
    entry = api(alice).post(ENTRIES, entry_body(alice))["journalEntry"]
    assert entry["id"].startswith("je_")
    assert entry["number"] == "JE-000001"
    assert entry["entityId"] == alice.firm.public_id
    assert entry["bookId"] == alice.gl.public_id
    assert entry["date"] == "2026-01-31"
    assert entry["memo"] == "January rent"
    assert entry["source"] == "manual"
    assert entry["createdAt"].endswith("Z")
    assert [(line["accountCode"], line["debit"], line["credit"]) for line in entry["lines"]] == [
        ("6000", 150_000, 0),
        ("1000", 0, 150_000),
    ]
    stored = JournalEntry.objects.get(public_id=entry["id"])
    assert stored.created_by == alice.user


def test_list_journal_entries_filters_by_book_and_dates(alice):
    gl, tax = alice.gl, alice.books["Tax"]
    cash, equity = alice.account("1000"), alice.account("3000")
    for book, day in ((gl, 1), (gl, 15), (gl, 28), (tax, 15)):
        JournalEntryDraft(book=book, date=dt.date(2026, 2, day)).debit(cash, day).credit(
            equity, day
        ).post()
    params = {
        "entityId": alice.firm.public_id,
        "bookId": gl.public_id,
        "from": "2026-02-02",
        "to": "2026-02-28",
    }
    entries = alice.client.get(ENTRIES, params).json()["journalEntries"]
    assert [e["date"] for e in entries] == ["2026-02-15", "2026-02-28"]
    assert all(e["bookId"] == gl.public_id for e in entries)
    everything = alice.client.get(ENTRIES, {"entityId": alice.firm.public_id}).json()[
        "journalEntries"
    ]
    assert len(everything) == 4


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda b, p: b.update(lines=b["lines"][:1]), "lines"),
        (lambda b, p: b["lines"][1].update(credit=149_999), "lines"),
        (lambda b, p: b["lines"][0].update(credit=10), "lines[0]"),
        (lambda b, p: b["lines"][0].update(debit=0), "lines[0]"),
        (lambda b, p: b["lines"][0].update(debit=-150_000), "lines[0].debit"),
        (lambda b, p: b["lines"][0].update(debit=1500.5), "lines[0].debit"),
        (lambda b, p: b["lines"][0].update(debit="150000"), "lines[0].debit"),
        (lambda b, p: b["lines"][0].update(debit=None), "lines[0].debit"),
        (lambda b, p: b.update(lines=[]), "lines"),
        (lambda b, p: b.update(lines="two"), "lines"),
        (lambda b, p: b.update(date="2026-02-30"), "date"),
        (lambda b, p: b.update(date="yesterday"), "date"),
        (lambda b, p: b.update(date=20260131), "date"),
        (lambda b, p: b.pop("date"), "date"),
        (lambda b, p: b.update(memo=12), "memo"),
        (lambda b, p: b.update(entityId=123), "entityId"),
        (lambda b, p: b.update(entityId="ent_nope"), "entityId"),
        (lambda b, p: b.update(bookId="acct_" + "0" * 26), "bookId"),
        (lambda b, p: b["lines"][0].update(accountId="junk"), "lines[0].accountId"),
        (lambda b, p: b["lines"][0].update(accountId=["x"]), "lines[0].accountId"),
        # Well-formed but unknown ids of related objects in the body: 400 naming them.
        (lambda b, p: b.update(bookId=new_public_id("bk")), "bookId"),
        (lambda b, p: b["lines"][1].update(accountId=new_public_id("acct")), "lines[1].accountId"),
    ],
)
def test_bad_postings_are_400_naming_the_problem_and_write_nothing(alice, mutate, field):
    body = entry_body(alice)
    mutate(body, alice)
    before = db_snapshot()
    error = api(alice).post(ENTRIES, body, status=400)
    assert field in error["fields"], error
    assert error["message"].startswith(field) or field == "lines", error
    assert db_snapshot() == before


def test_unbalanced_entry_has_its_own_code(alice):
    body = entry_body(alice)
    body["lines"][1]["credit"] = 1
    error = api(alice).post(ENTRIES, body, status=400, code="unbalanced_entry")
    assert "debits 150000 != credits 1" in error["message"]


def test_another_entitys_book_or_account_is_the_same_400_as_an_unknown_one(alice, charlie):
    foreign_book = entry_body(alice, bookId=charlie.gl.public_id)
    unknown_book = entry_body(alice, bookId=new_public_id("bk"))
    a = api(alice).post(ENTRIES, foreign_book, status=400)
    b = api(alice).post(ENTRIES, unknown_book, status=400)
    assert a == b
    foreign_account = entry_body(alice)
    foreign_account["lines"][1]["accountId"] = charlie.account("1000").public_id
    unknown_account = entry_body(alice)
    unknown_account["lines"][1]["accountId"] = new_public_id("acct")
    assert api(alice).post(ENTRIES, foreign_account, status=400) == api(alice).post(
        ENTRIES, unknown_account, status=400
    )
    assert JournalEntry.objects.count() == 0


def test_malformed_json_and_wrong_content_type(alice):
    error = api(alice).post(ENTRIES, raw="{'entityId': ", status=400, code="malformed_request")
    assert "JSON" in error["message"]
    api(alice).post(ENTRIES, raw="[]", status=400, code="validation_error")
    api(alice).post(ENTRIES, raw="null", status=400)
    assert_error(alice.client.post(ENTRIES, data={"entityId": "x"}), 415, "unsupported_media_type")
    assert JournalEntry.objects.count() == 0


def test_a_viewer_cannot_post(bob):
    before = db_snapshot()
    api(bob).post(ENTRIES, entry_body(bob), status=403, code="permission_denied")
    assert db_snapshot() == before


# --- Access -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [BOOKS, ACCOUNTS, ENTRIES])
def test_anonymous_is_401(anon, alice, path):
    error = assert_error(
        anon.get(path, {"entityId": alice.firm.public_id}), 401, "not_authenticated"
    )
    assert error["message"]


def test_anonymous_post_is_401_and_writes_nothing(anon, alice):
    before = db_snapshot()
    api(anon).post(ENTRIES, entry_body(alice), status=401)
    assert db_snapshot() == before


@pytest.mark.parametrize("path", [BOOKS, ACCOUNTS, ENTRIES])
def test_another_firms_entity_is_the_same_404_as_an_unknown_one(alice, charlie, path):
    foreign = alice.client.get(path, {"entityId": charlie.firm.public_id})
    unknown = alice.client.get(path, {"entityId": new_public_id("ent")})
    assert assert_error(foreign, 404, "not_found") == assert_error(unknown, 404, "not_found")
    assert foreign.content == unknown.content


def test_another_firms_book_filter_is_the_same_404_as_an_unknown_one(alice, charlie):
    base = {"entityId": alice.firm.public_id}
    foreign = alice.client.get(ENTRIES, {**base, "bookId": charlie.gl.public_id})
    unknown = alice.client.get(ENTRIES, {**base, "bookId": new_public_id("bk")})
    assert foreign.content == unknown.content
    assert_error(foreign, 404, "not_found")


def test_posting_to_another_firms_entity_is_404_and_writes_nothing(alice, charlie):
    before = db_snapshot()
    foreign = api(alice).request("POST", ENTRIES, entry_body(charlie))
    unknown = api(alice).request(
        "POST", ENTRIES, entry_body(charlie, entityId=new_public_id("ent"))
    )
    assert foreign.content == unknown.content
    assert_error(foreign, 404, "not_found")
    assert db_snapshot() == before


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "entityId"),
        ({"entityId": "nope"}, "entityId"),
        ({"entityId": "bk_" + "0" * 26}, "entityId"),
        ({"entityId": "ENT_" + "0" * 26}, "entityId"),
    ],
)
@pytest.mark.parametrize("path", [BOOKS, ACCOUNTS, ENTRIES])
def test_missing_or_junk_entity_id_is_400(alice, path, params, field):
    error = assert_error(alice.client.get(path, params), 400, "validation_error")
    assert field in error["fields"]


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"from": "2026-13-01"}, "from"),
        ({"to": "not-a-date"}, "to"),
        ({"from": "2026-03-01", "to": "2026-02-01"}, "from"),
        ({"bookId": "bk_short"}, "bookId"),
        ({"limit": "0"}, "limit"),
        ({"limit": "2001"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"cursor": "garbage"}, "cursor"),
    ],
)
def test_bad_journal_entry_query_parameters_are_400(alice, extra, field):
    params = {"entityId": alice.firm.public_id, **extra}
    error = assert_error(alice.client.get(ENTRIES, params), 400, "validation_error")
    assert field in error["fields"], error


# --- Pagination and query counts ----------------------------------------------------------------


def _post_entries(persona, count: int):
    cash, equity = persona.account("1000"), persona.account("3000")
    for i in range(count):
        JournalEntryDraft(book=persona.gl, date=dt.date(2026, 1, 1 + i % 28)).debit(
            cash, i + 1
        ).credit(equity, i + 1).post()


def test_cursor_walks_every_entry_once_in_date_order(alice):
    _post_entries(alice, 25)
    seen, cursor = [], None
    while True:
        params = {"entityId": alice.firm.public_id, "limit": 7}
        if cursor:
            params["cursor"] = cursor
        body = alice.client.get(ENTRIES, params).json()
        seen += body["journalEntries"]
        if not body["hasMore"]:
            assert body["nextCursor"] is None
            break
        cursor = body["nextCursor"]
    assert len(seen) == 25
    assert len({e["id"] for e in seen}) == 25
    keys = [(e["date"], e["number"]) for e in seen]
    assert keys == sorted(keys)


def test_a_cursor_from_another_list_is_refused(alice):
    _post_entries(alice, 3)
    cursor = alice.client.get(ENTRIES, {"entityId": alice.firm.public_id, "limit": 1}).json()[
        "nextCursor"
    ]
    error = assert_error(
        alice.client.get(ACCOUNTS, {"entityId": alice.firm.public_id, "cursor": cursor}), 400
    )
    assert "cursor" in error["fields"]


def _count_queries(client, path, params) -> int:
    client.get(path, params)  # warm up: the first call of a minute also stamps the key's last use
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_journal_entry_list_takes_the_same_queries_for_1_or_500_entries(alice):
    params = {"entityId": alice.firm.public_id}
    _post_entries(alice, 1)
    one = _count_queries(alice.client, ENTRIES, params)
    _post_entries(alice, 499)
    many = _count_queries(alice.client, ENTRIES, params)
    assert len(alice.client.get(ENTRIES, params).json()["journalEntries"]) == 500
    assert one == many


def test_account_list_takes_the_same_queries_for_1_or_500_accounts(alice):
    params = {"entityId": alice.firm.public_id}
    Account.objects.filter(entity=alice.firm).exclude(code="1000").delete()
    one = _count_queries(alice.client, ACCOUNTS, params)
    Account.objects.bulk_create(
        Account(
            entity=alice.firm,
            code=f"9{i:03d}",
            name=f"Extra {i}",
            type="expense",
            subtype="operating_expense",
        )
        for i in range(499)
    )
    many = _count_queries(alice.client, ACCOUNTS, params)
    assert len(alice.client.get(ACCOUNTS, params).json()["accounts"]) == 500
    assert one == many


def test_book_list_query_count_does_not_grow_with_books(alice):
    params = {"entityId": alice.firm.public_id}
    before = _count_queries(alice.client, BOOKS, params)
    Book.objects.bulk_create(Book(entity=alice.firm, name=f"Book {i}") for i in range(50))
    assert _count_queries(alice.client, BOOKS, params) == before
