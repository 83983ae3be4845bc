"""Practice reads, always scoped to the firm; lists in a fixed number of queries."""

import datetime as dt
from decimal import Decimal

from django.db.models import DecimalField, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from axiomatic.core.errors import NotFoundError
from axiomatic.core.filtering import filtered
from axiomatic.core.history import Change, history_changes, history_of
from axiomatic.entities.models import Entity, Membership, Role, User
from axiomatic.ledger.models import Book
from practice.filters import ClientLinkFilter, EngagementFilter, TimeEntryFilter
from practice.models import (
    ClientLink,
    Engagement,
    FirmProfile,
    Task,
    TimeEntry,
    Timer,
    TimerStatus,
)


def active_client_links(firm: Entity) -> QuerySet[ClientLink]:
    return ClientLink.objects.filter(firm=firm, archived_at__isnull=True)


def client_entity_ids(firm: Entity) -> QuerySet:
    """Primary keys of the firm's active clients (registered as the platform's reach seam)."""
    return active_client_links(firm).values("client_id")


def firm_ids_of_client(client: Entity) -> QuerySet:
    """Primary keys of the firms with an active link to `client` (the platform's reach seam, back)."""
    return ClientLink.objects.filter(client=client, archived_at__isnull=True).values("firm_id")


def staff_mfa_required(user: User) -> bool:
    """Is `user` a member (any role) of a firm that requires staff MFA? (the platform's seam)"""
    return FirmProfile.objects.filter(require_mfa=True, firm__memberships__user=user).exists()


def firm_profile(firm: Entity) -> FirmProfile:
    """The firm's practice settings; an unsaved row with every default when it has none yet."""
    return FirmProfile.objects.filter(firm=firm).first() or FirmProfile(firm=firm)


def is_firm_admin(*, firm: Entity, user: User) -> bool:
    return (
        user.is_superuser
        or Membership.objects.filter(entity=firm, user=user, role=Role.ADMIN).exists()
    )


def firm_member(*, firm: Entity, user_public_id: str) -> User | None:
    """The user `user_public_id` if they are a member of the firm (assignee, time entry's user)."""
    membership = (
        Membership.objects.select_related("user")
        .filter(entity=firm, user__public_id=user_public_id)
        .first()
    )
    return None if membership is None else membership.user


def firm_of_user_reaching_client(*, user_id: int, client_public_id: str) -> str | None:
    """The public id of the first of the user's firms with an active link to the client."""
    return (
        Membership.objects.filter(
            user_id=user_id,
            entity__client_links__client__public_id=client_public_id,
            entity__client_links__archived_at__isnull=True,
        )
        .values_list("entity__public_id", flat=True)
        .order_by("entity_id")
        .first()
    )


def client_link_get(*, firm: Entity, entity_id: str) -> ClientLink:
    """The active link to client `entity_id`; the same 404 for unknown, foreign and archived."""
    link = (
        active_client_links(firm)
        .select_related("client")
        .filter(client__public_id=entity_id)
        .first()
    )
    if link is None:
        raise NotFoundError()
    return link


def client_list(*, firm: Entity, filters: dict) -> QuerySet[ClientLink]:
    """`filters`: external_reference, updated_since (practice.filters.ClientLinkFilter)."""
    qs = active_client_links(firm).select_related("client")
    return filtered(ClientLinkFilter, qs, filters)


def client_with_books(*, link_id: int) -> ClientLink:
    books = Book.objects.order_by("id")
    return (
        ClientLink.objects.select_related("client")
        .prefetch_related(Prefetch("client__books", queryset=books))
        .get(pk=link_id)
    )


def _time_filtered(*, firm: Entity, filters: dict) -> QuerySet[TimeEntry]:
    """`filters`: client_entity_id, date_from, date_to, unbilled_only, engagement_id, user_id,
    billable, updated_since (practice.filters.TimeEntryFilter)."""
    return filtered(TimeEntryFilter, TimeEntry.objects.filter(firm=firm), filters)


def time_entry_list(*, firm: Entity, filters: dict) -> QuerySet[TimeEntry]:
    return _time_filtered(firm=firm, filters=filters).select_related(
        "client", "engagement", "task", "user"
    )


def time_entry_totals(*, firm: Entity, filters: dict) -> dict[str, Decimal]:
    """totalHours and billableHours over the whole filtered set, in one aggregate query."""
    zero = Value(Decimal("0"), output_field=DecimalField(max_digits=12, decimal_places=2))
    return _time_filtered(firm=firm, filters=filters).aggregate(
        total=Coalesce(Sum("hours"), zero),
        billable=Coalesce(Sum("hours", filter=Q(billable=True)), zero),
    )


def time_entry_get(*, firm: Entity, public_id: str) -> TimeEntry:
    entry = time_entry_list(firm=firm, filters={}).filter(public_id=public_id).first()
    if entry is None:
        raise NotFoundError()
    return entry


def engagement_list(*, firm: Entity, filters: dict) -> QuerySet[Engagement]:
    """`filters`: client_entity_id, status, assignee_user_id, updated_since
    (practice.filters.EngagementFilter)."""
    qs = filtered(EngagementFilter, Engagement.objects.filter(firm=firm), filters)
    tasks = Task.objects.select_related("assignee").order_by("position", "id")
    return qs.select_related("client", "assignee").prefetch_related(
        Prefetch("tasks", queryset=tasks)
    )


def engagement_get(*, firm: Entity, public_id: str) -> Engagement:
    engagement = engagement_list(firm=firm, filters={}).filter(public_id=public_id).first()
    if engagement is None:
        raise NotFoundError()
    return engagement


# What a time entry's history shows: every field an integration sees, none of the bookkeeping.
TIME_ENTRY_HISTORY_FIELDS = (
    "client",
    "engagement",
    "task",
    "user",
    "date",
    "hours",
    "description",
    "billable",
    "rate_cents",
    "rate_source",
    "amount_cents",
    "external_reference",
    "billing_status",
    "invoice_public_id",
    "invoice_number",
    "billed_at",
)


def time_entry_history(*, firm: Entity, public_id: str) -> QuerySet:
    """The history records of the firm's time entry, deleted or not; 404 for unknown and foreign."""
    return history_of(TimeEntry, firm=firm, public_id=public_id)


def time_entry_changes(records) -> list[Change]:
    """What each record (a page of `time_entry_history`, oldest first) changed."""
    return history_changes(records, fields=TIME_ENTRY_HISTORY_FIELDS)


# --- Timers ---------------------------------------------------------------------------------------


def _timers(firm: Entity) -> QuerySet[Timer]:
    return Timer.objects.filter(firm=firm).select_related(
        "user", "client", "engagement", "task", "time_entry"
    )


def timer_list(*, firm: Entity, user_public_id: str | None = None) -> QuerySet[Timer]:
    """The firm's running timers (of one user, if named), oldest first: one query, any number."""
    timers = _timers(firm).filter(status=TimerStatus.RUNNING)
    if user_public_id is not None:
        timers = timers.filter(user__public_id=user_public_id)
    return timers.order_by("started_at", "id")


def timer_get(*, firm: Entity, public_id: str) -> Timer:
    timer = _timers(firm).filter(public_id=public_id).first()
    if timer is None:
        raise NotFoundError()
    return timer


def timer_running_of(*, user: User) -> Timer | None:
    """The user's running timer, whichever firm it is for (at most one runs per user)."""
    return (
        Timer.objects.filter(user=user, status=TimerStatus.RUNNING)
        .select_related("firm", "client", "engagement", "task")
        .first()
    )


def timer_elapsed_seconds(timer: Timer, *, now: dt.datetime | None = None) -> int:
    """Whole seconds the timer ran: until now while it runs, else until it stopped."""
    end = timer.stopped_at or now or timezone.now()
    return max(int((end - timer.started_at).total_seconds()), 0)
