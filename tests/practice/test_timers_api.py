"""Timers over HTTP: start (stopping the user's running one), list the running ones, stop (a time
entry made by the time entry service, hours rounded up to 0.01 h) and discard; who may, what a
refusal leaves (nothing changed), and the webhook events timer.started and timer.stopped.

The clock is a fixture (`clock`): `django.utils.timezone.now` answers what the test says, so
elapsed times are exact and nothing sleeps.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from axiomatic.core.errors import ConflictError
from axiomatic.core.ids import new_public_id
from axiomatic.entities.services import api_key_create
from axiomatic.webhooks.events import event_body_build
from axiomatic.webhooks.models import WebhookEvent
from axiomatic.webhooks.services import endpoint_create
from practice.errors import PracticeErrorCode
from practice.models import FirmProfile, TimeEntry, Timer
from practice.services import timers as timer_services
from practice.services.clients import client_archive
from practice.services.engagements import engagement_create
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import api, db_fingerprint
from tests.practice.time_helpers import ENTRY_KEYS, TIME, entry_url, listing, tasks_of

pytestmark = pytest.mark.django_db

TIMERS = "/api/practice/timers"
TIMER_KEYS = {
    "id",
    "userId",
    "entityId",
    "engagementId",
    "taskId",
    "description",
    "billable",
    "status",
    "startedAt",
    "stoppedAt",
    "elapsedSeconds",
    "timeEntryId",
}
T0 = dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fixed = Clock(T0)
    monkeypatch.setattr("django.utils.timezone.now", fixed)
    return fixed


def start_body(persona, link, **overrides) -> dict:
    return {"firmEntityId": persona.firm.public_id, "entityId": link.client.public_id, **overrides}


def start(persona, link, *, status=201, code=None, **overrides):
    return api(persona).post(
        TIMERS, start_body(persona, link, **overrides), status=status, code=code
    )


def stop_url(timer_id: str) -> str:
    return f"{TIMERS}/{timer_id}/stop"


def stop(persona, timer_id: str, *, status=200, code=None):
    return api(persona).post(
        stop_url(timer_id), {"firmEntityId": persona.firm.public_id}, status=status, code=code
    )


def discard(persona, timer_id: str, *, status=204, code=None):
    return api(persona).delete(
        f"{TIMERS}/{timer_id}", {"firmEntityId": persona.firm.public_id}, status=status, code=code
    )


def running(persona, **params) -> list[dict]:
    return api(persona).get(TIMERS, {"firmEntityId": persona.firm.public_id, **params})["timers"]


def member(persona, email: str, role="MEMBER"):
    user = UserFactory(email=email)
    MembershipFactory(user=user, entity=persona.firm, role=role)
    return user


def refused_without_change(call) -> dict:
    before = db_fingerprint()
    error = call()
    assert db_fingerprint() == before
    return error


# --- Start -----------------------------------------------------------------------------------------


def test_start_returns_the_timer_for_the_caller_with_no_stopped_entry(alice, acme, clock):
    body = start(alice, acme, description="Bank reconciliation")
    assert set(body) == {"timer", "stoppedEntry", "stoppedTimer"}
    timer = body["timer"]
    assert set(timer) == TIMER_KEYS
    assert timer["id"].startswith("tmr_")
    assert timer == {
        **timer,
        "userId": alice.user.public_id,  # an API key times its creator
        "entityId": acme.client.public_id,
        "engagementId": None,
        "taskId": None,
        "description": "Bank reconciliation",
        "billable": None,
        "status": "running",
        "startedAt": "2026-03-10T14:00:00Z",
        "stoppedAt": None,
        "elapsedSeconds": 0,
        "timeEntryId": None,
    }
    assert body["stoppedEntry"] is None and body["stoppedTimer"] is None
    stored = Timer.objects.get(public_id=timer["id"])
    assert (stored.firm, stored.user, stored.client) == (alice.firm, alice.user, acme.client)
    assert stored.status == "running" and stored.started_at == T0


def test_start_with_every_field_names_a_colleague_a_task_and_billable(alice, acme, bookkeeping):
    task = tasks_of(bookkeeping)[1]
    dana = member(alice, "dana@alpha.test")
    timer = start(
        alice, acme, userId=dana.public_id, taskId=task.public_id, billable=False, description=""
    )["timer"]
    # The task brings its engagement along, as on a time entry.
    assert (timer["userId"], timer["engagementId"], timer["taskId"]) == (
        dana.public_id,
        bookkeeping.public_id,
        task.public_id,
    )
    assert timer["billable"] is False


def test_start_without_a_user_from_a_key_that_has_none_asks_for_user_id(alice, acme):
    keyless = APIClient()
    keyless.credentials(
        HTTP_AUTHORIZATION=f"Bearer {api_key_create(firm=alice.firm, name='ERP').key}"
    )
    error = refused_without_change(
        lambda: api(keyless).post(TIMERS, start_body(alice, acme), status=400)
    )
    assert "userId" in error["fields"] and "give userId" in error["message"]
    # Naming the user works with the same key.
    timer = api(keyless).post(TIMERS, start_body(alice, acme, userId=alice.user.public_id))
    assert timer["timer"]["userId"] == alice.user.public_id


@pytest.mark.parametrize("who", ["other_firm", "unknown"])
def test_start_for_someone_not_in_the_firm_is_the_same_400(alice, acme, charlie, who):
    user_id = charlie.user.public_id if who == "other_firm" else new_public_id("usr")
    error = refused_without_change(lambda: start(alice, acme, status=400, userId=user_id))
    assert error["fields"] == {"userId": ["No such member of this firm."]}


def test_start_for_another_firms_archived_or_unknown_client_is_the_same_404(
    alice, acme, globex, make_client
):
    gone = make_client(alice, "Gone LLC")
    client_archive(link=gone)
    answers = []
    for client_id in (globex.client.public_id, gone.client.public_id, new_public_id("ent")):
        answers.append(
            refused_without_change(
                lambda cid=client_id: start(alice, acme, status=404, entityId=cid)
            )
        )
    assert answers[0] == answers[1] == answers[2]


def test_start_checks_engagement_and_task_within_the_client(
    alice, acme, bookkeeping, make_client, charlie, globex
):
    other = make_client(alice, "Other Co")
    elsewhere = engagement_create(
        firm=alice.firm,
        client=other.client,
        name="Other close",
        start_date=dt.date(2026, 1, 1),
        type="bookkeeping",
    )
    foreign = engagement_create(
        firm=charlie.firm,
        client=globex.client,
        name="Globex",
        start_date=dt.date(2026, 1, 1),
        type="audit",
    )
    for engagement in (elsewhere, foreign):
        error = refused_without_change(
            lambda e=engagement: start(alice, acme, status=400, engagementId=e.public_id)
        )
        assert error["fields"] == {"engagementId": ["No such engagement for this client."]}
    mismatched = tasks_of(elsewhere)[0]
    error = refused_without_change(
        lambda: start(alice, acme, status=400, taskId=mismatched.public_id)
    )
    assert error["fields"] == {"taskId": ["No such task for this client."]}
    second = engagement_create(
        firm=alice.firm,
        client=acme.client,
        name="Tax",
        start_date=dt.date(2026, 1, 1),
        type="tax_prep",
    )
    error = refused_without_change(
        lambda: start(
            alice,
            acme,
            status=400,
            engagementId=bookkeeping.public_id,
            taskId=tasks_of(second)[0].public_id,
        )
    )
    assert error["fields"] == {"taskId": ["This task belongs to another engagement."]}


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"entityId": "acme"}, "entityId"),
        ({"entityId": None}, "entityId"),
        ({"userId": 12}, "userId"),
        ({"engagementId": "eng"}, "engagementId"),
        ({"taskId": "te_123"}, "taskId"),
        ({"billable": "yes"}, "billable"),
        ({"billable": 1}, "billable"),
        ({"description": 5}, "description"),
        ({"description": "x" * 5001}, "description"),
        ({"firmEntityId": "firm"}, "firmEntityId"),
    ],
)
def test_start_rejects_bad_input_with_400(alice, acme, overrides, field):
    error = refused_without_change(lambda: start(alice, acme, status=400, **overrides))
    assert error["code"] == "validation_error" and field in error["fields"]


def test_start_without_a_client_or_with_a_body_that_is_not_an_object_is_400(alice):
    error = api(alice).post(TIMERS, {"firmEntityId": alice.firm.public_id}, status=400)
    assert "entityId" in error["fields"]
    api(alice).post(TIMERS, raw="[1, 2]", status=400)
    api(alice).post(TIMERS, raw="{not json", status=400)


def test_a_viewer_may_not_start_and_another_firm_gets_404(alice, bob, charlie, acme):
    refused_without_change(lambda: start(bob, acme, status=403, code="permission_denied"))
    refused_without_change(
        lambda: api(charlie).post(TIMERS, start_body(alice, acme), status=404, code="not_found")
    )


def test_starting_another_stops_the_first_and_returns_its_entry_as_the_time_api_shows_it(
    alice, acme, clock
):
    first = start(alice, acme, description="Payroll")["timer"]
    clock.advance(5400)
    body = start(alice, acme, description="Reconciliation")
    entry = body["stoppedEntry"]
    assert set(entry) == ENTRY_KEYS
    assert entry == next(e for e in listing(alice)["entries"] if e["id"] == entry["id"])
    assert (entry["hours"], entry["description"], entry["date"]) == (1.5, "Payroll", "2026-03-10")
    assert body["stoppedTimer"] == {
        **first,
        "status": "stopped",
        "stoppedAt": "2026-03-10T15:30:00Z",
        "elapsedSeconds": 5400,
        "timeEntryId": entry["id"],
    }
    assert body["timer"]["startedAt"] == "2026-03-10T15:30:00Z"  # where the first one stopped
    assert [t["id"] for t in running(alice)] == [body["timer"]["id"]]
    assert Timer.objects.filter(user=alice.user, status="running").count() == 1
    assert TimeEntry.objects.filter(firm=alice.firm).count() == 1


def test_a_refused_entry_for_the_running_timer_starts_nothing(alice, acme, clock, monkeypatch):
    first = start(alice, acme)["timer"]
    clock.advance(600)
    real_create = timer_services.time_entry_create

    def refusing(**kwargs):
        real_create(**kwargs)  # written, then refused: the refusal must undo it too
        raise ConflictError("Time on or before 2026-03-31 is locked.", code="period_locked")

    monkeypatch.setattr(timer_services, "time_entry_create", refusing)
    error = refused_without_change(lambda: start(alice, acme, status=409, code="period_locked"))
    assert first["id"] in error["message"] and "2026-03-31" in error["message"]
    assert [t["id"] for t in running(alice)] == [first["id"]]


def test_a_user_with_a_timer_running_at_another_firm_cannot_start_one_here(
    alice, acme, charlie, globex
):
    MembershipFactory(user=charlie.user, entity=alice.firm, role="MEMBER")
    start(charlie, globex)
    error = refused_without_change(
        lambda: start(alice, acme, status=409, code="conflict", userId=charlie.user.public_id)
    )
    assert "another firm" in error["message"]
    assert Timer.objects.get(user=charlie.user).firm == charlie.firm  # left alone


# --- List ------------------------------------------------------------------------------------------


def test_the_list_shows_the_firms_running_timers_oldest_first(alice, acme, charlie, globex, clock):
    dana = member(alice, "dana@alpha.test")
    mine = start(alice, acme)["timer"]
    clock.advance(60)
    danas = start(alice, acme, userId=dana.public_id)["timer"]
    clock.advance(60)
    gone = start(alice, acme, userId=member(alice, "eve@alpha.test").public_id)["timer"]
    discard(alice, gone["id"])
    start(charlie, globex)  # another firm's: never listed
    listed = running(alice)
    assert [t["id"] for t in listed] == [mine["id"], danas["id"]]
    assert listed[0]["elapsedSeconds"] == 120
    assert [t["id"] for t in running(alice, userId=dana.public_id)] == [danas["id"]]
    assert running(alice, userId=charlie.user.public_id) == []
    assert running(alice, userId=new_public_id("usr")) == []


def test_a_viewer_may_list_and_another_firm_gets_404(alice, bob, charlie, acme):
    start(alice, acme)
    assert len(running(bob)) == 1
    api(charlie).get(TIMERS, {"firmEntityId": alice.firm.public_id}, status=404, code="not_found")


@pytest.mark.parametrize("params", [{"firmEntityId": "x"}, {"userId": "dana"}])
def test_the_list_rejects_bad_queries(alice, params):
    query = {"firmEntityId": alice.firm.public_id, **params} if params.get("userId") else params
    error = api(alice).get(TIMERS, query, status=400)
    assert error["code"] == "validation_error"


def test_an_api_key_may_leave_the_firm_out(alice, acme):
    timer = api(alice).post(TIMERS, {"entityId": acme.client.public_id}, status=201)["timer"]
    assert [t["id"] for t in api(alice).get(TIMERS, {}, status=200)["timers"]] == [timer["id"]]
    api(alice).post(f"{TIMERS}/{timer['id']}/stop", {}, status=200)
    assert api(alice).get(TIMERS, {}, status=200)["timers"] == []


def _count_queries(persona) -> int:
    running(persona)  # warm up: the first call of a minute stamps the key's use
    with CaptureQueriesContext(connection) as ctx:
        running(persona)
    return len(ctx.captured_queries)


def _running_timers(persona, link, engagement, count: int) -> None:
    task = tasks_of(engagement)[0]
    for n in range(count):
        Timer.objects.create(
            firm=persona.firm,
            user=member(persona, f"staff{Timer.objects.count()}-{n}@alpha.test"),
            client=link.client,
            engagement=engagement,
            task=task,
            started_at=T0,
        )


def test_the_list_takes_the_same_queries_for_1_or_40_timers(alice, acme, bookkeeping):
    _running_timers(alice, acme, bookkeeping, 1)
    one = _count_queries(alice)
    _running_timers(alice, acme, bookkeeping, 39)
    many = _count_queries(alice)
    assert len(running(alice)) == 40
    assert one == many


# --- Stop ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "seconds, hours",
    [(0, "0.01"), (1, "0.01"), (36, "0.01"), (37, "0.02"), (5400, "1.50"), (5401, "1.51")],
)
def test_stop_logs_the_elapsed_time_rounded_up_to_a_hundredth_of_an_hour(
    alice, acme, clock, seconds, hours
):
    timer = start(alice, acme)["timer"]
    clock.advance(seconds)
    body = stop(alice, timer["id"])
    assert set(body) == {"timer", "entry"}
    assert body["entry"]["hours"] == float(hours)
    assert TimeEntry.objects.get(public_id=body["entry"]["id"]).hours == Decimal(hours)
    assert body["timer"]["elapsedSeconds"] == seconds


def test_a_timer_left_running_past_a_day_logs_24_hours(alice, acme, clock):
    timer = start(alice, acme)["timer"]
    clock.advance(30 * 3600)
    body = stop(alice, timer["id"])
    assert body["entry"]["hours"] == 24  # an entry holds one day at most
    assert body["timer"]["elapsedSeconds"] == 30 * 3600


def test_stop_makes_the_entry_through_the_time_service(alice, acme, bookkeeping, clock):
    acme.default_rate_cents = 12_000
    acme.save(update_fields=["default_rate_cents"])
    task = tasks_of(bookkeeping)[0]
    timer = start(alice, acme, taskId=task.public_id, description="Ledger review")["timer"]
    clock.advance(2 * 3600)
    body = stop(alice, timer["id"])
    entry = body["entry"]
    assert entry == api(alice).get(TIME, {"firmEntityId": alice.firm.public_id})["entries"][0]
    assert entry == {
        **entry,
        "entityId": acme.client.public_id,
        "engagementId": bookkeeping.public_id,
        "taskId": task.public_id,
        "userId": alice.user.public_id,
        "date": "2026-03-10",
        "hours": 2,
        "description": "Ledger review",
        "billable": True,
        "rate": 12_000,
        "rateSource": "client",
        "amount": 24_000,
    }
    assert body["timer"] == {
        **timer,
        "status": "stopped",
        "stoppedAt": "2026-03-10T16:00:00Z",
        "elapsedSeconds": 7200,
        "timeEntryId": entry["id"],
    }
    history = api(alice).get(
        f"{entry_url(entry['id'])}/history", {"firmEntityId": alice.firm.public_id}
    )
    assert len(history["history"]) == 1
    assert running(alice) == []


def test_a_timer_started_as_not_billable_logs_non_billable_time(alice, acme):
    timer = start(alice, acme, billable=False)["timer"]
    assert stop(alice, timer["id"])["entry"]["billable"] is False


def test_the_entry_is_dated_the_local_day_the_timer_started(alice, acme, clock, settings):
    settings.TIME_ZONE = "America/New_York"
    clock.now = dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC)  # 22:00 on the 9th in New York
    timer = start(alice, acme)["timer"]
    clock.advance(4 * 3600)  # stopped on the 10th, even in New York
    assert stop(alice, timer["id"])["entry"]["date"] == "2026-03-09"


def test_stop_takes_the_firm_in_the_query_string_too(alice, acme):
    timer = start(alice, acme)["timer"]
    api(alice).post(
        stop_url(timer["id"]), params={"firmEntityId": alice.firm.public_id}, status=200
    )


@pytest.mark.parametrize("ending", ["stopped", "discarded"])
def test_stopping_or_discarding_a_timer_that_is_not_running_is_409(alice, acme, ending):
    timer = start(alice, acme)["timer"]
    stop(alice, timer["id"]) if ending == "stopped" else discard(alice, timer["id"])
    code = PracticeErrorCode.TIMER_NOT_RUNNING
    error = refused_without_change(lambda: stop(alice, timer["id"], status=409, code=code))
    assert ending in error["message"]
    refused_without_change(lambda: discard(alice, timer["id"], status=409, code=code))


def test_a_refused_entry_leaves_the_timer_running(alice, acme, clock, monkeypatch):
    timer = start(alice, acme)["timer"]
    clock.advance(600)
    real_create = timer_services.time_entry_create

    def refusing(**kwargs):
        real_create(**kwargs)
        raise ConflictError("Time on or before 2026-03-31 is locked.", code="period_locked")

    monkeypatch.setattr(timer_services, "time_entry_create", refusing)
    refused_without_change(lambda: stop(alice, timer["id"], status=409, code="period_locked"))
    assert running(alice)[0]["id"] == timer["id"]


def test_time_in_a_locked_period_leaves_the_timer_running(alice, acme, clock):
    timer = start(alice, acme)["timer"]
    FirmProfile.objects.update_or_create(
        firm=alice.firm, defaults={"time_lock_date": dt.date(2026, 3, 31)}
    )
    error = refused_without_change(
        lambda: stop(alice, timer["id"], status=409, code="period_locked")
    )
    assert "2026-03-31" in error["message"]
    assert running(alice)[0]["id"] == timer["id"]


def test_a_timer_whose_client_was_archived_cannot_be_stopped_only_discarded(alice, acme):
    timer = start(alice, acme)["timer"]
    client_archive(link=acme)
    error = refused_without_change(lambda: stop(alice, timer["id"], status=409, code="conflict"))
    assert "discard the timer" in error["message"]
    discard(alice, timer["id"])


def test_stop_and_discard_of_another_firms_or_an_unknown_timer_is_the_same_404(
    alice, acme, charlie, globex
):
    theirs = start(charlie, globex)["timer"]["id"]
    for call in (stop, discard):
        answers = [
            refused_without_change(lambda c=call, t=timer_id: c(alice, t, status=404))
            for timer_id in (theirs, new_public_id("tmr"))
        ]
        assert answers[0] == answers[1]
    assert Timer.objects.get(public_id=theirs).status == "running"


@pytest.mark.parametrize("timer_id", ["12345", "tmr", "te_0123456789abcdef", "tmr_!!"])
def test_stop_and_discard_of_a_junk_id_is_400(alice, timer_id):
    for call in (stop, discard):
        error = refused_without_change(lambda c=call: c(alice, timer_id, status=400))
        assert "timerId" in error["fields"]


def test_a_viewer_may_not_stop_or_discard(alice, bob, acme):
    timer = start(alice, acme)["timer"]
    refused_without_change(lambda: stop(bob, timer["id"], status=403))
    refused_without_change(lambda: discard(bob, timer["id"], status=403))


def test_discard_makes_no_entry(alice, acme, clock):
    timer = start(alice, acme)["timer"]
    clock.advance(900)
    assert discard(alice, timer["id"]) is None
    stored = Timer.objects.get(public_id=timer["id"])
    assert (stored.status, stored.stopped_at, stored.time_entry) == ("discarded", clock.now, None)
    assert TimeEntry.objects.count() == 0
    assert running(alice) == []


# --- Webhooks --------------------------------------------------------------------------------------


def _built_after(call):
    """`call()`, then the bodies of the events it recorded, built as right after its commit."""
    result = call()
    for event in WebhookEvent.objects.filter(payload__isnull=True).order_by("id"):
        event_body_build(event)
    return result


def test_start_and_stop_send_timer_started_and_timer_stopped_with_the_timer(
    alice, acme, clock, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    endpoint_create(firm=alice.firm, url="http://127.0.0.1:9/hook", event_types=["*"])
    with django_capture_on_commit_callbacks(execute=False):  # no delivery: bodies only
        first = _built_after(lambda: start(alice, acme))
        clock.advance(60)
        second = _built_after(lambda: start(alice, acme))
        clock.advance(60)
        stopped = _built_after(lambda: stop(alice, second["timer"]["id"]))
    events = list(WebhookEvent.objects.filter(firm=alice.firm).order_by("id"))
    assert [(e.type, e.subject_public_id) for e in events] == [
        ("timer.started", first["timer"]["id"]),
        ("time_entry.created", second["stoppedEntry"]["id"]),  # the first timer's entry...
        ("timer.stopped", first["timer"]["id"]),  # ...made as the second start stopped it
        ("timer.started", second["timer"]["id"]),
        ("time_entry.created", stopped["entry"]["id"]),
        ("timer.stopped", second["timer"]["id"]),
    ]
    objects = [e.payload["data"]["object"] for e in events]
    assert objects[0] == first["timer"]
    assert objects[1] == second["stoppedEntry"]
    assert objects[2] == second["stoppedTimer"]
    assert objects[3] == {**second["timer"], "elapsedSeconds": 0}
    assert objects[4] == stopped["entry"]
    assert objects[5] == stopped["timer"]
