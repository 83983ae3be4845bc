"""The cash-flow statement, indirect method: from net income to the change in cash.

Every account has a cash-flow section (`Account.cash_flow_section`, from the default chart's
table `chart.default_cash_flow_section`, visible in the accounts API):

- `cash`: the cash accounts themselves. Their balance the day before `from` is `cashAtStart`,
  as of `to` (that balance plus their lines of the period) `cashAtEnd`.
- `net_income`: revenue and expenses; their credits less debits over `from`..`to` are net income,
  the first row of the operating section.
- Every other account moves cash the opposite way to its own balance: over the period, its
  effect on cash is its credits less its debits. A receivable that grew (debits) used cash; a
  payable that grew (credits) kept it; equipment bought is a debit, cash spent; a loan received
  is a credit, cash in. Those rows go, by their section, under operating (`non_cash`: added back,
  like depreciation; then `working_capital`), investing and financing.

Why the net change always equals the cash accounts' change: every entry's debits equal its
credits, so over any period the cash accounts' debits less credits equal the credits less debits
of all the other accounts together, which is exactly the sum of the rows above. A misfiled
account moves a figure between sections, never out of the statement.
"""

import datetime as dt

from axiomatic.ledger.models import Book
from axiomatic.ledger.models import CashFlowSection as CF
from axiomatic.ledger.selectors import account_balances
from reports.statements.figures import (
    Figures,
    account_row,
    balances_before,
    computed_row,
    has_activity,
    row_key,
)
from reports.statements.shapes import Section

NET_INCOME = "net_income"
# The sections an account's movement shows in, in the order they read, and the statement's
# Section holding each.
SECTION_OF = {
    CF.NON_CASH: "operating",
    CF.WORKING_CAPITAL: "operating",
    CF.INVESTING: "investing",
    CF.FINANCING: "financing",
}


def _cash(accounts) -> int:
    return sum(a.debit_total - a.credit_total for a in accounts if a.cash_flow_section == CF.CASH)


def cash_flow(*, book: Book, date_from: dt.date, date_to: dt.date, **_) -> Figures:
    operating = Section("operating", "Operating activities")
    investing = Section("investing", "Investing activities")
    financing = Section("financing", "Financing activities")
    sections = {s.key: s for s in (operating, investing, financing)}
    figures = Figures([operating, investing, financing], {})
    parts: dict[str, list] = {part: [] for part in SECTION_OF}
    net_income = cash_change = 0
    for account in account_balances(book=book, date_from=date_from, date_to=date_to):
        part = account.cash_flow_section
        if part == CF.CASH:
            cash_change += account.debit_total - account.credit_total
            continue
        flow = account.credit_total - account.debit_total
        if part == CF.NET_INCOME:
            net_income += flow
            continue
        # A section this version does not know counts as working capital (the model's default).
        part = part if part in SECTION_OF else CF.WORKING_CAPITAL
        row = account_row(account, str(part), amount=flow)
        parts[part].append(row)
        if has_activity(account):
            figures.shown.add(row_key(row))
    operating.rows.append(computed_row("Net income", NET_INCOME, NET_INCOME, net_income))
    figures.shown.add(NET_INCOME)
    for part, rows in parts.items():
        sections[SECTION_OF[part]].rows.extend(rows)
    start = _cash(balances_before(book=book, day=date_from))
    figures.totals = {
        "netIncome": net_income,
        "operating": operating.total,
        "investing": investing.total,
        "financing": financing.total,
        "netChange": operating.total + investing.total + financing.total,
        "cashAtStart": start,
        # As of `to`: the balance before `from` and the period's own movements of the cash
        # accounts (not the other rows: that the two agree is the identity, not an assumption).
        "cashAtEnd": start + cash_change,
    }
    return figures
