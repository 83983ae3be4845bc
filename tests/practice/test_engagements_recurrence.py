"""Recurring engagements: completing one creates the next occurrence exactly once, stepped by
period from the series start, and never rewrites earlier ones, also under concurrency."""

import datetime as dt

import pytest

from practice.models import Engagement, Task
from practice.services import engagements as engagement_services
from tests.helpers import api, requires_postgres, run_concurrently
from tests.practice.engagement_helpers import (
    EXPECTED_TASKS,
    complete_task,
    create,
    days_after,
    firm_query,
    item_url,
    listed,
    set_status,
    task_url,
)

pytestmark = pytest.mark.django_db


# --- Recurrence ---------------------------------------------------------------------------------


def test_completing_a_quarterly_engagement_creates_the_next_quarter(alice, bob, acme):
    first = create(
        alice,
        acme,
        name="Quarterly close",
        type="bookkeeping",
        recurrence="quarterly",
        startDate="2026-10-01",
        dueDate="2026-10-31",
        notes="Same as always.",
        assigneeUserId=bob.user.public_id,
    )
    complete_task(alice, first["tasks"][0]["id"])
    done = set_status(alice, first["id"], "completed")
    assert done["id"] == first["id"] and done["status"] == "completed"
    engagements = listed(alice)
    assert [e["id"] for e in engagements][0] == first["id"]
    assert len(engagements) == 2
    nxt = engagements[1]
    assert nxt["id"] != first["id"]
    assert nxt == {
        **nxt,
        "entityId": acme.client.public_id,
        "name": "Quarterly close",
        "type": "bookkeeping",
        "status": "active",
        "recurrence": "quarterly",
        "periodKey": "2027-Q1",
        "startDate": "2027-01-01",
        "dueDate": "2027-01-31",
        "assigneeUserId": bob.user.public_id,
        "notes": "Same as always.",
        "completedAt": None,
    }
    assert first["periodKey"] == "2026-Q4"
    # Fresh tasks: new ids, none completed, due from the new start date.
    assert not {t["id"] for t in nxt["tasks"]} & {t["id"] for t in first["tasks"]}
    assert [(t["title"], t["position"], t["dueDate"], t["completed"]) for t in nxt["tasks"]] == [
        (title, i, days_after("2027-01-01", days), False)
        for i, (title, days) in enumerate(EXPECTED_TASKS["bookkeeping"], start=1)
    ]


def test_completing_the_last_task_of_a_recurring_engagement_creates_the_next(alice, acme):
    first = create(alice, acme, type="advisory", recurrence="annual", startDate="2026-03-15")
    for task in first["tasks"]:
        complete_task(alice, task["id"])
    engagements = listed(alice)
    assert [(e["startDate"], e["periodKey"], e["status"]) for e in engagements] == [
        ("2026-03-15", "2026", "completed"),
        ("2027-03-15", "2027", "active"),
    ]
    assert [t["completed"] for t in engagements[1]["tasks"]] == [False] * 4


def _complete_series(persona, link, recurrence: str, start: str, count: int) -> list[dict]:
    """Complete `count` occurrences in turn, each time the newest one; returns the whole series."""
    current = create(persona, link, recurrence=recurrence, startDate=start, name="Series")
    for _ in range(count):
        set_status(persona, current["id"], "completed")
        current = [e for e in listed(persona) if e["status"] == "active"][-1]
    return listed(persona)


@pytest.mark.parametrize(
    ("recurrence", "start", "expected"),
    [
        (
            "monthly",
            "2026-01-31",
            [
                ("2026-01-31", "2026-01"),
                ("2026-02-28", "2026-02"),
                ("2026-03-31", "2026-03"),
                ("2026-04-30", "2026-04"),
                ("2026-05-31", "2026-05"),
            ],
        ),
        (
            "monthly",
            "2026-11-15",
            [
                ("2026-11-15", "2026-11"),
                ("2026-12-15", "2026-12"),
                ("2027-01-15", "2027-01"),
            ],
        ),
        (
            "quarterly",
            "2026-08-31",
            [
                ("2026-08-31", "2026-Q3"),
                ("2026-11-30", "2026-Q4"),
                ("2027-02-28", "2027-Q1"),
                ("2027-05-31", "2027-Q2"),
            ],
        ),
        (
            "annual",
            "2028-02-29",
            [
                ("2028-02-29", "2028"),
                ("2029-02-28", "2029"),
                ("2030-02-28", "2030"),
                ("2031-02-28", "2031"),
                ("2032-02-29", "2032"),
            ],
        ),
    ],
)
def test_occurrences_step_by_period_anchored_on_the_series_start(
    alice, acme, recurrence, start, expected
):
    series = _complete_series(alice, acme, recurrence, start, len(expected) - 1)
    assert [(e["startDate"], e["periodKey"]) for e in series] == expected
    assert [e["status"] for e in series] == ["completed"] * (len(expected) - 1) + ["active"]
    assert {e["name"] for e in series} == {"Series"}


def test_a_due_date_keeps_its_distance_from_the_start(alice, acme):
    first = create(alice, acme, recurrence="monthly", startDate="2026-01-31", dueDate="2026-02-10")
    set_status(alice, first["id"], "completed")
    nxt = listed(alice)[1]
    assert (nxt["startDate"], nxt["dueDate"]) == ("2026-02-28", "2026-03-10")


def test_completing_through_the_engagement_path_creates_the_next_occurrence(alice, acme):
    first = create(alice, acme, type="tax_prep", recurrence="annual", startDate="2026-01-15")
    url = item_url(first["id"]) + firm_query(alice)
    done = api(alice).patch(url, {"status": "completed", "notes": "Filed."})["engagement"]
    assert (done["status"], done["notes"]) == ("completed", "Filed.")
    api(alice).patch(url, {"status": "completed"})
    engagements = listed(alice)
    assert [(e["startDate"], e["periodKey"], e["status"]) for e in engagements] == [
        ("2026-01-15", "2026", "completed"),
        ("2027-01-15", "2027", "active"),
    ]
    # The next occurrence takes the notes as they were when the series moved on.
    assert engagements[1]["notes"] == "Filed."
    assert len(engagements[1]["tasks"]) == 5


def test_without_recurrence_or_when_cancelled_no_next_occurrence(alice, acme):
    once = create(alice, acme, type="advisory")
    set_status(alice, once["id"], "completed")
    recurring = create(alice, acme, recurrence="monthly", startDate="2026-05-01")
    set_status(alice, recurring["id"], "cancelled")
    assert sorted(e["id"] for e in listed(alice)) == sorted([once["id"], recurring["id"]])


@pytest.mark.parametrize(
    "moves",
    [
        ["completed", "completed"],
        ["completed", "active", "completed"],
        ["completed", "active", "cancelled", "active", "completed"],
    ],
)
def test_the_next_occurrence_is_created_exactly_once(alice, acme, moves):
    first = create(alice, acme, recurrence="quarterly", startDate="2026-10-01")
    for move in moves:
        set_status(alice, first["id"], move)
    engagements = listed(alice)
    assert [(e["startDate"], e["periodKey"]) for e in engagements] == [
        ("2026-10-01", "2026-Q4"),
        ("2027-01-01", "2027-Q1"),
    ]
    assert Engagement.objects.count() == 2


def test_reopening_and_recompleting_a_task_creates_the_next_once(alice, acme):
    first = create(alice, acme, type="advisory", recurrence="monthly", startDate="2026-10-01")
    for task in first["tasks"]:
        complete_task(alice, task["id"])
    tid = first["tasks"][-1]["id"]
    url = task_url(first["id"], tid, "reopen") + firm_query(alice)
    reopened = api(alice).post(url, status=200)["engagement"]
    assert reopened["status"] == "active"
    again = complete_task(alice, tid)
    assert again["status"] == "completed"
    assert [e["periodKey"] for e in listed(alice)] == ["2026-10", "2026-11"]
    assert Task.objects.count() == 8


def test_completing_an_occurrence_never_rewrites_earlier_ones(alice, acme):
    first = create(alice, acme, type="advisory", recurrence="monthly", startDate="2026-01-31")
    set_status(alice, first["id"], "completed")
    before = listed(alice)
    first_done, second = before
    set_status(alice, second["id"], "completed")
    after = listed(alice)
    assert len(after) == 3
    assert after[0] == first_done
    assert after[1]["status"] == "completed"
    assert (after[2]["startDate"], after[2]["periodKey"]) == ("2026-03-31", "2026-03")
    # Reopening and completing the first again touches neither later occurrence nor adds one.
    later = after[1:]
    set_status(alice, first["id"], "active")
    set_status(alice, first["id"], "completed")
    final = listed(alice)
    assert len(final) == 3
    assert final[1:] == later


def test_a_recurring_engagement_at_the_end_of_the_calendar_completes_without_a_500(alice, acme):
    """Dates stop at 2999-12-31, so the period after the last one still exists."""
    last = create(alice, acme, recurrence="monthly", startDate="2999-12-01", type="bookkeeping")
    set_status(alice, last["id"], "completed")  # asserts the 200
    assert (
        Engagement.objects.get(
            series_id=Engagement.objects.get(public_id=last["id"]).series_id, occurrence=1
        ).period_key
        == "3000-01"
    )


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_completions_create_exactly_one_next_occurrence(alice, acme):
    threads_count = 6
    engagement = engagement_services.engagement_create(
        firm=alice.firm,
        client=acme.client,
        name="Quarterly close",
        start_date=dt.date(2026, 10, 1),
        type="bookkeeping",
        recurrence="quarterly",
    )

    def complete() -> str:
        return engagement_services.engagement_set_status(
            firm=alice.firm, public_id=engagement.public_id, status="completed"
        ).status

    race = run_concurrently(complete, threads_count)
    assert race.errors == []
    assert race.results == ["completed"] * threads_count
    series = Engagement.objects.filter(series_id=engagement.series_id).order_by("occurrence")
    assert [(e.occurrence, e.period_key, e.start_date) for e in series] == [
        (0, "2026-Q4", dt.date(2026, 10, 1)),
        (1, "2027-Q1", dt.date(2027, 1, 1)),
    ]
    assert Task.objects.filter(engagement=series[1]).count() == 5
