"""The balance sheet's equity across fiscal years: retained earnings (the retained-earnings
account plus the net income of earlier fiscal years) apart from this fiscal year's net income.
Worked examples with exact cents, a March year-end among them, and properties of random ledgers
over two years and any fiscal year."""

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from axiomatic.ledger.models import Account, LedgerSettings
from reports.statements import build_statement, fiscal_year_start
from tests.reports.statement_requests import (
    D,
    by_key,
    chart,
    fiscal_year_starts_in,
    post,
    statement_json,
)
from tests.reports.test_statements import expected_nets, post_random_ledger

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("day", "start_month", "start"),
    [
        (D(2026, 1, 1), 1, D(2026, 1, 1)),
        (D(2026, 12, 31), 1, D(2026, 1, 1)),
        # A March year-end: the fiscal year starts on April 1.
        (D(2026, 3, 31), 4, D(2025, 4, 1)),
        (D(2026, 4, 1), 4, D(2026, 4, 1)),
        (D(2026, 2, 15), 4, D(2025, 4, 1)),
        (D(2026, 12, 31), 4, D(2026, 4, 1)),
        (D(2024, 2, 29), 7, D(2023, 7, 1)),
        (D(2026, 11, 30), 12, D(2025, 12, 1)),
        (D(2026, 12, 1), 12, D(2026, 12, 1)),
        # Nothing is dated before the year 1: a fiscal year that would start there starts with it.
        (D(1, 2, 1), 4, dt.date.min),
        (D(1, 4, 1), 4, D(1, 4, 1)),
    ],
)
def test_fiscal_year_start(day, start_month, start):
    assert fiscal_year_start(day, start_month) == start


@pytest.mark.parametrize("start_month", [0, 13, -1])
def test_fiscal_year_start_refuses_a_month_that_is_not_one(start_month):
    with pytest.raises(ValueError):
        fiscal_year_start(D(2026, 1, 1), start_month)


def equity(body: dict) -> dict:
    rows = by_key(body)
    return {
        "retained": rows["3900"]["amount"],
        "current": rows["current_year_earnings"]["amount"],
    }


def assert_balances(body: dict) -> None:
    totals = body["totals"]
    assert totals["assets"] == totals["liabilities"] + totals["equity"], totals


@pytest.fixture
def march_year_end(alice):
    """Alpha's fiscal year ends on March 31 (starts in month 4), with entries on both sides of
    two year-ends:

    FY 2024-25 (2024-04-01..2025-03-31): capital 50,000.00; invoice 12,345.67; rent 3,000.01 on
      its last day. Net income 9,345.66.
    FY 2025-26: fees 888.88 on its first day; a rent bill 450.50 (payable); fees 100.01 on its last
      day. Net income 538.39.
    FY 2026-27: rent 200.00 paid on its first day.
    """
    fiscal_year_starts_in(alice, 4)
    a = chart(alice.firm)
    gl = alice.gl
    post(gl, D(2024, 4, 1), a["1000"], a["3000"], 5_000_000, "Capital")
    post(gl, D(2024, 9, 15), a["1100"], a["4000"], 1_234_567, "Invoice")
    post(gl, D(2025, 3, 31), a["6000"], a["1000"], 300_001, "Rent")
    post(gl, D(2025, 4, 1), a["1000"], a["4000"], 88_888, "Fees")
    post(gl, D(2025, 6, 30), a["6000"], a["2000"], 45_050, "Rent bill")
    post(gl, D(2026, 3, 31), a["1000"], a["4000"], 10_001, "Fees")
    post(gl, D(2026, 4, 1), a["6000"], a["1000"], 20_000, "Rent")
    return a


@pytest.mark.parametrize(
    ("to", "retained", "current"),
    [
        # The day before the first year-end: all of it is this year's.
        (D(2025, 3, 30), 0, 1_234_567),
        # The year-end itself: the rent of March 31 is this year's.
        (D(2025, 3, 31), 0, 1_234_567 - 300_001),
        # The next day, a new fiscal year: last year's 9,345.66 is retained.
        (D(2025, 4, 1), 934_566, 88_888),
        (D(2026, 3, 31), 934_566, 88_888 - 45_050 + 10_001),
        # And after the second year-end both years are retained: 9,345.66 + 538.39.
        (D(2026, 4, 1), 934_566 + 53_839, -20_000),
    ],
)
def test_march_year_end(alice, march_year_end, to, retained, current):
    body = statement_json(alice, "balance_sheet", D(2024, 1, 1), to)
    assert equity(body) == {"retained": retained, "current": current}
    assert_balances(body)


def test_march_year_end_whole_balance_sheet(alice, march_year_end):
    a = march_year_end
    body = statement_json(alice, "balance_sheet", D(2026, 1, 1), D(2026, 4, 1))
    assert [(r["code"], r["subtype"], r["amount"]) for r in body["rows"]] == [
        # Cash: 50,000.00 - 3,000.01 + 888.88 + 100.01 - 200.00
        ("1000", "cash", 4_778_888),
        ("1100", "accounts_receivable", 1_234_567),
        ("2000", "accounts_payable", 45_050),
        ("3000", "owner_equity", 5_000_000),
        ("3900", "retained_earnings", 988_405),
        ("", "current_year_earnings", -20_000),
    ]
    assert body["rows"][4]["accountId"] == a["3900"].public_id
    assert body["rows"][5]["accountId"] is None
    assert body["totals"] == {"assets": 6_013_455, "liabilities": 45_050, "equity": 5_968_405}
    assert_balances(body)


def test_this_years_net_income_is_the_income_statement_from_the_fiscal_year_start(
    alice, march_year_end
):
    to = D(2026, 3, 15)
    sheet = build_statement(
        report="balance_sheet", book=alice.gl, date_from=D(2026, 1, 1), date_to=to
    )
    assert sheet.fiscal_year_start == D(2025, 4, 1)
    income = statement_json(alice, "income_statement", sheet.fiscal_year_start, to)
    assert equity(sheet.as_json())["current"] == income["totals"]["netIncome"] == 43_838


def test_a_direct_posting_to_retained_earnings_counts(alice):
    """Opening retained earnings brought over from another system, and a dividend paid out of
    them, are posted to 3900 itself; the earlier years' net income is added to that balance."""
    a = chart(alice.firm)
    gl = alice.gl
    post(gl, D(2025, 1, 1), a["1000"], a["3900"], 250_000, "Opening retained earnings")
    post(gl, D(2025, 7, 1), a["1000"], a["4000"], 100_000, "Fees")
    post(gl, D(2025, 12, 31), a["6000"], a["1000"], 30_050, "Rent")
    post(gl, D(2026, 1, 1), a["1100"], a["4000"], 12_345, "Invoice")
    post(gl, D(2026, 2, 15), a["3900"], a["1000"], 5_000, "Dividend")

    year_end = statement_json(alice, "balance_sheet", D(2025, 1, 1), D(2025, 12, 31))
    assert equity(year_end) == {"retained": 250_000, "current": 100_000 - 30_050}
    assert_balances(year_end)

    body = statement_json(alice, "balance_sheet", D(2026, 1, 1), D(2026, 2, 28))
    # 3900's own balance 2,450.00 + 2025's net income 699.50
    assert equity(body) == {"retained": 245_000 + 69_950, "current": 12_345}
    assert by_key(body)["1000"]["amount"] == 250_000 + 100_000 - 30_050 - 5_000
    assert body["totals"] == {"assets": 327_295, "liabilities": 0, "equity": 327_295}


def test_a_chart_without_a_retained_earnings_account_gets_a_computed_row(alice):
    a = chart(alice.firm)
    Account.objects.filter(pk=a["3900"].pk).update(subtype="owner_equity", name="Old equity")
    post(alice.gl, D(2025, 6, 1), a["1000"], a["4000"], 70_000, "Fees")
    post(alice.gl, D(2026, 1, 2), a["6000"], a["1000"], 1_234, "Rent")
    body = statement_json(alice, "balance_sheet", D(2026, 1, 1), D(2026, 1, 31))
    equity_rows = [r for r in body["rows"] if r["type"] == "equity"]
    assert [(r["accountId"], r["name"], r["subtype"], r["amount"]) for r in equity_rows] == [
        (None, "Retained earnings", "retained_earnings", 70_000),
        (None, "Net income (current year)", "current_year_earnings", -1_234),
    ]
    assert_balances(body)


def test_both_rows_are_there_on_an_empty_book(alice):
    body = statement_json(alice, "balance_sheet", D(2026, 1, 1), D(2026, 1, 31))
    assert [(r["code"], r["subtype"], r["amount"]) for r in body["rows"]] == [
        ("3900", "retained_earnings", 0),
        ("", "current_year_earnings", 0),
    ]
    assert body["totals"] == {"assets": 0, "liabilities": 0, "equity": 0}


def test_each_entity_has_its_own_fiscal_year(alice, acme):
    """The firm's March year-end does not move its client's calendar year."""
    fiscal_year_starts_in(alice, 4)
    book = acme.client.books.get(is_primary=True)
    a = chart(acme.client)
    post(book, D(2025, 12, 1), a["1000"], a["4000"], 10_000)
    post(book, D(2026, 2, 1), a["1000"], a["4000"], 2_000)
    body = statement_json(alice, "balance_sheet", D(2026, 1, 1), D(2026, 2, 28), book=book)
    assert equity(body) == {"retained": 10_000, "current": 2_000}
    fiscal_year_starts_in(alice, 4, entity=acme.client)
    body = statement_json(alice, "balance_sheet", D(2026, 1, 1), D(2026, 2, 28), book=book)
    assert equity(body) == {"retained": 0, "current": 12_000}


# --- Properties -----------------------------------------------------------------------------------

TWO_YEARS = st.dates(min_value=D(2025, 1, 1), max_value=D(2026, 12, 31))
ENTRY = st.fixed_dictionaries(
    {
        "date": TWO_YEARS,
        "lines": st.lists(
            st.tuples(
                st.sampled_from(["1000", "1100", "2000", "3000", "3900", "4000", "6000", "1550"]),
                st.integers(min_value=-(10**9), max_value=10**9).filter(bool),
            ),
            min_size=1,
            max_size=4,
        ),
        "balancing": st.sampled_from(["1000", "3900", "4000", "6000"]),
        "tax": st.booleans(),
    }
)
PROPERTY = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
PROFIT_AND_LOSS = {"4000", "6000"}


@PROPERTY
@given(entries=st.lists(ENTRY, max_size=8), to=TWO_YEARS, start_month=st.integers(1, 12))
def test_property_retained_plus_current_is_all_net_income_and_the_sheet_balances(
    db, entries, to, start_month
):
    with transaction.atomic():
        gl = post_random_ledger(entries)
        LedgerSettings.objects.update_or_create(
            entity=gl.entity, defaults={"fiscal_year_start_month": start_month}
        )
        sheet = build_statement(report="balance_sheet", book=gl, date_from=to, date_to=to)
        body = sheet.as_json()
        assert_balances(body)
        year_start = fiscal_year_start(to, start_month)
        assert sheet.fiscal_year_start == year_start
        before = expected_nets(entries, year_start - dt.timedelta(days=1))
        this_year = expected_nets(entries, to, date_from=year_start)
        earlier = -sum(n for c, n in before.items() if c in PROFIT_AND_LOSS)
        assert equity(body) == {
            "retained": -expected_nets(entries, to).get("3900", 0) + earlier,
            "current": -sum(n for c, n in this_year.items() if c in PROFIT_AND_LOSS),
        }
        transaction.set_rollback(True)
