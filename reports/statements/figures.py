"""What the builders share: balances read through the ledger's one grouped query, signs on an
account's normal side, and `Figures`, one period's rows before they are shown.

A builder lists a row for every account its report could show (`Figures.sections`) and names the
rows that have something to show (`Figures.shown`). With a comparison, both periods' figures come
from the same chart, so their rows match by key, and a row is shown when either period has
something for it: an account with activity only last year still appears, with 0 this year.
"""

import datetime as dt
from dataclasses import dataclass, field

from axiomatic.ledger.models import Account, AccountType, Book
from axiomatic.ledger.selectors import account_balances, account_list
from reports.statements.periods import day_before
from reports.statements.shapes import CREDIT_NORMAL, ReportType, Row, Section


@dataclass
class Figures:
    sections: list[Section]
    totals: dict[str, int]
    shown: set[str] = field(default_factory=set)  # row_key of the rows with something to show
    fiscal_year_start: dt.date | None = None


def row_key(row: Row) -> str:
    """An account's row is its account; a computed row (no account) is its subtype."""
    return row.account_id or row.subtype


def normal_balance(account_type: str, debit: int, credit: int) -> int:
    """Debits less credits, or credits less debits for a credit-normal type."""
    return credit - debit if account_type in CREDIT_NORMAL else debit - credit


def net(account: Account) -> int:
    """An account's balance (from `account_balances`) on its type's normal side."""
    return normal_balance(account.type, account.debit_total, account.credit_total)


def has_activity(account: Account) -> bool:
    return bool(account.debit_total or account.credit_total)


def earnings(account: Account) -> int:
    """What the account adds to net income: credits less debits for revenue and for expenses
    alike (an expense's debits lower it); nothing for a balance-sheet account."""
    if account.type in (AccountType.REVENUE, AccountType.EXPENSE):
        return account.credit_total - account.debit_total
    return 0


def balances_before(*, book: Book, day: dt.date) -> list[Account]:
    """The chart with each account's totals of every line dated before `day` (`account_balances`
    as of the day before). Before 0001-01-01 there is nothing: the chart with zero totals."""
    before = day_before(day)
    if before is not None:
        return account_balances(book=book, date_to=before)
    accounts = list(account_list(entity=book.entity))
    for account in accounts:
        account.debit_total = account.credit_total = 0
    return accounts


def account_row(account: Account, section: str, **amounts) -> Row:
    return Row(
        account_id=account.public_id,
        code=account.code,
        name=account.name,
        type=account.type,
        subtype=account.subtype,
        section=section,
        **amounts,
    )


def computed_row(name: str, subtype: str, section: str, amount: int) -> Row:
    """A row no account holds (retained earnings of a chart without that account, this year's
    net income): no account id and no code; its subtype says what it is."""
    return Row(
        account_id=None,
        code="",
        name=name,
        type=AccountType.EQUITY,
        subtype=subtype,
        section=section,
        amount=amount,
    )


def combine(report: ReportType, current: Figures, previous: Figures | None) -> list[Section]:
    """The sections to show: `current`'s rows, each with `previous`'s figures beside it when there
    is a comparison, keeping the rows either period has something to show for."""
    others = {row_key(r): r for s in previous.sections for r in s.rows} if previous else {}
    shown = current.shown | (previous.shown if previous else set())
    for section in current.sections:
        for row in section.rows:
            if previous is None:
                continue
            other = others.get(row_key(row))
            if report == ReportType.TRIAL_BALANCE:
                row.comparison_debit = other.debit if other else 0
                row.comparison_credit = other.credit if other else 0
            else:
                row.comparison_amount = other.amount if other else 0
        section.rows = [row for row in section.rows if row_key(row) in shown]
    return current.sections
