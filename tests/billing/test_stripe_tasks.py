"""The Celery side of the Stripe sync: when it is queued, how it retries, how it fails.

Tests run Celery eagerly (no broker), where a failed run is recorded at once. The retry path is the
task's own code driven with the request a worker would give it (`is_eager=False`, `retries=n`):
Stripe errors are real ones from localstripe or from a closed port.
"""

import socket

import pytest
from celery.exceptions import Retry
from celery.schedules import crontab
from django.conf import settings as django_settings
from django.db import DatabaseError, connection

from axiomatic.celery import app as celery_app
from billing.models import DirectBillingState, StripeSyncState
from billing.services.stripe_sync import plan_id, stripe_sync_firm
from billing.tasks import MAX_RETRIES, sync_all_firms_stripe, sync_firm_stripe

pytestmark = pytest.mark.stripe

OVERVIEW = "/api/practice/billing"
CLIENTS = "/api/practice/clients"


def _closed_port_url() -> str:
    """A loopback address nothing listens on: every request is refused (a real connection error)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def _run_as_worker(task, *args, task_id: str, retries: int):
    """Run the task body with the request a worker gives the n-th retry of a queued task."""
    task.push_request(
        id=task_id,
        retries=retries,
        is_eager=False,
        called_directly=False,
        args=list(args),
        kwargs={},
    )
    try:
        return task.run(*args)
    finally:
        task.pop_request()


def _overview_stripe(persona) -> dict:
    response = persona.client.get(OVERVIEW, {"firmEntityId": persona.firm.public_id})
    assert response.status_code == 200, response.content
    return response.json()["stripe"]


# --- Retries and failures --------------------------------------------------------------------


def test_a_transient_error_is_retried_with_backoff_then_recorded(
    alice, acme, settings, stripe_api, monkeypatch
):
    settings.STRIPE_API_BASE = _closed_port_url()
    requeued: list[dict] = []
    # The one stand-in: a retry is a new message for the broker, and these tests have none. The
    # message is kept instead of sent; the countdown and the retry count are Celery's own.
    monkeypatch.setattr(
        sync_firm_stripe,
        "apply_async",
        lambda args=None, kwargs=None, **options: requeued.append(options),
    )

    def status():
        return (
            StripeSyncState.objects.filter(firm=alice.firm).values_list("status", flat=True).first()
        )

    before = status()

    countdowns = []
    for attempt in range(MAX_RETRIES):
        with pytest.raises(Retry) as retry:
            _run_as_worker(sync_firm_stripe, alice.firm.id, task_id="run-7", retries=attempt)
        countdowns.append(retry.value.when)
        # Not given up yet: nothing recorded as failed.
        assert status() == before

    assert countdowns == [60, 120, 240, 480, 960, 1920]  # 1 to 32 minutes
    assert [(o["countdown"], o["retries"], o["task_id"]) for o in requeued] == [
        (60 * 2**n, n + 1, "run-7") for n in range(MAX_RETRIES)
    ]

    # The last retry gives up: the failure is recorded where staff see it.
    assert (
        _run_as_worker(sync_firm_stripe, alice.firm.id, task_id="run-7", retries=MAX_RETRIES)
        is None
    )
    assert len(requeued) == MAX_RETRIES
    state = StripeSyncState.objects.get(firm=alice.firm)
    assert state.status == "failed"
    assert "connect" in state.last_error.lower()
    stripe_status = _overview_stripe(alice)
    assert stripe_status["status"] == "failed"
    assert stripe_status["lastError"] == state.last_error


def test_a_refusal_by_stripe_is_recorded_at_once_without_retrying(
    alice, acme, settings, stripe_api, monkeypatch
):
    settings.STRIPE_SECRET_KEY = "not-a-stripe-key"
    requeued = []
    # A stand-in for the broker, as above: here nothing must be sent to it.
    monkeypatch.setattr(sync_firm_stripe, "apply_async", lambda *a, **kw: requeued.append(kw))

    assert _run_as_worker(sync_firm_stripe, alice.firm.id, task_id="run-8", retries=0) is None

    assert requeued == []
    assert StripeSyncState.objects.get(firm=alice.firm).status == "failed"


def _lose_djstripe_customers():
    # dj-stripe's tables missing, as after a deploy that skipped `migrate`: the Stripe writes
    # succeed, the mirror fails with a database error. (The rename is undone with the test's
    # transaction.)
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE djstripe_customer RENAME TO djstripe_customer_gone")


def test_an_error_that_is_not_stripes_is_recorded_and_raised_by_a_worker(alice, acme, stripe_api):
    _lose_djstripe_customers()

    with pytest.raises(DatabaseError) as raised:
        _run_as_worker(sync_firm_stripe, alice.firm.id, task_id="run-9", retries=0)

    state = StripeSyncState.objects.get(firm=alice.firm)
    assert state.status == "failed"
    assert state.last_error.startswith(f"{raised.value.__class__.__name__}: ")


def test_in_process_an_error_that_is_not_stripes_is_recorded_and_logged_not_raised(
    alice, acme, stripe_api, caplog
):
    # With no broker the task runs inside its caller ("Sync with Stripe now", the nightly loop),
    # which must not fail with it.
    _lose_djstripe_customers()

    with caplog.at_level("ERROR", logger="billing.tasks"):
        assert sync_firm_stripe.delay(alice.firm.id).get() is None

    assert any(r.exc_info and "djstripe_customer" in str(r.exc_info[1]) for r in caplog.records)
    state = StripeSyncState.objects.get(firm=alice.firm)
    assert state.status == "failed"
    assert "djstripe_customer" in state.last_error
    assert "Sync with Stripe now" in state.last_error
    stripe_status = _overview_stripe(alice)
    assert (stripe_status["status"], stripe_status["lastError"]) == ("failed", state.last_error)


# --- When the sync is queued -------------------------------------------------------------------


def _queued_syncs(callbacks) -> list[tuple]:
    """The arguments of each Stripe sync queued among captured on-commit callbacks."""
    return [
        cb.args
        for cb in callbacks
        if getattr(getattr(cb, "func", None), "__name__", "") == "delay"
        and cb.func.__self__.name == sync_firm_stripe.name
    ]


def _after_commit(django_capture_on_commit_callbacks, request):
    """Send `request()` with its commit held back; return (response, the callbacks it queued)."""
    with django_capture_on_commit_callbacks(execute=False) as announced:
        response = request()
    return response, announced


@pytest.fixture
def synced(alice, make_client, stripe_api):
    """Alice's firm with one consolidated client, synced with Stripe."""
    link = make_client(alice, "Tiered Co", tier="STARTER")
    stripe_sync_firm(firm_id=alice.firm.id)
    state = StripeSyncState.objects.get(firm=alice.firm)
    assert state.status == "synced", state.last_error
    return link, state


@pytest.mark.parametrize(
    ("change", "expected_items", "direct"),
    [
        ({"tier": "BUSINESS"}, {plan_id("BUSINESS", 29_900): 1}, False),
        ({"billingMode": "client_direct"}, None, True),
    ],
    ids=["tier", "mode"],
)
def test_a_client_change_queues_the_sync_after_commit(
    alice, synced, stripe_api, django_capture_on_commit_callbacks, change, expected_items, direct
):
    link, state = synced
    firm_subscription = state.subscription_id
    before = stripe_api.state([firm_subscription])
    response, announced = _after_commit(
        django_capture_on_commit_callbacks,
        lambda: alice.client.patch(
            f"{CLIENTS}/{link.client.public_id}",
            {"firmEntityId": alice.firm.public_id, **change},
            format="json",
        ),
    )
    assert response.status_code == 200, response.content
    # Until the commit, Stripe is untouched and nothing is queued.
    assert stripe_api.state([firm_subscription]) == before

    with django_capture_on_commit_callbacks(execute=True) as queued:
        for callback in announced:
            callback()
    assert _queued_syncs(queued) == [(alice.firm.id,)]

    state.refresh_from_db()
    assert state.status == "synced", state.last_error
    if direct:  # the firm no longer pays for anyone: its subscription ends, the client's starts
        assert state.subscription_id == ""
        assert stripe_api.subscription(firm_subscription)["status"] == "canceled"
        own = DirectBillingState.objects.get(link=link)
        assert stripe_api.items(own.subscription_id) == {plan_id("STARTER", 7_900): 1}
    else:
        assert stripe_api.items(state.subscription_id) == expected_items


def test_archiving_a_client_queues_the_sync_after_commit(
    alice, synced, stripe_api, django_capture_on_commit_callbacks
):
    link, state = synced
    response, announced = _after_commit(
        django_capture_on_commit_callbacks,
        lambda: alice.client.delete(
            f"{CLIENTS}/{link.client.public_id}?firmEntityId={alice.firm.public_id}"
        ),
    )
    assert response.status_code == 204, response.content
    assert stripe_api.subscription(state.subscription_id)["status"] == "active"

    with django_capture_on_commit_callbacks(execute=True) as queued:
        for callback in announced:
            callback()

    assert _queued_syncs(queued) == [(alice.firm.id,)]
    assert stripe_api.subscription(state.subscription_id)["status"] == "canceled"


def test_a_refused_change_queues_nothing(
    alice, synced, make_client, stripe_api, django_capture_on_commit_callbacks
):
    link, state = synced
    make_client(alice, "Other Co", external_reference="REF-1")
    state.refresh_from_db()
    before = (stripe_api.state([state.subscription_id]), state.status, state.updated_at)

    # The tier change comes with a reference another client holds: 409, rolled back.
    response, announced = _after_commit(
        django_capture_on_commit_callbacks,
        lambda: alice.client.patch(
            f"{CLIENTS}/{link.client.public_id}",
            {
                "firmEntityId": alice.firm.public_id,
                "tier": "BUSINESS",
                "externalReference": "REF-1",
            },
            format="json",
        ),
    )

    assert response.status_code == 409, response.content
    with django_capture_on_commit_callbacks(execute=True) as queued:
        for callback in announced:
            callback()
    assert _queued_syncs(queued) == []
    state.refresh_from_db()
    assert (stripe_api.state([state.subscription_id]), state.status, state.updated_at) == before


def test_the_overview_says_pending_between_the_change_and_the_sync(
    alice, synced, stripe_api, django_capture_on_commit_callbacks
):
    link, state = synced
    response, announced = _after_commit(
        django_capture_on_commit_callbacks,
        lambda: alice.client.patch(
            f"{CLIENTS}/{link.client.public_id}",
            {"firmEntityId": alice.firm.public_id, "tier": "PROFESSIONAL"},
            format="json",
        ),
    )
    assert response.status_code == 200, response.content

    # The commit reaches billing, which queues the sync; the sync itself has not run yet.
    with django_capture_on_commit_callbacks(execute=False) as queued:
        for callback in announced:
            callback()
    assert _overview_stripe(alice)["status"] == "pending"

    for callback in queued:
        callback()
    assert _overview_stripe(alice)["status"] == "synced"
    assert stripe_api.items(state.subscription_id) == {plan_id("PROFESSIONAL", 14_900): 1}


# --- The nightly run ---------------------------------------------------------------------------


def test_the_nightly_beat_entry_runs_the_all_firms_sync_once_a_day():
    entries = [
        entry
        for entry in django_settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == sync_all_firms_stripe.name
    ]
    assert len(entries) == 1
    assert celery_app.tasks[entries[0]["task"]] is sync_all_firms_stripe._get_current_object()
    schedule = entries[0]["schedule"]
    assert isinstance(schedule, crontab)
    # One run a day: a single hour and minute, every day of the week, month and year.
    assert (len(schedule.hour), len(schedule.minute)) == (1, 1)
    assert schedule.day_of_week == set(range(7))
    assert schedule.day_of_month == set(range(1, 32))
    assert schedule.month_of_year == set(range(1, 13))
