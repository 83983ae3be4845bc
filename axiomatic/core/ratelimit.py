"""Counting requests in fixed windows, in the cache.

`window_hit` counts one event for a caller in the current window (a minute, an hour, a day) and
says whether it is over the limit. `add` (SET NX) then `incr` (INCRBY): both atomic on Redis, so with
REDIS_URL set a limit holds across processes and servers; on the embedded default the local-memory
cache counts per process (`manage.py check --deploy` warns about that).
"""

import time

from django.core.cache import cache


def window_hit(
    bucket: str, caller: str, limit: int, *, window_seconds: int, now: float | None = None
) -> float | None:
    """Count one event; None if it is within the limit, else the seconds until the window ends."""
    now = time.time() if now is None else now
    window = int(now // window_seconds)
    key = f"ratelimit:{bucket}:{window_seconds}:{caller}:{window}"
    cache.add(key, 0, timeout=window_seconds * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr: count afresh
        cache.add(key, 1, timeout=window_seconds * 2)
        count = 1
    if count <= limit:
        return None
    return max(1.0, (window + 1) * window_seconds - now)
