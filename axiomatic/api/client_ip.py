"""The address of the client a request came from, behind as many proxies as we were told to trust.

Behind a load balancer `REMOTE_ADDR` is the balancer's address: every visitor would share one
rate-limit bucket and one hash in the share access log. Each proxy appends the address it received
the request from to `X-Forwarded-For`, so with `TRUSTED_PROXY_COUNT = n` the client is the n-th
entry from the right: the one our outermost proxy wrote. Everything to the left of it was sent by
the client and can say anything, so it is never read. With the default of 0 the header is ignored
altogether (nobody in front of us: a client could write any address there).

    client -> LB -> app                  XFF "client"          n = 1: "client"
    client -> CDN -> LB -> app           XFF "client, CDN"     n = 2: "client"
    client (spoofs "1.2.3.4") -> LB      XFF "1.2.3.4, client" n = 1: "client"

A header with fewer entries than n, or an entry that is not an IP address, means the proxies are
not the ones configured: we fall back to `REMOTE_ADDR` (the nearest proxy) rather than believe it.
"""

import ipaddress

from django.conf import settings

FORWARDED_FOR = "HTTP_X_FORWARDED_FOR"


def _address(value: str) -> str | None:
    """An IP address in its normal form, or None. Accepts `a.b.c.d:port` and `[v6]:port`, which
    some balancers write."""
    value = value.strip()
    if value.startswith("["):
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:
        value = value.partition(":")[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request) -> str:
    """The client's address: from X-Forwarded-For when TRUSTED_PROXY_COUNT proxies stand in front
    of us, else (or when the header does not fit) REMOTE_ADDR."""
    remote = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    entries = request.META.get(FORWARDED_FOR, "").split(",")
    if len(entries) < hops:
        return remote
    return _address(entries[-hops]) or remote
