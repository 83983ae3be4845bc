"""The id of the request being served, for code that has no request at hand (error bodies, logs).

Every response carries its request's id in `Request-Id`, every error body in `error.requestId`,
and every log line written while the request runs in `request_id`: a caller quoting the id lets
support find the request's lines. A caller may choose the id by sending `X-Request-Id` (1 to 128
characters of `A-Z a-z 0-9 . _ : -`, so a log line cannot be forged through it); anything else is
ignored and a new `req_` id is made: `req_` and 24 random characters of the public ids' alphabet.

The id lives in a context variable, set by `axiomatic.api.middleware.RequestIdMiddleware` for the
length of the request (and of a streamed body's chunks) and reset afterwards: outside a request
`current_request_id()` is None.
"""

import re
import secrets
from contextvars import ContextVar, Token

from axiomatic.core.ids import ALPHABET

PREFIX = "req_"
BODY_LENGTH = 24
CALLER_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def new_request_id() -> str:
    return PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))


def request_id_from(caller_value: str | None) -> str:
    """The caller's `X-Request-Id` when well-formed, else a new id."""
    if caller_value is not None and CALLER_ID.fullmatch(caller_value):
        return caller_value
    return new_request_id()


def current_request_id() -> str | None:
    return _request_id.get()


def request_id_bind(request_id: str | None) -> Token:
    """Make `request_id` current; give the token back to `request_id_reset`."""
    return _request_id.set(request_id)


def request_id_reset(token: Token) -> None:
    _request_id.reset(token)
