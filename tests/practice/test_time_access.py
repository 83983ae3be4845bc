"""Who may use the time API: anonymous callers and bad keys are 401, a viewer reads but cannot
write, a session admin writes as themself, a suspended firm is refused everywhere."""

import pytest

from axiomatic.core.ids import new_public_id
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import api, assert_error, db_snapshot, in_firm
from tests.practice.time_helpers import (
    TIME,
    create,
    entry_in_firm,
    entry_url,
    listing,
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
    api(anon).get(TIME, in_firm(firm), status=401, code="not_authenticated")
    api(anon).post(TIME, time_body(alice, acme), status=401, code="not_authenticated")
    api(anon).patch(
        entry_url(entry["id"]),
        {"hours": 1},
        params=in_firm(firm),
        status=401,
        code="not_authenticated",
    )
    api(anon).delete(TIME, entry_in_firm(entry["id"], firm), status=401, code="not_authenticated")
    assert db_snapshot() == before
    assert row(entry["id"]) == stored


def test_a_bad_api_key_is_401(alice, acme):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-real-key")
    api(client).get(TIME, in_firm(alice.firm.public_id), status=401)


def test_a_viewer_can_list(alice, acme, bob):
    entry = create(alice, acme)
    body = listing(bob)
    assert [e["id"] for e in body["entries"]] == [entry["id"]]


def test_a_viewer_cannot_write_and_nothing_changes(alice, acme, bob):
    entry = create(alice, acme)
    firm = bob.firm.public_id
    before, stored = db_snapshot(), row(entry["id"])
    api(bob).post(TIME, time_body(bob, acme), status=403, code="permission_denied")
    api(bob).patch(
        entry_url(entry["id"]),
        {"hours": 1},
        params=in_firm(firm),
        status=403,
        code="permission_denied",
    )
    api(bob).patch(
        entry_url(entry["id"]),
        {"firmEntityId": firm, "description": "x"},
        status=403,
        code="permission_denied",
    )
    api(bob).delete(TIME, entry_in_firm(entry["id"], firm), status=403, code="permission_denied")
    assert db_snapshot() == before
    assert row(entry["id"]) == stored


def test_a_session_admin_writes_as_themself(alice, acme):
    from rest_framework.test import APIClient

    dana = UserFactory(email="dana@alpha.test", is_staff=True)
    MembershipFactory(user=dana, entity=alice.firm, role="ADMIN")
    client = APIClient()
    client.force_login(dana)
    assert api(client).post(TIME, time_body(alice, acme))["entry"]["userId"] == dana.public_id


def test_a_suspended_firm_gets_403_partner_program_required_everywhere(alice, acme, bob):
    entry = create(alice, acme)
    suspend(alice)
    firm = alice.firm.public_id
    before, stored = db_snapshot(), row(entry["id"])
    for persona in (alice, bob):
        api(persona).get(TIME, in_firm(firm), status=403, code="partner_program_required")
    api(alice).post(TIME, time_body(alice, acme), status=403, code="partner_program_required")
    api(alice).patch(
        entry_url(entry["id"]),
        {"hours": 1},
        params=in_firm(firm),
        status=403,
        code="partner_program_required",
    )
    api(alice).delete(
        TIME, entry_in_firm(entry["id"], firm), status=403, code="partner_program_required"
    )
    assert db_snapshot() == before
    assert row(entry["id"]) == stored


def test_a_suspended_firm_still_gets_404_for_another_firm(alice, charlie):
    """Enrollment is only discussed with members: a stranger still meets the plain 404."""
    suspend(alice)
    foreign = api(charlie).request("GET", TIME, params=in_firm(alice.firm.public_id))
    unknown = api(charlie).request("GET", TIME, params=in_firm(new_public_id("ent")))
    assert_error(foreign, 404, "not_found")
    assert foreign.content == unknown.content
