"""GET/PATCH /api/practice/settings: every setting with its default, a PATCH changing only the keys
it gives, strict validation (one 400 shape), a firm ADMIN only (an API key as its creator), the same
404 for another firm, nothing changed on any refusal."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from axiomatic.core.ids import new_public_id
from axiomatic.entities.models import Membership, Role
from billing.services.invoices import invoice_create_from_time
from practice.models import FirmProfile
from practice.services.time_entries import time_entry_create
from tests.factories import MembershipFactory
from tests.helpers import api, db_fingerprint
from tests.practice.staff_helpers import (
    DEFAULT_SETTINGS,
    SETTINGS,
    SETTINGS_KEYS,
    key_persona,
    session_persona,
)

pytestmark = pytest.mark.django_db


def get(persona, **params) -> dict:
    return api(persona).get(SETTINGS, {"firmEntityId": persona.firm.public_id, **params})


def patch(persona, body: dict, *, status=200, code=None):
    return api(persona).patch(
        SETTINGS, body, params={"firmEntityId": persona.firm.public_id}, status=status, code=code
    )


def test_a_firm_without_settings_shows_every_default(alice):
    body = get(alice)
    assert set(body) == {"settings"}
    assert set(body["settings"]) == SETTINGS_KEYS
    assert body["settings"] == DEFAULT_SETTINGS
    assert not FirmProfile.objects.exists()  # reading writes nothing


def test_patch_sets_every_setting(alice):
    body = {
        "requireApproval": True,
        "timeLockDate": "2026-03-31",
        "timeRounding": {"minutes": 15, "mode": "nearest"},
        "defaultRate": 17_500,
        "paymentTermsDays": 14,
    }
    assert patch(alice, body) == {"settings": body}
    assert get(alice) == {"settings": body}
    profile = FirmProfile.objects.get(firm=alice.firm)
    assert (
        profile.require_approval,
        profile.time_lock_date,
        profile.time_rounding_minutes,
        profile.time_rounding_mode,
        profile.default_rate_cents,
        profile.payment_terms_days,
    ) == (True, dt.date(2026, 3, 31), 15, "nearest", 17_500, 14)


def test_patch_changes_only_the_keys_it_gives(alice):
    FirmProfile.objects.create(
        firm=alice.firm,
        require_approval=True,
        time_lock_date=dt.date(2026, 1, 31),
        time_rounding_minutes=6,
        time_rounding_mode="up",
        default_rate_cents=9_000,
        payment_terms_days=45,
        require_mfa=True,
    )
    changed = patch(alice, {"paymentTermsDays": 0})["settings"]
    assert changed == {
        "requireApproval": True,
        "timeLockDate": "2026-01-31",
        "timeRounding": {"minutes": 6, "mode": "up"},
        "defaultRate": 9_000,
        "paymentTermsDays": 0,
    }
    assert FirmProfile.objects.get(firm=alice.firm).require_mfa is True


def test_null_clears_the_lock_date_and_the_default_rate(alice):
    patch(alice, {"timeLockDate": "2026-01-31", "defaultRate": 9_000})
    cleared = patch(alice, {"timeLockDate": None, "defaultRate": None})["settings"]
    assert (cleared["timeLockDate"], cleared["defaultRate"]) == (None, None)


@pytest.mark.parametrize("minutes", [0, 6, 10, 15, 30])
@pytest.mark.parametrize("mode", ["up", "nearest"])
def test_every_rounding_step_and_mode(alice, minutes, mode):
    rounding = {"minutes": minutes, "mode": mode}
    assert patch(alice, {"timeRounding": rounding})["settings"]["timeRounding"] == rounding


def test_payment_terms_reach_the_edges(alice):
    assert patch(alice, {"paymentTermsDays": 365})["settings"]["paymentTermsDays"] == 365
    assert patch(alice, {"paymentTermsDays": 0})["settings"]["paymentTermsDays"] == 0


def test_firm_entity_id_may_be_in_the_body_or_left_out(alice, bob):
    in_body = api(alice).patch(
        SETTINGS, {"firmEntityId": alice.firm.public_id, "requireApproval": True}
    )
    assert in_body["settings"]["requireApproval"] is True
    left_out = api(alice).patch(SETTINGS, {"paymentTermsDays": 10})
    assert left_out["settings"]["paymentTermsDays"] == 10
    assert api(alice).get(SETTINGS)["settings"]["paymentTermsDays"] == 10
    assert api(bob).get(SETTINGS)["settings"]["paymentTermsDays"] == 10  # one firm's session


def test_query_and_body_firms_must_agree(alice, charlie):
    error = api(alice).patch(
        SETTINGS,
        {"firmEntityId": charlie.firm.public_id, "requireApproval": True},
        params={"firmEntityId": alice.firm.public_id},
        status=400,
    )
    assert "firmEntityId" in error["fields"]
    assert not FirmProfile.objects.exists()


def test_a_session_in_several_firms_names_its_firm(alice, charlie):
    both = session_persona(alice.firm, "both@example.test", role=Role.ADMIN)
    MembershipFactory(user=both.user, entity=charlie.firm, role=Role.VIEWER)
    before = db_fingerprint()
    error = api(both).patch(SETTINGS, {"requireApproval": True}, status=400)
    assert "firmEntityId" in error["fields"]
    assert "firmEntityId" in api(both).get(SETTINGS, status=400)["fields"]
    assert db_fingerprint() == before
    assert patch(both, {"requireApproval": True})["settings"]["requireApproval"] is True


# --- Who may change them --------------------------------------------------------------------------


def test_staff_read_them_but_only_a_firm_admin_changes_them(alice, bob):
    patch(alice, {"defaultRate": 9_000})
    member = session_persona(alice.firm, "dave@alpha.test")
    member_key = key_persona(alice.firm, "erin@alpha.test")
    before = db_fingerprint()

    for reader in (bob, member, member_key):
        assert get(reader)["settings"]["defaultRate"] == 9_000
    patch(bob, {"defaultRate": 1}, status=403, code="permission_denied")  # a VIEWER
    refused = patch(member, {"defaultRate": 1}, status=403, code="permission_denied")
    patch(member_key, {"defaultRate": 1}, status=403, code="permission_denied")

    assert "ADMIN" in refused["message"]
    assert db_fingerprint() == before


def test_a_key_acts_with_its_creators_role_today(alice):
    Membership.objects.filter(user=alice.user, entity=alice.firm).update(role=Role.MEMBER)
    before = db_fingerprint()
    patch(alice, {"requireApproval": True}, status=403, code="permission_denied")
    assert db_fingerprint() == before


def test_an_admin_session_changes_them(alice):
    admin = session_persona(alice.firm, "dora@alpha.test", role=Role.ADMIN)
    assert patch(admin, {"requireApproval": True})["settings"]["requireApproval"] is True


def test_another_firm_gets_the_same_404_as_no_firm(alice, charlie):
    patch(alice, {"defaultRate": 9_000})
    before = db_fingerprint()
    foreign = api(charlie).get(SETTINGS, {"firmEntityId": alice.firm.public_id}, status=404)
    unknown = api(charlie).get(SETTINGS, {"firmEntityId": new_public_id("ent")}, status=404)
    assert foreign == unknown
    api(charlie).patch(
        SETTINGS,
        {"defaultRate": 1},
        params={"firmEntityId": alice.firm.public_id},
        status=404,
    )
    assert db_fingerprint() == before
    assert get(charlie)["settings"] == DEFAULT_SETTINGS  # his own firm's, untouched


def test_anonymous_is_401(alice, anon):
    api(anon).get(SETTINGS, {"firmEntityId": alice.firm.public_id}, status=401)
    api(anon).patch(SETTINGS, {"requireApproval": True}, status=401)


# --- Validation -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"requireApproval": "true"}, "requireApproval"),
        ({"requireApproval": 1}, "requireApproval"),
        ({"requireApproval": None}, "requireApproval"),
        ({"timeLockDate": "2026-02-30"}, "timeLockDate"),
        ({"timeLockDate": "31/01/2026"}, "timeLockDate"),
        ({"timeLockDate": 20260131}, "timeLockDate"),
        ({"timeLockDate": "3000-01-01"}, "timeLockDate"),
        ({"timeLockDate": "2026-01-31T00:00:00Z"}, "timeLockDate"),
        ({"timeRounding": None}, "timeRounding"),
        ({"timeRounding": 15}, "timeRounding"),
        ({"timeRounding": "15 up"}, "timeRounding"),
        ({"timeRounding": [15, "up"]}, "timeRounding"),
        ({"timeRounding": {"minutes": 15}}, "timeRounding.mode"),
        ({"timeRounding": {"mode": "up"}}, "timeRounding.minutes"),
        ({"timeRounding": {}}, "timeRounding.minutes"),
        ({"timeRounding": {"minutes": 20, "mode": "up"}}, "timeRounding.minutes"),
        ({"timeRounding": {"minutes": "15", "mode": "up"}}, "timeRounding.minutes"),
        ({"timeRounding": {"minutes": 15.0, "mode": "up"}}, "timeRounding.minutes"),
        ({"timeRounding": {"minutes": True, "mode": "up"}}, "timeRounding.minutes"),
        ({"timeRounding": {"minutes": -15, "mode": "up"}}, "timeRounding.minutes"),
        ({"timeRounding": {"minutes": 15, "mode": "down"}}, "timeRounding.mode"),
        ({"timeRounding": {"minutes": 15, "mode": "UP"}}, "timeRounding.mode"),
        ({"timeRounding": {"minutes": 15, "mode": ["up"]}}, "timeRounding.mode"),
        ({"timeRounding": {"minutes": 15, "mode": "up", "unit": "h"}}, "timeRounding.unit"),
        ({"timeRounding": {"minutes": 15, "mode": "up", "x": {"y": 1}}}, "timeRounding.x"),
        ({"defaultRate": -1}, "defaultRate"),
        ({"defaultRate": 99.5}, "defaultRate"),
        ({"defaultRate": "9000"}, "defaultRate"),
        ({"defaultRate": {"amount": 9000}}, "defaultRate"),
        ({"paymentTermsDays": -1}, "paymentTermsDays"),
        ({"paymentTermsDays": 366}, "paymentTermsDays"),
        ({"paymentTermsDays": "30"}, "paymentTermsDays"),
        ({"paymentTermsDays": 30.5}, "paymentTermsDays"),
        ({"paymentTermsDays": None}, "paymentTermsDays"),
        ({"requireApprovals": True}, "requireApprovals"),
        ({"requireMfa": False}, "requireMfa"),
        ({"firmEntityId": "ent_junk", "requireApproval": True}, "firmEntityId"),
    ],
)
def test_bad_settings_are_400_naming_the_field_and_change_nothing(alice, body, field):
    patch(alice, {"defaultRate": 9_000})
    before = db_fingerprint()
    error = api(alice).patch(SETTINGS, body, status=400, code="validation_error")
    assert field in error["fields"], error
    assert db_fingerprint() == before


def test_one_bad_key_refuses_the_whole_patch(alice):
    error = api(alice).patch(
        SETTINGS, {"requireApproval": True, "paymentTermsDays": 400}, status=400
    )
    assert set(error["fields"]) == {"paymentTermsDays"}
    assert not FirmProfile.objects.exists()


@pytest.mark.parametrize("body", [{}, {"firmEntityId": None}])
def test_a_patch_must_change_something(alice, body):
    api(alice).patch(SETTINGS, body, status=400, code="validation_error")
    assert not FirmProfile.objects.exists()


def test_a_body_that_is_not_an_object_and_malformed_json_are_400(alice):
    for body in ([], "requireApproval", 1, None):
        api(alice).patch(SETTINGS, raw=json.dumps(body), status=400)
    api(alice).patch(SETTINGS, raw="{oops", status=400, code="malformed_request")
    assert not FirmProfile.objects.exists()


def test_payment_terms_set_here_give_new_invoices_their_due_date(alice, acme):
    patch(alice, {"paymentTermsDays": 14})
    entry = time_entry_create(
        firm=alice.firm,
        link=acme,
        work_date=dt.date(2026, 1, 15),
        hours=Decimal("1.00"),
        rate_cents=10_000,
    )
    invoice = invoice_create_from_time(firm=alice.firm, link=acme, time_entry_ids=[entry.public_id])
    assert invoice.due_date == invoice.issue_date + dt.timedelta(days=14)
