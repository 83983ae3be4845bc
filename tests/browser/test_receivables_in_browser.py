"""Receivables in a real browser: a firm admin opens an open invoice, records a payment of its whole
balance and sees it turn Paid; the AR aging page shows what the firm is owed. Screenshots of both
are saved under artifacts/screenshots/."""

import datetime as dt
from decimal import Decimal

import pytest

from billing.models import Payment
from billing.services.invoices import Adjustment, invoice_create_from_time
from practice.services.time_entries import time_entry_create
from tests.browser.helpers import PASSWORD, admin_login, expect

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def open_invoices(alice, make_client):
    """Acme owes $1,162.50 (9.5 h at $125.00, less a $25.00 discount) from 2026-06-01; Initech owes
    $2,400.00 from 2026-03-02 (16 h at $150.00), well past due."""
    alice.user.set_password(PASSWORD)
    alice.user.save(update_fields=["password"])
    made = []
    for name, hours, rate, issue, adjustment in (
        ("Acme Corp", "9.50", 12_500, dt.date(2026, 6, 1), Adjustment(-2_500, "First-year rate")),
        ("Initech", "16.00", 15_000, dt.date(2026, 3, 2), Adjustment()),
    ):
        link = make_client(alice, name)
        entry = time_entry_create(
            firm=alice.firm,
            link=link,
            work_date=issue,
            hours=Decimal(hours),
            rate_cents=rate,
            description=f"{name}: monthly close",
            default_user=alice.user,
        )
        made.append(
            invoice_create_from_time(
                firm=alice.firm,
                link=link,
                time_entry_ids=[entry.public_id],
                issue_date=issue,
                adjustment=adjustment,
                created_by=alice.user,
            )
        )
    return made


def test_recording_the_whole_balance_makes_the_invoice_paid(
    live_server, new_page, alice, open_invoices, screenshots
):
    acme = open_invoices[0]
    page = new_page()
    admin_login(page, live_server.url, alice.user.email)

    page.goto(f"{live_server.url}/admin/billing/invoice/")
    page.get_by_role("link", name=acme.display_number, exact=True).click()
    status = page.locator(".field-status .readonly")
    expect(status).to_have_text("Open")
    expect(page.locator(".field-balance_due .readonly")).to_have_text("$1,162.50")

    page.fill("#id_payment-amount", "1,162.50")
    page.select_option("#id_payment-method", "check")
    page.fill("#id_payment-reference", "Check 2231")
    page.screenshot(path=str(screenshots / "invoice-record-payment.png"), full_page=True)
    page.get_by_role("button", name="Record payment").click()

    expect(page.locator(".messagelist .success")).to_contain_text(
        "Recorded a payment of $1,162.50 on INV-000001: it is now Paid, balance due $0.00."
    )
    expect(status).to_have_text("Paid")
    expect(page.locator(".field-balance_due .readonly")).to_have_text("$0.00")
    expect(page.locator("#payments-table tbody tr")).to_have_count(1)
    expect(page.locator("#payments-table")).to_contain_text("Check 2231")
    expect(page.locator("#record-payment-fields")).to_have_count(0)
    page.screenshot(path=str(screenshots / "invoice-paid.png"), full_page=True)
    payment = Payment.objects.get(invoice=acme)
    assert (payment.amount_cents, payment.method, payment.created_by) == (
        116_250,
        "check",
        alice.user,
    )

    # What is still owed today, by age: Initech's invoice alone, long past due.
    page.locator(".breadcrumbs").get_by_role("link", name="Billing").click()
    page.locator("#content-main").get_by_role("link", name="AR aging").click()
    rows = page.locator("#receivables-report tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Initech")
    expect(page.locator("#receivables-totals")).to_contain_text("$2,400.00")
    # As of the end of June, Acme's payment (dated today) had not come in yet.
    page.fill("#id_as_of", "2026-06-30")
    page.get_by_role("button", name="Show").click()
    expect(rows).to_have_count(2)
    expect(page.locator("#receivables-totals")).to_contain_text("$3,562.50")
    page.screenshot(path=str(screenshots / "ar-aging.png"), full_page=True)


def test_a_refused_payment_comes_back_with_the_reason_and_a_void_asks_first(
    live_server, new_page, alice, open_invoices, screenshots
):
    initech = open_invoices[1]
    page = new_page()
    admin_login(page, live_server.url, alice.user.email)
    page.goto(f"{live_server.url}/admin/billing/invoice/{initech.pk}/change/")

    page.fill("#id_payment-amount", "2400.01")
    page.get_by_role("button", name="Record payment").click()
    expect(page.locator(".messagelist .error")).to_contain_text(
        "The amount may be at most the balance due, $2,400.00."
    )
    expect(page.locator("#id_payment-amount")).to_have_value("2400.01")
    page.screenshot(path=str(screenshots / "payment-refused.png"), full_page=True)
    assert not Payment.objects.filter(invoice=initech).exists()

    page.fill("#id_payment-amount", "400")
    page.get_by_role("button", name="Record payment").click()
    expect(page.locator(".field-status .readonly")).to_have_text("Partially paid")

    page.locator("#payments-table").get_by_role("link", name="Void…").click()
    expect(page.locator("#content")).to_contain_text("Void the payment of $400.00")
    page.screenshot(path=str(screenshots / "payment-void-confirm.png"), full_page=True)
    page.get_by_role("button", name="Yes, void this payment").click()
    expect(page.locator(".messagelist .success")).to_contain_text("it is now Open")
    expect(page.locator(".field-balance_due .readonly")).to_have_text("$2,400.00")
    expect(page.locator("#payments-table tbody tr.voided")).to_have_count(1)
    page.screenshot(path=str(screenshots / "payment-voided.png"), full_page=True)
