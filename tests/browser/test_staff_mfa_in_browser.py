"""Staff MFA in a real browser: a firm admin requires it in the firm's practice settings, is sent to
enrol (QR code and key; a screenshot is saved under artifacts/screenshots/), confirms with a code
computed here from the key the page shows, keeps the recovery codes, logs out, and signs in again
with password + code; a recovery code works once; a colleague is sent to enrol before anything."""

import re
from base64 import b32decode

import pytest

from practice.models import FirmProfile
from tests.browser.helpers import admin_login, expect
from tests.helpers import totp_code

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _log_out(page) -> None:
    page.click("#logout-form button")
    expect(page.locator("h1")).to_contain_text("Sign in")


def _enter_code(page, code: str) -> None:
    page.fill("#id_code", code)
    page.click("#mfa-verify-form input[type=submit]")


def test_a_firm_admin_requires_mfa_enrols_and_signs_in_with_codes(
    live_server, new_page, alice, bob, screenshots
):
    base = live_server.url
    page = new_page()
    admin_login(page, base, alice.user.email)
    expect(page.locator("#panel-unbilled")).to_be_visible()  # no second factor asked yet

    # She requires MFA for her firm's staff, herself included.
    page.goto(f"{base}/admin/practice/firmprofile/add/")
    page.select_option("#id_firm", str(alice.firm.pk))
    page.check("#id_require_mfa")
    page.click("input[name=_save]")
    assert FirmProfile.objects.get(firm=alice.firm).require_mfa

    # Before anything else: enrol.
    expect(page).to_have_url(re.compile(r"/admin/mfa/enrol/\?next="))
    expect(page.locator("#mfa-qr svg")).to_be_visible()
    page.screenshot(path=str(screenshots / "mfa-enrol.png"), full_page=True)
    key = b32decode(page.locator("#mfa-secret").inner_text().replace(" ", ""))
    page.fill("#id_code", totp_code(key))
    page.click("#mfa-enrol-form input[type=submit]")
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10 and len(set(codes)) == 10
    page.click("#mfa-continue")
    expect(page.locator("#result_list")).to_contain_text(alice.firm.name)  # where she was going

    # Password, then a code from the app.
    _log_out(page)
    admin_login(page, base, alice.user.email)
    expect(page).to_have_url(re.compile(r"/admin/mfa/verify/"))
    _enter_code(page, totp_code(key, steps_ahead=1))
    expect(page.locator("#panel-unbilled")).to_be_visible()

    # A recovery code instead of the app: once.
    _log_out(page)
    admin_login(page, base, alice.user.email)
    _enter_code(page, codes[0])
    expect(page.locator("#panel-unbilled")).to_be_visible()
    _log_out(page)
    admin_login(page, base, alice.user.email)
    _enter_code(page, codes[0])
    expect(page.locator(".errorlist")).to_contain_text("That code is not right")
    expect(page).to_have_url(re.compile(r"/admin/mfa/verify/"))
    response = page.goto(f"{base}/admin/practice/timeentry/")
    expect(page).to_have_url(
        re.compile(r"/admin/mfa/verify/\?next=%2Fadmin%2Fpractice%2Ftimeentry%2F")
    )
    assert response.ok

    # A colleague without an app is sent to enrol before any page of the admin.
    other = new_page()
    admin_login(other, base, bob.user.email)
    expect(other).to_have_url(re.compile(r"/admin/mfa/enrol/"))
    other.goto(f"{base}/admin/practice/timeentry/")
    expect(other).to_have_url(re.compile(r"/admin/mfa/enrol/"))
    expect(other.locator("#mfa-secret")).to_be_visible()
