"""Financial statements: compute first (plain dataclasses), render second.

`build_statement` gives a `Statement` (shapes.py) that every output reads: the HTML page and its
PDF, JSON, CSV and XLSX. Five reports, each from the ledger's grouped balance query
(`axiomatic.ledger.selectors.account_balances`), so their cost follows the chart, not the book:

- trial balance, income statement, balance sheet (balances.py); the balance sheet splits equity's
  earnings into retained earnings (fiscal years before the one holding `to`) and this fiscal
  year's net income;
- cash-flow statement, indirect method (cash_flow.py);
- general ledger, every line of the period with running balances, read lazily (general_ledger.py).

`compare=previous_period|previous_year` (periods.py) builds the same report over the comparison
period and puts its figures beside each row and total. Amounts are integer cents, signs on each
section's normal side, so a contra account (accumulated depreciation among assets) shows negative.
"""

import datetime as dt

from axiomatic.ledger.models import Book
from axiomatic.ledger.selectors import ledger_settings_get
from reports.statements.balances import (
    CURRENT_YEAR_EARNINGS,
    RETAINED_EARNINGS,
    balance_sheet,
    income_statement,
    trial_balance,
)
from reports.statements.cash_flow import cash_flow
from reports.statements.figures import combine
from reports.statements.general_ledger import ledger_accounts, ledger_lines
from reports.statements.periods import comparison_period, fiscal_year_start
from reports.statements.shapes import (
    COMPARABLE_REPORTS,
    COMPARE_TITLES,
    PERIOD_REPORTS,
    TITLES,
    CompareMode,
    Comparison,
    LedgerAccount,
    LedgerLine,
    ReportType,
    Row,
    Section,
    Statement,
)

__all__ = [
    "COMPARABLE_REPORTS",
    "COMPARE_TITLES",
    "CURRENT_YEAR_EARNINGS",
    "PERIOD_REPORTS",
    "RETAINED_EARNINGS",
    "TITLES",
    "CompareMode",
    "Comparison",
    "LedgerAccount",
    "LedgerLine",
    "ReportType",
    "Row",
    "Section",
    "Statement",
    "build_statement",
    "comparison_period",
    "fiscal_year_start",
]

BUILDERS = {
    ReportType.TRIAL_BALANCE: trial_balance,
    ReportType.INCOME_STATEMENT: income_statement,
    ReportType.BALANCE_SHEET: balance_sheet,
    ReportType.CASH_FLOW: cash_flow,
}


def _statement(report: ReportType, book: Book, date_from, date_to, **parts) -> Statement:
    entity = book.entity
    return Statement(
        report=report,
        entity_name=entity.name,
        entity_id=entity.public_id,
        book_name=book.name,
        book_id=book.public_id,
        book_basis=book.basis,
        currency=entity.currency,
        date_from=date_from,
        date_to=date_to,
        **parts,
    )


def _general_ledger(book: Book, date_from: dt.date, date_to: dt.date) -> Statement:
    accounts, pks = ledger_accounts(book=book, date_from=date_from, date_to=date_to)
    return _statement(
        ReportType.GENERAL_LEDGER,
        book,
        date_from,
        date_to,
        sections=[],
        totals={
            "debit": sum(account.debit for account in accounts),
            "credit": sum(account.credit for account in accounts),
        },
        ledger_accounts=accounts,
        ledger_lines=ledger_lines(
            book=book, date_from=date_from, date_to=date_to, accounts=accounts, pks=pks
        ),
    )


def build_statement(
    *,
    report: str,
    book: Book,
    date_from: dt.date,
    date_to: dt.date,
    compare: str | None = None,
) -> Statement:
    """The `report` of `book` over `date_from`..`date_to` (as of `date_to` for the trial balance
    and the balance sheet), with the comparison period's figures when `compare` names one ("" or
    None: none). A general ledger has no comparison (ValueError, as for an unknown report)."""
    report = ReportType(report)
    mode = CompareMode(compare) if compare else None
    if report == ReportType.GENERAL_LEDGER:
        if mode is not None:
            raise ValueError("A general ledger has no comparison.")
        return _general_ledger(book, date_from, date_to)
    start_month = 1
    if report == ReportType.BALANCE_SHEET:
        start_month = ledger_settings_get(entity=book.entity).fiscal_year_start_month
    build = BUILDERS[report]
    current = build(book=book, date_from=date_from, date_to=date_to, start_month=start_month)
    comparison = previous = None
    if mode is not None:
        comparison = comparison_period(mode, date_from, date_to)
        previous = build(
            book=book,
            date_from=comparison.date_from,
            date_to=comparison.date_to,
            start_month=start_month,
        )
    return _statement(
        report,
        book,
        date_from,
        date_to,
        sections=combine(report, current, previous),
        totals=current.totals,
        compare=comparison,
        comparison_totals=previous.totals if previous else None,
        fiscal_year_start=current.fiscal_year_start,
    )
