"""Payments against AR invoices, and voiding them.

Each write is one transaction that locks the invoice row first (`select_for_update`), then checks
the balance under that lock: twenty requests paying the full balance at once queue on the row and
exactly one of them finds anything left to pay. `CHECK(0 <= amount_paid <= total)` on the invoice is
the database's backstop should a path ever forget the lock.

A payment posts debit cash (the first active `cash` account of the firm's chart by code: 1000 Cash
in the default chart, not 1150 Undeposited Funds, see docs/adr/0020), credit the receivable the
invoice was posted to, on the payment's date. Voiding reverses that entry with one dated the void
day, as invoice voids do (posted periods are never rewritten). The invoice's `amount_paid_cents`
and status follow every change.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from axiomatic.core.errors import ConflictError, NotFoundError, field_errors
from axiomatic.entities.models import Entity
from axiomatic.ledger.models import Account, JournalEntry, JournalSource
from axiomatic.ledger.services import JournalEntryDraft, journal_entry_reverse
from billing import events
from billing.errors import BillingErrorCode
from billing.models import Invoice, InvoiceEvent, InvoiceStatus, Payment


def _invoice_lock(firm: Entity, *, pk: int | None = None, public_id: str | None = None) -> Invoice:
    lookup = {"pk": pk} if pk is not None else {"public_id": public_id}
    invoice = (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("journal_entry__book")
        .filter(firm=firm, **lookup)
        .first()
    )
    if invoice is None:
        raise NotFoundError()
    return invoice


def _status_for(invoice: Invoice) -> str:
    if invoice.status == InvoiceStatus.VOID:
        return InvoiceStatus.VOID
    if invoice.amount_paid_cents == 0:
        return InvoiceStatus.OPEN
    if invoice.amount_paid_cents < invoice.total_cents:
        return InvoiceStatus.PARTIALLY_PAID
    return InvoiceStatus.PAID


def _cash_account(firm: Entity) -> Account:
    cash = (
        Account.objects.filter(entity=firm, is_active=True, subtype="cash").order_by("code").first()
    )
    if cash is None:
        raise ConflictError(
            "The firm's chart of accounts has no active cash account to post the payment to.",
            code=BillingErrorCode.CHART_INCOMPLETE,
        )
    return cash


def _receivable_line(entry: JournalEntry):
    """The invoice entry's debit line: the receivable a payment credits."""
    return entry.lines.select_related("account").filter(debit_cents__gt=0).order_by("id").first()


def _paid_update(invoice: Invoice, delta_cents: int) -> bool:
    """Add `delta_cents` to what the locked invoice has been paid; True if it became paid."""
    was_paid = invoice.status == InvoiceStatus.PAID
    invoice.amount_paid_cents += delta_cents
    invoice.status = _status_for(invoice)
    invoice.save(update_fields=["amount_paid_cents", "status", "updated_at"])
    return invoice.status == InvoiceStatus.PAID and not was_paid


@transaction.atomic
def payment_create(
    *,
    firm: Entity,
    invoice_public_id: str,
    amount_cents: int,
    date: dt.date,
    method: str,
    reference: str = "",
    created_by=None,
) -> Payment:
    """Record `amount_cents` received on the invoice and post it; at most its balance due."""
    invoice = _invoice_lock(firm, public_id=invoice_public_id)
    if invoice.status == InvoiceStatus.VOID:
        raise ConflictError("A void invoice cannot be paid.", code=BillingErrorCode.INVOICE_VOID)
    if amount_cents > invoice.balance_due_cents:
        raise field_errors(
            {"amount": [f"Must be at most the balance due, {invoice.balance_due_cents}."]}
        )
    if date < invoice.issue_date:
        raise field_errors({"date": ["Must not be before the invoice's issue date."]})
    receivable = _receivable_line(invoice.journal_entry)
    memo = f"Payment on {invoice.display_number}"
    entry = (
        JournalEntryDraft(
            book=invoice.journal_entry.book,
            date=date,
            memo=memo,
            source=JournalSource.PAYMENT,
            created_by=created_by,
        )
        .debit(_cash_account(firm), amount_cents, memo)
        .credit(receivable.account, amount_cents, memo)
        .post()
    )
    payment = Payment.objects.create(
        firm=firm,
        invoice=invoice,
        amount_cents=amount_cents,
        date=date,
        method=method,
        reference=reference,
        journal_entry=entry,
        created_by=created_by,
    )
    became_paid = _paid_update(invoice, amount_cents)
    InvoiceEvent.objects.create(invoice=invoice, kind=InvoiceEvent.Kind.PAYMENT, actor=created_by)
    events.payment_event("payment.created", firm=firm, payment=payment)
    if became_paid:
        events.invoice_event("invoice.paid", firm=firm, invoice=invoice)
    return payment


@transaction.atomic
def payment_void(*, firm: Entity, public_id: str, voided_by=None) -> Payment:
    """Void a payment: reverse its journal entry and give its amount back to the invoice's
    balance. Voiding a void payment changes nothing."""
    found = Payment.objects.filter(firm=firm, public_id=public_id).values("invoice_id").first()
    if found is None:
        raise NotFoundError()
    # The invoice first, as payment_create locks it: the two queue on the same row.
    invoice = _invoice_lock(firm, pk=found["invoice_id"])
    payment = (
        Payment.objects.select_for_update(of=("self",))
        .select_related("journal_entry__book")
        .get(firm=firm, public_id=public_id)
    )
    if payment.is_voided:
        return payment
    payment.void_journal_entry = journal_entry_reverse(
        entry=payment.journal_entry,
        date=timezone.localdate(),
        memo=f"Void payment on {invoice.display_number}",
        source=JournalSource.PAYMENT,
        created_by=voided_by,
    )
    payment.voided_at = timezone.now()
    payment.save(update_fields=["void_journal_entry", "voided_at", "updated_at"])
    _paid_update(invoice, -payment.amount_cents)
    InvoiceEvent.objects.create(
        invoice=invoice, kind=InvoiceEvent.Kind.PAYMENT_VOIDED, actor=voided_by
    )
    events.payment_event("payment.voided", firm=firm, payment=payment)
    return payment
