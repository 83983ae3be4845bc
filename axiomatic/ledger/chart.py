"""The default chart of accounts, as a table a person can read and change.

Codes follow the common numbering (1xxx assets, 2xxx liabilities, 3xxx equity, 4xxx revenue,
5xxx-6xxx expenses), but nothing in the code reads meaning from them: reports use `type` and
`subtype` (the account's role).
"""

from typing import NamedTuple

from axiomatic.ledger.models import AccountType as T
from axiomatic.ledger.models import BookBasis
from axiomatic.ledger.models import CashFlowSection as CF


class ChartAccount(NamedTuple):
    code: str
    name: str
    type: str
    subtype: str


DEFAULT_CHART: tuple[ChartAccount, ...] = (
    ChartAccount("1000", "Cash", T.ASSET, "cash"),
    ChartAccount("1100", "Accounts Receivable", T.ASSET, "accounts_receivable"),
    ChartAccount("1150", "Undeposited Funds", T.ASSET, "cash"),
    ChartAccount("1200", "Inventory", T.ASSET, "inventory"),
    ChartAccount("1300", "Prepaid Expenses", T.ASSET, "prepaid_expense"),
    ChartAccount("1500", "Fixed Assets", T.ASSET, "fixed_asset"),
    ChartAccount("1550", "Accumulated Depreciation", T.ASSET, "accumulated_depreciation"),
    ChartAccount("2000", "Accounts Payable", T.LIABILITY, "accounts_payable"),
    ChartAccount("2100", "Credit Card", T.LIABILITY, "credit_card"),
    ChartAccount("2200", "Payroll Liabilities", T.LIABILITY, "payroll_liability"),
    ChartAccount("2300", "Sales Tax Payable", T.LIABILITY, "sales_tax_payable"),
    ChartAccount("2400", "Deferred Revenue", T.LIABILITY, "deferred_revenue"),
    ChartAccount("2700", "Loans Payable", T.LIABILITY, "long_term_debt"),
    ChartAccount("3000", "Owner's Equity", T.EQUITY, "owner_equity"),
    ChartAccount("3100", "Owner's Draw", T.EQUITY, "owner_draw"),
    ChartAccount("3900", "Retained Earnings", T.EQUITY, "retained_earnings"),
    ChartAccount("4000", "Service Revenue", T.REVENUE, "operating_revenue"),
    ChartAccount("4100", "Product Revenue", T.REVENUE, "operating_revenue"),
    ChartAccount("4900", "Other Income", T.REVENUE, "other_income"),
    ChartAccount("5000", "Cost of Goods Sold", T.EXPENSE, "cost_of_goods_sold"),
    ChartAccount("6000", "Rent", T.EXPENSE, "operating_expense"),
    ChartAccount("6100", "Payroll Expense", T.EXPENSE, "payroll_expense"),
    ChartAccount("6200", "Software and Subscriptions", T.EXPENSE, "operating_expense"),
    ChartAccount("6300", "Professional Fees", T.EXPENSE, "operating_expense"),
    ChartAccount("6400", "Bank Fees", T.EXPENSE, "operating_expense"),
    ChartAccount("6500", "Travel", T.EXPENSE, "operating_expense"),
    ChartAccount("6550", "Meals", T.EXPENSE, "operating_expense"),
    ChartAccount("6600", "Insurance", T.EXPENSE, "operating_expense"),
    ChartAccount("6700", "Utilities", T.EXPENSE, "operating_expense"),
    ChartAccount("6800", "Office Supplies", T.EXPENSE, "operating_expense"),
    ChartAccount("6900", "Depreciation Expense", T.EXPENSE, "depreciation"),
    ChartAccount("7000", "Income Taxes", T.EXPENSE, "tax_expense"),
)


# The cash-flow section of each balance-sheet subtype; revenue and expenses are net income, and a
# subtype not named here is working capital (an operating asset or liability).
CASH_FLOW_SECTIONS: dict[str, str] = {
    "cash": CF.CASH,
    "accumulated_depreciation": CF.NON_CASH,
    "fixed_asset": CF.INVESTING,
    "long_term_debt": CF.FINANCING,
    "owner_equity": CF.FINANCING,
    "owner_draw": CF.FINANCING,
    "retained_earnings": CF.FINANCING,
}


def default_cash_flow_section(type: str, subtype: str) -> str:
    if type in (T.REVENUE, T.EXPENSE):
        return CF.NET_INCOME
    if subtype in CASH_FLOW_SECTIONS:
        return CASH_FLOW_SECTIONS[subtype]
    return CF.FINANCING if type == T.EQUITY else CF.WORKING_CAPITAL


class DefaultBook(NamedTuple):
    name: str
    basis: str
    is_primary: bool


DEFAULT_BOOKS: tuple[DefaultBook, ...] = (
    DefaultBook("General Ledger", BookBasis.ACCRUAL, True),
    DefaultBook("Tax", BookBasis.ACCRUAL, False),
)
