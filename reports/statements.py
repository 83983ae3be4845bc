"""Financial statements: compute first (plain dataclasses), render second.

Each statement is one grouped SQL query over the book's journal lines
(`axiomatic.ledger.selectors.account_balances`), whatever the size of the ledger:

- Trial balance, as of `to`: every account with a balance, in a debit or a credit column; the two
  totals are equal because every entry balances.
- Income statement, `from`..`to`: revenue (credits less debits) and expenses (debits less credits);
  net income is revenue less expenses.
- Balance sheet, as of `to`: assets (debit balances), liabilities and equity (credit balances).
  Revenue and expenses to date are not closed into retained earnings by an entry, so their difference
  shows inside equity as "Current earnings", and assets = liabilities + equity.

Amounts are integer cents. Signs follow each section's normal side, so a contra account (accumulated
depreciation among assets) shows negative.
"""

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from axiomatic.ledger.models import AccountType, Book
from axiomatic.ledger.selectors import account_balances


class ReportType(StrEnum):
    TRIAL_BALANCE = "trial_balance"
    INCOME_STATEMENT = "income_statement"
    BALANCE_SHEET = "balance_sheet"


TITLES = {
    ReportType.TRIAL_BALANCE: "Trial balance",
    ReportType.INCOME_STATEMENT: "Income statement",
    ReportType.BALANCE_SHEET: "Balance sheet",
}

CREDIT_NORMAL = {AccountType.LIABILITY, AccountType.EQUITY, AccountType.REVENUE}


@dataclass
class Row:
    account_id: str | None
    code: str
    name: str
    type: str
    subtype: str
    amount: int = 0  # income statement and balance sheet: on the section's normal side
    debit: int = 0  # trial balance
    credit: int = 0

    def as_dict(self, report: str) -> dict:
        base = {
            "accountId": self.account_id,
            "code": self.code,
            "name": self.name,
            "type": self.type,
            "subtype": self.subtype,
        }
        if report == ReportType.TRIAL_BALANCE:
            return {**base, "debit": self.debit, "credit": self.credit}
        return {**base, "amount": self.amount}


@dataclass
class Section:
    key: str
    title: str
    rows: list[Row] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(row.amount for row in self.rows)


@dataclass
class Statement:
    report: ReportType
    entity_name: str
    entity_id: str
    book_name: str
    book_id: str
    currency: str
    date_from: dt.date
    date_to: dt.date
    sections: list[Section]
    totals: dict[str, int]

    @property
    def title(self) -> str:
        return TITLES[self.report]

    @property
    def rows(self) -> list[Row]:
        return [row for section in self.sections for row in section.rows]

    def as_json(self) -> dict:
        return {
            "report": str(self.report),
            "entityId": self.entity_id,
            "bookId": self.book_id,
            "from": self.date_from.isoformat(),
            "to": self.date_to.isoformat(),
            "currency": self.currency,
            "rows": [row.as_dict(self.report) for row in self.rows],
            "totals": self.totals,
        }


def _net(account) -> int:
    """Balance on the account type's normal side."""
    if account.type in CREDIT_NORMAL:
        return account.credit_total - account.debit_total
    return account.debit_total - account.credit_total


def _row(account, **amounts) -> Row:
    return Row(
        account_id=account.public_id,
        code=account.code,
        name=account.name,
        type=account.type,
        subtype=account.subtype,
        **amounts,
    )


def _statement(report, book: Book, date_from, date_to, sections, totals) -> Statement:
    return Statement(
        report=report,
        entity_name=book.entity.name,
        entity_id=book.entity.public_id,
        book_name=book.name,
        book_id=book.public_id,
        currency=book.entity.currency,
        date_from=date_from,
        date_to=date_to,
        sections=sections,
        totals=totals,
    )


def trial_balance(*, book: Book, date_from: dt.date, date_to: dt.date) -> Statement:
    section = Section("accounts", "Accounts")
    for account in account_balances(book=book, date_to=date_to):
        net = account.debit_total - account.credit_total
        if net:
            section.rows.append(_row(account, debit=max(net, 0), credit=max(-net, 0)))
    totals = {
        "debit": sum(row.debit for row in section.rows),
        "credit": sum(row.credit for row in section.rows),
    }
    return _statement(ReportType.TRIAL_BALANCE, book, date_from, date_to, [section], totals)


def income_statement(*, book: Book, date_from: dt.date, date_to: dt.date) -> Statement:
    revenue = Section("revenue", "Revenue")
    expenses = Section("expenses", "Expenses")
    for account in account_balances(book=book, date_from=date_from, date_to=date_to):
        if account.type not in (AccountType.REVENUE, AccountType.EXPENSE):
            continue
        amount = _net(account)
        if amount or account.debit_total or account.credit_total:
            target = revenue if account.type == AccountType.REVENUE else expenses
            target.rows.append(_row(account, amount=amount))
    totals = {
        "revenue": revenue.total,
        "expenses": expenses.total,
        "netIncome": revenue.total - expenses.total,
    }
    return _statement(
        ReportType.INCOME_STATEMENT, book, date_from, date_to, [revenue, expenses], totals
    )


def balance_sheet(*, book: Book, date_from: dt.date, date_to: dt.date) -> Statement:
    assets = Section("assets", "Assets")
    liabilities = Section("liabilities", "Liabilities")
    equity = Section("equity", "Equity")
    by_type = {
        AccountType.ASSET: assets,
        AccountType.LIABILITY: liabilities,
        AccountType.EQUITY: equity,
    }
    earnings = 0
    for account in account_balances(book=book, date_to=date_to):
        amount = _net(account)
        if account.type in by_type:
            if amount or account.debit_total or account.credit_total:
                by_type[account.type].rows.append(_row(account, amount=amount))
        elif account.type == AccountType.REVENUE:
            earnings += amount
        else:
            earnings -= amount
    if earnings:
        equity.rows.append(
            Row(
                account_id=None,
                code="",
                name="Current earnings",
                type=AccountType.EQUITY,
                subtype="current_earnings",
                amount=earnings,
            )
        )
    totals = {
        "assets": assets.total,
        "liabilities": liabilities.total,
        "equity": equity.total,
    }
    return _statement(
        ReportType.BALANCE_SHEET, book, date_from, date_to, [assets, liabilities, equity], totals
    )


BUILDERS = {
    ReportType.TRIAL_BALANCE: trial_balance,
    ReportType.INCOME_STATEMENT: income_statement,
    ReportType.BALANCE_SHEET: balance_sheet,
}


def build_statement(*, report: str, book: Book, date_from: dt.date, date_to: dt.date) -> Statement:
    return BUILDERS[ReportType(report)](book=book, date_from=date_from, date_to=date_to)
