"""Render a statement: HTML from the template family, PDF from that same HTML through WeasyPrint.

The PDF goes through axiomatic.core.pdf, whose url_fetcher fetches nothing but our own static files.
"""

from django.template.loader import render_to_string
from django.utils import timezone

from axiomatic.core.pdf import ForbiddenFetch, html_to_pdf, static_only_url_fetcher
from reports.statements import ReportType, Statement

__all__ = ["ForbiddenFetch", "render_html", "render_pdf", "static_only_url_fetcher"]


def render_html(statement: Statement, *, pdf_url: str | None = None) -> str:
    context = {
        "statement": statement,
        "generated_at": timezone.now(),
        "pdf_url": pdf_url,
    }
    if statement.report == ReportType.BALANCE_SHEET:
        context["liabilities_and_equity"] = (
            statement.totals["liabilities"] + statement.totals["equity"]
        )
    return render_to_string("reports/statement.html", context)


def render_pdf(statement: Statement) -> bytes:
    return html_to_pdf(render_html(statement))
