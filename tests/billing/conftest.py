"""A real fake Stripe for the billing tests: localstripe, patched by tests/localstripe_server.py,
started once per test run on a free loopback port.

Tests that need it take the `stripe_api` fixture and carry the `stripe` marker. Where localstripe
cannot start, they are skipped with the reason on a developer's machine and fail under CI=true, so
CI always runs them.
"""

import hashlib
import hmac
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import stripe

from tests.billing.invoice_helpers import bill, last_number, log

LAUNCHER = Path(__file__).resolve().parent.parent / "localstripe_server.py"
TEST_KEY = "sk_test_" + "axiomatic0test0key0000000"


def stripe_signature(secret: str, body: bytes) -> str:
    """The Stripe-Signature header Stripe would send for `body` now (what dj-stripe verifies)."""
    timestamp = int(time.time())
    signature = hmac.new(secret.encode(), b"%d." % timestamp + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={signature}"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _unavailable(reason: str):
    message = f"localstripe could not start: {reason}"
    if os.environ.get("CI"):
        pytest.fail(message + " (CI must run the Stripe tests)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def localstripe_url(tmp_path_factory):
    port = _free_port()
    log = tmp_path_factory.mktemp("localstripe") / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, str(LAUNCHER), "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    ready = False
    while time.monotonic() < deadline and process.poll() is None:
        try:
            ready = requests.get(f"{url}/v1/account", auth=(TEST_KEY, ""), timeout=1).ok
        except requests.ConnectionError:
            ready = False
        if ready:
            break
        time.sleep(0.1)
    if not ready:
        process.kill()
        _unavailable(log.read_text()[-2000:] or "no answer within 20 s")
    yield url
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()


@dataclass
class StripeApi:
    """The test's view of the fake Stripe: a client and a few reads as plain dicts."""

    url: str
    client: stripe.StripeClient

    def customer(self, customer_id: str) -> dict:
        return self.client.v1.customers.retrieve(customer_id).to_dict()

    def subscription(self, subscription_id: str) -> dict:
        return self.client.v1.subscriptions.retrieve(
            subscription_id, params={"expand": ["discounts"]}
        ).to_dict()

    def items(self, subscription_id: str) -> dict[str, int]:
        data = self.subscription(subscription_id)["items"]["data"]
        return {item["price"]["id"]: int(item["quantity"]) for item in data}

    def plan_amount(self, plan_id: str) -> int:
        return self.client.v1.plans.retrieve(plan_id).amount

    def coupons(self, subscription_id: str) -> list[tuple[str, float]]:
        return [
            (d["coupon"]["id"], d["coupon"]["percent_off"])
            for d in self.subscription(subscription_id).get("discounts") or []
        ]

    def state(self, subscription_ids) -> dict:
        """Everything the sync controls, to compare before and after a run."""
        return {
            sub_id: (
                self.subscription(sub_id)["status"],
                self.items(sub_id),
                self.coupons(sub_id),
            )
            for sub_id in sorted(subscription_ids)
        }


@pytest.fixture
def stripe_api(localstripe_url, settings):
    """Point the code at localstripe with a test key; a clean Stripe for every test."""
    requests.delete(f"{localstripe_url}/_config/data", auth=(TEST_KEY, ""), timeout=5)
    settings.STRIPE_SECRET_KEY = TEST_KEY
    settings.STRIPE_API_BASE = localstripe_url
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    previous_base = stripe.api_base
    stripe.api_base = localstripe_url  # dj-stripe's own calls use the library's global base
    client = stripe.StripeClient(TEST_KEY, base_addresses={"api": localstripe_url})
    yield StripeApi(url=localstripe_url, client=client)
    stripe.api_base = previous_base


@pytest.fixture
def numbered(alice, acme):
    """Alice's firm has used INV-000001: a rejection must leave the next number at 2."""
    bill(alice, acme, [log(alice, acme, "1.00")])
    assert last_number(alice.firm) == 1
