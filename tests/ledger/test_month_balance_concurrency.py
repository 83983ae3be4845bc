"""Twenty postings to one account and month at once lose nothing (PostgreSQL, real threads, each on
its own connection, released together by a barrier: `tests.helpers.run_together`)."""

import datetime as dt
import io
from functools import partial

import pytest
from django.core.management import call_command
from django.db import transaction

from axiomatic.ledger.models import Account, AccountMonthBalance, Book
from axiomatic.ledger.services import JournalEntryDraft, month_balances_add
from tests.factories import EntityFactory
from tests.helpers import requires_postgres, run_together

THREADS = 20
MONTH = dt.date(2026, 3, 1)


@pytest.fixture
def ledger():
    entity = EntityFactory(name="Corner Bakery LLC")
    gl = Book.objects.get(entity=entity, is_primary=True)
    accounts = {a.code: a for a in Account.objects.filter(entity=entity)}
    return gl, accounts["1000"], accounts["4000"]


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_postings_to_one_month_all_count(ledger):
    gl, cash, revenue = ledger

    def sale(i: int) -> None:
        JournalEntryDraft(book=gl, date=MONTH.replace(day=1 + i), memo=f"Sale {i}").debit(
            cash, 1_000 + i
        ).credit(revenue, 1_000 + i).post()

    race = run_together(*(partial(sale, i) for i in range(THREADS)))

    assert race.errors == []
    total = sum(1_000 + i for i in range(THREADS))  # 20,190 cents
    rows = AccountMonthBalance.objects.filter(book=gl, month=MONTH)
    assert {(r.account_id, r.debit_cents, r.credit_cents) for r in rows} == {
        (cash.pk, total, 0),
        (revenue.pk, 0, total),
    }
    out = io.StringIO()
    call_command("ledger_verify", stdout=out, stderr=io.StringIO())
    assert "every monthly balance agrees with its lines" in out.getvalue()


@requires_postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("before", [None, (5, 7)], ids=["first-of-the-month", "row-exists"])
def test_the_upsert_adds_without_loss_even_outside_the_posting_lock(ledger, before):
    """Postings of one entity also queue on its settings row, which would hide a read-then-write
    upkeep: here twenty transactions add to one month row, made by the first of them or there
    already, with nothing but the upsert between them. Two plain inserts would break the unique
    constraint; a read-modify-write would lose amounts."""
    gl, cash, _ = ledger
    if before is not None:
        AccountMonthBalance.objects.create(
            book=gl, month=MONTH, account=cash, debit_cents=before[0], credit_cents=before[1]
        )

    def add(i: int) -> None:
        with transaction.atomic():
            month_balances_add(book_id=gl.pk, month=MONTH, totals={cash.pk: (1 + i, 2 * i)})

    race = run_together(*(partial(add, i) for i in range(THREADS)))

    assert race.errors == []
    start = before or (0, 0)
    row = AccountMonthBalance.objects.get(book=gl, month=MONTH, account=cash)
    assert (row.debit_cents, row.credit_cents) == (start[0] + 210, start[1] + 380)
