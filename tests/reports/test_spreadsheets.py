"""Statements as CSV and XLSX, read back: the same figures as the JSON, cent for cent; amounts as
numbers in a currency format; a header block naming entity, book, basis and period; user text that
looks like a formula neutralised; the general ledger's CSV produced while its lines are read."""

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from axiomatic.core.money import cents_to_decimal
from axiomatic.entities.models import Entity
from axiomatic.ledger.models import Account
from axiomatic.ledger.services import JournalEntryDraft
from reports import spreadsheets
from reports.spreadsheets import csv_stream, export_filename, money_format, render_xlsx
from reports.statements import (
    CompareMode,
    Comparison,
    LedgerAccount,
    LedgerLine,
    ReportType,
    Row,
    Section,
    Statement,
    build_statement,
)

D = dt.date
GENERATED = dt.datetime(2026, 6, 30, 12, 34, 56, tzinfo=dt.UTC)
EVIL_NAME = '=HYPERLINK("http://evil.test","Click")'
MONEY_TEXT = re.compile(r"-?\d+\.\d{2}")


# --- Reading the files back ---------------------------------------------------------------------


def read_csv(statement):
    """(header block as a dict, table header, table rows) of the statement's CSV."""
    return csv_parts("".join(csv_stream(statement, generated_at=GENERATED)))


def csv_parts(text: str):
    assert text.startswith("\ufeff")  # so that Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(text[1:])))
    blank = rows.index([])
    assert all(len(row) == 2 for row in rows[:blank])
    return dict(rows[:blank]), rows[blank + 1], rows[blank + 2 :]


def csv_cents(text: str) -> int:
    """A CSV amount: a plain decimal number with two places, read back exactly."""
    assert MONEY_TEXT.fullmatch(text), text
    return int(Decimal(text) * 100)


def read_xlsx(statement):
    """(sheet, header block as a dict of cells, table header cells, table rows of cells)."""
    return xlsx_parts(render_xlsx(statement, generated_at=GENERATED))


def xlsx_parts(data: bytes):
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert len(book.worksheets) == 1
    sheet = book.worksheets[0]
    rows = [list(row) for row in sheet.iter_rows()]
    blank = next(i for i, row in enumerate(rows) if all(c.value is None for c in row))
    header = {row[0].value: row[1] for row in rows[:blank]}
    return sheet, header, rows[blank + 1], rows[blank + 2 :]


def xlsx_cents(cell, currency="USD") -> int:
    """An XLSX amount: a numeric cell in the currency's format, read back exactly."""
    assert cell.data_type == "n", (cell.coordinate, cell.value)
    assert cell.number_format == money_format(currency), cell.number_format
    exact = Decimal(str(cell.value)) * 100
    assert exact == exact.to_integral_value(), cell.value
    return int(exact)


def values(row) -> list:
    return [cell.value for cell in row]


# --- A small real book ----------------------------------------------------------------------------


def post(book, day, debit, credit, cents, memo=""):
    draft = JournalEntryDraft(book=book, date=day, memo=memo)
    return draft.debit(debit, cents).credit(credit, cents).post()


@pytest.fixture
def book(alice):
    """Alpha's General Ledger, January 2026, with an account named like a formula:

    - 2025-12-31 owner's capital 10,000.00
    - 2026-01-10 invoice 2,500.00; 2026-01-20 payment received 1,999.99
    - 2026-01-31 rent 1,200.50; insurance 300.00 (account renamed to EVIL_NAME)
    - 2026-01-31 depreciation 123.45 (a contra asset: negative among assets)
    """
    return post_example(alice.gl)


def post_example(gl):
    """The entries of the `book` fixture, posted in `gl`; returns it."""
    a = {acct.code: acct for acct in Account.objects.filter(entity_id=gl.entity_id)}
    Account.objects.filter(pk=a["6600"].pk).update(name=EVIL_NAME)
    post(gl, D(2025, 12, 31), a["1000"], a["3000"], 1_000_000, "Capital")
    post(gl, D(2026, 1, 10), a["1100"], a["4000"], 250_000, "Invoice 1")
    post(gl, D(2026, 1, 20), a["1000"], a["1100"], 199_999, "Payment")
    post(gl, D(2026, 1, 31), a["6000"], a["1000"], 120_050, "Rent")
    post(gl, D(2026, 1, 31), a["6600"], a["1000"], 30_000, "Insurance")
    post(gl, D(2026, 1, 31), a["6900"], a["1550"], 12_345, "Depreciation")
    return gl


def built(book, report):
    return build_statement(
        report=report, book=book, date_from=D(2026, 1, 1), date_to=D(2026, 1, 31)
    )


# Each total row of the table, by its label, and the JSON total it shows.
TOTAL_ROWS = {
    "income_statement": {
        "Total revenue": lambda t: t["revenue"],
        "Total expenses": lambda t: t["expenses"],
        "Net income": lambda t: t["netIncome"],
    },
    "balance_sheet": {
        "Total assets": lambda t: t["assets"],
        "Total liabilities": lambda t: t["liabilities"],
        "Total equity": lambda t: t["equity"],
        "Total liabilities and equity": lambda t: t["liabilities"] + t["equity"],
    },
    "cash_flow": {
        "Total operating activities": lambda t: t["operating"],
        "Total investing activities": lambda t: t["investing"],
        "Total financing activities": lambda t: t["financing"],
        "Net change in cash": lambda t: t["netChange"],
        "Cash at start": lambda t: t["cashAtStart"],
        "Cash at end": lambda t: t["cashAtEnd"],
    },
}


def test_cents_to_decimal_is_exact_with_two_places():
    assert str(cents_to_decimal(123_456)) == "1234.56"
    assert str(cents_to_decimal(-1_200)) == "-12.00"
    assert str(cents_to_decimal(0)) == "0.00"
    assert str(cents_to_decimal(-5)) == "-0.05"
    # Past a float's 15 digits and the decimal context's 28, still exact.
    assert str(cents_to_decimal(10**30 + 1)) == "10000000000000000000000000000.01"
    for wrong in (12.5, Decimal("1"), True, "100"):
        with pytest.raises(TypeError):
            cents_to_decimal(wrong)


def test_file_names_say_report_and_date(book):
    statement = built(book, "balance_sheet")
    assert export_filename(statement, "xlsx") == "balance_sheet-2026-01-31.xlsx"
    assert export_filename(statement, ".csv") == "balance_sheet-2026-01-31.csv"


# --- Real statements: the JSON's figures, cent for cent -------------------------------------------


def test_trial_balance_csv_and_xlsx_hold_the_json_figures(book):
    statement = built(book, "trial_balance")
    body = statement.as_json()
    want = [(r["code"], r["name"], r["type"], r["debit"], r["credit"]) for r in body["rows"]]
    totals = (body["totals"]["debit"], body["totals"]["credit"])
    # The worked example: cash 10,000.00 + 1,999.99 - 1,200.50 - 300.00 = 10,499.49.
    assert ("1000", "Cash", "asset", 1_049_949, 0) in want
    assert totals == (1_262_345, 1_262_345)

    _, head, rows = read_csv(statement)
    assert head == ["Code", "Account", "Type", "Debit", "Credit"]
    *lines, total = rows
    got = [(c, n, t, csv_cents(d), csv_cents(k)) for c, n, t, d, k in lines]
    assert got == [(c, spreadsheets.neutralised(n), t, d, k) for c, n, t, d, k in want]
    assert total[:3] == ["", "Total", ""]
    assert (csv_cents(total[3]), csv_cents(total[4])) == totals

    _, _, head, rows = read_xlsx(statement)
    assert values(head) == ["Code", "Account", "Type", "Debit", "Credit"]
    *lines, total = rows
    got = [(c.value, n.value, t.value, xlsx_cents(d), xlsx_cents(k)) for c, n, t, d, k in lines]
    assert got == want  # the name as typed: an XLSX string cell needs no apostrophe
    assert (xlsx_cents(total[3]), xlsx_cents(total[4])) == totals


@pytest.mark.parametrize("report", ["income_statement", "balance_sheet"])
def test_sectioned_statements_hold_the_json_figures(book, report):
    statement = built(book, report)
    body = statement.as_json()
    want = [(r["code"], r["name"], r["amount"]) for r in body["rows"]]
    labels = TOTAL_ROWS[report]
    want_totals = {label: figure(body["totals"]) for label, figure in labels.items()}

    _, head, rows = read_csv(statement)
    assert head == ["Section", "Code", "Account", "Amount"]
    accounts = [(c, n, csv_cents(a)) for _, c, n, a in rows if n not in labels]
    assert accounts == [(c, spreadsheets.neutralised(n), a) for c, n, a in want]
    totals = {n: csv_cents(a) for _, c, n, a in rows if n in labels}
    assert totals == want_totals

    _, _, head, rows = read_xlsx(statement)
    assert values(head) == ["Section", "Code", "Account", "Amount"]
    accounts = [
        (c.value or "", n.value, xlsx_cents(a)) for _, c, n, a in rows if n.value not in labels
    ]
    assert accounts == want
    totals = {n.value: xlsx_cents(a) for _, _, n, a in rows if n.value in labels}
    assert totals == want_totals


def test_balance_sheet_worked_example(book):
    _, _, rows = read_csv(built(book, "balance_sheet"))
    table = {(section, name): csv_cents(amount) for section, _, name, amount in rows}
    # Assets: 10,499.49 cash + 500.01 receivable - 123.45 depreciation = 10,876.05.
    assert table[("Assets", "Accumulated Depreciation")] == -12_345  # a plain negative number
    assert table[("Assets", "Total assets")] == 1_087_605
    # Equity: 10,000.00 capital + this year's 2,500.00 - 1,200.50 - 300.00 - 123.45 = 10,876.05.
    assert table[("", "Total liabilities and equity")] == 1_087_605


@pytest.mark.parametrize(
    ("report", "period"),
    [
        ("trial_balance", "As of 2026-01-31"),
        ("balance_sheet", "As of 2026-01-31"),
        ("income_statement", "2026-01-01 to 2026-01-31"),
    ],
)
def test_header_block_names_entity_book_basis_and_period(book, report, period):
    statement = built(book, report)
    want = {
        "Entity": "Alpha & Co CPA",
        "Book": "General Ledger",
        "Basis": "Accrual",
        "Report": statement.title,
        "Period": period,
        "Currency": "USD",
    }
    header, _, _ = read_csv(statement)
    assert header == want | {"Generated": "2026-06-30T12:34:56Z"}
    sheet, header, head, _ = read_xlsx(statement)
    assert {label: cell.value for label, cell in header.items()} == want | {
        "Generated": dt.datetime(2026, 6, 30, 12, 34, 56)
    }
    assert header["Generated"].is_date
    assert header["Report"].font.b  # the title in bold
    assert sheet.title == statement.title
    assert all(cell.font.b for cell in head)
    assert sheet.freeze_panes == f"A{head[0].row + 1}"  # the header row stays in view
    names = get_column_letter(values(head).index("Account") + 1)
    assert sheet.column_dimensions[names].width == 36


def test_generated_time_is_utc_whatever_the_zone_given(book):
    statement = built(book, "trial_balance")
    local = dt.datetime(2026, 6, 30, 8, 34, 56, tzinfo=ZoneInfo("America/New_York"))
    text = "".join(csv_stream(statement, generated_at=local))
    assert "Generated,2026-06-30T12:34:56Z\r\n" in text


def test_formula_like_text_is_neutralised(alice, book):
    Entity.objects.filter(pk=alice.firm.pk).update(name="@Alpha")
    statement = built(book, "income_statement")
    header, _, rows = read_csv(statement)
    assert header["Entity"] == "'@Alpha"
    assert [row[2] for row in rows if row[1] == "6600"] == ["'" + EVIL_NAME]
    # Amounts are ours: numbers, never prefixed.
    assert all(MONEY_TEXT.fullmatch(r[3]) for r in rows)

    _, header, _, rows = read_xlsx(statement)
    assert header["Entity"].value == "@Alpha"
    (cell,) = [row[2] for row in rows if row[1].value == "6600"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (EVIL_NAME, "s", True)
    plain = next(row[2] for row in rows if row[1].value == "6000")
    assert (plain.data_type, plain.quotePrefix) == ("s", False)


def test_other_currencies_show_their_symbol_or_code(book):
    statement = built(book, "trial_balance")
    statement.currency = "CHF"
    _, _, _, rows = read_xlsx(statement)
    assert xlsx_cents(rows[0][3], "CHF") == statement.rows[0].debit
    assert money_format("CHF") == '#,##0.00 "CHF";-#,##0.00 "CHF"'
    assert money_format("EUR") == '"\u20ac"#,##0.00;-"\u20ac"#,##0.00'
    assert money_format("USD") == '"$"#,##0.00;-"$"#,##0.00'


def test_a_statement_with_no_rows_still_has_its_totals(alice):
    statement = built(alice.gl, "trial_balance")
    _, _, rows = read_csv(statement)
    assert rows == [["", "Total", "", "0.00", "0.00"]]


# --- Comparisons (hand-made statements) -----------------------------------------------------------


def make_statement(report, sections, totals, **extra) -> Statement:
    fields = {
        "report": ReportType(report),
        "entity_name": "Acme Corp",
        "entity_id": "ent_x",
        "book_name": "General Ledger",
        "book_id": "bk_x",
        "book_basis": "cash",
        "currency": "USD",
        "date_from": D(2026, 4, 1),
        "date_to": D(2026, 6, 30),
        "sections": sections,
        "totals": totals,
    }
    return Statement(**(fields | extra))


def row(code, name, type_, section="", **amounts):
    return Row(None, code, name, type_, "", section=section, **amounts)


PREVIOUS_YEAR = Comparison(CompareMode.PREVIOUS_YEAR, D(2025, 4, 1), D(2025, 6, 30))


def compared_income_statement():
    revenue = Section(
        "revenue",
        "Revenue",
        [row("4000", "Fees", "revenue", amount=300_000, comparison_amount=250_001)],
    )
    expenses = Section(
        "expenses",
        "Expenses",
        [
            row("6000", "Rent", "expense", amount=120_000, comparison_amount=110_000),
            row("6100", "New", "expense", amount=5_555),  # none last year
        ],
    )
    return make_statement(
        "income_statement",
        [revenue, expenses],
        {"revenue": 300_000, "expenses": 125_555, "netIncome": 174_445},
        compare=PREVIOUS_YEAR,
        comparison_totals={"revenue": 250_001, "expenses": 110_000, "netIncome": 140_001},
    )


def test_comparison_columns_hold_every_row_and_total(book):
    statement = compared_income_statement()
    body = statement.as_json()
    header, head, rows = read_csv(statement)
    assert header["Comparison"] == "Previous year: 2025-04-01 to 2025-06-30"
    assert header["Period"] == "2026-04-01 to 2026-06-30"
    assert header["Basis"] == "Cash"
    assert head == ["Section", "Code", "Account", "Amount", "Amount (previous year)"]
    labels = TOTAL_ROWS["income_statement"]
    got = [(c, csv_cents(a), csv_cents(p)) for _, c, n, a, p in rows if n not in labels]
    assert got == [(r["code"], r["amount"], r["comparison"]["amount"]) for r in body["rows"]]
    totals = {n: (csv_cents(a), csv_cents(p)) for _, _, n, a, p in rows if n in labels}
    want = {
        label: (figure(body["totals"]), figure(body["totals"]["comparison"]))
        for label, figure in labels.items()
    }
    assert totals == want

    _, header, head, rows = read_xlsx(statement)
    assert header["Comparison"].value == "Previous year: 2025-04-01 to 2025-06-30"
    assert values(head)[-1] == "Amount (previous year)"
    totals = {
        n.value: (xlsx_cents(a), xlsx_cents(p)) for _, _, n, a, p in rows if n.value in labels
    }
    assert totals == want


def test_trial_balance_comparison_as_of_both_dates():
    rows = [
        row("1000", "Cash", "asset", debit=50_000, comparison_debit=40_000, comparison_credit=0),
        row(
            "3000", "Capital", "equity", credit=50_000, comparison_debit=0, comparison_credit=40_000
        ),
    ]
    statement = make_statement(
        "trial_balance",
        [Section("accounts", "Accounts", rows)],
        {"debit": 50_000, "credit": 50_000},
        compare=Comparison(CompareMode.PREVIOUS_PERIOD, D(2026, 1, 1), D(2026, 3, 31)),
        comparison_totals={"debit": 40_000, "credit": 40_000},
    )
    header, head, table = read_csv(statement)
    assert header["Period"] == "As of 2026-06-30"
    assert header["Comparison"] == "Previous period: As of 2026-03-31"
    assert head[3:] == ["Debit", "Credit", "Debit (previous period)", "Credit (previous period)"]
    body = statement.as_json()
    want = [
        (r["debit"], r["credit"], r["comparison"]["debit"], r["comparison"]["credit"])
        for r in body["rows"]
    ]
    want.append((50_000, 50_000, 40_000, 40_000))
    assert [tuple(csv_cents(x) for x in r[3:]) for r in table] == want
    _, _, _, cells = read_xlsx(statement)
    assert [tuple(xlsx_cents(x) for x in r[3:]) for r in cells] == want


def test_cash_flow_sections_and_closing_rows():
    operating = Section(
        "operating",
        "Operating activities",
        [
            row("", "Net income", "equity", "net_income", amount=90_000),
            row("1100", "Accounts receivable", "asset", "working_capital", amount=-30_000),
        ],
    )
    financing = Section(
        "financing",
        "Financing activities",
        [row("2700", "Loan", "liability", "financing", amount=10_000)],
    )
    totals = {
        "netIncome": 90_000,
        "operating": 60_000,
        "investing": 0,
        "financing": 10_000,
        "netChange": 70_000,
        "cashAtStart": 5_000,
        "cashAtEnd": 75_000,
    }
    statement = make_statement("cash_flow", [operating, financing], totals)
    header, head, rows = read_csv(statement)
    assert header["Period"] == "2026-04-01 to 2026-06-30"
    assert head == ["Section", "Code", "Account", "Amount"]
    table = {(s, n): csv_cents(a) for s, _, n, a in rows}
    assert table[("Operating activities", "Accounts receivable")] == -30_000
    assert table[("Operating activities", "Total operating activities")] == 60_000
    assert table[("Financing activities", "Total financing activities")] == 10_000
    assert [r[2] for r in rows[-3:]] == ["Net change in cash", "Cash at start", "Cash at end"]
    assert [csv_cents(r[3]) for r in rows[-3:]] == [70_000, 5_000, 75_000]
    _, _, _, cells = read_xlsx(statement)
    assert [xlsx_cents(r[3]) for r in cells[-3:]] == [70_000, 5_000, 75_000]
    assert all(r[2].font.b for r in cells[-3:])


# --- General ledger (hand-made, lines read lazily) ------------------------------------------------


def ledger_statement(accounts, lines_of, *, total_lines=None):
    """A general ledger whose lines come from `lines_of(account)`; `progress.read` counts the
    lines handed out so far."""
    progress = SimpleNamespace(read=0)

    def counted(account):
        for line in lines_of(account):
            progress.read += 1
            yield line

    def ledger_lines():
        for account in accounts:
            yield account, counted(account)

    statement = make_statement(
        "general_ledger",
        [],
        {"debit": sum(a.debit for a in accounts), "credit": sum(a.credit for a in accounts)},
        ledger_accounts=accounts,
        ledger_lines=ledger_lines,
    )
    return statement, progress


CASH = LedgerAccount(
    "acct_c", "1000", "Cash", "asset", "cash", 10_000, 250_000, 120_050, 139_950, 2
)
FEES = LedgerAccount("acct_f", "4000", "Fees", "revenue", "", 0, 0, 250_000, 250_000, 1)
LINES = {
    "1000": [
        LedgerLine(
            D(2026, 4, 2), "je_1", "JE-000001", "Payment", "-from client", 250_000, 0, 260_000
        ),
        LedgerLine(D(2026, 6, 30), "je_2", "JE-000002", "=1+1", "Rent", 0, 120_050, 139_950),
    ],
    "4000": [LedgerLine(D(2026, 4, 1), "je_3", "JE-000003", "Invoice", "", 0, 250_000, 250_000)],
}


def test_general_ledger_csv_has_opening_lines_and_closing_per_account():
    statement, _ = ledger_statement([CASH, FEES], lambda a: iter(LINES[a.code]))
    _, head, rows = read_csv(statement)
    assert head == [
        "Account code", "Account", "Date", "Entry", "Memo", "Description", "Debit", "Credit",
        "Balance",
    ]  # fmt: skip
    assert rows == [
        ["1000", "Cash", "2026-04-01", "", "Opening balance", "", "", "", "100.00"],
        ["1000", "Cash", "2026-04-02", "JE-000001", "Payment", "'-from client", "2500.00", "0.00", "2600.00"],
        ["1000", "Cash", "2026-06-30", "JE-000002", "'=1+1", "Rent", "0.00", "1200.50", "1399.50"],
        ["1000", "Cash", "2026-06-30", "", "Closing balance", "", "2500.00", "1200.50", "1399.50"],
        ["4000", "Fees", "2026-04-01", "", "Opening balance", "", "", "", "0.00"],
        ["4000", "Fees", "2026-04-01", "JE-000003", "Invoice", "", "0.00", "2500.00", "2500.00"],
        ["4000", "Fees", "2026-06-30", "", "Closing balance", "", "0.00", "2500.00", "2500.00"],
        ["", "Total", "", "", "", "", "2500.00", "3700.50", ""],
    ]  # fmt: skip
    # The same figures as the JSON: each line, and each account's balances and totals.
    body = statement.as_json()
    lines = [r for r in rows if r[3]]
    want = [(ln["debit"], ln["credit"], ln["balance"]) for a in body["rows"] for ln in a["lines"]]
    assert [tuple(csv_cents(x) for x in r[6:]) for r in lines] == want
    closing = [r for r in rows if r[4] == "Closing balance"]
    want = [(a["debit"], a["credit"], a["closingBalance"]) for a in body["rows"]]
    assert [tuple(csv_cents(x) for x in r[6:]) for r in closing] == want


def test_general_ledger_xlsx_dates_are_dates_and_amounts_numbers():
    statement, _ = ledger_statement([CASH, FEES], lambda a: iter(LINES[a.code]))
    sheet, _, head, rows = read_xlsx(statement)
    assert sheet.title == "General ledger"
    first = rows[1]
    assert first[2].is_date and first[2].value == dt.datetime(2026, 4, 2)
    assert first[2].number_format == "yyyy-mm-dd"
    assert [xlsx_cents(c) for c in first[6:]] == [250_000, 0, 260_000]
    assert values(first[3:6]) == ["JE-000001", "Payment", "-from client"]
    assert first[5].data_type == "s" and first[5].quotePrefix
    memo = rows[2][4]
    assert (memo.value, memo.data_type) == ("=1+1", "s")  # text, never a formula
    assert xlsx_cents(rows[0][8]) == CASH.opening
    assert rows[0][6].value is None and rows[0][7].value is None
    closing = rows[3]
    assert closing[4].value == "Closing balance" and closing[4].font.b
    assert [xlsx_cents(c) for c in closing[6:]] == [250_000, 120_050, 139_950]
    assert [xlsx_cents(c) for c in rows[-1][6:8]] == [250_000, 370_050]


def test_general_ledger_csv_streams_while_the_lines_are_read():
    count = 20_000
    account = LedgerAccount("acct_c", "1000", "Cash", "asset", "cash", 0, count, 0, count, count)

    def lines_of(_account):
        for i in range(count):
            yield LedgerLine(D(2026, 4, 1), f"je_{i}", f"JE-{i:06d}", "Memo", "", 1, 0, i + 1)

    statement, progress = ledger_statement([account], lines_of)
    chunks = csv_stream(statement, generated_at=GENERATED)
    first = next(chunks)
    assert "Account code,Account,Date" in first
    assert progress.read == 0  # the header went out before any line was read
    second = next(chunks)
    assert 0 < progress.read < count  # a chunk of lines went out before the last was read
    assert len(second) < spreadsheets.CSV_CHUNK_CHARS + 200  # one buffer, plus one row at most
    rest = list(chunks)
    assert progress.read == count
    assert len(rest) > 10
    rows = list(csv.reader(io.StringIO("".join([first, second, *rest]))))
    assert rows[-2] == [
        "1000",
        "Cash",
        "2026-06-30",
        "",
        "Closing balance",
        "",
        "200.00",
        "0.00",
        "200.00",
    ]


def test_xlsx_past_a_sheets_rows_goes_on_in_another_sheet(monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_SHEET_ROWS", 12)
    lines = [
        LedgerLine(D(2026, 4, 1 + i), f"je_{i}", f"JE-{i:06d}", "Memo", "", 100, 0, 100 * (i + 1))
        for i in range(6)
    ]
    account = LedgerAccount("acct_c", "1000", "Cash", "asset", "cash", 0, 600, 0, 600, 6)
    statement, _ = ledger_statement([account], lambda a: iter(lines))
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(statement, generated_at=GENERATED)))
    assert book.sheetnames == ["General ledger", "General ledger (2)"]
    first, second = book.worksheets
    assert first.max_row == 12
    assert values(next(second.iter_rows(max_row=1)))[:3] == ["Account code", "Account", "Date"]
    assert second.freeze_panes == "A2"
    table = [values(r) for r in first.iter_rows(min_row=10)] + [
        values(r) for r in second.iter_rows(min_row=2)
    ]
    assert [r[3] for r in table if r[3]] == [f"JE-{i:06d}" for i in range(6)]
    assert table[-1][1] == "Total"


def test_control_characters_in_text_do_not_break_the_xlsx():
    line = LedgerLine(D(2026, 4, 1), "je_1", "JE-000001", "bell\x07 and\x00nul", "", 1, 0, 1)
    account = LedgerAccount("acct_c", "1000", "Cash", "asset", "cash", 0, 1, 0, 1, 1)
    statement, _ = ledger_statement([account], lambda a: iter([line]))
    _, _, _, rows = read_xlsx(statement)
    assert rows[1][4].value == "bell andnul"
