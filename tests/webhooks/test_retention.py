"""Webhook history is kept WEBHOOK_RETENTION_DAYS, then purged; what still waits to be sent stays."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from axiomatic.webhooks import delivery, signing, tasks
from axiomatic.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)


def make_endpoint(firm, url="https://hooks.example.com/axiomatic") -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        firm=firm,
        url=url,
        events=["*"],
        secret_encrypted=signing.encrypt_secret(signing.new_secret()),
    )


@pytest.fixture
def endpoint(alice):
    return make_endpoint(alice.firm)


def event(endpoint, *, age_days: float, statuses=(DeliveryStatus.SUCCEEDED,)) -> WebhookEvent:
    """An event of `age_days` with one delivery per status, each to its own endpoint of the firm."""
    created = NOW - dt.timedelta(days=age_days)
    made = WebhookEvent.objects.create(
        firm=endpoint.firm,
        type="client.created",
        created_at=created,
        payload={"type": "client.created"},
    )
    for i, status in enumerate(statuses):
        to = endpoint if i == 0 else make_endpoint(endpoint.firm, f"{endpoint.url}/{i}")
        WebhookDelivery.objects.create(endpoint=to, event=made, status=status, created_at=created)
    return made


def test_sent_and_given_up_events_past_retention_are_deleted_with_their_deliveries(
    endpoint, settings
):
    settings.WEBHOOK_RETENTION_DAYS = 30
    sent = event(endpoint, age_days=31)
    given_up = event(endpoint, age_days=45, statuses=(DeliveryStatus.FAILED,))
    recent = event(endpoint, age_days=29)

    assert delivery.history_purge(now=NOW) == 2

    assert list(WebhookEvent.objects.values_list("id", flat=True)) == [recent.id]
    assert not WebhookDelivery.objects.filter(event_id__in=[sent.id, given_up.id]).exists()
    assert WebhookDelivery.objects.filter(event=recent).count() == 1


def test_an_old_event_still_waiting_to_be_sent_is_kept_with_all_its_deliveries(endpoint):
    # e.g. queued behind a failing event, or for an endpoint that was disabled and not enabled again
    waiting = event(
        endpoint, age_days=90, statuses=(DeliveryStatus.SUCCEEDED, DeliveryStatus.PENDING)
    )

    assert delivery.history_purge(now=NOW) == 0

    assert WebhookEvent.objects.filter(pk=waiting.pk).exists()
    assert WebhookDelivery.objects.filter(event=waiting).count() == 2


def test_an_old_event_whose_endpoint_was_deleted_is_purged(endpoint):
    orphan = event(endpoint, age_days=40)
    WebhookDelivery.objects.filter(event=orphan).delete()

    assert delivery.history_purge(now=NOW) == 1
    assert not WebhookEvent.objects.exists()


def test_a_backlog_is_purged_in_batches_and_a_second_run_finds_nothing(endpoint):
    for age in range(31, 38):
        event(endpoint, age_days=age)

    assert delivery.history_purge(now=NOW, batch=3) == 7
    assert delivery.history_purge(now=NOW, batch=3) == 0
    assert not WebhookDelivery.objects.exists()


def test_the_retention_setting_moves_the_cutoff(endpoint, settings):
    event(endpoint, age_days=8)
    settings.WEBHOOK_RETENTION_DAYS = 10
    assert delivery.history_purge(now=NOW) == 0
    settings.WEBHOOK_RETENTION_DAYS = 7
    assert delivery.history_purge(now=NOW) == 1


def test_the_nightly_task_purges_against_the_clock(endpoint):
    old = event(endpoint, age_days=0)
    WebhookEvent.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(days=settings.WEBHOOK_RETENTION_DAYS + 1)
    )
    kept = event(endpoint, age_days=0)
    WebhookEvent.objects.filter(pk=kept.pk).update(created_at=timezone.now())

    assert tasks.purge_webhook_history.delay().get() == 1
    assert list(WebhookEvent.objects.values_list("id", flat=True)) == [kept.id]


def test_beat_runs_the_purge_every_night():
    entry = settings.CELERY_BEAT_SCHEDULE["purge-webhook-history"]
    assert entry["task"] == tasks.purge_webhook_history.name
    assert entry["schedule"].hour == {3} and entry["schedule"].minute == {40}
