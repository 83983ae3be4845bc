"""Time entries: create, edit, delete, each under the rules billing relies on.

The rate is snapshotted when the entry is written: the explicit rate, else its engagement's rate,
the client link's default rate, the staff member's rate in effect on the entry's date, the firm's
default rate, else none (an entry without a rate cannot be invoiced). `rate_source` says which.
Later rate changes never re-price an entry; an edit derives a non-explicit rate again only when
what it was derived from changes (client, engagement, user or date) or the rate is cleared (ADR
0024). Time on a fixed-fee or non-billable engagement is not billable unless the request says so.

Edits and deletes lock the entry's row first, the same lock invoicing takes, and refuse a billed
entry (409 `time_entry_invoiced`), an entry dated on or before the firm's time lock date (409
`period_locked`, also for creating or moving time there; on PostgreSQL a trigger is the backstop)
and an approved entry (409 `time_entry_approved`: unapprove it first).
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from axiomatic.core.errors import ConflictError, NotFoundError, field_errors
from axiomatic.core.history import history_record_bulk
from axiomatic.core.money import amount_cents
from axiomatic.entities.models import Entity, User
from practice import events, selectors
from practice.errors import NOT_A_FIRM_MEMBER, PracticeErrorCode
from practice.models import (
    ApprovalStatus,
    BillingMethod,
    BillingStatus,
    ClientLink,
    Engagement,
    FirmProfile,
    RateSource,
    Task,
    TimeEntry,
)
from practice.services.references import external_reference_check, save_guarding_reference
from practice.services.settings import time_lock_refuse

UNSET = object()
# `changes` keys of time_entry_update copied as they are, and the field each sets.
_PLAIN_FIELDS = {
    "work_date": "date",
    "hours": "hours",
    "description": "description",
    "billable": "billable",
    "external_reference": "external_reference",
}
# Time on these engagements is not billed by the hour: billable: false unless the request says so.
_NOT_BILLED_BY_THE_HOUR = frozenset({BillingMethod.FIXED_FEE, BillingMethod.NON_BILLABLE})
# What a derived rate depends on: when one of these changes, an edit derives the rate again.
_RATE_INPUTS = ("client_id", "engagement_id", "user_id", "date")


def _rate_for(
    *,
    firm: Entity,
    firm_rate: int | None,
    link: ClientLink | None,
    engagement: Engagement | None,
    user: User | None,
    work_date: dt.date,
    explicit: int | None,
) -> tuple[int | None, str]:
    """The entry's rate and where it came from, first found: explicit, engagement, client,
    staff (effective on `work_date`), firm, none."""
    if explicit is not None:
        return explicit, RateSource.EXPLICIT
    if engagement is not None and engagement.rate_cents is not None:
        return engagement.rate_cents, RateSource.ENGAGEMENT
    if link is not None and link.default_rate_cents is not None:
        return link.default_rate_cents, RateSource.CLIENT
    if user is not None:
        staff_rate = selectors.staff_rate_on(firm=firm, user=user, day=work_date)
        if staff_rate is not None:
            return staff_rate, RateSource.STAFF
    if firm_rate is not None:
        return firm_rate, RateSource.FIRM
    return None, RateSource.NONE


def billable_by_default(engagement: Engagement | None) -> bool:
    """Whether time on `engagement` is billable when the request does not say."""
    return engagement is None or engagement.billing_method not in _NOT_BILLED_BY_THE_HOUR


def _amount(hours: Decimal, rate: int | None) -> int | None:
    return None if rate is None else amount_cents(hours=hours, rate_cents=rate)


def time_entry_references(
    *, firm: Entity, client: Entity, engagement_id, task_id, user_id=UNSET
) -> dict:
    """Engagement, task and user named in the body, looked up within the firm and client.

    UNSET leaves a reference alone, None clears it. A task brings its engagement along; naming both,
    they must match. (time_entry_update drops a task that no longer fits a changed engagement.)
    Unknown and foreign ids get the same 400 naming the field. Timers resolve theirs here too.
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
    billable: bool | None = None,
    rate_cents: int | None = None,
    engagement_id: str | None = None,
    task_id: str | None = None,
    user_id: str | None = None,
    default_user=None,
    external_reference: str | None = None,
) -> TimeEntry:
    """Log time. `billable` None: billable unless the engagement is fixed-fee or non-billable."""
    client = link.client
    profile = selectors.firm_profile(firm)
    time_lock_refuse(profile, work_date, f"Time dated {work_date.isoformat()} cannot be logged")
    external_reference_check(model=TimeEntry, firm=firm, reference=external_reference)
    refs = time_entry_references(
        firm=firm, client=client, engagement_id=engagement_id, task_id=task_id, user_id=user_id
    )
    engagement = refs.get("engagement")
    user = refs.get("user") if user_id else default_user
    rate, source = _rate_for(
        firm=firm,
        firm_rate=profile.default_rate_cents,
        link=link,
        engagement=engagement,
        user=user,
        work_date=work_date,
        explicit=rate_cents,
    )
    entry = TimeEntry(
        firm=firm,
        client=client,
        engagement=engagement,
        task=refs.get("task"),
        user=user,
        date=work_date,
        hours=hours,
        description=description,
        billable=billable_by_default(engagement) if billable is None else billable,
        rate_cents=rate,
        rate_source=source,
        amount_cents=_amount(hours, rate),
        external_reference=external_reference,
    )
    _save(entry)
    events.time_entry_event("time_entry.created", firm=firm, entry=entry)
    return entry


def _locked_entry(*, firm: Entity, public_id: str, profile: FirmProfile) -> TimeEntry:
    """The firm's entry, row-locked, if it may still be changed or deleted: not billed, not in
    the locked period, not approved (checked in that order: the first is the hardest to undo)."""
    # Why lock first: the same row lock invoicing and approving take, so they never interleave.
    entry = TimeEntry.objects.select_for_update().filter(firm=firm, public_id=public_id).first()
    if entry is None:
        raise NotFoundError()
    if entry.billing_status == BillingStatus.BILLED:
        raise ConflictError(
            f"Time entry {entry.public_id} is on invoice {entry.invoice_number or entry.invoice_public_id}"
            " and can no longer be changed or deleted.",
            code=PracticeErrorCode.TIME_ENTRY_INVOICED,
        )
    time_lock_refuse(
        profile,
        entry.date,
        f"Time entry {entry.public_id} is dated {entry.date.isoformat()} and can no longer be "
        "changed or deleted",
    )
    if entry.approval_status == ApprovalStatus.APPROVED:
        raise ConflictError(
            f"Time entry {entry.public_id} is approved and cannot be changed or deleted: "
            "unapprove it first.",
            code=PracticeErrorCode.TIME_ENTRY_APPROVED,
        )
    return entry


@transaction.atomic
def time_entry_update(
    *, firm: Entity, public_id: str, link: ClientLink | None, changes: dict
) -> TimeEntry:
    """Edit an entry that is not billed, approved or in the locked period. `link` is the new
    client's link when `entityId` is given.

    `changes` keys: work_date, hours, description, billable, rate_cents, engagement_id, task_id,
    user_id, external_reference. Moving to another client drops engagement and task unless given.
    A rate that was not given explicitly is derived again when client, engagement, user or date
    change; `billable` follows a new engagement's default when it followed the old one's.
    """
    profile = selectors.firm_profile(firm)
    entry = _locked_entry(firm=firm, public_id=public_id, profile=profile)
    before = {name: getattr(entry, name) for name in _RATE_INPUTS}
    old_engagement = entry.engagement
    if link is not None and link.client_id != entry.client_id:
        entry.client = link.client
        changes.setdefault("engagement_id", None)
        changes.setdefault("task_id", None)
    external_reference_check(
        model=TimeEntry,
        firm=firm,
        reference=changes.get("external_reference"),
        exclude_pk=entry.pk,
    )
    _apply_references(entry, firm=firm, changes=changes)
    for key, attr in _PLAIN_FIELDS.items():
        if key in changes:
            setattr(entry, attr, changes[key])
    if entry.date != before["date"]:
        time_lock_refuse(
            profile,
            entry.date,
            f"Time entry {entry.public_id} cannot be moved to {entry.date.isoformat()}",
        )
    if "billable" not in changes and entry.engagement_id != before["engagement_id"]:
        entry.billable = _billable_after_move(entry.billable, old_engagement, entry.engagement)
    inputs_changed = any(getattr(entry, name) != before[name] for name in _RATE_INPUTS)
    _reprice(
        entry,
        firm=firm,
        profile=profile,
        link=link,
        changes=changes,
        inputs_changed=inputs_changed,
    )
    _save(entry)
    events.time_entry_event("time_entry.updated", firm=firm, entry=entry)
    return entry


def _billable_after_move(billable: bool, old: Engagement | None, new: Engagement | None) -> bool:
    """A flag that followed the old engagement's default follows the new one's; one set against
    the default was a decision, and stays."""
    return billable_by_default(new) if billable == billable_by_default(old) else billable


def _apply_references(entry: TimeEntry, *, firm: Entity, changes: dict) -> None:
    refs = time_entry_references(
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


def _reprice(
    entry: TimeEntry,
    *,
    firm: Entity,
    profile: FirmProfile,
    link: ClientLink | None,
    changes: dict,
    inputs_changed: bool,
) -> None:
    """An explicit rate wins; clearing it, or changing what a derived rate came from, derives it
    again from the rates as they are now. Otherwise the snapshot stays; the amount follows hours."""
    if changes.get("rate_cents") is not None:
        entry.rate_cents, entry.rate_source = changes["rate_cents"], RateSource.EXPLICIT
    elif "rate_cents" in changes or (inputs_changed and entry.rate_source != RateSource.EXPLICIT):
        if link is None or link.client_id != entry.client_id:
            # The entry's own client: its newest link, archived or not.
            link = (
                ClientLink.objects.filter(firm=firm, client_id=entry.client_id)
                .order_by("-id")
                .first()
            )
        entry.rate_cents, entry.rate_source = _rate_for(
            firm=firm,
            firm_rate=profile.default_rate_cents,
            link=link,
            engagement=entry.engagement,
            user=entry.user,
            work_date=entry.date,
            explicit=None,
        )
    entry.amount_cents = _amount(entry.hours, entry.rate_cents)


@transaction.atomic
def time_entry_delete(*, firm: Entity, public_id: str) -> None:
    entry = _locked_entry(firm=firm, public_id=public_id, profile=selectors.firm_profile(firm))
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
