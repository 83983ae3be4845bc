"""Render a statement: HTML from the template family, PDF from that same HTML through WeasyPrint.

The statement (reports.statements) holds figures; this module lays them out for people. Every report
but the general ledger becomes one table (`statement_table`): a list of lines (section headings,
account rows, subtotals, totals), each with its amount cells, the comparison period's beside them
when the statement has one. The template draws any such table the same way, in the statement page,
its PDF and the admin's statements page alike.

The general ledger is the exception: it lists journal lines, as many as the book has, read lazily
from the database (`Statement.iter_ledger`). Django's `{% for %}` copies into a list anything it
cannot ask the length of, so the ledger is handed to the template wrapped in `_Counted` (the
lengths are known beforehand: `LedgerAccount.line_count`), and the lines stream from the cursor
into the HTML one account after another.

The PDF goes through axiomatic.core.pdf, whose url_fetcher fetches nothing but our own static files.
"""

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateformat import format as format_date

from axiomatic.core.pdf import ForbiddenFetch, html_to_pdf, static_only_url_fetcher
from axiomatic.ledger.models import CashFlowSection
from reports.statements import ReportType, Row, Statement

__all__ = [
    "ForbiddenFetch",
    "render_html",
    "render_pdf",
    "statement_context",
    "statement_table",
    "static_only_url_fetcher",
]


def period_label(date_from: dt.date, date_to: dt.date, *, is_period: bool) -> str:
    """A column's heading: "30 Jun 2026" as of a day, "1 Jan – 30 Jun 2026" over a period."""
    # No-break spaces inside each date: a narrow column breaks the heading after the dash only.
    end = format_date(date_to, "j\xa0M\xa0Y")
    if not is_period:
        return end
    start = format_date(date_from, "j\xa0M" if date_from.year == date_to.year else "j\xa0M\xa0Y")
    return f"{start}\xa0– {end}"


@dataclass(frozen=True)
class Cell:
    cents: int | None  # None: an empty cell (a trial balance's zero side)
    comparison: bool = False


@dataclass(frozen=True)
class Line:
    kind: str  # section, subsection, row, subtotal, total, grand, empty
    name: str
    code: str = ""
    cells: tuple[Cell, ...] = ()


@dataclass
class Table:
    """Headings and lines of one statement. `bands` (the trial balance with a comparison) are the
    period headings over the debit/credit pairs; `columns` are the amount columns' own headings."""

    columns: list[tuple[str, bool]]  # (heading, comparison)
    bands: list[tuple[str, bool]] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)

    @property
    def width(self) -> int:
        return 2 + len(self.columns)


class _Table:
    """Builds a Table: knows whether there is a comparison, and how many amounts a row has."""

    def __init__(self, statement: Statement):
        self.statement = statement
        self.compared = statement.compare is not None
        self.trial = statement.report == ReportType.TRIAL_BALANCE
        current = period_label(
            statement.date_from, statement.date_to, is_period=statement.is_period
        )
        labels = [(current, False)]
        if self.compared:
            compare = statement.compare
            labels.append(
                (
                    period_label(compare.date_from, compare.date_to, is_period=statement.is_period),
                    True,
                )
            )
        if self.trial:
            columns = []
            for _, comparison in labels:
                columns += [("Debit", comparison), ("Credit", comparison)]
            self.table = Table(columns=columns, bands=labels if self.compared else [])
        else:
            self.table = Table(columns=labels)

    def cells(self, current: int, comparison: int | None) -> tuple[Cell, ...]:
        cells = (Cell(current),)
        if self.compared:
            cells += (Cell(comparison or 0, comparison=True),)
        return cells

    def row_cells(self, row: Row) -> tuple[Cell, ...]:
        if not self.trial:
            return self.cells(row.amount, row.comparison_amount)
        cells = (Cell(row.debit or None), Cell(row.credit or None))
        if self.compared:
            cells += (
                Cell(row.comparison_debit or None, comparison=True),
                Cell(row.comparison_credit or None, comparison=True),
            )
        return cells

    def total_cells(self, key: str) -> tuple[Cell, ...]:
        totals = self.statement.comparison_totals or {}
        return self.cells(self.statement.totals.get(key, 0), totals.get(key))

    def add(self, kind: str, name: str, *, code: str = "", cells: tuple[Cell, ...] = ()):
        self.table.lines.append(Line(kind, name, code, cells))

    def rows(self, rows: Iterable[Row]) -> int:
        count = 0
        for row in rows:
            self.add("row", row.name, code=row.code, cells=self.row_cells(row))
            count += 1
        return count


def _trial_balance(t: _Table) -> None:
    if not t.rows(t.statement.rows):
        t.add("empty", "No activity.")
    debit = (Cell(t.statement.totals["debit"]), Cell(t.statement.totals["credit"]))
    if t.compared:
        other = t.statement.comparison_totals or {}
        debit += (
            Cell(other.get("debit", 0), comparison=True),
            Cell(other.get("credit", 0), comparison=True),
        )
    t.add("grand", "Total", cells=debit)


def _sections(t: _Table) -> None:
    """Income statement and balance sheet: each section, its rows and its total."""
    for section in t.statement.sections:
        t.add("section", section.title)
        if not t.rows(section.rows):
            t.add("empty", "No activity.")
        t.add(
            "subtotal",
            f"Total {section.title.lower()}",
            cells=t.cells(section.total, section.comparison_total),
        )


def _income_statement(t: _Table) -> None:
    _sections(t)
    t.add("grand", "Net income", cells=t.total_cells("netIncome"))


def _balance_sheet(t: _Table) -> None:
    _sections(t)
    totals = t.statement.totals
    other = t.statement.comparison_totals or {}
    t.add(
        "grand",
        "Total liabilities and equity",
        cells=t.cells(
            totals["liabilities"] + totals["equity"],
            other.get("liabilities", 0) + other.get("equity", 0),
        ),
    )


# The cash-flow statement's operating section, in the order it reads: net income, then what turns
# it into cash (non-cash items, changes in working capital). Which of the two an account's movement
# belongs to is its account's cash-flow section, carried by the row.
OPERATING_GROUPS = (
    (CashFlowSection.NON_CASH, "Adjustments for non-cash items"),
    (CashFlowSection.WORKING_CAPITAL, "Changes in working capital"),
)
ACTIVITIES = (
    ("operating", "Operating activities"),
    (CashFlowSection.INVESTING, "Investing activities"),
    (CashFlowSection.FINANCING, "Financing activities"),
)


def _cash_flow_group(row: Row, section_key: str) -> str:
    if row.subtype == "net_income":
        return CashFlowSection.NET_INCOME
    if row.section in CashFlowSection.values:
        return row.section
    return section_key


def _cash_flow(t: _Table) -> None:
    groups: dict[str, list[Row]] = {}
    for section in t.statement.sections:
        for row in section.rows:
            groups.setdefault(_cash_flow_group(row, section.key), []).append(row)
    operating = {
        CashFlowSection.NET_INCOME,
        *(key for key, _ in OPERATING_GROUPS),
        "operating",
    }
    for key, title in ACTIVITIES:
        t.add("section", title)
        if key == "operating":
            t.rows(groups.get(CashFlowSection.NET_INCOME, ()))
            for group, heading in OPERATING_GROUPS:
                if groups.get(group):
                    t.add("subsection", heading)
                    t.rows(groups[group])
            t.rows(groups.get("operating", ()))  # rows of no known group: still shown
        elif not t.rows(groups.get(key, ())):
            t.add("empty", "No activity.")
        t.add("subtotal", f"Net cash from {title.lower()}", cells=t.total_cells(key))
    # Rows of a section the statement has and this layout does not know: never dropped silently.
    known = operating | {key for key, _ in ACTIVITIES}
    for key, rows in groups.items():
        if key not in known:
            t.rows(rows)
    t.add("total", "Net change in cash", cells=t.total_cells("netChange"))
    t.add("row", "Cash at beginning of period", cells=t.total_cells("cashAtStart"))
    t.add("grand", "Cash at end of period", cells=t.total_cells("cashAtEnd"))


LAYOUTS = {
    ReportType.TRIAL_BALANCE: _trial_balance,
    ReportType.INCOME_STATEMENT: _income_statement,
    ReportType.BALANCE_SHEET: _balance_sheet,
    ReportType.CASH_FLOW: _cash_flow,
}


def statement_table(statement: Statement) -> Table | None:
    """The statement as one table of lines; None for the general ledger (see `ledger`)."""
    layout = LAYOUTS.get(statement.report)
    if layout is None:
        return None
    builder = _Table(statement)
    layout(builder)
    return builder.table


class _Counted:
    """An iterator whose length is known beforehand: `{% for %}` walks it as it comes, where it
    would copy an iterator without `__len__` into a list before the first line."""

    def __init__(self, iterator: Iterator, length: int):
        self._iterator = iterator
        self._length = length

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator:
        return iter(self._iterator)


def ledger(statement: Statement) -> _Counted:
    """The general ledger's accounts, each with its lines, for the template, read lazily."""
    accounts = (
        (account, _Counted(lines, account.line_count)) for account, lines in statement.iter_ledger()
    )
    return _Counted(accounts, len(statement.ledger_accounts))


def statement_context(statement: Statement) -> dict:
    """What `reports/_statement_body.html` needs, wherever it is included."""
    context = {"statement": statement, "table": statement_table(statement)}
    if statement.report == ReportType.GENERAL_LEDGER:
        context["ledger"] = ledger(statement)
    return context


def render_html(statement: Statement, *, pdf_url: str | None = None) -> str:
    context = {
        **statement_context(statement),
        "generated_at": timezone.now(),
        "pdf_url": pdf_url,
    }
    return render_to_string("reports/statement.html", context)


def render_pdf(statement: Statement) -> bytes:
    return html_to_pdf(render_html(statement))
