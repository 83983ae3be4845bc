"""An event's body (data.object) is built after the commit that recorded it, outside the write
transaction, by the builder its app registered; once built it never changes, and an event whose body
was never built (the process stopped between the commit and the build) is built before it is sent."""

import pytest

from axiomatic.webhooks import delivery
from axiomatic.webhooks.events import event_body_build
from axiomatic.webhooks.models import WebhookEvent

pytestmark = pytest.mark.django_db

HOOKS = "/api/practice/webhooks"
TIME = "/api/practice/time"


def _register(alice, receiver):
    response = alice.client.post(
        HOOKS,
        {"firmEntityId": alice.firm.public_id, "url": receiver.url, "events": ["*"]},
        format="json",
    )
    assert response.status_code == 201, response.content


def _log(alice, client_id, hours):
    response = alice.client.post(
        TIME,
        {
            "firmEntityId": alice.firm.public_id,
            "entityId": client_id,
            "date": "2026-11-02",
            "hours": hours,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()["entry"]


def test_the_body_is_not_built_inside_the_write_transaction(
    alice, acme, receiver, django_capture_on_commit_callbacks
):
    _register(alice, receiver)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        entry = _log(alice, acme.client.public_id, 2)
    event = WebhookEvent.objects.get(type="time_entry.created")
    assert event.payload is None  # recorded with its subject; nothing serialized yet
    assert (event.subject_type, event.subject_public_id) == ("practice.timeentry", entry["id"])
    for callback in callbacks:
        callback()
    event.refresh_from_db()
    assert event.payload["data"]["object"]["id"] == entry["id"]
    assert receiver.events[0]["data"]["object"]["hours"] == 2


def test_a_later_edit_does_not_change_an_event_already_recorded(
    alice, acme, receiver, django_capture_on_commit_callbacks
):
    _register(alice, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        entry = _log(alice, acme.client.public_id, 2)
    with django_capture_on_commit_callbacks(execute=True):
        response = alice.client.patch(
            f"{TIME}/{entry['id']}",
            {"firmEntityId": alice.firm.public_id, "hours": 5},
            format="json",
        )
    assert response.status_code == 200, response.content
    created = WebhookEvent.objects.get(type="time_entry.created")
    updated = WebhookEvent.objects.get(type="time_entry.updated")
    assert created.payload["data"]["object"]["hours"] == 2
    assert updated.payload["data"]["object"]["hours"] == 5
    # Building again keeps the stored body.
    assert event_body_build(created)["data"]["object"]["hours"] == 2
    assert [e["data"]["object"]["hours"] for e in receiver.events] == [2, 5]


def test_an_event_whose_body_was_never_built_is_built_before_it_is_sent(
    alice, acme, receiver, django_capture_on_commit_callbacks
):
    _register(alice, receiver)
    with django_capture_on_commit_callbacks(execute=False):  # the process "stops" after commit
        entry = _log(alice, acme.client.public_id, 3)
    event = WebhookEvent.objects.get(type="time_entry.created")
    assert event.payload is None
    endpoint_id = event.deliveries.get().endpoint_id
    assert delivery.endpoint_deliver(endpoint_id=endpoint_id) == 1
    event.refresh_from_db()
    assert event.payload["data"]["object"]["id"] == entry["id"]
    assert receiver.events == [event.payload]


def test_a_deleted_entry_never_built_is_sent_naming_what_it_was(
    alice, acme, receiver, django_capture_on_commit_callbacks
):
    _register(alice, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        entry = _log(alice, acme.client.public_id, 1)
    with django_capture_on_commit_callbacks(execute=False):
        response = alice.client.delete(
            f"{TIME}?firmEntityId={alice.firm.public_id}&timeEntryId={entry['id']}"
        )
    assert response.status_code == 204, response.content
    deleted = WebhookEvent.objects.get(type="time_entry.deleted")
    endpoint_id = deleted.deliveries.get().endpoint_id
    delivery.endpoint_deliver(endpoint_id=endpoint_id)
    deleted.refresh_from_db()
    assert deleted.payload["data"]["object"] == {"id": entry["id"]}
    assert receiver.types[-1] == "time_entry.deleted"
