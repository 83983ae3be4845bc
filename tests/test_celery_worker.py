"""A real Celery worker over the configured Redis broker delivers an invitation email."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_prerun
from django.conf import settings
from django.core import mail

from axiomatic.celery import app
from practice.models import Invitation

pytestmark = pytest.mark.skipif(
    not settings.CELERY_BROKER_URL.startswith("redis://"),
    reason="needs a Redis broker: set REDIS_URL=redis://... (CI does)",
)


@pytest.mark.django_db(transaction=True)
def test_an_invitation_email_goes_through_redis_and_a_worker(alice, acme):
    runs: list[tuple[str, bool]] = []

    def record(sender=None, task=None, **kwargs):
        runs.append((task.name, bool(task.request.is_eager)))

    task_prerun.connect(record, weak=False)
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            response = alice.client.post(
                f"/api/practice/clients/{acme.client.public_id}/invite",
                {"email": "pat@acme.test"},
                format="json",
            )
            assert response.status_code == 201
            deadline = time.monotonic() + 20
            while not mail.outbox and time.monotonic() < deadline:
                time.sleep(0.05)
    finally:
        app.conf.task_always_eager = True
        task_prerun.disconnect(record)
    assert runs == [
        ("practice.tasks.send_invitation_email", False)
    ]  # a worker ran it, not eager mode
    assert len(mail.outbox) == 1
    assert "/invitations/accept/" in mail.outbox[0].body
    assert Invitation.objects.get(email="pat@acme.test").sent_count == 1
