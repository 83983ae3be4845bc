"""Counting requests in fixed windows, in the cache.

`window_count` counts one event for a caller in the current window (a minute, an hour, a day) and
answers the window as it stands: the limit, the count with this event, what is left and the whole
seconds until the window ends. `add` (SET NX) then `incr` (INCRBY): both atomic on Redis, so with
REDIS_URL set a limit holds across processes and servers; on the embedded default the local-memory
cache counts per process (`manage.py check --deploy` warns about that). `window_peek` reads the
same window without counting (for answers that counted nothing but say what is left);
`window_hit` is `window_count` for callers that only need the wait.
"""

import math
import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Window:
    limit: int
    count: int
    reset: int  # whole seconds until the window ends, at least 1

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.count)

    @property
    def over(self) -> bool:
        return self.count > self.limit

    @property
    def wait(self) -> float | None:
        """None within the limit, else the seconds until the window ends (as Retry-After)."""
        return float(self.reset) if self.over else None


def _key_and_reset(bucket: str, caller: str, window_seconds: int, now: float | None):
    now = time.time() if now is None else now
    window = int(now // window_seconds)
    # Rounded up, never below 1: a caller told to wait must not come back before the window ends.
    reset = max(1, math.ceil((window + 1) * window_seconds - now))
    return f"ratelimit:{bucket}:{window_seconds}:{caller}:{window}", reset


def window_count(
    bucket: str, caller: str, limit: int, *, window_seconds: int, now: float | None = None
) -> Window:
    """Count one event and answer the window with it."""
    key, reset = _key_and_reset(bucket, caller, window_seconds, now)
    cache.add(key, 0, timeout=window_seconds * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr: count afresh
        cache.add(key, 1, timeout=window_seconds * 2)
        count = 1
    return Window(limit=limit, count=count, reset=reset)


def window_peek(
    bucket: str, caller: str, limit: int, *, window_seconds: int, now: float | None = None
) -> Window:
    """The window as it stands, counting nothing."""
    key, reset = _key_and_reset(bucket, caller, window_seconds, now)
    return Window(limit=limit, count=int(cache.get(key) or 0), reset=reset)


def window_hit(
    bucket: str, caller: str, limit: int, *, window_seconds: int, now: float | None = None
) -> float | None:
    """Count one event; None if it is within the limit, else the seconds until the window ends."""
    return window_count(bucket, caller, limit, window_seconds=window_seconds, now=now).wait
