"""Ledger reads. Balances are one grouped SQL query, never a Python loop over lines."""

import datetime as dt

from django.db.models import Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from axiomatic.ledger.models import Account, Book, JournalEntry, JournalLine


def book_list(*, entity) -> QuerySet[Book]:
    return Book.objects.filter(entity=entity).order_by("id")


def book_get(*, entity, public_id: str) -> Book | None:
    return Book.objects.filter(entity=entity, public_id=public_id).first()


def account_list(*, entity) -> QuerySet[Account]:
    return Account.objects.filter(entity=entity).order_by("code", "id")


def journal_entry_list(
    *,
    entity,
    book: Book | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[JournalEntry]:
    """Entries with their book and lines (and each line's account) in a fixed number of queries."""
    qs = JournalEntry.objects.filter(entity=entity)
    if book is not None:
        qs = qs.filter(book=book)
    if date_from is not None:
        qs = qs.filter(date__gte=date_from)
    if date_to is not None:
        qs = qs.filter(date__lte=date_to)
    lines = JournalLine.objects.select_related("account").order_by("id")
    return qs.select_related("book", "entity").prefetch_related(Prefetch("lines", queryset=lines))


def journal_entry_with_lines(*, entry_id: int) -> JournalEntry:
    lines = JournalLine.objects.select_related("account").order_by("id")
    return (
        JournalEntry.objects.select_related("book", "entity")
        .prefetch_related(Prefetch("lines", queryset=lines))
        .get(pk=entry_id)
    )


def account_balances(
    *, book: Book, date_to: dt.date, date_from: dt.date | None = None
) -> QuerySet[Account]:
    """Every account of the book's entity with `debit_total` and `credit_total` in cents.

    Sums cover the book's lines dated `date_from`..`date_to` (from the beginning when `date_from` is
    None). One grouped query; an account without lines has zero totals.
    """
    in_range = Q(lines__entry__book=book, lines__entry__date__lte=date_to)
    if date_from is not None:
        in_range &= Q(lines__entry__date__gte=date_from)
    zero = Value(0)
    return (
        Account.objects.filter(entity_id=book.entity_id)
        .annotate(
            debit_total=Coalesce(Sum("lines__debit_cents", filter=in_range), zero),
            credit_total=Coalesce(Sum("lines__credit_cents", filter=in_range), zero),
        )
        .order_by("code", "id")
    )
