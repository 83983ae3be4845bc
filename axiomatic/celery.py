"""The Celery application.

With no broker configured (neither CELERY_BROKER_URL nor REDIS_URL) the settings switch Celery to
eager mode: every task runs in process, inside the call that queued it. That is the embedded default
that lets `make run` and the test suite work on a bare machine.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "axiomatic.settings")

app = Celery("axiomatic")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
