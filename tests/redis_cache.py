"""The tests' Redis cache: Django's, except that clear() deletes only the keys under its own
KEY_PREFIX instead of the whole Redis database (FLUSHDB).

Tests clear the cache to start their rate-limit counters from zero. Under pytest-xdist the
workers share one Redis database, each with its own prefix (axiomatic/test_settings.py): a
FLUSHDB in one worker would reset the other's counters, and empty its Celery queue, mid-test.
"""

import re

from django.core.cache.backends.redis import RedisCache

BATCH = 500


class OwnKeysRedisCache(RedisCache):
    def clear(self) -> bool:
        client = self._cache.get_client(None, write=True)
        # Django's keys are "<prefix>:<version>:<key>"; glob characters in the prefix match as
        # themselves.
        pattern = re.sub(r"([*?\[\]\\])", r"\\\1", self.key_prefix) + ":*"
        batch = []
        for key in client.scan_iter(match=pattern, count=BATCH):
            batch.append(key)
            if len(batch) == BATCH:
                client.delete(*batch)
                batch.clear()
        if batch:
            client.delete(*batch)
        return True
