"""Brute-force protection at every login door: the admin, /accounts/login/ and the invitation
page's sign-in. After AXES_FAILURE_LIMIT (5) failures for an account, or from a client address,
within the cool-off (15 minutes), the next try is refused even with the right password; after the
cool-off it works again, and an admin can unlock sooner."""

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from django.core import mail
from django.core.management import call_command
from django.db.models import F
from django.test import Client, RequestFactory

from practice.services.invitations import invitation_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # UserFactory's
WRONG = "not the password at all"
LIMIT = 5


@dataclass
class Door:
    name: str
    email: str
    path: str
    username_field: bool  # the invitation page asks for the password only

    def try_login(self, client: Client, password: str, email: str | None = None):
        form = {"password": password}
        if self.username_field:
            form["username"] = email or self.email
        return client.post(self.path, form)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def invitation_door(persona, link, capture) -> Door:
    """An existing account invited to a client: the accept page asks for its password."""
    UserFactory(email="pat@acme.test")
    with capture(execute=True):
        invitation_create(
            firm=persona.firm, entity=link.client, email="pat@acme.test", role="VIEWER"
        )
    token = re.search(r"/invitations/accept/([A-Za-z0-9_\-]+)", mail.outbox[-1].body).group(1)
    return Door("invitation", "pat@acme.test", f"/invitations/accept/{token}", False)


@pytest.fixture(params=["admin", "accounts", "invitation"])
def door(request, alice, acme, django_capture_on_commit_callbacks) -> Door:
    if request.param == "admin":
        return Door("admin", alice.user.email, "/admin/login/", True)
    if request.param == "accounts":
        return Door("accounts", alice.user.email, "/accounts/login/", True)
    return invitation_door(alice, acme, django_capture_on_commit_callbacks)


def fail(door: Door, times: int, client: Client | None = None):
    responses = [door.try_login(client or Client(), WRONG) for _ in range(times)]
    return responses[-1]


def test_the_sixth_try_is_refused_even_with_the_right_password(door):
    for attempt in range(1, LIMIT):
        response = door.try_login(Client(), WRONG)
        assert response.status_code in (200, 400), (attempt, response.status_code)
    fifth = door.try_login(Client(), WRONG)
    assert fifth.status_code == 429

    client = Client()
    sixth = door.try_login(client, PASSWORD)
    assert sixth.status_code == 429
    assert not signed_in(client)
    page = sixth.content.decode()
    assert "Sign-in paused for 15 minutes" in page
    assert "Wait 15 minutes, then try again." in page
    assert "reset your password by email" in page and "/accounts/password-reset/" in page
    assert sixth["Retry-After"] == str(15 * 60)


def test_the_right_password_works_after_the_cool_off(door):
    fail(door, LIMIT)
    assert door.try_login(Client(), PASSWORD).status_code == 429
    # Sixteen minutes pass: the last counted failure is older than the cool-off.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=16))
    client = Client()
    response = door.try_login(client, PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_four_failures_do_not_lock(door):
    fail(door, LIMIT - 1)
    client = Client()
    assert door.try_login(client, PASSWORD).status_code == 302
    assert signed_in(client)


def test_an_account_is_locked_whatever_the_address_and_the_spelling(alice):
    door = Door("accounts", alice.user.email, "/accounts/login/", True)
    spellings = ["ALICE@alpha.test", " alice@ALPHA.test", "Alice@Alpha.Test", alice.user.email]
    for n in range(LIMIT):
        client = Client(REMOTE_ADDR=f"198.51.100.{n + 1}")
        door.try_login(client, WRONG, email=spellings[n % len(spellings)])
    client = Client(REMOTE_ADDR="203.0.113.9")
    assert door.try_login(client, PASSWORD).status_code == 429
    assert not signed_in(client)


def test_an_address_is_locked_whatever_the_account(alice):
    door = Door("accounts", alice.user.email, "/accounts/login/", True)
    for n in range(LIMIT):
        door.try_login(Client(REMOTE_ADDR="198.51.100.7"), WRONG, email=f"guess{n}@alpha.test")
    same_address = Client(REMOTE_ADDR="198.51.100.7")
    assert door.try_login(same_address, PASSWORD).status_code == 429
    assert not signed_in(same_address)
    # Alice herself, from her own address, is not locked out by someone else's guessing.
    elsewhere = Client(REMOTE_ADDR="203.0.113.9")
    assert door.try_login(elsewhere, PASSWORD).status_code == 302


def test_the_axes_reset_command_unlocks(alice):
    door = Door("admin", alice.user.email, "/admin/login/", True)
    fail(door, LIMIT)
    call_command("axes_reset_username", alice.user.email)
    client = Client()
    assert door.try_login(client, PASSWORD).status_code == 302
    assert signed_in(client)


def test_a_superuser_unlocks_in_the_admin(alice):
    door = Door("admin", alice.user.email, "/admin/login/", True)
    fail(door, LIMIT)
    assert door.try_login(Client(), PASSWORD).status_code == 429
    operator = Client()
    operator.force_login(UserFactory(email="ops@axiomatic.test", is_staff=True, is_superuser=True))
    listed = operator.get("/admin/axes/accessattempt/", {"q": alice.user.email})
    assert listed.status_code == 200 and alice.user.email in listed.content.decode()
    ids = list(AccessAttempt.objects.filter(username=alice.user.email).values_list("pk", flat=True))
    response = operator.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert response.status_code == 302
    client = Client()
    assert door.try_login(client, PASSWORD).status_code == 302


def test_firm_staff_cannot_see_or_clear_lockouts(alice):
    fail(Door("accounts", "someone@alpha.test", "/accounts/login/", True), LIMIT)
    staff = Client()
    staff.force_login(alice.user)
    assert staff.get("/admin/axes/accessattempt/").status_code == 403
    assert AccessAttempt.objects.count() == 1


def test_the_invitation_token_never_reaches_the_attempt_records(
    alice, acme, django_capture_on_commit_callbacks
):
    door = invitation_door(alice, acme, django_capture_on_commit_callbacks)
    token = door.path.rsplit("/", 1)[1]
    fail(door, 2)
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.failures_since_start) == ("pat@acme.test", 2)
    assert attempt.path_info == "/invitations/accept/<str:token>"
    stored = repr(list(AccessAttempt.objects.values()))
    assert token not in stored


def test_a_script_gets_the_error_shape(alice):
    door = Door("accounts", alice.user.email, "/accounts/login/", True)
    client = Client(HTTP_ACCEPT="application/json")
    fail(door, LIMIT, client)
    response = door.try_login(client, PASSWORD)
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert "15 minutes" in response.json()["error"]["message"]


def test_lockouts_count_the_forwarded_address_behind_a_trusted_proxy(settings):
    """Behind one trusted proxy, two visitors are two addresses (not the proxy's one)."""
    settings.TRUSTED_PROXY_COUNT = 1
    factory = RequestFactory()
    first = factory.post(
        "/accounts/login/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.7"
    )
    second = factory.post(
        "/accounts/login/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.9"
    )
    assert get_client_ip_address(first) == "203.0.113.7"
    assert get_client_ip_address(second) == "198.51.100.9"
