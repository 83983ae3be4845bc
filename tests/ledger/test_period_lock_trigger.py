"""The database's backstop for lock dates (PostgreSQL, migration 0008): a journal entry or line in a
locked period cannot be inserted, changed or deleted by anything that goes around the posting
service (ORM create, bulk_create, raw SQL, update, delete). Each refusal is a check violation
naming the constraint `ledger_period_locked` and the lock date."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from axiomatic.ledger.models import Account, Book, JournalEntry, JournalLine, LedgerSettings
from axiomatic.ledger.services import JournalEntryDraft
from tests.factories import EntityFactory, UserFactory
from tests.helpers import requires_postgres

pytestmark = [requires_postgres, pytest.mark.django_db]

LOCKED_THROUGH = dt.date(2026, 3, 31)
IN_LOCKED = dt.date(2026, 3, 15)
OPEN = dt.date(2026, 4, 1)


@pytest.fixture
def ledger(db):
    entity = EntityFactory()
    gl = Book.objects.get(entity=entity, is_primary=True)
    cash = Account.objects.get(entity=entity, code="1000")
    equity = Account.objects.get(entity=entity, code="3000")
    return entity, gl, cash, equity


def post(gl, cash, equity, day, cents=100, created_by=None) -> JournalEntry:
    return (
        JournalEntryDraft(book=gl, date=day, created_by=created_by)
        .debit(cash, cents)
        .credit(equity, cents)
        .post()
    )


def lock(entity, day=LOCKED_THROUGH) -> None:
    LedgerSettings.objects.filter(entity=entity).update(lock_date=day)


def refused(statement, *, day: dt.date = LOCKED_THROUGH) -> IntegrityError:
    """Run `statement` in a savepoint; it must be refused by the lock-date trigger."""
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        statement()
    error = caught.value
    assert error.__cause__.diag.constraint_name == "ledger_period_locked"
    assert error.__cause__.sqlstate == "23514"  # check_violation
    assert f"locked through {day.isoformat()}" in str(error)
    return error


def test_an_orm_create_of_an_entry_in_the_locked_period_is_refused(ledger):
    entity, gl, cash, equity = ledger
    lock(entity)
    for day in (LOCKED_THROUGH, IN_LOCKED):
        error = refused(
            lambda day=day: JournalEntry.objects.create(
                entity=entity, book=gl, number=900, date=day
            )
        )
        assert f"journal entry dated {day.isoformat()}" in str(error)
    assert JournalEntry.objects.filter(entity=entity).count() == 0


def test_a_line_in_the_locked_period_is_refused_by_create_bulk_create_and_raw_sql(ledger):
    entity, gl, cash, equity = ledger
    entry = post(gl, cash, equity, OPEN)
    lock(entity)

    def line(date=IN_LOCKED) -> JournalLine:
        return JournalLine(entry=entry, book=gl, date=date, account=cash, debit_cents=5)

    refused(lambda: line().save())
    refused(lambda: JournalLine.objects.bulk_create([line(date=OPEN), line()]))

    def raw_line():
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO ledger_journalline"
                " (entry_id, book_id, date, account_id, debit_cents, credit_cents, description)"
                " VALUES (%s, %s, %s, %s, 5, 0, '')",
                [entry.pk, gl.pk, IN_LOCKED, cash.pk],
            )

    error = refused(raw_line)
    assert "journal line dated 2026-03-15" in str(error)
    assert entry.lines.count() == 2


def test_a_raw_sql_insert_of_an_entry_in_the_locked_period_is_refused(ledger):
    entity, gl, cash, equity = ledger
    lock(entity)

    def raw_entry():
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO ledger_journalentry"
                " (public_id, entity_id, book_id, number, date, memo, source, created_at)"
                " VALUES ('je_raw', %s, %s, 901, %s, '', 'manual', now())",
                [entity.pk, gl.pk, IN_LOCKED],
            )

    refused(raw_entry)
    assert JournalEntry.objects.filter(entity=entity).count() == 0


def test_moving_an_entry_or_a_line_into_the_locked_period_is_refused(ledger):
    entity, gl, cash, equity = ledger
    entry = post(gl, cash, equity, OPEN)
    lock(entity)
    refused(lambda: JournalEntry.objects.filter(pk=entry.pk).update(date=IN_LOCKED))
    refused(lambda: JournalLine.objects.filter(entry=entry).update(date=LOCKED_THROUGH))
    entry.refresh_from_db()
    assert entry.date == OPEN
    assert set(entry.lines.values_list("date", flat=True)) == {OPEN}


def test_a_posted_entry_in_the_locked_period_cannot_change_move_out_or_go(ledger):
    entity, gl, cash, equity = ledger
    entry = post(gl, cash, equity, IN_LOCKED)
    lock(entity)
    refused(lambda: JournalEntry.objects.filter(pk=entry.pk).update(memo="Rewritten"))
    refused(lambda: JournalEntry.objects.filter(pk=entry.pk).update(date=OPEN))
    refused(lambda: JournalLine.objects.filter(entry=entry).update(debit_cents=7, credit_cents=0))
    refused(lambda: JournalLine.objects.filter(entry=entry).delete())
    refused(lambda: entry.delete())
    entry.refresh_from_db()
    assert (entry.memo, entry.date, entry.lines.count()) == ("", IN_LOCKED, 2)


def test_deleting_the_author_of_a_locked_entry_clears_only_the_reference(ledger):
    entity, gl, cash, equity = ledger
    author = UserFactory()
    entry = post(gl, cash, equity, IN_LOCKED, created_by=author)
    lock(entity)
    author.delete()  # ON DELETE SET NULL: who, not what
    entry.refresh_from_db()
    assert entry.created_by_id is None and entry.date == IN_LOCKED


def test_posting_after_the_lock_date_and_other_entities_are_untouched(ledger):
    entity, gl, cash, equity = ledger
    other = EntityFactory()
    lock(entity)
    entry = post(gl, cash, equity, OPEN)
    assert entry.lines.count() == 2
    JournalEntry.objects.filter(pk=entry.pk).update(memo="Fixed")  # an open period may change
    other_gl = Book.objects.get(entity=other, is_primary=True)
    post(
        other_gl,
        Account.objects.get(entity=other, code="1000"),
        Account.objects.get(entity=other, code="3000"),
        IN_LOCKED,
    )


def test_without_a_lock_date_or_a_settings_row_nothing_is_refused(ledger):
    entity, gl, cash, equity = ledger
    entry = post(gl, cash, equity, IN_LOCKED)
    LedgerSettings.objects.filter(entity=entity).delete()
    JournalEntry.objects.filter(pk=entry.pk).update(memo="No settings, no lock")
    lock(EntityFactory())  # someone else's lock date
    JournalLine.objects.filter(entry=entry).update(description="Still open")
