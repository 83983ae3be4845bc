"""The database's own backstop: writes that go around the posting service are refused at commit."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from axiomatic.ledger.models import Account, Book, JournalEntry, JournalLine
from axiomatic.ledger.services import JournalEntryDraft
from tests.factories import EntityFactory
from tests.helpers import requires_postgres


@pytest.fixture
def ledger(db):
    entity = EntityFactory()
    gl = Book.objects.get(entity=entity, is_primary=True)
    cash = Account.objects.get(entity=entity, code="1000")
    equity = Account.objects.get(entity=entity, code="3000")
    return entity, gl, cash, equity


def test_a_line_with_both_sides_violates_the_named_check_constraint(ledger):
    entity, gl, cash, equity = ledger
    entry = (
        JournalEntryDraft(book=gl, date=dt.date(2026, 1, 1))
        .debit(cash, 10)
        .credit(equity, 10)
        .post()
    )
    with (
        pytest.raises(IntegrityError, match="journalline_exactly_one_positive_side"),
        transaction.atomic(),
    ):
        JournalLine.objects.filter(entry=entry, account=cash).update(credit_cents=10)
    with (
        pytest.raises(IntegrityError, match="journalline_exactly_one_positive_side"),
        transaction.atomic(),
    ):
        JournalLine.objects.create(
            entry=entry, book=gl, date=entry.date, account=cash, debit_cents=0, credit_cents=0
        )


def test_posted_lines_carry_their_entrys_book_and_date(ledger):
    entity, gl, cash, equity = ledger
    tax = Book.objects.get(entity=entity, name="Tax")
    for book, day in ((gl, dt.date(2026, 1, 31)), (tax, dt.date(2026, 2, 1))):
        entry = JournalEntryDraft(book=book, date=day).debit(cash, 10).credit(equity, 10).post()
        assert set(entry.lines.values_list("book_id", "date")) == {(book.pk, day)}


def _commit_raw_unbalanced(entity, gl, cash, equity):
    """Insert an unbalanced entry with plain SQL, as a buggy script might."""
    with transaction.atomic():
        entry = JournalEntry.objects.create(
            entity=entity, book=gl, number=999, date=dt.date(2026, 1, 1)
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO ledger_journalline"
                " (entry_id, book_id, date, account_id, debit_cents, credit_cents, description)"
                " VALUES (%s, %s, %s, %s, 100, 0, ''), (%s, %s, %s, %s, 0, 99, '')",
                [entry.pk, gl.pk, entry.date, cash.pk, entry.pk, gl.pk, entry.date, equity.pk],
            )


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_trigger_refuses_an_unbalanced_entry_written_around_the_service(ledger):
    entity, gl, cash, equity = ledger
    with pytest.raises(IntegrityError, match="does not balance: debits 100 <> credits 99"):
        _commit_raw_unbalanced(entity, gl, cash, equity)
    assert JournalEntry.objects.count() == 0
    assert JournalLine.objects.count() == 0


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_trigger_refuses_an_entry_without_lines_and_a_lone_line(ledger):
    entity, gl, cash, equity = ledger
    with pytest.raises(IntegrityError, match="at least two are required"), transaction.atomic():
        JournalEntry.objects.create(entity=entity, book=gl, number=1, date=dt.date(2026, 1, 1))
    entry = (
        JournalEntryDraft(book=gl, date=dt.date(2026, 1, 1))
        .debit(cash, 10)
        .credit(equity, 10)
        .post()
    )
    with pytest.raises(IntegrityError, match="at least two are required"), transaction.atomic():
        JournalLine.objects.filter(entry=entry, account=equity).delete()
    assert JournalLine.objects.filter(entry=entry).count() == 2


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_trigger_refuses_an_edit_that_unbalances_a_posted_entry(ledger):
    entity, gl, cash, equity = ledger
    entry = (
        JournalEntryDraft(book=gl, date=dt.date(2026, 1, 1))
        .debit(cash, 10)
        .credit(equity, 10)
        .post()
    )
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        JournalLine.objects.filter(entry=entry, account=cash).update(debit_cents=11)
    assert sorted(
        JournalLine.objects.filter(entry=entry).values_list("debit_cents", flat=True)
    ) == [0, 10]


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_trigger_refuses_a_line_on_another_entitys_account(ledger):
    entity, gl, cash, equity = ledger
    foreign = Account.objects.get(entity=EntityFactory(), code="3000")
    entry = (
        JournalEntryDraft(book=gl, date=dt.date(2026, 1, 1))
        .debit(cash, 10)
        .credit(equity, 10)
        .post()
    )
    with pytest.raises(IntegrityError, match="another entity"), transaction.atomic():
        JournalLine.objects.filter(entry=entry, account=equity).update(account=foreign)


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_deleting_a_whole_entry_is_allowed_by_the_trigger(ledger):
    entity, gl, cash, equity = ledger
    entry = (
        JournalEntryDraft(book=gl, date=dt.date(2026, 1, 1))
        .debit(cash, 10)
        .credit(equity, 10)
        .post()
    )
    with transaction.atomic():
        JournalLine.objects.filter(entry=entry).delete()
        entry.delete()
    assert JournalEntry.objects.count() == 0


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_trigger_refuses_lines_whose_book_or_date_copy_differs_from_the_entry(ledger):
    entity, gl, cash, equity = ledger
    tax = Book.objects.get(entity=entity, name="Tax")
    entry = (
        JournalEntryDraft(book=gl, date=dt.date(2026, 1, 1))
        .debit(cash, 10)
        .credit(equity, 10)
        .post()
    )
    with pytest.raises(IntegrityError, match="book or date differ"), transaction.atomic():
        JournalLine.objects.filter(entry=entry).update(date=dt.date(2026, 1, 2))
    with pytest.raises(IntegrityError, match="book or date differ"), transaction.atomic():
        JournalLine.objects.filter(entry=entry, account=cash).update(book=tax)
    # Editing the entry around the service leaves its lines' copies behind: refused too.
    with pytest.raises(IntegrityError, match="book or date differ"), transaction.atomic():
        JournalEntry.objects.filter(pk=entry.pk).update(date=dt.date(2026, 3, 1))
    with pytest.raises(IntegrityError, match="book or date differ"), transaction.atomic():
        JournalEntry.objects.filter(pk=entry.pk).update(book=tax)
    assert set(entry.lines.values_list("book_id", "date")) == {(gl.pk, dt.date(2026, 1, 1))}
