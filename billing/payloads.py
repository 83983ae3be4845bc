"""Webhook bodies of the billing app's events: data.object is what the API answers for the object,
read back after the commit that recorded the event (axiomatic.webhooks.events)."""

from axiomatic.webhooks.payloads import register_payload
from billing import selectors
from billing.serializers import InvoiceSerializer, PaymentSerializer, StripeStatusSerializer


def represent_invoice(firm, invoice) -> dict:
    return InvoiceSerializer(selectors.invoice_get(firm=firm, public_id=invoice.public_id)).data


def represent_payment(firm, payment) -> dict:
    return PaymentSerializer(selectors.payment_get(firm=firm, public_id=payment.public_id)).data


def represent_stripe_status(firm, subject) -> dict:
    """billing.sync_failed: the `stripe` block of GET /api/practice/billing."""
    return StripeStatusSerializer(selectors.stripe_status(firm=firm)).data


def register() -> None:
    register_payload(
        ["invoice.created", "invoice.voided", "invoice.paid", "invoice.sent"], represent_invoice
    )
    register_payload(["payment.created", "payment.voided"], represent_payment)
    register_payload(["billing.sync_failed"], represent_stripe_status)
