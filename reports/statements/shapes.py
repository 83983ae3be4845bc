"""The shape of a statement: what every report computes and every output (HTML, PDF, JSON, CSV,
XLSX) reads. Amounts are integer cents; a Row's figures are on its section's normal side.
"""

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from axiomatic.ledger.models import AccountType


class ReportType(StrEnum):
    TRIAL_BALANCE = "trial_balance"
    INCOME_STATEMENT = "income_statement"
    BALANCE_SHEET = "balance_sheet"
    GENERAL_LEDGER = "general_ledger"
    CASH_FLOW = "cash_flow"


TITLES = {
    ReportType.TRIAL_BALANCE: "Trial balance",
    ReportType.INCOME_STATEMENT: "Income statement",
    ReportType.BALANCE_SHEET: "Balance sheet",
    ReportType.GENERAL_LEDGER: "General ledger",
    ReportType.CASH_FLOW: "Cash-flow statement",
}

# Reports of a period (`from`..`to`); the others are as of `to`.
PERIOD_REPORTS = frozenset(
    {ReportType.INCOME_STATEMENT, ReportType.GENERAL_LEDGER, ReportType.CASH_FLOW}
)


class CompareMode(StrEnum):
    PREVIOUS_PERIOD = "previous_period"
    PREVIOUS_YEAR = "previous_year"


COMPARE_TITLES = {
    CompareMode.PREVIOUS_PERIOD: "Previous period",
    CompareMode.PREVIOUS_YEAR: "Previous year",
}

# The general ledger lists lines, not balances: a comparison column means nothing there.
COMPARABLE_REPORTS = frozenset(ReportType) - {ReportType.GENERAL_LEDGER}

CREDIT_NORMAL = {AccountType.LIABILITY, AccountType.EQUITY, AccountType.REVENUE}


@dataclass(frozen=True)
class Comparison:
    """The period a comparison column covers."""

    mode: CompareMode
    date_from: dt.date
    date_to: dt.date

    @property
    def title(self) -> str:
        return COMPARE_TITLES[self.mode]

    def as_json(self) -> dict:
        return {
            "mode": str(self.mode),
            "from": self.date_from.isoformat(),
            "to": self.date_to.isoformat(),
        }


@dataclass
class Row:
    account_id: str | None
    code: str
    name: str
    type: str
    subtype: str
    amount: int = 0  # income statement, balance sheet, cash flow: on the section's normal side
    debit: int = 0  # trial balance
    credit: int = 0
    # The key of the Section holding the row; in a cash-flow statement, the account's cash-flow
    # section (net_income, non_cash, working_capital, investing, financing), which names the
    # Section for investing and financing and the part of the operating Section otherwise.
    section: str = ""
    # The same figures over the comparison period, when the statement has one.
    comparison_amount: int | None = None
    comparison_debit: int | None = None
    comparison_credit: int | None = None

    def amounts(self, report: str) -> dict:
        if report == ReportType.TRIAL_BALANCE:
            return {"debit": self.debit, "credit": self.credit}
        return {"amount": self.amount}

    def comparison_amounts(self, report: str) -> dict:
        if report == ReportType.TRIAL_BALANCE:
            return {"debit": self.comparison_debit or 0, "credit": self.comparison_credit or 0}
        return {"amount": self.comparison_amount or 0}

    def as_dict(self, report: str, *, compared: bool = False) -> dict:
        base = {
            "accountId": self.account_id,
            "code": self.code,
            "name": self.name,
            "type": self.type,
            "subtype": self.subtype,
        }
        if report == ReportType.CASH_FLOW:
            base["section"] = self.section
        base.update(self.amounts(report))
        if compared:
            base["comparison"] = self.comparison_amounts(report)
        return base


@dataclass
class Section:
    key: str
    title: str
    rows: list[Row] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(row.amount for row in self.rows)

    @property
    def comparison_total(self) -> int:
        return sum(row.comparison_amount or 0 for row in self.rows)


@dataclass
class LedgerLine:
    """One journal line in the general ledger, with the account's balance after it."""

    date: dt.date
    entry_id: str  # je_ public id
    number: str  # JE-000001
    memo: str  # the entry's memo
    description: str  # the line's own description
    debit: int
    credit: int
    balance: int  # running, on the account's normal side


@dataclass
class LedgerAccount:
    """One account of the general ledger: its balance at `from`, the period's totals, its closing
    balance (opening + activity, on the account's normal side) and how many lines it has."""

    account_id: str
    code: str
    name: str
    type: str
    subtype: str
    opening: int
    debit: int
    credit: int
    closing: int
    line_count: int


@dataclass
class Statement:
    report: ReportType
    entity_name: str
    entity_id: str
    book_name: str
    book_id: str
    book_basis: str  # accrual or cash
    currency: str
    date_from: dt.date
    date_to: dt.date
    sections: list[Section]
    totals: dict[str, int]
    compare: Comparison | None = None
    comparison_totals: dict[str, int] | None = None
    fiscal_year_start: dt.date | None = None  # balance sheet: the fiscal year holding `to`
    # General ledger: the accounts (sections are empty), and their lines read lazily, in the
    # accounts' order, so a long ledger is streamed rather than held in memory.
    ledger_accounts: list[LedgerAccount] = field(default_factory=list)
    ledger_lines: Callable[[], Iterator[tuple[LedgerAccount, Iterator[LedgerLine]]]] | None = None

    @property
    def title(self) -> str:
        return TITLES[self.report]

    @property
    def is_period(self) -> bool:
        return self.report in PERIOD_REPORTS

    @property
    def rows(self) -> list[Row]:
        return [row for section in self.sections for row in section.rows]

    @property
    def line_count(self) -> int:
        """General ledger: how many lines it lists (known before any is read)."""
        return sum(account.line_count for account in self.ledger_accounts)

    def iter_ledger(self) -> Iterator[tuple[LedgerAccount, Iterator[LedgerLine]]]:
        """General ledger: each account with an iterator of its lines (read them in order)."""
        if self.ledger_lines is None:
            return iter(())
        return self.ledger_lines()

    def as_json(self) -> dict:
        body = {
            "report": str(self.report),
            "entityId": self.entity_id,
            "bookId": self.book_id,
            "from": self.date_from.isoformat(),
            "to": self.date_to.isoformat(),
            "currency": self.currency,
        }
        if self.report == ReportType.GENERAL_LEDGER:
            body["rows"] = [_ledger_account_json(a, lines) for a, lines in self.iter_ledger()]
            body["totals"] = dict(self.totals)
            return body
        compared = self.compare is not None
        body["rows"] = [row.as_dict(self.report, compared=compared) for row in self.rows]
        body["totals"] = dict(self.totals)
        if compared:
            body["totals"]["comparison"] = dict(self.comparison_totals or {})
            body["compare"] = self.compare.as_json()
        return body


def _ledger_account_json(account: LedgerAccount, lines: Iterator[LedgerLine]) -> dict:
    return {
        "accountId": account.account_id,
        "code": account.code,
        "name": account.name,
        "type": account.type,
        "subtype": account.subtype,
        "openingBalance": account.opening,
        "debit": account.debit,
        "credit": account.credit,
        "closingBalance": account.closing,
        "lines": [
            {
                "date": line.date.isoformat(),
                "journalEntryId": line.entry_id,
                "number": line.number,
                "memo": line.memo,
                "description": line.description,
                "debit": line.debit,
                "credit": line.credit,
                "balance": line.balance,
            }
            for line in lines
        ],
    }
