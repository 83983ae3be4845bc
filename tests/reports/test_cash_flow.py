"""The cash-flow statement (indirect method): a worked example with depreciation, a receivable, a
payable, equipment bought, a loan and an owner's draw; the identity netChange = cashAtEnd -
cashAtStart on it and on random ledgers; the sections of the default chart."""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from axiomatic.ledger.chart import DEFAULT_CHART, default_cash_flow_section
from axiomatic.ledger.models import Account
from reports.statements import build_statement
from tests.reports.statement_requests import D, by_key, chart, post, statement, statement_json
from tests.reports.test_statements import LEDGERS, expected_nets, post_random_ledger

pytestmark = pytest.mark.django_db

Q1 = (D(2026, 1, 1), D(2026, 3, 31))


@pytest.fixture
def quarter(alice):
    """Alpha's first quarter of 2026, after 20,000.00 of capital in December:

    01-05 equipment bought for cash 6,000.00      03-01 rent paid 1,200.00
    01-10 loan received 10,000.00                  03-15 loan repaid 1,000.00
    01-20 invoice 4,500.00 (receivable)            03-31 depreciation 250.00
    02-15 3,000.00 of it received                  03-31 owner's draw 500.00
    02-20 a lawyer's bill on account 800.00 (payable)
    and, after the quarter, 04-01 rent 1,200.00.
    """
    a = chart(alice.firm)
    gl = alice.gl
    post(gl, D(2025, 12, 1), a["1000"], a["3000"], 2_000_000, "Capital")
    post(gl, D(2026, 1, 5), a["1500"], a["1000"], 600_000, "Equipment")
    post(gl, D(2026, 1, 10), a["1000"], a["2700"], 1_000_000, "Loan")
    post(gl, D(2026, 1, 20), a["1100"], a["4000"], 450_000, "Invoice")
    post(gl, D(2026, 2, 15), a["1000"], a["1100"], 300_000, "Payment")
    post(gl, D(2026, 2, 20), a["6300"], a["2000"], 80_000, "Lawyer's bill")
    post(gl, D(2026, 3, 1), a["6000"], a["1000"], 120_000, "Rent")
    post(gl, D(2026, 3, 15), a["2700"], a["1000"], 100_000, "Loan repayment")
    post(gl, D(2026, 3, 31), a["6900"], a["1550"], 25_000, "Depreciation")
    post(gl, D(2026, 3, 31), a["3100"], a["1000"], 50_000, "Owner's draw")
    post(gl, D(2026, 4, 1), a["6000"], a["1000"], 120_000, "April rent")
    return a


def test_worked_example(alice, quarter):
    body = statement_json(alice, "cash_flow", *Q1)
    rows = [(r["code"], r["name"], r["section"], r["amount"]) for r in body["rows"]]
    assert rows == [
        # Operating: net income 4,500.00 - 800.00 - 1,200.00 - 250.00 = 2,250.00, ...
        ("", "Net income", "net_income", 225_000),
        # ... depreciation added back (no cash left for it), ...
        ("1550", "Accumulated Depreciation", "non_cash", 25_000),
        # ... 1,500.00 of the invoice still to be received, the bill not paid yet.
        ("1100", "Accounts Receivable", "working_capital", -150_000),
        ("2000", "Accounts Payable", "working_capital", 80_000),
        ("1500", "Fixed Assets", "investing", -600_000),
        # The loan less its repayment, and the owner's draw.
        ("2700", "Loans Payable", "financing", 900_000),
        ("3100", "Owner's Draw", "financing", -50_000),
    ]
    assert body["rows"][0]["accountId"] is None
    assert body["rows"][0]["subtype"] == "net_income"
    assert body["totals"] == {
        "netIncome": 225_000,
        "operating": 180_000,
        "investing": -600_000,
        "financing": 850_000,
        "netChange": 430_000,
        "cashAtStart": 2_000_000,
        "cashAtEnd": 2_430_000,
    }
    statement_ = build_statement(report="cash_flow", book=alice.gl, date_from=Q1[0], date_to=Q1[1])
    assert [(s.key, s.total) for s in statement_.sections] == [
        ("operating", 180_000),
        ("investing", -600_000),
        ("financing", 850_000),
    ]


def test_the_net_change_is_the_change_in_the_cash_accounts(alice, quarter):
    totals = statement_json(alice, "cash_flow", *Q1)["totals"]
    assert totals["netChange"] == totals["cashAtEnd"] - totals["cashAtStart"]
    # Read independently: the balance sheets' cash at either end, and the income statement.
    start = statement_json(alice, "balance_sheet", D(2025, 1, 1), D(2025, 12, 31))
    end = statement_json(alice, "balance_sheet", *Q1)
    income = statement_json(alice, "income_statement", *Q1)
    assert totals["cashAtStart"] == by_key(start)["1000"]["amount"] == 2_000_000
    assert totals["cashAtEnd"] == by_key(end)["1000"]["amount"] == 2_430_000
    assert totals["netIncome"] == income["totals"]["netIncome"]


def test_money_moved_between_cash_accounts_is_no_cash_flow(alice):
    a = chart(alice.firm)
    post(alice.gl, D(2026, 1, 2), a["1000"], a["3000"], 10_000)
    post(alice.gl, D(2026, 2, 2), a["1150"], a["1000"], 7_000, "To undeposited funds")
    body = statement_json(alice, "cash_flow", D(2026, 2, 1), D(2026, 2, 28))
    assert [r["subtype"] for r in body["rows"]] == ["net_income"]
    assert body["totals"]["netChange"] == 0
    assert body["totals"]["cashAtStart"] == body["totals"]["cashAtEnd"] == 10_000


def test_an_accounts_section_decides_where_it_shows(alice, quarter):
    """Prepaid insurance moved to investing (as a long-term deposit, say): its row moves, the
    statement still adds up. A section this version does not know counts as working capital."""
    a = quarter
    post(alice.gl, D(2026, 3, 2), a["1300"], a["1000"], 36_000, "Prepaid insurance")
    Account.objects.filter(pk=a["1300"].pk).update(cash_flow_section="investing")
    Account.objects.filter(pk=a["2000"].pk).update(cash_flow_section="something_new")
    body = statement_json(alice, "cash_flow", *Q1)
    rows = {r["code"]: r["section"] for r in body["rows"] if r["code"]}
    assert rows["1300"] == "investing"
    assert rows["2000"] == "working_capital"
    totals = body["totals"]
    assert totals["investing"] == -636_000
    assert totals["netChange"] == totals["cashAtEnd"] - totals["cashAtStart"] == 394_000


# Where the default chart's accounts show (revenue and expenses are net income; cash is none).
EXPECTED_SECTIONS = {
    "1100": "working_capital",
    "1200": "working_capital",
    "1300": "working_capital",
    "1500": "investing",
    "1550": "non_cash",
    "2000": "working_capital",
    "2100": "working_capital",
    "2200": "working_capital",
    "2300": "working_capital",
    "2400": "working_capital",
    "2700": "financing",
    "3000": "financing",
    "3100": "financing",
    "3900": "financing",
}
STATEMENT_SECTION = {
    "net_income": "operating",
    "non_cash": "operating",
    "working_capital": "operating",
    "investing": "investing",
    "financing": "financing",
}


def test_sections_of_the_default_chart(alice):
    a = chart(alice.firm)
    for account in DEFAULT_CHART:
        assert a[account.code].cash_flow_section == default_cash_flow_section(
            account.type, account.subtype
        ), account.code
    # One movement of 1.00 against cash for every account that is not cash.
    for n, code in enumerate(EXPECTED_SECTIONS):
        post(alice.gl, D(2026, 1, 1 + n), a[code], a["1000"], 100 + n)
    post(alice.gl, D(2026, 1, 20), a["1000"], a["4000"], 500)
    post(alice.gl, D(2026, 1, 21), a["6000"], a["1150"], 70)
    statement_ = build_statement(
        report="cash_flow", book=alice.gl, date_from=D(2026, 1, 1), date_to=D(2026, 1, 31)
    )
    placed = {
        row.code: (row.section, section.key)
        for section in statement_.sections
        for row in section.rows
        if row.code
    }
    assert placed == {
        code: (section, STATEMENT_SECTION[section]) for code, section in EXPECTED_SECTIONS.items()
    }
    assert statement_.totals["netIncome"] == 500 - 70
    assert statement_.totals["netChange"] == (
        statement_.totals["cashAtEnd"] - statement_.totals["cashAtStart"]
    )


@pytest.mark.parametrize("fmt", ["html", "pdf"])
def test_the_cash_flow_statement_renders(alice, quarter, fmt):
    response = statement(alice, "cash_flow", *Q1, format=fmt)
    assert response.status_code == 200, response.content[:300]


# --- The identity on random ledgers ------------------------------------------------------------

CASH_CODES = {
    a.code for a in DEFAULT_CHART if default_cash_flow_section(a.type, a.subtype) == "cash"
}
PROPERTY = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
DAYS_2026 = st.dates(min_value=D(2026, 1, 1), max_value=D(2026, 12, 31))


@PROPERTY
@given(entries=LEDGERS, first=DAYS_2026, last=DAYS_2026)
def test_property_net_change_is_the_change_in_cash(db, entries, first, last):
    date_from, date_to = min(first, last), max(first, last)
    with transaction.atomic():
        gl = post_random_ledger(entries)
        totals = build_statement(
            report="cash_flow", book=gl, date_from=date_from, date_to=date_to
        ).totals
        assert totals["netChange"] == totals["cashAtEnd"] - totals["cashAtStart"]
        assert (
            totals["netChange"] == totals["operating"] + totals["investing"] + totals["financing"]
        )
        cash_at_end = sum(n for c, n in expected_nets(entries, date_to).items() if c in CASH_CODES)
        assert totals["cashAtEnd"] == cash_at_end
        income = build_statement(
            report="income_statement", book=gl, date_from=date_from, date_to=date_to
        )
        assert totals["netIncome"] == income.totals["netIncome"]
        transaction.set_rollback(True)
