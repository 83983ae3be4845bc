"""Concurrent postings for one entity get distinct, gapless numbers (PostgreSQL, real threads)."""

import datetime as dt
from functools import partial

import pytest

from axiomatic.ledger.models import Account, Book, JournalEntry
from axiomatic.ledger.services import JournalEntryDraft
from tests.factories import EntityFactory
from tests.helpers import requires_postgres, run_together

THREADS = 8


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_postings_are_numbered_one_to_n_without_gaps():
    entity = EntityFactory()
    gl = Book.objects.get(entity=entity, is_primary=True)
    cash = Account.objects.get(entity=entity, code="1000")
    equity = Account.objects.get(entity=entity, code="3000")

    def post(i: int) -> None:
        JournalEntryDraft(book=gl, date=dt.date(2026, 1, 1)).debit(cash, i + 1).credit(
            equity, i + 1
        ).post()

    race = run_together(*(partial(post, i) for i in range(THREADS)))
    assert race.errors == []
    numbers = sorted(JournalEntry.objects.filter(entity=entity).values_list("number", flat=True))
    assert numbers == list(range(1, THREADS + 1))
