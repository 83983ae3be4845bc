"""Ledger reads. Balances are grouped SQL queries (months, then the lines of partial months), never
a Python loop over lines."""

import calendar
import datetime as dt
from dataclasses import dataclass

from django.db.models import DateField, F, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, TruncMonth

from axiomatic.ledger.models import (
    Account,
    AccountMonthBalance,
    Book,
    JournalEntry,
    JournalLine,
    LedgerSettings,
)


def ledger_settings_get(*, entity) -> LedgerSettings:
    """The entity's lock date and fiscal year; an unsaved row of defaults when it has none yet
    (a read never writes: the first posting or change makes the row)."""
    return LedgerSettings.objects.filter(entity=entity).first() or LedgerSettings(entity=entity)


def book_list(*, entity) -> QuerySet[Book]:
    return Book.objects.filter(entity=entity).order_by("id")


def book_get(*, entity, public_id: str) -> Book | None:
    return Book.objects.select_related("entity").filter(entity=entity, public_id=public_id).first()


def account_list(*, entity) -> QuerySet[Account]:
    return Account.objects.filter(entity=entity).order_by("code", "id")


def _with_lines(entries: QuerySet[JournalEntry]) -> QuerySet[JournalEntry]:
    """Entries with their book, entity and lines (each line's account): two queries in all."""
    lines = JournalLine.objects.select_related("account").order_by("id")
    return entries.select_related("book", "entity").prefetch_related(
        Prefetch("lines", queryset=lines)
    )


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
    return _with_lines(qs)


def journal_entry_find(*, entity, public_id: str) -> JournalEntry | None:
    """The entity's entry with its lines (two queries), or None for an unknown id and for another
    entity's alike: the caller answers both with the same 404."""
    return journal_entry_list(entity=entity).filter(public_id=public_id).first()


def journal_entry_with_lines(*, entry_id: int) -> JournalEntry:
    return _with_lines(JournalEntry.objects.all()).get(pk=entry_id)


def account_balances(
    *, book: Book, date_to: dt.date, date_from: dt.date | None = None
) -> list[Account]:
    """Every account of the book's entity, in code order, with `debit_total` and `credit_total`.

    Sums cover the book's lines dated `date_from`..`date_to` (from the beginning when `date_from` is
    None); an account without lines has zero totals. At most three queries whatever the size of the
    ledger: the months of the range that lie wholly inside it, from AccountMonthBalance; the lines
    of the partial months at either end (one query, at most two date ranges); and the chart of
    accounts. A range of whole months skips the lines, a range inside one or two partial months
    skips the months (`balance_plan`).

    Why months: a book's month rows number accounts x months (a few thousand over years), its
    lines millions; the posting service keeps the rows in the transaction of every posting and
    reversal (`services.month_balances_add`), so statements cost the same on a 1M- or 10M-line
    book. The partial months still read lines, which the (book, date) index keeps to those days.
    Each entry lies in one month, so even if a posting commits between the two aggregates it is
    counted wholly or not at all, and the totals still balance.

    Why not annotate the accounts (one query): that joins every line to its account row before
    grouping, so PostgreSQL sorts the million lines of a large book together with the wide account
    columns (2.2 s on the benchmark's 1M-line book, against 0.3 s for the bare aggregate). Grouping
    the lines by `account_id` first is the bare aggregate itself (each line carries its entry's
    book and date, so no join); the chart (a few dozen rows) is matched to it here.
    """
    totals = balance_totals(book=book, date_to=date_to, date_from=date_from)
    accounts = list(Account.objects.filter(entity_id=book.entity_id).order_by("code", "id"))
    for account in accounts:
        account.debit_total, account.credit_total = totals.get(account.pk, (0, 0))
    return accounts


def balance_totals(
    *, book: Book, date_to: dt.date, date_from: dt.date | None = None
) -> dict[int, tuple[int, int]]:
    """{account_id: (debit_cents, credit_cents)} over `date_from`..`date_to` for the accounts that
    moved: `account_balances` without the chart (whole months from AccountMonthBalance, partial
    months from the lines; one or two queries)."""
    plan = balance_plan(date_from=date_from, date_to=date_to)
    totals: dict[int, tuple[int, int]] = {}
    rows = []
    if plan.months is not None:
        rows.append(
            month_balance_totals(book=book, month_from=plan.months[0], month_to=plan.months[1])
        )
    if plan.line_ranges:
        rows.append(_line_totals(book=book, ranges=plan.line_ranges))
    for query in rows:
        for row in query:
            debit, credit = totals.get(row["account_id"], (0, 0))
            totals[row["account_id"]] = (debit + row["debit"], credit + row["credit"])
    return totals


def month_balance_totals(
    *, book: Book, month_to: dt.date, month_from: dt.date | None = None
) -> QuerySet:
    """The book's monthly balances summed per account over the months `month_from`..`month_to`
    (their first days; from the first month when `month_from` is None): rows of `account_id`,
    `debit` and `credit` (cents), one grouped query over AccountMonthBalance."""
    months = AccountMonthBalance.objects.filter(book=book, month__lte=month_to)
    if month_from is not None:
        months = months.filter(month__gte=month_from)
    return (
        months.order_by()
        .values("account_id")
        .annotate(debit=Sum("debit_cents"), credit=Sum("credit_cents"))
    )


def _line_totals(*, book: Book, ranges) -> QuerySet:
    """The book's lines in the given (first, last) date ranges (first None: from the beginning),
    summed per account: rows of `account_id`, `debit`, `credit`."""
    within = Q()
    for first, last in ranges:
        within |= Q(date__lte=last) if first is None else Q(date__gte=first, date__lte=last)
    return (
        JournalLine.objects.filter(within, book=book)
        .order_by()
        .values("account_id")
        .annotate(debit=Sum("debit_cents"), credit=Sum("credit_cents"))
    )


@dataclass(frozen=True)
class BalancePlan:
    """Where `date_from`..`date_to` is read from: `months` (first, last), the first days of the
    whole months (first None: from the first month there is), or None; `line_ranges`, the (first,
    last) days read from the lines (first None: from the beginning), at most two."""

    months: tuple[dt.date | None, dt.date] | None
    line_ranges: tuple[tuple[dt.date | None, dt.date], ...]


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _shift_month(first: dt.date, months: int) -> dt.date | None:
    """The first day of the month `months` after (or before) `first`'s; None past the calendar."""
    index = first.year * 12 + first.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, 1) if dt.MINYEAR <= year <= dt.MAXYEAR else None


def balance_plan(*, date_from: dt.date | None, date_to: dt.date) -> BalancePlan:
    """Split a range into its whole months and the partial months at either end."""
    to_month = date_to.replace(day=1)
    last = to_month if date_to == _month_end(date_to) else _shift_month(to_month, -1)
    if date_from is None or date_from.day == 1:
        first = date_from
    else:
        first = _shift_month(date_from.replace(day=1), 1)
    if last is None or (date_from is not None and (first is None or first > last)):
        return BalancePlan(months=None, line_ranges=((date_from, date_to),))
    ranges = []
    if date_from is not None and date_from != first:
        ranges.append((date_from, first - dt.timedelta(days=1)))
    if last != to_month:
        ranges.append((to_month, date_to))
    return BalancePlan(months=(first, last), line_ranges=tuple(ranges))


# -- Consistency (manage.py ledger_verify) ----------------------------------------------------------


@dataclass(frozen=True)
class MonthBalanceDifference:
    """An AccountMonthBalance row that disagrees with the lines: `stored` and `recomputed` are
    (debit_cents, credit_cents), (0, 0) where there is no row or no line."""

    account: Account
    month: dt.date
    stored: tuple[int, int]
    recomputed: tuple[int, int]


def month_balance_differences(*, book: Book) -> list[MonthBalanceDifference]:
    """Recompute every (account, month) of the book from its lines and compare with the stored
    rows; the ones that differ, by month and account code.

    Why one UNION ALL statement, not two queries: a statement reads one snapshot, so a posting
    committed meanwhile is in both halves or in neither, and is never reported as a difference on a
    live ledger. (A third query fetches the accounts, only when something differs.)"""
    stored = (
        AccountMonthBalance.objects.filter(book=book)
        .order_by()
        .values("account_id", "month")
        .annotate(debit=F("debit_cents"), credit=F("credit_cents"), from_lines=Value(False))
    )
    recounted = (
        JournalLine.objects.filter(book=book)
        .order_by()
        # Cast: PostgreSQL's DATE_TRUNC of a date is a timestamp, and the union would hand every
        # month back as a datetime.
        .annotate(month=Cast(TruncMonth("date"), DateField()))
        .values("account_id", "month")
        .annotate(debit=Sum("debit_cents"), credit=Sum("credit_cents"), from_lines=Value(True))
    )
    found: dict[bool, dict[tuple[int, dt.date], tuple[int, int]]] = {False: {}, True: {}}
    for row in stored.union(recounted, all=True):
        key = (row["account_id"], row["month"])
        # int(): the union takes its column types from the first half, so PostgreSQL's numeric
        # SUM of the second arrives as a Decimal.
        found[bool(row["from_lines"])][key] = (int(row["debit"]), int(row["credit"]))
    wrong = {
        key: (found[False].get(key, (0, 0)), found[True].get(key, (0, 0)))
        for key in found[False].keys() | found[True].keys()
        if found[False].get(key, (0, 0)) != found[True].get(key, (0, 0))
    }
    if not wrong:
        return []
    accounts = Account.objects.in_bulk({account_id for account_id, _ in wrong})
    differences = [
        MonthBalanceDifference(accounts[account_id], month, stored_sums, recomputed_sums)
        for (account_id, month), (stored_sums, recomputed_sums) in wrong.items()
    ]
    return sorted(differences, key=lambda d: (d.month, d.account.code, d.account.pk))


def verified_books(*, entity_public_id: str | None = None) -> list[Book]:
    """The books `ledger_verify` checks, with their entities: every book, or one entity's."""
    books = Book.objects.select_related("entity").order_by("entity_id", "id")
    if entity_public_id is not None:
        books = books.filter(entity__public_id=entity_public_id)
    return list(books)
