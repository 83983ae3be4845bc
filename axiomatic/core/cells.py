"""Text as spreadsheets read it: the one rule against formula injection, and the CSV buffer every
streamed export drains (statements, time entries, invoices).

Text typed by users (names, memos, descriptions) may begin with `=`, `+`, `-`, `@`, a tab or a
carriage return, which Excel, LibreOffice and Sheets take for the start of a formula ("CSV
injection", OWASP). Such text gets an apostrophe before it: the spreadsheet shows it and does not
run it. Numbers and dates are ours, never text, so a negative amount keeps its minus sign.
"""

import io

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
# What a spreadsheet takes for the start of a formula (OWASP's list for CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CSV_CHUNK_CHARS = 16 * 1024  # a chunk is yielded once the buffer holds this much


def neutralised(text: str) -> str:
    """`text` as a spreadsheet shows it, never runs it: an apostrophe before a formula's start."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def drain(buffer: io.StringIO) -> str:
    """What the buffer holds, emptying it for the next rows."""
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate(0)
    return text
