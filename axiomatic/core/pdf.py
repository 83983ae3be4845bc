"""HTML to PDF through WeasyPrint, with nothing fetched but our own static files.

The url_fetcher refuses every address except files under STATIC_URL, so a name in a ledger or on an
invoice can never make the renderer fetch anything (templates escape names as well).
"""

from django.contrib.staticfiles import finders

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
        raise ForbiddenFetch(f"Refusing to fetch {url!r} while rendering a document.")
    found = finders.find(path)
    if not found:
        raise ForbiddenFetch(f"No static file {path!r}.")
    with open(found, "rb") as handle:
        return {"string": handle.read(), "mime_type": None}


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported here: loading its system libraries costs a moment

    return HTML(string=html, url_fetcher=static_only_url_fetcher).write_pdf()
