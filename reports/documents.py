"""Long PDFs: rendered by a Celery task and delivered through a share link, not inside the request.

A statement's length is known before rendering: one table row per account line, plus headings and
totals. Over MAX_INLINE_PDF_PAGES estimated pages (10), the request gets 202 with a share link
(`deferred_pdf_create`): the link, and a pending ReportDocument, are written in one transaction, and
the rendering is queued once it commits. The task renders the PDF into the document
(`document_render`), and the link serves it once ready.

A general ledger lists every line of its period, so its length is its line count
(`Statement.line_count`, known from an aggregate before any line is read). What one request may
hold is capped by format (`too_long_problem`): HTML and JSON at MAX_INLINE_LEDGER_LINES (10,000),
XLSX at MAX_XLSX_LEDGER_LINES (100,000), a PDF at MAX_PDF_PAGES (500) even in the background; CSV
is streamed and has no cap. Over a cap the API answers 400 `statement_too_long`, whose message says
what to ask for instead.

The task lives in `reports.tasks`, a layer above this module, which it calls. So this module never
imports it: `ReportsConfig.ready` plugs the task into the `render_queue` hook.
"""

import math
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from axiomatic.core.errors import AccessDeniedError, ApplicationError
from axiomatic.core.hooks import Hook
from reports import selectors
from reports.errors import ReportsErrorCode
from reports.models import ReportDocument, ReportShare
from reports.rendering import render_pdf
from reports.services import share_create
from reports.statements import ReportType, Statement, build_statement

# Table rows an A4 page of our statement template holds, and rows of headings and totals per
# section, measured on the template (tests/reports/test_long_pdfs.py keeps the estimate honest).
ROWS_PER_PAGE = 40
ROWS_PER_SECTION = 3
FIRST_PAGE_ROWS = 8  # title, entity, period
LEDGER_ROWS_PER_ACCOUNT = 4  # a general ledger account's heading, opening, totals and closing
DEFERRED_PDF_DAYS = 7  # how long the link to a long PDF stays valid

# render_queue(document_id): render one document (reports.tasks, plugged in by ready()).
render_queue = Hook("queue the rendering of a long PDF")


# The most general ledger lines one answer holds, by format (CSV streams any number).
MAX_INLINE_LEDGER_LINES = 10_000  # HTML and JSON: built in memory, read by a browser
MAX_XLSX_LEDGER_LINES = 100_000  # the workbook is built whole before it is sent
LEDGER_LINE_CAPS = {
    "html": MAX_INLINE_LEDGER_LINES,
    "json": MAX_INLINE_LEDGER_LINES,
    "xlsx": MAX_XLSX_LEDGER_LINES,
}
MAX_PDF_PAGES = 500  # even in the background: WeasyPrint holds the whole document in memory


def estimated_pages(statement: Statement) -> int:
    rows = FIRST_PAGE_ROWS + sum(len(s.rows) + ROWS_PER_SECTION for s in statement.sections)
    rows += sum(LEDGER_ROWS_PER_ACCOUNT + a.line_count for a in statement.ledger_accounts)
    return max(1, math.ceil(rows / ROWS_PER_PAGE))


def renders_inline(statement: Statement) -> bool:
    return estimated_pages(statement) <= settings.MAX_INLINE_PDF_PAGES


def too_long_problem(statement: Statement, fmt: str) -> str | None:
    """Why `statement` is too long to answer as `fmt`, with what to ask for instead; None if not."""
    cap = LEDGER_LINE_CAPS.get(fmt)
    if statement.report == ReportType.GENERAL_LEDGER and cap and statement.line_count > cap:
        instead = "format=csv (streamed, any length)"
        if fmt != "xlsx":
            instead += f", format=xlsx (up to {MAX_XLSX_LEDGER_LINES:,} lines)"
        return (
            f"This general ledger has {statement.line_count:,} lines, more than the {cap:,} "
            f"format={fmt} holds: narrow the period (from, to), or ask for {instead} or "
            "format=pdf (rendered in the background)."
        )
    if fmt == "pdf" and (pages := estimated_pages(statement)) > MAX_PDF_PAGES:
        return (
            f"This PDF would be about {pages:,} pages, more than the {MAX_PDF_PAGES} we render: "
            "narrow the period (from, to), or ask for format=csv (streamed, any length)."
        )
    return None


def renders_in_request(statement: Statement, fmt: str) -> bool:
    """May a request (a share link's page) render `statement` as `fmt` itself: within the caps,
    and a PDF within the inline pages (a longer one is a deferred document of its own)."""
    if too_long_problem(statement, fmt):
        return False
    return fmt != "pdf" or renders_inline(statement)


def too_long_check(statement: Statement, fmt: str) -> None:
    """400 `statement_too_long` when `statement` is too long to answer as `fmt`."""
    problem = too_long_problem(statement, fmt)
    if problem:
        raise ApplicationError(problem, code=ReportsErrorCode.STATEMENT_TOO_LONG)


@dataclass(frozen=True)
class DeferredPdf:
    share: ReportShare
    token: str  # shown this once, inside the share URL
    pages: int


@transaction.atomic
def deferred_pdf_create(
    *, entity, book, statement: Statement, can_write: bool, created_by=None
) -> DeferredPdf:
    """A share link to `statement` as a PDF, rendered in the background.

    Making a link is a write, so a read-only caller is refused; the message says why a PDF asks
    for it, and what a viewer can have instead.
    """
    pages = estimated_pages(statement)
    if not can_write:
        raise AccessDeniedError(
            f"This PDF is about {pages} pages: it is rendered in the background and delivered "
            "as a share link, which takes a member or admin. Ask for format=html or json."
        )
    share, token = share_create(
        entity=entity,
        book=book,
        report_type=str(statement.report),
        date_from=statement.date_from,
        date_to=statement.date_to,
        compare=str(statement.compare.mode) if statement.compare else "",
        expires_in_days=DEFERRED_PDF_DAYS,
        max_access_count=None,
        created_by=created_by,
    )
    document_request(share=share, pages=pages)
    return DeferredPdf(share=share, token=token, pages=pages)


def document_request(*, share: ReportShare, pages: int) -> ReportDocument:
    """Record the document and queue its rendering after commit."""
    if not render_queue.connected:
        # Refuse rather than record a document nobody renders: its link would say "being
        # prepared" forever. The caller's transaction takes the link back with it.
        render_queue()  # raises ImproperlyConfigured, naming the hook
    document = ReportDocument.objects.create(share=share, estimated_pages=pages)
    # After commit: a worker must find the document, and a rolled-back request queues nothing.
    transaction.on_commit(lambda: render_queue(document.pk))
    return document


def document_render(*, document_id: int) -> ReportDocument | None:
    """Render the document's PDF; one already rendered is left as it is (a task may run twice)."""
    document = selectors.document_get(document_id=document_id)
    if document is None or document.status == ReportDocument.Status.READY:
        return document
    share = document.share
    statement = build_statement(
        report=share.report_type,
        book=share.book,
        date_from=share.date_from,
        date_to=share.date_to,
        compare=share.compare,
    )
    document.pdf = render_pdf(statement)
    document.status = ReportDocument.Status.READY
    document.error = ""
    document.finished_at = timezone.now()
    document.save(update_fields=["pdf", "status", "error", "finished_at"])
    return document


def document_failed(*, document_id: int, error: str) -> None:
    ReportDocument.objects.filter(pk=document_id).update(
        status=ReportDocument.Status.FAILED, error=error[:2000], finished_at=timezone.now()
    )
