"""Timers under concurrency (PostgreSQL, real threads released together): starts racing for one
user leave exactly one timer running and one entry for each timer they stopped; a timer is
stopped once, never logged twice. And the database's backstop: when the lock is bypassed, the
partial unique index turns a second running timer into a clean 409."""

import pytest
from django.db import IntegrityError, transaction
from rest_framework.test import APIClient

from axiomatic.core.errors import ApplicationError, ConflictError
from axiomatic.entities.models import Entity
from practice.models import ClientLink, TimeEntry, Timer
from practice.services import timers as timer_services
from tests.helpers import api, requires_postgres, run_concurrently, run_together

pytestmark = pytest.mark.django_db

TIMERS = "/api/practice/timers"


def _start_over_http(persona, link, description: str):
    """A start as its own API client (one per thread), answering (status, body)."""

    def call():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {persona.key}")
        response = client.post(
            TIMERS,
            {
                "firmEntityId": persona.firm.public_id,
                "entityId": link.client.public_id,
                "description": description,
            },
            format="json",
        )
        return response.status_code, response.json()

    return call


def _stop_with_service(firm_pk: int, timer_id: str):
    def call():
        try:
            return timer_services.timer_stop(
                firm=Entity.objects.get(pk=firm_pk), public_id=timer_id
            )
        except ApplicationError as error:
            return error

    return call


@requires_postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("already_running", [False, True], ids=["none_running", "one_running"])
def test_starts_racing_for_one_user_leave_one_timer_running(alice, acme, already_running):
    first = api(alice).post(
        TIMERS, {"firmEntityId": alice.firm.public_id, "entityId": acme.client.public_id}
    )
    if not already_running:
        api(alice).delete(
            f"{TIMERS}/{first['timer']['id']}", {"firmEntityId": alice.firm.public_id}
        )
    race = run_together(*(_start_over_http(alice, acme, f"start {n}") for n in range(2)))
    assert race.errors == []
    assert [status for status, _ in race.results] == [201, 201], race.results
    timers = Timer.objects.filter(user=alice.user)
    assert timers.filter(status="running").count() == 1
    # Each stop made exactly one entry: the racer that came second stopped the first's timer.
    stopped = timers.filter(status="stopped")
    assert stopped.count() == (2 if already_running else 1)
    assert TimeEntry.objects.filter(firm=alice.firm).count() == stopped.count()
    assert set(stopped.values_list("time_entry_id", flat=True)) == set(
        TimeEntry.objects.values_list("id", flat=True)
    )
    reported = [body["stoppedEntry"]["id"] for _, body in race.results if body["stoppedEntry"]]
    assert len(reported) == (2 if already_running else 1)


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_ten_starts_at_once_each_stop_the_one_before(alice, acme):
    race = run_concurrently(_start_over_http(alice, acme, "rush"), 10)
    assert race.errors == []
    assert {status for status, _ in race.results} == {201}
    assert Timer.objects.filter(user=alice.user, status="running").count() == 1
    assert Timer.objects.filter(user=alice.user, status="stopped").count() == 9
    assert TimeEntry.objects.filter(firm=alice.firm).count() == 9


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_two_stops_of_one_timer_log_its_time_once(alice, acme):
    timer = api(alice).post(
        TIMERS, {"firmEntityId": alice.firm.public_id, "entityId": acme.client.public_id}
    )["timer"]
    race = run_concurrently(_stop_with_service(alice.firm.pk, timer["id"]), 2)
    assert race.errors == []
    refused = [r for r in race.results if isinstance(r, ApplicationError)]
    assert len(refused) == 1 and refused[0].code == "timer_not_running"
    assert TimeEntry.objects.filter(firm=alice.firm).count() == 1
    assert Timer.objects.get(public_id=timer["id"]).time_entry is not None


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_a_stop_racing_a_start_logs_the_running_timer_once(alice, acme):
    for _ in range(3):
        timer = api(alice).post(
            TIMERS, {"firmEntityId": alice.firm.public_id, "entityId": acme.client.public_id}
        )["timer"]
        before = TimeEntry.objects.count()
        race = run_together(
            _stop_with_service(alice.firm.pk, timer["id"]), _start_over_http(alice, acme, "next")
        )
        assert race.errors == []
        stopped, (status, body) = race.results
        assert status == 201
        if isinstance(stopped, ApplicationError):  # the start came first and stopped it
            assert stopped.code == "timer_not_running"
            assert body["stoppedEntry"] is not None
        else:  # the stop came first: the start found nothing running
            assert body["stoppedEntry"] is None
        assert TimeEntry.objects.count() == before + 1
        assert Timer.objects.filter(user=alice.user, status="running").count() == 1


# --- The backstop (any database) ----------------------------------------------------------------


def test_the_index_refuses_a_second_running_timer_for_a_user(alice, acme):
    fields = {"firm": alice.firm, "user": alice.user, "client": acme.client}
    Timer.objects.create(started_at="2026-03-10T14:00:00Z", **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Timer.objects.create(started_at="2026-03-10T15:00:00Z", **fields)


def test_a_start_that_slips_past_the_lock_is_a_409_not_a_500(alice, acme, monkeypatch):
    """As if a concurrent start had committed its timer after this one looked: the unique index
    refuses the insert, and the caller gets a 409 with the way out."""
    existing = api(alice).post(
        TIMERS, {"firmEntityId": alice.firm.public_id, "entityId": acme.client.public_id}
    )["timer"]
    monkeypatch.setattr(timer_services, "_running_timer_of", lambda user_pk: None)
    link = ClientLink.objects.select_related("client").get(pk=acme.pk)
    with pytest.raises(ConflictError) as refused:
        timer_services.timer_start(firm=alice.firm, link=link, default_user=alice.user)
    assert "try again" in refused.value.message
    error = api(alice).post(
        TIMERS,
        {"firmEntityId": alice.firm.public_id, "entityId": acme.client.public_id},
        status=409,
        code="conflict",
    )
    assert "try again" in error["message"]
    assert list(Timer.objects.filter(user=alice.user).values_list("public_id", "status")) == [
        (existing["id"], "running")
    ]
