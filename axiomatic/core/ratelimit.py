"""Counting requests in fixed windows, in the cache.

`window_count` counts one event for a caller in the current window (a minute, an hour, a day) and
answers the window as it stands: the limit, the count with this event, what is left and the whole
seconds until the window ends. On Redis (REDIS_URL) that is one round trip, a pipeline of `INCR`
(atomic: it makes the key at 1 if it is missing) and `EXPIRE ... NX` (the window's lifetime, set
by the first event only), so a limit holds across processes and servers. Other caches count with
`add` (SET NX) then `incr`; on the embedded default the local-memory cache counts per process
(`manage.py check --deploy` warns about that). `window_peek` reads the
same window without counting (for answers that counted nothing but say what is left);
`window_hit` is `window_count` for callers that only need the wait.
"""

import math
import time
from dataclasses import dataclass

from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache


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
    backend = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(backend, RedisCache):
        return Window(
            limit=limit, count=_redis_count(backend, key, window_seconds * 2), reset=reset
        )
    cache.add(key, 0, timeout=window_seconds * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr: count afresh
        cache.add(key, 1, timeout=window_seconds * 2)
        count = 1
    return Window(limit=limit, count=count, reset=reset)


def _redis_count(backend: RedisCache, key: str, timeout: int) -> int:
    """INCR and EXPIRE NX in one pipeline (one round trip) on the cache's own key: Django's Redis
    cache keeps integers as plain Redis integers, so `cache.get` reads the same count."""
    full_key = backend.make_and_validate_key(key)
    client = backend._cache.get_client(full_key, write=True)
    pipeline = client.pipeline(transaction=False)
    pipeline.incr(full_key)
    pipeline.expire(full_key, timeout, nx=True)
    count, _ = pipeline.execute()
    return int(count)


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
