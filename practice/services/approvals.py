"""Time approvals: a firm's ADMIN signs off logged time before it is billed (docs/adr/0025).

An entry is `open` until approved; approving stamps when and by whom, unapproving clears both. With
the firm's `require_approval` on, billing refuses open time (billing.services.invoices), so
approval is the review step between logging and invoicing, as Harvest and Kimai have it.

Approving and unapproving work on many entries at once, in one transaction: the entries are locked
in id order first (`time_entries_lock`, the lock invoicing and edits take, in the same order, so
overlapping requests queue instead of deadlocking), checked under the lock, then changed by ONE
UPDATE, with one history record and one webhook event per entry the call changed. An entry already
in the state asked for is left alone and not counted; one the call would change while it is billed
is refused (billed time is locked until its invoice is voided), and so is the whole call.

Who approves: a firm ADMIN (or a superuser). A request made with an API key acts as the person who
created the key, as its history records do: the key approves while its creator is an ADMIN of the
firm. MEMBERs log time and VIEWERs read it; neither approves (else a member could approve their
own time and the review would mean nothing).
"""

from django.db import transaction
from django.utils import timezone

from axiomatic.core.errors import AccessDeniedError, ConflictError, field_errors
from axiomatic.core.history import history_record_bulk
from axiomatic.entities.models import Entity, Membership, Role, User
from practice import events, selectors
from practice.errors import PracticeErrorCode
from practice.models import ApprovalStatus, TimeEntry
from practice.services.time_entries import time_entries_lock

ONLY_ADMINS_APPROVE = (
    "Approving time is for the firm's admins: ask an ADMIN of the firm to approve it (with an API "
    "key, use one created by an ADMIN)."
)


def may_approve(*, firm: Entity, user: User | None) -> bool:
    """Whether `user` (a session's user, or an API key's creator) may approve the firm's time."""
    return user is not None and selectors.is_firm_admin(firm=firm, user=user)


def approves_anywhere(*, user: User) -> bool:
    """Whether `user` may approve time of at least one firm (the admin offers the actions then)."""
    return user.is_superuser or (
        Membership.objects.filter(
            user=user, role=Role.ADMIN, entity__enrollment__isnull=False
        ).exists()
    )


def _ids(entries) -> str:
    return ", ".join(sorted(e if isinstance(e, str) else e.public_id for e in entries))


def _locked(*, firm: Entity, time_entry_ids: list[str], by: User | None) -> list[TimeEntry]:
    """The named entries of the firm, locked; 403 for a caller who may not approve, 400 naming
    the ids that are not the firm's entries (unknown and another firm's alike)."""
    if not may_approve(firm=firm, user=by):
        raise AccessDeniedError(ONLY_ADMINS_APPROVE)
    wanted = list(dict.fromkeys(time_entry_ids))  # a repeated id is one entry
    entries = time_entries_lock(firm=firm, public_ids=wanted)
    found = {e.public_id for e in entries}
    unknown = [i for i in wanted if i not in found]
    if unknown:
        raise field_errors(
            {"timeEntryIds": [f"No such time entries for this firm: {_ids(unknown)}."]}
        )
    return entries


def _refuse_billed(entries: list[TimeEntry], verb: str) -> None:
    billed = [e for e in entries if e.is_invoiced]
    if billed:
        raise ConflictError(
            f"Time entries already invoiced cannot be {verb}: {_ids(billed)}. Billed time is "
            "locked: void the invoice first.",
            code=PracticeErrorCode.TIME_ENTRY_INVOICED,
            fields={"timeEntryIds": [f"Already invoiced: {_ids(billed)}."]},
        )


def _apply(
    *, firm: Entity, entries: list[TimeEntry], current: str, changes: dict, reason: str, event: str
) -> int:
    """One UPDATE for the locked `entries` (still `current`: under the locks, all of them), then
    their history and events, as they are now."""
    pks = [e.pk for e in entries]
    changed = TimeEntry.objects.filter(pk__in=pks, approval_status=current).update(
        **changes, updated_at=timezone.now()
    )
    rows = list(
        TimeEntry.objects.filter(pk__in=pks).select_related("client", "user").order_by("id")
    )
    history_record_bulk(rows, model=TimeEntry, reason=reason)
    events.time_entries_event(event, firm=firm, entries=rows)
    return changed


@transaction.atomic
def time_entries_approve(*, firm: Entity, time_entry_ids: list[str], by: User | None) -> int:
    """Approve the firm's named entries; the number this call changed from open to approved."""
    entries = _locked(firm=firm, time_entry_ids=time_entry_ids, by=by)
    todo = [e for e in entries if e.approval_status == ApprovalStatus.OPEN]
    _refuse_billed(todo, "approved")
    if not todo:
        return 0
    return _apply(
        firm=firm,
        entries=todo,
        current=ApprovalStatus.OPEN,
        changes={
            "approval_status": ApprovalStatus.APPROVED,
            "approved_at": timezone.now(),
            "approved_by": by,
        },
        reason="Approved",
        event="time_entry.approved",
    )


@transaction.atomic
def time_entries_unapprove(*, firm: Entity, time_entry_ids: list[str], by: User | None) -> int:
    """Return the firm's named approved entries to open; the number this call changed."""
    entries = _locked(firm=firm, time_entry_ids=time_entry_ids, by=by)
    todo = [e for e in entries if e.approval_status == ApprovalStatus.APPROVED]
    _refuse_billed(todo, "unapproved")
    if not todo:
        return 0
    return _apply(
        firm=firm,
        entries=todo,
        current=ApprovalStatus.APPROVED,
        changes={"approval_status": ApprovalStatus.OPEN, "approved_at": None, "approved_by": None},
        reason="Unapproved",
        event="time_entry.unapproved",
    )
