"""GET/PATCH /api/ledger/settings: an entity's lock date and fiscal year. Who may read and change
them, strict input, the same 404 for another firm's entity as for none, nothing changed on refusal."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from axiomatic.core.ids import new_public_id
from axiomatic.entities.models import EnrollmentStatus, PartnerEnrollment, Role
from axiomatic.entities.services import api_key_create
from axiomatic.ledger.models import LedgerSettings
from tests.factories import EntityFactory, MembershipFactory, UserFactory
from tests.helpers import api, assert_error, db_fingerprint

pytestmark = pytest.mark.django_db

SETTINGS = "/api/ledger/settings"
DEFAULTS = {"lockDate": None, "fiscalYearStartMonth": 1}


def of(entity) -> dict:
    return {"entityId": entity.public_id}


def settings_of(entity) -> tuple:
    row = LedgerSettings.objects.get(entity=entity)
    return row.lock_date, row.fiscal_year_start_month


def session(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def member_of(firm, role: str = Role.MEMBER, **user):
    person = UserFactory(is_staff=True, **user)
    MembershipFactory(user=person, entity=firm, role=role)
    return person


# --- Reading ------------------------------------------------------------------------------------


def test_every_entity_starts_unlocked_with_a_january_fiscal_year(alice, acme):
    assert api(alice).get(SETTINGS, of(alice.firm)) == {"settings": DEFAULTS}
    assert api(alice).get(SETTINGS, of(acme.client)) == {"settings": DEFAULTS}
    # The row comes with the books, so the admin can open it.
    assert settings_of(alice.firm) == (None, 1)
    assert settings_of(acme.client) == (None, 1)


def test_reading_an_entity_without_a_row_answers_the_defaults_and_writes_nothing(alice):
    LedgerSettings.objects.filter(entity=alice.firm).delete()
    before = db_fingerprint()
    assert api(alice).get(SETTINGS, of(alice.firm)) == {"settings": DEFAULTS}
    assert db_fingerprint() == before


def test_a_viewer_reads_but_does_not_change(alice, bob):
    api(alice).patch(SETTINGS, {"lockDate": "2026-01-31"}, params=of(alice.firm))
    assert api(bob).get(SETTINGS, of(bob.firm))["settings"]["lockDate"] == "2026-01-31"
    before = db_fingerprint()
    api(bob).patch(
        SETTINGS, {"lockDate": None}, params=of(bob.firm), status=403, code="permission_denied"
    )
    assert db_fingerprint() == before


# --- Changing -----------------------------------------------------------------------------------


def test_an_admin_locks_a_period_and_changes_the_fiscal_year(alice):
    body = api(alice).patch(
        SETTINGS, {"lockDate": "2026-03-31", "fiscalYearStartMonth": 7}, params=of(alice.firm)
    )
    assert body == {"settings": {"lockDate": "2026-03-31", "fiscalYearStartMonth": 7}}
    assert settings_of(alice.firm) == (dt.date(2026, 3, 31), 7)
    assert api(alice).get(SETTINGS, of(alice.firm)) == body


def test_a_patch_changes_only_what_it_names(alice):
    api(alice).patch(
        SETTINGS, {"lockDate": "2026-03-31", "fiscalYearStartMonth": 4}, params=of(alice.firm)
    )
    body = api(alice).patch(SETTINGS, {"fiscalYearStartMonth": 10}, params=of(alice.firm))
    assert body["settings"] == {"lockDate": "2026-03-31", "fiscalYearStartMonth": 10}
    body = api(alice).patch(SETTINGS, {"lockDate": "2026-06-30"}, params=of(alice.firm))
    assert body["settings"] == {"lockDate": "2026-06-30", "fiscalYearStartMonth": 10}


def test_null_unlocks_and_the_lock_date_may_move_back(alice):
    api(alice).patch(SETTINGS, {"lockDate": "2026-06-30"}, params=of(alice.firm))
    back = api(alice).patch(SETTINGS, {"lockDate": "2026-02-28"}, params=of(alice.firm))
    assert back["settings"]["lockDate"] == "2026-02-28"
    unlocked = api(alice).patch(SETTINGS, {"lockDate": None}, params=of(alice.firm))
    assert unlocked["settings"] == DEFAULTS
    assert settings_of(alice.firm) == (None, 1)


def test_a_firm_sets_the_lock_date_of_its_clients_books(alice, acme):
    api(alice).patch(SETTINGS, {"lockDate": "2026-01-31"}, params=of(acme.client))
    assert settings_of(acme.client) == (dt.date(2026, 1, 31), 1)
    assert settings_of(alice.firm) == (None, 1)  # each entity has its own


def test_today_may_be_locked_but_not_tomorrow(alice):
    today = timezone.localdate()
    body = api(alice).patch(SETTINGS, {"lockDate": today.isoformat()}, params=of(alice.firm))
    assert body["settings"]["lockDate"] == today.isoformat()
    before = db_fingerprint()
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    error = api(alice).patch(
        SETTINGS, {"lockDate": tomorrow}, params=of(alice.firm), status=400, code="validation_error"
    )
    assert set(error["fields"]) == {"lockDate"}
    assert today.isoformat() in error["message"]
    assert db_fingerprint() == before


def test_an_entity_without_a_row_gets_one_on_its_first_change(alice):
    LedgerSettings.objects.filter(entity=alice.firm).delete()
    api(alice).patch(SETTINGS, {"fiscalYearStartMonth": 4}, params=of(alice.firm))
    assert settings_of(alice.firm) == (None, 4)


def test_a_change_is_recorded_with_who_made_it(alice):
    api(alice).patch(SETTINGS, {"lockDate": "2026-03-31"}, params=of(alice.firm))
    record = LedgerSettings.history.filter(entity=alice.firm).latest("history_id")
    assert record.lock_date == dt.date(2026, 3, 31)
    assert record.history_user_id == alice.user.pk
    assert record.history_api_key_public_id.startswith("key_")


# --- Who may change them ------------------------------------------------------------------------


def test_a_member_session_may_post_entries_but_not_move_the_lock_date(alice):
    member = session(member_of(alice.firm))
    before = db_fingerprint()
    error = api(member).patch(
        SETTINGS,
        {"lockDate": "2026-01-31"},
        params=of(alice.firm),
        status=403,
        code="permission_denied",
    )
    assert "ADMIN" in error["message"]
    api(member).patch(
        SETTINGS,
        {"fiscalYearStartMonth": 4},
        params=of(alice.firm),
        status=403,
        code="permission_denied",
    )
    assert db_fingerprint() == before


def test_an_api_key_acts_as_the_person_who_created_it(alice):
    member = member_of(alice.firm)
    key = api_key_create(firm=alice.firm, name="Member's script", created_by=member).key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    before = db_fingerprint()
    api(client).patch(
        SETTINGS,
        {"lockDate": "2026-01-31"},
        params=of(alice.firm),
        status=403,
        code="permission_denied",
    )
    assert db_fingerprint() == before
    # Alice's key (Alice is an ADMIN) may: see the tests above. A key whose creator is gone may not.
    orphan = api_key_create(firm=alice.firm, name="Orphan", created_by=None).key
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {orphan}")
    api(client).patch(
        SETTINGS,
        {"lockDate": "2026-01-31"},
        params=of(alice.firm),
        status=403,
        code="permission_denied",
    )
    assert settings_of(alice.firm) == (None, 1)


def test_an_admin_session_and_a_superuser_may(alice, acme):
    admin = session(member_of(alice.firm, Role.ADMIN))
    api(admin).patch(SETTINGS, {"lockDate": "2026-01-31"}, params=of(acme.client))
    root = session(UserFactory(is_staff=True, is_superuser=True))
    api(root).patch(SETTINGS, {"lockDate": "2026-02-28"}, params=of(acme.client))
    assert settings_of(acme.client) == (dt.date(2026, 2, 28), 1)


def test_a_suspended_firm_reads_its_settings_and_changes_nothing(alice):
    PartnerEnrollment.objects.filter(firm=alice.firm).update(status=EnrollmentStatus.SUSPENDED)
    assert api(alice).get(SETTINGS, of(alice.firm)) == {"settings": DEFAULTS}
    before = db_fingerprint()
    api(alice).patch(
        SETTINGS,
        {"lockDate": "2026-01-31"},
        params=of(alice.firm),
        status=403,
        code="partner_program_required",
    )
    assert db_fingerprint() == before


def test_a_client_user_reads_its_own_settings_and_changes_nothing(acme):
    owner = UserFactory()
    MembershipFactory(user=owner, entity=acme.client, role=Role.ADMIN)
    client = session(owner)
    assert api(client).get(SETTINGS, of(acme.client)) == {"settings": DEFAULTS}
    before = db_fingerprint()
    api(client).patch(
        SETTINGS,
        {"lockDate": "2026-01-31"},
        params=of(acme.client),
        status=403,
        code="permission_denied",
    )
    assert db_fingerprint() == before


# --- Another firm's entity, unknown ids, bad input ----------------------------------------------


def test_another_firms_entity_is_the_same_404_as_an_unknown_one(alice, charlie, globex):
    api(charlie).patch(SETTINGS, {"lockDate": "2026-01-31"}, params=of(globex.client))
    unlinked = EntityFactory()  # reached by no firm
    before = db_fingerprint()
    answers = []
    for entity_id in (
        charlie.firm.public_id,
        globex.client.public_id,
        unlinked.public_id,
        new_public_id("ent"),
    ):
        for method, body in (("get", None), ("patch", {"lockDate": "2020-01-31"})):
            response = api(alice).request(method, SETTINGS, body, params={"entityId": entity_id})
            answers.append((response.status_code, assert_error(response, 404, "not_found")))
    assert len({str(a) for a in answers}) == 1
    assert db_fingerprint() == before
    assert settings_of(globex.client) == (dt.date(2026, 1, 31), 1)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"entityId": ""},
        {"entityId": "ent_nope"},
        {"entityId": "12345"},
        {"entityId": new_public_id("bk")},
    ],
)
def test_a_missing_or_malformed_entity_id_is_a_400(alice, params):
    before = db_fingerprint()
    for method, body in (("GET", None), ("PATCH", {"lockDate": "2026-01-31"})):
        error = assert_error(api(alice).request(method, SETTINGS, body, params=params), 400)
        assert "entityId" in error["fields"]
    assert db_fingerprint() == before


@pytest.mark.parametrize(
    "body, field",
    [
        ({"lockDate": "2026-02-30"}, "lockDate"),  # no such day
        ({"lockDate": "2026-13-01"}, "lockDate"),
        ({"lockDate": "31/01/2026"}, "lockDate"),
        ({"lockDate": "2026-01-31T00:00:00Z"}, "lockDate"),
        ({"lockDate": ""}, "lockDate"),
        ({"lockDate": 20260131}, "lockDate"),
        ({"lockDate": True}, "lockDate"),
        ({"lockDate": ["2026-01-31"]}, "lockDate"),
        ({"lockDate": "1899-12-31"}, "lockDate"),
        ({"fiscalYearStartMonth": 0}, "fiscalYearStartMonth"),
        ({"fiscalYearStartMonth": 13}, "fiscalYearStartMonth"),
        ({"fiscalYearStartMonth": -1}, "fiscalYearStartMonth"),
        ({"fiscalYearStartMonth": "4"}, "fiscalYearStartMonth"),
        ({"fiscalYearStartMonth": 4.5}, "fiscalYearStartMonth"),
        ({"fiscalYearStartMonth": 4.0}, "fiscalYearStartMonth"),
        ({"fiscalYearStartMonth": True}, "fiscalYearStartMonth"),
        ({"fiscalYearStartMonth": None}, "fiscalYearStartMonth"),
        ({"fiscalYearStartMonth": "April"}, "fiscalYearStartMonth"),
        ({"lockDate": "2026-01-31", "fiscalYearStartMonth": 13}, "fiscalYearStartMonth"),
        ({}, "non_field_errors"),
        ({"lockdate": "2026-01-31"}, "non_field_errors"),  # not a field we know: nothing to change
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(alice, body, field):
    before = db_fingerprint()
    error = api(alice).patch(
        SETTINGS, body, params=of(alice.firm), status=400, code="validation_error"
    )
    assert field in error["fields"], error
    assert db_fingerprint() == before


@pytest.mark.parametrize("raw", ["[]", '"2026-01-31"', "0", "null", '{"lockDate": ', "not json"])
def test_a_body_that_is_not_an_object_is_a_400(alice, raw):
    before = db_fingerprint()
    response = api(alice).request("PATCH", SETTINGS, params=of(alice.firm), raw=raw)
    assert_error(response, 400)
    assert db_fingerprint() == before


def test_other_methods_are_refused(alice):
    for method in ("POST", "PUT", "DELETE"):
        response = api(alice).request(method, SETTINGS, {"lockDate": None}, params=of(alice.firm))
        assert_error(response, 405, "method_not_allowed")
    assert settings_of(alice.firm) == (None, 1)


def test_anonymous_callers_are_refused(alice, client):
    before = db_fingerprint()
    assert_error(api(client).request("GET", SETTINGS, params=of(alice.firm)), 401)
    response = api(client).request("PATCH", SETTINGS, {"lockDate": None}, params=of(alice.firm))
    assert_error(response, 401, "not_authenticated")
    assert db_fingerprint() == before


def test_the_schema_describes_the_settings():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = schema["paths"]["/api/ledger/settings"]
    assert set(operations) >= {"get", "patch"}
    components = schema["components"]["schemas"]
    assert set(components["LedgerSettings"]["properties"]) == {"lockDate", "fiscalYearStartMonth"}
    month = components["PatchedLedgerSettingsUpdateRequest"]["properties"]["fiscalYearStartMonth"]
    assert (month["minimum"], month["maximum"]) == (1, 12)
