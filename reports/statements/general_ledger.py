"""The general ledger: every account's journal lines over `from`..`to`, with running balances.

Each account with a balance before `from` or a line in the period is listed, in code order: its
opening balance (every line dated before `from`, on the account's normal side), each line (date,
entry number, the entry's memo, the line's description, debit, credit, and the balance after it),
the period's debits and credits, and the closing balance (opening + the period's lines).

A book may hold millions of lines, so the statement never holds them. The accounts come from two
aggregates (the balances before `from`, and one grouped count and sum over the period's lines);
the lines come later, when an output asks (`Statement.iter_ledger()`), from one ordered query read
in chunks, and the running balance is computed as they pass. Memory follows the chunk, not the
ledger: a CSV of a million lines streams in constant memory. Each call reads the lines again.
"""

import datetime as dt
from collections.abc import Iterator
from itertools import groupby
from operator import itemgetter
from typing import NamedTuple

from django.db.models import Count, Sum

from axiomatic.ledger.models import DEBIT_NORMAL_TYPES, Book, JournalEntry, JournalLine
from reports.statements.figures import balances_before, net, normal_balance
from reports.statements.shapes import LedgerAccount, LedgerLine

CHUNK_SIZE = 2000  # lines fetched from the database at a time
# What a line of the ledger reads, and nothing more (the line's account and entry are joined).
LINE_COLUMNS = (
    "account_id",
    "date",
    "entry__public_id",
    "entry__number",
    "entry__memo",
    "description",
    "debit_cents",
    "credit_cents",
)


class _Numbered(NamedTuple):
    number: int


# The ledger's one rule for an entry's human number (JE-000042), applied to the bare number a
# line's query reads: building a JournalEntry per line would cost more than the line itself.
_display_number = JournalEntry.display_number.fget


def _period_lines(book: Book, date_from: dt.date, date_to: dt.date):
    return JournalLine.objects.filter(book=book, date__gte=date_from, date__lte=date_to)


def _running(account: LedgerAccount, rows) -> Iterator[LedgerLine]:
    sign = 1 if account.type in DEBIT_NORMAL_TYPES else -1
    balance = account.opening
    for _, day, entry_id, number, memo, description, debit, credit in rows:
        balance += sign * (debit - credit)
        yield LedgerLine(
            date=day,
            entry_id=entry_id,
            number=_display_number(_Numbered(number)),
            memo=memo,
            description=description,
            debit=debit,
            credit=credit,
            balance=balance,
        )


def ledger_accounts(
    *, book: Book, date_from: dt.date, date_to: dt.date
) -> tuple[list[LedgerAccount], dict[str, int]]:
    """The ledger's accounts in code order, and each one's primary key by public id."""
    period = {
        row["account_id"]: row
        for row in _period_lines(book, date_from, date_to)
        .order_by()
        .values("account_id")
        .annotate(lines=Count("id"), debit=Sum("debit_cents"), credit=Sum("credit_cents"))
    }
    accounts, pks = [], {}
    for account in balances_before(book=book, day=date_from):
        opening = net(account)
        activity = period.get(account.pk)
        if not opening and activity is None:
            continue
        debit, credit = (activity["debit"], activity["credit"]) if activity else (0, 0)
        accounts.append(
            LedgerAccount(
                account_id=account.public_id,
                code=account.code,
                name=account.name,
                type=account.type,
                subtype=account.subtype,
                opening=opening,
                debit=debit,
                credit=credit,
                closing=opening + normal_balance(account.type, debit, credit),
                line_count=activity["lines"] if activity else 0,
            )
        )
        pks[account.public_id] = account.pk
    return accounts, pks


def ledger_lines(
    *, book: Book, date_from: dt.date, date_to: dt.date, accounts: list[LedgerAccount], pks
):
    """A callable giving each account with an iterator of its lines, read lazily from one query.

    Read each account's lines before asking for the next account: the lines come from one cursor,
    in the accounts' order (an account's lines not read are skipped)."""

    def read() -> Iterator[tuple[LedgerAccount, Iterator[LedgerLine]]]:
        rows = (
            _period_lines(book, date_from, date_to)
            .order_by("account__code", "date", "entry__number", "id")
            .values_list(*LINE_COLUMNS)
            .iterator(chunk_size=CHUNK_SIZE)
        )
        known = set(pks.values())
        groups = groupby(rows, key=itemgetter(0))
        pending = next(groups, None)
        for account in accounts:
            # A line posted to another account since the accounts were read is not ours to show.
            while pending is not None and pending[0] not in known:
                pending = next(groups, None)
            if pending is not None and pending[0] == pks[account.account_id]:
                yield account, _running(account, pending[1])
                pending = next(groups, None)
            else:
                yield account, iter(())

    return read
