"""AR invoices from unbilled time and items, and voiding them.

Creating an invoice is one transaction that locks before it checks: the named time entries are locked
in id order (so overlapping requests queue rather than deadlock), every rule is checked under the lock,
then the invoice, its lines, its journal entry and the entries' billed marks are written together.
`UNIQUE(time_entry)` on live invoice lines is the backstop if a path ever forgets the lock.

Lines are time (hours x rate) and items (fixed fees, disbursements), each at its standard amount. An
adjustment (negative = write-down) is spread over them pro rata by
`axiomatic.core.money.allocate_adjustment`; the books carry the adjusted total as revenue, the
invoice keeps subtotal and adjustment for realization (docs/adr/0020).

The firm's practice settings weigh in (docs/adr/0025): with `require_approval` on, open (unapproved)
time is refused with 409 `time_entry_not_approved`, checked under the same locks (approving and
unapproving take them too, so an entry cannot change state between the check and the billing); and
a time line bills the entry's hours rounded to the firm's `time_rounding_minutes`, up or to the
nearest step (`round_hours`), at its rate: the line's hours and standard amount are the rounded
ones, while the entry keeps its own hours and amount.

`invoice_preview` answers what `invoice_create_from_time` would bill from the same arguments without
writing anything: both go through `_priced` (the checks, the dates, the lines' standard and adjusted
amounts), so a preview and the invoice made from it agree to the cent.
"""

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from axiomatic.core.errors import ConflictError, NotFoundError, field_errors
from axiomatic.core.money import MAX_CENTS, allocate_adjustment, amount_cents, round_hours
from axiomatic.core.sequences import next_in_sequence
from axiomatic.entities.models import Entity
from axiomatic.ledger.models import Account, Book, JournalSource
from axiomatic.ledger.services import (
    JournalEntryDraft,
    journal_entry_reverse,
    ledger_period_check,
)
from billing import events
from billing.errors import BillingErrorCode
from billing.models import (
    FirmBillingProfile,
    Invoice,
    InvoiceEvent,
    InvoiceLine,
    InvoiceLineKind,
    InvoiceStatus,
)
from practice.errors import PracticeErrorCode
from practice.models import ApprovalStatus, ClientLink, Engagement, FirmProfile, TimeEntry
from practice.selectors import firm_profile
from practice.services.time_entries import (
    time_entries_lock,
    time_entries_mark_billed,
    time_entries_mark_unbilled,
)


@dataclass(frozen=True)
class InvoiceItem:
    """A fixed fee or disbursement line: a description and an amount (cents > 0), optionally
    for one of the client's engagements (its public id)."""

    description: str
    amount_cents: int
    engagement_id: str | None = None


@dataclass(frozen=True)
class Adjustment:
    """A write-down (negative cents) or write-up (positive) of the whole invoice, with its reason."""

    amount_cents: int = 0
    reason: str = ""


NO_ADJUSTMENT = Adjustment()


def _ids(entries) -> str:
    return ", ".join(sorted(e if isinstance(e, str) else e.public_id for e in entries))


def _posting_accounts(firm: Entity) -> tuple[Book, Account, Account]:
    book = Book.objects.get(entity=firm, is_primary=True)
    accounts = Account.objects.filter(
        entity=firm, is_active=True, subtype__in=["accounts_receivable", "operating_revenue"]
    ).order_by("code")
    receivable = next((a for a in accounts if a.subtype == "accounts_receivable"), None)
    revenue = next((a for a in accounts if a.subtype == "operating_revenue"), None)
    if receivable is None or revenue is None:
        raise ConflictError(
            "The firm's chart of accounts has no active accounts receivable or service revenue "
            "account to post the invoice to.",
            code=BillingErrorCode.CHART_INCOMPLETE,
        )
    return book, receivable, revenue


@dataclass(frozen=True)
class _Priced:
    """What an invoice would bill, computed under the entries' locks: the one pricing path of
    creating and previewing an invoice."""

    entries: list[TimeEntry]  # as locked (id order)
    ordered: list[TimeEntry]  # as billed (date order)
    hours: list[Decimal]
    engagements: dict[str, Engagement]
    issue_date: dt.date
    due_date: dt.date
    standard: list[int]
    amounts: list[int]


def _priced(
    *,
    firm: Entity,
    link: ClientLink,
    time_entry_ids: list[str],
    items: list[InvoiceItem] | tuple,
    adjustment: Adjustment,
    issue_date: dt.date | None,
    due_date: dt.date | None,
) -> _Priced:
    """Lock the named entries, check every rule, and price the lines. Caller holds a transaction."""
    profile = firm_profile(firm)
    entries = time_entries_lock(firm=firm, public_ids=time_entry_ids)
    _check_invoiceable(entries, time_entry_ids=time_entry_ids, link=link, profile=profile)
    engagements = _item_engagements(firm, link, items)
    issue_date, due_date = _invoice_dates(profile, issue_date=issue_date, due_date=due_date)
    # Dated in the firm's books even when its total is 0 and it posts nothing (ADR 0023).
    ledger_period_check(entity_id=firm.pk, date=issue_date)
    ordered = sorted(entries, key=lambda e: (e.date, e.pk))
    hours = _billed_hours(ordered, profile)
    standard = _standard_amounts(ordered, hours, items)
    amounts = _adjusted_amounts(standard, adjustment)
    return _Priced(entries, ordered, hours, engagements, issue_date, due_date, standard, amounts)


@transaction.atomic
def invoice_create_from_time(
    *,
    firm: Entity,
    link: ClientLink,
    time_entry_ids: list[str],
    items: list[InvoiceItem] | tuple = (),
    adjustment: Adjustment = NO_ADJUSTMENT,
    issue_date: dt.date | None = None,
    due_date: dt.date | None = None,
    created_by=None,
) -> Invoice:
    """Bill the named time entries of `link`'s client, and `items`, on a new invoice, with
    `adjustment` spread over the lines, posted to the firm's books.

    Returns the invoice; its `marked_entries` is how many time entries the marking turned to billed
    (the API answers it as `markedEntries`)."""
    priced = _priced(
        firm=firm,
        link=link,
        time_entry_ids=time_entry_ids,
        items=items,
        adjustment=adjustment,
        issue_date=issue_date,
        due_date=due_date,
    )
    invoice = Invoice.objects.create(
        firm=firm,
        client=link.client,
        number=next_in_sequence(FirmBillingProfile, field="last_invoice_number", firm=firm),
        issue_date=priced.issue_date,
        due_date=priced.due_date,
        currency=firm.currency,
        subtotal_cents=sum(priced.standard),
        adjustment_cents=adjustment.amount_cents,
        adjustment_reason=adjustment.reason if adjustment.amount_cents else "",
        total_cents=sum(priced.amounts),
    )
    _lines_create(
        invoice,
        priced.ordered,
        priced.hours,
        items,
        priced.engagements,
        priced.standard,
        priced.amounts,
    )
    _invoice_post(invoice, client_name=link.client.name, created_by=created_by)
    invoice.marked_entries = _entries_mark_billed(priced.entries, invoice)
    InvoiceEvent.objects.create(invoice=invoice, kind=InvoiceEvent.Kind.CREATED, actor=created_by)
    events.invoice_event("invoice.created", firm=firm, invoice=invoice)
    return invoice


@dataclass(frozen=True)
class PreviewLine:
    """One line as the invoice would bill it: standard amount, then after the adjustment."""

    kind: str
    date: dt.date
    description: str
    hours: Decimal | None
    rate_cents: int | None
    standard_amount_cents: int
    amount_cents: int
    time_entry: TimeEntry | None = None

    @property
    def adjustment_cents(self) -> int:
        return self.amount_cents - self.standard_amount_cents


@dataclass(frozen=True)
class InvoicePreview:
    currency: str
    issue_date: dt.date
    due_date: dt.date
    subtotal_cents: int
    adjustment_cents: int
    adjustment_reason: str
    total_cents: int
    lines: list[PreviewLine]


@transaction.atomic
def invoice_preview(
    *,
    firm: Entity,
    link: ClientLink,
    time_entry_ids: list[str],
    items: list[InvoiceItem] | tuple = (),
    adjustment: Adjustment = NO_ADJUSTMENT,
    issue_date: dt.date | None = None,
    due_date: dt.date | None = None,
) -> InvoicePreview:
    """The invoice `invoice_create_from_time` would make from the same arguments, writing nothing:
    the same checks (refused the same way) and the same pricing, to the cent. It takes no number
    (the firm's counter is not touched) and posts nothing."""
    priced = _priced(
        firm=firm,
        link=link,
        time_entry_ids=time_entry_ids,
        items=items,
        adjustment=adjustment,
        issue_date=issue_date,
        due_date=due_date,
    )
    time_lines = [
        PreviewLine(
            kind=InvoiceLineKind.TIME,
            date=entry.date,
            description=entry.description,
            hours=billed,
            rate_cents=entry.rate_cents,
            standard_amount_cents=0,
            amount_cents=0,
            time_entry=entry,
        )
        for entry, billed in zip(priced.ordered, priced.hours, strict=True)
    ]
    item_lines = [
        PreviewLine(
            kind=InvoiceLineKind.ITEM,
            date=priced.issue_date,
            description=item.description,
            hours=None,
            rate_cents=None,
            standard_amount_cents=0,
            amount_cents=0,
        )
        for item in items
    ]
    lines = [
        replace(line, standard_amount_cents=std, amount_cents=amount)
        for line, std, amount in zip(
            time_lines + item_lines, priced.standard, priced.amounts, strict=True
        )
    ]
    return InvoicePreview(
        currency=firm.currency,
        issue_date=priced.issue_date,
        due_date=priced.due_date,
        subtotal_cents=sum(priced.standard),
        adjustment_cents=adjustment.amount_cents,
        adjustment_reason=adjustment.reason if adjustment.amount_cents else "",
        total_cents=sum(priced.amounts),
        lines=lines,
    )


def _check_invoiceable(
    entries: list[TimeEntry], *, time_entry_ids: list[str], link: ClientLink, profile: FirmProfile
):
    """Every rule an entry must meet to be billed, checked on the locked rows. Unknown ids,
    already invoiced entries and (when the firm requires approval) open ones stop at once; the
    other problems are reported together."""
    found = {e.public_id for e in entries}
    unknown = [i for i in time_entry_ids if i not in found]
    if unknown:
        raise field_errors(
            {"timeEntryIds": [f"No such time entries for this firm: {_ids(unknown)}."]}
        )
    problems: dict[str, list[str]] = {}
    other_client = [e for e in entries if e.client_id != link.client_id]
    if other_client:
        problems["timeEntryIds"] = [f"Time entries of another client: {_ids(other_client)}."]
    billed = [e for e in entries if e.is_invoiced]
    if billed:
        raise ConflictError(
            f"Time entries already invoiced: {_ids(billed)}.",
            code=PracticeErrorCode.TIME_ENTRY_INVOICED,
            fields={"timeEntryIds": [f"Already invoiced: {_ids(billed)}."]},
        )
    _check_approved(entries, profile)
    not_billable = [e for e in entries if not e.billable]
    if not_billable:
        problems.setdefault("timeEntryIds", []).append(
            f"Time entries that are not billable: {_ids(not_billable)}."
        )
    no_rate = [e for e in entries if e.rate_cents is None]
    if no_rate:
        problems.setdefault("timeEntryIds", []).append(
            f"Time entries without a rate: {_ids(no_rate)}."
        )
    if problems:
        raise field_errors(problems, code=BillingErrorCode.TIME_ENTRIES_NOT_INVOICEABLE)


def _check_approved(entries: list[TimeEntry], profile: FirmProfile) -> None:
    """With the firm's `require_approval` on, only approved time is billed."""
    if not profile.require_approval:
        return
    open_entries = [e for e in entries if e.approval_status != ApprovalStatus.APPROVED]
    if open_entries:
        raise ConflictError(
            f"The firm bills approved time only: approve these time entries first, or leave them "
            f"out: {_ids(open_entries)}.",
            code=PracticeErrorCode.TIME_ENTRY_NOT_APPROVED,
            fields={"timeEntryIds": [f"Not approved: {_ids(open_entries)}."]},
        )


def _invoice_dates(
    profile: FirmProfile, *, issue_date: dt.date | None, due_date: dt.date | None
) -> tuple[dt.date, dt.date]:
    """Issued today unless told; due after the firm's payment terms unless told, never before."""
    issue_date = issue_date or timezone.localdate()
    if due_date is None:
        due_date = issue_date + dt.timedelta(days=profile.payment_terms_days)
    elif due_date < issue_date:
        raise field_errors({"dueDate": ["Must not be before issueDate."]})
    return issue_date, due_date


def _item_engagements(
    firm: Entity, link: ClientLink, items: list[InvoiceItem] | tuple
) -> dict[str, Engagement]:
    """The items' engagements by public id, in one query: each must be one of the client's
    engagements at this firm (another firm's and unknown ids get the same answer)."""
    wanted = {item.engagement_id for item in items if item.engagement_id}
    found = {
        e.public_id: e
        for e in Engagement.objects.filter(firm=firm, public_id__in=wanted).select_related("client")
    }
    problems: dict[str, list[str]] = {}
    for i, item in enumerate(items):
        engagement = found.get(item.engagement_id) if item.engagement_id else None
        if item.engagement_id and engagement is None:
            problems[f"items[{i}].engagementId"] = ["No such engagement for this firm."]
        elif engagement is not None and engagement.client_id != link.client_id:
            problems[f"items[{i}].engagementId"] = ["An engagement of another client."]
    if problems:
        raise field_errors(problems)
    return found


def _billed_hours(ordered: list[TimeEntry], profile: FirmProfile) -> list[Decimal]:
    """The hours each time line bills: the entry's, rounded to the firm's step (0: as they are).
    Nearest may round a short entry to 0.00 h: it is then billed, at nothing (docs/adr/0025)."""
    minutes, mode = profile.time_rounding_minutes, profile.time_rounding_mode
    return [round_hours(e.hours, minutes=minutes, mode=mode) for e in ordered]


def _standard_amounts(
    ordered: list[TimeEntry], hours: list[Decimal], items: list[InvoiceItem] | tuple
) -> list[int]:
    """Each time line's billed hours x rate rounded to the cent, then each item's amount; their
    sum, the subtotal, must fit a cents column, and an invoice needs at least one line."""
    amounts = [
        amount_cents(hours=h, rate_cents=e.rate_cents) for e, h in zip(ordered, hours, strict=True)
    ]
    amounts += [item.amount_cents for item in items]
    if not amounts:
        raise field_errors({"timeEntryIds": ["An invoice needs at least one time entry or item."]})
    if sum(amounts) > MAX_CENTS:
        raise field_errors(
            {
                "timeEntryIds": [
                    f"The invoice total would exceed {MAX_CENTS} cents: bill fewer entries."
                ]
            },
            code=BillingErrorCode.TIME_ENTRIES_NOT_INVOICEABLE,
        )
    return amounts


def _adjusted_amounts(standard: list[int], adjustment: Adjustment) -> list[int]:
    """The lines after the adjustment; the total may go neither below 0 nor past a cents column."""
    total = sum(standard) + adjustment.amount_cents
    if total < 0:
        raise field_errors(
            {"adjustment.amount": [f"Would take the total below 0 (subtotal {sum(standard)})."]}
        )
    if total > MAX_CENTS:
        raise field_errors({"adjustment.amount": [f"Would take the total past {MAX_CENTS}."]})
    if adjustment.amount_cents and not adjustment.reason.strip():
        raise field_errors({"adjustment.reason": ["Required with a non-zero amount."]})
    return allocate_adjustment(standard, adjustment.amount_cents)


def _lines_create(
    invoice: Invoice,
    ordered: list[TimeEntry],
    hours: list[Decimal],
    items: list[InvoiceItem] | tuple,
    engagements: dict[str, Engagement],
    standard: list[int],
    amounts: list[int],
) -> None:
    """Time lines in date order (at their billed hours), then the items in the order given."""
    time_lines = [
        InvoiceLine(
            invoice=invoice,
            kind=InvoiceLineKind.TIME,
            time_entry=entry,
            date=entry.date,
            description=entry.description,
            hours=billed,
            rate_cents=entry.rate_cents,
        )
        for entry, billed in zip(ordered, hours, strict=True)
    ]
    item_lines = [
        InvoiceLine(
            invoice=invoice,
            kind=InvoiceLineKind.ITEM,
            engagement=engagements.get(item.engagement_id) if item.engagement_id else None,
            date=invoice.issue_date,
            description=item.description,
        )
        for item in items
    ]
    lines = time_lines + item_lines
    for position, (line, std, amount) in enumerate(
        zip(lines, standard, amounts, strict=True), start=1
    ):
        line.position, line.standard_amount_cents, line.amount_cents = position, std, amount
    InvoiceLine.objects.bulk_create(lines)


def _invoice_post(invoice: Invoice, *, client_name: str, created_by) -> None:
    """Debit receivable, credit service revenue for the total (a zero invoice posts nothing)."""
    if invoice.total_cents <= 0:
        return
    book, receivable, revenue = _posting_accounts(invoice.firm)
    memo = f"{invoice.display_number} to {client_name}"
    invoice.journal_entry = (
        JournalEntryDraft(
            book=book,
            date=invoice.issue_date,
            memo=memo,
            source=JournalSource.INVOICE,
            created_by=created_by,
        )
        .debit(receivable, invoice.total_cents, memo)
        .credit(revenue, invoice.total_cents, memo)
        .post()
    )
    invoice.save(update_fields=["journal_entry"])


def _entries_mark_billed(entries: list[TimeEntry], invoice: Invoice) -> int:
    """Mark the locked entries billed on `invoice`; the number of rows the update changed."""
    return time_entries_mark_billed(
        entries=entries, invoice_public_id=invoice.public_id, invoice_number=invoice.display_number
    )


@transaction.atomic
def invoice_void(*, firm: Entity, public_id: str, voided_by=None) -> Invoice:
    """Void an open invoice: reverse its journal entry and return its time to unbilled.

    The number stays used. Voiding a void invoice changes nothing; one with live payments is
    refused (they are voided first)."""
    invoice = Invoice.objects.select_for_update().filter(firm=firm, public_id=public_id).first()
    if invoice is None:
        raise NotFoundError()
    if invoice.status == InvoiceStatus.VOID:
        return invoice
    if invoice.amount_paid_cents > 0:
        raise ConflictError(
            "The invoice has payments: void them first.",
            code=BillingErrorCode.INVOICE_HAS_PAYMENTS,
        )
    if invoice.status == InvoiceStatus.PAID:
        raise ConflictError("A paid invoice cannot be voided.", code=BillingErrorCode.INVOICE_PAID)
    ledger_period_check(entity_id=firm.pk, date=timezone.localdate())  # a zero invoice too
    time_entries_mark_unbilled(firm=firm, invoice_public_id=invoice.public_id)
    invoice.lines.update(is_live=False)
    if invoice.journal_entry_id is not None:
        invoice.void_journal_entry = journal_entry_reverse(
            entry=invoice.journal_entry,
            date=timezone.localdate(),
            memo=f"Void {invoice.display_number}",
            source=JournalSource.INVOICE,
            created_by=voided_by,
        )
    invoice.status = InvoiceStatus.VOID
    invoice.voided_at = timezone.now()
    invoice.save(update_fields=["status", "voided_at", "void_journal_entry", "updated_at"])
    InvoiceEvent.objects.create(invoice=invoice, kind=InvoiceEvent.Kind.VOIDED, actor=voided_by)
    events.invoice_event("invoice.voided", firm=firm, invoice=invoice)
    return invoice
