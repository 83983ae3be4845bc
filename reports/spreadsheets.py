"""Statements as spreadsheets: CSV, streamed, and XLSX, written with openpyxl (ADR 0030).

Both files hold the same content, laid out once here and written twice:

- A header block of two-cell rows says what the file is: entity, book, basis, report, period (or
  "As of" for the trial balance and the balance sheet), the comparison if there is one, currency,
  and when it was generated (UTC); a blank row; then the table under a header row.
- Amounts are numbers, never text like "$1,234.56": `cents_to_decimal` (axiomatic.core.money) is
  the one conversion from cents, exact. CSV writes them plain (1234.56, -12.00); XLSX stores
  numbers with a currency number format, so a sum in the sheet is a sum of amounts.
- Text typed by users (account names, memos, descriptions, entity and book names) may begin with
  = + - @ (or a tab or a carriage return), which a spreadsheet runs as a formula ("CSV injection").
  CSV puts an apostrophe before such text; XLSX stores it as a string cell, quote-prefixed, never a
  formula. Numbers and dates are ours, so a negative amount keeps its minus sign.
- The general ledger may list a million lines. CSV yields chunks of a small buffer while it reads
  `statement.iter_ledger()`, and XLSX is written in openpyxl's write-only mode, which streams rows
  to a temporary file: memory follows the buffer, not the ledger (the finished XLSX itself is
  returned as bytes). A sheet holds at most 1,048,576 rows; a longer table goes on in another
  sheet ("General ledger (2)"), under the same header row.
"""

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from axiomatic.core.cells import (
    CSV_CHUNK_CHARS,
    FORMULA_TRIGGERS,
    drain,
    neutralised,
)
from axiomatic.core.cells import CSV_CONTENT_TYPE as CSV_CONTENT_TYPE  # the views' name for it
from axiomatic.core.money import CURRENCY_SYMBOLS, cents_to_decimal
from reports.statements import ReportType, Statement

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Excel's limit, and so the sheet's: rows past it would be dropped when the file is opened.
MAX_SHEET_ROWS = 1_048_576
MAX_CELL_CHARS = 32_767  # Excel's limit for one cell's text
DATE_FORMAT = "yyyy-mm-dd"
TIMESTAMP_FORMAT = 'yyyy-mm-dd hh:mm:ss "UTC"'

Value = str | Decimal | dt.date | dt.datetime | None


@dataclass(frozen=True)
class Column:
    title: str
    width: int  # in characters, as spreadsheets measure columns


@dataclass(frozen=True)
class Line:
    values: tuple[Value, ...]
    total: bool = False  # a section's or the statement's total (bold in XLSX)


def export_filename(statement: Statement, ext: str) -> str:
    """balance_sheet-2026-06-30.xlsx: the report and the date it ends (or is as of)."""
    return f"{statement.report}-{statement.date_to.isoformat()}.{ext.lstrip('.')}"


def money_format(currency: str) -> str:
    """The XLSX number format of amounts: the symbol format_money shows ('"$"#,##0.00' for USD,
    minus sign before it), or the ISO code after the number for a currency without one."""
    symbol = CURRENCY_SYMBOLS.get(currency)
    if symbol:
        return f'"{symbol}"#,##0.00;-"{symbol}"#,##0.00'
    return f'#,##0.00 "{currency}";-#,##0.00 "{currency}"'


# --- The content, laid out once ---------------------------------------------------------------


def _period(statement: Statement, date_from: dt.date, date_to: dt.date) -> str:
    if statement.is_period:
        return f"{date_from.isoformat()} to {date_to.isoformat()}"
    return f"As of {date_to.isoformat()}"


def header_block(statement: Statement, generated_at: dt.datetime) -> list[tuple[str, Value]]:
    rows: list[tuple[str, Value]] = [
        ("Entity", statement.entity_name),
        ("Book", statement.book_name),
        ("Basis", statement.book_basis.capitalize()),
        ("Report", statement.title),
        ("Period", _period(statement, statement.date_from, statement.date_to)),
    ]
    compare = statement.compare
    if compare is not None:
        period = _period(statement, compare.date_from, compare.date_to)
        rows.append(("Comparison", f"{compare.title}: {period}"))
    utc = generated_at.astimezone(dt.UTC).replace(microsecond=0, tzinfo=None)
    rows += [("Currency", statement.currency), ("Generated", utc)]
    return rows


def columns(statement: Statement) -> list[Column]:
    report = statement.report
    if report == ReportType.GENERAL_LEDGER:
        return [
            Column("Account code", 14),
            Column("Account", 32),
            Column("Date", 12),
            Column("Entry", 12),
            Column("Memo", 32),
            Column("Description", 32),
            Column("Debit", 16),
            Column("Credit", 16),
            Column("Balance", 16),
        ]
    if report == ReportType.TRIAL_BALANCE:
        head = [Column("Code", 12), Column("Account", 36), Column("Type", 12)]
        amounts = ["Debit", "Credit"]
    else:
        head = [Column("Section", 30), Column("Code", 10), Column("Account", 36)]
        amounts = ["Amount"]
    compared = []
    if statement.compare is not None:
        compared = [f"{name} ({statement.compare.title.lower()})" for name in amounts]
    return head + [Column(name, 18) for name in amounts + compared]


# The rows after a statement's sections, from its totals: (label, totals -> cents).
CLOSING_ROWS = {
    ReportType.INCOME_STATEMENT: (("Net income", lambda t: t["netIncome"]),),
    ReportType.BALANCE_SHEET: (
        ("Total liabilities and equity", lambda t: t["liabilities"] + t["equity"]),
    ),
    ReportType.CASH_FLOW: (
        ("Net change in cash", lambda t: t["netChange"]),
        ("Cash at start", lambda t: t["cashAtStart"]),
        ("Cash at end", lambda t: t["cashAtEnd"]),
    ),
}


def table_lines(statement: Statement) -> Iterator[Line]:
    """The table's rows, below its header row; lazy for the general ledger."""
    if statement.report == ReportType.GENERAL_LEDGER:
        return _ledger_lines(statement)
    if statement.report == ReportType.TRIAL_BALANCE:
        return _trial_balance_lines(statement)
    return _section_lines(statement)


def _amounts(statement: Statement, current: dict, compared: dict) -> tuple[Decimal, ...]:
    """A row's amounts, then (with a comparison) the same over the comparison period."""
    cents = list(current.values())
    if statement.compare is not None:
        cents += [compared[key] for key in current]
    return tuple(cents_to_decimal(c) for c in cents)


def _trial_balance_lines(statement: Statement) -> Iterator[Line]:
    report = statement.report
    for row in statement.rows:
        amounts = _amounts(statement, row.amounts(report), row.comparison_amounts(report))
        yield Line((row.code, row.name, row.type) + amounts)
    totals = {key: statement.totals[key] for key in ("debit", "credit")}
    yield Line(("", "Total", "") + _amounts(statement, totals, statement.comparison_totals), True)


def _section_lines(statement: Statement) -> Iterator[Line]:
    report = statement.report
    for section in statement.sections:
        for row in section.rows:
            amounts = _amounts(statement, row.amounts(report), row.comparison_amounts(report))
            yield Line((section.title, row.code, row.name) + amounts)
        amounts = _amounts(
            statement, {"amount": section.total}, {"amount": section.comparison_total}
        )
        label = f"Total {section.title[:1].lower()}{section.title[1:]}"
        yield Line((section.title, "", label) + amounts, total=True)
    compared = statement.comparison_totals
    for label, figure in CLOSING_ROWS.get(report, ()):
        current = {"amount": figure(statement.totals)}
        other = {"amount": figure(compared)} if statement.compare is not None else {}
        yield Line(("", "", label) + _amounts(statement, current, other), total=True)


def _ledger_lines(statement: Statement) -> Iterator[Line]:
    money = cents_to_decimal
    for account, lines in statement.iter_ledger():
        head = (account.code, account.name)
        opening = (statement.date_from, "", "Opening balance", "", None, None)
        yield Line(head + opening + (money(account.opening),))
        for line in lines:
            yield Line(
                head
                + (line.date, line.number, line.memo, line.description)
                + (money(line.debit), money(line.credit), money(line.balance))
            )
        closing = (statement.date_to, "", "Closing balance", "")
        amounts = (money(account.debit), money(account.credit), money(account.closing))
        yield Line(head + closing + amounts, total=True)
    totals = statement.totals
    amounts = (money(totals["debit"]), money(totals["credit"]), None)
    yield Line(("", "Total", None, "", "", "") + amounts, total=True)


# --- CSV ----------------------------------------------------------------------------------------


def _csv_value(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralised(value)
    if isinstance(value, dt.datetime):
        return value.isoformat() + "Z"  # header_block made it naive UTC
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)  # a Decimal of two places: 1234.56, -12.00


def csv_stream(statement: Statement, *, generated_at: dt.datetime | None = None) -> Iterator[str]:
    """The statement as CSV text, in chunks for a StreamingHttpResponse.

    The header block and the table's header row come first, before a line of the ledger is read;
    then a chunk each time the buffer passes CSV_CHUNK_CHARS. The text starts with a byte-order
    mark, so that Excel reads it as UTF-8 (without one it guesses the machine's code page).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    for label, value in header_block(statement, generated_at or timezone.now()):
        writer.writerow([label, _csv_value(value)])
    writer.writerow([])
    writer.writerow([column.title for column in columns(statement)])
    yield drain(buffer)
    for line in table_lines(statement):
        writer.writerow([_csv_value(value) for value in line.values])
        if buffer.tell() >= CSV_CHUNK_CHARS:
            yield drain(buffer)
    rest = drain(buffer)
    if rest:
        yield rest


# --- XLSX ---------------------------------------------------------------------------------------


class _SheetWriter:
    """Appends rows to write-only sheets, opening another sheet when one is full."""

    def __init__(self, workbook: Workbook, statement: Statement, *, frozen_row: int):
        self.workbook = workbook
        self.title = statement.title[:31]  # Excel's limit for a sheet's name
        self.columns = columns(statement)
        self.money = money_format(statement.currency)
        self.bold = Font(bold=True)
        self.sheets = 0
        self.sheet = self._open(frozen_row=frozen_row)

    def _open(self, *, frozen_row: int):
        self.sheets += 1
        title = self.title if self.sheets == 1 else f"{self.title[:25]} ({self.sheets})"
        sheet = self.workbook.create_sheet(title)
        for index, column in enumerate(self.columns):
            sheet.column_dimensions[get_column_letter(index + 1)].width = column.width
        # Set before any row: a write-only sheet writes its view at the top of the file.
        sheet.freeze_panes = f"A{frozen_row}"
        self.rows = 0
        return sheet

    def cell(self, value: Value, *, bold: bool = False):
        if value is None or value == "":
            return None
        if isinstance(value, str):
            text = ILLEGAL_CHARACTERS_RE.sub("", value)[:MAX_CELL_CHARS]
            cell = WriteOnlyCell(self.sheet, text)
            if text.startswith(FORMULA_TRIGGERS):
                cell.data_type = "s"  # openpyxl took "=..." for a formula: it is text
                cell.quotePrefix = True  # and stays text when someone edits the cell
        else:
            cell = WriteOnlyCell(self.sheet, value)
            if isinstance(value, Decimal):
                cell.number_format = self.money
            elif isinstance(value, dt.datetime):
                cell.number_format = TIMESTAMP_FORMAT
            else:
                cell.number_format = DATE_FORMAT
        if bold:
            cell.font = self.bold
        return cell

    def append(self, values, *, bold: bool = False, table: bool = True) -> None:
        if table and self.rows >= MAX_SHEET_ROWS:
            self.sheet = self._open(frozen_row=2)
            self.header_row()
        self.sheet.append([self.cell(value, bold=bold) for value in values])
        self.rows += 1

    def header_row(self) -> None:
        self.append([column.title for column in self.columns], bold=True, table=False)


def render_xlsx(statement: Statement, *, generated_at: dt.datetime | None = None) -> bytes:
    """The statement as an XLSX workbook: one sheet named after the report (more for a table
    past a sheet's rows), the header block with the report's title in bold, then the table under
    a bold, frozen header row."""
    header = header_block(statement, generated_at or timezone.now())
    workbook = Workbook(write_only=True)
    # The table's header row comes after the block and a blank row; panes freeze below it.
    writer = _SheetWriter(workbook, statement, frozen_row=len(header) + 3)
    for label, value in header:
        writer.append([label, value], bold=label == "Report", table=False)
    writer.append([], table=False)
    writer.header_row()
    for line in table_lines(statement):
        writer.append(line.values, bold=line.total)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
