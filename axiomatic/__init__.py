"""Axiomatic: the accounting platform's core (entities, ledger, API plumbing).

The Celery app is imported here so that `shared_task` binds to it whenever Django starts.
"""

from axiomatic.celery import app as celery_app

__all__ = ("celery_app",)
