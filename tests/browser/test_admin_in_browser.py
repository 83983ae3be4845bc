"""The admin in a real browser: a firm admin logs time, invoices it and opens the invoice and its
PDF; another firm's staff cannot see or reach it; a VIEWER cannot change anything; the dashboard
draws its chart (a screenshot is saved under artifacts/screenshots/)."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from billing.models import Invoice
from practice.models import TimeEntry
from practice.services.time_entries import time_entry_create
from tests.browser.helpers import PASSWORD, admin_login, expect

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _with_password(persona):
    persona.user.set_password(PASSWORD)
    persona.user.save(update_fields=["password"])
    return persona


@pytest.fixture
def firm_a_world(alice, bob, make_client):
    _with_password(alice)
    _with_password(bob)
    link = make_client(alice, "Acme Corp", default_rate_cents=12_000)
    # Some history for the chart: an entry in each of the last five weeks.
    today = timezone.localdate()
    for weeks in range(5):
        time_entry_create(
            firm=alice.firm,
            link=link,
            work_date=today - dt.timedelta(weeks=weeks),
            hours=Decimal(weeks + 1),
            description=f"Week -{weeks} close",
            default_user=alice.user,
        )
    return link


def test_a_firm_admin_logs_time_invoices_it_and_opens_the_pdf(
    live_server, new_page, firm_a_world, alice, charlie, make_client, screenshots
):
    _with_password(charlie)
    # The second firm has its own client and time, so its list is not empty by accident.
    globex = make_client(charlie, "Globex Inc", default_rate_cents=9_000)
    time_entry_create(
        firm=charlie.firm,
        link=globex,
        work_date=timezone.localdate(),
        hours=Decimal("3.00"),
        description="Globex payroll run",
        default_user=charlie.user,
    )
    page = new_page()
    admin_login(page, live_server.url, alice.user.email)

    # The dashboard: this firm's panels and a 12-week chart.
    expect(page.locator("#panel-unbilled")).to_contain_text("Acme Corp")
    expect(page.locator("#hours-chart rect.bar")).to_have_count(12)
    page.screenshot(path=str(screenshots / "dashboard.png"), full_page=True)

    # Log time with the client autocomplete.
    page.goto(f"{live_server.url}/admin/practice/timeentry/add/")
    page.locator("#id_client").locator("xpath=following-sibling::span[1]").click()
    page.locator(".select2-search__field").fill("Acme")
    page.locator(".select2-results__option", has_text="Acme Corp").click()
    page.fill("#id_date", timezone.localdate().isoformat())
    page.fill("#id_hours", "2.50")
    page.fill("#id_description", "Quarter-end close from the browser")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    entry = TimeEntry.objects.get(description="Quarter-end close from the browser")
    assert (entry.rate_cents, entry.amount_cents) == (12_000, 30_000)

    # Invoice it from the changelist.
    page.locator(f"input[name=_selected_action][value='{entry.pk}']").check()
    page.select_option("select[name=action]", "create_invoice")
    page.click("button[name=index]")
    message = page.locator(".messagelist .success")
    expect(message).to_contain_text("INV-000001")
    invoice = Invoice.objects.get(firm=alice.firm)
    assert invoice.total_cents == 30_000

    # Open the invoice, its lines, and its PDF.
    message.locator("a").click()
    expect(page).to_have_title(re.compile("INV-000001"))
    expect(page.locator("#content")).to_contain_text("Quarter-end close from the browser")
    pdf_href = page.locator("a.invoice-pdf").first.get_attribute("href")
    pdf = page.request.get(f"{live_server.url}{pdf_href}")
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")

    # Another firm's staff member can neither see nor reach it.
    other = new_page()
    admin_login(other, live_server.url, charlie.user.email)
    other.goto(f"{live_server.url}/admin/practice/timeentry/")
    expect(other.locator("#result_list tbody tr")).to_have_count(1)  # their own entry only
    expect(other.locator("#result_list")).to_contain_text("Globex Inc")
    expect(other.locator("#content")).not_to_contain_text("Acme Corp")
    expect(other.locator("#content")).not_to_contain_text("Quarter-end close from the browser")
    other.goto(f"{live_server.url}/admin/billing/invoice/")
    expect(other.locator("#content")).not_to_contain_text("INV-000001")
    for path in (
        f"/admin/billing/invoice/{invoice.pk}/change/",
        f"/admin/billing/invoice/{invoice.pk}/pdf/",
        f"/admin/practice/timeentry/{entry.pk}/change/",
    ):
        response = other.goto(f"{live_server.url}{path}")
        assert response.status == 404, path


def test_a_viewer_cannot_change_anything(live_server, new_page, firm_a_world, bob):
    entry = TimeEntry.objects.filter(client=firm_a_world.client).first()
    page = new_page()
    admin_login(page, live_server.url, bob.user.email)

    page.goto(f"{live_server.url}/admin/practice/timeentry/{entry.pk}/change/")
    expect(page.locator("#content")).to_contain_text(re.compile("View time entry", re.I))
    expect(page.locator("input[name=_save]")).to_have_count(0)
    page.goto(f"{live_server.url}/admin/practice/timeentry/")
    expect(page.locator("select[name=action]")).to_have_count(0)
    expect(page.locator("a.addlink")).to_have_count(0)
    response = page.goto(f"{live_server.url}/admin/practice/timeentry/add/")
    assert response.status == 403
    entry.refresh_from_db()
    assert entry.hours == Decimal("1.00")
