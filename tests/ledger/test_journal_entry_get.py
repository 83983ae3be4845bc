"""GET /api/ledger/journal-entries/{journalEntryId}?entityId=: one entry as the list shows it,
under the list's access rules (an entity the caller reaches; another entity's entry, another
firm's and an unknown id are the same 404), in two queries of the ledger whatever its size."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from axiomatic.core.ids import new_public_id
from axiomatic.entities.models import Role
from axiomatic.ledger.models import Account, Book, JournalEntry, JournalLine
from axiomatic.ledger.services import JournalEntryDraft
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import api, assert_error, db_fingerprint
from tests.lookalike import assert_same_404

pytestmark = pytest.mark.django_db

ENTRIES = "/api/ledger/journal-entries"


def detail(entry_id: str) -> str:
    return f"{ENTRIES}/{entry_id}"


def post_entry(entity, *, lines: int = 2, day: int = 31, memo: str = "January rent") -> str:
    """An entry on the entity's primary book: `lines - 1` debits of 1.00 to rent, one credit of
    the total to cash."""
    book = Book.objects.get(entity=entity, is_primary=True)
    rent = Account.objects.get(entity=entity, code="6000")
    cash = Account.objects.get(entity=entity, code="1000")
    draft = JournalEntryDraft(book=book, date=dt.date(2026, 1, day), memo=memo)
    for n in range(lines - 1):
        draft.debit(rent, 100, f"Rent part {n + 1}")
    return draft.credit(cash, 100 * (lines - 1)).post().public_id


def get(persona, entry_id: str, entity_id: str | None):
    params = {"entityId": entity_id} if entity_id is not None else {}
    return api(persona).request("GET", detail(entry_id), params=params)


# --- The entry --------------------------------------------------------------------------------


def test_get_answers_the_entry_as_the_list_shows_it(alice):
    first = post_entry(alice.firm, memo="January rent")
    second = post_entry(alice.firm, lines=3, day=15, memo="Split rent")
    for entry_id in (first, second):
        body = api(alice).get(detail(entry_id), {"entityId": alice.firm.public_id})
        assert set(body) == {"journalEntry"}
        listed = api(alice).get(ENTRIES, {"entityId": alice.firm.public_id})["journalEntries"]
        assert body["journalEntry"] == next(e for e in listed if e["id"] == entry_id)
    entry = api(alice).get(detail(second), {"entityId": alice.firm.public_id})["journalEntry"]
    assert entry["memo"] == "Split rent" and entry["date"] == "2026-01-15"
    assert [(line["accountCode"], line["debit"], line["credit"]) for line in entry["lines"]] == [
        ("6000", 100, 0),
        ("6000", 100, 0),
        ("1000", 0, 200),
    ]


def test_a_client_entitys_entry_is_read_under_the_clients_entity_id(alice, acme):
    entry_id = post_entry(acme.client, memo="Acme's rent")
    body = api(alice).get(detail(entry_id), {"entityId": acme.client.public_id})
    assert body["journalEntry"]["entityId"] == acme.client.public_id
    assert body["journalEntry"]["memo"] == "Acme's rent"
    # Under the firm's own id it is not the firm's entry: the 404 of an unknown one.
    assert_same_404(
        get(alice, entry_id, alice.firm.public_id),
        get(alice, new_public_id("je"), alice.firm.public_id),
    )


def test_a_viewer_and_the_clients_own_user_read_it(alice, bob, acme):
    firm_entry = post_entry(alice.firm)
    client_entry = post_entry(acme.client)
    api(bob).get(detail(firm_entry), {"entityId": alice.firm.public_id})
    owner = UserFactory(email="owner@acme.test")
    MembershipFactory(user=owner, entity=acme.client, role=Role.ADMIN)
    session = APIClient()
    session.force_login(owner)
    api(session).get(detail(client_entry), {"entityId": acme.client.public_id})
    # The client's user reaches its own entity only: the firm's entry is a 404.
    assert_same_404(
        api(session).request("GET", detail(firm_entry), params={"entityId": alice.firm.public_id}),
        api(session).request(
            "GET", detail(new_public_id("je")), params={"entityId": alice.firm.public_id}
        ),
    )


# --- Access -----------------------------------------------------------------------------------


def test_another_firms_entry_is_the_same_404_as_an_unknown_one(alice, charlie, globex):
    theirs = post_entry(charlie.firm)
    their_client = post_entry(globex.client)
    before = db_fingerprint()
    mine = alice.firm.public_id
    assert_same_404(
        get(alice, theirs, mine),
        get(alice, their_client, mine),
        get(alice, new_public_id("je"), mine),
        # Naming their entity instead: the 404 of an entity that is not hers.
        get(alice, theirs, charlie.firm.public_id),
        get(alice, their_client, globex.client.public_id),
        get(alice, theirs, new_public_id("ent")),
    )
    assert db_fingerprint() == before


def test_anonymous_is_401(anon, alice):
    entry_id = post_entry(alice.firm)
    response = anon.get(detail(entry_id), {"entityId": alice.firm.public_id})
    assert_error(response, 401, "not_authenticated")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "entityId"),
        ({"entityId": ""}, "entityId"),
        ({"entityId": "nope"}, "entityId"),
        ({"entityId": "bk_" + "0" * 26}, "entityId"),
    ],
)
def test_a_missing_or_junk_entity_id_is_400(alice, params, field):
    entry_id = post_entry(alice.firm)
    response = api(alice).request("GET", detail(entry_id), params=params)
    assert field in assert_error(response, 400, "validation_error")["fields"]


@pytest.mark.parametrize(
    "junk", ["je_", "123", "je_" + "x" * 40, "JE_" + "0" * 26, "inv_" + "0" * 26, "je_0000000000"]
)
def test_a_junk_id_is_400_naming_it(alice, junk):
    response = get(alice, junk, alice.firm.public_id)
    assert "journalEntryId" in assert_error(response, 400, "validation_error")["fields"]


# --- Queries ----------------------------------------------------------------------------------

LEDGER_TABLES = (JournalEntry._meta.db_table, JournalLine._meta.db_table)


def _queries(persona, entry_id: str) -> tuple[int, int]:
    """(all queries, queries of the journal tables) of one GET by id, after a warm-up call (the
    first call of a minute also stamps the key's last use)."""
    params = {"entityId": persona.firm.public_id}
    api(persona).get(detail(entry_id), params)
    with CaptureQueriesContext(connection) as ctx:
        api(persona).get(detail(entry_id), params)
    ledger = [q for q in ctx.captured_queries if any(t in q["sql"] for t in LEDGER_TABLES)]
    return len(ctx.captured_queries), len(ledger)


def test_an_entry_takes_two_ledger_queries_however_many_lines_and_entries(alice):
    small = post_entry(alice.firm, lines=2)
    total, ledger = _queries(alice, small)
    assert ledger == 2  # the entry (with its book and entity), its lines (with their accounts)
    large = post_entry(alice.firm, lines=40)
    for day in range(1, 29):
        post_entry(alice.firm, lines=3, day=day)
    assert _queries(alice, large) == (total, 2)
    assert _queries(alice, small) == (total, 2)
    body = api(alice).get(detail(large), {"entityId": alice.firm.public_id})
    assert len(body["journalEntry"]["lines"]) == 40
