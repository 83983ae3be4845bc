"""Where a webhook may go, and the one HTTP POST that takes it there.

A receiver URL must be https (http only to loopback, when WEBHOOKS_ALLOW_LOOPBACK is on), on a port
from 1 to 65535, and every address its host resolves to must be public: global (`is_global`, plus the
few ranges this Python still calls global), and an IPv6 address that carries an IPv4 one (mapped,
6to4, Teredo, NAT64) only if that one is public too. This is checked at registration and again at
each delivery, because DNS can change between the two. The POST connects to the address that was checked (not a second lookup), follows no redirect, and
reads at most the first 1 KB of the answer.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

MAX_URL_LENGTH = 2000
RESPONSE_EXCERPT_BYTES = 1024
USER_AGENT = "Axiomatic-Webhooks/1.0"


class UnsafeUrl(ValueError):
    """The URL may not receive webhooks; the message says why."""


def _allow_loopback() -> bool:
    return bool(settings.WEBHOOKS_ALLOW_LOOPBACK)


def check_url_form(url: str) -> None:
    """Scheme, host and length, without any DNS lookup."""
    if len(url) > MAX_URL_LENGTH:
        raise UnsafeUrl(f"The URL is longer than {MAX_URL_LENGTH} characters.")
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise UnsafeUrl("Give an absolute https:// URL.")
    if parts.username or parts.password:
        raise UnsafeUrl("The URL may not carry a user name or password.")
    try:
        port = parts.port  # raises on a port out of range or not a number
    except ValueError as exc:
        raise UnsafeUrl("The URL's port is not valid.") from exc
    if port is not None and not 1 <= port <= 65535:
        raise UnsafeUrl("The URL's port must be from 1 to 65535.")
    if parts.scheme == "http" and not _allow_loopback():
        raise UnsafeUrl("Webhook URLs must use https.")


# Ranges this Python's `is_global` still calls global, though no public receiver lives there:
# IETF protocol assignments (192.0.0.0/24, but for its two anycast relays) and IPv6 site-local.
_NOT_GLOBAL = (ipaddress.ip_network("192.0.0.0/24"), ipaddress.ip_network("fec0::/10"))
_GLOBAL_ANYCAST = (ipaddress.ip_address("192.0.0.9"), ipaddress.ip_address("192.0.0.10"))
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _embedded_ipv4(address: Address) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses an IPv6 address carries (mapped, 6to4, Teredo, NAT64): each must pass too,
    or `[2002:7f00:1::1]` (6to4 around 127.0.0.1) would reach loopback."""
    if not isinstance(address, ipaddress.IPv6Address):
        return []
    inner = [address.ipv4_mapped, address.sixtofour]
    if address.teredo:
        inner.extend(address.teredo)
    if address in _NAT64:
        inner.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return [a for a in inner if a is not None]


def _address_problem(address: Address) -> str | None:
    """None for an address a webhook may go to; else what it is, for the message."""
    for inner in _embedded_ipv4(address):
        # Loopback reached through a wrapper is never the development receiver: refuse it always.
        problem = "a loopback address" if inner.is_loopback else _address_problem(inner)
        if problem:
            return problem
    if address.is_loopback:
        return None if _allow_loopback() else "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_private:
        return "a private address"
    if address.is_multicast or address.is_reserved or address.is_unspecified:
        return "a reserved address"
    not_global = any(address in network for network in _NOT_GLOBAL)
    if not address.is_global or (not_global and address not in _GLOBAL_ANYCAST):
        return "an address that is not public"
    return None


def resolve_safe(url: str) -> tuple[str, list[str]]:
    """The URL's host and the addresses it resolves to, all of them public (else UnsafeUrl)."""
    check_url_form(url)
    parts = urlsplit(url)
    host = parts.hostname
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeUrl(f"The host {host!r} cannot be resolved.") from exc
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    for address in addresses:
        problem = _address_problem(ipaddress.ip_address(address.split("%", 1)[0]))
        if problem:
            raise UnsafeUrl(
                f"The host {host!r} resolves to {problem}; webhooks go to public hosts."
            )
    if parts.scheme == "http" and not all(
        ipaddress.ip_address(a.split("%", 1)[0]).is_loopback for a in addresses
    ):
        raise UnsafeUrl("Webhook URLs must use https (http is allowed to loopback only).")
    return host, addresses


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    duration_ms: int
    error: str
    response_excerpt: str

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _connection(url: str, address: str, timeout: float) -> http.client.HTTPConnection:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    sock = socket.create_connection((address, port), timeout=timeout)
    if parts.scheme == "https":
        context = ssl.create_default_context()
        sock = context.wrap_socket(sock, server_hostname=parts.hostname)
        connection = http.client.HTTPSConnection(parts.hostname, port, timeout=timeout)
    else:
        connection = http.client.HTTPConnection(parts.hostname, port, timeout=timeout)
    connection.sock = sock  # connected to the address we checked: no second DNS lookup
    return connection


def post(url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    """POST `body` once; never raises for network trouble, the Outcome says what happened."""
    started = time.monotonic()
    timeout = float(settings.WEBHOOK_TIMEOUT_SECONDS)

    def outcome(status: int | None, error: str = "", excerpt: bytes = b"") -> Outcome:
        elapsed = int((time.monotonic() - started) * 1000)
        text = excerpt[:RESPONSE_EXCERPT_BYTES].decode("utf-8", errors="replace")
        return Outcome(status, elapsed, error[:500], text[:RESPONSE_EXCERPT_BYTES])

    try:
        _, addresses = resolve_safe(url)
    except UnsafeUrl as exc:
        return outcome(None, f"Refused: {exc}")
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection = _connection(url, addresses[0], timeout)
        try:
            connection.request(
                "POST",
                target,
                body=body,
                headers={
                    "Content-Type": "application/json",
                    "User-Agent": USER_AGENT,
                    **headers,
                },
            )
            response = connection.getresponse()
            excerpt = response.read(RESPONSE_EXCERPT_BYTES)
        finally:
            connection.close()
    except TimeoutError:
        return outcome(None, f"Timed out after {timeout:g} s.")
    except (OSError, http.client.HTTPException) as exc:
        return outcome(None, f"{type(exc).__name__}: {exc}")
    error = "" if 200 <= response.status < 300 else f"HTTP {response.status}"
    if 300 <= response.status < 400:
        error += " (redirects are not followed)"
    return outcome(response.status, error, excerpt)
