"""A webhook goes only to a public address: every address the host resolves to must be global, on
a port from 1 to 65535, and an IPv6 address carrying an IPv4 one only if that one is public too.
Checked at registration (400, nothing stored) and again at delivery (refused, nothing sent)."""

import pytest

from axiomatic.webhooks import transport
from axiomatic.webhooks.models import WebhookEndpoint
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

HOOKS = "/api/practice/webhooks"

NOT_PUBLIC = [
    "https://100.100.100.200/hook",  # a cloud metadata address (shared address space)
    "https://100.64.0.1/hook",  # carrier-grade NAT, 100.64.0.0/10
    "https://100.127.255.254/hook",
    "https://192.0.0.8/hook",  # IETF protocol assignments
    "https://[fec0::1]/hook",  # IPv6 site-local
    "https://[2002:7f00:1::1]/hook",  # 6to4 around 127.0.0.1
    "https://[2002:a00:1::1]/hook",  # 6to4 around 10.0.0.1
    "https://[64:ff9b::a00:1]/hook",  # NAT64 around 10.0.0.1
    "https://[::ffff:169.254.169.254]/hook",  # IPv4-mapped link-local
    "https://198.18.0.1/hook",  # benchmarking
    "https://240.0.0.1/hook",  # reserved
    "https://224.0.0.1/hook",  # multicast
]
BAD_PORT = ["https://8.8.8.8:0/hook"]


@pytest.mark.parametrize("url", NOT_PUBLIC + BAD_PORT)
def test_a_url_that_is_not_public_is_refused_at_registration(alice, settings, url):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True  # even where loopback is allowed for development
    response = alice.client.post(
        HOOKS, {"firmEntityId": alice.firm.public_id, "url": url, "events": ["*"]}, format="json"
    )
    error = assert_error(response, 400, "validation_error")
    assert "url" in error["fields"]
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("url", NOT_PUBLIC)
def test_a_url_that_is_not_public_is_refused_at_delivery(url):
    outcome = transport.post(url, b"{}", {})
    assert outcome.status_code is None
    assert outcome.error.startswith("Refused:"), outcome.error


@pytest.mark.parametrize(
    "url",
    [
        "https://8.8.8.8/hook",
        "https://8.8.8.8:65535/hook",
        "https://192.0.0.9/hook",
        "https://[2606:4700::1111]/hook",
    ],
)
def test_public_addresses_pass_the_check(url):
    host, addresses = transport.resolve_safe(url)
    assert addresses == [host]
