"""Concurrent postings for one entity get distinct, gapless numbers (PostgreSQL, real threads)."""

import datetime as dt
import threading

import pytest
from django.db import connection

from axiomatic.ledger.models import Account, Book, JournalEntry
from axiomatic.ledger.services import JournalEntryDraft
from tests.factories import EntityFactory
from tests.helpers import requires_postgres

THREADS = 8


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_postings_are_numbered_one_to_n_without_gaps():
    entity = EntityFactory()
    gl = Book.objects.get(entity=entity, is_primary=True)
    cash = Account.objects.get(entity=entity, code="1000")
    equity = Account.objects.get(entity=entity, code="3000")
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def post(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            JournalEntryDraft(book=gl, date=dt.date(2026, 1, 1)).debit(cash, i + 1).credit(
                equity, i + 1
            ).post()
        except BaseException as exc:  # reported below; a thread cannot fail the test itself
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    numbers = sorted(JournalEntry.objects.filter(entity=entity).values_list("number", flat=True))
    assert numbers == list(range(1, THREADS + 1))
