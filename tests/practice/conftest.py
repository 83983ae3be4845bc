"""Fixtures shared by the practice tests."""

import datetime as dt

import pytest

from practice import signals
from practice.services.engagements import engagement_create


@pytest.fixture
def bookkeeping(alice, acme):
    """An engagement of acme's, with its standard tasks."""
    return engagement_create(
        firm=alice.firm,
        client=acme.client,
        name="January bookkeeping",
        start_date=dt.date(2026, 1, 1),
        type="bookkeeping",
    )


@pytest.fixture
def announcements():
    """Every client_link_changed sent while the test runs, as (link_id, firm_id, change)."""
    seen = []

    def receiver(sender, link_id, firm_id, change, **kwargs):
        seen.append((link_id, firm_id, change))

    signals.client_link_changed.connect(receiver, weak=False, dispatch_uid="test-clients-api")
    yield seen
    signals.client_link_changed.disconnect(dispatch_uid="test-clients-api")
