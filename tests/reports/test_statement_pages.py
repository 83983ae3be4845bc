"""What people see of a statement: the HTML page and its PDF (WeasyPrint of the same HTML), for each
report, with and without a comparison column.

The statements here are built by hand (tests/reports/statement_samples.py holds their figures), so
each test checks the layout of known numbers; the worked examples over real ledgers at the end go
through the builders and the API.
"""

import re
from html import unescape
from urllib.parse import parse_qsl

import pytest
from django.test import Client
from django.utils import timezone

from axiomatic.entities.models import Role
from axiomatic.ledger.models import Book
from axiomatic.ledger.services import JournalEntryDraft, ledger_settings_update
from practice.pages import fiscal_year_start
from reports.rendering import render_html, render_pdf
from tests.admin.receivables_helpers import table_rows
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import pdf_layout_text
from tests.reports import statement_samples as samples

NBSP = "\xa0"


def rows_of(html: str) -> list[list[str]]:
    return [[cell.replace(NBSP, " ") for cell in row] for row in table_rows(html)]


def squeezed(html: str) -> str:
    """The page's source with runs of white space as one space (the meta line spans lines)."""
    return " ".join(html.replace(NBSP, " ").split())


def pdf_text(pdf: bytes) -> str:
    """The PDF's text as pdftotext lays it out (one printed line a line), spaces squeezed."""
    return "\n".join(pdf_layout_text(pdf))


# --- Trial balance ---------------------------------------------------------------------------------


def test_a_trial_balance_has_a_debit_and_a_credit_column():
    html = render_html(samples.trial_balance(compared=False))
    assert rows_of(html) == [
        ["Code", "Account", "Debit", "Credit"],
        ["1000", "Cash", "5,000.00", ""],
        ["4000", "Service revenue", "", "5,000.00"],
        ["", "Total", "5,000.00", "5,000.00"],
    ]
    assert "Compared with" not in html


def test_a_compared_trial_balance_has_two_pairs_of_debit_and_credit_under_their_dates():
    html = render_html(samples.trial_balance(compared=True))
    assert rows_of(html) == [
        ["Code", "Account", "30 Jun 2026", "30 Jun 2025"],
        ["Debit", "Credit", "Debit", "Credit"],
        ["1000", "Cash", "5,000.00", "", "2,000.00", ""],
        ["4000", "Service revenue", "", "5,000.00", "", "2,500.00"],
        ["6000", "Rent", "", "", "500.00", ""],  # a balance last year only
        ["", "Total", "5,000.00", "5,000.00", "2,500.00", "2,500.00"],
    ]
    assert "Compared with the previous year: as of 30 June 2025" in html


# --- Income statement ------------------------------------------------------------------------------


def test_an_income_statement_names_its_period_over_the_amounts():
    html = render_html(samples.income_statement(compared=False))
    assert rows_of(html) == [
        ["Code", "Account", "1 Jan – 30 Jun 2026"],
        ["Revenue"],
        ["4000", "Service revenue", "8,000.00"],
        ["", "Total revenue", "8,000.00"],
        ["Expenses"],
        ["6000", "Rent", "1,200.50"],
        ["6100", "Wages", "7,000.00"],
        ["", "Total expenses", "8,200.50"],
        ["", "Net income", "(200.50)"],
    ]
    assert "1 January 2026 to 30 June 2026 · Accrual basis · General Ledger · USD" in squeezed(html)


def test_a_compared_income_statement_has_the_other_period_on_every_row_and_total():
    html = render_html(samples.income_statement(compared=True))
    assert rows_of(html) == [
        ["Code", "Account", "1 Jan – 30 Jun 2026", "1 Jan – 30 Jun 2025"],
        ["Revenue"],
        ["4000", "Service revenue", "8,000.00", "6,500.25"],
        ["", "Total revenue", "8,000.00", "6,500.25"],
        ["Expenses"],
        ["6000", "Rent", "1,200.50", "1,200.50"],
        ["6100", "Wages", "7,000.00", "4,000.00"],
        ["", "Total expenses", "8,200.50", "5,200.50"],
        ["", "Net income", "(200.50)", "1,299.75"],
    ]
    assert "Compared with the previous year: 1 January 2025 to 30 June 2025" in html


def test_a_period_across_years_names_both_years():
    statement = samples.income_statement(compared=False)
    statement.date_from = samples.D(2025, 12, 1)
    assert rows_of(render_html(statement))[0][2] == "1 Dec 2025 – 30 Jun 2026"


# --- Balance sheet ---------------------------------------------------------------------------------


def test_a_balance_sheet_shows_retained_and_current_year_earnings_and_its_fiscal_year():
    html = render_html(samples.balance_sheet(compared=False))
    rows = rows_of(html)
    assert rows[0] == ["Code", "Account", "30 Jun 2026"]
    equity = rows[rows.index(["Equity"]) :]
    assert equity == [
        ["Equity"],
        ["3000", "Owner's capital", "10,000.00"],
        ["3900", "Retained earnings", "1,245.67"],
        ["", "Current-year earnings", "1,400.00"],
        ["", "Total equity", "12,645.67"],
        ["", "Total liabilities and equity", "13,645.67"],
    ]
    assert "As of 30 June 2026 · Accrual basis · General Ledger · USD" in squeezed(html)
    assert "Fiscal year from 1 July 2025" in html


def test_a_compared_balance_sheet_has_last_years_figures_beside_each_row_and_total():
    rows = rows_of(render_html(samples.balance_sheet(compared=True)))
    assert rows == [
        ["Code", "Account", "30 Jun 2026", "30 Jun 2025"],
        ["Assets"],
        ["1000", "Cash", "12,345.67", "9,000.00"],
        ["1100", "Accounts receivable", "2,500.00", "0.00"],
        ["1550", "Accumulated depreciation", "(1,200.00)", "(600.00)"],
        ["", "Total assets", "13,645.67", "8,400.00"],
        ["Liabilities"],
        ["2000", "Accounts payable", "1,000.00", "500.00"],
        ["", "Total liabilities", "1,000.00", "500.00"],
        ["Equity"],
        ["3000", "Owner's capital", "10,000.00", "10,000.00"],
        ["3900", "Retained earnings", "1,245.67", "(1,500.00)"],
        ["", "Current-year earnings", "1,400.00", "(600.00)"],
        ["", "Total equity", "12,645.67", "7,900.00"],
        ["", "Total liabilities and equity", "13,645.67", "8,400.00"],
    ]


def test_without_a_fiscal_year_the_meta_line_says_nothing_of_one():
    statement = samples.balance_sheet(compared=False)
    statement.fiscal_year_start = None
    assert "Fiscal year" not in render_html(statement)


def test_a_cash_basis_book_says_so():
    statement = samples.balance_sheet(compared=False)
    statement.book_basis = "cash"
    assert "· Cash basis ·" in squeezed(render_html(statement))


# --- Cash flow -------------------------------------------------------------------------------------

CASH_FLOW_ROWS = [
    ["Code", "Account", "1 Apr – 30 Jun 2026", "1 Jan – 31 Mar 2026"],
    ["Operating activities"],
    ["", "Net income", "1,400.00", "900.00"],
    ["", "Adjustments for non-cash items"],
    ["1550", "Accumulated depreciation", "600.00", "600.00"],
    ["", "Changes in working capital"],
    ["1100", "Accounts receivable", "(2,500.00)", "0.00"],
    ["2000", "Accounts payable", "500.00", "250.00"],
    ["", "Net cash from operating activities", "0.00", "1,750.00"],
    ["Investing activities"],
    ["1500", "Equipment", "(3,000.00)", "0.00"],
    ["", "Net cash from investing activities", "(3,000.00)", "0.00"],
    ["Financing activities"],
    ["2500", "Bank loan", "5,000.00", "0.00"],
    ["3100", "Owner's drawings", "(654.33)", "0.00"],
    ["", "Net cash from financing activities", "4,345.67", "0.00"],
    ["", "Net change in cash", "1,345.67", "1,750.00"],
    ["", "Cash at beginning of period", "11,000.00", "9,250.00"],
    ["", "Cash at end of period", "12,345.67", "11,000.00"],
]


def test_a_cash_flow_statement_reads_from_net_income_to_cash_at_the_end():
    html = render_html(samples.cash_flow(compared=True))
    assert rows_of(html) == CASH_FLOW_ROWS
    assert "Compared with the previous period: 1 January 2026 to 31 March 2026" in html


def test_a_cash_flow_statement_without_comparison_has_one_amount_column():
    rows = rows_of(render_html(samples.cash_flow(compared=False)))
    assert rows == [row[:3] for row in CASH_FLOW_ROWS]


def test_an_empty_cash_flow_section_says_no_activity():
    statement = samples.cash_flow(compared=False)
    statement.sections[1].rows = []
    rows = rows_of(render_html(statement))
    at = rows.index(["Investing activities"])
    assert rows[at + 1] == ["", "No activity."]


# --- General ledger --------------------------------------------------------------------------------

LEDGER_ROWS = [
    ["Date", "Entry", "Description", "Debit", "Credit", "Balance"],
    ["1000 Cash"],
    ["2026-01-01", "", "Opening balance", "", "", "10,000.00"],
    ["2026-01-10", "JE-000001", "Invoice 1 paid", "2,500.00", "", "12,500.00"],
    ["2026-01-31", "JE-000002", "Rent · January rent", "", "1,200.50", "11,299.50"],
    ["2026-01-31", "", "Closing balance", "2,500.00", "1,200.50", "11,299.50"],
    ["3000 Owner's capital"],
    ["2026-01-01", "", "Opening balance", "", "", "10,000.00"],
    ["2026-01-31", "", "Closing balance", "0.00", "0.00", "10,000.00"],
    ["4000 Service revenue"],
    ["2026-01-01", "", "Opening balance", "", "", "0.00"],
    ["2026-01-10", "JE-000001", "Invoice 1 paid · Consulting", "", "2,500.00", "2,500.00"],
    ["2026-01-31", "", "Closing balance", "0.00", "2,500.00", "2,500.00"],
    ["6000 Rent"],
    ["2026-01-01", "", "Opening balance", "", "", "300.00"],
    ["2026-01-31", "JE-000002", "Rent", "1,200.50", "", "1,500.50"],
    ["2026-01-31", "", "Closing balance", "1,200.50", "0.00", "1,500.50"],
    ["", "", "Total", "3,700.50", "3,700.50", ""],
]


def test_a_general_ledger_lists_each_accounts_opening_lines_and_closing_balance():
    html = render_html(samples.general_ledger())
    assert rows_of(html) == LEDGER_ROWS
    assert "1 January 2026 to 31 January 2026 · Accrual basis" in squeezed(html)


def test_the_general_ledger_is_drawn_as_it_is_read_from_one_pass_over_the_lines():
    """The lines come from one cursor: a template that listed the accounts first would find each
    account's lines gone (OneCursor skips them as a cursor would), and show none."""
    cursor = samples.OneCursor()
    html = render_html(samples.general_ledger(cursor))
    assert cursor.read == len(samples.LEDGER_LINES)
    assert "JE-000002" in html and rows_of(html) == LEDGER_ROWS


def test_a_general_ledger_without_accounts_says_no_activity():
    cursor = samples.OneCursor(accounts=[], lines=[])
    statement = samples.general_ledger(cursor)
    statement.totals = {"debit": 0, "credit": 0}
    assert rows_of(render_html(statement))[1] == ["No activity."]


# --- Every report ----------------------------------------------------------------------------------

ALL = {
    "trial_balance": samples.trial_balance,
    "income_statement": samples.income_statement,
    "balance_sheet": samples.balance_sheet,
    "cash_flow": samples.cash_flow,
}


@pytest.mark.parametrize("report", ALL)
def test_names_are_escaped(report):
    statement = ALL[report](compared=True)
    statement.entity_name = "<script>alert(1)</script> & Co"
    statement.rows[0].name = "<b>Cash</b>"
    html = render_html(statement)
    assert "<script" not in html and "<b>Cash" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html
    assert "&lt;b&gt;Cash&lt;/b&gt;" in html


@pytest.mark.parametrize("report", ALL)
def test_negatives_are_in_parentheses_in_both_columns(report):
    statement = ALL[report](compared=True)
    first = statement.rows[0]
    if report == "trial_balance":
        # A trial balance puts a balance on its side: nothing there is negative.
        assert "(" not in "".join(c for r in rows_of(render_html(statement))[2:] for c in r)
        return
    first.amount, first.comparison_amount = -123_456, -7_890
    html = render_html(statement)
    assert "(1,234.56)" in html and "(78.90)" in html
    assert "-1,234.56" not in html and "-78.90" not in html


def test_the_pdf_of_a_compared_balance_sheet_holds_every_row_and_both_columns():
    text = pdf_text(render_pdf(samples.balance_sheet(compared=True)))
    for line in (
        "Acme & Sons",
        "As of 30 June 2026 · Accrual basis · General Ledger · USD · Fiscal year from 1 July 2025",
        "Compared with the previous year: as of 30 June 2025",
        "Code Account 30 Jun 2026 30 Jun 2025",
        "1550 Accumulated depreciation (1,200.00) (600.00)",
        "3900 Retained earnings 1,245.67 (1,500.00)",
        "Current-year earnings 1,400.00 (600.00)",
        "Total liabilities and equity 13,645.67 8,400.00",
        "Page 1 of 1",
    ):
        assert line in text.splitlines() or line in text, line


def test_the_pdf_of_a_cash_flow_statement_holds_its_sections_and_totals():
    text = pdf_text(render_pdf(samples.cash_flow(compared=True)))
    lines = text.splitlines()
    for row in CASH_FLOW_ROWS[1:]:
        assert " ".join(cell for cell in row if cell) in lines, row


def test_the_pdf_of_a_compared_trial_balance_holds_both_pairs():
    lines = pdf_text(render_pdf(samples.trial_balance(compared=True))).splitlines()
    assert "Debit Credit Debit Credit" in lines
    assert "1000 Cash 5,000.00 2,000.00" in lines
    assert "Total 5,000.00 5,000.00 2,500.00 2,500.00" in lines


def test_the_pdf_of_a_general_ledger_holds_every_line():
    lines = pdf_text(render_pdf(samples.general_ledger())).splitlines()
    for row in LEDGER_ROWS[1:]:
        assert " ".join(cell for cell in row if cell) in lines, row


# --- The client page -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day, start_month, start",
    [
        (samples.D(2026, 3, 31), 1, samples.D(2026, 1, 1)),
        (samples.D(2026, 3, 31), 4, samples.D(2025, 4, 1)),  # a March year-end
        (samples.D(2026, 4, 1), 4, samples.D(2026, 4, 1)),
        (samples.D(2026, 11, 30), 12, samples.D(2025, 12, 1)),
        (samples.D(2026, 12, 1), 12, samples.D(2026, 12, 1)),
    ],
)
def test_the_fiscal_year_to_date_starts_on_the_first_day_of_the_fiscal_year(
    day, start_month, start
):
    assert fiscal_year_start(day, start_month) == start


def _statement_links(html: str) -> list[dict[str, str]]:
    return [
        dict(parse_qsl(unescape(query)))
        for query in re.findall(r'href="/api/reports/pdf\?([^"]+)"', html)
    ]


@pytest.mark.django_db
def test_the_client_page_links_to_the_five_statements_for_the_fiscal_year_to_date(alice, acme):
    ledger_settings_update(entity=acme.client, by=alice.user, fiscal_year_start_month=7)
    pat = UserFactory(email="pat@acme.test")
    MembershipFactory(user=pat, entity=acme.client, role=Role.MEMBER)
    browser = Client()
    browser.force_login(pat)

    html = browser.get("/client/").content.decode()

    today = timezone.localdate()
    start = fiscal_year_start(today, 7)
    links = _statement_links(html)
    books = list(Book.objects.filter(entity=acme.client).order_by("id"))
    reports = {"balance_sheet", "income_statement", "cash_flow", "trial_balance", "general_ledger"}
    assert len(links) == len(books) * len(reports) * 2  # each as a page and as a PDF
    for book in books:
        mine = [link for link in links if link["bookId"] == book.public_id]
        assert {link["report"] for link in mine} == reports
        assert sum(link.get("format") == "pdf" for link in mine) == len(reports)
    assert {(link["entityId"], link["from"], link["to"]) for link in links} == {
        (acme.client.public_id, start.isoformat(), today.isoformat())
    }
    assert f"Statements for the fiscal year to date: {start:%-d %B %Y}" in html

    for link in links[:10]:  # the first book's: each opens for the client
        response = browser.get("/api/reports/pdf", link)
        assert response.status_code == 200, (link, response.content[:300])
        wanted = "application/pdf" if link.get("format") == "pdf" else "text/html"
        assert response["Content-Type"].startswith(wanted)


# --- Real statements through the API ---------------------------------------------------------------


@pytest.fixture
def half_years(alice):
    """Alpha's General Ledger: capital 10,000.00 (2025-03-01); in the first half of 2025 revenue
    1,500.00 invoiced and rent 400.00 paid; in the first half of 2026 revenue 2,500.00 invoiced,
    2,000.00 of it received, rent 1,200.50 paid."""
    a = {code: alice.account(code) for code in ("1000", "1100", "3000", "4000", "6000")}
    for day, debit, credit, cents in (
        (samples.D(2025, 3, 1), "1000", "3000", 1_000_000),
        (samples.D(2025, 5, 10), "1100", "4000", 150_000),
        (samples.D(2025, 6, 15), "6000", "1000", 40_000),
        (samples.D(2026, 2, 10), "1100", "4000", 250_000),
        (samples.D(2026, 3, 20), "1000", "1100", 200_000),
        (samples.D(2026, 5, 31), "6000", "1000", 120_050),
    ):
        JournalEntryDraft(book=alice.gl, date=day, memo="x").debit(a[debit], cents).credit(
            a[credit], cents
        ).post()
    return alice


def api_statement(persona, report, **params):
    query = {
        "entityId": persona.firm.public_id,
        "bookId": persona.gl.public_id,
        "report": report,
        "from": "2026-01-01",
        "to": "2026-06-30",
        **params,
    }
    response = persona.client.get("/api/reports/pdf", query)
    assert response.status_code == 200, response.content[:300]
    return response


@pytest.mark.django_db
def test_the_api_page_of_a_compared_income_statement_has_both_half_years(half_years):
    html = api_statement(half_years, "income_statement", compare="previous_year").content.decode()
    assert rows_of(html) == [
        ["Code", "Account", "1 Jan – 30 Jun 2026", "1 Jan – 30 Jun 2025"],
        ["Revenue"],
        ["4000", "Service Revenue", "2,500.00", "1,500.00"],
        ["", "Total revenue", "2,500.00", "1,500.00"],
        ["Expenses"],
        ["6000", "Rent", "1,200.50", "400.00"],
        ["", "Total expenses", "1,200.50", "400.00"],
        ["", "Net income", "1,299.50", "1,100.00"],
    ]


@pytest.mark.django_db
def test_the_api_pdf_of_a_compared_cash_flow_statement_ends_with_the_cash_it_counts(half_years):
    pdf = api_statement(half_years, "cash_flow", compare="previous_year", format="pdf").content
    lines = pdf_text(pdf).splitlines()
    # The period headings wrap after their dash in the PDF's narrow columns.
    at = lines.index("Code Account 1 Jan – 1 Jan –")
    assert lines[at + 1] == "30 Jun 2026 30 Jun 2025"
    assert "Net income 1,299.50 1,100.00" in lines
    assert "1100 Accounts Receivable (500.00) (1,500.00)" in lines
    assert "Net change in cash 799.50 9,600.00" in lines
    assert "Cash at beginning of period 9,600.00 0.00" in lines
    assert "Cash at end of period 10,399.50 9,600.00" in lines


@pytest.mark.django_db
def test_the_api_page_of_a_general_ledger_runs_each_accounts_balance(half_years):
    rows = rows_of(api_statement(half_years, "general_ledger").content.decode())
    cash = rows[rows.index(["1000 Cash"]) + 1 : rows.index(["1000 Cash"]) + 5]
    assert [[r[0], r[2], r[3], r[4], r[5]] for r in cash] == [
        ["2026-01-01", "Opening balance", "", "", "9,600.00"],
        ["2026-03-20", "x", "2,000.00", "", "11,600.00"],
        ["2026-05-31", "x", "", "1,200.50", "10,399.50"],
        ["2026-06-30", "Closing balance", "2,000.00", "1,200.50", "10,399.50"],
    ]
