"""Journey 1, onboard a client, in a real browser: a firm ADMIN adds a client with all its
details, lands on its page (books seeded, the monthly fee as currency), invites a client user (the
email goes through a real SMTP server), sees the invitation pending, resends it, revokes it. A
VIEWER sees the client but cannot add one; another firm's admin gets "not found"."""

import re

import pytest

from axiomatic.core.money import format_money
from practice.models import ClientLink, Invitation, InvitationStatus
from practice.pricing import tier_fees_cents
from tests.browser.helpers import PASSWORD, admin_login, expect, journey_step

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CLIENTS = "/admin/practice/clientlink/"
INVITATIONS = "/admin/practice/invitation/"


def _with_password(persona):
    persona.user.set_password(PASSWORD)
    persona.user.save(update_fields=["password"])
    return persona


def _invitation_row(page, email: str):
    return page.locator("#invitations-table tbody tr", has_text=email)


def test_an_admin_onboards_a_client_and_manages_its_invitation(
    live_server, new_page, alice, screenshots, smtp_server
):
    _with_password(alice)
    page = new_page()
    admin_login(page, live_server.url, alice.user.email)

    page.goto(f"{live_server.url}{CLIENTS}")
    journey_step(page, screenshots, "journey1-clients")
    page.locator(".object-tools a.addlink").click()
    expect(page.locator("h1")).to_have_text("Add a client")
    page.fill("#id_client_name", "Initech LLC")
    page.select_option("#id_client_type", "llc")
    page.fill("#id_client_industry", "Software")
    page.select_option("#id_client_tier", "PROFESSIONAL")
    page.select_option("#id_billing_mode", "client_direct")
    page.fill("#id_default_rate", "1,250.50")
    page.fill("#id_external_reference", "CRM-42")
    expect(page.locator("body")).not_to_contain_text("cents")
    journey_step(page, screenshots, "journey1-add-client")
    page.click("input[name=_save]")

    # The client's page: what was seeded and the program fee, as money.
    expect(page.locator(".messagelist")).to_contain_text("chart of accounts and books are seeded")
    link = ClientLink.objects.select_related("client").get(firm=alice.firm)
    assert (link.client.name, link.default_rate_cents, link.external_reference) == (
        "Initech LLC",
        125_050,
        "CRM-42",
    )
    books = link.client.books.all()
    assert books
    for book in books:
        expect(page.locator(".field-books")).to_contain_text(book.name)
    expect(page.locator(".field-chart_of_accounts")).to_contain_text(re.compile(r"\d+ accounts"))
    fee = format_money(tier_fees_cents()["PROFESSIONAL"], "USD")
    expect(page.locator(".field-monthly_fee")).to_contain_text(f"{fee} a month")
    expect(page.locator("#id_default_rate")).to_have_value("1,250.50")
    expect(page.locator("body")).not_to_contain_text("cents")
    journey_step(page, screenshots, "journey1-client-page")

    # Invite a client user: the email goes out, the invitation is pending.
    page.fill("#invite-email", "pat@initech.test")
    page.select_option("#invite-role", "MEMBER")
    page.click("#invite-client-user input[type=submit]")
    expect(page.locator(".messagelist")).to_contain_text("Invited pat@initech.test.")
    row = _invitation_row(page, "pat@initech.test")
    expect(row.locator(".invitation-state")).to_have_text("Pending")
    expect(row.locator(".invitation-sent")).to_have_text("1")
    assert [m["To"] for m in smtp_server.messages] == ["pat@initech.test"]
    assert "/invitations/accept/" in smtp_server.messages[0].get_body(("plain",)).get_content()
    journey_step(page, screenshots, "journey1-invited")

    # Resend: a second email, the count goes up.
    row.locator("button.invitation-resend").click()
    expect(page.locator(".messagelist")).to_contain_text("Resent the invitation to pat@initech")
    row = _invitation_row(page, "pat@initech.test")
    expect(row.locator(".invitation-sent")).to_have_text("2")
    assert len(smtp_server.messages) == 2
    journey_step(page, screenshots, "journey1-resent")

    # Revoke: the state says so and the buttons are gone.
    row.locator("button.invitation-revoke").click()
    expect(page.locator(".messagelist")).to_contain_text("Revoked the invitation to pat@initech")
    row = _invitation_row(page, "pat@initech.test")
    expect(row.locator(".invitation-state")).to_have_text("Revoked")
    expect(row.locator("button")).to_have_count(0)
    assert Invitation.objects.get(email="pat@initech.test").status == InvitationStatus.REVOKED
    journey_step(page, screenshots, "journey1-revoked")

    # The invitations list shows the same state.
    page.goto(f"{live_server.url}{INVITATIONS}")
    expect(page.locator("#result_list")).to_contain_text("Revoked")
    journey_step(page, screenshots, "journey1-invitations")


def test_a_viewer_reads_and_another_firm_gets_not_found(
    live_server, new_page, alice, bob, charlie, make_client, screenshots
):
    _with_password(bob)
    _with_password(charlie)
    link = make_client(alice, "Initech LLC", default_rate_cents=15_000)
    invitation = Invitation.objects.create(
        firm=alice.firm,
        entity=link.client,
        email="pat@initech.test",
        expires_at=link.created_at.replace(year=link.created_at.year + 1),
    )
    client_page = f"{live_server.url}{CLIENTS}{link.pk}/change/"

    viewer = new_page()
    admin_login(viewer, live_server.url, bob.user.email)
    viewer.goto(f"{live_server.url}{CLIENTS}")
    expect(viewer.locator("#result_list")).to_contain_text("Initech LLC")
    expect(viewer.locator("#result_list")).to_contain_text("$150.00")
    expect(viewer.locator(".object-tools a.addlink")).to_have_count(0)
    journey_step(viewer, screenshots, "journey1-viewer-clients")
    viewer.goto(client_page)
    expect(viewer.locator(".field-monthly_fee")).to_contain_text("a month")
    expect(viewer.locator("#invite-client-user")).to_have_count(0)
    expect(viewer.locator("button.invitation-revoke")).to_have_count(0)
    journey_step(viewer, screenshots, "journey1-viewer-client-page")
    token = viewer.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    add = viewer.request.post(
        f"{live_server.url}{CLIENTS}add/",
        form={
            "csrfmiddlewaretoken": token,
            "firm": str(alice.firm.pk),
            "client_name": "Sneaky Inc",
            "client_type": "llc",
            "client_tier": "STARTER",
            "billing_mode": "consolidated",
        },
    )
    assert add.status == 403
    revoke = viewer.request.post(
        f"{live_server.url}{INVITATIONS}{invitation.pk}/revoke/",
        form={"csrfmiddlewaretoken": token},
    )
    assert revoke.status == 403
    assert ClientLink.objects.filter(firm=alice.firm).count() == 1
    assert Invitation.objects.get(pk=invitation.pk).status == InvitationStatus.PENDING

    other = new_page()
    admin_login(other, live_server.url, charlie.user.email)
    for url in (client_page, f"{live_server.url}{INVITATIONS}{invitation.pk}/change/"):
        response = other.goto(url)
        assert response.status == 404, url
    # Django's bare "Not Found" page, not one of the workplace's: a screenshot, no axe check.
    other.screenshot(path=str(screenshots / "journey1-other-firm-not-found.png"))
    other.goto(f"{live_server.url}{CLIENTS}")
    expect(other.locator("body")).not_to_contain_text("Initech")
