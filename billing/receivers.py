"""How billing reacts to practice's announcements and to Stripe's webhooks (connected in
BillingConfig.ready)."""

from functools import partial

from django.db import transaction

from billing.services.program import program_change_record
from billing.services.stripe_sync import stripe_sync_pending
from billing.services.stripe_webhooks import payment_event_record
from billing.tasks import sync_firm_stripe


def on_client_link_changed(sender, *, link_id: int, firm_id: int, change: str, **kwargs) -> None:
    # Sent after the practice transaction committed: record what the change costs, then queue
    # the Stripe reconcile of the firm (robust: a Stripe outage never fails the request).
    program_change_record(link_id=link_id, change=change)
    stripe_sync_pending(firm_id=firm_id)
    transaction.on_commit(partial(sync_firm_stripe.delay, firm_id), robust=True)


def on_stripe_event(sender, *, event, **kwargs) -> None:
    # dj-stripe sends this once per event id, after it verified the signature and synced the object.
    payment_event_record(
        event_type=event.type, data=event.data.get("object") or {}, created=event.created
    )
