"""Make Stripe match the database: the reconcile behind "syncs the firm's Stripe billing".

What a firm's program billing must be is computed from our tables, never replayed from events
(billing.services.stripe_desired): one customer per firm with one subscription of tier plan items
and the volume coupon, and each client_direct client on its own customer and subscription. Program
prices are Stripe Plans (Stripe accepts a plan id wherever a price id goes).

Each run reads what Stripe has and writes only the difference, so running it twice changes nothing
(`SyncResult.writes` is 0 the second time). Every write carries an idempotency key derived from our
ids and the request itself. The result is mirrored into dj-stripe's tables. Subscriptions are
invoiced (`send_invoice`, due in PROGRAM_DAYS_UNTIL_DUE days) rather than charged to a stored card:
firms pay from Stripe's hosted invoice page (ADR 0011).
"""

import hashlib
import json
import logging
import uuid
from dataclasses import dataclass, field

import stripe
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from djstripe import models as djstripe_models

from axiomatic.entities.models import Entity
from billing import events
from billing.models import DirectBillingState, StripeSyncState, SyncStatus
from billing.services.stripe_desired import (
    CURRENCY,
    PRODUCT_ID,
    PRODUCT_NAME,
    DesiredProgram,
    coupon_id,
    desired_program,
)
from billing.services.stripe_desired import plan_id as plan_id  # re-exported: callers name it here

logger = logging.getLogger(__name__)

PROGRAM_DAYS_UNTIL_DUE = 30
SUBSCRIBER_KEY = "djstripe_subscriber"  # dj-stripe links a mirrored customer to its entity by it

# Network trouble, rate limits and Stripe's own 5xx: worth trying again later.
TRANSIENT_ERRORS = (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError)


class StripeNotConfigured(Exception):
    pass


@dataclass
class SyncResult:
    customer_id: str = ""
    subscription_id: str = ""
    writes: int = 0
    direct_subscriptions: dict[str, str] = field(default_factory=dict)  # client public id -> sub
    # Every customer and subscription this run looked at, canceled ones included, to mirror.
    customers: set[str] = field(default_factory=set)
    subscriptions: set[str] = field(default_factory=set)


def stripe_client() -> stripe.StripeClient:
    if not settings.STRIPE_SECRET_KEY:
        raise StripeNotConfigured
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": settings.STRIPE_API_BASE},
        max_network_retries=settings.STRIPE_MAX_NETWORK_RETRIES,
    )


class _Stripe:
    """The few Stripe calls the reconcile makes, as plain dicts, counting writes.

    Idempotency keys are `axiomatic-<run>-<purpose>-<hash of the request>`. The purpose names the
    write and our id of what it concerns: the firm's or client link's public id for customers,
    subscriptions and their items, our derived id for products, plans and coupons. The run is the
    Celery task's id, which its retries keep: a create that reached Stripe before the connection dropped
    returns the same object when the retry repeats it, rather than a twin. A new run gets new keys,
    so setting a quantity back to a value it had earlier today is not mistaken for a replay.
    """

    def __init__(self, client: stripe.StripeClient, run: str):
        self.v1 = client.v1
        self.run = run
        self.writes = 0

    def _key(self, purpose: str, params: dict) -> dict:
        digest = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:24]
        return {"idempotency_key": f"axiomatic-{self.run}-{purpose}-{digest}"}

    def write(self, service, method: str, purpose: str, *args, params: dict | None = None):
        params = params or {}
        self.writes += 1
        call = getattr(service, method)
        options = self._key(purpose, {"args": list(args), **params})
        return call(*args, params=params, options=options).to_dict()

    def find(self, service, object_id: str, params: dict | None = None) -> dict | None:
        if not object_id:
            return None
        try:
            return service.retrieve(object_id, params=params or {}).to_dict()
        except stripe.InvalidRequestError as error:
            if error.http_status == 404:
                return None
            raise


def _ensure_object(api: _Stripe, service, purpose: str, params: dict) -> None:
    """Create a catalogue object with our own id unless Stripe already has it (ids never change
    meaning: a new price or percent is a new id)."""
    if api.find(service, params["id"]) is None:
        api.write(service, "create", f"{purpose}-{params['id']}", params=params)


def _ensure_catalogue(api: _Stripe, desired: DesiredProgram) -> None:
    _ensure_object(api, api.v1.products, "product", {"id": PRODUCT_ID, "name": PRODUCT_NAME})
    for plan, (tier, cents) in sorted(desired.plans.items()):
        plan_params = {
            "id": plan,
            "amount": cents,
            "currency": CURRENCY,
            "interval": "month",
            "product": PRODUCT_ID,
            "nickname": f"{tier.title()} client, monthly",
        }
        _ensure_object(api, api.v1.plans, "plan", plan_params)
    if desired.coupon_percent and desired.items:
        coupon_params = {
            "id": coupon_id(desired.coupon_percent),
            "percent_off": float(desired.coupon_percent),
            "duration": "forever",
            "name": f"Partner volume discount {desired.coupon_percent}%",
        }
        _ensure_object(api, api.v1.coupons, "coupon", coupon_params)


def _ensure_customer(api: _Stripe, customer_id: str, entity: Entity, purpose: str) -> dict:
    wanted = {"name": entity.name, "email": entity.email or None}
    customer = api.find(api.v1.customers, customer_id)
    if customer is None or customer.get("deleted"):
        return api.write(
            api.v1.customers,
            "create",
            purpose,
            params={
                **wanted,
                "metadata": {SUBSCRIBER_KEY: str(entity.pk), "entityId": entity.public_id},
            },
        )
    drift = {k: v for k, v in wanted.items() if v and customer.get(k) != v}
    if drift:
        customer = api.write(api.v1.customers, "update", purpose, customer["id"], params=drift)
    return customer


def _live_subscription(api: _Stripe, subscription_id: str) -> dict | None:
    subscription = api.find(api.v1.subscriptions, subscription_id, {"expand": ["discounts"]})
    if subscription is None or subscription.get("status") in ("canceled", "incomplete_expired"):
        return None
    return subscription


def _cancel_subscription(api: _Stripe, subscription_id: str, owner: str) -> bool:
    """Cancel the subscription if it is still live; True if there was one to cancel."""
    subscription = _live_subscription(api, subscription_id)
    if subscription is None:
        return False
    api.write(api.v1.subscriptions, "cancel", f"cancel-{owner}", subscription["id"])
    return True


def _coupons_of(subscription: dict) -> list[str]:
    return [
        d["coupon"]["id"]
        for d in subscription.get("discounts") or []
        if isinstance(d, dict) and d.get("coupon")
    ]


def _ensure_subscription(
    api: _Stripe, subscription_id: str, customer_id: str, items, coupon, metadata, owner: str
) -> dict:
    """The live subscription made to hold exactly `items` and `coupon`, or a new one. `owner` is
    the public id of the firm or client link it bills, named in every write's idempotency key."""
    subscription = _live_subscription(api, subscription_id)
    if subscription is not None:
        _reconcile_items(api, subscription, items, coupon, owner)
        return subscription
    params = {
        "customer": customer_id,
        "items": [{"price": plan, "quantity": qty} for plan, qty in sorted(items.items())],
        "collection_method": "send_invoice",
        "days_until_due": PROGRAM_DAYS_UNTIL_DUE,
        "metadata": metadata,
    }
    if coupon:
        params["discounts"] = [{"coupon": coupon}]
    return api.write(api.v1.subscriptions, "create", f"subscription-{owner}", params=params)


def _reconcile_items(
    api: _Stripe, subscription: dict, items: dict[str, int], coupon: str | None, owner: str
):
    """Add missing plans, fix quantities, then drop plans no longer wanted (never the last item
    first: a subscription keeps at least one), and set the coupon."""
    current = {i["price"]["id"]: i for i in subscription["items"]["data"]}
    sub_id = subscription["id"]
    for plan, quantity in sorted(items.items()):
        item = current.get(plan)
        if item is None:
            api.write(
                api.v1.subscription_items,
                "create",
                f"item-{owner}",
                params={"subscription": sub_id, "price": plan, "quantity": quantity},
            )
        elif int(item["quantity"]) != quantity:
            api.write(
                api.v1.subscription_items,
                "update",
                f"item-qty-{owner}",
                item["id"],
                params={"quantity": quantity},
            )
    for plan, item in sorted(current.items()):
        if plan not in items:
            api.write(api.v1.subscription_items, "delete", f"item-del-{owner}", item["id"])
    if _coupons_of(subscription) != ([coupon] if coupon else []):
        api.write(
            api.v1.subscriptions,
            "update",
            f"discounts-{owner}",
            sub_id,
            params={"discounts": [{"coupon": coupon}] if coupon else ""},
        )


def _sync_firm_subscription(
    api: _Stripe, desired: DesiredProgram, state: StripeSyncState, result: SyncResult
):
    firm = desired.firm
    customer = _ensure_customer(api, state.customer_id, firm, f"customer-{firm.public_id}")
    state.customer_id = customer["id"]
    result.customers.add(customer["id"])
    coupon = coupon_id(desired.coupon_percent) if desired.coupon_percent else None
    if not desired.items:
        if _cancel_subscription(api, state.subscription_id, firm.public_id):
            result.subscriptions.add(state.subscription_id)
        state.subscription_id = ""
        return
    subscription = _ensure_subscription(
        api,
        state.subscription_id,
        customer["id"],
        desired.items,
        coupon,
        {"firmEntityId": firm.public_id},
        firm.public_id,
    )
    state.subscription_id = subscription["id"]
    result.subscriptions.add(subscription["id"])


def _sync_direct_clients(api: _Stripe, desired: DesiredProgram, result: SyncResult) -> None:
    firm = desired.firm
    states = {
        s.link_id: s
        for s in DirectBillingState.objects.filter(link__firm=firm).select_related("link")
    }
    for link_id, plan in sorted(desired.direct.items()):
        link = desired.links[link_id]
        state = states.get(link_id) or DirectBillingState(link=link)
        customer = _ensure_customer(
            api, state.customer_id, link.client, f"customer-{link.public_id}"
        )
        state.customer_id = customer["id"]
        result.customers.add(customer["id"])
        subscription = _ensure_subscription(
            api,
            state.subscription_id,
            customer["id"],
            {plan: 1},
            None,
            {"firmEntityId": firm.public_id, "clientEntityId": link.client.public_id},
            link.public_id,
        )
        state.subscription_id = subscription["id"]
        state.save()
        result.subscriptions.add(subscription["id"])
        result.direct_subscriptions[link.client.public_id] = subscription["id"]
    # Archived, or now paid by the firm: their own subscriptions end.
    for link_id, state in states.items():
        if link_id in desired.direct or not state.subscription_id:
            continue
        _cancel_subscription(api, state.subscription_id, state.link.public_id)
        result.subscriptions.add(state.subscription_id)
        state.subscription_id = ""
        state.save(update_fields=["subscription_id", "updated_at"])


def stripe_sync_firm(*, firm_id: int, run: str | None = None) -> SyncResult:
    """Reconcile one firm's program billing with Stripe and mirror the result (dj-stripe).

    Raises StripeNotConfigured without a key (after recording not_configured). Any other error
    rolls the run back and propagates unrecorded: only the caller knows whether it will try again
    (billing.tasks.sync_firm_stripe retries TRANSIENT_ERRORS), so the caller records a final
    failure with stripe_sync_failed.
    """
    if not settings.STRIPE_SECRET_KEY:
        StripeSyncState.objects.update_or_create(
            firm_id=firm_id, defaults={"status": SyncStatus.NOT_CONFIGURED}
        )
        raise StripeNotConfigured
    with transaction.atomic():
        # One sync per firm at a time: the state row is the lock.
        state, _ = StripeSyncState.objects.get_or_create(firm_id=firm_id)
        state = StripeSyncState.objects.select_for_update().select_related("firm").get(pk=state.pk)
        desired = desired_program(state.firm)
        api = _Stripe(stripe_client(), run=run or uuid.uuid4().hex)
        result = SyncResult()
        _ensure_catalogue(api, desired)
        _sync_firm_subscription(api, desired, state, result)
        _sync_direct_clients(api, desired, result)
        mirror_to_djstripe(customers=result.customers, subscriptions=result.subscriptions)
        state.status = SyncStatus.SYNCED
        state.last_synced_at = timezone.now()
        state.last_error = ""
        state.attempts = 0
        state.save()
    result.customer_id = state.customer_id
    result.subscription_id = state.subscription_id
    result.writes = api.writes
    logger.info("stripe sync of firm %s: %s writes", state.firm.public_id, api.writes)
    return result


@transaction.atomic
def stripe_sync_failed(*, firm_id: int, error: Exception) -> None:
    """Record a sync that will not be retried, where the overview and the admin show it, and tell
    the firm's webhook endpoints (billing.sync_failed).

    Stripe's own errors are shown as Stripe words them. Anything else (the dj-stripe mirror, the
    database, a bug) is named by its class and tells staff what to do, since a bare database
    message says nothing about where to look."""
    if isinstance(error, stripe.StripeError):
        message = getattr(error, "user_message", None) or str(error) or error.__class__.__name__
    else:
        message = (
            f"{error.__class__.__name__}: {str(error) or 'no message'}. Not a refusal by Stripe: "
            'the worker log has the traceback. Fix the cause, then use "Sync with Stripe now" '
            "on this firm's Stripe sync state in the admin."
        )
    state, _ = StripeSyncState.objects.get_or_create(firm_id=firm_id)
    StripeSyncState.objects.filter(pk=state.pk).update(
        status=SyncStatus.FAILED,
        last_error=message[:2000],
        attempts=F("attempts") + 1,
        updated_at=timezone.now(),
    )
    events.sync_failed_event(firm=Entity.objects.get(pk=firm_id))
    logger.warning("stripe sync of firm %s failed: %s", firm_id, message)


def stripe_sync_pending(*, firm_id: int) -> None:
    StripeSyncState.objects.update_or_create(
        firm_id=firm_id,
        defaults={"status": SyncStatus.PENDING},
    )


def mirror_to_djstripe(*, customers: set[str], subscriptions: set[str]) -> None:
    """Copy customers and subscriptions (with their items, plans and product) into dj-stripe's
    tables, as Stripe has them now."""
    key = settings.STRIPE_SECRET_KEY
    for model, ids in (
        (djstripe_models.Customer, customers),
        (djstripe_models.Subscription, subscriptions),
    ):
        for object_id in sorted(ids):
            data = model(id=object_id).api_retrieve(api_key=key)
            model.sync_from_stripe_data(data, api_key=key)
