"""Stripe's subscription and invoice events, as dj-stripe's endpoint receives them.

localstripe can neither put a subscription past due nor date its events, so these events are
written here, about real localstripe objects, signed with the endpoint's secret and posted to
dj-stripe's real view: it verifies the signature, stores the event, syncs the object from localstripe
and signals billing, which records the payment status on the firm's (or direct client's) state.
(test_stripe_sync.py has localstripe deliver a declined payment itself.)
"""

import json
import time
import uuid

import pytest
from django.test import Client
from djstripe import models as djstripe_models

from billing.models import DirectBillingState, StripeSyncState
from billing.services.stripe_sync import stripe_sync_firm
from tests.billing.conftest import stripe_signature

pytestmark = pytest.mark.stripe

OVERVIEW = "/api/practice/billing"
NOW = int(time.time())


@pytest.fixture
def endpoint(db):
    return djstripe_models.WebhookEndpoint.objects.create(
        id="we_axiomatic_events",
        secret="whsec_axiomatic_events_secret",
        url="https://example.invalid/stripe",
        livemode=False,
        api_version="2020-08-27",
        enabled_events=["*"],
        status="enabled",
    )


@pytest.fixture
def program(alice, make_client, stripe_api):
    """Alice's firm synced with Stripe: one client it pays for, one paying for itself."""
    make_client(alice, "Firm Paid Co")
    direct = make_client(alice, "Self Paid Co", billing_mode="client_direct")
    stripe_sync_firm(firm_id=alice.firm.id)
    return StripeSyncState.objects.get(firm=alice.firm), DirectBillingState.objects.get(link=direct)


def deliver(endpoint, event_type: str, obj: dict, *, created: int) -> str:
    """Post one signed event to dj-stripe's endpoint; returns the event id."""
    event_id = f"evt_{uuid.uuid4().hex[:24]}"
    body = json.dumps(
        {
            "id": event_id,
            "object": "event",
            "api_version": "2020-08-27",
            "created": created,
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": event_type,
            "data": {"object": obj},
        },
        default=float,  # the Stripe library reads JSON numbers such as percent_off as Decimal
    ).encode()
    response = Client().post(
        f"/stripe/webhook/{endpoint.djstripe_uuid}/",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=stripe_signature(endpoint.secret, body),
    )
    assert response.status_code == 200, response.content
    assert djstripe_models.Event.objects.filter(id=event_id).exists()
    return event_id


def subscription_now(stripe_api, subscription_id: str, status: str) -> dict:
    """The subscription as localstripe has it, with the status Stripe would report."""
    return {**stripe_api.subscription(subscription_id), "status": status}


def latest_invoice(stripe_api, subscription_id: str) -> dict:
    invoice_id = stripe_api.subscription(subscription_id)["latest_invoice"]
    return stripe_api.client.v1.invoices.retrieve(invoice_id).to_dict()


def payment_status(persona):
    response = persona.client.get(OVERVIEW, {"firmEntityId": persona.firm.public_id})
    assert response.status_code == 200, response.content
    return response.json()["stripe"]["paymentStatus"]


@pytest.mark.parametrize("status", ["past_due", "unpaid"])
def test_a_subscription_falling_behind_shows_in_the_overview(
    alice, program, endpoint, stripe_api, status
):
    firm_state, _ = program
    assert payment_status(alice) is None

    deliver(
        endpoint,
        "customer.subscription.updated",
        subscription_now(stripe_api, firm_state.subscription_id, status),
        created=NOW,
    )

    assert payment_status(alice) == status
    firm_state.refresh_from_db()
    assert firm_state.status == "synced"  # the sync itself is fine: the money is what is late


def test_an_active_subscription_update_changes_nothing(alice, program, endpoint, stripe_api):
    firm_state, _ = program
    deliver(
        endpoint,
        "customer.subscription.updated",
        subscription_now(stripe_api, firm_state.subscription_id, "active"),
        created=NOW,
    )
    assert payment_status(alice) is None


def test_a_paid_invoice_clears_a_failed_payment(alice, program, endpoint, stripe_api):
    firm_state, _ = program
    invoice = latest_invoice(stripe_api, firm_state.subscription_id)
    deliver(endpoint, "invoice.payment_failed", invoice, created=NOW - 60)
    assert payment_status(alice) == "payment_failed"

    deliver(endpoint, "invoice.paid", {**invoice, "status": "paid"}, created=NOW)

    assert payment_status(alice) == "paid"


def test_an_event_older_than_the_status_held_is_ignored(alice, program, endpoint, stripe_api):
    firm_state, _ = program
    invoice = latest_invoice(stripe_api, firm_state.subscription_id)
    deliver(endpoint, "invoice.paid", {**invoice, "status": "paid"}, created=NOW)
    firm_state.refresh_from_db()
    held = (firm_state.payment_status, firm_state.payment_status_at, firm_state.updated_at)

    # The failure happened before the payment, but its event arrives after it.
    late = deliver(endpoint, "invoice.payment_failed", invoice, created=NOW - 3600)

    assert djstripe_models.Event.objects.filter(id=late).exists()  # received, stored...
    firm_state.refresh_from_db()
    assert (firm_state.payment_status, firm_state.payment_status_at, firm_state.updated_at) == held
    assert payment_status(alice) == "paid"  # ... and ignored


def test_a_direct_clients_subscription_has_its_own_status(alice, program, endpoint, stripe_api):
    firm_state, direct_state = program

    deliver(
        endpoint,
        "customer.subscription.updated",
        subscription_now(stripe_api, direct_state.subscription_id, "unpaid"),
        created=NOW,
    )

    direct_state.refresh_from_db()
    assert direct_state.payment_status == "unpaid"
    firm_state.refresh_from_db()
    assert firm_state.payment_status == ""  # the firm does not pay this one
    assert payment_status(alice) is None
