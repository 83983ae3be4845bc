"""Comparison columns: `compare=previous_period` and `compare=previous_year`. The periods (whole
months, days, leap days), worked examples for every comparable report with exact cents, the JSON
keys, as-of reports compared as of the comparison's `to`, share links that keep their comparison,
bad input and flat query counts."""

import io

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from reports.models import ReportDocument, ReportShare
from reports.statements import build_statement, comparison_period
from tests.helpers import assert_error
from tests.reports.statement_requests import (
    D,
    by_key,
    chart,
    fiscal_year_starts_in,
    post,
    statement,
    statement_json,
)
from tests.reports.test_share_links import create, open_url, share_body, token_of

pytestmark = pytest.mark.django_db

FEBRUARY = (D(2026, 2, 1), D(2026, 2, 28))


@pytest.mark.parametrize(
    ("date_from", "date_to", "start", "end"),
    [
        # Whole calendar months move back by their number of months, whatever their days.
        (D(2026, 2, 1), D(2026, 2, 28), D(2026, 1, 1), D(2026, 1, 31)),
        (D(2026, 3, 1), D(2026, 3, 31), D(2026, 2, 1), D(2026, 2, 28)),
        (D(2024, 3, 1), D(2024, 3, 31), D(2024, 2, 1), D(2024, 2, 29)),
        (D(2026, 4, 1), D(2026, 6, 30), D(2026, 1, 1), D(2026, 3, 31)),  # Q2 -> Q1
        (D(2026, 1, 1), D(2026, 3, 31), D(2025, 10, 1), D(2025, 12, 31)),  # Q1 -> last Q4
        (D(2026, 1, 1), D(2026, 12, 31), D(2025, 1, 1), D(2025, 12, 31)),
        (D(2025, 12, 1), D(2026, 2, 28), D(2025, 9, 1), D(2025, 11, 30)),
        # Anything else moves back by its number of days.
        (D(2026, 1, 10), D(2026, 1, 20), D(2025, 12, 30), D(2026, 1, 9)),
        (D(2026, 3, 1), D(2026, 3, 15), D(2026, 2, 14), D(2026, 2, 28)),
        (D(2026, 3, 2), D(2026, 3, 31), D(2026, 1, 31), D(2026, 3, 1)),
        (D(2024, 3, 1), D(2024, 3, 1), D(2024, 2, 29), D(2024, 2, 29)),
        (D(2024, 2, 29), D(2024, 2, 29), D(2024, 2, 28), D(2024, 2, 28)),
    ],
)
def test_previous_period(date_from, date_to, start, end):
    comparison = comparison_period("previous_period", date_from, date_to)
    assert (comparison.mode, comparison.date_from, comparison.date_to) == (
        "previous_period",
        start,
        end,
    )


@pytest.mark.parametrize(
    ("date_from", "date_to", "start", "end"),
    [
        (D(2026, 2, 1), D(2026, 2, 28), D(2025, 2, 1), D(2025, 2, 28)),
        # A month-end `to` stays a month end; February 29 becomes February 28.
        (D(2025, 2, 1), D(2025, 2, 28), D(2024, 2, 1), D(2024, 2, 29)),
        (D(2024, 2, 1), D(2024, 2, 29), D(2023, 2, 1), D(2023, 2, 28)),
        (D(2024, 2, 29), D(2024, 2, 29), D(2023, 2, 28), D(2023, 2, 28)),
        (D(2024, 2, 29), D(2024, 3, 15), D(2023, 2, 28), D(2023, 3, 15)),
        (D(2025, 2, 27), D(2025, 2, 28), D(2024, 2, 27), D(2024, 2, 29)),
        # A day that is not a month end stays that day.
        (D(2024, 2, 28), D(2024, 2, 28), D(2023, 2, 28), D(2023, 2, 28)),
        (D(2026, 1, 10), D(2026, 1, 20), D(2025, 1, 10), D(2025, 1, 20)),
        (D(2026, 1, 1), D(2026, 12, 31), D(2025, 1, 1), D(2025, 12, 31)),
    ],
)
def test_previous_year(date_from, date_to, start, end):
    comparison = comparison_period("previous_year", date_from, date_to)
    assert (comparison.date_from, comparison.date_to) == (start, end)


@pytest.mark.parametrize("mode", ["previous_period", "previous_year"])
def test_a_comparison_before_the_year_1_is_refused(mode):
    with pytest.raises(ValueError):
        comparison_period(mode, D(1, 1, 1), D(1, 1, 31))


@pytest.fixture
def months(alice):
    """January and February of 2025 and 2026 in Alpha's General Ledger:

    - 2025-01-15 capital 10,000.00
    - 2025-02-10 fees invoiced 400.00
    - 2026-01-20 fees invoiced 300.00; 2026-01-25 insurance paid 50.00
    - 2026-02-05 fees received in cash 250.00; 2026-02-27 rent paid 123.45
    """
    a = chart(alice.firm)
    gl = alice.gl
    post(gl, D(2025, 1, 15), a["1000"], a["3000"], 1_000_000, "Capital")
    post(gl, D(2025, 2, 10), a["1100"], a["4000"], 40_000, "Fees")
    post(gl, D(2026, 1, 20), a["1100"], a["4000"], 30_000, "Fees")
    post(gl, D(2026, 1, 25), a["6600"], a["1000"], 5_000, "Insurance")
    post(gl, D(2026, 2, 5), a["1000"], a["4000"], 25_000, "Fees")
    post(gl, D(2026, 2, 27), a["6000"], a["1000"], 12_345, "Rent")
    return a


def amounts(body: dict) -> list[tuple[str, int, int]]:
    return [(r["code"], r["amount"], r["comparison"]["amount"]) for r in body["rows"]]


def test_income_statement_against_the_previous_month(alice, months):
    body = statement_json(alice, "income_statement", *FEBRUARY, compare="previous_period")
    assert body["compare"] == {"mode": "previous_period", "from": "2026-01-01", "to": "2026-01-31"}
    # Insurance was paid in January only: its row is there, with 0 for February.
    assert amounts(body) == [("4000", 25_000, 30_000), ("6000", 12_345, 0), ("6600", 0, 5_000)]
    assert body["totals"] == {
        "revenue": 25_000,
        "expenses": 12_345,
        "netIncome": 12_655,
        "comparison": {"revenue": 30_000, "expenses": 5_000, "netIncome": 25_000},
    }


def test_income_statement_against_the_previous_year(alice, months):
    body = statement_json(alice, "income_statement", *FEBRUARY, compare="previous_year")
    assert body["compare"] == {"mode": "previous_year", "from": "2025-02-01", "to": "2025-02-28"}
    # Insurance moved in neither February: no row.
    assert amounts(body) == [("4000", 25_000, 40_000), ("6000", 12_345, 0)]
    assert body["totals"]["comparison"] == {"revenue": 40_000, "expenses": 0, "netIncome": 40_000}


def test_a_period_of_days_compares_with_as_many_days_before(alice, months):
    # 2026-02-05..27 (23 days) against 2026-01-13..2026-02-04.
    body = statement_json(
        alice, "income_statement", D(2026, 2, 5), D(2026, 2, 27), compare="previous_period"
    )
    assert body["compare"] == {"mode": "previous_period", "from": "2026-01-13", "to": "2026-02-04"}
    assert amounts(body) == [("4000", 25_000, 30_000), ("6000", 12_345, 0), ("6600", 0, 5_000)]


def test_trial_balance_is_compared_as_of_the_comparisons_to(alice, months):
    body = statement_json(alice, "trial_balance", *FEBRUARY, compare="previous_year")
    rows = [
        (r["code"], r["debit"], r["credit"], r["comparison"]["debit"], r["comparison"]["credit"])
        for r in body["rows"]
    ]
    assert rows == [
        # As of 2026-02-28, and as of 2025-02-28.
        ("1000", 1_007_655, 0, 1_000_000, 0),
        ("1100", 70_000, 0, 40_000, 0),
        ("3000", 0, 1_000_000, 0, 1_000_000),
        ("4000", 0, 95_000, 0, 40_000),
        ("6000", 12_345, 0, 0, 0),
        ("6600", 5_000, 0, 0, 0),
    ]
    assert body["totals"] == {
        "debit": 1_095_000,
        "credit": 1_095_000,
        "comparison": {"debit": 1_040_000, "credit": 1_040_000},
    }


def test_balance_sheet_comparison_uses_the_fiscal_year_of_its_own_date(alice, months):
    """A March year-end: as of 2026-02-28 the fiscal year began 2025-04-01, so February 2025's
    fees are retained; as of 2025-02-28 they are that fiscal year's (2024-04-01..) net income."""
    fiscal_year_starts_in(alice, 4)
    body = statement_json(alice, "balance_sheet", *FEBRUARY, compare="previous_year")
    rows = {key: (row["amount"], row["comparison"]["amount"]) for key, row in by_key(body).items()}
    assert rows == {
        "1000": (1_007_655, 1_000_000),
        "1100": (70_000, 40_000),
        "3000": (1_000_000, 1_000_000),
        "3900": (40_000, 0),
        # 300.00 - 50.00 + 250.00 - 123.45 this fiscal year; 400.00 in the last one.
        "current_year_earnings": (37_655, 40_000),
    }
    assert body["totals"] == {
        "assets": 1_077_655,
        "liabilities": 0,
        "equity": 1_077_655,
        "comparison": {"assets": 1_040_000, "liabilities": 0, "equity": 1_040_000},
    }
    sheet = build_statement(
        report="balance_sheet",
        book=alice.gl,
        date_from=FEBRUARY[0],
        date_to=FEBRUARY[1],
        compare="previous_year",
    )
    assert [s.comparison_total for s in sheet.sections] == [1_040_000, 0, 1_040_000]
    assert [s.total for s in sheet.sections] == [1_077_655, 0, 1_077_655]


def test_balance_sheet_against_the_previous_month_end(alice, months):
    body = statement_json(alice, "balance_sheet", *FEBRUARY, compare="previous_period")
    assert body["compare"]["to"] == "2026-01-31"
    rows = {key: (row["amount"], row["comparison"]["amount"]) for key, row in by_key(body).items()}
    assert rows["1000"] == (1_007_655, 995_000)
    assert rows["3900"] == (40_000, 40_000)  # 2025's fees, retained at both dates
    assert rows["current_year_earnings"] == (37_655, 25_000)


def test_cash_flow_against_the_previous_month(alice, months):
    body = statement_json(alice, "cash_flow", *FEBRUARY, compare="previous_period")
    totals = body["totals"]
    assert set(totals["comparison"]) == set(totals) - {"comparison"}
    # February: 250.00 in, 123.45 out; January: 50.00 out, the fees still receivable.
    assert (totals["netChange"], totals["comparison"]["netChange"]) == (12_655, -5_000)
    assert totals["cashAtStart"] == 995_000 and totals["cashAtEnd"] == 1_007_655
    assert totals["comparison"]["cashAtStart"] == 1_000_000
    assert totals["comparison"]["cashAtEnd"] == 995_000
    rows = {r["code"] or r["subtype"]: r for r in body["rows"]}
    assert (rows["net_income"]["amount"], rows["net_income"]["comparison"]["amount"]) == (
        12_655,
        25_000,
    )
    # The receivable grew in January only: a row in both columns, 0 for February.
    assert (rows["1100"]["amount"], rows["1100"]["comparison"]["amount"]) == (0, -30_000)


@pytest.mark.parametrize(
    "report", ["trial_balance", "income_statement", "balance_sheet", "cash_flow"]
)
def test_json_keys_with_and_without_a_comparison(alice, months, report):
    plain = statement_json(alice, report, *FEBRUARY)
    assert "compare" not in plain
    assert "comparison" not in plain["totals"]
    assert all("comparison" not in row for row in plain["rows"])
    compared = statement_json(alice, report, *FEBRUARY, compare="previous_year")
    assert set(compared) == set(plain) | {"compare"}
    assert set(compared["compare"]) == {"mode", "from", "to"}
    assert set(compared["totals"]["comparison"]) == set(plain["totals"])
    figures = {"debit", "credit"} if report == "trial_balance" else {"amount"}
    keys = set(plain["rows"][0]) | {"comparison"}
    for row in compared["rows"]:
        assert set(row) == keys, row
        assert set(row["comparison"]) == figures, row
    # The statement's own figures do not change with a comparison beside them.
    current = [{k: v for k, v in row.items() if k != "comparison"} for row in compared["rows"]]
    assert [row for row in current if row in plain["rows"]] == plain["rows"]
    assert {k: v for k, v in compared["totals"].items() if k != "comparison"} == plain["totals"]


@pytest.mark.parametrize("fmt", ["html", "pdf", "csv", "xlsx"])
def test_every_format_takes_a_comparison(alice, months, fmt):
    response = statement(alice, "income_statement", *FEBRUARY, format=fmt, compare="previous_year")
    assert response.status_code == 200, response.content[:300]
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if fmt == "pdf":
        assert content.startswith(b"%PDF")
    elif fmt == "xlsx":
        assert openpyxl.load_workbook(io.BytesIO(content)).worksheets
    else:
        assert b"Service Revenue" in content


@pytest.mark.parametrize("compare", ["previous_period", "previous_year"])
def test_a_general_ledger_has_no_comparison(alice, months, compare):
    response = statement(alice, "general_ledger", *FEBRUARY, format="json", compare=compare)
    error = assert_error(response, 400, "validation_error")
    assert set(error["fields"]) == {"compare"}
    with pytest.raises(ValueError):
        build_statement(
            report="general_ledger",
            book=alice.gl,
            date_from=D(2026, 2, 1),
            date_to=D(2026, 2, 28),
            compare=compare,
        )


@pytest.mark.parametrize(
    "report", ["trial_balance", "income_statement", "balance_sheet", "cash_flow"]
)
def test_queries_stay_flat_with_a_comparison(alice, report):
    a = chart(alice.firm)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = statement(alice, report, *FEBRUARY, format="json", compare="previous_period")
        assert response.status_code == 200, response.content
        return len(ctx.captured_queries)

    post(alice.gl, D(2026, 1, 2), a["1000"], a["3000"], 100_000)
    queries()  # warm-up: the key's first request of the minute writes last_used_at
    small = queries()
    for i in range(120):
        debit, credit = [(a["1100"], a["4000"]), (a["1000"], a["1100"]), (a["6000"], a["1000"])][
            i % 3
        ]
        post(alice.gl, D(2026, 1 + i % 2, 1 + i % 28), debit, credit, 100 + i)
    assert queries() == small


# --- Share links keep their comparison ----------------------------------------------------------


def test_a_share_link_keeps_its_comparison(alice, months):
    body = share_body(alice, reportType="income_statement")
    body["parameters"].update(
        {"from": "2026-02-01", "to": "2026-02-28", "compare": "previous_year"}
    )
    response = create(alice.client, body)
    assert response.status_code == 201, response.content
    share = ReportShare.objects.get(public_id=response.json()["id"])
    assert share.compare == "previous_year"
    listed = alice.client.get(f"/api/reports/share?entityId={alice.firm.public_id}").json()
    [link] = [link for link in listed["links"] if link["id"] == share.public_id]
    assert link["parameters"] == {
        "bookId": alice.gl.public_id,
        "from": "2026-02-01",
        "to": "2026-02-28",
        "compare": "previous_year",
    }
    page = Client().get(open_url(token_of(response.json()["shareUrl"])), follow=True)
    assert page.status_code == 200
    assert "Service Revenue" in page.content.decode()


def test_a_share_link_without_a_comparison_says_none(alice):
    response = create(alice.client, share_body(alice))
    assert response.status_code == 201, response.content
    assert ReportShare.objects.get(public_id=response.json()["id"]).compare == ""
    listed = alice.client.get(f"/api/reports/share?entityId={alice.firm.public_id}").json()
    assert "compare" not in listed["links"][0]["parameters"]


@pytest.mark.parametrize(
    ("report", "compare"),
    [
        ("income_statement", "previous"),
        ("income_statement", "PREVIOUS_YEAR"),
        ("income_statement", 7),
        ("general_ledger", "previous_period"),
    ],
)
def test_a_share_links_bad_comparison_is_400(alice, report, compare):
    body = share_body(alice, reportType=report)
    body["parameters"]["compare"] = compare
    error = assert_error(create(alice.client, body), 400, "validation_error")
    assert set(error["fields"]) == {"parameters.compare"}, error
    assert not ReportShare.objects.exists()


def test_a_long_pdf_with_a_comparison_is_rendered_with_it(
    alice, months, settings, django_capture_on_commit_callbacks
):
    settings.MAX_INLINE_PDF_PAGES = 0  # every PDF counts as long
    with django_capture_on_commit_callbacks(execute=True):
        response = statement(
            alice, "balance_sheet", *FEBRUARY, format="pdf", compare="previous_year"
        )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["link"]["parameters"]["compare"] == "previous_year"
    document = ReportDocument.objects.get(share__public_id=body["link"]["id"])
    assert document.share.compare == "previous_year"
    assert document.status == "ready" and bytes(document.pdf).startswith(b"%PDF")
