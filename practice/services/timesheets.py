"""A staff member's week of time, read as a grid and saved in one go.

A timesheet is one user's time in one firm for one week (Monday to Sunday). Its rows are the
distinct (client, engagement, description) of that week's entries; its cells are the days. A cell
holds the entries of its row on its day: usually none or one, sometimes several (a timer stopped
twice in a day, entries logged through the API). The grid shows a cell's sum; a cell of one entry
edits that entry, a cell of several is read-only here (the time entries page edits them one by
one), because one typed figure cannot say how to split itself between entries.

`timesheet_save` takes the rows as typed (hours as text: decimal hours such as "1.5" or "7.25",
at most two decimals, 0 < hours <= 24; empty clears a cell; None means the cell was not sent and
stays as it is) and changes only the cells whose figure differs from what is stored:

- an empty cell with hours creates an entry (`time_entry_create`),
- a one-entry cell with other hours updates it (`time_entry_update`),
- a one-entry cell cleared deletes it (`time_entry_delete`).

Every write goes through those services, so the lock date, billed and approved entries, rates,
history and events are theirs. The save is all or nothing: first every typed figure is checked
(its format, the row's client and engagement within the firm, a day's total at most 24 h, the
firm's rule for one entry); then the writes run in one transaction, and if any service refuses a
cell the transaction is rolled back. Either way each refusal comes back on its cell (row index,
day index) or its row, in words for a person, and nothing is saved.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from axiomatic.core.errors import ApplicationError
from axiomatic.entities.models import Entity, User
from practice.models import ClientLink, Engagement, TimeEntry
from practice.services.time_entries import (
    time_entry_create,
    time_entry_delete,
    time_entry_update,
)

DAYS = 7
MAX_DAY_HOURS = Decimal(24)
HOURS_FORMAT = "decimal hours, such as 1.5 or 7.25"
_HOURS = re.compile(r"^(\d{1,2}(\.\d{0,2})?|\.\d{1,2})$")

# A row's identity: the client entity's public id, the engagement's (or None), the description.
RowKey = tuple[str, str | None, str]


def week_of(day: dt.date) -> dt.date:
    """The Monday of `day`'s week."""
    return day - dt.timedelta(days=day.weekday())


def week_days(week_start: dt.date) -> list[dt.date]:
    return [week_start + dt.timedelta(days=n) for n in range(DAYS)]


@dataclass
class WeekRow:
    """One row of the stored week: its client, engagement, description and each day's entries."""

    client: Entity
    engagement: Engagement | None
    description: str
    cells: list[list[TimeEntry]] = field(default_factory=lambda: [[] for _ in range(DAYS)])

    @property
    def key(self) -> RowKey:
        engagement = self.engagement.public_id if self.engagement else None
        return (self.client.public_id, engagement, self.description)


def timesheet_week(*, firm: Entity, user: User, week_start: dt.date) -> list[WeekRow]:
    """The user's entries of the firm in the week, as rows (by client name, engagement name,
    description). One query, whatever the number of entries."""
    entries = (
        TimeEntry.objects.filter(
            firm=firm, user=user, date__gte=week_start, date__lt=week_start + dt.timedelta(DAYS)
        )
        .select_related("client", "engagement")
        .order_by("date", "id")
    )
    rows: dict[RowKey, WeekRow] = {}
    for entry in entries:
        row = WeekRow(
            client=entry.client, engagement=entry.engagement, description=entry.description
        )
        row = rows.setdefault(row.key, row)
        row.cells[(entry.date - week_start).days].append(entry)
    return sorted(
        rows.values(),
        key=lambda r: (r.client.name, r.engagement.name if r.engagement else "", r.description),
    )


def timesheet_previous_keys(*, firm: Entity, user: User, week_start: dt.date) -> list[RowKey]:
    """The rows (client, engagement, description) of the user's week before `week_start`, for
    "copy last week's rows". One query."""
    start = week_start - dt.timedelta(DAYS)
    keys = (
        TimeEntry.objects.filter(firm=firm, user=user, date__gte=start, date__lt=week_start)
        .order_by("client__name", "engagement__name", "description")
        .values_list("client__public_id", "engagement__public_id", "description")
        .distinct()
    )
    return list(dict.fromkeys(tuple(k) for k in keys))


@dataclass(frozen=True)
class TimesheetRow:
    """A row as typed: the client entity's public id, an engagement's public id or None, the
    description, and seven typed figures (None: not sent, the cell stays as it is)."""

    client_id: str
    engagement_id: str | None
    description: str
    hours: tuple[str | None, ...]


@dataclass
class TimesheetSaved:
    """What `timesheet_save` did: the counts written, or the refusals (and nothing written)."""

    cell_errors: dict[tuple[int, int], str] = field(default_factory=dict)
    row_errors: dict[int, str] = field(default_factory=dict)
    created: int = 0
    updated: int = 0
    deleted: int = 0

    @property
    def saved(self) -> bool:
        return not (self.cell_errors or self.row_errors)


def parse_hours(text: str) -> Decimal | None:
    """Typed hours: None for an empty cell; ValueError (with the reason) for anything else that
    is not 0 < hours <= 24 with at most two decimals."""
    text = text.strip()
    if not text:
        return None
    if not _HOURS.match(text):
        raise ValueError(f"Enter {HOURS_FORMAT} (at most two decimals).")
    hours = Decimal(text).quantize(Decimal("0.01"))
    if not (0 < hours <= MAX_DAY_HOURS):
        raise ValueError("Must be more than 0 and at most 24 hours: leave it empty for no time.")
    return hours


def _said(error: ApplicationError) -> str:
    details = [m for msgs in error.fields.values() for m in msgs if m not in error.message]
    return " ".join([error.message, *details]).strip()


@dataclass
class _Write:
    row: int
    day: int
    hours: Decimal | None  # None: delete
    entry: TimeEntry | None  # None: create
    link: ClientLink | None = None
    engagement: Engagement | None = None
    description: str = ""


class _Plan:
    """The writes a save would make, checked before any runs."""

    def __init__(self, *, firm: Entity, user: User, week_start: dt.date, rows):
        self.firm, self.user, self.week_start, self.rows = firm, user, week_start, rows
        self.stored = {
            row.key: row for row in timesheet_week(firm=firm, user=user, week_start=week_start)
        }
        self.result = TimesheetSaved()
        self.writes: list[_Write] = []
        client_ids = {r.client_id for r in rows if r.client_id}
        links: dict[str, ClientLink] = {}
        for link in (
            ClientLink.objects.filter(firm=firm, client__public_id__in=client_ids)
            .select_related("client")
            .order_by("-id")
        ):
            current = links.get(link.client.public_id)
            if current is None or (current.archived_at and not link.archived_at):
                links[link.client.public_id] = link
        self.links = links
        self.engagements = {
            e.public_id: e
            for e in Engagement.objects.filter(
                firm=firm, public_id__in={r.engagement_id for r in rows if r.engagement_id}
            )
        }

    def check(self) -> TimesheetSaved:
        seen: dict[RowKey, int] = {}
        for index, row in enumerate(self.rows):
            self._check_row(index, row, seen)
        self._check_day_totals()
        return self.result

    def _check_row(self, index: int, row: TimesheetRow, seen: dict) -> None:
        typed = [h for h in row.hours if h is not None and h.strip()]
        if not row.client_id:
            if typed:
                self.result.row_errors[index] = "Choose a client for these hours."
            return
        link = self.links.get(row.client_id)
        if link is None:
            self.result.row_errors[index] = "No such client of this firm."
            return
        engagement = None
        if row.engagement_id:
            engagement = self.engagements.get(row.engagement_id)
            if engagement is None or engagement.client_id != link.client_id:
                self.result.row_errors[index] = "No such engagement for this client."
                return
        key: RowKey = (row.client_id, row.engagement_id or None, row.description.strip())
        if key in seen:
            if typed:
                self.result.row_errors[index] = (
                    f"Row {seen[key] + 1} has this client, engagement and description already: "
                    "put these hours there."
                )
            return
        seen[key] = index
        stored = self.stored.get(key)
        for day, text in enumerate(row.hours):
            if text is None:
                continue
            entries = stored.cells[day] if stored else []
            self._check_cell(index, day, text, entries, link, engagement, key[2])

    def _check_cell(self, index, day, text, entries, link, engagement, description) -> None:
        try:
            hours = parse_hours(text)
        except ValueError as error:
            self.result.cell_errors[(index, day)] = str(error)
            return
        if len(entries) > 1:
            if hours != sum(e.hours for e in entries):
                self.result.cell_errors[(index, day)] = (
                    f"This day has {len(entries)} entries: change them one by one on the time "
                    "entries page."
                )
            return
        entry = entries[0] if entries else None
        if entry is None and hours is None:
            return
        if entry is not None and hours == entry.hours:
            return
        if entry is None and link.archived_at is not None:
            self.result.row_errors[index] = f"{link.client.name} is no longer an active client."
            return
        self.writes.append(
            _Write(
                index, day, hours, entry, link=link, engagement=engagement, description=description
            )
        )

    def _check_day_totals(self) -> None:
        totals = [Decimal(0)] * DAYS
        for row in self.stored.values():
            for day, entries in enumerate(row.cells):
                totals[day] += sum((e.hours for e in entries), Decimal(0))
        for write in self.writes:
            before = write.entry.hours if write.entry else Decimal(0)
            totals[write.day] += (write.hours or Decimal(0)) - before
        for write in self.writes:
            total = totals[write.day]
            grew = (write.hours or 0) > (write.entry.hours if write.entry else 0)
            if total > MAX_DAY_HOURS and grew:
                day = self.week_start + dt.timedelta(write.day)
                self.result.cell_errors[(write.row, write.day)] = (
                    f"{day:%a} {day.isoformat()} would total {total:.2f} hours: a day holds at "
                    "most 24."
                )

    def run(self) -> None:
        """The checked writes, through the time entry services; the caller rolls back on any
        refusal."""
        result = self.result
        for write in self.writes:
            try:
                if write.entry is None:
                    time_entry_create(
                        firm=self.firm,
                        link=write.link,
                        work_date=self.week_start + dt.timedelta(write.day),
                        hours=write.hours,
                        description=write.description,
                        engagement_id=write.engagement.public_id if write.engagement else None,
                        default_user=self.user,
                    )
                    result.created += 1
                elif write.hours is None:
                    time_entry_delete(firm=self.firm, public_id=write.entry.public_id)
                    result.deleted += 1
                else:
                    time_entry_update(
                        firm=self.firm,
                        public_id=write.entry.public_id,
                        link=None,
                        changes={"hours": write.hours},
                    )
                    result.updated += 1
            except ApplicationError as error:
                # Each service call is its own savepoint: a refusal undoes only that call, so the
                # rest still run and every refused cell is reported, then all is rolled back.
                result.cell_errors[(write.row, write.day)] = _said(error)


def timesheet_save(
    *, firm: Entity, user: User, week_start: dt.date, rows: list[TimesheetRow]
) -> TimesheetSaved:
    """Save the typed week of `user` in `firm`: every changed cell, or none (see the module)."""
    if week_start.weekday() != 0:
        raise ValueError("week_start must be a Monday")
    rows = [r if len(r.hours) == DAYS else _padded(r) for r in rows]
    with transaction.atomic():
        plan = _Plan(firm=firm, user=user, week_start=week_start, rows=rows)
        result = plan.check()
        if not result.saved:
            return result
        plan.run()
        if not result.saved:
            transaction.set_rollback(True)
            result.created = result.updated = result.deleted = 0
    return result


def _padded(row: TimesheetRow) -> TimesheetRow:
    hours = (tuple(row.hours) + (None,) * DAYS)[:DAYS]
    return TimesheetRow(row.client_id, row.engagement_id, row.description, hours)
