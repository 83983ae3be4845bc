"""Idempotency-Key on POST: replay, conflict, release on refusal, per-firm scope, concurrency."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from axiomatic.api.models import IdempotencyRecord
from axiomatic.api.tasks import purge_idempotency_records
from practice.models import TimeEntry
from tests.helpers import api, db_snapshot, requires_postgres, run_concurrently

pytestmark = pytest.mark.django_db

TIME = "/api/practice/time"


def time_body(persona, link, **overrides) -> dict:
    body = {
        "firmEntityId": persona.firm.public_id,
        "entityId": link.client.public_id,
        "date": "2026-03-02",
        "hours": 1.5,
        "description": "Payroll run",
    }
    body.update(overrides)
    return body


def keyed(key: str) -> dict[str, str]:
    return {"Idempotency-Key": key}


def test_the_same_key_and_body_replays_the_first_response(alice, acme):
    first = api(alice).post(TIME, time_body(alice, acme), headers=keyed("key-1"))
    after_first = db_snapshot()

    second = api(alice).request("POST", TIME, time_body(alice, acme), headers=keyed("key-1"))

    assert second.status_code == 201
    assert second.json() == first
    assert second["Idempotent-Replayed"] == "true"
    assert db_snapshot() == after_first
    assert TimeEntry.objects.count() == 1


def test_the_same_key_with_another_body_is_409(alice, acme):
    api(alice).request("POST", TIME, time_body(alice, acme), headers=keyed("key-2"))
    before = db_snapshot()

    body = time_body(alice, acme, hours=2)
    api(alice).post(TIME, body, headers=keyed("key-2"), status=409, code="idempotency_error")
    assert db_snapshot() == before


def test_a_refused_request_does_not_keep_its_key(alice, acme):
    refused = time_body(alice, acme, hours="many")
    api(alice).post(TIME, refused, headers=keyed("key-3"), status=400, code="validation_error")
    assert not IdempotencyRecord.objects.exists()

    api(alice).post(TIME, time_body(alice, acme), headers=keyed("key-3"))


def test_keys_are_scoped_per_firm(alice, charlie, acme, globex):
    api(alice).post(TIME, time_body(alice, acme), headers=keyed("shared-key"))
    theirs = api(charlie).request(
        "POST", TIME, time_body(charlie, globex), headers=keyed("shared-key")
    )
    assert theirs.status_code == 201
    assert "Idempotent-Replayed" not in theirs
    assert TimeEntry.objects.count() == 2


def test_a_firms_keys_share_one_namespace(alice, acme):
    from axiomatic.entities.services import api_key_create

    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key_create(firm=alice.firm, name='b').key}")
    first = api(alice).request("POST", TIME, time_body(alice, acme), headers=keyed("key-4"))
    again = api(other).request("POST", TIME, time_body(alice, acme), headers=keyed("key-4"))
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"


def test_a_malformed_key_is_400(alice, acme):
    api(alice).post(
        TIME, time_body(alice, acme), headers=keyed("x" * 256), status=400, code="validation_error"
    )
    assert not TimeEntry.objects.exists()


def test_every_post_endpoint_honours_the_key(alice, acme):
    """A POST of each family, twice with one key: one effect."""
    bodies = {
        "/api/practice/clients": {"firmEntityId": alice.firm.public_id, "name": "Idem Co"},
        f"/api/practice/clients/{acme.client.public_id}/invite": {"email": "i@acme.test"},
        "/api/practice/engagements": {
            "firmEntityId": alice.firm.public_id,
            "entityId": acme.client.public_id,
            "name": "Idem close",
            "type": "bookkeeping",
            "startDate": "2026-03-01",
        },
        "/api/reports/share": {
            "entityId": alice.firm.public_id,
            "reportType": "trial_balance",
            "parameters": {"bookId": alice.gl.public_id, "from": "2026-01-01", "to": "2026-01-31"},
        },
    }
    for path, body in bodies.items():
        first = api(alice).request("POST", path, body, headers=keyed(f"every-{path}"))
        assert first.status_code in (200, 201), (path, first.content)
        snapshot = db_snapshot()
        second = api(alice).request("POST", path, body, headers=keyed(f"every-{path}"))
        assert second.status_code == first.status_code, path
        assert second.json() == first.json(), path
        assert db_snapshot() == snapshot, path


def test_expired_records_are_purged_and_the_key_is_free_again(alice, acme):
    api(alice).request("POST", TIME, time_body(alice, acme), headers=keyed("old-key"))
    IdempotencyRecord.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    assert purge_idempotency_records.delay().get() == 1
    again = api(alice).request("POST", TIME, time_body(alice, acme), headers=keyed("old-key"))
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert TimeEntry.objects.count() == 2


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_requests_with_one_key_do_the_work_once(alice, acme):
    body = time_body(alice, acme)

    def worker() -> int:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {alice.key}")
        return api(client).request("POST", TIME, body, headers=keyed("concurrent-key")).status_code

    race = run_concurrently(worker, 50)
    statuses = race.results

    assert race.errors == []
    assert TimeEntry.objects.count() == 1
    assert statuses.count(201) >= 1
    assert set(statuses) <= {201, 409}
