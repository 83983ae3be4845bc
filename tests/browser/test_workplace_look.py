"""The workplace's look in a real browser (ADR 0036): the sign-in page and the dashboard pass
axe-core, and the bar under the header lists the workplace pages the signed-in user may open."""

import pytest

from tests.browser.helpers import PASSWORD, admin_login, expect, journey_step

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_sign_in_and_dashboard_are_accessible_and_show_the_workplace_bar(
    live_server, new_page, alice, acme, screenshots
):
    alice.user.set_password(PASSWORD)
    alice.user.save(update_fields=["password"])
    page = new_page()
    page.goto(f"{live_server.url}/admin/login/")
    expect(page.locator("#workplace-nav")).to_have_count(0)  # nothing listed before signing in
    journey_step(page, screenshots, "workplace-sign-in")

    admin_login(page, live_server.url, alice.user.email)
    nav = page.locator("#workplace-nav")
    expect(nav.get_by_role("link", name="AR aging")).to_be_visible()
    expect(nav.get_by_role("link", name="Statements")).to_be_visible()
    journey_step(page, screenshots, "workplace-dashboard")

    nav.get_by_role("link", name="AR aging").click()
    expect(nav.locator("a[aria-current=page]")).to_have_text("AR aging")
