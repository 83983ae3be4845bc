"""The billed client in a real browser: the emailed "view your invoice" link asks a client user to
sign in and lands on the invoice; /client/ lists the entity's invoices (not another entity's) and
opens one, and its PDF. Screenshots of both pages are saved under artifacts/screenshots/."""

import datetime as dt

import pytest
from django.utils import timezone

from axiomatic.entities.models import Role
from billing.services.invoices import Adjustment, invoice_create_from_time, invoice_void
from billing.services.payments import payment_create
from tests.billing.invoice_helpers import log
from tests.browser.helpers import PASSWORD, expect
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _bill(persona, link, hours: list[str], *, days_ago: int = 0, **kwargs):
    issued = timezone.localdate() - dt.timedelta(days=days_ago)
    entries = [
        log(persona, link, h, day=issued - dt.timedelta(days=i + 1), description=f"Close week {i}")
        for i, h in enumerate(hours)
    ]
    return invoice_create_from_time(
        firm=persona.firm,
        link=link,
        time_entry_ids=[e.public_id for e in entries],
        issue_date=issued,
        created_by=persona.user,
        **kwargs,
    )


def _pay(persona, invoice, cents: int, **kwargs):
    payment_create(
        firm=persona.firm,
        invoice_public_id=invoice.public_id,
        amount_cents=cents,
        date=kwargs.get("date", timezone.localdate()),
        method=kwargs.get("method", "ach"),
        reference=kwargs.get("reference", "ACH 5531"),
        created_by=persona.user,
    )


@pytest.fixture
def acme_invoices(alice, acme):
    """Acme's invoices from Alice's firm, one in each state a client meets."""
    written_down = _bill(
        alice,
        acme,
        ["3.00", "2.50", "1.25"],
        days_ago=5,
        adjustment=Adjustment(-8_438, "Courtesy: first month's catch-up took longer"),
    )
    _pay(alice, written_down, 30_000, reference="ACH 5531")
    overdue = _bill(alice, acme, ["4.00"], days_ago=75)
    paid = _bill(alice, acme, ["1.00"], days_ago=40)
    _pay(alice, paid, paid.total_cents, method="check", reference="Check 1042")
    void = _bill(alice, acme, ["0.50"], days_ago=20)
    invoice_void(firm=alice.firm, public_id=void.public_id, voided_by=alice.user)
    return {"written_down": written_down, "overdue": overdue, "paid": paid, "void": void}


def test_a_client_user_follows_the_link_signs_in_and_opens_the_invoice(
    live_server, new_page, alice, charlie, acme, globex, acme_invoices, screenshots
):
    globex_invoice = _bill(charlie, globex, ["6.00"])
    user = UserFactory(email="pat@acme.test", full_name="Pat Doe")
    MembershipFactory(user=user, entity=acme.client, role=Role.ADMIN)
    invoice = acme_invoices["written_down"]
    page = new_page()

    # The emailed link: sign in first, then the invoice.
    page.goto(f"{live_server.url}/client/invoices/{invoice.public_id}")
    expect(page.locator("h1")).to_have_text("Sign in")
    page.fill("#id_username", "pat@acme.test")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/client/invoices/{invoice.public_id}")
    expect(page.locator("h1")).to_contain_text("Invoice INV-000001")

    # /client/: Acme's invoices, newest first, and nothing of Globex's.
    page.goto(f"{live_server.url}/client/")
    rows = page.locator("table.invoices tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(0)).to_contain_text("INV-000001")
    expect(rows.nth(0)).to_contain_text("Partially paid")
    expect(
        page.locator(f"tr[data-invoice-id='{acme_invoices['overdue'].public_id}']")
    ).to_contain_text("Overdue")
    expect(
        page.locator(f"tr[data-invoice-id='{acme_invoices['void'].public_id}']")
    ).to_contain_text("Void")
    expect(page.locator(f"tr[data-invoice-id='{globex_invoice.public_id}']")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("Globex")
    expect(page.locator("main")).not_to_contain_text(charlie.firm.name)
    page.screenshot(path=str(screenshots / "client-home-invoices.png"), full_page=True)

    # Open it: lines, the write-down with its reason, the payment, the balance.
    page.locator(f"tr[data-invoice-id='{invoice.public_id}'] a", has_text="INV-000001").click()
    expect(page).to_have_url(f"{live_server.url}/client/invoices/{invoice.public_id}")
    main = page.locator("main")
    expect(main).to_contain_text("Close week 0")
    expect(main).to_contain_text("Write-down: Courtesy: first month's catch-up took longer")
    expect(main).to_contain_text("ACH 5531")
    balance = invoice.total_cents - 30_000
    expect(page.locator(".balance-due")).to_contain_text(f"${balance // 100:,}.{balance % 100:02d}")
    page.screenshot(path=str(screenshots / "client-invoice.png"), full_page=True)

    pdf_href = page.locator("a.pdf").get_attribute("href")
    pdf = page.request.get(f"{live_server.url}{pdf_href}")
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")

    # Globex's invoice is not reachable from Acme's user.
    response = page.goto(f"{live_server.url}/client/invoices/{globex_invoice.public_id}")
    assert response.status == 404
