"""The billing app's webhook events in the OpenAPI schema (axiomatic.webhooks.webhook_schema):
data.object is what billing.payloads puts there, the serializer the API answers with."""

from axiomatic.webhooks.webhook_schema import event_webhook
from billing.serializers import InvoiceSerializer, PaymentSerializer, StripeStatusSerializer

_INVOICE = (
    "data.object is the invoice as `GET /api/practice/billing/invoices/{invoiceId}` shows it "
    "(lines, payments, balance due)"
)
_PAYMENT = "data.object is the payment (its invoice by id, its journal entry by id)"

INVOICE_CREATED = event_webhook(
    "invoice.created",
    InvoiceSerializer,
    id_prefix="inv",
    summary="An invoice was created from unbilled time and items",
    description=f"{_INVOICE}.",
)
INVOICE_SENT = event_webhook(
    "invoice.sent",
    InvoiceSerializer,
    id_prefix="inv",
    summary="An invoice was emailed to its client",
    description=f"{_INVOICE}; `sentAt` is set.",
)
INVOICE_PAID = event_webhook(
    "invoice.paid",
    InvoiceSerializer,
    id_prefix="inv",
    example={"object": {"status": "paid", "adjustment": 0, "balanceDue": 0}},
    summary="An invoice's balance due reached zero",
    description=f"{_INVOICE}, status `paid`.",
)
INVOICE_VOIDED = event_webhook(
    "invoice.voided",
    InvoiceSerializer,
    id_prefix="inv",
    example={"object": {"status": "void"}},
    summary="An invoice was voided (its journal entry reversed, its time unbilled)",
    description=f"{_INVOICE}, status `void`.",
)
PAYMENT_CREATED = event_webhook(
    "payment.created",
    PaymentSerializer,
    id_prefix="pay",
    example={"object": {"voided": False}},
    summary="A payment was recorded on an invoice",
    description=f"{_PAYMENT}.",
)
PAYMENT_VOIDED = event_webhook(
    "payment.voided",
    PaymentSerializer,
    id_prefix="pay",
    example={"object": {"voided": True}},
    summary="A payment was voided (its journal entry reversed)",
    description=f"{_PAYMENT}, `voided` true.",
)
BILLING_SYNC_FAILED = event_webhook(
    "billing.sync_failed",
    StripeStatusSerializer,
    example={"object": {"status": "failed"}},
    summary="The firm's Stripe billing could not be synchronised",
    description=(
        "data.object is the `stripe` block of `GET /api/practice/billing`: the sync status and "
        "the last error."
    ),
)
