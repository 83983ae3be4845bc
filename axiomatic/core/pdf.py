"""HTML to PDF through WeasyPrint, with nothing fetched but our own static files.

The fetcher refuses every address except files under STATIC_URL, so a name in a ledger or on an
invoice can never make the renderer fetch anything (templates escape names as well). It is a
subclass of WeasyPrint's own `URLFetcher` (the interface WeasyPrint 70 calls: `fetch` returning a
`URLFetcherResponse`, and `_fail_on_errors`): a refused resource is left out of the document with a
logged warning, and the rest of the document renders.

WeasyPrint is imported on first use, not at start-up: loading it (and the system libraries it
binds) costs most of a second, and a process that never renders a PDF should neither pay that nor
fail to start where those libraries are missing.
"""

import functools
import mimetypes

from django.contrib.staticfiles import finders

STATIC_PREFIX = "/static/"


class ForbiddenFetch(ValueError):
    pass


def static_path(url: str) -> str:
    """The static file `url` names, or ForbiddenFetch."""
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
    return found


@functools.cache
def static_only_fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse  # first use: see the docstring

    class StaticOnlyURLFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            found = static_path(url)
            with open(found, "rb") as handle:
                body = handle.read()
            content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body, {"Content-Type": content_type})

    return StaticOnlyURLFetcher


def static_only_url_fetcher():
    """A fetcher for one render (WeasyPrint's fetchers keep per-request state)."""
    return static_only_fetcher_class()(fail_on_errors=False)


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # first use: see the docstring

    return HTML(string=html, url_fetcher=static_only_url_fetcher()).write_pdf()
