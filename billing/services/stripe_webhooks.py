"""What Stripe's webhooks tell us about payments, recorded on the firm's (or direct client's) state.

dj-stripe receives the webhook, verifies its signature, stores the event once per id and syncs the
object; it then signals us once per new event, so a duplicate delivery has no second effect. Events
may still arrive out of order: an event older than the status we hold is ignored.
"""

import datetime as dt

from django.db import transaction

from billing.models import DirectBillingState, StripeSyncState

INVOICE_EVENTS = {
    "invoice.paid": "paid",
    "invoice.payment_succeeded": "paid",
    "invoice.payment_failed": "payment_failed",
    "invoice.marked_uncollectible": "uncollectible",
}
SUBSCRIPTION_EVENTS = (
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
)
# A subscription's own status matters to staff only when it says the money is not coming.
SUBSCRIPTION_TROUBLE = ("past_due", "unpaid")
HANDLED_EVENTS = (*INVOICE_EVENTS, *SUBSCRIPTION_EVENTS)


def _status_for(event_type: str, data: dict) -> str | None:
    if event_type in INVOICE_EVENTS:
        return INVOICE_EVENTS[event_type]
    if event_type in SUBSCRIPTION_EVENTS and data.get("status") in SUBSCRIPTION_TROUBLE:
        return data["status"]
    return None


@transaction.atomic
def payment_event_record(*, event_type: str, data: dict, created: dt.datetime) -> int:
    """Apply one Stripe event; returns how many billing states it changed."""
    status = _status_for(event_type, data)
    customer_id = data.get("customer")
    if not status or not isinstance(customer_id, str):
        return 0
    changed = 0
    for model in (StripeSyncState, DirectBillingState):
        for state in model.objects.select_for_update().filter(customer_id=customer_id):
            if state.payment_status_at and created < state.payment_status_at:
                continue
            state.payment_status = status
            state.payment_status_at = created
            state.save(update_fields=["payment_status", "payment_status_at", "updated_at"])
            changed += 1
    return changed
