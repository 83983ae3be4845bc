"""Fixtures shared by the practice tests."""

import datetime as dt

import pytest

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
