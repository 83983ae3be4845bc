"""Practice panels of the firm dashboard (the admin's start page for a firm's staff).

Each panel is a fixed number of grouped queries, whatever the number of clients or entries.
"""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncWeek
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from axiomatic.core.money import format_money
from axiomatic.entities.models import Entity
from practice.models import BillingStatus, Engagement, EngagementStatus, TimeEntry

WEEKS = 12
CHART_WIDTH, CHART_HEIGHT, CHART_TOP, CHART_BOTTOM = 720, 220, 16, 36


# The work-in-progress report is a page of a feature app above practice (billing's), which practice
# may not import: its admin URL name is looked up when the panel renders, and the link is left out
# when no installed app serves it.
WIP_PAGE = "admin:billing_wip"


def wip_page_url(firm: Entity) -> str | None:
    try:
        return f"{reverse(WIP_PAGE)}?firm={firm.public_id}"
    except NoReverseMatch:
        return None


def unbilled_panel(request, firm: Entity) -> dict:
    # Grouped by client id alone (an index-only scan of timeentry_unbilled_by_client, hashed into
    # one row a client), then named: grouping by the name sorted every unbilled row by it first.
    rows = list(
        TimeEntry.objects.filter(firm=firm, billable=True, billing_status=BillingStatus.UNBILLED)
        .values("client_id")
        .annotate(hours=Sum("hours"), amount=Sum("amount_cents"), entries=Count("id"))
        .order_by()
    )
    names = dict(
        Entity.objects.filter(pk__in=[r["client_id"] for r in rows]).values_list("pk", "name")
    )
    for row in rows:
        row["client__name"] = names.get(row["client_id"], "")
    rows.sort(key=lambda r: (r["client__name"].casefold(), r["client__name"], r["client_id"]))
    total_hours = sum((r["hours"] for r in rows), Decimal(0))
    total_cents = sum(r["amount"] or 0 for r in rows)
    changelist = reverse("admin:practice_timeentry_changelist")
    for row in rows:
        row["amount_display"] = format_money(row["amount"] or 0, firm.currency)
        row["url"] = (
            f"{changelist}?client__id__exact={row['client_id']}&billing_status__exact=unbilled"
        )
    html = render_to_string(
        "admin/dashboard/unbilled.html",
        {
            "rows": rows,
            "total_hours": total_hours,
            "total_display": format_money(total_cents, firm.currency),
            "wip_url": wip_page_url(firm),
        },
    )
    return {"id": "unbilled", "title": "Unbilled time by client", "html": html}


def deadlines_panel(request, firm: Entity) -> dict:
    today = timezone.localdate()
    soon = today + dt.timedelta(days=7)
    engagements = list(
        Engagement.objects.filter(
            firm=firm, status=EngagementStatus.ACTIVE, due_date__isnull=False, due_date__lte=soon
        )
        .select_related("client", "assignee")
        .annotate(open_tasks=Count("tasks", filter=Q(tasks__completed_at__isnull=True)))
        .order_by("due_date", "id")[:50]
    )
    html = render_to_string(
        "admin/dashboard/deadlines.html",
        {
            "overdue": [e for e in engagements if e.due_date < today],
            "due_soon": [e for e in engagements if e.due_date >= today],
            "today": today,
        },
    )
    return {
        "id": "deadlines",
        "title": "Engagements overdue and due in the next 7 days",
        "html": html,
    }


def hours_chart(firm: Entity, today: dt.date | None = None) -> dict:
    """Hours logged per week (Monday to Sunday) over the last 12 weeks, as SVG bar geometry."""
    today = today or timezone.localdate()
    this_monday = today - dt.timedelta(days=today.weekday())
    first = this_monday - dt.timedelta(weeks=WEEKS - 1)
    per_week = dict(
        TimeEntry.objects.filter(firm=firm, date__gte=first, date__lte=today)
        .annotate(week=TruncWeek("date"))
        .values("week")
        .annotate(hours=Sum("hours"))
        .values_list("week", "hours")
    )
    per_week = {(w.date() if isinstance(w, dt.datetime) else w): h for w, h in per_week.items()}
    weeks = [first + dt.timedelta(weeks=i) for i in range(WEEKS)]
    values = [per_week.get(week, Decimal(0)) for week in weeks]
    peak = max(values) or Decimal(1)
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    slot = CHART_WIDTH / WEEKS
    bars = []
    for index, (week, hours) in enumerate(zip(weeks, values, strict=True)):
        height = float(hours / peak) * plot_height
        bars.append(
            {
                "x": round(index * slot + slot * 0.15, 1),
                "y": round(CHART_TOP + plot_height - height, 1),
                "value_y": round(CHART_TOP + plot_height - height - 4, 1),
                "width": round(slot * 0.7, 1),
                "height": round(height, 1),
                "label_x": round(index * slot + slot / 2, 1),
                "week": week,
                "hours": hours,
            }
        )
    return {
        "bars": bars,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "axis_y": CHART_HEIGHT - CHART_BOTTOM,
        "label_y": CHART_HEIGHT - CHART_BOTTOM + 16,
        "total": sum(values, Decimal(0)),
    }


def hours_panel(request, firm: Entity) -> dict:
    html = render_to_string("admin/dashboard/hours_chart.html", {"chart": hours_chart(firm)})
    return {"id": "hours", "title": f"Hours per week, last {WEEKS} weeks", "html": html}
