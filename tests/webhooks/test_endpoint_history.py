"""A webhook endpoint's history: its registration and changes are recorded, each delivery attempt
is not (only the failure clock moves), being disabled after three days of failures is."""

import datetime as dt

import pytest
from django.utils import timezone

from axiomatic.webhooks import delivery
from axiomatic.webhooks.models import WebhookEndpoint
from axiomatic.webhooks.services import endpoint_create
from practice.services.time_entries import time_entry_create

pytestmark = pytest.mark.django_db


def test_attempts_leave_no_history_and_the_disabling_does(
    alice, acme, receiver, django_capture_on_commit_callbacks
):
    endpoint = endpoint_create(firm=alice.firm, url=receiver.url, event_types=["*"]).endpoint
    receiver.default_status = 500
    start = timezone.now()
    for hours in range(0, 6 * 14, 6):
        with django_capture_on_commit_callbacks(execute=False):
            time_entry_create(firm=alice.firm, link=acme, work_date=start.date(), hours=1)
        delivery.endpoint_deliver(endpoint_id=endpoint.pk, now=start + dt.timedelta(hours=hours))
        endpoint.refresh_from_db()
        if not endpoint.enabled:
            break

    assert not endpoint.enabled and len(receiver.requests) > 3
    records = list(WebhookEndpoint.history.filter(id=endpoint.pk).order_by("history_id"))
    assert [r.history_type for r in records] == ["+", "~"]
    assert records[1].enabled is False
    assert records[1].disabled_reason == endpoint.disabled_reason
