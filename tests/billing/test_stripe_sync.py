"""The Stripe reconcile against a real fake Stripe (localstripe, see conftest.py)."""

import json
import socket
import time

import pytest
import requests
import stripe
from djstripe import models as djstripe_models

from billing.models import DirectBillingState, StripeSyncState
from billing.services.stripe_sync import (
    PROGRAM_DAYS_UNTIL_DUE,
    coupon_id,
    plan_id,
    stripe_sync_firm,
)
from billing.tasks import sync_all_firms_stripe, sync_firm_stripe
from practice.services.clients import client_archive, client_update
from tests.billing.conftest import TEST_KEY, stripe_signature

pytestmark = pytest.mark.stripe

CONSOLIDATED = "consolidated"
DIRECT = "client_direct"


@pytest.fixture
def silver_firm(alice, make_client):
    """Ten active clients (SILVER, 10 %): 4 starter, 3 professional, 1 business paid by the firm;
    a starter and a business client paying directly."""
    spec = (
        [("STARTER", CONSOLIDATED)] * 4
        + [("PROFESSIONAL", CONSOLIDATED)] * 3
        + [("BUSINESS", CONSOLIDATED)]
        + [("STARTER", DIRECT), ("BUSINESS", DIRECT)]
    )
    links = [
        make_client(alice, f"Client {n}", tier=tier, billing_mode=mode)
        for n, (tier, mode) in enumerate(spec)
    ]
    return alice, links


def test_sync_builds_the_firm_subscription_and_the_direct_clients_own(silver_firm, stripe_api):
    alice, links = silver_firm
    result = stripe_sync_firm(firm_id=alice.firm.id)

    state = StripeSyncState.objects.get(firm=alice.firm)
    assert state.status == "synced" and state.last_synced_at and state.last_error == ""
    assert (state.customer_id, state.subscription_id) == (
        result.customer_id,
        result.subscription_id,
    )
    customer = stripe_api.customer(state.customer_id)
    assert customer["name"] == "Alpha & Co CPA"
    assert customer["email"] == "alice@alpha.test"
    assert customer["metadata"]["entityId"] == alice.firm.public_id

    assert stripe_api.items(state.subscription_id) == {
        plan_id("STARTER", 7_900): 4,
        plan_id("PROFESSIONAL", 14_900): 3,
        plan_id("BUSINESS", 29_900): 1,
    }
    assert stripe_api.plan_amount(plan_id("PROFESSIONAL", 14_900)) == 14_900
    assert stripe_api.coupons(state.subscription_id) == [(coupon_id(10), 10.0)]
    subscription = stripe_api.subscription(state.subscription_id)
    assert subscription["customer"] == state.customer_id
    assert subscription["collection_method"] == "send_invoice"
    assert subscription["days_until_due"] == PROGRAM_DAYS_UNTIL_DUE

    # The direct clients: their own customer and subscription at the discounted price.
    direct = {
        s.link.client.name: s for s in DirectBillingState.objects.select_related("link__client")
    }
    assert set(direct) == {"Client 8", "Client 9"}
    for name, tier, cents in (("Client 8", "STARTER", 7_110), ("Client 9", "BUSINESS", 26_910)):
        own = direct[name]
        assert own.customer_id not in ("", state.customer_id)
        assert stripe_api.customer(own.customer_id)["name"] == name
        assert stripe_api.items(own.subscription_id) == {plan_id(tier, cents): 1}
        assert stripe_api.plan_amount(plan_id(tier, cents)) == cents
        assert stripe_api.coupons(own.subscription_id) == []


def test_sync_mirrors_into_djstripe(silver_firm, stripe_api):
    alice, _ = silver_firm
    result = stripe_sync_firm(firm_id=alice.firm.id)

    customer = djstripe_models.Customer.objects.get(id=result.customer_id)
    assert customer.subscriber == alice.firm
    subscription = djstripe_models.Subscription.objects.get(id=result.subscription_id)
    assert subscription.customer == customer
    assert subscription.stripe_data["status"] == "active"
    quantities = {
        item.price.id: item.stripe_data["quantity"]
        for item in subscription.items.select_related("price")
    }
    assert quantities == {
        plan_id("STARTER", 7_900): 4,
        plan_id("PROFESSIONAL", 14_900): 3,
        plan_id("BUSINESS", 29_900): 1,
    }
    statuses = [s.stripe_data["status"] for s in djstripe_models.Subscription.objects.all()]
    assert statuses == ["active"] * 3


def test_running_the_sync_twice_changes_nothing(silver_firm, stripe_api):
    alice, _ = silver_firm
    first = stripe_sync_firm(firm_id=alice.firm.id)
    subscriptions = first.subscriptions
    before = stripe_api.state(subscriptions)
    mirrored = djstripe_models.SubscriptionItem.objects.count()

    second = stripe_sync_firm(firm_id=alice.firm.id)

    assert first.writes > 0
    assert second.writes == 0
    assert stripe_api.state(subscriptions) == before
    assert (second.customer_id, second.subscription_id) == (
        first.customer_id,
        first.subscription_id,
    )
    assert djstripe_models.SubscriptionItem.objects.count() == mirrored


def test_tier_change_archive_and_mode_switch_are_reconciled(silver_firm, stripe_api):
    alice, links = silver_firm
    stripe_sync_firm(firm_id=alice.firm.id)
    direct_before = {s.link_id: s.subscription_id for s in DirectBillingState.objects.all()}

    client_update(link=links[0], changes={"tier": "BUSINESS"})  # starter -> business
    client_archive(link=links[4])  # a professional client leaves: 9 clients, no discount
    client_update(link=links[8], changes={"billing_mode": CONSOLIDATED})  # starter now firm-paid
    result = stripe_sync_firm(firm_id=alice.firm.id)

    state = StripeSyncState.objects.get(firm=alice.firm)
    assert state.subscription_id == result.subscription_id
    assert stripe_api.items(state.subscription_id) == {
        plan_id("STARTER", 7_900): 4,
        plan_id("PROFESSIONAL", 14_900): 2,
        plan_id("BUSINESS", 29_900): 2,
    }
    assert stripe_api.coupons(state.subscription_id) == []  # REGISTERED: 0 %
    # The client that moved to consolidated billing no longer has its own subscription...
    moved = DirectBillingState.objects.get(link=links[8])
    assert moved.subscription_id == ""
    assert stripe_api.subscription(direct_before[links[8].id])["status"] == "canceled"
    # ... and the one still paying itself now pays the undiscounted price.
    still = DirectBillingState.objects.get(link=links[9])
    assert still.subscription_id == direct_before[links[9].id]
    assert stripe_api.items(still.subscription_id) == {plan_id("BUSINESS", 29_900): 1}
    # The mirror follows.
    canceled = djstripe_models.Subscription.objects.get(id=direct_before[links[8].id])
    assert canceled.stripe_data["status"] == "canceled"

    assert stripe_sync_firm(firm_id=alice.firm.id).writes == 0


def test_a_firm_without_clients_has_no_live_subscription(alice, make_client, stripe_api):
    link = make_client(alice, "Only Client")
    first = stripe_sync_firm(firm_id=alice.firm.id)
    client_archive(link=link)

    second = stripe_sync_firm(firm_id=alice.firm.id)

    assert second.subscription_id == ""
    assert stripe_api.subscription(first.subscription_id)["status"] == "canceled"
    assert stripe_sync_firm(firm_id=alice.firm.id).writes == 0


def test_the_discount_coupon_follows_the_partner_tier(alice, make_client, stripe_api):
    for n in range(9):
        make_client(alice, f"Client {n}")
    first = stripe_sync_firm(firm_id=alice.firm.id)
    assert stripe_api.coupons(first.subscription_id) == []

    make_client(alice, "The tenth")  # SILVER from ten clients
    second = stripe_sync_firm(firm_id=alice.firm.id)

    assert second.subscription_id == first.subscription_id
    assert stripe_api.items(second.subscription_id) == {plan_id("STARTER", 7_900): 10}
    assert stripe_api.coupons(second.subscription_id) == [(coupon_id(10), 10.0)]


def test_a_price_edited_in_the_admin_moves_clients_to_a_new_plan(alice, make_client, stripe_api):
    from billing.models import ClientTierPrice

    make_client(alice, "Client")
    first = stripe_sync_firm(firm_id=alice.firm.id)
    ClientTierPrice.objects.filter(tier="STARTER").update(monthly_cents=8_500)

    stripe_sync_firm(firm_id=alice.firm.id)

    assert stripe_api.items(first.subscription_id) == {plan_id("STARTER", 8_500): 1}
    assert stripe_api.plan_amount(plan_id("STARTER", 8_500)) == 8_500


def test_firms_are_kept_apart(alice, charlie, make_client, stripe_api):
    make_client(alice, "Alpha client")
    make_client(charlie, "Bravo client", tier="BUSINESS")
    a = stripe_sync_firm(firm_id=alice.firm.id)
    b = stripe_sync_firm(firm_id=charlie.firm.id)

    assert a.customer_id != b.customer_id
    assert stripe_api.items(a.subscription_id) == {plan_id("STARTER", 7_900): 1}
    assert stripe_api.items(b.subscription_id) == {plan_id("BUSINESS", 29_900): 1}


def test_the_nightly_task_reconciles_every_enrolled_firm(alice, charlie, make_client, stripe_api):
    make_client(alice, "Alpha client")
    make_client(charlie, "Bravo client")

    assert sync_all_firms_stripe.delay().get() == 2

    states = StripeSyncState.objects.filter(firm__in=[alice.firm, charlie.firm])
    assert sorted(s.status for s in states) == ["synced", "synced"]


def test_a_link_change_queues_the_sync_after_commit(
    alice, stripe_api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = alice.client.post(
            "/api/practice/clients",
            {
                "firmEntityId": alice.firm.public_id,
                "name": "Queued Co",
                "type": "llc",
                "tier": "PROFESSIONAL",
                "billingMode": CONSOLIDATED,
            },
            format="json",
        )
    assert response.status_code == 201, response.content

    state = StripeSyncState.objects.get(firm=alice.firm)
    assert state.status == "synced"
    assert stripe_api.items(state.subscription_id) == {plan_id("PROFESSIONAL", 14_900): 1}
    overview = alice.client.get(
        "/api/practice/billing", {"firmEntityId": alice.firm.public_id}
    ).json()
    assert overview["stripe"]["status"] == "synced"
    assert overview["stripe"]["subscriptionId"] == state.subscription_id


def test_an_unreachable_stripe_is_recorded_as_a_failed_sync(alice, acme, settings, stripe_api):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings.STRIPE_API_BASE = closed

    assert sync_firm_stripe.delay(alice.firm.id).get() is None

    state = StripeSyncState.objects.get(firm=alice.firm)
    assert state.status == "failed"
    assert "connect" in state.last_error.lower()
    overview = alice.client.get(
        "/api/practice/billing", {"firmEntityId": alice.firm.public_id}
    ).json()
    assert overview["stripe"]["status"] == "failed"
    assert overview["stripe"]["lastError"] == state.last_error

    # Once Stripe answers again, the next run recovers and clears the error.
    settings.STRIPE_API_BASE = stripe_api.url
    assert sync_firm_stripe.delay(alice.firm.id).get() > 0
    state.refresh_from_db()
    assert (state.status, state.last_error) == ("synced", "")


def test_a_refused_key_is_recorded_as_a_failed_sync(alice, acme, settings, stripe_api):
    settings.STRIPE_SECRET_KEY = "not-a-stripe-key"

    sync_firm_stripe.delay(alice.firm.id).get()

    state = StripeSyncState.objects.get(firm=alice.firm)
    assert state.status == "failed"
    assert state.last_error


def test_without_a_key_the_sync_records_not_configured(alice, acme, settings):
    settings.STRIPE_SECRET_KEY = ""

    assert sync_firm_stripe.delay(alice.firm.id).get() is None

    assert StripeSyncState.objects.get(firm=alice.firm).status == "not_configured"
    overview = alice.client.get(
        "/api/practice/billing", {"firmEntityId": alice.firm.public_id}
    ).json()
    assert overview["stripe"]["status"] == "not_configured"


# -- webhooks: localstripe delivers signed events to dj-stripe's endpoint on the live server -----


def _poll(check, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    return check()


@pytest.fixture
def stripe_webhook(live_server, stripe_api):
    """A dj-stripe webhook endpoint with its secret, registered with localstripe."""

    endpoint = djstripe_models.WebhookEndpoint.objects.create(
        id="we_axiomatic_test",
        secret="whsec_axiomatic_test_secret",
        url="https://example.invalid/placeholder",
        livemode=False,
        api_version="2020-08-27",
        enabled_events=["*"],
        status="enabled",
    )
    url = f"{live_server.url}/stripe/webhook/{endpoint.djstripe_uuid}/"
    endpoint.url = url
    endpoint.save(update_fields=["url"])
    registered = requests.post(
        f"{stripe_api.url}/_config/webhooks/{endpoint.id}",
        data={"url": url, "secret": endpoint.secret},
        auth=(TEST_KEY, ""),
        timeout=5,
    )
    assert registered.ok, registered.text
    return endpoint


@pytest.mark.django_db(transaction=True)
def test_a_failed_payment_arrives_by_webhook_and_shows_in_the_overview(
    stripe_api, stripe_webhook, alice, make_client
):
    make_client(alice, "Webhook Client")  # after commit: queued and (eagerly) synced
    state = StripeSyncState.objects.get(firm=alice.firm)
    assert state.status == "synced", state.last_error
    invoice_id = stripe_api.subscription(state.subscription_id)["latest_invoice"]

    # The firm pays its open program invoice with a card that is declined.
    v1 = stripe_api.client.v1
    card = v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": "4000000000000341", "exp_month": 12, "exp_year": 2031, "cvc": "123"},
        }
    )
    v1.payment_methods.attach(card.id, params={"customer": state.customer_id})
    v1.customers.update(
        state.customer_id, params={"invoice_settings": {"default_payment_method": card.id}}
    )
    try:
        v1.invoices.pay(invoice_id)
    except stripe.StripeError as error:  # declined: Stripe answers 402
        assert error.http_status == 402

    def failed():
        state.refresh_from_db()
        return state.payment_status == "payment_failed"

    assert _poll(failed), "no invoice.payment_failed webhook was processed"
    overview = alice.client.get(
        "/api/practice/billing", {"firmEntityId": alice.firm.public_id}
    ).json()
    assert overview["stripe"]["paymentStatus"] == "payment_failed"
    assert overview["stripe"]["status"] == "synced"

    # The same event delivered again, correctly signed: stored once, applied once.
    trigger = djstripe_models.WebhookEventTrigger.objects.filter(
        event__type="invoice.payment_failed"
    ).latest("created")
    # Counted by its id: localstripe may still be delivering the payment's other events (a
    # charge's, the invoice's update) meanwhile.
    events_before = djstripe_models.Event.objects.filter(id=trigger.event.id).count()
    updated_before = state.updated_at
    body = trigger.body.encode()
    again = requests.post(
        stripe_webhook.url,
        data=body,
        headers={
            "Content-Type": "application/json",
            "Stripe-Signature": stripe_signature(stripe_webhook.secret, body),
        },
        timeout=10,
    )
    assert again.status_code == 200, again.text
    assert djstripe_models.Event.objects.filter(id=trigger.event.id).count() == events_before == 1
    state.refresh_from_db()
    assert (state.payment_status, state.updated_at) == ("payment_failed", updated_before)


@pytest.mark.django_db(transaction=True)
def test_a_webhook_with_a_bad_signature_is_refused(stripe_api, stripe_webhook, alice, acme):
    body = json.dumps(
        {
            "id": "evt_forged",
            "object": "event",
            "type": "invoice.payment_failed",
            "api_version": "2020-08-27",
            "created": 1_800_000_000,
            "livemode": False,
            "data": {"object": {"id": "in_x", "object": "invoice", "customer": "cus_x"}},
        }
    ).encode()

    forged = requests.post(
        stripe_webhook.url,
        data=body,
        headers={
            "Content-Type": "application/json",
            "Stripe-Signature": stripe_signature("whsec_wrong", body),
        },
        timeout=10,
    )

    assert forged.status_code == 400
    assert not djstripe_models.Event.objects.filter(id="evt_forged").exists()


def test_seed_demo_leaves_the_demo_firm_synced_with_stripe(db, tmp_path, settings, stripe_api):
    import io

    from django.core.management import call_command

    from practice.models import ClientLink

    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", "--credentials-file", str(tmp_path / "demo.json"), stdout=out)

    firm_id = json.loads((tmp_path / "demo.json").read_text())["firmEntityId"]
    state = StripeSyncState.objects.get(firm__public_id=firm_id)
    assert state.status == "synced", state.last_error
    assert "Stripe: synced" in out.getvalue()
    consolidated = ClientLink.objects.filter(
        firm__public_id=firm_id, archived_at__isnull=True, billing_mode=CONSOLIDATED
    )
    assert sum(stripe_api.items(state.subscription_id).values()) == consolidated.count()
    direct = DirectBillingState.objects.filter(link__firm__public_id=firm_id).exclude(
        subscription_id=""
    )
    assert (
        direct.count()
        == consolidated.model.objects.filter(
            firm__public_id=firm_id, archived_at__isnull=True, billing_mode=DIRECT
        ).count()
    )


def test_staff_see_the_sync_and_can_run_it_from_the_admin(
    alice, acme, stripe_api, django_capture_on_commit_callbacks
):
    from django.test import Client
    from django.urls import reverse

    from tests.factories import UserFactory

    stripe_sync_failed_before = StripeSyncState.objects.create(
        firm=alice.firm, status="failed", last_error="Stripe was unreachable"
    )
    admin = Client()
    admin.force_login(UserFactory(is_staff=True, is_superuser=True))
    changelist = reverse("admin:billing_stripesyncstate_changelist")
    assert "Stripe was unreachable" in admin.get(changelist).content.decode()

    # The action queues the sync once its request commits (run here, as the test's own
    # transaction never commits).
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            changelist,
            {"action": "sync_now", "_selected_action": [stripe_sync_failed_before.pk]},
            follow=True,
        )

    assert "Stripe sync queued for 1 firm(s)." in response.content.decode()
    state = StripeSyncState.objects.get(firm=alice.firm)
    assert (state.status, state.last_error) == ("synced", "")
    # The mirror is browsable: the customer and the subscription open in dj-stripe's admin.
    for model, object_id in (
        ("customer", state.customer_id),
        ("subscription", state.subscription_id),
    ):
        mirrored = getattr(djstripe_models, model.title()).objects.get(id=object_id)
        page = admin.get(reverse(f"admin:djstripe_{model}_change", args=[mirrored.pk]))
        assert page.status_code == 200


def test_the_stripe_webhook_command_stores_the_secret_and_prints_the_url(db, settings):
    import io

    from django.core.management import CommandError, call_command

    settings.STRIPE_WEBHOOK_SECRET = ""
    with pytest.raises(CommandError, match="STRIPE_WEBHOOK_SECRET"):
        call_command("stripe_webhook", stdout=io.StringIO())

    settings.STRIPE_WEBHOOK_SECRET = "whsec_first"
    settings.SITE_URL = "https://practice.example.com"
    out = io.StringIO()
    call_command("stripe_webhook", "--endpoint-id", "we_1", stdout=out)
    endpoint = djstripe_models.WebhookEndpoint.objects.get(id="we_1")
    assert endpoint.url == (
        f"https://practice.example.com/stripe/webhook/{endpoint.djstripe_uuid}/"
    )
    assert endpoint.url in out.getvalue()

    settings.STRIPE_WEBHOOK_SECRET = "whsec_rotated"
    call_command("stripe_webhook", "--endpoint-id", "we_1", stdout=io.StringIO())
    endpoint.refresh_from_db()
    assert endpoint.secret == "whsec_rotated"
    assert djstripe_models.WebhookEndpoint.objects.count() == 1


def test_idempotency_keys_are_kept_by_retries_and_differ_between_runs(alice, acme, stripe_api):
    """What Stripe sees: the keys of a run are stable, those of another run differ."""
    from billing.services.stripe_sync import _Stripe

    sent: list[str] = []
    api = _Stripe(stripe_api.client, run="task-1")
    original = api.v1.customers.create

    def spy(*args, params=None, options=None):
        sent.append(options["idempotency_key"])
        return original(*args, params=params, options=options)

    api.v1.customers.create = spy  # a spy on a real call: the request still goes to Stripe
    api.write(api.v1.customers, "create", "customer-x", params={"name": "X"})
    api.write(api.v1.customers, "create", "customer-x", params={"name": "X"})
    other_run = _Stripe(stripe_api.client, run="task-2")
    other_run.v1.customers.create = spy
    other_run.write(other_run.v1.customers, "create", "customer-x", params={"name": "X"})

    assert sent[0] == sent[1] != sent[2]
    assert sent[0].startswith("axiomatic-task-1-customer-x-")


def test_every_write_of_a_reconcile_carries_a_key_naming_our_id(
    silver_firm, stripe_api, monkeypatch
):
    """What goes over the wire: each write's Idempotency-Key is `axiomatic-<run>-...` and names the
    firm's or client link's public id it concerns (our derived id for catalogue objects)."""
    from billing.models import ClientTierPrice
    from billing.services.stripe_sync import _Stripe

    alice, links = silver_firm
    on_the_wire: list[tuple[str, str | None]] = []
    writes: list[dict] = []
    send, write = stripe.HTTPClient.request_with_retries, _Stripe.write

    def record_request(client, method, url, headers, *args, **kwargs):
        if method.lower() != "get":
            on_the_wire.append((method.lower(), dict(headers or {}).get("Idempotency-Key")))
        return send(client, method, url, headers, *args, **kwargs)

    def record_write(api, service, method, purpose, *args, params=None):
        kind = type(service).__name__.removesuffix("Service")
        subscription = (params or {}).get("subscription")
        if kind == "SubscriptionItem" and args:  # an item's update or delete: whose is it?
            subscription = stripe_api.client.v1.subscription_items.retrieve(args[0])["subscription"]
        result = write(api, service, method, purpose, *args, params=params)
        writes.append(
            {
                "run": api.run,
                "kind": kind,
                "method": method,
                "id": (params or {}).get("id"),
                "customer": result.get("customer")
                or (result["id"] if kind == "Customer" else None),
                "subscription": subscription,
            }
        )
        return result

    # Spies on real calls: every request still goes to localstripe.
    monkeypatch.setattr(stripe.HTTPClient, "request_with_retries", record_request)
    monkeypatch.setattr(_Stripe, "write", record_write)

    stripe_sync_firm(firm_id=alice.firm.id, run="run-1")
    client_archive(link=links[4])  # 9 clients: the coupon goes, a quantity drops
    client_update(link=links[8], changes={"billing_mode": CONSOLIDATED})  # its own sub is cancelled
    ClientTierPrice.objects.filter(tier="BUSINESS").update(monthly_cents=32_000)  # plans swapped
    stripe_sync_firm(firm_id=alice.firm.id, run="run-2")

    assert len(writes) == len(on_the_wire)
    assert {(w["kind"], w["method"]) for w in writes} == {
        ("Product", "create"),
        ("Plan", "create"),
        ("Coupon", "create"),
        ("Customer", "create"),
        ("Subscription", "create"),
        ("Subscription", "update"),
        ("Subscription", "cancel"),
        ("SubscriptionItem", "create"),
        ("SubscriptionItem", "update"),
        ("SubscriptionItem", "delete"),
    }
    owners = {alice.firm.public_id: alice.firm.public_id} | {
        link.client.public_id: link.public_id for link in links
    }

    def owner(write: dict) -> str:
        customer = write["customer"]
        if customer is None:
            customer = stripe_api.subscription(write["subscription"])["customer"]
        return owners[stripe_api.customer(customer)["metadata"]["entityId"]]

    for write, (method, key) in zip(writes, on_the_wire, strict=True):
        assert key and key.startswith(f"axiomatic-{write['run']}-"), (write, method, key)
        if write["kind"] in ("Product", "Plan", "Coupon"):
            assert write["id"] in key, (write, key)
        else:
            named = [our_id for our_id in owners.values() if our_id in key]
            assert named == [owner(write)], (write, key)
