"""The firm's time lock date: time dated on or before it cannot be logged, changed (from or to a
locked date) or deleted: 409 `period_locked` naming the date, nothing changed. On PostgreSQL a
trigger refuses the same writes when they go around the service, and lets billing's marks and
approvals through.

Acme's January is closed: the lock date is 2026-01-31.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.utils import timezone

from practice.models import FirmProfile, TimeEntry
from practice.services.engagements import engagement_create
from practice.services.time_entries import (
    time_entries_mark_billed,
    time_entries_mark_unbilled,
    time_entry_create,
)
from tests.helpers import api, db_fingerprint, in_firm, requires_postgres
from tests.practice.time_helpers import (
    TIME,
    create,
    entry_in_firm,
    entry_url,
    mark_billed,
    row,
    time_body,
)

pytestmark = pytest.mark.django_db

LOCK = dt.date(2026, 1, 31)
CONSTRAINT = "practice_time_period_locked"


def lock(firm, day=LOCK) -> None:
    FirmProfile.objects.update_or_create(firm=firm, defaults={"time_lock_date": day})


@pytest.fixture
def january(alice, acme):
    """An entry on the lock date itself, one in mid-January and one the day after, then the lock."""
    entries = [
        create(alice, acme, date=day, hours=1, rate=10_000)
        for day in ("2026-01-31", "2026-01-15", "2026-02-01")
    ]
    lock(alice.firm)
    return entries


def patch(persona, entry, body, **kwargs):
    return api(persona).patch(
        entry_url(entry["id"]), body, params=in_firm(persona.firm.public_id), **kwargs
    )


def delete(persona, entry, **kwargs):
    return api(persona).delete(TIME, entry_in_firm(entry["id"], persona.firm.public_id), **kwargs)


# --- Through the API --------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["2026-01-31", "2026-01-01", "2020-06-30"])
def test_time_on_or_before_the_lock_date_cannot_be_logged(alice, acme, day):
    lock(alice.firm)
    before = db_fingerprint()
    error = api(alice).post(
        TIME, time_body(alice, acme, date=day), status=409, code="period_locked"
    )
    assert "2026-01-31" in error["message"] and day in error["message"]
    assert db_fingerprint() == before


def test_the_day_after_the_lock_date_is_open(alice, acme, january):
    entry = create(alice, acme, date="2026-02-01")
    assert entry["date"] == "2026-02-01"
    open_entry = january[2]
    assert patch(alice, open_entry, {"hours": 3})["entry"]["hours"] == 3.0
    delete(alice, open_entry)
    assert row(open_entry["id"]) is None


@pytest.mark.parametrize(
    "body",
    [
        {"hours": 2},
        {"description": "Corrected"},
        {"billable": False},
        {"rate": 1},
        {"date": "2026-02-10"},  # out of the locked period: still a change to locked time
        {"externalReference": "ext-1"},
    ],
)
def test_locked_time_cannot_be_changed(alice, january, body):
    for entry in january[:2]:
        stored = row(entry["id"])
        error = patch(alice, entry, body, status=409, code="period_locked")
        assert "2026-01-31" in error["message"] and entry["id"] in error["message"]
        assert row(entry["id"]) == stored


def test_open_time_cannot_be_moved_into_the_locked_period(alice, january):
    open_entry = january[2]
    stored = row(open_entry["id"])
    for day in ("2026-01-31", "2025-12-01"):
        error = patch(alice, open_entry, {"date": day}, status=409, code="period_locked")
        assert "2026-01-31" in error["message"] and day in error["message"]
    assert row(open_entry["id"]) == stored


def test_locked_time_cannot_be_deleted(alice, january):
    before = db_fingerprint()
    for entry in january[:2]:
        error = delete(alice, entry, status=409, code="period_locked")
        assert "2026-01-31" in error["message"]
    assert db_fingerprint() == before


def test_moving_the_lock_date_back_reopens_the_period(alice, january):
    lock(alice.firm, dt.date(2026, 1, 14))
    assert patch(alice, january[1], {"hours": 2})["entry"]["hours"] == 2.0
    lock(alice.firm, None)
    delete(alice, january[0])


def test_a_billed_entry_says_invoiced_first(alice, january):
    mark_billed(january[0]["id"])
    patch(alice, january[0], {"hours": 2}, status=409, code="time_entry_invoiced")


def test_one_firms_lock_date_is_not_anothers(alice, charlie, january, globex):
    assert create(charlie, globex, date="2026-01-15")["date"] == "2026-01-15"


def test_the_admin_form_refuses_locked_time_with_the_same_message(alice, acme, january):
    entry = TimeEntry.objects.get(public_id=january[1]["id"])
    session = Client()
    session.force_login(alice.user)
    page = session.post(
        f"/admin/practice/timeentry/{entry.pk}/change/",
        {
            "firm": alice.firm.pk,
            "client": acme.client.pk,
            "date": "2026-01-15",
            "hours": "5",
            "description": "Edited",
            "billable": "on",
            "rate_cents": "10000",
        },
    )
    assert page.status_code == 200
    assert b"2026-01-31" in page.content and b"locked" in page.content
    assert TimeEntry.objects.get(pk=entry.pk).hours == Decimal("1.00")


# --- The database's own backstop (PostgreSQL) ---------------------------------------------------


def _refused(write) -> IntegrityError:
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        write()
    assert caught.value.__cause__.diag.constraint_name == CONSTRAINT
    return caught.value


@pytest.fixture
def locked_rows(alice, acme):
    """Two entries written through the service, then the period closed around the first."""
    made = [
        time_entry_create(
            firm=alice.firm,
            link=acme,
            work_date=day,
            hours=Decimal("1.00"),
            rate_cents=10_000,
            description="Close",
        )
        for day in (dt.date(2026, 1, 20), dt.date(2026, 2, 5))
    ]
    lock(alice.firm)
    return made


@requires_postgres
def test_the_trigger_refuses_locked_time_written_around_the_service(alice, acme, locked_rows):
    locked, open_entry = locked_rows
    rows = TimeEntry.objects.filter(pk=locked.pk)
    stored = row(locked.public_id)

    error = _refused(
        lambda: TimeEntry.objects.create(
            firm=alice.firm,
            client=acme.client,
            date=dt.date(2026, 1, 10),
            hours=Decimal("1.00"),
            rate_source="none",
        )
    )
    assert "2026-01-31" in str(error)
    for change in (
        {"hours": Decimal("2.00")},
        {"date": dt.date(2026, 3, 1)},
        {"billable": False},
        {"rate_cents": 1},
        {"amount_cents": 1},
        {"description": "Rewritten"},
    ):
        _refused(lambda change=change: rows.update(**change))
    _refused(lambda: TimeEntry.objects.filter(pk=open_entry.pk).update(date=dt.date(2026, 1, 31)))
    _refused(rows.delete)
    with connection.cursor() as cursor:
        _refused(
            lambda: cursor.execute(
                "UPDATE practice_timeentry SET hours = 9 WHERE id = %s", [locked.pk]
            )
        )
    assert row(locked.public_id) == stored
    # Open time is open, to the database too.
    TimeEntry.objects.filter(pk=open_entry.pk).update(hours=Decimal("2.00"))
    TimeEntry.objects.filter(pk=open_entry.pk).delete()


@requires_postgres
def test_the_trigger_lets_billing_approvals_and_cleanups_reach_locked_time(
    alice, acme, locked_rows
):
    locked, _ = locked_rows
    books = engagement_create(
        firm=alice.firm,
        client=acme.client,
        name="Books",
        start_date=dt.date(2026, 1, 1),
        type="bookkeeping",
    )
    TimeEntry.objects.filter(pk=locked.pk).update(engagement=books)  # not a priced field

    with transaction.atomic():
        time_entries_mark_billed(
            entries=[locked], invoice_public_id="inv_x", invoice_number="INV-0001"
        )
    assert TimeEntry.objects.get(pk=locked.pk).billing_status == "billed"
    time_entries_mark_unbilled(firm=alice.firm, invoice_public_id="inv_x")
    TimeEntry.objects.filter(pk=locked.pk).update(
        approval_status="approved", approved_at=timezone.now(), approved_by=alice.user
    )
    TimeEntry.objects.filter(pk=locked.pk).update(approval_status="open", approved_at=None)
    books.delete()  # the engagement goes: its locked time stays, without it

    stored = TimeEntry.objects.get(pk=locked.pk)
    assert (stored.engagement_id, stored.billing_status, stored.hours) == (
        None,
        "unbilled",
        Decimal("1.00"),
    )


@requires_postgres
def test_the_trigger_reads_the_lock_date_of_the_rows_own_firm(alice, charlie, globex, locked_rows):
    TimeEntry.objects.create(
        firm=charlie.firm,
        client=globex.client,
        date=dt.date(2026, 1, 10),
        hours=Decimal("1.00"),
        rate_source="none",
    )
    lock(alice.firm, None)
    TimeEntry.objects.filter(pk=locked_rows[0].pk).update(hours=Decimal("3.00"))
