"""The weekly timesheet: the signed-in staff member's week of time in one firm, typed as a grid.

Served at /admin/practice/timesheet/ (`admin:practice_timesheet`), listed under Practice and in the
workplace bar. The query names the week (`week=YYYY-MM-DD`: any day picks its Monday's week;
default this week) and, for someone in several firms, the firm (`firm=<public id>`, chosen first
as on the receivables pages).

Rows are the week's (client, engagement, description) of the user's entries (practice/services/
timesheets.py), then a few empty rows with a client select (the firm's active clients), an
engagement select (their active engagements, optional) and a description. Columns are Monday to
Sunday, then the row's total; the foot has each day's total and the week's. Hours are typed as
decimal hours (1.5, 7.25; at most two decimals); totals are computed here on every render, and
static/axiomatic/admin/timesheet.js only keeps them current while typing.

Read-only cells, shown as figures with a note instead of an input: a cell of several entries (one
figure cannot say how to split itself; the time entries page edits them one by one), a billed or
approved entry (the time service refuses to change them), and any day on or before the firm's
time lock date. Not sending a cell leaves it as it is; the service still refuses a forged one.

Save sends every row; `timesheet_save` writes the changed cells in one transaction through the
time entry services, or none: a refused save shows the page again with the typed figures, a
summary at the top linking each error, each error under its cell (aria-describedby) and the
first erroneous input focused (autofocus, so it works without JavaScript). "Add rows" and "Copy
last week's rows" (the previous week's rows, hours empty) re-show the typed page and save nothing.

The timer box above the grid is the time entries page's (practice/admin/timers.py): its start
and stop run through that page's views, then come back here; a stopped timer's entry shows in
the grid. A VIEWER sees figures and no inputs; every POST of theirs is a 403.
"""

import datetime as dt
from decimal import Decimal

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from axiomatic.admin_site import AdminPage
from axiomatic.api.form_fields import IsoDateField
from axiomatic.core.money import hours_from_seconds
from axiomatic.entities.admin_scope import staff_firms, staff_scope
from practice import selectors
from practice.admin.timers import TimerStartForm, elapsed_text
from practice.models import (
    ApprovalStatus,
    BillingStatus,
    ClientLink,
    Engagement,
    EngagementStatus,
    TimeEntry,
)
from practice.services.timesheets import (
    DAYS,
    HOURS_FORMAT,
    TimesheetRow,
    WeekRow,
    parse_hours,
    timesheet_previous_keys,
    timesheet_save,
    timesheet_week,
    week_days,
    week_of,
)

EMPTY_ROWS = 3
MAX_ROWS = 300  # a POST naming more rows is cut here (a page never shows that many)
TEMPLATE = "admin/practice/timesheet.html"


def _hours(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _week(request) -> dt.date:
    text = request.GET.get("week")
    if not text:
        return week_of(timezone.localdate())
    try:
        return week_of(IsoDateField().clean(text))
    except Exception:  # a ValidationError, or a date past the calendar's end
        messages.error(request, f"Week: “{text}” is not a date like 2026-11-30; showing this week.")
        return week_of(timezone.localdate())


def _firm(request, firms):
    if len(firms) == 1:
        return firms[0]
    chosen = request.GET.get("firm")
    return next((f for f in firms if f.public_id == chosen), None)


def _url(*, week: dt.date, firm=None, several: bool = False) -> str:
    query = {"week": week.isoformat()}
    if firm is not None and several:
        query["firm"] = firm.public_id
    return f"{reverse('admin:practice_timesheet')}?{urlencode(query)}"


def _posted_rows(data) -> list[TimesheetRow]:
    try:
        count = min(max(int(data.get("row-count", "0")), 0), MAX_ROWS)
    except ValueError:
        count = 0
    return [
        TimesheetRow(
            client_id=data.get(f"row-{i}-client", "").strip(),
            engagement_id=data.get(f"row-{i}-engagement", "").strip() or None,
            description=data.get(f"row-{i}-description", "")[:5000],
            hours=tuple(data.get(f"row-{i}-d{d}") for d in range(DAYS)),
        )
        for i in range(count)
    ]


class Grid:
    """What the template shows: the week's columns, the rows (stored and typed), the totals."""

    def __init__(self, *, firm, user, week, writable, typed=None, errors=None, copy=False, more=0):
        self.firm, self.week, self.writable = firm, week, writable
        self.days = week_days(week)
        lock = selectors.firm_profile(firm).time_lock_date
        self.locked = [lock is not None and day <= lock for day in self.days]
        self.lock_date = lock
        self.locked_days = {day for day, locked in enumerate(self.locked) if locked}
        stored = {row.key: row for row in timesheet_week(firm=firm, user=user, week_start=week)}
        self.links = list(
            ClientLink.objects.filter(firm=firm, archived_at__isnull=True)
            .select_related("client")
            .order_by("client__name", "id")
        )
        self.client_names = {link.client.public_id: link.client.name for link in self.links}
        self.engagements = list(
            Engagement.objects.filter(firm=firm, status=EngagementStatus.ACTIVE)
            .select_related("client")
            .order_by("client__name", "name", "id")
        )
        self.engagement_names = {e.public_id: e.name for e in self.engagements}
        self.cell_errors = errors.cell_errors if errors else {}
        self.row_errors = errors.row_errors if errors else {}
        rows = typed if typed is not None else [self._as_typed(r) for r in stored.values()]
        keys = [(r.client_id, r.engagement_id, r.description.strip()) for r in rows]
        rows += [self._as_typed(r) for k, r in stored.items() if k not in keys]
        if copy:
            present = {(r.client_id, r.engagement_id, r.description.strip()) for r in rows}
            previous = timesheet_previous_keys(firm=firm, user=user, week_start=week)
            rows = [r for r in rows if r.client_id or any(h and h.strip() for h in r.hours)]
            rows += [
                TimesheetRow(c, e, d, (None,) * DAYS)
                for c, e, d in previous
                if (c, e, d) not in present and c in self.client_names
            ]
        blank = TimesheetRow("", None, "", (None,) * DAYS)
        if writable and (typed is None or more):
            rows += [blank] * (more or EMPTY_ROWS)
        if not any(not self._stored_for(r, stored) for r in rows) and writable:
            rows.append(blank)  # always one row to type a new client in
        self.rows = [self._row(i, r, self._stored_for(r, stored)) for i, r in enumerate(rows)]
        self.day_totals = [sum((r["hours"][d] for r in self.rows), Decimal(0)) for d in range(DAYS)]
        self.total = sum(self.day_totals, Decimal(0))
        found = self.errors()
        self.first_error = found[0]["target"] if found else ""

    @staticmethod
    def _stored_for(row: TimesheetRow, stored: dict) -> WeekRow | None:
        return stored.get((row.client_id, row.engagement_id, row.description.strip()))

    @staticmethod
    def _as_typed(row: WeekRow) -> TimesheetRow:
        sums = [sum((e.hours for e in cell), Decimal(0)) if cell else None for cell in row.cells]
        return TimesheetRow(*row.key, tuple(_hours(s) if s else "" for s in sums))

    def _label(self, index: int, row: TimesheetRow, stored: WeekRow | None) -> str:
        if stored is not None:
            client, engagement = stored.client.name, stored.engagement
            engagement = engagement.name if engagement else ""
        else:
            client = self.client_names.get(row.client_id, "")
            engagement = self.engagement_names.get(row.engagement_id or "", "")
        if not client:
            return f"new row {index + 1}"
        return " / ".join(p for p in (client, engagement, row.description.strip()) if p)

    def _readonly_note(self, day: int, entries: list[TimeEntry]) -> str:
        if len(entries) > 1:
            return f"{len(entries)} entries: change them on the time entries page"
        if entries and entries[0].billing_status == BillingStatus.BILLED:
            return f"billed on {entries[0].invoice_number or 'an invoice'}"
        if entries and entries[0].approval_status == ApprovalStatus.APPROVED:
            return "approved"
        if self.locked[day]:
            return "locked period"
        return ""

    def _row(self, index: int, row: TimesheetRow, stored: WeekRow | None) -> dict:
        label = self._label(index, row, stored)
        cells, hours = [], []
        for day, date in enumerate(self.days):
            entries = stored.cells[day] if stored else []
            typed = row.hours[day]
            if typed is None:
                typed = _hours(sum((e.hours for e in entries), Decimal(0))) if entries else ""
            note = self._readonly_note(day, entries) if self.writable else ""
            editable = self.writable and not note
            if not editable:
                typed = _hours(sum((e.hours for e in entries), Decimal(0))) if entries else ""
            try:
                hours.append(parse_hours(typed) or Decimal(0))
            except ValueError:
                hours.append(Decimal(0))
            cells.append(
                {
                    "name": f"row-{index}-d{day}",
                    "id": f"ts-{index}-{day}",
                    "value": typed,
                    "editable": editable,
                    "note": note,
                    "error": self.cell_errors.get((index, day), ""),
                    "label": f"Hours for {label} on {date:%a} {date.isoformat()}",
                }
            )
        return {
            "index": index,
            "client_id": row.client_id,
            "client_input": f"ts-{index}-client",
            "engagement_id": row.engagement_id or "",
            "description": row.description,
            "stored": stored,
            "label": label,
            "error": self.row_errors.get(index, ""),
            "cells": cells,
            "hours": hours,
            "total": sum(hours, Decimal(0)),
        }

    def errors(self) -> list[dict]:
        """The summary: each error with the id of the control it is about, in the page's order."""
        found = []
        for row in self.rows:
            if row["error"]:
                found.append(
                    {
                        "target": f"ts-{row['index']}-client",
                        "text": row["error"],
                        "where": row["label"],
                    }
                )
            for cell in row["cells"]:
                if cell["error"]:
                    where = cell["label"].removeprefix("Hours for ")
                    found.append({"target": cell["id"], "text": cell["error"], "where": where})
        return found


def _timer_box(request, firm) -> dict:
    timer = selectors.timer_running_of(user=request.user)
    scope = staff_scope(request)
    writable = scope is None or firm.pk in scope.writable_firm_ids
    if timer is None:
        form = TimerStartForm(firm_ids=frozenset({firm.pk})) if writable else None
        return {"timer": None, "start_form": form}
    seconds = selectors.timer_elapsed_seconds(timer)
    return {
        "timer": timer,
        "elapsed": elapsed_text(seconds),
        "would_log": hours_from_seconds(seconds),
        "may_stop": scope is None or timer.firm_id in scope.writable_firm_ids,
    }


def _timer_post(request, action: str) -> None:
    """Start or stop through the time entries page's own timer views (their checks, their
    messages); their redirect to that page is dropped for one back to this week."""
    entries_admin = admin.site._registry[TimeEntry]
    if action == "timer-start":
        entries_admin.timer_start_view(request)
    else:
        stop = action == "timer-stop"
        view = entries_admin.timer_stop_view if stop else entries_admin.timer_discard_view
        view(request, request.POST.get("timer", ""))


def timesheet_view(request):
    firms = list(staff_firms(request).order_by("name", "id"))
    week = _week(request)
    firm = _firm(request, firms)
    several = len(firms) > 1
    context = {
        **admin.site.each_context(request),
        "title": "Timesheet",
        "firms": firms if several else [],
        "firm": firm,
        "week": week,
        "week_end": week + dt.timedelta(days=DAYS - 1),
        "prev_url": _url(week=week - dt.timedelta(DAYS), firm=firm, several=several),
        "next_url": _url(week=week + dt.timedelta(DAYS), firm=firm, several=several),
        "this_url": _url(week=week_of(timezone.localdate()), firm=firm, several=several),
        "hours_format": HOURS_FORMAT,
    }
    if firm is None:
        if request.method == "POST":
            raise PermissionDenied
        if firms:
            messages.info(request, "Choose a firm to see your week.")
        else:
            messages.warning(request, "You are not a member of any firm.")
        return TemplateResponse(request, TEMPLATE, context)
    scope = staff_scope(request)
    writable = scope is None or firm.pk in scope.writable_firm_ids
    here = _url(week=week, firm=firm, several=several)
    grid_args = {"firm": firm, "user": request.user, "week": week, "writable": writable}
    grid = None
    if request.method == "POST":
        if not writable:
            raise PermissionDenied  # a VIEWER (or a suspended firm's staff) reads only
        action = request.POST.get("action") or next(
            (name for name in ("copy", "add-rows") if name in request.POST), "save"
        )
        if action in ("timer-start", "timer-stop", "timer-discard"):
            _timer_post(request, action)
            return HttpResponseRedirect(here)
        rows = _posted_rows(request.POST)
        if action == "copy":
            grid = Grid(**grid_args, typed=rows, copy=True)
            messages.info(
                request,
                "Last week's rows are copied below, hours empty: nothing is saved until you save.",
            )
        elif action == "add-rows":
            grid = Grid(**grid_args, typed=rows, more=EMPTY_ROWS)
        else:
            result = timesheet_save(firm=firm, user=request.user, week_start=week, rows=rows)
            if result.saved:
                messages.success(request, _saved_text(result))
                return HttpResponseRedirect(here)
            grid = Grid(**grid_args, typed=rows, errors=result)
    if grid is None:
        grid = Grid(**grid_args)
    context |= {
        "grid": grid,
        "errors": grid.errors(),
        "action_url": here,
        "timer_box": _timer_box(request, firm),
        "entries_url": reverse("admin:practice_timeentry_changelist"),
    }
    return TemplateResponse(request, TEMPLATE, context)


def _saved_text(result) -> str:
    if not (result.created or result.updated or result.deleted):
        return "Nothing to save: no figure changed."
    return (
        f"Saved your week: {result.created} logged, {result.updated} changed, "
        f"{result.deleted} removed."
    )


def _may_view_time(request) -> bool:
    entries_admin = admin.site._registry.get(TimeEntry)
    return bool(entries_admin and entries_admin.has_view_permission(request))


admin.site.register_page(
    AdminPage(
        app_label="practice",
        slug="timesheet",
        name="Timesheet",
        view=timesheet_view,
        has_permission=_may_view_time,
    )
)
