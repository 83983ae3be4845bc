"""Lock dates in the admin: each entity's ledger settings, scoped to the firm, changed through
`ledger_settings_update` (the API's rules) and only by a firm ADMIN or a superuser."""

import datetime as dt
from html import escape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from axiomatic.entities.models import Role
from axiomatic.ledger.models import LedgerSettings
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import db_fingerprint

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:ledger_ledgersettings_changelist"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def change_url(entity) -> str:
    settings = LedgerSettings.objects.get(entity=entity)
    return reverse("admin:ledger_ledgersettings_change", args=[settings.pk])


def settings_of(entity) -> tuple:
    row = LedgerSettings.objects.get(entity=entity)
    return row.lock_date, row.fiscal_year_start_month


def submit(client, entity, lock_date="2026-03-31", month=4):
    return client.post(
        change_url(entity), {"lock_date": lock_date or "", "fiscal_year_start_month": str(month)}
    )


@pytest.fixture
def alice_admin(alice) -> Client:
    return logged_in(alice.user)


def test_staff_see_the_settings_of_the_entities_their_firm_reaches(
    alice, acme, charlie, globex, alice_admin
):
    page = alice_admin.get(reverse(CHANGELIST))
    assert page.status_code == 200
    html = page.content.decode()
    assert escape(alice.firm.name) in html and escape(acme.client.name) in html
    assert escape(charlie.firm.name) not in html and escape(globex.client.name) not in html
    assert alice_admin.get(change_url(globex.client)).status_code == 404
    before = db_fingerprint()
    assert submit(alice_admin, globex.client).status_code == 404
    assert db_fingerprint() == before


def test_a_firm_admin_locks_a_clients_books_through_the_service(alice, acme, alice_admin):
    page = alice_admin.get(change_url(acme.client))
    assert page.status_code == 200
    assert "April" in page.content.decode()  # the fiscal year's first month, by name
    response = submit(alice_admin, acme.client)
    assert response.status_code == 302, response.content
    assert settings_of(acme.client) == (dt.date(2026, 3, 31), 4)
    record = LedgerSettings.history.filter(entity=acme.client).latest("history_id")
    assert (record.lock_date, record.history_user_id) == (dt.date(2026, 3, 31), alice.user.pk)
    assert submit(alice_admin, acme.client, lock_date=None, month=1).status_code == 302
    assert settings_of(acme.client) == (None, 1)


def test_a_lock_date_after_today_is_refused_on_the_form_and_nothing_changes(alice, alice_admin):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    before = db_fingerprint()
    response = submit(alice_admin, alice.firm, lock_date=tomorrow.isoformat())
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "lock_date" in errors and "after today" in errors["lock_date"][0]
    assert db_fingerprint() == before


@pytest.mark.parametrize("role", [Role.MEMBER, Role.VIEWER])
def test_a_member_or_viewer_sees_the_settings_but_cannot_change_them(alice, role):
    person = UserFactory(is_staff=True)
    MembershipFactory(user=person, entity=alice.firm, role=role)
    client = logged_in(person)
    page = client.get(change_url(alice.firm))
    assert page.status_code == 200
    assert 'name="lock_date"' not in page.content.decode()  # read-only
    before = db_fingerprint()
    assert submit(client, alice.firm).status_code == 403
    assert db_fingerprint() == before
    assert settings_of(alice.firm) == (None, 1)


def test_nobody_adds_or_deletes_settings_here(alice, alice_admin):
    assert alice_admin.get(reverse("admin:ledger_ledgersettings_add")).status_code == 403
    url = reverse(
        "admin:ledger_ledgersettings_delete",
        args=[LedgerSettings.objects.get(entity=alice.firm).pk],
    )
    assert alice_admin.post(url, {"post": "yes"}).status_code == 403
    assert LedgerSettings.objects.filter(entity=alice.firm).exists()


def test_a_superuser_may_change_any_entitys_settings(charlie, globex):
    root = logged_in(UserFactory(is_staff=True, is_superuser=True))
    assert submit(root, globex.client, month=10).status_code == 302
    assert settings_of(globex.client) == (dt.date(2026, 3, 31), 10)
