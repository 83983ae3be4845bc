"""Sending an invoice by email: the request, then the mail itself.

`invoice_send_request` is what the API and the admin call: it locks the invoice, refuses a void one
(409 `invoice_void`), resolves the recipients (those given, else the client's ADMIN users; nobody is
409 `no_recipient`), keeps the request as an InvoiceDelivery and queues the mail after commit.

`invoice_delivery_send` is what the task runs: it renders the PDF and mails it, with a link to the
client's invoice page, outside any lock on the invoice (a slow mail server holds up nobody's
payment); the delivery row is locked (`skip_locked`) so that a redelivered task does not mail twice.
Once the mail is handed over, one transaction marks the delivery sent, sets the invoice's `sent_at`,
adds an InvoiceEvent `sent` and records the webhook event `invoice.sent`.
"""

import hashlib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from axiomatic.core.errors import ConflictError, NotFoundError, RateLimitedError
from axiomatic.core.hooks import Hook
from axiomatic.core.money import format_money
from axiomatic.core.ratelimit import window_hit
from axiomatic.entities.models import Entity
from billing import events, selectors
from billing.documents import invoice_pdf, invoice_pdf_filename
from billing.errors import BillingErrorCode
from billing.models import (
    Invoice,
    InvoiceDelivery,
    InvoiceDeliveryStatus,
    InvoiceEvent,
    InvoiceStatus,
)

# invoice_delivery_queue(delivery_id): mail it after commit (billing.tasks, plugged in by ready).
invoice_delivery_queue = Hook("queue an invoice email")


def client_invoice_url(invoice: Invoice) -> str:
    """The client's page of the invoice (sign-in first): where the email's link lands."""
    return settings.SITE_URL + reverse("client-invoice", args=[invoice.public_id])


def _sends_allowed(invoice: Invoice) -> None:
    limit = settings.INVOICE_SENDS_PER_HOUR
    caller = hashlib.sha256(invoice.public_id.encode()).hexdigest()
    wait = window_hit("invoice-email", caller, limit, window_seconds=3600)
    if wait is not None:
        raise RateLimitedError(
            f"{invoice.display_number} has been emailed {limit} times in an hour, the most we "
            "send. Try again later.",
            retry_after=wait,
        )


@transaction.atomic
def invoice_send_request(
    *,
    firm: Entity,
    public_id: str,
    to: list[str] | None = None,
    message: str = "",
    requested_by=None,
) -> InvoiceDelivery:
    invoice = (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("client")
        .filter(firm=firm, public_id=public_id)
        .first()
    )
    if invoice is None:
        raise NotFoundError()
    if invoice.status == InvoiceStatus.VOID:
        raise ConflictError("A void invoice cannot be sent.", code=BillingErrorCode.INVOICE_VOID)
    recipients = list(to) if to else selectors.client_admin_emails(client=invoice.client)
    if not recipients:
        raise ConflictError(
            f"{invoice.client.name} has no ADMIN user to send the invoice to: name the "
            "recipients in `to`, or invite the client's admin first.",
            code=BillingErrorCode.NO_RECIPIENT,
        )
    _sends_allowed(invoice)
    delivery = InvoiceDelivery.objects.create(
        invoice=invoice, recipients=recipients, message=message, requested_by=requested_by
    )
    transaction.on_commit(lambda: invoice_delivery_queue(delivery.pk))
    return delivery


def _email(invoice: Invoice, delivery: InvoiceDelivery) -> EmailMultiAlternatives:
    context = {
        "invoice": invoice,
        "firm_name": invoice.firm.name,
        "client_name": invoice.client.name,
        "message": delivery.message,
        "total": format_money(invoice.total_cents, invoice.currency),
        "balance": format_money(invoice.balance_due_cents, invoice.currency),
        "invoice_url": client_invoice_url(invoice),
    }
    email = EmailMultiAlternatives(
        # Why split/join: a name with a line break must not become a header break.
        subject=" ".join(f"Invoice {invoice.display_number} from {invoice.firm.name}".split()),
        body=render_to_string("emails/invoice.txt", context),
        to=delivery.recipients,
    )
    email.attach_alternative(render_to_string("emails/invoice.html", context), "text/html")
    email.attach(invoice_pdf_filename(invoice), invoice_pdf(invoice), "application/pdf")
    return email


def invoice_delivery_send(*, delivery_id: int) -> bool:
    """Mail one queued delivery. False (nothing mailed) if it is gone, no longer queued, being
    mailed by another worker, or its invoice was voided meanwhile."""
    with transaction.atomic():
        delivery = (
            InvoiceDelivery.objects.select_for_update(skip_locked=True)
            .filter(pk=delivery_id, status=InvoiceDeliveryStatus.QUEUED)
            .select_related("invoice__firm")
            .first()
        )
        if delivery is None:
            return False
        invoice = selectors.invoice_get(
            firm=delivery.invoice.firm, public_id=delivery.invoice.public_id
        )
        if invoice.status == InvoiceStatus.VOID:
            delivery.status = InvoiceDeliveryStatus.FAILED
            delivery.last_error = "The invoice was voided before the email went out."
            delivery.save(update_fields=["status", "last_error"])
            return False
        _email(invoice, delivery).send()
        now = timezone.now()
        delivery.status = InvoiceDeliveryStatus.SENT
        delivery.sent_at = now
        delivery.last_error = ""
        delivery.save(update_fields=["status", "sent_at", "last_error"])
        locked = Invoice.objects.select_for_update(of=("self",)).get(pk=invoice.pk)
        locked.sent_at = now
        locked.save(update_fields=["sent_at", "updated_at"])
        InvoiceEvent.objects.create(
            invoice=locked, kind=InvoiceEvent.Kind.SENT, actor=delivery.requested_by
        )
        events.invoice_event("invoice.sent", firm=locked.firm, invoice=locked)
    return True


def invoice_delivery_failed(*, delivery_id: int, error: str) -> None:
    """A mail that could not be handed over, for good: kept on the delivery for staff to see."""
    InvoiceDelivery.objects.filter(pk=delivery_id, status=InvoiceDeliveryStatus.QUEUED).update(
        status=InvoiceDeliveryStatus.FAILED, last_error=error[:2000]
    )
