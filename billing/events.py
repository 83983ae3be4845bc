"""Webhook events of the billing app, recorded in the transaction of the change (the outbox in
axiomatic.webhooks); data.object is what the API answers for the object."""

from axiomatic.entities.models import Entity
from axiomatic.webhooks.events import event_record
from billing import selectors
from billing.models import Invoice
from billing.serializers import InvoiceSerializer, StripeStatusSerializer


def invoice_event(type: str, *, firm: Entity, invoice: Invoice) -> None:
    event_record(
        firm=firm,
        type=type,
        represent=lambda: (
            InvoiceSerializer(selectors.invoice_get(firm=firm, public_id=invoice.public_id)).data
        ),
    )


def sync_failed_event(*, firm: Entity) -> None:
    """data.object: the `stripe` block of GET /api/practice/billing."""
    event_record(
        firm=firm,
        type="billing.sync_failed",
        represent=lambda: StripeStatusSerializer(selectors.stripe_status(firm=firm)).data,
    )
