"""Receivables reports: AR aging, work in progress and realization, each a grouped SQL query.

- AR aging as of a day: every invoice issued by then and not void by then, less its payments dated
  on or before that day and not voided by then, bucketed by days past the due date (current: not yet
  past due; 1-30, 31-60, 61-90, over 90). One query, grouped by client.
- WIP as of a day: billable time dated on or before that day that no live invoice issued on or
  before it bills, at standard value (the entry's hours x rate). One query, grouped by client.
- Realization over a range of issue dates: of the non-void invoices issued in it, per client,
  staff member or engagement, the hours, the standard value (lines before the adjustment), what was
  billed (lines after it) and what was collected (the invoice's live payments, shared over its lines
  in proportion to what they billed, summed exactly and rounded once per row). One query grouped by
  the key and the invoice; the rows are folded per key here.
- By engagement, a fixed-fee engagement's row compares what was billed for it (its fee items, and
  any of its time billed on top) with the standard value of the work: the hours and amounts of its
  time entries dated in the range, billable or not, billed or not (docs/adr/0026). That is one more
  grouped query, over those engagements' time; hourly and non-billable engagements' rows stay the
  billed lines' own hours and standard value.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from axiomatic.core.money import half_up_cents, prorata_cents, ratio
from axiomatic.entities.models import Entity
from billing.models import Invoice, InvoiceLine, InvoiceStatus, Payment
from practice.models import BillingMethod, TimeEntry

BUCKETS = ("current", "days_1_to_30", "days_31_to_60", "days_61_to_90", "over_90")


@dataclass(frozen=True)
class AgingRow:
    client_entity_id: str | None
    name: str | None
    current: int
    days_1_to_30: int
    days_31_to_60: int
    days_61_to_90: int
    over_90: int
    total: int


@dataclass(frozen=True)
class ArAging:
    as_of: dt.date
    currency: str
    clients: list[AgingRow]
    totals: AgingRow


def _day_end(day: dt.date) -> dt.datetime:
    """The first moment after `day` in the site's time zone: a void at or after it came later."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def _zero() -> Value:
    return Value(0, output_field=IntegerField())


def ar_aging(*, firm: Entity, as_of: dt.date) -> ArAging:
    """Open balances as of `as_of` by client and age. One query whatever the number of invoices."""
    later = _day_end(as_of)
    paid = (
        Payment.objects.filter(invoice=OuterRef("pk"), date__lte=as_of)
        .filter(Q(voided_at__isnull=True) | Q(voided_at__gte=later))
        .values("invoice")
        .annotate(cents=Sum("amount_cents"))
        .values("cents")
    )
    invoices = (
        Invoice.objects.filter(firm=firm, issue_date__lte=as_of)
        .exclude(status=InvoiceStatus.VOID, voided_at__lt=later)
        .annotate(balance=F("total_cents") - Coalesce(Subquery(paid), _zero()))
    )
    bounds = {
        "current": Q(due_date__gte=as_of),
        "days_1_to_30": Q(due_date__lt=as_of, due_date__gte=as_of - dt.timedelta(days=30)),
        "days_31_to_60": Q(
            due_date__lt=as_of - dt.timedelta(days=30), due_date__gte=as_of - dt.timedelta(days=60)
        ),
        "days_61_to_90": Q(
            due_date__lt=as_of - dt.timedelta(days=60), due_date__gte=as_of - dt.timedelta(days=90)
        ),
        "over_90": Q(due_date__lt=as_of - dt.timedelta(days=90)),
    }
    grouped = (
        invoices.values("client_id", "client__public_id", "client__name")
        .annotate(
            **{
                name: Coalesce(Sum(Case(When(cond, then=F("balance")), default=_zero())), _zero())
                for name, cond in bounds.items()
            },
            total=Sum("balance"),
        )
        .filter(total__gt=0)
        .order_by("client__name", "client_id")
    )
    clients = [
        AgingRow(
            client_entity_id=row["client__public_id"],
            name=row["client__name"],
            **{name: int(row[name]) for name in (*BUCKETS, "total")},
        )
        for row in grouped
    ]
    totals = AgingRow(
        client_entity_id=None,
        name=None,
        **{name: sum(getattr(c, name) for c in clients) for name in (*BUCKETS, "total")},
    )
    return ArAging(as_of=as_of, currency=firm.currency, clients=clients, totals=totals)


@dataclass(frozen=True)
class WipRow:
    client_entity_id: str | None
    name: str | None
    entries: int
    hours: Decimal
    amount: int
    oldest_date: dt.date | None


@dataclass(frozen=True)
class Wip:
    as_of: dt.date
    currency: str
    clients: list[WipRow]
    totals: WipRow


def wip(*, firm: Entity, as_of: dt.date) -> Wip:
    """Unbilled billable time as of `as_of` by client. Two queries whatever the number of
    entries or clients."""
    billed_by_then = InvoiceLine.objects.filter(
        time_entry=OuterRef("pk"), is_live=True, invoice__issue_date__lte=as_of
    )
    # Grouped by client id alone, then named and ordered by the clients' query: grouping by the
    # name sorted every unbilled row by it first (183 of the page's 245 ms at 200,000 entries).
    grouped = {
        row["client_id"]: row
        for row in TimeEntry.objects.filter(firm=firm, billable=True, date__lte=as_of)
        .exclude(Exists(billed_by_then))
        .values("client_id")
        .annotate(
            entries=Count("id"),
            hours=Sum("hours"),
            amount=Coalesce(Sum("amount_cents"), _zero()),
            oldest_date=Min("date"),
        )
        .order_by()
    }
    named = (
        Entity.objects.filter(pk__in=grouped)
        .order_by("name", "id")
        .values_list("pk", "public_id", "name")
    )
    clients = [
        WipRow(
            client_entity_id=public_id,
            name=name,
            entries=grouped[pk]["entries"],
            hours=Decimal(grouped[pk]["hours"]).quantize(Decimal("0.01")),
            amount=int(grouped[pk]["amount"]),
            oldest_date=grouped[pk]["oldest_date"],
        )
        for pk, public_id, name in named
    ]
    totals = WipRow(
        client_entity_id=None,
        name=None,
        entries=sum(c.entries for c in clients),
        hours=sum((c.hours for c in clients), Decimal("0.00")),
        amount=sum(c.amount for c in clients),
        oldest_date=None,
    )
    return Wip(as_of=as_of, currency=firm.currency, clients=clients, totals=totals)


@dataclass(frozen=True)
class RealizationRow:
    key: str | None
    name: str | None
    hours: Decimal
    standard_amount: int
    billed_amount: int
    collected_amount: int

    @property
    def billing_realization(self) -> Decimal | None:
        return ratio(self.billed_amount, self.standard_amount)

    @property
    def collection_realization(self) -> Decimal | None:
        return ratio(self.collected_amount, self.billed_amount)


@dataclass(frozen=True)
class Realization:
    date_from: dt.date
    date_to: dt.date
    rows: list[RealizationRow]
    totals: RealizationRow


# groupBy -> (key, name) of an invoice line, as ORM paths or expressions.
GROUPS = {
    "client": (F("invoice__client__public_id"), F("invoice__client__name")),
    "user": (F("time_entry__user__public_id"), F("time_entry__user__full_name")),
    "engagement": (
        Coalesce("engagement__public_id", "time_entry__engagement__public_id"),
        Coalesce("engagement__name", "time_entry__engagement__name"),
    ),
}
# By engagement, whose billing method says how its row is measured (`_by_engagement`).
GROUP_METHOD = Coalesce("engagement__billing_method", "time_entry__engagement__billing_method")


def _fixed_fee_time(*, firm: Entity, date_from: dt.date, date_to: dt.date) -> dict[str, dict]:
    """The standard value of the fixed-fee engagements' time dated in the range, by engagement
    public id: its hours and amounts, billable or not, billed or not (no rate: no amount). One
    grouped query."""
    grouped = (
        TimeEntry.objects.filter(
            firm=firm,
            engagement__billing_method=BillingMethod.FIXED_FEE,
            date__gte=date_from,
            date__lte=date_to,
        )
        .values("engagement__public_id", "engagement__name")
        .annotate(hours=Sum("hours"), standard=Coalesce(Sum("amount_cents"), _zero()))
        .order_by()
    )
    return {
        row["engagement__public_id"]: {
            "name": row["engagement__name"],
            "hours": Decimal(row["hours"]),
            "standard": int(row["standard"]),
        }
        for row in grouped
    }


def _by_engagement(folded: dict[str | None, dict], fixed_fee_time: dict[str, dict]) -> None:
    """Measure each fixed-fee engagement's billing against its time, not against the lines' own
    standard value (an item's standard value is the fee itself): in `folded`, in place. Fixed-fee
    engagements with time in the range and nothing billed get a row too (realization 0)."""
    for key, acc in folded.items():
        if acc["method"] == BillingMethod.FIXED_FEE:
            time = fixed_fee_time.get(key, {"hours": Decimal("0"), "standard": 0})
            acc["hours"], acc["standard"] = time["hours"], time["standard"]
    for key, time in fixed_fee_time.items():
        if key not in folded:
            folded[key] = {**time, "billed": 0, "method": BillingMethod.FIXED_FEE}


def _fold(grouped) -> tuple[dict[str | None, dict], dict[str | None, Fraction]]:
    """The (key, invoice) rows folded per key, and each key's exact share of the collections."""
    folded: dict[str | None, dict] = {}
    collected: dict[str | None, Fraction] = defaultdict(Fraction)
    for row in grouped:
        acc = folded.setdefault(
            row["group_key"],
            {
                "name": row["group_name"],
                "method": row.get("group_method"),
                "hours": Decimal("0"),
                "standard": 0,
                "billed": 0,
            },
        )
        acc["hours"] += Decimal(row["hours"])
        acc["standard"] += int(row["standard"])
        acc["billed"] += int(row["billed"])
        collected[row["group_key"]] += prorata_cents(
            int(row["invoice_paid"]), part=int(row["billed"]), whole=int(row["invoice_total"])
        )
    return folded, collected


def realization(
    *, firm: Entity, date_from: dt.date, date_to: dt.date, group_by: str = "client"
) -> Realization:
    """Standard, billed and collected amounts of the invoices issued in the range, per `group_by`
    (client, user, engagement). One query whatever the number of invoices; by engagement, one more
    for the fixed-fee engagements' time."""
    key, name = GROUPS[group_by]
    group = {"group_key": key, "group_name": name}
    if group_by == "engagement":
        group["group_method"] = GROUP_METHOD
    grouped = (
        InvoiceLine.objects.filter(
            invoice__firm=firm,
            invoice__issue_date__gte=date_from,
            invoice__issue_date__lte=date_to,
        )
        .exclude(invoice__status=InvoiceStatus.VOID)
        .annotate(**group)
        .values(*group, "invoice_id")
        .annotate(
            hours=Coalesce(Sum("hours"), Value(Decimal("0"))),
            standard=Sum("standard_amount_cents"),
            billed=Sum("amount_cents"),
            invoice_total=Min("invoice__total_cents"),
            invoice_paid=Min("invoice__amount_paid_cents"),
        )
        .order_by("group_name", "group_key", "invoice_id")
    )
    folded, collected = _fold(grouped)
    if group_by == "engagement":
        time = _fixed_fee_time(firm=firm, date_from=date_from, date_to=date_to)
        _by_engagement(folded, time)
        # Rows by name, then id; the lines of no engagement last (SQL orders NULL differently on
        # each database, and the time-only rows join here).
        folded = dict(
            sorted(folded.items(), key=lambda kv: (kv[0] is None, kv[1]["name"] or "", kv[0] or ""))
        )
    rows = [
        RealizationRow(
            key=k,
            name=acc["name"],
            hours=acc["hours"].quantize(Decimal("0.01")),
            standard_amount=acc["standard"],
            billed_amount=acc["billed"],
            collected_amount=half_up_cents(collected[k]),
        )
        for k, acc in folded.items()
    ]
    totals = RealizationRow(
        key=None,
        name=None,
        hours=sum((r.hours for r in rows), Decimal("0.00")),
        standard_amount=sum(r.standard_amount for r in rows),
        billed_amount=sum(r.billed_amount for r in rows),
        collected_amount=half_up_cents(sum(collected.values(), Fraction(0))),
    )
    return Realization(date_from=date_from, date_to=date_to, rows=rows, totals=totals)
