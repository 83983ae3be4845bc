"""API keys found by their hash, kept in the process for a short while (issue 21).

Authenticating a key read four tables (the key, its firm, the firm's enrollment, its creator) on
every request: about 3.5 ms of a 5 ms authenticated request. The key found is kept here, by its
hash, for up to `API_KEY_CACHE_SECONDS` (30 by default; 0 turns the cache off), and used again
while nothing it depends on has changed.

"Changed" is a **generation** in the shared cache (Redis with REDIS_URL): revoking a key, and
saving or deleting any key, firm entity, enrollment or user, adds one to it once the transaction
commits (`invalidate`, wired to those models' signals in `EntitiesConfig.ready`). Each process
reads the generation at most once a second (`GENERATION_CHECK_SECONDS`) and drops everything it
kept when it moved, so a revoked key is refused everywhere within about a second; the process
that revoked it refuses it at once. On the embedded default (local-memory cache) the generation
is per process, which is right for the one process `make run` serves from.

What bypasses the signals (a queryset `update()` of a firm's enrollment, SQL by hand) is seen when
the entry expires, within `API_KEY_CACHE_SECONDS`. The services that revoke keys call
`invalidate` themselves.
"""

import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

GENERATION_KEY = "api-key-cache:generation"
GENERATION_CHECK_SECONDS = 1.0

_lock = threading.Lock()
_entries: dict[str, tuple[float, object]] = {}  # key hash -> (when kept, the ApiKey)
_generation: dict[str, float | int | None] = {"value": None, "checked_at": 0.0}


def _seconds() -> float:
    return float(getattr(settings, "API_KEY_CACHE_SECONDS", 30))


def _current_generation(now: float) -> int | None:
    """The shared generation, read at most once a second; drops what was kept when it moved."""
    if now - _generation["checked_at"] < GENERATION_CHECK_SECONDS:
        return _generation["value"]
    value = cache.get(GENERATION_KEY)
    with _lock:
        if value != _generation["value"]:
            _entries.clear()
        _generation.update(value=value, checked_at=now)
    return value


def get(key_hash: str):
    """The ApiKey kept for `key_hash`, or None (not kept, expired, or something changed)."""
    seconds = _seconds()
    if seconds <= 0:
        return None
    now = time.monotonic()
    _current_generation(now)
    entry = _entries.get(key_hash)
    if entry is None or now - entry[0] > seconds:
        return None
    return entry[1]


def put(key_hash: str, api_key) -> None:
    if _seconds() > 0:
        with _lock:
            _entries[key_hash] = (time.monotonic(), api_key)


def clear_local() -> None:
    """Forget what this process kept (tests; `invalidate` does it too)."""
    with _lock:
        _entries.clear()
        _generation.update(value=None, checked_at=0.0)


def _bump() -> None:
    clear_local()
    cache.add(GENERATION_KEY, 0, timeout=None)
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # evicted between add and incr
        cache.add(GENERATION_KEY, 1, timeout=None)
    clear_local()  # a request between the two reads the new generation, not the old


def invalidate(**_signal_arguments) -> None:
    """Something a kept key depends on changed: every process drops its keys (this one at once,
    the others within `GENERATION_CHECK_SECONDS`), once the change commits."""
    clear_local()  # within the transaction too: this process never serves the old key again
    transaction.on_commit(_bump)
