"""Long PDFs: rendered by a Celery task and delivered through a share link, not inside the request.

A statement's length is known before rendering: one table row per account line, plus headings and
totals. Over MAX_INLINE_PDF_PAGES estimated pages (10), the request gets 202 with a share link
(`deferred_pdf_create`): the link, and a pending ReportDocument, are written in one transaction, and
the rendering is queued once it commits. The task renders the PDF into the document
(`document_render`), and the link serves it once ready.

The task lives in `reports.tasks`, a layer above this module, which it calls. So this module never
imports it: `ReportsConfig.ready` plugs the task into the `render_queue` hook.
"""

import math
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from axiomatic.core.errors import AccessDeniedError
from axiomatic.core.hooks import Hook
from reports import selectors
from reports.models import ReportDocument, ReportShare
from reports.rendering import render_pdf
from reports.services import share_create
from reports.statements import Statement, build_statement

# Table rows an A4 page of our statement template holds, and rows of headings and totals per
# section, measured on the template (tests/reports/test_long_pdfs.py keeps the estimate honest).
ROWS_PER_PAGE = 40
ROWS_PER_SECTION = 3
FIRST_PAGE_ROWS = 8  # title, entity, period
DEFERRED_PDF_DAYS = 7  # how long the link to a long PDF stays valid

# render_queue(document_id): render one document (reports.tasks, plugged in by ready()).
render_queue = Hook("queue the rendering of a long PDF")


def estimated_pages(statement: Statement) -> int:
    rows = FIRST_PAGE_ROWS + sum(len(s.rows) + ROWS_PER_SECTION for s in statement.sections)
    return max(1, math.ceil(rows / ROWS_PER_PAGE))


def renders_inline(statement: Statement) -> bool:
    return estimated_pages(statement) <= settings.MAX_INLINE_PDF_PAGES


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
        report=share.report_type, book=share.book, date_from=share.date_from, date_to=share.date_to
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
