"""Log records and their two formats (LOGGING in settings, LOG_FORMAT picks one).

- `json` (production, the default with DEBUG off): one JSON object a line, through
  python-json-logger: `time`, `level`, `logger`, `message`, `request_id`, and whatever a call adds
  with `extra=` (the request log adds `method`, `route`, `status`, `duration_ms`...).
- `text` (development, the default with DEBUG on): `time level logger [request id] message`.

`RequestIdFilter`, on the handler, gives every record written during a request that request's id
(`axiomatic.core.request_context`). Neither format writes the `request` object Django attaches to
its own request logs: its text is the full path and query string, which can carry share and
invitation tokens.
"""

import logging

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from axiomatic.core.request_context import current_request_id

# Extras never written: `request` (Django's request, whose text is its path and query string; the
# development server's socket) and the development server's own time stamp.
UNSAFE_EXTRAS = ("request", "server_time")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "%(levelname)s %(name)s %(message)s %(request_id)s"


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to a record logged during a request (a record that has one keeps it).
    Django logs a refused request's "Not Found: ..." after the middleware returned, with the
    request attached: the id the middleware left on that request then."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            request_id = current_request_id() or getattr(
                getattr(record, "request", None), "request_id", None
            )
            if request_id is not None:
                record.request_id = request_id
        return True


class JsonLogFormatter(JsonFormatter):
    """`time` is UTC ISO 8601; a record outside a request has `"request_id": null`."""

    def __init__(self, fmt: str | None = None, datefmt: str | None = None, **kwargs):
        kwargs.setdefault("timestamp", "time")
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, *UNSAFE_EXTRAS])
        super().__init__(fmt or JSON_FIELDS, datefmt, **kwargs)


class TextLogFormatter(logging.Formatter):
    def __init__(self, fmt: str | None = None, datefmt: str | None = None, **kwargs):
        kwargs.setdefault("defaults", {"request_id": "-"})
        super().__init__(fmt or TEXT_FORMAT, datefmt, **kwargs)
