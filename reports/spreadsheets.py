"""Placeholder until the spreadsheet exports land: the statement as CSV (streamed) and as XLSX.

Only what the API's dispatch needs to import and answer; the real module replaces this one.
"""

import csv
import io
from collections.abc import Iterator

from openpyxl import Workbook

from reports.statements import ReportType, Statement

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_filename(statement: Statement, ext: str) -> str:
    return f"{statement.report}-{statement.date_to.isoformat()}.{ext}"


def _rows(statement: Statement) -> Iterator[list]:
    yield [statement.entity_name, statement.title, statement.date_to.isoformat()]
    if statement.report == ReportType.GENERAL_LEDGER:
        for account, lines in statement.iter_ledger():
            yield [account.code, account.name, account.opening]
            for line in lines:
                yield [line.date.isoformat(), line.number, line.debit, line.credit, line.balance]
        return
    for row in statement.rows:
        yield [row.code, row.name, *row.amounts(statement.report).values()]


def csv_stream(statement: Statement) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in _rows(statement):
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def render_xlsx(statement: Statement) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(statement.title[:31])
    for row in _rows(statement):
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
