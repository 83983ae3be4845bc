"""Counting a rate-limit window: one Redis round trip per event where the cache is Redis, the same
counts and window on every cache."""

import pytest
import redis
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache

from axiomatic.core.ratelimit import _key_and_reset, window_count, window_peek

on_redis = pytest.mark.skipif(
    not isinstance(caches[DEFAULT_CACHE_ALIAS], RedisCache),
    reason="needs Redis as the cache: set REDIS_URL=redis://... (CI does)",
)
NOW = 1_800_000_030.0  # 30 s into a minute


def test_each_event_counts_once_and_the_window_reads_back():
    cache.clear()
    counts = [window_count("t", "caller", 2, window_seconds=60, now=NOW).count for _ in range(3)]
    assert counts == [1, 2, 3]
    window = window_peek("t", "caller", 2, window_seconds=60, now=NOW)
    assert (window.count, window.remaining, window.over, window.reset) == (3, 0, True, 30)
    assert window_count("t", "other", 2, window_seconds=60, now=NOW).count == 1
    assert window_count("t", "caller", 2, window_seconds=60, now=NOW + 60).count == 1  # next minute


@on_redis
def test_on_redis_an_event_is_one_round_trip_and_the_first_sets_the_windows_lifetime(monkeypatch):
    cache.clear()
    sent = []
    real_send = redis.connection.Connection.send_packed_command

    def counting_send(self, command, check_health=True):
        sent.append(command)
        return real_send(self, command, check_health)

    window_count("rt", "caller", 5, window_seconds=60, now=NOW)  # connects
    key, _ = _key_and_reset("rt", "caller", 60, NOW)
    full_key = cache.make_and_validate_key(key)
    client = caches[DEFAULT_CACHE_ALIAS]._cache.get_client(full_key, write=True)
    assert 0 < client.ttl(full_key) <= 120
    client.expire(full_key, 50)

    monkeypatch.setattr(redis.connection.Connection, "send_packed_command", counting_send)
    assert window_count("rt", "caller", 5, window_seconds=60, now=NOW).count == 2
    monkeypatch.undo()
    assert len(sent) == 1  # INCR and EXPIRE NX, pipelined
    assert 40 < client.ttl(full_key) <= 50  # a later event keeps the first one's lifetime
    assert cache.get(key) == 2  # the cache reads the same plain integer
