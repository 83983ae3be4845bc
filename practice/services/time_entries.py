"""Time entries: create, edit, delete, each under the rules billing relies on.

The rate is snapshotted when the entry is written: the explicit rate, else the client link's default
rate, else the firm's, else none (an entry without a rate cannot be invoiced). Later rate changes never
re-price an entry. Edits and deletes lock the entry's row first, the same lock invoicing takes, and
refuse a billed entry with 409 `time_entry_invoiced`.
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from axiomatic.core.errors import ConflictError, NotFoundError, field_errors
from axiomatic.core.history import history_record_bulk
from axiomatic.core.money import amount_cents
from axiomatic.entities.models import Entity
from practice import events, selectors
from practice.errors import NOT_A_FIRM_MEMBER, PracticeErrorCode
from practice.models import (
    BillingStatus,
    ClientLink,
    Engagement,
    FirmProfile,
    RateSource,
    Task,
    TimeEntry,
)
from practice.services.references import external_reference_check, save_guarding_reference

UNSET = object()
# `changes` keys of time_entry_update copied as they are, and the field each sets.
_PLAIN_FIELDS = {
    "work_date": "date",
    "hours": "hours",
    "description": "description",
    "billable": "billable",
    "external_reference": "external_reference",
}


def _rate_for(
    *, firm: Entity, link: ClientLink | None, explicit: int | None
) -> tuple[int | None, str]:
    if explicit is not None:
        return explicit, RateSource.EXPLICIT
    if link is not None and link.default_rate_cents is not None:
        return link.default_rate_cents, RateSource.CLIENT
    firm_rate = (
        FirmProfile.objects.filter(firm=firm).values_list("default_rate_cents", flat=True).first()
    )
    if firm_rate is not None:
        return firm_rate, RateSource.FIRM
    return None, RateSource.NONE


def _amount(hours: Decimal, rate: int | None) -> int | None:
    return None if rate is None else amount_cents(hours=hours, rate_cents=rate)


def _resolve_references(*, firm: Entity, client: Entity, engagement_id, task_id, user_id) -> dict:
    """Engagement, task and user named in the body, looked up within the firm and client.

    UNSET leaves a reference alone, None clears it. A task brings its engagement along; naming both,
    they must match. (time_entry_update drops a task that no longer fits a changed engagement.) Unknown and foreign ids get the same 400 naming the field.
    """
    errors: dict[str, list[str]] = {}
    resolved: dict = {}
    engagement = None
    if engagement_id is not UNSET:
        if engagement_id is not None:
            engagement = Engagement.objects.filter(
                firm=firm, client=client, public_id=engagement_id
            ).first()
            if engagement is None:
                errors["engagementId"] = ["No such engagement for this client."]
        resolved["engagement"] = engagement
    if task_id is not UNSET:
        task = None
        if task_id is not None:
            task = (
                Task.objects.select_related("engagement")
                .filter(engagement__firm=firm, engagement__client=client, public_id=task_id)
                .first()
            )
            if task is None:
                errors["taskId"] = ["No such task for this client."]
            elif engagement is not None and task.engagement_id != engagement.pk:
                errors["taskId"] = ["This task belongs to another engagement."]
            elif engagement is None:
                resolved["engagement"] = task.engagement
        resolved["task"] = task
    if user_id is not UNSET:
        user = None
        if user_id is not None:
            user = selectors.firm_member(firm=firm, user_public_id=user_id)
            if user is None:
                errors["userId"] = [NOT_A_FIRM_MEMBER]
        resolved["user"] = user
    if errors:
        raise field_errors(errors)
    return resolved


def _save(entry: TimeEntry) -> None:
    save_guarding_reference(
        entry.save,
        model=TimeEntry,
        firm=entry.firm,
        reference=entry.external_reference,
        exclude_pk=entry.pk,
    )


@transaction.atomic
def time_entry_create(
    *,
    firm: Entity,
    link: ClientLink,
    work_date: dt.date,
    hours: Decimal,
    description: str = "",
    billable: bool = True,
    rate_cents: int | None = None,
    engagement_id: str | None = None,
    task_id: str | None = None,
    user_id: str | None = None,
    default_user=None,
    external_reference: str | None = None,
) -> TimeEntry:
    client = link.client
    external_reference_check(model=TimeEntry, firm=firm, reference=external_reference)
    refs = _resolve_references(
        firm=firm, client=client, engagement_id=engagement_id, task_id=task_id, user_id=user_id
    )
    rate, source = _rate_for(firm=firm, link=link, explicit=rate_cents)
    entry = TimeEntry(
        firm=firm,
        client=client,
        engagement=refs.get("engagement"),
        task=refs.get("task"),
        user=refs.get("user") if user_id else default_user,
        date=work_date,
        hours=hours,
        description=description,
        billable=billable,
        rate_cents=rate,
        rate_source=source,
        amount_cents=_amount(hours, rate),
        external_reference=external_reference,
    )
    _save(entry)
    events.time_entry_event("time_entry.created", firm=firm, entry=entry)
    return entry


def _locked_entry(*, firm: Entity, public_id: str) -> TimeEntry:
    # Why order: the same row lock invoicing takes, so an edit and an invoice never interleave.
    entry = TimeEntry.objects.select_for_update().filter(firm=firm, public_id=public_id).first()
    if entry is None:
        raise NotFoundError()
    if entry.billing_status == BillingStatus.BILLED:
        raise ConflictError(
            f"Time entry {entry.public_id} is on invoice {entry.invoice_number or entry.invoice_public_id}"
            " and can no longer be changed or deleted.",
            code=PracticeErrorCode.TIME_ENTRY_INVOICED,
        )
    return entry


@transaction.atomic
def time_entry_update(
    *, firm: Entity, public_id: str, link: ClientLink | None, changes: dict
) -> TimeEntry:
    """Edit an unbilled entry. `link` is the new client's link when `entityId` is given.

    `changes` keys: work_date, hours, description, billable, rate_cents, engagement_id, task_id,
    user_id, external_reference. Moving to another client drops engagement and task unless given, and
    re-derives a rate that was not given explicitly.
    """
    entry = _locked_entry(firm=firm, public_id=public_id)
    client_changed = link is not None and link.client_id != entry.client_id
    if client_changed:
        entry.client = link.client
        changes.setdefault("engagement_id", None)
        changes.setdefault("task_id", None)
    external_reference_check(
        model=TimeEntry,
        firm=firm,
        reference=changes.get("external_reference"),
        exclude_pk=entry.pk,
    )
    refs = _resolve_references(
        firm=firm,
        client=entry.client,
        engagement_id=changes.get("engagement_id", UNSET),
        task_id=changes.get("task_id", UNSET),
        user_id=changes.get("user_id", UNSET),
    )
    for name, value in refs.items():
        setattr(entry, name, value)
    # A task lives in one engagement: moving the entry off it drops the stale task.
    stale_task = entry.task_id is not None and (
        entry.engagement is None or entry.task.engagement_id != entry.engagement.pk
    )
    if "engagement" in refs and "task" not in refs and stale_task:
        entry.task = None
    for key, attr in _PLAIN_FIELDS.items():
        if key in changes:
            setattr(entry, attr, changes[key])
    _reprice(entry, firm=firm, link=link, changes=changes, client_changed=client_changed)
    _save(entry)
    events.time_entry_event("time_entry.updated", firm=firm, entry=entry)
    return entry


def _reprice(
    entry: TimeEntry, *, firm: Entity, link: ClientLink | None, changes: dict, client_changed: bool
) -> None:
    """An explicit rate wins; clearing it, or moving to another client, derives it again."""
    if changes.get("rate_cents") is not None:
        entry.rate_cents, entry.rate_source = changes["rate_cents"], RateSource.EXPLICIT
    elif "rate_cents" in changes or (client_changed and entry.rate_source != RateSource.EXPLICIT):
        if link is None:  # the entry's own client: its newest link, archived or not
            link = (
                ClientLink.objects.filter(firm=firm, client_id=entry.client_id)
                .order_by("-id")
                .first()
            )
        entry.rate_cents, entry.rate_source = _rate_for(firm=firm, link=link, explicit=None)
    entry.amount_cents = _amount(entry.hours, entry.rate_cents)


@transaction.atomic
def time_entry_delete(*, firm: Entity, public_id: str) -> None:
    entry = _locked_entry(firm=firm, public_id=public_id)
    events.time_entry_event("time_entry.deleted", firm=firm, entry=entry)  # as it was
    entry.delete()


def time_entries_lock(*, firm: Entity, public_ids: list[str]) -> list[TimeEntry]:
    """The firm's entries among `public_ids`, locked in id order (the order every locker uses, so
    overlapping invoicing requests queue instead of deadlocking). Caller holds a transaction."""
    return list(
        TimeEntry.objects.select_for_update(of=("self",))
        .select_related("client")
        .filter(firm=firm, public_id__in=public_ids)
        .order_by("id")
    )


def time_entries_mark_billed(
    *, entries: list[TimeEntry], invoice_public_id: str, invoice_number: str
) -> int:
    """Mark locked, unbilled entries as billed on an invoice. Caller holds their locks.

    One UPDATE for all of them, then one history record each for the rows it changed (re-read:
    under the locks, exactly those now billed on this new invoice)."""
    now = timezone.now()
    marked = TimeEntry.objects.filter(
        pk__in=[e.pk for e in entries], billing_status=BillingStatus.UNBILLED
    ).update(
        billing_status=BillingStatus.BILLED,
        invoice_public_id=invoice_public_id,
        invoice_number=invoice_number,
        billed_at=now,
        updated_at=now,
    )
    changed = TimeEntry.objects.filter(
        pk__in=[e.pk for e in entries], invoice_public_id=invoice_public_id
    ).order_by("id")
    history_record_bulk(
        changed.iterator(chunk_size=500), model=TimeEntry, reason=f"Billed on {invoice_number}"
    )
    return marked


def time_entries_mark_unbilled(*, firm: Entity, invoice_public_id: str) -> int:
    """Return the entries of a voided invoice to unbilled, under their row locks."""
    ids = list(
        TimeEntry.objects.select_for_update()
        .filter(firm=firm, invoice_public_id=invoice_public_id)
        .order_by("id")
        .values_list("id", flat=True)
    )
    unmarked = TimeEntry.objects.filter(pk__in=ids).update(
        billing_status=BillingStatus.UNBILLED,
        invoice_public_id=None,
        invoice_number=None,
        billed_at=None,
        updated_at=timezone.now(),
    )
    history_record_bulk(
        TimeEntry.objects.filter(pk__in=ids).order_by("id").iterator(chunk_size=500),
        model=TimeEntry,
        reason="Invoice voided",
    )
    return unmarked
