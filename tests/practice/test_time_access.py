"""Who may use the time API: anonymous callers and bad keys are 401, a viewer reads but cannot
write, a session admin writes as themself, a suspended firm is refused everywhere."""

import pytest

from axiomatic.core.ids import new_public_id
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import assert_error, db_snapshot
from tests.practice.time_helpers import (
    TIME,
    create,
    delete,
    listing,
    patch,
    post,
    row,
    suspend,
    time_body,
)

pytestmark = pytest.mark.django_db


# --- Access ---------------------------------------------------------------------------------------


def test_anonymous_is_401_everywhere_and_changes_nothing(anon, alice, acme):
    entry = create(alice, acme)
    before, stored = db_snapshot(), row(entry["id"])
    firm = alice.firm.public_id
    assert_error(anon.get(TIME, {"firmEntityId": firm}), 401, "not_authenticated")
    assert_error(post(anon, time_body(alice, acme)), 401, "not_authenticated")
    assert_error(patch(anon, entry["id"], {"hours": 1}, firm_id=firm), 401, "not_authenticated")
    assert_error(delete(anon, entry["id"], firm), 401, "not_authenticated")
    assert db_snapshot() == before
    assert row(entry["id"]) == stored


def test_a_bad_api_key_is_401(alice, acme):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-real-key")
    assert_error(client.get(TIME, {"firmEntityId": alice.firm.public_id}), 401)


def test_a_viewer_can_list(alice, acme, bob):
    entry = create(alice, acme)
    body = listing(bob)
    assert [e["id"] for e in body["entries"]] == [entry["id"]]


def test_a_viewer_cannot_write_and_nothing_changes(alice, acme, bob):
    entry = create(alice, acme)
    firm = bob.firm.public_id
    before, stored = db_snapshot(), row(entry["id"])
    assert_error(post(bob.client, time_body(bob, acme)), 403, "permission_denied")
    assert_error(
        patch(bob.client, entry["id"], {"hours": 1}, firm_id=firm), 403, "permission_denied"
    )
    assert_error(
        patch(bob.client, entry["id"], {"firmEntityId": firm, "description": "x"}),
        403,
        "permission_denied",
    )
    assert_error(delete(bob.client, entry["id"], firm), 403, "permission_denied")
    assert db_snapshot() == before
    assert row(entry["id"]) == stored


def test_a_session_admin_writes_as_themself(alice, acme):
    from rest_framework.test import APIClient

    dana = UserFactory(email="dana@alpha.test", is_staff=True)
    MembershipFactory(user=dana, entity=alice.firm, role="ADMIN")
    client = APIClient()
    client.force_login(dana)
    response = post(client, time_body(alice, acme))
    assert response.status_code == 201, response.content
    assert response.json()["entry"]["userId"] == dana.public_id


def test_a_suspended_firm_gets_403_partner_program_required_everywhere(alice, acme, bob):
    entry = create(alice, acme)
    suspend(alice)
    firm = alice.firm.public_id
    before, stored = db_snapshot(), row(entry["id"])
    for client in (alice.client, bob.client):
        assert_error(client.get(TIME, {"firmEntityId": firm}), 403, "partner_program_required")
    assert_error(post(alice.client, time_body(alice, acme)), 403, "partner_program_required")
    assert_error(
        patch(alice.client, entry["id"], {"hours": 1}, firm_id=firm),
        403,
        "partner_program_required",
    )
    assert_error(delete(alice.client, entry["id"], firm), 403, "partner_program_required")
    assert db_snapshot() == before
    assert row(entry["id"]) == stored


def test_a_suspended_firm_still_gets_404_for_another_firm(alice, charlie):
    """Enrollment is only discussed with members: a stranger still meets the plain 404."""
    suspend(alice)
    foreign = charlie.client.get(TIME, {"firmEntityId": alice.firm.public_id})
    unknown = charlie.client.get(TIME, {"firmEntityId": new_public_id("ent")})
    assert_error(foreign, 404, "not_found")
    assert foreign.content == unknown.content
