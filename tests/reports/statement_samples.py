"""Statements built by hand, for the rendering tests: the figures of a small business's half year,
as the builders return them, with and without a comparison column.

Balance sheet as of 2026-06-30 (fiscal year from 2025-07-01), against 2025-06-30:

| code | account                  | 2026-06-30  | 2025-06-30 |
|------|--------------------------|-------------|------------|
| 1000 | Cash                     | 12,345.67   | 9,000.00   |
| 1100 | Accounts receivable      | 2,500.00    | 0.00       |
| 1550 | Accumulated depreciation | (1,200.00)  | (600.00)   |
|      | Total assets             | 13,645.67   | 8,400.00   |
| 2000 | Accounts payable         | 1,000.00    | 500.00     |
| 3000 | Owner's capital          | 10,000.00   | 10,000.00  |
| 3900 | Retained earnings        | 1,245.67    | (1,500.00) |
|      | Current-year earnings    | 1,400.00    | (600.00)   |
|      | Total equity             | 12,645.67   | 7,900.00   |
|      | Total liabilities+equity | 13,645.67   | 8,400.00   |
"""

import datetime as dt

from reports.statements import (
    CompareMode,
    Comparison,
    LedgerAccount,
    LedgerLine,
    ReportType,
    Row,
    Section,
    Statement,
)

D = dt.date


def row(code, name, type_, subtype, *, section="", **amounts) -> Row:
    return Row(
        account_id=f"acct_{code}" if code else None,
        code=code,
        name=name,
        type=type_,
        subtype=subtype,
        section=section,
        **amounts,
    )


def statement(report, sections, totals, *, date_from, date_to, compare=None, **kwargs):
    return Statement(
        report=ReportType(report),
        entity_name="Acme & Sons",
        entity_id="ent_acme",
        book_name="General Ledger",
        book_id="bk_gl",
        book_basis=kwargs.pop("basis", "accrual"),
        currency="USD",
        date_from=date_from,
        date_to=date_to,
        sections=sections,
        totals=totals,
        compare=compare,
        **kwargs,
    )


def balance_sheet(*, compared: bool) -> Statement:
    def amounts(current, previous):
        return {"amount": current, **({"comparison_amount": previous} if compared else {})}

    assets = Section("assets", "Assets")
    assets.rows = [
        row("1000", "Cash", "asset", "cash", **amounts(1_234_567, 900_000)),
        row("1100", "Accounts receivable", "asset", "receivable", **amounts(250_000, 0)),
        row(
            "1550", "Accumulated depreciation", "asset", "fixed_asset", **amounts(-120_000, -60_000)
        ),
    ]
    liabilities = Section("liabilities", "Liabilities")
    liabilities.rows = [
        row("2000", "Accounts payable", "liability", "payable", **amounts(100_000, 50_000))
    ]
    equity = Section("equity", "Equity")
    equity.rows = [
        row("3000", "Owner's capital", "equity", "owner_equity", **amounts(1_000_000, 1_000_000)),
        row(
            "3900", "Retained earnings", "equity", "retained_earnings", **amounts(124_567, -150_000)
        ),
        row(
            "",
            "Current-year earnings",
            "equity",
            "current_year_earnings",
            **amounts(140_000, -60_000),
        ),
    ]
    sections = [assets, liabilities, equity]
    totals = {s.key: s.total for s in sections}
    extra = {}
    if compared:
        extra = {
            "compare": Comparison(CompareMode.PREVIOUS_YEAR, D(2024, 7, 1), D(2025, 6, 30)),
            "comparison_totals": {s.key: s.comparison_total for s in sections},
        }
    return statement(
        "balance_sheet",
        sections,
        totals,
        date_from=D(2025, 7, 1),
        date_to=D(2026, 6, 30),
        fiscal_year_start=D(2025, 7, 1),
        **extra,
    )


def trial_balance(*, compared: bool) -> Statement:
    """As of 2026-06-30 against 2025-06-30: cash 5,000.00 Dr (2,000.00 Dr), revenue 5,000.00 Cr
    (2,500.00 Cr), and rent with a balance last year only, 500.00 Dr."""
    section = Section("accounts", "Accounts")
    section.rows = [
        row("1000", "Cash", "asset", "cash", debit=500_000),
        row("4000", "Service revenue", "revenue", "operating_revenue", credit=500_000),
    ]
    extra = {}
    if compared:
        section.rows[0].comparison_debit = 200_000
        section.rows[1].comparison_credit = 250_000
        section.rows.append(
            row("6000", "Rent", "expense", "operating_expense", comparison_debit=50_000)
        )
        extra = {
            "compare": Comparison(CompareMode.PREVIOUS_YEAR, D(2025, 1, 1), D(2025, 6, 30)),
            "comparison_totals": {"debit": 250_000, "credit": 250_000},
        }
    return statement(
        "trial_balance",
        [section],
        {"debit": 500_000, "credit": 500_000},
        date_from=D(2026, 1, 1),
        date_to=D(2026, 6, 30),
        **extra,
    )


def income_statement(*, compared: bool) -> Statement:
    """2026-01-01..2026-06-30 against the same half of 2025: revenue 8,000.00 (6,500.25), rent
    1,200.50 (1,200.50), wages 7,000.00 (4,000.00): a loss of (200.50) against a profit 1,299.75."""

    def amounts(current, previous):
        return {"amount": current, **({"comparison_amount": previous} if compared else {})}

    revenue = Section("revenue", "Revenue")
    revenue.rows = [
        row("4000", "Service revenue", "revenue", "operating_revenue", **amounts(800_000, 650_025))
    ]
    expenses = Section("expenses", "Expenses")
    expenses.rows = [
        row("6000", "Rent", "expense", "operating_expense", **amounts(120_050, 120_050)),
        row("6100", "Wages", "expense", "operating_expense", **amounts(700_000, 400_000)),
    ]
    totals = {"revenue": 800_000, "expenses": 820_050, "netIncome": -20_050}
    extra = {}
    if compared:
        extra = {
            "compare": Comparison(CompareMode.PREVIOUS_YEAR, D(2025, 1, 1), D(2025, 6, 30)),
            "comparison_totals": {"revenue": 650_025, "expenses": 520_050, "netIncome": 129_975},
        }
    return statement(
        "income_statement",
        [revenue, expenses],
        totals,
        date_from=D(2026, 1, 1),
        date_to=D(2026, 6, 30),
        **extra,
    )


def cash_flow(*, compared: bool) -> Statement:
    """2026-04-01..2026-06-30 against 2026-01-01..2026-03-31 (the previous period):

    net income 1,400.00 (900.00); depreciation +600.00 (+600.00); receivables (2,500.00) (0.00);
    payables +500.00 (+250.00): operating 0.00 (1,750.00). Equipment (3,000.00) (0.00). Loan
    +5,000.00 (0.00), owner's drawings (654.33) (0.00): financing 4,345.67 (0.00).
    Net change 1,345.67 (1,750.00); cash 11,000.00 -> 12,345.67 (9,250.00 -> 11,000.00).
    """

    def amounts(current, previous):
        return {"amount": current, **({"comparison_amount": previous} if compared else {})}

    operating = Section("operating", "Operating activities")
    operating.rows = [
        row(
            "",
            "Net income",
            "equity",
            "net_income",
            section="net_income",
            **amounts(140_000, 90_000),
        ),
        row(
            "1550",
            "Accumulated depreciation",
            "asset",
            "fixed_asset",
            section="non_cash",
            **amounts(60_000, 60_000),
        ),
        row(
            "1100",
            "Accounts receivable",
            "asset",
            "receivable",
            section="working_capital",
            **amounts(-250_000, 0),
        ),
        row(
            "2000",
            "Accounts payable",
            "liability",
            "payable",
            section="working_capital",
            **amounts(50_000, 25_000),
        ),
    ]
    investing = Section("investing", "Investing activities")
    investing.rows = [
        row(
            "1500", "Equipment", "asset", "fixed_asset", section="investing", **amounts(-300_000, 0)
        )
    ]
    financing = Section("financing", "Financing activities")
    financing.rows = [
        row(
            "2500",
            "Bank loan",
            "liability",
            "long_term_liability",
            section="financing",
            **amounts(500_000, 0),
        ),
        row(
            "3100",
            "Owner's drawings",
            "equity",
            "owner_equity",
            section="financing",
            **amounts(-65_433, 0),
        ),
    ]
    totals = {
        "netIncome": 140_000,
        "operating": 0,
        "investing": -300_000,
        "financing": 434_567,
        "netChange": 134_567,
        "cashAtStart": 1_100_000,
        "cashAtEnd": 1_234_567,
    }
    extra = {}
    if compared:
        extra = {
            "compare": Comparison(CompareMode.PREVIOUS_PERIOD, D(2026, 1, 1), D(2026, 3, 31)),
            "comparison_totals": {
                "netIncome": 90_000,
                "operating": 175_000,
                "investing": 0,
                "financing": 0,
                "netChange": 175_000,
                "cashAtStart": 925_000,
                "cashAtEnd": 1_100_000,
            },
        }
    return statement(
        "cash_flow",
        [operating, investing, financing],
        totals,
        date_from=D(2026, 4, 1),
        date_to=D(2026, 6, 30),
        **extra,
    )


LEDGER_ACCOUNTS = [
    LedgerAccount(
        "acct_1000", "1000", "Cash", "asset", "cash", 1_000_000, 250_000, 120_050, 1_129_950, 2
    ),
    LedgerAccount(
        "acct_3000",
        "3000",
        "Owner's capital",
        "equity",
        "owner_equity",
        1_000_000,
        0,
        0,
        1_000_000,
        0,
    ),
    LedgerAccount(
        "acct_4000",
        "4000",
        "Service revenue",
        "revenue",
        "operating_revenue",
        0,
        0,
        250_000,
        250_000,
        1,
    ),
    LedgerAccount(
        "acct_6000", "6000", "Rent", "expense", "operating_expense", 30_000, 120_050, 0, 150_050, 1
    ),
]
LEDGER_LINES = [
    (
        "acct_1000",
        LedgerLine(
            D(2026, 1, 10), "je_1", "JE-000001", "Invoice 1 paid", "", 250_000, 0, 1_250_000
        ),
    ),
    (
        "acct_1000",
        LedgerLine(
            D(2026, 1, 31), "je_2", "JE-000002", "Rent", "January rent", 0, 120_050, 1_129_950
        ),
    ),
    (
        "acct_4000",
        LedgerLine(
            D(2026, 1, 10), "je_1", "JE-000001", "Invoice 1 paid", "Consulting", 0, 250_000, 250_000
        ),
    ),
    ("acct_6000", LedgerLine(D(2026, 1, 31), "je_2", "JE-000002", "Rent", "", 120_050, 0, 150_050)),
]


class OneCursor:
    """The ledger's lines as one database cursor gives them: a single pass in the accounts' order,
    so an account's lines can be read only before the next account is asked for (asking earlier
    loses them, as it would with a real cursor). `read` counts the lines handed out so far."""

    def __init__(self, accounts=LEDGER_ACCOUNTS, lines=LEDGER_LINES):
        self.accounts = list(accounts)
        self.lines = lines
        self.read = 0

    def __call__(self):
        pending = iter(self.lines)
        current = [next(pending, None)]

        def lines_of(account_id):
            while current[0] is not None and current[0][0] == account_id:
                self.read += 1
                line = current[0][1]
                current[0] = next(pending, None)
                yield line

        for account in self.accounts:
            lines = lines_of(account.account_id)
            yield account, lines
            for _ in lines:  # the caller skipped them: a cursor moves on all the same
                pass


def general_ledger(cursor: OneCursor | None = None) -> Statement:
    cursor = cursor or OneCursor()
    return statement(
        "general_ledger",
        [],
        {"debit": 370_050, "credit": 370_050},
        date_from=D(2026, 1, 1),
        date_to=D(2026, 1, 31),
        ledger_accounts=list(cursor.accounts),
        ledger_lines=cursor,
    )
