"""Practice reads, always scoped to the firm; lists in a fixed number of queries."""

from decimal import Decimal

from django.db.models import DecimalField, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from axiomatic.core.errors import NotFoundError
from axiomatic.entities.models import Entity
from axiomatic.ledger.models import Book
from practice.models import ClientLink, Engagement, Task, TimeEntry


def active_client_links(firm: Entity) -> QuerySet[ClientLink]:
    return ClientLink.objects.filter(firm=firm, archived_at__isnull=True)


def client_entity_ids(firm: Entity) -> QuerySet:
    """Primary keys of the firm's active clients (registered as the platform's reach seam)."""
    return active_client_links(firm).values("client_id")


def firm_ids_of_client(client: Entity) -> QuerySet:
    """Primary keys of the firms with an active link to `client` (the platform's reach seam, back)."""
    return ClientLink.objects.filter(client=client, archived_at__isnull=True).values("firm_id")


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
    qs = active_client_links(firm).select_related("client")
    if filters.get("externalReference"):
        qs = qs.filter(external_reference=filters["externalReference"])
    if filters.get("updatedSince"):
        since = filters["updatedSince"]
        qs = qs.filter(Q(updated_at__gte=since) | Q(client__updated_at__gte=since))
    return qs


def client_with_books(*, link_id: int) -> ClientLink:
    books = Book.objects.order_by("id")
    return (
        ClientLink.objects.select_related("client")
        .prefetch_related(Prefetch("client__books", queryset=books))
        .get(pk=link_id)
    )


def _time_filtered(*, firm: Entity, filters: dict) -> QuerySet[TimeEntry]:
    qs = TimeEntry.objects.filter(firm=firm)
    if filters.get("clientEntityId"):
        qs = qs.filter(client__public_id=filters["clientEntityId"])
    if filters.get("from"):
        qs = qs.filter(date__gte=filters["from"])
    if filters.get("to"):
        qs = qs.filter(date__lte=filters["to"])
    if filters.get("unbilledOnly"):
        qs = qs.filter(billing_status="unbilled")
    if filters.get("engagementId"):
        qs = qs.filter(engagement__public_id=filters["engagementId"])
    if filters.get("userId"):
        qs = qs.filter(user__public_id=filters["userId"])
    if filters.get("billable") is not None:
        qs = qs.filter(billable=filters["billable"])
    if filters.get("updatedSince"):
        qs = qs.filter(updated_at__gte=filters["updatedSince"])
    return qs


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
    qs = Engagement.objects.filter(firm=firm)
    if filters.get("clientEntityId"):
        qs = qs.filter(client__public_id=filters["clientEntityId"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("assigneeUserId"):
        qs = qs.filter(assignee__public_id=filters["assigneeUserId"])
    if filters.get("updatedSince"):
        qs = qs.filter(updated_at__gte=filters["updatedSince"])
    tasks = Task.objects.select_related("assignee").order_by("position", "id")
    return qs.select_related("client", "assignee").prefetch_related(
        Prefetch("tasks", queryset=tasks)
    )


def engagement_get(*, firm: Entity, public_id: str) -> Engagement:
    engagement = engagement_list(firm=firm, filters={}).filter(public_id=public_id).first()
    if engagement is None:
        raise NotFoundError()
    return engagement
