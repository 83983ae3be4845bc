"""Render a statement: HTML from the template family, PDF from that same HTML through WeasyPrint.

WeasyPrint gets a url_fetcher that refuses every address except our own static files, so a name in a
ledger can never make the renderer fetch anything (the template escapes names as well).
"""

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone

from reports.statements import ReportType, Statement

STATIC_PREFIX = "/static/"


class ForbiddenFetch(ValueError):
    pass


def static_only_url_fetcher(url: str, *args, **kwargs) -> dict:
    path = url.split("://", 1)[-1]
    if url.startswith("file://") and STATIC_PREFIX in path:
        path = path.split(STATIC_PREFIX, 1)[1]
    elif url.startswith(STATIC_PREFIX):
        path = url[len(STATIC_PREFIX) :]
    else:
        raise ForbiddenFetch(f"Refusing to fetch {url!r} while rendering a report.")
    found = finders.find(path)
    if not found:
        raise ForbiddenFetch(f"No static file {path!r}.")
    with open(found, "rb") as handle:
        return {"string": handle.read(), "mime_type": None}


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
    from weasyprint import HTML  # imported here: loading its system libraries costs a moment

    return HTML(string=render_html(statement), url_fetcher=static_only_url_fetcher).write_pdf()
