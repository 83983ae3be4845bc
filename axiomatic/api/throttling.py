"""Rate limits: per API key (or signed-in user) on the API, tighter on report renders, and per
client IP on share links (the visitor's, not the load balancer's: `axiomatic.api.client_ip`).
Answered 429 in the error shape with Retry-After.

Counting is a fixed one-minute window per caller and bucket, kept in the cache: `add` (SET NX) then
`incr` (INCRBY). Both are atomic on Redis, so with REDIS_URL set the limit holds across processes
and servers (200 concurrent requests at a limit of 100: exactly 100 pass); on the embedded default
the local-memory cache counts per process (a deploy check warns about that when DEBUG is off).
"""

from django.conf import settings
from rest_framework.throttling import BaseThrottle

from axiomatic.api.authentication import ApiKeyUser
from axiomatic.api.client_ip import client_ip
from axiomatic.core.ratelimit import window_hit

WINDOW_SECONDS = 60


def rate_limit_hit(
    bucket: str,
    caller: str,
    limit: int,
    now: float | None = None,
    *,
    window_seconds: int = WINDOW_SECONDS,
) -> float | None:
    """Count one request; None if it is within the limit, else the seconds until the window ends."""
    return window_hit(bucket, caller, limit, window_seconds=window_seconds, now=now)


def _caller(request) -> str:
    user = request.user
    if isinstance(user, ApiKeyUser):
        return f"key:{user.api_key.pk}"
    if getattr(user, "is_authenticated", False):
        return f"user:{user.pk}"
    return f"ip:{client_ip(request)}"


class _MinuteThrottle(BaseThrottle):
    bucket = "api"

    def limit(self) -> int:
        raise NotImplementedError

    def caller(self, request) -> str:
        return _caller(request)

    def allow_request(self, request, view) -> bool:
        self._wait = rate_limit_hit(self.bucket, self.caller(request), self.limit())
        return self._wait is None

    def wait(self) -> float | None:
        return self._wait


class ApiRateThrottle(_MinuteThrottle):
    """Every API request of a key or user: API_RATE_LIMIT_PER_MINUTE (300)."""

    bucket = "api"

    def limit(self) -> int:
        return settings.API_RATE_LIMIT_PER_MINUTE


class ReportRenderThrottle(_MinuteThrottle):
    """Statement renders of a key or user: REPORT_RATE_LIMIT_PER_MINUTE (30)."""

    bucket = "reports"

    def limit(self) -> int:
        return settings.REPORT_RATE_LIMIT_PER_MINUTE


class ShareLinkThrottle(_MinuteThrottle):
    """Share link opens per client IP: SHARE_RATE_LIMIT_PER_MINUTE (60)."""

    bucket = "share"

    def caller(self, request) -> str:
        return f"ip:{client_ip(request)}"

    def limit(self) -> int:
        return settings.SHARE_RATE_LIMIT_PER_MINUTE
