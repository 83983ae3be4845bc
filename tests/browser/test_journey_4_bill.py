"""Journey 4, "Bill", in a real browser: alice opens Work in progress, bills Acme (a write-down with
its reason and a fixed-fee item, previewed first), creates the invoice, opens its PDF, emails it to
Acme's admin, records a partial payment and sees the balance on AR aging. A screenshot and an
accessibility check at each page (artifacts/screenshots/journey4-*.png)."""

import datetime as dt
import time
from decimal import Decimal

import pytest
from django.utils import timezone

from axiomatic.entities.models import Role
from billing.models import Invoice
from practice.services.time_entries import time_entry_create
from tests.browser.helpers import PASSWORD, admin_login, expect, journey_step
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def acme_time(alice, make_client):
    """Acme Corp: 2.5 h at $125.00 and 4 h at $150.00 this month ($912.50), and an admin user to
    email invoices to."""
    alice.user.set_password(PASSWORD)
    alice.user.save(update_fields=["password"])
    link = make_client(alice, "Acme Corp")
    MembershipFactory(
        user=UserFactory(email="owner@acme.test"), entity=link.client, role=Role.ADMIN
    )
    today = timezone.localdate()
    for days_ago, hours, rate, description in (
        (2, "2.50", 12_500, "Bookkeeping"),
        (1, "4.00", 15_000, "Payroll review"),
    ):
        time_entry_create(
            firm=alice.firm,
            link=link,
            work_date=today - dt.timedelta(days=days_ago),
            hours=Decimal(hours),
            rate_cents=rate,
            description=description,
            default_user=alice.user,
        )
    return link


def _wait_for(predicate, seconds=20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_journey4_bill_a_client_from_wip_to_ar_aging(
    live_server, new_page, alice, acme_time, smtp_server, screenshots
):
    page = new_page()
    admin_login(page, live_server.url, alice.user.email)

    # Work in progress: Acme's unbilled time, and "Bill this client".
    page.goto(f"{live_server.url}/admin/billing/wip/")
    row = page.locator("#receivables-report tbody tr", has_text="Acme Corp")
    expect(row).to_contain_text("$912.50")
    journey_step(page, screenshots, "journey4-wip")
    row.get_by_role("button", name="Bill this client: Acme Corp").click()

    # New invoice: both entries ticked; a $62.50 write-down and a $500.00 fixed fee.
    expect(page.locator("h1")).to_have_text("New invoice for Acme Corp")
    checkboxes = page.locator("#new-invoice-entries tbody input[type=checkbox]")
    expect(checkboxes).to_have_count(2)
    for i in range(2):
        expect(checkboxes.nth(i)).to_be_checked()
    page.get_by_label("Item 1 description").fill("Year-end fixed fee")
    page.get_by_label("Item 1 amount").fill("500.00")
    page.select_option("#id_adjustment_kind", "down")
    page.fill("#id_adjustment_amount", "62.50")
    page.fill("#id_adjustment_reason", "First-year courtesy")
    journey_step(page, screenshots, "journey4-new-invoice")

    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#invoice-preview")
    expect(page.locator("#preview-subtotal")).to_have_text("$1,412.50")
    expect(page.locator("#preview-adjustment")).to_have_text("-$62.50")
    expect(page.locator("#preview-total")).to_have_text("$1,350.00")
    expect(preview).to_contain_text("First-year courtesy")
    expect(page.locator("#preview-lines tbody tr")).to_have_count(3)
    expect(page.locator("#preview-lines tbody tr").nth(2)).to_contain_text("Year-end fixed fee")
    assert not Invoice.objects.exists()  # a preview writes nothing
    journey_step(page, screenshots, "journey4-preview")

    page.get_by_role("button", name="Create invoice").click()
    expect(page.locator(".messagelist .success")).to_contain_text(
        "Created INV-000001 for Acme Corp: total $1,350.00."
    )
    invoice = Invoice.objects.get()
    assert (invoice.subtotal_cents, invoice.adjustment_cents, invoice.total_cents) == (
        141_250,
        -6_250,
        135_000,
    )
    expect(page.locator(".field-total .readonly")).to_have_text("$1,350.00")
    expect(page.locator(".field-adjustment_reason .readonly")).to_have_text("First-year courtesy")
    journey_step(page, screenshots, "journey4-invoice")

    # The PDF, as the browser fetches it with alice's session.
    pdf_url = page.locator(".field-pdf_link a").get_attribute("href")
    pdf = page.request.get(f"{live_server.url}{pdf_url}", timeout=120_000)
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")

    # Send it to Acme's admin.
    page.get_by_role("link", name="Send by email").click()
    expect(page.locator("#content-main")).to_contain_text("owner@acme.test")
    page.fill("#id_message", "Thank you for a great year.")
    journey_step(page, screenshots, "journey4-send")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".messagelist .success")).to_contain_text("on its way to owner@acme.test")
    assert _wait_for(lambda: smtp_server.messages), "the invoice email never arrived"
    [message] = smtp_server.messages
    assert message["To"] == "owner@acme.test" and "INV-000001" in message["Subject"]
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"

    # A partial payment: $350.00 of $1,350.00.
    page.goto(f"{live_server.url}/admin/billing/invoice/{invoice.pk}/change/")
    page.fill("#id_payment-amount", "350.00")
    page.select_option("#id_payment-method", "check")
    page.fill("#id_payment-reference", "Check 1001")
    journey_step(page, screenshots, "journey4-payment")
    page.get_by_role("button", name="Record payment").click()
    expect(page.locator(".messagelist .success")).to_contain_text(
        "Recorded a payment of $350.00 on INV-000001: it is now Partially paid, "
        "balance due $1,000.00."
    )
    expect(page.locator(".field-balance_due .readonly")).to_have_text("$1,000.00")

    # AR aging: Acme owes $1,000.00, current (not yet due).
    page.goto(f"{live_server.url}/admin/billing/ar-aging/")
    acme_row = page.locator("#receivables-report tbody tr", has_text="Acme Corp")
    expect(acme_row.locator("td").nth(0)).to_have_text("$1,000.00")  # Current
    expect(acme_row.locator("td").nth(5)).to_have_text("$1,000.00")  # Total
    journey_step(page, screenshots, "journey4-ar-aging")
