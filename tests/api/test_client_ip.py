"""The client's address behind proxies: X-Forwarded-For is read only as far as TRUSTED_PROXY_COUNT
proxies wrote it; rate limits and the share access log count visitors, not the load balancer."""

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from rest_framework.test import APIClient

from axiomatic.api.client_ip import client_ip
from reports.models import ReportShareAccess
from tests.helpers import assert_error, share_open_path
from tests.test_configuration import probe

BALANCER = "10.0.3.7"  # what REMOTE_ADDR says for every request behind the load balancer


def address(settings, proxies: int, forwarded: str | None, remote: str = BALANCER) -> str:
    settings.TRUSTED_PROXY_COUNT = proxies
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **headers))


def test_without_trusted_proxies_the_header_is_never_read(settings):
    assert address(settings, 0, "203.0.113.5") == BALANCER
    assert address(settings, 0, None) == BALANCER
    assert address(settings, 0, None, remote="203.0.113.5") == "203.0.113.5"


def test_one_proxy_gives_the_address_it_appended(settings):
    assert address(settings, 1, "203.0.113.5") == "203.0.113.5"
    assert address(settings, 1, " 2001:db8::1 ") == "2001:db8::1"


def test_two_proxies_give_the_address_the_outer_one_appended(settings):
    # client -> CDN (appends the client) -> balancer (appends the CDN) -> us
    assert address(settings, 2, "203.0.113.5, 198.51.100.20") == "203.0.113.5"


@pytest.mark.parametrize(
    ("proxies", "forwarded"),
    [
        (1, "6.6.6.6, 203.0.113.5"),
        (1, "6.6.6.6, 7.7.7.7, 203.0.113.5"),
        (2, "6.6.6.6, 203.0.113.5, 198.51.100.20"),
    ],
)
def test_entries_the_client_wrote_itself_are_ignored(settings, proxies, forwarded):
    assert address(settings, proxies, forwarded) == "203.0.113.5"


@pytest.mark.parametrize(
    "forwarded",
    ["", "unknown", "not an address", "203.0.113", "999.1.1.1", "203.0.113.5/24", ",", " , "],
)
def test_junk_falls_back_to_the_peer_address(settings, forwarded):
    assert address(settings, 1, forwarded) == BALANCER


def test_a_header_shorter_than_the_proxy_chain_falls_back_to_the_peer_address(settings):
    assert address(settings, 2, "203.0.113.5") == BALANCER
    assert address(settings, 3, "203.0.113.5, 198.51.100.20") == BALANCER
    assert address(settings, 1, None) == BALANCER


def test_ports_that_some_balancers_add_are_dropped(settings):
    assert address(settings, 1, "203.0.113.5:51234") == "203.0.113.5"
    assert address(settings, 1, "[2001:db8::1]:443") == "2001:db8::1"


def test_a_negative_proxy_count_is_refused_at_start():
    done = probe(DEBUG="true", TRUSTED_PROXY_COUNT="-1")
    assert done.returncode != 0
    assert "TRUSTED_PROXY_COUNT must be 0 or more" in done.stderr


# --- Where the address is used -----------------------------------------------------------------


@pytest.fixture
def share_path(alice):
    return share_open_path(alice)


def behind_balancer(forwarded: str) -> APIClient:
    return APIClient(REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR=forwarded)


@pytest.mark.django_db
def test_share_opens_are_limited_per_visitor_behind_the_balancer(settings, share_path):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.SHARE_RATE_LIMIT_PER_MINUTE = 2
    cache.clear()
    first = behind_balancer("203.0.113.5")
    assert [first.get(share_path).status_code for _ in range(2)] == [302, 302]
    assert_error(first.get(share_path), 429, "rate_limited")
    # A spoofed entry on the left does not buy a fresh allowance.
    assert_error(behind_balancer("1.2.3.4, 203.0.113.5").get(share_path), 429, "rate_limited")
    # Another visitor through the same balancer has their own.
    assert behind_balancer("203.0.113.6").get(share_path).status_code == 302
    cache.clear()


@pytest.mark.django_db
def test_the_share_access_log_tells_visitors_behind_the_balancer_apart(settings, share_path):
    settings.TRUSTED_PROXY_COUNT = 1
    behind_balancer("203.0.113.5").get(share_path)
    behind_balancer("9.9.9.9, 203.0.113.5").get(share_path)
    behind_balancer("203.0.113.6").get(share_path)
    first, spoofed, other = ReportShareAccess.objects.order_by("pk").values_list(
        "ip_hash", flat=True
    )
    assert first == spoofed
    assert first != other


@pytest.mark.django_db
def test_without_trusted_proxies_a_forwarded_header_changes_nothing(settings, share_path):
    settings.SHARE_RATE_LIMIT_PER_MINUTE = 1
    cache.clear()
    assert behind_balancer("203.0.113.5").get(share_path).status_code == 302
    assert_error(behind_balancer("203.0.113.6").get(share_path), 429, "rate_limited")
    cache.clear()
