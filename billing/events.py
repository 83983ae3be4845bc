"""Webhook events of the billing app, recorded in the transaction of the change (the outbox in
axiomatic.webhooks). Each names its subject; the body (data.object, what the API answers for the
object) is built by billing.payloads after the commit."""

from axiomatic.entities.models import Entity
from axiomatic.webhooks.events import event_record
from billing.models import Invoice, Payment


def invoice_event(type: str, *, firm: Entity, invoice: Invoice) -> None:
    event_record(firm=firm, type=type, subject=invoice)


def payment_event(type: str, *, firm: Entity, payment: Payment) -> None:
    event_record(firm=firm, type=type, subject=payment)


def sync_failed_event(*, firm: Entity) -> None:
    """About the firm's program billing: data.object is the overview's `stripe` block."""
    event_record(firm=firm, type="billing.sync_failed", subject=firm)
