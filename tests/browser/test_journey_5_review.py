"""Journey 5, review, in a real browser: Alice (ADMIN of Firm A) picks Mia (a MEMBER) and the week
of 2026-11-23 on Approvals and approves it, the entries turn Approved; on Budgets she sees each
engagement's share used, the one over budget highlighted; on Realization, for 2026, she sees each
client's standard value, billed and collected as the fixture billed and collected them. Screenshots
of each page are saved under artifacts/screenshots/journey5-*.png."""

import pytest

from practice.models import TimeEntry
from tests.admin.review_helpers import WEEK, budgets, invoices_of_the_year, member_of, week_of_time
from tests.browser.helpers import PASSWORD, admin_login, expect, journey_step

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def review(alice, make_client):
    alice.user.set_password(PASSWORD)
    alice.user.save(update_fields=["password"])
    mia = member_of(alice.firm)
    acme, _ = invoices_of_the_year(alice, make_client)
    week = week_of_time(alice, acme, mia)
    budgets(alice, acme, mia)
    return week


def test_journey_5_approve_a_week_see_budgets_and_realization(
    live_server, new_page, alice, review, screenshots
):
    page = new_page()
    admin_login(page, live_server.url, alice.user.email)

    # Approvals: choose the staff member and the week, approve it.
    page.locator("#workplace-nav").get_by_role("link", name="Approvals").click()
    page.get_by_label("Staff member").select_option(label="Mia Member")
    page.get_by_label("Week of").fill(WEEK.isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#week-heading")).to_contain_text("Mia Member: week of 2026-11-23")
    entries = page.locator("#week-entries tr.entry")
    expect(entries).to_have_count(4)
    expect(page.locator("#week-total")).to_contain_text("7.50 h")
    expect(page.locator("#week-total")).to_contain_text("$937.50")
    journey_step(page, screenshots, "journey5-approvals")

    page.get_by_role("button", name="Approve week (3 open)").click()
    expect(page.locator(".messagelist .success")).to_have_text("Approved 3 time entries.")
    expect(page.locator("#week-entries .status-approved")).to_have_count(3)
    journey_step(page, screenshots, "journey5-approvals-approved")
    approved = TimeEntry.objects.filter(pk__in=[e.pk for e in review.open_ones])
    assert set(approved.values_list("approval_status", flat=True)) == {"approved"}
    assert TimeEntry.objects.get(pk=review.billed.pk).approval_status == "open"

    # Budgets: the share used of each engagement, the one over budget highlighted.
    page.locator("#workplace-nav").get_by_role("link", name="Budgets").click()
    rows = page.locator("#budgets tbody tr")
    expect(rows).to_have_count(3)
    over = page.locator("#budgets tr.over-budget")
    expect(over).to_have_count(1)
    expect(over).to_contain_text("Year-end accounts")
    expect(over.locator(".used")).to_have_text("125%")
    expect(over).to_contain_text("Over budget")
    expect(rows.filter(has_text="Payroll").locator(".used")).to_have_text("25%")
    journey_step(page, screenshots, "journey5-budgets")

    # Realization for 2026: each client's figures as the fixture billed and collected them.
    page.locator("#workplace-nav").get_by_role("link", name="Realization").click()
    page.get_by_label("From", exact=True).fill("2026-01-01")
    page.get_by_label("To", exact=True).fill("2026-11-30")
    page.get_by_role("button", name="Show").click()
    acme = page.locator("#realization tbody tr", has_text="Acme Corp")
    expect(acme.locator("td")).to_have_text(
        ["10.00 h", "$1,250.00", "$1,000.00", "$600.00", "80.0%", "60.0%"]
    )
    initech = page.locator("#realization tbody tr", has_text="Initech")
    expect(initech.locator("td")).to_have_text(
        ["4.00 h", "$600.00", "$600.00", "$0.00", "100.0%", "0.0%"]
    )
    expect(page.locator("#realization-totals td")).to_have_text(
        ["14.00 h", "$1,850.00", "$1,600.00", "$600.00", "86.5%", "37.5%"]
    )
    journey_step(page, screenshots, "journey5-realization")
