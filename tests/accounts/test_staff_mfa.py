"""Staff MFA in the admin: a firm ADMIN requires it (requireMfa on the firm's practice settings);
its staff without an authenticator app are sent to enrol before any other admin page; staff with
one enter a code after the password; a recovery code works once. (The same in a real browser:
tests/browser/test_staff_mfa_in_browser.py.)"""

import re
import time
from base64 import b32decode

import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from axiomatic.accounts.services import totp_enrolment_begin, totp_enrolment_confirm
from axiomatic.entities.models import Role
from practice.models import FirmProfile
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import totp_code

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # UserFactory's
ENROL = "/admin/mfa/enrol/"
VERIFY = "/admin/mfa/verify/"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def password_login(user) -> Client:
    client = Client()
    response = client.post("/admin/login/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return client


def require_mfa(firm) -> None:
    FirmProfile.objects.update_or_create(firm=firm, defaults={"require_mfa": True})


def enrolled(user) -> tuple[bytes, list[str]]:
    device = totp_enrolment_begin(user=user)
    key = device.bin_key
    _, codes = totp_enrolment_confirm(user=user, code=totp_code(key))
    return key, codes


@pytest.fixture
def dave(firm_a):
    """A MEMBER of Firm A (writes, but is no ADMIN)."""
    user = UserFactory(email="dave@alpha.test", is_staff=True)
    MembershipFactory(user=user, entity=firm_a, role=Role.MEMBER)
    return user


# -- who may require it -----------------------------------------------------------------------
def test_a_firm_admin_requires_mfa_and_is_sent_to_enrol(alice):
    client = signed_in(alice.user)
    add = client.get("/admin/practice/firmprofile/add/")
    assert add.status_code == 200 and b'name="require_mfa"' in add.content
    response = client.post(
        "/admin/practice/firmprofile/add/",
        {"firm": alice.firm.pk, "default_rate_cents": "", "require_mfa": "on"},
    )
    assert response.status_code == 302, response.content
    assert FirmProfile.objects.get(firm=alice.firm).require_mfa is True
    # The very next admin page asks her to enrol.
    following = client.get(response["Location"])
    assert following.status_code == 302
    assert following["Location"].startswith(ENROL + "?next=")


def test_a_member_may_not_change_the_requirement_or_any_other_setting(dave, firm_a):
    # The firm's practice settings are its ADMIN's to change, every one of them (ADR 0024).
    client = signed_in(dave)
    refused = client.post(
        "/admin/practice/firmprofile/add/",
        {"firm": firm_a.pk, "default_rate_cents": "9000", "require_mfa": "on"},
    )
    assert refused.status_code == 403
    assert not FirmProfile.objects.filter(firm=firm_a).exists()

    profile = FirmProfile.objects.create(firm=firm_a)
    page = client.get(f"/admin/practice/firmprofile/{profile.pk}/change/")
    assert page.status_code == 200 and b'name="require_mfa"' not in page.content
    saved = client.post(
        f"/admin/practice/firmprofile/{profile.pk}/change/",
        {"default_rate_cents": "9000", "require_mfa": "on"},
    )
    assert saved.status_code == 403
    profile.refresh_from_db()
    assert (profile.default_rate_cents, profile.require_mfa) == (None, False)


def test_a_viewer_and_another_firm_cannot_change_it(alice, bob, charlie):
    profile = FirmProfile.objects.create(firm=alice.firm)
    url = f"/admin/practice/firmprofile/{profile.pk}/change/"
    assert signed_in(bob.user).post(url, {"require_mfa": "on"}).status_code == 403
    assert signed_in(charlie.user).get(url).status_code == 404
    assert signed_in(charlie.user).post(url, {"require_mfa": "on"}).status_code == 404
    profile.refresh_from_db()
    assert profile.require_mfa is False


# -- the gate ---------------------------------------------------------------------------------
def test_staff_without_a_device_enrol_before_anything_else(alice, bob, charlie):
    require_mfa(alice.firm)
    client = signed_in(bob.user)  # a VIEWER of the firm: staff all the same
    for path in ("/admin/", "/admin/practice/timeentry/", "/admin/password_change/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == f"{ENROL}?next={path.replace('/', '%2F')}"
    assert client.get(ENROL).status_code == 200
    # Logging out needs no second factor.
    assert client.post("/admin/logout/").status_code == 302
    assert "_auth_user_id" not in client.session
    # Another firm's staff, and a superuser in no firm, are not asked.
    assert signed_in(charlie.user).get("/admin/").status_code == 200
    operator = UserFactory(email="ops@axiomatic.test", is_staff=True, is_superuser=True)
    assert signed_in(operator).get("/admin/").status_code == 200


def test_enrolment_shows_the_secret_confirms_with_a_code_and_shows_codes_once(alice, bob):
    require_mfa(alice.firm)
    client = signed_in(bob.user)
    page = client.get(ENROL + "?next=/admin/practice/timeentry/")
    assert page.status_code == 200
    assert page["Cache-Control"].startswith("max-age=0")
    html = page.content.decode()
    assert "Your firm asks everyone who works in the admin to sign" in html
    secret = re.search(r'id="mfa-secret"[^>]*>([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    device = TOTPDevice.objects.get(user=bob.user)
    assert b32decode(secret) == device.bin_key and device.confirmed is False
    assert "<svg" in html and "otpauth://totp/Axiomatic%3Abob%40alpha.test?secret=" in html

    wrong = client.post(ENROL, {"code": "000000"})
    assert wrong.status_code == 400 and b"That code is not right" in wrong.content
    device.refresh_from_db()
    assert (device.confirmed, device.throttling_failure_count) == (False, 1)
    time.sleep(1.1)  # the throttle's wait after one wrong code

    done = client.post(
        ENROL, {"code": totp_code(b32decode(secret)), "next": "/admin/practice/timeentry/"}
    )
    assert done.status_code == 200
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", done.content.decode())
    assert len(codes) == 10
    assert sorted(codes) == sorted(StaticToken.objects.values_list("token", flat=True))
    assert b'href="/admin/practice/timeentry/"' in done.content
    device.refresh_from_db()
    assert device.confirmed is True
    # This session showed the factor: the admin opens. The codes are never shown again.
    assert client.get("/admin/practice/timeentry/").status_code == 200
    assert client.get(ENROL).status_code == 302


def test_enrolled_staff_enter_a_code_after_the_password(alice):
    key, _ = enrolled(alice.user)  # her firm does not require it: she chose to
    client = password_login(alice.user)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2Fadmin%2F"
    assert client.get(VERIFY).status_code == 200
    ok = client.post(VERIFY, {"code": totp_code(key, steps_ahead=1), "next": "/admin/"})
    assert ok.status_code == 302 and ok["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    # Enrolment cannot be redone without the factor: an unverified session is sent to the code.
    other = password_login(alice.user)
    assert other.get(ENROL)["Location"] == "/admin/"
    assert other.get("/admin/")["Location"].startswith(VERIFY)


def test_a_recovery_code_works_once(alice):
    _, codes = enrolled(alice.user)
    first = password_login(alice.user)
    assert first.post(VERIFY, {"code": codes[0].upper()}).status_code == 302
    assert first.get("/admin/").status_code == 200
    second = password_login(alice.user)
    refused = second.post(VERIFY, {"code": codes[0]})
    assert refused.status_code == 400
    assert second.get("/admin/").status_code == 302
    assert StaticToken.objects.count() == 9


def test_wrong_codes_are_throttled_and_the_count_is_kept(alice):
    key, _ = enrolled(alice.user)
    client = password_login(alice.user)
    wrong = client.post(VERIFY, {"code": "123456" if totp_code(key) != "123456" else "654321"})
    assert wrong.status_code == 400 and b"That code is not right" in wrong.content
    device = TOTPDevice.objects.get(user=alice.user)
    assert device.throttling_failure_count == 1  # committed, though the page said no
    # Right away, even the right code waits its turn.
    held = client.post(VERIFY, {"code": totp_code(key, steps_ahead=1)})
    assert held.status_code == 400 and b"Too many wrong codes: wait 1 seconds" in held.content
    assert client.get("/admin/").status_code == 302


def test_a_code_from_another_persons_app_does_not_work(alice, charlie):
    enrolled(alice.user)
    charlie_key, _ = enrolled(charlie.user)
    client = password_login(alice.user)
    assert client.post(VERIFY, {"code": totp_code(charlie_key, steps_ahead=1)}).status_code == 400
    assert client.get("/admin/").status_code == 302


def test_the_api_takes_a_staff_session_only_once_the_code_is_entered(alice, acme):
    key, _ = enrolled(alice.user)
    client = password_login(alice.user)
    url = f"/api/practice/clients?firmEntityId={alice.firm.public_id}"
    refused = client.get(url)
    assert refused.status_code in (401, 403)
    assert refused.json()["error"]["code"] == "not_authenticated"
    client.post(VERIFY, {"code": totp_code(key, steps_ahead=1)})
    allowed = client.get(url)
    assert allowed.status_code == 200
    assert [c["name"] for c in allowed.json()["clients"]] == ["Acme Corp"]


def test_staff_of_a_firm_requiring_mfa_reach_the_api_only_after_enrolling(alice, bob):
    require_mfa(alice.firm)
    url = f"/api/practice/clients?firmEntityId={alice.firm.public_id}"
    assert signed_in(bob.user).get(url).status_code in (401, 403)
    # The firm's API key is not a person's session: it is not asked for a code.
    assert alice.client.get(url).status_code == 200
