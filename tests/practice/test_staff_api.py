"""GET /api/practice/staff and POST /api/practice/staff/{userId}/rates: the firm's own people with
today's rate and every rate; rates set by a firm ADMIN only, a second rate on a day replacing the
first; the same 404 for unknown users and other firms' people, with nothing changed."""

import datetime as dt

import pytest
from django.utils import timezone

from axiomatic.core.ids import new_public_id
from axiomatic.entities.models import Membership, Role
from practice.models import StaffRate
from tests.factories import FirmFactory, MembershipFactory, UserFactory
from tests.helpers import api, db_fingerprint
from tests.practice.staff_helpers import (
    STAFF,
    STAFF_KEYS,
    count_queries,
    key_persona,
    rate,
    rates_url,
    session_persona,
    staff_of,
)

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def today() -> dt.date:
    return timezone.localdate()


def post_rate(persona, user, cents, day, *, status=201, code=None, **extra):
    body = {"firmEntityId": persona.firm.public_id, "rate": cents, "effectiveFrom": str(day)}
    return api(persona).post(rates_url(user.public_id), {**body, **extra}, status=status, code=code)


# --- The list ---------------------------------------------------------------------------------------


def test_the_list_shows_each_person_with_role_todays_rate_and_every_rate(alice, bob):
    alice.user.full_name = "Alice Archer"
    alice.user.save()
    rate(alice.firm, alice.user, 20_000, today() + DAY)
    rate(alice.firm, alice.user, 5_000, today() - 30 * DAY)
    rate(alice.firm, alice.user, 10_000, today() - DAY)

    body = api(alice).get(STAFF, {"firmEntityId": alice.firm.public_id})

    assert set(body) == {"staff", "hasMore", "nextCursor"}
    assert (body["hasMore"], body["nextCursor"]) == (False, None)
    assert all(set(member) == STAFF_KEYS for member in body["staff"])
    staff = {member["email"]: member for member in body["staff"]}
    assert staff["alice@alpha.test"] == {
        "userId": alice.user.public_id,
        "email": "alice@alpha.test",
        "name": "Alice Archer",
        "role": "ADMIN",
        "rate": 10_000,  # yesterday's: tomorrow's is not in effect yet
        "rates": [
            {"rate": 5_000, "effectiveFrom": str(today() - 30 * DAY)},
            {"rate": 10_000, "effectiveFrom": str(today() - DAY)},
            {"rate": 20_000, "effectiveFrom": str(today() + DAY)},
        ],
    }
    assert staff["bob@alpha.test"] == {
        "userId": bob.user.public_id,
        "email": "bob@alpha.test",
        "name": bob.user.full_name,
        "role": "VIEWER",
        "rate": None,
        "rates": [],
    }


def test_todays_rate_is_the_one_that_takes_effect_today_not_tomorrows(alice):
    rate(alice.firm, alice.user, 10_000, today() - DAY)
    assert staff_of(alice)["alice@alpha.test"]["rate"] == 10_000
    rate(alice.firm, alice.user, 12_000, today())
    assert staff_of(alice)["alice@alpha.test"]["rate"] == 12_000
    StaffRate.objects.all().delete()
    rate(alice.firm, alice.user, 15_000, today() + DAY)
    assert staff_of(alice)["alice@alpha.test"]["rate"] is None


def test_only_the_firms_own_people_and_its_own_rates_are_shown(alice, charlie, acme):
    # A client's user (a member of acme, not of the firm) is not staff.
    client_user = UserFactory(email="owner@acme.test")
    MembershipFactory(user=client_user, entity=acme.client, role=Role.ADMIN)
    # Someone in both firms has a rate in each: each firm sees its own.
    both = UserFactory(email="both@example.test")
    MembershipFactory(user=both, entity=alice.firm, role=Role.MEMBER)
    MembershipFactory(user=both, entity=charlie.firm, role=Role.MEMBER)
    rate(alice.firm, both, 10_000, today())
    rate(charlie.firm, both, 99_000, today() - DAY)

    ours, theirs = staff_of(alice), staff_of(charlie)

    assert set(ours) == {"alice@alpha.test", "both@example.test"}
    assert set(theirs) == {"charlie@bravo.test", "both@example.test"}
    assert ours["both@example.test"]["rates"] == [{"rate": 10_000, "effectiveFrom": str(today())}]
    assert theirs["both@example.test"]["rate"] == 99_000


def test_the_list_takes_the_same_queries_for_1_or_30_people(alice):
    params = {"firmEntityId": alice.firm.public_id}
    rate(alice.firm, alice.user, 10_000, today())
    one = count_queries(alice, STAFF, params)
    for n in range(29):
        user = UserFactory()
        MembershipFactory(user=user, entity=alice.firm, role=Role.MEMBER)
        for back in range(3):
            rate(alice.firm, user, 10_000 + n, today() - back * DAY)
    many = count_queries(alice, STAFF, params)
    assert len(staff_of(alice)) == 30
    assert one == many


def test_the_list_pages_with_limit_and_cursor(alice, bob):
    params = {"firmEntityId": alice.firm.public_id, "limit": 1}
    first = api(alice).get(STAFF, params)
    assert [m["email"] for m in first["staff"]] == ["alice@alpha.test"] and first["hasMore"]
    second = api(alice).get(STAFF, {**params, "cursor": first["nextCursor"]})
    assert [m["email"] for m in second["staff"]] == ["bob@alpha.test"]
    assert second["hasMore"] is False


def test_firm_entity_id_may_be_left_out_by_a_key_or_a_one_firm_session(alice, bob):
    assert {m["email"] for m in api(alice).get(STAFF)["staff"]} == {
        "alice@alpha.test",
        "bob@alpha.test",
    }
    assert len(api(bob).get(STAFF)["staff"]) == 2


def test_a_session_in_several_firms_must_name_one(alice, charlie):
    both = session_persona(alice.firm, "both@example.test")
    MembershipFactory(user=both.user, entity=charlie.firm, role=Role.MEMBER)
    error = api(both).get(STAFF, status=400, code="validation_error")
    assert "firmEntityId" in error["fields"]
    named = api(both).get(STAFF, {"firmEntityId": charlie.firm.public_id})["staff"]
    assert {m["email"] for m in named} == {"charlie@bravo.test", "both@example.test"}


def test_another_firms_list_is_404_and_anonymous_is_401(alice, charlie, anon):
    assert api(charlie).get(STAFF, {"firmEntityId": alice.firm.public_id}, status=404)
    unknown = api(charlie).get(STAFF, {"firmEntityId": new_public_id("ent")}, status=404)
    foreign = api(charlie).get(STAFF, {"firmEntityId": alice.firm.public_id}, status=404)
    assert unknown["message"] == foreign["message"]
    assert api(anon).get(STAFF, {"firmEntityId": alice.firm.public_id}, status=401)
    assert api(alice).get(STAFF, {"firmEntityId": "ent_junk"}, status=400)
    assert api(alice).get(STAFF, {"firmEntityId": alice.firm.public_id, "limit": 0}, status=400)


# --- Setting a rate ---------------------------------------------------------------------------------


def test_an_admin_sets_a_rate_and_gets_the_staff_member_back(alice, bob):
    body = post_rate(alice, bob.user, 12_500, today() - DAY)

    assert set(body) == {"staffMember"}
    assert body["staffMember"] == {
        "userId": bob.user.public_id,
        "email": "bob@alpha.test",
        "name": bob.user.full_name,
        "role": "VIEWER",
        "rate": 12_500,
        "rates": [{"rate": 12_500, "effectiveFrom": str(today() - DAY)}],
    }
    stored = StaffRate.objects.get()
    assert (stored.firm, stored.user, stored.rate_cents, stored.created_by) == (
        alice.firm,
        bob.user,
        12_500,
        alice.user,  # an API key writes as its creator
    )


def test_a_future_rate_is_listed_but_not_yet_in_effect(alice, bob):
    post_rate(alice, bob.user, 10_000, today() - DAY)
    member = post_rate(alice, bob.user, 11_000, today() + 7 * DAY)["staffMember"]
    assert member["rate"] == 10_000
    assert [r["rate"] for r in member["rates"]] == [10_000, 11_000]


def test_a_second_rate_on_the_same_day_replaces_the_first(alice, bob):
    post_rate(alice, bob.user, 10_000, today())
    member = post_rate(alice, bob.user, 11_000, today())["staffMember"]
    assert member["rates"] == [{"rate": 11_000, "effectiveFrom": str(today())}]
    assert list(StaffRate.objects.values_list("rate_cents", flat=True)) == [11_000]


def test_firm_entity_id_may_be_left_out_of_the_body(alice, bob):
    response = api(alice).post(
        rates_url(bob.user.public_id), {"rate": 0, "effectiveFrom": "2026-01-01"}
    )
    assert response["staffMember"]["rates"] == [{"rate": 0, "effectiveFrom": "2026-01-01"}]


def test_unknown_and_other_firms_people_get_the_same_404_and_nothing_changes(alice, charlie, acme):
    client_user = UserFactory(email="owner@acme.test")
    MembershipFactory(user=client_user, entity=acme.client, role=Role.ADMIN)
    former = UserFactory(email="former@alpha.test")  # never a member, or no longer one
    before = db_fingerprint()

    errors = [
        post_rate(alice, user, 10_000, today(), status=404, code="not_found")
        for user in (charlie.user, client_user, former)
    ]
    unknown = api(alice).post(
        rates_url(new_public_id("usr")),
        {"rate": 10_000, "effectiveFrom": "2026-01-01"},
        status=404,
    )

    assert all(error == unknown for error in errors)
    assert db_fingerprint() == before


def test_another_firm_cannot_set_our_peoples_rates(alice, charlie):
    before = db_fingerprint()
    api(charlie).post(
        rates_url(alice.user.public_id),
        {"firmEntityId": alice.firm.public_id, "rate": 1, "effectiveFrom": "2026-01-01"},
        status=404,
    )
    post_rate(charlie, alice.user, 1, today(), status=404)  # in charlie's own firm: not his
    assert db_fingerprint() == before


def test_only_a_firm_admin_sets_rates(alice, bob):
    member = session_persona(alice.firm, "dave@alpha.test")
    member_key = key_persona(alice.firm, "erin@alpha.test")
    before = db_fingerprint()

    post_rate(bob, bob.user, 10_000, today(), status=403, code="permission_denied")  # a VIEWER
    refused = post_rate(member, member.user, 10_000, today(), status=403, code="permission_denied")
    post_rate(member_key, bob.user, 10_000, today(), status=403, code="permission_denied")

    assert "ADMIN" in refused["message"]
    assert db_fingerprint() == before


def test_a_key_acts_with_its_creators_role_today(alice, bob):
    Membership.objects.filter(user=alice.user, entity=alice.firm).update(role=Role.MEMBER)
    before = db_fingerprint()
    post_rate(alice, bob.user, 10_000, today(), status=403, code="permission_denied")
    assert db_fingerprint() == before


def test_an_admin_of_another_firm_only_is_no_admin_here(alice, bob):
    other_firm = FirmFactory(name="Other Firm")
    member = session_persona(alice.firm, "dave@alpha.test")
    MembershipFactory(user=member.user, entity=other_firm, role=Role.ADMIN)
    post_rate(member, bob.user, 10_000, today(), status=403, code="permission_denied")
    assert not StaffRate.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rate": -1}, "rate"),
        ({"rate": 150.5}, "rate"),
        ({"rate": "15000"}, "rate"),
        ({"rate": True}, "rate"),
        ({"rate": None}, "rate"),
        ({"rate": 10**16}, "rate"),
        ({"rate": [1]}, "rate"),
        ({"effectiveFrom": "2026-02-30"}, "effectiveFrom"),
        ({"effectiveFrom": "yesterday"}, "effectiveFrom"),
        ({"effectiveFrom": 20260101}, "effectiveFrom"),
        ({"effectiveFrom": "0999-12-31"}, "effectiveFrom"),
        ({"effectiveFrom": None}, "effectiveFrom"),
        ({"firmEntityId": "ent_junk"}, "firmEntityId"),
        ({"firmEntityId": 12345}, "firmEntityId"),
    ],
)
def test_bad_bodies_are_400_naming_the_field(alice, bob, body, field):
    before = db_fingerprint()
    sent = {"rate": 10_000, "effectiveFrom": "2026-01-01", **body}
    error = api(alice).post(
        rates_url(bob.user.public_id), sent, status=400, code="validation_error"
    )
    assert field in error["fields"]
    assert db_fingerprint() == before


@pytest.mark.parametrize("body", [{}, {"rate": 10_000}, {"effectiveFrom": "2026-01-01"}])
def test_rate_and_effective_from_are_required(alice, bob, body):
    error = api(alice).post(rates_url(bob.user.public_id), body, status=400)
    assert set(error["fields"]) >= {"rate", "effectiveFrom"} - set(body)
    assert not StaffRate.objects.exists()


def test_a_body_that_is_not_an_object_and_malformed_json_are_400(alice, bob):
    url = rates_url(bob.user.public_id)
    api(alice).post(url, [], status=400)
    api(alice).post(url, raw="{not json", status=400, code="malformed_request")
    assert not StaffRate.objects.exists()


@pytest.mark.parametrize("junk", ["usr_short", "12345", "ent_0000000000000000000000000a"])
def test_a_malformed_user_id_in_the_path_is_400(alice, junk):
    body = {"rate": 10_000, "effectiveFrom": "2026-01-01"}
    error = api(alice).post(rates_url(junk), body, status=400, code="validation_error")
    assert "userId" in error["fields"]
