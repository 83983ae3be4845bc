"""Rate limits: per API key (or signed-in user) on the API, tighter on report renders, and per
client IP on share links (the visitor's, not the load balancer's: `axiomatic.api.client_ip`).
Answered 429 in the error shape with Retry-After.

Counting is a fixed one-minute window per caller and bucket, kept in the cache
(`axiomatic.core.ratelimit`): on Redis one pipelined round trip of `INCR` and `EXPIRE ... NX`,
atomic, so with REDIS_URL set the limit holds across processes and servers (200 concurrent
requests at a limit of 100: exactly 100 pass); on the embedded default the local-memory cache
counts per process (a deploy check warns about that when DEBUG is off).

The RateLimit-* headers come from the same count (ADR 0033): each throttle keeps the window it
counted on the request, and `response_window` answers the tightest of them (the fewest requests
left; on a tie, the window that ends last, so a 429's RateLimit-Reset is its Retry-After). An
answer no throttle counted (401, an unknown path, a body over the limit) reads the general
window of the caller the API throttle would count, without counting: the API key or signed-in
user when known by then, else the client address.
"""

from django.conf import settings
from rest_framework.throttling import BaseThrottle

from axiomatic.api.authentication import ApiKeyUser
from axiomatic.api.client_ip import client_ip
from axiomatic.core.ratelimit import Window, window_count, window_hit, window_peek

WINDOW_SECONDS = 60
# Where each throttle leaves the window it counted, on Django's request (seen by the middleware).
WINDOWS_ATTRIBUTE = "rate_limit_windows"


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


def rate_limit_caller(request) -> str:
    """Who a request counts as: its API key, its signed-in user, else its client address."""
    user = getattr(request, "user", None)
    if isinstance(user, ApiKeyUser):
        return f"key:{user.api_key.pk}"
    if getattr(user, "is_authenticated", False):
        return f"user:{user.pk}"
    return f"ip:{client_ip(request)}"


def _django_request(request):
    return getattr(request, "_request", request)  # DRF's Request wraps Django's


class _MinuteThrottle(BaseThrottle):
    bucket = "api"

    def limit(self) -> int:
        raise NotImplementedError

    def caller(self, request) -> str:
        return rate_limit_caller(request)

    def allow_request(self, request, view) -> bool:
        self._window = window_count(
            self.bucket, self.caller(request), self.limit(), window_seconds=WINDOW_SECONDS
        )
        target = _django_request(request)
        setattr(target, WINDOWS_ATTRIBUTE, [*getattr(target, WINDOWS_ATTRIBUTE, []), self._window])
        return not self._window.over

    def wait(self) -> float | None:
        return self._window.wait


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


def counted_window(request) -> Window | None:
    """The tightest window a throttle counted for this request, if any did."""
    windows = getattr(_django_request(request), WINDOWS_ATTRIBUTE, None)
    if not windows:
        return None
    return min(windows, key=lambda window: (window.remaining, -window.reset))


def response_window(request) -> Window:
    """The window an API response describes: the one counted, else the caller's general one."""
    counted = counted_window(request)
    if counted is not None:
        return counted
    return window_peek(
        ApiRateThrottle.bucket,
        rate_limit_caller(request),
        settings.API_RATE_LIMIT_PER_MINUTE,
        window_seconds=WINDOW_SECONDS,
    )


def rate_limit_headers(window: Window) -> dict[str, str]:
    return {
        "RateLimit-Limit": str(window.limit),
        "RateLimit-Remaining": str(window.remaining),
        "RateLimit-Reset": str(window.reset),
    }
