"""GET /api/reports/pdf?format=csv|xlsx for every report: an attachment of the right type whose
figures, read back, are the format=json response's, comparison included; access and bad input
answer as for the other formats; the general ledger's CSV streams with a flat number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from axiomatic.ledger.models import Account
from reports.spreadsheets import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
from reports.statements import ReportType
from tests.helpers import assert_error
from tests.reports.test_spreadsheets import (
    EVIL_NAME,
    TOTAL_ROWS,
    csv_cents,
    csv_parts,
    post,
    post_example,
    xlsx_cents,
    xlsx_parts,
)

pytestmark = pytest.mark.django_db

URL = "/api/reports/pdf"
D = dt.date
REPORTS = [str(report) for report in ReportType]
# The reports that list the insurance account by name (EVIL_NAME); the others hold it in a total.
NAMES_ACCOUNTS = {"trial_balance", "income_statement", "general_ledger"}


@pytest.fixture
def book(alice):
    """The example of test_spreadsheets, and a year before it, for comparisons: in January 2025
    an invoice of 800.00 half paid, and rent of 1,100.00."""
    gl = post_example(alice.gl)
    a = {acct.code: acct for acct in Account.objects.filter(entity=alice.firm)}
    post(gl, D(2024, 12, 31), a["1000"], a["3000"], 500_000, "Opening capital")
    post(gl, D(2025, 1, 12), a["1100"], a["4000"], 80_000, "Invoice 0")
    post(gl, D(2025, 1, 25), a["1000"], a["1100"], 40_000, "Part payment")
    post(gl, D(2025, 1, 31), a["6000"], a["1000"], 110_000, "Rent")
    return gl


def fetch(persona, book, report, fmt, **params):
    query = {
        "entityId": book.entity.public_id,
        "bookId": book.public_id,
        "report": report,
        "from": "2026-01-01",
        "to": "2026-01-31",
        "format": fmt,
    }
    return persona.client.get(URL, query | params)


def body_of(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def download(persona, book, report, fmt, **params):
    """The attachment's bytes, after checking status, type and name."""
    response = fetch(persona, book, report, fmt, **params)
    assert response.status_code == 200, body_of(response)[:500]
    content_type = CSV_CONTENT_TYPE if fmt == "csv" else XLSX_CONTENT_TYPE
    assert response["Content-Type"] == content_type
    name = f"{report}-{params.get('to', '2026-01-31')}.{fmt}"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert response.streaming == (fmt == "csv")  # the CSV streams, the workbook is one body
    return body_of(response)


def json_of(persona, book, report, **params):
    response = fetch(persona, book, report, "json", **params)
    assert response.status_code == 200, response.content
    return response.json()


# --- What the JSON says each file must show -------------------------------------------------------


def expected(report: str, body: dict) -> list[tuple]:
    """The figures a file must show, from the JSON: (label, cents..., comparison cents...), in
    the file's order, except that a sectioned statement's total rows come last, by label."""
    if report == "general_ledger":
        return ledger_expected(body)
    compared = "compare" in body

    def figures(label, current: dict, other: dict | None):
        amounts = tuple(current.values())
        if compared:
            amounts += tuple(other[key] for key in current)
        return (label, *amounts)

    def pair(figures_of: dict) -> dict:
        return {key: figures_of[key] for key in ("debit", "credit")}

    rows = body["rows"]
    if report == "trial_balance":
        totals = body["totals"]
        want = [figures(r["code"], pair(r), r.get("comparison")) for r in rows]
        return [*want, figures("Total", pair(totals), totals.get("comparison"))]
    want = [figures(r["name"], {"amount": r["amount"]}, r.get("comparison")) for r in rows]
    totals = body["totals"]
    for label, figure in TOTAL_ROWS[report].items():
        other = {"amount": figure(totals["comparison"])} if compared else None
        want.append(figures(label, {"amount": figure(totals)}, other))
    return want


def ledger_expected(body: dict) -> list[tuple]:
    want = []
    for account in body["rows"]:
        want.append((account["code"], "Opening balance", account["openingBalance"]))
        for line in account["lines"]:
            want.append((line["number"], line["debit"], line["credit"], line["balance"]))
        closing = (account["debit"], account["credit"], account["closingBalance"])
        want.append((account["code"], "Closing balance", *closing))
    return [*want, ("Total", body["totals"]["debit"], body["totals"]["credit"])]


def shown(report: str, rows: list[list], cents) -> list[tuple]:
    """The same figures, read from a file's table (text cells and amounts already read)."""
    if report == "general_ledger":
        out = []
        for code, name, _, entry, memo, _, debit, credit, balance in rows:
            if memo == "Opening balance" and not entry:
                out.append((code, memo, cents(balance)))
            elif memo == "Closing balance" and not entry:
                out.append((code, memo, cents(debit), cents(credit), cents(balance)))
            elif name == "Total" and not code:
                out.append(("Total", cents(debit), cents(credit)))
            else:
                out.append((entry, cents(debit), cents(credit), cents(balance)))
        return out
    if report == "trial_balance":
        return [(r[0] or r[1], *(cents(x) for x in r[3:])) for r in rows]
    got = [(r[2], *(cents(x) for x in r[3:])) for r in rows]
    labels = TOTAL_ROWS[report]
    totals = {figures[0]: figures for figures in got if figures[0] in labels}
    assert len(totals) == len(labels), totals  # each total row, once
    return [f for f in got if f[0] not in labels] + [totals[label] for label in labels]


def csv_figures(report, data: bytes):
    header, _, rows = csv_parts(data.decode("utf-8"))
    # Text that looked like a formula went out with an apostrophe (test_spreadsheets checks it).
    assert any(r == "'" + EVIL_NAME for row in rows for r in row) == (report in NAMES_ACCOUNTS)
    rows = [[cell.removeprefix("'") for cell in row] for row in rows]
    return header, shown(report, rows, csv_cents)


def xlsx_figures(report, data: bytes):
    _, header, _, rows = xlsx_parts(data)
    # Amounts stay cells (xlsx_cents checks their type and format); text and empties are values.
    texts = [[c if isinstance(c.value, int | float) else (c.value or "") for c in r] for r in rows]
    return header, shown(report, texts, xlsx_cents)


# --- Every report, both files -----------------------------------------------------------------


@pytest.mark.parametrize("report", REPORTS)
def test_each_report_downloads_with_the_json_figures(alice, book, report):
    want = expected(report, json_of(alice, book, report))
    assert len(want) > 2  # the example shows rows, not just totals
    header, got = csv_figures(report, download(alice, book, report, "csv"))
    assert got == want
    assert header["Entity"] == "Alpha & Co CPA"
    assert header["Basis"] == "Accrual"
    header, got = xlsx_figures(report, download(alice, book, report, "xlsx"))
    assert got == want
    assert header["Book"].value == "General Ledger"


@pytest.mark.parametrize("compare", ["previous_year", "previous_period"])
@pytest.mark.parametrize("report", sorted(set(REPORTS) - {"general_ledger"}))
def test_comparisons_download_with_the_json_figures(alice, book, report, compare):
    body = json_of(alice, book, report, compare=compare)
    want = expected(report, body)
    if compare == "previous_year":
        assert any(figures[-1] for figures in want)  # January 2025 shows in the last column
    header, got = csv_figures(report, download(alice, book, report, "csv", compare=compare))
    assert got == want
    start, end = body["compare"]["from"], body["compare"]["to"]
    title = "Previous year" if compare == "previous_year" else "Previous period"
    period = f"{start} to {end}" if report in ("income_statement", "cash_flow") else f"As of {end}"
    assert header["Comparison"] == f"{title}: {period}"
    _, got = xlsx_figures(report, download(alice, book, report, "xlsx", compare=compare))
    assert got == want


def test_a_viewer_downloads_too(bob, alice, book):
    data = download(bob, book, "trial_balance", "csv")
    assert csv_figures("trial_balance", data)[1] == expected(
        "trial_balance", json_of(alice, book, "trial_balance")
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_another_firms_book_is_not_found(charlie, alice, book, fmt):
    assert_error(fetch(charlie, book, "trial_balance", fmt), 404)


@pytest.mark.parametrize(
    "params",
    [
        {"format": "xls"},
        {"format": "csv", "report": "ledger"},
        {"format": "csv", "to": "2026-13-01"},
    ],
)
def test_bad_input_is_a_400(alice, book, params):
    query = {"report": "trial_balance"} | params
    response = fetch(alice, book, query.pop("report"), query.pop("format"), **query)
    assert_error(response, 400)


def test_general_ledger_csv_queries_stay_flat_as_lines_grow(alice, book):
    def queries() -> tuple[int, bytes]:
        with CaptureQueriesContext(connection) as captured:
            data = download(alice, book, "general_ledger", "csv")
        return len(captured), data

    queries()  # the first request of a key also records when the key was last used
    small, data = queries()
    cash, rent = alice.account("1000"), alice.account("6000")
    for day in range(1, 29):
        post(book, D(2026, 1, day), rent, cash, 1_000 + day, f"Line {day}")
    large, more = queries()
    assert more.count(b"\r\n") >= data.count(b"\r\n") + 2 * 28
    assert large == small
