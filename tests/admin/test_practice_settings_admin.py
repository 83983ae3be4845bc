"""The firm's practice settings in the admin (require approval, the time lock date, invoice rounding,
the default rate, payment terms, staff MFA): a firm ADMIN adds and changes them through
`firm_settings_update`; the firm's other staff read them; another firm's are a 404.

Alice is ADMIN of Firm A, Bob its VIEWER, Dave its MEMBER; Charlie is ADMIN of Firm B.
"""

import datetime as dt

import pytest
from django.urls import reverse

from axiomatic.entities.models import Role
from practice.models import FirmProfile
from tests.admin.conftest import logged_in
from tests.admin.receivables_helpers import table_rows
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import db_fingerprint
from tests.practice.time_helpers import time_body

pytestmark = pytest.mark.django_db

ADD = reverse("admin:practice_firmprofile_add")
LIST = reverse("admin:practice_firmprofile_changelist")


def change_url(profile: FirmProfile) -> str:
    return reverse("admin:practice_firmprofile_change", args=[profile.pk])


def settings_form(**overrides) -> dict:
    form = {
        "require_approval": "on",
        "time_lock_date": "2026-03-31",
        "time_rounding_minutes": "15",
        "time_rounding_mode": "nearest",
        "default_rate": "175.00",
        "payment_terms_days": "14",
    }
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


def stored(firm) -> tuple:
    p = FirmProfile.objects.get(firm=firm)
    return (
        p.require_approval,
        p.time_lock_date,
        p.time_rounding_minutes,
        p.time_rounding_mode,
        p.default_rate_cents,
        p.payment_terms_days,
        p.require_mfa,
    )


@pytest.fixture
def dave(firm_a):
    user = UserFactory(email="dave@alpha.test", is_staff=True)
    MembershipFactory(user=user, entity=firm_a, role=Role.MEMBER)
    return user


@pytest.fixture
def profile(alice) -> FirmProfile:
    return FirmProfile.objects.create(firm=alice.firm, default_rate_cents=9_000)


def test_an_admin_adds_the_firms_settings(alice):
    response = logged_in(alice.user).post(ADD, settings_form(firm=alice.firm.pk))
    assert response.status_code == 302, response.content
    assert stored(alice.firm) == (True, dt.date(2026, 3, 31), 15, "nearest", 17_500, 14, False)


def test_an_admin_changes_them_on_their_page(alice, profile):
    session = logged_in(alice.user)
    page = session.get(change_url(profile))
    for name in (
        "require_approval",
        "time_lock_date",
        "time_rounding_minutes",
        "payment_terms_days",
    ):
        assert f'name="{name}"'.encode() in page.content
    response = session.post(change_url(profile), settings_form(require_approval=None))
    assert response.status_code == 302, response.content
    assert stored(alice.firm) == (False, dt.date(2026, 3, 31), 15, "nearest", 17_500, 14, False)
    # And clears the lock date and the default rate.
    cleared = session.post(change_url(profile), settings_form(time_lock_date="", default_rate=""))
    assert cleared.status_code == 302
    assert stored(alice.firm)[1] is None and stored(alice.firm)[4] is None


def test_settings_left_out_of_a_post_stay_as_they_are(alice, profile):
    FirmProfile.objects.filter(pk=profile.pk).update(
        time_rounding_minutes=6, time_rounding_mode="nearest", payment_terms_days=45
    )
    response = logged_in(alice.user).post(change_url(profile), {"default_rate": "10.00"})
    assert response.status_code == 302, response.content
    assert stored(alice.firm)[2:6] == (6, "nearest", 1_000, 45)


@pytest.mark.parametrize(
    "bad",
    [
        {"payment_terms_days": "366"},
        {"payment_terms_days": "-1"},
        {"time_rounding_minutes": "20"},
        {"time_rounding_mode": "down"},
        {"time_lock_date": "2026-02-30"},
        {"default_rate": "-5"},
    ],
)
def test_bad_values_are_refused_on_the_form(alice, profile, bad):
    before = db_fingerprint()
    page = logged_in(alice.user).post(change_url(profile), settings_form(**bad))
    assert page.status_code == 200
    assert b"errorlist" in page.content
    assert db_fingerprint() == before


def test_the_list_shows_rounding_and_the_rate_as_money(alice, profile):
    FirmProfile.objects.filter(pk=profile.pk).update(
        time_rounding_minutes=15, time_rounding_mode="up", time_lock_date=dt.date(2026, 1, 31)
    )
    rows = table_rows(logged_in(alice.user).get(LIST).content.decode(), "result_list")
    row = rows[1]
    assert "15 min, up" in row and "$90.00" in row


def test_a_member_or_viewer_reads_them_but_cannot_change_them(alice, bob, dave, profile):
    before = db_fingerprint()
    for user in (bob.user, dave):
        session = logged_in(user)
        page = session.get(change_url(profile))
        assert page.status_code == 200
        assert b'name="time_lock_date"' not in page.content
        assert b'name="require_approval"' not in page.content
        assert session.post(change_url(profile), settings_form()).status_code == 403
        assert session.get(ADD).status_code == 403
    assert db_fingerprint() == before


def test_a_member_cannot_add_settings_for_the_firm(alice, dave):
    response = logged_in(dave).post(ADD, settings_form(firm=alice.firm.pk))
    assert response.status_code == 403
    assert not FirmProfile.objects.exists()


def test_another_firms_settings_are_404_and_not_theirs_to_add(alice, charlie, profile):
    session = logged_in(charlie.user)
    assert session.get(change_url(profile)).status_code == 404
    assert session.post(change_url(profile), settings_form()).status_code == 404
    # The add form offers only firms they administer: Firm A is no valid choice.
    refused = session.post(ADD, settings_form(firm=alice.firm.pk))
    assert refused.status_code == 200
    assert stored(alice.firm)[4] == 9_000
    assert not FirmProfile.objects.filter(firm=charlie.firm).exists()


def test_a_lock_date_set_here_locks_the_firms_time(alice, acme, profile):
    response = logged_in(alice.user).post(change_url(profile), settings_form())
    assert response.status_code == 302
    refused = alice.client.post(
        "/api/practice/time", time_body(alice, acme, date="2026-03-31"), format="json"
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "period_locked"
