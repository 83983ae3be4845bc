"""Celery tasks of the reports app."""

import logging

from celery import shared_task

from reports.documents import document_failed, document_render

logger = logging.getLogger(__name__)

MAX_RETRIES = 3


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def render_report_document(self, document_id: int) -> bool:
    """Render a long statement PDF into its document; retried, then recorded as failed."""
    try:
        return document_render(document_id=document_id) is not None
    except Exception as exc:  # WeasyPrint or the database: retry, then tell the link's visitors
        if self.request.is_eager or self.request.retries >= MAX_RETRIES:
            logger.exception("Report document %s failed", document_id)
            document_failed(document_id=document_id, error=str(exc) or exc.__class__.__name__)
            return False
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc
