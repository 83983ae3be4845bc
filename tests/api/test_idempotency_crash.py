"""A request that crashes (an unhandled error, answered 500) releases its Idempotency-Key, as
every response but a success does: the retry with the same key runs instead of getting 409 with
`Retry-After: 1` for 24 hours. (Our writes are one transaction each: the crash rolled it back.)"""

import pytest
from rest_framework.test import APIClient

from axiomatic.api.models import IdempotencyRecord
from practice.models import TimeEntry
from practice.services import time_entries

pytestmark = pytest.mark.django_db

TIME = "/api/practice/time"


def test_a_crash_releases_the_key_and_the_retry_runs(alice, acme, monkeypatch):
    body = {
        "firmEntityId": alice.firm.public_id,
        "entityId": acme.client.public_id,
        "date": "2026-03-02",
        "hours": 1.5,
    }
    headers = {"HTTP_IDEMPOTENCY_KEY": "crash-1"}

    def crash(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(time_entries, "time_entry_create", crash)
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=alice.client._credentials["HTTP_AUTHORIZATION"])
    crashed = client.post(TIME, body, format="json", **headers)
    assert crashed.status_code == 500
    assert crashed.json()["error"]["code"] == "internal_error"
    assert not IdempotencyRecord.objects.exists()

    monkeypatch.undo()  # the bug is fixed
    retried = client.post(TIME, body, format="json", **headers)
    assert retried.status_code == 201, retried.content
    replayed = client.post(TIME, body, format="json", **headers)
    assert replayed["Idempotent-Replayed"] == "true"
    assert TimeEntry.objects.count() == 1
