"""Practice reads, always scoped to the firm; lists in a fixed number of queries."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    BigIntegerField,
    BooleanField,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from axiomatic.core.errors import NotFoundError
from axiomatic.core.filtering import filtered
from axiomatic.core.history import Change, history_changes, history_of
from axiomatic.core.money import ratio
from axiomatic.entities.models import Entity, Membership, Role, User
from axiomatic.ledger.models import Book
from practice.filters import ClientLinkFilter, EngagementFilter, TimeEntryFilter
from practice.models import (
    ClientLink,
    Engagement,
    FirmProfile,
    StaffRate,
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
        "client", "engagement", "task", "user", "approved_by"
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
    (practice.filters.EngagementFilter). Each row carries its actuals (`engagements_with_actuals`):
    the list is two queries (engagements, tasks) whatever the number of engagements and entries."""
    qs = filtered(EngagementFilter, Engagement.objects.filter(firm=firm), filters)
    tasks = Task.objects.select_related("assignee").order_by("position", "id")
    return (
        engagements_with_actuals(qs)
        .select_related("client", "assignee")
        .prefetch_related(Prefetch("tasks", queryset=tasks))
    )


def engagement_get(*, firm: Entity, public_id: str) -> Engagement:
    engagement = engagement_list(firm=firm, filters={}).filter(public_id=public_id).first()
    if engagement is None:
        raise NotFoundError()
    return engagement


def engagements_with_actuals(queryset: QuerySet[Engagement]) -> QuerySet[Engagement]:
    """`queryset` with each engagement's actuals as columns of the same query (one correlated
    subquery each, never a query per engagement; docs/adr/0026):

    - `actual_hours`: the hours of all its time entries, billable or not;
    - `actual_amount_cents`: their standard value, the sum of each entry's amount (hours x the rate
      stored on it); an entry without a rate adds nothing.
    """
    time = TimeEntry.objects.filter(engagement=OuterRef("pk")).order_by().values("engagement")
    hours = DecimalField(max_digits=12, decimal_places=2)
    return queryset.annotate(
        actual_hours=Coalesce(
            Subquery(time.annotate(total=Sum("hours")).values("total"), output_field=hours),
            Value(Decimal("0"), output_field=hours),
        ),
        actual_amount_cents=Coalesce(
            Subquery(
                time.annotate(total=Sum("amount_cents")).values("total"),
                output_field=BigIntegerField(),
            ),
            Value(0, output_field=BigIntegerField()),
        ),
    )


def engagements_attach_actuals(engagements) -> None:
    """Set `actual_hours` and `actual_amount_cents` (as `engagements_with_actuals` annotates them)
    on engagements already fetched, from one grouped query over their time entries: for a page of
    a list, whose annotated subqueries the database would run for every row before the page's
    offset too."""
    wanted = [e for e in engagements if not hasattr(e, "actual_hours")]
    if not wanted:
        return
    totals = {
        row["engagement_id"]: row
        for row in TimeEntry.objects.filter(engagement_id__in=[e.pk for e in wanted])
        .values("engagement_id")
        .annotate(hours=Sum("hours"), amount=Sum("amount_cents"))
        .order_by()
    }
    for engagement in wanted:
        row = totals.get(engagement.pk, {})
        engagement.actual_hours = row.get("hours") or Decimal("0")
        engagement.actual_amount_cents = row.get("amount") or 0


def engagement_budget_used(engagement: Engagement) -> Decimal | None:
    """The share of its budget an engagement (from `engagements_with_actuals`) has used, as a
    fraction to four places (0.8235; above 1 when over budget); None without a budget. With both
    budgets set the amount budget is the one measured (docs/adr/0026)."""
    if engagement.budget_amount_cents is not None:
        return ratio(engagement.actual_amount_cents, engagement.budget_amount_cents)
    if engagement.budget_hours is not None:
        return ratio(engagement.actual_hours, engagement.budget_hours)
    return None


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
    "approval_status",
    "approved_at",
    "approved_by",
)


def time_entry_history(*, firm: Entity, public_id: str) -> QuerySet:
    """The history records of the firm's time entry, deleted or not; 404 for unknown and foreign."""
    return history_of(TimeEntry, firm=firm, public_id=public_id)


def time_entry_changes(records) -> list[Change]:
    """What each record (a page of `time_entry_history`, oldest first) changed."""
    return history_changes(records, fields=TIME_ENTRY_HISTORY_FIELDS)


# --- Staff and their rates ------------------------------------------------------------------------


def firm_public_ids_of_staff(user: User) -> list[str]:
    """The partner firms `user` is a member of (any role), by public id, oldest first: the firm a
    session means when it names none (it must, when there are several)."""
    return list(
        Membership.objects.filter(user_id=user.pk, entity__enrollment__isnull=False)
        .order_by("entity_id")
        .values_list("entity__public_id", flat=True)
    )


def staff_list(*, firm: Entity) -> QuerySet[Membership]:
    """The firm's own people (its memberships), each user with their rates at this firm oldest
    first (`user.firm_rates`): two queries whatever the number of staff or rates."""
    rates = StaffRate.objects.filter(firm=firm).order_by("effective_from")
    return (
        Membership.objects.filter(entity=firm)
        .select_related("user")
        .prefetch_related(Prefetch("user__staff_rates", queryset=rates, to_attr="firm_rates"))
    )


@dataclass(frozen=True)
class StaffMember:
    user: User
    role: str
    rates: list[StaffRate]  # oldest first
    rate_cents: int | None  # the one in effect on the day asked for


def rate_in_effect(rates: list[StaffRate], day: dt.date) -> int | None:
    """Of effective-dated `rates` (oldest first), the one in effect on `day`: the latest that took
    effect on or before it. None before the first."""
    current = None
    for rate in rates:
        if rate.effective_from > day:
            break
        current = rate.rate_cents
    return current


def staff_member(membership: Membership, *, on: dt.date) -> StaffMember:
    """A membership of `staff_list` as the staff member it is, with the rate in effect `on`."""
    rates = membership.user.firm_rates
    return StaffMember(
        user=membership.user,
        role=membership.role,
        rates=rates,
        rate_cents=rate_in_effect(rates, on),
    )


def staff_member_get(*, firm: Entity, user_public_id: str, on: dt.date) -> StaffMember:
    """One of the firm's people; the same 404 for unknown users and other firms' people."""
    membership = staff_list(firm=firm).filter(user__public_id=user_public_id).first()
    if membership is None:
        raise NotFoundError()
    return staff_member(membership, on=on)


def staff_rate_on(*, firm: Entity, user: User, day: dt.date) -> int | None:
    """`user`'s rate at `firm` in effect on `day` (the latest effective on or before it)."""
    return (
        StaffRate.objects.filter(firm=firm, user=user, effective_from__lte=day)
        .order_by("-effective_from")
        .values_list("rate_cents", flat=True)
        .first()
    )


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


def firm_ids_administered_by(user: User) -> set[int]:
    """Primary keys of the partner firms where `user` is an ADMIN (what they may set rates and
    settings for); a superuser's are every firm's."""
    firms = Entity.objects.filter(enrollment__isnull=False)
    if not user.is_superuser:
        firms = firms.filter(memberships__user_id=user.pk, memberships__role=Role.ADMIN)
    return set(firms.values_list("pk", flat=True))


def timer_elapsed_seconds(timer: Timer, *, now: dt.datetime | None = None) -> int:
    """Whole seconds the timer ran: until now while it runs, else until it stopped."""
    end = timer.stopped_at or now or timezone.now()
    return max(int((end - timer.started_at).total_seconds()), 0)


# --- Review: a staff member's week, the budgets used -------------------------------------------


def firm_people(*, firm: Entity) -> QuerySet[Membership]:
    """The firm's own people (its memberships with their users), by name: one query."""
    return (
        Membership.objects.filter(entity=firm)
        .select_related("user")
        .order_by("user__full_name", "user__email", "id")
    )


def week_time_entries(*, firm: Entity, user: User, monday: dt.date) -> QuerySet[TimeEntry]:
    """The firm's time entries of `user` dated in the week from `monday` to its Sunday, with their
    client and engagement, by day: one query whatever their number."""
    return (
        TimeEntry.objects.filter(
            firm=firm, user=user, date__gte=monday, date__lte=monday + dt.timedelta(days=6)
        )
        .select_related("client", "engagement")
        .order_by("date", "id")
    )


# Over budget: what was used passes the budget that `engagement_budget_used` measures (the amount
# budget when both are set, else the hours').
_OVER_BUDGET = Q(
    budget_amount_cents__isnull=False, actual_amount_cents__gt=F("budget_amount_cents")
)
_OVER_BUDGET |= Q(budget_amount_cents__isnull=True, actual_hours__gt=F("budget_hours"))


def engagement_budgets(
    *,
    firm: Entity,
    client: Entity | None = None,
    status: str | None = None,
    over_budget_only: bool = False,
) -> QuerySet[Engagement]:
    """The firm's engagements with a budget (an amount, hours or both), with their actuals
    (`engagements_with_actuals`) and `over_budget`, by client and name: one query whatever the
    number of engagements or entries. `client` and `status` narrow them; `over_budget_only` keeps
    those over budget."""
    queryset = Engagement.objects.filter(firm=firm).filter(
        Q(budget_amount_cents__isnull=False) | Q(budget_hours__isnull=False)
    )
    if client is not None:
        queryset = queryset.filter(client=client)
    if status:
        queryset = queryset.filter(status=status)
    queryset = engagements_with_actuals(queryset).annotate(
        over_budget=ExpressionWrapper(_OVER_BUDGET, output_field=BooleanField())
    )
    if over_budget_only:
        queryset = queryset.filter(over_budget=True)
    return queryset.select_related("client").order_by("client__name", "name", "id")
