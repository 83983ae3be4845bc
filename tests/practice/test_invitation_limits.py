"""Invitation emails to one address are limited (INVITATION_SENDS_PER_HOUR, _PER_DAY): past the
limit the invite is 429 `rate_limited` with Retry-After, and no email goes out."""

import pytest
from django.core import mail
from django.core.cache import cache

from tests.helpers import assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()
    yield
    cache.clear()


def _invite(persona, link, email, capture):
    with capture(execute=True):
        return persona.client.post(
            f"/api/practice/clients/{link.client.public_id}/invite",
            {"email": email, "role": "VIEWER"},
            format="json",
        )


def test_twenty_invites_of_one_address_send_three_emails_in_an_hour(
    alice, acme, settings, django_capture_on_commit_callbacks
):
    settings.INVITATION_SENDS_PER_HOUR, settings.INVITATION_SENDS_PER_DAY = 3, 10
    answers = [
        _invite(alice, acme, "Target@Victim.test", django_capture_on_commit_callbacks)
        for _ in range(20)
    ]
    assert [a.status_code for a in answers] == [201] * 3 + [429] * 17
    error = assert_error(answers[3], 429, "rate_limited")
    assert "target@victim.test" in error["message"]
    assert 1 <= int(answers[3]["Retry-After"]) <= 3600
    assert len(mail.outbox) == 3


def test_the_day_limit_holds_across_clients_and_firms(
    alice, acme, charlie, globex, make_client, settings, django_capture_on_commit_callbacks
):
    settings.INVITATION_SENDS_PER_HOUR, settings.INVITATION_SENDS_PER_DAY = 100, 2
    other = make_client(alice, "Other Co")
    assert _invite(alice, acme, "pat@x.test", django_capture_on_commit_callbacks).status_code == 201
    assert (
        _invite(charlie, globex, "pat@x.test", django_capture_on_commit_callbacks).status_code
        == 201
    )
    refused = _invite(alice, other, "pat@x.test", django_capture_on_commit_callbacks)
    assert_error(refused, 429, "rate_limited")
    assert int(refused["Retry-After"]) <= 86400
    # Another address is not affected.
    assert (
        _invite(alice, other, "sam@x.test", django_capture_on_commit_callbacks).status_code == 201
    )
    assert len(mail.outbox) == 3
