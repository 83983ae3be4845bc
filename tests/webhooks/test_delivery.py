"""Deliveries to a real HTTP receiver on loopback: signed and verifiable, in order, once per change,
retried with backoff, never sent for a rolled-back change, disabled (not deleted) after three days
of failures with the firm's admins told."""

import datetime as dt
import re
import time
from decimal import Decimal

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from axiomatic.entities.models import Role
from axiomatic.webhooks import delivery, signing
from axiomatic.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from practice.services.time_entries import time_entry_create
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import assert_error
from tests.webhooks.helpers import HOOKS, TIME, log_time, readme_snippet, register

pytestmark = pytest.mark.django_db


def test_events_arrive_signed_verifiable_in_order_and_once_per_change(
    alice, acme, receiver, django_capture_on_commit_callbacks
):
    _, secret = register(alice, receiver)
    client_id = acme.client.public_id

    with django_capture_on_commit_callbacks(execute=True):
        first = log_time(alice, client_id, description="First")
    with django_capture_on_commit_callbacks(execute=True):
        second = log_time(alice, client_id, description="Second")
    with django_capture_on_commit_callbacks(execute=True):
        response = alice.client.patch(
            f"{TIME}/{first['id']}",
            {"firmEntityId": alice.firm.public_id, "hours": 2},
            format="json",
        )
        assert response.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = alice.client.delete(
            f"{TIME}?firmEntityId={alice.firm.public_id}&timeEntryId={second['id']}"
        )
        assert response.status_code == 204

    assert receiver.types == [
        "time_entry.created",
        "time_entry.created",
        "time_entry.updated",
        "time_entry.deleted",
    ]
    for request in receiver.requests:
        header = request.headers["Axiomatic-Signature"]
        assert re.fullmatch(r"t=\d+,v1=[0-9a-f]{64}", header)
        assert signing.verify_signature(request.body, header, secret)
        assert not signing.verify_signature(request.body + b" ", header, secret)
        assert not signing.verify_signature(request.body, header, "whsec_wrong")
        assert request.headers["Content-Type"] == "application/json"
        assert request.headers["Axiomatic-Event-Id"] == request.event["id"]
    events = receiver.events
    assert len({e["id"] for e in events}) == 4 and all(e["id"].startswith("evt_") for e in events)
    assert all(e["firmEntityId"] == alice.firm.public_id for e in events)
    assert all(e["createdAt"].endswith("Z") for e in events)
    # data.object is what the API answered for the entry.
    assert events[0]["data"]["object"] == first
    assert events[1]["data"]["object"] == second
    assert events[2]["data"]["object"] == response_entry(alice, first["id"])
    assert events[3]["data"]["object"]["id"] == second["id"]
    assert WebhookDelivery.objects.filter(status=DeliveryStatus.SUCCEEDED).count() == 4


def response_entry(persona, entry_id):
    listed = persona.client.get(TIME, {"firmEntityId": persona.firm.public_id}).json()
    return next(e for e in listed["entries"] if e["id"] == entry_id)


def test_an_old_signature_is_refused_as_a_replay(
    alice, acme, receiver, django_capture_on_commit_callbacks
):
    _, secret = register(alice, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        log_time(alice, acme.client.public_id)
    body = receiver.requests[0].body
    stale = signing.signature_header(body, [secret], timestamp=int(time.time()) - 301)
    assert not signing.verify_signature(body, stale, secret)
    fresh = signing.signature_header(body, [secret])
    assert signing.verify_signature(body, fresh, secret)


def test_a_receiver_that_fails_twice_gets_the_event_on_the_third_attempt(
    alice, acme, receiver, django_capture_on_commit_callbacks
):
    webhook_id, secret = register(alice, receiver)
    receiver.script = [500, 503]

    with django_capture_on_commit_callbacks(execute=True):
        log_time(alice, acme.client.public_id)
    row = WebhookDelivery.objects.get()
    assert (row.attempts, row.status, row.last_status_code) == (1, "pending", 500)
    assert row.next_attempt_at - row.last_attempt_at == dt.timedelta(minutes=1)

    # Not due yet: nothing is sent.
    assert delivery.endpoint_deliver(endpoint_id=row.endpoint_id) == 0
    assert len(receiver.requests) == 1

    delivery.endpoint_deliver(endpoint_id=row.endpoint_id, now=row.next_attempt_at)
    row.refresh_from_db()
    assert (row.attempts, row.status, row.last_status_code) == (2, "pending", 503)
    assert row.next_attempt_at - row.last_attempt_at == dt.timedelta(minutes=5)

    delivery.endpoint_deliver(endpoint_id=row.endpoint_id, now=row.next_attempt_at)
    row.refresh_from_db()
    assert (row.attempts, row.status, row.last_status_code) == (3, "succeeded", 200)
    assert row.next_attempt_at is None
    ids = {r.event["id"] for r in receiver.requests}
    assert len(receiver.requests) == 3 and len(ids) == 1  # the same event, three times
    assert [r.headers["Axiomatic-Delivery-Attempt"] for r in receiver.requests] == ["1", "2", "3"]
    assert all(
        signing.verify_signature(r.body, r.headers["Axiomatic-Signature"], secret)
        for r in receiver.requests
    )

    listed = alice.client.get(
        f"{HOOKS}/{webhook_id}/deliveries", {"firmEntityId": alice.firm.public_id}
    ).json()["deliveries"]
    assert listed[0]["eventType"] == "time_entry.created"
    assert listed[0]["status"] == "succeeded"
    assert listed[0]["attempt"] == 3
    assert listed[0]["statusCode"] == 200
    assert listed[0]["durationMs"] >= 0
    assert listed[0]["nextRetryAt"] is None
    assert listed[0]["response"] == "ok"


def test_a_failing_event_holds_later_events_back_so_order_is_kept(
    alice, acme, receiver, django_capture_on_commit_callbacks
):
    register(alice, receiver)
    receiver.script = [500]
    with django_capture_on_commit_callbacks(execute=True):
        log_time(alice, acme.client.public_id, description="First")
    with django_capture_on_commit_callbacks(execute=True):
        log_time(alice, acme.client.public_id, description="Second")
    assert len(receiver.requests) == 1  # the second waits behind the first

    endpoint = WebhookEndpoint.objects.get()
    delivery.endpoint_deliver(endpoint_id=endpoint.pk, now=timezone.now() + dt.timedelta(minutes=2))

    descriptions = [e["data"]["object"]["description"] for e in receiver.events]
    assert descriptions == ["First", "First", "Second"]


def test_a_rolled_back_change_sends_nothing(
    alice, acme, receiver, django_capture_on_commit_callbacks
):
    register(alice, receiver)

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        time_entry_create(
            firm=alice.firm, link=acme, work_date=dt.date(2026, 11, 2), hours=Decimal("1")
        )
        raise RuntimeError("something later in the same transaction failed")

    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


def test_a_refused_request_sends_nothing(alice, acme, receiver, django_capture_on_commit_callbacks):
    register(alice, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        response = alice.client.post(
            TIME,
            {
                "firmEntityId": alice.firm.public_id,
                "entityId": acme.client.public_id,
                "date": "2026-02-30",
                "hours": "1",
            },
            format="json",
        )
    assert_error(response, 400)
    assert receiver.requests == []


def test_test_event_pings_the_endpoint(alice, receiver, django_capture_on_commit_callbacks):
    webhook_id, secret = register(alice, receiver, events=["invoice.created"])

    with django_capture_on_commit_callbacks(execute=True):
        response = alice.client.post(
            f"{HOOKS}/{webhook_id}/test", {"firmEntityId": alice.firm.public_id}, format="json"
        )

    assert response.status_code == 202, response.content
    assert response.json()["delivery"]["eventType"] == "ping"
    assert receiver.types == ["ping"]
    assert receiver.events[0]["data"]["object"]["id"] == webhook_id
    request = receiver.requests[0]
    assert signing.verify_signature(request.body, request.headers["Axiomatic-Signature"], secret)


def test_during_a_rotation_both_secrets_sign_for_a_day(
    alice, acme, receiver, django_capture_on_commit_callbacks
):
    webhook_id, old = register(alice, receiver)
    new = alice.client.post(
        f"{HOOKS}/{webhook_id}/rotate-secret", {"firmEntityId": alice.firm.public_id}, format="json"
    ).json()["secret"]

    with django_capture_on_commit_callbacks(execute=True):
        log_time(alice, acme.client.public_id)
    request = receiver.requests[-1]
    header = request.headers["Axiomatic-Signature"]
    assert header.count("v1=") == 2
    assert signing.verify_signature(request.body, header, old)
    assert signing.verify_signature(request.body, header, new)

    WebhookEndpoint.objects.update(
        previous_secret_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        log_time(alice, acme.client.public_id)
    request = receiver.requests[-1]
    header = request.headers["Axiomatic-Signature"]
    assert header.count("v1=") == 1
    assert signing.verify_signature(request.body, header, new)
    assert not signing.verify_signature(request.body, header, old)


def test_redirects_are_not_followed_and_answers_are_kept_to_1_kb(
    alice, acme, receiver, django_capture_on_commit_callbacks
):
    register(alice, receiver)
    receiver.script = [302]
    receiver.extra_headers = {"Location": receiver.url + "/elsewhere"}
    receiver.answer_body = b"x" * 5000

    with django_capture_on_commit_callbacks(execute=True):
        log_time(alice, acme.client.public_id)

    assert len(receiver.requests) == 1  # the Location was not followed
    row = WebhookDelivery.objects.get()
    assert row.status == "pending" and row.last_status_code == 302
    assert "redirects are not followed" in row.last_error
    assert row.response_body == "x" * 1024


def test_a_slow_receiver_times_out(
    alice, acme, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    register(alice, receiver)
    receiver.delay_seconds = 1.0

    with django_capture_on_commit_callbacks(execute=True):
        log_time(alice, acme.client.public_id)

    row = WebhookDelivery.objects.get()
    assert row.status == "pending" and row.last_status_code is None
    assert "Timed out" in row.last_error


def test_an_address_that_became_private_is_refused_at_delivery(
    alice, acme, receiver, settings, django_capture_on_commit_callbacks
):
    register(alice, receiver)  # allowed: the flag is on for registration
    settings.WEBHOOKS_ALLOW_LOOPBACK = False

    with django_capture_on_commit_callbacks(execute=True):
        log_time(alice, acme.client.public_id)

    assert receiver.requests == []
    row = WebhookDelivery.objects.get()
    assert row.last_error.startswith("Refused:") and row.status == "pending"


def test_retries_give_up_after_about_a_day_and_later_events_go_on(
    alice, acme, receiver, django_capture_on_commit_callbacks
):
    register(alice, receiver)
    receiver.default_status = 500
    with django_capture_on_commit_callbacks(execute=True):
        log_time(alice, acme.client.public_id, description="Doomed")
    endpoint = WebhookEndpoint.objects.get()
    row = WebhookDelivery.objects.get()
    while row.status == "pending":
        delivery.endpoint_deliver(endpoint_id=endpoint.pk, now=row.next_attempt_at)
        row.refresh_from_db()
    assert row.status == "failed" and row.attempts == delivery.MAX_ATTEMPTS
    span = row.last_attempt_at - row.created_at
    assert dt.timedelta(hours=20) < span < dt.timedelta(hours=36)

    receiver.default_status = 200
    with django_capture_on_commit_callbacks(execute=True):
        log_time(alice, acme.client.public_id, description="Next")
    assert receiver.events[-1]["data"]["object"]["description"] == "Next"
    endpoint.refresh_from_db()
    assert endpoint.enabled and endpoint.failing_since is None


def test_three_days_of_failures_disable_the_endpoint_and_tell_the_firms_admins(
    alice, acme, receiver, django_capture_on_commit_callbacks
):
    admin = UserFactory(email="partner@alpha.test")
    MembershipFactory(user=admin, entity=alice.firm, role=Role.ADMIN)
    viewer = UserFactory(email="junior@alpha.test")
    MembershipFactory(user=viewer, entity=alice.firm, role=Role.VIEWER)
    webhook_id, _ = register(alice, receiver)
    receiver.default_status = 500
    start = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        log_time(alice, acme.client.public_id, description="Day 0")
    endpoint = WebhookEndpoint.objects.get()
    # Events keep coming and every delivery keeps failing, for three days.
    for hours in range(6, 6 * 14, 6):
        with django_capture_on_commit_callbacks(execute=True):
            log_time(alice, acme.client.public_id, description=f"Hour {hours}")
            delivery.endpoint_deliver(
                endpoint_id=endpoint.pk, now=start + dt.timedelta(hours=hours)
            )
        endpoint.refresh_from_db()
        if not endpoint.enabled:
            break
    assert not endpoint.enabled
    assert endpoint.disabled_at - start >= dt.timedelta(days=3)
    assert "3 days" in endpoint.disabled_reason and "HTTP 500" in endpoint.disabled_reason

    # Shown in the API, never deleted; the admins were emailed.
    shown = alice.client.get(HOOKS, {"firmEntityId": alice.firm.public_id}).json()["webhooks"][0]
    assert shown["id"] == webhook_id and shown["enabled"] is False
    assert shown["disabledReason"] == endpoint.disabled_reason
    assert len(mail.outbox) == 1
    notice = mail.outbox[0]
    assert sorted(notice.to) == ["alice@alpha.test", "partner@alpha.test"]
    assert "disabled" in notice.subject and webhook_id in notice.body
    assert endpoint.disabled_reason in notice.body

    # Nothing is sent while disabled; enabling again sends what waited, in order.
    sent = len(receiver.requests)
    later = start + dt.timedelta(days=5)
    assert delivery.endpoint_deliver(endpoint_id=endpoint.pk, now=later) == 0
    assert len(receiver.requests) == sent
    waiting = list(
        WebhookDelivery.objects.filter(status="pending")
        .order_by("id")
        .values_list("event__public_id", flat=True)
    )
    assert len(waiting) > 1
    receiver.default_status = 200
    with django_capture_on_commit_callbacks(execute=True):
        response = alice.client.patch(
            f"{HOOKS}/{webhook_id}",
            {"firmEntityId": alice.firm.public_id, "enabled": True},
            format="json",
        )
        assert response.json()["webhook"]["enabled"] is True
    # What is not yet due at once goes when its retry time comes (the beat's sweep).
    delivery.endpoint_deliver(endpoint_id=endpoint.pk, now=later)
    delivered = [e["id"] for e in receiver.events[sent:]]
    assert delivered == waiting
    assert not WebhookDelivery.objects.filter(status="pending").exists()


def test_the_readme_receiver_snippet_verifies_our_signature(
    alice, acme, receiver, django_capture_on_commit_callbacks
):
    namespace: dict = {}
    snippet = readme_snippet("# Verifying Axiomatic-Signature")
    exec(compile(snippet, "README.md", "exec"), namespace)  # noqa: S102 (our own README)
    _, secret = register(alice, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        log_time(alice, acme.client.public_id)
    request = receiver.requests[0]
    verify = namespace["verify"]
    assert verify(request.body, request.headers["Axiomatic-Signature"], secret) is True
    assert verify(request.body, request.headers["Axiomatic-Signature"], "whsec_other") is False


def test_the_minute_sweep_sends_deliveries_whose_retry_is_due(
    alice, acme, receiver, django_capture_on_commit_callbacks
):
    from axiomatic.webhooks.tasks import deliver_due_webhooks

    register(alice, receiver)
    receiver.script = [500]
    with django_capture_on_commit_callbacks(execute=True):
        log_time(alice, acme.client.public_id)
    assert deliver_due_webhooks.delay().get() == 0  # the retry is a minute away

    WebhookDelivery.objects.update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    assert deliver_due_webhooks.delay().get() == 1

    assert len(receiver.requests) == 2
    assert WebhookDelivery.objects.get().status == "succeeded"


def test_an_endpoint_deleted_during_a_delivery_is_left_alone(alice, acme, receiver, monkeypatch):
    from axiomatic.webhooks import transport

    register(alice, receiver)
    log_time(alice, acme.client.public_id)  # recorded; not sent (no commit in this test)
    endpoint = WebhookEndpoint.objects.get()
    post = transport.post

    def post_then_delete(url, body, headers):
        outcome = post(url, body, headers)
        WebhookEndpoint.objects.filter(pk=endpoint.pk).delete()
        return outcome

    monkeypatch.setattr(transport, "post", post_then_delete)
    assert delivery.endpoint_deliver(endpoint_id=endpoint.pk) == 1
    assert len(receiver.requests) == 1
    assert not WebhookDelivery.objects.exists()
