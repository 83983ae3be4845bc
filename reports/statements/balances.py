"""The trial balance, the income statement and the balance sheet, from account balances.

- Trial balance, as of `to`: every account with a balance, in a debit or a credit column; the two
  totals are equal because every entry balances.
- Income statement, `from`..`to`: revenue (credits less debits) and expenses (debits less
  credits); net income is revenue less expenses.
- Balance sheet, as of `to`: assets (debit balances), liabilities and equity (credit balances).
  No entry closes revenue and expenses into equity at a year-end, so the balance sheet does it as
  it reads them. The fiscal year holding `to` starts on `fiscal_year_start` (the entity's
  `fiscalYearStartMonth`):
  - retained earnings = the balance of the chart's retained-earnings account (equity, subtype
    `retained_earnings`; a direct posting to it counts) + the net income of everything dated
    before that fiscal year. It is that account's row; a chart without one gets a computed row
    "Retained earnings". With several such accounts, the first (by code) carries the earnings.
  - net income (current year) = revenue less expenses from the fiscal year's start to `to`, a
    computed row of subtype `current_year_earnings`.
  Both rows are always there, and assets = liabilities + equity: the two rows together are all
  net income to date, which is what the entries' balancing puts against the other accounts.
"""

import datetime as dt

from axiomatic.ledger.models import AccountType, Book
from axiomatic.ledger.selectors import account_balances
from reports.statements.figures import (
    Figures,
    account_row,
    balances_before,
    computed_row,
    earnings,
    has_activity,
    net,
    row_key,
)
from reports.statements.periods import fiscal_year_start
from reports.statements.shapes import Section

RETAINED_EARNINGS = "retained_earnings"
CURRENT_YEAR_EARNINGS = "current_year_earnings"


def trial_balance(*, book: Book, date_from: dt.date, date_to: dt.date, **_) -> Figures:
    section = Section("accounts", "Accounts")
    figures = Figures([section], {})
    for account in account_balances(book=book, date_to=date_to):
        balance = account.debit_total - account.credit_total
        row = account_row(account, section.key, debit=max(balance, 0), credit=max(-balance, 0))
        section.rows.append(row)
        if balance:
            figures.shown.add(row_key(row))
    figures.totals = {
        "debit": sum(row.debit for row in section.rows),
        "credit": sum(row.credit for row in section.rows),
    }
    return figures


def income_statement(*, book: Book, date_from: dt.date, date_to: dt.date, **_) -> Figures:
    revenue = Section("revenue", "Revenue")
    expenses = Section("expenses", "Expenses")
    figures = Figures([revenue, expenses], {})
    for account in account_balances(book=book, date_from=date_from, date_to=date_to):
        if account.type not in (AccountType.REVENUE, AccountType.EXPENSE):
            continue
        target = revenue if account.type == AccountType.REVENUE else expenses
        row = account_row(account, target.key, amount=net(account))
        target.rows.append(row)
        if row.amount or has_activity(account):
            figures.shown.add(row_key(row))
    figures.totals = {
        "revenue": revenue.total,
        "expenses": expenses.total,
        "netIncome": revenue.total - expenses.total,
    }
    return figures


def balance_sheet(
    *, book: Book, date_from: dt.date, date_to: dt.date, start_month: int = 1, **_
) -> Figures:
    assets = Section("assets", "Assets")
    liabilities = Section("liabilities", "Liabilities")
    equity = Section("equity", "Equity")
    by_type = {
        AccountType.ASSET: assets,
        AccountType.LIABILITY: liabilities,
        AccountType.EQUITY: equity,
    }
    year_start = fiscal_year_start(date_to, start_month)
    accounts = account_balances(book=book, date_to=date_to)
    earlier = sum(earnings(a) for a in balances_before(book=book, day=year_start))
    this_year = sum(earnings(a) for a in accounts) - earlier
    carrier = next(
        (a for a in accounts if a.type == AccountType.EQUITY and a.subtype == RETAINED_EARNINGS),
        None,
    )
    figures = Figures([assets, liabilities, equity], {}, fiscal_year_start=year_start)
    for account in accounts:
        section = by_type.get(account.type)
        if section is None:
            continue
        amount = net(account) + (earlier if account is carrier else 0)
        row = account_row(account, section.key, amount=amount)
        section.rows.append(row)
        if amount or has_activity(account) or account is carrier:
            figures.shown.add(row_key(row))
    if carrier is None:
        equity.rows.append(
            computed_row("Retained earnings", RETAINED_EARNINGS, equity.key, earlier)
        )
    equity.rows.append(
        computed_row("Net income (current year)", CURRENT_YEAR_EARNINGS, equity.key, this_year)
    )
    figures.shown.update({RETAINED_EARNINGS, CURRENT_YEAR_EARNINGS})
    figures.totals = {
        "assets": assets.total,
        "liabilities": liabilities.total,
        "equity": equity.total,
    }
    return figures
