"""timesheet_save: a week of typed figures saved through the time entry services, all or nothing.

Alice (ADMIN of Firm A) types her week of 2026-11-30 (Mon) to 2026-12-06 (Sun) for Acme Corp and
Initech; Charlie's Globex Inc (Firm B) is another firm's client.
"""

import datetime as dt
from decimal import Decimal

import pytest

from billing.services.invoices import invoice_create_from_time
from practice.models import TimeEntry
from practice.services.approvals import time_entries_approve
from practice.services.engagements import engagement_create
from practice.services.settings import firm_settings_update
from practice.services.time_entries import time_entry_create
from practice.services.timesheets import (
    TimesheetRow,
    parse_hours,
    timesheet_previous_keys,
    timesheet_save,
    timesheet_week,
)
from tests.helpers import db_fingerprint

pytestmark = pytest.mark.django_db

MON = dt.date(2026, 11, 30)
NONE7 = (None,) * 7


def row(link, *hours, engagement=None, description=""):
    typed = tuple(hours) + (None,) * (7 - len(hours))
    return TimesheetRow(
        link.client.public_id, engagement.public_id if engagement else None, description, typed
    )


def save(persona, *rows):
    return timesheet_save(firm=persona.firm, user=persona.user, week_start=MON, rows=list(rows))


def log(persona, link, day, hours, description="", **kwargs):
    return time_entry_create(
        firm=persona.firm,
        link=link,
        work_date=day,
        hours=Decimal(hours),
        description=description,
        default_user=persona.user,
        **kwargs,
    )


@pytest.fixture
def initech(alice, make_client):
    return make_client(alice, "Initech")


@pytest.fixture
def close(alice, acme):
    return engagement_create(
        firm=alice.firm,
        client=acme.client,
        name="Monthly close",
        start_date=MON,
        type="bookkeeping",
    )


def hours_by_day(persona):
    return {
        (e.client.name, e.date.isoformat(), e.description): str(e.hours)
        for e in TimeEntry.objects.filter(firm=persona.firm, user=persona.user).select_related(
            "client"
        )
    }


def test_a_typed_week_creates_one_entry_per_filled_cell(alice, acme, initech, close):
    result = save(
        alice,
        row(acme, "1.5", "2", "", None, engagement=close, description="Close"),
        row(initech, "", "", "7.25"),
    )
    assert result.saved and (result.created, result.updated, result.deleted) == (3, 0, 0)
    assert hours_by_day(alice) == {
        ("Acme Corp", "2026-11-30", "Close"): "1.50",
        ("Acme Corp", "2026-12-01", "Close"): "2.00",
        ("Initech", "2026-12-02", ""): "7.25",
    }
    entry = TimeEntry.objects.get(date=MON)
    assert (entry.engagement, entry.user, entry.rate_source) == (close, alice.user, "none")


def test_changed_cells_update_cleared_cells_delete_and_untouched_cells_stay(alice, acme):
    monday = log(alice, acme, MON, "1.00")
    tuesday = log(alice, acme, MON + dt.timedelta(1), "2.00")
    wednesday = log(alice, acme, MON + dt.timedelta(2), "3.00")
    result = save(alice, row(acme, "1.75", "", None, "4"))
    assert (result.created, result.updated, result.deleted) == (1, 1, 1)
    assert TimeEntry.objects.get(pk=monday.pk).hours == Decimal("1.75")
    assert not TimeEntry.objects.filter(pk=tuesday.pk).exists()
    assert TimeEntry.objects.get(pk=wednesday.pk).hours == Decimal("3.00")  # not sent: kept
    assert TimeEntry.objects.filter(date=MON + dt.timedelta(3)).get().hours == Decimal("4.00")


def test_the_same_figure_again_writes_nothing(alice, acme):
    log(alice, acme, MON, "1.50")
    before = db_fingerprint()
    result = save(alice, row(acme, "1.5"))
    assert result.saved and (result.created, result.updated, result.deleted) == (0, 0, 0)
    assert db_fingerprint() == before


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("30", "at most 24"),
        ("0", "more than 0"),
        ("1.555", "at most two decimals"),
        ("abc", "decimal hours"),
        ("-1", "decimal hours"),
        ("1:30", "decimal hours"),
    ],
)
def test_bad_hours_are_refused_on_their_cell_and_nothing_is_saved(alice, acme, typed, error):
    before = db_fingerprint()
    result = save(alice, row(acme, "2", typed))
    assert not result.saved
    assert list(result.cell_errors) == [(0, 1)] and error in result.cell_errors[(0, 1)]
    assert db_fingerprint() == before


def test_a_day_over_24_hours_is_refused_on_the_cells_that_pushed_it_over(alice, acme, initech):
    log(alice, acme, MON, "10.00", description="Audit")
    before = db_fingerprint()
    result = save(alice, row(acme, "10", description="Audit"), row(initech, "15"))
    assert not result.saved
    assert result.cell_errors == {
        (1, 0): "Mon 2026-11-30 would total 25.00 hours: a day holds at most 24."
    }
    assert db_fingerprint() == before


def test_a_locked_period_refuses_the_cell_and_rolls_back_the_whole_week(alice, acme):
    firm_settings_update(firm=alice.firm, by=alice.user, changes={"time_lock_date": MON})
    before = db_fingerprint()
    result = save(alice, row(acme, "1", "2", "3"))
    assert not result.saved
    assert list(result.cell_errors) == [(0, 0)]
    assert "locked" in result.cell_errors[(0, 0)]
    assert db_fingerprint() == before  # Tuesday and Wednesday were written, then rolled back


def test_billed_and_approved_entries_are_refused_and_nothing_is_saved(alice, acme, initech):
    billed = log(alice, acme, MON, "1.00", rate_cents=15_000)
    invoice_create_from_time(
        firm=alice.firm, link=acme, time_entry_ids=[billed.public_id], created_by=alice.user
    )
    approved = log(alice, initech, MON, "2.00")
    time_entries_approve(firm=alice.firm, time_entry_ids=[approved.public_id], by=alice.user)
    before = db_fingerprint()
    result = save(alice, row(acme, "", "5"), row(initech, "3"))
    assert not result.saved
    assert set(result.cell_errors) == {(0, 0), (1, 0)}
    assert "invoice" in result.cell_errors[(0, 0)]
    assert "approved" in result.cell_errors[(1, 0)]
    assert db_fingerprint() == before


def test_a_cell_of_several_entries_is_not_changed_here(alice, acme):
    log(alice, acme, MON, "1.00")
    log(alice, acme, MON, "0.50")
    assert save(alice, row(acme, "1.5")).saved  # its sum again: nothing to do
    result = save(alice, row(acme, "2"))
    assert "2 entries" in result.cell_errors[(0, 0)]


def test_another_firms_client_or_engagement_is_a_row_error_and_nothing_is_saved(
    alice, charlie, acme, globex, close
):
    other = engagement_create(
        firm=charlie.firm, client=globex.client, name="Tax", start_date=MON, type="tax_prep"
    )
    before = db_fingerprint()
    result = save(alice, row(acme, "1"), row(globex, "2"))
    assert result.row_errors == {1: "No such client of this firm."}
    result = save(alice, row(acme, "1", engagement=other))
    assert result.row_errors == {0: "No such engagement for this client."}
    assert db_fingerprint() == before


def test_hours_without_a_client_and_a_repeated_row_are_row_errors(alice, acme):
    blank = TimesheetRow("", None, "", ("1",) + (None,) * 6)
    result = save(alice, blank, row(acme, "1"), row(acme, "", "2"))
    assert result.row_errors == {
        0: "Choose a client for these hours.",
        2: "Row 2 has this client, engagement and description already: put these hours there.",
    }
    assert not TimeEntry.objects.exists()


def test_the_week_reads_rows_by_client_engagement_and_description(alice, charlie, acme, globex):
    log(alice, acme, MON, "1.00", "Payroll")
    log(alice, acme, MON + dt.timedelta(6), "2.00", "Payroll")
    log(alice, acme, MON + dt.timedelta(7), "9.00", "Next week")
    log(charlie, globex, MON, "4.00")
    rows = timesheet_week(firm=alice.firm, user=alice.user, week_start=MON)
    assert [(r.client.name, r.description, [len(c) for c in r.cells]) for r in rows] == [
        ("Acme Corp", "Payroll", [1, 0, 0, 0, 0, 0, 1])
    ]


def test_last_weeks_rows_are_its_distinct_client_engagement_and_description(alice, acme, close):
    log(alice, acme, MON - dt.timedelta(7), "1.00", "Close", engagement_id=close.public_id)
    log(alice, acme, MON - dt.timedelta(6), "1.00", "Close", engagement_id=close.public_id)
    log(alice, acme, MON - dt.timedelta(1), "1.00", "Calls")
    log(alice, acme, MON, "1.00", "This week")
    keys = timesheet_previous_keys(firm=alice.firm, user=alice.user, week_start=MON)
    assert set(keys) == {
        (acme.client.public_id, close.public_id, "Close"),
        (acme.client.public_id, None, "Calls"),
    }


def test_parse_hours_reads_decimal_hours():
    assert parse_hours(" 1.5 ") == Decimal("1.50")
    assert parse_hours(".25") == Decimal("0.25")
    assert parse_hours("24") == Decimal("24.00")
    assert parse_hours("") is None


def test_week_start_must_be_a_monday(alice):
    with pytest.raises(ValueError):
        timesheet_save(firm=alice.firm, user=alice.user, week_start=MON + dt.timedelta(1), rows=[])
