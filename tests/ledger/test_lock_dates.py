"""Lock dates in the posting service: nothing is posted on or before an entity's lock date, the
refusal (409 `period_locked`) names the date and what to do, and changes nothing (not even a
journal number). The lock date is read under the settings row's lock, which a move of the lock
date takes too."""

import datetime as dt
import threading

import pytest
from django.db import OperationalError, connection, transaction

from axiomatic.core.errors import ApplicationError
from axiomatic.entities.models import Role
from axiomatic.ledger.errors import LedgerErrorCode
from axiomatic.ledger.models import Account, Book, JournalEntry, JournalSequence, LedgerSettings
from axiomatic.ledger.services import (
    JournalEntryDraft,
    entity_books_seed,
    ledger_period_check,
    ledger_settings_lock,
    ledger_settings_update,
)
from tests.factories import EntityFactory, MembershipFactory, UserFactory
from tests.helpers import api, db_fingerprint, requires_postgres, run_together
from tests.ledger.test_ledger_api import ENTRIES, entry_body

pytestmark = pytest.mark.django_db

LOCKED_THROUGH = dt.date(2026, 3, 31)


def lock(entity, day: dt.date | None = LOCKED_THROUGH) -> None:
    LedgerSettings.objects.filter(entity=entity).update(lock_date=day)


def last_journal_number(entity) -> int:
    return JournalSequence.objects.get(entity=entity).last_number


def rent(persona, day: dt.date) -> JournalEntryDraft:
    return (
        JournalEntryDraft(book=persona.gl, date=day, memo="Rent")
        .debit(persona.account("6000"), 150_000)
        .credit(persona.account("1000"), 150_000)
    )


# --- Over HTTP: manual journal entries ----------------------------------------------------------


@pytest.mark.parametrize("day", ["2026-03-31", "2026-03-30", "2025-12-31"])
def test_a_journal_entry_on_or_before_the_lock_date_is_refused_and_changes_nothing(alice, day):
    api(alice).post(ENTRIES, entry_body(alice, date="2026-01-31"))  # JE-000001, before the lock
    lock(alice.firm)
    before = db_fingerprint()
    error = api(alice).post(ENTRIES, entry_body(alice, date=day), status=409, code="period_locked")
    assert "2026-03-31" in error["message"] and day in error["message"]
    assert "lock date" in error["message"] and "after 2026-03-31" in error["message"]
    assert db_fingerprint() == before
    assert JournalEntry.objects.filter(entity=alice.firm).count() == 1
    assert last_journal_number(alice.firm) == 1  # the number was given back


def test_the_day_after_the_lock_date_posts_with_the_next_number(alice):
    api(alice).post(ENTRIES, entry_body(alice, date="2026-01-31"))
    lock(alice.firm)
    api(alice).post(ENTRIES, entry_body(alice, date="2026-03-31"), status=409, code="period_locked")
    posted = api(alice).post(ENTRIES, entry_body(alice, date="2026-04-01"))["journalEntry"]
    assert (posted["date"], posted["number"]) == ("2026-04-01", "JE-000002")


def test_an_entitys_lock_date_binds_its_own_books_only(alice, acme):
    lock(acme.client)
    body = entry_body(alice, date="2026-02-01")
    api(alice).post(ENTRIES, body)  # the firm's own books are open
    gl = Book.objects.get(entity=acme.client, is_primary=True)
    accounts = {a.code: a.public_id for a in Account.objects.filter(entity=acme.client)}
    client_body = {
        **body,
        "entityId": acme.client.public_id,
        "bookId": gl.public_id,
        "lines": [
            {"accountId": accounts["6000"], "debit": 100},
            {"accountId": accounts["1000"], "credit": 100},
        ],
    }
    api(alice).post(ENTRIES, client_body, status=409, code="period_locked")
    tax = Book.objects.get(entity=acme.client, name="Tax")
    api(alice).post(
        ENTRIES, {**client_body, "bookId": tax.public_id}, status=409, code="period_locked"
    )
    api(alice).post(ENTRIES, {**client_body, "date": "2026-04-01"})


def test_unlocking_lets_the_period_be_posted_again(alice):
    lock(alice.firm)
    api(alice).post(ENTRIES, entry_body(alice), status=409, code="period_locked")
    api(alice).patch(
        "/api/ledger/settings", {"lockDate": None}, params={"entityId": alice.firm.public_id}
    )
    assert api(alice).post(ENTRIES, entry_body(alice))["journalEntry"]["date"] == "2026-01-31"


# --- The service ----------------------------------------------------------------------------------


def test_the_draft_refuses_with_the_period_locked_code(alice):
    lock(alice.firm)
    with pytest.raises(ApplicationError) as refused:
        rent(alice, LOCKED_THROUGH).post()
    assert refused.value.status_code == 409
    assert refused.value.code == LedgerErrorCode.PERIOD_LOCKED == "period_locked"
    assert "2026-03-31" in refused.value.message
    assert JournalEntry.objects.filter(entity=alice.firm).count() == 0
    assert rent(alice, LOCKED_THROUGH + dt.timedelta(days=1)).post().number == 1


def test_a_write_that_posts_nothing_checks_the_period_the_same_way(alice):
    """`ledger_period_check`: for what is dated in the books without a posting (a zero invoice)."""
    assert ledger_period_check(entity_id=alice.firm.pk, date=LOCKED_THROUGH).lock_date is None
    lock(alice.firm)
    assert ledger_period_check(entity_id=alice.firm.pk, date=dt.date(2026, 4, 1)).pk
    with pytest.raises(ApplicationError) as refused:
        ledger_period_check(entity_id=alice.firm.pk, date=LOCKED_THROUGH)
    assert (refused.value.status_code, refused.value.code) == (409, "period_locked")
    assert "locked through 2026-03-31" in refused.value.message


def test_a_new_entity_gets_its_settings_with_its_books():
    entity = EntityFactory()
    assert LedgerSettings.objects.filter(entity=entity).values_list(
        "lock_date", "fiscal_year_start_month"
    ).get() == (None, 1)
    entity_books_seed(entity=entity)  # seeding again changes nothing
    assert LedgerSettings.objects.filter(entity=entity).count() == 1


def test_posting_for_an_entity_without_settings_makes_them(alice):
    LedgerSettings.objects.filter(entity=alice.firm).delete()
    rent(alice, dt.date(2026, 1, 31)).post()
    assert LedgerSettings.objects.filter(entity=alice.firm, lock_date=None).count() == 1
    assert ledger_settings_lock(entity_id=alice.firm.pk).fiscal_year_start_month == 1


def test_a_refused_settings_change_writes_nothing(alice):
    viewer = UserFactory()
    MembershipFactory(user=viewer, entity=alice.firm, role=Role.VIEWER)
    before = db_fingerprint()
    for by in (viewer, None):
        with pytest.raises(ApplicationError) as refused:
            ledger_settings_update(entity=alice.firm, by=by, lock_date=LOCKED_THROUGH)
        assert refused.value.status_code == 403
    with pytest.raises(ApplicationError) as refused:
        ledger_settings_update(entity=alice.firm, by=alice.user, fiscal_year_start_month=13)
    assert refused.value.fields == {
        "fiscalYearStartMonth": ["Must be a month number from 1 to 12."]
    }
    assert db_fingerprint() == before


# --- Lock before check (PostgreSQL, real threads) -------------------------------------------------


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_a_posting_waits_for_a_lock_date_being_moved_and_then_sees_it(alice):
    """While a move of the lock date is uncommitted, a posting in that period cannot pass it: it
    waits on the settings row (here: gives up after its lock timeout), and once the move commits
    it is refused. Without the row lock it would post against the old (open) lock date."""
    moved, attempt_done = threading.Event(), threading.Event()

    def move_lock_date():
        with transaction.atomic():
            ledger_settings_update(entity=alice.firm, by=alice.user, lock_date=LOCKED_THROUGH)
            moved.set()
            assert attempt_done.wait(timeout=30)  # hold the row lock until the posting tried

    def post_in_the_period():
        assert moved.wait(timeout=30)
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '200ms'")
                rent(alice, dt.date(2026, 3, 15)).post()
        finally:
            attempt_done.set()

    race = run_together(move_lock_date, post_in_the_period)
    assert len(race.errors) == 1 and isinstance(race.errors[0], OperationalError), race.errors
    assert "lock timeout" in str(race.errors[0])
    assert JournalEntry.objects.filter(entity=alice.firm).count() == 0
    with pytest.raises(ApplicationError) as refused:
        rent(alice, dt.date(2026, 3, 15)).post()
    assert refused.value.code == "period_locked"
